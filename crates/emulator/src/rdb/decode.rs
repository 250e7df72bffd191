//! Reading values in any encoding Redis 7.0 loads for strings, lists, sets,
//! sorted sets, hashes and streams (see [`super::stream`]). Every length
//! is checked against the bytes that remain before anything is allocated,
//! every compact blob is validated completely (Redis checks deeply only
//! with `sanitize-dump-payload yes`), and duplicates are refused: a
//! malformed payload gives `None`, never a panic and never a half-built
//! value. An empty collection is refused by [`read_value`] (RESTORE) and
//! reported as such by [`read_object`] (loading a file skips it).

use std::collections::HashSet;

use super::{intset, kind, listpack, lzf, ziplist};
use crate::types::hash::HashLimits;
use crate::types::{HashValue, ListValue, SetValue, ZSetValue};
use crate::value::Value;

/// Largest string a payload may expand to (Redis's `proto-max-bulk-len` default).
const MAX_STRING: u64 = 512 * 1024 * 1024;

/// The configured thresholds that decide a loaded value's encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub hash: HashLimits,
    pub set_max_intset: usize,
    pub zset_max_entries: usize,
    pub zset_max_value: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits::from_config(&crate::config::Config::default())
    }
}

impl Limits {
    pub fn from_config(config: &crate::config::Config) -> Limits {
        Limits {
            hash: HashLimits::from_config(config),
            set_max_intset: config.set_max_intset_entries,
            zset_max_entries: config.zset_max_listpack_entries,
            zset_max_value: config.zset_max_listpack_value,
        }
    }
}

/// A cursor over RDB bytes.
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

/// A length field, or the marker of a specially encoded string.
enum Len {
    Plain(u64),
    Special(u8),
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Reader<'a> {
        Reader { data, pos: 0 }
    }

    /// Bytes read so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    pub fn byte(&mut self) -> Option<u8> {
        let b = *self.data.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    pub fn take(&mut self, n: u64) -> Option<&'a [u8]> {
        let n = usize::try_from(n).ok().filter(|&n| n <= self.remaining())?;
        let bytes = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Some(bytes)
    }

    pub fn u32_le(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    pub fn u64_le(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn len_field(&mut self) -> Option<Len> {
        let first = self.byte()?;
        Some(match first >> 6 {
            0 => Len::Plain(first as u64 & 0x3f),
            1 => Len::Plain((first as u64 & 0x3f) << 8 | self.byte()? as u64),
            2 => match first {
                0x80 => Len::Plain(u32::from_be_bytes(self.take(4)?.try_into().ok()?) as u64),
                0x81 => Len::Plain(u64::from_be_bytes(self.take(8)?.try_into().ok()?)),
                _ => return None,
            },
            _ => Len::Special(first & 0x3f),
        })
    }

    /// A plain length (an encoded-string marker here is an error).
    pub fn length(&mut self) -> Option<u64> {
        match self.len_field()? {
            Len::Plain(n) => Some(n),
            Len::Special(_) => None,
        }
    }

    /// A string in any of its encodings: raw, 8/16/32-bit integer or LZF.
    pub fn string(&mut self) -> Option<Vec<u8>> {
        match self.len_field()? {
            Len::Plain(n) => Some(self.take(n)?.to_vec()),
            Len::Special(0) => Some((self.byte()? as i8).to_string().into_bytes()),
            Len::Special(1) => Some(i16::from_le_bytes(self.take(2)?.try_into().ok()?).to_string().into_bytes()),
            Len::Special(2) => Some(i32::from_le_bytes(self.take(4)?.try_into().ok()?).to_string().into_bytes()),
            Len::Special(3) => {
                let packed_len = self.length()?;
                let len = self.length()?;
                // A back reference of 3 bytes expands to at most 264.
                if len == 0 || len > MAX_STRING || len > packed_len.saturating_mul(90) {
                    return None;
                }
                lzf::decompress(self.take(packed_len)?, len as usize)
            }
            Len::Special(_) => None,
        }
    }

    /// A sorted-set score of the old ZSET type: a length byte (253 NaN,
    /// 254 +inf, 255 -inf) then the number as text.
    fn text_double(&mut self) -> Option<f64> {
        match self.byte()? {
            253 => Some(f64::NAN),
            254 => Some(f64::INFINITY),
            255 => Some(f64::NEG_INFINITY),
            n => std::str::from_utf8(self.take(n as u64)?).ok()?.trim().parse().ok(),
        }
    }

    fn binary_double(&mut self) -> Option<f64> {
        Some(f64::from_bits(self.u64_le()?))
    }
}

/// Reads a value of type `kind` (an empty collection is refused, as
/// RESTORE refuses it).
pub fn read_value(r: &mut Reader, kind: u8, limits: &Limits) -> Option<Value> {
    read_object(r, kind, limits)?
}

/// Reads a value of type `kind`: `None` if malformed, `Some(None)` for a
/// well-formed empty collection (which loading a file skips, as Redis does).
pub fn read_object(r: &mut Reader, kind: u8, limits: &Limits) -> Option<Option<Value>> {
    match kind {
        kind::STRING => Some(Some(Value::string(r.string()?))),
        kind::LIST => {
            let count = r.length()?;
            let items = (0..count).map(|_| r.string()).collect::<Option<Vec<_>>>()?;
            list(items)
        }
        kind::LIST_ZIPLIST => list(ziplist::parse(&r.string()?)?),
        kind::LIST_QUICKLIST | kind::LIST_QUICKLIST_2 => {
            let nodes = r.length()?;
            let mut items = Vec::new();
            // A node's blob is never empty (Redis refuses a zero-length one,
            // even for a plain node holding one element).
            let blob = |r: &mut Reader| r.string().filter(|b| !b.is_empty());
            for _ in 0..nodes {
                if kind == kind::LIST_QUICKLIST {
                    items.extend(ziplist::parse(&blob(r)?)?);
                    continue;
                }
                match r.length()? {
                    1 => items.push(blob(r)?),
                    2 => items.extend(listpack::parse(&blob(r)?)?),
                    _ => return None,
                }
            }
            list(items)
        }
        kind::SET => {
            let count = r.length()?;
            let members = (0..count).map(|_| r.string()).collect::<Option<Vec<_>>>()?;
            set(members, limits)
        }
        kind::SET_INTSET => {
            let values = intset::parse(&r.string()?)?;
            set(values.into_iter().map(|v| v.to_string().into_bytes()).collect(), limits)
        }
        kind::ZSET | kind::ZSET_2 => {
            let count = r.length()?;
            let mut pairs = Vec::new();
            for _ in 0..count {
                let member = r.string()?;
                let score = if kind == kind::ZSET { r.text_double()? } else { r.binary_double()? };
                pairs.push((member, score));
            }
            zset(pairs, limits)
        }
        kind::ZSET_ZIPLIST | kind::ZSET_LISTPACK => {
            let blob = r.string()?;
            let items = if kind == kind::ZSET_ZIPLIST { ziplist::parse(&blob)? } else { listpack::parse(&blob)? };
            let pairs = paired(items)?
                .into_iter()
                .map(|(m, s)| Some((m, crate::float::parse_f64(&s).or_else(|| special_score(&s))?)))
                .collect::<Option<Vec<_>>>()?;
            zset(pairs, limits)
        }
        kind::HASH => {
            let count = r.length()?;
            let mut pairs = Vec::new();
            for _ in 0..count {
                pairs.push((r.string()?, r.string()?));
            }
            hash(pairs, limits)
        }
        kind::HASH_ZIPMAP => hash(ziplist::parse_zipmap(&r.string()?)?, limits),
        kind::HASH_ZIPLIST => hash(paired(ziplist::parse(&r.string()?)?)?, limits),
        kind::HASH_LISTPACK => hash(paired(listpack::parse(&r.string()?)?)?, limits),
        kind::STREAM_LISTPACKS | kind::STREAM_LISTPACKS_2 => {
            Some(Some(Value::Stream(Box::new(super::stream::read_stream(r, kind)?))))
        }
        _ => None,
    }
}

/// Scores `strtod` reads that `parse_f64` refuses (none of them NaN).
fn special_score(text: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(text).ok()?.to_ascii_lowercase();
    match s.as_str() {
        "inf" | "+inf" | "infinity" => Some(f64::INFINITY),
        "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

/// Consecutive elements as pairs; `None` for an odd count.
fn paired(items: Vec<Vec<u8>>) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
    if !items.len().is_multiple_of(2) {
        return None;
    }
    let mut pairs = Vec::with_capacity(items.len() / 2);
    let mut it = items.into_iter();
    while let (Some(a), Some(b)) = (it.next(), it.next()) {
        pairs.push((a, b));
    }
    Some(pairs)
}

fn list(items: Vec<Vec<u8>>) -> Option<Option<Value>> {
    Some((!items.is_empty()).then(|| Value::List(Box::new(ListValue::from_items(items)))))
}

fn no_duplicates<'a>(keys: impl Iterator<Item = &'a [u8]>) -> bool {
    let mut seen = HashSet::new();
    keys.into_iter().all(|k| seen.insert(k))
}

fn set(members: Vec<Vec<u8>>, limits: &Limits) -> Option<Option<Value>> {
    if members.is_empty() {
        return Some(None);
    }
    if !no_duplicates(members.iter().map(|m| m.as_slice())) {
        return None;
    }
    let mut set =
        if members.len() <= limits.set_max_intset { SetValue::new_intset() } else { SetValue::new_hashtable() };
    for m in &members {
        set.insert(m, limits.set_max_intset);
    }
    Some(Some(Value::Set(Box::new(set))))
}

fn zset(pairs: Vec<(Vec<u8>, f64)>, limits: &Limits) -> Option<Option<Value>> {
    if pairs.is_empty() {
        return Some(None);
    }
    if pairs.iter().any(|(_, s)| s.is_nan()) || !no_duplicates(pairs.iter().map(|(m, _)| m.as_slice())) {
        return None;
    }
    // Redis loads into a skiplist and converts to a listpack only if small
    // (so a -0 score survives in a big set, and reads back as 0 in a small one).
    let longest = pairs.iter().map(|(m, _)| m.len()).max().unwrap_or(0);
    let mut z = ZSetValue::with_encoding_hint(pairs.len(), longest, limits.zset_max_entries, limits.zset_max_value);
    for (member, score) in &pairs {
        z.insert(member, *score, (limits.zset_max_entries, limits.zset_max_value));
    }
    Some(Some(Value::ZSet(Box::new(z))))
}

fn hash(pairs: Vec<(Vec<u8>, Vec<u8>)>, limits: &Limits) -> Option<Option<Value>> {
    if pairs.is_empty() {
        return Some(None);
    }
    if !no_duplicates(pairs.iter().map(|(f, _)| f.as_slice())) {
        return None;
    }
    Some(Some(Value::Hash(Box::new(HashValue::from_pairs(pairs, limits.hash)))))
}
