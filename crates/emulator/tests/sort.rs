//! Script tests for SORT and SORT_RO (what redis-cli prints).

mod common;
use common::Session;

#[test]
fn numeric_alpha_limit_and_patterns() {
    let mut s = Session::new();
    s.check(
        r#"
        SADD ids 3 1 2 => (integer) 3
        SORT ids DESC LIMIT 0 2 => 1) "3"
        |2) "2"
        SET w_1 30 => OK
        SET w_2 10 => OK
        SET w_3 20 => OK
        SET name_1 one => OK
        SET name_3 three => OK
        SORT ids BY w_* GET # GET name_* => 1) "2"
        |2) (nil)
        |3) "3"
        |4) "three"
        |5) "1"
        |6) "one"
        SORT ids BY nosort STORE out => (integer) 3
        SORT out BY nosort DESC => 1) "3"
        |2) "2"
        |3) "1"
        SORT_RO ids ALPHA DESC => 1) "3"
        |2) "2"
        |3) "1"
        SORT_RO ids STORE x => (error) ERR syntax error
        SADD words b a => (integer) 2
        SORT words => (error) ERR One or more scores can't be converted into double
        SORT words ALPHA => 1) "a"
        |2) "b"
        SORT words LIMIT 1 => (error) ERR syntax error
        SORT nothing STORE out => (integer) 0
        EXISTS out => (integer) 0
        SET str x => OK
        SORT str => (error) WRONGTYPE Operation against a key holding the wrong kind of value
        "#,
    );
}
