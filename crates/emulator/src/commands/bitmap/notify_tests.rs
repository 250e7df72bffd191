//! Which keyspace events the bitmap and HyperLogLog commands publish, as
//! observed on Redis 7.0.15 (`notify-keyspace-events KEA`).

use crate::engine::Engine;

/// Runs `lines` and returns "event:key" for every keyevent notification.
fn events(lines: &[&str]) -> Vec<String> {
    crate::test_support::key_events(lines).into_iter().map(|pair| pair.replacen(' ', ":", 1)).collect()
}

#[test]
fn bit_writes_notify_only_when_something_changed() {
    let got = events(&[
        "SETBIT a1 100 0",
        "SETBIT a1 200 0",
        "SETBIT a1 8 0",
        "SET a2 x",
        "SETBIT a2 1 1",
        "BITFIELD a3 OVERFLOW FAIL INCRBY u2 0 9",
        "BITFIELD a4 SET u8 0 0",
        "BITFIELD a4 SET u8 0 0",
        "BITFIELD a4 SET u8 16 0",
        "BITFIELD a4 INCRBY u8 0 0",
        "BITFIELD a4 INCRBY u8 0 1",
        "BITFIELD a4 OVERFLOW FAIL INCRBY u8 0 1000",
        "SET a5 \"\"",
        "SETBIT a5 0 0",
    ]);
    assert_eq!(got, ["setbit:a1", "setbit:a1", "set:a2", "setbit:a4", "setbit:a4", "setbit:a4", "set:a5", "setbit:a5"]);
}

#[test]
fn bitop_and_hyperloglog_events() {
    let got = events(&[
        "SETBIT nk 1 1",
        "BITOP AND nk2 nk",
        "BITOP AND nk2 nothing",
        "PFADD hh a",
        "PFADD hh a",
        "PFCOUNT hh",
        "PFMERGE hh",
        "PFMERGE hh3",
    ]);
    assert_eq!(got, ["setbit:nk", "set:nk2", "del:nk2", "pfadd:hh", "pfadd:hh", "pfadd:hh3"]);
}

#[test]
fn creating_a_key_without_changing_a_field_leaves_watchers_alone() {
    let mut engine = Engine::with_manual_clock(0, 1);
    let me = engine.connect("t:1");
    let watcher = engine.connect("t:2");
    let _ = engine.execute_line(watcher, "WATCH wk wk2");
    let _ = engine.execute_line(me, "BITFIELD wk OVERFLOW FAIL INCRBY u2 0 9");
    assert_eq!(engine.clients.get(&watcher).map(|c| c.watch_dirty), Some(false));
    assert!(engine.db(0).is_some_and(|db| db.contains(b"wk")));
    let _ = engine.execute_line(me, "BITFIELD wk2 SET u2 0 1");
    assert_eq!(engine.clients.get(&watcher).map(|c| c.watch_dirty), Some(true));
}
