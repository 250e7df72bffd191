//! Hash values.
//!
//! Stable interface other modules rely on (keep it when changing the
//! representation): `len`, `pairs`, `mem_usage`, `rewrite`, `encoding`.
//!
//! Like Redis 7.0 a hash starts as a *listpack* — a flat sequence of
//! field/value pairs kept in insertion order, so HGETALL, HKEYS and HSCAN
//! answer in that order — and becomes a *hashtable* for good once it holds
//! more than `hash-max-listpack-entries` fields or any field or value
//! longer than `hash-max-listpack-value` bytes. The hashtable is a
//! [`ScanMap`] (cursor-stable scans, O(1) random entries); its order is not
//! Redis's dict order, which depends on Redis's hash function.

use crate::store::ScanMap;

/// Conversion thresholds (`hash-max-listpack-entries`, `hash-max-listpack-value`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashLimits {
    pub max_entries: usize,
    pub max_value: usize,
}

impl HashLimits {
    pub fn from_config(config: &crate::config::Config) -> HashLimits {
        HashLimits { max_entries: config.hash_max_listpack_entries, max_value: config.hash_max_listpack_value }
    }
}

#[derive(Debug, Clone)]
enum Repr {
    Listpack(Vec<(Vec<u8>, Vec<u8>)>),
    Table(ScanMap<Vec<u8>>),
}

#[derive(Debug, Clone)]
pub struct HashValue {
    repr: Repr,
}

impl Default for HashValue {
    fn default() -> Self {
        HashValue { repr: Repr::Listpack(Vec::new()) }
    }
}

impl HashValue {
    /// An empty listpack-encoded hash.
    pub fn new() -> HashValue {
        HashValue::default()
    }

    /// A hash holding `pairs` (later duplicates overwrite earlier ones),
    /// encoded as Redis would encode it after the same HSETs.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (Vec<u8>, Vec<u8>)>, limits: HashLimits) -> HashValue {
        let mut h = HashValue::new();
        for (f, v) in pairs {
            h.set(&f, v, limits);
        }
        h
    }

    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Listpack(v) => v.len(),
            Repr::Table(t) => t.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// What OBJECT ENCODING prints.
    pub fn encoding(&self) -> &'static str {
        match &self.repr {
            Repr::Listpack(_) => "listpack",
            Repr::Table(_) => "hashtable",
        }
    }

    pub fn is_listpack(&self) -> bool {
        matches!(self.repr, Repr::Listpack(_))
    }

    /// All (field, value) pairs in the order HGETALL returns them.
    pub fn pairs(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.iter().map(|(f, v)| (f.to_vec(), v.to_vec())).collect()
    }

    /// Pairs in HGETALL order, borrowed.
    pub fn iter(&self) -> Box<dyn Iterator<Item = (&[u8], &[u8])> + '_> {
        match &self.repr {
            Repr::Listpack(v) => Box::new(v.iter().map(|(f, v)| (f.as_slice(), v.as_slice()))),
            Repr::Table(t) => Box::new(t.iter().map(|(f, v)| (f, v.as_slice()))),
        }
    }

    pub fn get(&self, field: &[u8]) -> Option<&[u8]> {
        match &self.repr {
            Repr::Listpack(v) => v.iter().find(|(f, _)| f == field).map(|(_, v)| v.as_slice()),
            Repr::Table(t) => t.get(field).map(|v| v.as_slice()),
        }
    }

    pub fn contains(&self, field: &[u8]) -> bool {
        self.get(field).is_some()
    }

    /// Sets `field` to `value`; true if the field is new. Converts to a
    /// hashtable first when the field or value is too long for a listpack,
    /// and after inserting when there are too many fields.
    pub fn set(&mut self, field: &[u8], value: Vec<u8>, limits: HashLimits) -> bool {
        if self.is_listpack() && (field.len() > limits.max_value || value.len() > limits.max_value) {
            self.convert_to_table();
        }
        let added = match &mut self.repr {
            Repr::Listpack(v) => match v.iter_mut().find(|(f, _)| f == field) {
                Some(pair) => {
                    pair.1 = value;
                    false
                }
                None => {
                    v.push((field.to_vec(), value));
                    true
                }
            },
            Repr::Table(t) => t.insert(field, value).1.is_none(),
        };
        if self.is_listpack() && self.len() > limits.max_entries {
            self.convert_to_table();
        }
        added
    }

    /// Converts to the hashtable encoding now (HSET checks argument lengths
    /// before writing anything, as Redis's `hashTypeTryConversion` does).
    pub fn convert_to_table(&mut self) {
        if let Repr::Listpack(v) = &mut self.repr {
            let mut t = ScanMap::with_capacity(v.len());
            for (f, val) in v.drain(..) {
                t.insert(&f, val);
            }
            self.repr = Repr::Table(t);
        }
    }

    /// Removes `field`; true if it was there. A listpack keeps the order of
    /// the remaining fields.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        match &mut self.repr {
            Repr::Listpack(v) => match v.iter().position(|(f, _)| f == field) {
                Some(i) => {
                    v.remove(i);
                    true
                }
                None => false,
            },
            Repr::Table(t) => {
                let removed = t.remove(field).is_some();
                if t.wants_compaction() {
                    t.compact(|_, _| {});
                }
                removed
            }
        }
    }

    /// The pair at listpack position `i` (for listpacks), or a uniformly
    /// random pair using `pick(n) < n`.
    pub fn random_pair(&self, mut pick: impl FnMut(usize) -> usize) -> Option<(&[u8], &[u8])> {
        match &self.repr {
            Repr::Listpack(v) => {
                if v.is_empty() {
                    return None;
                }
                v.get(pick(v.len())).map(|(f, v)| (f.as_slice(), v.as_slice()))
            }
            Repr::Table(t) => t.random_slot(pick).and_then(|s| t.at(s)).map(|(f, v)| (f, v.as_slice())),
        }
    }

    /// `count` distinct random pairs (HRANDFIELD with a positive count):
    /// every pair in HGETALL order when `count` covers the hash, otherwise
    /// a partial Fisher–Yates shuffle of the positions drawn with
    /// `pick(n) < n`. A listpack answers in its own order, a hashtable in
    /// the order drawn.
    pub fn random_distinct(&self, count: usize, mut pick: impl FnMut(usize) -> usize) -> Vec<(&[u8], &[u8])> {
        let size = self.len();
        let pairs: Vec<(&[u8], &[u8])> = self.iter().collect();
        if count >= size {
            return pairs;
        }
        let mut positions: Vec<usize> = (0..size).collect();
        for i in 0..count {
            let j = i + pick(size - i);
            positions.swap(i, j);
        }
        let mut chosen = positions[..count].to_vec();
        if self.is_listpack() {
            chosen.sort_unstable();
        }
        chosen.into_iter().filter_map(|p| pairs.get(p).copied()).collect()
    }

    /// One HSCAN step over a hashtable from `cursor`; a listpack is visited
    /// whole in one call (cursor 0), as Redis does. Returns the next cursor.
    pub fn scan(&self, cursor: u64, count: usize, mut visit: impl FnMut(&[u8], &[u8])) -> u64 {
        match &self.repr {
            Repr::Listpack(v) => {
                for (f, val) in v {
                    visit(f, val);
                }
                0
            }
            Repr::Table(t) => t.scan(cursor, count, |f, v| visit(f, v)),
        }
    }

    /// Approximate bytes used, for memory accounting.
    pub fn mem_usage(&self) -> usize {
        let per_pair = if self.is_listpack() { 4 } else { 40 };
        crate::types::sampled_size(self.len(), self.iter().map(|(f, v)| f.len() + v.len() + per_pair)) + 48
    }

    /// Commands that recreate this value under `key`.
    pub fn rewrite(&self, key: &[u8], out: &mut Vec<Vec<Vec<u8>>>) {
        let pairs = self.pairs();
        for chunk in pairs.chunks(64) {
            let mut argv = vec![b"HSET".to_vec(), key.to_vec()];
            for (f, v) in chunk {
                argv.push(f.clone());
                argv.push(v.clone());
            }
            out.push(argv);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: HashLimits = HashLimits { max_entries: 3, max_value: 4 };

    #[test]
    fn listpack_keeps_order_and_converts_once() {
        let mut h = HashValue::new();
        assert!(h.set(b"b", b"1".to_vec(), LIMITS));
        assert!(h.set(b"a", b"2".to_vec(), LIMITS));
        assert!(!h.set(b"b", b"3".to_vec(), LIMITS));
        assert_eq!(h.pairs(), vec![(b"b".to_vec(), b"3".to_vec()), (b"a".to_vec(), b"2".to_vec())]);
        assert_eq!(h.encoding(), "listpack");
        h.set(b"c", b"x".to_vec(), LIMITS);
        assert_eq!(h.encoding(), "listpack");
        h.set(b"d", b"x".to_vec(), LIMITS);
        assert_eq!(h.encoding(), "hashtable");
        h.remove(b"d");
        h.remove(b"c");
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(h.len(), 2);
    }

    #[test]
    fn long_values_convert() {
        let mut h = HashValue::new();
        h.set(b"f", b"12345".to_vec(), LIMITS);
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(h.get(b"f"), Some(&b"12345"[..]));
    }
}
