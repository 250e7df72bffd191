//! Script tests for the list commands (what redis-cli prints).

mod common;
use common::Session;
use redis_emulator::value::Value;

fn encoding(s: &Session, key: &str) -> &'static str {
    match s.engine.db(0).and_then(|db| db.get(key.as_bytes())).map(|e| &e.value) {
        Some(Value::List(l)) => l.encoding(),
        Some(Value::Hash(h)) => h.encoding(),
        _ => "none",
    }
}

#[test]
fn pushes_ranges_and_indexes() {
    let mut s = Session::new();
    s.check(
        r#"
        LPUSH l a b c => (integer) 3
        RPUSH l d => (integer) 4
        LRANGE l 0 -1 => 1) "c"
                       | 2) "b"
                       | 3) "a"
                       | 4) "d"
        LRANGE l -2 100 => 1) "a"
                         | 2) "d"
        LRANGE l 3 1 => (empty array)
        LRANGE l x 1 => (error) ERR value is not an integer or out of range
        LINDEX l -1 => "d"
        LINDEX l 4 => (nil)
        LINDEX nope x => (nil)
        LINDEX l x => (error) ERR value is not an integer or out of range
        LLEN l => (integer) 4
        LPUSHX nope a => (integer) 0
        EXISTS nope => (integer) 0
        RPUSHX l e f => (integer) 6
        LSET l 0 C => OK
        LSET l 6 x => (error) ERR index out of range
        LSET nope 0 x => (error) ERR no such key
        LINSERT l BEFORE C first => (integer) 7
        LINSERT l AFTER zzz x => (integer) -1
        LINSERT l SIDEWAYS C x => (error) ERR syntax error
        LINDEX l 0 => "first"
        SET s v => OK
        LPUSH s a => (error) WRONGTYPE Operation against a key holding the wrong kind of value
        LRANGE s 0 1 => (error) WRONGTYPE Operation against a key holding the wrong kind of value
        LLEN s => (error) WRONGTYPE Operation against a key holding the wrong kind of value
        "#,
    );
    assert_eq!(encoding(&s, "l"), "quicklist");
}

#[test]
fn pops_with_counts_and_empty_lists_disappear() {
    let mut s = Session::new();
    s.check(
        r#"
        RPUSH l 1 2 3 4 5 => (integer) 5
        LPOP l => "1"
        RPOP l 2 => 1) "5"
                  | 2) "4"
        LPOP l 0 => (empty array)
        LPOP l -1 => (error) ERR value is out of range, must be positive
        LPOP l x => (error) ERR value is out of range, must be positive
        LPOP l 1 2 => (error) ERR wrong number of arguments for 'lpop' command
        LPOP l 10 => 1) "2"
                   | 2) "3"
        EXISTS l => (integer) 0
        LPOP l => (nil)
        LPOP l 0 => (nil)
        "#,
    );
}

#[test]
fn trim_remove_and_positions() {
    let mut s = Session::new();
    s.check(
        r#"
        RPUSH l a b a c a d => (integer) 6
        LPOS l a => (integer) 0
        LPOS l a RANK 2 => (integer) 2
        LPOS l a RANK -1 => (integer) 4
        LPOS l a COUNT 0 => 1) (integer) 0
                          | 2) (integer) 2
                          | 3) (integer) 4
        LPOS l a COUNT 2 MAXLEN 2 => 1) (integer) 0
        LPOS l a RANK 0 => (error) ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list
        LPOS l a RANK -9223372036854775808 => (integer) 4
        LPOS l a COUNT -1 => (error) ERR COUNT can't be negative
        LPOS l a MAXLEN -1 => (error) ERR MAXLEN can't be negative
        LPOS l a FOO => (error) ERR syntax error
        LPOS nope a COUNT 1 => (empty array)
        LREM l -1 a => (integer) 1
        LRANGE l 0 -1 => 1) "a"
                       | 2) "b"
                       | 3) "a"
                       | 4) "c"
                       | 5) "d"
        LREM l 0 a => (integer) 2
        LTRIM l 1 -1 => OK
        LRANGE l 0 -1 => 1) "c"
                       | 2) "d"
        LTRIM l 5 10 => OK
        EXISTS l => (integer) 0
        "#,
    );
}

#[test]
fn moves_between_lists() {
    let mut s = Session::new();
    s.check(
        r#"
        RPUSH src a b c => (integer) 3
        RPOPLPUSH src dst => "c"
        LMOVE src dst LEFT RIGHT => "a"
        LRANGE dst 0 -1 => 1) "c"
                         | 2) "a"
        LMOVE src src LEFT RIGHT => "b"
        LMOVE src dst UP LEFT => (error) ERR syntax error
        SET s v => OK
        LMOVE src s LEFT LEFT => (error) WRONGTYPE Operation against a key holding the wrong kind of value
        LLEN src => (integer) 1
        LMOVE src dst LEFT LEFT => "b"
        EXISTS src => (integer) 0
        RPOPLPUSH src dst => (nil)
        LMPOP 2 src dst RIGHT COUNT 2 => 1) "dst"
                                       | 2) 1) "a"
                                       |    2) "c"
        LMPOP 0 dst LEFT => (error) ERR numkeys should be greater than 0
        LMPOP 1 dst LEFT COUNT 0 => (error) ERR count should be greater than 0
        LMPOP 1 dst LEFT => 1) "dst"
                          | 2) 1) "b"
        LMPOP 1 dst LEFT => (nil)
        "#,
    );
}

#[test]
fn resp3_null_shapes() {
    let mut s = Session::new();
    s.run("HELLO 3");
    s.check(
        r#"
        LPOP nope => (nil)
        LPOP nope 2 => (nil)
        LMPOP 1 nope LEFT => (nil)
        "#,
    );
}
