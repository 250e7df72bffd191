//! Engine throughput: ops/s of representative commands run straight on the
//! engine (no network), as `name ops_per_second` lines.
//! `cargo run --release -p redis-emulator --example throughput [ops]`

use std::time::Instant;

use redis_emulator::Engine;

fn argv(parts: &[&[u8]]) -> Vec<Vec<u8>> {
    parts.iter().map(|p| p.to_vec()).collect()
}

/// Commands for iteration `i` of each workload (keys cycle over 100k).
fn workload(name: &str, i: usize) -> Vec<Vec<u8>> {
    let key = format!("key:{}", i % 100_000);
    let member = format!("m:{}", i % 100_000);
    match name {
        "SET" => argv(&[b"SET", key.as_bytes(), b"value"]),
        "GET" => argv(&[b"GET", key.as_bytes()]),
        "INCR" => argv(&[b"INCR", b"counter"]),
        "LPUSH" => argv(&[b"LPUSH", b"list", b"value"]),
        "HSET" => argv(&[b"HSET", b"hash", member.as_bytes(), b"value"]),
        "SADD" => argv(&[b"SADD", b"set", member.as_bytes()]),
        "ZADD" => argv(&[b"ZADD", b"zset", (i % 1000).to_string().as_bytes(), member.as_bytes()]),
        "PFADD" => argv(&[b"PFADD", b"hll", member.as_bytes()]),
        "XADD" => argv(&[b"XADD", b"stream", b"*", b"field", b"value"]),
        _ => unreachable!(),
    }
}

pub const WORKLOADS: [&str; 9] = ["SET", "GET", "INCR", "LPUSH", "HSET", "SADD", "ZADD", "PFADD", "XADD"];

fn main() {
    let ops: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let only: Option<String> = std::env::args().nth(2).map(|s| s.to_ascii_uppercase());
    let mut engine = Engine::with_manual_clock(1_700_000_000_000, 1);
    let me = engine.connect("bench");
    for name in WORKLOADS {
        if only.as_deref().is_some_and(|o| !o.split(',').any(|w| w == name)) {
            continue;
        }
        let batch: Vec<Vec<Vec<u8>>> = (0..ops).map(|i| workload(name, i)).collect();
        let start = Instant::now();
        let mut errors = 0;
        for cmd in batch {
            if engine.execute(me, cmd).is_error() {
                errors += 1;
            }
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{name} {:.0}{}",
            ops as f64 / secs,
            if errors > 0 { format!(" ({errors} errors)") } else { String::new() }
        );
    }
}
