//! Memory accounting: an approximation of what Redis 7.0 (jemalloc, 64-bit)
//! reports as `used_memory`, kept up to date incrementally.
//!
//! The model (see `docs/memory-model.md` for the calibration):
//! - a fixed startup figure ([`STARTUP_BYTES`], Redis's `used_memory_startup`);
//! - per key: a main-dictionary entry (32 bytes once rounded by the
//!   allocator), the key's sds string, and the value object; a key with a TTL
//!   adds an entry in the expires dictionary;
//! - per database: the hash tables' bucket arrays (8 bytes per bucket, sized
//!   to the next power of two of the key count);
//! - strings are modelled here (int / embstr / raw encodings); collections
//!   report their own size through `Value::mem_usage()`, plus the object header.
//!
//! Incremental bookkeeping: a write command measures the keys it names
//! before it runs and measures them (and any other key it modified) again
//! afterwards; deletions outside commands (expiry, eviction) subtract the
//! removed entry's cost. Nothing ever sums the whole keyspace except
//! [`recount`] (load from disk, SWAPDB, FLUSHALL) and tests.

use crate::config::EvictionPolicy;
use crate::db::{Db, Entry};
use crate::value::{StrValue, Value};

/// Redis 7.0.15's `used_memory_startup` on a 64-bit Linux build.
pub const STARTUP_BYTES: u64 = 876_224;
/// A dictionary entry (key, value, next pointers: 24 bytes → 32 with jemalloc).
pub const DICT_ENTRY: usize = 32;
/// `sizeof(dictEntry)`, which MEMORY USAGE adds without allocator rounding.
const DICT_ENTRY_RAW: usize = 24;
/// A `robj` header (type, encoding, LRU, refcount, pointer).
pub const ROBJ: usize = 16;
/// The size jemalloc actually hands out for a request of `n` bytes.
pub fn alloc_size(n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    if n <= 8 {
        return 8;
    }
    if n <= 128 {
        return n.div_ceil(16) * 16;
    }
    // Four size classes per doubling above 128 bytes.
    let pow = usize::BITS - (n - 1).leading_zeros(); // 2^pow >= n
    let spacing = 1usize << (pow - 3);
    n.div_ceil(spacing) * spacing
}

/// Bytes of an sds string header for a string of `len` bytes (`sdsReqType`).
fn sds_header(len: usize) -> usize {
    if len < 32 {
        1
    } else if len < 256 {
        3
    } else if len < 65_536 {
        5
    } else if (len as u64) < (1u64 << 32) {
        9
    } else {
        17
    }
}

/// Allocated bytes of an sds string holding `len` bytes.
pub fn sds_size(len: usize) -> usize {
    alloc_size(sds_header(len) + len + 1)
}

/// Allocated bytes of a string value (object header included), following
/// Redis's int / embstr / raw encodings. `shared_ints` says whether small
/// integers use Redis's shared objects (no allocation).
pub fn string_size(s: &StrValue, shared_ints: bool) -> usize {
    match s.encoding() {
        "int" => {
            if s.is_shared_int() && shared_ints {
                0
            } else {
                ROBJ
            }
        }
        "embstr" => alloc_size(ROBJ + 3 + s.len() + 1),
        _ => ROBJ + sds_size(s.len()),
    }
}

/// Allocated bytes of a value with its object header.
pub fn value_size(value: &Value, shared_ints: bool) -> usize {
    match value {
        Value::String(s) => string_size(s, shared_ints),
        other => ROBJ + other.mem_usage(),
    }
}

/// Whether small integers are shared under `maxmemory`/`policy` (Redis
/// stops sharing them when an LRU/LFU policy needs per-object access data).
pub fn shares_integers(maxmemory: u64, policy: EvictionPolicy) -> bool {
    maxmemory == 0 || matches!(policy, EvictionPolicy::NoEviction) || !uses_access_data(policy)
}

fn uses_access_data(policy: EvictionPolicy) -> bool {
    matches!(
        policy,
        EvictionPolicy::AllKeysLru
            | EvictionPolicy::VolatileLru
            | EvictionPolicy::AllKeysLfu
            | EvictionPolicy::VolatileLfu
    )
}

/// What one key costs in the dataset: its dictionary entry, key string,
/// value, and expires-dictionary entry if it has a TTL.
pub fn entry_cost(key: &[u8], entry: &Entry, shared_ints: bool) -> usize {
    let ttl = if entry.expire_at().is_some() { DICT_ENTRY } else { 0 };
    DICT_ENTRY + sds_size(key.len()) + value_size(&entry.value, shared_ints) + ttl
}

/// MEMORY USAGE's figure for a key (Redis adds the raw `sizeof(dictEntry)`
/// and counts every object header, shared or not).
pub fn usage_of(key: &[u8], entry: &Entry) -> usize {
    DICT_ENTRY_RAW + sds_size(key.len()) + value_size(&entry.value, false)
}

/// Bucket arrays of a dictionary holding `n` entries (8 bytes per bucket).
fn buckets(n: usize) -> usize {
    if n == 0 {
        0
    } else {
        8 * n.next_power_of_two().max(4)
    }
}

/// Hash-table overhead of one database (main and expires dictionaries).
pub fn db_overhead(db: &Db) -> usize {
    buckets(db.len()) + buckets(db.volatile_len())
}

/// Per-database tallies and the bookkeeping of the command that is running.
#[derive(Debug, Clone, Default)]
pub struct MemoryTracker {
    /// Sum of [`entry_cost`] over each database's keys.
    per_db: Vec<i64>,
    /// Keys measured before the running write command, with their cost.
    before: KeyLog,
    /// Keys modified while a write command runs (from `signalModifiedKey`).
    touched: KeyLog,
    /// Keys removed (expired or evicted) while a write command runs, with their cost.
    removed: KeyLog,
    /// Nesting depth of measured write commands (EXEC, scripts).
    depth: u32,
    /// Highest `used_memory` seen (INFO used_memory_peak).
    pub peak: u64,
}

/// Keys recorded while write commands run, stored back to back in one
/// buffer: recording a key costs no allocation once the buffers have grown.
#[derive(Debug, Clone, Default)]
struct KeyLog {
    bytes: Vec<u8>,
    records: Vec<KeyRecord>,
}

#[derive(Debug, Clone, Copy)]
struct KeyRecord {
    db: usize,
    start: usize,
    end: usize,
    cost: usize,
}

impl KeyLog {
    fn push(&mut self, db: usize, key: &[u8], cost: usize) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(key);
        self.records.push(KeyRecord { db, start, end: self.bytes.len(), cost });
    }

    fn len(&self) -> usize {
        self.records.len()
    }

    /// Record `i` as (database, key, cost).
    fn get(&self, i: usize) -> (usize, &[u8], usize) {
        let r = self.records[i];
        (r.db, &self.bytes[r.start..r.end], r.cost)
    }

    /// Whether records `from..i` hold the same (database, key) as record `i`.
    fn seen_in(&self, from: usize, i: usize, db: usize, key: &[u8]) -> bool {
        (from..i).any(|j| {
            let (d, k, _) = self.get(j);
            d == db && k == key
        })
    }

    /// Whether any record from `from` on holds (database, key).
    fn contains_from(&self, from: usize, db: usize, key: &[u8]) -> bool {
        self.seen_in(from, self.len(), db, key)
    }

    fn truncate(&mut self, n: usize) {
        if let Some(r) = self.records.get(n) {
            self.bytes.truncate(r.start);
        }
        self.records.truncate(n);
    }
}

/// A cap on how many modified keys one command may report (FLUSHALL-like
/// commands are recounted instead).
const TOUCHED_CAP: usize = 100_000;

/// Up to this many keys a command's records are matched by scanning; above
/// it, through a hash set.
const SCAN_LIMIT: usize = 16;

impl MemoryTracker {
    pub fn new(databases: usize) -> MemoryTracker {
        MemoryTracker { per_db: vec![0; databases], ..MemoryTracker::default() }
    }

    /// The dataset tally of one database.
    #[cfg(test)]
    pub fn db_bytes(&self, db: usize) -> i64 {
        self.per_db.get(db).copied().unwrap_or(0)
    }

    fn add(&mut self, db: usize, delta: i64) {
        if let Some(t) = self.per_db.get_mut(db) {
            *t = (*t + delta).max(0);
        }
    }

    /// Called by the engine whenever a key is modified.
    pub fn note_touched(&mut self, db: usize, key: &[u8]) {
        if self.depth > 0 && self.touched.len() < TOUCHED_CAP {
            self.touched.push(db, key, 0);
        }
    }
}

/// Whether small integers are shared objects under this configuration
/// (see [`shares_integers`]): what every cost below depends on.
pub fn shared_ints(config: &crate::config::Config) -> bool {
    shares_integers(config.maxmemory, config.maxmemory_policy)
}

fn cost_now(dbs: &[Db], shared: bool, db: usize, key: &[u8]) -> usize {
    dbs.get(db).and_then(|d| d.get(key)).map(|e| entry_cost(key, e, shared)).unwrap_or(0)
}

/// Where a measured command's records begin.
#[derive(Debug, Clone, Copy)]
pub struct Mark {
    before: usize,
    touched: usize,
    removed: usize,
}

/// Starts measuring a write command: records the cost of the keys it names
/// (as (database, key) pairs) in `dbs`.
pub fn begin<'a>(
    t: &mut MemoryTracker,
    dbs: &[Db],
    shared: bool,
    keys: impl IntoIterator<Item = (usize, &'a [u8])>,
) -> Mark {
    let mark = Mark { before: t.before.len(), touched: t.touched.len(), removed: t.removed.len() };
    for (db, key) in keys {
        let cost = cost_now(dbs, shared, db, key);
        t.before.push(db, key, cost);
    }
    t.depth += 1;
    mark
}

/// What a measured command changed: how many key modifications it
/// signalled, and (when asked for) the modified keys themselves.
#[derive(Debug, Default)]
pub struct Settled {
    pub modified: usize,
    pub keys: Vec<(usize, Vec<u8>)>,
}

/// Finishes measuring: adds the difference for the named keys and counts
/// other modified keys that now exist as new. Returns what the command
/// modified (for the dirty counter, and the keys for the AOF if `want_keys`).
pub fn end(t: &mut MemoryTracker, dbs: &[Db], shared: bool, mark: Mark, recount_all: bool, want_keys: bool) -> Settled {
    t.depth = t.depth.saturating_sub(1);
    let before = mark.before.min(t.before.len())..t.before.len();
    let touched = mark.touched.min(t.touched.len())..t.touched.len();
    let removed = mark.removed.min(t.removed.len())..t.removed.len();
    let settled = Settled {
        modified: touched.len(),
        keys: if want_keys {
            touched.clone().map(|i| t.touched.get(i)).map(|(d, k, _)| (d, k.to_vec())).collect()
        } else {
            Vec::new()
        },
    };
    if recount_all {
        recount(t, dbs, shared);
    } else if before.len() + touched.len() + removed.len() <= SCAN_LIMIT {
        settle_scanning(t, dbs, shared, before.clone(), touched.clone(), removed.clone());
    } else {
        settle_hashed(t, dbs, shared, before.clone(), touched.clone(), removed.clone());
    }
    t.before.truncate(before.start);
    t.touched.truncate(touched.start);
    t.removed.truncate(removed.start);
    // An emptied database's tally restarts at zero.
    for (data, tally) in dbs.iter().zip(t.per_db.iter_mut()) {
        if data.is_empty() {
            *tally = 0;
        }
    }
    note_peak(t, dbs);
    settled
}

type Records = std::ops::Range<usize>;

/// The settlement rules, for a command's few records (matched by scanning):
/// a removed key that was measured before is settled by its new cost (0),
/// any other removed key leaves the tally now; a measured key adds its new
/// cost minus the old; any other modified key that exists now is new.
fn settle_scanning(
    t: &mut MemoryTracker,
    dbs: &[Db],
    shared: bool,
    before: Records,
    touched: Records,
    removed: Records,
) {
    for i in removed {
        let (db, key, cost) = t.removed.get(i);
        if !t.before.contains_from(before.start, db, key) {
            t.add(db, -(cost as i64));
        }
    }
    for i in before.clone() {
        let (db, key, old) = t.before.get(i);
        if t.before.seen_in(before.start, i, db, key) {
            continue;
        }
        let delta = cost_now(dbs, shared, db, key) as i64 - old as i64;
        t.add(db, delta);
    }
    for i in touched.clone() {
        let (db, key, _) = t.touched.get(i);
        if t.before.contains_from(before.start, db, key) || t.touched.seen_in(touched.start, i, db, key) {
            continue;
        }
        let cost = cost_now(dbs, shared, db, key) as i64;
        t.add(db, cost);
    }
}

/// The same rules as [`settle_scanning`], for commands with many records.
fn settle_hashed(t: &mut MemoryTracker, dbs: &[Db], shared: bool, before: Records, touched: Records, removed: Records) {
    let mut deltas: Vec<(usize, i64)> = Vec::new();
    {
        let measured: hashbrown::HashSet<(usize, &[u8])> = before
            .clone()
            .map(|i| {
                let (d, k, _) = t.before.get(i);
                (d, k)
            })
            .collect();
        for i in removed {
            let (db, key, cost) = t.removed.get(i);
            if !measured.contains(&(db, key)) {
                deltas.push((db, -(cost as i64)));
            }
        }
        let mut seen: hashbrown::HashSet<(usize, &[u8])> = hashbrown::HashSet::with_capacity(before.len());
        for i in before {
            let (db, key, old) = t.before.get(i);
            if seen.insert((db, key)) {
                deltas.push((db, cost_now(dbs, shared, db, key) as i64 - old as i64));
            }
        }
        for i in touched {
            let (db, key, _) = t.touched.get(i);
            if seen.insert((db, key)) {
                deltas.push((db, cost_now(dbs, shared, db, key) as i64));
            }
        }
    }
    for (db, delta) in deltas {
        t.add(db, delta);
    }
}

/// A key left the dataset by expiry or eviction: its cost leaves the
/// tally (settled when the running write command, if any, finishes).
pub fn on_removed(t: &mut MemoryTracker, shared: bool, db: usize, key: &[u8], entry: &Entry) {
    let cost = entry_cost(key, entry, shared);
    if t.depth > 0 {
        t.removed.push(db, key, cost);
    } else {
        t.add(db, -(cost as i64));
    }
}

/// Recomputes every database's tally from scratch.
pub fn recount(t: &mut MemoryTracker, dbs: &[Db], shared: bool) {
    t.per_db = dbs.iter().map(|d| d.iter().map(|(k, e)| entry_cost(k, e, shared) as i64).sum()).collect();
    note_peak(t, dbs);
}

fn note_peak(t: &mut MemoryTracker, dbs: &[Db]) {
    let used = used_memory(t, dbs);
    if used > t.peak {
        t.peak = used;
    }
}

/// The dataset part of `used_memory`: every key plus the hash tables.
pub fn dataset_bytes(t: &MemoryTracker, dbs: &[Db]) -> u64 {
    let keys: i64 = t.per_db.iter().sum();
    let tables: usize = dbs.iter().map(db_overhead).sum();
    keys.max(0) as u64 + tables as u64
}

/// Redis's `used_memory` as modelled here.
pub fn used_memory(t: &MemoryTracker, dbs: &[Db]) -> u64 {
    STARTUP_BYTES + dataset_bytes(t, dbs)
}

/// `1.50M`-style rendering used by INFO (`bytesToHuman`).
pub fn human(bytes: u64) -> String {
    let b = bytes as f64;
    const K: f64 = 1024.0;
    if b < K {
        format!("{bytes}B")
    } else if b < K * K {
        format!("{:.2}K", b / K)
    } else if b < K * K * K {
        format!("{:.2}M", b / (K * K))
    } else if b < K * K * K * K {
        format!("{:.2}G", b / (K * K * K))
    } else if b < K * K * K * K * K {
        format!("{:.2}T", b / (K * K * K * K))
    } else {
        format!("{:.2}P", b / (K * K * K * K * K))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jemalloc_size_classes() {
        assert_eq!(alloc_size(1), 8);
        assert_eq!(alloc_size(9), 16);
        assert_eq!(alloc_size(24), 32);
        assert_eq!(alloc_size(129), 160);
        assert_eq!(alloc_size(1004), 1024);
        assert_eq!(alloc_size(1025), 1280);
        assert_eq!(alloc_size(4097), 5120);
    }

    #[test]
    fn memory_usage_matches_redis_for_strings() {
        // Figures reported by redis-server 7.0.15's MEMORY USAGE.
        let e = |v: &str| Entry::new(Value::string(v));
        assert_eq!(usage_of(b"a", &e("xxxxxxxxxx")), 64);
        assert_eq!(usage_of(b"key:1", &e("v")), 64);
        assert_eq!(usage_of(b"key:1", &e("123456")), 48);
        assert_eq!(usage_of(b"key:1", &e(&"x".repeat(100))), 160);
        assert_eq!(usage_of(b"key:1", &e(&"x".repeat(1000))), 1072);
    }

    #[test]
    fn human_units() {
        assert_eq!(human(0), "0B");
        assert_eq!(human(1023), "1023B");
        assert_eq!(human(1_015_632), "991.83K");
        assert_eq!(human(1_048_576), "1.00M");
    }
}
