//! Times a 10-user, 10-minute virtual Locust run (the seed's load, longer)
//! for each strategy and prints the wall-clock figure. Plain std timing:
//! `cargo bench -p latency-sim --bench sim`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use latency_sim::{run, Load, SimConfig, Strategy};

const ROUNDS: u32 = 5;

fn ten_minutes(strategy: Strategy) -> SimConfig {
    let mut cfg = SimConfig::seed_defaults(strategy);
    if let Load::Locust { duration_s, .. } = &mut cfg.load {
        *duration_s = 600;
    }
    cfg
}

/// The largest Locust run `SimConfig::validate` accepts with the seed's think time.
fn largest(strategy: Strategy) -> SimConfig {
    let mut cfg = SimConfig::seed_defaults(strategy);
    cfg.load =
        Load::Locust { users: 1000, spawn_rate: 1000.0, duration_s: 3600, think_min_ms: 1000, think_max_ms: 2000 };
    cfg
}

fn main() {
    println!("latency-sim: 10 users, 600 s of virtual time, best and mean of {ROUNDS} rounds");
    for strategy in Strategy::ALL {
        let mut best = Duration::MAX;
        let mut total = Duration::ZERO;
        let mut requests = 0;
        for _ in 0..ROUNDS {
            let started = Instant::now();
            let report = run(black_box(ten_minutes(strategy))).expect("valid config");
            let took = started.elapsed();
            requests = report.summary.requests;
            best = best.min(took);
            total += took;
        }
        println!(
            "{:<28} {:>6} requests  best {:>8.2} ms  mean {:>8.2} ms",
            strategy.label(),
            requests,
            best.as_secs_f64() * 1e3,
            total.as_secs_f64() * 1e3 / ROUNDS as f64
        );
    }
    println!("largest allowed run: 1000 users, 3600 s, one round");
    for strategy in [Strategy::NoCache, Strategy::CacheAside] {
        let started = Instant::now();
        let report = run(black_box(largest(strategy))).expect("valid config");
        println!(
            "{:<28} {:>6} requests  {:>8.0} ms",
            strategy.label(),
            report.summary.requests,
            started.elapsed().as_secs_f64() * 1e3
        );
    }
}
