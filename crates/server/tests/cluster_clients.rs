//! Real cluster clients against `redis-emulator-server --cluster 3`:
//! `redis-cli -c` (follows MOVED), redis-py's `RedisCluster`, and
//! `redis-cli --cluster reshard` / `check` moving slots with keys while
//! the data stays readable; with `--replicas 1`, the same clients with
//! replicas and through a CLUSTER FAILOVER. Panics when redis-cli or python3-redis is
//! missing: these tests exist to run them.

mod common;

use std::process::{Child, Command, Stdio};

use common::wait_for_port;

/// The server binary with `--cluster 3`, stopped when dropped.
struct Server {
    child: Child,
    base: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The tests of this file run one at a time (each starts a cluster).
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn start(base: u16) -> Server {
    start_with(base, 0)
}

/// Three masters with `replicas` replicas each.
fn start_with(base: u16, replicas: u16) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_redis-emulator-server"))
        .args(["--cluster", "3", "--replicas", &replicas.to_string(), "--port", &base.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server binary starts");
    for i in 0..3 * (replicas + 1) {
        wait_for_port(base + i);
    }
    Server { child, base }
}

/// Six consecutive free ports below the ephemeral range.
fn free_base(salt: u16) -> u16 {
    let free = |p: u16| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok();
    let start = 41000 + (std::process::id() as u16 % 200) * 10 + salt * 2500;
    (start..start + 2000).step_by(7).find(|&b| (0..6).all(|i| free(b + i))).expect("free ports")
}

fn cli(args: &[&str], stdin: Option<&str>) -> String {
    let mut child = Command::new("redis-cli")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("redis-cli runs (install redis-tools)");
    if let Some(input) = stdin {
        use std::io::Write;
        child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().expect("redis-cli finishes");
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

#[test]
fn redis_cli_follows_redirects_and_reshards() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let server = start(free_base(0));
    let port = server.base.to_string();
    // foo lives on the third node: -c follows the MOVED.
    assert_eq!(
        cli(&["-p", &port, "SET", "foo", "bar"], None).trim(),
        "MOVED 12182 127.0.0.1:".to_string() + &(server.base + 2).to_string()
    );
    assert_eq!(cli(&["-c", "-p", &port, "SET", "foo", "bar"], None).trim(), "OK");
    assert_eq!(cli(&["-c", "-p", &port, "GET", "foo"], None).trim(), "bar");
    assert_eq!(cli(&["-c", "-p", &port, "MSET", "{t}a", "1", "{t}b", "2"], None).trim(), "OK");
    assert_eq!(cli(&["-c", "-p", &port, "MGET", "{t}a", "{t}b"], None).trim(), "1\n2");
    let writes: String = (0..300).map(|i| format!("SET key:{i} {i}\n")).collect();
    cli(&["-c", "-p", &port], Some(&writes));
    let check = cli(&["--cluster", "check", &format!("127.0.0.1:{port}")], None);
    assert!(check.contains("[OK] 303 keys in 3 masters."), "{check}");
    assert!(check.contains("[OK] All 16384 slots covered."), "{check}");
    // Move 1000 slots (and their keys) from the first node to the third.
    let from = cli(&["-p", &port, "CLUSTER", "MYID"], None).trim().to_string();
    let to = cli(&["-p", &(server.base + 2).to_string(), "CLUSTER", "MYID"], None).trim().to_string();
    let reshard = cli(
        &["--cluster", "reshard", &format!("127.0.0.1:{port}"), "--cluster-from", &from, "--cluster-to", &to]
            .into_iter()
            .chain(["--cluster-slots", "1000", "--cluster-yes"])
            .collect::<Vec<_>>(),
        None,
    );
    assert!(reshard.contains("Moving slot 999 from"), "{reshard}");
    let check = cli(&["--cluster", "check", &format!("127.0.0.1:{}", server.base + 1)], None);
    assert!(check.contains("[OK] All nodes agree about slots configuration."), "{check}");
    assert!(check.contains("[OK] 303 keys in 3 masters."), "{check}");
    assert!(check.contains("slots:[0-999],[10923-16383] (6461 slots) master"), "{check}");
    let reads: String = (0..300).map(|i| format!("GET key:{i}\n")).collect();
    let values = cli(&["-c", "-p", &port], Some(&reads));
    let values: Vec<&str> = values.lines().filter(|l| !l.starts_with('-')).collect();
    let expected: Vec<String> = (0..300).map(|i| i.to_string()).collect();
    assert_eq!(values, expected);
}

#[test]
fn redis_py_cluster_client_works() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let server = start(free_base(1));
    let script = format!(
        r#"
from redis.cluster import RedisCluster
rc = RedisCluster(host="127.0.0.1", port={})
for i in range(200):
    rc.set(f"user:{{i}}", i)
assert all(rc.get(f"user:{{i}}") == str(i).encode() for i in range(200))
rc.mset_nonatomic({{"{{tag}}a": 1, "{{tag}}b": 2}})
assert rc.mget("{{tag}}a", "{{tag}}b") == [b"1", b"2"]
rc.sadd("{{tag}}s1", "x", "y")
rc.sadd("{{tag}}s2", "y", "z")
assert rc.sunionstore("{{tag}}u", "{{tag}}s1", "{{tag}}s2") == 3
nodes = rc.cluster_nodes()
assert len(nodes) == 3, nodes
print("OK", rc.keyslot("foo"), sorted(rc.cluster_slots().keys()))
"#,
        server.base
    );
    let out = Command::new("/usr/bin/python3").args(["-c", &script]).output().expect("python3 runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert_eq!(text.trim(), "OK 12182 [(0, 5460), (5461, 10922), (10923, 16383)]");
}

#[test]
fn redis_benchmark_runs_against_the_cluster() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let server = start(free_base(2));
    let out = Command::new("redis-benchmark")
        .args(["--cluster", "-p", &server.base.to_string(), "-t", "set,get", "-n", "2000", "-q"])
        .output()
        .expect("redis-benchmark runs (install redis-tools)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}");
    // `-q` prints one final line per test: "SET: 12345.67 requests per second, p50=…".
    for test in ["SET: ", "GET: "] {
        assert!(text.split(['\r', '\n']).any(|l| l.starts_with(test) && l.contains("requests per second")), "{text}");
    }
    let keys: u64 = (0..3)
        .map(|i| cli(&["-p", &(server.base + i).to_string(), "DBSIZE"], None).trim().parse::<u64>().unwrap_or(0))
        .sum();
    assert!(keys >= 1, "the benchmark's key landed on a node");
}

/// Polls `cond` every 100 ms for up to 10 s.
fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..100 {
        if cond() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("{what} did not happen in 10 s");
}

#[test]
fn replicas_serve_clients_and_fail_over() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let server = start_with(free_base(3), 1);
    let port = |i: u16| (server.base + i).to_string();
    // The replicas sync over TCP from their masters.
    for i in 3..6 {
        eventually("replica link up", || {
            cli(&["-p", &port(i), "INFO", "replication"], None).contains("master_link_status:up")
        });
    }
    let check = cli(&["--cluster", "check", &format!("127.0.0.1:{}", port(0))], None);
    assert!(check.contains("[OK] All nodes agree about slots configuration."), "{check}");
    assert!(check.contains("[OK] All 16384 slots covered."), "{check}");
    assert_eq!(check.matches("1 additional replica(s)").count(), 3, "{check}");
    assert_eq!(check.matches("slots: (0 slots) slave").count(), 3, "{check}");
    // redis-cli -c from a replica's port follows MOVED to the masters.
    let writes: String = (0..100).map(|i| format!("SET key:{i} {i}\n")).collect();
    cli(&["-c", "-p", &port(4)], Some(&writes));
    // CLUSTER SLOTS lists a replica once the node heard it announce an offset.
    eventually("replicas in CLUSTER SLOTS", || cli(&["-p", &port(3), "CLUSTER", "SLOTS"], None).lines().count() == 30);
    let script = format!(
        r#"
from redis.cluster import RedisCluster
rc = RedisCluster(host="127.0.0.1", port={}, read_from_replicas=True)
assert all(rc.get(f"key:{{i}}") == str(i).encode() for i in range(100))
for i in range(100):
    rc.set(f"user:{{i}}", i)
assert all(rc.get(f"user:{{i}}") == str(i).encode() for i in range(100))
assert len(rc.get_replicas()) == 3, rc.get_replicas()
print("OK", sorted(len(v["replicas"]) for v in rc.cluster_slots().values()))
"#,
        server.base + 3
    );
    let out = Command::new("/usr/bin/python3").args(["-c", &script]).output().expect("python3 runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert_eq!(text.trim(), "OK [1, 1, 1]");
    // The replica of the first master (7004 in redis-cli's plan) takes over.
    assert_eq!(cli(&["-p", &port(4), "CLUSTER", "FAILOVER"], None).trim(), "OK");
    eventually("the replica became master", || cli(&["-p", &port(4), "ROLE"], None).starts_with("master"));
    eventually("the old master follows", || {
        cli(&["-p", &port(0), "INFO", "replication"], None).contains(&format!("master_port:{}", port(4)))
    });
    let moved = cli(&["-p", &port(0), "SET", "hello", "1"], None);
    assert_eq!(moved.trim(), format!("MOVED 866 127.0.0.1:{}", port(4)));
    let values = cli(&["-c", "-p", &port(0)], Some("GET key:1\nGET user:2\nSET hello 2\nGET hello\n"));
    let values: Vec<&str> = values.lines().filter(|l| !l.starts_with("->")).collect();
    assert_eq!(values, ["1", "2", "OK", "2"]);
    let check = cli(&["--cluster", "check", &format!("127.0.0.1:{}", port(1))], None);
    assert!(check.contains("[OK] All nodes agree about slots configuration."), "{check}");
}

#[test]
fn replicas_and_impossible_ports_are_refused() {
    let out =
        Command::new(env!("CARGO_BIN_EXE_redis-emulator-server")).args(["--replicas", "1"]).output().expect("runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--replicas R needs --cluster N"));
    let out = Command::new(env!("CARGO_BIN_EXE_redis-emulator-server"))
        .args(["--cluster", "3", "--port", "60000"])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bus port"));
    let out = Command::new(env!("CARGO_BIN_EXE_redis-emulator-server"))
        .args(["--cluster", "3", "--dir", "/nonexistent"])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not take --dir"));
}
