//! Keyspace notifications delivered to a subscribed client.

mod common;

use common::Session;
use redis_emulator::notify;

#[test]
fn set_and_del_publish_keyspace_and_keyevent() {
    let mut s = Session::new();
    s.engine.config_mut().notify_keyspace_events = notify::parse_flags(b"KEA").unwrap_or(0);
    s.run_as(1, "PSUBSCRIBE __key*__:*");
    s.check("SET k v => OK");
    s.check("DEL k => (integer) 1");
    s.check("DEL k => (integer) 0");
    let got = s.delivered(1);
    let msgs: Vec<String> = got.iter().map(|m| m.lines().skip(2).collect::<Vec<_>>().join(" ")).collect();
    assert_eq!(
        msgs,
        vec![
            "3) \"__keyspace@0__:k\" 4) \"set\"",
            "3) \"__keyevent@0__:set\" 4) \"k\"",
            "3) \"__keyspace@0__:k\" 4) \"del\"",
            "3) \"__keyevent@0__:del\" 4) \"k\"",
        ]
    );
}

#[test]
fn disabled_classes_stay_quiet() {
    let mut s = Session::new();
    s.engine.config_mut().notify_keyspace_events = notify::parse_flags(b"Eg").unwrap_or(0);
    s.run_as(1, "PSUBSCRIBE *");
    s.check("SET k v => OK");
    s.check("DEL k => (integer) 1");
    let got = s.delivered(1);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].contains("__keyevent@0__:del"));
}

#[test]
fn script_writes_notify_too() {
    let mut s = Session::new();
    s.engine.config_mut().notify_keyspace_events = notify::parse_flags(b"E$").unwrap_or(0);
    s.run_as(1, "SUBSCRIBE __keyevent@0__:set");
    s.check("EVAL \"return redis.call('set', 'k', 'v')\" 0 => OK");
    assert_eq!(s.delivered(1).len(), 1);
}
