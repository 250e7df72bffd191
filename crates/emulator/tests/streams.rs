//! Script tests for stream commands on a manual clock, so that `*` ids and
//! idle times are deterministic.

mod common;
use common::{Session, T0};

#[test]
fn sensor_demo() {
    let mut s = Session::new();
    s.check(&format!(
        r#"
        XADD sensor:1 * temperature 22.5 humidity 60 => "{T0}-0"
        XADD sensor:1 * temperature 22.7 humidity 61 => "{T0}-1"
        XLEN sensor:1 => (integer) 2
        XRANGE sensor:1 - + => 1) 1) "{T0}-0"
        |    2) 1) "temperature"
        |       2) "22.5"
        |       3) "humidity"
        |       4) "60"
        |2) 1) "{T0}-1"
        |    2) 1) "temperature"
        |       2) "22.7"
        |       3) "humidity"
        |       4) "61"
        XREAD COUNT 2 STREAMS sensor:1 0 => 1) 1) "sensor:1"
        |    2) 1) 1) "{T0}-0"
        |          2) 1) "temperature"
        |             2) "22.5"
        |             3) "humidity"
        |             4) "60"
        |       2) 1) "{T0}-1"
        |          2) 1) "temperature"
        |             2) "22.7"
        |             3) "humidity"
        |             4) "61"
        "#
    ));
    s.advance(5);
    let next = T0 + 5;
    s.check(&format!(
        r#"
        XADD sensor:1 * temperature 23 => "{next}-0"
        XADD sensor:1 {next}-* t 1 => "{next}-1"
        XADD sensor:1 1-1 t 1 => (error) ERR The ID specified in XADD is equal or smaller than the target stream top item
        "#
    ));
}

#[test]
fn auto_ids_follow_the_clock_and_never_go_back() {
    let mut s = Session::new();
    let future = T0 + 1000;
    s.check(&format!(
        r#"
        XADD s {future}-5 f v => "{future}-5"
        XADD s * f v => "{future}-6"
        "#
    ));
    s.advance(2000);
    let later = T0 + 2000;
    s.check(&format!(r#"XADD s * f v => "{later}-0""#));
}

#[test]
fn streams_stay_when_empty_and_errors_are_exact() {
    let mut s = Session::new();
    s.check(
        r#"
        XADD s 1-1 f v => "1-1"
        XDEL s 1-1 => (integer) 1
        EXISTS s => (integer) 1
        XLEN s => (integer) 0
        XADD s 1-1 f v => (error) ERR The ID specified in XADD is equal or smaller than the target stream top item
        XADD s 0-0 f v => (error) ERR The ID specified in XADD must be greater than 0-0
        XADD s x f v => (error) ERR Invalid stream ID specified as stream command argument
        XADD s 2-1 f => (error) ERR wrong number of arguments for 'xadd' command
        XRANGE s - + COUNT 0 => (nil)
        SET str v => OK
        XLEN str => (error) WRONGTYPE Operation against a key holding the wrong kind of value
        XREADGROUP GROUP g c STREAMS s > => (error) NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option
        XGROUP CREATE s g $ => OK
        XGROUP CREATE s g $ => (error) BUSYGROUP Consumer Group name already exists
        "#,
    );
}

#[test]
fn approximate_trimming_removes_whole_nodes() {
    let mut s = Session::new();
    for i in 1..=350 {
        s.run(&format!("XADD s {i}-1 f v"));
    }
    s.check(
        r#"
        XTRIM s MAXLEN ~ 10 LIMIT 150 => (integer) 100
        XLEN s => (integer) 250
        XTRIM s MAXLEN ~ 10 => (integer) 200
        XLEN s => (integer) 50
        XTRIM s MAXLEN 10 => (integer) 40
        XRANGE s - + COUNT 1 => 1) 1) "341-1"
        |    2) 1) "f"
        |       2) "v"
        "#,
    );
}

#[test]
fn consumer_group_flow_with_idle_times() {
    let mut s = Session::new();
    s.check(
        r#"
        XADD q 1-1 job a => "1-1"
        XADD q 2-1 job b => "2-1"
        XGROUP CREATE q g 0 => OK
        XREADGROUP GROUP g alice COUNT 1 STREAMS q > => 1) 1) "q"
        |    2) 1) 1) "1-1"
        |          2) 1) "job"
        |             2) "a"
        "#,
    );
    s.advance(1500);
    s.check(
        r#"
        XPENDING q g - + 10 => 1) 1) "1-1"
        |    2) "alice"
        |    3) (integer) 1500
        |    4) (integer) 1
        XPENDING q g IDLE 2000 - + 10 => (empty array)
        XCLAIM q g bob 1000 1-1 JUSTID => 1) "1-1"
        XPENDING q g => 1) (integer) 1
        |2) "1-1"
        |3) "1-1"
        |4) 1) 1) "bob"
        |       2) "1"
        XAUTOCLAIM q g carol 0 - JUSTID => 1) "0-0"
        |2) 1) "1-1"
        |3) (empty array)
        XACK q g 1-1 => (integer) 1
        XINFO GROUPS q => 1)  1) "name"
        |     2) "g"
        |     3) "consumers"
        |     4) (integer) 3
        |     5) "pending"
        |     6) (integer) 0
        |     7) "last-delivered-id"
        |     8) "1-1"
        |     9) "entries-read"
        |    10) (integer) 1
        |    11) "lag"
        |    12) (integer) 1
        "#,
    );
    s.advance(250);
    s.check(
        r#"
        XINFO CONSUMERS q g => 1) 1) "name"
        |    2) "alice"
        |    3) "pending"
        |    4) (integer) 0
        |    5) "idle"
        |    6) (integer) 1750
        |2) 1) "name"
        |    2) "bob"
        |    3) "pending"
        |    4) (integer) 0
        |    5) "idle"
        |    6) (integer) 250
        |3) 1) "name"
        |    2) "carol"
        |    3) "pending"
        |    4) (integer) 0
        |    5) "idle"
        |    6) (integer) 250
        "#,
    );
}

#[test]
fn blocking_xread_is_served_by_a_later_xadd() {
    let mut s = Session::new();
    s.check("XADD s 1-1 old x => \"1-1\"");
    assert_eq!(s.run_as(1, "XREAD BLOCK 0 STREAMS s $"), "");
    assert!(s.delivered(1).is_empty());
    s.check("XADD s 5-1 f v => \"5-1\"");
    assert_eq!(
        s.delivered(1),
        vec!["1) 1) \"s\"\n   2) 1) 1) \"5-1\"\n         2) 1) \"f\"\n            2) \"v\"".to_string()]
    );
}

#[test]
fn blocking_xread_times_out_on_the_engine_clock() {
    let mut s = Session::new();
    assert_eq!(s.run_as(1, "XREAD BLOCK 1000 STREAMS s 0"), "");
    s.advance(999);
    assert!(s.delivered(1).is_empty());
    s.advance(1);
    assert_eq!(s.delivered(1), vec!["(nil)".to_string()]);
}

#[test]
fn blocking_xreadgroup_gets_new_entries_and_records_them_pending() {
    let mut s = Session::new();
    s.check("XGROUP CREATE jobs g $ MKSTREAM => OK");
    assert_eq!(s.run_as(1, "XREADGROUP GROUP g w BLOCK 0 STREAMS jobs >"), "");
    s.check("XADD jobs 7-1 n 1 => \"7-1\"");
    assert_eq!(
        s.delivered(1),
        vec!["1) 1) \"jobs\"\n   2) 1) 1) \"7-1\"\n         2) 1) \"n\"\n            2) \"1\"".to_string()]
    );
    s.check(
        r#"
        XPENDING jobs g => 1) (integer) 1
        |2) "7-1"
        |3) "7-1"
        |4) 1) 1) "w"
        |       2) "1"
        "#,
    );
}

#[test]
fn rewrite_recreates_the_stream() {
    use redis_emulator::value::Value;
    let mut s = Session::new();
    for line in [
        "XADD s 1-1 a 1",
        "XADD s 2-1 b 2",
        "XADD s 3-1 c 3",
        "XDEL s 2-1",
        "XGROUP CREATE s g 0",
        "XREADGROUP GROUP g alice COUNT 1 STREAMS s >",
        "XGROUP CREATE s h $ ENTRIESREAD 3",
    ] {
        s.run(line);
    }
    let before = [s.run("XINFO STREAM s"), s.run("XINFO GROUPS s"), s.run("XPENDING s g - + 10")];
    let value = s.engine.db(0).and_then(|d| d.get(b"s")).map(|e| e.value.clone()).expect("stream exists");
    let mut cmds = Vec::new();
    if let Value::Stream(v) = &value {
        v.rewrite(b"copy", &mut cmds);
    }
    assert!(!cmds.is_empty());
    let me = s.clients[0];
    for argv in cmds {
        let r = s.engine.execute(me, argv);
        assert!(!r.is_error(), "{r:?}");
    }
    let after = [s.run("XINFO STREAM copy"), s.run("XINFO GROUPS copy"), s.run("XPENDING copy g - + 10")];
    // Node layout differs (tombstones are not replayed); compare the rest.
    let strip = |t: &str| t.lines().filter(|l| !l.contains("radix")).collect::<Vec<_>>().join("\n");
    assert_eq!(strip(&before[1]), strip(&after[1]));
    assert_eq!(before[2], after[2]);
    let info = |t: &str| t.lines().skip(6).collect::<Vec<_>>().join("\n");
    assert_eq!(info(&before[0]), info(&after[0]));
}

#[test]
fn blocking_xread_on_two_keys_is_served_by_a_new_key() {
    let mut s = Session::new();
    s.check("XADD blk 5-1 f v => \"5-1\"");
    assert_eq!(s.run_as(1, "XREAD BLOCK 0 STREAMS blk blk2 $ $"), "");
    s.check("XADD blk2 1-1 g w => \"1-1\"");
    assert_eq!(
        s.delivered(1),
        vec!["1) 1) \"blk2\"\n   2) 1) 1) \"1-1\"\n         2) 1) \"g\"\n            2) \"w\"".to_string()]
    );
}

mod id_parsing {
    use proptest::prelude::*;
    use redis_emulator::commands::stream::parse_id;
    use redis_emulator::types::stream::StreamId;
    use redis_emulator::Engine;

    /// Id-like arguments: digits, dashes, signs, stars, spaces, brackets and binary.
    fn id_arg() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            prop::collection::vec(prop::sample::select(b"0123456789-+*( \x00x".to_vec()), 0..45),
            prop::collection::vec(any::<u8>(), 0..140),
            (any::<u64>(), any::<u64>()).prop_map(|(a, b)| format!("{a}-{b}").into_bytes()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn parsing_never_panics(arg in id_arg(), missing in any::<u64>(), strict in any::<bool>(), star in any::<bool>()) {
            let _ = parse_id(&arg, missing, strict, star);
        }

        #[test]
        fn canonical_ids_round_trip(ms in any::<u64>(), seq in any::<u64>()) {
            let text = format!("{ms}-{seq}");
            let parsed = parse_id(text.as_bytes(), 0, true, true).map(|p| (p.id, p.seq_given));
            prop_assert_eq!(parsed, Ok((StreamId::new(ms, seq), true)));
            let bare = parse_id(ms.to_string().as_bytes(), 7, true, false).map(|p| p.id);
            prop_assert_eq!(bare, Ok(StreamId::new(ms, 7)));
        }

        #[test]
        fn stream_commands_never_panic_on_odd_ids(a in id_arg(), b in id_arg()) {
            let mut engine = Engine::with_manual_clock(1_700_000_000_000, 3);
            let me = engine.connect("prop:1");
            for argv in [
                vec![b"XADD".to_vec(), b"s".to_vec(), a.clone(), b"f".to_vec(), b"v".to_vec()],
                vec![b"XADD".to_vec(), b"s".to_vec(), b"MINID".to_vec(), a.clone(), b"*".to_vec(), b"f".to_vec(), b"v".to_vec()],
                vec![b"XRANGE".to_vec(), b"s".to_vec(), a.clone(), b.clone()],
                vec![b"XREVRANGE".to_vec(), b"s".to_vec(), a.clone(), b.clone(), b"COUNT".to_vec(), b"2".to_vec()],
                vec![b"XREAD".to_vec(), b"STREAMS".to_vec(), b"s".to_vec(), a.clone()],
                vec![b"XGROUP".to_vec(), b"CREATE".to_vec(), b"s".to_vec(), b"g".to_vec(), a.clone(), b"MKSTREAM".to_vec()],
                vec![b"XREADGROUP".to_vec(), b"GROUP".to_vec(), b"g".to_vec(), b"c".to_vec(), b"STREAMS".to_vec(), b"s".to_vec(), b.clone()],
                vec![b"XPENDING".to_vec(), b"s".to_vec(), b"g".to_vec(), a.clone(), b.clone(), b"10".to_vec()],
                vec![b"XCLAIM".to_vec(), b"s".to_vec(), b"g".to_vec(), b"c".to_vec(), b"0".to_vec(), a.clone(), b"FORCE".to_vec()],
                vec![b"XAUTOCLAIM".to_vec(), b"s".to_vec(), b"g".to_vec(), b"c".to_vec(), b"0".to_vec(), b.clone()],
                vec![b"XDEL".to_vec(), b"s".to_vec(), a.clone(), b.clone()],
                vec![b"XSETID".to_vec(), b"s".to_vec(), a.clone(), b"MAXDELETEDID".to_vec(), b.clone()],
                vec![b"XTRIM".to_vec(), b"s".to_vec(), b"MINID".to_vec(), b"~".to_vec(), b.clone()],
                vec![b"XINFO".to_vec(), b"STREAM".to_vec(), b"s".to_vec(), b"FULL".to_vec()],
            ] {
                let _ = engine.execute(me, argv);
            }
        }
    }
}

#[test]
fn destroying_a_group_fails_its_blocked_readers() {
    let mut s = Session::new();
    s.check(
        r#"
        XGROUP CREATE q g $ MKSTREAM => OK
        XGROUP CREATE q other $ => OK
        "#,
    );
    assert_eq!(s.run_as(1, "XREADGROUP GROUP g w BLOCK 0 STREAMS q >"), "");
    s.check("XGROUP DESTROY q other => (integer) 1");
    assert!(s.delivered(1).is_empty());
    s.check("XGROUP DESTROY q g => (integer) 1");
    assert_eq!(
        s.delivered(1),
        vec!["(error) NOGROUP the consumer group this client was blocked on no longer exists".to_string()]
    );
}

#[test]
fn xautoclaim_reports_deleted_entries_and_a_cursor() {
    let mut s = Session::new();
    s.check(
        r#"
        XADD s 1-1 a 1 => "1-1"
        XADD s 2-1 b 2 => "2-1"
        XADD s 3-1 c 3 => "3-1"
        XGROUP CREATE s g 0 => OK
        XREADGROUP GROUP g alice STREAMS s > => 1) 1) "s"
        |    2) 1) 1) "1-1"
        |          2) 1) "a"
        |             2) "1"
        |       2) 1) "2-1"
        |          2) 1) "b"
        |             2) "2"
        |       3) 1) "3-1"
        |          2) 1) "c"
        |             2) "3"
        XDEL s 2-1 => (integer) 1
        XAUTOCLAIM s g bob 0 - COUNT 2 => 1) "3-1"
        |2) 1) 1) "1-1"
        |       2) 1) "a"
        |          2) "1"
        |3) 1) "2-1"
        XAUTOCLAIM s g bob 0 3-1 JUSTID => 1) "0-0"
        |2) 1) "3-1"
        |3) (empty array)
        XREADGROUP GROUP g bob STREAMS s 0 => 1) 1) "s"
        |    2) 1) 1) "1-1"
        |          2) 1) "a"
        |             2) "1"
        |       2) 1) "3-1"
        |          2) 1) "c"
        |             2) "3"
        XPENDING s g - + 10 bob => 1) 1) "1-1"
        |    2) "bob"
        |    3) (integer) 0
        |    4) (integer) 3
        |2) 1) "3-1"
        |    2) "bob"
        |    3) (integer) 0
        |    4) (integer) 2
        "#,
    );
}

#[test]
fn xinfo_stream_full_reports_times_from_the_engine_clock() {
    let mut s = Session::new();
    s.check(
        r#"
        XADD s 1-1 a 1 => "1-1"
        XGROUP CREATE s g 0 => OK
        XREADGROUP GROUP g alice STREAMS s > => 1) 1) "s"
        |    2) 1) 1) "1-1"
        |          2) 1) "a"
        |             2) "1"
        "#,
    );
    s.advance(42);
    let out = s.run("XINFO STREAM s FULL");
    assert!(out.contains(&format!("(integer) {T0}")), "{out}");
    assert!(out.contains("\"entries-added\""), "{out}");
    let expected = [
        r#" 1) "length""#,
        r#" 2) (integer) 1"#,
        r#" 3) "radix-tree-keys""#,
        r#" 4) (integer) 1"#,
        r#" 5) "radix-tree-nodes""#,
        r#" 6) (integer) 2"#,
        r#" 7) "last-generated-id""#,
        r#" 8) "1-1""#,
        r#" 9) "max-deleted-entry-id""#,
        r#"10) "0-0""#,
        r#"11) "entries-added""#,
        r#"12) (integer) 1"#,
        r#"13) "recorded-first-entry-id""#,
        r#"14) "1-1""#,
        r#"15) "groups""#,
        r#"16) (integer) 1"#,
        r#"17) "first-entry""#,
        r#"18) 1) "1-1""#,
        r#"    2) 1) "a""#,
        r#"       2) "1""#,
        r#"19) "last-entry""#,
        r#"20) 1) "1-1""#,
        r#"    2) 1) "a""#,
        r#"       2) "1""#,
    ];
    assert_eq!(s.run("XINFO STREAM s"), expected.join("\n"));
    s.check(
        r#"
        XPENDING s g IDLE 43 - + 10 => (empty array)
        XPENDING s g IDLE 42 - + 10 => 1) 1) "1-1"
        |    2) "alice"
        |    3) (integer) 42
        |    4) (integer) 1
        "#,
    );
}
