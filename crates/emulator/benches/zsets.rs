//! Sorted-set operations at 10^3 … 10^6 members: ZADD (a score update,
//! i.e. remove + insert in the order-statistics tree), ZRANK, and a
//! 10-member ZRANGE at a random rank. Each should grow like log n.
//!
//! `cargo bench -p redis-emulator --bench zsets`

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use redis_emulator::types::ZSetValue;
use std::time::Duration;

const LIMITS: (usize, usize) = (128, 64);

/// Small deterministic generator so every run measures the same work.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 11
    }
}

fn member(i: u64) -> Vec<u8> {
    format!("member:{i}").into_bytes()
}

fn build(n: u64) -> ZSetValue {
    let mut z = ZSetValue::new();
    let mut rng = Lcg(n);
    for i in 0..n {
        z.insert(&member(i), (rng.next() % 1_000_000) as f64, LIMITS);
    }
    z
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("zset");
    group.sample_size(20).warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(1));
    for n in [1_000u64, 10_000, 100_000, 1_000_000] {
        let mut z = build(n);
        let mut rng = Lcg(7);
        group.bench_with_input(BenchmarkId::new("zadd_update", n), &n, |b, &n| {
            b.iter(|| {
                let i = rng.next() % n;
                z.insert(&member(i), (rng.next() % 1_000_000) as f64, LIMITS)
            })
        });
        group.bench_with_input(BenchmarkId::new("zrank", n), &n, |b, &n| {
            b.iter(|| black_box(z.rank(&member(rng.next() % n))))
        });
        group.bench_with_input(BenchmarkId::new("zrange_10", n), &n, |b, &n| {
            b.iter(|| {
                let start = (rng.next() % (n - 10)) as usize;
                black_box(z.range(start, start + 10))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
