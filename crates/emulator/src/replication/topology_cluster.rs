//! The cluster side of a [`Topology`]: nodes made cluster nodes and
//! joined as `redis-cli --cluster create` joins them, the bus messages
//! carried between running nodes after their links' delays, and MIGRATE
//! reaching the other nodes of the topology ([`TopologyHost`]).

use std::sync::{Arc, Mutex, Weak};

use super::topology::{lock, InFlight, Topology};
use crate::cluster::bus::{ClusterHost, MigrateLink};
use crate::cluster::local::{create_commands, replica_commands, replica_master, LocalLink};
use crate::engine::Engine;
use crate::replication::link::LinkState;

/// How long [`Topology::create_cluster`] waits for the nodes to agree.
const CONVERGE_MS: i64 = 60_000;

/// A node as MIGRATE sees it: where it listens, its engine, and whether
/// a connection to it can be made (running, links not cut).
pub(super) struct HostEntry {
    port: u16,
    engine: Weak<Mutex<Engine>>,
    reachable: bool,
}

/// MIGRATE's way from node `me` to the other nodes of a [`Topology`]: a
/// node stopped or cut off (either end) cannot be connected to.
pub struct TopologyHost {
    me: usize,
    registry: Arc<Mutex<Vec<HostEntry>>>,
}

impl ClusterHost for TopologyHost {
    fn connect(&mut self, ip: &str, port: u16, _timeout_ms: u64) -> Option<Box<dyn MigrateLink>> {
        if !matches!(ip, "127.0.0.1" | "localhost") {
            return None;
        }
        let registry = self.registry.lock().unwrap_or_else(|p| p.into_inner());
        if !registry.get(self.me).is_some_and(|e| e.reachable) {
            return None;
        }
        let target = registry.iter().find(|e| e.port == port && e.reachable)?;
        Some(Box::new(LocalLink::new(target.engine.clone(), format!("{ip}:{port}"))))
    }
}

impl Topology {
    pub(super) fn register(&mut self, port: u16, engine: &Arc<Mutex<Engine>>) {
        let mut registry = self.registry.lock().unwrap_or_else(|p| p.into_inner());
        registry.push(HostEntry { port, engine: Arc::downgrade(engine), reachable: true });
    }

    /// Copies the nodes' running and cut flags to what MIGRATE sees.
    pub(super) fn refresh_registry(&mut self) {
        let mut registry = self.registry.lock().unwrap_or_else(|p| p.into_inner());
        for (entry, node) in registry.iter_mut().zip(&self.nodes) {
            entry.reachable = node.running && !node.cut;
        }
    }

    /// What node `i` uses for MIGRATE.
    pub(super) fn host(&self, i: usize) -> TopologyHost {
        TopologyHost { me: i, registry: Arc::clone(&self.registry) }
    }

    /// Makes node `i` a cluster node (`cluster-enabled yes`) announcing
    /// itself at `127.0.0.1:<port>`, its MIGRATE going to the other nodes.
    pub fn enable_cluster(&mut self, i: usize) {
        let Some(node) = self.nodes.get(i) else { return };
        let host = self.host(i);
        let mut engine = lock(&node.engine);
        engine.enable_cluster("127.0.0.1", node.port);
        engine.set_cluster_host(Box::new(host));
    }

    /// Adds `masters` cluster nodes on `base_port`… and
    /// `replicas_per_master` replicas for each on the ports after them,
    /// splits the slots among the masters as `redis-cli --cluster create`
    /// does, introduces everyone and carries messages until every node
    /// says `cluster_state:ok`. Returns the new nodes' indexes, masters first.
    pub fn create_cluster(
        &mut self,
        masters: usize,
        replicas_per_master: usize,
        base_port: u16,
    ) -> Result<Vec<usize>, String> {
        if masters == 0 || masters > crate::cluster::SLOTS {
            return Err("ERR Invalid number of masters".into());
        }
        let total = replicas_per_master.checked_add(1).and_then(|n| n.checked_mul(masters)).unwrap_or(usize::MAX);
        if total > u16::MAX as usize + 1 - base_port as usize {
            return Err("ERR Invalid port range".into());
        }
        for offset in 0..total {
            let port = base_port + offset as u16;
            if self.find(port).is_some() {
                return Err(format!("ERR Port {port} is already in use"));
            }
        }
        let mut made = Vec::with_capacity(total);
        for offset in 0..total {
            let i = self.add_node(base_port + offset as u16);
            self.enable_cluster(i);
            made.push(i);
        }
        let mut commands = create_commands(masters, "127.0.0.1", base_port);
        commands.extend(replica_commands(masters, replicas_per_master, "127.0.0.1", base_port));
        for (lines, &i) in commands.iter().zip(&made) {
            self.run_setup(i, lines)?;
        }
        self.pump();
        let ids: Vec<String> = made[..masters]
            .iter()
            .map(|&i| self.lock(i).cluster_state().map(|s| s.myself().id.clone()).unwrap_or_default())
            .collect();
        let started = self.now_ms;
        let everyone_met =
            |t: &Topology| made.iter().all(|&i| t.lock(i).cluster_state().is_some_and(|s| s.nodes().len() >= total));
        while !everyone_met(self) {
            if self.now_ms - started > CONVERGE_MS {
                return Err("ERR the nodes did not meet".into());
            }
            self.advance(10);
        }
        for j in 0..masters * replicas_per_master {
            let master = &ids[replica_master(masters, replicas_per_master, j)];
            self.run_setup(made[masters + j], &[format!("CLUSTER REPLICATE {master}")])?;
        }
        self.pump();
        let converged = |t: &Topology| {
            made.iter().enumerate().all(|(k, &i)| {
                let engine = t.lock(i);
                let ok = engine.cluster_state().is_some_and(|s| s.is_ok() && s.nodes().len() >= total);
                ok && (k < masters || engine.master_link_state() == Some(LinkState::Connected))
            })
        };
        while !converged(self) {
            if self.now_ms - started > CONVERGE_MS {
                return Err("ERR the cluster did not converge".into());
            }
            self.advance(10);
        }
        Ok(made)
    }

    /// Runs setup commands on node `i` from a client of its own.
    fn run_setup(&mut self, i: usize, lines: &[String]) -> Result<(), String> {
        crate::cluster::local::run_setup(&mut self.lock(i), "127.0.0.1:0", lines)
    }

    /// Moves the bus messages: new ones leave running nodes whose links
    /// are not cut, and those due reach their node if it is running and
    /// not cut off. A message takes the sender's delay plus the
    /// receiver's. Messages to or from an unreachable node are lost.
    pub(super) fn carry_bus(&mut self) -> bool {
        let now = self.now_ms;
        let mut moved = false;
        for from in 0..self.nodes.len() {
            if !self.nodes[from].running {
                continue;
            }
            let messages = self.lock(from).take_bus_messages();
            for message in messages {
                moved = true;
                let local = matches!(message.ip.as_str(), "127.0.0.1" | "localhost");
                let Some(to) = self.find(message.port).filter(|_| local) else { continue };
                if self.nodes[from].cut || self.nodes[to].cut || !self.nodes[to].running {
                    continue;
                }
                let due = now.saturating_add(self.nodes[from].delay_ms).saturating_add(self.nodes[to].delay_ms);
                self.bus.push_back(InFlight { due, from, to, message });
            }
        }
        let mut waiting = std::collections::VecDeque::new();
        while let Some(flight) = self.bus.pop_front() {
            if flight.due > now {
                waiting.push_back(flight);
                continue;
            }
            moved = true;
            let (from, to) = (&self.nodes[flight.from], &self.nodes[flight.to]);
            if to.running && !to.cut && !from.cut {
                lock(&to.engine).receive_bus_message(&flight.message);
            }
        }
        self.bus = waiting;
        moved
    }
}
