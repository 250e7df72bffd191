//! Script tests for the TTL commands, driven by the manual clock.

mod common;
use common::{Session, T0};

#[test]
fn ttl_counts_down_and_keys_vanish_after_their_time() {
    let mut s = Session::new();
    s.check(
        r#"
        SET k v => OK
        EXPIRE k 10 => (integer) 1
        TTL k => (integer) 10
        PTTL k => (integer) 10000
        "#,
    );
    s.advance(2_400);
    s.check("TTL k => (integer) 8\nPTTL k => (integer) 7600");
    s.advance(2_200);
    s.check("TTL k => (integer) 5");
    s.advance(5_400);
    s.check("PTTL k => (integer) 0\nEXISTS k => (integer) 1");
    s.advance(1);
    s.check("EXISTS k => (integer) 0\nTTL k => (integer) -2\nDBSIZE => (integer) 0");
}

#[test]
fn absolute_times_and_expiretime() {
    let at = T0 / 1000 + 100;
    let mut s = Session::new();
    s.check(&format!(
        "SET k v => OK\nEXPIREAT k {at} => (integer) 1\nEXPIRETIME k => (integer) {at}\nPEXPIRETIME k => (integer) {}\nTTL k => (integer) 100",
        at * 1000
    ));
    s.check(&format!("PEXPIREAT k {} => (integer) 1\nEXPIRETIME k => (integer) {}", at * 1000 + 500, at + 1));
    s.check("EXPIRETIME nokey => (integer) -2\nSET p v => OK\nEXPIRETIME p => (integer) -1");
}

#[test]
fn conditions_nx_xx_gt_lt() {
    Session::new().check(
        r#"
        SET k v => OK
        EXPIRE k 100 XX => (integer) 0
        EXPIRE k 100 GT => (integer) 0
        EXPIRE k 100 LT => (integer) 1
        EXPIRE k 200 NX => (integer) 0
        EXPIRE k 50 GT => (integer) 0
        EXPIRE k 200 GT => (integer) 1
        EXPIRE k 300 LT => (integer) 0
        TTL k => (integer) 200
        EXPIRE k 1 NX XX => (error) ERR NX and XX, GT or LT options at the same time are not compatible
        EXPIRE k 1 GT LT => (error) ERR GT and LT options at the same time are not compatible
        EXPIRE k 1 FOO => (error) ERR Unsupported option FOO
        EXPIRE k 9223372036854775807 => (error) ERR invalid expire time in 'expire' command
        PEXPIRE k 9223372036854775807 => (error) ERR invalid expire time in 'pexpire' command
        PERSIST k => (integer) 1
        PERSIST k => (integer) 0
        TTL k => (integer) -1
        "#,
    );
}

#[test]
fn expiry_is_reclaimed_when_the_clock_moves() {
    let mut s = Session::new();
    for i in 0..50 {
        s.run(&format!("SET k{i} v PX {}", 100 + i));
    }
    s.run("SET keep v");
    s.check("DBSIZE => (integer) 51");
    s.advance(1_000);
    s.check("DBSIZE => (integer) 1\nRANDOMKEY => \"keep\"");
}
