//! What to simulate: the API, the database, the cache strategy and the load.

/// How the API uses the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Every request queries the database (the seed's "slow" API).
    NoCache,
    /// GET; on a miss, load from the database and SETEX (the seed's "fast" API).
    CacheAside,
    /// Cache-aside where only the request that wins `SET lock:… NX PX` loads
    /// the database; the others poll the cache until the value appears.
    CacheAsideLock,
    /// Cache-aside that refreshes an entry in the background shortly before
    /// it expires, so readers never see the miss.
    EarlyRefresh,
}

impl Strategy {
    pub const ALL: [Strategy; 4] =
        [Strategy::NoCache, Strategy::CacheAside, Strategy::CacheAsideLock, Strategy::EarlyRefresh];

    pub fn label(self) -> &'static str {
        match self {
            Strategy::NoCache => "No cache",
            Strategy::CacheAside => "Cache-aside",
            Strategy::CacheAsideLock => "Cache-aside + lock",
            Strategy::EarlyRefresh => "Cache-aside + early refresh",
        }
    }
}

/// Which product a request asks for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Popularity {
    /// Every product equally likely (the seed: `random.randint(1, 10)`).
    Uniform,
    /// Zipf with exponent `s`: a few products get most requests.
    Zipf(f64),
}

/// The load generator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Load {
    /// Locust: `users` closed-loop users, started `spawn_rate` per second,
    /// each waiting uniform(`think_min_ms`, `think_max_ms`) between requests.
    Locust { users: u32, spawn_rate: f64, duration_s: u32, think_min_ms: u64, think_max_ms: u64 },
    /// ApacheBench: `requests` in total, `concurrency` at a time, no think time,
    /// all for one product (`ab -n 100 -c 10 http://…/product`).
    Ab { requests: u32, concurrency: u32 },
}

#[derive(Debug, Clone, PartialEq)]
pub struct SimConfig {
    pub strategy: Strategy,
    pub load: Load,
    /// Number of products (ids 1..=products).
    pub products: u32,
    pub popularity: Popularity,
    /// Server worker threads; requests beyond them wait in a queue.
    pub workers: u32,
    /// The simulated database query (`time.sleep(2)` in the seed).
    pub db_latency_ms: u64,
    /// Uniform extra database time in 0..=jitter.
    pub db_jitter_ms: u64,
    /// One round trip to Redis on the same host.
    pub cache_rtt_us: u64,
    /// Web framework + JSON work per request (Flask on a laptop: ~1-2 ms).
    pub overhead_us: u64,
    /// Cache TTL in seconds (`SETEX product:<id> 60 …`).
    pub ttl_s: u64,
    /// Lock strategy: how long a waiting request sleeps before re-reading the cache.
    pub lock_poll_ms: u64,
    /// Early refresh: refresh when less than this many seconds of TTL are left.
    pub refresh_ahead_s: u64,
    pub seed: u64,
}

impl SimConfig {
    /// The seed's experiment: 10 Locust users, spawn rate 1/s, 1-2 s think
    /// time, products 1-10, a 2 s database, SETEX 60.
    pub fn seed_defaults(strategy: Strategy) -> SimConfig {
        SimConfig {
            strategy,
            load: Load::Locust { users: 10, spawn_rate: 1.0, duration_s: 180, think_min_ms: 1000, think_max_ms: 2000 },
            products: 10,
            popularity: Popularity::Uniform,
            workers: 64,
            db_latency_ms: 2000,
            db_jitter_ms: 0,
            cache_rtt_us: 300,
            overhead_us: 1500,
            ttl_s: 60,
            lock_poll_ms: 50,
            refresh_ahead_s: 5,
            seed: 2024,
        }
    }

    /// The seed's `ab -n 100 -c 10` run against one product.
    pub fn ab_defaults(strategy: Strategy) -> SimConfig {
        SimConfig { load: Load::Ab { requests: 100, concurrency: 10 }, ..SimConfig::seed_defaults(strategy) }
    }

    /// Upper bounds that keep a run small enough for a browser tab.
    pub fn validate(&self) -> Result<(), String> {
        match self.load {
            Load::Locust { users, spawn_rate, duration_s, think_min_ms, think_max_ms } => {
                if !(1..=1000).contains(&users) {
                    return Err("users must be between 1 and 1000".into());
                }
                if !(spawn_rate > 0.0 && spawn_rate <= 1000.0) {
                    return Err("spawn rate must be between 0 and 1000 users per second".into());
                }
                if !(1..=3600).contains(&duration_s) {
                    return Err("duration must be between 1 second and 1 hour".into());
                }
                if think_min_ms > think_max_ms || think_max_ms > 60_000 {
                    return Err("think time must be a range within 0-60 s".into());
                }
            }
            Load::Ab { requests, concurrency } => {
                if !(1..=100_000).contains(&requests) || !(1..=1000).contains(&concurrency) {
                    return Err("ab needs 1-100000 requests and a concurrency of 1-1000".into());
                }
            }
        }
        if !(1..=10_000).contains(&self.products) {
            return Err("products must be between 1 and 10000".into());
        }
        if !(1..=10_000).contains(&self.workers) {
            return Err("workers must be between 1 and 10000".into());
        }
        if self.db_latency_ms > 60_000 || self.ttl_s == 0 || self.ttl_s > 86_400 {
            return Err("database latency must be at most 60 s and the TTL 1 s to 1 day".into());
        }
        if let Popularity::Zipf(s) = self.popularity {
            if !(s > 0.0 && s <= 5.0) {
                return Err("Zipf exponent must be in (0, 5]".into());
            }
        }
        Ok(())
    }
}
