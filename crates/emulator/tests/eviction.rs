//! maxmemory from a learner's point of view: set a limit and a policy,
//! load keys, watch evictions in INFO, the event stream and MEMORY USAGE.

mod common;

use common::Session;
use redis_emulator::config::EvictionPolicy;
use redis_emulator::Event;

fn info_field(s: &mut Session, section: &str, field: &str) -> u64 {
    let text = s.run(&format!("INFO {section}"));
    // The console shows INFO's text quoted, with \r\n escaped.
    text.trim_matches('"')
        .split("\\r\\n")
        .find_map(|l| l.strip_prefix(&format!("{field}:")).map(|v| v.trim().to_string()))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{field} missing in {text}"))
}

#[test]
fn one_megabyte_allkeys_lru_evicts_and_reports() {
    let mut s = Session::new();
    s.check("CONFIG SET maxmemory 1mb => OK\nCONFIG SET maxmemory-policy allkeys-lru => OK");
    let value = "x".repeat(100);
    for i in 0..5000 {
        assert_eq!(s.run(&format!("SET key:{i} {value}")), "OK");
    }
    let evicted = info_field(&mut s, "stats", "evicted_keys");
    let used = info_field(&mut s, "memory", "used_memory");
    let keys = s.run("DBSIZE");
    assert!(evicted > 3000, "evicted {evicted}");
    assert!(used <= 1024 * 1024, "used_memory {used} stays under maxmemory");
    assert_eq!(keys, format!("(integer) {}", 5000 - evicted));
    let info = s.run("INFO memory");
    assert!(info.contains("maxmemory:1048576"), "{info}");
    assert!(info.contains("maxmemory_human:1.00M"), "{info}");
    assert!(info.contains("maxmemory_policy:allkeys-lru"), "{info}");
    // The most recent key is still there, and MEMORY USAGE reports Redis's figure.
    s.check("MEMORY USAGE key:4999 => (integer) 168");
    let events = s.engine.drain_events();
    let evictions: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Evicted { policy, reason, .. } => Some((*policy, reason.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(evictions.len() as u64, evicted);
    assert!(evictions.iter().all(|(p, r)| *p == EvictionPolicy::AllKeysLru && r.starts_with("least recently used")));
}

#[test]
fn noeviction_answers_oom_and_counts_rejections() {
    let mut s = Session::new();
    s.check(
        "SET a 1 => OK
         CONFIG SET maxmemory 1 => OK
         SET b 2 => (error) OOM command not allowed when used memory > 'maxmemory'.
         GET a => \"1\"
         DEL a => (integer) 1
         SET b 2 => (error) OOM command not allowed when used memory > 'maxmemory'.
         CONFIG SET maxmemory 0 => OK
         SET b 2 => OK",
    );
    let stats = s.run("INFO commandstats");
    assert!(stats.contains("cmdstat_set:calls=2,"), "{stats}");
    assert!(stats.contains("rejected_calls=2,failed_calls=0"), "{stats}");
    assert_eq!(info_field(&mut s, "stats", "evicted_keys"), 0);
}

#[test]
fn memory_grows_and_shrinks_with_the_dataset() {
    let mut s = Session::new();
    let empty = info_field(&mut s, "memory", "used_memory");
    assert_eq!(empty, info_field(&mut s, "memory", "used_memory_startup"));
    for i in 0..1000 {
        s.run(&format!("SET key:{i} value-{i}"));
    }
    let full = info_field(&mut s, "memory", "used_memory");
    // About 70-90 bytes per small string key in Redis 7.0.
    let per_key = (full - empty) / 1000;
    assert!((60..100).contains(&per_key), "{per_key} bytes per key");
    s.run("FLUSHALL");
    assert_eq!(info_field(&mut s, "memory", "used_memory"), empty);
    assert!(info_field(&mut s, "memory", "used_memory_peak") >= full);
}

#[test]
fn memory_usage_and_help() {
    let mut s = Session::new();
    s.check(
        "SET a xxxxxxxxxx => OK
         MEMORY USAGE a => (integer) 64
         MEMORY USAGE a SAMPLES 0 => (integer) 64
         MEMORY USAGE a SAMPLES -1 => (error) ERR syntax error
         MEMORY USAGE a SAMPLES x => (error) ERR value is not an integer or out of range
         MEMORY USAGE missing => (nil)
         SET n 123456 => OK
         MEMORY USAGE n => (integer) 48",
    );
    assert_eq!(s.engine.memory_usage_of(0, b"a"), Some(64));
    assert_eq!(s.engine.memory_usage_of(0, b"missing"), None);
    assert!(s.engine.used_memory() > 876_224);
    assert!(s.run("MEMORY HELP").contains("USAGE <key> [SAMPLES <count>]"));
    let stats = s.run("MEMORY STATS");
    assert!(stats.contains("keys.count") && stats.contains("dataset.bytes"), "{stats}");
}

#[test]
fn slowlog_records_by_threshold() {
    let mut s = Session::new();
    s.check(
        "SLOWLOG LEN => (integer) 0
         CONFIG SET slowlog-log-slower-than 0 => OK
         SET k v => OK
         SLOWLOG GET 1 => 1) 1) (integer) 1
         |    2) (integer) 1700000000
         |    3) (integer) 0
         |    4) 1) \"SET\"
         |       2) \"k\"
         |       3) \"v\"
         |    5) \"test:1\"
         |    6) \"\"
         SLOWLOG LEN => (integer) 3
         SLOWLOG GET -2 => (error) ERR count should be greater than or equal to -1
         SLOWLOG GET x => (error) ERR count should be greater than or equal to -1
         # RESET itself is logged: the threshold is checked after a command runs.
         SLOWLOG RESET => OK
         CONFIG SET slowlog-log-slower-than -1 => OK
         GET k => \"v\"
         SLOWLOG LEN => (integer) 1",
    );
}

#[test]
fn monitor_sees_commands_from_other_clients() {
    let mut s = Session::new();
    s.check("MONITOR => OK");
    s.run_as(1, "SET greeting \"hello \\\"world\\\"\"");
    s.run_as(1, "CONFIG SET hz 10");
    let lines = s.delivered(0);
    assert_eq!(lines, vec![r#"1700000000.000000 [0 test:2] "SET" "greeting" "hello \"world\"""#]);
}

/// Commands skip looking for monitors once none is left; a client that
/// starts monitoring later must still be fed.
#[test]
fn a_monitor_started_after_the_last_one_left_is_fed() {
    let mut s = Session::new();
    s.check("MONITOR => OK");
    s.check("RESET => RESET");
    s.run_as(1, "SET a 1");
    s.run_as(1, "SET b 2");
    assert!(s.delivered(0).is_empty());
    s.check("MONITOR => OK");
    s.run_as(1, "SET c 3");
    assert_eq!(s.delivered(0), vec![r#"1700000000.000000 [0 test:2] "SET" "c" "3""#]);
}

/// EVAL and FCALL are shown before the commands their script runs, which
/// come from Redis's `lua` client (in the database the script selected).
#[test]
fn monitor_shows_scripts_before_their_commands() {
    let mut s = Session::new();
    s.check("MONITOR => OK");
    s.run_as(1, "EVAL \"redis.call('set', KEYS[1], 'v'); redis.call('select', 2); return redis.call('get', 'x')\" 1 k");
    s.run_as(1, "EVALSHA nosuchsha 0");
    assert_eq!(
        s.delivered(0),
        vec![
            r#"1700000000.000000 [0 test:2] "EVAL" "redis.call('set', KEYS[1], 'v'); redis.call('select', 2); return redis.call('get', 'x')" "1" "k""#,
            r#"1700000000.000000 [0 lua] "set" "k" "v""#,
            r#"1700000000.000000 [2 lua] "select" "2""#,
            r#"1700000000.000000 [2 lua] "get" "x""#,
            r#"1700000000.000000 [0 test:2] "EVALSHA" "nosuchsha" "0""#,
        ]
    );
}
