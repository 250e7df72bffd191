//! Expiry and key removal: lazy expiry (a key is checked when a command
//! touches it), the active cycle (sampled from the databases' TTL indexes
//! on every tick), reclaiming everything due when the clock jumps, and
//! [`Engine::remove_key`], the single sequence by which the server itself
//! removes a key (expiry and eviction).

use crate::engine::Engine;
use crate::events::Event;

impl Engine {
    /// Redis's active expiry: per database, sample up to 20 keys that have a
    /// TTL, delete the expired ones, and repeat while more than 10 % of a
    /// sample was expired (Redis 7.0's acceptable-stale threshold).
    pub fn active_expire_cycle(&mut self) {
        let started = self.clock.live_us();
        self.active_expire_sweep();
        let elapsed_ms = (self.clock.live_us() - started).max(0) as u64 / 1000;
        if elapsed_ms > 0 {
            self.note_latency("expire-cycle", elapsed_ms);
        }
        // Redis's beforeSleep: BCAST invalidations of keys that expired
        // here go out now, and the tracking table is kept under its limit.
        self.tracking_cron();
    }

    fn active_expire_sweep(&mut self) {
        const KEYS_PER_LOOP: usize = 20;
        const MAX_LOOPS: usize = 16;
        let now = self.now_ms();
        self.end_pause_if_due();
        if !self.server.active_expire || self.client_pause.is_some() || self.repl.is_replica() {
            // CLIENT PAUSE also pauses active expiry (no DEL may replicate).
            return;
        }
        for db in 0..self.keyspace.dbs.len() {
            for _ in 0..MAX_LOOPS {
                let volatile = self.keyspace.dbs[db].volatile_len();
                if volatile == 0 {
                    break;
                }
                let sample = volatile.min(KEYS_PER_LOOP);
                let mut expired = 0;
                for _ in 0..sample {
                    let rng = &mut self.rng;
                    let picked = self.keyspace.dbs[db]
                        .random_volatile(|n| rng.index(n))
                        .filter(|(_, e)| e.is_expired(now))
                        .map(|(k, _)| k.to_vec());
                    if let Some(key) = picked {
                        // Freeing a big value is what makes a cycle slow:
                        // LATENCY shows each slow deletion as `expire-del`.
                        let started = self.clock.live_us();
                        self.remove_key(db, &key, Removal::Expired);
                        let elapsed_ms = (self.clock.live_us() - started).max(0) as u64 / 1000;
                        if elapsed_ms > 0 {
                            self.note_latency("expire-del", elapsed_ms);
                        }
                        expired += 1;
                    }
                }
                if expired * 100 / sample <= 10 {
                    break;
                }
            }
        }
        // Readers of a stream that just expired are answered now.
        self.serve_ready_keys();
    }

    /// Deletes every key whose TTL has passed, in every database.
    pub fn reclaim_all_expired(&mut self) {
        if self.repl.is_replica() {
            return; // the master's DELs remove them
        }
        let now = self.now_ms();
        for db in 0..self.keyspace.dbs.len() {
            for key in self.keyspace.dbs[db].expired_keys(now) {
                self.remove_key(db, &key, Removal::Expired);
            }
        }
        self.serve_ready_keys();
    }

    /// The one sequence by which the server itself removes a key (expiry
    /// and eviction): memory accounting, the AOF's `DEL`, the counter in
    /// INFO, WATCH invalidation, the keyspace notification and the event
    /// the UI shows. Returns false if the key was not there.
    pub(crate) fn remove_key(&mut self, db: usize, key: &[u8], why: Removal) -> bool {
        let Some(entry) = self.keyspace.dbs[db].remove(key) else {
            return false;
        };
        let shared = crate::memory::shared_ints(&self.config);
        crate::memory::on_removed(&mut self.server.memory, shared, db, key, &entry);
        crate::aof::propagate_deletion(&mut self.server.aof, db, key);
        self.signal_modified(db, key, None);
        self.signal_stream_gone(db, key, &entry.value);
        let event = match why {
            Removal::Expired => {
                self.stats.expired_keys += 1;
                self.notify_key(db, crate::notify::EXPIRED, "expired", key);
                Event::Expired { db, key: key.to_vec() }
            }
            Removal::Evicted { policy, reason } => {
                self.stats.evicted_keys += 1;
                self.notify_key(db, crate::notify::EVICTED, "evicted", key);
                Event::Evicted { db, key: key.to_vec(), policy, reason }
            }
        };
        self.push_event(event);
        true
    }

    /// Lazy expiry: deletes `key` if its TTL passed. Returns true if the
    /// key is expired (deleted, or only hidden while clients are paused).
    pub(crate) fn expire_if_needed(&mut self, db: usize, key: &[u8]) -> bool {
        if self.keyspace.is_loading() {
            // Like Redis while loading: replayed commands see keys as they were.
            return false;
        }
        if self.keyspace.dbs[db].volatile_len() == 0 {
            // No key in this database has a TTL: nothing to look up.
            return false;
        }
        let now = self.now_ms();
        let expired = self.keyspace.dbs[db].get(key).is_some_and(|e| e.is_expired(now));
        if expired && self.repl.is_replica() {
            // A replica waits for its master's DEL: the master client still
            // sees the key, other clients see it gone.
            return !self.repl.is_master_client(self.clients.running_id());
        }
        if expired {
            self.end_pause_if_due();
            if self.client_pause.is_some() {
                // During CLIENT PAUSE an expired key is only logically gone:
                // it is deleted (and counted) once the pause is over.
                return true;
            }
            self.remove_key(db, key, Removal::Expired);
        }
        expired
    }
}

/// Why the server removes a key on its own (see [`Engine::remove_key`]).
pub(crate) enum Removal {
    /// Its TTL passed (lazy or active expiry).
    Expired,
    /// `maxmemory` was reached; `reason` says how the victim was chosen.
    Evicted { policy: crate::config::EvictionPolicy, reason: String },
}
