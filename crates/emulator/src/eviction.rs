//! Eviction under `maxmemory`, the way Redis 7.0's `performEvictions` does it.
//!
//! Before each command (when `maxmemory` is set) the engine asks
//! [`perform_evictions`] to bring `used_memory` back under the limit:
//! - LRU / LFU / volatile-ttl: every round samples `maxmemory-samples` keys
//!   per database (all keys, or only keys with a TTL for `volatile-*`) into a
//!   16-entry pool ordered by "idleness" (idle time, 255 − decayed LFU
//!   counter, or the inverse of the expiry time), then evicts the best
//!   candidate of the pool that still exists;
//! - random policies pick a random key, visiting the databases round-robin;
//! - `noeviction`, or nothing left to evict: the command may be refused with
//!   `-OOM` if it is flagged `denyoom` (decided by the engine).
//!
//! Each eviction counts in `evicted_keys`, invalidates WATCH, publishes the
//! `evicted` keyspace event, is logged in the AOF as a DEL, and is reported to
//! the UI as [`Event::Evicted`] with the reason in plain words.

use crate::access;
use crate::config::EvictionPolicy;
use crate::engine::Engine;

/// Candidates kept between eviction rounds (Redis's `EVPOOL_SIZE`).
pub const POOL_SIZE: usize = 16;
/// Most keys sampled per database and round, whatever `maxmemory-samples` says.
pub const MAX_SAMPLES: usize = 1024;

/// One candidate: a key, its database and its score (higher = evict first).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Candidate {
    idle: u64,
    db: usize,
    key: Vec<u8>,
}

/// Redis's eviction pool: candidates sorted by ascending idleness.
#[derive(Debug, Clone, Default)]
pub struct EvictionPool {
    slots: Vec<Candidate>,
    /// Round-robin start for the random policies (Redis's static `next_db`).
    next_db: usize,
}

impl EvictionPool {
    /// Number of candidates held.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.slots.len()
    }

    /// Inserts a sample the way `evictionPoolPopulate` does: the pool keeps
    /// the 16 best candidates; a full pool drops its least idle entry.
    fn insert(&mut self, cand: Candidate) {
        if self.slots.iter().any(|c| c.db == cand.db && c.key == cand.key) {
            return;
        }
        let k = self.slots.iter().position(|c| c.idle >= cand.idle).unwrap_or(self.slots.len());
        if self.slots.len() < POOL_SIZE {
            self.slots.insert(k, cand);
        } else if k > 0 {
            self.slots.remove(0);
            self.slots.insert(k - 1, cand);
        }
    }

    pub fn clear(&mut self) {
        self.slots.clear();
    }
}

/// Outcome of an eviction attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eviction {
    /// Memory is (now) under the limit, or there is no limit.
    Ok,
    /// Still over the limit and nothing (more) can be evicted.
    Fail,
}

/// True if `used_memory` is over a configured `maxmemory`.
///
/// Eviction takes the whole engine: it reads the configuration, samples
/// keys with the engine's RNG, fills the eviction pool, removes victims
/// through [`Engine::remove_key`] (memory, AOF, WATCH, notification, stats
/// and the event the UI shows) and measures memory again after each one.
pub fn over_limit(engine: &Engine) -> bool {
    let max = engine.config.maxmemory;
    // A replica ignores maxmemory (`replica-ignore-maxmemory yes`): its master evicts.
    max > 0 && !engine.repl.is_replica() && engine.used_memory() > max
}

/// Evicts keys until memory is under `maxmemory` (Redis's `performEvictions`).
pub fn perform_evictions(engine: &mut Engine) -> Eviction {
    if !over_limit(engine) {
        return Eviction::Ok;
    }
    let policy = engine.config.maxmemory_policy;
    if policy == EvictionPolicy::NoEviction {
        return Eviction::Fail;
    }
    // Every eviction removes a key, so this loop ends after at most
    // "number of keys" rounds; the cap is a second guard.
    let total: usize = engine.keyspace.dbs.iter().map(|d| d.len()).sum();
    for _ in 0..=total {
        if !over_limit(engine) {
            return Eviction::Ok;
        }
        let picked = match policy {
            EvictionPolicy::AllKeysRandom | EvictionPolicy::VolatileRandom => pick_random(engine, policy),
            _ => pick_from_pool(engine, policy),
        };
        let Some((db, key, reason)) = picked else { return Eviction::Fail };
        engine.remove_key(db, &key, crate::expiry::Removal::Evicted { policy, reason });
    }
    if over_limit(engine) {
        Eviction::Fail
    } else {
        Eviction::Ok
    }
}

fn volatile_only(policy: EvictionPolicy) -> bool {
    matches!(
        policy,
        EvictionPolicy::VolatileLru
            | EvictionPolicy::VolatileLfu
            | EvictionPolicy::VolatileRandom
            | EvictionPolicy::VolatileTtl
    )
}

/// Random policies: the first database (round-robin) with candidates
/// gives a uniformly random key.
fn pick_random(engine: &mut Engine, policy: EvictionPolicy) -> Option<(usize, Vec<u8>, String)> {
    let n = engine.keyspace.dbs.len();
    let volatile = volatile_only(policy);
    for _ in 0..n {
        engine.server.eviction_pool.next_db = (engine.server.eviction_pool.next_db + 1) % n.max(1);
        let db = engine.server.eviction_pool.next_db;
        let rng = &mut engine.rng;
        let key = if volatile {
            engine.keyspace.dbs[db].random_volatile(|len| rng.index(len)).map(|(k, _)| k.to_vec())
        } else {
            engine.keyspace.dbs[db].random_key(|len| rng.index(len)).map(|k| k.to_vec())
        };
        if let Some(key) = key {
            let reason = if volatile {
                "picked at random among keys with a TTL".to_string()
            } else {
                "picked at random among all keys".to_string()
            };
            return Some((db, key, reason));
        }
    }
    None
}

/// How "evictable" a key is under `policy`; higher goes first.
fn idleness(policy: EvictionPolicy, now: i64, decay_time: u32, access_data: u32, expire_at: Option<i64>) -> u64 {
    match policy {
        EvictionPolicy::AllKeysLfu | EvictionPolicy::VolatileLfu => {
            255 - access::lfu_decayed_counter(access_data, now, decay_time).min(255) as u64
        }
        EvictionPolicy::VolatileTtl => u64::MAX - expire_at.unwrap_or(i64::MAX).max(0) as u64,
        _ => access::idle_ms(access_data, now),
    }
}

/// Pool policies: sample every database into the pool, then take the best
/// candidate that still exists (a "ghost" that was deleted meanwhile is skipped).
fn pick_from_pool(engine: &mut Engine, policy: EvictionPolicy) -> Option<(usize, Vec<u8>, String)> {
    // Redis reads the sample on the stack; a cap keeps an absurd setting
    // from stalling the page (identical behaviour up to 1024 samples).
    let samples = (engine.config.maxmemory_samples as usize).clamp(1, MAX_SAMPLES);
    let volatile = volatile_only(policy);
    let now = engine.now_ms();
    let decay_time = engine.config.lfu_decay_time;
    // Each round either finds a key or removes ghosts from the pool; a few
    // rounds always suffice, the bound only guards against surprises.
    for _ in 0..64 {
        let mut total_keys = 0;
        let mut sampled = 0;
        for db in 0..engine.keyspace.dbs.len() {
            let size = if volatile { engine.keyspace.dbs[db].volatile_len() } else { engine.keyspace.dbs[db].len() };
            if size == 0 {
                continue;
            }
            total_keys += size;
            // Like `dictGetSomeKeys`: up to `samples` distinct keys (drawn at
            // random; a bounded number of draws, so tiny sets may give fewer).
            let target = samples.min(size);
            let mut taken: Vec<Vec<u8>> = Vec::with_capacity(target);
            for _ in 0..target * 8 {
                if taken.len() >= target {
                    break;
                }
                let rng = &mut engine.rng;
                let d = &engine.keyspace.dbs[db];
                let picked = if volatile {
                    d.random_volatile(|len| rng.index(len)).map(|(k, e)| (k, e.access, e.expire_at()))
                } else {
                    d.random_key(|len| rng.index(len)).and_then(|k| d.get(k).map(|e| (k, e.access, e.expire_at())))
                };
                let Some((key, access_data, expire_at)) = picked else { break };
                if taken.iter().any(|t| t.as_slice() == key) {
                    continue;
                }
                let idle = idleness(policy, now, decay_time, access_data, expire_at);
                let key = key.to_vec();
                taken.push(key.clone());
                engine.server.eviction_pool.insert(Candidate { idle, db, key });
                sampled += 1;
            }
        }
        if total_keys == 0 {
            return None;
        }
        while let Some(best) = engine.server.eviction_pool.slots.pop() {
            let exists = engine
                .keyspace
                .dbs
                .get(best.db)
                .and_then(|d| d.get(&best.key))
                .is_some_and(|e| !volatile || e.expire_at().is_some());
            if exists {
                let reason = reason(policy, sampled, best.idle);
                return Some((best.db, best.key, reason));
            }
        }
    }
    None
}

/// The plain-words explanation shown with an eviction.
fn reason(policy: EvictionPolicy, sampled: usize, idle: u64) -> String {
    match policy {
        EvictionPolicy::AllKeysLfu | EvictionPolicy::VolatileLfu => format!(
            "least frequently used (counter {}) among {sampled} sampled keys{} and the eviction pool",
            255u64.saturating_sub(idle),
            if policy == EvictionPolicy::VolatileLfu { " with a TTL" } else { "" }
        ),
        EvictionPolicy::VolatileTtl => {
            format!("nearest expiry among {sampled} sampled keys with a TTL and the eviction pool")
        }
        _ => format!(
            "least recently used (idle {}s) among {sampled} sampled keys{} and the eviction pool",
            idle / 1000,
            if policy == EvictionPolicy::VolatileLru { " with a TTL" } else { "" }
        ),
    }
}

/// Redis 7.0's `processCommand` memory check: evict what is needed, and if
/// memory is still over the limit refuse commands flagged `denyoom`, EXEC of
/// a transaction holding one, and anything queued inside MULTI. Returns the
/// error reply when the command must be refused.
pub fn reject_on_oom(
    engine: &mut Engine,
    client: &mut crate::client::Client,
    spec: &crate::command::CommandSpec,
) -> Option<crate::reply::Reply> {
    use crate::command::flags;
    let out_of_memory = perform_evictions(engine) == Eviction::Fail;
    if !out_of_memory {
        return None;
    }
    let is_exec = spec.has(flags::RUNS_QUEUE);
    let queued_denyoom = is_exec
        && client.multi.as_ref().is_some_and(|m| {
            m.queue.iter().any(|q| match crate::commands::lookup(&q.argv) {
                crate::commands::Lookup::Found(s) => s.has(flags::DENYOOM),
                _ => false,
            })
        });
    let mut reject = spec.has(flags::DENYOOM) || queued_denyoom;
    if client.multi.is_some() && !spec.has(flags::ENDS_MULTI) {
        reject = true;
    }
    if !reject {
        return None;
    }
    if is_exec && client.multi.is_some() {
        return Some(crate::dispatch::reject_exec(client, spec, crate::errors::OOM.to_string()));
    }
    if let Some(m) = client.multi.as_mut() {
        m.aborted = true;
    }
    Some(crate::reply::Reply::error(crate::errors::OOM))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::ClientId;
    use crate::events::Event;
    use crate::memory;

    const T0: i64 = 1_700_000_000_000;

    fn engine_with(policy: &str) -> (Engine, ClientId) {
        let mut e = Engine::with_manual_clock(T0, 7);
        let c = e.connect("test:1");
        run(&mut e, c, &format!("CONFIG SET maxmemory-policy {policy}"));
        (e, c)
    }

    fn run(e: &mut Engine, c: ClientId, line: &str) -> crate::reply::Reply {
        e.execute_line(c, line).expect("valid line")
    }

    fn set_ttl(e: &mut Engine, key: &str, at: i64) {
        assert!(e.keyspace.dbs[0].set_expire(key.as_bytes(), at));
        e.recount_memory();
    }

    /// Sets maxmemory so that exactly `room` bytes must be freed.
    /// Lowers maxmemory to `room` bytes below the current use: CONFIG SET
    /// evicts at once (events from before are dropped).
    fn squeeze(e: &mut Engine, c: ClientId, room: u64) {
        e.drain_events();
        let used = e.used_memory();
        run(e, c, &format!("CONFIG SET maxmemory {}", used - room));
    }

    fn evicted(e: &mut Engine) -> Vec<String> {
        e.drain_events()
            .into_iter()
            .filter_map(|ev| match ev {
                Event::Evicted { key, .. } => Some(String::from_utf8_lossy(&key).into_owned()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn pool_keeps_the_sixteen_most_idle() {
        let mut pool = EvictionPool::default();
        for i in 0..40u64 {
            pool.insert(Candidate { idle: (i * 7) % 40, db: 0, key: vec![i as u8] });
        }
        assert_eq!(pool.len(), POOL_SIZE);
        let idles: Vec<u64> = pool.slots.iter().map(|c| c.idle).collect();
        assert_eq!(idles, (24..40).collect::<Vec<_>>());
    }

    #[test]
    fn allkeys_lru_evicts_the_least_recently_used() {
        let (mut e, c) = engine_with("allkeys-lru");
        for i in 0..10 {
            run(&mut e, c, &format!("SET key:{i} value"));
            e.advance_clock(1000);
        }
        // Touch key:0 and key:1 so key:2 becomes the oldest.
        run(&mut e, c, "GET key:0");
        run(&mut e, c, "GET key:1");
        // With all 10 keys sampled (samples >= keys), the choice is exact.
        run(&mut e, c, "CONFIG SET maxmemory-samples 64");
        squeeze(&mut e, c, 1);
        run(&mut e, c, "GET key:0");
        assert_eq!(evicted(&mut e), vec!["key:2"]);
        assert_eq!(e.stats.evicted_keys, 1);
    }

    #[test]
    fn allkeys_lfu_evicts_the_least_frequently_used() {
        let (mut e, c) = engine_with("allkeys-lfu");
        for i in 0..8 {
            run(&mut e, c, &format!("SET key:{i} value"));
        }
        for _ in 0..50 {
            for i in 0..8 {
                if i != 5 {
                    run(&mut e, c, &format!("GET key:{i}"));
                }
            }
        }
        run(&mut e, c, "CONFIG SET maxmemory-samples 64");
        squeeze(&mut e, c, 1);
        run(&mut e, c, "PING");
        assert_eq!(evicted(&mut e), vec!["key:5"]);
    }

    #[test]
    fn volatile_ttl_takes_the_nearest_expiry_and_spares_persistent_keys() {
        let (mut e, c) = engine_with("volatile-ttl");
        for i in 0..6 {
            run(&mut e, c, &format!("SET p:{i} persistent"));
        }
        for (i, secs) in [50, 10, 30, 20].iter().enumerate() {
            run(&mut e, c, &format!("SET v:{i} volatile"));
            set_ttl(&mut e, &format!("v:{i}"), T0 + secs * 1000);
        }
        run(&mut e, c, "CONFIG SET maxmemory-samples 64");
        squeeze(&mut e, c, 1);
        run(&mut e, c, "PING");
        assert_eq!(evicted(&mut e), vec!["v:1"]);
        // Asking for far more room than the volatile keys hold: all of them
        // go, persistent keys stay, and SET is refused with OOM.
        squeeze(&mut e, c, 100_000);
        let reply = run(&mut e, c, "SET p:9 x");
        assert_eq!(reply.error_text(), Some(crate::errors::OOM));
        let mut gone = evicted(&mut e);
        gone.sort();
        assert_eq!(gone, vec!["v:0", "v:2", "v:3"]);
        assert_eq!(e.keyspace.dbs[0].len(), 6);
    }

    #[test]
    fn volatile_policies_never_touch_keys_without_ttl() {
        for policy in ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"] {
            let (mut e, c) = engine_with(policy);
            for i in 0..20 {
                run(&mut e, c, &format!("SET p:{i} persistent"));
            }
            for i in 0..5 {
                run(&mut e, c, &format!("SET v:{i} volatile"));
                set_ttl(&mut e, &format!("v:{i}"), T0 + 100_000);
            }
            run(&mut e, c, "CONFIG SET maxmemory 1");
            let reply = run(&mut e, c, "SET another value");
            assert_eq!(reply.error_text(), Some(crate::errors::OOM), "{policy}");
            let gone = evicted(&mut e);
            assert_eq!(gone.len(), 5, "{policy}: {gone:?}");
            assert!(gone.iter().all(|k| k.starts_with("v:")), "{policy}: {gone:?}");
            assert_eq!(e.keyspace.dbs[0].len(), 20);
            // Reads still work when nothing can be evicted.
            assert_eq!(run(&mut e, c, "GET p:1"), crate::reply::Reply::bulk("persistent"));
        }
    }

    #[test]
    fn allkeys_random_is_reproducible_with_a_seed() {
        let pick = || {
            let (mut e, c) = engine_with("allkeys-random");
            for i in 0..50 {
                run(&mut e, c, &format!("SET key:{i} value"));
            }
            squeeze(&mut e, c, 500);
            run(&mut e, c, "PING");
            evicted(&mut e)
        };
        let first = pick();
        assert!(first.len() >= 5, "{first:?}");
        assert_eq!(first, pick());
    }

    #[test]
    fn random_policies_visit_databases_round_robin() {
        let (mut e, c) = engine_with("allkeys-random");
        for db in 0..3 {
            run(&mut e, c, &format!("SELECT {db}"));
            if e.client(c).map(|cl| cl.db) != Some(db) {
                // SELECT lives in another family; place keys directly.
                for i in 0..10 {
                    e.keyspace.dbs[db].add(format!("k{i}").as_bytes(), crate::value::Value::string("v"));
                }
                continue;
            }
            for i in 0..10 {
                run(&mut e, c, &format!("SET k{i} v"));
            }
        }
        e.recount_memory();
        squeeze(&mut e, c, 300);
        run(&mut e, c, "PING");
        let per_db: Vec<usize> = (0..3).map(|d| e.keyspace.dbs[d].len()).collect();
        assert!(per_db.iter().all(|&n| n < 10), "{per_db:?}");
    }

    #[test]
    fn noeviction_refuses_denyoom_commands_only() {
        let (mut e, c) = engine_with("noeviction");
        run(&mut e, c, "SET a 1");
        run(&mut e, c, "CONFIG SET maxmemory 1");
        assert_eq!(run(&mut e, c, "SET b 2").error_text(), Some(crate::errors::OOM));
        assert_eq!(run(&mut e, c, "GET a"), crate::reply::Reply::bulk("1"));
        assert_eq!(run(&mut e, c, "DEL a"), crate::reply::Reply::Integer(1));
        assert_eq!(e.stats.evicted_keys, 0);
        assert_eq!(e.stats.commands.get("set").map(|s| s.rejected_calls), Some(1));
    }

    #[test]
    fn inside_multi_everything_but_exec_discard_is_refused_when_out_of_memory() {
        let (mut e, c) = engine_with("noeviction");
        run(&mut e, c, "CONFIG SET maxmemory 1");
        // MULTI lives in another family: open the transaction state directly.
        if let Some(cl) = e.clients.get_mut(&c) {
            cl.multi = Some(crate::client::MultiState::default());
        }
        assert_eq!(run(&mut e, c, "GET k").error_text(), Some(crate::errors::OOM));
        let aborted = e.clients.get(&c).and_then(|cl| cl.multi.as_ref()).map(|m| (m.aborted, m.queue.len()));
        assert_eq!(aborted, Some((true, 0)), "the rejection dooms the transaction");
        assert_eq!(e.stats.commands.get("get").map(|s| s.rejected_calls), Some(1));
    }

    #[test]
    fn evictions_notify_and_report_reasons() {
        let (mut e, c) = engine_with("allkeys-lru");
        run(&mut e, c, "CONFIG SET notify-keyspace-events Ee");
        let listener = e.connect("test:2");
        e.pubsub.subscribe(listener, b"__keyevent@0__:evicted");
        if let Some(cl) = e.clients.get_mut(&listener) {
            cl.channels.insert(b"__keyevent@0__:evicted".to_vec());
        }
        run(&mut e, c, "SET victim value");
        e.advance_clock(5000);
        run(&mut e, c, "SET fresh value");
        run(&mut e, c, "CONFIG SET maxmemory-samples 64");
        squeeze(&mut e, c, 1);
        run(&mut e, c, "PING");
        let events = e.drain_events();
        let reason = events.iter().find_map(|ev| match ev {
            Event::Evicted { key, reason, policy, .. } if key == b"victim" => Some((reason.clone(), *policy)),
            _ => None,
        });
        let (reason, policy) = reason.expect("victim evicted");
        assert_eq!(policy, EvictionPolicy::AllKeysLru);
        assert!(reason.starts_with("least recently used (idle 5s)"), "{reason}");
        let notified = events.iter().any(|ev| {
            matches!(ev, Event::Deliver { client, reply } if *client == listener && format!("{reply:?}").contains("[118, 105, 99, 116, 105, 109]"))
        });
        assert!(notified, "evicted notification published: {events:?}");
    }

    #[test]
    fn incremental_accounting_matches_a_full_recount() {
        let (mut e, c) = engine_with("allkeys-lru");
        let mut rng = crate::rng::Rng::new(99);
        for step in 0..3000 {
            let k = rng.below(200);
            let line = match rng.below(6) {
                0 | 1 => format!("SET key:{k} {}", "x".repeat(rng.below(120) as usize)),
                2 => format!("SET key:{k} {}", rng.below(20_000)),
                3 => format!("DEL key:{k} key:{}", rng.below(200)),
                4 => format!("GET key:{k}"),
                _ => {
                    let key = format!("key:{k}");
                    if e.keyspace.dbs[0].contains(key.as_bytes()) {
                        let at = e.now_ms() + rng.below(5000) as i64;
                        // EXPIRE may live in another family: set the TTL the way it would.
                        let shared = memory::shared_ints(&e.config);
                        let mark = memory::begin(&mut e.server.memory, &e.keyspace.dbs, shared, [(0, key.as_bytes())]);
                        e.keyspace.dbs[0].set_expire(key.as_bytes(), at);
                        e.touch_watched(0, key.as_bytes());
                        memory::end(&mut e.server.memory, &e.keyspace.dbs, shared, mark, false, false);
                    }
                    "PING".to_string()
                }
            };
            run(&mut e, c, &line);
            if step % 500 == 0 {
                e.advance_clock(1500);
                e.active_expire_cycle();
            }
            if step == 1500 {
                squeeze(&mut e, c, 2000);
            }
            let tallied: i64 = (0..e.keyspace.dbs.len()).map(|d| e.server.memory.db_bytes(d)).sum();
            let shared = memory::shares_integers(e.config.maxmemory, e.config.maxmemory_policy);
            let full: i64 = e.keyspace.dbs[0].iter().map(|(k, en)| memory::entry_cost(k, en, shared) as i64).sum();
            assert_eq!(tallied, full, "after step {step}: {line}");
        }
        assert!(e.stats.evicted_keys > 0);
    }
}
