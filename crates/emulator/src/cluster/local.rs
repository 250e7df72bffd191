//! Cluster nodes hosted together (a page's topology, the native server's
//! `--cluster N`): the setup `redis-cli --cluster create` performs, and
//! [`LocalLink`], MIGRATE's connection to an engine of the same host,
//! without a network.

use std::sync::{Mutex, Weak};

use super::bus::{LinkError, MigrateLink};
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
