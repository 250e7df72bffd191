//! Blocking list commands over real connections, in situations a
//! differential script cannot express: a waiting client that disconnects,
//! and a waiter that times out while another one is served. Each scenario
//! runs against a real redis-server and our server; raw replies must match.

mod common;

use std::time::Duration;

use common::{start_ours, Conn, RealRedis};

fn cmd(line: &str) -> Vec<Vec<u8>> {
    line.split(' ').map(|s| s.as_bytes().to_vec()).collect()
}

/// Runs `scenario` against a server and returns every reply it read, in order.
type Scenario = fn(u16) -> Vec<String>;

fn compare(name: &str, scenario: Scenario) {
    let Some(real) = RealRedis::start() else { return };
    let ours = start_ours();
    let expected = scenario(real.port);
    let got = scenario(ours);
    assert!(!expected.is_empty(), "{name}: the scenario read nothing");
    assert_eq!(got, expected, "{name}: our replies differ from redis-server's");
}

fn read(conn: &mut Conn, ms: u64) -> String {
    conn.read_reply(Duration::from_millis(ms)).map(|r| common::show(&r)).unwrap_or_else(|| "(no reply)".into())
}

/// Fails today: while a connection's client is blocked, the server waits
/// only for a wake-up and does not notice the socket closing, so the gone
/// client still takes the first element. The fix belongs in the server's
/// connection loop (also watch the socket while blocked).
#[test]
fn a_waiter_that_disconnects_is_skipped() {
    compare("disconnect", |port| {
        let mut first = Conn::open(port);
        let mut second = Conn::open(port);
        let mut pusher = Conn::open(port);
        first.send(&cmd("BLPOP dq 0"));
        std::thread::sleep(Duration::from_millis(50));
        second.send(&cmd("BLPOP dq 0"));
        std::thread::sleep(Duration::from_millis(50));
        drop(first);
        std::thread::sleep(Duration::from_millis(50));
        pusher.send(&cmd("RPUSH dq x y"));
        let mut out = vec![read(&mut pusher, 2000), read(&mut second, 2000)];
        pusher.send(&cmd("LRANGE dq 0 -1"));
        out.push(read(&mut pusher, 2000));
        out
    });
}

#[test]
fn a_timed_out_waiter_gets_nothing_later() {
    compare("timeout then push", |port| {
        let mut short = Conn::open(port);
        let mut long = Conn::open(port);
        let mut pusher = Conn::open(port);
        short.send(&cmd("BRPOPLPUSH tq dst 0.1"));
        std::thread::sleep(Duration::from_millis(20));
        long.send(&cmd("BLMPOP 5 1 tq LEFT COUNT 5"));
        let mut out = vec![read(&mut short, 2000)];
        pusher.send(&cmd("RPUSH tq a b c"));
        out.push(read(&mut pusher, 2000));
        out.push(read(&mut long, 2000));
        pusher.send(&cmd("EXISTS tq dst"));
        out.push(read(&mut pusher, 2000));
        // The client that timed out is free again.
        short.send(&cmd("LLEN tq"));
        out.push(read(&mut short, 2000));
        out
    });
}

#[test]
fn one_push_of_many_elements_serves_waiters_in_order() {
    compare("fan out", |port| {
        let mut waiters: Vec<Conn> = (0..4).map(|_| Conn::open(port)).collect();
        for (i, w) in waiters.iter_mut().enumerate() {
            let line = if i % 2 == 0 { "BLPOP fq 0" } else { "BRPOP fq 0" };
            w.send(&cmd(line));
            std::thread::sleep(Duration::from_millis(30));
        }
        let mut pusher = Conn::open(port);
        pusher.send(&cmd("RPUSH fq 1 2 3"));
        let mut out = vec![read(&mut pusher, 2000)];
        for w in waiters.iter_mut().take(3) {
            out.push(read(w, 2000));
        }
        // The fourth still waits; a later push serves it.
        out.push(read(&mut waiters[3], 200));
        pusher.send(&cmd("LPUSH fq last"));
        out.push(read(&mut pusher, 2000));
        out.push(read(&mut waiters[3], 2000));
        out
    });
}
