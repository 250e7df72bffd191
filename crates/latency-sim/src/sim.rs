//! The discrete-event simulation. Virtual time in microseconds; one event
//! queue; every cache operation is a real command on an in-memory Redis
//! emulator whose manual clock follows the simulation's clock, so TTLs
//! expire exactly when they would.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use redis_emulator::cli_format::format_reply;
use redis_emulator::rng::Rng;
use redis_emulator::{ClientId, Engine, Protocol, Reply};

use crate::config::{Load, Popularity, SimConfig, Strategy};
use crate::report::{CommandOutcome, CommandRecord, LogKind, LogLine, Outcome, RequestRecord};

/// Where the emulator's clock starts (Unix ms); the simulation starts at 0.
pub const EPOCH_MS: i64 = 1_700_000_000_000;
/// The API's client address on the emulator (what MONITOR shows).
pub const API_CLIENT: &str = "api:5000";
/// A request still waiting for another request's load after this long fails.
pub const REQUEST_TIMEOUT_US: i64 = 30_000_000;
/// Most API log lines and cache commands kept (the rest are counted only).
pub const LOG_LIMIT: usize = 5_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    /// A Locust user starts (user index).
    Spawn(u32),
    /// A user (or an ab slot) sends its next request.
    Issue(u32),
    /// Continue request `r` at its next phase.
    Resume(usize),
    /// Background refresh of a product finished its database read.
    RefreshDone(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for a worker thread.
    Queued,
    /// First half of the framework overhead is done; read the cache.
    CheckCache,
    /// Lock strategy: try to take the load lock.
    TryLock,
    /// Lock taken: read the cache once more (another request may have just
    /// filled it) before going to the database.
    Recheck,
    /// The database read finished; store the value.
    Loaded,
    /// Second half of the overhead is done; the response leaves.
    Respond,
}

struct Request {
    source: u32,
    product: u32,
    start_us: i64,
    phase: Phase,
    outcome: Outcome,
    holds_lock: bool,
}

/// Runs one simulation to completion.
pub struct Simulation {
    cfg: SimConfig,
    rng: Rng,
    engine: Engine,
    api: ClientId,
    now_us: i64,
    engine_ms: i64,
    seq: u64,
    queue: BinaryHeap<Reverse<(i64, u64, Ev)>>,
    requests: Vec<Request>,
    waiting_for_worker: VecDeque<usize>,
    busy_workers: u32,
    active_users: u32,
    issued: u32,
    zipf_cdf: Vec<f64>,
    in_flight_loads: Vec<u32>,
    refreshing: Vec<bool>,
    pub(crate) records: Vec<RequestRecord>,
    pub(crate) log: Vec<LogLine>,
    pub(crate) commands: Vec<CommandRecord>,
    pub(crate) dropped_log_lines: u64,
    pub(crate) db_hits: Vec<u64>,
    pub(crate) max_parallel_loads: u32,
    pub(crate) stampede_misses: usize,
    pub(crate) expiry_misses: usize,
    pub(crate) user_changes: Vec<(i64, u32)>,
}

impl Simulation {
    pub fn new(cfg: SimConfig) -> Result<Simulation, String> {
        cfg.validate()?;
        let mut engine = Engine::with_manual_clock(EPOCH_MS, cfg.seed);
        let api = engine.connect(API_CLIENT);
        let products = match cfg.load {
            Load::Ab { .. } => 123,
            Load::Locust { .. } => cfg.products,
        } as usize;
        let zipf_cdf = match cfg.popularity {
            Popularity::Zipf(s) => {
                let weights: Vec<f64> = (1..=cfg.products).map(|k| 1.0 / (k as f64).powf(s)).collect();
                let total: f64 = weights.iter().sum();
                let mut acc = 0.0;
                weights
                    .iter()
                    .map(|w| {
                        acc += w / total;
                        acc
                    })
                    .collect()
            }
            Popularity::Uniform => Vec::new(),
        };
        Ok(Simulation {
            rng: Rng::new(cfg.seed),
            engine,
            api,
            now_us: 0,
            engine_ms: EPOCH_MS,
            seq: 0,
            queue: BinaryHeap::new(),
            requests: Vec::new(),
            waiting_for_worker: VecDeque::new(),
            busy_workers: 0,
            active_users: 0,
            issued: 0,
            zipf_cdf,
            in_flight_loads: vec![0; products + 1],
            refreshing: vec![false; products + 1],
            records: Vec::new(),
            log: Vec::new(),
            commands: Vec::new(),
            dropped_log_lines: 0,
            db_hits: vec![0; products + 1],
            max_parallel_loads: 0,
            stampede_misses: 0,
            expiry_misses: 0,
            user_changes: Vec::new(),
            cfg,
        })
    }

    pub fn config(&self) -> &SimConfig {
        &self.cfg
    }

    /// The emulator the cache commands ran on (keys, TTLs, MONITOR-like log).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn into_engine(self) -> Engine {
        self.engine
    }

    fn at(&mut self, delay_us: i64, ev: Ev) {
        self.seq += 1;
        self.queue.push(Reverse((self.now_us + delay_us.max(0), self.seq, ev)));
    }

    fn log(&mut self, kind: LogKind, product: u32, text: String) {
        if self.log.len() < LOG_LIMIT {
            self.log.push(LogLine { at_us: self.now_us, kind, product, text });
        } else {
            self.dropped_log_lines += 1;
        }
    }

    /// Runs a cache command at the current virtual time and records it.
    fn redis(&mut self, name: &'static str, key: &str, args: &[&[u8]]) -> Reply {
        let now_ms = EPOCH_MS + self.now_us / 1000;
        if now_ms > self.engine_ms {
            self.engine.advance_clock(now_ms - self.engine_ms);
            self.engine_ms = now_ms;
        }
        let mut argv = Vec::with_capacity(args.len() + 2);
        argv.push(name.as_bytes().to_vec());
        argv.push(key.as_bytes().to_vec());
        argv.extend(args.iter().map(|a| a.to_vec()));
        let unix_us = self.engine.clock().now_us();
        let reply = self.engine.execute(self.api, argv.clone());
        if self.commands.len() < LOG_LIMIT {
            let shown = format_reply(&reply, Protocol::Resp2);
            self.commands.push(CommandRecord {
                at_us: self.now_us,
                unix_us,
                name,
                key: key.to_string(),
                argv,
                reply: shown.lines().next().unwrap_or("").to_string(),
                outcome: CommandOutcome::of(name, &reply),
            });
        }
        reply
    }

    /// GET: true when the cache holds the value.
    fn cache_get(&mut self, key: &str) -> bool {
        matches!(self.redis("GET", key, &[]), Reply::Bulk(_))
    }

    /// SETEX key ttl body: stores a product for the configured TTL.
    fn cache_store(&mut self, key: &str, product: u32) {
        let ttl = self.cfg.ttl_s.to_string();
        let body = product_json(product);
        self.redis("SETEX", key, &[ttl.as_bytes(), body.as_bytes()]);
    }

    fn pick_product(&mut self) -> u32 {
        if let Load::Ab { .. } = self.cfg.load {
            return 123;
        }
        match self.cfg.popularity {
            Popularity::Uniform => 1 + self.rng.below(self.cfg.products as u64) as u32,
            Popularity::Zipf(_) => {
                let u = self.rng.unit();
                let idx = self.zipf_cdf.iter().position(|&c| u <= c).unwrap_or(self.zipf_cdf.len().saturating_sub(1));
                idx as u32 + 1
            }
        }
    }

    fn think_us(&mut self) -> i64 {
        match self.cfg.load {
            Load::Locust { think_min_ms, think_max_ms, .. } => {
                let span = (think_max_ms - think_min_ms) as f64;
                ((think_min_ms as f64 + self.rng.unit() * span) * 1000.0) as i64
            }
            Load::Ab { .. } => 0,
        }
    }

    fn db_us(&mut self) -> i64 {
        let jitter = if self.cfg.db_jitter_ms > 0 { self.rng.below(self.cfg.db_jitter_ms + 1) } else { 0 };
        ((self.cfg.db_latency_ms + jitter) * 1000) as i64
    }

    fn half_overhead(&self) -> i64 {
        (self.cfg.overhead_us / 2) as i64
    }

    fn rtt(&self) -> i64 {
        self.cfg.cache_rtt_us as i64
    }

    /// Runs the whole simulation.
    pub fn run(mut self) -> crate::report::Report {
        match self.cfg.load {
            Load::Locust { users, spawn_rate, .. } => {
                for u in 0..users {
                    let delay = (u as f64 / spawn_rate * 1e6) as i64;
                    self.at(delay, Ev::Spawn(u));
                }
            }
            Load::Ab { requests, concurrency } => {
                for slot in 0..concurrency.min(requests) {
                    self.at(0, Ev::Issue(slot));
                }
            }
        }
        let mut guard = 0u64;
        while let Some(Reverse((t, _, ev))) = self.queue.pop() {
            guard += 1;
            if guard > 50_000_000 {
                break;
            }
            self.now_us = t;
            match ev {
                Ev::Spawn(u) => {
                    self.active_users += 1;
                    self.user_changes.push((self.now_us, self.active_users));
                    self.issue(u);
                }
                Ev::Issue(u) => self.issue(u),
                Ev::Resume(r) => self.resume(r),
                Ev::RefreshDone(p) => {
                    let key = format!("product:{p}");
                    self.cache_store(&key, p);
                    self.refreshing[p as usize] = false;
                    self.in_flight_loads[p as usize] -= 1;
                    self.log(LogKind::Refresh, p, format!("REFRESHED: product {p} reloaded before its TTL ended."));
                }
            }
        }
        crate::report::Report::build(self)
    }

    fn load_over(&self) -> bool {
        match self.cfg.load {
            Load::Locust { duration_s, .. } => self.now_us >= duration_s as i64 * 1_000_000,
            Load::Ab { requests, .. } => self.issued >= requests,
        }
    }

    fn issue(&mut self, source: u32) {
        if self.load_over() {
            return;
        }
        self.issued += 1;
        let product = self.pick_product();
        let r = self.requests.len();
        self.requests.push(Request {
            source,
            product,
            start_us: self.now_us,
            phase: Phase::Queued,
            outcome: Outcome::Uncached,
            holds_lock: false,
        });
        if self.busy_workers < self.cfg.workers {
            self.busy_workers += 1;
            self.begin(r);
        } else {
            self.waiting_for_worker.push_back(r);
        }
    }

    /// A worker picked the request up.
    fn begin(&mut self, r: usize) {
        let product = self.requests[r].product;
        if self.cfg.strategy == Strategy::NoCache {
            self.start_db_load(r, product);
            return;
        }
        self.requests[r].phase = Phase::CheckCache;
        let delay = self.half_overhead() + self.rtt();
        self.at(delay, Ev::Resume(r));
    }

    fn start_db_load(&mut self, r: usize, product: u32) {
        self.log(LogKind::Database, product, format!("DATABASE HIT: Fetching product {product} from the database..."));
        self.db_hits[product as usize] += 1;
        let slot = &mut self.in_flight_loads[product as usize];
        *slot += 1;
        self.max_parallel_loads = self.max_parallel_loads.max(*slot);
        self.requests[r].phase = Phase::Loaded;
        let delay = self.db_us() + if self.cfg.strategy == Strategy::NoCache { self.half_overhead() } else { 0 };
        self.at(delay, Ev::Resume(r));
    }

    fn resume(&mut self, r: usize) {
        let product = self.requests[r].product;
        let key = format!("product:{product}");
        match self.requests[r].phase {
            Phase::Queued => self.begin(r),
            Phase::CheckCache => {
                if self.cache_get(&key) {
                    if self.requests[r].outcome != Outcome::WaitedForLock {
                        self.requests[r].outcome = Outcome::Hit;
                    }
                    self.log(LogKind::Hit, product, format!("CACHE HIT: Fetching product {product} from cache."));
                    if self.cfg.strategy == Strategy::EarlyRefresh {
                        self.maybe_refresh(product, &key);
                    }
                    self.requests[r].phase = Phase::Respond;
                    let delay = self.half_overhead();
                    self.at(delay, Ev::Resume(r));
                    return;
                }
                if self.requests[r].outcome != Outcome::WaitedForLock {
                    self.requests[r].outcome = Outcome::Miss;
                    if self.in_flight_loads[product as usize] > 0 {
                        self.stampede_misses += 1;
                    } else if self.db_hits[product as usize] > 0 {
                        self.expiry_misses += 1;
                    }
                    self.log(LogKind::Miss, product, format!("CACHE MISS: Product {product} not found in cache."));
                }
                if self.cfg.strategy == Strategy::CacheAsideLock {
                    self.requests[r].phase = Phase::TryLock;
                    let delay = self.rtt();
                    self.at(delay, Ev::Resume(r));
                } else {
                    self.start_db_load(r, product);
                }
            }
            Phase::TryLock => {
                let lock = format!("lock:{key}");
                let reply = self.redis("SET", &lock, &[b"1", b"NX", b"PX", b"10000"]);
                if reply == Reply::OK {
                    // Re-check after winning the lock: the previous holder may
                    // have stored the value and released the lock between this
                    // request's miss and its SET NX (double-checked locking).
                    if self.cache_get(&key) {
                        self.redis("DEL", &lock, &[]);
                        self.requests[r].outcome = Outcome::WaitedForLock;
                        self.log(LogKind::Hit, product, format!("CACHE HIT: Fetching product {product} from cache."));
                        self.requests[r].phase = Phase::Respond;
                        let delay = 2 * self.rtt() + self.half_overhead();
                        self.at(delay, Ev::Resume(r));
                        return;
                    }
                    self.requests[r].holds_lock = true;
                    self.requests[r].phase = Phase::Recheck;
                    let delay = self.rtt();
                    self.at(delay, Ev::Resume(r));
                } else if self.now_us - self.requests[r].start_us > REQUEST_TIMEOUT_US {
                    self.requests[r].outcome = Outcome::Failed;
                    self.log(LogKind::Wait, product, format!("TIMEOUT: gave up waiting for product {product}."));
                    self.finish(r);
                } else {
                    if self.requests[r].outcome != Outcome::WaitedForLock {
                        self.log(
                            LogKind::Wait,
                            product,
                            format!("LOCKED: product {product} is being loaded; waiting for the cache."),
                        );
                    }
                    self.requests[r].outcome = Outcome::WaitedForLock;
                    self.requests[r].phase = Phase::CheckCache;
                    let delay = (self.cfg.lock_poll_ms * 1000) as i64 + self.rtt();
                    self.at(delay, Ev::Resume(r));
                }
            }
            Phase::Recheck => {
                if self.cache_get(&key) {
                    self.redis("DEL", &format!("lock:{key}"), &[]);
                    self.requests[r].holds_lock = false;
                    self.requests[r].phase = Phase::Respond;
                    let delay = self.rtt() + self.half_overhead();
                    self.at(delay, Ev::Resume(r));
                } else {
                    self.start_db_load(r, product);
                }
            }
            Phase::Loaded => {
                self.in_flight_loads[product as usize] -= 1;
                if self.cfg.strategy != Strategy::NoCache {
                    self.cache_store(&key, product);
                    if self.requests[r].holds_lock {
                        self.redis("DEL", &format!("lock:{key}"), &[]);
                        self.requests[r].holds_lock = false;
                    }
                    self.requests[r].phase = Phase::Respond;
                    let delay = self.rtt() + self.half_overhead();
                    self.at(delay, Ev::Resume(r));
                } else {
                    self.finish(r);
                }
            }
            Phase::Respond => self.finish(r),
        }
    }

    /// Early refresh: if the entry expires soon and nobody refreshes it yet,
    /// reload it in the background while this request is served from cache.
    fn maybe_refresh(&mut self, product: u32, key: &str) {
        if self.refreshing[product as usize] {
            return;
        }
        let pttl = match self.redis("PTTL", key, &[]) {
            Reply::Integer(ms) => ms,
            _ => return,
        };
        if pttl >= 0 && pttl < (self.cfg.refresh_ahead_s * 1000) as i64 {
            self.refreshing[product as usize] = true;
            self.db_hits[product as usize] += 1;
            let slot = &mut self.in_flight_loads[product as usize];
            *slot += 1;
            self.max_parallel_loads = self.max_parallel_loads.max(*slot);
            self.log(
                LogKind::Database,
                product,
                format!("DATABASE HIT: Refreshing product {product} in the background..."),
            );
            let delay = self.db_us();
            self.at(delay, Ev::RefreshDone(product));
        }
    }

    fn finish(&mut self, r: usize) {
        let req = &self.requests[r];
        self.records.push(RequestRecord {
            start_us: req.start_us,
            end_us: self.now_us,
            product: req.product,
            outcome: req.outcome,
        });
        let source = req.source;
        self.busy_workers -= 1;
        if let Some(next) = self.waiting_for_worker.pop_front() {
            self.busy_workers += 1;
            self.at(0, Ev::Resume(next));
        }
        let think = self.think_us();
        if !self.load_over() {
            self.at(think, Ev::Issue(source));
        }
    }
}

/// The JSON body the seed's API returns for a product.
pub fn product_json(id: u32) -> String {
    format!("{{\"id\": {id}, \"name\": \"Product {id}\", \"price\": 100.0}}")
}
