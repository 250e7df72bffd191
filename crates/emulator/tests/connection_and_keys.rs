//! Script tests for connection basics (PING, ECHO, SELECT, HELLO) and the first key commands (SET, GET, DEL, EXISTS, FLUSHALL).

mod common;
use common::Session;

#[test]
fn ping_echo_set_get_del_exists() {
    let mut s = Session::new();
    s.check(
        r#"
        PING => PONG
        PING "hello world" => "hello world"
        PING a b => (error) ERR wrong number of arguments for 'ping' command
        ECHO "a\x41" => "aA"
        SET greeting "hello world" => OK
        GET greeting => "hello world"
        GET => (error) ERR wrong number of arguments for 'get' command
        GET nope => (nil)
        SET a 1 => OK
        EXISTS a a greeting nope => (integer) 3
        DEL a nope => (integer) 1
        DBSIZE => (integer) 1
        FLUSHALL NOW => (error) ERR syntax error
        FLUSHALL => OK
        DBSIZE => (integer) 0
        FOO a b => (error) ERR unknown command 'FOO', with args beginning with: 'a' 'b' 
        "#,
    );
}

#[test]
fn select_and_hello() {
    let mut s = Session::new();
    s.check(
        r#"
        SELECT 16 => (error) ERR DB index is out of range
        SELECT x => (error) ERR value is not an integer or out of range
        SELECT 2 => OK
        SET k v => OK
        SELECT 0 => OK
        GET k => (nil)
        HELLO 4 => (error) NOPROTO unsupported protocol version
        HELLO 3 SETNAME my-console => 1# "server" => "redis"
        |2# "version" => "7.0.15"
        |3# "proto" => (integer) 3
        |4# "id" => (integer) 1
        |5# "mode" => "standalone"
        |6# "role" => "master"
        |7# "modules" => (empty array)
        "#,
    );
}
