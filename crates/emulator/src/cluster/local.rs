//! A cluster whose nodes are engines of one host (a page, a test): the
//! engines sit behind mutexes, bus messages go straight from one to the
//! other ([`LocalCluster::exchange`]) and MIGRATE reaches the other nodes
//! through [`LocalHost`], without a network. MIGRATE to an address no
//! node of the cluster has answers `IOERR error or timeout connecting to
//! the client`, as Redis does when it cannot connect.

use std::sync::{Arc, Mutex, Weak};

use super::bus::{ClusterHost, LinkError, MigrateLink};
use crate::reply::Reply;
use crate::{ClientId, Engine};

/// The slot ranges `redis-cli --cluster create` gives `masters` masters
/// (its single-precision cursor included): 0-5460, 5461-10922,
/// 10923-16383 for three.
pub fn create_split(masters: usize) -> Vec<(u16, u16)> {
    let masters = masters.clamp(1, super::SLOTS);
    let per_node = super::SLOTS as f32 / masters as f32;
    let (mut first, mut cursor) = (0i64, 0.0f32);
    let mut out = Vec::with_capacity(masters);
    for i in 0..masters {
        let mut last = (cursor + per_node - 1.0).round() as i64;
        if last > super::SLOTS as i64 || i == masters - 1 {
            last = super::SLOTS as i64 - 1;
        }
        last = last.max(first);
        out.push((first.min(16383) as u16, last.min(16383) as u16));
        first = last + 1;
        cursor += per_node;
    }
    out
}

/// The commands that make `masters` fresh nodes one cluster, as
/// `redis-cli --cluster create` does: for node `i`, its config epoch, its
/// slots, and (but for the first) a MEET of the first node.
pub fn create_commands(masters: usize, ip: &str, base_port: u16) -> Vec<Vec<String>> {
    create_split(masters)
        .into_iter()
        .enumerate()
        .map(|(i, (first, last))| {
            let mut lines =
                vec![format!("CLUSTER SET-CONFIG-EPOCH {}", i + 1), format!("CLUSTER ADDSLOTSRANGE {first} {last}")];
            if i > 0 {
                lines.push(format!("CLUSTER MEET {ip} {base_port}"));
            }
            lines
        })
        .collect()
}

/// The master (its index among the masters) of replica `j` (0-based,
/// in port order) in a cluster of `masters` masters with `per_master`
/// replicas each, as `redis-cli --cluster create --cluster-replicas`
/// plans it ("Adding replica … to …") for nodes on one host: the replica
/// list shifted by one, `per_master` to each master in turn. (redis-cli then
/// tries random swaps for anti-affinity, which on one host may shuffle
/// the plan; this layout is the plan itself.) With two replicas each on
/// ports 7300…: 7304 and 7305 follow 7300, 7306 and 7307 7301, 7308 and
/// 7303 7302.
pub fn replica_master(masters: usize, per_master: usize, j: usize) -> usize {
    let total = (masters * per_master).max(1);
    let shifted = (j + total - 1) % total;
    (shifted / per_master.max(1)).min(masters.saturating_sub(1))
}

/// What each replica of such a cluster runs after the masters: its config
/// epoch (numbered after the masters') and a MEET of the first node; then,
/// once everyone has met, `CLUSTER REPLICATE <master id>`.
pub fn replica_commands(masters: usize, per_master: usize, ip: &str, base_port: u16) -> Vec<Vec<String>> {
    (0..masters * per_master)
        .map(|j| {
            vec![format!("CLUSTER SET-CONFIG-EPOCH {}", masters + j + 1), format!("CLUSTER MEET {ip} {base_port}")]
        })
        .collect()
}

/// Runs `lines` (a cluster's setup commands) on `engine` from a client of
/// its own named `client`; the first error stops them and is returned.
pub fn run_setup(engine: &mut Engine, client: &str, lines: &[String]) -> Result<(), String> {
    let me = engine.connect(client);
    let outcome = lines.iter().try_for_each(|line| match engine.execute_line(me, line) {
        Err(e) => Err(format!("{line}: {e:?}")),
        Ok(reply) => reply.error_text().map_or(Ok(()), |error| Err(format!("{line}: {error}"))),
    });
    engine.disconnect(me);
    outcome
}

/// N engines forming one cluster, on ports `base_port`… of `ip`.
pub struct LocalCluster {
    pub nodes: Vec<(u16, Arc<Mutex<Engine>>)>,
}

fn lock(engine: &Mutex<Engine>) -> std::sync::MutexGuard<'_, Engine> {
    engine.lock().unwrap_or_else(|p| p.into_inner())
}

impl LocalCluster {
    /// Makes `masters` nodes from `make` (called with each node's index),
    /// splits the slots among them and introduces them to each other.
    pub fn create(
        masters: usize,
        ip: &str,
        base_port: u16,
        mut make: impl FnMut(usize) -> Engine,
    ) -> Result<LocalCluster, String> {
        let commands = create_commands(masters, ip, base_port);
        let mut nodes = Vec::with_capacity(commands.len());
        for (i, lines) in commands.iter().enumerate() {
            let port = base_port.wrapping_add(i as u16);
            let mut engine = make(i);
            engine.enable_cluster(ip, port);
            run_setup(&mut engine, "startup:0", lines)?;
            nodes.push((port, Arc::new(Mutex::new(engine))));
        }
        let cluster = LocalCluster { nodes };
        for (_, node) in &cluster.nodes {
            lock(node).set_cluster_host(Box::new(cluster.host(ip)));
        }
        cluster.exchange();
        Ok(cluster)
    }

    /// What MIGRATE uses to reach this cluster's nodes.
    pub fn host(&self, ip: &str) -> LocalHost {
        LocalHost { ip: ip.to_string(), nodes: self.nodes.iter().map(|(p, e)| (*p, Arc::downgrade(e))).collect() }
    }

    /// Carries bus messages until every node has said what it had to say;
    /// holds one engine at a time. Returns how many were delivered.
    pub fn exchange(&self) -> usize {
        let mut delivered = 0;
        for _ in 0..64 {
            let pending: Vec<_> = self.nodes.iter().flat_map(|(_, e)| lock(e).take_bus_messages()).collect();
            if pending.is_empty() {
                break;
            }
            for message in pending {
                if let Some((_, node)) = self.nodes.iter().find(|(port, _)| *port == message.port) {
                    lock(node).receive_bus_message(&message);
                    delivered += 1;
                }
            }
        }
        delivered
    }
}

/// MIGRATE's way to the nodes of a [`LocalCluster`].
pub struct LocalHost {
    ip: String,
    nodes: Vec<(u16, Weak<Mutex<Engine>>)>,
}

impl ClusterHost for LocalHost {
    fn connect(&mut self, ip: &str, port: u16, _timeout_ms: u64) -> Option<Box<dyn MigrateLink>> {
        let target = (ip == self.ip || ip == "localhost")
            .then(|| self.nodes.iter().find(|(p, _)| *p == port))
            .flatten()
            .and_then(|(_, e)| e.upgrade());
        // No such node here, and no network: MIGRATE cannot connect.
        Some(Box::new(LocalLink::new(Arc::downgrade(&target?), format!("{ip}:{port}"))))
    }
}

/// A connection to a node of the same host (its client is made on first use).
pub(crate) struct LocalLink {
    engine: Weak<Mutex<Engine>>,
    client: Option<ClientId>,
    name: String,
}

impl LocalLink {
    /// A link to `engine`, whose client will have the address `name`.
    pub(crate) fn new(engine: Weak<Mutex<Engine>>, name: String) -> LocalLink {
        LocalLink { engine, client: None, name }
    }
}

impl MigrateLink for LocalLink {
    fn call(&mut self, commands: &[Vec<Vec<u8>>], _timeout_ms: u64) -> Result<Vec<Reply>, LinkError> {
        let engine = self.engine.upgrade().ok_or(LinkError::Write)?;
        // A node migrating to itself would wait for itself: a timeout, as in Redis.
        let mut engine = engine.try_lock().map_err(|_| LinkError::Timeout)?;
        let client = *self.client.get_or_insert_with(|| engine.connect(self.name.clone()));
        Ok(commands.iter().map(|c| engine.execute(client, c.clone())).collect())
    }
}

impl Drop for LocalLink {
    fn drop(&mut self) {
        if let (Some(engine), Some(client)) = (self.engine.upgrade(), self.client) {
            if let Ok(mut engine) = engine.try_lock() {
                engine.disconnect(client);
            }
        }
    }
}
