//! Streams in RDB form. Redis 7.0 writes STREAM_LISTPACKS_2 (type 19):
//!
//! - the radix tree: node count, then per node its master id (16 bytes,
//!   big-endian ms and seq, as a string) and its listpack (a string, so
//!   LZF-compressed when that pays). A node's listpack holds the master
//!   entry — live count, deleted count, field count, the field names, `0` —
//!   then every entry written into the node: flags (1 deleted, 2 same
//!   fields as the master), ms and seq deltas from the master id, the field
//!   count and names unless "same fields", the values, and the number of
//!   listpack elements the entry used before this one (its `lp-count`);
//! - length, last id, first id, max deleted id, entries added (lengths);
//! - groups: count, then per group its name, last id, entries read (-1 as
//!   a 64-bit length), its PEL (count, then per entry the raw 16-byte id,
//!   delivery time as u64 LE milliseconds and delivery count) and its
//!   consumers (count, then name, seen time u64 LE, and their PEL ids).
//!
//! The older STREAM_LISTPACKS (type 15) lacks the first id, max deleted id,
//! entries added and the groups' entries read; loading derives them as
//! Redis does.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::decode::Reader;
use super::encode::{write_len, write_string, Options};
use super::{kind, listpack};
use crate::float::parse_i64;
use crate::types::stream::{Consumer, Fields, Group, LoadedNode, Nack, NodeView, StreamId, StreamValue};

const FLAG_DELETED: i64 = 1;
const FLAG_SAME_FIELDS: i64 = 2;

fn raw_id(id: StreamId) -> [u8; 16] {
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&id.ms.to_be_bytes());
    out[8..].copy_from_slice(&id.seq.to_be_bytes());
    out
}

fn id_from_raw(raw: &[u8]) -> Option<StreamId> {
    let ms = u64::from_be_bytes(raw.get(..8)?.try_into().ok()?);
    let seq = u64::from_be_bytes(raw.get(8..16)?.try_into().ok()?);
    (raw.len() == 16).then_some(StreamId::new(ms, seq))
}

fn push_int(lp: &mut listpack::Listpack, v: i64) {
    lp.push(v.to_string().as_bytes());
}

fn same_fields(master: &[Vec<u8>], fields: &Fields) -> bool {
    master.len() == fields.len() && master.iter().zip(fields).all(|(m, (f, _))| m == f)
}

/// The listpack of one node, element for element as Redis builds it.
pub fn node_listpack(node: &NodeView) -> Vec<u8> {
    let mut lp = listpack::Listpack::new();
    let deleted = node.entries.iter().filter(|e| e.2).count();
    push_int(&mut lp, (node.entries.len() - deleted) as i64);
    push_int(&mut lp, deleted as i64);
    push_int(&mut lp, node.master_fields.len() as i64);
    for f in node.master_fields {
        lp.push(f);
    }
    push_int(&mut lp, 0);
    for (id, fields, is_deleted) in &node.entries {
        let same = same_fields(node.master_fields, fields);
        let flags = if same { FLAG_SAME_FIELDS } else { 0 } | if *is_deleted { FLAG_DELETED } else { 0 };
        push_int(&mut lp, flags);
        push_int(&mut lp, id.ms.wrapping_sub(node.master.ms) as i64);
        push_int(&mut lp, id.seq.wrapping_sub(node.master.seq) as i64);
        let n = fields.len() as i64;
        if same {
            for (_, v) in fields.iter() {
                lp.push(v);
            }
        } else {
            push_int(&mut lp, n);
            for (f, v) in fields.iter() {
                lp.push(f);
                lp.push(v);
            }
        }
        push_int(&mut lp, if same { n + 3 } else { 2 * n + 4 });
    }
    lp.finish()
}

fn write_id(out: &mut Vec<u8>, id: StreamId) {
    write_len(out, id.ms);
    write_len(out, id.seq);
}

/// Writes a stream as STREAM_LISTPACKS_2 (the type byte included).
pub fn write_stream(out: &mut Vec<u8>, s: &StreamValue, opts: &Options) {
    out.push(kind::STREAM_LISTPACKS_2);
    let nodes = s.nodes_view();
    write_len(out, nodes.len() as u64);
    for node in &nodes {
        write_string(out, &raw_id(node.master), opts);
        write_string(out, &node_listpack(node), opts);
    }
    write_len(out, s.len() as u64);
    write_id(out, s.last_id);
    write_id(out, s.first_id);
    write_id(out, s.max_deleted_id);
    write_len(out, s.entries_added);
    write_len(out, s.groups.len() as u64);
    for (name, g) in &s.groups {
        write_string(out, name, opts);
        write_id(out, g.last_id);
        write_len(out, g.entries_read as u64);
        write_len(out, g.pel.len() as u64);
        for (id, nack) in &g.pel {
            out.extend_from_slice(&raw_id(*id));
            out.extend_from_slice(&nack.delivery_time.to_le_bytes());
            write_len(out, nack.delivery_count);
        }
        write_len(out, g.consumers.len() as u64);
        for (cname, c) in &g.consumers {
            write_string(out, cname, opts);
            out.extend_from_slice(&c.seen_time.to_le_bytes());
            write_len(out, c.pel.len() as u64);
            for id in &c.pel {
                out.extend_from_slice(&raw_id(*id));
            }
        }
    }
}

/// Reads one node's listpack, checking it completely: the master entry,
/// every entry's flags, deltas, field counts and lp-count, the live and
/// deleted counts, and ids that start at the master id and increase past
/// `after` (the previous node's last id).
fn read_node(master: StreamId, blob: &[u8], after: Option<StreamId>) -> Option<LoadedNode> {
    let mut items = listpack::parse(blob)?.into_iter();
    let count =
        |items: &mut std::vec::IntoIter<Vec<u8>>| -> Option<u64> { u64::try_from(parse_i64(&items.next()?)?).ok() };
    let live = count(&mut items)?;
    let deleted = count(&mut items)?;
    let master_count = count(&mut items)?;
    let master_fields = (0..master_count).map(|_| items.next()).collect::<Option<Vec<_>>>()?;
    if count(&mut items)? != 0 {
        return None;
    }
    let mut entries: Vec<(StreamId, Fields, bool)> = Vec::new();
    let mut prev = after;
    while let Some(flags) = items.next() {
        let flags = parse_i64(&flags).filter(|f| (0..=3).contains(f))?;
        let ms = master.ms.wrapping_add(parse_i64(&items.next()?)? as u64);
        let seq = master.seq.wrapping_add(parse_i64(&items.next()?)? as u64);
        let id = StreamId::new(ms, seq);
        let first = entries.is_empty();
        if (first && id != master) || prev.is_some_and(|p| id <= p) {
            return None;
        }
        prev = Some(id);
        let same = flags & FLAG_SAME_FIELDS != 0;
        let fields: Fields = if same {
            master_fields.iter().map(|f| Some((f.clone(), items.next()?))).collect::<Option<_>>()?
        } else {
            let n = count(&mut items)?;
            (0..n).map(|_| Some((items.next()?, items.next()?))).collect::<Option<_>>()?
        };
        let n = fields.len() as u64;
        let expected = if same { n + 3 } else { 2 * n + 4 };
        if count(&mut items)? != expected {
            return None;
        }
        entries.push((id, fields, flags & FLAG_DELETED != 0));
    }
    let dead = entries.iter().filter(|e| e.2).count() as u64;
    if entries.is_empty() || dead != deleted || entries.len() as u64 - dead != live {
        return None;
    }
    Some(LoadedNode { master, master_fields, entries, bytes: blob.len() })
}

fn read_id(r: &mut Reader) -> Option<StreamId> {
    Some(StreamId::new(r.length()?, r.length()?))
}

fn read_raw_id(r: &mut Reader) -> Option<StreamId> {
    id_from_raw(r.take(16)?)
}

/// Reads a stream of type `kind` (STREAM_LISTPACKS or STREAM_LISTPACKS_2),
/// refusing anything inconsistent: node keys that are not 16-byte ids,
/// malformed or empty nodes, ids out of order, a length that disagrees
/// with the nodes, a last id below a live entry, duplicate groups, consumers
/// or PEL entries, a consumer's pending id missing from its group's PEL,
/// owned twice, or a group PEL entry that no consumer owns.
pub fn read_stream(r: &mut Reader, kind: u8) -> Option<StreamValue> {
    let v2 = kind == kind::STREAM_LISTPACKS_2;
    let node_count = r.length()?;
    let mut nodes: Vec<LoadedNode> = Vec::new();
    let mut last_seen: Option<StreamId> = None;
    for _ in 0..node_count {
        let master = id_from_raw(&r.string()?)?;
        let node = read_node(master, &r.string()?, last_seen)?;
        last_seen = node.entries.last().map(|e| e.0);
        nodes.push(node);
    }
    let live: Vec<StreamId> = nodes.iter().flat_map(|n| n.entries.iter().filter(|e| !e.2).map(|e| e.0)).collect();
    let length = r.length()?;
    let last_id = read_id(r)?;
    // XSETID may leave the last id below a deleted entry, never below a live one.
    if length != live.len() as u64 || live.last().is_some_and(|id| *id > last_id) {
        return None;
    }
    let mut s = StreamValue::from_nodes(nodes);
    s.last_id = last_id;
    if v2 {
        s.first_id = read_id(r)?;
        s.max_deleted_id = read_id(r)?;
        s.entries_added = r.length()?;
    } else {
        s.first_id = s.range(StreamId::MIN, StreamId::MAX, false, 1).first().map_or(StreamId::MAX, |e| e.0);
        s.entries_added = length;
    }
    if s.entries_added < length || s.entries_added > i64::MAX as u64 {
        return None;
    }
    let group_count = r.length()?;
    for _ in 0..group_count {
        let name = r.string()?;
        let group_last = read_id(r)?;
        let entries_read = if v2 { r.length()? as i64 } else { s.estimate_distance(group_last) };
        if entries_read < -1 || s.groups.contains_key(&name) {
            return None;
        }
        let group = read_group(r, Group::new(group_last, entries_read))?;
        s.groups.insert(name, group);
    }
    Some(s)
}

/// A group's PEL and consumers.
fn read_group(r: &mut Reader, mut group: Group) -> Option<Group> {
    let pel_count = r.length()?;
    let mut pel = BTreeMap::new();
    for _ in 0..pel_count {
        let id = read_raw_id(r)?;
        let delivery_time = r.u64_le()? as i64;
        let delivery_count = r.length()?;
        let nack = Nack { delivery_time, delivery_count, consumer: Vec::new() };
        if pel.insert(id, nack).is_some() {
            return None;
        }
    }
    let mut owned = HashSet::new();
    let consumer_count = r.length()?;
    let mut consumers = BTreeMap::new();
    for _ in 0..consumer_count {
        let name = r.string()?;
        let seen_time = r.u64_le()? as i64;
        let mut own = BTreeSet::new();
        for _ in 0..r.length()? {
            let id = read_raw_id(r)?;
            let nack: &mut Nack = pel.get_mut(&id)?;
            if !owned.insert(id) || !own.insert(id) {
                return None;
            }
            nack.consumer = name.clone();
        }
        if consumers.insert(name, Consumer { seen_time, pel: own }).is_some() {
            return None;
        }
    }
    if owned.len() != pel.len() {
        return None;
    }
    group.pel = pel;
    group.consumers = consumers;
    Some(group)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs.iter().map(|(f, v)| (f.as_bytes().to_vec(), v.as_bytes().to_vec())).collect()
    }

    fn dump(s: &StreamValue) -> Vec<u8> {
        let mut out = Vec::new();
        write_stream(&mut out, s, &Options::default());
        out
    }

    #[test]
    fn matches_redis_after_xdel() {
        // XADD s 1-1 a 1 b 2; XADD s 1-2 a 3 b 4; XADD s 2-0 c 5; XDEL s 1-2
        // on redis-server 7.0.15: DUMP s without the version and CRC.
        let mut s = StreamValue::new();
        s.append(StreamId::new(1, 1), fields(&[("a", "1"), ("b", "2")]), 4096, 100);
        s.append(StreamId::new(1, 2), fields(&[("a", "3"), ("b", "4")]), 4096, 100);
        s.append(StreamId::new(2, 0), fields(&[("c", "5")]), 4096, 100);
        s.delete(StreamId::new(1, 2));
        let expected: &[u8] = b"\x13\x01\x10\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01\
\xc38=\x12=\x00\x00\x00\x19\x00\x02\x01\x01\x01\x02\x01\x81a\x02\x81b\x02\x00 \t\x00\x00 \x01@\x11\x02\x05\
\x01\x03`\t\x02\x03\x01\x04 \x0b@\x13\x01\xdf\xff +\x07\x81c\x02\x05\x01\x06\x01\xff\x02\x02\x00\x01\x01\x01\
\x02\x03\x00";
        assert_eq!(dump(&s), expected);
        let mut r = Reader::new(&expected[1..]);
        let back = read_stream(&mut r, kind::STREAM_LISTPACKS_2).unwrap();
        assert_eq!(r.remaining(), 0);
        assert_eq!(dump(&back), expected);
        assert_eq!(back.entries_view(), s.entries_view());
    }

    #[test]
    fn groups_round_trip_and_corruption_is_refused() {
        let mut s = StreamValue::new();
        for i in 1..=5 {
            s.append(StreamId::new(i, 0), fields(&[("f", "v")]), 4096, 2);
        }
        s.create_group(b"g", StreamId::new(3, 0), 3);
        let g = s.groups.get_mut(&b"g"[..]).unwrap();
        g.create_consumer(b"alice", 1000);
        g.deliver(StreamId::new(2, 0), b"alice", 2000);
        g.deliver(StreamId::new(3, 0), b"alice", 3000);
        let bytes = dump(&s);
        let back = read_stream(&mut Reader::new(&bytes[1..]), kind::STREAM_LISTPACKS_2).unwrap();
        assert_eq!(dump(&back), bytes);
        assert_eq!(back.radix_tree_keys(), 3);
        for cut in 1..bytes.len() {
            assert!(read_stream(&mut Reader::new(&bytes[1..cut]), kind::STREAM_LISTPACKS_2).is_none(), "{cut}");
        }
        for i in 1..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x41;
            let _ = read_stream(&mut Reader::new(&bad[1..]), kind::STREAM_LISTPACKS_2);
        }
    }
}
