//! The report lists the keys the cache held when the run ended, read from
//! the emulator the commands ran on.

use latency_sim::{run, Load, SimConfig, Strategy};

fn locust(strategy: Strategy, duration_s: u32) -> SimConfig {
    let mut cfg = SimConfig::seed_defaults(strategy);
    if let Load::Locust { duration_s: d, .. } = &mut cfg.load {
        *d = duration_s;
    }
    cfg
}

#[test]
fn the_uncached_api_leaves_the_cache_empty() {
    let r = run(locust(Strategy::NoCache, 30)).unwrap();
    assert!(r.final_keys.is_empty(), "{:?}", r.final_keys);
}

#[test]
fn cached_products_are_left_with_their_remaining_ttl() {
    let r = run(locust(Strategy::CacheAside, 90)).unwrap();
    assert!(!r.final_keys.is_empty());
    let ttl_ms = r.config.ttl_s as i64 * 1000;
    for (key, ttl) in &r.final_keys {
        assert!(key.starts_with("product:"), "{key}");
        let left = ttl.unwrap_or(-1);
        assert!(left > 0 && left <= ttl_ms, "{key} has {left} ms left");
    }
    let mut sorted = r.final_keys.clone();
    sorted.sort();
    assert_eq!(sorted, r.final_keys, "listed in key order");
}
