//! The client registry: the client table, the next client id, the client
//! whose command is running, the nesting of calls, whether blocking is
//! allowed, the FIFO order of blocked clients, and the hints that let a
//! write skip visiting every client when nobody WATCHes, blocks or
//! MONITORs.
//!
//! A command's client is out of the table while it runs (see
//! [`ClientTable`]); [`ClientRegistry::put_back`] returns it and updates
//! the hints, since a scan of the table may meanwhile have concluded that
//! nobody watches, waits or monitors.

use crate::client::{Client, ClientId};
use crate::client_table::ClientTable;
use crate::resp::Protocol;

pub(crate) struct ClientRegistry {
    table: ClientTable,
    next_id: ClientId,
    /// The client whose command is running and its protocol (it is out of
    /// the table meanwhile), so messages for it are framed correctly.
    running: Option<(ClientId, Protocol)>,
    /// Handlers running right now (more than one inside EXEC or a script).
    call_depth: u32,
    /// Above zero while EXEC or a script runs: blocking commands answer at once.
    no_blocking: u32,
    /// Monotonic counter for FIFO order among blocked clients.
    block_seq: u64,
    /// False only when no other client WATCHes anything, so a write need not
    /// visit every client. Set when a command leaves its client watching
    /// (WATCH is the only way in); cleared by a visit that finds no watcher.
    may_watch: bool,
    /// The same for clients blocked on keys: false only when none is, so a
    /// push need not look for waiting clients.
    may_block: bool,
    /// The same for MONITOR clients: false only when none is, so a command
    /// need not look for monitors to feed.
    may_monitor: bool,
    /// True while commands held by CLIENT PAUSE are being re-run (their own
    /// dispatch must not start another round).
    pub(crate) resuming_postponed: bool,
}

impl Default for ClientRegistry {
    fn default() -> ClientRegistry {
        ClientRegistry {
            table: ClientTable::default(),
            next_id: 1,
            running: None,
            call_depth: 0,
            no_blocking: 0,
            block_seq: 0,
            may_watch: false,
            may_block: false,
            may_monitor: false,
            resuming_postponed: false,
        }
    }
}

impl ClientRegistry {
    // ----- the table ------------------------------------------------------

    /// Registers a new client and returns its id.
    pub(crate) fn connect(&mut self, addr: String, now_ms: i64) -> ClientId {
        let id = self.next_id;
        self.next_id += 1;
        self.table.insert(id, Client::new(id, addr, now_ms));
        id
    }

    pub(crate) fn len(&self) -> usize {
        self.table.len()
    }

    pub(crate) fn get(&self, id: &ClientId) -> Option<&Client> {
        self.table.get(id)
    }

    pub(crate) fn get_mut(&mut self, id: &ClientId) -> Option<&mut Client> {
        self.table.get_mut(id)
    }

    /// The clients in the table (not the running one), in id order.
    pub(crate) fn values(&self) -> impl Iterator<Item = &Client> {
        self.table.values()
    }

    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut Client> {
        self.table.values_mut()
    }

    /// Takes a client out of the table (to run its command, or for good).
    pub(crate) fn remove(&mut self, id: &ClientId) -> Option<Box<Client>> {
        self.table.remove(id)
    }

    /// Puts a client back unchanged (nothing ran for it).
    pub(crate) fn insert(&mut self, id: ClientId, client: Box<Client>) {
        self.table.insert(id, client);
    }

    /// Returns a client to the table after its command ran, noting whether it
    /// now watches keys, waits on them or monitors.
    pub(crate) fn put_back(&mut self, id: ClientId, client: Box<Client>) {
        self.may_watch |= !client.watched.is_empty();
        self.may_block |= client.blocked.is_some();
        self.may_monitor |= client.monitor;
        self.table.insert(id, client);
    }

    /// The protocol a client speaks (changed by HELLO).
    pub(crate) fn protocol_of(&self, id: ClientId) -> Protocol {
        self.table.get(&id).map(|c| c.protocol).unwrap_or(Protocol::Resp2)
    }

    // ----- the running command ---------------------------------------------

    /// Sets (or clears) the client whose command runs, with its protocol.
    pub(crate) fn set_running(&mut self, running: Option<(ClientId, Protocol)>) {
        self.running = running;
    }

    /// The client whose command runs and its protocol, if any.
    pub(crate) fn running(&self) -> Option<(ClientId, Protocol)> {
        self.running
    }

    /// The client whose command runs, if any.
    pub(crate) fn running_id(&self) -> Option<ClientId> {
        self.running.map(|(id, _)| id)
    }

    /// True while a handler runs (not in the checks before it).
    pub(crate) fn in_call(&self) -> bool {
        self.call_depth > 0
    }

    /// The protocol to frame a message for `id` in: the running client's
    /// own while it is out of the table.
    pub(crate) fn delivery_protocol(&self, id: ClientId) -> Protocol {
        match self.running {
            Some((running, proto)) if running == id => proto,
            _ => self.protocol_of(id),
        }
    }

    /// A handler starts; true if it is the outermost one.
    pub(crate) fn enter_call(&mut self) -> bool {
        self.call_depth += 1;
        self.call_depth == 1
    }

    /// A handler finished.
    pub(crate) fn leave_call(&mut self) {
        self.call_depth -= 1;
    }

    /// Handlers running now (0 once the outermost command has returned).
    pub(crate) fn call_depth(&self) -> u32 {
        self.call_depth
    }

    /// EXEC or a script starts: blocking commands answer at once until
    /// the matching [`ClientRegistry::allow_blocking`].
    pub(crate) fn forbid_blocking(&mut self) {
        self.no_blocking += 1;
    }

    pub(crate) fn allow_blocking(&mut self) {
        self.no_blocking -= 1;
    }

    /// False inside EXEC or a script.
    pub(crate) fn blocking_allowed(&self) -> bool {
        self.no_blocking == 0
    }

    // ----- WATCH --------------------------------------------------------------

    /// Marks clients that WATCH `key` in `db` as dirty (the table's part of
    /// Redis's `touchWatchedKey`); `gone` says, when first needed, whether
    /// the key no longer exists.
    pub(crate) fn dirty_watchers(&mut self, db: usize, key: &[u8], mut gone: impl FnMut() -> bool) {
        if !self.may_watch {
            return;
        }
        let mut known_gone = None;
        let mut watchers = false;
        for c in self.table.values_mut() {
            if c.watched.is_empty() {
                continue;
            }
            watchers = true;
            if c.watch_dirty {
                continue;
            }
            let gone = *known_gone.get_or_insert_with(&mut gone);
            if crate::watch::watch_touched(c, db, key, gone) {
                c.watch_dirty = true;
            }
        }
        self.may_watch = watchers;
    }

    // ----- blocked clients ------------------------------------------------------

    /// The next number in the FIFO order among blocked clients.
    pub(crate) fn next_block_seq(&mut self) -> u64 {
        self.block_seq += 1;
        self.block_seq
    }

    /// True if a client in the table is blocked on `key` in `db` (and
    /// forgets the "someone may be blocked" hint when nobody is blocked).
    pub(crate) fn is_blocked_on(&mut self, db: usize, key: &[u8]) -> bool {
        if !self.may_block {
            return false;
        }
        let mut anyone_blocked = false;
        let blocked_here = self.table.values().any(|c| {
            anyone_blocked |= c.blocked.is_some();
            c.blocked.as_ref().is_some_and(|b| b.db == db && b.keys.iter().any(|k| k == key))
        });
        if !anyone_blocked {
            self.may_block = false;
        }
        blocked_here
    }

    /// The clients blocked on `key` in `db`, first blocked first.
    pub(crate) fn waiting_on(&self, db: usize, key: &[u8]) -> Vec<ClientId> {
        let mut waiting: Vec<(u64, ClientId)> = self
            .table
            .values()
            .filter_map(|c| {
                let b = c.blocked.as_ref()?;
                (b.db == db && b.keys.iter().any(|k| k == key)).then_some((b.since_seq, c.id))
            })
            .collect();
        waiting.sort_unstable();
        waiting.into_iter().map(|(_, id)| id).collect()
    }

    /// The blocked clients whose deadline is at or before `now_ms`.
    pub(crate) fn timed_out(&self, now_ms: i64) -> Vec<ClientId> {
        self.table
            .values()
            .filter(|c| c.blocked.as_ref().is_some_and(|b| b.deadline_ms.is_some_and(|d| now_ms >= d)))
            .map(|c| c.id)
            .collect()
    }

    // ----- MONITOR ----------------------------------------------------------------

    /// The monitoring clients in the table (and forgets the hint when none is).
    pub(crate) fn monitors(&mut self) -> Vec<ClientId> {
        if !self.may_monitor {
            return Vec::new();
        }
        let monitors: Vec<ClientId> = self.table.values().filter(|c| c.monitor).map(|c| c.id).collect();
        self.may_monitor = !monitors.is_empty();
        monitors
    }
}
