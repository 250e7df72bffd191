//! What a set of runs shows, worked out from the reports: the closed-loop
//! throughput formula, ab's concurrency formula, cache stampedes, the lock
//! that prevents them, TTL-expiry spikes and the early refresh that hides
//! them. The page only words them.

use crate::config::{Load, Strategy};
use crate::report::{LogKind, Outcome, Report};

/// Most spike starts listed for one run.
pub const MAX_SPIKES: usize = 8;
/// A second whose p95 is this many times the run's median is a spike.
const SPIKE_FACTOR: f64 = 10.0;
/// Spikes closer than this (seconds) to the previous one are the same spike.
const SPIKE_GAP_S: u32 = 10;

/// What limits a Locust run's requests/s.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LoopBound {
    /// No think time: every user sends again at once, so only faster
    /// responses (or more users) raise requests/s.
    NoThinkTime,
    /// Responses are under a tenth of each user's loop: requests/s sits
    /// near `ceiling_rps` = users / mean think time.
    ThinkTime { ceiling_rps: f64 },
    /// The response is `share_pct` % of each loop and holds requests/s down;
    /// instant responses would reach `ceiling_rps`.
    ResponseTime { share_pct: f64, ceiling_rps: f64 },
}

/// One thing a set of runs shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// Locust: requests/s = users / (response time + mean think time).
    ClosedLoop {
        strategy: Strategy,
        users: u32,
        response_s: f64,
        think_s: f64,
        expected_rps: f64,
        measured_rps: f64,
        bound: LoopBound,
    },
    /// ab: requests/s = concurrency / response time.
    AbConcurrency {
        strategy: Strategy,
        concurrency: u32,
        response_s: f64,
        estimated_rps: f64,
        measured_rps: f64,
        time_per_request_ms: f64,
        time_per_request_all_ms: f64,
    },
    /// The lock let one request load each product while `waited` requests
    /// re-read the cache every `poll_ms`.
    LockPreventsStampede { waited: usize, poll_ms: u64, max_parallel_loads: u32, db_hits: u64 },
    /// `misses` misses happened while their product was already loading.
    Stampede {
        strategy: Strategy,
        misses: usize,
        db_latency_ms: u64,
        max_parallel_loads: u32,
        /// The most parallel loads per product in a lock run shown alongside.
        with_lock: Option<u32>,
    },
    /// Early refresh reloaded entries `refreshes` times before they expired.
    EarlyRefresh { refresh_ahead_s: u64, refreshes: usize, expiry_misses: usize },
    /// Entries expired after `ttl_s` and the next request missed.
    ExpirySpikes {
        strategy: Strategy,
        ttl_s: u64,
        misses: usize,
        /// Seconds where a p95 spike began (at most [`MAX_SPIKES`]).
        spike_starts_s: Vec<u32>,
        /// An early-refresh run is shown alongside.
        early_refresh_shown: bool,
    },
    /// Without a cache every request is a database query.
    Uncached { requests: usize, db_hits: u64, median_ms: f64 },
}

/// The findings of runs shown together, in reading order: throughput per
/// run, ab per run, then for each cached run its stampede (or lock) and its
/// expiry (or early refresh), and last the uncached baseline.
pub fn findings<'a>(reports: impl IntoIterator<Item = &'a Report>) -> Vec<Finding> {
    let reports: Vec<&Report> = reports.into_iter().collect();
    let mut out = Vec::new();
    for &r in &reports {
        if let Some(f) = closed_loop(r) {
            out.push(f);
        }
    }
    for &r in &reports {
        if let (Some(ab), Load::Ab { concurrency, .. }) = (&r.ab, r.config.load) {
            let response_s = r.summary.avg_ms / 1000.0;
            out.push(Finding::AbConcurrency {
                strategy: r.config.strategy,
                concurrency,
                response_s,
                estimated_rps: concurrency as f64 / response_s.max(1e-9),
                measured_rps: ab.requests_per_second,
                time_per_request_ms: ab.time_per_request_ms,
                time_per_request_all_ms: ab.time_per_request_all_ms,
            });
        }
    }
    let shown = |s: Strategy| reports.iter().copied().find(|r| r.config.strategy == s);
    for &r in reports.iter().filter(|r| r.config.strategy != Strategy::NoCache) {
        let s = &r.summary;
        if r.config.strategy == Strategy::CacheAsideLock {
            out.push(Finding::LockPreventsStampede {
                waited: r.records.iter().filter(|x| x.outcome == Outcome::WaitedForLock).count(),
                poll_ms: r.config.lock_poll_ms,
                max_parallel_loads: s.max_parallel_loads,
                db_hits: s.db_hits,
            });
        } else if s.stampede_misses > 0 {
            out.push(Finding::Stampede {
                strategy: r.config.strategy,
                misses: s.stampede_misses,
                db_latency_ms: r.config.db_latency_ms,
                max_parallel_loads: s.max_parallel_loads,
                with_lock: shown(Strategy::CacheAsideLock).map(|l| l.summary.max_parallel_loads),
            });
        }
        if r.config.strategy == Strategy::EarlyRefresh {
            out.push(Finding::EarlyRefresh {
                refresh_ahead_s: r.config.refresh_ahead_s,
                refreshes: r.log.iter().filter(|l| l.kind == LogKind::Refresh).count(),
                expiry_misses: s.expiry_misses,
            });
        } else if s.expiry_misses > 0 {
            out.push(Finding::ExpirySpikes {
                strategy: r.config.strategy,
                ttl_s: r.config.ttl_s,
                misses: s.expiry_misses,
                spike_starts_s: expiry_spikes(r),
                early_refresh_shown: shown(Strategy::EarlyRefresh).is_some(),
            });
        }
    }
    if let Some(r) = shown(Strategy::NoCache) {
        out.push(Finding::Uncached {
            requests: r.summary.requests,
            db_hits: r.summary.db_hits,
            median_ms: r.summary.median_ms,
        });
    }
    out
}

fn closed_loop(r: &Report) -> Option<Finding> {
    let (Some(expected_rps), Load::Locust { users, think_min_ms, think_max_ms, .. }) = (r.expected_rps, r.config.load)
    else {
        return None;
    };
    let think_s = (think_min_ms + think_max_ms) as f64 / 2000.0;
    let response_s = r.summary.avg_ms / 1000.0;
    let ceiling_rps = users as f64 / think_s.max(1e-9);
    let bound = if think_s <= 0.0 {
        LoopBound::NoThinkTime
    } else if response_s < 0.1 * think_s {
        LoopBound::ThinkTime { ceiling_rps }
    } else {
        LoopBound::ResponseTime { share_pct: 100.0 * response_s / (response_s + think_s), ceiling_rps }
    };
    Some(Finding::ClosedLoop {
        strategy: r.config.strategy,
        users,
        response_s,
        think_s,
        expected_rps,
        measured_rps: r.summary.rps,
        bound,
    })
}

/// The seconds where TTL-expiry spikes begin: a second at or after the
/// first expiry whose p95 is over ten times the run's median, more than
/// ten seconds after the previous spike began. At most [`MAX_SPIKES`].
pub fn expiry_spikes(r: &Report) -> Vec<u32> {
    let threshold = SPIKE_FACTOR * r.summary.median_ms.max(1.0);
    let mut starts: Vec<u32> = Vec::new();
    for p in r.timeline.iter().filter(|p| p.p95_ms > threshold && p.second as u64 >= r.config.ttl_s) {
        if starts.last().is_none_or(|&l| p.second > l + SPIKE_GAP_S) {
            starts.push(p.second);
        }
    }
    starts.truncate(MAX_SPIKES);
    starts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SimConfig;
    use crate::run;

    fn locust(strategy: Strategy, duration_s: u32) -> SimConfig {
        let mut cfg = SimConfig::seed_defaults(strategy);
        if let Load::Locust { duration_s: d, .. } = &mut cfg.load {
            *d = duration_s;
        }
        cfg
    }

    #[test]
    fn uncached_and_cache_aside_side_by_side() {
        let reports = [run(locust(Strategy::NoCache, 180)).unwrap(), run(locust(Strategy::CacheAside, 180)).unwrap()];
        let f = findings(&reports);
        let kinds: Vec<&str> = f
            .iter()
            .map(|f| match f {
                Finding::ClosedLoop { .. } => "rps",
                Finding::Stampede { .. } => "stampede",
                Finding::ExpirySpikes { .. } => "expiry",
                Finding::Uncached { .. } => "uncached",
                _ => "other",
            })
            .collect();
        assert_eq!(kinds, ["rps", "rps", "stampede", "expiry", "uncached"]);
        match &f[0] {
            Finding::ClosedLoop { users, expected_rps, bound, .. } => {
                assert_eq!(*users, 10);
                assert!((2.0..3.0).contains(expected_rps), "{expected_rps}");
                assert!(matches!(bound, LoopBound::ResponseTime { share_pct, .. } if *share_pct > 50.0));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(f[1], Finding::ClosedLoop { bound: LoopBound::ThinkTime { .. }, .. }));
        match &f[2] {
            Finding::Stampede { misses, max_parallel_loads, with_lock, .. } => {
                assert_eq!(*misses, reports[1].summary.stampede_misses);
                assert!(*max_parallel_loads > 1);
                assert_eq!(*with_lock, None);
            }
            other => panic!("{other:?}"),
        }
        match &f[3] {
            Finding::ExpirySpikes { ttl_s, misses, spike_starts_s, early_refresh_shown, .. } => {
                assert_eq!(*ttl_s, 60);
                assert!(*misses > 0);
                assert!(!early_refresh_shown);
                // Entries stored in the first seconds expire from 60 s on.
                assert!(!spike_starts_s.is_empty());
                assert!(spike_starts_s.iter().all(|&s| s >= 60), "{spike_starts_s:?}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(f[4], Finding::Uncached { requests, db_hits, .. } if requests as u64 == db_hits));
    }

    #[test]
    fn spikes_start_where_expired_entries_miss() {
        let r = run(locust(Strategy::CacheAside, 300)).unwrap();
        let spikes = expiry_spikes(&r);
        assert!(!spikes.is_empty() && spikes.len() <= MAX_SPIKES);
        // Each spike begins within ten seconds after a miss on an entry that had expired.
        let misses: Vec<i64> = r
            .commands
            .iter()
            .filter(|c| c.name == "GET" && c.outcome == crate::CommandOutcome::Miss && c.at_us >= 60_000_000)
            .map(|c| c.at_us)
            .collect();
        for s in &spikes {
            let start = *s as i64 * 1_000_000;
            assert!(misses.iter().any(|&m| m <= start + 1_000_000 && m > start - 10_000_000), "spike at {s}");
        }
        for pair in spikes.windows(2) {
            assert!(pair[1] > pair[0] + SPIKE_GAP_S);
        }
    }

    #[test]
    fn lock_and_early_refresh_findings() {
        let lock = run(locust(Strategy::CacheAsideLock, 180)).unwrap();
        let plain = run(locust(Strategy::CacheAside, 180)).unwrap();
        let f = findings(&[plain, lock]);
        let with_lock = f.iter().find_map(|f| match f {
            Finding::Stampede { with_lock, .. } => Some(*with_lock),
            _ => None,
        });
        assert_eq!(with_lock, Some(Some(1)));
        match f.iter().find(|f| matches!(f, Finding::LockPreventsStampede { .. })).unwrap() {
            Finding::LockPreventsStampede { waited, poll_ms, max_parallel_loads, .. } => {
                assert!(*waited > 0);
                assert_eq!((*poll_ms, *max_parallel_loads), (50, 1));
            }
            _ => unreachable!(),
        }
        let early = run(locust(Strategy::EarlyRefresh, 180)).unwrap();
        let f = findings([&early]);
        match f.iter().find(|f| matches!(f, Finding::EarlyRefresh { .. })).unwrap() {
            Finding::EarlyRefresh { refresh_ahead_s, refreshes, expiry_misses } => {
                assert_eq!(*refresh_ahead_s, 5);
                assert!(*refreshes > 0);
                assert_eq!(*expiry_misses, early.summary.expiry_misses);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn ab_runs_explain_their_concurrency() {
        let r = run(SimConfig::ab_defaults(Strategy::NoCache)).unwrap();
        match &findings([&r])[0] {
            Finding::AbConcurrency { concurrency, response_s, estimated_rps, .. } => {
                assert_eq!(*concurrency, 10);
                assert!((2.0..2.1).contains(response_s));
                assert!((estimated_rps - 10.0 / response_s).abs() < 1e-9);
            }
            other => panic!("{other:?}"),
        }
    }
}
