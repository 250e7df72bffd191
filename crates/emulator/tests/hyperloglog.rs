//! Script tests for PFADD, PFCOUNT and PFMERGE. Expected bytes come from
//! Redis 7.0.15.

mod common;

use common::Session;
use redis_emulator::Reply;

fn get_bytes(s: &mut Session, key: &str) -> Vec<u8> {
    let id = s.clients[0];
    match s.engine.execute(id, vec![b"GET".to_vec(), key.as_bytes().to_vec()]) {
        Reply::Bulk(b) => b,
        other => panic!("GET {key} answered {other:?}"),
    }
}

#[test]
fn pfadd_reports_changes_and_pfcount_estimates() {
    let mut s = Session::new();
    s.check(
        "PFADD h => (integer) 1
         PFADD h => (integer) 0
         PFCOUNT h => (integer) 0
         PFADD h a b c => (integer) 1
         PFADD h a b => (integer) 0
         PFCOUNT h => (integer) 3
         PFADD h2 c d e => (integer) 1
         PFCOUNT h h2 => (integer) 5
         PFCOUNT h h2 missing => (integer) 5
         PFCOUNT missing => (integer) 0
         PFMERGE m h h2 => OK
         PFCOUNT m => (integer) 5
         PFMERGE empty => OK
         PFCOUNT empty => (integer) 0
         PFADD => (error) ERR wrong number of arguments for 'pfadd' command
         PFCOUNT => (error) ERR wrong number of arguments for 'pfcount' command
         PFMERGE => (error) ERR wrong number of arguments for 'pfmerge' command",
    );
}

#[test]
fn sketch_bytes_match_redis() {
    let mut s = Session::new();
    s.check("PFADD y a b c => (integer) 1");
    let mut expected = b"HYLL\x01\0\0\0\0\0\0\0\0\0\0\x80".to_vec();
    expected.extend_from_slice(&[0x60, 0xf3, 0x80, 0x50, 0xb1, 0x84, 0x4b, 0xfb, 0x80, 0x42, 0x5a]);
    assert_eq!(get_bytes(&mut s, "y"), expected);
    // PFCOUNT stores the cardinality in the header and clears the stale bit.
    s.check("PFCOUNT y => (integer) 3");
    expected[8] = 3;
    expected[15] = 0;
    assert_eq!(get_bytes(&mut s, "y"), expected);
}

#[test]
fn sparse_sketches_turn_dense_at_the_configured_size() {
    let mut s = Session::new();
    s.engine.config_mut().hll_sparse_max_bytes = 40;
    let mut lengths = Vec::new();
    for i in 1..=12 {
        s.run(&format!("PFADD x e{i}"));
        lengths.push(get_bytes(&mut s, "x").len());
    }
    // Redis 7.0.15 with hll-sparse-max-bytes 40.
    assert_eq!(lengths, [21, 24, 27, 30, 33, 36, 39, 12304, 12304, 12304, 12304, 12304]);
    s.check("PFCOUNT x => (integer) 12");
}

#[test]
fn invalid_and_corrupt_sketches_are_refused() {
    let mut s = Session::new();
    s.check(
        r#"SET str hello => OK
           PFADD str a => (error) WRONGTYPE Key is not a valid HyperLogLog string value.
           PFCOUNT str => (error) WRONGTYPE Key is not a valid HyperLogLog string value.
           PFMERGE m str => (error) WRONGTYPE Key is not a valid HyperLogLog string value.
           SET bad "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xfe" => OK
           PFCOUNT bad => (error) INVALIDOBJ Corrupted HLL object detected
           PFMERGE m bad => (error) INVALIDOBJ Corrupted HLL object detected
           SET dense "HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff" => OK
           PFADD dense a => (error) WRONGTYPE Key is not a valid HyperLogLog string value."#,
    );
}

#[test]
fn merging_a_dense_sketch_makes_the_destination_dense() {
    let mut s = Session::new();
    s.engine.config_mut().hll_sparse_max_bytes = 20;
    for i in 0..10 {
        s.run(&format!("PFADD d x{i}"));
    }
    assert_eq!(get_bytes(&mut s, "d").len(), 12304);
    s.engine.config_mut().hll_sparse_max_bytes = 3000;
    s.check("PFADD small x0 => (integer) 1");
    assert!(get_bytes(&mut s, "small").len() < 100);
    s.check("PFMERGE small d => OK");
    assert_eq!(get_bytes(&mut s, "small").len(), 12304);
    s.check("PFCOUNT small => (integer) 10");
}
