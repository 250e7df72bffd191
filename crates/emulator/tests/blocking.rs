//! Blocking list commands with simulated clients: one waits, another
//! pushes; first blocked, first served; timeouts on the engine's clock.

mod common;
use common::Session;

fn three_clients() -> Session {
    let mut s = Session::new();
    let c = s.engine.connect("test:3");
    s.clients.push(c);
    s
}

#[test]
fn a_push_wakes_the_waiting_client() {
    let mut s = Session::new();
    assert_eq!(s.run_as(1, "BLPOP q 0"), "");
    assert!(s.engine.client(s.clients[1]).unwrap().blocked.is_some());
    assert_eq!(s.run_as(0, "LPUSH q a b"), "(integer) 2");
    assert_eq!(s.delivered(1), vec!["1) \"q\"\n2) \"b\"".to_string()]);
    assert!(s.engine.client(s.clients[1]).unwrap().blocked.is_none());
    s.check("LRANGE q 0 -1 => 1) \"a\"");
}

#[test]
fn waiters_are_served_first_come_first_served() {
    let mut s = three_clients();
    s.run_as(1, "BLPOP q 0");
    s.run_as(2, "BRPOP q 0");
    s.check("RPUSH q x => (integer) 1");
    assert_eq!(s.delivered(1), vec!["1) \"q\"\n2) \"x\"".to_string()]);
    s.check("RPUSH q y z => (integer) 2");
    let events = s.engine.drain_events();
    let for_third: Vec<_> = events
        .iter()
        .filter(|e| matches!(e, redis_emulator::Event::Deliver { client, .. } if *client == s.clients[2]))
        .collect();
    assert_eq!(for_third.len(), 1, "{events:?}");
    s.check("LRANGE q 0 -1 => 1) \"y\"");
}

#[test]
fn two_waiters_share_one_push_in_order() {
    let mut s = three_clients();
    s.run_as(2, "BLPOP q 0");
    s.run_as(1, "BLPOP q 0");
    s.check("RPUSH q first second => (integer) 2");
    let events = s.engine.drain_events();
    let delivered: Vec<(u64, String)> = events
        .into_iter()
        .filter_map(|e| match e {
            redis_emulator::Event::Deliver { client, reply } => {
                Some((client, redis_emulator::cli_format::format_reply(&reply, redis_emulator::Protocol::Resp2)))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        delivered,
        vec![
            (s.clients[2], "1) \"q\"\n2) \"first\"\n".to_string()),
            (s.clients[1], "1) \"q\"\n2) \"second\"\n".to_string()),
        ]
    );
    s.check("EXISTS q => (integer) 0");
}

#[test]
fn timeouts_follow_the_engine_clock() {
    let mut s = Session::new();
    s.run_as(1, "BLPOP q 1.5");
    s.advance(1499);
    assert!(s.delivered(1).is_empty());
    s.advance(1);
    assert_eq!(s.delivered(1), vec!["(nil)".to_string()]);
    s.run_as(1, "BRPOPLPUSH q d 0.001");
    s.advance(1);
    assert_eq!(s.delivered(1), vec!["(nil)".to_string()]);
    // 0 waits forever.
    s.run_as(1, "BLMPOP 0 1 q LEFT COUNT 2");
    s.advance(86_400_000);
    assert!(s.delivered(1).is_empty());
    s.check("RPUSH q a b c => (integer) 3");
    assert_eq!(s.delivered(1), vec!["1) \"q\"\n2) 1) \"a\"\n   2) \"b\"".to_string()]);
    s.check(
        r#"
        BLPOP q -1 => (error) ERR timeout is negative
        BLPOP q abc => (error) ERR timeout is not a float or out of range
        "#,
    );
}

#[test]
fn moves_into_a_watched_list_serve_its_waiter() {
    let mut s = three_clients();
    s.run_as(1, "BLPOP dst 0");
    s.check(
        r#"
        RPUSH src x y => (integer) 2
        LMOVE src dst LEFT RIGHT => "x"
        EXISTS dst => (integer) 0
        "#,
    );
    assert_eq!(s.delivered(1), vec!["1) \"dst\"\n2) \"x\"".to_string()]);
    // A waiting BLMOVE feeds a waiting BLPOP.
    s.run_as(1, "BLPOP end 0");
    s.run_as(2, "BLMOVE start end LEFT RIGHT 0");
    s.check("RPUSH start link => (integer) 1");
    let events = s.engine.drain_events();
    let delivered: Vec<_> = events
        .into_iter()
        .filter_map(|e| match e {
            redis_emulator::Event::Deliver { client, reply } => Some((client, reply)),
            _ => None,
        })
        .collect();
    assert_eq!(delivered.len(), 2, "{delivered:?}");
    assert_eq!(delivered[0].0, s.clients[2]);
    assert_eq!(delivered[1].0, s.clients[1]);
    s.check("EXISTS start end => (integer) 0");
}

#[test]
fn another_type_does_not_wake_a_waiter() {
    let mut s = Session::new();
    s.run_as(1, "BLPOP w 0");
    s.check("SET w text => OK");
    assert!(s.delivered(1).is_empty());
    s.check(
        r#"
        DEL w => (integer) 1
        RPUSH w x => (integer) 1
        "#,
    );
    assert_eq!(s.delivered(1), vec!["1) \"w\"\n2) \"x\"".to_string()]);
}

/// Pushes skip looking for waiters once nobody is blocked; a client that
/// blocks afterwards must still be woken.
#[test]
fn a_client_that_blocks_after_all_waits_ended_is_still_woken() {
    let mut s = Session::new();
    assert_eq!(s.run_as(1, "BLPOP q 0"), "");
    assert_eq!(s.run_as(0, "LPUSH q a"), "(integer) 1");
    assert_eq!(s.delivered(1), vec!["1) \"q\"\n2) \"a\"".to_string()]);
    // Nobody waits now: this push clears the engine's "someone may wait" hint.
    assert_eq!(s.run_as(0, "LPUSH other x"), "(integer) 1");
    assert_eq!(s.run_as(1, "BLPOP q 0"), "");
    assert_eq!(s.run_as(0, "RPUSH q b"), "(integer) 1");
    assert_eq!(s.delivered(1), vec!["1) \"q\"\n2) \"b\"".to_string()]);
    // A waiter re-blocked by a retry (BLMOVE from an empty source) keeps the hint.
    assert_eq!(s.run_as(1, "BLMOVE src dst LEFT RIGHT 0"), "");
    assert_eq!(s.run_as(0, "LPUSH src v"), "(integer) 1");
    assert_eq!(s.delivered(1), vec!["\"v\"".to_string()]);
    s.check("LRANGE dst 0 -1 => 1) \"v\"");
}
