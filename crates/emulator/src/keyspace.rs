//! The keyspace: the databases, and what the server keeps about changes
//! to them while commands run: the keys that became ready for blocked
//! clients, the changed-key feed the UI highlights from, the epoch that
//! says when that feed is not enough, and whether a replay is loading.

use crate::db::Db;

/// Most keys the changed-key feed holds before it gives up listing them
/// and bumps the epoch instead.
const CHANGED_FEED_LIMIT: usize = 10_000;

pub(crate) struct Keyspace {
    /// The databases (`SELECT` index → data). Commands, memory accounting,
    /// the AOF and the RDB files all read and write them directly.
    pub(crate) dbs: Vec<Db>,
    /// Keys that may unblock clients, collected while a command runs.
    ready: Vec<(usize, Vec<u8>)>,
    /// Keys written by the last commands (for the UI's highlight), if tracked.
    changed: Option<Vec<(usize, Vec<u8>)>>,
    /// Bumped by changes the changed-key feed does not list one by one
    /// (a flushed, swapped or reloaded database, a feed that overflowed).
    epoch: u64,
    /// True while an AOF is replayed: nothing expires until it is done.
    loading: bool,
}

impl Keyspace {
    pub(crate) fn new(databases: usize) -> Keyspace {
        Keyspace {
            dbs: (0..databases).map(|_| Db::new()).collect(),
            ready: Vec::new(),
            changed: None,
            epoch: 0,
            loading: false,
        }
    }

    // ----- the changed-key feed -------------------------------------------

    /// Starts (or stops) recording which keys commands change.
    pub(crate) fn track_changes(&mut self, on: bool) {
        self.changed = on.then(Vec::new);
    }

    /// Keys changed since the last call, as (db, key).
    pub(crate) fn take_changed(&mut self) -> Vec<(usize, Vec<u8>)> {
        self.changed.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Adds a modified key to the feed, if it is tracked.
    pub(crate) fn note_changed(&mut self, db: usize, key: &[u8]) {
        if let Some(changed) = self.changed.as_mut() {
            if changed.len() < CHANGED_FEED_LIMIT {
                changed.push((db, key.to_vec()));
            } else {
                self.epoch += 1;
            }
        }
    }

    /// See `Engine::keyspace_epoch`.
    pub(crate) fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Records a change too big for the changed-key feed.
    pub(crate) fn note_bulk_change(&mut self) {
        self.epoch += 1;
    }

    // ----- ready keys -------------------------------------------------------

    /// Notes that `key` received data a blocked client waits for (once).
    pub(crate) fn mark_ready(&mut self, db: usize, key: &[u8]) {
        if !self.ready.iter().any(|(d, k)| *d == db && k == key) {
            self.ready.push((db, key.to_vec()));
        }
    }

    pub(crate) fn has_ready(&self) -> bool {
        !self.ready.is_empty()
    }

    /// The keys marked ready so far, oldest first; the list starts over.
    pub(crate) fn take_ready(&mut self) -> Vec<(usize, Vec<u8>)> {
        std::mem::take(&mut self.ready)
    }

    // ----- loading ------------------------------------------------------------

    pub(crate) fn is_loading(&self) -> bool {
        self.loading
    }

    pub(crate) fn set_loading(&mut self, on: bool) {
        self.loading = on;
    }
}
