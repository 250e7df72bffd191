//! Differential testing: the same commands go to a real `redis-server`
//! (started here on a free loopback port) and to our server, and the raw
//! RESP replies are compared byte for byte.
//!
//! Script format (one case per line, `#` starts a comment line):
//!
//! ```text
//! SET k v                  # client 1 sends, both replies must be identical
//! [2] BLPOP q 0            # client 2 sends
//! !sorted SMEMBERS s       # compare with the top-level array sorted
//! !shape SCAN 0            # compare only types and lengths
//! [2] !noreply BLPOP q 0   # send without reading (it blocks)
//! [2] !read                # read the next reply or message of client 2
//! !sleep 1100              # wait (for real-time TTLs)
//! ```
#![allow(dead_code)]

pub mod process;
pub mod random;
pub mod real_cluster;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use redis_emulator::resp::parse_reply;
use redis_emulator::tokenizer::split_line;
use redis_emulator::Reply;

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

/// A real redis-server on a free port, stopped when dropped.
pub struct RealRedis {
    child: Child,
    pub port: u16,
}

impl RealRedis {
    /// Starts `redis-server`. A missing or broken redis-server fails the
    /// test: these tests exist to compare with it. Only an explicit
    /// `SKIP_REAL_REDIS=1` (which CI never sets) turns the comparison off,
    /// and then the test says so on stderr.
    pub fn start() -> Option<RealRedis> {
        if std::env::var("SKIP_REAL_REDIS").as_deref() == Ok("1") {
            eprintln!("SKIPPED by SKIP_REAL_REDIS=1: this test compares with a real redis-server");
            return None;
        }
        let port = free_port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--daemonize", "no", "--protected-mode", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("redis-server could not start ({e}); install it (scripts/setup.sh does)"));
        wait_for_port(port);
        Some(RealRedis { child, port })
    }
}

impl Drop for RealRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn wait_for_port(port: u16) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
            if s.write_all(b"PING\r\n").is_ok() {
                let mut buf = [0u8; 16];
                if let Ok(n) = s.read(&mut buf) {
                    if buf[..n].starts_with(b"+PONG") {
                        return;
                    }
                }
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("server on port {port} did not start");
}

/// Our server on a free port, in a background thread with its own runtime.
pub fn start_ours() -> u16 {
    start_ours_with_state().0
}

/// Like [`start_ours`], also returning the server's state (tests that must
/// reach the engine directly).
pub fn start_ours_with_state() -> (u16, redis_emulator_server::SharedState) {
    let state = redis_emulator_server::new_state();
    let shared = state.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap().port()).unwrap();
            let _ = redis_emulator_server::serve(listener, state).await;
        });
    });
    let port = rx.recv().expect("our server started");
    wait_for_port(port);
    (port, shared)
}

/// One client connection that reads whole RESP replies.
pub struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    pub fn open(port: u16) -> Conn {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream.set_nodelay(true).ok();
        Conn { stream, buf: Vec::new() }
    }

    pub fn send(&mut self, argv: &[Vec<u8>]) {
        let mut out = format!("*{}\r\n", argv.len()).into_bytes();
        for a in argv {
            out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            out.extend_from_slice(a);
            out.extend_from_slice(b"\r\n");
        }
        self.stream.write_all(&out).expect("send");
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("send");
    }

    /// Reads one complete reply's raw bytes, or None after `timeout`.
    pub fn read_reply(&mut self, timeout: Duration) -> Option<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some((_, used)) = parse_reply(&self.buf) {
                return Some(self.buf.drain(..used).collect());
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            self.stream.set_read_timeout(Some(left.max(Duration::from_millis(1)))).ok();
            let mut chunk = [0u8; 65536];
            match self.stream.read(&mut chunk) {
                Ok(0) => {
                    return if self.buf.is_empty() {
                        Some(b"(connection closed)".to_vec())
                    } else {
                        Some(std::mem::take(&mut self.buf))
                    };
                }
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(_) => return None,
            }
        }
    }
}

/// Printable form of raw protocol bytes.
pub fn show(bytes: &[u8]) -> String {
    let mut s = String::new();
    for &b in bytes {
        match b {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s
}

#[derive(Clone, Copy, PartialEq)]
enum Compare {
    Exact,
    Sorted,
    Shape,
}

fn shape(r: &Reply) -> String {
    match r {
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => {
            format!("[{}]", items.iter().map(shape).collect::<Vec<_>>().join(","))
        }
        Reply::Map(pairs) => format!("{{{}}}", pairs.len()),
        Reply::Bulk(_) => "bulk".into(),
        Reply::Integer(_) => "int".into(),
        Reply::Status(s) => format!("+{s}"),
        Reply::Error(e) => format!("-{e}"),
        other => format!("{other:?}"),
    }
}

fn normalize(raw: &[u8], how: Compare) -> String {
    if how == Compare::Exact {
        return show(raw);
    }
    let Some((reply, _)) = parse_reply(raw) else { return show(raw) };
    match how {
        Compare::Shape => shape(&reply),
        _ => match reply {
            Reply::Array(mut items) | Reply::Set(mut items) => {
                let mut keys: Vec<String> = items
                    .drain(..)
                    .map(|i| show(&redis_emulator::resp::to_bytes(&i, redis_emulator::Protocol::Resp2)))
                    .collect();
                keys.sort();
                keys.join(" ")
            }
            other => show(&redis_emulator::resp::to_bytes(&other, redis_emulator::Protocol::Resp3)),
        },
    }
}

/// Runs scripts against both servers and collects mismatches.
pub struct Differ {
    pub cases: usize,
    pub mismatches: Vec<String>,
}

impl Differ {
    pub fn new() -> Differ {
        Differ { cases: 0, mismatches: Vec::new() }
    }

    /// Runs one script on a fresh pair of servers. `name` labels reports.
    pub fn run_script(&mut self, name: &str, script: &str) -> bool {
        let Some(real) = RealRedis::start() else { return false };
        let ours = start_ours();
        let mut clients: Vec<Option<(Conn, Conn)>> = Vec::new();
        let mut ids: std::collections::HashMap<usize, (String, String)> = std::collections::HashMap::new();
        for (lineno, raw_line) in script.lines().enumerate() {
            let line = raw_line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (client, rest) = parse_client(line);
            let mut rest = rest.trim_start();
            let mut how = Compare::Exact;
            let mut read_reply = true;
            loop {
                if let Some(r) = rest.strip_prefix("!sorted ") {
                    how = Compare::Sorted;
                    rest = r.trim_start();
                } else if let Some(r) = rest.strip_prefix("!shape ") {
                    how = Compare::Shape;
                    rest = r.trim_start();
                } else if let Some(r) = rest.strip_prefix("!noreply ") {
                    read_reply = false;
                    rest = r.trim_start();
                } else {
                    break;
                }
            }
            if let Some(ms) = rest.strip_prefix("!sleep ") {
                // Sleeps mostly let a `!noreply` command reach both servers
                // before another connection acts; a loaded machine needs more.
                let ms: u64 = ms.trim().parse().unwrap_or(0);
                std::thread::sleep(Duration::from_millis(ms * 3));
                continue;
            }
            while clients.len() <= client {
                clients.push(None);
            }
            let pair = clients[client].get_or_insert_with(|| (Conn::open(real.port), Conn::open(ours)));
            let label = format!("{name}:{} [{client}] {rest}", lineno + 1);
            if rest == "!read" {
                self.compare(&label, pair, how, true);
                continue;
            }
            // `{id:N}` stands for client N's CLIENT ID on each server.
            let (line_real, line_ours) = if rest.contains("{id:") {
                let mut lines = (rest.to_string(), rest.to_string());
                for n in 1..=16 {
                    let tag = format!("{{id:{n}}}");
                    if !rest.contains(&tag) {
                        continue;
                    }
                    let (real_id, our_id) = client_ids(&mut ids, &mut clients, n, real.port, ours);
                    lines = (lines.0.replace(&tag, &real_id), lines.1.replace(&tag, &our_id));
                }
                lines
            } else {
                (rest.to_string(), rest.to_string())
            };
            let pair = clients[client].get_or_insert_with(|| (Conn::open(real.port), Conn::open(ours)));
            let (argv_real, argv_ours) = match (split_line(&line_real), split_line(&line_ours)) {
                (Ok(a), Ok(b)) => (a, b),
                _ => {
                    self.mismatches.push(format!("{label}\n  cannot split this line (Invalid argument(s))"));
                    continue;
                }
            };
            pair.0.send(&argv_real);
            pair.1.send(&argv_ours);
            if read_reply {
                self.compare(&label, pair, how, false);
            }
        }
        true
    }

    fn compare(&mut self, label: &str, pair: &mut (Conn, Conn), how: Compare, pending: bool) {
        self.cases += 1;
        let timeout = Duration::from_millis(if pending { 3000 } else { 2000 });
        let expected = pair.0.read_reply(timeout);
        // Our server gets at least as long as Redis took, so slow CI never flips a case.
        let got = pair.1.read_reply(timeout);
        let e = expected.as_deref().map(|r| normalize(r, how)).unwrap_or_else(|| "(no reply)".into());
        let g = got.as_deref().map(|r| normalize(r, how)).unwrap_or_else(|| "(no reply)".into());
        if e != g {
            self.mismatches.push(format!("{label}\n  redis: {e}\n  ours:  {g}"));
        }
    }
}

/// The CLIENT ID of script client `n` on each server (asked once, on first use).
fn client_ids(
    ids: &mut std::collections::HashMap<usize, (String, String)>,
    clients: &mut Vec<Option<(Conn, Conn)>>,
    n: usize,
    real_port: u16,
    ours: u16,
) -> (String, String) {
    if let Some(known) = ids.get(&n) {
        return known.clone();
    }
    while clients.len() <= n {
        clients.push(None);
    }
    let pair = clients[n].get_or_insert_with(|| (Conn::open(real_port), Conn::open(ours)));
    let argv = vec![b"CLIENT".to_vec(), b"ID".to_vec()];
    let ask = |conn: &mut Conn| {
        conn.send(&argv);
        let raw = conn.read_reply(Duration::from_secs(2)).unwrap_or_default();
        String::from_utf8_lossy(&raw).trim_start_matches(':').trim().to_string()
    };
    let found = (ask(&mut pair.0), ask(&mut pair.1));
    ids.insert(n, found.clone());
    found
}

/// Runs one generated script on a fresh pair of servers and asserts that it
/// ran at least `minimum_cases` cases, all matching (the first 20
/// mismatches are shown). When redis-server is missing and not required,
/// the run is skipped as [`Differ::run_script`] skips it.
pub fn assert_generated_run(name: &str, script: &str, minimum_cases: usize) {
    let mut differ = Differ::new();
    if !differ.run_script(name, script) {
        return;
    }
    println!("{name}: {} cases, {} mismatches", differ.cases, differ.mismatches.len());
    assert!(differ.cases >= minimum_cases, "{name}: only {} cases ran, expected {minimum_cases}", differ.cases);
    let shown: Vec<&String> = differ.mismatches.iter().take(20).collect();
    assert!(differ.mismatches.is_empty(), "{name}: {} mismatches, first ones:\n{shown:#?}", differ.mismatches.len());
}

fn parse_client(line: &str) -> (usize, &str) {
    if let Some(rest) = line.strip_prefix('[') {
        if let Some((n, rest)) = rest.split_once(']') {
            if let Ok(n) = n.trim().parse::<usize>() {
                return (n, rest);
            }
        }
    }
    (1, line)
}
