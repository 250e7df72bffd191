//! What a command handler sees: [`Ctx`], the engine and the calling
//! client, with the key lookups (lazy expiry, hit/miss stats, access
//! data), the writes that signal themselves (`set_key`, `key_modified`,
//! `notify`, `signal_ready`), blocking, AOF rewriting, the clock and the RNG.

use crate::client::Client;
use crate::config::Config;
use crate::db::{Db, Entry};
use crate::engine::Engine;
use crate::errors;
use crate::reply::Reply;
use crate::rng::Rng;
use crate::value::Value;

/// What a command handler sees: the engine and the calling client.
pub struct Ctx<'a> {
    pub engine: &'a mut Engine,
    pub client: &'a mut Client,
}

impl Ctx<'_> {
    /// Shows this command to MONITOR clients now (EVAL and FCALL, which
    /// skip the usual after-the-call line, appear before the commands
    /// their script runs).
    pub(crate) fn feed_monitors(&mut self, argv: &[Vec<u8>]) {
        let now_us = self.engine.clock.now_us();
        crate::monitor::feed(&mut self.engine.clients, &mut self.engine.events, now_us, self.client, argv);
    }

    pub fn now_ms(&self) -> i64 {
        self.engine.clock.now_ms()
    }

    pub fn now_us(&self) -> i64 {
        self.engine.clock.now_us()
    }

    pub fn config(&self) -> &Config {
        &self.engine.config
    }

    pub fn rng(&mut self) -> &mut Rng {
        &mut self.engine.rng
    }

    /// Index of the client's selected database.
    pub fn db_index(&self) -> usize {
        self.client.db
    }

    /// The client's selected database (no expiry checks: prefer the lookups).
    pub fn db(&mut self) -> &mut Db {
        &mut self.engine.keyspace.dbs[self.client.db]
    }

    /// Deletes `key` if its TTL has passed. Returns true if the key is
    /// expired (deleted, or only hidden while clients are paused).
    pub fn expire_if_needed(&mut self, key: &[u8]) -> bool {
        let expired = self.engine.expire_if_needed(self.client.db, key);
        if expired && self.engine.client_pause.is_none() {
            self.touch_own_watch(key);
        }
        expired
    }

    /// The calling client is out of `engine.clients` while its command
    /// runs, so its own WATCHes are checked here.
    fn touch_own_watch(&mut self, key: &[u8]) {
        if self.client.watched.is_empty() {
            return;
        }
        let db = self.client.db;
        let gone = !self.engine.keyspace.dbs[db].contains(key);
        if crate::watch::watch_touched(self.client, db, key, gone) {
            self.client.watch_dirty = true;
        }
    }

    /// Looks a key up for reading: expires it if due, counts a keyspace hit
    /// or miss, and refreshes its access time (Redis's `lookupKeyRead`).
    pub fn lookup_read(&mut self, key: &[u8]) -> Option<&mut Entry> {
        let gone = self.expire_if_needed(key);
        let now = self.now_ms();
        let policy = self.engine.config.maxmemory_policy;
        let (log_factor, decay) = (self.engine.config.lfu_log_factor, self.engine.config.lfu_decay_time);
        let db = self.client.db;
        let slot = if gone { None } else { self.engine.keyspace.dbs[db].slot_of(key) };
        let Some(slot) = slot else {
            self.engine.stats.keyspace_misses += 1;
            self.engine.notify_key(db, crate::notify::KEY_MISS, "keymiss", key);
            return None;
        };
        self.engine.stats.keyspace_hits += 1;
        let rng_value = self.engine.rng.unit();
        let entry = self.engine.keyspace.dbs[db].at_slot_mut(slot)?;
        crate::access::touch(entry, now, policy, log_factor, decay, rng_value);
        Some(entry)
    }

    /// Looks a key up for writing: expires it if due and refreshes its
    /// access time, without counting hits or misses (`lookupKeyWrite`).
    pub fn lookup_write(&mut self, key: &[u8]) -> Option<&mut Entry> {
        if self.expire_if_needed(key) {
            return None;
        }
        let now = self.now_ms();
        let policy = self.engine.config.maxmemory_policy;
        let (log_factor, decay) = (self.engine.config.lfu_log_factor, self.engine.config.lfu_decay_time);
        let rng_value = self.engine.rng.unit();
        let entry = self.engine.keyspace.dbs[self.client.db].get_mut(key)?;
        crate::access::touch(entry, now, policy, log_factor, decay, rng_value);
        Some(entry)
    }

    /// A key looked up for reading as collection type `T`: `Ok(None)` when
    /// missing, WRONGTYPE when it holds another type.
    pub fn read_as<T: crate::value::TypedValue>(&mut self, key: &[u8]) -> Result<Option<&mut T>, Reply> {
        match self.lookup_read(key) {
            None => Ok(None),
            Some(entry) => T::from_value(&mut entry.value).map(Some).ok_or(Reply::error(errors::WRONGTYPE)),
        }
    }

    /// Like [`Ctx::read_as`], for a command about to modify the key.
    pub fn write_as<T: crate::value::TypedValue>(&mut self, key: &[u8]) -> Result<Option<&mut T>, Reply> {
        match self.lookup_write(key) {
            None => Ok(None),
            Some(entry) => T::from_value(&mut entry.value).map(Some).ok_or(Reply::error(errors::WRONGTYPE)),
        }
    }

    /// The key's absolute expiry for the read-only TTL commands (TTL, PTTL,
    /// EXPIRETIME, TOUCH-free checks): `None` if the key does not exist,
    /// `Some(None)` if it has no TTL. Counts a keyspace hit or miss but does
    /// not touch the key's access time (Redis's `LOOKUP_NOTOUCH`).
    pub fn lookup_expiry(&mut self, key: &[u8]) -> Option<Option<i64>> {
        let gone = self.expire_if_needed(key);
        let found = if gone { None } else { self.db().get(key).map(|e| e.expire_at()) };
        if found.is_some() {
            self.engine.stats.keyspace_hits += 1;
        } else {
            self.engine.stats.keyspace_misses += 1;
            let db = self.db_index();
            self.engine.notify_key(db, crate::notify::KEY_MISS, "keymiss", key);
        }
        found
    }

    /// Looks a key up without touching access data or stats (OBJECT, TTL
    /// helpers, the key browser). Still expires it if due.
    pub fn lookup_quiet(&mut self, key: &[u8]) -> Option<&mut Entry> {
        if self.expire_if_needed(key) {
            return None;
        }
        self.engine.keyspace.dbs[self.client.db].get_mut(key)
    }

    /// True if `key` exists (after lazy expiry), counting hit/miss like EXISTS.
    pub fn exists(&mut self, key: &[u8]) -> bool {
        self.lookup_read(key).is_some()
    }

    /// Redis's `setKey`: stores `value`, dropping any TTL unless `keep_ttl`,
    /// and signals the change.
    pub fn set_key(&mut self, key: &[u8], value: Value, keep_ttl: bool) {
        self.store_key(key, value, keep_ttl, false);
    }

    /// SET's store without NX/XX: Redis's `lookupKeyWrite` then `setKey`, in
    /// one hash lookup (an existing key's access data is refreshed as the
    /// lookup would, then its value replaced).
    pub fn overwrite_key(&mut self, key: &[u8], value: Value, keep_ttl: bool) {
        self.store_key(key, value, keep_ttl, true);
    }

    fn store_key(&mut self, key: &[u8], value: Value, keep_ttl: bool, touch_existing: bool) {
        self.expire_if_needed(key);
        if !matches!(value, Value::Stream(_)) {
            let replaced_stream = self.engine.keyspace.dbs[self.client.db].get(key).map(|e| &e.value);
            if matches!(replaced_stream, Some(Value::Stream(_))) {
                // Replaced by another type: the stream is gone.
                self.signal_ready(key);
            }
        }
        let now = self.now_ms();
        let policy = self.engine.config.maxmemory_policy;
        let db = self.client.db;
        let (log_factor, decay) = (self.engine.config.lfu_log_factor, self.engine.config.lfu_decay_time);
        // The random draw happens only where lookupKeyWrite would make it.
        let touch_draw = touch_existing.then(|| self.engine.rng.unit());
        let is_new = self.engine.keyspace.dbs[db].set_or_add(
            key,
            value,
            keep_ttl,
            |e| {
                if let Some(r) = touch_draw {
                    crate::access::touch(e, now, policy, log_factor, decay, r);
                }
            },
            |e| crate::access::init(e, now, policy),
        );
        if is_new {
            // Redis's dbAdd announces every new key (class `n`).
            self.engine.notify_key(db, crate::notify::NEW, "new", key);
        }
        self.key_modified(key);
    }

    /// Deletes `key`. Returns true if it existed (and was not expired).
    pub fn delete_key(&mut self, key: &[u8]) -> bool {
        if self.expire_if_needed(key) {
            return false;
        }
        let removed = self.engine.keyspace.dbs[self.client.db].remove(key);
        if let Some(entry) = &removed {
            self.key_modified(key);
            self.engine.signal_stream_gone(self.client.db, key, &entry.value);
        }
        removed.is_some()
    }

    /// Sets an absolute expiry on an existing key and signals the change.
    pub fn set_expire(&mut self, key: &[u8], at_ms: i64) -> bool {
        let db = self.client.db;
        let ok = self.engine.keyspace.dbs[db].set_expire(key, at_ms);
        if ok {
            self.key_modified(key);
        }
        ok
    }

    /// Logs `argv` to the AOF in place of the running command, for commands
    /// whose effect a replay could not reproduce from their own arguments
    /// (a random pick, a clock-generated id). Built only while the AOF is on.
    pub fn propagate_as(&mut self, argv: impl FnOnce() -> Vec<Vec<u8>>) {
        self.engine.server.aof.log_instead(argv);
    }

    /// Redis's `signalModifiedKey`: invalidates WATCHes on the key, the
    /// calling client's own included (it is out of the client map while its
    /// command runs).
    pub fn key_modified(&mut self, key: &[u8]) {
        self.engine.touch_watched(self.client.db, key);
        self.touch_own_watch(key);
    }

    /// Publishes a keyspace notification for `key` in the current database
    /// if `notify-keyspace-events` enables `class`.
    pub fn notify(&mut self, class: u32, event: &str, key: &[u8]) {
        self.engine.notify_key(self.client.db, class, event, key);
    }

    /// Redis's `signalKeyAsReady`: a list, sorted set or stream received
    /// data, so clients blocked on it get a chance to be served.
    pub fn signal_ready(&mut self, key: &[u8]) {
        self.engine.signal_ready(self.client.db, key);
    }

    /// Blocks the client on `keys` until one is ready or `deadline_ms`
    /// (None = forever). Inside MULTI or a script, commands never block:
    /// callers check [`Ctx::may_block`] first and reply with the timeout value.
    pub fn block_on(&mut self, argv: &[Vec<u8>], keys: Vec<Vec<u8>>, deadline_ms: Option<i64>) -> Reply {
        let since_seq = self.engine.clients.next_block_seq();
        self.client.blocked = Some(crate::client::BlockedState {
            argv: argv.to_vec(),
            db: self.client.db,
            keys,
            deadline_ms,
            since_seq,
            postponed: false,
        });
        Reply::Blocked
    }

    /// True while an AOF is being replayed (times in the past do not delete keys).
    pub fn is_loading(&self) -> bool {
        self.engine.keyspace.is_loading()
    }

    /// False inside MULTI/EXEC or a script, where blocking commands answer at once.
    pub fn may_block(&self) -> bool {
        self.client.multi.is_none() && self.engine.clients.blocking_allowed()
    }
}

/// Redis's `signalModifiedKey`, the engine's side.
impl Engine {
    /// A key was modified: memory accounting notes it, clients that WATCH
    /// it are marked dirty (Redis's `touchWatchedKey`) and the changed-key
    /// feed lists it.
    pub(crate) fn touch_watched(&mut self, db: usize, key: &[u8]) {
        let by = self.clients.running_id();
        self.signal_modified(db, key, by);
    }

    /// [`Engine::touch_watched`] with the client that made the change
    /// (None when the server removed the key: expiry, eviction), which
    /// client-side caching's NOLOOP needs; tracking clients are invalidated.
    pub(crate) fn signal_modified(&mut self, db: usize, key: &[u8], by: Option<crate::client::ClientId>) {
        self.tracking_invalidate(key, by);
        self.server.memory.note_touched(db, key);
        let data = &self.keyspace.dbs[db];
        self.clients.dirty_watchers(db, key, || !data.contains(key));
        self.keyspace.note_changed(db, key);
    }
}
