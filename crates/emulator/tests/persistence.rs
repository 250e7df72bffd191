//! Snapshots and the append-only log: SAVE / BGSAVE / LASTSAVE /
//! BGREWRITEAOF / DEBUG RELOAD, and the property that a snapshot load and an
//! AOF replay both rebuild exactly the dataset that produced them.

mod common;

use common::{Session, T0};
use proptest::prelude::*;
use redis_emulator::snapshot::SnapshotError;
use redis_emulator::value::Value;
use redis_emulator::Engine;

/// A canonical, order-independent picture of every database: per key its
/// type, contents (through the types' view interface) and expiry.
fn dataset(engine: &Engine) -> Vec<(usize, Vec<u8>, Option<i64>, String)> {
    let mut out = Vec::new();
    for i in 0..engine.db_count() {
        let Some(db) = engine.db(i) else { continue };
        for (key, entry) in db.iter() {
            if entry.is_expired(engine.now_ms()) {
                continue;
            }
            let contents = match &entry.value {
                Value::String(s) => format!("string {:?}", s.as_bytes()),
                Value::List(l) => format!("list {:?}", l.to_vec()),
                Value::Hash(h) => {
                    let mut p = h.pairs();
                    p.sort();
                    format!("hash {p:?}")
                }
                Value::Set(s) => {
                    let mut m = s.members();
                    m.sort();
                    format!("set {m:?}")
                }
                Value::ZSet(z) => format!("zset {:?}", z.ranked()),
                Value::Stream(s) => format!("stream {:?} {:?}", s.entries_view(), s.groups_view()),
            };
            out.push((i, key.to_vec(), entry.expire_at(), contents));
        }
    }
    out.sort();
    out
}

#[test]
fn save_lastsave_bgsave_bgrewriteaof() {
    let mut s = Session::new();
    let t0 = (T0 / 1000).to_string();
    s.check(&format!(
        "LASTSAVE => (integer) {t0}
         SET k v => OK
         SAVE => OK
         BGSAVE => Background saving started
         BGSAVE SCHEDULE => Background saving started
         BGSAVE NOW => (error) ERR syntax error
         BGREWRITEAOF => Background append only file rewriting started
         SAVE x => (error) ERR wrong number of arguments for 'save' command"
    ));
    s.advance(5000);
    s.check("SAVE => OK");
    s.check(&format!("LASTSAVE => (integer) {}", T0 / 1000 + 5));
    assert!(s.run("INFO persistence").contains("rdb_changes_since_last_save:0"));
    s.check("SET k v2 => OK");
    assert!(s.run("INFO persistence").contains("rdb_changes_since_last_save:1"));
}

/// One database of a handmade snapshot: its index and (key, expire ms, value).
type HandmadeDb<'a> = (u32, Vec<(&'a str, i64, &'a str)>);

/// Builds a snapshot by hand (the documented format), values stored as SET.
fn handmade_snapshot(dbs: &[HandmadeDb]) -> Vec<u8> {
    let mut out = b"RLABSNAP".to_vec();
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&T0.to_le_bytes());
    out.extend_from_slice(&(dbs.len() as u32).to_le_bytes());
    let bytes = |out: &mut Vec<u8>, b: &[u8]| {
        out.extend_from_slice(&(b.len() as u32).to_le_bytes());
        out.extend_from_slice(b);
    };
    for (index, keys) in dbs {
        out.extend_from_slice(&index.to_le_bytes());
        out.extend_from_slice(&(keys.len() as u64).to_le_bytes());
        for (key, expire, value) in keys {
            bytes(&mut out, key.as_bytes());
            out.extend_from_slice(&expire.to_le_bytes());
            out.extend_from_slice(&0u32.to_le_bytes()); // access data
            out.extend_from_slice(&1u32.to_le_bytes());
            out.extend_from_slice(&3u32.to_le_bytes());
            for part in [b"SET".as_slice(), key.as_bytes(), value.as_bytes()] {
                bytes(&mut out, part);
            }
        }
    }
    let crc = redis_emulator::snapshot::crc64(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

#[test]
fn debug_reload_round_trips_and_keeps_ttls() {
    let mut s = Session::new();
    let snap =
        handmade_snapshot(&[(0, vec![("a", -1, "1"), ("b", T0 + 60_000, "hello")]), (3, vec![("c", T0 + 5_000, "x")])]);
    s.engine.load_snapshot(&snap).expect("handmade snapshot loads");
    let before = dataset(&s.engine);
    assert_eq!(before.iter().filter(|(_, _, ttl, _)| ttl.is_some()).count(), 2);
    s.check("DEBUG RELOAD => OK");
    assert_eq!(dataset(&s.engine), before, "values and absolute TTLs survive a reload");
    s.check("GET b => \"hello\"\nDBSIZE => (integer) 2");
    assert!(s.run("INFO keyspace").contains("db0:keys=2,expires=1,avg_ttl=60000"));
    s.check("DEBUG SLEEP 0 => OK\nDEBUG SET-ACTIVE-EXPIRE 0 => OK\nDEBUG SET-ACTIVE-EXPIRE 1 => OK");
    s.check("DEBUG NOPE => (error) ERR unknown subcommand or wrong number of arguments for 'NOPE'. Try DEBUG HELP.");
}

#[test]
fn snapshot_load_skips_keys_whose_ttl_passed() {
    let mut s = Session::new();
    s.advance(10_000);
    let snap =
        handmade_snapshot(&[(0, vec![("gone", T0 + 1_000, "v"), ("kept", T0 + 20_000, "v"), ("forever", -1, "v")])]);
    s.engine.load_snapshot(&snap).unwrap();
    s.check("EXISTS gone => (integer) 0\nEXISTS kept forever => (integer) 2");
    let info = s.run("INFO persistence");
    assert!(info.contains("rdb_last_load_keys_loaded:2"), "{info}");
    assert!(info.contains("rdb_last_load_keys_expired:1"), "{info}");
    // A snapshot naming a database that does not exist is refused.
    let bad = handmade_snapshot(&[(99, vec![("k", -1, "v")])]);
    assert!(matches!(s.engine.load_snapshot(&bad), Err(SnapshotError::Corrupt(_))));
    s.check("EXISTS kept => (integer) 1");
}

#[test]
fn debug_sleep_moves_a_paused_clock() {
    let mut s = Session::new();
    s.check("DEBUG SLEEP 1.5 => OK");
    assert_eq!(s.engine.now_ms(), T0 + 1500);
}

#[test]
fn corrupted_or_foreign_snapshots_are_refused_and_data_is_kept() {
    let mut s = Session::new();
    s.check("SET keep me => OK");
    let snap = s.engine.snapshot();
    s.check("SET other x => OK");
    let before = dataset(&s.engine);

    let mut flipped = snap.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x01;
    assert_eq!(s.engine.load_snapshot(&flipped), Err(SnapshotError::ChecksumMismatch));
    assert_eq!(s.engine.load_snapshot(b"REDIS0009 not ours"), Err(SnapshotError::NotASnapshot));
    let mut future = snap.clone();
    future[8] = 3;
    assert_eq!(s.engine.load_snapshot(&future), Err(SnapshotError::UnsupportedVersion(3)));
    for cut in [0, 5, 12, snap.len() - 1] {
        assert!(s.engine.load_snapshot(&snap[..cut]).is_err());
    }
    assert_eq!(dataset(&s.engine), before, "a refused snapshot leaves the data untouched");

    s.engine.load_snapshot(&snap).expect("the intact snapshot loads");
    s.check("GET keep => \"me\"\nEXISTS other => (integer) 0");
}

#[test]
fn aof_logs_writes_with_selects_and_rewrites() {
    let mut s = Session::new();
    s.check("SET before x => OK");
    assert!(s.engine.aof_log().is_empty(), "nothing is logged while appendonly is off");
    s.check("CONFIG SET appendonly yes => OK");
    let show = |e: &Engine| {
        e.aof_log()
            .iter()
            .map(|a| a.iter().map(|p| String::from_utf8_lossy(p).into_owned()).collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
    };
    assert_eq!(show(&s.engine), vec!["SELECT 0", "SET before x"], "enabling starts with a rewrite");
    s.check("SET a 1 => OK\nGET a => \"1\"\nDEL nothing => (integer) 0\nSELECT 2 => OK\nSET b 2 => OK\nDEL b => (integer) 1");
    assert_eq!(show(&s.engine), vec!["SELECT 0", "SET before x", "SET a 1", "SELECT 2", "SET b 2", "DEL b"]);
    s.check("FLUSHDB => OK\nSELECT 0 => OK\nBGREWRITEAOF => Background append only file rewriting started");
    let mut log = show(&s.engine);
    log[1..].sort();
    assert_eq!(log, vec!["SELECT 0", "SET a 1", "SET before x"]);
    s.check("CONFIG SET appendonly no => OK\nSET c 3 => OK");
    assert_eq!(show(&s.engine).len(), 3, "the log stops growing but stays readable");
    assert!(s.run("INFO persistence").contains("aof_enabled:0"));
}

/// One random command for the property test. Families that are not
/// registered answer with an error, which is neither logged nor applied.
fn command() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec!["k1", "k2", "k3", "k4", "list", "hash", "set", "zset", "stream"]);
    let val = prop::sample::select(vec!["a", "b", "1", "-7", "3.5", "hello world", "x y z"]);
    (0..22usize, key, val, 0..5000i64, 0..3usize).prop_map(|(op, k, v, n, db)| match op {
        0..=3 => format!("SET {k} \"{v}\""),
        4 => format!("SET {k} \"{v}\" PX {}", n + 1),
        5 => format!("DEL {k}"),
        6 => format!("GET {k}"),
        7 => format!("SELECT {db}"),
        8 => format!("EXPIRE {k} {}", n / 10 + 1),
        9 => format!("PEXPIREAT {k} {}", T0 + n),
        10 => format!("INCR {k}"),
        11 => format!("APPEND {k} \"{v}\""),
        12 => format!("LPUSH list \"{v}\" {n}"),
        13 => "RPOP list".to_string(),
        14 => format!("HSET hash f{n} \"{v}\""),
        15 => format!("SADD set \"{v}\" {n}"),
        16 => "SPOP set".to_string(),
        17 => format!("ZADD zset {n} \"{v}\""),
        18 => format!("XADD stream * f \"{v}\""),
        19 => format!("PERSIST {k}"),
        20 => format!("RENAME {k} k{db}"),
        _ => "FLUSHDB".to_string(),
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn snapshot_and_aof_rebuild_the_same_dataset(script in prop::collection::vec((command(), 0..400i64), 1..60)) {
        let mut s = Session::new();
        s.run("CONFIG SET appendonly yes");
        for (line, wait) in &script {
            s.run(line);
            if *wait > 300 {
                s.advance(*wait);
            }
        }
        let expected = dataset(&s.engine);
        let snap = s.engine.snapshot();
        let log = s.engine.aof_log().to_vec();

        let mut from_snapshot = Session::new();
        from_snapshot.engine.advance_clock(s.engine.now_ms() - T0);
        from_snapshot.engine.load_snapshot(&snap).expect("snapshot loads");
        prop_assert_eq!(dataset(&from_snapshot.engine), expected.clone());

        let mut from_aof = Session::new();
        from_aof.engine.advance_clock(s.engine.now_ms() - T0);
        from_aof.engine.replay_aof(&log).expect("AOF replays");
        prop_assert_eq!(dataset(&from_aof.engine), expected.clone());

        // And DEBUG RELOAD on the original changes nothing.
        s.run("DEBUG RELOAD");
        prop_assert_eq!(dataset(&s.engine), expected);
    }
}

#[test]
fn reload_keeps_lru_idle_time_under_an_lru_policy() {
    let mut s = Session::new();
    s.check("CONFIG SET maxmemory-policy allkeys-lru => OK\nSET old v => OK");
    s.advance(30_000);
    let idle = |e: &Engine| {
        let entry = e.db(0).and_then(|d| d.get(b"old")).expect("key");
        redis_emulator::access::idle_ms(entry.access, e.now_ms())
    };
    assert_eq!(idle(&s.engine), 30_000);
    s.check("DEBUG RELOAD => OK");
    assert_eq!(idle(&s.engine), 30_000, "LRU data survives like Redis's RDB IDLE opcode");
    s.check("CONFIG SET maxmemory-policy noeviction => OK\nDEBUG RELOAD => OK");
    assert_eq!(idle(&s.engine), 0, "without an LRU/LFU policy keys start fresh");
}
