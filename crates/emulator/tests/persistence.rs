//! Persistence: SAVE / BGSAVE / LASTSAVE / BGREWRITEAOF / DEBUG RELOAD /
//! DEBUG LOADAOF / DEBUG CRASH-AND-RECOVER against the engine's disk model
//! (a real RDB file, Redis 7.0's multi-part AOF), the fsync policies' loss
//! in a simulated power loss, save points, and the property that the RDB
//! file and the AOF both rebuild exactly the dataset that produced them.

mod common;

use common::{Session, T0};
use proptest::prelude::*;
use redis_emulator::persist::LoadError;
use redis_emulator::rdb::file::ReadError;
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

fn file(engine: &mut Engine, path: &str) -> Vec<u8> {
    engine.disk_files().into_iter().find(|(p, _)| p == path).map(|(_, d)| d).unwrap_or_default()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).replace("\r\n", " ")
}

#[test]
fn save_writes_a_real_rdb_file() {
    let mut s = Session::new();
    s.check("SET a 1 => OK\nSELECT 3 => OK\nSET c x PX 5000 => OK\nSAVE => OK");
    let rdb = file(&mut s.engine, "dump.rdb");
    assert!(rdb.starts_with(b"REDIS0010\xfa\x09redis-ver\x067.0.15"), "{rdb:?}");
    let keys = redis_emulator::rdb::file::read(&rdb, &Default::default()).expect("our own reader reads it");
    let summary: Vec<_> = keys.keys.iter().map(|k| (k.db, k.key.clone(), k.expire_at_ms)).collect();
    assert_eq!(summary, vec![(0, b"a".to_vec(), None), (3, b"c".to_vec(), Some(T0 + 5000))]);
    assert_eq!(s.engine.rdb_file().unwrap(), rdb, "Engine::rdb_file is what SAVE writes");
    s.check("CONFIG SET dbfilename other.rdb => (error) ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config");
    s.check("BGSAVE => Background saving started");
    assert!(s.run("INFO persistence").contains("rdb_saves:2"));
}

#[test]
fn debug_reload_round_trips_and_keeps_ttls() {
    let mut s = Session::new();
    s.check("SET a 1 => OK\nSET b hello PX 60000 => OK\nSELECT 3 => OK\nSET c x PX 5000 => OK\nSELECT 0 => OK");
    s.check(
        "RPUSH l 1 2 3 => (integer) 3\nHSET h f v => (integer) 1\nZADD z 1.5 m => (integer) 1\nSADD s 7 => (integer) 1",
    );
    let before = dataset(&s.engine);
    s.check("DEBUG RELOAD => OK");
    assert_eq!(dataset(&s.engine), before, "values and absolute TTLs survive a reload");
    s.check("GET b => \"hello\"\nDBSIZE => (integer) 6");
    assert!(s.run("INFO keyspace").contains("db0:keys=6,expires=1,avg_ttl=60000"));
    s.check("SET later v => OK\nDEBUG RELOAD NOSAVE => OK\nEXISTS later => (integer) 0");
    s.check("DEBUG SLEEP 0 => OK\nDEBUG SET-ACTIVE-EXPIRE 0 => OK\nDEBUG SET-ACTIVE-EXPIRE 1 => OK");
    s.check("DEBUG NOPE => (error) ERR unknown subcommand or wrong number of arguments for 'NOPE'. Try DEBUG HELP.");
}

#[test]
fn rdb_load_skips_keys_whose_ttl_passed() {
    let mut s = Session::new();
    s.check("SET gone v PX 1000 => OK\nSET kept v PX 20000 => OK\nSET forever v => OK");
    let rdb = s.engine.rdb_file().unwrap();
    s.advance(10_000);
    s.engine.load_rdb(&rdb).unwrap();
    s.check("EXISTS gone => (integer) 0\nEXISTS kept forever => (integer) 2");
    let info = s.run("INFO persistence");
    assert!(info.contains("rdb_last_load_keys_loaded:2"), "{info}");
    assert!(info.contains("rdb_last_load_keys_expired:1"), "{info}");
}

#[test]
fn corrupted_or_foreign_rdb_files_are_refused_and_data_is_kept() {
    let mut s = Session::new();
    s.check("SET keep me => OK");
    let rdb = s.engine.rdb_file().unwrap();
    s.check("SET other x => OK");
    let before = dataset(&s.engine);

    let mut flipped = rdb.clone();
    let at = flipped.len() - 3;
    flipped[at] ^= 0x01;
    assert!(matches!(s.engine.load_rdb(&flipped), Err(LoadError::Rdb { error: ReadError::Checksum, .. })));
    assert!(matches!(s.engine.load_rdb(b"RLABSNAP old"), Err(LoadError::Rdb { error: ReadError::NotRdb, .. })));
    let mut future = rdb.clone();
    future[5..9].copy_from_slice(b"0011");
    assert!(matches!(s.engine.load_rdb(&future), Err(LoadError::Rdb { error: ReadError::Version(11), .. })));
    for cut in 0..rdb.len() {
        assert!(s.engine.load_rdb(&rdb[..cut]).is_err(), "cut at {cut}");
    }
    assert_eq!(dataset(&s.engine), before, "a refused file leaves the data untouched");
    let err = s.engine.load_rdb(&flipped).unwrap_err().to_string();
    assert!(err.contains("wrong RDB checksum"), "{err}");

    s.engine.load_rdb(&rdb).expect("the intact file loads");
    s.check("GET keep => \"me\"\nEXISTS other => (integer) 0");
}

#[test]
fn streams_with_groups_survive_save_and_debug_reload() {
    let mut s = Session::new();
    s.check("SET k v => OK\nXADD st 1-1 f v => \"1-1\"\nXADD st 2-1 f w => \"2-1\"\nXGROUP CREATE st g 0 => OK");
    s.run("XREADGROUP GROUP g alice COUNT 1 STREAMS st >");
    s.check("XDEL st 2-1 => (integer) 1");
    let before = dataset(&s.engine);
    s.check("SAVE => OK\nDEBUG RELOAD => OK");
    assert_eq!(dataset(&s.engine), before);
    let pending = s.run("XPENDING st g - + 10 alice");
    assert!(pending.starts_with("1) 1) \"1-1\"\n   2) \"alice\"\n"), "{pending}");
    assert!(s.run("INFO persistence").contains("rdb_last_bgsave_status:ok"));
    // With the AOF on, the base is an RDB preamble holding the stream.
    s.check("CONFIG SET appendonly yes => OK\nSET k2 v => OK\nDEBUG LOADAOF => OK");
    let names: Vec<String> = s.engine.aof_files().into_iter().map(|f| f.0).collect();
    assert!(names.contains(&"appendonlydir/appendonly.aof.1.base.rdb".to_string()), "{names:?}");
    s.check("XLEN st => (integer) 1\nGET k2 => \"v\"");
}

#[test]
fn aof_is_redis_7_multi_part_layout() {
    let mut s = Session::new();
    s.check("SET before x => OK");
    assert!(s.engine.aof_files().is_empty(), "no AOF while appendonly is off");
    s.check("CONFIG SET appendonly yes => OK");
    let files = s.engine.aof_files();
    let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "appendonlydir/appendonly.aof.manifest",
            "appendonlydir/appendonly.aof.1.base.rdb",
            "appendonlydir/appendonly.aof.1.incr.aof"
        ]
    );
    assert_eq!(
        text(&files[0].1),
        "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
    );
    assert!(files[1].1.starts_with(b"REDIS0010"));
    let base = &files[1].1;
    assert!(base.windows(10).any(|w| w == b"aof-base\xc0\x01"), "marked as an AOF base, as Redis does");
    assert!(redis_emulator::rdb::file::read(base, &Default::default()).is_ok(), "checksum still right");
    assert!(files[2].1.is_empty());
    s.check("set a 1 => OK\nGET a => \"1\"\nDEL nothing => (integer) 0\nSELECT 2 => OK\nSET b 2 => OK\nDEL b => (integer) 1");
    let incr = file(&mut s.engine, "appendonlydir/appendonly.aof.1.incr.aof");
    assert_eq!(
        text(&incr),
        "*2 $6 SELECT $1 0 *3 $3 set $1 a $1 1 *2 $6 SELECT $1 2 *3 $3 SET $1 b $1 2 *2 $3 DEL $1 b "
    );
    let info = s.run("INFO persistence");
    let base_len = files[1].1.len();
    assert!(info.contains(&format!("aof_current_size:{}", base_len + incr.len())), "{info}");
    assert!(info.contains(&format!("aof_base_size:{base_len}")), "{info}");
    s.check("BGREWRITEAOF => Background append only file rewriting started\nSET c 3 => OK");
    let files = s.engine.aof_files();
    let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "appendonlydir/appendonly.aof.manifest",
            "appendonlydir/appendonly.aof.2.base.rdb",
            "appendonlydir/appendonly.aof.2.incr.aof"
        ]
    );
    assert_eq!(text(&files[2].1), "*2 $6 SELECT $1 2 *3 $3 SET $1 c $1 3 ");
    assert_eq!(s.engine.disk_files().len(), 3, "the old base and incr files are removed");
    s.check("CONFIG SET aof-use-rdb-preamble no => OK\nBGREWRITEAOF => Background append only file rewriting started");
    let base = file(&mut s.engine, "appendonlydir/appendonly.aof.3.base.aof");
    assert!(text(&base).contains("*2 $6 SELECT $1 2 *3 $3 SET $1 c $1 3 "), "{}", text(&base));
    s.check("CONFIG SET appendonly no => OK\nSET d 4 => OK");
    assert!(s.run("INFO persistence").contains("aof_enabled:0"));
    assert_eq!(file(&mut s.engine, "appendonlydir/appendonly.aof.3.incr.aof"), b"", "nothing logged while off");
}

#[test]
fn bgrewriteaof_with_the_aof_off_writes_only_a_base() {
    let mut s = Session::new();
    s.check("SET a 1 => OK\nBGREWRITEAOF => Background append only file rewriting started");
    s.check("BGREWRITEAOF => Background append only file rewriting started");
    let manifest = file(&mut s.engine, "appendonlydir/appendonly.aof.manifest");
    assert_eq!(text(&manifest), "file appendonly.aof.2.base.rdb seq 2 type b\n");
    assert_eq!(s.engine.disk_files().len(), 2, "manifest and base only");
    // A start with appendonly yes opens an incr file for it.
    let files = s.engine.disk_files();
    let mut booted = Session::new();
    booted.check("CONFIG SET appendonly yes => OK");
    booted.engine.boot_from_disk(files).unwrap();
    booted.check("GET a => \"1\"\nSET b 2 => OK");
    let manifest = file(&mut booted.engine, "appendonlydir/appendonly.aof.manifest");
    assert_eq!(
        text(&manifest),
        "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
    );
    assert!(!file(&mut booted.engine, "appendonlydir/appendonly.aof.1.incr.aof").is_empty());
    s.check("CONFIG SET appendonly yes => OK");
    let manifest = file(&mut s.engine, "appendonlydir/appendonly.aof.manifest");
    assert_eq!(
        text(&manifest),
        "file appendonly.aof.3.base.rdb seq 3 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
    );
}

#[test]
fn debug_loadaof_replays_the_files() {
    let mut s = Session::new();
    s.check("CONFIG SET appendonly yes => OK\nSET a 1 => OK\nINCR a => (integer) 2\nSET t v EX 100 => OK");
    let before = dataset(&s.engine);
    s.check("DEBUG LOADAOF => OK");
    assert_eq!(dataset(&s.engine), before);
    s.check("GET a => \"2\"\nTTL t => (integer) 100");
}

#[test]
fn rewrites_and_reloads_inside_a_transaction() {
    let mut s = Session::new();
    s.check("CONFIG SET appendfsync always => OK\nCONFIG SET appendonly yes => OK\nSET a 1 => OK");
    s.check("MULTI => OK\nSET b 2 => QUEUED\nBGREWRITEAOF => QUEUED\nSET c 3 => QUEUED\nINCR a => QUEUED");
    s.run("EXEC");
    s.check("MULTI => OK\nSET d 4 => QUEUED\nDEBUG LOADAOF => QUEUED\nSET e 5 => QUEUED\nDEBUG RELOAD => QUEUED");
    s.run("EXEC");
    s.check("MULTI => OK\nSET f 6 => QUEUED\nDEBUG CRASH-AND-RECOVER => QUEUED\nSET g 7 => QUEUED");
    s.run("EXEC");
    let before = dataset(&s.engine);
    s.check("MGET a b c d e f g => 1) \"2\"\n|2) \"2\"\n|3) \"3\"\n|4) \"4\"\n|5) \"5\"\n|6) \"6\"\n|7) \"7\"");
    s.check("DEBUG LOADAOF => OK");
    assert_eq!(dataset(&s.engine), before, "the AOF written around those commands replays to the same data");
}

/// Writes one key per second for `seconds` under `policy`, then crashes.
fn crash_after_writes(policy: &str, seconds: i64) -> (Session, i64) {
    let mut s = Session::new();
    s.check(&format!("CONFIG SET appendfsync {policy} => OK\nCONFIG SET appendonly yes => OK"));
    for i in 0..seconds {
        s.run(&format!("SET k{i} v"));
        s.advance(400);
        s.run(&format!("INCR counter{i}"));
        s.advance(600);
    }
    s.check("DEBUG CRASH-AND-RECOVER => OK");
    let kept = (0..seconds).filter(|i| s.run(&format!("EXISTS k{i}")) == "(integer) 1").count() as i64;
    (s, kept)
}

#[test]
fn crash_and_recover_loses_what_each_fsync_policy_leaves_unsynced() {
    let (mut always, kept) = crash_after_writes("always", 40);
    assert_eq!(kept, 40, "always loses nothing");
    always.check("GET counter39 => \"1\"");
    let (_, kept) = crash_after_writes("everysec", 40);
    assert!((39..=40).contains(&kept), "everysec loses at most the last second: kept {kept}");
    let (_, kept) = crash_after_writes("no", 40);
    assert!((10..=11).contains(&kept), "no loses up to the OS's 30 s writeback: kept {kept}");
    // Without the AOF a crash goes back to the last dump.rdb.
    let mut s = Session::new();
    s.check("SET a 1 => OK\nSAVE => OK\nSET b 2 => OK\nDEBUG CRASH-AND-RECOVER => OK");
    s.check("EXISTS a => (integer) 1\nEXISTS b => (integer) 0");
}

fn aof_disk(incr: &[u8]) -> Vec<(String, Vec<u8>)> {
    let manifest = b"file appendonly.aof.1.incr.aof seq 1 type i\n".to_vec();
    vec![
        ("appendonlydir/appendonly.aof.manifest".to_string(), manifest),
        ("appendonlydir/appendonly.aof.1.incr.aof".to_string(), incr.to_vec()),
    ]
}

#[test]
fn a_truncated_aof_tail_loads_up_to_the_last_command_or_is_refused() {
    let whole = b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n";
    let cut = &whole[..whole.len() - 4];
    let mut s = Session::new();
    s.check("CONFIG SET appendonly yes => OK");
    let report = s.engine.boot_from_disk(aof_disk(cut)).expect("aof-load-truncated yes loads the complete part");
    let keep = whole.len() - 27;
    assert_eq!(report.truncated, Some(("appendonlydir/appendonly.aof.1.incr.aof".to_string(), keep)));
    s.check("GET a => \"1\"\nEXISTS b => (integer) 0\nSET c 3 => OK");
    let incr = file(&mut s.engine, "appendonlydir/appendonly.aof.1.incr.aof");
    assert!(incr.starts_with(&whole[..keep]) && incr.len() > keep, "the tail is cut and appending goes on");

    let mut strict = Session::new();
    strict.check("CONFIG SET appendonly yes => OK\nCONFIG SET aof-load-truncated no => OK\nSET mine 1 => OK");
    let err = strict.engine.boot_from_disk(aof_disk(cut)).unwrap_err();
    assert!(matches!(err, LoadError::Truncated { offset, .. } if offset == keep), "{err:?}");
    strict.check("GET mine => \"1\"");
    let bad = strict.engine.boot_from_disk(aof_disk(b"*1\r\nPING\r\n")).unwrap_err();
    assert!(bad.to_string().contains("Bad file format"), "{bad}");
    let unknown = strict.engine.boot_from_disk(aof_disk(b"*1\r\n$4\r\nNOPE\r\n")).unwrap_err();
    assert!(matches!(unknown, LoadError::UnknownCommand { .. }), "{unknown:?}");
    // A transaction whose EXEC never reached the file is reverted like a cut tail.
    let mut open = Session::new();
    open.check("CONFIG SET appendonly yes => OK");
    let multi = b"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nz\r\n$1\r\n9\r\n";
    let report = open.engine.boot_from_disk(aof_disk(&[&whole[..], multi].concat())).unwrap();
    assert_eq!(report.truncated.map(|t| t.1), Some(whole.len()));
    open.check("EXISTS a b z => (integer) 2\nSET after 1 => OK\nDEBUG LOADAOF => OK\nEXISTS after => (integer) 1");
    let no_file = vec![aof_disk(b"")[0].clone()];
    assert!(strict.engine.boot_from_disk(no_file).unwrap_err().to_string().contains("does not exist"));
    strict.check("GET mine => \"1\"");
}

#[test]
fn boot_loads_the_aof_when_on_else_the_rdb() {
    let mut s = Session::new();
    s.check("SET from_rdb 1 => OK\nSAVE => OK\nCONFIG SET appendonly yes => OK\nSET from_aof 1 => OK");
    let files = s.engine.disk_files();
    let mut rdb_boot = Session::new();
    rdb_boot.engine.boot_from_disk(files.clone()).unwrap();
    rdb_boot.check("EXISTS from_rdb => (integer) 1\nEXISTS from_aof => (integer) 0");
    let mut aof_boot = Session::new();
    aof_boot.check("CONFIG SET appendonly yes => OK");
    let report = aof_boot.engine.boot_from_disk(files).unwrap();
    assert_eq!(report.source.as_deref(), Some("appendonlydir/appendonly.aof.manifest"));
    aof_boot.check("EXISTS from_rdb from_aof => (integer) 2");
    // appendonly yes with no AOF yet: an empty dataset and a new AOF, as Redis starts.
    let mut fresh = Session::new();
    fresh.check("CONFIG SET appendonly yes => OK\nSET x 1 => OK");
    let report = fresh.engine.boot_from_disk(vec![("dump.rdb".into(), s.engine.rdb_file().unwrap())]).unwrap();
    assert_eq!(report.source, None);
    fresh.check("DBSIZE => (integer) 0");
    assert_eq!(fresh.engine.aof_files().len(), 3);
}

#[test]
fn save_points_save_on_the_engine_clock() {
    let mut s = Session::new();
    s.check("CONFIG SET save \"10 2\" => OK\nSET a 1 => OK");
    s.advance(11_000);
    assert!(s.run("INFO persistence").contains("rdb_saves:0"), "one change is not enough");
    s.check("SET b 2 => OK");
    s.advance(500);
    let info = s.run("INFO persistence");
    assert!(info.contains("rdb_saves:1") && info.contains("rdb_changes_since_last_save:0"), "{info}");
    s.check(&format!("LASTSAVE => (integer) {}", (T0 + 11_500) / 1000));
    assert!(!file(&mut s.engine, "dump.rdb").is_empty());
    s.check("SET c 3 => OK\nSET d 4 => OK");
    s.advance(5_000);
    assert!(s.run("INFO persistence").contains("rdb_saves:1"), "not before 10 s since the last save");
    s.check("CONFIG SET save \"\" => OK");
    s.advance(60_000);
    assert!(s.run("INFO persistence").contains("rdb_saves:1"), "no save points, no saves");
}

#[test]
fn shutdown_is_refused_in_the_page() {
    let mut s = Session::new();
    let reply = s.run("SHUTDOWN");
    assert!(reply.starts_with("(error) ERR SHUTDOWN is not available"), "{reply}");
    s.check("SHUTDOWN NOSAVE SAVE => (error) ERR syntax error\nSHUTDOWN ABORT NOW => (error) ERR syntax error");
    s.check("SHUTDOWN BOGUS => (error) ERR syntax error");
    s.engine.allow_shutdown(true);
    s.check("SET k v => OK\nSHUTDOWN => OK");
    assert!(s.engine.take_shutdown_request());
    assert!(!file(&mut s.engine, "dump.rdb").is_empty(), "save points are configured: SHUTDOWN saved");
}

/// One random command for the property test. Families that are not
/// registered answer with an error, which is neither logged nor applied.
fn command() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec!["k1", "k2", "k3", "k4", "list", "hash", "set", "zset", "stream"]);
    let val = prop::sample::select(vec!["a", "b", "1", "-7", "3.5", "hello world", "x y z"]);
    (0..25usize, key, val, 0..5000i64, 0..3usize).prop_map(|(op, k, v, n, db)| match op {
        22 => format!("GETEX {k} PX {}", n + 1),
        23 => format!("SETEX {k} {} \"{v}\"", n / 100 + 1),
        24 => format!("EVAL \"redis.call('incr', KEYS[1]); return redis.call('pexpire', KEYS[1], {})\" 1 {k}", n + 1),
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
    fn rdb_and_aof_rebuild_the_same_dataset(script in prop::collection::vec((command(), 0..400i64), 1..60)) {
        let mut s = Session::new();
        s.run("CONFIG SET appendonly yes");
        s.run("CONFIG SET appendfsync always");
        for (line, wait) in &script {
            s.run(line);
            if *wait > 300 {
                s.advance(*wait);
            }
        }
        let expected = dataset(&s.engine);
        let files = s.engine.disk_files();

        let rdb = s.engine.rdb_file().expect("every type is written to RDB files");
        let mut from_rdb = Session::new();
        from_rdb.engine.advance_clock(s.engine.now_ms() - T0);
        from_rdb.engine.load_rdb(&rdb).expect("RDB loads");
        prop_assert_eq!(dataset(&from_rdb.engine), expected.clone());

        let mut from_aof = Session::new();
        from_aof.engine.advance_clock(s.engine.now_ms() - T0);
        from_aof.run("CONFIG SET appendonly yes");
        from_aof.engine.boot_from_disk(files).expect("AOF loads");
        prop_assert_eq!(dataset(&from_aof.engine), expected.clone());

        // DEBUG RELOAD on the original changes nothing.
        let reply = s.run("DEBUG RELOAD");
        prop_assert!(reply == "OK", "{}", reply);
        prop_assert_eq!(dataset(&s.engine), expected.clone());
        // And so does a crash under appendfsync always.
        s.run("DEBUG CRASH-AND-RECOVER");
        prop_assert_eq!(dataset(&s.engine), expected);
    }
}
