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
    /// announcement to every node it knows when its view changed, and a
    /// greeting for each CLUSTER MEET.
    pub fn take_bus_messages(&mut self) -> Vec<BusMessage> {
        let Some(state) = self.cluster.as_mut() else { return Vec::new() };
        let meets = std::mem::take(&mut state.meet_queue);
        if !state.dirty && meets.is_empty() {
            return Vec::new();
        }
        state.dirty = false;
        let announcement = state.announcement();
        let mut out: Vec<BusMessage> = announcement
            .known
            .iter()
            .map(|n| BusMessage {
                ip: n.ip.clone(),
                port: n.port,
                kind: MessageKind::Ping,
                announcement: announcement.clone(),
            })
            .collect();
        state.stats.ping_sent += out.len() as u64;
        state.stats.meet_sent += meets.len() as u64;
        for (ip, port) in meets {
            out.push(BusMessage { ip, port, kind: MessageKind::Meet, announcement: announcement.clone() });
        }
        out
    }

    /// Applies a message another node sent to this one. A node it did not
    /// know yet (a MEET) makes this node announce itself in turn.
    pub fn receive_bus_message(&mut self, message: &BusMessage) {
        let now = self.clock.now_ms();
        let Some(state) = self.cluster.as_mut() else { return };
        match message.kind {
            MessageKind::Meet => state.stats.meet_received += 1,
            MessageKind::Ping => state.stats.ping_received += 1,
            MessageKind::Pong => state.stats.pong_received += 1,
        }
        state.receive(&message.announcement, now);
        self.cluster_update_state();
    }

    fn route_settings(&self) -> RouteSettings {
        let yes = |name: &str, default: bool| self.config.extra.get(name).map_or(default, |v| v == "yes");
        RouteSettings { allow_reads_when_down: yes("cluster-allow-reads-when-down", false) }
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
    pub(crate) fn cluster_redirect(&self, client: &Client, spec: &CommandSpec, argv: &[Vec<u8>]) -> Option<Redirect> {
        let state = self.cluster.as_ref()?;
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
        state.route(&routed, exists, client.asking, write, self.route_settings()).err()
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
