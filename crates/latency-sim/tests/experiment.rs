//! The simulated experiment reproduces the seed's observations and the
//! closed-loop arithmetic, deterministically.

use latency_sim::{run, Load, Outcome, Popularity, SimConfig, Strategy};

fn locust(strategy: Strategy, duration_s: u32) -> SimConfig {
    let mut cfg = SimConfig::seed_defaults(strategy);
    if let Load::Locust { duration_s: d, .. } = &mut cfg.load {
        *d = duration_s;
    }
    cfg
}

#[test]
fn same_seed_same_run() {
    let a = run(locust(Strategy::CacheAside, 120)).unwrap();
    let b = run(locust(Strategy::CacheAside, 120)).unwrap();
    assert_eq!(a.records, b.records);
    assert_eq!(a.log, b.log);
    let mut other = locust(Strategy::CacheAside, 120);
    other.seed += 1;
    assert_ne!(run(other).unwrap().records, a.records);
}

#[test]
fn uncached_requests_take_the_database_time() {
    let r = run(locust(Strategy::NoCache, 120)).unwrap();
    let s = &r.summary;
    assert!((2000.0..2010.0).contains(&s.median_ms), "median {}", s.median_ms);
    assert_eq!(s.db_hits as usize, s.requests, "every request is a DATABASE HIT");
    assert_eq!(s.hit_ratio, 0.0);
    assert!(r.log.iter().all(|l| l.text.starts_with("DATABASE HIT")));
}

#[test]
fn cached_requests_take_milliseconds_once_warm() {
    let r = run(locust(Strategy::CacheAside, 50)).unwrap();
    let s = &r.summary;
    let overhead_ms = (r.config.overhead_us + r.config.cache_rtt_us) as f64 / 1000.0;
    assert!((s.median_ms - overhead_ms).abs() < 0.5, "median {} vs overhead {}", s.median_ms, overhead_ms);
    assert!(s.hit_ratio > 0.7, "hit ratio {}", s.hit_ratio);
    // Within one TTL, every product is loaded at least once and never again
    // after its first load completed (later misses are stampede misses).
    for &(product, hits) in &r.db_hits_per_product {
        assert!(hits >= 1, "product {product}");
    }
    assert_eq!(s.expiry_misses, 0);
    // The cache commands ran on the emulator: the keys are there with a TTL.
    let db = r.commands.iter().filter(|c| c.name == "SETEX" && c.key.starts_with("product:")).count();
    assert_eq!(db as u64, s.db_hits);
}

#[test]
fn lock_strategy_loads_each_product_once_per_ttl() {
    let plain = run(locust(Strategy::CacheAside, 50)).unwrap();
    let locked = run(locust(Strategy::CacheAsideLock, 50)).unwrap();
    assert!(locked.db_hits_per_product.iter().all(|&(_, h)| h == 1), "{:?}", locked.db_hits_per_product);
    assert_eq!(locked.summary.max_parallel_loads, 1);
    assert!(locked.records.iter().any(|r| r.outcome == Outcome::WaitedForLock));
    assert!(plain.summary.db_hits >= locked.summary.db_hits);
}

#[test]
fn ttl_expiry_brings_misses_back_and_early_refresh_hides_them() {
    let plain = run(locust(Strategy::CacheAside, 300)).unwrap();
    assert!(plain.summary.expiry_misses > 0, "entries expire every 60 s");
    let early = run(locust(Strategy::EarlyRefresh, 300)).unwrap();
    assert!(early.summary.expiry_misses < plain.summary.expiry_misses);
    assert!(early.summary.p95_ms < plain.summary.p95_ms);
}

#[test]
fn requests_per_second_follow_the_closed_loop_formula() {
    for strategy in [Strategy::NoCache, Strategy::CacheAside] {
        let r = run(locust(strategy, 600)).unwrap();
        // Skip the spawn-up: measure the steady state after all users started.
        let steady: Vec<_> = r.timeline.iter().filter(|p| p.second >= 20 && p.second < 590).collect();
        let measured = steady.iter().map(|p| p.rps).sum::<f64>() / steady.len() as f64;
        let expected = r.expected_rps.unwrap();
        assert!((measured - expected).abs() / expected < 0.08, "{strategy:?}: {measured} vs {expected}");
    }
}

#[test]
fn ab_with_concurrency_10_misses_ten_times_on_a_cold_cache() {
    let r = run(SimConfig::ab_defaults(Strategy::CacheAside)).unwrap();
    let ab = r.ab.as_ref().unwrap();
    assert_eq!(ab.complete_requests, 100);
    assert_eq!(r.summary.db_hits, 10, "10 concurrent cold misses, not 1");
    assert_eq!(r.summary.max_parallel_loads, 10);
    assert_eq!(ab.percentiles.last().map(|p| p.0), Some(100));
    let locked = run(SimConfig::ab_defaults(Strategy::CacheAsideLock)).unwrap();
    assert_eq!(locked.summary.db_hits, 1);
}

#[test]
fn zipf_popularity_and_worker_limits() {
    let mut cfg = locust(Strategy::NoCache, 60);
    cfg.popularity = Popularity::Zipf(1.2);
    cfg.products = 100;
    cfg.workers = 2;
    let r = run(cfg).unwrap();
    // Two workers and 2 s per request: at most one completion per second.
    assert!(r.summary.rps <= 1.05, "{}", r.summary.rps);
    let top = r.db_hits_per_product.iter().find(|(p, _)| *p == 1).map(|x| x.1).unwrap_or(0);
    let tail = r.db_hits_per_product.iter().find(|(p, _)| *p == 100).map(|x| x.1).unwrap_or(0);
    assert!(top > tail);
}

#[test]
fn invalid_configurations_are_refused() {
    let mut cfg = locust(Strategy::NoCache, 60);
    cfg.products = 0;
    assert!(run(cfg).is_err());
    let cfg =
        SimConfig { load: Load::Ab { requests: 0, concurrency: 1 }, ..SimConfig::seed_defaults(Strategy::NoCache) };
    assert!(run(cfg).is_err());
}
