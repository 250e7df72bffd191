//! Files exchanged with a real redis-server 7.0: our SAVE is accepted by
//! `redis-check-rdb` and loaded by `redis-server --dir`; our appendonlydir
//! is accepted by `redis-check-aof` and loaded by redis-server with
//! `--appendonly yes`; redis-server's dump.rdb and appendonlydir are loaded
//! by our server at start; damaged files make our server refuse to start.
//! Datasets are compared key by key (type, contents, absolute expiry).

mod common;

use std::path::Path;
use std::process::Command;

use common::process::{cmd, describe, ours, ours_refuses, redis, temp_dir, Proc};
use common::Conn;

const BIN: &str = env!("CARGO_BIN_EXE_redis-emulator-server");

/// Keys of every type Redis 7.0 writes to RDB files here, two databases, TTLs.
fn populate(port: u16) {
    let mut c = Conn::open(port);
    let lines = [
        "SET s hello",
        "SET n 12345",
        "SET long aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "SET ttl v PX 3600000",
        "RPUSH l a b c 1 2 3",
        "SADD ints 1 2 3 100000",
        "SADD words x y z",
        "ZADD z 1 a 2.5 b -3 c",
        "HSET h f1 v1 f2 v2",
        "SELECT 5",
        "SET other db5 EX 7200",
        "INCR counter",
    ];
    for l in lines {
        let r = cmd(&mut c, l);
        assert!(!matches!(r, redis_emulator::Reply::Error(_)), "{l}: {r:?}");
    }
    // A bigger hash and sorted set (hashtable / skiplist encodings).
    for i in 0..200 {
        cmd(&mut c, &format!("HSET bigh field{i} value{i}"));
        cmd(&mut c, &format!("ZADD bigz {i} member{i}"));
        cmd(&mut c, &format!("SADD bigs member{i}"));
    }
}

fn check_tool(tool: &str, file: &Path) -> String {
    let out = Command::new(tool).arg(file).output().unwrap_or_else(|e| panic!("{tool} runs ({e})"));
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{tool} rejected {}:\n{text}", file.display());
    text
}

fn stop(p: Proc) {
    p.shutdown(&["NOSAVE"]);
}

#[test]
fn our_rdb_is_accepted_and_loaded_by_redis() {
    let dir = temp_dir("ours-rdb");
    let server = ours(BIN, &dir, &["--save", ""]);
    populate(server.port);
    assert_eq!(cmd(&mut Conn::open(server.port), "SAVE"), redis_emulator::Reply::OK);
    let expected = describe(server.port);
    stop(server);
    let report = check_tool("redis-check-rdb", &dir.join("dump.rdb"));
    assert!(report.contains("RDB looks OK"), "{report}");
    let theirs = redis(&dir, &["--appendonly", "no", "--save", ""]);
    assert_eq!(describe(theirs.port), expected, "redis-server loads our dump.rdb with the same keys and TTLs");
    stop(theirs);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn our_aof_is_accepted_and_loaded_by_redis() {
    let dir = temp_dir("ours-aof");
    let server = ours(BIN, &dir, &["--appendonly", "yes", "--save", ""]);
    populate(server.port);
    let mut c = Conn::open(server.port);
    cmd(&mut c, "BGREWRITEAOF");
    cmd(&mut c, "SET after rewrite");
    cmd(&mut c, "LPUSH l front");
    cmd(&mut c, "EXPIRE s 5000");
    let expected = describe(server.port);
    stop(server);
    let manifest = dir.join("appendonlydir/appendonly.aof.manifest");
    assert_eq!(
        std::fs::read_to_string(&manifest).unwrap(),
        "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n"
    );
    let report = check_tool("redis-check-aof", &manifest);
    assert!(report.contains("All AOF files and manifest are valid"), "{report}");
    // Our own start loads it back…
    let again = ours(BIN, &dir, &["--appendonly", "yes", "--save", ""]);
    assert_eq!(describe(again.port), expected);
    stop(again);
    // …and so does redis-server.
    let theirs = redis(&dir, &["--appendonly", "yes", "--appenddirname", "appendonlydir", "--save", ""]);
    assert_eq!(describe(theirs.port), expected, "redis-server loads our appendonlydir");
    stop(theirs);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn redis_files_load_in_ours() {
    let dir = temp_dir("theirs");
    let theirs = redis(&dir, &["--appendonly", "yes", "--save", ""]);
    populate(theirs.port);
    let mut c = Conn::open(theirs.port);
    cmd(&mut c, "BGREWRITEAOF");
    std::thread::sleep(std::time::Duration::from_millis(500));
    cmd(&mut c, "SET after rewrite");
    cmd(&mut c, "SAVE");
    let expected = describe(theirs.port);
    stop(theirs);
    let from_aof = ours(BIN, &dir, &["--appendonly", "yes", "--save", ""]);
    assert_eq!(describe(from_aof.port), expected, "our server loads redis-server's appendonlydir");
    stop(from_aof);
    let from_rdb = ours(BIN, &dir, &["--save", ""]);
    assert_eq!(describe(from_rdb.port), expected, "our server loads redis-server's dump.rdb");
    stop(from_rdb);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn damaged_files_are_refused_at_start() {
    let dir = temp_dir("damaged");
    let server = ours(BIN, &dir, &["--appendonly", "yes"]);
    populate(server.port);
    cmd(&mut Conn::open(server.port), "SAVE");
    stop(server);

    let rdb = dir.join("dump.rdb");
    let good = std::fs::read(&rdb).unwrap();
    let mut bad = good.clone();
    let at = bad.len() - 4;
    bad[at] ^= 0x40;
    std::fs::write(&rdb, &bad).unwrap();
    let err = ours_refuses(BIN, &dir, &[]);
    assert!(err.contains("refusing to start") && err.contains("checksum"), "{err}");
    assert_eq!(std::fs::read(&rdb).unwrap(), bad, "the refused file is left as it was");
    std::fs::write(&rdb, &good).unwrap();

    // An AOF whose last command is cut: refused with aof-load-truncated no,
    // loaded up to the last complete command (and cut there) with yes.
    let incr = dir.join("appendonlydir/appendonly.aof.1.incr.aof");
    let mut aof = std::fs::read(&incr).unwrap();
    aof.extend_from_slice(b"*3\r\n$3\r\nSET\r\n$3\r\ncut");
    std::fs::write(&incr, &aof).unwrap();
    let err = ours_refuses(BIN, &dir, &["--appendonly", "yes", "--aof-load-truncated", "no"]);
    assert!(err.contains("unexpected end of file"), "{err}");
    let server = ours(BIN, &dir, &["--appendonly", "yes"]);
    assert_eq!(cmd(&mut Conn::open(server.port), "EXISTS s l h"), redis_emulator::Reply::Integer(3));
    stop(server);
    assert_eq!(std::fs::read(&incr).unwrap().len(), aof.len() - 20, "the truncated tail was cut off");
    let report = check_tool("redis-check-aof", &dir.join("appendonlydir/appendonly.aof.manifest"));
    assert!(report.contains("valid"), "{report}");

    std::fs::write(dir.join("appendonlydir/appendonly.aof.manifest"), b"nonsense\n").unwrap();
    let err = ours_refuses(BIN, &dir, &["--appendonly", "yes"]);
    assert!(err.contains("invalid manifest line"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn shutdown_saves_when_save_points_are_configured() {
    let dir = temp_dir("shutdown");
    let server = ours(BIN, &dir, &[]);
    cmd(&mut Conn::open(server.port), "SET k v");
    server.shutdown(&[]);
    assert!(dir.join("dump.rdb").exists(), "the default save points make SHUTDOWN save");
    let server = ours(BIN, &dir, &[]);
    let mut c = Conn::open(server.port);
    assert_eq!(cmd(&mut c, "GET k"), redis_emulator::Reply::Bulk(b"v".to_vec()));
    assert!(matches!(cmd(&mut c, "SHUTDOWN ABORT"), redis_emulator::Reply::Error(_)));
    cmd(&mut c, "SET k2 v");
    server.shutdown(&["NOSAVE"]);
    let server = ours(BIN, &dir, &[]);
    assert_eq!(cmd(&mut Conn::open(server.port), "EXISTS k2"), redis_emulator::Reply::Integer(0));
    stop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// INFO persistence's `aof_current_size` and `aof_base_size`.
fn aof_sizes(port: u16) -> Vec<String> {
    let text = match cmd(&mut Conn::open(port), "INFO persistence") {
        redis_emulator::Reply::Bulk(b) => String::from_utf8_lossy(&b).into_owned(),
        other => panic!("{other:?}"),
    };
    text.lines()
        .filter(|l| l.starts_with("aof_current_size") || l.starts_with("aof_base_size"))
        .map(String::from)
        .collect()
}

#[test]
fn aof_sizes_follow_redis() {
    let (a, b) = (temp_dir("sizes-ours"), temp_dir("sizes-theirs"));
    let mut servers = vec![ours(BIN, &a, &["--appendonly", "yes", "--save", ""])];
    servers.push(redis(&b, &["--appendonly", "yes", "--save", ""]));
    let mut seen: Vec<Vec<Vec<String>>> = vec![Vec::new(), Vec::new()];
    for (i, s) in servers.iter().enumerate() {
        let mut c = Conn::open(s.port);
        cmd(&mut c, "SET k hello");
        seen[i].push(aof_sizes(s.port));
        cmd(&mut c, "BGREWRITEAOF");
        std::thread::sleep(std::time::Duration::from_millis(300));
        cmd(&mut c, "SET k2 world");
        seen[i].push(aof_sizes(s.port));
    }
    // Fresh start: only the appended commands count, base 0 (identical bytes
    // appended, so identical sizes). After the rewrite the RDB base is
    // counted; its size differs by the aux fields (used-mem), so only the
    // incr part is compared.
    assert_eq!(seen[0][0], seen[1][0]);
    let incr = |v: &Vec<String>| {
        let n = |l: &String| l.split(':').nth(1).and_then(|x| x.trim().parse::<i64>().ok()).unwrap_or(-1);
        n(&v[0]) - n(&v[1])
    };
    assert_eq!(incr(&seen[0][1]), incr(&seen[1][1]));
    for s in servers {
        stop(s);
    }
    let _ = std::fs::remove_dir_all(&a);
    let _ = std::fs::remove_dir_all(&b);
}

/// INFO persistence's field names, in order.
fn info_fields(port: u16) -> Vec<String> {
    let text = match cmd(&mut Conn::open(port), "INFO persistence") {
        redis_emulator::Reply::Bulk(b) => String::from_utf8_lossy(&b).into_owned(),
        other => panic!("{other:?}"),
    };
    text.lines().filter_map(|l| l.split_once(':').map(|(k, _)| k.to_string())).collect()
}

#[test]
fn info_persistence_has_redis_fields_in_redis_order() {
    for aof in ["no", "yes"] {
        let (a, b) = (temp_dir(&format!("info-ours-{aof}")), temp_dir(&format!("info-theirs-{aof}")));
        let server = ours(BIN, &a, &["--appendonly", aof, "--save", ""]);
        let theirs = redis(&b, &["--appendonly", aof, "--save", ""]);
        for port in [server.port, theirs.port] {
            cmd(&mut Conn::open(port), "SET k v");
            cmd(&mut Conn::open(port), "BGREWRITEAOF");
        }
        assert_eq!(info_fields(server.port), info_fields(theirs.port), "appendonly {aof}");
        stop(server);
        stop(theirs);
        let _ = std::fs::remove_dir_all(&a);
        let _ = std::fs::remove_dir_all(&b);
    }
}

/// An incr file with absolute times (runs of 12+ digits) replaced by `T`.
fn without_times(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes).into_owned();
    let mut out = String::new();
    let mut digits = String::new();
    for ch in text.chars().chain(std::iter::once('\0')) {
        if ch.is_ascii_digit() {
            digits.push(ch);
            continue;
        }
        out.push_str(if digits.len() >= 12 { "T" } else { &digits });
        digits.clear();
        if ch != '\0' {
            out.push(ch);
        }
    }
    out.replace("\r\n", " ")
}

#[test]
fn incr_files_are_byte_identical_to_redis() {
    let script: &[&[&str]] = &[
        &["set", "a", "1"],
        &["SET", "b", "2", "EX", "100"],
        &["SET", "c", "3", "NX", "PX", "5000"],
        &["SET", "c", "4", "XX", "EXAT", "99999999999", "GET"],
        &["SET", "d", "4", "PXAT", "99999999999999"],
        &["SET", "d", "5", "KEEPTTL"],
        &["expire", "a", "50"],
        &["pexpire", "a", "50000"],
        &["EXPIREAT", "nokey", "1"],
        &["incr", "n"],
        &["setex", "e", "10", "v"],
        &["psetex", "f", "10000", "v"],
        &["getex", "e", "persist"],
        &["getex", "f", "ex", "100"],
        &["getex", "a"],
        &["GETEX", "b", "PXAT", "1"],
        &["EXPIRE", "c", "-1"],
        &["lpush", "l", "x", "y"],
        &["rpop", "l"],
        &["hset", "h", "f", "v"],
        &["zadd", "z", "1", "m"],
        &["del", "nothing"],
        &["MULTI"],
        &["set", "x", "1"],
        &["incr", "y"],
        &["get", "x"],
        &["EXEC"],
        &["MULTI"],
        &["incr", "y"],
        &["EXEC"],
        &["eval", "redis.call('set','s1','1'); redis.call('incr','s2')", "0"],
        &["eval", "redis.call('set','s3','1')", "0"],
        &["eval", "return redis.call('get','s3')", "0"],
        &["select", "2"],
        &["set", "other", "db"],
        &["rename", "other", "renamed"],
        &["flushdb"],
        &["select", "0"],
        &["persist", "d"],
        &["flushall"],
        &["set", "last", "1"],
    ];
    let (a, b) = (temp_dir("incr-ours"), temp_dir("incr-theirs"));
    let server = ours(BIN, &a, &["--appendonly", "yes", "--save", ""]);
    let theirs = redis(&b, &["--appendonly", "yes", "--save", ""]);
    for port in [server.port, theirs.port] {
        let mut c = Conn::open(port);
        for argv in script {
            common::process::call(&mut c, &argv.iter().map(|s| s.as_bytes()).collect::<Vec<_>>());
        }
    }
    let incr = "appendonlydir/appendonly.aof.1.incr.aof";
    // Redis writes its AOF buffer before replying; ours too.
    let (mine, redis_file) = (std::fs::read(a.join(incr)).unwrap(), std::fs::read(b.join(incr)).unwrap());
    assert!(without_times(&mine).contains("*1 $5 MULTI *3 $3 set $1 x $1 1 *2 $4 incr $1 y *1 $4 EXEC"));
    assert_eq!(without_times(&mine), without_times(&redis_file));
    stop(server);
    stop(theirs);
    let _ = std::fs::remove_dir_all(&a);
    let _ = std::fs::remove_dir_all(&b);
}

#[test]
fn sigterm_saves_like_shutdown() {
    let dir = temp_dir("sigterm");
    let mut server = ours(BIN, &dir, &[]);
    cmd(&mut Conn::open(server.port), "SET k v");
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = server.child.wait().unwrap();
    assert!(status.success(), "a clean exit: {status:?}");
    assert!(dir.join("dump.rdb").exists(), "SIGTERM saved, as SHUTDOWN does with save points");
    let again = ours(BIN, &dir, &[]);
    assert_eq!(cmd(&mut Conn::open(again.port), "GET k"), redis_emulator::Reply::Bulk(b"v".to_vec()));
    stop(again);
    let _ = std::fs::remove_dir_all(&dir);
}
