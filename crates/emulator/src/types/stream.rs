//! Stream values.
//!
//! Stable interface other modules rely on (keep it when changing the
//! representation): `len`, `entries_view`, `groups_view`, `mem_usage`, `rewrite`.
//!
//! Entries live in an ordered map. Beside it we keep a model of how Redis
//! packs entries into radix-tree nodes (listpacks of at most
//! `stream-node-max-entries` entries and `stream-node-max-bytes` bytes),
//! because approximate trimming (`MAXLEN ~`, `MINID ~`) only ever removes
//! whole nodes, and XINFO STREAM reports the tree's key and node counts.

use std::collections::{BTreeMap, BTreeSet};

/// A stream entry id: milliseconds and sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct StreamId {
    pub ms: u64,
    pub seq: u64,
}

impl std::fmt::Display for StreamId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

impl StreamId {
    pub const MIN: StreamId = StreamId { ms: 0, seq: 0 };
    pub const MAX: StreamId = StreamId { ms: u64::MAX, seq: u64::MAX };

    pub fn new(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }

    /// The next id, or None after `MAX`.
    pub fn next(self) -> Option<StreamId> {
        if self.seq < u64::MAX {
            Some(StreamId::new(self.ms, self.seq + 1))
        } else if self.ms < u64::MAX {
            Some(StreamId::new(self.ms + 1, 0))
        } else {
            None
        }
    }

    /// The previous id, or None before `MIN`.
    pub fn prev(self) -> Option<StreamId> {
        if self.seq > 0 {
            Some(StreamId::new(self.ms, self.seq - 1))
        } else if self.ms > 0 {
            Some(StreamId::new(self.ms - 1, u64::MAX))
        } else {
            None
        }
    }

    pub fn is_zero(self) -> bool {
        self == StreamId::MIN
    }

    /// Big-endian 16-byte form (the radix tree's key).
    fn encode(self) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&self.ms.to_be_bytes());
        out[8..].copy_from_slice(&self.seq.to_be_bytes());
        out
    }

    pub fn to_bytes(self) -> Vec<u8> {
        self.to_string().into_bytes()
    }
}

/// Field-value pairs of one entry.
pub type Fields = Vec<(Vec<u8>, Vec<u8>)>;

/// One entry as the UI and snapshots see it.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryView {
    pub id: StreamId,
    pub fields: Vec<(Vec<u8>, Vec<u8>)>,
}

/// A consumer group as the UI sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupView {
    pub name: Vec<u8>,
    pub last_delivered: StreamId,
    pub pending: usize,
    pub consumers: Vec<Vec<u8>>,
}

/// A delivered but not yet acknowledged entry (a PEL item).
#[derive(Debug, Clone, PartialEq)]
pub struct Nack {
    pub delivery_time: i64,
    pub delivery_count: u64,
    /// Owning consumer's name (empty only inside XCLAIM FORCE, before the
    /// entry is handed to the claiming consumer).
    pub consumer: Vec<u8>,
}

#[derive(Debug, Clone, Default)]
pub struct Consumer {
    pub seen_time: i64,
    pub pel: BTreeSet<StreamId>,
}

/// Redis's marker for "entries-read unknown".
pub const ENTRIES_READ_INVALID: i64 = -1;

#[derive(Debug, Clone)]
pub struct Group {
    pub last_id: StreamId,
    pub entries_read: i64,
    pub pel: BTreeMap<StreamId, Nack>,
    pub consumers: BTreeMap<Vec<u8>, Consumer>,
}

impl Group {
    pub fn new(last_id: StreamId, entries_read: i64) -> Group {
        Group { last_id, entries_read, pel: BTreeMap::new(), consumers: BTreeMap::new() }
    }

    /// Creates a consumer if missing; true if it was created.
    pub fn create_consumer(&mut self, name: &[u8], now: i64) -> bool {
        if self.consumers.contains_key(name) {
            return false;
        }
        self.consumers.insert(name.to_vec(), Consumer { seen_time: now, pel: BTreeSet::new() });
        true
    }

    /// Drops a PEL item from the group and its owner.
    pub fn remove_nack(&mut self, id: StreamId) -> bool {
        match self.pel.remove(&id) {
            Some(n) => {
                if let Some(c) = self.consumers.get_mut(&n.consumer) {
                    c.pel.remove(&id);
                }
                true
            }
            None => false,
        }
    }

    /// Gives a PEL item to `consumer` (which must exist).
    pub fn assign_nack(&mut self, id: StreamId, consumer: &[u8]) {
        if let Some(n) = self.pel.get_mut(&id) {
            if n.consumer != consumer {
                if let Some(old) = self.consumers.get_mut(&n.consumer) {
                    old.pel.remove(&id);
                }
                n.consumer = consumer.to_vec();
            }
        }
        if let Some(c) = self.consumers.get_mut(consumer) {
            c.pel.insert(id);
        }
    }

    /// Creates consumer `name` if missing and marks it seen at `now`, as
    /// serving or claiming for it does; true if it was created.
    pub fn touch_consumer(&mut self, name: &[u8], now: i64) -> bool {
        let created = self.create_consumer(name, now);
        if let Some(c) = self.consumers.get_mut(name) {
            c.seen_time = now;
        }
        created
    }

    /// Removes consumer `name` and drops its pending entries from the
    /// group. Returns how many entries it had pending, None if it did not exist.
    pub fn delete_consumer(&mut self, name: &[u8]) -> Option<usize> {
        let c = self.consumers.remove(name)?;
        for id in &c.pel {
            self.pel.remove(id);
        }
        Some(c.pel.len())
    }

    /// Records `id` as delivered to `consumer` (which must exist) for the
    /// first time. An id delivered again (after XGROUP SETID moved the group
    /// back) changes owner and starts counting deliveries afresh.
    pub fn deliver(&mut self, id: StreamId, consumer: &[u8], now: i64) {
        self.remove_nack(id);
        self.pel.insert(id, Nack { delivery_time: now, delivery_count: 1, consumer: consumer.to_vec() });
        self.assign_nack(id, consumer);
    }

    /// XACK: drops `ids` from the PEL; returns how many were pending.
    pub fn ack(&mut self, ids: &[StreamId]) -> usize {
        ids.iter().filter(|id| self.remove_nack(**id)).count()
    }

    /// XPENDING's extended form: pending entries from `start` to `end`
    /// (only `consumer`'s when given), idle for at least `min_idle` ms, at
    /// most `count` of them, oldest first. An unknown consumer has none.
    pub fn pending_range(
        &self,
        start: StreamId,
        end: StreamId,
        count: usize,
        min_idle: i64,
        consumer: Option<&[u8]>,
        now: i64,
    ) -> Vec<(StreamId, &Nack)> {
        let ids: Box<dyn Iterator<Item = StreamId> + '_> = match consumer {
            Some(name) => match self.consumers.get(name) {
                None => return Vec::new(),
                Some(c) => Box::new(c.pel.range(start..).copied()),
            },
            None => Box::new(self.pel.range(start..).map(|(id, _)| *id)),
        };
        ids.take_while(|id| *id <= end)
            .filter_map(|id| self.pel.get(&id).map(|n| (id, n)))
            .filter(|(_, n)| idle_enough(n, min_idle, now))
            .take(count)
            .collect()
    }

    /// Hands the pending entry `id` to `consumer` (created if needed) if it
    /// is pending and, when `check_idle`, idle long enough. True if claimed.
    fn claim_entry(&mut self, id: StreamId, consumer: &[u8], rules: &ClaimRules, check_idle: bool, now: i64) -> bool {
        let Some(n) = self.pel.get(&id) else { return false };
        if check_idle && !idle_enough(n, rules.min_idle, now) {
            return false;
        }
        self.touch_consumer(consumer, now);
        self.assign_nack(id, consumer);
        if let Some(n) = self.pel.get_mut(&id) {
            n.delivery_time = rules.delivery_time;
            match rules.retry_count {
                Some(count) => n.delivery_count = count,
                None if !rules.keep_count => n.delivery_count += 1,
                None => {}
            }
        }
        true
    }
}

/// True if a pending entry has waited at least `min_idle` ms (0 = always).
fn idle_enough(n: &Nack, min_idle: i64, now: i64) -> bool {
    min_idle == 0 || now - n.delivery_time >= min_idle
}

/// How XCLAIM and XAUTOCLAIM hand pending entries to another consumer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClaimRules {
    /// Entries idle for less than this many milliseconds stay with their
    /// owner (0 = claim regardless of idle time).
    pub min_idle: i64,
    /// The delivery time claimed entries get.
    pub delivery_time: i64,
    /// The delivery count claimed entries get; None = one more than
    /// before (unless `keep_count`).
    pub retry_count: Option<u64>,
    /// JUSTID: a claim that returns only ids is not a delivery, so the
    /// delivery count stays as it was.
    pub keep_count: bool,
    /// FORCE: an id that is in the stream but in nobody's PEL is added to
    /// the PEL and claimed whatever `min_idle` says.
    pub force: bool,
}

/// What an XCLAIM moved.
#[derive(Debug, Clone, PartialEq)]
pub struct Claimed {
    /// Claimed ids, in the order they were asked for.
    pub ids: Vec<StreamId>,
    /// True if the claiming consumer did not exist before.
    pub created_consumer: bool,
}

/// What one XAUTOCLAIM step did.
#[derive(Debug, Clone, PartialEq)]
pub struct AutoClaimed {
    /// Where the next step starts (0-0 when the PEL scan is complete).
    pub next: StreamId,
    pub claimed: Vec<StreamId>,
    /// Pending ids whose entries were gone from the stream, now dropped from the PEL.
    pub deleted: Vec<StreamId>,
    pub created_consumer: bool,
}

/// What XREAD / XREADGROUP ask of one stream.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ReadFrom {
    /// Entries after this id (for XREADGROUP: the consumer's own pending ones).
    After(StreamId),
    /// `>`: entries never delivered to the group.
    New,
}

/// What XREADGROUP served from one stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// Ids served, oldest first. A pending id whose entry was deleted is
    /// still listed (the reply shows it with no fields).
    pub ids: Vec<StreamId>,
    pub created_consumer: bool,
}

/// Why XSETID refuses a new last id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetIdError {
    /// The id is smaller than the last entry's.
    BelowTopItem,
    /// ENTRIESADDED is smaller than the number of entries.
    EntriesAddedBelowLength,
}

/// One radix-tree node: a listpack of consecutive entries, keyed by the
/// id of its first ("master") entry.
#[derive(Debug, Clone)]
struct Node {
    master_fields: Vec<Vec<u8>>,
    live: u64,
    deleted: u64,
    /// Listpack size in bytes, as Redis computes it.
    bytes: usize,
    /// Id of the last entry written into the node (deleted or not).
    last_id: StreamId,
}

/// One listpack node, as [`StreamValue::nodes_view`] shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeView<'a> {
    pub master: StreamId,
    pub master_fields: &'a [Vec<u8>],
    /// Entries in id order, with a "deleted" flag.
    pub entries: Vec<(StreamId, &'a Fields, bool)>,
}

/// One node read from a serialized stream (see [`StreamValue::from_nodes`]).
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedNode {
    pub master: StreamId,
    pub master_fields: Vec<Vec<u8>>,
    /// Entries in id order, with a "deleted" flag.
    pub entries: Vec<(StreamId, Fields, bool)>,
    /// The listpack's size in bytes.
    pub bytes: usize,
}

/// How a trim chooses what to remove.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Trim {
    MaxLen(u64),
    MinId(StreamId),
}

#[derive(Debug, Clone, Default)]
pub struct StreamValue {
    entries: BTreeMap<StreamId, Fields>,
    /// Deleted entries still flagged inside their node's listpack (Redis
    /// keeps them until the whole node goes), for RDB serialization.
    tombstones: BTreeMap<StreamId, Fields>,
    nodes: BTreeMap<StreamId, Node>,
    pub last_id: StreamId,
    pub first_id: StreamId,
    pub max_deleted_id: StreamId,
    pub entries_added: u64,
    pub groups: BTreeMap<Vec<u8>, Group>,
}

// ----- listpack size model ------------------------------------------------

fn backlen_size(l: usize) -> usize {
    match l {
        0..=127 => 1,
        128..=16382 => 2,
        16383..=2097150 => 3,
        2097151..=268435454 => 4,
        _ => 5,
    }
}

fn lp_int_size(v: i64) -> usize {
    let enc = match v {
        0..=127 => 1,
        -4096..=4095 => 2,
        -32768..=32767 => 3,
        -8_388_608..=8_388_607 => 4,
        -2_147_483_648..=2_147_483_647 => 5,
        _ => 9,
    };
    enc + backlen_size(enc)
}

fn lp_str_size(s: &[u8]) -> usize {
    if let Some(v) = crate::float::parse_i64(s) {
        return lp_int_size(v);
    }
    let enc = match s.len() {
        0..=63 => 1 + s.len(),
        64..=4095 => 2 + s.len(),
        _ => 5 + s.len(),
    };
    enc + backlen_size(enc)
}

const LP_HEADER_AND_END: usize = 7;

/// Redis refuses single entries larger than this (`Elements are too large`).
pub const LISTPACK_MAX_SIZE: usize = (1 << 30) - 1024;

impl StreamValue {
    pub fn new() -> StreamValue {
        StreamValue::default()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every entry, oldest first.
    pub fn entries_view(&self) -> Vec<EntryView> {
        self.entries.iter().map(|(id, f)| EntryView { id: *id, fields: f.clone() }).collect()
    }

    /// Consumer groups with their cursors.
    pub fn groups_view(&self) -> Vec<GroupView> {
        self.groups
            .iter()
            .map(|(name, g)| GroupView {
                name: name.clone(),
                last_delivered: g.last_id,
                pending: g.pel.len(),
                consumers: g.consumers.keys().cloned().collect(),
            })
            .collect()
    }

    /// Approximate bytes used, for memory accounting.
    pub fn mem_usage(&self) -> usize {
        let nodes = crate::types::sampled_size(self.nodes.len(), self.nodes.values().map(|n| n.bytes + 32));
        let groups: usize = self
            .groups
            .iter()
            .map(|(name, g)| {
                name.len() + 64 + g.pel.len() * 48 + g.consumers.keys().map(|c| c.len() + 48).sum::<usize>()
            })
            .sum();
        64 + nodes + groups
    }

    /// Commands that recreate this value under `key`: the entries, the last
    /// id with entries-added and max-deleted-entry-id, then each group with
    /// its last-delivered id, entries-read, consumers and pending entries.
    pub fn rewrite(&self, key: &[u8], out: &mut Vec<Vec<Vec<u8>>>) {
        if self.entries.is_empty() {
            // Creates the key, then trims the placeholder away.
            out.push(vec![
                b"XADD".to_vec(),
                key.to_vec(),
                b"MAXLEN".to_vec(),
                b"0".to_vec(),
                b"0-1".to_vec(),
                b"x".to_vec(),
                b"y".to_vec(),
            ]);
        }
        for (id, fields) in &self.entries {
            let mut argv = vec![b"XADD".to_vec(), key.to_vec(), id.to_bytes()];
            for (f, v) in fields {
                argv.push(f.clone());
                argv.push(v.clone());
            }
            out.push(argv);
        }
        out.push(vec![
            b"XSETID".to_vec(),
            key.to_vec(),
            self.last_id.to_bytes(),
            b"ENTRIESADDED".to_vec(),
            self.entries_added.to_string().into_bytes(),
            b"MAXDELETEDID".to_vec(),
            self.max_deleted_id.to_bytes(),
        ]);
        for (name, g) in &self.groups {
            let mut argv =
                vec![b"XGROUP".to_vec(), b"CREATE".to_vec(), key.to_vec(), name.clone(), g.last_id.to_bytes()];
            if g.entries_read != ENTRIES_READ_INVALID {
                argv.push(b"ENTRIESREAD".to_vec());
                argv.push(g.entries_read.to_string().into_bytes());
            }
            out.push(argv);
            for cname in g.consumers.keys() {
                out.push(vec![
                    b"XGROUP".to_vec(),
                    b"CREATECONSUMER".to_vec(),
                    key.to_vec(),
                    name.clone(),
                    cname.clone(),
                ]);
            }
            for (id, nack) in &g.pel {
                out.push(vec![
                    b"XCLAIM".to_vec(),
                    key.to_vec(),
                    name.clone(),
                    nack.consumer.clone(),
                    b"0".to_vec(),
                    id.to_bytes(),
                    b"TIME".to_vec(),
                    nack.delivery_time.to_string().into_bytes(),
                    b"RETRYCOUNT".to_vec(),
                    nack.delivery_count.to_string().into_bytes(),
                    b"FORCE".to_vec(),
                    b"JUSTID".to_vec(),
                ]);
            }
        }
    }

    // ----- reading ---------------------------------------------------------

    pub fn get(&self, id: StreamId) -> Option<&Fields> {
        self.entries.get(&id)
    }

    pub fn contains(&self, id: StreamId) -> bool {
        self.entries.contains_key(&id)
    }

    /// Entries with `start <= id <= end`, oldest first (or newest first
    /// with `rev`), at most `count` of them (0 = all).
    pub fn range(&self, start: StreamId, end: StreamId, rev: bool, count: usize) -> Vec<(StreamId, &Fields)> {
        if start > end {
            return Vec::new();
        }
        let limit = if count == 0 { usize::MAX } else { count };
        let it = self.entries.range(start..=end).map(|(id, f)| (*id, f));
        if rev {
            it.rev().take(limit).collect()
        } else {
            it.take(limit).collect()
        }
    }

    /// The last live entry's id (0-0 when empty).
    pub fn last_valid_id(&self) -> StreamId {
        self.entries.keys().next_back().copied().unwrap_or(StreamId::MIN)
    }

    /// Number of radix-tree keys (listpack nodes).
    pub fn radix_tree_keys(&self) -> usize {
        self.nodes.len()
    }

    /// Number of radix-tree nodes Redis's compressed tree would hold.
    pub fn radix_tree_nodes(&self) -> usize {
        let keys: Vec<[u8; 16]> = self.nodes.keys().map(|k| k.encode()).collect();
        if keys.is_empty() {
            return 1;
        }
        rax_nodes(&keys, 0)
    }

    // ----- writing ---------------------------------------------------------

    /// Appends an entry whose id is known to be greater than `last_id`.
    pub fn append(&mut self, id: StreamId, fields: Fields, node_max_bytes: u64, node_max_entries: u64) {
        let total_len: usize = fields.iter().map(|(f, v)| f.len() + v.len()).sum();
        let max_bytes = match node_max_bytes as usize {
            0 => LISTPACK_MAX_SIZE,
            b if b > LISTPACK_MAX_SIZE => LISTPACK_MAX_SIZE,
            b => b,
        };
        let needs_new = match self.nodes.values().next_back() {
            None => true,
            Some(tail) => {
                tail.bytes + total_len >= max_bytes
                    || (node_max_entries > 0 && tail.live + tail.deleted >= node_max_entries)
            }
        };
        if needs_new {
            let master_fields: Vec<Vec<u8>> = fields.iter().map(|(f, _)| f.clone()).collect();
            let mut bytes = LP_HEADER_AND_END + lp_int_size(0) + lp_int_size(0) + lp_int_size(fields.len() as i64);
            bytes += master_fields.iter().map(|f| lp_str_size(f)).sum::<usize>();
            bytes += lp_int_size(0);
            self.nodes.insert(id, Node { master_fields, live: 0, deleted: 0, bytes, last_id: id });
        }
        if let Some((&master, node)) = self.nodes.iter_mut().next_back() {
            let same_fields = node.master_fields.len() == fields.len()
                && node.master_fields.iter().zip(&fields).all(|(m, (f, _))| m == f);
            let mut size = lp_int_size(if same_fields { 2 } else { 0 });
            size += lp_int_size(id.ms.wrapping_sub(master.ms) as i64);
            size += lp_int_size(id.seq.wrapping_sub(master.seq) as i64);
            let mut lp_count = fields.len() as i64 + 3;
            if !same_fields {
                size += lp_int_size(fields.len() as i64);
                size += fields.iter().map(|(f, _)| lp_str_size(f)).sum::<usize>();
                lp_count += fields.len() as i64 + 1;
            }
            size += fields.iter().map(|(_, v)| lp_str_size(v)).sum::<usize>();
            size += lp_int_size(lp_count);
            node.bytes += size;
            node.bytes = node.bytes + lp_int_size(node.live as i64 + 1) - lp_int_size(node.live as i64);
            node.live += 1;
            node.last_id = id;
        }
        self.entries.insert(id, fields);
        self.entries_added += 1;
        self.last_id = id;
        if self.entries.len() == 1 {
            self.first_id = id;
        }
    }

    /// Marks one entry of its node deleted (Redis keeps a tombstone in the
    /// listpack); a node left with no live entry is dropped.
    fn tombstone(&mut self, id: StreamId, fields: Fields, drop_empty_node: bool) {
        let Some((&master, node)) = self.nodes.range_mut(..=id).next_back() else { return };
        if drop_empty_node && node.live <= 1 {
            let end = node.last_id;
            self.nodes.remove(&master);
            self.drop_tombstones(master, end);
            return;
        }
        self.tombstones.insert(id, fields);
        let old = lp_int_size(node.live as i64) + lp_int_size(node.deleted as i64);
        node.live = node.live.saturating_sub(1);
        node.deleted += 1;
        node.bytes = node.bytes + lp_int_size(node.live as i64) + lp_int_size(node.deleted as i64) - old;
    }

    /// XDEL of one id. Updates first id and max-deleted-entry-id like Redis.
    pub fn delete(&mut self, id: StreamId) -> bool {
        let Some(fields) = self.entries.remove(&id) else { return false };
        self.tombstone(id, fields, true);
        if id > self.max_deleted_id {
            self.max_deleted_id = id;
        }
        self.refresh_first_id();
        true
    }

    /// Forgets the tombstones of a node that left the tree.
    fn drop_tombstones(&mut self, master: StreamId, last: StreamId) {
        let ids: Vec<StreamId> = self.tombstones.range(master..=last).map(|(id, _)| *id).collect();
        for id in ids {
            self.tombstones.remove(&id);
        }
    }

    /// The listpack nodes as Redis holds them, oldest first: each node's
    /// master id and fields and every entry written into it, deleted ones
    /// (still flagged inside the listpack) included.
    pub fn nodes_view(&self) -> Vec<NodeView<'_>> {
        self.nodes
            .iter()
            .map(|(&master, node)| {
                let live = self.entries.range(master..=node.last_id).map(|(id, f)| (*id, f, false));
                let dead = self.tombstones.range(master..=node.last_id).map(|(id, f)| (*id, f, true));
                let mut entries: Vec<(StreamId, &Fields, bool)> = live.chain(dead).collect();
                entries.sort_by_key(|e| e.0);
                NodeView { master, master_fields: &node.master_fields, entries }
            })
            .collect()
    }

    /// A stream made of loaded nodes (ids increasing across them). The
    /// metadata (`last_id`, `first_id`, …, groups) is the caller's to set.
    pub fn from_nodes(nodes: Vec<LoadedNode>) -> StreamValue {
        let mut s = StreamValue::new();
        for n in nodes {
            let (mut live, mut deleted) = (0, 0);
            let last_id = n.entries.last().map_or(n.master, |e| e.0);
            for (id, fields, is_deleted) in n.entries {
                if is_deleted {
                    deleted += 1;
                    s.tombstones.insert(id, fields);
                } else {
                    live += 1;
                    s.entries.insert(id, fields);
                }
            }
            s.nodes.insert(n.master, Node { master_fields: n.master_fields, live, deleted, bytes: n.bytes, last_id });
        }
        s
    }

    fn refresh_first_id(&mut self) {
        self.first_id = self.entries.keys().next().copied().unwrap_or(StreamId::MIN);
    }

    /// Redis's `streamTrim`: removes whole nodes from the head while the
    /// strategy allows, then (exact mode only) entries inside the next node.
    /// `limit` bounds the entries removed (0 = no bound). Returns how many went.
    pub fn trim(&mut self, how: Trim, approx: bool, limit: u64) -> u64 {
        let mut deleted: u64 = 0;
        let mut guard = self.nodes.len() + 1;
        while guard > 0 {
            guard -= 1;
            if let Trim::MaxLen(max) = how {
                if self.entries.len() as u64 <= max {
                    break;
                }
            }
            let Some((&master, node)) = self.nodes.iter().next() else { break };
            let live = node.live;
            if limit > 0 && deleted + live > limit {
                break;
            }
            let remove_node = match how {
                Trim::MaxLen(max) => (self.entries.len() as u64).saturating_sub(live) >= max,
                Trim::MinId(min) => node.last_id < min,
            };
            let node_end = node.last_id;
            if remove_node {
                let ids: Vec<StreamId> = self.entries.range(master..=node_end).map(|(id, _)| *id).collect();
                for id in ids {
                    self.entries.remove(&id);
                }
                self.nodes.remove(&master);
                self.drop_tombstones(master, node_end);
                deleted += live;
                continue;
            }
            if approx {
                break;
            }
            let ids: Vec<StreamId> = self.entries.range(master..=node_end).map(|(id, _)| *id).collect();
            for id in ids {
                let stop = match how {
                    Trim::MaxLen(max) => self.entries.len() as u64 <= max,
                    Trim::MinId(min) => id >= min,
                };
                if stop {
                    break;
                }
                if let Some(fields) = self.entries.remove(&id) {
                    self.tombstone(id, fields, false);
                }
                deleted += 1;
            }
            break;
        }
        self.refresh_first_id();
        deleted
    }

    // ----- consumer-group bookkeeping --------------------------------------

    /// Redis's `streamRangeHasTombstones` for `[start, +inf]`.
    pub fn has_tombstones_from(&self, start: StreamId) -> bool {
        if self.entries.is_empty() || self.max_deleted_id.is_zero() {
            return false;
        }
        if self.first_id > self.max_deleted_id {
            return false;
        }
        start <= self.max_deleted_id
    }

    /// Redis's `streamEstimateDistanceFromFirstEverEntry`: the logical read
    /// counter of `id`, or -1 when it cannot be known.
    pub fn estimate_distance(&self, id: StreamId) -> i64 {
        if self.entries_added == 0 {
            return 0;
        }
        let added = self.entries_added as i64;
        if self.entries.is_empty() && id <= self.last_id {
            return added;
        }
        if id == self.last_id {
            return added;
        }
        if id > self.last_id {
            return ENTRIES_READ_INVALID;
        }
        if self.max_deleted_id.is_zero() || self.max_deleted_id < self.first_id {
            let len = self.entries.len() as i64;
            if id < self.first_id {
                return added.wrapping_sub(len);
            }
            if id == self.first_id {
                return added.wrapping_sub(len).wrapping_add(1);
            }
        }
        ENTRIES_READ_INVALID
    }

    /// The group's lag, or None when it cannot be computed.
    pub fn group_lag(&self, g: &Group) -> Option<i64> {
        if self.entries_added == 0 {
            return Some(0);
        }
        let added = self.entries_added as i64;
        if g.entries_read != ENTRIES_READ_INVALID && !self.has_tombstones_from(g.last_id) {
            return Some(added.wrapping_sub(g.entries_read));
        }
        match self.estimate_distance(g.last_id) {
            ENTRIES_READ_INVALID => None,
            read => Some(added.wrapping_sub(read)),
        }
    }

    /// XSETID: moves the last id (and, when given, the entries-added counter
    /// and max-deleted-entry-id; a 0-0 max-deleted id leaves it as it is).
    pub fn set_last_id(
        &mut self,
        id: StreamId,
        entries_added: Option<u64>,
        max_deleted: StreamId,
    ) -> Result<(), SetIdError> {
        if !self.is_empty() {
            if id < self.last_valid_id() {
                return Err(SetIdError::BelowTopItem);
            }
            if entries_added.is_some_and(|n| self.len() as u64 > n) {
                return Err(SetIdError::EntriesAddedBelowLength);
            }
        }
        self.last_id = id;
        if let Some(n) = entries_added {
            self.entries_added = n;
        }
        if !max_deleted.is_zero() {
            self.max_deleted_id = max_deleted;
        }
        Ok(())
    }

    /// The id `*` stands for at `now_ms`: that millisecond with sequence 0,
    /// or one past the last id when the clock is not ahead of it.
    pub fn auto_id(&self, now_ms: u64) -> StreamId {
        if now_ms > self.last_id.ms {
            StreamId::new(now_ms, 0)
        } else {
            self.last_id.next().unwrap_or(StreamId::MIN)
        }
    }

    /// The id `ms-*` stands for: sequence 0, or one past the last id's
    /// sequence when that is in the same millisecond. None when that
    /// sequence is already the largest.
    pub fn auto_seq_id(&self, ms: u64) -> Option<StreamId> {
        if self.last_id.ms == ms {
            self.last_id.seq.checked_add(1).map(|seq| StreamId::new(ms, seq))
        } else {
            Some(StreamId::new(ms, 0))
        }
    }

    /// XGROUP CREATE: a group whose last delivered id is `last_id`; false
    /// if a group of that name exists.
    pub fn create_group(&mut self, name: &[u8], last_id: StreamId, entries_read: i64) -> bool {
        if self.groups.contains_key(name) {
            return false;
        }
        self.groups.insert(name.to_vec(), Group::new(last_id, entries_read));
        true
    }

    /// XGROUP SETID: moves a group's last delivered id and entries-read;
    /// false if there is no such group.
    pub fn set_group_cursor(&mut self, name: &[u8], last_id: StreamId, entries_read: i64) -> bool {
        let Some(g) = self.groups.get_mut(name) else { return false };
        g.last_id = last_id;
        g.entries_read = entries_read;
        true
    }

    /// XGROUP DESTROY; false if there is no such group.
    pub fn destroy_group(&mut self, name: &[u8]) -> bool {
        self.groups.remove(name).is_some()
    }

    /// XREADGROUP on this stream for `consumer` of `group`: its own pending
    /// entries after an id (each counted as delivered again, if still in the
    /// stream), or up to `count` new entries (0 = all), which advance the
    /// group and, unless `noack`, become pending for the consumer. The
    /// consumer is created (and marked seen) only when there is something to
    /// serve. None when there is nothing to say for this stream.
    pub fn read_group(
        &mut self,
        group: &[u8],
        consumer: &[u8],
        want: ReadFrom,
        count: usize,
        noack: bool,
        now: i64,
    ) -> Option<Delivery> {
        let last_valid = self.last_valid_id();
        let has_entries = !self.is_empty();
        let grp = self.groups.get_mut(group)?;
        if want == ReadFrom::New && (!has_entries || last_valid <= grp.last_id) {
            return None;
        }
        let created_consumer = grp.touch_consumer(consumer, now);
        let limit = if count == 0 { usize::MAX } else { count };
        let ids = match want {
            ReadFrom::After(after) => {
                let start = after.next()?;
                let ids: Vec<StreamId> = grp
                    .consumers
                    .get(consumer)
                    .map(|c| c.pel.range(start..).take(limit).copied().collect())
                    .unwrap_or_default();
                for id in &ids {
                    if self.entries.contains_key(id) {
                        if let Some(n) = grp.pel.get_mut(id) {
                            n.delivery_time = now;
                            n.delivery_count += 1;
                        }
                    }
                }
                ids
            }
            ReadFrom::New => {
                let start = grp.last_id.next()?;
                let ids: Vec<StreamId> = self.entries.range(start..).take(limit).map(|(id, _)| *id).collect();
                for &id in &ids {
                    self.advance_group(group, id);
                    if !noack {
                        if let Some(grp) = self.groups.get_mut(group) {
                            grp.deliver(id, consumer, now);
                        }
                    }
                }
                ids
            }
        };
        Some(Delivery { ids, created_consumer })
    }

    /// XCLAIM: hands the pending entries `ids` of `group` to `consumer`
    /// under `rules`, after raising the group's last delivered id to
    /// `last_id` if that is higher. Ids no longer in the stream are dropped
    /// from the PEL. None if there is no such group.
    pub fn claim(
        &mut self,
        group: &[u8],
        consumer: &[u8],
        ids: &[StreamId],
        last_id: StreamId,
        rules: &ClaimRules,
        now: i64,
    ) -> Option<Claimed> {
        let entries = &self.entries;
        let g = self.groups.get_mut(group)?;
        let had_consumer = g.consumers.contains_key(consumer);
        if last_id > g.last_id {
            g.last_id = last_id;
        }
        let mut claimed = Vec::new();
        for &id in ids {
            if !entries.contains_key(&id) {
                g.remove_nack(id);
                continue;
            }
            let mut fresh = false;
            if rules.force && !g.pel.contains_key(&id) {
                g.pel.insert(id, Nack { delivery_time: now, delivery_count: 1, consumer: Vec::new() });
                fresh = true;
            }
            if g.claim_entry(id, consumer, rules, !fresh, now) {
                claimed.push(id);
            }
        }
        let created_consumer = !had_consumer && g.consumers.contains_key(consumer);
        Some(Claimed { ids: claimed, created_consumer })
    }

    /// One XAUTOCLAIM step: scans `group`'s PEL from `start`, looking at no
    /// more than ten times `count` entries, and claims for `consumer` up to
    /// `count` idle ones under `rules`. Entries gone from the stream are
    /// dropped from the PEL and count towards `count` too. None if there is
    /// no such group.
    pub fn autoclaim(
        &mut self,
        group: &[u8],
        consumer: &[u8],
        start: StreamId,
        count: i64,
        rules: &ClaimRules,
        now: i64,
    ) -> Option<AutoClaimed> {
        let entries = &self.entries;
        let g = self.groups.get_mut(group)?;
        let had_consumer = g.consumers.contains_key(consumer);
        let mut count = count;
        let mut attempts = count.saturating_mul(10);
        let scan: Vec<StreamId> = g
            .pel
            .range(start..)
            .map(|(id, _)| *id)
            .take(usize::try_from(attempts).unwrap_or(usize::MAX).saturating_add(1))
            .collect();
        let (mut claimed, mut deleted) = (Vec::new(), Vec::new());
        let mut pos = 0;
        while attempts > 0 && count > 0 && pos < scan.len() {
            attempts -= 1;
            let id = scan[pos];
            pos += 1;
            if !entries.contains_key(&id) {
                g.remove_nack(id);
                deleted.push(id);
                count -= 1;
            } else if g.claim_entry(id, consumer, rules, true, now) {
                claimed.push(id);
                count -= 1;
            }
        }
        let next = match scan.get(pos) {
            Some(next) => *next,
            None => match scan.last().and_then(|l| l.next()) {
                Some(after) => g.pel.range(after..).next().map(|(id, _)| *id).unwrap_or(StreamId::MIN),
                None => StreamId::MIN,
            },
        };
        let created_consumer = !had_consumer && g.consumers.contains_key(consumer);
        Some(AutoClaimed { next, claimed, deleted, created_consumer })
    }

    /// Advances a group past `id` as delivering it does (last id and entries-read).
    pub fn advance_group(&mut self, group: &[u8], id: StreamId) {
        let Some(g) = self.groups.get(group) else { return };
        if id <= g.last_id {
            return;
        }
        let read = if g.entries_read != ENTRIES_READ_INVALID && !self.has_tombstones_from(id) {
            Some(g.entries_read.wrapping_add(1))
        } else if self.entries_added > 0 {
            Some(self.estimate_distance(id))
        } else {
            None
        };
        if let Some(g) = self.groups.get_mut(group) {
            if let Some(r) = read {
                g.entries_read = r;
            }
            g.last_id = id;
        }
    }
}

/// Nodes of a compressed radix tree (Redis's rax) holding `keys` (sorted,
/// equal length), counted from a node at byte position `depth`.
fn rax_nodes(keys: &[[u8; 16]], depth: usize) -> usize {
    let Some(first) = keys.first() else { return 0 };
    if depth >= 16 {
        return 1;
    }
    let last = keys[keys.len() - 1];
    if first[depth] == last[depth] {
        // One way forward: a compressed node up to the next branch (or key end).
        let mut end = depth;
        while end < 16 && first[end] == last[end] {
            end += 1;
        }
        return 1 + rax_nodes(keys, end);
    }
    let mut total = 1;
    let mut start = 0;
    while start < keys.len() {
        let byte = keys[start][depth];
        let mut stop = start;
        while stop < keys.len() && keys[stop][depth] == byte {
            stop += 1;
        }
        total += rax_nodes(&keys[start..stop], depth + 1);
        start = stop;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(n: usize) -> Fields {
        (0..n).map(|i| (format!("f{i}").into_bytes(), b"v".to_vec())).collect()
    }

    #[test]
    fn nodes_split_at_max_entries_and_approx_trim_drops_whole_nodes() {
        let mut s = StreamValue::new();
        for i in 1..=350 {
            s.append(StreamId::new(i, 1), fields(1), 4096, 100);
        }
        assert_eq!(s.radix_tree_keys(), 4);
        assert_eq!(s.trim(Trim::MaxLen(10), true, 150), 100);
        assert_eq!(s.len(), 250);
        assert_eq!(s.trim(Trim::MaxLen(10), true, 200), 200);
        assert_eq!(s.len(), 50);
        assert_eq!(s.radix_tree_nodes(), 2);
        assert_eq!(s.trim(Trim::MaxLen(10), false, 0), 40);
        assert_eq!(s.first_id, StreamId::new(341, 1));
    }

    #[test]
    fn claiming_moves_pending_entries_and_drops_deleted_ones() {
        let mut s = StreamValue::new();
        for i in 1..=3 {
            s.append(StreamId::new(i, 0), fields(1), 4096, 100);
        }
        assert!(s.create_group(b"g", StreamId::MIN, ENTRIES_READ_INVALID));
        assert!(!s.create_group(b"g", StreamId::MIN, ENTRIES_READ_INVALID));
        let served = s.read_group(b"g", b"a", ReadFrom::New, 0, false, 100);
        assert_eq!(served.map(|d| (d.ids.len(), d.created_consumer)), Some((3, true)));
        let rules = ClaimRules { min_idle: 50, delivery_time: 200, retry_count: None, keep_count: false, force: false };
        // Idle for 10 ms only: nothing moves.
        let none = s.claim(b"g", b"b", &[StreamId::new(1, 0)], StreamId::MIN, &rules, 110);
        assert_eq!(none, Some(Claimed { ids: vec![], created_consumer: false }));
        s.delete(StreamId::new(2, 0));
        let claimed = s.claim(b"g", b"b", &[StreamId::new(1, 0), StreamId::new(2, 0)], StreamId::MIN, &rules, 200);
        assert_eq!(claimed, Some(Claimed { ids: vec![StreamId::new(1, 0)], created_consumer: true }));
        let g = &s.groups[b"g".as_slice()];
        assert_eq!(g.pel.len(), 2);
        assert_eq!(g.pel[&StreamId::new(1, 0)].delivery_count, 2);
        assert_eq!(g.consumers[b"b".as_slice()].pel.len(), 1);
        let rules = ClaimRules { min_idle: 0, delivery_time: 300, retry_count: None, keep_count: true, force: false };
        let step = s.autoclaim(b"g", b"c", StreamId::MIN, 1, &rules, 300).map(|a| (a.claimed, a.next));
        assert_eq!(step, Some((vec![StreamId::new(1, 0)], StreamId::new(3, 0))));
        let g = s.groups.get_mut(b"g".as_slice()).unwrap();
        assert_eq!(g.ack(&[StreamId::new(1, 0), StreamId::new(1, 0), StreamId::new(3, 0)]), 2);
        assert_eq!(g.delete_consumer(b"a"), Some(0));
        assert_eq!(g.delete_consumer(b"a"), None);
    }

    #[test]
    fn ids_step_across_edges() {
        assert_eq!(StreamId::new(1, u64::MAX).next(), Some(StreamId::new(2, 0)));
        assert_eq!(StreamId::MAX.next(), None);
        assert_eq!(StreamId::new(2, 0).prev(), Some(StreamId::new(1, u64::MAX)));
        assert_eq!(StreamId::MIN.prev(), None);
    }
}
