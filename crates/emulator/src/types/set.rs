//! Set values, with Redis 7.0's two encodings.
//!
//! Stable interface other modules rely on (keep it when changing the
//! representation): `len`, `members`, `mem_usage`, `rewrite`, `encoding`.
//!
//! - **intset**: every member is a canonical 64-bit integer and there are at
//!   most `set-max-intset-entries` of them. Members are kept sorted, so
//!   SMEMBERS and SSCAN answer in ascending numeric order, like Redis.
//! - **hashtable**: anything else, kept in a [`ScanMap`] (stable slots): O(1)
//!   membership and random picks, and SSCAN cursors with SCAN's guarantees.
//!   Redis's order there depends on its hash function and cannot be
//!   reproduced; ours is slot order.
//!
//! A set never converts back from hashtable to intset (neither does Redis).

use crate::store::ScanMap;

use crate::float::parse_i64;

#[derive(Debug, Clone)]
enum Repr {
    Int(Vec<i64>),
    Hash(ScanMap<()>),
}

#[derive(Debug, Clone)]
pub struct SetValue {
    repr: Repr,
}

impl Default for SetValue {
    fn default() -> Self {
        SetValue::new_intset()
    }
}

impl SetValue {
    /// An empty set in the intset encoding (converted on the first non-integer).
    pub fn new_intset() -> SetValue {
        SetValue { repr: Repr::Int(Vec::new()) }
    }

    /// An empty set in the hashtable encoding.
    pub fn new_hashtable() -> SetValue {
        SetValue { repr: Repr::Hash(ScanMap::new()) }
    }

    /// Redis's `setTypeCreate`: intset if the first member is an integer.
    pub fn for_first_member(member: &[u8]) -> SetValue {
        if parse_i64(member).is_some() {
            SetValue::new_intset()
        } else {
            SetValue::new_hashtable()
        }
    }

    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Int(v) => v.len(),
            Repr::Hash(map) => map.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// OBJECT ENCODING's name for the current representation.
    pub fn encoding(&self) -> &'static str {
        match &self.repr {
            Repr::Int(_) => "intset",
            Repr::Hash(_) => "hashtable",
        }
    }

    pub fn is_intset(&self) -> bool {
        matches!(self.repr, Repr::Int(_))
    }

    /// All members in the order SMEMBERS returns them.
    pub fn members(&self) -> Vec<Vec<u8>> {
        match &self.repr {
            Repr::Int(v) => v.iter().map(|i| i.to_string().into_bytes()).collect(),
            Repr::Hash(map) => map.keys().map(|k| k.to_vec()).collect(),
        }
    }

    /// A uniformly random member; `pick(n)` must return a number below `n`.
    pub fn random_member(&self, mut pick: impl FnMut(usize) -> usize) -> Option<Vec<u8>> {
        match &self.repr {
            Repr::Int(v) => v.get(pick(v.len().max(1))).map(|n| n.to_string().into_bytes()),
            Repr::Hash(map) => map.random_slot(pick).and_then(|s| map.at(s)).map(|(k, _)| k.to_vec()),
        }
    }

    /// Removes and returns a uniformly random member.
    pub fn pop_random(&mut self, pick: impl FnMut(usize) -> usize) -> Option<Vec<u8>> {
        let m = self.random_member(pick)?;
        self.remove(&m);
        Some(m)
    }

    /// One SSCAN step: the next cursor (0 when done) and the members seen.
    /// An intset answers everything at once, as in Redis.
    pub fn scan(&self, cursor: u64, count: usize) -> (u64, Vec<Vec<u8>>) {
        match &self.repr {
            Repr::Int(_) => (0, self.members()),
            Repr::Hash(map) => {
                let mut out = Vec::new();
                let next = map.scan(cursor, count, |k, _| out.push(k.to_vec()));
                (next, out)
            }
        }
    }

    pub fn contains(&self, member: &[u8]) -> bool {
        match &self.repr {
            Repr::Int(v) => parse_i64(member).is_some_and(|n| v.binary_search(&n).is_ok()),
            Repr::Hash(map) => map.contains_key(member),
        }
    }

    /// Adds `member`; true if it was not there. Converts to a hashtable when
    /// the member is not an integer or the intset grows past `max_intset`.
    pub fn insert(&mut self, member: &[u8], max_intset: usize) -> bool {
        if let Repr::Int(v) = &mut self.repr {
            match parse_i64(member) {
                Some(n) => match v.binary_search(&n) {
                    Ok(_) => return false,
                    Err(pos) => {
                        v.insert(pos, n);
                        if v.len() > max_intset {
                            self.convert_to_hashtable();
                        }
                        return true;
                    }
                },
                None => self.convert_to_hashtable(),
            }
        }
        match &mut self.repr {
            Repr::Hash(map) => {
                if map.contains_key(member) {
                    return false;
                }
                map.insert_new(member.into(), ());
                true
            }
            Repr::Int(_) => false,
        }
    }

    /// Removes `member`; true if it was there.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match &mut self.repr {
            Repr::Int(v) => match parse_i64(member).map(|n| v.binary_search(&n)) {
                Some(Ok(pos)) => {
                    v.remove(pos);
                    true
                }
                _ => false,
            },
            Repr::Hash(map) => {
                if map.remove(member).is_none() {
                    return false;
                }
                if map.wants_compaction() {
                    map.compact(|_, _| {});
                }
                true
            }
        }
    }

    fn convert_to_hashtable(&mut self) {
        if let Repr::Int(v) = &self.repr {
            let mut map = ScanMap::with_capacity(v.len() + 1);
            for n in v {
                map.insert_new(n.to_string().into_bytes().into(), ());
            }
            self.repr = Repr::Hash(map);
        }
    }

    /// Removes and returns up to `count` random members, one pick at a time
    /// (SPOP with a count smaller than the set).
    pub fn pop_random_n(&mut self, count: usize, mut pick: impl FnMut(usize) -> usize) -> Vec<Vec<u8>> {
        let mut out = Vec::with_capacity(count.min(self.len()));
        for _ in 0..count {
            if let Some(m) = self.pop_random(&mut pick) {
                out.push(m);
            }
        }
        out
    }

    /// Removes and returns every member, leaving an empty intset.
    pub fn take_all(&mut self) -> Vec<Vec<u8>> {
        let all = self.members();
        *self = SetValue::new_intset();
        all
    }

    /// Approximate bytes used, for memory accounting.
    pub fn mem_usage(&self) -> usize {
        match &self.repr {
            Repr::Int(v) => v.len() * 8 + 16,
            Repr::Hash(map) => crate::types::sampled_size(map.len(), map.keys().map(|m| m.len() + 40)) + 64,
        }
    }

    /// Commands that recreate this value under `key`.
    pub fn rewrite(&self, key: &[u8], out: &mut Vec<Vec<Vec<u8>>>) {
        for chunk in self.members().chunks(64) {
            let mut argv = vec![b"SADD".to_vec(), key.to_vec()];
            argv.extend(chunk.iter().cloned());
            out.push(argv);
        }
    }
}

/// The set algebra of SINTER / SUNION / SDIFF (and, weighted, of the
/// sorted-set ZINTER / ZUNION / ZDIFF).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOp {
    Inter,
    Union,
    Diff,
}

/// The members common to all `sets` (a missing set, `None`, empties the
/// result), walking the smallest one; `limit` (0 = none) stops early.
pub fn intersection(sets: &[Option<SetValue>], limit: usize) -> Vec<Vec<u8>> {
    if sets.iter().any(|s| s.is_none()) {
        return Vec::new();
    }
    let mut sets: Vec<&SetValue> = sets.iter().flatten().collect();
    sets.sort_by_key(|s| s.len());
    let Some((first, rest)) = sets.split_first() else { return Vec::new() };
    let mut out = Vec::new();
    for m in first.members() {
        if rest.iter().all(|s| s.contains(&m)) {
            out.push(m);
            if limit != 0 && out.len() >= limit {
                break;
            }
        }
    }
    out
}

/// The result of `op` over `sets` (None for a missing key) as a new set:
/// an intset while every member is an integer and there are at most
/// `max_intset` of them, like the sets SINTERSTORE and friends build.
pub fn combine(sets: &[Option<SetValue>], op: SetOp, max_intset: usize) -> SetValue {
    let mut result = SetValue::new_intset();
    match op {
        SetOp::Inter => {
            for m in intersection(sets, 0) {
                result.insert(&m, max_intset);
            }
        }
        SetOp::Union => {
            for s in sets.iter().flatten() {
                for m in s.members() {
                    result.insert(&m, max_intset);
                }
            }
        }
        SetOp::Diff => {
            if let Some(Some(first)) = sets.first() {
                for m in first.members() {
                    if !sets[1..].iter().flatten().any(|s| s.contains(&m)) {
                        result.insert(&m, max_intset);
                    }
                }
            }
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intset_stays_sorted_and_converts() {
        let mut s = SetValue::new_intset();
        for m in ["5", "-1", "3", "5"] {
            s.insert(m.as_bytes(), 512);
        }
        assert_eq!(s.members(), vec![b"-1".to_vec(), b"3".to_vec(), b"5".to_vec()]);
        assert_eq!(s.encoding(), "intset");
        s.insert(b"x", 512);
        assert_eq!(s.encoding(), "hashtable");
        assert!(s.contains(b"3") && s.contains(b"x"));
        assert!(s.remove(b"-1"));
        assert_eq!(s.len(), 3);
        let mut t = SetValue::new_intset();
        for i in 0..3 {
            t.insert(i.to_string().as_bytes(), 2);
        }
        assert_eq!(t.encoding(), "hashtable");
    }

    #[test]
    fn hashtable_scan_returns_members_present_throughout() {
        let mut s = SetValue::new_hashtable();
        for i in 0..200 {
            s.insert(format!("m{i}").as_bytes(), 512);
        }
        let (mut cursor, mut seen) = (0u64, Vec::new());
        let mut step = 0;
        loop {
            let (next, page) = s.scan(cursor, 10);
            seen.extend(page);
            // Churn between calls: remove some early members, add new ones.
            s.remove(format!("m{step}").as_bytes());
            s.insert(format!("new{step}").as_bytes(), 512);
            step += 1;
            cursor = next;
            if cursor == 0 {
                break;
            }
        }
        for i in step..200 {
            assert!(seen.contains(&format!("m{i}").into_bytes()), "m{i} missed");
        }
        let mut picks = 0;
        let mut x = 0usize;
        while s
            .pop_random(|n| {
                x = (x * 31 + 7) % n.max(1);
                x
            })
            .is_some()
        {
            picks += 1;
        }
        assert_eq!(picks, 200);
        assert!(s.is_empty());
    }

    #[test]
    fn algebra_over_present_and_missing_sets() {
        let of = |ms: &[&str]| {
            let mut s = SetValue::new_intset();
            for m in ms {
                s.insert(m.as_bytes(), 512);
            }
            Some(s)
        };
        let sets = [of(&["1", "2", "3"]), of(&["2", "3", "x"])];
        assert_eq!(intersection(&sets, 0), vec![b"2".to_vec(), b"3".to_vec()]);
        assert_eq!(intersection(&sets, 1).len(), 1);
        assert!(intersection(&[sets[0].clone(), None], 0).is_empty());
        assert_eq!(combine(&sets, SetOp::Union, 512).len(), 4);
        let diff = combine(&[sets[0].clone(), None, sets[1].clone()], SetOp::Diff, 512);
        assert_eq!((diff.members(), diff.encoding()), (vec![b"1".to_vec()], "intset"));
    }
}
