//! One logical database (SELECT 0‥15): the keyspace and its expiry index.
//!
//! Like Redis, keys with a TTL are also listed in a side index so that the
//! active expiry cycle can sample them at random without scanning the whole
//! keyspace. The database itself never looks at the clock: callers pass
//! `now` so the engine decides what "expired" means and what follows from it
//! (stats, notifications, WATCH invalidation).

use crate::store::scan_map::Slot;
use crate::store::ScanMap;
use crate::value::Value;

/// Marker for "no expiry".
pub const NO_EXPIRY: i64 = -1;
const NOT_VOLATILE: u32 = u32::MAX;

/// A stored key: its value, expiry and the access metadata eviction uses.
#[derive(Debug, Clone)]
pub struct Entry {
    pub value: Value,
    expire_at_ms: i64,
    volatile_pos: u32,
    /// LRU clock (seconds, 24 bits) or, under an LFU policy, Redis's
    /// `(decay minutes << 8) | log counter`.
    pub access: u32,
}

impl Entry {
    pub fn new(value: Value) -> Entry {
        Entry { value, expire_at_ms: NO_EXPIRY, volatile_pos: NOT_VOLATILE, access: 0 }
    }

    /// Absolute expiry in Unix milliseconds, if the key has a TTL.
    pub fn expire_at(&self) -> Option<i64> {
        (self.expire_at_ms != NO_EXPIRY).then_some(self.expire_at_ms)
    }

    /// Makes the key persistent; returns its position in the volatile list
    /// (for the caller to unlist) if it had a TTL.
    fn drop_expiry(&mut self) -> Option<u32> {
        if self.expire_at_ms == NO_EXPIRY {
            return None;
        }
        self.expire_at_ms = NO_EXPIRY;
        Some(std::mem::replace(&mut self.volatile_pos, NOT_VOLATILE))
    }

    /// Redis's rule: a key is expired once the clock is strictly past its time.
    pub fn is_expired(&self, now_ms: i64) -> bool {
        self.expire_at_ms != NO_EXPIRY && now_ms > self.expire_at_ms
    }
}

#[derive(Debug, Clone, Default)]
pub struct Db {
    keys: ScanMap<Entry>,
    volatile: Vec<Slot>,
    /// Keys by group (Redis Cluster's hash slots), built the first time a
    /// group is asked for and kept up to date from then on.
    groups: Option<Box<KeyGroups>>,
}

/// Keys grouped by a function of the key.
#[derive(Debug, Clone)]
struct KeyGroups {
    group_of: fn(&[u8]) -> u16,
    groups: std::collections::BTreeMap<u16, std::collections::BTreeSet<Box<[u8]>>>,
}

impl Db {
    pub fn new() -> Db {
        Db::default()
    }

    /// Number of keys, including expired ones not yet reclaimed (as DBSIZE in Redis).
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Number of keys with a TTL.
    pub fn volatile_len(&self) -> usize {
        self.volatile.len()
    }

    /// The entry under `key`, expired or not.
    pub fn get(&self, key: &[u8]) -> Option<&Entry> {
        self.keys.get(key)
    }

    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut Entry> {
        self.keys.get_mut(key)
    }

    /// The slot holding `key`: a handle for [`Db::at_slot_mut`] that stays
    /// valid until the key is removed (one hash lookup for "test, then use").
    pub fn slot_of(&self, key: &[u8]) -> Option<Slot> {
        self.keys.slot_of(key)
    }

    /// The entry in `slot`, found earlier with [`Db::slot_of`].
    pub fn at_slot_mut(&mut self, slot: Slot) -> Option<&mut Entry> {
        self.keys.at_mut(slot).map(|(_, e)| e)
    }

    pub fn contains(&self, key: &[u8]) -> bool {
        self.keys.contains_key(key)
    }

    /// Stores `value` under `key`. An existing key keeps its TTL only when
    /// `keep_ttl` is set (SET … KEEPTTL); otherwise it becomes persistent,
    /// as Redis's `setKey` does. Access metadata carries over.
    pub fn set(&mut self, key: &[u8], value: Value, keep_ttl: bool) {
        self.set_or_add(key, value, keep_ttl, |_| {}, |_| {});
    }

    /// Like [`Db::set`] in one lookup; `existing` sees an existing key's
    /// entry before its value is replaced, `init` prepares the entry of a
    /// new key before it is stored. Returns true if the key is new.
    pub fn set_or_add(
        &mut self,
        key: &[u8],
        value: Value,
        keep_ttl: bool,
        existing: impl FnOnce(&mut Entry),
        init: impl FnOnce(&mut Entry),
    ) -> bool {
        match self.keys.get_mut(key) {
            Some(entry) => {
                existing(entry);
                entry.value = value;
                if let Some(pos) = (!keep_ttl).then(|| entry.drop_expiry()).flatten() {
                    self.unlist_volatile(pos);
                }
                false
            }
            None => {
                let mut entry = Entry::new(value);
                init(&mut entry);
                self.keys.insert_new(key.into(), entry);
                self.group_add(key);
                true
            }
        }
    }

    /// Adds a key known to be absent.
    pub fn add(&mut self, key: &[u8], value: Value) {
        self.keys.insert_new(key.into(), Entry::new(value));
        self.group_add(key);
    }

    /// Inserts a whole entry (value, TTL and access data), replacing any key.
    pub fn insert_entry(&mut self, key: &[u8], entry: Entry) {
        let expire = entry.expire_at();
        self.remove(key);
        let mut entry = entry;
        entry.expire_at_ms = NO_EXPIRY;
        entry.volatile_pos = NOT_VOLATILE;
        self.keys.insert_new(key.into(), entry);
        self.group_add(key);
        if let Some(at) = expire {
            self.set_expire(key, at);
        }
    }

    /// Removes a key, returning its entry.
    pub fn remove(&mut self, key: &[u8]) -> Option<Entry> {
        let (_, entry, _) = self.keys.remove(key)?;
        if let Some(g) = self.groups.as_mut() {
            let group = (g.group_of)(key);
            if let Some(set) = g.groups.get_mut(&group) {
                set.remove(key);
                if set.is_empty() {
                    g.groups.remove(&group);
                }
            }
        }
        if entry.volatile_pos != NOT_VOLATILE {
            self.unlist_volatile(entry.volatile_pos);
        }
        if self.keys.wants_compaction() {
            self.compact();
        }
        Some(entry)
    }

    fn unlist_volatile(&mut self, pos: u32) {
        let pos = pos as usize;
        self.volatile.swap_remove(pos);
        if let Some(&moved) = self.volatile.get(pos) {
            if let Some((_, e)) = self.keys.at_mut(moved) {
                e.volatile_pos = pos as u32;
            }
        }
    }

    fn compact(&mut self) {
        self.keys.compact(|_, _| {});
        self.volatile.clear();
        let slots: Vec<Slot> =
            self.keys.iter_slots().filter(|(_, _, e)| e.expire_at_ms != NO_EXPIRY).map(|(s, _, _)| s).collect();
        for s in slots {
            let pos = self.volatile.len() as u32;
            self.volatile.push(s);
            if let Some((_, e)) = self.keys.at_mut(s) {
                e.volatile_pos = pos;
            }
        }
    }

    /// Sets an absolute expiry (ms). Returns false if the key does not exist.
    pub fn set_expire(&mut self, key: &[u8], at_ms: i64) -> bool {
        let Some(slot) = self.keys.slot_of(key) else { return false };
        let new_pos = self.volatile.len() as u32;
        let Some((_, e)) = self.keys.at_mut(slot) else { return false };
        e.expire_at_ms = at_ms;
        if e.volatile_pos == NOT_VOLATILE {
            e.volatile_pos = new_pos;
            self.volatile.push(slot);
        }
        true
    }

    /// Removes the TTL. Returns true if the key had one.
    pub fn persist(&mut self, key: &[u8]) -> bool {
        let Some(pos) = self.keys.get_mut(key).and_then(Entry::drop_expiry) else { return false };
        self.unlist_volatile(pos);
        true
    }

    /// A random key (expired or not) using `pick(n) < n`.
    pub fn random_key(&self, pick: impl FnMut(usize) -> usize) -> Option<&[u8]> {
        let s = self.keys.random_slot(pick)?;
        self.keys.at(s).map(|(k, _)| k)
    }

    /// A random key that has a TTL, with its expiry.
    pub fn random_volatile(&self, mut pick: impl FnMut(usize) -> usize) -> Option<(&[u8], &Entry)> {
        if self.volatile.is_empty() {
            return None;
        }
        let s = self.volatile[pick(self.volatile.len())];
        self.keys.at(s)
    }

    /// SCAN over the keyspace; see [`ScanMap::scan`].
    pub fn scan(&self, cursor: u64, count: usize, visit: impl FnMut(&[u8], &Entry)) -> u64 {
        self.keys.scan(cursor, count, visit)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &Entry)> {
        self.keys.iter()
    }

    pub fn keys(&self) -> impl Iterator<Item = &[u8]> {
        self.keys.keys()
    }

    pub fn clear(&mut self) {
        self.keys.clear();
        self.volatile.clear();
        if let Some(g) = self.groups.as_mut() {
            g.groups.clear();
        }
    }

    fn group_add(&mut self, key: &[u8]) {
        if let Some(g) = self.groups.as_mut() {
            g.groups.entry((g.group_of)(key)).or_default().insert(key.into());
        }
    }

    /// The keys (expired or not) for which `group_of` gives `group`, in
    /// byte order. The first call builds an index of every key by
    /// `group_of` (one function per database: Redis Cluster's hash slot),
    /// kept up to date afterwards, so later calls visit only the group.
    pub fn keys_in_group(&mut self, group_of: fn(&[u8]) -> u16, group: u16) -> impl Iterator<Item = &[u8]> {
        if self.groups.is_none() {
            let mut groups = KeyGroups { group_of, groups: Default::default() };
            for key in self.keys.keys() {
                groups.groups.entry(group_of(key)).or_default().insert(key.into());
            }
            self.groups = Some(Box::new(groups));
        }
        self.groups.as_ref().and_then(|g| g.groups.get(&group)).into_iter().flatten().map(|k| &**k)
    }

    /// Keys whose TTL has passed at `now_ms`, in no particular order.
    pub fn expired_keys(&self, now_ms: i64) -> Vec<Vec<u8>> {
        self.volatile
            .iter()
            .filter_map(|&s| self.keys.at(s))
            .filter(|(_, e)| e.is_expired(now_ms))
            .map(|(k, _)| k.to_vec())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_index_follows_set_persist_remove() {
        let mut db = Db::new();
        db.set(b"a", Value::string("1"), false);
        db.set(b"b", Value::string("2"), false);
        assert!(db.set_expire(b"a", 100));
        assert!(db.set_expire(b"b", 200));
        assert_eq!(db.volatile_len(), 2);
        assert!(db.persist(b"a"));
        assert!(!db.persist(b"a"));
        assert_eq!(db.volatile_len(), 1);
        assert_eq!(db.random_volatile(|_| 0).map(|(k, _)| k.to_vec()), Some(b"b".to_vec()));
        db.set(b"b", Value::string("3"), true);
        assert_eq!(db.get(b"b").unwrap().expire_at(), Some(200));
        db.set(b"b", Value::string("4"), false);
        assert_eq!(db.get(b"b").unwrap().expire_at(), None);
        assert_eq!(db.volatile_len(), 0);
    }

    #[test]
    fn expiry_is_strictly_after() {
        let mut db = Db::new();
        db.set(b"k", Value::string("v"), false);
        db.set_expire(b"k", 1000);
        let e = db.get(b"k").unwrap();
        assert!(!e.is_expired(1000));
        assert!(e.is_expired(1001));
        assert_eq!(db.expired_keys(1001), vec![b"k".to_vec()]);
    }

    #[test]
    fn compaction_keeps_ttl_index() {
        let mut db = Db::new();
        for i in 0..500 {
            let k = format!("k{i}");
            db.set(k.as_bytes(), Value::string("v"), false);
            db.set_expire(k.as_bytes(), i);
        }
        for i in 0..490 {
            db.remove(format!("k{i}").as_bytes());
        }
        assert_eq!(db.len(), 10);
        assert_eq!(db.volatile_len(), 10);
        assert_eq!(db.expired_keys(10_000).len(), 10);
        assert!(db.persist(b"k495"));
        assert_eq!(db.volatile_len(), 9);
    }

    #[test]
    fn key_groups_follow_every_change() {
        fn first_byte(k: &[u8]) -> u16 {
            k.first().copied().unwrap_or(0) as u16
        }
        let group = |db: &mut Db, g: u8| db.keys_in_group(first_byte, g as u16).map(|k| k.to_vec()).collect::<Vec<_>>();
        let mut db = Db::new();
        db.set(b"a1", Value::string("v"), false);
        db.add(b"b1", Value::string("v"));
        assert_eq!(group(&mut db, b'a'), [b"a1".to_vec()]);
        db.set(b"a2", Value::string("v"), false);
        db.insert_entry(b"a0", Entry::new(Value::string("v")));
        assert_eq!(group(&mut db, b'a'), [b"a0".to_vec(), b"a1".to_vec(), b"a2".to_vec()]);
        db.remove(b"a1");
        assert_eq!(group(&mut db, b'a'), [b"a0".to_vec(), b"a2".to_vec()]);
        assert_eq!(group(&mut db, b'b'), [b"b1".to_vec()]);
        db.clear();
        assert!(group(&mut db, b'a').is_empty());
        db.set(b"a9", Value::string("v"), false);
        assert_eq!(group(&mut db, b'a'), [b"a9".to_vec()]);
    }
}
#[cfg(test)]
mod layout {
    /// Every key costs one slot in its database: collections sit behind a
    /// pointer and short key names are stored inline, so the slot stays small
    /// (1M string keys × 72 bytes, not 144 plus an allocation per name and value).
    #[test]
    fn a_key_slot_stays_small() {
        assert_eq!(std::mem::size_of::<crate::value::Value>(), 32);
        assert_eq!(std::mem::size_of::<Option<(crate::store::CompactKey, super::Entry)>>(), 72);
    }
}
