//! client-output-buffer-limit over real connections: a subscriber that stops
//! reading while messages pile up is disconnected once its unread output
//! passes the pub/sub class's hard limit, as redis-server disconnects it; a
//! subscriber that reads is kept. Compared with a real redis-server.

mod common;

use std::time::Duration;

use common::{start_ours, Conn, RealRedis};

fn call(conn: &mut Conn, argv: &[&str]) -> String {
    let argv: Vec<Vec<u8>> = argv.iter().map(|a| a.as_bytes().to_vec()).collect();
    conn.send(&argv);
    conn.read_reply(Duration::from_secs(5)).map(|r| common::show(&r)).unwrap_or_else(|| "(no reply)".into())
}

fn scenario(port: u16) -> Vec<String> {
    let mut admin = Conn::open(port);
    let mut out = vec![call(&mut admin, &["CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 512kb 60"])];
    let mut reader = Conn::open(port);
    out.push(call(&mut reader, &["SUBSCRIBE", "fast"]));
    let mut sleeper = Conn::open(port);
    out.push(call(&mut sleeper, &["SUBSCRIBE", "slow"]));
    // 40 MB to the one that never reads; the reader gets a few small ones.
    let big = "x".repeat(100_000);
    for _ in 0..400 {
        call(&mut admin, &["PUBLISH", "slow", &big]);
    }
    for i in 0..3 {
        out.push(call(&mut admin, &["PUBLISH", "fast", &format!("m{i}")]));
        out.push(reader.read_reply(Duration::from_secs(5)).map(|r| common::show(&r)).unwrap_or_default());
    }
    std::thread::sleep(Duration::from_millis(200));
    out.push(call(&mut admin, &["PUBSUB", "NUMSUB", "slow", "fast"]));
    drop(sleeper);
    out
}

#[test]
fn a_subscriber_that_does_not_read_is_disconnected_at_its_limit() {
    let Some(real) = RealRedis::start() else { return };
    let ours = start_ours();
    let expected = scenario(real.port);
    let got = scenario(ours);
    assert!(expected.last().is_some_and(|l| l.contains("slow") && l.contains(":0")), "{expected:?}");
    assert_eq!(got, expected);
}
