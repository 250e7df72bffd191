//! The engine: the facade the app, the server and the tests drive.
//!
//! [`Engine`] owns the server state (databases, clients, configuration,
//! clock, statistics, pub/sub, scripts) and offers short methods over it:
//! connect and disconnect clients, execute commands, tick and move the
//! clock, drain events, read state. The work happens in the modules below
//! it: `dispatch` (the command pipeline), `blocking` (blocked clients),
//! `expiry` (lazy and active expiry, key removal) and `ctx` (what a
//! handler sees).
//!
//! Everything is synchronous: a caller hands in one command for one client
//! and gets the reply back; whatever else happened (a message for another
//! client, a key expiring) is queued as an [`Event`] for the caller to drain.

use std::collections::VecDeque;

use crate::client::{Client, ClientId};
use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::events::{Event, EVENT_BUFFER_LIMIT};
use crate::reply::Reply;
use crate::resp::Protocol;
use crate::rng::Rng;
use crate::stats::Stats;
use crate::tokenizer::{split_line, InvalidArguments};

pub(crate) use crate::ctx::Ctx;

/// The Redis version the emulator answers as (INFO, HELLO).
pub const REDIS_VERSION: &str = "7.0.15";

pub struct Engine {
    pub(crate) dbs: Vec<Db>,
    pub(crate) clients: crate::client_table::ClientTable,
    pub(crate) clock: Clock,
    pub(crate) rng: Rng,
    pub(crate) config: Config,
    pub(crate) stats: Stats,
    pub(crate) events: VecDeque<Event>,
    pub(crate) next_client_id: ClientId,
    pub(crate) start_ms: i64,
    /// Monotonic counter for FIFO order among blocked clients.
    pub(crate) block_seq: u64,
    /// Keys that may unblock clients, collected while a command runs.
    pub(crate) ready_keys: Vec<(usize, Vec<u8>)>,
    /// Keys written by the last commands (for the UI's highlight), if tracked.
    pub(crate) changed_keys: Option<Vec<(usize, Vec<u8>)>>,
    /// Bumped by changes the changed-key feed does not list one by one
    /// (a flushed, swapped or reloaded database, a feed that overflowed).
    pub(crate) keyspace_epoch: u64,
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
    pub(crate) call_depth: u32,
    /// False only when no other client WATCHes anything, so a write need not
    /// visit every client. Set when a command leaves its client watching
    /// (WATCH is the only way in); cleared by a visit that finds no watcher.
    pub(crate) others_may_watch: bool,
    /// The same for clients blocked on keys: false only when none is, so a
    /// push need not look for waiting clients.
    pub(crate) others_may_block: bool,
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
        self.dispatch(id, argv)
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
}
