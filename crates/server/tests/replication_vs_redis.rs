//! Replication between our server and a real redis-server 7.0, both ways:
//! a real replica of our master, and our replica of a real master. After a
//! seeded random write load (every type, expiries, MULTI, a script,
//! several databases), every key must DUMP to the same bytes with the same
//! expiry on both sides; ROLE and WAIT answer in redis-server's shapes.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::random::{Draw, SplitMix64};
use common::{show, start_ours, Conn, RealRedis};
use redis_emulator::resp::parse_reply;
use redis_emulator::tokenizer::split_line;
use redis_emulator::Reply;

fn cmd(conn: &mut Conn, line: &str) -> Reply {
    let argv = split_line(line).expect("valid line");
    conn.send(&argv);
    let raw = conn.read_reply(Duration::from_secs(10)).unwrap_or_else(|| panic!("no reply to {line}"));
    parse_reply(&raw).map(|(r, _)| r).unwrap_or_else(|| panic!("bad reply to {line}: {}", show(&raw)))
}

fn cmd_argv(conn: &mut Conn, argv: Vec<Vec<u8>>) -> Reply {
    conn.send(&argv);
    let raw = conn.read_reply(Duration::from_secs(10)).expect("a reply");
    parse_reply(&raw).map(|(r, _)| r).expect("a parsable reply")
}

fn text(reply: Reply) -> String {
    match reply {
        Reply::Bulk(b) => String::from_utf8_lossy(&b).into_owned(),
        Reply::Verbatim(s) => s,
        other => format!("{other:?}"),
    }
}

/// Waits until `conn`'s server reports its link to the master up.
fn wait_link_up(conn: &mut Conn) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        if text(cmd(conn, "INFO replication")).contains("master_link_status:up") {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the replica never connected: {}", text(cmd(conn, "INFO replication")));
}

/// Every key of databases 0-3: DUMP payload and PEXPIRETIME.
fn snapshot(conn: &mut Conn) -> BTreeMap<(usize, Vec<u8>), (Vec<u8>, i64)> {
    let mut out = BTreeMap::new();
    for db in 0..4 {
        cmd(conn, &format!("SELECT {db}"));
        let Reply::Array(keys) = cmd(conn, "KEYS *") else { panic!("KEYS") };
        for key in keys {
            let Reply::Bulk(key) = key else { continue };
            let Reply::Bulk(dump) = cmd_argv(conn, vec![b"DUMP".to_vec(), key.clone()]) else { continue };
            let Reply::Integer(at) = cmd_argv(conn, vec![b"PEXPIRETIME".to_vec(), key.clone()]) else { panic!() };
            out.insert((db, key), (dump, at));
        }
    }
    cmd(conn, "SELECT 0");
    out
}

/// A seeded write load over every type: small collections (compact
/// encodings, whose DUMP is the same on both servers), integer sets,
/// expiries short and long, MULTI/EXEC, a script, several databases.
fn write_load(master: &mut Conn, seed: u64, n: usize) {
    let mut r = SplitMix64(seed);
    for i in 0..n {
        let k = format!("k{}", r.below(25));
        let v = r.below(1000);
        let line = match r.below(20) {
            0 => format!("SET {k} v{v}"),
            1 => format!("SET {k} v{v} PX {}", 50 + r.below(400)),
            2 => format!("SET {k} {v} EX 1000"),
            3 => format!("APPEND {k} x{v}"),
            4 => format!("RPUSH l{k} a{v} {v}"),
            5 => format!("LPOP l{k}"),
            6 => format!("HSET h{k} f{} {v}", r.below(6)),
            7 => format!("HDEL h{k} f{}", r.below(6)),
            8 => format!("SADD s{k} {v} {}", r.below(50)),
            9 => format!("SPOP s{k}"),
            10 => format!("ZADD z{k} {} m{}", r.int(-50, 50), r.below(8)),
            11 => format!("ZINCRBY z{k} 1.5 m{}", r.below(8)),
            12 => format!("XADD x{k} * f {v}"),
            13 => format!("PFADD p{k} {v} e{i}"),
            14 => format!("SETBIT b{k} {} 1", r.below(200)),
            15 => format!("GEOADD g{k} {}.25 {}.5 m{}", r.int(-170, 170), r.int(-80, 80), r.below(4)),
            16 => format!("EXPIRE h{k} {}", 1 + r.below(1000)),
            17 => format!("SELECT {}", r.below(4)),
            18 => format!(
                "EVAL \"redis.call('incrby', KEYS[1], ARGV[1]); return redis.call('lpush', KEYS[2], ARGV[1])\" 2 n{k} q{k} {v}"
            ),
            _ => {
                cmd(master, "MULTI");
                cmd(master, &format!("INCR c{k}"));
                cmd(master, &format!("LPUSH q{k} {v}"));
                cmd(master, &format!("DEL {k}"));
                "EXEC".into()
            }
        };
        let reply = cmd(master, &line);
        assert!(!matches!(reply, Reply::Error(ref e) if !e.starts_with("WRONGTYPE")), "{line}: {reply:?}");
    }
    cmd(master, "SELECT 0");
}

/// The load, then the short TTLs pass and their DELs travel; the replica
/// acknowledges everything (WAIT answers 1 as redis-server does).
fn load_and_settle(master: &mut Conn, seed: u64) {
    write_load(master, seed, 1500);
    std::thread::sleep(Duration::from_millis(600));
    // Reading every key makes the master expire what is due (and propagate it).
    snapshot(master);
    let wait = cmd(master, "WAIT 1 5000");
    assert_eq!(wait, Reply::Integer(1), "WAIT 1 5000 on the master");
}

fn compare(master: &mut Conn, replica: &mut Conn) {
    let on_master = snapshot(master);
    let on_replica = snapshot(replica);
    assert!(on_master.len() > 50, "the load made keys: {}", on_master.len());
    let missing: Vec<_> = on_master.keys().filter(|k| !on_replica.contains_key(*k)).take(5).collect();
    let extra: Vec<_> = on_replica.keys().filter(|k| !on_master.contains_key(*k)).take(5).collect();
    let differ: Vec<_> =
        on_master.iter().filter(|(k, v)| on_replica.get(*k).is_some_and(|w| w != *v)).take(5).collect();
    assert!(
        missing.is_empty() && extra.is_empty() && differ.is_empty(),
        "missing {missing:?} extra {extra:?} differ {differ:?}"
    );
}

/// Integers and numeric bulk strings masked (ports, offsets differ by run).
fn masked(reply: &Reply) -> Reply {
    match reply {
        Reply::Integer(_) => Reply::Integer(0),
        Reply::Bulk(b) if std::str::from_utf8(b).is_ok_and(|s| s.parse::<i64>().is_ok()) => Reply::bulk_str("N"),
        Reply::Array(items) => Reply::Array(items.iter().map(masked).collect()),
        other => other.clone(),
    }
}

#[test]
fn real_redis_replicates_our_server() {
    let Some(real) = RealRedis::start() else { return };
    let ours = start_ours();
    let mut master = Conn::open(ours);
    let mut replica = Conn::open(real.port);
    cmd(&mut master, "SET before-sync 1");
    // Loaded from the socket: no dump.rdb left in the working directory.
    cmd(&mut replica, "CONFIG SET repl-diskless-load swapdb");
    assert_eq!(cmd(&mut replica, &format!("REPLICAOF 127.0.0.1 {ours}")), Reply::ok());
    wait_link_up(&mut replica);
    load_and_settle(&mut master, 7);
    compare(&mut master, &mut replica);
    // ROLE as redis-server shapes it (the master's offset and the replica's
    // acknowledged offset masked).
    std::thread::sleep(Duration::from_millis(1100));
    let role = masked(&cmd(&mut master, "ROLE"));
    let port = Reply::bulk_str("N");
    let entry = Reply::Array(vec![Reply::bulk_str("127.0.0.1"), port, Reply::bulk_str("N")]);
    assert_eq!(role, Reply::Array(vec![Reply::bulk_str("master"), Reply::Integer(0), Reply::Array(vec![entry])]));
    let real_role = masked(&cmd(&mut replica, "ROLE"));
    let expected = Reply::Array(vec![
        Reply::bulk_str("slave"),
        Reply::bulk_str("127.0.0.1"),
        Reply::Integer(0),
        Reply::bulk_str("connected"),
        Reply::Integer(0),
    ]);
    assert_eq!(real_role, expected);
    // The replica's offset is the master's.
    let Reply::Array(ours_role) = cmd(&mut master, "ROLE") else { panic!() };
    let Reply::Array(real_role) = cmd(&mut replica, "ROLE") else { panic!() };
    assert_eq!(ours_role[1], real_role[4]);
    let info = text(cmd(&mut master, "INFO replication"));
    assert!(info.contains("connected_slaves:1\r\nslave0:ip=127.0.0.1,port="), "{info}");
    assert!(info.contains(",state=online,offset="), "{info}");
}

#[test]
fn our_server_replicates_real_redis() {
    let Some(real) = RealRedis::start() else { return };
    let ours = start_ours();
    let mut master = Conn::open(real.port);
    let mut replica = Conn::open(ours);
    // No 5 s wait before the diskless transfer.
    cmd(&mut master, "CONFIG SET repl-diskless-sync-delay 0");
    cmd(&mut master, "SET before-sync 1");
    cmd(&mut master, "HSET before-hash a 1");
    assert_eq!(cmd(&mut replica, &format!("REPLICAOF 127.0.0.1 {}", real.port)), Reply::ok());
    assert_eq!(
        cmd(&mut replica, &format!("REPLICAOF 127.0.0.1 {}", real.port)),
        Reply::status("OK Already connected to specified master")
    );
    wait_link_up(&mut replica);
    load_and_settle(&mut master, 11);
    compare(&mut master, &mut replica);
    assert_eq!(cmd(&mut replica, "SET x 1"), Reply::error("READONLY You can't write against a read only replica."));
    std::thread::sleep(Duration::from_millis(1100));
    // Our ROLE as a replica, against redis-server's as a master.
    let Reply::Array(ours_role) = cmd(&mut replica, "ROLE") else { panic!() };
    let Reply::Array(real_role) = cmd(&mut master, "ROLE") else { panic!() };
    assert_eq!(ours_role[0], Reply::bulk_str("slave"));
    assert_eq!(ours_role[2], Reply::Integer(real.port as i64));
    assert_eq!(ours_role[3], Reply::bulk_str("connected"));
    assert_eq!(ours_role[4], real_role[1], "our offset is the master's");
    // redis-server lists us with the port we announced and our acknowledged offset.
    let Reply::Array(listed) = &real_role[2] else { panic!() };
    let Reply::Array(entry) = &listed[0] else { panic!() };
    assert_eq!(entry[0], Reply::bulk_str("127.0.0.1"));
    assert_eq!(entry[1], Reply::bulk_str(&ours.to_string()));
    let Reply::Integer(offset) = real_role[1] else { panic!() };
    assert_eq!(entry[2], Reply::bulk_str(&offset.to_string()));
    // Promotion keeps the data under a new history.
    assert_eq!(cmd(&mut replica, "REPLICAOF NO ONE"), Reply::ok());
    let info = text(cmd(&mut replica, "INFO replication"));
    let real_info = text(cmd(&mut master, "INFO replication"));
    let real_id = real_info.lines().find_map(|l| l.strip_prefix("master_replid:")).expect("replid");
    assert!(info.contains(&format!("master_replid2:{real_id}")), "{info}");
    assert_eq!(cmd(&mut replica, "GET before-sync"), Reply::Bulk(b"1".to_vec()));
    assert_eq!(cmd(&mut replica, "SET x 1"), Reply::ok());
}

/// The names of INFO replication's fields, in order (values differ by run).
fn info_names(conn: &mut Conn) -> Vec<String> {
    let info = text(cmd(conn, "INFO replication"));
    info.lines().filter_map(|l| l.split_once(':').map(|(name, _)| name.to_string())).collect()
}

fn role_name(conn: &mut Conn) -> Reply {
    let Reply::Array(role) = cmd(conn, "ROLE") else { panic!("ROLE") };
    role[0].clone()
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        if done() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("timed out waiting for {what}");
}

#[test]
fn info_fields_and_failover_both_ways_with_real_redis() {
    let Some(real) = RealRedis::start() else { return };
    let ours = start_ours();
    let mut o = Conn::open(ours);
    let mut r = Conn::open(real.port);
    cmd(&mut r, "CONFIG SET repl-diskless-sync-delay 0");
    cmd(&mut r, "CONFIG SET repl-diskless-load swapdb");
    // Ours replicates the real server: each side's INFO names the fields the other's would.
    assert_eq!(cmd(&mut o, &format!("REPLICAOF 127.0.0.1 {}", real.port)), Reply::ok());
    wait_link_up(&mut o);
    cmd(&mut r, "SET a 1");
    assert_eq!(cmd(&mut r, "WAIT 1 5000"), Reply::Integer(1));
    let (ours_as_replica, real_as_master) = (info_names(&mut o), info_names(&mut r));
    // The real server replicates ours.
    assert_eq!(cmd(&mut o, "REPLICAOF NO ONE"), Reply::ok());
    assert_eq!(cmd(&mut r, &format!("REPLICAOF 127.0.0.1 {ours}")), Reply::ok());
    wait_link_up(&mut r);
    cmd(&mut o, "SET b 2");
    assert_eq!(cmd(&mut o, "WAIT 1 5000"), Reply::Integer(1));
    assert_eq!(info_names(&mut o), real_as_master, "INFO replication of a master with one replica");
    // The replica's connection is not a client in INFO, and shows flag S in CLIENT LIST.
    assert!(text(cmd(&mut o, "INFO clients")).contains("connected_clients:1\r\n"));
    assert!(text(cmd(&mut o, "CLIENT LIST TYPE replica")).contains(" flags=S "));
    assert_eq!(ours_as_replica, info_names(&mut r), "INFO replication of a connected replica");
    // FAILOVER on our master: the real replica takes over and we follow it.
    assert_eq!(cmd(&mut o, "FAILOVER"), Reply::ok());
    wait_for("the real replica to become master", || role_name(&mut r) == Reply::bulk_str("master"));
    wait_for("our link to the new master", || text(cmd(&mut o, "INFO replication")).contains("master_link_status:up"));
    cmd(&mut r, "SET c 3");
    assert_eq!(cmd(&mut r, "WAIT 1 5000"), Reply::Integer(1));
    assert_eq!(cmd(&mut o, "GET c"), Reply::Bulk(b"3".to_vec()));
    // FAILOVER on the real master: ours takes over, with a partial resync.
    assert_eq!(cmd(&mut r, "FAILOVER"), Reply::ok());
    wait_for("our server to become master", || role_name(&mut o) == Reply::bulk_str("master"));
    wait_for("the real link to us", || text(cmd(&mut r, "INFO replication")).contains("master_link_status:up"));
    cmd(&mut o, "SET d 4");
    assert_eq!(cmd(&mut o, "WAIT 1 5000"), Reply::Integer(1));
    assert_eq!(cmd(&mut r, "GET d"), Reply::Bulk(b"4".to_vec()));
    let stats = text(cmd(&mut o, "INFO stats"));
    // Both times the real server came to us (after REPLICAOF NO ONE, then
    // FAILOVER) it continued the shared history: no full copy.
    assert!(stats.contains("sync_full:0\r\nsync_partial_ok:2\r\nsync_partial_err:0"), "{stats}");
}

/// `--replicaof host port` and `--replicaof host:port` on our binary, in a
/// chain: redis-server → ours → ours; the middle one passes the stream on.
#[test]
fn replicaof_on_the_command_line_and_a_chain_through_our_server() {
    const BIN: &str = env!("CARGO_BIN_EXE_redis-emulator-server");
    let Some(real) = RealRedis::start() else { return };
    let mut master = Conn::open(real.port);
    cmd(&mut master, "CONFIG SET repl-diskless-sync-delay 0");
    cmd(&mut master, "SET before 1");
    let dir_a = common::process::temp_dir("repl-chain-a");
    let dir_b = common::process::temp_dir("repl-chain-b");
    let a = common::process::ours(BIN, &dir_a, &["--replicaof", "127.0.0.1", &real.port.to_string()]);
    let b = common::process::ours(BIN, &dir_b, &["--replicaof", &format!("127.0.0.1:{}", a.port)]);
    let (mut ca, mut cb) = (Conn::open(a.port), Conn::open(b.port));
    wait_link_up(&mut ca);
    wait_link_up(&mut cb);
    load_and_settle(&mut master, 23);
    wait_for("the end of the chain to catch up", || {
        let Reply::Array(ra) = cmd(&mut master, "ROLE") else { return false };
        let Reply::Array(rb) = cmd(&mut cb, "ROLE") else { return false };
        ra[1] == rb[4]
    });
    let on_master = snapshot(&mut master);
    assert_eq!(snapshot(&mut ca), on_master);
    assert_eq!(snapshot(&mut cb), on_master);
    let Reply::Array(role) = cmd(&mut cb, "ROLE") else { panic!() };
    assert_eq!(role[2], Reply::Integer(a.port as i64));
}
