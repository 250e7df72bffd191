//! Redis's protected mode: while `protected-mode` is `yes` (the default)
//! and the default user needs no password, only loopback clients are
//! served; any other client gets Redis's `-DENIED` explanation and is
//! disconnected before it can send a command.

use std::net::SocketAddr;

use redis_emulator::Engine;

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
}
