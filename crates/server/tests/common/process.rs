//! Servers as separate processes on a data directory: our binary and
//! redis-server, killed (SIGKILL) or stopped, then restarted on the same
//! files; and a description of a whole dataset to compare them by.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::{free_port, wait_for_port, Conn};
use redis_emulator::resp::parse_reply;
use redis_emulator::Reply;

/// A server process, SIGKILLed when dropped.
pub struct Proc {
    pub child: Child,
    pub port: u16,
}

impl Proc {
    /// SIGKILL, as a crash.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SHUTDOWN (with `args`) and waits for the process to exit.
    pub fn shutdown(mut self, args: &[&str]) {
        let mut c = Conn::open(self.port);
        let mut argv = vec![b"SHUTDOWN".to_vec()];
        argv.extend(args.iter().map(|a| a.as_bytes().to_vec()));
        c.send(&argv);
        let _ = c.read_reply(Duration::from_secs(10));
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh empty directory under the target's temp dir.
pub fn temp_dir(name: &str) -> PathBuf {
    let base = std::env::var_os("CARGO_TARGET_TMPDIR").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    let dir = base.join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Our server binary on `dir` with extra flags; panics if it does not come up.
pub fn ours(bin: &str, dir: &Path, flags: &[&str]) -> Proc {
    let port = free_port();
    let child = Command::new(bin)
        .args(["--port", &port.to_string(), "--dir"])
        .arg(dir)
        .args(flags)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("our server binary starts");
    wait_for_port(port);
    Proc { child, port }
}

/// Runs our binary on `dir` expecting it to refuse to start; returns its stderr.
pub fn ours_refuses(bin: &str, dir: &Path, flags: &[&str]) -> String {
    let out = Command::new(bin)
        .args(["--port", &free_port().to_string(), "--dir"])
        .arg(dir)
        .args(flags)
        .output()
        .expect("our server binary runs");
    assert!(!out.status.success(), "expected a refusal, got {:?}", out.status);
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// redis-server on `dir` with extra flags (a missing redis-server fails the test).
pub fn redis(dir: &Path, flags: &[&str]) -> Proc {
    let port = free_port();
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--daemonize", "no", "--dir"])
        .arg(dir)
        .args(flags)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("redis-server could not start ({e})"));
    wait_for_port(port);
    Proc { child, port }
}

/// Sends one command and parses its reply.
pub fn call(c: &mut Conn, args: &[&[u8]]) -> Reply {
    c.send(&args.iter().map(|a| a.to_vec()).collect::<Vec<_>>());
    let raw = c.read_reply(Duration::from_secs(10)).expect("a reply");
    parse_reply(&raw).map(|r| r.0).unwrap_or_else(|| panic!("unparsable reply {}", super::show(&raw)))
}

/// Runs a line of words (no quoting) and parses its reply.
pub fn cmd(c: &mut Conn, line: &str) -> Reply {
    let words: Vec<&[u8]> = line.split_whitespace().map(str::as_bytes).collect();
    call(c, &words)
}

fn strings(r: Reply) -> Vec<String> {
    match r {
        Reply::Array(items) | Reply::Set(items) => items.into_iter().flat_map(strings).collect(),
        Reply::Map(pairs) => pairs.into_iter().flat_map(|(k, v)| strings(k).into_iter().chain(strings(v))).collect(),
        Reply::Bulk(b) => vec![String::from_utf8_lossy(&b).into_owned()],
        Reply::Integer(n) => vec![n.to_string()],
        Reply::Nil => vec!["(nil)".into()],
        other => vec![format!("{other:?}")],
    }
}

/// Every key of every database with its type, contents (order-independent
/// where the type is unordered) and absolute expiry.
pub fn describe(port: u16) -> Vec<String> {
    let mut c = Conn::open(port);
    let mut out = Vec::new();
    for db in 0..16 {
        cmd(&mut c, &format!("SELECT {db}"));
        let mut keys = strings(cmd(&mut c, "KEYS *"));
        keys.sort();
        for key in keys {
            let k = key.as_bytes();
            let kind = status(call(&mut c, &[b"TYPE", k])).unwrap_or_default();
            let mut value = match kind.as_str() {
                "string" => strings(call(&mut c, &[b"GET", k])),
                "list" => strings(call(&mut c, &[b"LRANGE", k, b"0", b"-1"])),
                "set" => strings(call(&mut c, &[b"SMEMBERS", k])),
                "zset" => strings(call(&mut c, &[b"ZRANGE", k, b"0", b"-1", b"WITHSCORES"])),
                "hash" => {
                    let flat = strings(call(&mut c, &[b"HGETALL", k]));
                    flat.chunks(2).map(|p| p.join("=")).collect()
                }
                other => vec![format!("unexpected type {other}")],
            };
            if matches!(kind.as_str(), "set" | "hash") {
                value.sort();
            }
            let at = strings(call(&mut c, &[b"PEXPIRETIME", k])).join("");
            out.push(format!("db{db} {key} {kind} {value:?} expire={at}"));
        }
    }
    out
}

fn status(r: Reply) -> Option<String> {
    match r {
        Reply::Status(s) => Some(s.into_owned()),
        _ => None,
    }
}
