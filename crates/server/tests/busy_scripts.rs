//! Scripts that run past `busy-reply-threshold`, over real connections, in
//! situations a differential script cannot express: a client that connects
//! or hangs up while the script is busy, and a pipeline behind the script.
//! Each scenario runs against a real redis-server and our server; replies
//! must match.

mod common;

use std::time::Duration;

use common::{start_ours, Conn, RealRedis};

fn cmd(line: &str) -> Vec<Vec<u8>> {
    line.split(' ').map(|s| s.as_bytes().to_vec()).collect()
}

fn eval(body: &str) -> Vec<Vec<u8>> {
    vec![b"EVAL".to_vec(), body.as_bytes().to_vec(), b"0".to_vec()]
}

fn read(conn: &mut Conn, ms: u64) -> String {
    conn.read_reply(Duration::from_millis(ms)).map(|r| common::show(&r)).unwrap_or_else(|| "(no reply)".into())
}

fn call(conn: &mut Conn, line: &str) -> String {
    conn.send(&cmd(line));
    read(conn, 2000)
}

type Scenario = fn(u16) -> Vec<String>;

fn compare(name: &str, scenario: Scenario) {
    let Some(real) = RealRedis::start() else { return };
    let ours = start_ours();
    let expected = scenario(real.port);
    let got = scenario(ours);
    assert!(expected.len() > 3, "{name}: the scenario read too little");
    assert_eq!(got, expected, "{name}: our replies differ from redis-server's");
}

/// Waits until the server answers `-BUSY` (the script is past its threshold).
fn wait_busy(port: u16) {
    for _ in 0..100 {
        let mut probe = Conn::open(port);
        if call(&mut probe, "PING").starts_with("-BUSY") {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("the script never became busy");
}

#[test]
fn a_client_connecting_during_a_busy_script_is_served() {
    compare("connect", |port| {
        let mut setup = Conn::open(port);
        let mut out = vec![call(&mut setup, "CONFIG SET busy-reply-threshold 20")];
        let mut runner = Conn::open(port);
        runner.send(&eval("while true do end"));
        wait_busy(port);
        let mut late = Conn::open(port);
        out.push(call(&mut late, "PING"));
        // (up to the client id, which depends on how many probes ran)
        out.push(call(&mut late, "HELLO 3").chars().take(60).collect());
        out.push(call(&mut late, "SCRIPT KILL"));
        out.push(read(&mut runner, 2000));
        out.push(call(&mut late, "PING"));
        out.push(call(&mut runner, "PING"));
        out
    });
}

#[test]
fn a_client_hanging_up_during_a_busy_script_is_freed() {
    compare("hang up", |port| {
        let mut setup = Conn::open(port);
        let mut out = vec![call(&mut setup, "CONFIG SET busy-reply-threshold 20")];
        let mut runner = Conn::open(port);
        runner.send(&eval("while true do end"));
        wait_busy(port);
        {
            let mut leaving = Conn::open(port);
            out.push(call(&mut leaving, "MULTI"));
            out.push(call(&mut leaving, "INCR n"));
        } // dropped: the connection closes while the script is busy
        std::thread::sleep(Duration::from_millis(100));
        out.push(call(&mut setup, "SCRIPT KILL"));
        out.push(read(&mut runner, 2000));
        std::thread::sleep(Duration::from_millis(100));
        let clients = call(&mut setup, "INFO clients");
        out.extend(clients.lines().filter(|l| l.starts_with("connected_clients")).map(String::from));
        out.push(call(&mut setup, "GET n"));
        out
    });
}

#[test]
fn a_pipeline_behind_a_killed_script_is_answered() {
    compare("pipeline", |port| {
        let mut setup = Conn::open(port);
        let mut out = vec![call(&mut setup, "CONFIG SET busy-reply-threshold 20")];
        let mut runner = Conn::open(port);
        let mut pipeline = Vec::new();
        for argv in [eval("while 1 do redis.call('ping') end"), cmd("PING"), cmd("ECHO after")] {
            pipeline.extend_from_slice(format!("*{}\r\n", argv.len()).as_bytes());
            for a in argv {
                pipeline.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
                pipeline.extend_from_slice(&a);
                pipeline.extend_from_slice(b"\r\n");
            }
        }
        runner.send_raw(&pipeline);
        wait_busy(port);
        out.push(call(&mut setup, "FUNCTION KILL"));
        out.push(call(&mut setup, "SCRIPT KILL"));
        out.push(read(&mut runner, 2000));
        out.push(read(&mut runner, 2000));
        out.push(read(&mut runner, 2000));
        out
    });
}
