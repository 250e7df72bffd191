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
use crate::events::Event;

/// Candidates kept between eviction rounds (Redis's `EVPOOL_SIZE`).
pub const POOL_SIZE: usize = 16;

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

    /// Number of candidates held.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
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
pub fn over_limit(engine: &Engine) -> bool {
    let max = engine.config.maxmemory;
    max > 0 && crate::memory::used_memory(engine) > max
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
    let total: usize = engine.dbs.iter().map(|d| d.len()).sum();
    for _ in 0..=total {
        if !over_limit(engine) {
            return Eviction::Ok;
        }
        let picked = match policy {
            EvictionPolicy::AllKeysRandom | EvictionPolicy::VolatileRandom => pick_random(engine, policy),
            _ => pick_from_pool(engine, policy),
        };
        let Some((db, key, reason)) = picked else { return Eviction::Fail };
        evict(engine, db, &key, policy, reason);
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
    let n = engine.dbs.len();
    let volatile = volatile_only(policy);
    for _ in 0..n {
        engine.server.eviction_pool.next_db = (engine.server.eviction_pool.next_db + 1) % n.max(1);
        let db = engine.server.eviction_pool.next_db;
        let rng = &mut engine.rng;
        let key = if volatile {
            engine.dbs[db].random_volatile(|len| rng.index(len)).map(|(k, _)| k.to_vec())
        } else {
            engine.dbs[db].random_key(|len| rng.index(len)).map(|k| k.to_vec())
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
    let samples = engine.config.maxmemory_samples.max(1) as usize;
    let volatile = volatile_only(policy);
    let now = engine.now_ms();
    let decay_time = engine.config.lfu_decay_time;
    // Each round either finds a key or removes ghosts from the pool; a few
    // rounds always suffice, the bound only guards against surprises.
    for _ in 0..64 {
        let mut total_keys = 0;
        let mut sampled = 0;
        for db in 0..engine.dbs.len() {
            let size = if volatile { engine.dbs[db].volatile_len() } else { engine.dbs[db].len() };
            if size == 0 {
                continue;
            }
            total_keys += size;
            for _ in 0..samples.min(size) {
                let rng = &mut engine.rng;
                let d = &engine.dbs[db];
                let picked = if volatile {
                    d.random_volatile(|len| rng.index(len)).map(|(k, e)| (k, e.access, e.expire_at()))
                } else {
                    d.random_key(|len| rng.index(len)).and_then(|k| d.get(k).map(|e| (k, e.access, e.expire_at())))
                };
                if let Some((key, access_data, expire_at)) = picked {
                    let idle = idleness(policy, now, decay_time, access_data, expire_at);
                    let key = key.to_vec();
                    engine.server.eviction_pool.insert(Candidate { idle, db, key });
                    sampled += 1;
                }
            }
        }
        if total_keys == 0 {
            return None;
        }
        while let Some(best) = engine.server.eviction_pool.slots.pop() {
            let exists = engine
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

/// Removes one key as an eviction, with everything that follows.
fn evict(engine: &mut Engine, db: usize, key: &[u8], policy: EvictionPolicy, reason: String) {
    let Some(entry) = engine.dbs[db].remove(key) else { return };
    crate::memory::on_removed(engine, db, key, &entry);
    engine.stats.evicted_keys += 1;
    engine.touch_watched(db, key);
    crate::notify::notify(engine, db, crate::notify::EVICTED, "evicted", key);
    crate::aof::propagate_deletion(engine, db, key);
    engine.push_event(Event::Evicted { db, key: key.to_vec(), policy, reason });
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
    let top = spec.parent.is_empty();
    let is_exec = top && spec.name == "exec";
    let queued_denyoom = is_exec
        && client.multi.as_ref().is_some_and(|m| {
            m.queue.iter().any(|q| match crate::commands::lookup(&q.argv) {
                crate::commands::Lookup::Found(s) => s.has(flags::DENYOOM),
                _ => false,
            })
        });
    let mut reject = spec.has(flags::DENYOOM) || queued_denyoom;
    if client.multi.is_some() && !(top && matches!(spec.name, "exec" | "discard" | "quit" | "reset")) {
        reject = true;
    }
    if !reject {
        return None;
    }
    if is_exec && client.multi.is_some() {
        // Redis's execCommandAbort: the transaction is discarded.
        client.multi = None;
        client.watched.clear();
        client.watch_dirty = false;
        return Some(crate::reply::Reply::error(format!(
            "EXECABORT Transaction discarded because of: {}",
            crate::errors::OOM
        )));
    }
    if let Some(m) = client.multi.as_mut() {
        m.aborted = true;
    }
    Some(crate::reply::Reply::error(crate::errors::OOM))
}
