//! Client-side caching, CLIENT PAUSE, LATENCY and LOLWUT on the engine
//! (a manual clock, two clients). The byte-level comparison with
//! redis-server is in tests/differential/{tracking,pause,latency,lolwut}.redis.

mod common;

use common::Session;

#[test]
fn a_read_key_is_invalidated_once_after_the_writers_reply() {
    let mut s = Session::new();
    s.run_as(1, "HELLO 3");
    assert_eq!(s.run_as(1, "CLIENT TRACKING ON"), "OK");
    s.run("SET product:1 laptop");
    assert_eq!(s.run_as(1, "GET product:1"), "\"laptop\"");
    assert_eq!(s.run("SET product:1 tablet"), "OK");
    assert_eq!(s.delivered(1), vec!["-> invalidate: 'product:1'"]);
    // Forgotten after one message, until read again.
    s.run("SET product:1 phone");
    assert!(s.delivered(1).is_empty());
    // The client's own write: the push follows its reply.
    s.run_as(1, "GET product:1");
    assert_eq!(s.run_as(1, "SET product:1 tv"), "OK\n-> invalidate: 'product:1'");
    // A flush invalidates everything with a null.
    s.run_as(1, "GET product:1");
    s.run("FLUSHALL");
    assert_eq!(s.delivered(1), vec!["1) \"invalidate\"\n2) (nil)"]);
    assert!(s.run("INFO clients").contains("tracking_clients:1"));
}

#[test]
fn bcast_optin_noloop_and_redirect() {
    let mut s = Session::new();
    s.run_as(1, "HELLO 3");
    s.run_as(1, "CLIENT TRACKING ON BCAST PREFIX user: PREFIX obj:");
    s.run("MSET user:1 a obj:1 b other c");
    assert_eq!(s.delivered(1), vec!["-> invalidate: 'obj:1'", "-> invalidate: 'user:1'"]);
    assert_eq!(
        s.run_as(1, "CLIENT TRACKING ON BCAST PREFIX use"),
        "(error) ERR Prefix 'use' overlaps with an existing prefix 'user:'. Prefixes for a single client must not overlap."
    );
    s.run_as(1, "CLIENT TRACKING OFF");
    // OPTIN: only a read after CLIENT CACHING YES is remembered.
    s.run_as(1, "CLIENT TRACKING ON OPTIN");
    s.run_as(1, "GET a");
    s.run_as(1, "CLIENT CACHING YES");
    s.run_as(1, "GET b");
    s.run("MSET a 1 b 2");
    assert_eq!(s.delivered(1), vec!["-> invalidate: 'b'"]);
    s.run_as(1, "CLIENT TRACKING OFF");
    // NOLOOP: the client's own writes are not echoed.
    s.run_as(1, "CLIENT TRACKING ON NOLOOP");
    s.run_as(1, "GET c");
    assert_eq!(s.run_as(1, "SET c 1"), "OK");
    s.run_as(1, "CLIENT TRACKING OFF");
    // A RESP2 client redirects to a subscriber of __redis__:invalidate.
    s.run_as(1, "HELLO 2");
    s.run_as(1, "SUBSCRIBE __redis__:invalidate");
    let target = s.clients[1];
    s.run(&format!("CLIENT TRACKING ON REDIRECT {target}"));
    s.run("GET k");
    s.run_as(0, "SET k v");
    assert!(s.delivered(1).iter().any(|m| m.contains("__redis__:invalidate") && m.contains("\"k\"")));
}

#[test]
fn client_pause_holds_writes_until_it_ends() {
    let mut s = Session::new();
    assert_eq!(s.run("CLIENT PAUSE 1000 WRITE"), "OK");
    assert_eq!(s.run_as(1, "GET k"), "(nil)");
    assert_eq!(s.run_as(1, "SET k v"), "");
    assert!(s.run("INFO clients").contains("blocked_clients:1"));
    s.advance(1000);
    assert_eq!(s.delivered(1), vec!["OK"]);
    assert_eq!(s.run("GET k"), "\"v\"");
    // UNPAUSE lifts it at once; the held command runs after UNPAUSE's reply.
    s.run("CLIENT PAUSE 100000 WRITE");
    s.run_as(1, "INCR n");
    assert_eq!(s.run("CLIENT UNPAUSE"), "OK");
    assert_eq!(s.delivered(1), vec!["(integer) 1"]);
    assert_eq!(s.run("CLIENT PAUSE 10 maybe"), "(error) ERR CLIENT PAUSE mode must be WRITE or ALL");
}

#[test]
fn latency_histogram_and_lolwut() {
    let mut s = Session::new();
    s.run("CONFIG RESETSTAT");
    s.run("SET a b");
    // The manual clock stands still: every call is in the first range.
    assert_eq!(s.run("LATENCY HISTOGRAM set"), "1) \"set\"\n2) 1) \"calls\"\n   2) (integer) 1\n   3) \"histogram_usec\"\n   4) 1) (integer) 1\n      2) (integer) 1");
    assert_eq!(s.run("LATENCY LATEST"), "(empty array)");
    // RESP2 shows the verbatim text as a quoted string.
    assert_eq!(s.run("LOLWUT"), "\"Redis ver. 7.0.15\\n\"");
    let art = s.run("LOLWUT VERSION 5 1 1 1");
    assert_eq!(art, "\"\\xe2\\xa0\\x8b\\n\\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. 7.0.15\\n\"");
}

#[test]
fn many_held_clients_resume_in_order_without_nesting() {
    let mut s = Session::new();
    s.run("CLIENT PAUSE 100000 WRITE");
    let ids: Vec<_> = (0..3000).map(|i| s.engine.connect(format!("held:{i}"))).collect();
    for id in &ids {
        let reply = s.engine.execute_line(*id, "RPUSH order x").unwrap();
        assert_eq!(reply, redis_emulator::Reply::Blocked);
    }
    assert_eq!(s.run("CLIENT UNPAUSE"), "OK");
    let delivered: Vec<_> = s
        .engine
        .drain_events()
        .into_iter()
        .filter_map(|e| match e {
            redis_emulator::Event::Deliver { client, reply } => Some((client, reply)),
            _ => None,
        })
        .collect();
    assert_eq!(delivered.len(), ids.len());
    // First come, first served: the n-th held RPUSH made the list n long.
    for (n, (client, reply)) in delivered.iter().enumerate() {
        assert_eq!((*client, reply), (ids[n], &redis_emulator::Reply::Integer(n as i64 + 1)));
    }
}
