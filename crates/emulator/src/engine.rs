//! The engine: databases, clients, configuration, clock and the command
//! pipeline (lookup → arity → state checks → queue or call → bookkeeping).
//!
//! Everything is synchronous: a caller hands in one command for one client
//! and gets the reply back; whatever else happened (a message for another
//! client, a key expiring) is queued as an [`Event`] for the caller to drain.

use std::collections::VecDeque;

use crate::client::{Client, ClientId, QueuedCommand};
use crate::clock::Clock;
use crate::command::{flags, CommandSpec};
use crate::commands;
use crate::config::Config;
use crate::db::{Db, Entry};
use crate::errors;
use crate::events::{Event, EVENT_BUFFER_LIMIT};
use crate::reply::Reply;
use crate::resp::Protocol;
use crate::rng::Rng;
use crate::stats::Stats;
use crate::tokenizer::{split_line, InvalidArguments};
use crate::value::Value;

/// The Redis version the emulator answers as (INFO, HELLO).
pub const REDIS_VERSION: &str = "7.0.15";

pub struct Engine {
    pub(crate) dbs: Vec<Db>,
    pub(crate) clients: crate::client_table::ClientTable,
    pub(crate) clock: Clock,
    pub(crate) rng: Rng,
    pub(crate) config: Config,
    pub(crate) stats: Stats,
    events: VecDeque<Event>,
    next_client_id: ClientId,
    pub(crate) start_ms: i64,
    /// Monotonic counter for FIFO order among blocked clients.
    pub(crate) block_seq: u64,
    /// Keys that may unblock clients, collected while a command runs.
    pub(crate) ready_keys: Vec<(usize, Vec<u8>)>,
    /// Keys written by the last commands (for the UI's highlight), if tracked.
    changed_keys: Option<Vec<(usize, Vec<u8>)>>,
    /// Bumped by changes the changed-key feed does not list one by one
    /// (a flushed, swapped or reloaded database, a feed that overflowed).
    keyspace_epoch: u64,
    /// Channel and pattern subscriptions.
    pub(crate) pubsub: crate::pubsub::PubSub,
    /// Above zero while EXEC or a script runs: blocking commands answer at once.
    pub(crate) no_blocking: u32,
    /// True while an AOF is replayed: nothing expires until it is done.
    pub(crate) loading: bool,
    /// Memory accounting, eviction, slow log, AOF and snapshots.
    pub(crate) server: crate::server_state::ServerState,
    /// The client whose command is running and its protocol (it is out of
    /// `clients` meanwhile), so messages for it are framed correctly.
    pub(crate) running: Option<(ClientId, Protocol)>,
    /// Handlers running right now (more than one inside EXEC or a script).
    call_depth: u32,
    /// False only when no other client WATCHes anything, so a write need not
    /// visit every client. Set when a command leaves its client watching
    /// (WATCH is the only way in); cleared by a visit that finds no watcher.
    others_may_watch: bool,
    /// The same for clients blocked on keys: false only when none is, so a
    /// push need not look for waiting clients.
    others_may_block: bool,
    /// The same for MONITOR clients: false only when none is, so a command
    /// need not look for monitors to feed.
    pub(crate) others_may_monitor: bool,
    /// Script cache and Lua state shared by EVAL, EVALSHA and SCRIPT.
    pub(crate) scripts: crate::scripting::ScriptCache,
}

impl Engine {
    /// An engine on the given clock, with a seeded random generator.
    pub fn new(clock: Clock, seed: u64, config: Config) -> Engine {
        let start_ms = clock.now_ms();
        let dbs = (0..config.databases).map(|_| Db::new()).collect();
        let server = crate::server_state::ServerState::new(config.databases, start_ms);
        Engine {
            server,
            dbs,
            clients: crate::client_table::ClientTable::default(),
            clock,
            rng: Rng::new(seed),
            config,
            stats: Stats::default(),
            events: VecDeque::new(),
            next_client_id: 1,
            start_ms,
            block_seq: 0,
            ready_keys: Vec::new(),
            changed_keys: None,
            keyspace_epoch: 0,
            pubsub: crate::pubsub::PubSub::default(),
            no_blocking: 0,
            loading: false,
            running: None,
            call_depth: 0,
            others_may_watch: false,
            others_may_block: false,
            others_may_monitor: false,
            scripts: crate::scripting::ScriptCache::default(),
        }
    }

    /// An engine on a manual clock (tests, lessons): time moves only when advanced.
    pub fn with_manual_clock(start_ms: i64, seed: u64) -> Engine {
        Engine::new(Clock::manual(start_ms), seed, Config::default())
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn config_mut(&mut self) -> &mut Config {
        &mut self.config
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    pub fn db(&self, index: usize) -> Option<&Db> {
        self.dbs.get(index)
    }

    pub fn db_count(&self) -> usize {
        self.dbs.len()
    }

    // ----- clients -------------------------------------------------------

    /// Registers a new client and returns its id.
    pub fn connect(&mut self, addr: impl Into<String>) -> ClientId {
        let id = self.next_client_id;
        self.next_client_id += 1;
        let now = self.now_ms();
        self.clients.insert(id, Client::new(id, addr.into(), now));
        self.stats.total_connections_received += 1;
        id
    }

    /// Forgets a client (its subscriptions, watches and blocking end).
    pub fn disconnect(&mut self, id: ClientId) {
        if self.clients.remove(&id).is_some() {
            self.pubsub.forget_client(id);
        }
    }

    /// Records the local address a client connected to (CLIENT LIST `laddr`).
    pub fn set_client_local_addr(&mut self, id: ClientId, laddr: String) {
        if let Some(c) = self.clients.get_mut(&id) {
            c.laddr = laddr;
        }
    }

    /// Milliseconds since the engine started (INFO uptime).
    pub fn uptime_ms(&self) -> i64 {
        self.now_ms() - self.start_ms
    }

    pub fn client(&self, id: ClientId) -> Option<&Client> {
        self.clients.get(&id)
    }

    pub fn clients(&self) -> impl Iterator<Item = &Client> {
        self.clients.values()
    }

    /// The protocol a client speaks (changed by HELLO).
    pub fn protocol_of(&self, id: ClientId) -> Protocol {
        self.clients.get(&id).map(|c| c.protocol).unwrap_or(Protocol::Resp2)
    }

    // ----- events --------------------------------------------------------

    pub(crate) fn push_event(&mut self, event: Event) {
        if self.events.len() >= EVENT_BUFFER_LIMIT {
            self.events.pop_front();
        }
        self.events.push_back(event);
    }

    /// True if events wait to be drained.
    pub fn has_pending_events(&self) -> bool {
        !self.events.is_empty()
    }

    /// Takes all pending events, oldest first.
    pub fn drain_events(&mut self) -> Vec<Event> {
        self.events.drain(..).collect()
    }

    /// Starts (or stops) recording which keys commands change.
    pub fn track_changes(&mut self, on: bool) {
        self.changed_keys = on.then(Vec::new);
    }

    /// Keys changed since the last call, as (db, key).
    pub fn take_changed_keys(&mut self) -> Vec<(usize, Vec<u8>)> {
        self.changed_keys.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Changes whenever the keyspace changed in a way the changed-key feed
    /// does not spell out key by key: a view built from that feed must be
    /// rebuilt when this differs from the value it was built at.
    pub fn keyspace_epoch(&self) -> u64 {
        self.keyspace_epoch
    }

    /// Records a change too big for the changed-key feed (see [`Engine::keyspace_epoch`]).
    pub(crate) fn note_bulk_change(&mut self) {
        self.keyspace_epoch += 1;
    }

    // ----- running commands ----------------------------------------------

    /// Splits a console line like redis-cli and runs it.
    pub fn execute_line(&mut self, id: ClientId, line: &str) -> Result<Reply, InvalidArguments> {
        let argv = split_line(line)?;
        Ok(self.execute(id, argv))
    }

    /// Runs one command for client `id` and returns its reply. A blocking
    /// command that must wait returns [`Reply::Blocked`]; its reply arrives
    /// later as an [`Event::Deliver`].
    pub fn execute(&mut self, id: ClientId, argv: Vec<Vec<u8>>) -> Reply {
        let Some(mut client) = self.clients.remove(&id) else {
            return Reply::error("ERR no such client");
        };
        self.clock.pin();
        client.last_interaction_ms = self.now_ms();
        self.running = Some((id, client.protocol));
        let reply = self.process(&mut client, argv);
        self.running = None;
        let reply = client.filter_reply(reply);
        if let Some(text) = reply.error_text() {
            self.stats.count_error(text);
        }
        self.put_back(id, client);
        self.serve_ready_keys();
        self.clock.unpin();
        reply
    }

    /// Redis's `processCommand`: the checks in Redis's order, then queue or call.
    fn process(&mut self, client: &mut Client, argv: Vec<Vec<u8>>) -> Reply {
        if argv.is_empty() {
            return Reply::Multi(Vec::new());
        }
        let spec = match commands::lookup(&argv) {
            commands::Lookup::Found(spec) => spec,
            commands::Lookup::UnknownCommand => {
                flag_transaction(client);
                return Reply::error(errors::unknown_command(&argv));
            }
            commands::Lookup::UnknownSubcommand(container) => {
                flag_transaction(client);
                return Reply::error(errors::unknown_subcommand(container.name, &argv[1]));
            }
        };
        client.last_command = (spec.parent, spec.name);
        if !spec.arity_ok(argv.len()) {
            flag_transaction(client);
            self.reject(spec);
            return reject_exec(client, spec, errors::wrong_arity(&spec.full_name()));
        }
        if self.config.maxmemory > 0 {
            if let Some(oom) = crate::eviction::reject_on_oom(self, client, spec) {
                self.reject(spec);
                return oom;
            }
        }
        if client.in_subscribed_mode() && !spec.has(flags::SUBSCRIBED_OK) {
            self.reject(spec);
            return reject_exec(client, spec, format!(
                "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
                spec.full_name()
            ));
        }
        if let Some(multi) = client.multi.as_mut() {
            if !spec.has(flags::RUNS_IN_MULTI) {
                if spec.has(flags::NO_MULTI) {
                    multi.aborted = true;
                    self.reject(spec);
                    return Reply::error("ERR Command not allowed inside a transaction");
                }
                multi.queue.push(QueuedCommand { argv });
                return Reply::QUEUED;
            }
        }
        self.call(client, spec, &argv)
    }

    fn reject(&mut self, spec: &CommandSpec) {
        self.stats.command_mut(spec).rejected_calls += 1;
    }

    /// Runs a command's handler with bookkeeping (stats). Also used by EXEC
    /// and scripts to run the commands they contain.
    pub(crate) fn call(&mut self, client: &mut Client, spec: &'static CommandSpec, argv: &[Vec<u8>]) -> Reply {
        let measured = crate::server_state::before_call(self, client.db, spec, argv);
        // The outermost command started at the pinned instant; that saves a
        // platform clock read per command (a call into JavaScript in the page).
        let started_us = if self.call_depth == 0 { self.clock.now_us() } else { self.clock.live_us() };
        self.call_depth += 1;
        let reply = {
            let mut ctx = Ctx { engine: self, client };
            (spec.handler)(&mut ctx, argv).unwrap_or_else(|error| error)
        };
        self.call_depth -= 1;
        let elapsed = (self.clock.live_us() - started_us).max(0) as u64;
        crate::server_state::after_call(self, client, spec, argv, &reply, measured, elapsed);
        let now_ms = self.now_ms();
        self.stats.total_commands_processed += 1;
        self.stats.recent_ops.record(now_ms);
        let stat = self.stats.command_mut(spec);
        stat.calls += 1;
        stat.usec += elapsed;
        if reply.is_error() {
            stat.failed_calls += 1;
        }
        reply
    }

    // ----- time ----------------------------------------------------------

    /// Periodic work, as Redis's server cron does it: the active expiry
    /// cycle and blocked clients' timeouts. Call it about `hz` times a second.
    pub fn tick(&mut self) {
        self.active_expire_cycle();
        self.expire_blocked_clients();
    }

    /// Moves the clock forward (pausing real time is up to the caller) and
    /// lets everything due in that span happen: expired keys are reclaimed,
    /// blocked clients time out.
    pub fn advance_clock(&mut self, ms: i64) {
        self.clock.advance_ms(ms);
        self.reclaim_all_expired();
        self.expire_blocked_clients();
    }

    pub fn pause_clock(&mut self) {
        self.clock.pause();
    }

    pub fn resume_clock(&mut self) {
        self.clock.resume();
    }

    /// Redis's active expiry: per database, sample up to 20 keys that have a
    /// TTL, delete the expired ones, and repeat while more than 10 % of a
    /// sample was expired (Redis 7.0's acceptable-stale threshold).
    pub fn active_expire_cycle(&mut self) {
        const KEYS_PER_LOOP: usize = 20;
        const MAX_LOOPS: usize = 16;
        let now = self.now_ms();
        if !self.server.active_expire {
            return;
        }
        for db in 0..self.dbs.len() {
            for _ in 0..MAX_LOOPS {
                let volatile = self.dbs[db].volatile_len();
                if volatile == 0 {
                    break;
                }
                let sample = volatile.min(KEYS_PER_LOOP);
                let mut expired = 0;
                for _ in 0..sample {
                    let rng = &mut self.rng;
                    let picked = self.dbs[db]
                        .random_volatile(|n| rng.index(n))
                        .filter(|(_, e)| e.is_expired(now))
                        .map(|(k, _)| k.to_vec());
                    if let Some(key) = picked {
                        self.remove_key(db, &key, Removal::Expired);
                        expired += 1;
                    }
                }
                if expired * 100 / sample <= 10 {
                    break;
                }
            }
        }
    }

    /// Deletes every key whose TTL has passed, in every database.
    pub fn reclaim_all_expired(&mut self) {
        let now = self.now_ms();
        for db in 0..self.dbs.len() {
            for key in self.dbs[db].expired_keys(now) {
                self.remove_key(db, &key, Removal::Expired);
            }
        }
    }

    /// The one sequence by which the server itself removes a key (expiry
    /// and eviction): memory accounting, the AOF's `DEL`, the counter in
    /// INFO, WATCH invalidation, the keyspace notification and the event
    /// the UI shows. Returns false if the key was not there.
    pub(crate) fn remove_key(&mut self, db: usize, key: &[u8], why: Removal) -> bool {
        let Some(entry) = self.dbs[db].remove(key) else {
            return false;
        };
        crate::memory::on_removed(self, db, key, &entry);
        crate::aof::propagate_deletion(self, db, key);
        self.touch_watched(db, key);
        let event = match why {
            Removal::Expired => {
                self.stats.expired_keys += 1;
                crate::notify::notify(self, db, crate::notify::EXPIRED, "expired", key);
                Event::Expired { db, key: key.to_vec() }
            }
            Removal::Evicted { policy, reason } => {
                self.stats.evicted_keys += 1;
                crate::notify::notify(self, db, crate::notify::EVICTED, "evicted", key);
                Event::Evicted { db, key: key.to_vec(), policy, reason }
            }
        };
        self.push_event(event);
        true
    }

    /// Lazy expiry: deletes `key` if its TTL passed. Returns true if it did.
    pub(crate) fn expire_if_needed(&mut self, db: usize, key: &[u8]) -> bool {
        if self.loading {
            // Like Redis while loading: replayed commands see keys as they were.
            return false;
        }
        if self.dbs[db].volatile_len() == 0 {
            // No key in this database has a TTL: nothing to look up.
            return false;
        }
        let now = self.now_ms();
        let expired = self.dbs[db].get(key).is_some_and(|e| e.is_expired(now));
        if expired {
            self.remove_key(db, key, Removal::Expired);
        }
        expired
    }

    /// Marks clients that WATCH `key` as dirty (Redis's `touchWatchedKey`).
    pub(crate) fn touch_watched(&mut self, db: usize, key: &[u8]) {
        self.server.memory.note_touched(db, key);
        if self.others_may_watch {
            let mut gone = None;
            let mut watchers = false;
            for c in self.clients.values_mut() {
                if c.watched.is_empty() {
                    continue;
                }
                watchers = true;
                if c.watch_dirty {
                    continue;
                }
                let gone = *gone.get_or_insert_with(|| !self.dbs[db].contains(key));
                if crate::watch::watch_touched(c, db, key, gone) {
                    c.watch_dirty = true;
                }
            }
            self.others_may_watch = watchers;
        }
        if let Some(changed) = self.changed_keys.as_mut() {
            if changed.len() < 10_000 {
                changed.push((db, key.to_vec()));
            } else {
                self.keyspace_epoch += 1;
            }
        }
    }

    // ----- blocking --------------------------------------------------------

    /// Serves clients blocked on keys that became ready, first blocked first.
    fn serve_ready_keys(&mut self) {
        while !self.ready_keys.is_empty() {
            let ready = std::mem::take(&mut self.ready_keys);
            for (db, key) in ready {
                let mut waiting: Vec<(u64, ClientId)> = self
                    .clients
                    .values()
                    .filter_map(|c| {
                        let b = c.blocked.as_ref()?;
                        (b.db == db && b.keys.contains(&key)).then_some((b.since_seq, c.id))
                    })
                    .collect();
                waiting.sort_unstable();
                for (_, id) in waiting {
                    self.retry_blocked(id);
                }
            }
        }
    }

    /// Re-runs a blocked client's command; if it no longer blocks, the reply
    /// is delivered as an event and the client is unblocked.
    fn retry_blocked(&mut self, id: ClientId) {
        let Some(mut client) = self.clients.remove(&id) else { return };
        let Some(blocked) = client.blocked.take() else {
            self.clients.insert(id, client);
            return;
        };
        let reply = match commands::lookup(&blocked.argv) {
            commands::Lookup::Found(spec) => {
                let saved_db = client.db;
                client.db = blocked.db;
                self.running = Some((id, client.protocol));
                let reply = self.call(&mut client, spec, &blocked.argv);
                self.running = None;
                client.db = saved_db;
                reply
            }
            _ => Reply::NilArray,
        };
        if matches!(reply, Reply::Blocked) {
            // Still nothing to take: keep waiting with the original order.
            if let Some(b) = client.blocked.as_mut() {
                b.since_seq = blocked.since_seq;
                b.deadline_ms = blocked.deadline_ms;
            }
        } else {
            client.blocked = None;
            self.push_event(Event::Deliver { client: id, reply });
        }
        self.put_back(id, client);
    }

    /// Returns a client to the table after its command ran, noting whether it
    /// now watches keys or waits on them (while it was out, a scan of the
    /// table may have concluded that nobody does).
    fn put_back(&mut self, id: ClientId, client: Box<Client>) {
        self.others_may_watch |= !client.watched.is_empty();
        self.others_may_block |= client.blocked.is_some();
        self.others_may_monitor |= client.monitor;
        self.clients.insert(id, client);
    }

    /// Answers blocked clients whose timeout passed with their timeout reply.
    pub fn expire_blocked_clients(&mut self) {
        let now = self.now_ms();
        let due: Vec<ClientId> = self
            .clients
            .values()
            .filter(|c| c.blocked.as_ref().is_some_and(|b| b.deadline_ms.is_some_and(|d| now >= d)))
            .map(|c| c.id)
            .collect();
        for id in due {
            if let Some(c) = self.clients.get_mut(&id) {
                let reply = commands::blocking_timeout_reply(c.blocked.as_ref());
                c.blocked = None;
                self.push_event(Event::Deliver { client: id, reply });
            }
        }
    }

    /// Unblocks a client as CLIENT UNBLOCK does (`error` picks the reply).
    pub fn unblock_client(&mut self, id: ClientId, error: bool) -> bool {
        let Some(c) = self.clients.get_mut(&id) else { return false };
        let Some(blocked) = c.blocked.take() else { return false };
        let reply = if error {
            Reply::error("UNBLOCKED client unblocked via CLIENT UNBLOCK")
        } else {
            commands::blocking_timeout_reply(Some(&blocked))
        };
        self.push_event(Event::Deliver { client: id, reply });
        true
    }
}

/// Why the server removes a key on its own (see [`Engine::remove_key`]).
pub(crate) enum Removal {
    /// Its TTL passed (lazy or active expiry).
    Expired,
    /// `maxmemory` was reached; `reason` says how the victim was chosen.
    Evicted { policy: crate::config::EvictionPolicy, reason: String },
}

/// A rejected EXEC also discards the transaction, and says so (Redis's
/// `execCommandAbort`); other rejected commands answer `error` as is.
pub(crate) fn reject_exec(client: &mut Client, spec: &CommandSpec, error: String) -> Reply {
    if !spec.has(flags::RUNS_QUEUE) {
        return Reply::error(error);
    }
    client.multi = None;
    crate::watch::unwatch_all(client);
    let reason = error.strip_prefix("ERR ").unwrap_or(&error);
    Reply::error(format!("EXECABORT Transaction discarded because of: {reason}"))
}

/// A queuing error inside MULTI dooms the transaction (EXECABORT).
fn flag_transaction(client: &mut Client) {
    if let Some(m) = client.multi.as_mut() {
        m.aborted = true;
    }
}

/// What a command handler sees: the engine and the calling client.
pub struct Ctx<'a> {
    pub engine: &'a mut Engine,
    pub client: &'a mut Client,
}

impl Ctx<'_> {
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
        &mut self.engine.dbs[self.client.db]
    }

    /// Deletes `key` if its TTL has passed. Returns true if it did.
    pub fn expire_if_needed(&mut self, key: &[u8]) -> bool {
        let expired = self.engine.expire_if_needed(self.client.db, key);
        if expired {
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
        let gone = !self.engine.dbs[db].contains(key);
        if crate::watch::watch_touched(self.client, db, key, gone) {
            self.client.watch_dirty = true;
        }
    }

    /// Looks a key up for reading: expires it if due, counts a keyspace hit
    /// or miss, and refreshes its access time (Redis's `lookupKeyRead`).
    pub fn lookup_read(&mut self, key: &[u8]) -> Option<&mut Entry> {
        self.expire_if_needed(key);
        let now = self.now_ms();
        let policy = self.engine.config.maxmemory_policy;
        let (log_factor, decay) = (self.engine.config.lfu_log_factor, self.engine.config.lfu_decay_time);
        let db = self.client.db;
        let Some(slot) = self.engine.dbs[db].slot_of(key) else {
            self.engine.stats.keyspace_misses += 1;
            crate::notify::notify(self.engine, db, crate::notify::KEY_MISS, "keymiss", key);
            return None;
        };
        self.engine.stats.keyspace_hits += 1;
        let rng_value = self.engine.rng.unit();
        let entry = self.engine.dbs[db].at_slot_mut(slot)?;
        crate::access::touch(entry, now, policy, log_factor, decay, rng_value);
        Some(entry)
    }

    /// Looks a key up for writing: expires it if due and refreshes its
    /// access time, without counting hits or misses (`lookupKeyWrite`).
    pub fn lookup_write(&mut self, key: &[u8]) -> Option<&mut Entry> {
        self.expire_if_needed(key);
        let now = self.now_ms();
        let policy = self.engine.config.maxmemory_policy;
        let (log_factor, decay) = (self.engine.config.lfu_log_factor, self.engine.config.lfu_decay_time);
        let rng_value = self.engine.rng.unit();
        let entry = self.engine.dbs[self.client.db].get_mut(key)?;
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
        self.expire_if_needed(key);
        let found = self.db().get(key).map(|e| e.expire_at());
        if found.is_some() {
            self.engine.stats.keyspace_hits += 1;
        } else {
            self.engine.stats.keyspace_misses += 1;
            let db = self.db_index();
            crate::notify::notify(self.engine, db, crate::notify::KEY_MISS, "keymiss", key);
        }
        found
    }

    /// Looks a key up without touching access data or stats (OBJECT, TTL
    /// helpers, the key browser). Still expires it if due.
    pub fn lookup_quiet(&mut self, key: &[u8]) -> Option<&mut Entry> {
        self.expire_if_needed(key);
        self.engine.dbs[self.client.db].get_mut(key)
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
        let now = self.now_ms();
        let policy = self.engine.config.maxmemory_policy;
        let db = self.client.db;
        let (log_factor, decay) = (self.engine.config.lfu_log_factor, self.engine.config.lfu_decay_time);
        // The random draw happens only where lookupKeyWrite would make it.
        let touch_draw = touch_existing.then(|| self.engine.rng.unit());
        let is_new = self.engine.dbs[db].set_or_add(
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
            crate::notify::notify(self.engine, db, crate::notify::NEW, "new", key);
        }
        self.key_modified(key);
    }

    /// Deletes `key`. Returns true if it existed (and was not expired).
    pub fn delete_key(&mut self, key: &[u8]) -> bool {
        if self.expire_if_needed(key) {
            return false;
        }
        let removed = self.engine.dbs[self.client.db].remove(key).is_some();
        if removed {
            self.key_modified(key);
        }
        removed
    }

    /// Sets an absolute expiry on an existing key and signals the change.
    pub fn set_expire(&mut self, key: &[u8], at_ms: i64) -> bool {
        let db = self.client.db;
        let ok = self.engine.dbs[db].set_expire(key, at_ms);
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
        crate::notify::notify(self.engine, self.client.db, class, event, key);
    }

    /// Redis's `signalKeyAsReady`: a list, sorted set or stream received
    /// data, so clients blocked on it get a chance to be served.
    pub fn signal_ready(&mut self, key: &[u8]) {
        if !self.engine.others_may_block {
            return;
        }
        let db = self.client.db;
        let mut anyone_blocked = false;
        let blocked_here = self.engine.clients.values().any(|c| {
            anyone_blocked |= c.blocked.is_some();
            c.blocked.as_ref().is_some_and(|b| b.db == db && b.keys.iter().any(|k| k == key))
        });
        if !anyone_blocked {
            self.engine.others_may_block = false;
        }
        if blocked_here && !self.engine.ready_keys.iter().any(|(d, k)| *d == db && k == key) {
            self.engine.ready_keys.push((db, key.to_vec()));
        }
    }

    /// Blocks the client on `keys` until one is ready or `deadline_ms`
    /// (None = forever). Inside MULTI or a script, commands never block:
    /// callers check [`Ctx::may_block`] first and reply with the timeout value.
    pub fn block_on(&mut self, argv: &[Vec<u8>], keys: Vec<Vec<u8>>, deadline_ms: Option<i64>) -> Reply {
        self.engine.block_seq += 1;
        self.client.blocked = Some(crate::client::BlockedState {
            argv: argv.to_vec(),
            db: self.client.db,
            keys,
            deadline_ms,
            since_seq: self.engine.block_seq,
        });
        Reply::Blocked
    }

    /// True while an AOF is being replayed (times in the past do not delete keys).
    pub fn is_loading(&self) -> bool {
        self.engine.loading
    }

    /// False inside MULTI/EXEC or a script, where blocking commands answer at once.
    pub fn may_block(&self) -> bool {
        self.client.multi.is_none() && self.engine.no_blocking == 0
    }
}
