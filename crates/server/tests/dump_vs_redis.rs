//! DUMP and RESTORE against a real redis-server 7.0: seeded random values of
//! every type in their compact encodings must DUMP to the same bytes on
//! both servers; hashtable sets and hashes (whose member order differs by
//! design) must survive DUMP on one server and RESTORE on the other; and
//! RESTORE's errors must be byte-identical.

mod common;

use std::time::Duration;

use common::random::{Draw, SplitMix64};
use common::{show, start_ours, Conn, RealRedis};
use redis_emulator::resp::parse_reply;
use redis_emulator::Reply;

struct Pair {
    /// Stops the server when the pair is dropped.
    _server: RealRedis,
    real: Conn,
    ours: Conn,
    cases: usize,
    mismatches: Vec<String>,
}

fn argv(parts: &[&[u8]]) -> Vec<Vec<u8>> {
    parts.iter().map(|p| p.to_vec()).collect()
}

fn bulk(raw: &[u8]) -> Option<Vec<u8>> {
    match parse_reply(raw)?.0 {
        Reply::Bulk(b) => Some(b),
        _ => None,
    }
}

fn one(conn: &mut Conn, args: &[Vec<u8>]) -> Vec<u8> {
    conn.send(args);
    conn.read_reply(Duration::from_secs(5)).unwrap_or_else(|| b"(no reply)".to_vec())
}

impl Pair {
    fn start() -> Option<Pair> {
        let real = RealRedis::start()?;
        let ours = start_ours();
        let conn = Conn::open(real.port);
        Some(Pair { _server: real, real: conn, ours: Conn::open(ours), cases: 0, mismatches: Vec::new() })
    }

    /// Sends to both; returns (redis, ours) raw replies.
    fn both(&mut self, args: &[Vec<u8>]) -> (Vec<u8>, Vec<u8>) {
        (one(&mut self.real, args), one(&mut self.ours, args))
    }

    /// Sends to both and records a mismatch if the raw replies differ.
    fn same(&mut self, label: &str, args: &[Vec<u8>]) {
        self.cases += 1;
        let (r, o) = self.both(args);
        if r != o {
            let (r, o) = (show(&r), show(&o));
            let at = r.bytes().zip(o.bytes()).take_while(|(a, b)| a == b).count().saturating_sub(60);
            let clip = |t: &str| t.get(at..).unwrap_or("").chars().take(400).collect::<String>();
            self.mismatches.push(format!("{label} (from char {at})\n  redis: {}\n  ours:  {}", clip(&r), clip(&o)));
        }
    }

    fn finish(self, name: &str, minimum: usize) {
        println!("{name}: {} cases, {} mismatches", self.cases, self.mismatches.len());
        assert!(self.cases >= minimum, "{name}: only {} cases", self.cases);
        let shown: Vec<&String> = self.mismatches.iter().take(10).collect();
        assert!(self.mismatches.is_empty(), "{name}: {} mismatches:\n{shown:#?}", self.mismatches.len());
    }
}

/// A random element: integers of every width, non-canonical numbers,
/// short text, binary bytes, and repetitive text that LZF compresses.
fn element(rng: &mut SplitMix64, max_len: usize) -> Vec<u8> {
    let e = match rng.below(9) {
        0 => rng.int(-200, 200).to_string().into_bytes(),
        1 => rng.int(-100_000, 100_000).to_string().into_bytes(),
        2 => (rng.next() as i64 >> rng.below(63)).to_string().into_bytes(),
        3 => rng.pick(&["007", "-0", "+5", "1.5", " 1", "9223372036854775808", "", "-2147483648"]).into(),
        4 => (0..rng.below(12)).map(|_| b'a' + rng.below(26) as u8).collect(),
        5 => (0..rng.below(90)).map(|_| rng.next() as u8).collect(),
        _ => {
            let unit: Vec<u8> = (0..1 + rng.below(6)).map(|_| b'a' + rng.below(4) as u8).collect();
            let len = 15 + rng.below(200) as usize;
            unit.iter().cycle().take(len).enumerate().map(|(i, &b)| if i % 17 == 3 { b'#' } else { b }).collect()
        }
    };
    e.into_iter().take(max_len).collect()
}

fn score(rng: &mut SplitMix64) -> String {
    match rng.below(7) {
        0 => rng.int(-1000, 1000).to_string(),
        1 => format!("{}.{}", rng.int(-100, 100), rng.below(1000)),
        2 => rng.pick(&["inf", "-inf", "0.1", "1e20", "-0", "4503599627370496", "4503599627370497", "1e-300"]).into(),
        3 => format!("{:e}", f64::from_bits(rng.next() >> 2)),
        4 => (rng.next() as i64 >> rng.below(63)).to_string(),
        _ => format!("{}", rng.int(-1_000_000, 1_000_000) as f64 / 7.0),
    }
}

/// Builds the same random values on both servers and compares their DUMPs.
#[test]
fn dump_is_byte_identical_for_compact_encodings() {
    let Some(mut p) = Pair::start() else { return };
    let mut rng = SplitMix64(2024);
    let mut keys: Vec<String> = Vec::new();
    for i in 0..400 {
        let key = format!("str:{i}");
        let value = if i % 40 == 0 { element(&mut rng, 10_000).repeat(30) } else { element(&mut rng, 10_000) };
        p.both(&[b"SET".to_vec(), key.clone().into_bytes(), value]);
        keys.push(key);
    }
    for i in 0..30 {
        let key = format!("appended:{i}");
        p.both(&argv(&[b"SET", key.as_bytes(), b"12"]));
        p.both(&[b"APPEND".to_vec(), key.clone().into_bytes(), element(&mut rng, 100)]);
        keys.push(key);
    }
    for (i, fill) in ["-2", "-1", "3", "10", "1", "-5", "128"].iter().cycle().take(70).enumerate() {
        p.both(&argv(&[b"CONFIG", b"SET", b"list-max-listpack-size", fill.as_bytes()]));
        // Redis fixes a list's compress depth when it creates the list.
        let depth = (i % 3).to_string();
        p.both(&argv(&[b"CONFIG", b"SET", b"list-compress-depth", depth.as_bytes()]));
        let key = format!("list:{i}:{fill}:{depth}");
        let count = 1 + rng.below(if i % 5 == 0 { 1500 } else { 80 });
        for _ in 0..count {
            let max = if rng.below(20) == 0 { 3000 } else { 60 };
            p.both(&[b"RPUSH".to_vec(), key.clone().into_bytes(), element(&mut rng, max)]);
        }
        let args = argv(&[b"DUMP", key.as_bytes()]);
        p.same(&format!("DUMP {key} (fill {fill})"), &args);
        // Compressed quicklist nodes are written compressed whatever rdbcompression says.
        p.both(&argv(&[b"CONFIG", b"SET", b"rdbcompression", b"no"]));
        p.same(&format!("DUMP {key} (fill {fill}, rdbcompression no)"), &args);
        p.both(&argv(&[b"CONFIG", b"SET", b"rdbcompression", b"yes"]));
    }
    p.both(&argv(&[b"CONFIG", b"SET", b"list-max-listpack-size", b"-2"]));
    p.both(&argv(&[b"CONFIG", b"SET", b"list-compress-depth", b"0"]));
    for i in 0..60 {
        let key = format!("intset:{i}");
        let magnitude = rng.pick(&["100", "30000", "2000000000", "4000000000000000000"]).parse::<i64>().unwrap();
        for _ in 0..1 + rng.below(100) {
            let v = rng.int(-magnitude, magnitude).to_string();
            p.both(&argv(&[b"SADD", key.as_bytes(), v.as_bytes()]));
        }
        keys.push(key);
    }
    for i in 0..60 {
        let key = format!("hash:{i}");
        for _ in 0..1 + rng.below(60) {
            let (f, v) = (element(&mut rng, 64), element(&mut rng, 64));
            p.both(&[b"HSET".to_vec(), key.clone().into_bytes(), f, v]);
        }
        keys.push(key);
    }
    for i in 0..80 {
        let key = format!("zset:{i}");
        let count = if i % 8 == 0 { 129 + rng.below(200) } else { 1 + rng.below(100) };
        for _ in 0..count {
            let s = score(&mut rng);
            let m = element(&mut rng, 64);
            p.both(&[b"ZADD".to_vec(), key.clone().into_bytes(), s.into_bytes(), m]);
        }
        keys.push(key);
    }
    p.both(&argv(&[b"CONFIG", b"SET", b"rdbcompression", b"no"]));
    for i in (0..400).step_by(7) {
        let args = argv(&[b"DUMP", format!("str:{i}").as_bytes()]);
        p.same(&format!("DUMP str:{i} (rdbcompression no)"), &args);
    }

    p.both(&argv(&[b"CONFIG", b"SET", b"rdbcompression", b"yes"]));
    let mut redis_nondeterministic = 0;
    for key in &keys {
        let (real_enc, our_enc) = p.both(&argv(&[b"OBJECT", b"ENCODING", key.as_bytes()]));
        assert_eq!(show(&real_enc), show(&our_enc), "OBJECT ENCODING {key}");
        p.same(&format!("DUMP {key}"), &argv(&[b"DUMP", key.as_bytes()]));
        // Redis's payload restores on ours into a value that dumps the same.
        let (real_dump, _) = p.both(&argv(&[b"DUMP", key.as_bytes()]));
        let copy = format!("{key}:copy");
        let payload = bulk(&real_dump).expect("a payload");
        p.same(&format!("RESTORE {copy}"), &[b"RESTORE".to_vec(), copy.clone().into_bytes(), b"0".to_vec(), payload]);
        let (real_copy, our_copy) = p.both(&argv(&[b"DUMP", copy.as_bytes()]));
        p.cases += 1;
        if real_copy != our_copy {
            // Redis's LZF hash table is uninitialised stack memory: a slot
            // left by an earlier compression can change its output for the
            // same value. Accept that only when Redis itself dumped the two
            // equal values differently and ours matches one of its dumps.
            let (_, our_dump) = p.both(&argv(&[b"DUMP", key.as_bytes()]));
            if real_copy != real_dump && our_copy == our_dump && our_dump == real_dump {
                redis_nondeterministic += 1;
            } else {
                p.mismatches.push(format!("DUMP {copy}\n  redis: {}\n  ours:  {}", show(&real_copy), show(&our_copy)));
            }
        }
    }
    println!("{redis_nondeterministic} values that redis-server itself dumped two ways");
    assert!(redis_nondeterministic * 50 <= keys.len(), "too many: {redis_nondeterministic}");
    p.finish("dump_is_byte_identical_for_compact_encodings", 1500);
}

/// Sorted, printable members of a set or field/value pairs of a hash.
fn contents(conn: &mut Conn, key: &str, hash: bool) -> Vec<String> {
    let cmd: &[u8] = if hash { b"HGETALL" } else { b"SMEMBERS" };
    let raw = one(conn, &argv(&[cmd, key.as_bytes()]));
    let Some((Reply::Array(items), _)) = parse_reply(&raw) else { panic!("{key}: {}", show(&raw)) };
    let items: Vec<String> = items
        .iter()
        .map(|i| match i {
            Reply::Bulk(b) => show(b),
            other => format!("{other:?}"),
        })
        .collect();
    let mut out: Vec<String> = if hash { items.chunks(2).map(|c| c.join(" => ")).collect() } else { items };
    out.sort();
    out
}

/// Hashtable sets and hashes: DUMP on one server, RESTORE on the other,
/// same contents and encoding (member order is not comparable).
#[test]
fn hashtable_values_cross_restore() {
    let Some(mut p) = Pair::start() else { return };
    let mut rng = SplitMix64(77);
    let mut keys = Vec::new();
    for i in 0..40 {
        let (key, hash) = (format!("table:{i}"), i % 2 == 0);
        let count = if i % 4 < 2 { 600 + rng.below(200) } else { 1 + rng.below(50) };
        for _ in 0..count {
            let m = element(&mut rng, if i % 8 == 1 { 200 } else { 40 });
            if hash {
                p.both(&[b"HSET".to_vec(), key.clone().into_bytes(), m, element(&mut rng, 100)]);
            } else {
                p.both(&[b"SADD".to_vec(), key.clone().into_bytes(), m]);
            }
        }
        keys.push((key, hash));
    }
    for (key, hash) in &keys {
        let (real_dump, our_dump) = p.both(&argv(&[b"DUMP", key.as_bytes()]));
        for (from, payload) in [("ours", our_dump), ("redis", real_dump)] {
            let copy = format!("{key}:from-{from}");
            let args = [b"RESTORE".to_vec(), copy.clone().into_bytes(), b"0".to_vec(), bulk(&payload).unwrap()];
            p.same(&format!("RESTORE {copy}"), &args);
            p.cases += 1;
            let (expected, got) = (contents(&mut p.real, key, *hash), contents(&mut p.ours, &copy, *hash));
            let (theirs, mine) = (contents(&mut p.real, &copy, *hash), contents(&mut p.ours, key, *hash));
            if expected != got || theirs != mine || expected != mine {
                p.mismatches.push(format!("{copy}: contents differ after the restore"));
            }
            p.same(&format!("OBJECT ENCODING {copy}"), &argv(&[b"OBJECT", b"ENCODING", copy.as_bytes()]));
        }
    }
    p.finish("hashtable_values_cross_restore", 200);
}

/// RESTORE's errors and TTL handling, byte for byte.
#[test]
fn restore_errors_match() {
    let Some(mut p) = Pair::start() else { return };
    p.both(&argv(&[b"SET", b"k", b"hello"]));
    let (good, _) = p.both(&argv(&[b"DUMP", b"k"]));
    let good = bulk(&good).unwrap();
    let with_footer = |body: &[u8], version: u16| {
        let mut v = body.to_vec();
        v.extend_from_slice(&version.to_le_bytes());
        let crc = redis_emulator::rdb::crc64::crc64(&v);
        v.extend_from_slice(&crc.to_le_bytes());
        v
    };
    let mut flipped = good.clone();
    flipped[2] ^= 0x20;
    let bad_payloads: Vec<(&str, Vec<u8>)> = vec![
        ("short", b"123456789".to_vec()),
        ("flipped", flipped),
        ("version 11", with_footer(b"\x00\x05hello", 11)),
        ("version 9", with_footer(b"\x00\x05hello", 9)),
        ("unknown type", with_footer(b"\x63\x05hello", 10)),
        ("truncated string", with_footer(b"\x00\x09hello", 10)),
        ("empty set", with_footer(b"\x02\x00", 10)),
        ("empty list", with_footer(b"\x12\x00", 10)),
        ("trailing bytes", with_footer(b"\x00\x05helloEXTRA", 10)),
        ("duplicate set member", with_footer(b"\x02\x02\x01a\x01a", 10)),
        ("nan score", with_footer(b"\x05\x01\x01a\x00\x00\x00\x00\x00\x00\xf8\x7f", 10)),
        ("old zset", with_footer(b"\x03\x02\x01a\x031.5\x01b\xfe", 10)),
        ("old list", with_footer(b"\x01\x02\x01a\xc0\x05", 10)),
        ("old hash", with_footer(b"\x04\x01\x01f\x01v", 10)),
    ];
    for (name, payload) in &bad_payloads {
        let key = format!("r:{name}");
        p.same(
            &format!("RESTORE ({name})"),
            &[b"RESTORE".to_vec(), key.clone().into_bytes(), b"0".to_vec(), payload.clone()],
        );
        p.same(&format!("DUMP after ({name})"), &argv(&[b"DUMP", key.as_bytes()]));
    }
    let cases: Vec<Vec<&[u8]>> = vec![
        vec![b"RESTORE", b"k", b"0", &good],
        vec![b"RESTORE", b"k", b"0", &good, b"REPLACE"],
        vec![b"RESTORE", b"n", b"-5", &good],
        vec![b"RESTORE", b"n", b"abc", &good],
        vec![b"RESTORE", b"k", b"-5", &good],
        vec![b"RESTORE", b"n", b"0", &good, b"NOPE"],
        vec![b"RESTORE", b"n", b"0", &good, b"IDLETIME"],
        vec![b"RESTORE", b"n", b"0", &good, b"IDLETIME", b"-1"],
        vec![b"RESTORE", b"n", b"0", &good, b"IDLETIME", b"x"],
        vec![b"RESTORE", b"n", b"0", &good, b"FREQ", b"300"],
        vec![b"RESTORE", b"n", b"0", &good, b"FREQ", b"5", b"IDLETIME", b"5"],
        vec![b"RESTORE", b"n", b"0", &good, b"IDLETIME", b"5", b"FREQ", b"5"],
        vec![b"RESTORE", b"k", b"0", &good, b"FREQ", b"999"],
        vec![b"RESTORE", b"n", b"0"],
        vec![b"RESTORE", b"n", b"4102444800000", &good, b"ABSTTL", b"IDLETIME", b"100"],
        vec![b"PEXPIRETIME", b"n"],
        vec![b"OBJECT", b"IDLETIME", b"n"],
        vec![b"RESTORE", b"n", b"1", &good, b"ABSTTL", b"REPLACE"],
        vec![b"EXISTS", b"n"],
        vec![b"RESTORE", b"n2", b"1000", &good, b"ABSTTL"],
        vec![b"EXISTS", b"n2"],
        vec![b"GET", b"k"],
        vec![b"DUMP"],
        vec![b"DUMP", b"a", b"b"],
    ];
    for case in &cases {
        let label: Vec<String> = case.iter().map(|a| show(&a[..a.len().min(12)])).collect();
        p.same(&label.join(" "), &argv(case));
    }
    p.finish("restore_errors_match", 50);
}

/// A redis-server started on a given RDB file, stopped when dropped.
struct LoadedServer {
    child: std::process::Child,
    port: u16,
}

impl Drop for LoadedServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_on_file(dir: &std::path::Path, file: &str) -> LoadedServer {
    let port = common::free_port();
    let child = std::process::Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .args(["--dir", &dir.to_string_lossy(), "--dbfilename", file])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("redis-server starts");
    let server = LoadedServer { child, port };
    let start = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(10), "redis-server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    server
}

/// An RDB file written by `rdb::file::write` from our engine's databases
/// passes `redis-check-rdb` and loads in redis-server with the same keys,
/// values (compared through DUMP) and expiry times; a file redis-server
/// saves reads back with `rdb::file::read`.
#[test]
fn rdb_file_loads_in_redis_server() {
    if RealRedis::start().is_none() {
        return;
    }
    let mut engine = redis_emulator::Engine::with_manual_clock(1_700_000_000_000, 3);
    let me = engine.connect("t:1");
    let long = "x".repeat(300);
    for line in [
        "SET s hello",
        "SET n 42",
        &format!("SET long {long}"),
        "RPUSH l a b 1 2",
        "SADD si 1 2 3",
        "SADD sh a b c",
        "HSET h f v g 2",
        "ZADD z 1 a 2.5 b",
        "PEXPIREAT s 4102444800000",
        "SELECT 3",
        "SET other db3",
        "PEXPIREAT other 4102444800123",
    ] {
        assert!(!engine.execute_line(me, line).unwrap().is_error(), "{line}");
    }
    let dbs: Vec<_> = (0..engine.db_count()).map(|i| engine.db(i).unwrap().clone()).collect();
    let opts = redis_emulator::rdb::file::WriteOptions::default();
    let aux = redis_emulator::rdb::file::Aux { ctime: 1_700_000_000, ..Default::default() };
    let bytes = redis_emulator::rdb::file::write(&dbs, &[], &aux, &opts).unwrap();
    let dir = std::env::temp_dir().join(format!("redis-lab-rdb-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("ours.rdb"), &bytes).unwrap();

    let check =
        std::process::Command::new("redis-check-rdb").arg(dir.join("ours.rdb")).output().expect("redis-check-rdb runs");
    let report = String::from_utf8_lossy(&check.stdout).into_owned() + &String::from_utf8_lossy(&check.stderr);
    assert!(check.status.success() && report.contains("RDB looks OK"), "redis-check-rdb: {report}");

    let server = start_on_file(&dir, "ours.rdb");
    let mut real = Conn::open(server.port);
    let ours_conn = engine.connect("t:2");
    let ours = |engine: &mut redis_emulator::Engine, args: &[&[u8]]| {
        redis_emulator::resp::to_bytes(
            &engine.execute(ours_conn, args.iter().map(|a| a.to_vec()).collect()),
            redis_emulator::Protocol::Resp2,
        )
    };
    for (db, keys) in [(b"0", &["s", "n", "long", "l", "si", "h", "z"][..]), (b"3", &["other"][..])] {
        one(&mut real, &argv(&[b"SELECT", db]));
        ours(&mut engine, &[b"SELECT", db]);
        let dbsize: &[u8] = b"DBSIZE";
        assert_eq!(show(&one(&mut real, &argv(&[dbsize]))), show(&ours(&mut engine, &[dbsize])), "DBSIZE {db:?}");
        for key in keys {
            for cmd in [&b"DUMP"[..], b"PEXPIRETIME", b"TYPE"] {
                let expected = one(&mut real, &argv(&[cmd, key.as_bytes()]));
                let got = ours(&mut engine, &[cmd, key.as_bytes()]);
                assert_eq!(show(&expected), show(&got), "{} {key}", String::from_utf8_lossy(cmd));
            }
        }
    }
    one(&mut real, &argv(&[b"SELECT", b"0"]));
    let members = one(&mut real, &argv(&[b"SMEMBERS", b"sh"]));
    assert_eq!(
        parse_reply(&members).map(|(r, _)| match r {
            Reply::Array(items) => items.len(),
            _ => 0,
        }),
        Some(3)
    );

    // The other way: redis-server's own SAVE (over the same file, as
    // `dbfilename` is protected) reads back with our reader.
    assert_eq!(one(&mut real, &argv(&[b"SAVE"])), b"+OK\r\n");
    let theirs = std::fs::read(dir.join("ours.rdb")).unwrap();
    assert_ne!(theirs, bytes, "redis-server rewrote the file (its aux fields differ)");
    let loaded =
        redis_emulator::rdb::file::read(&theirs, &Default::default()).expect("our reader reads redis-server's file");
    let mut names: Vec<(usize, String, Option<i64>)> =
        loaded.keys.iter().map(|k| (k.db, String::from_utf8_lossy(&k.key).into_owned(), k.expire_at_ms)).collect();
    names.sort();
    let expected: Vec<(usize, String, Option<i64>)> = [
        (0, "h", None),
        (0, "l", None),
        (0, "long", None),
        (0, "n", None),
        (0, "s", Some(4102444800000)),
        (0, "sh", None),
        (0, "si", None),
        (0, "z", None),
        (3, "other", Some(4102444800123)),
    ]
    .iter()
    .map(|(db, k, t)| (*db, k.to_string(), *t))
    .collect();
    assert_eq!(names, expected);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A stream payload with every PEL delivery time and consumer seen time
/// set to 0 and the CRC recomputed: the two clock-dependent fields of a
/// stream's serialization, found by walking its layout.
/// Reads an RDB length at `at`.
fn rdb_len(p: &[u8], at: &mut usize) -> u64 {
    let first = p[*at];
    *at += 1;
    match first >> 6 {
        0 => (first & 0x3f) as u64,
        1 => {
            *at += 1;
            ((first as u64 & 0x3f) << 8) | p[*at - 1] as u64
        }
        _ if first == 0x80 => {
            *at += 4;
            u32::from_be_bytes(p[*at - 4..*at].try_into().unwrap()) as u64
        }
        _ if first == 0x81 => {
            *at += 8;
            u64::from_be_bytes(p[*at - 8..*at].try_into().unwrap())
        }
        _ => panic!("not a length"),
    }
}
/// Steps over an RDB string at `at`.
fn skip_rdb_string(p: &[u8], at: &mut usize) {
    match p[*at] {
        0xC0 => *at += 2,
        0xC1 => *at += 3,
        0xC2 => *at += 5,
        0xC3 => {
            *at += 1;
            let packed = rdb_len(p, at);
            rdb_len(p, at);
            *at += packed as usize;
        }
        _ => {
            let n = rdb_len(p, at);
            *at += n as usize;
        }
    }
}

fn zero_stream_times(payload: &[u8]) -> Vec<u8> {
    let mut p = payload.to_vec();
    assert_eq!(p[0], 19, "a STREAM_LISTPACKS_2 payload");
    let mut at = 1;
    for _ in 0..rdb_len(&p, &mut at) {
        skip_rdb_string(&p, &mut at);
        skip_rdb_string(&p, &mut at);
    }
    for _ in 0..8 {
        rdb_len(&p, &mut at);
    }
    for _ in 0..rdb_len(&p, &mut at) {
        skip_rdb_string(&p, &mut at);
        for _ in 0..3 {
            rdb_len(&p, &mut at);
        }
        for _ in 0..rdb_len(&p, &mut at) {
            at += 16;
            p[at..at + 8].fill(0);
            at += 8;
            rdb_len(&p, &mut at);
        }
        for _ in 0..rdb_len(&p, &mut at) {
            skip_rdb_string(&p, &mut at);
            p[at..at + 8].fill(0);
            at += 8;
            at += 16 * rdb_len(&p, &mut at) as usize;
        }
    }
    assert_eq!(at + 10, p.len(), "the walk ends at the footer");
    let crc = redis_emulator::rdb::crc64::crc64(&p[..at + 2]);
    p[at + 2..].copy_from_slice(&crc.to_le_bytes());
    p
}

/// The same stream in the older STREAM_LISTPACKS (type 15) layout: no
/// first id, max deleted id, entries added or group entries-read.
fn stream_as_type_15(payload: &[u8]) -> Vec<u8> {
    let p = payload;
    let mut out = vec![15u8];
    let mut at = 1;
    let mut copy_from = at;
    let nodes = rdb_len(p, &mut at);
    for _ in 0..nodes {
        skip_rdb_string(p, &mut at);
        skip_rdb_string(p, &mut at);
    }
    for _ in 0..3 {
        rdb_len(p, &mut at);
    }
    out.extend_from_slice(&p[copy_from..at]);
    for _ in 0..5 {
        rdb_len(p, &mut at);
    }
    copy_from = at;
    for _ in 0..rdb_len(p, &mut at) {
        skip_rdb_string(p, &mut at);
        rdb_len(p, &mut at);
        rdb_len(p, &mut at);
        out.extend_from_slice(&p[copy_from..at]);
        rdb_len(p, &mut at);
        copy_from = at;
        for _ in 0..rdb_len(p, &mut at) {
            at += 24;
            rdb_len(p, &mut at);
        }
        for _ in 0..rdb_len(p, &mut at) {
            skip_rdb_string(p, &mut at);
            at += 8;
            at += 16 * rdb_len(p, &mut at) as usize;
        }
    }
    out.extend_from_slice(&p[copy_from..at]);
    out.extend_from_slice(&10u16.to_le_bytes());
    let crc = redis_emulator::rdb::crc64::crc64(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// Streams built by the same seeded commands on both servers (explicit
/// ids, several node limits, XDEL, exact and approximate XTRIM, groups,
/// consumers, deliveries, acks, claims): their DUMPs are byte-identical
/// once the delivery and seen times (clock readings of each server) are
/// zeroed; and each server's payload restored on the other (and on
/// itself) gives the same XINFO STREAM FULL (times included, as they come
/// from the payload) and DUMPs back to the same bytes.
#[test]
fn stream_dump_is_byte_identical() {
    let Some(mut p) = Pair::start() else { return };
    let mut rng = SplitMix64(1907);
    let field_sets: [&[&str]; 4] = [&["a", "b"], &["temp", "hum", "wind"], &["1", "x"], &["a"]];
    let mut keys = Vec::new();
    for i in 0..60 {
        let key = format!("stream:{i}");
        let max_entries = rng.pick(&["2", "3", "5", "10", "100"]);
        let max_bytes = rng.pick(&["0", "60", "150", "4096"]);
        p.both(&argv(&[b"CONFIG", b"SET", b"stream-node-max-entries", max_entries.as_bytes()]));
        p.both(&argv(&[b"CONFIG", b"SET", b"stream-node-max-bytes", max_bytes.as_bytes()]));
        let (mut ms, mut ids) = (1 + rng.below(1000), Vec::new());
        let count = if i % 10 == 0 { 300 + rng.below(300) } else { 1 + rng.below(40) };
        for _ in 0..count {
            ms += rng.below(3);
            let id = format!("{ms}-{}", rng.below(4) + ids.len() as u64 * 4);
            let mut args = vec![b"XADD".to_vec(), key.clone().into_bytes()];
            if rng.below(15) == 0 {
                args.extend(argv(&[b"MAXLEN", b"~", rng.below(20).to_string().as_bytes()]));
            }
            args.push(id.clone().into_bytes());
            let fields = if rng.below(5) == 0 { field_sets[rng.below(4) as usize] } else { field_sets[i % 4] };
            for f in fields {
                args.push(f.as_bytes().to_vec());
                args.push(element(&mut rng, 40));
            }
            p.same(&format!("XADD {key} {id}"), &args);
            ids.push(id);
        }
        for _ in 0..rng.below(8) {
            let id = ids[rng.below(ids.len() as u64) as usize].clone();
            p.same(&format!("XDEL {key} {id}"), &argv(&[b"XDEL", key.as_bytes(), id.as_bytes()]));
        }
        match rng.below(5) {
            0 => {
                let n = rng.below(count + 1).to_string();
                p.same(&format!("XTRIM {key}"), &argv(&[b"XTRIM", key.as_bytes(), b"MAXLEN", n.as_bytes()]));
            }
            1 => {
                let id = ids[rng.below(ids.len() as u64) as usize].clone();
                let args = argv(&[b"XTRIM", key.as_bytes(), b"MINID", b"~", id.as_bytes()]);
                p.same(&format!("XTRIM {key} MINID ~ {id}"), &args);
            }
            2 => {
                let id = ids[rng.below(ids.len() as u64) as usize].clone();
                p.same(&format!("XTRIM {key} MINID {id}"), &argv(&[b"XTRIM", key.as_bytes(), b"MINID", id.as_bytes()]));
            }
            _ => {}
        }
        for g in 0..rng.below(3) {
            let group = format!("g{g}");
            let start =
                if rng.below(2) == 0 { "0".to_string() } else { ids[rng.below(ids.len() as u64) as usize].clone() };
            p.same(
                &format!("XGROUP CREATE {key} {group}"),
                &argv(&[b"XGROUP", b"CREATE", key.as_bytes(), group.as_bytes(), start.as_bytes()]),
            );
            for _ in 0..rng.below(5) {
                let consumer = rng.pick(&["alice", "bob", "7", "carol"]);
                let n = (1 + rng.below(6)).to_string();
                let args = argv(&[
                    b"XREADGROUP",
                    b"GROUP",
                    group.as_bytes(),
                    consumer.as_bytes(),
                    b"COUNT",
                    n.as_bytes(),
                    b"STREAMS",
                    key.as_bytes(),
                    b">",
                ]);
                p.same(&format!("XREADGROUP {key} {group} {consumer}"), &args);
            }
            let id = ids[rng.below(ids.len() as u64) as usize].clone();
            p.same("XACK", &argv(&[b"XACK", key.as_bytes(), group.as_bytes(), id.as_bytes()]));
            let id = ids[rng.below(ids.len() as u64) as usize].clone();
            let args = argv(&[b"XCLAIM", key.as_bytes(), group.as_bytes(), b"dave", b"0", id.as_bytes(), b"JUSTID"]);
            p.same("XCLAIM", &args);
            if rng.below(3) == 0 {
                p.same(
                    "CREATECONSUMER",
                    &argv(&[b"XGROUP", b"CREATECONSUMER", key.as_bytes(), group.as_bytes(), b"eve"]),
                );
            }
            let id = ids[rng.below(ids.len() as u64) as usize].clone();
            let (k, g) = (key.as_bytes(), group.as_bytes());
            let args = match rng.below(5) {
                0 => argv(&[b"XCLAIM", k, g, b"frank", b"0", id.as_bytes(), b"FORCE", b"RETRYCOUNT", b"7", b"JUSTID"]),
                1 => argv(&[b"XAUTOCLAIM", k, g, b"gina", b"0", b"0", b"COUNT", b"3"]),
                2 => argv(&[b"XGROUP", b"DELCONSUMER", k, g, b"bob"]),
                3 => argv(&[b"XGROUP", b"SETID", k, g, id.as_bytes(), b"ENTRIESREAD", b"2"]),
                _ => argv(&[b"XPENDING", k, g]),
            };
            p.same(&format!("{} {key}", show(&args[0])), &args);
        }
        if rng.below(6) == 0 {
            let top = format!("{}-0", ms + 5);
            let args =
                argv(&[b"XSETID", key.as_bytes(), top.as_bytes(), b"ENTRIESADDED", b"100000", b"MAXDELETEDID", b"1-1"]);
            p.same(&format!("XSETID {key}"), &args);
        }
        keys.push(key);
    }
    p.same("empty stream", &argv(&[b"XGROUP", b"CREATE", b"stream:empty", b"g", b"$", b"MKSTREAM"]));
    p.same("emptied stream", &argv(&[b"XADD", b"stream:emptied", b"5-5", b"f", b"v"]));
    p.same("emptied stream", &argv(&[b"XDEL", b"stream:emptied", b"5-5"]));
    keys.extend(["stream:empty".to_string(), "stream:emptied".to_string()]);
    for key in &keys {
        let (real_dump, our_dump) = p.both(&argv(&[b"DUMP", key.as_bytes()]));
        let (real_dump, our_dump) = (bulk(&real_dump).expect("a payload"), bulk(&our_dump).expect("a payload"));
        p.cases += 1;
        if zero_stream_times(&real_dump) != zero_stream_times(&our_dump) {
            let (r, o) = (show(&real_dump), show(&our_dump));
            let at = r.bytes().zip(o.bytes()).take_while(|(a, b)| a == b).count().saturating_sub(40);
            let clip = |t: &str| t.get(at..).unwrap_or("").chars().take(300).collect::<String>();
            p.mismatches.push(format!("DUMP {key} from char {at}\n  redis: {}\n  ours:  {}", clip(&r), clip(&o)));
        }
        // The older layout loads the same on both (first id, entries added
        // and entries-read derived from the entries).
        let old = stream_as_type_15(&real_dump);
        let copy = format!("{key}:type-15");
        let restored = p.both(&[b"RESTORE".to_vec(), copy.clone().into_bytes(), b"0".to_vec(), old]);
        assert_eq!(restored, (b"+OK\r\n".to_vec(), b"+OK\r\n".to_vec()), "RESTORE {copy}");
        p.same(&format!("XINFO STREAM {copy} FULL"), &argv(&[b"XINFO", b"STREAM", copy.as_bytes(), b"FULL"]));
        p.same(&format!("DUMP {copy}"), &argv(&[b"DUMP", copy.as_bytes()]));
        p.both(&argv(&[b"CONFIG", b"SET", b"rdbcompression", b"no"]));
        let (plain_real, plain_ours) = p.both(&argv(&[b"DUMP", key.as_bytes()]));
        p.both(&argv(&[b"CONFIG", b"SET", b"rdbcompression", b"yes"]));
        p.cases += 1;
        if zero_stream_times(&bulk(&plain_real).unwrap()) != zero_stream_times(&bulk(&plain_ours).unwrap()) {
            p.mismatches.push(format!("DUMP {key} (rdbcompression no)"));
        }
        for (from, payload) in [("redis", &real_dump), ("ours", &our_dump)] {
            let copy = format!("{key}:from-{from}");
            let args = [b"RESTORE".to_vec(), copy.clone().into_bytes(), b"0".to_vec(), payload.clone()];
            p.same(&format!("RESTORE {copy}"), &args);
            p.same(&format!("XINFO STREAM {copy} FULL"), &argv(&[b"XINFO", b"STREAM", copy.as_bytes(), b"FULL"]));
            p.same(&format!("DUMP {copy}"), &argv(&[b"DUMP", copy.as_bytes()]));
            p.cases += 1;
            let (again, _) = p.both(&argv(&[b"DUMP", copy.as_bytes()]));
            if bulk(&again).as_ref() != Some(payload) {
                p.mismatches.push(format!("DUMP {copy} is not the payload it was restored from"));
            }
        }
    }
    p.finish("stream_dump_is_byte_identical", 500);
}

fn start_on_file_with(dir: &std::path::Path, file: &str, extra: &[&str]) -> LoadedServer {
    let port = common::free_port();
    let child = std::process::Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .args(["--dir", &dir.to_string_lossy(), "--dbfilename", file])
        .args(extra)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("redis-server starts");
    let server = LoadedServer { child, port };
    let start = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", server.port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(10), "redis-server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    server
}

/// A seeded random dataset on our engine: every type (streams with
/// groups, consumers and pending entries, lists with compressed nodes),
/// TTLs, three databases.
fn random_engine_dataset(engine: &mut redis_emulator::Engine, me: redis_emulator::ClientId, seed: u64) {
    let mut rng = SplitMix64(seed);
    let mut stream_ms = 1u64;
    for line in ["CONFIG SET list-compress-depth 1", "CONFIG SET list-max-listpack-size 4"] {
        assert!(!engine.execute_line(me, line).unwrap().is_error());
    }
    for _ in 0..3000 {
        let db = rng.below(3);
        let _ = engine.execute_line(me, &format!("SELECT {db}"));
        let k = rng.below(15);
        let v = match rng.below(4) {
            0 => rng.below(100_000).to_string(),
            1 => "x".repeat(rng.below(60) as usize + 1),
            2 => format!("v{}", rng.below(1000)),
            _ => "-12".into(),
        };
        let n = rng.below(5);
        let line = match rng.below(15) {
            0 => format!("SET s{k} {v}"),
            1 => format!("RPUSH l{k} {v} {n} {v}{n}"),
            2 => format!("SADD st{k} {v}"),
            3 => format!("SADD si{k} {}", rng.below(1000)),
            4 => format!("HSET h{k} f{} {v}", rng.below(20)),
            5 => format!("ZADD z{k} {} m{}", rng.below(50) as f64 / 4.0, rng.below(40)),
            6 | 7 => {
                stream_ms += rng.below(3);
                format!("XADD x{k} {stream_ms}-{} f{} {v}", n + stream_ms * 10, rng.below(2))
            }
            8 => format!("XDEL x{k} {stream_ms}-{}", n + stream_ms * 10),
            9 => format!("XGROUP CREATE x{k} g{} 0", rng.below(2)),
            10 => format!("XREADGROUP GROUP g{} c{} COUNT 2 STREAMS x{k} >", rng.below(2), rng.below(3)),
            11 => format!("PEXPIRE s{k} {}", 100_000_000 + rng.below(100_000)),
            12 => format!("EXPIRE l{k} {}", 100_000 + rng.below(1000)),
            13 => format!("XTRIM x{k} MAXLEN {}", 3 + rng.below(6)),
            _ => format!("CONFIG SET stream-node-max-entries {}", 2 + rng.below(5)),
        };
        let _ = engine.execute_line(me, &line);
    }
    let _ = engine.execute_line(me, "SELECT 0");
}

const LIBRARY: &str = "#!lua name=mylib\nredis.register_function('answer', function() return 42 end)";

/// Random datasets written by `rdb::file::write` (with a function
/// library) pass `redis-check-rdb` and load in redis-server: every key
/// DUMPs to the same bytes there (streams included: their delivery and
/// seen times come from the file) with the same PEXPIRETIME, and FUNCTION
/// LIST shows the library. redis-server's SAVE of that data reads back
/// with `rdb::file::read` into values that DUMP to the same bytes, with
/// the same TTLs and the library code.
#[test]
fn random_dataset_files_round_trip_with_redis_server() {
    if RealRedis::start().is_none() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("redis-lab-rdb-random-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for seed in [1u64, 2, 3] {
        // A clock in 2096, so that TTLs are still ahead when redis-server loads the file.
        let mut engine = redis_emulator::Engine::with_manual_clock(4_000_000_000_000, seed);
        let me = engine.connect("t:1");
        random_engine_dataset(&mut engine, me, seed);
        let dbs: Vec<_> = (0..engine.db_count()).map(|i| engine.db(i).unwrap().clone()).collect();
        let config = redis_emulator::Config { list_compress_depth: 1, ..Default::default() };
        let opts = redis_emulator::rdb::file::WriteOptions::from_config(&config, 4_000_000_000_000);
        let aux = redis_emulator::rdb::file::Aux { ctime: 1_700_000_000, ..Default::default() };
        let bytes = redis_emulator::rdb::file::write(&dbs, &[LIBRARY.as_bytes()], &aux, &opts).unwrap();
        let name = format!("ours-{seed}.rdb");
        std::fs::write(dir.join(&name), &bytes).unwrap();
        let check = std::process::Command::new("redis-check-rdb").arg(dir.join(&name)).output().unwrap();
        let report = String::from_utf8_lossy(&check.stdout).into_owned() + &String::from_utf8_lossy(&check.stderr);
        assert!(check.status.success() && report.contains("RDB looks OK"), "seed {seed}: {report}");

        let server = start_on_file_with(&dir, &name, &["--list-compress-depth", "1"]);
        let mut real = Conn::open(server.port);
        let functions = show(&one(&mut real, &argv(&[b"FUNCTION", b"LIST", b"WITHCODE"])));
        assert!(functions.contains("mylib") && functions.contains("answer"), "seed {seed}: {functions}");
        let mut compared = 0;
        let mut streams = 0;
        for (db, entries) in dbs.iter().enumerate() {
            one(&mut real, &argv(&[b"SELECT", db.to_string().as_bytes()]));
            let dbsize = show(&one(&mut real, &argv(&[b"DBSIZE"])));
            assert_eq!(dbsize, format!(":{}\\r\\n", entries.len()), "seed {seed} db {db}");
            for (key, entry) in entries.iter() {
                let ours = redis_emulator::rdb::dump_payload(&entry.value, &opts.values).unwrap();
                let enc = show(&one(&mut real, &argv(&[b"OBJECT", b"ENCODING", key])));
                let theirs = bulk(&one(&mut real, &argv(&[b"DUMP", key]))).expect("the key loaded");
                if !enc.contains("hashtable") {
                    assert_eq!(show(&theirs), show(&ours), "seed {seed} db {db} {}", show(key));
                }
                streams += usize::from(ours[0] == 19);
                let expire = show(&one(&mut real, &argv(&[b"PEXPIRETIME", key])));
                assert_eq!(expire, format!(":{}\\r\\n", entry.expire_at().unwrap_or(-1)), "{}", show(key));
                compared += 1;
            }
        }
        assert!(compared > 100 && streams > 10, "seed {seed}: {compared} keys, {streams} streams");

        // The other way: redis-server's own file.
        assert_eq!(one(&mut real, &argv(&[b"SAVE"])), b"+OK\r\n");
        let theirs = std::fs::read(dir.join(&name)).unwrap();
        let loaded = redis_emulator::rdb::file::read(&theirs, &Default::default()).expect("our reader reads it");
        assert_eq!(loaded.libraries, vec![LIBRARY.as_bytes().to_vec()]);
        assert_eq!(loaded.keys.len(), dbs.iter().map(|d| d.len()).sum::<usize>());
        for k in &loaded.keys {
            let entry = dbs[k.db].get(&k.key).expect("a key of ours");
            assert_eq!(k.expire_at_ms, entry.expire_at(), "{}", show(&k.key));
            let ours = redis_emulator::rdb::dump_payload(&entry.value, &opts.values).unwrap();
            let back = redis_emulator::rdb::dump_payload(&k.value, &opts.values).unwrap();
            if ours[0] != 2 && ours[0] != 4 {
                assert_eq!(show(&back), show(&ours), "seed {seed}: {}", show(&k.key));
            }
        }
        drop(server);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The double-quoted `\xHH` strings of a Tcl file (RESTORE payloads).
fn tcl_payloads(text: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for piece in text.split("\"\\x").skip(1) {
        let Some(end) = piece.find('"') else { continue };
        let body = format!("\\x{}", &piece[..end]);
        let (bytes, mut i, mut v) = (body.as_bytes(), 0, Vec::new());
        while i < bytes.len() {
            if bytes[i] == b'\\' && bytes.get(i + 1) == Some(&b'x') {
                let hex: String = body[i + 2..].chars().take(2).take_while(|c| c.is_ascii_hexdigit()).collect();
                v.push(u8::from_str_radix(&hex, 16).unwrap_or(0));
                i += 2 + hex.len();
            } else {
                v.push(bytes[i]);
                i += 1;
            }
        }
        out.push(v);
    }
    out
}

/// The payloads of Redis's corrupt-dump tests: RESTORE on redis-server
/// with `sanitize-dump-payload yes` and on ours gives the same reply, and
/// what both accept reads back the same (TYPE, DUMP, XINFO STREAM FULL).
#[test]
fn corrupt_dump_payloads_are_judged_as_redis_does() {
    let Some(mut p) = Pair::start() else { return };
    let tests = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/redis-tests-7.0.15/tests");
    let text = std::fs::read_to_string(tests.join("integration/corrupt-dump.tcl"))
        .expect("Redis's tests beside the repository");
    p.real.send(&argv(&[b"CONFIG", b"SET", b"sanitize-dump-payload", b"yes"]));
    assert_eq!(p.real.read_reply(Duration::from_secs(5)).unwrap(), b"+OK\r\n");
    let payloads = tcl_payloads(&text);
    assert!(payloads.len() > 40);
    let mut accepted = 0;
    for (i, payload) in payloads.iter().enumerate() {
        let (r, o) = p.both(&[b"RESTORE".to_vec(), b"k".to_vec(), b"0".to_vec(), payload.clone(), b"REPLACE".to_vec()]);
        p.cases += 1;
        if r != o {
            p.mismatches.push(format!("payload {i}: redis {} ours {}", show(&r), show(&o)));
            p.both(&argv(&[b"DEL", b"k"]));
            continue;
        }
        if r == b"+OK\r\n" {
            accepted += 1;
            for cmd in [&[&b"TYPE"[..], b"k"][..], &[b"DUMP", b"k"], &[b"XINFO", b"STREAM", b"k", b"FULL"]] {
                p.same(&format!("payload {i}: {}", show(cmd[0])), &argv(cmd));
            }
            p.both(&argv(&[b"DEL", b"k"]));
        }
    }
    println!("{accepted} payloads accepted by both");
    p.finish("corrupt_dump_payloads_are_judged_as_redis_does", 60);
}
