//! Redis's protected mode: while `protected-mode` is `yes` (the default)
//! and the default user needs no password, only loopback clients are
//! served; any other client gets Redis's `-DENIED` explanation and is
//! disconnected before it can send a command. Clients that still have to
//! authenticate may only send small requests (Redis's limits on
//! unauthenticated multibulk and bulk lengths).

use std::net::SocketAddr;

use redis_emulator::{ClientId, Engine};

/// What Redis 7.0 writes to a refused client, byte for byte.
pub const DENIED: &str = concat!(
    "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for ",
    "the default user. In this mode connections are only accepted from the loopback interface. If you want ",
    "to connect from external computers to Redis you may adopt one of the following solutions: 1) Just ",
    "disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface ",
    "by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not ",
    "publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) ",
    "Alternatively you can just disable the protected mode by editing the Redis configuration file, and ",
    "setting the protected mode option to 'no', and then restarting the server. 3) If you started the ",
    "server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an ",
    "authentication password for the default user. NOTE: You only need to do one of the above things in ",
    "order for the server to start accepting connections from the outside.\r\n"
);

/// True if a client connecting from `peer` must be refused.
pub fn refuses(engine: &Engine, peer: &SocketAddr) -> bool {
    let protected =
        redis_emulator::config::find_param(b"protected-mode").is_some_and(|p| engine.config().get_param(p) == "yes");
    protected && !engine.default_user_has_password() && !is_loopback(peer)
}

/// Loopback addresses, IPv4-mapped IPv6 ones included.
fn is_loopback(peer: &SocketAddr) -> bool {
    match peer {
        SocketAddr::V4(a) => a.ip().is_loopback(),
        SocketAddr::V6(a) => a.ip().is_loopback() || a.ip().to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
    }
}

/// Longest multibulk an unauthenticated client may send.
const UNAUTHENTICATED_ARGS: i64 = 10;
/// Longest bulk string an unauthenticated client may send.
const UNAUTHENTICATED_BULK: i64 = 16384;

/// The protocol error for a request too big for a client that has not
/// authenticated yet (Redis answers it and closes the connection), judged
/// from the request's headers as soon as they arrive.
pub fn unauthenticated_limit(engine: &Engine, id: ClientId, buf: &[u8]) -> Option<&'static str> {
    if buf.first() != Some(&b'*') {
        return None;
    }
    let authenticated = engine.client(id).is_none_or(|c| c.auth.authenticated);
    if authenticated || !engine.default_user_has_password() {
        return None;
    }
    let (args, mut at) = header(buf, 0)?;
    if args > UNAUTHENTICATED_ARGS {
        return Some("ERR Protocol error: unauthenticated multibulk length");
    }
    for _ in 0..args.max(0) {
        if buf.get(at) != Some(&b'$') {
            return None;
        }
        let (len, next) = header(buf, at)?;
        if len > UNAUTHENTICATED_BULK {
            return Some("ERR Protocol error: unauthenticated bulk length");
        }
        at = next + len.max(0) as usize + 2;
    }
    None
}

/// A `*N` / `$N` header at `at`: the number and where the next part starts.
fn header(buf: &[u8], at: usize) -> Option<(i64, usize)> {
    let rest = buf.get(at + 1..)?;
    let end = rest.iter().position(|&b| b == b'\r')?;
    let n = std::str::from_utf8(&rest[..end]).ok()?.parse::<i64>().ok()?;
    Some((n, at + 1 + end + 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> Engine {
        Engine::with_manual_clock(0, 1)
    }

    #[test]
    fn only_remote_clients_of_an_open_server_are_refused() {
        let mut e = engine();
        let remote: SocketAddr = "192.0.2.7:5000".parse().unwrap();
        let local: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let mapped: SocketAddr = "[::ffff:127.0.0.1]:5000".parse().unwrap();
        assert!(refuses(&e, &remote));
        assert!(!refuses(&e, &local));
        assert!(!refuses(&e, &mapped));
        let me = e.connect("t:1");
        e.execute_line(me, "CONFIG SET requirepass pw").unwrap();
        assert!(!refuses(&e, &remote), "a password lifts protected mode");
        e.execute_line(me, "CONFIG SET requirepass \"\"").unwrap();
        assert!(refuses(&e, &remote));
        e.execute_line(me, "CONFIG SET protected-mode no").unwrap();
        assert!(!refuses(&e, &remote));
    }

    #[test]
    fn unauthenticated_clients_may_only_send_small_requests() {
        let mut e = engine();
        let admin = e.connect("t:1");
        let early = e.connect("t:2");
        e.execute_line(admin, "CONFIG SET requirepass pw").unwrap();
        let late = e.connect("t:3");
        let big = b"*11\r\n";
        let long_bulk = b"*2\r\n$3\r\nSET\r\n$16385\r\n";
        assert_eq!(unauthenticated_limit(&e, late, big), Some("ERR Protocol error: unauthenticated multibulk length"));
        assert_eq!(unauthenticated_limit(&e, late, long_bulk), Some("ERR Protocol error: unauthenticated bulk length"));
        assert_eq!(unauthenticated_limit(&e, late, b"*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n"), None);
        // Clients connected while the default user needed no password are
        // authenticated already.
        assert_eq!(unauthenticated_limit(&e, early, big), None);
        e.execute_line(late, "AUTH pw").unwrap();
        assert_eq!(unauthenticated_limit(&e, late, big), None);
    }
}
