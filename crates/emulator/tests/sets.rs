//! Script tests for the set commands (what redis-cli prints).

mod common;
use common::Session;

#[test]
fn intsets_answer_in_numeric_order_until_they_convert() {
    let mut s = Session::new();
    s.check(
        r#"
        SADD s 10 -3 7 7 => (integer) 3
        SMEMBERS s => 1) "-3"
        |2) "7"
        |3) "10"
        SSCAN s 99 => 1) "0"
        |2) 1) "-3"
        |    2) "7"
        |    3) "10"
        SADD s 01 => (integer) 1
        SCARD s => (integer) 4
        SISMEMBER s 01 => (integer) 1
        SISMEMBER s 1 => (integer) 0
        SMISMEMBER s 7 8 01 => 1) (integer) 1
        |2) (integer) 0
        |3) (integer) 1
        "#,
    );
    // 512 integers stay an intset (sorted); the 513th makes a hashtable.
    let members: Vec<String> = (0..512).rev().map(|i| i.to_string()).collect();
    s.run(&format!("SADD big {}", members.join(" ")));
    let all = s.run("SRANDMEMBER big 1000");
    let first: Vec<&str> = all.lines().take(3).map(str::trim_start).collect();
    assert_eq!(first, ["1) \"0\"", "2) \"1\"", "3) \"2\""]);
    s.check("SADD big 512 => (integer) 1\nSCARD big => (integer) 513");
}

#[test]
fn removing_the_last_member_deletes_the_key() {
    let mut s = Session::new();
    s.check(
        r#"
        SADD s a b => (integer) 2
        SREM s a nope => (integer) 1
        SREM s b => (integer) 1
        EXISTS s => (integer) 0
        SREM s b => (integer) 0
        SADD p 1 2 3 => (integer) 3
        SPOP p 10 => 1) "1"
        |2) "2"
        |3) "3"
        EXISTS p => (integer) 0
        SPOP p => (nil)
        SPOP p 2 => (empty array)
        SPOP p -1 => (error) ERR value is out of range, must be positive
        "#,
    );
}

#[test]
fn random_picks_are_members_and_reproducible() {
    let mut a = Session::new();
    let mut b = Session::new();
    for s in [&mut a, &mut b] {
        s.run("SADD s a b c d e f g h");
    }
    let (x, y) = (a.run("SRANDMEMBER s -20"), b.run("SRANDMEMBER s -20"));
    assert_eq!(x, y, "same seed, same picks");
    assert_eq!(x.lines().count(), 20);
    let distinct = a.run("SRANDMEMBER s 5");
    let mut lines: Vec<&str> = distinct.lines().map(|l| l.split_once(' ').map_or(l, |(_, m)| m)).collect();
    assert_eq!(lines.len(), 5);
    lines.sort();
    lines.dedup();
    assert_eq!(lines.len(), 5, "positive counts never repeat: {distinct}");
    a.check("SRANDMEMBER s -1000001 => (error) ERR count is too large: Redis Lab returns at most 1000000 random picks");
    let popped = a.run("SPOP s 3");
    assert_eq!(popped.lines().count(), 3);
    a.check("SCARD s => (integer) 5");
}

#[test]
fn smove_and_algebra() {
    let mut s = Session::new();
    s.check(
        r#"
        SADD a 1 2 3 4 => (integer) 4
        SADD b 3 4 5 => (integer) 3
        SMOVE a b 1 => (integer) 1
        SMOVE a b 1 => (integer) 0
        SMOVE a a 2 => (integer) 1
        SINTER a b => 1) "3"
        |2) "4"
        SUNION a b => 1) "1"
        |2) "2"
        |3) "3"
        |4) "4"
        |5) "5"
        SDIFF b a => 1) "1"
        |2) "5"
        SINTERCARD 2 a b LIMIT 1 => (integer) 1
        SINTERCARD 3 a b => (error) ERR Number of keys can't be greater than number of args
        SINTERSTORE d a nokey => (integer) 0
        SUNIONSTORE d a b => (integer) 5
        SDIFFSTORE d a a => (integer) 0
        EXISTS d => (integer) 0
        SET str x => OK
        SMOVE a str 2 => (error) WRONGTYPE Operation against a key holding the wrong kind of value
        SINTER nokey str => (error) WRONGTYPE Operation against a key holding the wrong kind of value
        SSCAN a x => (error) ERR invalid cursor
        SSCAN a 0 COUNT 0 => (error) ERR syntax error
        "#,
    );
}
