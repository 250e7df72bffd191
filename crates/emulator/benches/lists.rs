//! LPUSH and LINDEX cost as a list grows from 10^3 to 10^6 elements.
//!
//! Run: `cargo bench -p redis-emulator --bench lists`. Only the commands
//! themselves are timed; the list is trimmed back to its size between
//! batches so every measurement sees the stated length.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use redis_emulator::{ClientId, Engine};

fn argv(parts: &[&[u8]]) -> Vec<Vec<u8>> {
    parts.iter().map(|p| p.to_vec()).collect()
}

/// An engine with `len` elements in list `l`.
fn engine_with_list(len: usize) -> (Engine, ClientId) {
    let mut engine = Engine::with_manual_clock(0, 1);
    let me = engine.connect("bench");
    let mut pushed = 0;
    while pushed < len {
        let batch = (len - pushed).min(1000);
        let mut cmd = argv(&[b"RPUSH", b"l"]);
        cmd.extend((pushed..pushed + batch).map(|i| format!("element:{i}").into_bytes()));
        engine.execute(me, cmd);
        pushed += batch;
    }
    (engine, me)
}

const SIZES: [usize; 4] = [1_000, 10_000, 100_000, 1_000_000];

fn lpush(c: &mut Criterion) {
    let mut group = c.benchmark_group("LPUSH");
    group.measurement_time(Duration::from_secs(3)).sample_size(30);
    for size in SIZES {
        let (mut engine, me) = engine_with_list(size);
        let push = argv(&[b"LPUSH", b"l", b"new-element"]);
        let trim = argv(&[b"LTRIM", b"l", b"0", size.to_string().as_bytes()]);
        group.bench_with_input(BenchmarkId::from_parameter(size), &size, |b, _| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    engine.execute(me, push.clone());
                }
                let elapsed = start.elapsed();
                engine.execute(me, trim.clone());
                elapsed
            })
        });
    }
    group.finish();
}

fn lindex(c: &mut Criterion) {
    let mut group = c.benchmark_group("LINDEX middle");
    group.measurement_time(Duration::from_secs(3)).sample_size(30);
    for size in SIZES {
        let (mut engine, me) = engine_with_list(size);
        let index = (size / 2).to_string();
        let cmd = argv(&[b"LINDEX", b"l", index.as_bytes()]);
        group.bench_with_input(BenchmarkId::from_parameter(size), &size, |b, _| {
            b.iter(|| engine.execute(me, cmd.clone()))
        });
    }
    group.finish();
}

criterion_group!(benches, lpush, lindex);
criterion_main!(benches);
