//! Sorted set values.
//!
//! Stable interface other modules rely on (keep it when changing the
//! representation): `len`, `ranked`, `mem_usage`, `rewrite`, `encoding`.
//!
//! Members are kept twice: a member → score map (ZSCORE, membership in
//! O(1)) and an order-statistics tree ([`crate::types::ranked_tree`])
//! ordered by (score, member bytes), which answers ranks, rank ranges and
//! score/lex bounds in O(log n) like Redis's skiplist with spans.
//!
//! The encoding Redis would use is tracked for OBJECT ENCODING: `listpack`
//! while the set has at most `zset-max-listpack-entries` members of at most
//! `zset-max-listpack-value` bytes, `skiplist` once it outgrew that (it
//! never shrinks back, except for the results of the *STORE commands).

use hashbrown::HashMap;

use crate::float::format_double;
use crate::types::ranked_tree::RankedTree;

#[derive(Debug, Clone, Default)]
pub struct ZSetValue {
    scores: HashMap<Vec<u8>, f64>,
    tree: RankedTree,
    skiplist: bool,
}

impl ZSetValue {
    pub fn new() -> ZSetValue {
        ZSetValue::default()
    }

    /// A set that starts in the skiplist encoding (Redis's `zsetTypeCreate`
    /// picks it when the command brings more members, or longer ones, than a
    /// listpack holds).
    pub fn with_encoding_hint(count: usize, longest: usize, max_entries: usize, max_value: usize) -> ZSetValue {
        ZSetValue { skiplist: count > max_entries || longest > max_value || max_entries == 0, ..ZSetValue::default() }
    }

    pub fn len(&self) -> usize {
        self.scores.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }

    /// OBJECT ENCODING's name for the current representation.
    pub fn encoding(&self) -> &'static str {
        if self.skiplist {
            "skiplist"
        } else {
            "listpack"
        }
    }

    pub fn is_listpack(&self) -> bool {
        !self.skiplist
    }

    /// Store commands convert their result back to a listpack when it fits
    /// (Redis's `zsetConvertToListpackIfNeeded`).
    pub fn fit_encoding(&mut self, max_entries: usize, max_value: usize) {
        let longest = self.scores.keys().map(|m| m.len()).max().unwrap_or(0);
        let skiplist = !(self.len() <= max_entries && longest <= max_value);
        if self.skiplist && !skiplist {
            // Converting to a listpack turns -0 scores into 0.
            let negative_zeros: Vec<Vec<u8>> = self
                .scores
                .iter()
                .filter(|(_, s)| **s == 0.0 && s.is_sign_negative())
                .map(|(m, _)| m.clone())
                .collect();
            for m in negative_zeros {
                self.remove(&m);
                self.scores.insert(m.clone(), 0.0);
                self.tree.insert(0.0, m);
            }
        }
        self.skiplist = skiplist;
    }

    /// An empty set in the skiplist encoding, as Redis builds the results
    /// of ZUNION/ZINTER/ZDIFF and GEO searches before storing them.
    pub fn new_skiplist() -> ZSetValue {
        ZSetValue { skiplist: true, ..ZSetValue::default() }
    }

    pub fn score(&self, member: &[u8]) -> Option<f64> {
        self.scores.get(member).copied()
    }

    /// Sets `member`'s score (adding it if needed). Returns true if it was new.
    /// `limits` = (max listpack entries, max listpack value) for the encoding.
    pub fn insert(&mut self, member: &[u8], score: f64, limits: (usize, usize)) -> bool {
        // A listpack stores an integral score as an integer: -0 reads back as 0.
        let score = if score == 0.0 && !self.skiplist { 0.0 } else { score };
        match self.scores.get_mut(member) {
            Some(old) => {
                if *old != score {
                    self.tree.remove(*old, member);
                    self.tree.insert(score, member.to_vec());
                    *old = score;
                }
                false
            }
            None => {
                self.scores.insert(member.to_vec(), score);
                self.tree.insert(score, member.to_vec());
                if self.scores.len() > limits.0 || member.len() > limits.1 {
                    self.skiplist = true;
                }
                true
            }
        }
    }

    /// Removes `member`; true if it was there.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match self.scores.remove(member) {
            Some(score) => {
                self.tree.remove(score, member);
                true
            }
            None => false,
        }
    }

    /// 0-based rank from the lowest score.
    pub fn rank(&self, member: &[u8]) -> Option<usize> {
        let score = self.score(member)?;
        Some(self.tree.count_while(|s, m| (s, m) < (score, member)))
    }

    /// Number of members before the first one with a score above `min`
    /// (`exclusive`) or at least `min`.
    pub fn count_score_below(&self, min: f64, exclusive: bool) -> usize {
        if exclusive {
            self.tree.count_while(|s, _| s <= min)
        } else {
            self.tree.count_while(|s, _| s < min)
        }
    }

    /// Number of members whose member bytes sort before the lex bound.
    /// `exclusive` puts members equal to `min` before it too.
    pub fn count_lex_below(&self, min: &[u8], exclusive: bool) -> usize {
        if exclusive {
            self.tree.count_while(|_, m| m <= min)
        } else {
            self.tree.count_while(|_, m| m < min)
        }
    }

    /// The (member, score) at rank `i`.
    pub fn nth(&self, i: usize) -> Option<(Vec<u8>, f64)> {
        self.tree.nth(i).map(|(s, m)| (m.to_vec(), s))
    }

    /// (member, score) for ranks `start..end`, lowest first.
    pub fn range(&self, start: usize, end: usize) -> Vec<(Vec<u8>, f64)> {
        let mut out = Vec::with_capacity(end.saturating_sub(start).min(self.len()));
        self.tree.for_each_from(start, |s, m| {
            if out.len() + start >= end {
                return false;
            }
            out.push((m.to_vec(), s));
            true
        });
        out
    }

    /// (member, score) from the lowest score to the highest (ZRANGE order).
    pub fn ranked(&self) -> Vec<(Vec<u8>, f64)> {
        self.range(0, self.len())
    }

    /// Approximate bytes used, for memory accounting.
    pub fn mem_usage(&self) -> usize {
        let per = if self.skiplist { 80 } else { 12 };
        let factor = if self.skiplist { 2 } else { 1 };
        crate::types::sampled_size(self.scores.len(), self.scores.keys().map(|m| m.len() * factor + per)) + 64
    }

    /// Commands that recreate this value under `key`.
    pub fn rewrite(&self, key: &[u8], out: &mut Vec<Vec<Vec<u8>>>) {
        for chunk in self.ranked().chunks(64) {
            let mut argv = vec![b"ZADD".to_vec(), key.to_vec()];
            for (m, s) in chunk {
                argv.push(format_double(*s).into_bytes());
                argv.push(m.clone());
            }
            out.push(argv);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: (usize, usize) = (128, 64);

    #[test]
    fn ranks_follow_score_then_member() {
        let mut z = ZSetValue::new();
        z.insert(b"b", 1.0, LIMITS);
        z.insert(b"a", 1.0, LIMITS);
        z.insert(b"c", 0.5, LIMITS);
        assert_eq!(z.rank(b"c"), Some(0));
        assert_eq!(z.rank(b"a"), Some(1));
        assert_eq!(z.rank(b"b"), Some(2));
        z.insert(b"c", 2.0, LIMITS);
        assert_eq!(z.rank(b"c"), Some(2));
        assert_eq!(z.range(1, 3), vec![(b"b".to_vec(), 1.0), (b"c".to_vec(), 2.0)]);
        assert_eq!(z.count_score_below(1.0, false), 0);
        assert_eq!(z.count_score_below(1.0, true), 2);
        assert!(z.remove(b"a"));
        assert_eq!(z.len(), 2);
        assert_eq!(z.nth(0), Some((b"b".to_vec(), 1.0)));
        assert_eq!(z.encoding(), "listpack");
        z.insert(&[b'x'; 65], 1.0, LIMITS);
        assert_eq!(z.encoding(), "skiplist");
    }

    #[test]
    fn bounds_and_ranges_match_a_sorted_model() {
        let mut z = ZSetValue::new();
        let mut model: std::collections::BTreeMap<Vec<u8>, f64> = std::collections::BTreeMap::new();
        let mut x: u64 = 99;
        for _ in 0..2000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let member = format!("k{}", (x >> 40) % 150).into_bytes();
            let score = ((x >> 20) % 40) as f64 / 4.0 - 3.0;
            if (x >> 10).is_multiple_of(4) {
                assert_eq!(z.remove(&member), model.remove(&member).is_some());
            } else {
                assert_eq!(z.insert(&member, score, LIMITS), model.insert(member, score).is_none());
            }
        }
        let mut sorted: Vec<(Vec<u8>, f64)> = model.into_iter().collect();
        sorted.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap().then(a.0.cmp(&b.0)));
        assert_eq!(z.ranked(), sorted);
        for (i, (m, _)) in sorted.iter().enumerate() {
            assert_eq!(z.rank(m), Some(i));
        }
        for bound in [-4.0, -3.0, -1.25, 0.0, 2.5, 6.75, 7.0] {
            assert_eq!(z.count_score_below(bound, false), sorted.iter().filter(|(_, s)| *s < bound).count());
            assert_eq!(z.count_score_below(bound, true), sorted.iter().filter(|(_, s)| *s <= bound).count());
        }
        assert_eq!(z.range(3, 8), sorted[3..8].to_vec());
        assert_eq!(z.range(z.len() - 2, z.len() + 5), sorted[sorted.len() - 2..].to_vec());
    }
}
