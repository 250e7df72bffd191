//! Raw request bytes, well-formed and not, sent to a real redis-server and
//! to our server: the bytes that come back (including the protocol error
//! and the closed connection) must be identical.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Sends `request` on a fresh connection and returns everything the server
/// writes until it closes the connection or stays silent for a moment.
fn exchange(port: u16, request: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(Duration::from_millis(300))).expect("timeout");
    stream.write_all(request).expect("write");
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buf) {
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    out
}

const REQUESTS: &[&[u8]] = &[
    b"*1\r\n$4\r\nPING\r\n",
    // Lengths are read like string2ll: no sign, no leading zero, no space.
    b"*+1\r\n$4\r\nPING\r\n",
    b"*01\r\n$4\r\nPING\r\n",
    b"* 1\r\n$4\r\nPING\r\n",
    b"*1\r\n$04\r\nPING\r\n",
    b"*1\r\n$+4\r\nPING\r\n",
    b"*1\r\n$ 4\r\nPING\r\n",
    b"*1\r\n$-1\r\nPING\r\n",
    b"*1\r\n$x\r\nPING\r\n",
    b"*1\r\n+4\r\nPING\r\n",
    b"*abc\r\n",
    b"*99999999999999999999\r\n",
    // Empty and negative multibulk counts are skipped, as Redis does.
    b"*0\r\n*1\r\n$4\r\nPING\r\n",
    b"*-1\r\n*1\r\n$4\r\nPING\r\n",
    // Inline commands and their quoting errors.
    b"PING\r\n",
    b"ECHO \"a b\"\r\n",
    b"ECHO \"unbalanced\r\n",
    b"\r\n\r\nPING\r\n",
    // Limits: at most 1024*1024 arguments, bulks up to proto-max-bulk-len.
    b"*1048577\r\n",
    b"*1048576\r\n$4\r\nPING\r\n",
    b"*1\r\n$536870913\r\n",
    b"*1\r\n$536870912\r\n",
    // Inline oddities: quotes, escapes, spaces, a lone quote.
    b"ECHO 'single quoted'\r\n",
    b"ECHO \"\\x41\\n\"\r\n",
    b"ECHO \"a\"b\r\n",
    b"   PING   \r\n",
    b"\"\r\n",
    b"PING\n",
    b"*1\r\n$4\r\nPINGxx",
    // A valid command after a pipelined one, then garbage.
    b"*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n*1\r\n$3\r\nBAD\r\n",
    b"*1\r\n$4\r\nPING\r\n*1\r\n$04\r\nPING\r\n",
];

#[test]
fn raw_requests_get_the_same_bytes_back() {
    let Some(real) = common::RealRedis::start() else { return };
    let ours = common::start_ours();
    let mut mismatches = Vec::new();
    for request in REQUESTS {
        let expected = exchange(real.port, request);
        let got = exchange(ours, request);
        if expected != got {
            mismatches.push(format!(
                "request {:?}\n  redis: {:?}\n  ours:  {:?}",
                String::from_utf8_lossy(request),
                String::from_utf8_lossy(&expected),
                String::from_utf8_lossy(&got)
            ));
        }
    }
    assert!(mismatches.is_empty(), "{} mismatches:\n{}", mismatches.len(), mismatches.join("\n"));
}
