//! Script tests for the bitmap commands, the size limit on bit offsets and
//! a property test over BITFIELD's argument parsing.

mod common;

use common::Session;
use proptest::prelude::*;
use redis_emulator::{Engine, Reply};

fn string_len(s: &mut Session, key: &str) -> usize {
    let id = s.clients[0];
    match s.engine.execute(id, vec![b"GET".to_vec(), key.as_bytes().to_vec()]) {
        Reply::Bulk(b) => b.len(),
        Reply::Nil => 0,
        other => panic!("GET {key} answered {other:?}"),
    }
}

#[test]
fn setbit_getbit_grow_and_read() {
    let mut s = Session::new();
    s.check(
        r#"SETBIT b 7 1 => (integer) 0
           GET b => "\x01"
           SETBIT b 7 1 => (integer) 1
           SETBIT b 0 1 => (integer) 0
           SETBIT b 17 1 => (integer) 0
           GET b => "\x81\x00@"
           GETBIT b 17 => (integer) 1
           GETBIT b 18 => (integer) 0
           GETBIT b 1000 => (integer) 0
           GETBIT missing 3 => (integer) 0
           SETBIT b 1 2 => (error) ERR bit is not an integer or out of range
           SETBIT b -1 1 => (error) ERR bit offset is not an integer or out of range
           SETBIT b 4294967296 1 => (error) ERR bit offset is not an integer or out of range
           GETBIT b x => (error) ERR bit offset is not an integer or out of range
           SET n 12345 => OK
           GETBIT n 2 => (integer) 1"#,
    );
}

#[test]
fn bitcount_and_bitpos_ranges() {
    let mut s = Session::new();
    s.check(
        r#"SET s foobar => OK
           BITCOUNT s => (integer) 26
           BITCOUNT s 1 1 => (integer) 6
           BITCOUNT s 5 30 BIT => (integer) 17
           BITCOUNT s -1 -2 => (integer) 0
           BITCOUNT s -1 -2 bogus => (integer) 0
           BITCOUNT s 1 => (error) ERR syntax error
           BITCOUNT missing 1 => (integer) 0
           SET m "\x00\xff\xf0" => OK
           BITPOS m 1 => (integer) 8
           BITPOS m 0 1 => (integer) 20
           BITPOS m 0 1 1 => (integer) -1
           BITPOS m 1 7 15 BIT => (integer) 8
           BITPOS m 0 8 19 bit => (integer) -1
           BITPOS m 2 => (error) ERR The bit argument must be 1 or 0.
           BITPOS missing 0 => (integer) 0
           BITPOS missing 1 => (integer) -1"#,
    );
}

#[test]
fn bitop_writes_or_deletes_the_destination() {
    let mut s = Session::new();
    s.check(
        r#"SET a "\x0f\xf0" => OK
           SET b "\xff" => OK
           BITOP AND d a b => (integer) 2
           GET d => "\x0f\x00"
           BITOP XOR d a b => (integer) 2
           GET d => "\xf0\xf0"
           BITOP NOT d b => (integer) 1
           GET d => "\x00"
           BITOP NOT d a b => (error) ERR BITOP NOT must be called with a single source key.
           BITOP NAND d a => (error) ERR syntax error
           BITOP OR d missing => (integer) 0
           EXISTS d => (integer) 0"#,
    );
}

#[test]
fn bitfield_types_overflow_and_errors() {
    let mut s = Session::new();
    s.check(
        r#"BITFIELD f SET u8 0 255 GET i8 0 => 1) (integer) 0
           |2) (integer) -1
           BITFIELD f INCRBY u8 0 1 => 1) (integer) 0
           BITFIELD f OVERFLOW SAT INCRBY i8 0 200 => 1) (integer) 127
           BITFIELD f OVERFLOW FAIL INCRBY i8 0 1 => 1) (nil)
           BITFIELD f SET u8 #1 170 GET u8 8 => 1) (integer) 0
           |2) (integer) 170
           BITFIELD f GET u64 0 => (error) ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.
           BITFIELD f GET i8 #x => (error) ERR bit offset is not an integer or out of range
           BITFIELD f OVERFLOW nope => (error) ERR Invalid OVERFLOW type specified
           BITFIELD f GET i8 => (error) ERR syntax error
           BITFIELD_RO f SET u8 0 1 => (error) ERR BITFIELD_RO only supports the GET subcommand
           BITFIELD_RO f GET u4 8 => 1) (integer) 10
           BITFIELD f => (empty array)"#,
    );
}

#[test]
fn offsets_are_limited_by_proto_max_bulk_len() {
    // Redis 7.0.15 with proto-max-bulk-len 1mb.
    let mut s = Session::new();
    s.engine.config_mut().proto_max_bulk_len = 1024 * 1024;
    s.check(
        "SETBIT big 8388607 1 => (integer) 0
         SETBIT big 8388608 1 => (error) ERR bit offset is not an integer or out of range
         BITFIELD big2 SET u8 8388600 1 => 1) (integer) 0
         BITFIELD big2 SET u8 8388601 1 => 1) (integer) 2
         BITFIELD big2 SET u8 8388608 1 => (error) ERR bit offset is not an integer or out of range",
    );
    assert_eq!(string_len(&mut s, "big"), 1024 * 1024);
    // A field may start on the last allowed byte and spill past it, as in Redis.
    assert_eq!(string_len(&mut s, "big2"), 1024 * 1024 + 1);
}

fn bitfield_arg() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "GET", "SET", "INCRBY", "OVERFLOW", "WRAP", "SAT", "FAIL", "get", "set", "incrby", "overflow",
            "i1", "i8", "i63", "i64", "i65", "u1", "u8", "u63", "u64", "u0", "i0", "x8", "#0", "#1", "#", "#-1",
            "#9223372036854775807", "0", "1", "-1", "7", "63", "64", "65535", "4294967295", "4294967296",
            "8388607", "8388608", "9223372036854775807", "-9223372036854775808", "", "1.5",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        1 => prop::collection::vec(any::<u8>(), 0..6),
        1 => (0u64..u64::MAX).prop_map(|n| format!("#{n}").into_bytes()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Any BITFIELD arguments: no panic, and the string never grows past
    /// the configured limit (plus the one field that may spill over it).
    #[test]
    fn bitfield_parsing_never_panics_or_overallocates(
        args in prop::collection::vec(bitfield_arg(), 0..12),
        read_only in any::<bool>(),
    ) {
        let mut engine = Engine::with_manual_clock(1_700_000_000_000, 3);
        engine.config_mut().proto_max_bulk_len = 1024 * 1024;
        let me = engine.connect("prop:1");
        let name: &[u8] = if read_only { b"BITFIELD_RO" } else { b"BITFIELD" };
        let mut argv = vec![name.to_vec(), b"k".to_vec()];
        argv.extend(args);
        let _ = engine.execute(me, argv);
        let len = match engine.execute(me, vec![b"GET".to_vec(), b"k".to_vec()]) {
            Reply::Bulk(b) => b.len(),
            _ => 0,
        };
        prop_assert!(len <= 1024 * 1024 + 8);
    }
}
