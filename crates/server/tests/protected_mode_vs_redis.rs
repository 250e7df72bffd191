//! Protected mode against a real redis-server: both listen on every
//! address; a client from a non-loopback address gets the same `-DENIED`
//! bytes and is disconnected, loopback clients are served, and a password
//! on the default user lifts the protection (NOAUTH instead).

mod common;

use std::io::{Read, Write};
use std::net::{IpAddr, TcpStream, UdpSocket};
use std::process::{Command, Stdio};
use std::time::Duration;

/// This host's non-loopback address (the one a UDP socket would use; no
/// packet is sent).
fn outside_address() -> IpAddr {
    let socket = UdpSocket::bind("0.0.0.0:0").expect("udp socket");
    socket.connect("10.255.255.255:1").expect("a route to a non-loopback network");
    let ip = socket.local_addr().expect("local address").ip();
    assert!(!ip.is_loopback(), "this test needs a non-loopback interface");
    ip
}

/// Sends `request` from a fresh connection and reads until the server
/// closes or goes quiet.
fn exchange(ip: IpAddr, port: u16, request: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect((ip, port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_millis(1500))).unwrap();
    let _ = s.write_all(request);
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                out.extend_from_slice(&buf[..n]);
                if !out.starts_with(b"-DENIED") && out.ends_with(b"\r\n") {
                    break;
                }
            }
        }
    }
    out
}

fn start_ours_everywhere() -> u16 {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
            tx.send(listener.local_addr().unwrap().port()).unwrap();
            let _ = redis_emulator_server::serve(listener, redis_emulator_server::new_state()).await;
        });
    });
    rx.recv().expect("our server started")
}

#[test]
fn remote_clients_of_an_open_server_are_denied_like_redis() {
    let outside = outside_address();
    let port = common::free_port();
    let mut child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "0.0.0.0", "--protected-mode", "yes"])
        .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("redis-server starts");
    std::thread::sleep(Duration::from_millis(300));
    let ours = start_ours_everywhere();
    std::thread::sleep(Duration::from_millis(100));

    let real_denied = exchange(outside, port, b"PING\r\n");
    let our_denied = exchange(outside, ours, b"PING\r\n");
    assert!(real_denied.starts_with(b"-DENIED Redis is running in protected mode"), "{real_denied:?}");
    assert_eq!(String::from_utf8_lossy(&our_denied), String::from_utf8_lossy(&real_denied));

    let local: IpAddr = "127.0.0.1".parse().unwrap();
    assert_eq!(exchange(local, port, b"PING\r\n"), b"+PONG\r\n");
    assert_eq!(exchange(local, ours, b"PING\r\n"), b"+PONG\r\n");

    let set = b"*4\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n$11\r\nrequirepass\r\n$2\r\npw\r\n";
    assert_eq!(exchange(local, port, set), b"+OK\r\n");
    assert_eq!(exchange(local, ours, set), b"+OK\r\n");
    let real = exchange(outside, port, b"PING\r\n");
    assert_eq!(real, b"-NOAUTH Authentication required.\r\n");
    assert_eq!(exchange(outside, ours, b"PING\r\n"), real);

    let _ = child.kill();
    let _ = child.wait();
}
