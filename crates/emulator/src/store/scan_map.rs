//! A byte-keyed hash map whose entries live in stable slots.
//!
//! Why not a plain `HashMap`: Redis needs three things a std map cannot
//! give cheaply — a uniformly random entry in O(1) (RANDOMKEY, SPOP,
//! eviction and expiry sampling), a SCAN cursor that survives inserts and
//! deletes (an entry present for the whole scan is returned at least once),
//! and stable handles so a side index (keys with a TTL) can point at an
//! entry. Entries sit in a slot vector (deleted slots are reused, nothing
//! moves); a hash table of slot numbers finds them by key.
//!
//! The one exception to "nothing moves" is compaction, done only when fewer
//! than 1/8 of the slots are in use: it keeps entries in order, so a cursor
//! that was in flight may skip part of the range (documented deviation).

use hashbrown::{DefaultHashBuilder, HashTable};

use super::CompactKey;
use std::hash::BuildHasher;

/// A slot number: a stable handle to an entry until it is removed.
pub type Slot = u32;

#[derive(Clone)]
pub struct ScanMap<V> {
    slots: Vec<Option<(CompactKey, V)>>,
    free: Vec<Slot>,
    table: HashTable<Slot>,
    hasher: DefaultHashBuilder,
}

impl<V> Default for ScanMap<V> {
    fn default() -> Self {
        ScanMap { slots: Vec::new(), free: Vec::new(), table: HashTable::new(), hasher: DefaultHashBuilder::default() }
    }
}

impl<V: std::fmt::Debug> std::fmt::Debug for ScanMap<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter().map(|(k, v)| (String::from_utf8_lossy(k), v))).finish()
    }
}

impl<V> ScanMap<V> {
    /// Number of slots (an upper bound for cursors and slot numbers).
    #[cfg(test)]
    fn slot_count(&self) -> usize {
        self.slots.len()
    }

    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_capacity(n: usize) -> Self {
        ScanMap {
            slots: Vec::with_capacity(n),
            free: Vec::new(),
            table: HashTable::with_capacity(n),
            hasher: DefaultHashBuilder::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    fn hash(&self, key: &[u8]) -> u64 {
        self.hasher.hash_one(key)
    }

    /// The slot holding `key`.
    pub fn slot_of(&self, key: &[u8]) -> Option<Slot> {
        let h = self.hash(key);
        let slots = &self.slots;
        self.table.find(h, |&s| slots[s as usize].as_ref().is_some_and(|(k, _)| &**k == key)).copied()
    }

    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.slot_of(key).is_some()
    }

    pub fn get(&self, key: &[u8]) -> Option<&V> {
        let s = self.slot_of(key)?;
        self.slots[s as usize].as_ref().map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        let s = self.slot_of(key)?;
        self.slots[s as usize].as_mut().map(|(_, v)| v)
    }

    /// The entry in slot `s`, if occupied.
    pub fn at(&self, s: Slot) -> Option<(&[u8], &V)> {
        self.slots.get(s as usize)?.as_ref().map(|(k, v)| (&**k, v))
    }

    pub fn at_mut(&mut self, s: Slot) -> Option<(&[u8], &mut V)> {
        self.slots.get_mut(s as usize)?.as_mut().map(|(k, v)| (&**k, v))
    }

    /// Inserts or replaces. Returns the slot and the previous value.
    pub fn insert(&mut self, key: &[u8], value: V) -> (Slot, Option<V>) {
        if let Some(s) = self.slot_of(key) {
            let entry = self.slots[s as usize].as_mut().expect("indexed slot is occupied");
            return (s, Some(std::mem::replace(&mut entry.1, value)));
        }
        (self.insert_new(key.into(), value), None)
    }

    /// Inserts a key known to be absent.
    pub fn insert_new(&mut self, key: CompactKey, value: V) -> Slot {
        let h = self.hash(&key);
        let s = match self.free.pop() {
            Some(s) => {
                self.slots[s as usize] = Some((key, value));
                s
            }
            None => {
                self.slots.push(Some((key, value)));
                (self.slots.len() - 1) as Slot
            }
        };
        let slots = &self.slots;
        let hasher = &self.hasher;
        self.table.insert_unique(h, s, |&other| {
            hasher.hash_one(slots[other as usize].as_ref().map(|(k, _)| &**k).unwrap_or(&[]))
        });
        s
    }

    /// Removes `key`, returning the key, the value and the slot it had.
    pub fn remove(&mut self, key: &[u8]) -> Option<(CompactKey, V, Slot)> {
        let h = self.hash(key);
        let slots = &self.slots;
        let found = self.table.find_entry(h, |&s| slots[s as usize].as_ref().is_some_and(|(k, _)| &**k == key)).ok()?;
        let (s, _) = found.remove();
        let (k, v) = self.slots[s as usize].take()?;
        self.free.push(s);
        if self.table.is_empty() {
            self.slots.clear();
            self.free.clear();
        }
        Some((k, v, s))
    }

    /// True when a compaction would pay off (few live entries, many holes).
    pub fn wants_compaction(&self) -> bool {
        self.slots.len() > 64 && self.len() * 8 < self.slots.len()
    }

    /// Moves entries down into holes, keeping their order. Slot numbers
    /// change: `moved(old, new)` is called for every entry that moved.
    pub fn compact(&mut self, mut moved: impl FnMut(Slot, Slot)) {
        let live = self.len();
        let old = std::mem::take(&mut self.slots);
        self.free.clear();
        self.table.clear();
        self.slots.reserve(live);
        for (old_slot, entry) in old.into_iter().enumerate() {
            if let Some((k, v)) = entry {
                let new_slot = self.insert_new(k, v);
                if new_slot as usize != old_slot {
                    moved(old_slot as Slot, new_slot);
                }
            }
        }
    }

    /// A uniformly random occupied slot (`pick(n)` returns a number below `n`).
    pub fn random_slot(&self, mut pick: impl FnMut(usize) -> usize) -> Option<Slot> {
        if self.is_empty() {
            return None;
        }
        let n = self.slots.len();
        for _ in 0..32 {
            let s = pick(n);
            if self.slots[s].is_some() {
                return Some(s as Slot);
            }
        }
        // Sparse map: walk from a random point to the next occupied slot.
        let start = pick(n);
        (0..n).map(|i| (start + i) % n).find(|&s| self.slots[s].is_some()).map(|s| s as Slot)
    }

    /// Visits occupied slots from `cursor` until `count` entries were seen or
    /// the end is reached. Returns the next cursor (0 when done).
    pub fn scan(&self, cursor: u64, count: usize, mut visit: impl FnMut(&[u8], &V)) -> u64 {
        let mut s = cursor as usize;
        let mut seen = 0;
        while s < self.slots.len() && seen < count.max(1) {
            if let Some((k, v)) = &self.slots[s] {
                visit(k, v);
                seen += 1;
            }
            s += 1;
        }
        if s >= self.slots.len() {
            0
        } else {
            s as u64
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &V)> {
        self.slots.iter().filter_map(|e| e.as_ref().map(|(k, v)| (&**k, v)))
    }

    /// Occupied slots with their numbers.
    pub fn iter_slots(&self) -> impl Iterator<Item = (Slot, &[u8], &V)> {
        self.slots.iter().enumerate().filter_map(|(i, e)| e.as_ref().map(|(k, v)| (i as Slot, &**k, v)))
    }

    pub fn keys(&self) -> impl Iterator<Item = &[u8]> {
        self.iter().map(|(k, _)| k)
    }

    pub fn clear(&mut self) {
        self.slots.clear();
        self.free.clear();
        self.table.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_get_remove_reuse() {
        let mut m = ScanMap::new();
        let (a, prev) = m.insert(b"a", 1);
        assert!(prev.is_none());
        let (b, _) = m.insert(b"b", 2);
        assert_ne!(a, b);
        assert_eq!(m.insert(b"a", 10), (a, Some(1)));
        assert_eq!(m.get(b"a"), Some(&10));
        assert_eq!(m.remove(b"a").map(|(_, v, s)| (v, s)), Some((10, a)));
        assert_eq!(m.get(b"a"), None);
        let (c, _) = m.insert(b"c", 3);
        assert_eq!(c, a, "freed slot is reused");
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn scan_returns_every_stable_entry_despite_changes() {
        let mut m = ScanMap::new();
        for i in 0..100u32 {
            m.insert(format!("k{i}").as_bytes(), i);
        }
        let mut seen = std::collections::HashSet::new();
        let mut cursor = 0;
        let mut round = 0;
        loop {
            cursor = m.scan(cursor, 7, |k, _| {
                seen.insert(k.to_vec());
            });
            // Churn: delete odd keys not yet stable, add new ones.
            m.remove(format!("k{}", 1 + 2 * round).as_bytes());
            m.insert(format!("new{round}").as_bytes(), 0);
            round += 1;
            if cursor == 0 {
                break;
            }
        }
        for i in (0..100).step_by(2) {
            assert!(seen.contains(format!("k{i}").as_bytes()), "k{i} missed");
        }
    }

    #[test]
    fn random_slot_and_compaction() {
        let mut m = ScanMap::new();
        for i in 0..1000u32 {
            m.insert(&i.to_be_bytes(), i);
        }
        for i in 0..990u32 {
            m.remove(&i.to_be_bytes());
        }
        let mut state = 1usize;
        let mut pick = |n: usize| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
            (state >> 33) % n
        };
        let s = m.random_slot(&mut pick).unwrap();
        assert!(m.at(s).is_some());
        assert!(m.wants_compaction());
        let mut moves = 0;
        m.compact(|_, _| moves += 1);
        assert_eq!(moves, 10);
        assert_eq!(m.slot_count(), 10);
        for i in 990..1000u32 {
            assert_eq!(m.get(&i.to_be_bytes()), Some(&i));
        }
    }
}
