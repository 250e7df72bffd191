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

use crate::client::{Client, ClientId};
use crate::client_registry::ClientRegistry;
use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::events::{Event, EventQueue};
use crate::keyspace::Keyspace;
use crate::reply::Reply;
use crate::resp::Protocol;
use crate::rng::Rng;
use crate::stats::Stats;
use crate::tokenizer::{split_line, InvalidArguments};

pub(crate) use crate::ctx::Ctx;

/// The Redis version the emulator answers as (INFO, HELLO).
pub const REDIS_VERSION: &str = "7.0.15";

/// The emulator: the server state, grouped by concern, and the facade
/// over it. Lower layers take the part they need (the keyspace's
/// databases, the memory tracker, the AOF, the client registry, an
/// [`Outbox`](crate::pubsub::Outbox) for pub/sub); the few that need the
/// whole engine (eviction, loading from disk, a command's after-call
/// bookkeeping) say why.
pub struct Engine {
    /// The databases, ready keys, the changed-key feed and its epoch.
    pub(crate) keyspace: Keyspace,
    /// Connected clients and the running one, blocking order, watch hints.
    pub(crate) clients: ClientRegistry,
    pub(crate) clock: Clock,
    pub(crate) rng: Rng,
    pub(crate) config: Config,
    pub(crate) stats: Stats,
    /// Messages for other clients and keyspace happenings, to be drained.
    pub(crate) events: EventQueue,
    /// Channel and pattern subscriptions.
    pub(crate) pubsub: crate::pubsub::PubSub,
    /// Memory accounting, eviction, slow log, the AOF and the disk.
    pub(crate) server: crate::server_state::ServerState,
    /// Script cache and Lua state shared by EVAL, EVALSHA and SCRIPT.
    pub(crate) scripts: crate::scripting::ScriptCache,
    /// ACL users and the security log.
    pub(crate) acl: crate::acl::Acl,
    /// CLIENT PAUSE in force, if any.
    pub(crate) client_pause: Option<crate::client::ClientPause>,
    /// LATENCY's recorded events.
    pub(crate) latency: crate::latency::LatencyMonitor,
    /// Client-side caching: the invalidation table and BCAST prefixes.
    pub(crate) tracking: crate::tracking::Tracking,
    /// A script running past `busy-reply-threshold`, and the host that
    /// serves other clients meanwhile (see [`crate::scripting::BusyHost`]).
    pub(crate) busy: crate::scripting::busy::Busy,
    /// The host's way to listen elsewhere (CONFIG SET bind, port).
    pub(crate) port_binder: Option<PortBinder>,
    /// The process's CPU time, when the host can tell (INFO cpu).
    pub(crate) cpu_clock: Option<fn() -> CpuTimes>,
    /// The cluster as this node sees it, when cluster mode is on.
    pub(crate) cluster: Option<crate::cluster::ClusterState>,
    /// MIGRATE's way out (the host) and its cached connections.
    pub(crate) migrate: crate::cluster::bus::MigrateSockets,
    /// Replication: our history, the backlog, our replicas or our master.
    pub(crate) repl: crate::replication::Replication,
}

/// CPU seconds used, as INFO cpu reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CpuTimes {
    pub user_s: f64,
    pub sys_s: f64,
}

/// Listens on the given addresses (CONFIG's `bind` list) and port instead
/// of the current ones, or says why not.
pub type PortBinder = Box<dyn FnMut(&str, u16) -> Result<(), String> + Send>;

impl Engine {
    /// An engine on the given clock, with a seeded random generator.
    pub fn new(clock: Clock, seed: u64, config: Config) -> Engine {
        let start_ms = clock.now_ms();
        let mut engine = Engine {
            keyspace: Keyspace::new(config.databases),
            clients: ClientRegistry::default(),
            server: crate::server_state::ServerState::new(config.databases, start_ms),
            clock,
            rng: Rng::new(seed),
            config,
            stats: Stats::default(),
            events: EventQueue::default(),
            pubsub: crate::pubsub::PubSub::default(),
            scripts: crate::scripting::ScriptCache::default(),
            acl: crate::acl::Acl::default(),
            client_pause: None,
            latency: crate::latency::LatencyMonitor::default(),
            tracking: crate::tracking::Tracking::default(),
            busy: Default::default(),
            port_binder: None,
            cpu_clock: None,
            cluster: None,
            migrate: Default::default(),
            repl: crate::replication::Replication::new(seed),
        };
        if engine.config.extra.get("cluster-enabled").is_some_and(|v| v == "yes") {
            engine.enable_cluster("127.0.0.1", 6379);
        }
        engine
    }

    /// Where INFO cpu reads the process's CPU time. Without one (the page)
    /// it reports the time spent running commands as user time.
    pub fn set_cpu_clock(&mut self, clock: fn() -> CpuTimes) {
        self.cpu_clock = Some(clock);
    }

    /// Lets CONFIG SET bind and port move the server: `bind` listens on the
    /// new addresses and port (and stops listening on the old ones) or
    /// fails, and CONFIG SET then changes nothing. Without one (the page)
    /// they are only recorded.
    pub fn set_port_binder(&mut self, bind: PortBinder) {
        self.port_binder = Some(bind);
    }

    /// Lets scripts run past `busy-reply-threshold` as in Redis, with `host`
    /// serving the other clients meanwhile (`-BUSY` but for SCRIPT KILL,
    /// FUNCTION KILL, SHUTDOWN NOSAVE and the few others Redis allows).
    /// Without a host a script is stopped at the threshold.
    pub fn set_busy_host(&mut self, host: Box<dyn crate::scripting::BusyHost>) {
        self.busy.host = Some(host);
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
        self.keyspace.dbs.get(index)
    }

    pub fn db_count(&self) -> usize {
        self.keyspace.dbs.len()
    }

    /// `used_memory` as INFO reports it (for the page's memory gauge).
    pub fn used_memory(&self) -> u64 {
        crate::memory::used_memory(&self.server.memory, &self.keyspace.dbs)
    }

    /// Recomputes the memory tallies from the whole dataset (after a
    /// load from disk, or a change of what integers cost).
    pub(crate) fn recount_memory(&mut self) {
        let shared = crate::memory::shared_ints(&self.config);
        crate::memory::recount(&mut self.server.memory, &self.keyspace.dbs, shared);
    }

    /// MEMORY USAGE's figure for a key, without touching access data or
    /// expiring it (for the key browser).
    pub fn memory_usage_of(&self, db: usize, key: &[u8]) -> Option<usize> {
        let entry = self.keyspace.dbs.get(db)?.get(key)?;
        (!entry.is_expired(self.now_ms())).then(|| crate::memory::usage_of(key, entry))
    }

    // ----- clients -------------------------------------------------------

    /// Registers a new client and returns its id.
    pub fn connect(&mut self, addr: impl Into<String>) -> ClientId {
        let id = self.clients.connect(addr.into(), self.clock.now_ms());
        self.stats.total_connections_received += 1;
        // Redis's createClient: authenticated at once when the default
        // user needs no password.
        let authenticated = !self.acl.auth_required_for_new();
        if let Some(c) = self.clients.get_mut(&id) {
            c.auth.authenticated = authenticated;
        }
        id
    }

    /// Forgets a client (its subscriptions, watches and blocking end).
    pub fn disconnect(&mut self, id: ClientId) {
        if let Some(mut client) = self.clients.remove(&id) {
            self.pubsub.forget_client(id);
            self.tracking.disable(&mut client);
        }
        self.forget_replica(id);
    }

    /// Records the local address a client connected to (CLIENT LIST `laddr`).
    pub fn set_client_local_addr(&mut self, id: ClientId, laddr: String) {
        if let Some(c) = self.clients.get_mut(&id) {
            c.laddr = laddr;
        }
    }

    /// How many bytes of client `id`'s requests the host holds, the running
    /// one included (CLIENT LIST `qbuf`): set when a batch of its requests
    /// starts and when it ends.
    pub fn set_client_query_buffer(&mut self, id: ClientId, bytes: usize) {
        if let Some(c) = self.clients.get_mut(&id) {
            c.query_buffer = bytes;
        }
    }

    /// Which `client-output-buffer-limit` class client `id` is in: 0
    /// normal, 1 replica, 2 pub/sub (subscribed to something).
    pub fn output_class(&self, id: ClientId) -> usize {
        let Some(c) = self.clients.get(&id) else { return 0 };
        if c.link == crate::client::LinkRole::Replica {
            1
        } else if !c.channels.is_empty() || !c.patterns.is_empty() || !c.shard_channels.is_empty() {
            2
        } else {
            0
        }
    }

    /// Milliseconds since the engine started (INFO uptime).
    pub fn uptime_ms(&self) -> i64 {
        self.now_ms() - self.server.started_ms
    }

    pub fn client(&self, id: ClientId) -> Option<&Client> {
        self.clients.get(&id)
    }

    pub fn clients(&self) -> impl Iterator<Item = &Client> {
        self.clients.values()
    }

    /// The protocol a client speaks (changed by HELLO).
    pub fn protocol_of(&self, id: ClientId) -> Protocol {
        self.clients.protocol_of(id)
    }

    /// Records a latency event if it reached `latency-monitor-threshold`
    /// (Redis's `latencyAddSampleIfNeeded`).
    pub(crate) fn note_latency(&mut self, event: &str, ms: u64) {
        let threshold = self.latency_threshold_ms();
        if threshold > 0 && ms >= threshold {
            let now_s = self.clock.now_ms().div_euclid(1000);
            self.latency.add_sample(event, ms, now_s);
        }
    }

    /// `latency-monitor-threshold` in milliseconds (0 = monitor off).
    pub(crate) fn latency_threshold_ms(&self) -> u64 {
        self.config.extra.get("latency-monitor-threshold").and_then(|v| v.parse().ok()).unwrap_or(0)
    }

    // ----- events --------------------------------------------------------

    pub(crate) fn push_event(&mut self, event: Event) {
        self.events.push(event);
    }

    /// Where pub/sub messages go: the subscriptions, the clients and the
    /// event queue, borrowed together.
    pub(crate) fn outbox(&mut self) -> crate::pubsub::Outbox<'_> {
        crate::pubsub::Outbox { subscriptions: &self.pubsub, events: &mut self.events }
    }

    /// Publishes a keyspace notification (`notify-keyspace-events` decides
    /// whether `class` is announced).
    pub(crate) fn notify_key(&mut self, db: usize, class: u32, event: &str, key: &[u8]) {
        let flags = self.config.notify_keyspace_events;
        crate::notify::notify(&mut self.outbox(), flags, db, class, event, key);
    }

    /// True if events wait to be drained.
    pub fn has_pending_events(&self) -> bool {
        !self.events.is_empty()
    }

    /// Takes all pending events, oldest first.
    pub fn drain_events(&mut self) -> Vec<Event> {
        self.events.drain()
    }

    /// Starts (or stops) recording which keys commands change.
    pub fn track_changes(&mut self, on: bool) {
        self.keyspace.track_changes(on);
    }

    /// Keys changed since the last call, as (db, key).
    pub fn take_changed_keys(&mut self) -> Vec<(usize, Vec<u8>)> {
        self.keyspace.take_changed()
    }

    /// Changes whenever the keyspace changed in a way the changed-key feed
    /// does not spell out key by key: a view built from that feed must be
    /// rebuilt when this differs from the value it was built at.
    pub fn keyspace_epoch(&self) -> u64 {
        self.keyspace.epoch()
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
        let now = self.clock.now_ms();
        self.migrate.close_idle(now);
        self.cluster_cron();
        self.replication_cron();
        crate::persist::cron(self);
    }

    /// Moves the clock forward (pausing real time is up to the caller) and
    /// lets everything due in that span happen: expired keys are reclaimed,
    /// blocked clients time out.
    pub fn advance_clock(&mut self, ms: i64) {
        self.clock.advance_ms(ms);
        self.reclaim_all_expired();
        self.expire_blocked_clients();
        self.replication_cron();
        crate::persist::cron(self);
        self.tracking_cron();
        let now = self.clock.now_ms();
        self.migrate.close_idle(now);
        self.cluster_cron();
    }

    pub fn pause_clock(&mut self) {
        self.clock.pause();
    }

    pub fn resume_clock(&mut self) {
        self.clock.resume();
    }
}
