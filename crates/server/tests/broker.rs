//! Pub/sub, transactions, scripting and keyspace notifications over real
//! TCP connections to our server: each connection is its own client.
//! Expected bytes are what redis-server 7.0 sends for the same exchange.

mod common;

use std::time::Duration;

use common::{start_ours, Conn};
use redis_emulator::tokenizer::split_line;

const WAIT: Duration = Duration::from_secs(3);

fn send(conn: &mut Conn, line: &str) {
    conn.send(&split_line(line).expect("valid line"));
}

fn expect(conn: &mut Conn, bytes: &str) {
    let got = conn.read_reply(WAIT).map(|r| String::from_utf8_lossy(&r).into_owned());
    assert_eq!(got.as_deref(), Some(bytes));
}

fn call(conn: &mut Conn, line: &str, bytes: &str) {
    send(conn, line);
    expect(conn, bytes);
}

#[test]
fn publish_reaches_subscribers_on_other_connections() {
    let port = start_ours();
    let mut publisher = Conn::open(port);
    let mut subscriber = Conn::open(port);
    let mut watcher = Conn::open(port);
    call(&mut subscriber, "SUBSCRIBE news", "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n");
    call(&mut watcher, "PSUBSCRIBE n*", "*3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:1\r\n");
    call(&mut publisher, "PUBLISH news one", ":2\r\n");
    call(&mut publisher, "PUBLISH news two", ":2\r\n");
    expect(&mut subscriber, "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$3\r\none\r\n");
    expect(&mut subscriber, "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$3\r\ntwo\r\n");
    expect(&mut watcher, "*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$3\r\none\r\n");
    expect(&mut watcher, "*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$3\r\ntwo\r\n");
    call(
        &mut subscriber,
        "GET k",
        "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n",
    );
}

#[test]
fn resp3_subscriber_gets_push_before_its_own_reply() {
    let port = start_ours();
    let mut me = Conn::open(port);
    send(&mut me, "HELLO 3");
    assert!(me.read_reply(WAIT).is_some());
    call(&mut me, "SUBSCRIBE me", ">3\r\n$9\r\nsubscribe\r\n$2\r\nme\r\n:1\r\n");
    send(&mut me, "PUBLISH me hi");
    expect(&mut me, ">3\r\n$7\r\nmessage\r\n$2\r\nme\r\n$2\r\nhi\r\n");
    expect(&mut me, ":1\r\n");
}

#[test]
fn watch_race_between_connections() {
    let port = start_ours();
    let mut a = Conn::open(port);
    let mut b = Conn::open(port);
    call(&mut a, "WATCH balance", "+OK\r\n");
    call(&mut b, "SET balance 10", "+OK\r\n");
    call(&mut a, "MULTI", "+OK\r\n");
    call(&mut a, "SET balance 20", "+QUEUED\r\n");
    call(&mut a, "EXEC", "*-1\r\n");
    call(&mut a, "GET balance", "$2\r\n10\r\n");
    call(&mut a, "WATCH balance", "+OK\r\n");
    call(&mut a, "MULTI", "+OK\r\n");
    call(&mut a, "SET balance 30", "+QUEUED\r\n");
    call(&mut a, "EXEC", "*1\r\n+OK\r\n");
    call(&mut b, "GET balance", "$2\r\n30\r\n");
}

#[test]
fn eval_from_several_connections() {
    let port = start_ours();
    let mut a = Conn::open(port);
    let mut b = Conn::open(port);
    call(&mut a, "EVAL \"return redis.call('set', KEYS[1], ARGV[1])\" 1 k v", "+OK\r\n");
    call(
        &mut b,
        "EVALSHA 41c2a2c3e4e82a1ee7d0e6a5c9d1f2a0c0e3a1b2 0",
        "-NOSCRIPT No matching script. Please use EVAL.\r\n",
    );
    call(
        &mut b,
        "SCRIPT LOAD \"return redis.call('get', KEYS[1])\"",
        "$40\r\n4e6d8fc8bb01276962cce5371fa795a7763657ae\r\n",
    );
    call(&mut a, "EVALSHA 4e6d8fc8bb01276962cce5371fa795a7763657ae 1 k", "$1\r\nv\r\n");
    call(
        &mut a,
        "EVAL \"error('boom')\" 0",
        "-ERR user_script:1: boom script: 82903a0434f1503e152f89c03c9acd881a0e8150, on @user_script:1.\r\n",
    );
}

#[test]
fn keyspace_notifications_over_the_wire() {
    // CONFIG SET belongs to the configuration commands; here the option is
    // set directly on the server's engine.
    let (port, state) = common::start_ours_with_state();
    let flags = redis_emulator::notify::parse_flags(b"KEA").unwrap_or(0);
    state.lock().engine.config_mut().notify_keyspace_events = flags;
    let mut listener = Conn::open(port);
    let mut writer = Conn::open(port);
    call(&mut listener, "PSUBSCRIBE __key*__:*", "*3\r\n$10\r\npsubscribe\r\n$10\r\n__key*__:*\r\n:1\r\n");
    call(&mut writer, "SET k v", "+OK\r\n");
    expect(&mut listener, "*4\r\n$8\r\npmessage\r\n$10\r\n__key*__:*\r\n$16\r\n__keyspace@0__:k\r\n$3\r\nset\r\n");
    expect(&mut listener, "*4\r\n$8\r\npmessage\r\n$10\r\n__key*__:*\r\n$18\r\n__keyevent@0__:set\r\n$1\r\nk\r\n");
    call(&mut writer, "DEL k", ":1\r\n");
    expect(&mut listener, "*4\r\n$8\r\npmessage\r\n$10\r\n__key*__:*\r\n$16\r\n__keyspace@0__:k\r\n$3\r\ndel\r\n");
    expect(&mut listener, "*4\r\n$8\r\npmessage\r\n$10\r\n__key*__:*\r\n$18\r\n__keyevent@0__:del\r\n$1\r\nk\r\n");
}
