//! Server-wide state behind the cache and persistence features: memory
//! tallies, the eviction pool, the slow log, the append-only log and the
//! disk the RDB and AOF files are written to. Kept in one struct so the engine carries a single field.

use crate::aof::Aof;
use crate::eviction::EvictionPool;
use crate::memory::MemoryTracker;
use crate::slowlog::SlowLog;

#[derive(Debug, Clone)]
pub struct ServerState {
    pub memory: MemoryTracker,
    pub eviction_pool: EvictionPool,
    pub slowlog: SlowLog,
    pub aof: Aof,
    /// The files in `dir`: `dump.rdb`, the AOF's directory.
    pub disk: crate::disk::Disk,
    /// Whether the last save succeeded (`rdb_last_bgsave_status`).
    pub last_bgsave_ok: bool,
    /// Unix seconds of the last save attempt (a failed save point retries after 5 s).
    pub last_bgsave_try_s: i64,
    /// Whether SHUTDOWN may stop the host (set by the native server).
    pub shutdown_allowed: bool,
    /// Set by a SHUTDOWN that succeeded, for the host to act on.
    pub shutdown_requested: bool,
    /// When the server started, Unix milliseconds (INFO uptime).
    pub started_ms: i64,
    /// Unix seconds of the last successful save (LASTSAVE).
    pub last_save_s: i64,
    /// Writes since the last save (`rdb_changes_since_last_save`).
    pub dirty: u64,
    /// Successful saves (`rdb_saves`).
    pub saves: u64,
    /// Successful BGSAVEs (`rdb_last_bgsave_time_sec` is -1 before the first).
    pub bgsaves: u64,
    /// DEBUG SET-ACTIVE-EXPIRE: whether the active expiry cycle runs.
    pub active_expire: bool,
    /// Keys loaded by the last RDB load (`rdb_last_load_keys_loaded`).
    pub last_load_keys: u64,
    pub last_load_expired: u64,
}

impl ServerState {
    pub fn new(databases: usize, now_ms: i64) -> ServerState {
        ServerState {
            memory: MemoryTracker::new(databases),
            eviction_pool: EvictionPool::default(),
            slowlog: SlowLog::default(),
            aof: Aof::default(),
            disk: Default::default(),
            last_bgsave_ok: true,
            last_bgsave_try_s: 0,
            shutdown_allowed: false,
            shutdown_requested: false,
            started_ms: now_ms,
            last_save_s: now_ms.div_euclid(1000),
            dirty: 0,
            saves: 0,
            bgsaves: 0,
            active_expire: true,
            last_load_keys: 0,
            last_load_expired: 0,
        }
    }
}

use crate::client::Client;
use crate::command::{flags, CommandSpec};
use crate::engine::Engine;
use crate::reply::Reply;

/// Commands after which the per-database memory tallies are recounted
/// (they move whole databases around without naming keys).
fn recounts_memory(spec: &CommandSpec) -> bool {
    spec.has(flags::ACROSS_DBS)
}

/// Bookkeeping before a command runs: write commands have the keys they
/// name in `dbs` measured by the memory tracker (`shared`: see
/// [`crate::memory::shared_ints`]).
pub fn before_call(
    tracker: &mut crate::memory::MemoryTracker,
    dbs: &[crate::db::Db],
    shared: bool,
    db: usize,
    spec: &CommandSpec,
    argv: &[Vec<u8>],
) -> Option<crate::memory::Mark> {
    if !spec.has(flags::WRITE) {
        return None;
    }
    let extra = spec.extra_writes.map(|keys| keys(argv, db, dbs.len())).unwrap_or_default();
    let keys = spec.keys.iter(argv).map(|k| (db, k)).chain(extra);
    Some(crate::memory::begin(tracker, dbs, shared, keys))
}

/// Bookkeeping after a command ran: memory, dirty counter, AOF, slow log
/// and the MONITOR feed. Takes the whole engine because it settles every
/// one of those in turn: the keyspace and the memory tracker, the AOF, the
/// slow log (with the configuration and the clock), and the monitors among
/// the clients with the event queue.
pub fn after_call(
    engine: &mut Engine,
    client: &Client,
    spec: &CommandSpec,
    argv: &[Vec<u8>],
    reply: &Reply,
    measured: Option<crate::memory::Mark>,
    elapsed_us: u64,
) {
    if let Some(mark) = measured {
        let logging = engine.server.aof.is_logging();
        let shared = crate::memory::shared_ints(&engine.config);
        let (tracker, dbs) = (&mut engine.server.memory, &engine.keyspace.dbs);
        let settled = crate::memory::end(tracker, dbs, shared, mark, recounts_memory(spec), logging);
        let changed =
            if settled.modified == 0 && recounts_memory(spec) && !reply.is_error() { 1 } else { settled.modified };
        engine.server.dirty += changed as u64;
        if logging {
            let (aof, dbs) = (&mut engine.server.aof, &engine.keyspace.dbs);
            let executed = crate::aof::Executed { db: client.db, spec, argv, reply, touched: &settled.keys };
            crate::aof::after_command(aof, dbs, &executed);
        }
    }
    if engine.clients.call_depth() == 0 && engine.server.aof.is_logging() {
        engine.server.aof.end_call();
        crate::persist::flush(engine);
    }
    if !spec.has(flags::SKIP_SLOWLOG) && !matches!(reply, Reply::Blocked) {
        let cfg = &engine.config;
        let (threshold, max_len) = (cfg.slowlog_log_slower_than, cfg.slowlog_max_len);
        let time_s = engine.now_ms().div_euclid(1000);
        let name = client.name.as_deref().unwrap_or(b"");
        engine.server.slowlog.record(threshold, max_len, argv, elapsed_us, time_s, &client.addr, name);
    }
    if !spec.has(flags::SKIP_MONITOR) && !spec.has(flags::ADMIN) && !matches!(reply, Reply::Blocked) {
        let now_us = engine.clock.now_us();
        crate::monitor::feed(&mut engine.clients, &mut engine.events, now_us, client, argv);
    }
}
