//! What a run produced: per-request records, Locust-style time series,
//! ab-style percentiles, the API log, and the facts the explainers use.

use crate::config::{Load, SimConfig, Strategy};
use crate::sim::Simulation;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// No cache in play: the database answered.
    Uncached,
    /// Served from the cache.
    Hit,
    /// Missed and loaded the database itself.
    Miss,
    /// Missed, found the lock taken, and waited for another request's load.
    WaitedForLock,
    /// Gave up (waited longer than the request timeout).
    Failed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogKind {
    Database,
    Miss,
    Hit,
    Wait,
    Refresh,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    pub at_us: i64,
    pub kind: LogKind,
    pub product: u32,
    pub text: String,
}

/// What one cache command found or did, read from its reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandOutcome {
    /// GET found the value.
    Hit,
    /// GET found nothing.
    Miss,
    /// SETEX stored the value.
    Stored,
    /// SET … NX took the lock.
    LockTaken,
    /// SET … NX found the lock already held.
    LockBusy,
    /// DEL removed this many keys.
    Deleted(i64),
    /// PTTL: milliseconds left (-1 no TTL, -2 no key).
    Ttl(i64),
    /// The command failed.
    Error,
}

impl CommandOutcome {
    /// The outcome of command `name` (upper case) that replied `reply`.
    pub fn of(name: &str, reply: &redis_emulator::Reply) -> CommandOutcome {
        use redis_emulator::Reply;
        match (name, reply) {
            (_, Reply::Error(_)) => CommandOutcome::Error,
            ("GET", Reply::Bulk(_)) => CommandOutcome::Hit,
            ("GET", _) => CommandOutcome::Miss,
            ("SETEX", _) => CommandOutcome::Stored,
            ("SET", Reply::Nil) => CommandOutcome::LockBusy,
            ("SET", _) => CommandOutcome::LockTaken,
            ("DEL", Reply::Integer(n)) => CommandOutcome::Deleted(*n),
            ("PTTL", Reply::Integer(ms)) => CommandOutcome::Ttl(*ms),
            _ => CommandOutcome::Error,
        }
    }
}

/// One cache command as it ran on the emulator.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandRecord {
    /// Simulated time (µs since the run started).
    pub at_us: i64,
    /// The emulator's clock when it ran (µs since the Unix epoch), the time
    /// MONITOR prints.
    pub unix_us: i64,
    /// The command name, upper case (`GET`, `SETEX`, `SET`, `DEL`, `PTTL`).
    pub name: &'static str,
    /// The key it touched.
    pub key: String,
    /// Every argument, the name first.
    pub argv: Vec<Vec<u8>>,
    /// The reply's first line as redis-cli prints it.
    pub reply: String,
    pub outcome: CommandOutcome,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RequestRecord {
    pub start_us: i64,
    pub end_us: i64,
    pub product: u32,
    pub outcome: Outcome,
}

impl RequestRecord {
    pub fn response_ms(&self) -> f64 {
        (self.end_us - self.start_us) as f64 / 1000.0
    }
}

/// One second of the run, like a point on Locust's charts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub second: u32,
    pub users: u32,
    /// Requests completed during this second.
    pub rps: f64,
    /// Response-time percentiles over the last 10 seconds (Locust's window).
    pub p50_ms: f64,
    pub p95_ms: f64,
    /// Share of requests completed during this second that the cache answered.
    pub hit_ratio: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub requests: usize,
    pub failures: usize,
    pub median_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
    pub avg_ms: f64,
    pub rps: f64,
    pub hit_ratio: f64,
    pub db_hits: u64,
    /// Most database loads of one product running at the same time (> 1 = stampede).
    pub max_parallel_loads: u32,
    /// Cache misses that happened while that product was already being loaded.
    pub stampede_misses: usize,
    /// Misses after the first load of a product (entries that had expired).
    pub expiry_misses: usize,
}

/// `ab`'s report.
#[derive(Debug, Clone, PartialEq)]
pub struct AbReport {
    pub complete_requests: usize,
    pub concurrency: u32,
    pub time_taken_s: f64,
    pub requests_per_second: f64,
    /// Mean time per request.
    pub time_per_request_ms: f64,
    /// Mean across all concurrent requests.
    pub time_per_request_all_ms: f64,
    /// (percent, ms) for 50 66 75 80 90 95 98 99 100.
    pub percentiles: Vec<(u32, u64)>,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub config: SimConfig,
    pub records: Vec<RequestRecord>,
    pub timeline: Vec<Point>,
    pub log: Vec<LogLine>,
    pub dropped_log_lines: u64,
    /// Cache commands as they ran (the first [`crate::sim::LOG_LIMIT`]).
    pub commands: Vec<CommandRecord>,
    /// (product, database reads).
    pub db_hits_per_product: Vec<(u32, u64)>,
    pub summary: Summary,
    pub ab: Option<AbReport>,
    /// Closed-loop estimate of requests/s: users / (response time + mean think time).
    pub expected_rps: Option<f64>,
    /// The keys left in the cache when the run ended, sorted, with the TTL
    /// remaining in milliseconds (`None` = no TTL), read from the emulator.
    pub final_keys: Vec<(String, Option<i64>)>,
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[f64], pct: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((pct / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

impl Report {
    /// The API log lines written up to `at_us` (simulated time).
    pub fn log_until(&self, at_us: i64) -> &[LogLine] {
        &self.log[..self.log.partition_point(|l| l.at_us <= at_us)]
    }

    /// The cache commands run up to `at_us` (simulated time).
    pub fn commands_until(&self, at_us: i64) -> &[CommandRecord] {
        &self.commands[..self.commands.partition_point(|c| c.at_us <= at_us)]
    }

    pub(crate) fn build(sim: Simulation) -> Report {
        let cfg = sim.config().clone();
        let mut records = sim.records.clone();
        records.sort_by_key(|r| r.end_us);
        let mut times: Vec<f64> = records.iter().map(|r| r.response_ms()).collect();
        times.sort_by(|a, b| a.total_cmp(b));
        let n = records.len();
        let end_us = records.iter().map(|r| r.end_us).max().unwrap_or(0);
        let first_start = records.iter().map(|r| r.start_us).min().unwrap_or(0);
        let span_s = ((end_us - first_start) as f64 / 1e6).max(1e-6);
        let hits = records.iter().filter(|r| matches!(r.outcome, Outcome::Hit | Outcome::WaitedForLock)).count();
        let cache_used = cfg.strategy != Strategy::NoCache;

        let summary = Summary {
            requests: n,
            failures: records.iter().filter(|r| r.outcome == Outcome::Failed).count(),
            median_ms: percentile(&times, 50.0),
            p95_ms: percentile(&times, 95.0),
            max_ms: times.last().copied().unwrap_or(0.0),
            avg_ms: if n > 0 { times.iter().sum::<f64>() / n as f64 } else { 0.0 },
            rps: n as f64 / span_s,
            hit_ratio: if cache_used && n > 0 { hits as f64 / n as f64 } else { 0.0 },
            db_hits: sim.db_hits.iter().sum(),
            max_parallel_loads: sim.max_parallel_loads,
            stampede_misses: sim.stampede_misses,
            expiry_misses: sim.expiry_misses,
        };

        let timeline = timeline(&records, &sim.user_changes, end_us);
        let final_keys = final_keys(sim.engine());
        let db_hits_per_product =
            sim.db_hits.iter().enumerate().filter(|(_, &h)| h > 0).map(|(p, &h)| (p as u32, h)).collect();
        let ab = match cfg.load {
            Load::Ab { concurrency, .. } => Some(ab_report(&records, concurrency)),
            _ => None,
        };
        let expected_rps = match cfg.load {
            Load::Locust { users, think_min_ms, think_max_ms, .. } => {
                let think_s = (think_min_ms + think_max_ms) as f64 / 2000.0;
                Some(users as f64 / (summary.avg_ms / 1000.0 + think_s))
            }
            Load::Ab { .. } => None,
        };
        Report {
            config: cfg,
            records,
            timeline,
            log: sim.log.clone(),
            dropped_log_lines: sim.dropped_log_lines,
            commands: sim.commands.clone(),
            db_hits_per_product,
            summary,
            ab,
            expected_rps,
            final_keys,
        }
    }
}

/// The kinds of the newest step of a log: every line written at the same
/// instant as the last one (a miss and its database read are logged
/// together), each kind once, oldest first.
pub fn newest_step(log: &[LogLine]) -> Vec<LogKind> {
    let mut kinds: Vec<LogKind> = Vec::new();
    if let Some(newest) = log.last() {
        for l in log.iter().rev().take_while(|l| l.at_us == newest.at_us) {
            if !kinds.contains(&l.kind) {
                kinds.insert(0, l.kind);
            }
        }
    }
    kinds
}

/// The live keys of database 0 at the engine's current time, with TTLs.
fn final_keys(engine: &redis_emulator::Engine) -> Vec<(String, Option<i64>)> {
    let now = engine.now_ms();
    let Some(db) = engine.db(0) else { return Vec::new() };
    let mut keys: Vec<(String, Option<i64>)> = db
        .iter()
        .filter(|(_, e)| !e.is_expired(now))
        .take(LIST_LIMIT)
        .map(|(k, e)| (String::from_utf8_lossy(k).into_owned(), e.expire_at().map(|at| at - now)))
        .collect();
    keys.sort();
    keys
}

/// Most final keys listed.
const LIST_LIMIT: usize = 1_000;

/// Per-second points; `records` must be sorted by `end_us`.
fn timeline(records: &[RequestRecord], user_changes: &[(i64, u32)], end_us: i64) -> Vec<Point> {
    let seconds = (end_us / 1_000_000 + 1).clamp(1, 7200) as u32;
    let mut points = Vec::with_capacity(seconds as usize);
    let mut users = 0;
    let mut change = 0;
    for s in 0..seconds {
        let lo = s as i64 * 1_000_000;
        let hi = lo + 1_000_000;
        while change < user_changes.len() && user_changes[change].0 < hi {
            users = user_changes[change].1;
            change += 1;
        }
        // `records` is sorted by end time, so each second and each 10-second
        // window is a slice (a scan per second would be quadratic).
        let first_of = |t: i64| records.partition_point(|r| r.end_us < t);
        let (from, to) = (first_of(lo), first_of(hi));
        let this_second = &records[from..to];
        let mut window: Vec<f64> = records[first_of(hi - 10_000_000)..to].iter().map(|r| r.response_ms()).collect();
        window.sort_by(|a, b| a.total_cmp(b));
        let hits = this_second.iter().filter(|r| matches!(r.outcome, Outcome::Hit | Outcome::WaitedForLock)).count();
        points.push(Point {
            second: s,
            users,
            rps: this_second.len() as f64,
            p50_ms: percentile(&window, 50.0),
            p95_ms: percentile(&window, 95.0),
            hit_ratio: if this_second.is_empty() { 0.0 } else { hits as f64 / this_second.len() as f64 },
        });
    }
    points
}

fn ab_report(records: &[RequestRecord], concurrency: u32) -> AbReport {
    let mut ms: Vec<u64> = records.iter().map(|r| ((r.end_us - r.start_us) as f64 / 1000.0).round() as u64).collect();
    ms.sort_unstable();
    let n = ms.len();
    let end = records.iter().map(|r| r.end_us).max().unwrap_or(0);
    let start = records.iter().map(|r| r.start_us).min().unwrap_or(0);
    let taken = ((end - start) as f64 / 1e6).max(1e-6);
    let percentiles = [50u32, 66, 75, 80, 90, 95, 98, 99, 100]
        .iter()
        .map(|&p| {
            let v = if n == 0 {
                0
            } else if p == 100 {
                ms[n - 1]
            } else {
                ms[(n * p as usize / 100).min(n - 1)]
            };
            (p, v)
        })
        .collect();
    AbReport {
        complete_requests: n,
        concurrency,
        time_taken_s: taken,
        requests_per_second: n as f64 / taken,
        time_per_request_ms: concurrency as f64 * taken * 1000.0 / n.max(1) as f64,
        time_per_request_all_ms: taken * 1000.0 / n.max(1) as f64,
        percentiles,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SimConfig;
    use crate::sim::{product_json, EPOCH_MS};

    fn short(strategy: Strategy) -> Report {
        let mut cfg = SimConfig::seed_defaults(strategy);
        if let Load::Locust { duration_s, .. } = &mut cfg.load {
            *duration_s = 20;
        }
        crate::run(cfg).unwrap()
    }

    #[test]
    fn cache_commands_are_recorded_as_they_ran() {
        let r = short(Strategy::CacheAside);
        let first = &r.commands[0];
        assert_eq!((first.name, first.outcome, first.reply.as_str()), ("GET", CommandOutcome::Miss, "(nil)"));
        assert_eq!(first.argv, [b"GET".to_vec(), first.key.as_bytes().to_vec()]);
        // The emulator's clock moves in whole milliseconds with the simulation.
        for c in &r.commands {
            assert_eq!(c.unix_us, (EPOCH_MS + c.at_us / 1000) * 1000, "{c:?}");
        }
        let store = r.commands.iter().find(|c| c.name == "SETEX").unwrap();
        let product: u32 = store.key.trim_start_matches("product:").parse().unwrap();
        assert_eq!(store.argv[2..], [b"60".to_vec(), product_json(product).into_bytes()]);
        assert_eq!((store.outcome, store.reply.as_str()), (CommandOutcome::Stored, "OK"));
        // A GET after the store (within the TTL) hits.
        let hit = r.commands.iter().find(|c| c.name == "GET" && c.key == store.key && c.at_us > store.at_us).unwrap();
        assert_eq!(hit.outcome, CommandOutcome::Hit);
        assert!(r.commands.windows(2).all(|w| w[0].at_us <= w[1].at_us));
    }

    #[test]
    fn lock_commands_have_their_outcomes() {
        let r = short(Strategy::CacheAsideLock);
        let taken = r.commands.iter().find(|c| c.outcome == CommandOutcome::LockTaken).unwrap();
        assert!(taken.key.starts_with("lock:product:"), "{}", taken.key);
        assert_eq!(taken.argv[2..], [b"1".to_vec(), b"NX".to_vec(), b"PX".to_vec(), b"10000".to_vec()]);
        assert!(r.commands.iter().any(|c| c.outcome == CommandOutcome::LockBusy));
        assert!(r.commands.iter().any(|c| c.name == "DEL" && c.outcome == CommandOutcome::Deleted(1)));
        let early = short(Strategy::EarlyRefresh);
        assert!(early.commands.iter().any(|c| matches!(c.outcome, CommandOutcome::Ttl(ms) if ms > 0)));
    }

    #[test]
    fn playback_slices_and_the_newest_step() {
        let r = short(Strategy::CacheAside);
        let at = r.log[3].at_us;
        let shown = r.log_until(at);
        assert!(shown.iter().all(|l| l.at_us <= at));
        assert_eq!(shown.len(), r.log.iter().filter(|l| l.at_us <= at).count());
        assert!(r.commands_until(at).iter().all(|c| c.at_us <= at));
        assert_eq!(r.commands_until(-1).len(), 0);
        let line = |at_us, kind| LogLine { at_us, kind, product: 1, text: String::new() };
        let log = [line(1, LogKind::Hit), line(2, LogKind::Miss), line(2, LogKind::Database), line(2, LogKind::Miss)];
        assert_eq!(newest_step(&log), [LogKind::Database, LogKind::Miss]);
        assert_eq!(newest_step(&log[..1]), [LogKind::Hit]);
        assert_eq!(newest_step(&[]), []);
    }
}
