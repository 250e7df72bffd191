//! Set values, with Redis 7.0's two encodings.
//!
//! Stable interface other modules rely on (keep it when changing the
//! representation): `len`, `members`, `mem_usage`, `rewrite`, `encoding`.
//!
//! - **intset**: every member is a canonical 64-bit integer and there are at
//!   most `set-max-intset-entries` of them. Members are kept sorted, so
//!   SMEMBERS and SSCAN answer in ascending numeric order, like Redis.
//! - **hashtable**: anything else. Redis's order there depends on its hash
//!   function and cannot be reproduced; we keep insertion order with O(1)
//!   removal (swap-remove) and O(1) random picks.
//!
//! A set never converts back from hashtable to intset (neither does Redis).

use hashbrown::HashMap;

use crate::float::parse_i64;

#[derive(Debug, Clone)]
enum Repr {
    Int(Vec<i64>),
    Hash { items: Vec<Vec<u8>>, index: HashMap<Vec<u8>, usize> },
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
        SetValue { repr: Repr::Hash { items: Vec::new(), index: HashMap::new() } }
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
            Repr::Hash { items, .. } => items.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// OBJECT ENCODING's name for the current representation.
    pub fn encoding(&self) -> &'static str {
        match &self.repr {
            Repr::Int(_) => "intset",
            Repr::Hash { .. } => "hashtable",
        }
    }

    pub fn is_intset(&self) -> bool {
        matches!(self.repr, Repr::Int(_))
    }

    /// All members in the order SMEMBERS returns them.
    pub fn members(&self) -> Vec<Vec<u8>> {
        match &self.repr {
            Repr::Int(v) => v.iter().map(|i| i.to_string().into_bytes()).collect(),
            Repr::Hash { items, .. } => items.clone(),
        }
    }

    /// The member at position `i` of [`SetValue::members`] (random picks).
    pub fn member_at(&self, i: usize) -> Option<Vec<u8>> {
        match &self.repr {
            Repr::Int(v) => v.get(i).map(|n| n.to_string().into_bytes()),
            Repr::Hash { items, .. } => items.get(i).cloned(),
        }
    }

    pub fn contains(&self, member: &[u8]) -> bool {
        match &self.repr {
            Repr::Int(v) => parse_i64(member).is_some_and(|n| v.binary_search(&n).is_ok()),
            Repr::Hash { index, .. } => index.contains_key(member),
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
            Repr::Hash { items, index } => {
                if index.contains_key(member) {
                    return false;
                }
                index.insert(member.to_vec(), items.len());
                items.push(member.to_vec());
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
            Repr::Hash { items, index } => {
                let Some(pos) = index.remove(member) else { return false };
                items.swap_remove(pos);
                if let Some(moved) = items.get(pos) {
                    if let Some(p) = index.get_mut(moved) {
                        *p = pos;
                    }
                }
                true
            }
        }
    }

    /// Removes and returns the member at position `i`.
    pub fn remove_at(&mut self, i: usize) -> Option<Vec<u8>> {
        let m = self.member_at(i)?;
        self.remove(&m);
        Some(m)
    }

    fn convert_to_hashtable(&mut self) {
        if let Repr::Int(v) = &self.repr {
            let items: Vec<Vec<u8>> = v.iter().map(|i| i.to_string().into_bytes()).collect();
            let index = items.iter().enumerate().map(|(i, m)| (m.clone(), i)).collect();
            self.repr = Repr::Hash { items, index };
        }
    }

    /// Approximate bytes used, for memory accounting.
    pub fn mem_usage(&self) -> usize {
        match &self.repr {
            Repr::Int(v) => v.len() * 8 + 16,
            Repr::Hash { items, .. } => items.iter().map(|m| m.len() + 40).sum::<usize>() + 64,
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
}
