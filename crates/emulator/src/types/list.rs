//! List values.
//!
//! Stable interface other modules rely on (keep it when changing the
//! representation): `len`, `to_vec`, `mem_usage`, `rewrite`, `encoding`.
//!
//! A ring buffer gives O(1) pushes and pops at both ends and O(1) access by
//! index. Redis 7.0 stores every list as a quicklist (a linked list of
//! listpack nodes, `list-max-listpack-size` bounding each node), so OBJECT
//! ENCODING always reports `quicklist`, whatever the length.

use std::collections::VecDeque;

#[derive(Debug, Clone, Default)]
pub struct ListValue {
    pub items: VecDeque<Vec<u8>>,
}

impl ListValue {
    pub fn new() -> ListValue {
        ListValue::default()
    }

    /// A list holding `items`, head first.
    pub fn from_items(items: impl IntoIterator<Item = Vec<u8>>) -> ListValue {
        ListValue { items: items.into_iter().collect() }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// All elements, head first.
    pub fn to_vec(&self) -> Vec<Vec<u8>> {
        self.items.iter().cloned().collect()
    }

    /// What OBJECT ENCODING prints: Redis 7.0 lists are always quicklists.
    pub fn encoding(&self) -> &'static str {
        "quicklist"
    }

    /// Approximate bytes used, for memory accounting.
    /// Exact up to 128 elements; beyond, extrapolated from the first 64, as
    /// Redis's MEMORY USAGE samples (this runs for every write command).
    pub fn mem_usage(&self) -> usize {
        crate::types::sampled_size(self.items.len(), self.items.iter().map(|i| i.len() + 11)) + 48
    }

    /// Commands that recreate this value under `key` (snapshots, AOF rewrite).
    pub fn rewrite(&self, key: &[u8], out: &mut Vec<Vec<Vec<u8>>>) {
        let items: Vec<&Vec<u8>> = self.items.iter().collect();
        for chunk in items.chunks(64) {
            let mut argv = vec![b"RPUSH".to_vec(), key.to_vec()];
            argv.extend(chunk.iter().map(|i| (*i).clone()));
            out.push(argv);
        }
    }

    /// Resolves a Redis index (negative counts from the tail) to a position.
    pub fn resolve_index(&self, index: i64) -> Option<usize> {
        let len = self.items.len() as i64;
        let i = if index < 0 { len.checked_add(index)? } else { index };
        (0..len).contains(&i).then_some(i as usize)
    }

    /// The element at a Redis index.
    pub fn get(&self, index: i64) -> Option<&[u8]> {
        self.resolve_index(index).and_then(|i| self.items.get(i)).map(|v| v.as_slice())
    }

    /// Clamps a Redis `start stop` pair (both inclusive, negatives from the
    /// tail) to a position range, as LRANGE and LTRIM do. None when empty.
    pub fn clamp_range(&self, start: i64, stop: i64) -> Option<(usize, usize)> {
        let len = self.items.len() as i64;
        let mut start = if start < 0 { len.saturating_add(start) } else { start };
        let mut stop = if stop < 0 { len.saturating_add(stop) } else { stop };
        if start < 0 {
            start = 0;
        }
        if start > stop || start >= len {
            return None;
        }
        if stop >= len {
            stop = len - 1;
        }
        Some((start as usize, stop as usize))
    }
}
