//! Writing values in Redis 7.0's RDB encodings (version 10), choosing the
//! encoding Redis would have in memory for the same contents: a listpack or
//! intset while the value is small, the plain form otherwise.

use super::{intset, kind, listpack, lzf, EncodeError};
use crate::types::{HashValue, ListValue, SetValue, ZSetValue};
use crate::value::Value;

/// Settings that change how values are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// `rdbcompression`: LZF for strings longer than 20 bytes.
    pub compress: bool,
    /// `list-max-listpack-size`: how full a quicklist node may get.
    pub list_fill: i64,
    /// `list-compress-depth`: quicklist nodes kept plain at each end; the
    /// ones between are LZF-compressed (when that saves enough).
    pub list_compress_depth: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { compress: true, list_fill: -2, list_compress_depth: 0 }
    }
}

impl Options {
    pub fn from_config(config: &crate::config::Config) -> Options {
        let compress = config.extra.get("rdbcompression").is_none_or(|v| v != "no");
        let list_compress_depth = usize::try_from(config.list_compress_depth).unwrap_or(0);
        Options { compress, list_fill: config.list_max_listpack_size, list_compress_depth }
    }
}

/// A length: 6 bits, 14 bits (big-endian), or a marker byte and 32 or 64
/// bits big-endian.
pub fn write_len(out: &mut Vec<u8>, len: u64) {
    if len < 1 << 6 {
        out.push(len as u8);
    } else if len < 1 << 14 {
        out.extend_from_slice(&[0x40 | (len >> 8) as u8, len as u8]);
    } else if len <= u32::MAX as u64 {
        out.push(0x80);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    } else {
        out.push(0x81);
        out.extend_from_slice(&len.to_be_bytes());
    }
}

/// A string as Redis's `rdbSaveRawString` writes it: short canonical
/// integers that fit 32 bits as 8/16/32-bit integers, strings over 20
/// bytes LZF-compressed when that saves at least 4 bytes, else raw.
pub fn write_string(out: &mut Vec<u8>, bytes: &[u8], opts: &Options) {
    if bytes.len() <= 11 {
        if let Some(v) = crate::float::parse_i64(bytes) {
            if let Ok(v) = i8::try_from(v) {
                out.extend_from_slice(&[0xC0, v as u8]);
                return;
            }
            if let Ok(v) = i16::try_from(v) {
                out.push(0xC1);
                out.extend_from_slice(&v.to_le_bytes());
                return;
            }
            if let Ok(v) = i32::try_from(v) {
                out.push(0xC2);
                out.extend_from_slice(&v.to_le_bytes());
                return;
            }
        }
    }
    if opts.compress && bytes.len() > 20 {
        if let Some(packed) = lzf::compress(bytes, bytes.len() - 4) {
            out.push(0xC3);
            write_len(out, packed.len() as u64);
            write_len(out, bytes.len() as u64);
            out.extend_from_slice(&packed);
            return;
        }
    }
    write_len(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// Redis 7.0's `d2string`, used for sorted-set scores inside listpacks:
/// integral values within ±2^62 as integers (so `-0` becomes `0`), others
/// `%.17g` (`inf`, `-inf`).
pub fn score_text(score: f64) -> String {
    const LIMIT: f64 = (i64::MAX / 2) as f64;
    if score.is_finite() && (-LIMIT..=LIMIT).contains(&score) && score.fract() == 0.0 {
        return (score as i64).to_string();
    }
    crate::float::format_double(score)
}

/// Writes the type byte and the encoded value.
pub fn write_value(out: &mut Vec<u8>, value: &Value, opts: &Options) -> Result<(), EncodeError> {
    match value {
        Value::String(s) => {
            out.push(kind::STRING);
            write_string(out, s.as_bytes(), opts);
        }
        Value::List(l) => write_list(out, l, opts),
        Value::Set(s) => write_set(out, s, opts),
        Value::Hash(h) => write_hash(out, h, opts),
        Value::ZSet(z) => write_zset(out, z, opts),
        Value::Stream(s) => super::stream::write_stream(out, s, opts),
    }
    Ok(())
}

/// Node size limits of negative `list-max-listpack-size` values (-1‥-5).
const NODE_BYTES: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
/// Nodes bounded by element count still stop growing at this size.
const NODE_SAFETY_LIMIT: usize = 8192;
/// Redis's estimate of an entry's overhead when deciding whether it fits.
const ENTRY_OVERHEAD_ESTIMATE: usize = 8;

/// Whether a node of `node_bytes` holding `count` elements takes one more
/// of `len` bytes (quicklist's insertion rule).
fn node_takes(fill: i64, node_bytes: usize, count: usize, len: usize) -> bool {
    let fill = fill.clamp(-5, (1 << 15) - 1);
    let new_size = node_bytes + len + ENTRY_OVERHEAD_ESTIMATE;
    if fill < 0 {
        return new_size <= NODE_BYTES[(-fill - 1) as usize];
    }
    new_size <= NODE_SAFETY_LIMIT && (count as i64) < fill
}

/// The quicklist nodes Redis builds by pushing the elements one by one at
/// the tail (node boundaries of lists built otherwise may differ).
pub fn list_nodes(list: &ListValue, fill: i64) -> Vec<Vec<u8>> {
    let mut nodes = Vec::new();
    let mut current: Option<listpack::Listpack> = None;
    for element in list.iter() {
        let node = match current.take() {
            Some(node) if node_takes(fill, node.total_bytes(), node.count(), element.len()) => node,
            Some(full) => {
                nodes.push(full.finish());
                listpack::Listpack::new()
            }
            None => listpack::Listpack::new(),
        };
        let mut node = node;
        node.push(element);
        current = Some(node);
    }
    nodes.extend(current.map(listpack::Listpack::finish));
    nodes
}

/// Quicklist nodes smaller than this are never compressed.
const MIN_COMPRESS_BYTES: usize = 48;
/// A compressed node must be at least this much smaller than the plain one.
const MIN_COMPRESS_IMPROVE: usize = 8;

/// A middle node as quicklist compresses it, if it does.
fn compressed_node(node: &[u8]) -> Option<Vec<u8>> {
    if node.len() < MIN_COMPRESS_BYTES {
        return None;
    }
    lzf::compress(node, node.len()).filter(|packed| packed.len() + MIN_COMPRESS_IMPROVE < node.len())
}

/// QUICKLIST_2: node count, then per node its container (2 = packed) and
/// its listpack as a string. With a compress depth `d`, nodes other than
/// the first and last `d` are held LZF-compressed and written as they are
/// held (an LZF string of the quicklist's own compression, whatever
/// `rdbcompression` says).
fn write_list(out: &mut Vec<u8>, list: &ListValue, opts: &Options) {
    out.push(kind::LIST_QUICKLIST_2);
    let nodes = list_nodes(list, opts.list_fill);
    write_len(out, nodes.len() as u64);
    let depth = opts.list_compress_depth;
    let count = nodes.len();
    for (i, node) in nodes.iter().enumerate() {
        write_len(out, 2);
        let middle = depth > 0 && count >= 2 * depth && i >= depth && i < count - depth;
        match middle.then(|| compressed_node(node)).flatten() {
            Some(packed) => {
                out.push(0xC3);
                write_len(out, packed.len() as u64);
                write_len(out, node.len() as u64);
                out.extend_from_slice(&packed);
            }
            None => write_string(out, node, opts),
        }
    }
}

fn write_set(out: &mut Vec<u8>, set: &SetValue, opts: &Options) {
    let members = set.members();
    let ints: Option<Vec<i64>> =
        set.is_intset().then(|| members.iter().map(|m| crate::float::parse_i64(m)).collect()).flatten();
    match ints {
        Some(ints) => {
            out.push(kind::SET_INTSET);
            write_string(out, &intset::build(&ints, 2), opts);
        }
        None => {
            out.push(kind::SET);
            write_len(out, members.len() as u64);
            for m in &members {
                write_string(out, m, opts);
            }
        }
    }
}

fn write_hash(out: &mut Vec<u8>, hash: &HashValue, opts: &Options) {
    if hash.is_listpack() {
        out.push(kind::HASH_LISTPACK);
        let lp = listpack::build(hash.iter().flat_map(|(f, v)| [f, v]));
        write_string(out, &lp, opts);
    } else {
        out.push(kind::HASH);
        write_len(out, hash.len() as u64);
        for (f, v) in hash.iter() {
            write_string(out, f, opts);
            write_string(out, v, opts);
        }
    }
}

fn write_zset(out: &mut Vec<u8>, zset: &ZSetValue, opts: &Options) {
    let ranked = zset.ranked();
    if zset.is_listpack() {
        out.push(kind::ZSET_LISTPACK);
        let mut lp = listpack::Listpack::new();
        for (member, score) in &ranked {
            lp.push(member);
            lp.push(score_text(*score).as_bytes());
        }
        write_string(out, &lp.finish(), opts);
    } else {
        // Highest score first, so that loading is a series of appends.
        out.push(kind::ZSET_2);
        write_len(out, ranked.len() as u64);
        for (member, score) in ranked.iter().rev() {
            write_string(out, member, opts);
            out.extend_from_slice(&score.to_le_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths() {
        let enc = |n: u64| {
            let mut v = Vec::new();
            write_len(&mut v, n);
            v
        };
        assert_eq!(enc(63), [63]);
        assert_eq!(enc(64), [0x40, 64]);
        assert_eq!(enc(16383), [0x7f, 0xff]);
        assert_eq!(enc(16384), [0x80, 0, 0, 0x40, 0]);
        assert_eq!(enc(1 << 32), [0x81, 0, 0, 0, 1, 0, 0, 0, 0]);
    }

    #[test]
    fn strings() {
        let enc = |s: &[u8]| {
            let mut v = Vec::new();
            write_string(&mut v, s, &Options::default());
            v
        };
        assert_eq!(enc(b"5"), [0xC0, 5]);
        assert_eq!(enc(b"-129"), [0xC1, 0x7f, 0xff]);
        assert_eq!(enc(b"2147483647"), [0xC2, 0xff, 0xff, 0xff, 0x7f]);
        assert_eq!(enc(b"2147483648"), b"\x0a2147483648");
        assert_eq!(enc(b"007"), b"\x03007");
        assert_eq!(enc(b"hello"), b"\x05hello");
        assert_eq!(enc(&[b'x'; 21])[0], 0xC3);
    }

    #[test]
    fn scores_as_redis_prints_them() {
        assert_eq!(score_text(3.0), "3");
        assert_eq!(score_text(-0.0), "0");
        assert_eq!(score_text(123456789012345678.0), "123456789012345680");
        assert_eq!(score_text(1.5e300), "1.5000000000000001e+300");
        assert_eq!(score_text(0.1), "0.10000000000000001");
        assert_eq!(score_text(1e20), "1e+20");
        assert_eq!(score_text(f64::INFINITY), "inf");
        assert_eq!(score_text(4503599627370496.0), "4503599627370496");
    }

    #[test]
    fn quicklist_nodes_follow_the_fill() {
        let list = ListValue::from_items((0..10).map(|i| format!("e{i}").into_bytes()));
        assert_eq!(list_nodes(&list, 3).len(), 4);
        assert_eq!(list_nodes(&list, -2).len(), 1);
        assert_eq!(list_nodes(&list, 0).len(), 10);
        let big = ListValue::from_items((0..10).map(|_| vec![b'x'; 1000]));
        assert_eq!(list_nodes(&big, -1).len(), 3, "4 KiB nodes take 4, 4 and 2 elements");
    }
}
