//! Crash safety of the native server: a writer records every acknowledged
//! INCR and SET while the server (our binary, `--appendonly yes`) is
//! SIGKILLed at random moments; after each restart on the same directory
//! every acknowledged write must be there. With `appendfsync always`
//! nothing acknowledged may be lost; with `everysec` the loss (measured
//! and printed) must stay within the ~1–2 s Redis documents.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use common::process::{call, ours, temp_dir};
use common::Conn;
use redis_emulator::Reply;

const BIN: &str = env!("CARGO_BIN_EXE_redis-emulator-server");

/// What the writer saw acknowledged.
#[derive(Default)]
struct Acked {
    /// The last value INCR answered.
    counter: i64,
    /// Keys SET answered OK for, with their value and when.
    keys: Vec<(String, String, Instant)>,
}

/// A bare client that reports a dead connection instead of panicking.
struct Client {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Client {
    fn call(&mut self, argv: &[&[u8]]) -> Option<Reply> {
        let mut out = format!("*{}\r\n", argv.len()).into_bytes();
        for a in argv {
            out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            out.extend_from_slice(a);
            out.extend_from_slice(b"\r\n");
        }
        self.stream.write_all(&out).ok()?;
        loop {
            if let Some((reply, used)) = redis_emulator::resp::parse_reply(&self.buf) {
                self.buf.drain(..used);
                return Some(reply);
            }
            let mut chunk = [0u8; 4096];
            match self.stream.read(&mut chunk) {
                Ok(n) if n > 0 => self.buf.extend_from_slice(&chunk[..n]),
                _ => return None,
            }
        }
    }
}

/// Writes until the connection dies: INCR counter, SET key, alternately.
/// Says on `ready` once connected.
fn writer(port: u16, round: usize, acked: Arc<Mutex<Acked>>, ready: std::sync::mpsc::Sender<()>) {
    let Ok(stream) = TcpStream::connect(("127.0.0.1", port)) else { return };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut c = Client { stream, buf: Vec::new() };
    let _ = ready.send(());
    for i in 0.. {
        match c.call(&[b"INCR", b"counter"]) {
            Some(Reply::Integer(n)) => acked.lock().unwrap().counter = n,
            _ => return,
        }
        let (key, value) = (format!("k:{round}:{i}"), format!("v{i}"));
        match c.call(&[b"SET", key.as_bytes(), value.as_bytes()]) {
            Some(Reply::Status(s)) if s == "OK" => acked.lock().unwrap().keys.push((key, value, Instant::now())),
            _ => return,
        }
    }
}

/// A small pseudo-random sequence (no dependency needed for kill times).
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

/// Runs `rounds` kill-and-restart rounds; returns the acknowledged writes
/// lost (count) and how far back before the kill the oldest lost one was.
fn rounds(policy: &str, rounds: usize) -> (usize, Duration, i64) {
    let dir = temp_dir(&format!("crash-{policy}"));
    let flags = ["--appendonly", "yes", "--appendfsync", policy, "--save", ""];
    let mut seed = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(7, |d| d.as_nanos() as u64) | 1;
    let acked = Arc::new(Mutex::new(Acked::default()));
    let (mut lost, mut worst) = (0, Duration::ZERO);
    let mut total_counter = 0;
    for round in 0..rounds {
        let server = ours(BIN, &dir, &flags);
        let port = server.port;
        let shared = acked.clone();
        let (ready, connected) = std::sync::mpsc::channel();
        let w = std::thread::spawn(move || writer(port, round, shared, ready));
        connected.recv_timeout(Duration::from_secs(10)).expect("the writer connected");
        std::thread::sleep(Duration::from_millis(100 + next(&mut seed) % 400));
        let killed_at = Instant::now();
        server.kill();
        w.join().unwrap();

        let server = ours(BIN, &dir, &flags);
        let mut c = Conn::open(server.port);
        let a = acked.lock().unwrap();
        let counter = match call(&mut c, &[b"GET", b"counter"]) {
            Reply::Bulk(b) => String::from_utf8_lossy(&b).parse::<i64>().unwrap_or(0),
            _ => 0,
        };
        assert!(counter <= a.counter + 1, "at most the one unacknowledged INCR may have been applied");
        if counter < a.counter {
            lost += (a.counter - counter) as usize;
        }
        for (key, value, at) in a.keys.iter().filter(|k| k.0.starts_with(&format!("k:{round}:"))) {
            match call(&mut c, &[b"GET", key.as_bytes()]) {
                Reply::Bulk(b) if b == value.as_bytes() => {}
                _ => {
                    lost += 1;
                    worst = worst.max(killed_at.saturating_duration_since(*at));
                }
            }
        }
        total_counter = a.counter;
        drop(a);
        server.kill();
    }
    let _ = std::fs::remove_dir_all(&dir);
    (lost, worst, total_counter)
}

#[test]
fn appendfsync_always_loses_no_acknowledged_write() {
    let (lost, _, writes) = rounds("always", 5);
    assert!(writes > 0, "the writer got acknowledgements");
    assert_eq!(lost, 0, "acknowledged writes lost under appendfsync always");
    eprintln!("appendfsync always: {writes} acknowledged INCRs over 5 SIGKILLs, 0 lost");
}

#[test]
fn appendfsync_everysec_loses_at_most_about_a_second() {
    let (lost, worst, writes) = rounds("everysec", 3);
    assert!(writes > 0, "the writer got acknowledgements");
    eprintln!(
        "appendfsync everysec: {writes} acknowledged INCRs over 3 SIGKILLs, {lost} lost, \
         oldest lost write {:.3} s before the kill",
        worst.as_secs_f64()
    );
    assert!(worst <= Duration::from_secs(2), "everysec lost writes older than 2 s: {worst:?}");
}
