//! Whole RDB files: Redis's own test assets (tests/assets/*.rdb of Redis
//! 7.0.15) load with the contents its Tcl tests expect, or are refused as
//! Redis refuses them; the stream payloads of Redis's corrupt-dump tests
//! are restored or refused without a panic; random datasets of every type
//! round-trip through a file; and mutated or truncated files and payloads
//! never panic the reader and never leave a key behind.

mod common;

use std::path::PathBuf;

use common::{Lab, T0};
use proptest::prelude::*;
use redis_emulator::rdb::{self, file};
use redis_emulator::Reply;

/// Redis 7.0.15's test suite, beside the repository (`../shared`).
fn redis_tests_dir() -> PathBuf {
    let dir = std::env::var_os("REDIS_TESTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/redis-tests-7.0.15/tests"));
    assert!(dir.join("assets").is_dir(), "Redis's tests are missing at {}", dir.display());
    dir
}

fn asset(name: &str) -> Vec<u8> {
    let path = redis_tests_dir().join("assets").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

impl Lab {
    /// Puts loaded keys into the engine (through RESTORE of their payload).
    fn load(&mut self, contents: &file::RdbContents) {
        for k in &contents.keys {
            let payload = rdb::dump_payload(&k.value, &Default::default()).unwrap();
            self.line(&format!("SELECT {}", k.db));
            assert_eq!(self.cmd(&[b"RESTORE", &k.key, b"0", &payload]), Reply::OK);
        }
        self.line("SELECT 0");
    }

    /// `TYPE`, then the contents as Redis's `csvdump` lists them (sets and
    /// hashes sorted).
    fn describe(&mut self, key: &str) -> String {
        let ty = match self.line(&format!("TYPE {key}")) {
            Reply::Status(t) => t.to_string(),
            other => panic!("TYPE {key}: {other:?}"),
        };
        let reply = match ty.as_str() {
            "string" => self.line(&format!("GET {key}")),
            "list" => self.line(&format!("LRANGE {key} 0 -1")),
            "set" => self.line(&format!("SORT {key} ALPHA")),
            "zset" => self.line(&format!("ZRANGE {key} 0 -1 WITHSCORES")),
            "hash" => self.line(&format!("HGETALL {key}")),
            "stream" => self.line(&format!("XRANGE {key} - +")),
            _ => Reply::Nil,
        };
        let reply = match reply {
            Reply::Map(pairs) => Reply::Array(pairs.into_iter().flat_map(|(k, v)| [k, v]).collect()),
            other => other,
        };
        let mut items: Vec<String> = match reply {
            Reply::Bulk(b) => vec![String::from_utf8_lossy(&b).into_owned()],
            Reply::Array(items) => items
                .iter()
                .map(|i| match i {
                    Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
                    Reply::Double(d) => d.to_string(),
                    other => format!("{other:?}"),
                })
                .collect(),
            other => vec![format!("{other:?}")],
        };
        if ty == "hash" {
            let mut pairs: Vec<String> = items.chunks(2).map(|c| c.join(",")).collect();
            pairs.sort();
            items = pairs;
        }
        format!("{ty}:{}", items.join(","))
    }

    fn encoding(&mut self, key: &str) -> Reply {
        self.line(&format!("OBJECT ENCODING {key}"))
    }
}

fn read(bytes: &[u8]) -> Result<file::RdbContents, file::ReadError> {
    file::read(bytes, &Default::default())
}

#[test]
fn encodings_rdb_loads_as_the_tcl_test_expects() {
    let contents = read(&asset("encodings.rdb")).expect("encodings.rdb loads");
    let mut lab = Lab::new();
    lab.load(&contents);
    let list = "1,2,3,a,b,c,100000,6000000000";
    let expected = [
        ("compressible", format!("string:{}", "a".repeat(137))),
        ("hash", "hash:a,1,aa,10,aaa,100,b,2,bb,20,bbb,200,c,3,cc,30,ccc,300,ddd,400,eee,5000000000".into()),
        ("hash_zipped", "hash:a,1,b,2,c,3".into()),
        ("list", format!("list:{list},{list},{list}")),
        ("list_zipped", format!("list:{list}")),
        ("number", "string:10".into()),
        ("set", "set:1,100000,2,3,6000000000,a,b,c".into()),
        ("set_zipped_1", "set:1,2,3,4".into()),
        ("set_zipped_2", "set:100000,200000,300000,400000".into()),
        ("set_zipped_3", "set:1000000000,2000000000,3000000000,4000000000,5000000000,6000000000".into()),
        ("string", "string:Hello World".into()),
        (
            "zset",
            "zset:a,1,b,2,c,3,aa,10,bb,20,cc,30,aaa,100,bbb,200,ccc,300,aaaa,1000,cccc,123456789,bbbb,5000000000"
                .into(),
        ),
        ("zset_zipped", "zset:a,1,b,2,c,3".into()),
    ];
    assert_eq!(contents.keys.len(), expected.len());
    for (key, want) in expected {
        assert_eq!(lab.describe(key), want, "{key}");
    }
    let aux: Vec<String> = contents.aux.iter().map(|(k, _)| String::from_utf8_lossy(k).into_owned()).collect();
    assert!(aux.is_empty() || aux.contains(&"redis-ver".to_string()), "{aux:?}");
}

#[test]
fn old_encodings_convert_on_load() {
    let mut lab = Lab::new();
    let list = read(&asset("list-quicklist.rdb")).expect("list-quicklist.rdb loads");
    lab.load(&list);
    assert_eq!(lab.line("GET x"), Reply::Bulk(b"7".to_vec()));
    assert_eq!(lab.line("LPOP list"), Reply::Bulk(b"7".to_vec()));
    for (file, key, want) in [
        ("hash-ziplist.rdb", "hash", "hash:f1,v1,f2,v2"),
        ("hash-zipmap.rdb", "hash", "hash:f1,v1,f2,v2"),
        ("zset-ziplist.rdb", "zset", "zset:one,1,two,2"),
    ] {
        let mut lab = Lab::new();
        let contents = read(&asset(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        lab.load(&contents);
        assert_eq!(lab.describe(key), want, "{file}");
        assert_eq!(lab.encoding(key), Reply::Bulk(b"listpack".to_vec()), "{file}");
    }
    // Over the configured limit, the loaded value takes the big encoding.
    let limits = rdb::decode::Limits {
        hash: redis_emulator::types::hash::HashLimits { max_entries: 1, max_value: 64 },
        zset_max_entries: 1,
        ..Default::default()
    };
    for (file, key, big) in [("hash-zipmap.rdb", "hash", "hashtable"), ("zset-ziplist.rdb", "zset", "skiplist")] {
        let contents = file::read(&asset(file), &limits).unwrap();
        let payload = rdb::dump_payload(&contents.keys[0].value, &Default::default()).unwrap();
        let mut lab = Lab::new();
        lab.line("CONFIG SET hash-max-listpack-entries 1");
        lab.line("CONFIG SET zset-max-listpack-entries 1");
        assert_eq!(lab.cmd(&[b"RESTORE", key.as_bytes(), b"0", &payload]), Reply::OK);
        assert_eq!(lab.encoding(key), Reply::Bulk(big.as_bytes().to_vec()), "{file}");
    }
}

#[test]
fn corrupt_assets_are_refused_or_skipped_as_redis_does() {
    // Redis stops loading ("integrity check failed").
    assert!(matches!(read(&asset("corrupt_ziplist.rdb")), Err(file::ReadError::Corrupt(_))));
    // Redis loads it, skipping its nine empty keys.
    let empty = read(&asset("corrupt_empty_keys.rdb")).expect("corrupt_empty_keys.rdb loads");
    assert_eq!((empty.keys.len(), empty.empty_keys_skipped), (0, 9));
    // A Lua script saved by an old server is an aux field; nothing loads from it.
    let scripts = read(&asset("scriptbackup.rdb")).expect("scriptbackup.rdb loads");
    assert!(scripts.aux.iter().any(|(k, _)| k == b"lua"), "{:?}", scripts.aux);
    assert!(scripts.libraries.is_empty());
}

/// The double-quoted `\xHH` strings of a Tcl file (RESTORE payloads).
fn tcl_payloads(text: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for piece in text.split("\"\\x").skip(1) {
        let Some(end) = piece.find('"') else { continue };
        let body = format!("\\x{}", &piece[..end]);
        let bytes = body.as_bytes();
        let (mut i, mut v) = (0, Vec::new());
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

#[test]
fn redis_corrupt_dump_payloads_never_panic() {
    let text = std::fs::read_to_string(redis_tests_dir().join("integration/corrupt-dump.tcl")).unwrap();
    let payloads = tcl_payloads(&text);
    assert!(payloads.len() > 40, "found {} payloads", payloads.len());
    let mut lab = Lab::new();
    let (mut ok, mut refused, mut streams) = (0, 0, 0);
    for (i, payload) in payloads.iter().enumerate() {
        streams += usize::from(matches!(payload.first(), Some(15 | 19)));
        match lab.cmd(&[b"RESTORE", b"k", b"0", payload, b"REPLACE"]) {
            Reply::Status(_) => {
                ok += 1;
                for line in [
                    "TYPE k",
                    "DUMP k",
                    "XINFO STREAM k FULL",
                    "XRANGE k - +",
                    "XREVRANGE k + -",
                    "XLEN k",
                    "XPENDING k mygroup",
                    "XINFO GROUPS k",
                    "LRANGE k 0 -1",
                    "SMEMBERS k",
                    "HGETALL k",
                    "ZRANGE k 0 -1 WITHSCORES",
                ] {
                    let _ = lab.line(line);
                }
                lab.line("DEL k");
            }
            Reply::Error(e) => {
                refused += 1;
                assert!(e == "ERR Bad data format" || e.contains("checksum"), "payload {i}: {e}");
                assert_eq!(lab.line("EXISTS k"), Reply::Integer(0), "payload {i}");
            }
            other => panic!("payload {i}: {other:?}"),
        }
    }
    println!("{ok} restored, {refused} refused, {streams} streams");
    assert!(refused > 20 && streams > 10);
}

/// Runs random commands of every type over several databases.
fn random_dataset(lab: &mut Lab, seed: u64, ops: usize) {
    let mut x = seed;
    let mut next = move |n: u64| {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n.max(1)
    };
    let mut stream_ms = 1u64;
    for _ in 0..ops {
        let db = next(3);
        lab.line(&format!("SELECT {db}"));
        let k = next(12);
        let v = match next(4) {
            0 => next(100_000).to_string(),
            1 => "x".repeat(next(60) as usize + 1),
            2 => format!("v{}", next(1000)),
            _ => "-12".into(),
        };
        let line = match next(16) {
            0 => format!("SET s{k} {v}"),
            1 => format!("RPUSH l{k} {v} {}", next(10)),
            2 => format!("SADD st{k} {v}"),
            3 => format!("SADD si{k} {}", next(1000)),
            4 => format!("HSET h{k} f{} {v}", next(20)),
            5 => format!("ZADD z{k} {} m{}", next(50) as f64 / 4.0, next(40)),
            6 => {
                stream_ms += next(3);
                format!("XADD x{k} {stream_ms}-{} f{} {v}", next(5) + stream_ms * 10, next(2))
            }
            7 => format!("XDEL x{k} {stream_ms}-{}", next(5) + stream_ms * 10),
            8 => format!("XGROUP CREATE x{k} g{} 0", next(2)),
            9 => format!("XREADGROUP GROUP g{} c{} COUNT 2 STREAMS x{k} >", next(2), next(3)),
            10 => format!("PEXPIRE s{k} {}", 100_000 + next(100_000)),
            11 => format!("EXPIRE l{k} {}", 1000 + next(1000)),
            12 => format!("XTRIM x{k} MAXLEN {}", next(6)),
            13 => format!("CONFIG SET stream-node-max-entries {}", 2 + next(5)),
            14 => format!("CONFIG SET list-compress-depth {}", next(3)),
            _ => format!("XACK x{k} g0 {stream_ms}-{}", next(5) + stream_ms * 10),
        };
        let _ = lab.line(&line);
        lab.engine.advance_clock(next(3) as i64);
    }
    lab.line("SELECT 0");
}

fn databases(lab: &Lab) -> Vec<redis_emulator::db::Db> {
    (0..lab.engine.db_count()).map(|i| lab.engine.db(i).unwrap().clone()).collect()
}

/// What a key holds, as DUMP bytes of its value plus its expiry.
/// Database, key, DUMP payload, expiry.
type KeySummary = (usize, Vec<u8>, Vec<u8>, Option<i64>);

fn summary(dbs: &[redis_emulator::db::Db]) -> Vec<KeySummary> {
    let opts = rdb::encode::Options { list_compress_depth: 1, ..Default::default() };
    let mut out: Vec<_> = dbs
        .iter()
        .enumerate()
        .flat_map(|(i, db)| {
            db.iter()
                .map(move |(k, e)| (i, k.to_vec(), rdb::dump_payload(&e.value, &opts).unwrap(), e.expire_at()))
                .collect::<Vec<_>>()
        })
        .collect();
    out.sort();
    out
}

const LIBRARY: &[u8] = b"#!lua name=mylib\nredis.register_function('f', function() return 1 end)";

fn round_trip(seed: u64, ops: usize) {
    let mut lab = Lab::new();
    random_dataset(&mut lab, seed, ops);
    let dbs = databases(&lab);
    let libraries: [&[u8]; 2] = [LIBRARY, b"#!lua name=other\n"];
    let values = rdb::encode::Options { list_compress_depth: 1, ..Default::default() };
    let opts = file::WriteOptions { values, ..Default::default() };
    let bytes = file::write(&dbs, &libraries, &file::Aux::default(), &opts).unwrap();
    let back = read(&bytes).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    assert_eq!(back.libraries, libraries.map(|l| l.to_vec()));
    let mut loaded = vec![redis_emulator::db::Db::new(); dbs.len()];
    for k in back.keys {
        loaded[k.db].set(&k.key, k.value, false);
        if let Some(at) = k.expire_at_ms {
            loaded[k.db].set_expire(&k.key, at);
        }
    }
    assert_eq!(summary(&loaded), summary(&dbs), "seed {seed}");
}

#[test]
fn random_datasets_round_trip_through_files() {
    for seed in 0..4 {
        let mut lab = Lab::new();
        random_dataset(&mut lab, seed, 600);
        assert!(summary(&databases(&lab)).iter().any(|k| k.2[0] == 19), "seed {seed}: the dataset has streams");
        round_trip(seed, 600);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random dataset → file → read: the same values (compared as DUMP
    /// bytes, streams with their groups included), TTLs and libraries.
    #[test]
    fn any_dataset_round_trips_through_a_file(seed in any::<u64>(), ops in 1usize..800) {
        round_trip(seed, ops);
    }
}

#[test]
fn access_metadata_is_written_under_lru_and_lfu_policies() {
    let mut lab = Lab::new();
    lab.line("SET a 1");
    lab.engine.advance_clock(5_000);
    lab.line("SET b 2");
    let dbs = databases(&lab);
    let now = T0 + 5_000;
    let mut config = redis_emulator::config::Config::default();
    config.maxmemory_policy = redis_emulator::config::EvictionPolicy::AllKeysLru;
    let bytes = file::write(&dbs, &[], &file::Aux::default(), &file::WriteOptions::from_config(&config, now)).unwrap();
    let mut idle: Vec<_> = read(&bytes).unwrap().keys.iter().map(|k| (k.key.clone(), k.idle_secs, k.freq)).collect();
    idle.sort();
    assert_eq!(idle, vec![(b"a".to_vec(), Some(5), None), (b"b".to_vec(), Some(0), None)]);
    config.maxmemory_policy = redis_emulator::config::EvictionPolicy::VolatileLfu;
    let bytes = file::write(&dbs, &[], &file::Aux::default(), &file::WriteOptions::from_config(&config, now)).unwrap();
    assert!(read(&bytes).unwrap().keys.iter().all(|k| k.idle_secs.is_none() && k.freq.is_some()));
    config.maxmemory_policy = redis_emulator::config::EvictionPolicy::NoEviction;
    let bytes = file::write(&dbs, &[], &file::Aux::default(), &file::WriteOptions::from_config(&config, now)).unwrap();
    assert!(read(&bytes).unwrap().keys.iter().all(|k| k.idle_secs.is_none() && k.freq.is_none()));
}

#[test]
fn module_data_and_pre_release_functions_are_refused_by_name() {
    let with = |body: &[u8]| {
        let mut f = b"REDIS0010".to_vec();
        f.extend_from_slice(body);
        f.push(0xFF);
        f.extend_from_slice(&0u64.to_le_bytes());
        f
    };
    assert_eq!(read(&with(b"\xf7\x01")).unwrap_err(), file::ReadError::Unsupported("module auxiliary data"));
    assert_eq!(read(&with(b"\x07\x01k\x01")).unwrap_err(), file::ReadError::Unsupported("module data types"));
    assert!(matches!(read(&with(b"\xf6\x01x")), Err(file::ReadError::Unsupported(_))));
    let dup = with(b"\x00\x01k\x01v\x00\x01k\x01w");
    assert!(matches!(read(&dup), Err(file::ReadError::DuplicateKey { db: 0, .. })));
    assert_eq!(read(&with(b"\xf5\x03abc")).unwrap().libraries, vec![b"abc".to_vec()]);
}

/// Files to mutate (Redis's assets and one of ours with every type), and
/// the DUMP payloads (footer removed) of that file's keys.
fn seeds() -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let mut files: Vec<Vec<u8>> = ["encodings.rdb", "hash-zipmap.rdb", "list-quicklist.rdb", "zset-ziplist.rdb"]
        .iter()
        .map(|f| asset(f))
        .collect();
    let mut lab = Lab::new();
    random_dataset(&mut lab, 99, 300);
    let dbs = databases(&lab);
    files.push(file::write(&dbs, &[LIBRARY], &file::Aux::default(), &Default::default()).unwrap());
    let payloads = summary(&dbs).into_iter().map(|(_, _, p, _)| p[..p.len() - 10].to_vec()).collect();
    (files, payloads)
}

fn mutate(bytes: &mut Vec<u8>, edits: &[(u32, u8, u8)]) {
    for &(at, value, how) in edits {
        if bytes.is_empty() {
            break;
        }
        let at = at as usize % bytes.len();
        match how {
            0 => bytes[at] = value,
            1 => bytes[at] ^= 1 << (value % 8),
            2 => bytes.truncate(at),
            _ => bytes.insert(at, value),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// Mutated and truncated files read as an error or as contents, never
    /// a panic; the stream and list payloads inside them likewise restore
    /// or are refused with no key left behind.
    #[test]
    fn mutated_files_and_payloads_never_panic(
        which in any::<usize>(),
        edits in proptest::collection::vec((any::<u32>(), any::<u8>(), 0u8..4), 1..4),
    ) {
        thread_local! {
            static SEEDS: (Vec<Vec<u8>>, Vec<Vec<u8>>) = seeds();
        }
        let (mut file_bytes, mut body) = SEEDS.with(|(files, payloads)| {
            (files[which % files.len()].clone(), payloads[which % payloads.len()].clone())
        });
        mutate(&mut file_bytes, &edits);
        // With the CRC zeroed, the reader goes past the checksum to the data.
        if file_bytes.len() > 8 {
            let n = file_bytes.len();
            file_bytes[n - 8..].fill(0);
        }
        let _ = read(&file_bytes);
        mutate(&mut body, &edits);
        body.extend_from_slice(&10u16.to_le_bytes());
        let crc = rdb::crc64::crc64(&body);
        body.extend_from_slice(&crc.to_le_bytes());
        let mut lab = Lab::new();
        match lab.cmd(&[b"RESTORE", b"k", b"0", &body]) {
            Reply::Status(_) => {
                let _ = lab.line("DUMP k");
                let _ = lab.line("XINFO STREAM k FULL");
                let _ = lab.line("LRANGE k 0 -1");
            }
            Reply::Error(e) => {
                prop_assert_eq!(e, "ERR Bad data format");
                prop_assert_eq!(lab.line("EXISTS k"), Reply::Integer(0));
            }
            other => prop_assert!(false, "{:?}", other),
        }
    }
}
