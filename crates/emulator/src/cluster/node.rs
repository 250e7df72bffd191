//! The engine as a cluster node: turning cluster mode on, the bus
//! messages in and out, and the redirection check dispatch, EXEC and
//! scripts make for keyed commands (it reads the command table's key
//! specifications, never command names).

use super::bus::{BusMessage, ClusterHost, MessageKind};
use super::{ClusterState, Redirect, RouteSettings, RoutedCommand};
use crate::client::Client;
use crate::command::{flags, CommandSpec, KeySpec};
use crate::commands;
use crate::engine::Engine;

impl Engine {
    /// Makes this engine a cluster node announcing itself at `ip:port`
    /// (`cluster-enabled yes`), alone and serving no slot, with a new
    /// random id. Called again, it only changes the address.
    pub fn enable_cluster(&mut self, ip: &str, port: u16) {
        self.config.extra.insert("cluster-enabled", "yes".into());
        let now = self.clock.now_ms();
        match self.cluster.as_mut() {
            Some(state) => {
                let me = state.myself_mut();
                me.ip = ip.to_string();
                me.port = port;
                me.cport = port.wrapping_add(10000);
            }
            None => {
                let id: String =
                    (0..40).map(|_| char::from_digit(self.rng.below(16) as u32, 16).unwrap_or('0')).collect();
                self.cluster = Some(ClusterState::new(id, ip, port, now));
            }
        }
        self.cluster_update_state();
    }

    /// The cluster as this node sees it (`None` without cluster support).
    pub fn cluster_state(&self) -> Option<&ClusterState> {
        self.cluster.as_ref()
    }

    /// For hosts that set a topology up directly (slots, epochs, nodes).
    pub fn cluster_state_mut(&mut self) -> Option<&mut ClusterState> {
        self.cluster.as_mut()
    }

    /// Installs what MIGRATE uses to reach other servers.
    pub fn set_cluster_host(&mut self, host: Box<dyn ClusterHost + Send>) {
        self.migrate.host = Some(host);
    }

    /// What this node has to tell other nodes since it was last asked: its
    /// announcement to every node it knows when its view changed (a PING
    /// each), a greeting for each CLUSTER MEET, and the messages for one
    /// node its cron and the messages it received produced (PINGs, PONGs,
    /// votes, failure news).
    pub fn take_bus_messages(&mut self) -> Vec<BusMessage> {
        let offset = self.master_repl_offset();
        let now = self.clock.now_ms();
        let Some(state) = self.cluster.as_mut() else { return Vec::new() };
        let meets = std::mem::take(&mut state.meet_queue);
        let mut outbox = std::mem::take(&mut state.outbox);
        if !state.dirty && meets.is_empty() && outbox.is_empty() {
            return Vec::new();
        }
        if std::mem::take(&mut state.dirty) {
            for i in 0..state.nodes().len() {
                if !state.is_myself(&state.nodes()[i])
                    && !outbox.iter().any(|(_, p, k)| *p == state.nodes()[i].port && *k == MessageKind::Ping)
                {
                    state.ping(i, now);
                }
            }
            outbox.append(&mut state.outbox);
        }
        state.myself_mut().repl_offset = offset;
        let announcement = state.announcement();
        let mut out = Vec::with_capacity(meets.len() + outbox.len());
        for (ip, port) in meets {
            if !state.handshakes.contains(&(ip.clone(), port)) {
                // Greetings nobody answers are forgotten, oldest first.
                if state.handshakes.len() >= 64 {
                    state.handshakes.remove(0);
                }
                state.handshakes.push((ip.clone(), port));
            }
            out.push(BusMessage { ip, port, kind: MessageKind::Meet, announcement: announcement.clone() });
        }
        for (ip, port, kind) in outbox {
            out.push(BusMessage { ip, port, kind, announcement: announcement.clone() });
        }
        for message in &out {
            state.stats.count_sent(&message.kind);
        }
        out
    }

    /// Applies a message another node sent to this one, then lets the
    /// table's verdict act: a replica follows its master, a master in a
    /// manual failover pauses its writers, an election may go on.
    pub fn receive_bus_message(&mut self, message: &BusMessage) {
        let now = self.clock.now_ms();
        let settings = self.failure_settings();
        let Some(state) = self.cluster.as_mut() else { return };
        state.stats.count_received(&message.kind);
        state.receive(&message.kind, &message.announcement, now, settings.timeout_ms);
        state.check_manual(settings.offset);
        state.handle_replica_failover(now, settings);
        self.cluster_follow_table();
    }

    /// Redis's cluster cron (every 100 ms of the engine's clock): PINGs,
    /// failure detection, manual failover deadlines, elections.
    ///
    /// (The check is inlined; the cron itself stays out of the page's first
    /// download, where cluster mode is off.)
    #[inline(always)]
    pub(crate) fn cluster_cron(&mut self) {
        if self.cluster.is_some() {
            self.run_cluster_cron();
        }
    }

    #[inline(never)]
    fn run_cluster_cron(&mut self) {
        let now = self.clock.now_ms();
        let settings = self.failure_settings();
        let Some(state) = self.cluster.as_mut() else { return };
        state.cron(now, settings);
        self.cluster_follow_table();
    }

    fn failure_settings(&self) -> super::failure::Settings {
        let yes = |name: &str| self.config.extra.get(name).is_some_and(|v| v == "yes");
        let int = |name: &str, default: i64| crate::replication::config_int(&self.config, name, default);
        let now = self.clock.now_ms();
        let data_age_ms = match self.repl.master.as_ref() {
            Some(m) if m.state == crate::replication::link::LinkState::Connected => m.last_io_ms.map_or(0, |t| now - t),
            Some(m) => m.down_since_ms.map_or(0, |t| now - t),
            None => 0,
        };
        super::failure::Settings {
            timeout_ms: int("cluster-node-timeout", 15000),
            offset: self.master_repl_offset(),
            no_failover: yes("cluster-replica-no-failover"),
            data_age_ms,
            validity_factor: int("cluster-replica-validity-factor", 10),
            ping_period_ms: int("repl-ping-replica-period", 10).saturating_mul(1000),
            allow_migration: self.config.extra.get("cluster-allow-replica-migration").is_none_or(|v| v != "no"),
            migration_barrier: int("cluster-migration-barrier", 1),
            jitter_ms: self.cluster.as_ref().map_or(0, |c| election_jitter(&c.myself().id, now)),
        }
    }

    /// Makes replication match the node table (a replica of the master it
    /// names, or a master), pauses writers while this master hands over
    /// in a manual failover, and recomputes the cluster state.
    pub(crate) fn cluster_follow_table(&mut self) {
        let now = self.clock.now_ms();
        let Some(state) = self.cluster.as_mut() else { return };
        let target = state.my_master().map(|m| (m.ip.clone(), m.port));
        let handing_over = state.manual.end_ms != 0 && state.manual.replica.is_some();
        let pause_end = now + super::failure::MF_TIMEOUT_MS * 2;
        let mut paused_until = state.paused_until;
        if handing_over && paused_until == 0 {
            if self.client_pause.is_none() {
                self.client_pause = Some(crate::client::ClientPause { end_ms: pause_end, all: false });
                paused_until = pause_end;
            }
        } else if !handing_over && paused_until != 0 {
            if self.client_pause.is_some_and(|p| p.end_ms == paused_until) {
                self.client_pause = None;
            }
            paused_until = 0;
        }
        if let Some(state) = self.cluster.as_mut() {
            state.paused_until = paused_until;
        }
        let following = self.repl.master.as_ref().map(|m| (m.host.clone(), m.port));
        match target {
            Some((ip, port)) if following.as_ref() != Some(&(ip.clone(), port)) => self.become_replica_of(ip, port),
            None if following.is_some() => self.become_master(),
            _ => {}
        }
        self.cluster_update_state();
    }

    fn route_settings(&self, client: &Client) -> RouteSettings {
        let yes = |name: &str, default: bool| self.config.extra.get(name).map_or(default, |v| v == "yes");
        RouteSettings { allow_reads_when_down: yes("cluster-allow-reads-when-down", false), readonly: client.readonly }
    }

    /// Recomputes `cluster_state` (Redis does it after slot table changes,
    /// before the next command, and on its cron).
    pub(crate) fn cluster_update_state(&mut self) {
        let full = self.config.extra.get("cluster-require-full-coverage").is_none_or(|v| v == "yes");
        if let Some(state) = self.cluster.as_mut() {
            state.update_state(full);
        }
    }

    /// Redis's redirection check in `processCommand`: `None` when this node
    /// serves the command (or cluster mode is off, or the command names no
    /// keys), else the MOVED / ASK / CROSSSLOT / TRYAGAIN / CLUSTERDOWN
    /// answer. EXEC is checked with every command of its queue.
    #[inline(always)]
    pub(crate) fn cluster_redirect(&self, client: &Client, spec: &CommandSpec, argv: &[Vec<u8>]) -> Option<Redirect> {
        self.cluster.as_ref()?;
        self.route_in_cluster(client, spec, argv)
    }

    #[inline(never)]
    fn route_in_cluster(&self, client: &Client, spec: &CommandSpec, argv: &[Vec<u8>]) -> Option<Redirect> {
        let state = self.cluster.as_ref()?;
        // The replication stream from our master is never redirected.
        if self.repl.is_master_client(Some(client.id)) {
            return None;
        }
        let exec = spec.has(flags::RUNS_QUEUE);
        if !exec && !names_keys(spec) {
            return None;
        }
        let mut routed = Vec::new();
        let mut write = false;
        if exec {
            for queued in client.multi.as_ref().map(|m| m.queue.as_slice()).unwrap_or(&[]) {
                if let commands::Lookup::Found(s) = commands::lookup(&queued.argv) {
                    write |= s.has(flags::WRITE);
                    routed.push(routed_command(s, &queued.argv));
                }
            }
        } else {
            write = spec.has(flags::WRITE);
            routed.push(routed_command(spec, argv));
        }
        let now = self.clock.now_ms();
        let db = &self.keyspace.dbs[0];
        let exists = |key: &[u8]| db.get(key).is_some_and(|e| !e.is_expired(now));
        state.route(&routed, exists, client.asking, write, self.route_settings(client)).err()
    }

    /// The check for a command a script calls: the script's error text
    /// when the command cannot run on this node.
    pub(crate) fn cluster_script_check(&self, client: &Client, spec: &CommandSpec, argv: &[Vec<u8>]) -> Option<String> {
        let redirect = self.cluster_redirect(client, spec, argv)?;
        Some(
            match redirect {
                Redirect::DownReadOnly => {
                    "ERR Script attempted to execute a write command while the cluster is down and readonly"
                }
                Redirect::Down => "ERR Script attempted to execute a command while the cluster is down",
                _ => "ERR Script attempted to access a non local key in a cluster node",
            }
            .to_string(),
        )
    }
}

/// The random part (0..500 ms) of an election's delay, drawn from the
/// node's id and the time rather than the engine's RNG, which commands use.
fn election_jitter(id: &str, now_ms: i64) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes().chain(now_ms.to_le_bytes()) {
        h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
    }
    (h % 500) as i64
}

/// Whether a command takes keys at all (Redis skips the check for
/// commands with neither key specs nor movable keys).
fn names_keys(spec: &CommandSpec) -> bool {
    spec.keys != KeySpec::NONE || spec.key_num.is_some() || !spec.key_specs.is_empty() || spec.get_keys.is_some()
}

fn routed_command<'a>(spec: &CommandSpec, argv: &'a [Vec<u8>]) -> RoutedCommand<'a> {
    RoutedCommand {
        keys: spec.key_args(argv),
        is_migrate: spec.has(flags::MIGRATES_KEYS),
        asking_flag: spec.has(flags::ASKING),
    }
}
