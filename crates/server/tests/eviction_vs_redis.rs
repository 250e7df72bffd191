//! Eviction under a Zipf workload: the same seeded trace (GET, and SET on a
//! miss — a read-through cache) runs against a real redis-server and our
//! server with the same memory budget (allkeys-lru, then allkeys-lfu); the
//! hit ratios must agree within a few points. Both numbers are printed.
//!
//! The LRU clock has one-second resolution (in Redis and here), so the LRU
//! run is paced over about eight seconds for idle times to differ; LFU
//! counters do not depend on time and run at full speed.

mod common;

use std::time::Duration;

use common::{start_ours, Conn, RealRedis};
use redis_emulator::resp::parse_reply;
use redis_emulator::rng::Rng;
use redis_emulator::Reply;

const KEYS: usize = 10_000;
const REQUESTS: usize = 60_000;
const BUDGET: u64 = 600 * 1024;
const VALUE_LEN: usize = 100;
const BATCH: usize = 50;

fn argv(parts: &[&[u8]]) -> Vec<Vec<u8>> {
    parts.iter().map(|p| p.to_vec()).collect()
}

fn call(conn: &mut Conn, parts: &[&[u8]]) -> Reply {
    conn.send(&argv(parts));
    let raw = conn.read_reply(Duration::from_secs(10)).expect("reply");
    parse_reply(&raw).map(|(r, _)| r).expect("parsable reply")
}

fn info_field(conn: &mut Conn, section: &str, field: &str) -> u64 {
    let Reply::Bulk(text) = call(conn, &[b"INFO", section.as_bytes()]) else { panic!("INFO is a bulk string") };
    let text = String::from_utf8_lossy(&text).into_owned();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("{field} in INFO {section}"))
}

/// Ranks drawn from a Zipf distribution (s = 1) over `n` items.
fn zipf_trace(n: usize, len: usize, seed: u64) -> Vec<usize> {
    let mut cdf = Vec::with_capacity(n);
    let mut total = 0.0;
    for rank in 1..=n {
        total += 1.0 / rank as f64;
        cdf.push(total);
    }
    let mut rng = Rng::new(seed);
    (0..len)
        .map(|_| {
            let u = rng.unit() * total;
            cdf.partition_point(|&c| c < u).min(n - 1)
        })
        .collect()
}

/// Runs the read-through workload and returns keyspace_hits / (hits + misses).
fn hit_ratio(port: u16, policy: &str, trace: &[usize], pause: Duration) -> (f64, u64) {
    let mut conn = Conn::open(port);
    call(&mut conn, &[b"FLUSHALL"]);
    call(&mut conn, &[b"CONFIG", b"SET", b"maxmemory-policy", policy.as_bytes()]);
    call(&mut conn, &[b"CONFIG", b"SET", b"maxmemory-samples", b"5"]);
    let base = info_field(&mut conn, "memory", "used_memory");
    let limit = (base + BUDGET).to_string();
    call(&mut conn, &[b"CONFIG", b"SET", b"maxmemory", limit.as_bytes()]);
    call(&mut conn, &[b"CONFIG", b"RESETSTAT"]);
    let value = vec![b'v'; VALUE_LEN];
    for (i, chunk) in trace.chunks(BATCH).enumerate() {
        if i % 10 == 9 {
            std::thread::sleep(pause);
        }
        // Pipeline the GETs, then SET the misses (a read-through cache).
        for &rank in chunk {
            conn.send(&argv(&[b"GET", format!("key:{rank}").as_bytes()]));
        }
        let mut misses = Vec::new();
        for &rank in chunk {
            let raw = conn.read_reply(Duration::from_secs(10)).expect("GET reply");
            if raw.starts_with(b"$-1") {
                misses.push(rank);
            }
        }
        for rank in &misses {
            conn.send(&argv(&[b"SET", format!("key:{rank}").as_bytes(), &value]));
        }
        for _ in &misses {
            let raw = conn.read_reply(Duration::from_secs(10)).expect("SET reply");
            assert!(raw.starts_with(b"+OK"), "SET failed: {}", common::show(&raw));
        }
    }
    let hits = info_field(&mut conn, "stats", "keyspace_hits");
    let misses = info_field(&mut conn, "stats", "keyspace_misses");
    let evicted = info_field(&mut conn, "stats", "evicted_keys");
    call(&mut conn, &[b"CONFIG", b"SET", b"maxmemory", b"0"]);
    (hits as f64 / (hits + misses).max(1) as f64, evicted)
}

fn compare(policy: &str, pause: Duration) {
    let Some(real) = RealRedis::start() else { return };
    let ours = start_ours();
    let trace = zipf_trace(KEYS, REQUESTS, 2024);
    let (redis_ratio, redis_evicted) = hit_ratio(real.port, policy, &trace, pause);
    let (our_ratio, our_evicted) = hit_ratio(ours, policy, &trace, pause);
    println!(
        "{policy} Zipf(1.0) over {KEYS} keys, {REQUESTS} requests, {BUDGET} bytes: \
         redis hit ratio {redis_ratio:.4} ({redis_evicted} evictions), ours {our_ratio:.4} ({our_evicted} evictions)"
    );
    assert!(redis_evicted > 0 && our_evicted > 0, "the budget must force evictions");
    assert!(
        (redis_ratio - our_ratio).abs() < 0.03,
        "{policy}: hit ratios differ by more than 3 points: redis {redis_ratio:.4}, ours {our_ratio:.4}"
    );
}

#[test]
fn allkeys_lru_hit_ratio_matches_real_redis_under_zipf() {
    // 120 pauses of 70 ms: the trace spans about eight LRU clock ticks.
    compare("allkeys-lru", Duration::from_millis(70));
}

#[test]
fn allkeys_lfu_hit_ratio_matches_real_redis_under_zipf() {
    compare("allkeys-lfu", Duration::ZERO);
}
