//! Replication in one process: a master and replicas in a `Topology`,
//! converging, lagging behind a slow or cut link, losing what the master
//! had not propagated, and never losing a write that `WAIT` confirmed.

mod common;

use std::collections::BTreeMap;

use common::T0;
use redis_emulator::replication::topology::Topology;
use redis_emulator::rng::Rng;
use redis_emulator::Reply;

fn run(t: &mut Topology, node: usize, line: &str) -> Reply {
    t.run_line(node, line)
}

fn text(r: Reply) -> String {
    match r {
        Reply::Verbatim(s) => s,
        Reply::Bulk(b) => String::from_utf8(b).unwrap(),
        other => panic!("expected text, got {other:?}"),
    }
}

fn int(r: &Reply) -> i64 {
    match r {
        Reply::Integer(n) => *n,
        other => panic!("expected an integer, got {other:?}"),
    }
}

/// Every key of every database with its DUMP payload and absolute expiry.
fn snapshot(t: &mut Topology, node: usize) -> BTreeMap<(usize, Vec<u8>), (Vec<u8>, i64)> {
    let mut out = BTreeMap::new();
    for db in 0..16 {
        run(t, node, &format!("SELECT {db}"));
        let Reply::Array(keys) = t.run(node, vec![b"KEYS".to_vec(), b"*".to_vec()]) else { panic!("KEYS") };
        for k in keys {
            let Reply::Bulk(key) = k else { continue };
            let dump = match t.run(node, vec![b"DUMP".to_vec(), key.clone()]) {
                Reply::Bulk(d) => d,
                _ => continue,
            };
            let at = int(&t.run(node, vec![b"PEXPIRETIME".to_vec(), key.clone()]));
            out.insert((db, key), (dump, at));
        }
    }
    run(t, node, "SELECT 0");
    out
}

/// A master on 7000 and replicas on 7001, 7002, linked and in sync.
fn trio() -> Topology {
    let mut t = Topology::new(T0, 11);
    for port in [7000, 7001, 7002] {
        t.add_node(port);
    }
    assert_eq!(run(&mut t, 1, "REPLICAOF 127.0.0.1 7000"), Reply::ok());
    assert_eq!(run(&mut t, 2, "REPLICAOF 127.0.0.1 7000"), Reply::ok());
    t.advance(50);
    t
}

fn random_write(t: &mut Topology, rng: &mut Rng, n: usize) {
    let key = format!("k{}", rng.below(30));
    let v = rng.below(1000);
    let line = match rng.below(14) {
        0 => format!("SET {key} v{v}"),
        1 => format!("SET {key} v{v} PX {}", 1 + rng.below(300)),
        2 => format!("RPUSH l{key} a{v} b{v}"),
        3 => format!("HSET h{key} f{} {v}", rng.below(5)),
        4 => format!("SADD s{key} m{v}"),
        5 => format!("ZADD z{key} {v} m{}", rng.below(9)),
        6 => format!("INCRBY n{key} {v}"),
        7 => format!("DEL {key} l{key}"),
        8 => format!("EXPIRE h{key} {}", 1 + rng.below(2)),
        9 => format!("XADD x{key} * f {v}"),
        10 => format!("SELECT {}", rng.below(3)),
        11 => format!(
            "EVAL \"redis.call('set', KEYS[1], ARGV[1]); return redis.call('incr', KEYS[2])\" 2 e{key} c{key} {v}"
        ),
        12 => format!("SPOP s{key}"),
        _ => {
            run(t, 0, "MULTI");
            run(t, 0, &format!("LPUSH q{key} {v}"));
            run(t, 0, &format!("PFADD p{key} {v} {n}"));
            "EXEC".to_string()
        }
    };
    let reply = run(t, 0, &line);
    assert!(!matches!(reply, Reply::Error(_)), "{line}: {reply:?}");
}

#[test]
fn master_and_two_replicas_converge_after_random_writes() {
    let mut t = trio();
    let mut rng = Rng::new(3);
    for n in 0..600 {
        random_write(&mut t, &mut rng, n);
        if n % 50 == 0 {
            t.advance(rng.below(400) as i64);
        }
    }
    run(&mut t, 0, "SELECT 0");
    // Long enough for every TTL to have passed and its DEL to arrive.
    t.advance(3000);
    let master = snapshot(&mut t, 0);
    assert!(master.len() > 20, "the load made keys: {}", master.len());
    assert_eq!(snapshot(&mut t, 1), master);
    assert_eq!(snapshot(&mut t, 2), master);
    let offset = t.engine(0).unwrap().master_repl_offset();
    assert_eq!(t.engine(1).unwrap().master_repl_offset(), offset);
    assert_eq!(t.engine(2).unwrap().master_repl_offset(), offset);
    // The replicas first offered their own (fresh) history, as Redis 7.0 does.
    assert_eq!(t.engine(0).unwrap().sync_counts(), (2, 0, 2));
}

#[test]
fn roles_info_and_readonly_replicas() {
    let mut t = trio();
    run(&mut t, 0, "SET a 1");
    t.advance(1100);
    let offset = t.engine(0).unwrap().master_repl_offset();
    let Reply::Array(role) = run(&mut t, 0, "ROLE") else { panic!() };
    assert_eq!(role[0], Reply::bulk_str("master"));
    assert_eq!(role[1], Reply::Integer(offset));
    let Reply::Array(replicas) = &role[2] else { panic!() };
    assert_eq!(replicas.len(), 2);
    assert_eq!(
        replicas[0],
        Reply::Array(vec![Reply::bulk_str("127.0.0.1"), Reply::bulk_str("7001"), Reply::bulk_str(&offset.to_string())])
    );
    let role = run(&mut t, 1, "ROLE");
    let expected = Reply::Array(vec![
        Reply::bulk_str("slave"),
        Reply::bulk_str("127.0.0.1"),
        Reply::Integer(7000),
        Reply::bulk_str("connected"),
        Reply::Integer(offset),
    ]);
    assert_eq!(role, expected);
    let role_in_hello = |reply: Reply| match reply {
        Reply::Map(pairs) => pairs.into_iter().find(|(k, _)| *k == Reply::bulk_str("role")).map(|(_, v)| v),
        _ => None,
    };
    assert_eq!(role_in_hello(run(&mut t, 1, "HELLO 2")), Some(Reply::bulk_str("replica")));
    assert_eq!(role_in_hello(run(&mut t, 0, "HELLO 2")), Some(Reply::bulk_str("master")));
    assert_eq!(run(&mut t, 1, "GET a"), Reply::Bulk(b"1".to_vec()));
    assert_eq!(run(&mut t, 1, "SET a 2"), Reply::error("READONLY You can't write against a read only replica."));
    assert_eq!(run(&mut t, 1, "WAIT 0 0").error_text().map(|e| e.starts_with("ERR WAIT cannot be used")), Some(true));
    let info = text(run(&mut t, 0, "INFO replication"));
    assert!(info.contains("connected_slaves:2\r\nslave0:ip=127.0.0.1,port=7001,state=online,"), "{info}");
    let info = text(run(&mut t, 1, "INFO replication"));
    assert!(info.starts_with("# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:7000\r\n"), "{info}");
    assert!(info.contains("master_link_status:up"), "{info}");
    // Serving stale data: refused once the link is down and the option is off.
    run(&mut t, 1, "CONFIG SET replica-serve-stale-data no");
    t.cut(1);
    let down = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
    assert_eq!(run(&mut t, 1, "GET a"), Reply::error(down));
    assert_eq!(run(&mut t, 1, "ROLE").clone(), {
        let Reply::Array(mut r) = run(&mut t, 1, "ROLE") else { panic!() };
        r[3] = Reply::bulk_str("connect");
        r[4] = Reply::Integer(-1);
        Reply::Array(r)
    });
    // min-replicas-to-write counts replicas that acknowledged recently.
    run(&mut t, 0, "CONFIG SET min-replicas-to-write 2");
    t.advance(11_000);
    assert_eq!(run(&mut t, 0, "SET b 1"), Reply::error("NOREPLICAS Not enough good replicas to write."));
    run(&mut t, 0, "CONFIG SET min-replicas-to-write 1");
    assert_eq!(run(&mut t, 0, "SET b 1"), Reply::ok());
}

#[test]
fn a_cut_link_lags_then_catches_up_with_a_partial_resync() {
    let mut t = trio();
    t.set_delay(2, 200);
    run(&mut t, 0, "SET before 1");
    t.advance(1000);
    t.cut(1);
    for i in 0..50 {
        run(&mut t, 0, &format!("RPUSH list {i}"));
    }
    t.advance(100);
    // The cut replica has none of them, the slow one not yet.
    assert_eq!(run(&mut t, 1, "LLEN list"), Reply::Integer(0));
    assert_eq!(run(&mut t, 2, "LLEN list"), Reply::Integer(0));
    t.advance(200);
    assert_eq!(run(&mut t, 2, "LLEN list"), Reply::Integer(50));
    assert_eq!(run(&mut t, 1, "LLEN list"), Reply::Integer(0));
    t.restore(1);
    t.advance(100);
    assert_eq!(run(&mut t, 1, "LLEN list"), Reply::Integer(50));
    assert_eq!(snapshot(&mut t, 1), snapshot(&mut t, 0));
    // Two full syncs at the start, then the backlog was enough.
    assert_eq!(t.engine(0).unwrap().sync_counts(), (2, 1, 2));
}

#[test]
fn writes_not_yet_propagated_are_lost_when_the_master_dies() {
    let mut t = trio();
    t.set_delay(1, 50);
    t.set_delay(2, 50);
    run(&mut t, 0, "SET safe 1");
    t.advance(200);
    run(&mut t, 0, "SET lost 1");
    t.advance(10);
    t.stop(0);
    t.advance(200);
    assert_eq!(run(&mut t, 1, "REPLICAOF NO ONE"), Reply::ok());
    assert_eq!(run(&mut t, 1, "GET safe"), Reply::Bulk(b"1".to_vec()));
    assert_eq!(run(&mut t, 1, "GET lost"), Reply::Nil);
    // The promoted replica takes writes; the other follows it with a partial resync.
    assert_eq!(run(&mut t, 1, "SET after 1"), Reply::ok());
    assert_eq!(run(&mut t, 2, "REPLICAOF 127.0.0.1 7001"), Reply::ok());
    t.advance(500);
    assert_eq!(run(&mut t, 2, "GET after"), Reply::Bulk(b"1".to_vec()));
    assert_eq!(t.engine(1).unwrap().sync_counts(), (0, 1, 0));
    let info = text(run(&mut t, 1, "INFO replication"));
    assert!(info.contains(&format!("master_replid2:{}", t.engine(0).unwrap().master_replid())), "{info}");
}

#[test]
fn no_write_confirmed_by_wait_is_lost_when_a_replica_is_promoted() {
    for seed in 0..8u64 {
        let mut t = trio();
        let mut rng = Rng::new(seed);
        t.set_delay(1, rng.below(80) as i64);
        t.set_delay(2, rng.below(80) as i64);
        let mut confirmed: Vec<(String, String)> = Vec::new();
        let kill_at = 20 + rng.below(60);
        for n in 0..kill_at {
            let (key, value) = (format!("k{}", rng.below(20)), format!("v{n}"));
            run(&mut t, 0, &format!("SET {key} {value}"));
            confirmed.retain(|(k, _)| *k != key);
            let reply = run(&mut t, 0, &format!("WAIT 2 {}", 1 + rng.below(400)));
            let acked = match reply {
                Reply::Blocked => {
                    let mut got = None;
                    for _ in 0..100 {
                        t.advance(5);
                        let events = t.engine(0).unwrap().drain_events();
                        for e in events {
                            if let redis_emulator::Event::Deliver { reply: Reply::Integer(n), .. } = e {
                                got = Some(n);
                            }
                        }
                        if got.is_some() {
                            break;
                        }
                    }
                    got.expect("WAIT answers by its timeout")
                }
                other => int(&other),
            };
            if acked == 2 {
                confirmed.push((key, value));
            }
            if rng.below(3) == 0 {
                t.advance(rng.below(30) as i64);
            }
        }
        t.stop(0);
        let promoted = 1 + rng.below(2) as usize;
        assert_eq!(run(&mut t, promoted, "REPLICAOF NO ONE"), Reply::ok());
        assert!(!confirmed.is_empty(), "seed {seed}: some writes were confirmed");
        for (k, v) in &confirmed {
            assert_eq!(run(&mut t, promoted, &format!("GET {k}")), Reply::Bulk(v.clone().into_bytes()), "seed {seed}");
        }
    }
}

#[test]
fn wait_counts_acknowledgements_and_times_out_on_the_engine_clock() {
    let mut t = trio();
    // Every replica has acknowledged this client's (empty) history.
    assert_eq!(run(&mut t, 0, "WAIT 0 0"), Reply::Integer(2));
    run(&mut t, 0, "SET a 1");
    // WAIT asks with REPLCONF GETACK; over links without delay the
    // acknowledgements are back before any time passes.
    assert_eq!(run(&mut t, 0, "WAIT 2 100"), Reply::Blocked);
    let events = t.engine(0).unwrap().drain_events();
    assert!(
        events.iter().any(|e| matches!(e, redis_emulator::Event::Deliver { reply: Reply::Integer(2), .. })),
        "{events:?}"
    );
    t.advance(1);
    assert_eq!(run(&mut t, 0, "WAIT 2 100"), Reply::Integer(2));
    t.cut(2);
    run(&mut t, 0, "SET a 2");
    assert_eq!(run(&mut t, 0, "WAIT 2 100"), Reply::Blocked);
    t.advance(99);
    assert!(t.engine(0).unwrap().drain_events().is_empty());
    t.advance(10);
    let events = t.engine(0).unwrap().drain_events();
    assert!(
        events.iter().any(|e| matches!(e, redis_emulator::Event::Deliver { reply: Reply::Integer(1), .. })),
        "{events:?}"
    );
    assert_eq!(run(&mut t, 0, "WAIT a 0"), Reply::error("ERR value is not an integer or out of range"));
    assert_eq!(run(&mut t, 0, "WAIT 0 a"), Reply::error("ERR timeout is not an integer or out of range"));
    assert_eq!(run(&mut t, 0, "WAIT 0 -1"), Reply::error("ERR timeout is negative"));
}

#[test]
fn failover_hands_the_master_role_to_a_replica() {
    let mut t = trio();
    run(&mut t, 0, "SET a 1");
    t.advance(100);
    assert_eq!(run(&mut t, 0, "FAILOVER TO 127.0.0.1 7001"), Reply::ok());
    t.advance(2000);
    let Reply::Array(role) = run(&mut t, 1, "ROLE") else { panic!() };
    assert_eq!(role[0], Reply::bulk_str("master"));
    let Reply::Array(role) = run(&mut t, 0, "ROLE") else { panic!() };
    assert_eq!(role[0], Reply::bulk_str("slave"));
    assert_eq!(role[2], Reply::Integer(7001));
    assert_eq!(run(&mut t, 1, "SET b 2"), Reply::ok());
    t.advance(100);
    assert_eq!(run(&mut t, 0, "GET b"), Reply::Bulk(b"2".to_vec()));
    // The old master continued the new master's history without a full copy.
    assert_eq!(t.engine(1).unwrap().sync_counts().0, 0);
    assert_eq!(run(&mut t, 1, "FAILOVER ABORT"), Reply::error("ERR No failover in progress."));
}

#[test]
fn a_slow_link_shows_lag_and_a_killed_master_client_reconnects() {
    let mut t = trio();
    t.set_delay(1, 300);
    run(&mut t, 0, "SET a 1");
    t.advance(1000);
    assert_eq!(t.lag_bytes(1), Some(0));
    run(&mut t, 0, "SELECT 3");
    run(&mut t, 0, "SET b 2");
    t.advance(100);
    assert!(t.lag_bytes(1).unwrap() > 0 && t.in_flight(1) > 0);
    assert_eq!(t.lag_bytes(2), Some(0));
    t.advance(300);
    assert_eq!(t.lag_bytes(1), Some(0));
    // The links in CLIENT LIST: flag S on the master, M on the replica.
    let list = text(run(&mut t, 0, "CLIENT LIST TYPE replica"));
    assert_eq!(list.lines().filter(|l| l.contains(" flags=S ") && l.contains(" cmd=replconf ")).count(), 2, "{list}");
    assert!(text(run(&mut t, 2, "CLIENT LIST TYPE master")).contains("addr=127.0.0.1:7000 "));
    // Killing the master client: the replica reconnects and continues in the same database.
    assert_eq!(run(&mut t, 2, "CLIENT KILL TYPE master"), Reply::Integer(1));
    run(&mut t, 0, "SET c 3");
    t.advance(100);
    run(&mut t, 2, "SELECT 3");
    assert_eq!(run(&mut t, 2, "GET c"), Reply::Bulk(b"3".to_vec()));
    assert_eq!(t.engine(0).unwrap().sync_counts(), (2, 1, 2));
}

/// What a master sends a new replica, as bytes: the handshake replies, the
/// FULLRESYNC line and RDB file, then the stream of `writes`.
fn recorded_stream(writes: &[&str]) -> (Vec<u8>, redis_emulator::Engine) {
    let mut master = redis_emulator::Engine::with_manual_clock(T0, 5);
    let me = master.connect("client:1");
    master.execute_line(me, "SET before 1").unwrap();
    master.execute_line(me, "HSET h a 1 b 2").unwrap();
    let link = master.connect("127.0.0.1:50000");
    let mut bytes = b"+PONG\r\n+OK\r\n+OK\r\n".to_vec();
    for line in ["REPLCONF listening-port 7001", "REPLCONF capa eof capa psync2", "PSYNC ? -1"] {
        let reply = master.execute_line(link, line).unwrap();
        assert!(!reply.is_error(), "{line}: {reply:?}");
    }
    for w in writes {
        master.execute_line(me, w).unwrap();
    }
    for io in master.take_replica_output() {
        if let redis_emulator::replication::ReplicaIo::Send(_, b) = io {
            bytes.extend_from_slice(&b);
        }
    }
    (bytes, master)
}

fn fresh_replica() -> (redis_emulator::Engine, u64) {
    let mut replica = redis_emulator::Engine::with_manual_clock(T0, 6);
    let me = replica.connect("client:1");
    replica.execute_line(me, "REPLICAOF 127.0.0.1 7000").unwrap();
    let epoch = replica.master_link_epoch().unwrap();
    replica.master_link_up(epoch);
    (replica, epoch)
}

#[test]
fn the_stream_is_read_in_any_chunking_and_garbage_never_panics() {
    let writes =
        ["SET a 1", "SELECT 2", "RPUSH l x y z", "EXPIRE l 100", "MULTI", "INCR n", "EXEC", "SELECT 0", "DEL before"];
    let (stream, mut master) = recorded_stream(&writes);
    let me = master.connect("check");
    let want = master.execute_line(me, "SELECT 2").map(|_| master.execute_line(me, "LRANGE l 0 -1")).unwrap().unwrap();
    for chunk in [1, 2, 3, 7, 64, 1000, stream.len()] {
        let (mut replica, epoch) = fresh_replica();
        for piece in stream.chunks(chunk) {
            replica.feed_from_master(epoch, piece);
        }
        assert_eq!(replica.master_link_state(), Some(redis_emulator::replication::link::LinkState::Connected));
        assert_eq!(replica.master_repl_offset(), master.master_repl_offset(), "chunks of {chunk}");
        let c = replica.connect("check");
        assert_eq!(replica.execute_line(c, "GET a").unwrap(), Reply::Bulk(b"1".to_vec()));
        assert_eq!(replica.execute_line(c, "EXISTS before").unwrap(), Reply::Integer(0));
        assert_eq!(replica.execute_line(c, "HGET h b").unwrap(), Reply::Bulk(b"2".to_vec()));
        replica.execute_line(c, "SELECT 2").unwrap();
        assert_eq!(replica.execute_line(c, "LRANGE l 0 -1").unwrap(), want);
        assert_eq!(replica.execute_line(c, "GET n").unwrap(), Reply::Bulk(b"1".to_vec()));
    }
    // Corrupted, cut or random bytes: the link fails or waits, the engine never panics.
    let mut rng = Rng::new(9);
    for round in 0..300 {
        let (mut replica, epoch) = fresh_replica();
        let mut bytes = stream.clone();
        match round % 3 {
            0 => {
                for _ in 0..1 + rng.below(8) {
                    let at = rng.index(bytes.len());
                    bytes[at] = rng.below(256) as u8;
                }
            }
            1 => bytes.truncate(rng.index(bytes.len())),
            _ => bytes = (0..rng.below(300)).map(|_| rng.below(256) as u8).collect(),
        }
        for piece in bytes.chunks(1 + rng.index(50)) {
            replica.feed_from_master(epoch, piece);
            let _ = replica.take_master_output(epoch);
        }
        let c = replica.connect("check");
        let _ = replica.execute_line(c, "ROLE");
        let _ = replica.execute_line(c, "INFO replication");
        replica.advance_clock(1500);
    }
}

#[test]
fn a_backlog_too_small_for_the_gap_means_a_full_resync() {
    let mut t = trio();
    run(&mut t, 0, "CONFIG SET repl-backlog-size 16kb");
    t.advance(200);
    let Some(first) = text(run(&mut t, 0, "INFO replication"))
        .lines()
        .find_map(|l| l.strip_prefix("repl_backlog_size:").map(|v| v.to_string()))
    else {
        panic!()
    };
    assert_eq!(first, "16384");
    t.cut(1);
    let value = "x".repeat(1000);
    for i in 0..40 {
        run(&mut t, 0, &format!("SET k{i} {value}"));
    }
    t.restore(1);
    t.advance(100);
    assert_eq!(snapshot(&mut t, 1), snapshot(&mut t, 0));
    assert_eq!(t.engine(0).unwrap().sync_counts(), (3, 0, 3));
    let info = text(run(&mut t, 0, "INFO replication"));
    assert!(info.contains("repl_backlog_histlen:16384"), "{info}");
}

#[test]
fn a_replica_with_an_aof_keeps_the_synced_data_across_a_restart() {
    let mut t = Topology::new(T0, 4);
    t.add_node(7000);
    t.add_node(7001);
    run(&mut t, 0, "SET old 1");
    run(&mut t, 1, "CONFIG SET appendonly yes");
    run(&mut t, 1, "SET mine 1");
    run(&mut t, 1, "REPLICAOF 127.0.0.1 7000");
    t.advance(100);
    run(&mut t, 0, "SET new 2");
    t.advance(1100);
    // What the AOF holds is the master's data, then the stream.
    assert_eq!(run(&mut t, 1, "DEBUG LOADAOF"), Reply::ok());
    assert_eq!(
        run(&mut t, 1, "MGET old new mine"),
        Reply::Array(vec![Reply::Bulk(b"1".to_vec()), Reply::Bulk(b"2".to_vec()), Reply::Nil])
    );
}

#[test]
fn functions_flushes_and_swaps_replicate() {
    let mut t = trio();
    let lib = "#!lua name=lib\nredis.register_function('bump', function(keys) return redis.call('incr', keys[1]) end)";
    let reply = t.run(0, vec![b"FUNCTION".to_vec(), b"LOAD".to_vec(), lib.as_bytes().to_vec()]);
    assert_eq!(reply, Reply::Bulk(b"lib".to_vec()));
    run(&mut t, 0, "FCALL bump 1 counter");
    run(&mut t, 0, "SET gone 1");
    run(&mut t, 0, "SELECT 1");
    run(&mut t, 0, "SET one 1");
    run(&mut t, 0, "SWAPDB 0 1");
    t.advance(10);
    assert_ne!(run(&mut t, 1, "FUNCTION LIST"), Reply::Array(vec![]));
    run(&mut t, 1, "SELECT 1");
    assert_eq!(run(&mut t, 1, "GET counter"), Reply::Bulk(b"1".to_vec()));
    run(&mut t, 0, "FLUSHDB");
    run(&mut t, 0, "FUNCTION DELETE lib");
    t.advance(10);
    assert_eq!(run(&mut t, 1, "DBSIZE"), Reply::Integer(0));
    assert_eq!(run(&mut t, 1, "FUNCTION LIST"), Reply::Array(vec![]));
    assert_eq!(snapshot(&mut t, 2), snapshot(&mut t, 0));
}

#[test]
fn replicas_ignore_maxmemory_and_masters_evictions_replicate() {
    let mut t = trio();
    run(&mut t, 1, "CONFIG SET maxmemory 1");
    run(&mut t, 1, "CONFIG SET maxmemory-policy allkeys-random");
    for i in 0..200 {
        run(&mut t, 0, &format!("SET key{i} {}", "v".repeat(100)));
    }
    t.advance(10);
    assert_eq!(run(&mut t, 1, "DBSIZE"), Reply::Integer(200));
    // The master evicts; replicas receive the DELs.
    let used = text(run(&mut t, 0, "INFO memory"));
    let used: i64 = used.lines().find_map(|l| l.strip_prefix("used_memory:")).unwrap().parse().unwrap();
    run(&mut t, 0, "CONFIG SET maxmemory-policy allkeys-lru");
    run(&mut t, 0, &format!("CONFIG SET maxmemory {}", used - 10_000));
    run(&mut t, 0, "SET trigger 1");
    t.advance(10);
    let left = int(&run(&mut t, 0, "DBSIZE"));
    assert!(left < 200, "{left}");
    assert_eq!(run(&mut t, 1, "DBSIZE"), Reply::Integer(left));
    assert_eq!(snapshot(&mut t, 2), snapshot(&mut t, 0));
}

#[test]
fn a_master_restarted_without_persistence_empties_its_replicas() {
    let mut t = trio();
    run(&mut t, 0, "SET a 1");
    t.advance(100);
    assert_eq!(run(&mut t, 1, "GET a"), Reply::Bulk(b"1".to_vec()));
    // The replicas keep following 127.0.0.1:7000, which comes back empty.
    t.restart(0).unwrap();
    t.advance(1500);
    assert_eq!(run(&mut t, 0, "DBSIZE"), Reply::Integer(0));
    assert_eq!(run(&mut t, 1, "DBSIZE"), Reply::Integer(0));
    assert_eq!(run(&mut t, 2, "DBSIZE"), Reply::Integer(0));
    // With the AOF (appendfsync always) the data survives the restart.
    run(&mut t, 0, "CONFIG SET appendonly yes");
    run(&mut t, 0, "CONFIG SET appendfsync always");
    run(&mut t, 0, "SET b 2");
    t.restart(0).unwrap();
    t.advance(1500);
    assert_eq!(run(&mut t, 0, "GET b"), Reply::Bulk(b"2".to_vec()));
    assert_eq!(run(&mut t, 2, "GET b"), Reply::Bulk(b"2".to_vec()));
}

#[test]
fn scripts_on_a_read_only_replica_refuse_writes_as_redis_does() {
    let mut t = trio();
    let ro = "READONLY You can't write against a read only replica.";
    let reply = run(&mut t, 1, "EVAL \"return redis.call('set','x','1')\" 0");
    let sha = "8b2ae6dd76cda7fc3e27f97431ae27d7b08a221d";
    assert_eq!(reply, Reply::error(format!("{ro} script: {sha}, on @user_script:1.")));
    assert_eq!(run(&mut t, 1, "EVAL \"#!lua\nreturn redis.call('set','x','1')\" 0"), Reply::error(ro));
    assert_eq!(run(&mut t, 1, "EVAL \"return redis.pcall('set','x','1')\" 0"), Reply::error(ro));
    assert_eq!(run(&mut t, 1, "EVAL \"#!lua flags=no-writes\nreturn redis.call('get','x')\" 0"), Reply::Nil);
    let lib = "#!lua name=lib\nredis.register_function('bump', function(keys) return redis.call('incr', keys[1]) end)";
    t.run(0, vec![b"FUNCTION".to_vec(), b"LOAD".to_vec(), lib.as_bytes().to_vec()]);
    t.advance(10);
    assert_eq!(run(&mut t, 1, "FCALL bump 1 counter"), Reply::error(ro));
    run(&mut t, 1, "CONFIG SET replica-read-only no");
    assert_eq!(run(&mut t, 1, "EVAL \"return redis.call('set','x','1')\" 0"), Reply::ok());
    assert_eq!(run(&mut t, 1, "FCALL bump 1 counter"), Reply::Integer(1));
}
