//! CONFIG SET bind and port move the listening sockets, as in Redis: the
//! server answers on the new port, a setting that cannot be applied is
//! refused and nothing of that CONFIG SET stays. Compared with redis-server.

mod common;

use std::time::Duration;

use common::{start_ours, Conn, RealRedis};

fn call(conn: &mut Conn, argv: &[&str]) -> String {
    let argv: Vec<Vec<u8>> = argv.iter().map(|a| a.as_bytes().to_vec()).collect();
    conn.send(&argv);
    conn.read_reply(Duration::from_secs(2)).map(|r| common::show(&r)).unwrap_or_else(|| "(no reply)".into())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

fn scenario(port: u16) -> Vec<String> {
    let mut out = Vec::new();
    let mut conn = Conn::open(port);
    // Listening there already: the new port cannot be used, maxmemory stays.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a socket");
    let taken_port = taken.local_addr().expect("its address").port().to_string();
    out.push(call(&mut conn, &["CONFIG", "SET", "maxmemory", "10000001", "port", &taken_port]));
    out.push(call(&mut conn, &["CONFIG", "GET", "maxmemory"]));
    out.push(call(&mut conn, &["CONFIG", "SET", "bind", "10.255.255.1"]));
    out.push(call(&mut conn, &["PING"]));
    // A free port: the server answers there, and no longer on the old one.
    let moved = free_port();
    out.push(call(&mut conn, &["CONFIG", "SET", "port", &moved.to_string()]));
    std::thread::sleep(Duration::from_millis(200));
    let mut there = Conn::open(moved);
    out.push(call(&mut there, &["PING"]));
    out.push(call(&mut there, &["CONFIG", "GET", "port"]).replace(&moved.to_string(), "<port>"));
    out.push(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok().to_string());
    out
}

#[test]
fn config_set_port_and_bind_move_the_server() {
    let Some(real) = RealRedis::start() else { return };
    let ours = start_ours();
    let expected = scenario(real.port);
    let got = scenario(ours);
    assert!(expected.len() > 5);
    assert_eq!(got, expected);
}
