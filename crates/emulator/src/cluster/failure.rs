//! Failure detection and failover, as Redis Cluster 7.0 does them, on the
//! engine's clock: a node that leaves a PING unanswered (and sends
//! nothing) for `cluster-node-timeout` is flagged PFAIL; masters tell each
//! other in their gossip, and once a majority of the masters serving
//! slots reported it, it is FAIL and everyone hears so. A replica of a
//! failed master then asks the masters for their votes (one per epoch),
//! the one with the best replication offset first, and with a majority
//! takes its master's slots under a new config epoch; the others follow
//! it when they hear its claim. CLUSTER FAILOVER starts the same election
//! by hand (after the master paused its writes and the replica caught
//! up), FORCE without waiting for the master, TAKEOVER without votes.
//!
//! Nothing here does I/O: messages leave through the node's outbox, and
//! the engine turns the role this table gives it into replication.

use super::bus::{Announcement, MessageKind};
use super::{ClusterNode, ClusterState};

/// How long a manual failover may take (Redis's `CLUSTER_MF_TIMEOUT`).
pub const MF_TIMEOUT_MS: i64 = 5000;

/// A replica's election (Redis's `failover_auth_*`).
#[derive(Debug, Clone, Default)]
pub struct Election {
    /// When the vote is (or was) asked for (ms; 0: never).
    pub time_ms: i64,
    pub sent: bool,
    pub votes: usize,
    pub epoch: u64,
    pub rank: usize,
}

/// A manual failover in progress (Redis's `mf_*`).
#[derive(Debug, Clone)]
pub struct Manual {
    /// When it gives up (ms; 0: none in progress).
    pub end_ms: i64,
    /// On the master: the replica taking over.
    pub replica: Option<String>,
    /// On the replica: the offset the paused master announced (-1: not yet).
    pub master_offset: i64,
    /// On the replica: caught up (or FORCE), the election may start.
    pub can_start: bool,
}

impl Default for Manual {
    fn default() -> Manual {
        Manual { end_ms: 0, replica: None, master_offset: -1, can_start: false }
    }
}

/// What the cron and the messages ask of the engine around the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Settings {
    pub timeout_ms: i64,
    /// The node's own replication offset (a replica: what it processed).
    pub offset: i64,
    /// `cluster-replica-no-failover`.
    pub no_failover: bool,
    /// How old a replica's data is: since the last byte from its master
    /// while linked, since the link went down otherwise (ms).
    pub data_age_ms: i64,
    /// `cluster-replica-validity-factor` (0: any age may fail over).
    pub validity_factor: i64,
    /// `repl-ping-replica-period`, in ms.
    pub ping_period_ms: i64,
    /// `cluster-allow-replica-migration`.
    pub allow_migration: bool,
    /// `cluster-migration-barrier`: replicas a master keeps before one may leave.
    pub migration_barrier: i64,
    /// A random number in 0..500 for the election's delay.
    pub jitter_ms: i64,
}

impl ClusterState {
    fn send(&mut self, index: usize, kind: MessageKind) {
        let node = &self.nodes[index];
        self.outbox.push((node.ip.clone(), node.port, kind));
    }

    /// The table as a restarted node reads it back from nodes.conf: the
    /// nodes, roles, slots, epochs and FAIL flags stay; links, PINGs,
    /// PFAIL, reports and any failover in progress start afresh.
    pub fn reloaded(mut self, now_ms: i64) -> ClusterState {
        for n in self.nodes.iter_mut() {
            n.ping_sent_ms = 0;
            n.pong_ms = now_ms;
            n.data_ms = now_ms;
            n.link_ms = now_ms;
            n.pfail = false;
            n.link_down = false;
            n.reports.clear();
        }
        self.election = Election::default();
        self.manual = Manual::default();
        self.outbox.clear();
        self.meet_queue.clear();
        self.handshakes.clear();
        self.paused_until = 0;
        self.cron_ms = now_ms;
        self.dirty = true;
        self
    }

    /// Sends a PING to node `index`, noting when (Redis's `clusterSendPing`).
    pub(crate) fn ping(&mut self, index: usize, now_ms: i64) {
        if self.nodes[index].ping_sent_ms == 0 {
            self.nodes[index].ping_sent_ms = now_ms;
        }
        let (ip, port) = (self.nodes[index].ip.clone(), self.nodes[index].port);
        self.outbox.push((ip, port, MessageKind::Ping));
    }

    fn broadcast(&mut self, kind: MessageKind) {
        for i in 0..self.nodes.len() {
            if i != self.myself {
                self.send(i, kind.clone());
            }
        }
    }

    /// A PONG: the node is reachable; PFAIL goes, FAIL too when it serves
    /// no slot or was failing long enough (Redis's `clearNodeFailureIfNeeded`).
    pub(super) fn pong_from(&mut self, index: usize, now_ms: i64, timeout_ms: i64) {
        let serves = self.slots.iter().any(|&o| o as usize == index);
        let node = &mut self.nodes[index];
        node.pong_ms = now_ms;
        node.ping_sent_ms = 0;
        node.pfail = false;
        if node.fail && (node.master.is_some() || !serves || now_ms - node.fail_ms > timeout_ms.saturating_mul(2)) {
            node.fail = false;
            self.dirty = true;
        }
    }

    /// The gossip section: what a master says about the others' health.
    pub(super) fn gossip(&mut self, sender: usize, known: &[ClusterNode], now_ms: i64, timeout_ms: i64) {
        let sender_id = self.nodes[sender].id.clone();
        let from_master = self.nodes[sender].master.is_none();
        for g in known {
            self.learn(g, now_ms);
            if g.id == self.myself().id || !from_master {
                continue;
            }
            let Some(i) = self.index_of(&g.id) else { continue };
            let reports = &mut self.nodes[i].reports;
            if g.pfail || g.fail {
                match reports.iter_mut().find(|(by, _)| *by == sender_id) {
                    Some(r) => r.1 = now_ms,
                    None => reports.push((sender_id.clone(), now_ms)),
                }
                self.mark_failing_if_needed(i, now_ms, timeout_ms);
            } else {
                reports.retain(|(by, _)| *by != sender_id);
            }
        }
    }

    /// Reports about node `index` still valid (twice the node timeout),
    /// from nodes that are masters.
    pub fn failure_reports(&mut self, index: usize, now_ms: i64, timeout_ms: i64) -> usize {
        let masters: Vec<String> = self.nodes.iter().filter(|n| n.master.is_none()).map(|n| n.id.clone()).collect();
        let reports = &mut self.nodes[index].reports;
        reports.retain(|(_, at)| now_ms - at <= timeout_ms.saturating_mul(2));
        reports.iter().filter(|(by, _)| masters.contains(by)).count()
    }

    /// Masters needed for a decision: a majority of those serving slots.
    pub fn quorum(&self) -> usize {
        self.size() / 2 + 1
    }

    /// PFAIL becomes FAIL when enough masters agree (this one included
    /// when it is a master); everyone is told.
    fn mark_failing_if_needed(&mut self, index: usize, now_ms: i64, timeout_ms: i64) {
        let node = &self.nodes[index];
        if !node.pfail || node.fail {
            return;
        }
        let mut failures = self.failure_reports(index, now_ms, timeout_ms);
        if self.myself().master.is_none() {
            failures += 1;
        }
        if failures < self.quorum() {
            return;
        }
        let node = &mut self.nodes[index];
        node.pfail = false;
        node.fail = true;
        node.fail_ms = now_ms;
        let id = node.id.clone();
        self.broadcast(MessageKind::Fail(id));
    }

    /// Acts on what a message is beyond its announcement.
    pub(super) fn act_on(
        &mut self,
        kind: &MessageKind,
        sender: usize,
        message: &Announcement,
        now_ms: i64,
        timeout_ms: i64,
    ) {
        match kind {
            MessageKind::Ping | MessageKind::Meet => self.send(sender, MessageKind::Pong),
            MessageKind::Fail(id) => {
                if let Some(i) = self.index_of(id).filter(|&i| i != self.myself) {
                    let node = &mut self.nodes[i];
                    if !node.fail {
                        node.fail = true;
                        node.pfail = false;
                        node.fail_ms = now_ms;
                        self.dirty = true;
                    }
                }
            }
            MessageKind::AuthRequest { force } => self.maybe_vote(sender, message, *force, now_ms, timeout_ms),
            MessageKind::AuthAck => {
                let serves = self.slots.iter().any(|&o| o as usize == sender);
                if self.nodes[sender].master.is_none() && serves && message.current_epoch >= self.election.epoch {
                    self.election.votes += 1;
                }
            }
            MessageKind::MfStart => {
                let mine = self.nodes[sender].master.as_deref() == Some(self.myself().id.as_str());
                if self.myself().master.is_none() && mine {
                    self.manual = Manual {
                        end_ms: now_ms + MF_TIMEOUT_MS,
                        replica: Some(message.sender.id.clone()),
                        ..Manual::default()
                    };
                    self.ping(sender, now_ms);
                }
            }
            MessageKind::Pong => {}
        }
        // The paused master's offset, which a manual failover waits for.
        let from_my_master = self.myself().master.as_deref() == Some(message.sender.id.as_str());
        if from_my_master && message.paused && self.manual.end_ms != 0 && self.manual.master_offset == -1 {
            self.manual.master_offset = message.sender.repl_offset;
        }
    }

    /// Redis's `clusterSendFailoverAuthIfNeeded`: a master with slots votes
    /// once per epoch, for a replica of a failing master (any master's
    /// replica when `force`), at most once per master in twice the node
    /// timeout, and only if no slot it claims has a newer owner.
    fn maybe_vote(&mut self, requester: usize, message: &Announcement, force: bool, now_ms: i64, timeout_ms: i64) {
        let me = self.myself().id.clone();
        if self.myself().master.is_some() || self.slots_of(&me).is_empty() {
            return;
        }
        if message.current_epoch < self.current_epoch || self.last_vote_epoch == self.current_epoch {
            return;
        }
        let Some(master) = self.nodes[requester].master.as_deref().and_then(|id| self.index_of(id)) else { return };
        if !self.nodes[master].fail && !force {
            return;
        }
        if self.nodes[master].voted_ms != 0 && now_ms - self.nodes[master].voted_ms < timeout_ms.saturating_mul(2) {
            return;
        }
        let epoch = message.sender.config_epoch;
        if message.slots.iter().any(|&s| self.owner(s).is_some_and(|o| o.config_epoch > epoch)) {
            return;
        }
        self.last_vote_epoch = self.current_epoch;
        self.nodes[master].voted_ms = now_ms;
        self.send(requester, MessageKind::AuthAck);
    }

    /// How many other replicas of our master have a better offset.
    fn rank(&self, offset: i64) -> usize {
        let Some(master) = self.myself().master.clone() else { return 0 };
        self.nodes
            .iter()
            .filter(|n| !self.is_myself(n) && n.master.as_deref() == Some(master.as_str()) && !n.fail)
            .filter(|n| n.repl_offset > offset)
            .count()
    }

    /// Redis's `clusterHandleSlaveFailover`: schedules the election
    /// (500-1000 ms after the failure, plus a second per better-placed
    /// replica; at once for a manual failover), asks for votes under a new
    /// epoch, and takes over with a majority. True when it took over.
    pub(crate) fn handle_replica_failover(&mut self, now_ms: i64, s: Settings) -> bool {
        let manual = self.manual.end_ms != 0 && self.manual.can_start;
        let Some(master) = self.myself().master.clone() else { return false };
        let Some(mi) = self.index_of(&master) else { return false };
        if (!manual && (!self.nodes[mi].fail || s.no_failover)) || self.slots_of(&master).is_empty() {
            return false;
        }
        // Data too old to be trusted (beyond the node timeout, the ping
        // period plus the validity factor's node timeouts): no election.
        let age = if s.data_age_ms > s.timeout_ms { s.data_age_ms - s.timeout_ms } else { s.data_age_ms };
        let limit = s.ping_period_ms.saturating_add(s.timeout_ms.saturating_mul(s.validity_factor));
        if s.validity_factor > 0 && age > limit && !manual {
            return false;
        }
        let auth_timeout = s.timeout_ms.saturating_mul(2).max(2000);
        let retry = auth_timeout.saturating_mul(2);
        if self.election.time_ms == 0 || now_ms - self.election.time_ms > retry {
            let rank = if manual { 0 } else { self.rank(s.offset) };
            let delay = if manual { 0 } else { 500 + s.jitter_ms + (rank as i64).saturating_mul(1000) };
            self.election = Election { time_ms: now_ms.saturating_add(delay), sent: false, votes: 0, epoch: 0, rank };
            if !manual {
                return false;
            }
        }
        if !self.election.sent && !manual {
            let rank = self.rank(s.offset);
            if rank > self.election.rank {
                self.election.time_ms =
                    self.election.time_ms.saturating_add(((rank - self.election.rank) as i64).saturating_mul(1000));
                self.election.rank = rank;
            }
        }
        if now_ms < self.election.time_ms || now_ms - self.election.time_ms > auth_timeout {
            return false;
        }
        if !self.election.sent {
            self.current_epoch += 1;
            self.election.epoch = self.current_epoch;
            self.election.sent = true;
            self.broadcast(MessageKind::AuthRequest { force: manual });
            return false;
        }
        if self.election.votes < self.quorum() {
            return false;
        }
        if self.myself().config_epoch < self.election.epoch {
            self.myself_mut().config_epoch = self.election.epoch;
        }
        self.replace_my_master();
        true
    }

    /// Redis's `clusterFailoverReplaceYourMaster`: this replica becomes a
    /// master serving its master's slots, and tells everyone.
    pub(crate) fn replace_my_master(&mut self) {
        let Some(master) = self.myself_mut().master.take() else { return };
        let me = self.myself().id.clone();
        for slot in self.slots_of(&master) {
            self.assign(slot, &me);
        }
        self.manual = Manual::default();
        self.dirty = true;
        self.broadcast(MessageKind::Pong);
    }

    /// Redis's `clusterSetMaster`: this node replicates `id` from now on
    /// (a master gives its slots and migrations up).
    pub(crate) fn set_master(&mut self, id: &str) {
        if self.myself().master.is_none() {
            let me = self.myself().id.clone();
            for slot in self.slots_of(&me) {
                self.unassign(slot);
            }
            self.migrating.clear();
            self.importing.clear();
        }
        self.myself_mut().master = Some(id.to_string());
        if let Some(m) = self.index_of(id) {
            self.nodes[m].had_replicas = true;
        }
        self.manual = Manual::default();
        self.dirty = true;
    }

    /// Replicas of master `index` not flagged as failing.
    fn working_replicas(&self, index: usize) -> usize {
        let id = &self.nodes[index].id;
        self.nodes.iter().filter(|n| n.master.as_deref() == Some(id.as_str()) && !n.fail).count()
    }

    /// Redis's replica migration (`clusterHandleSlaveMigration`): when a
    /// master serving slots has lost its last working replica, the replica
    /// with the smallest id among those of the masters with the most
    /// replicas — if its master keeps more than `cluster-migration-barrier`
    /// — moves to the orphan after 5 s. True when this node moved.
    fn migrate_if_needed(&mut self, now_ms: i64, s: Settings) -> bool {
        let masters: Vec<usize> =
            (0..self.nodes.len()).filter(|&i| self.nodes[i].master.is_none() && !self.nodes[i].fail).collect();
        let Some(mine) = self.myself().master.as_deref().and_then(|id| self.index_of(id)) else { return false };
        let max = masters.iter().map(|&m| self.working_replicas(m)).max().unwrap_or(0);
        let orphans = masters.iter().any(|&m| {
            self.working_replicas(m) == 0 && self.nodes[m].had_replicas && self.slots.iter().any(|&o| o as usize == m)
        });
        if !orphans || max < 2 || self.working_replicas(mine) != max || !s.allow_migration || !self.ok {
            return false;
        }
        if (self.working_replicas(mine) as i64) <= s.migration_barrier {
            return false;
        }
        let mut target = None;
        let mut candidate = self.myself().id.clone();
        for i in 0..self.nodes.len() {
            let is_master = self.nodes[i].master.is_none();
            let working = if is_master { self.working_replicas(i) } else { 0 };
            let node = &self.nodes[i];
            let orphaned = is_master && !node.fail && node.had_replicas && working == 0;
            if orphaned {
                if target.is_none() && self.slots.iter().any(|&o| o as usize == i) {
                    target = Some(i);
                }
                if self.nodes[i].orphaned_ms == 0 {
                    self.nodes[i].orphaned_ms = now_ms;
                }
            } else {
                self.nodes[i].orphaned_ms = 0;
            }
            if is_master && working == max {
                let id = self.nodes[i].id.clone();
                for r in self.nodes.iter().filter(|r| r.master.as_deref() == Some(id.as_str())) {
                    if r.id < candidate {
                        candidate = r.id.clone();
                    }
                }
            }
        }
        let Some(target) = target else { return false };
        if candidate != self.myself().id || now_ms - self.nodes[target].orphaned_ms <= 5000 {
            return false;
        }
        let id = self.nodes[target].id.clone();
        self.set_master(&id);
        true
    }

    /// CLUSTER FAILOVER on a replica: TAKEOVER at once without votes,
    /// FORCE without waiting for the master, else after the master paused
    /// and this replica caught up.
    pub(crate) fn start_manual_failover(&mut self, now_ms: i64, force: bool, takeover: bool) {
        self.manual = Manual { end_ms: now_ms + MF_TIMEOUT_MS, ..Manual::default() };
        if takeover {
            self.bump_epoch_without_consensus();
            self.replace_my_master();
        } else if force {
            self.manual.can_start = true;
        } else if let Some(master) = self.myself().master.as_deref().and_then(|id| self.index_of(id)) {
            self.send(master, MessageKind::MfStart);
        }
    }

    /// Redis's `clusterCron`, every 100 ms: PINGs (the node heard from
    /// least recently each second, and any node silent for half the
    /// timeout), PFAIL for nodes silent past the timeout, the manual
    /// failover's clock, and a replica's election. True when this node
    /// took over from its master.
    pub(crate) fn cron(&mut self, now_ms: i64, s: Settings) -> bool {
        if now_ms - self.cron_ms < 100 {
            return false;
        }
        self.cron_ms = now_ms;
        self.cron_passes += 1;
        let timeout = s.timeout_ms.max(1);
        if self.cron_passes.is_multiple_of(10) {
            let oldest = (0..self.nodes.len())
                .filter(|&i| i != self.myself && self.nodes[i].ping_sent_ms == 0 && !self.nodes[i].link_down)
                .min_by_key(|&i| self.nodes[i].pong_ms);
            if let Some(i) = oldest {
                self.ping(i, now_ms);
            }
        }
        for i in 0..self.nodes.len() {
            if i == self.myself {
                continue;
            }
            let node = &self.nodes[i];
            if node.ping_sent_ms == 0 && now_ms - node.pong_ms > timeout / 2 {
                self.ping(i, now_ms);
            } else if node.ping_sent_ms != 0
                && (node.link_down || now_ms - node.ping_sent_ms > timeout / 2)
                && self.cron_passes.is_multiple_of(10)
            {
                // A PING unanswered for half the timeout: the link is
                // made again, starting with a PING, once a second (the
                // first unanswered one still counts for failure detection).
                self.send(i, MessageKind::Ping);
            }
            let node = &mut self.nodes[i];
            let silent = now_ms - node.data_ms;
            if node.ping_sent_ms != 0 && now_ms - node.ping_sent_ms > timeout / 2 && silent > timeout / 2 {
                node.link_down = true;
            }
            if node.ping_sent_ms != 0
                && now_ms - node.ping_sent_ms > timeout
                && silent > timeout
                && !node.pfail
                && !node.fail
            {
                node.pfail = true;
            }
            self.failure_reports(i, now_ms, timeout);
        }
        // A master in a manual failover keeps its replica informed.
        if let Some(replica) = self.manual.replica.as_deref().and_then(|id| self.index_of(id)) {
            self.ping(replica, now_ms);
        }
        if self.manual.end_ms != 0 && now_ms > self.manual.end_ms {
            self.manual = Manual::default();
        }
        self.check_manual(s.offset);
        let took_over = self.handle_replica_failover(now_ms, s);
        if !took_over && self.myself().master.is_some() {
            self.migrate_if_needed(now_ms, s);
        }
        took_over
    }

    /// Redis's `clusterHandleManualFailover`: the replica may start its
    /// election once it processed everything the paused master had.
    pub(crate) fn check_manual(&mut self, offset: i64) {
        let m = &mut self.manual;
        if m.end_ms != 0 && !m.can_start && m.master_offset != -1 && offset >= m.master_offset {
            m.can_start = true;
        }
    }
}
