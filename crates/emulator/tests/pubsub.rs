//! Pub/sub between simulated clients: confirmations, delivery order,
//! patterns, RESP2 subscribed state and RESP3 pushes.

mod common;

use common::Session;

#[test]
fn subscriber_receives_messages_in_order() {
    let mut s = Session::new();
    assert_eq!(s.run_as(1, "SUBSCRIBE news"), "1) \"subscribe\"\n2) \"news\"\n3) (integer) 1");
    s.check("PUBLISH news one => (integer) 1");
    s.check("PUBLISH news two => (integer) 1");
    s.check("PUBLISH other x => (integer) 0");
    let got = s.delivered(1);
    assert_eq!(
        got,
        vec![
            "1) \"message\"\n2) \"news\"\n3) \"one\"".to_string(),
            "1) \"message\"\n2) \"news\"\n3) \"two\"".to_string(),
        ]
    );
}

#[test]
fn pattern_subscribers_get_pmessage_after_channel_subscribers() {
    let mut s = Session::new();
    s.run_as(1, "SUBSCRIBE news");
    s.run_as(1, "PSUBSCRIBE n*");
    s.check("PUBLISH news hi => (integer) 2");
    let got = s.delivered(1);
    assert_eq!(got.len(), 2);
    assert!(got[0].starts_with("1) \"message\""));
    assert!(got[1].starts_with("1) \"pmessage\"\n2) \"n*\""));
    s.check("PUBSUB NUMPAT => (integer) 1");
    s.check("PUBSUB NUMSUB news none => 1) \"news\"\n|2) (integer) 1\n|3) \"none\"\n|4) (integer) 0");
}

#[test]
fn resp2_subscribed_state_restricts_commands() {
    let mut s = Session::new();
    s.run("SUBSCRIBE a");
    s.check("GET k => (error) ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
    s.check("PING => 1) \"pong\"\n|2) \"\"");
    s.check("UNSUBSCRIBE => 1) \"unsubscribe\"\n|2) \"a\"\n|3) (integer) 0");
    s.check("GET k => (nil)");
    s.check("UNSUBSCRIBE => 1) \"unsubscribe\"\n|2) (nil)\n|3) (integer) 0");
}

#[test]
fn resp3_subscriber_gets_pushes_and_keeps_running_commands() {
    let mut s = Session::new();
    s.run_as(1, "HELLO 3");
    s.run_as(1, "SUBSCRIBE a");
    assert_eq!(s.run_as(1, "GET k"), "(nil)");
    s.run("PUBLISH a m");
    let id = s.clients[1];
    let events = s.engine.drain_events();
    let push = events.iter().find_map(|e| match e {
        redis_emulator::Event::Deliver { client, reply } if *client == id => Some(reply.clone()),
        _ => None,
    });
    assert!(matches!(push, Some(redis_emulator::Reply::Push(_))), "{push:?}");
}

#[test]
fn own_publish_reaches_own_resp3_subscription() {
    let mut s = Session::new();
    s.run("HELLO 3");
    s.run("SUBSCRIBE me");
    s.check("PUBLISH me hi => (integer) 1");
    let mine = s.delivered(0);
    assert_eq!(mine.len(), 1);
}

#[test]
fn disconnect_forgets_subscriptions() {
    let mut s = Session::new();
    s.run_as(1, "SUBSCRIBE a b");
    s.check("PUBSUB NUMSUB a => 1) \"a\"\n|2) (integer) 1");
    let id = s.clients[1];
    s.engine.disconnect(id);
    s.check("PUBLISH a x => (integer) 0");
    s.check("PUBSUB CHANNELS => (empty array)");
}
