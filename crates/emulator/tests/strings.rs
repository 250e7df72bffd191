//! Script tests for the string commands (what redis-cli would print).

mod common;
use common::Session;

#[test]
fn set_options_and_conditions() {
    Session::new().check(
        r#"
        SET k v => OK
        SET k w NX => (nil)
        SET k w XX GET => "v"
        SET k x NX GET => "w"
        GET k => "w"
        SET k v EX 10 KEEPTTL => (error) ERR syntax error
        SET k v NX XX => (error) ERR syntax error
        SET k v EX 0 => (error) ERR invalid expire time in 'set' command
        SET k v PX 9223372036854775807 => (error) ERR invalid expire time in 'set' command
        SET k v EX 100 => OK
        TTL k => (integer) 100
        SET k v2 KEEPTTL => OK
        TTL k => (integer) 100
        SET k v3 => OK
        TTL k => (integer) -1
        "#,
    );
}

#[test]
fn set_with_past_absolute_time_hides_the_key() {
    let mut s = Session::new();
    s.check(
        r#"
        SET k v EXAT 1 => OK
        GET k => (nil)
        EXISTS k => (integer) 0
        SET k v PXAT 1700000005000 => OK
        PTTL k => (integer) 5000
        "#,
    );
    s.advance(5000);
    s.check("GET k => \"v\"");
    s.advance(1);
    s.check("GET k => (nil)");
}

#[test]
fn getex_changes_or_removes_the_ttl() {
    Session::new().check(
        r#"
        GETEX missing EX 0 => (nil)
        SET k v => OK
        GETEX k EX 100 => "v"
        TTL k => (integer) 100
        GETEX k PERSIST => "v"
        TTL k => (integer) -1
        GETEX k EX 10 PERSIST => (error) ERR syntax error
        GETEX k KEEPTTL => (error) ERR syntax error
        GETEX k EX 0 => (error) ERR invalid expire time in 'getex' command
        GETEX k PXAT 1 => "v"
        EXISTS k => (integer) 0
        "#,
    );
}

#[test]
fn counters_and_their_errors() {
    Session::new().check(
        r#"
        INCR c => (integer) 1
        INCRBY c 41 => (integer) 42
        DECRBY c 2 => (integer) 40
        DECR c => (integer) 39
        SET c 9223372036854775807 => OK
        INCR c => (error) ERR increment or decrement would overflow
        DECRBY c -9223372036854775808 => (error) ERR decrement would overflow
        SET c " 1" => OK
        INCR c => (error) ERR value is not an integer or out of range
        INCRBY c x => (error) ERR value is not an integer or out of range
        SETEX t 100 5 => OK
        INCR t => (integer) 6
        TTL t => (integer) 100
        "#,
    );
}

#[test]
fn incrbyfloat_prints_like_long_double() {
    Session::new().check(
        r#"
        SET k 10.5 => OK
        INCRBYFLOAT k 0.1 => "10.6"
        SET e 5.0e3 => OK
        INCRBYFLOAT e 2.0e2 => "5200"
        INCRBYFLOAT z 0.1 => "0.1"
        INCRBYFLOAT z 0.2 => "0.3"
        INCRBYFLOAT z inf => (error) ERR increment would produce NaN or Infinity
        INCRBYFLOAT z abc => (error) ERR value is not a valid float
        INCRBYFLOAT big 1e20 => "100000000000000000000"
        "#,
    );
}

#[test]
fn ranges_append_and_size_limit() {
    let mut s = Session::new();
    s.check(
        r#"
        SET s "Hello World" => OK
        GETRANGE s 0 4 => "Hello"
        GETRANGE s -5 -1 => "World"
        GETRANGE s 5 1 => ""
        SUBSTR s 6 100 => "World"
        APPEND s ! => (integer) 12
        OBJECT ENCODING s => "raw"
        SETRANGE s 6 w => (integer) 12
        GET s => "Hello world!"
        SETRANGE pad 3 x => (integer) 4
        GET pad => "\x00\x00\x00x"
        SETRANGE s -1 x => (error) ERR offset is out of range
        SETRANGE s 536870912 x => (error) ERR string exceeds maximum allowed size (proto-max-bulk-len)
        "#,
    );
    s.engine.config_mut().proto_max_bulk_len = 16;
    s.check(
        r#"
        APPEND s 12345 => (error) ERR string exceeds maximum allowed size (proto-max-bulk-len)
        APPEND s 1234 => (integer) 16
        SETRANGE s 16 x => (error) ERR string exceeds maximum allowed size (proto-max-bulk-len)
        "#,
    );
}

#[test]
fn multi_key_and_lcs() {
    Session::new().check(
        r#"
        MSET a 1 b 2 => OK
        MSET a 1 b => (error) ERR wrong number of arguments for 'mset' command
        MGET a b c => 1) "1"
                    | 2) "2"
                    | 3) (nil)
        MSETNX a 3 c 4 => (integer) 0
        MSETNX c 4 d 5 => (integer) 1
        SET x ohmytext => OK
        SET y mynewtext => OK
        LCS x y => "mytext"
        LCS x y LEN => (integer) 6
        LCS x y IDX MINMATCHLEN 4 WITHMATCHLEN => 1) "matches"
                    | 2) 1) 1) 1) (integer) 4
                    |          2) (integer) 7
                    |       2) 1) (integer) 5
                    |          2) (integer) 8
                    |       3) (integer) 4
                    | 3) "len"
                    | 4) (integer) 6
        LCS x y LEN IDX => (error) ERR If you want both the length and indexes, please just use IDX.
        "#,
    );
}
