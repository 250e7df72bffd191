//! Redis Cluster as engine state: hash slots (CRC16 with `{hash tags}`),
//! the node table each node keeps (its own id, the nodes it knows and
//! which of them replicate which master, who serves which slot, the slots
//! it is migrating or importing, who looks unreachable), the redirection
//! decision dispatch makes for keyed commands (Redis's `getNodeByQuery`),
//! the messages nodes exchange about it, and failure detection and
//! failover (`failure`).
//!
//! Nothing here does I/O. Nodes talk through [`bus`]: a node's changes
//! leave it as [`bus::BusMessage`]s that the host (the native server, or a
//! page hosting several engines) hands to the node they are addressed to,
//! and MIGRATE reaches other servers through the [`bus::ClusterHost`] the
//! host installs.

pub mod bus;
mod failure;
pub mod local;
mod node;

use std::collections::BTreeMap;

/// Redis Cluster's 16384 hash slots.
pub const SLOTS: usize = 16384;

/// CRC16-XMODEM (polynomial 0x1021, initial value 0), as Redis's `crc16`.
pub fn crc16(data: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &byte in data {
        crc ^= (byte as u16) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 { (crc << 1) ^ 0x1021 } else { crc << 1 };
        }
    }
    crc
}

/// The hash slot of a key (`CLUSTER KEYSLOT`): the CRC16 of the whole key,
/// or of the part between the first `{` and the first `}` after it when
/// that part is not empty.
pub fn key_slot(key: &[u8]) -> u16 {
    let hashed = match key.iter().position(|&b| b == b'{') {
        Some(open) => match key[open + 1..].iter().position(|&b| b == b'}') {
            Some(len) if len > 0 => &key[open + 1..open + 1 + len],
            _ => key,
        },
        None => key,
    };
    crc16(hashed) & (SLOTS as u16 - 1)
}

/// Slot ranges `(start, end)` of a sorted list of slots.
pub fn ranges(slots: impl IntoIterator<Item = u16>) -> Vec<(u16, u16)> {
    let mut out: Vec<(u16, u16)> = Vec::new();
    for s in slots {
        match out.last_mut() {
            Some((_, end)) if *end + 1 == s => *end = s,
            _ => out.push((s, s)),
        }
    }
    out
}

/// One node as a node knows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClusterNode {
    /// 40 lower-case hex characters.
    pub id: String,
    pub ip: String,
    pub port: u16,
    /// The cluster bus port (`port + 10000` by Redis's convention).
    pub cport: u16,
    pub config_epoch: u64,
    /// When this node last heard from it (ms); what CLUSTER NODES shows as pong.
    pub pong_ms: i64,
    /// When the link to it was made (ms), for CLUSTER LINKS.
    pub link_ms: i64,
    /// The master it replicates (its id), for a replica.
    pub master: Option<String>,
    /// Unreachable for `cluster-node-timeout` as this node sees it (`fail?`).
    pub pfail: bool,
    /// Failing: a majority of masters said so (`fail`).
    pub fail: bool,
    /// When it was flagged as failing (ms).
    pub fail_ms: i64,
    /// When the PING it has not answered yet was sent (0: none).
    pub ping_sent_ms: i64,
    /// When anything last came from it (ms).
    pub data_ms: i64,
    /// Its replication offset, as it last announced it.
    pub repl_offset: i64,
    /// Its link went silent (CLUSTER NODES `disconnected`).
    pub link_down: bool,
    /// When this node last voted for a replica of it (ms).
    pub voted_ms: i64,
    /// The masters that reported it unreachable, with when (ms).
    pub reports: Vec<(String, i64)>,
    /// A master that has had replicas (Redis's `MIGRATE_TO` flag): left
    /// without one, it may receive a migrating replica.
    pub had_replicas: bool,
    /// Since when this master has had no working replica (ms; 0: it has one).
    pub orphaned_ms: i64,
}

impl ClusterNode {
    /// A node at `ip:port` (bus port `port + 10000`) first heard of at `now_ms`.
    pub fn new(id: String, ip: &str, port: u16, now_ms: i64) -> ClusterNode {
        ClusterNode {
            id,
            ip: ip.to_string(),
            port,
            cport: port.wrapping_add(10000),
            pong_ms: now_ms,
            link_ms: now_ms,
            data_ms: now_ms,
            ..ClusterNode::default()
        }
    }

    pub fn is_replica(&self) -> bool {
        self.master.is_some()
    }
}

/// What dispatch decided for a keyed command (Redis's `clusterRedirectClient` replies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redirect {
    Moved { slot: u16, ip: String, port: u16 },
    Ask { slot: u16, ip: String, port: u16 },
    CrossSlot,
    TryAgain,
    Unbound,
    Down,
    DownReadOnly,
}

impl Redirect {
    /// The error reply, byte for byte as Redis words it.
    pub fn error_text(&self) -> String {
        match self {
            Redirect::Moved { slot, ip, port } => format!("MOVED {slot} {ip}:{port}"),
            Redirect::Ask { slot, ip, port } => format!("ASK {slot} {ip}:{port}"),
            Redirect::CrossSlot => "CROSSSLOT Keys in request don't hash to the same slot".into(),
            Redirect::TryAgain => "TRYAGAIN Multiple keys request during rehashing of slot".into(),
            Redirect::Unbound => "CLUSTERDOWN Hash slot not served".into(),
            Redirect::Down => "CLUSTERDOWN The cluster is down".into(),
            Redirect::DownReadOnly => "CLUSTERDOWN The cluster is down and only accepts read commands".into(),
        }
    }
}

/// One command of a request, as the redirection check sees it.
pub struct RoutedCommand<'a> {
    pub keys: Vec<&'a [u8]>,
    /// The command is MIGRATE (served locally while its slot is open).
    pub is_migrate: bool,
    /// The command carries Redis's `asking` flag (RESTORE-ASKING).
    pub asking_flag: bool,
}

/// The message types CLUSTER INFO counts, in Redis's order.
pub const MESSAGE_TYPES: [&str; 11] =
    ["ping", "pong", "meet", "fail", "publish", "auth-req", "auth-ack", "update", "mfstart", "module", "publishshard"];

/// Counters CLUSTER INFO reports for the bus, by [`MESSAGE_TYPES`].
#[derive(Debug, Clone, Default)]
pub struct BusStats {
    pub sent: [u64; 11],
    pub received: [u64; 11],
}

impl BusStats {
    fn index(kind: &bus::MessageKind) -> usize {
        MESSAGE_TYPES.iter().position(|t| *t == kind.name()).unwrap_or(0)
    }

    pub fn count_sent(&mut self, kind: &bus::MessageKind) {
        self.sent[Self::index(kind)] += 1;
    }

    pub fn count_received(&mut self, kind: &bus::MessageKind) {
        self.received[Self::index(kind)] += 1;
    }
}

const NO_NODE: u16 = u16::MAX;

/// The cluster as one node sees it.
#[derive(Debug, Clone)]
pub struct ClusterState {
    /// Index of this node in `nodes`.
    myself: usize,
    nodes: Vec<ClusterNode>,
    /// For each slot, its owner's index in `nodes` (`NO_NODE`: unassigned).
    slots: Vec<u16>,
    /// Slots this node is giving away, to the node id.
    pub migrating: BTreeMap<u16, String>,
    /// Slots this node is taking, from the node id.
    pub importing: BTreeMap<u16, String>,
    pub current_epoch: u64,
    pub stats: BusStats,
    /// `cluster_state:ok`, as last computed: Redis recomputes it after a
    /// change of the slot table and on its cron, not when the
    /// configuration changes ([`ClusterState::update_state`]).
    ok: bool,
    /// Something other nodes should hear about changed (slots, epochs, nodes).
    pub(crate) dirty: bool,
    /// Nodes to greet (CLUSTER MEET), as (ip, port).
    pub(crate) meet_queue: Vec<(String, u16)>,
    /// Addresses greeted and not heard from yet: a node there that
    /// answers becomes known (Redis's handshake nodes).
    pub(crate) handshakes: Vec<(String, u16)>,
    /// Messages for one node each (replies, votes, failure news), as (ip, port, kind).
    pub(crate) outbox: Vec<(String, u16, bus::MessageKind)>,
    /// The epoch this node last voted in.
    pub last_vote_epoch: u64,
    /// A replica's election (Redis's `failover_auth_*`).
    pub(crate) election: failure::Election,
    /// A manual failover in progress (Redis's `mf_*`).
    pub(crate) manual: failure::Manual,
    /// When the cron last ran, and its pass count (a PING round every tenth).
    pub(crate) cron_ms: i64,
    pub(crate) cron_passes: u64,
    /// Until when this master paused its writers for a manual failover (0: not).
    pub(crate) paused_until: i64,
}

impl ClusterState {
    /// A node alone, serving no slot, known as `id` at `ip:port`.
    pub fn new(id: String, ip: &str, port: u16, now_ms: i64) -> ClusterState {
        let me = ClusterNode::new(id, ip, port, now_ms);
        ClusterState {
            myself: 0,
            nodes: vec![me],
            slots: vec![NO_NODE; SLOTS],
            migrating: BTreeMap::new(),
            importing: BTreeMap::new(),
            current_epoch: 0,
            stats: BusStats::default(),
            ok: false,
            dirty: false,
            meet_queue: Vec::new(),
            handshakes: Vec::new(),
            outbox: Vec::new(),
            last_vote_epoch: 0,
            election: failure::Election::default(),
            manual: failure::Manual::default(),
            cron_ms: now_ms,
            cron_passes: 0,
            paused_until: 0,
        }
    }

    pub fn myself(&self) -> &ClusterNode {
        &self.nodes[self.myself]
    }

    pub fn myself_mut(&mut self) -> &mut ClusterNode {
        &mut self.nodes[self.myself]
    }

    pub fn nodes(&self) -> &[ClusterNode] {
        &self.nodes
    }

    pub fn is_myself(&self, node: &ClusterNode) -> bool {
        node.id == self.myself().id
    }

    pub fn node(&self, id: &[u8]) -> Option<&ClusterNode> {
        self.nodes.iter().find(|n| n.id.as_bytes() == id)
    }

    pub(crate) fn index_of(&self, id: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.id == id)
    }

    /// The node serving `slot`.
    pub fn owner(&self, slot: u16) -> Option<&ClusterNode> {
        self.slots.get(slot as usize).and_then(|&i| self.nodes.get(i as usize))
    }

    pub fn owned_by_me(&self, slot: u16) -> bool {
        self.slots.get(slot as usize).is_some_and(|&i| i as usize == self.myself)
    }

    /// The slots a node serves, in order.
    pub fn slots_of(&self, id: &str) -> Vec<u16> {
        let Some(index) = self.index_of(id) else { return Vec::new() };
        (0..SLOTS as u16).filter(|&s| self.slots[s as usize] as usize == index).collect()
    }

    /// The slot ranges of each node serving slots, in slot order:
    /// `(start, end, node)` (CLUSTER SLOTS).
    pub fn slot_ranges(&self) -> Vec<(u16, u16, &ClusterNode)> {
        let mut out: Vec<(u16, u16, usize)> = Vec::new();
        for s in 0..SLOTS as u16 {
            let owner = self.slots[s as usize];
            if owner == NO_NODE {
                continue;
            }
            match out.last_mut() {
                Some((_, end, o)) if *end + 1 == s && *o == owner as usize => *end = s,
                _ => out.push((s, s, owner as usize)),
            }
        }
        out.into_iter().map(|(a, b, o)| (a, b, &self.nodes[o])).collect()
    }

    pub fn assigned_slots(&self) -> usize {
        self.slots.iter().filter(|&&o| o != NO_NODE).count()
    }

    /// The replicas of master `id`, in the order this node learned them.
    pub fn replicas_of(&self, id: &str) -> Vec<&ClusterNode> {
        self.nodes.iter().filter(|n| n.master.as_deref() == Some(id)).collect()
    }

    /// The master this node replicates, when it is a replica that knows it.
    pub fn my_master(&self) -> Option<&ClusterNode> {
        self.myself().master.as_deref().and_then(|id| self.node(id.as_bytes()))
    }

    /// Redis's `nodeEpoch`: a replica's is its master's config epoch.
    pub fn node_epoch(&self, node: &ClusterNode) -> u64 {
        match node.master.as_deref().and_then(|id| self.node(id.as_bytes())) {
            Some(master) => master.config_epoch,
            None => node.config_epoch,
        }
    }

    /// Masters serving at least one slot (`cluster_size`).
    pub fn size(&self) -> usize {
        let mut serving = vec![false; self.nodes.len()];
        for &o in &self.slots {
            if let Some(s) = serving.get_mut(o as usize) {
                *s = true;
            }
        }
        serving.into_iter().filter(|&s| s).count()
    }

    /// `cluster_state:ok` as last computed.
    pub fn is_ok(&self) -> bool {
        self.ok
    }

    /// Redis's `clusterUpdateState`: ok when every slot is served by a
    /// node not failing (unless full coverage is not required) and a
    /// majority of the masters serving slots is reachable (no PFAIL or
    /// FAIL flag) — the minority side of a partition refuses commands.
    pub fn update_state(&mut self, require_full_coverage: bool) {
        let covered =
            !require_full_coverage || self.slots.iter().all(|&o| self.nodes.get(o as usize).is_some_and(|n| !n.fail));
        let mut serving = vec![false; self.nodes.len()];
        for &o in &self.slots {
            if let Some(s) = serving.get_mut(o as usize) {
                *s = true;
            }
        }
        let size = serving.iter().filter(|&&s| s).count();
        let reachable = serving.iter().zip(&self.nodes).filter(|(s, n)| **s && !n.pfail && !n.fail).count();
        self.ok = covered && reachable > size / 2;
    }

    pub fn assign(&mut self, slot: u16, id: &str) {
        if let (Some(index), Some(s)) = (self.index_of(id), self.slots.get_mut(slot as usize)) {
            *s = index as u16;
            self.dirty = true;
        }
    }

    pub fn unassign(&mut self, slot: u16) {
        if let Some(s) = self.slots.get_mut(slot as usize) {
            *s = NO_NODE;
            self.dirty = true;
        }
    }

    /// Adds a node (or updates its address) as heard from the bus.
    pub fn learn(&mut self, node: &ClusterNode, now_ms: i64) -> bool {
        if node.id == self.myself().id {
            return false;
        }
        match self.index_of(&node.id) {
            Some(i) => {
                let known = &mut self.nodes[i];
                known.ip.clone_from(&node.ip);
                known.port = node.port;
                known.cport = node.cport;
                false
            }
            None => {
                if self.nodes.len() >= NO_NODE as usize - 1 {
                    return false;
                }
                let mut fresh = ClusterNode::new(node.id.clone(), &node.ip, node.port, now_ms);
                fresh.cport = node.cport;
                fresh.master.clone_from(&node.master);
                fresh.repl_offset = node.repl_offset;
                self.nodes.push(fresh);
                self.dirty = true;
                true
            }
        }
    }

    /// CLUSTER RESET: forgets every other node and every slot; HARD also
    /// zeroes the epochs and takes the new id `new_id`.
    pub fn reset(&mut self, new_id: Option<String>) {
        let mut me = self.myself().clone();
        if let Some(id) = new_id {
            me.id = id;
            me.config_epoch = 0;
            self.current_epoch = 0;
        }
        me.master = None;
        self.handshakes.clear();
        self.nodes = vec![me];
        self.myself = 0;
        self.election = failure::Election::default();
        self.manual = failure::Manual::default();
        self.slots = vec![NO_NODE; SLOTS];
        self.migrating.clear();
        self.importing.clear();
        self.dirty = true;
    }

    /// The highest config epoch any known node has.
    fn max_epoch(&self) -> u64 {
        self.nodes.iter().map(|n| n.config_epoch).max().unwrap_or(0).max(self.current_epoch)
    }

    /// Redis's `clusterBumpConfigEpochWithoutConsensus`: a new, highest
    /// epoch for this node unless it already has the highest one alone.
    pub fn bump_epoch_without_consensus(&mut self) -> bool {
        let max = self.max_epoch();
        let mine = self.myself().config_epoch;
        if mine == 0 || mine != max || self.nodes.iter().filter(|n| n.config_epoch == max).count() > 1 {
            self.current_epoch += 1;
            let epoch = self.current_epoch;
            self.myself_mut().config_epoch = epoch;
            self.dirty = true;
            true
        } else {
            false
        }
    }

    /// Removes a node from the table (CLUSTER FORGET); its slots become unassigned.
    pub fn forget(&mut self, id: &str) -> bool {
        let Some(index) = self.index_of(id) else { return false };
        if index == self.myself {
            return false;
        }
        self.nodes.remove(index);
        if index < self.myself {
            self.myself -= 1;
        }
        for s in self.slots.iter_mut() {
            if *s as usize == index {
                *s = NO_NODE;
            } else if *s != NO_NODE && *s as usize > index {
                *s -= 1;
            }
        }
        self.migrating.retain(|_, n| n != id);
        self.importing.retain(|_, n| n != id);
        for n in self.nodes.iter_mut() {
            if n.master.as_deref() == Some(id) {
                n.master = None;
            }
            n.reports.retain(|(by, _)| by != id);
        }
        self.dirty = true;
        true
    }

    /// Redis's `getNodeByQuery`: where the request must go. `commands` is
    /// the command itself, or a transaction's queue for EXEC; `exists`
    /// tells whether a key is in the local database 0; `asking` is the
    /// client's ASKING flag; `write` whether the request writes.
    pub fn route(
        &self,
        commands: &[RoutedCommand],
        mut exists: impl FnMut(&[u8]) -> bool,
        asking: bool,
        write: bool,
        settings: RouteSettings,
    ) -> Result<Option<u16>, Redirect> {
        let readonly = settings.readonly;
        let mut first: Option<(&[u8], u16)> = None;
        let (mut migrating, mut importing, mut multiple_keys) = (false, false, false);
        let (mut missing, mut existing, mut any_migrate, mut any_asking) = (0usize, 0usize, false, false);
        for command in commands {
            any_migrate |= command.is_migrate;
            any_asking |= command.asking_flag;
            for &key in &command.keys {
                let slot = key_slot(key);
                match first {
                    None => {
                        first = Some((key, slot));
                        let Some(owner) = self.owner(slot) else { return Err(Redirect::Unbound) };
                        if self.is_myself(owner) && self.migrating.contains_key(&slot) {
                            migrating = true;
                        } else if self.importing.contains_key(&slot) {
                            importing = true;
                        }
                    }
                    Some((first_key, first_slot)) => {
                        if slot != first_slot {
                            return Err(Redirect::CrossSlot);
                        }
                        if (migrating || importing) && key != first_key {
                            multiple_keys = true;
                        }
                    }
                }
                if migrating || importing {
                    if exists(key) {
                        existing += 1;
                    } else {
                        missing += 1;
                    }
                }
            }
        }
        let Some((_, slot)) = first else { return Ok(None) };
        if !self.ok {
            if !settings.allow_reads_when_down {
                return Err(Redirect::Down);
            }
            if write {
                return Err(Redirect::DownReadOnly);
            }
        }
        if (migrating || importing) && any_migrate {
            return Ok(Some(slot));
        }
        if migrating && missing > 0 {
            // Some keys here, some gone: the client must retry once the move ends.
            if existing > 0 {
                return Err(Redirect::TryAgain);
            }
            if let Some(target) = self.migrating.get(&slot).and_then(|id| self.node(id.as_bytes())) {
                return Err(Redirect::Ask { slot, ip: target.ip.clone(), port: target.port });
            }
        }
        if importing && (asking || any_asking) {
            if multiple_keys && missing > 0 {
                return Err(Redirect::TryAgain);
            }
            return Ok(Some(slot));
        }
        match self.owner(slot) {
            // A READONLY client reads its master's slots on a replica.
            Some(owner) if readonly && !write && self.myself().master.as_deref() == Some(owner.id.as_str()) => {
                Ok(Some(slot))
            }
            Some(owner) if !self.is_myself(owner) => {
                Err(Redirect::Moved { slot, ip: owner.ip.clone(), port: owner.port })
            }
            _ => Ok(Some(slot)),
        }
    }

    /// What a node tells the others about itself: its address, epoch,
    /// slots and the nodes it knows (a PING with its gossip section).
    pub fn announcement(&self) -> bus::Announcement {
        let mut sender = self.myself().clone();
        sender.reports.clear();
        sender.config_epoch = self.node_epoch(self.myself());
        let serving = self.my_master().map_or(sender.id.as_str(), |m| m.id.as_str());
        bus::Announcement {
            slots: self.slots_of(serving),
            sender,
            current_epoch: self.current_epoch,
            known: self
                .nodes
                .iter()
                .filter(|n| !self.is_myself(n))
                .map(|n| ClusterNode { reports: Vec::new(), ..n.clone() })
                .collect(),
            paused: self.manual.end_ms != 0 && self.myself().master.is_none(),
        }
    }

    /// Applies a message another node sent: it (and the nodes it knows)
    /// become known, its epoch and role are taken, each slot a master
    /// claims is assigned to it unless served by a node with a higher
    /// config epoch or being imported here (Redis's
    /// `clusterUpdateSlotsConfigWith`; a master losing its last slot this
    /// way becomes the claimant's replica), failure reports in the gossip
    /// are recorded, and the message itself is acted on (a PONG for a
    /// PING, a vote, a manual failover starting).
    pub fn receive(&mut self, kind: &bus::MessageKind, message: &bus::Announcement, now_ms: i64, timeout_ms: i64) {
        let sender = &message.sender;
        if sender.id == self.myself().id {
            return;
        }
        if self.index_of(&sender.id).is_none() {
            // Only a MEET, or an answer from an address we greeted,
            // introduces a node; anyone else just gets a PONG.
            let greeted = self.handshakes.iter().position(|(ip, port)| *ip == sender.ip && *port == sender.port);
            match greeted {
                Some(at) => {
                    self.handshakes.remove(at);
                }
                None if matches!(kind, bus::MessageKind::Meet) => {}
                None => {
                    if matches!(kind, bus::MessageKind::Ping) {
                        self.outbox.push((sender.ip.clone(), sender.port, bus::MessageKind::Pong));
                    }
                    return;
                }
            }
        }
        self.learn(sender, now_ms);
        let Some(index) = self.index_of(&sender.id) else { return };
        {
            let known = &mut self.nodes[index];
            known.data_ms = now_ms;
            known.link_down = false;
            known.repl_offset = sender.repl_offset;
            known.config_epoch = known.config_epoch.max(sender.config_epoch);
        }
        if matches!(kind, bus::MessageKind::Pong) {
            self.pong_from(index, now_ms, timeout_ms);
        }
        self.current_epoch = self.current_epoch.max(message.current_epoch);
        self.take_role(index, sender.master.as_deref());
        if sender.master.is_none() {
            self.take_slots(index, sender.config_epoch, &message.slots);
        }
        // Two masters with one config epoch: the one with the smaller id
        // takes a new epoch (Redis's `clusterHandleConfigEpochCollision`).
        let me = self.myself();
        let both_masters = me.master.is_none() && sender.master.is_none();
        if both_masters && me.config_epoch != 0 && me.config_epoch == sender.config_epoch && me.id < sender.id {
            self.current_epoch += 1;
            let epoch = self.current_epoch;
            self.myself_mut().config_epoch = epoch;
            self.dirty = true;
        }
        self.gossip(index, &message.known, now_ms, timeout_ms);
        self.act_on(kind, index, message, now_ms, timeout_ms);
    }

    /// The sender's role as it announces it: a master turned replica
    /// gives its slots up.
    fn take_role(&mut self, index: usize, master: Option<&str>) {
        let node = &mut self.nodes[index];
        if node.master.as_deref() == master {
            return;
        }
        let was_master = node.master.is_none();
        node.master = master.map(str::to_string);
        if let Some(m) = master.and_then(|id| self.index_of(id)) {
            self.nodes[m].had_replicas = true;
        }
        if was_master && master.is_some() {
            for s in self.slots.iter_mut().filter(|s| **s as usize == index) {
                *s = NO_NODE;
            }
        }
        self.dirty = true;
    }

    /// A master's claim on slots (Redis's `clusterUpdateSlotsConfigWith`).
    fn take_slots(&mut self, index: usize, epoch: u64, slots: &[u16]) {
        let serving = match self.myself().master.as_deref() {
            Some(id) => self.index_of(id),
            None => Some(self.myself),
        };
        let had = serving.map_or(0, |c| self.slots.iter().filter(|&&o| o as usize == c).count());
        let mut taken_from_us = 0;
        for &slot in slots {
            let Some(&owner) = self.slots.get(slot as usize) else { continue };
            if owner as usize == index || self.importing.contains_key(&slot) {
                continue;
            }
            let beaten = match self.nodes.get(owner as usize) {
                None => true,
                Some(current) => current.config_epoch < epoch,
            };
            if beaten {
                self.slots[slot as usize] = index as u16;
                if owner as usize == self.myself {
                    self.migrating.remove(&slot);
                }
                if Some(owner as usize) == serving {
                    taken_from_us += 1;
                }
            }
        }
        if had > 0 && taken_from_us == had && index != self.myself {
            // Our shard lost every slot to the sender: follow it.
            let id = self.nodes[index].id.clone();
            self.set_master(&id);
        }
    }
}

/// The configuration the redirection check reads.
#[derive(Debug, Clone, Copy)]
pub struct RouteSettings {
    pub allow_reads_when_down: bool,
    /// The client sent READONLY.
    pub readonly: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyslot_matches_redis() {
        // Values from redis-server 7.0's CLUSTER KEYSLOT.
        assert_eq!(key_slot(b"foo"), 12182);
        assert_eq!(key_slot(b"bar"), 5061);
        assert_eq!(key_slot(b""), 0);
        assert_eq!(key_slot(b"{user1000}.following"), key_slot(b"user1000"));
        assert_eq!(key_slot(b"{}x"), crc16(b"{}x") & 16383);
        assert_eq!(key_slot(b"{{a}}"), key_slot(b"{a"));
        assert_eq!(key_slot(b"a{b}c{d}"), key_slot(b"b"));
        assert_eq!(key_slot(b"{"), crc16(b"{") & 16383);
        assert_eq!(crc16(b"123456789"), 0x31c3);
    }

    fn three() -> ClusterState {
        let mut a = ClusterState::new("a".repeat(40), "127.0.0.1", 7000, 0);
        for (i, id) in ["b", "c"].iter().enumerate() {
            let node = ClusterNode::new(id.repeat(40), "127.0.0.1", 7001 + i as u16, 0);
            a.learn(&node, 0);
        }
        for s in 0..SLOTS as u16 {
            let owner = match s {
                0..=5460 => "a",
                5461..=10922 => "b",
                _ => "c",
            };
            a.assign(s, &owner.repeat(40));
        }
        a
    }

    const SETTINGS: RouteSettings = RouteSettings { allow_reads_when_down: false, readonly: false };

    fn route(
        state: &mut ClusterState,
        keys: &[&[u8]],
        exists: &[&[u8]],
        asking: bool,
    ) -> Result<Option<u16>, Redirect> {
        state.update_state(true);
        let command = RoutedCommand { keys: keys.to_vec(), is_migrate: false, asking_flag: false };
        state.route(&[command], |k| exists.contains(&k), asking, true, SETTINGS)
    }

    #[test]
    fn redirects_like_redis() {
        let mut state = three();
        assert_eq!(route(&mut state, &[b"bar"], &[], false), Ok(Some(5061)));
        let moved = Redirect::Moved { slot: 12182, ip: "127.0.0.1".into(), port: 7002 };
        assert_eq!(route(&mut state, &[b"foo"], &[], false), Err(moved.clone()));
        assert_eq!(moved.error_text(), "MOVED 12182 127.0.0.1:7002");
        assert_eq!(route(&mut state, &[b"foo", b"bar"], &[], false), Err(Redirect::CrossSlot));
        assert_eq!(route(&mut state, &[], &[], false), Ok(None));
        // A slot being migrated: present keys are served, absent ones asked for.
        state.migrating.insert(5061, "b".repeat(40));
        assert_eq!(route(&mut state, &[b"bar"], &[b"bar"], false), Ok(Some(5061)));
        let ask = Redirect::Ask { slot: 5061, ip: "127.0.0.1".into(), port: 7001 };
        assert_eq!(route(&mut state, &[b"bar"], &[], false), Err(ask));
        assert_eq!(route(&mut state, &[b"bar", b"{bar}x"], &[b"bar"], false), Err(Redirect::TryAgain));
        // Importing: only after ASKING, and multi-key requests with missing keys retry.
        state.migrating.clear();
        state.importing.insert(12182, "c".repeat(40));
        assert!(matches!(route(&mut state, &[b"foo"], &[], false), Err(Redirect::Moved { .. })));
        assert_eq!(route(&mut state, &[b"foo"], &[], true), Ok(Some(12182)));
        let pair: [&[u8]; 2] = [b"{foo}1", b"{foo}2"];
        assert_eq!(route(&mut state, &pair, &[b"{foo}1"], true), Err(Redirect::TryAgain));
        assert_eq!(route(&mut state, &pair, &pair, true), Ok(Some(key_slot(b"foo"))));
        // An unserved slot, then a cluster down for lack of coverage.
        state.unassign(5061);
        assert_eq!(route(&mut state, &[b"bar"], &[], false), Err(Redirect::Unbound));
        assert_eq!(route(&mut state, &[b"foo"], &[], true), Err(Redirect::Down));
    }

    #[test]
    fn announcements_move_slots_by_epoch() {
        let mut a = ClusterState::new("a".repeat(40), "127.0.0.1", 7000, 0);
        let mut b = ClusterState::new("b".repeat(40), "127.0.0.1", 7001, 0);
        a.myself_mut().config_epoch = 1;
        b.myself_mut().config_epoch = 2;
        for s in 0..10 {
            a.assign(s, &"a".repeat(40));
        }
        b.receive(&bus::MessageKind::Ping, &a.announcement(), 5, 15_000);
        assert_eq!(b.owner(3), None, "a PING from a stranger introduces nobody");
        b.receive(&bus::MessageKind::Meet, &a.announcement(), 5, 15_000);
        assert_eq!(b.owner(3).map(|n| n.port), Some(7000));
        b.assign(3, &"b".repeat(40));
        a.handshakes.push(("127.0.0.1".into(), 7001));
        a.receive(&bus::MessageKind::Pong, &b.announcement(), 6, 15_000);
        assert_eq!(a.owner(3).map(|n| n.port), Some(7001));
        assert_eq!(a.slots_of(&"a".repeat(40)).len(), 9);
        assert_eq!(ranges([0, 1, 2, 5, 7, 8]), [(0, 2), (5, 5), (7, 8)]);
    }
}
