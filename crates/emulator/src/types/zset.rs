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
use crate::types::set::{SetOp, SetValue};

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

    /// Redis's `zsetAdd` for one member: `score` is the new score, or the
    /// increment with `mode.incr`. NX/XX/GT/LT may skip the member; an
    /// increment that makes the score NaN fails and changes nothing.
    pub fn add(
        &mut self,
        member: &[u8],
        score: f64,
        mode: AddMode,
        limits: (usize, usize),
    ) -> Result<AddOutcome, NanScore> {
        match self.score(member) {
            Some(cur) => {
                if mode.nx {
                    return Ok(AddOutcome::Skipped);
                }
                let new = if mode.incr { cur + score } else { score };
                if new.is_nan() {
                    return Err(NanScore);
                }
                if (mode.lt && new >= cur) || (mode.gt && new <= cur) {
                    return Ok(AddOutcome::Skipped);
                }
                if new != cur {
                    self.insert(member, new, limits);
                    Ok(AddOutcome::Updated(new))
                } else {
                    Ok(AddOutcome::Unchanged(new))
                }
            }
            None => {
                if mode.xx {
                    return Ok(AddOutcome::Skipped);
                }
                self.insert(member, score, limits);
                Ok(AddOutcome::Added(score))
            }
        }
    }

    /// Ranks `lo..hi` of the members with scores inside `r`.
    pub fn score_span(&self, r: &ScoreRange) -> (usize, usize) {
        let lo = self.count_score_below(r.min, r.minex);
        let hi = self.count_score_below(r.max, !r.maxex);
        (lo, hi.max(lo))
    }

    /// Ranks `lo..hi` of the members between two lexicographical bounds
    /// (meaningful when all scores are equal, as Redis documents).
    pub fn lex_span(&self, min: &LexBound, max: &LexBound) -> (usize, usize) {
        let lo = match min {
            LexBound::NegInf => 0,
            LexBound::PosInf => self.len(),
            LexBound::Incl(m) => self.count_lex_below(m, false),
            LexBound::Excl(m) => self.count_lex_below(m, true),
        };
        let hi = match max {
            LexBound::NegInf => 0,
            LexBound::PosInf => self.len(),
            LexBound::Incl(m) => self.count_lex_below(m, true),
            LexBound::Excl(m) => self.count_lex_below(m, false),
        };
        (lo, hi.max(lo))
    }

    /// Ranks `lo..hi` for the inclusive rank range `start..=end`, negative
    /// ranks counting from the end as in ZRANGE; None when it is empty.
    pub fn rank_span(&self, start: i64, end: i64) -> Option<(usize, usize)> {
        let llen = self.len() as i64;
        let mut start = if start < 0 { llen.saturating_add(start) } else { start };
        let mut end = if end < 0 { llen.saturating_add(end) } else { end };
        if start < 0 {
            start = 0;
        }
        if start > end || start >= llen {
            return None;
        }
        if end >= llen {
            end = llen - 1;
        }
        Some((start as usize, end as usize + 1))
    }

    /// Ranks `lo..hi` walked in the requested direction, after skipping
    /// `offset` and keeping at most `limit` (negative = all), as the LIMIT
    /// of the ZRANGE family does. A negative offset selects nothing.
    pub fn window(&self, lo: usize, hi: usize, offset: i64, limit: i64, reverse: bool) -> Vec<(Vec<u8>, f64)> {
        if offset < 0 || lo >= hi {
            return Vec::new();
        }
        let len = hi - lo;
        let skip = usize::try_from(offset).unwrap_or(usize::MAX).min(len);
        let take = if limit < 0 { len - skip } else { usize::try_from(limit).unwrap_or(usize::MAX).min(len - skip) };
        if reverse {
            let mut v = self.range(hi - skip - take, hi - skip);
            v.reverse();
            v
        } else {
            self.range(lo + skip, lo + skip + take)
        }
    }

    /// Removes the members of ranks `lo..hi`; returns how many went.
    pub fn remove_ranks(&mut self, lo: usize, hi: usize) -> usize {
        let doomed = self.range(lo, hi);
        for (m, _) in &doomed {
            self.remove(m);
        }
        doomed.len()
    }

    /// Removes and returns up to `count` members from one end, in the
    /// order ZPOPMIN / ZPOPMAX answer them (outermost first).
    pub fn pop(&mut self, end: End, count: usize) -> Vec<(Vec<u8>, f64)> {
        let n = count.min(self.len());
        let items = match end {
            End::Min => self.range(0, n),
            End::Max => {
                let mut v = self.range(self.len() - n, self.len());
                v.reverse();
                v
            }
        };
        for (m, _) in &items {
            self.remove(m);
        }
        items
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

/// How ZADD treats existing and new members (its NX, XX, GT, LT and INCR
/// options; CH only changes the reply).
#[derive(Debug, Default, Clone, Copy)]
pub struct AddMode {
    /// Only add new members.
    pub nx: bool,
    /// Only update existing members.
    pub xx: bool,
    /// Only update when the new score is greater.
    pub gt: bool,
    /// Only update when the new score is lower.
    pub lt: bool,
    /// The score is an increment (ZINCRBY, ZADD INCR).
    pub incr: bool,
}

/// What [`ZSetValue::add`] did with one member (and its score after it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AddOutcome {
    Added(f64),
    Updated(f64),
    Unchanged(f64),
    Skipped,
}

/// An increment whose result is not a number (`+inf` plus `-inf`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NanScore;

/// A score interval: bounds and whether each is exclusive.
#[derive(Clone, Copy, Debug)]
pub struct ScoreRange {
    pub min: f64,
    pub max: f64,
    pub minex: bool,
    pub maxex: bool,
}

/// A lexicographical bound: `-`, `+`, `[member` or `(member`.
#[derive(Clone, Debug)]
pub enum LexBound {
    NegInf,
    PosInf,
    Incl(Vec<u8>),
    Excl(Vec<u8>),
}

/// Which end of the order a pop takes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Min,
    Max,
}

/// How ZUNION / ZINTER combine the weighted scores of a member present in
/// several inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    Sum,
    Min,
    Max,
}

impl Aggregate {
    /// Folds `v` into `acc`. A sum that turns NaN (`inf + -inf`) counts as 0.
    fn fold(self, acc: &mut f64, v: f64) {
        match self {
            Aggregate::Sum => {
                *acc += v;
                if acc.is_nan() {
                    *acc = 0.0;
                }
            }
            Aggregate::Min => *acc = acc.min(v),
            Aggregate::Max => *acc = acc.max(v),
        }
    }
}

/// One input of the sorted-set algebra: a missing key, a sorted set, or a
/// plain set whose members all score 1.
#[derive(Debug, Clone)]
pub enum Operand {
    Missing,
    Sorted(ZSetValue),
    Plain(SetValue),
}

impl Operand {
    fn len(&self) -> usize {
        match self {
            Operand::Missing => 0,
            Operand::Sorted(z) => z.len(),
            Operand::Plain(s) => s.len(),
        }
    }

    fn score(&self, member: &[u8]) -> Option<f64> {
        match self {
            Operand::Missing => None,
            Operand::Sorted(z) => z.score(member),
            Operand::Plain(s) => s.contains(member).then_some(1.0),
        }
    }

    fn items(&self) -> Vec<(Vec<u8>, f64)> {
        match self {
            Operand::Missing => Vec::new(),
            Operand::Sorted(z) => z.ranked(),
            Operand::Plain(s) => s.members().into_iter().map(|m| (m, 1.0)).collect(),
        }
    }
}

/// ZUNION / ZINTER / ZDIFF (and their STORE forms, and ZINTERCARD) over
/// `(operand, weight)` pairs, as a new set in the skiplist encoding.
///
/// Scores are multiplied by their input's weight (a NaN product counts as
/// 0) and combined with `aggregate`; ZDIFF ignores weights and keeps the
/// first input's scores. Union and intersection walk the inputs smallest
/// first, which decides the order scores are folded in, as in Redis.
pub fn combine(mut inputs: Vec<(Operand, f64)>, op: SetOp, aggregate: Aggregate, limits: (usize, usize)) -> ZSetValue {
    let mut result = ZSetValue::new_skiplist();
    let weighted = |s: f64, w: f64| {
        let v = s * w;
        if v.is_nan() {
            0.0
        } else {
            v
        }
    };
    match op {
        SetOp::Union => {
            inputs.sort_by_key(|(s, _)| s.len());
            let mut acc: HashMap<Vec<u8>, f64> = HashMap::new();
            let mut order: Vec<Vec<u8>> = Vec::new();
            for (src, w) in &inputs {
                for (m, s) in src.items() {
                    let v = weighted(s, *w);
                    match acc.get_mut(&m) {
                        Some(cur) => aggregate.fold(cur, v),
                        None => {
                            acc.insert(m.clone(), v);
                            order.push(m);
                        }
                    }
                }
            }
            for m in order {
                if let Some(s) = acc.get(&m) {
                    result.insert(&m, *s, limits);
                }
            }
        }
        SetOp::Inter => {
            if inputs.iter().any(|(s, _)| matches!(s, Operand::Missing)) {
                return result;
            }
            inputs.sort_by_key(|(s, _)| s.len());
            let Some(((first, w0), rest)) = inputs.split_first() else { return result };
            'members: for (m, s) in first.items() {
                let mut score = weighted(s, *w0);
                for (src, w) in rest {
                    // Only the first input's product is cleared of NaN (Redis does the same).
                    match src.score(&m) {
                        Some(v) => aggregate.fold(&mut score, v * *w),
                        None => continue 'members,
                    }
                }
                result.insert(&m, score, limits);
            }
        }
        SetOp::Diff => {
            if let Some(((first, _), rest)) = inputs.split_first() {
                for (m, s) in first.items() {
                    if !rest.iter().any(|(src, _)| src.score(&m).is_some()) {
                        result.insert(&m, s, limits);
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

    #[test]
    fn add_honours_nx_xx_gt_lt_and_incr() {
        let mut z = ZSetValue::new();
        let mode = AddMode::default();
        assert_eq!(z.add(b"a", 1.0, mode, LIMITS), Ok(AddOutcome::Added(1.0)));
        assert_eq!(z.add(b"a", 1.0, mode, LIMITS), Ok(AddOutcome::Unchanged(1.0)));
        assert_eq!(z.add(b"a", 2.0, AddMode { nx: true, ..mode }, LIMITS), Ok(AddOutcome::Skipped));
        assert_eq!(z.add(b"b", 2.0, AddMode { xx: true, ..mode }, LIMITS), Ok(AddOutcome::Skipped));
        assert_eq!(z.add(b"a", 0.5, AddMode { gt: true, ..mode }, LIMITS), Ok(AddOutcome::Skipped));
        assert_eq!(z.add(b"a", 0.5, AddMode { lt: true, ..mode }, LIMITS), Ok(AddOutcome::Updated(0.5)));
        assert_eq!(z.add(b"a", 2.0, AddMode { incr: true, ..mode }, LIMITS), Ok(AddOutcome::Updated(2.5)));
        z.add(b"a", f64::INFINITY, mode, LIMITS).unwrap();
        assert_eq!(z.add(b"a", f64::NEG_INFINITY, AddMode { incr: true, ..mode }, LIMITS), Err(NanScore));
        assert_eq!(z.score(b"a"), Some(f64::INFINITY));
    }

    #[test]
    fn spans_windows_and_pops() {
        let mut z = ZSetValue::new();
        for (i, m) in ["a", "b", "c", "d", "e"].iter().enumerate() {
            z.insert(m.as_bytes(), i as f64, LIMITS);
        }
        assert_eq!(z.rank_span(-2, -1), Some((3, 5)));
        assert_eq!(z.rank_span(3, 1), None);
        assert_eq!(z.score_span(&ScoreRange { min: 1.0, max: 3.0, minex: true, maxex: false }), (2, 4));
        assert_eq!(z.lex_span(&LexBound::Incl(b"b".to_vec()), &LexBound::Excl(b"d".to_vec())), (1, 3));
        let names = |v: Vec<(Vec<u8>, f64)>| v.into_iter().map(|(m, _)| m).collect::<Vec<_>>();
        assert_eq!(names(z.window(0, 5, 1, 2, true)), vec![b"d".to_vec(), b"c".to_vec()]);
        assert_eq!(names(z.window(0, 5, 4, -1, false)), vec![b"e".to_vec()]);
        assert_eq!(names(z.pop(End::Max, 2)), vec![b"e".to_vec(), b"d".to_vec()]);
        assert_eq!(z.remove_ranks(0, 2), 2);
        assert_eq!(names(z.ranked()), vec![b"c".to_vec()]);
    }

    #[test]
    fn algebra_weights_and_aggregates() {
        let mut a = ZSetValue::new();
        a.insert(b"x", 1.0, LIMITS);
        a.insert(b"y", 2.0, LIMITS);
        let mut b = SetValue::new_intset();
        b.insert(b"y", 512);
        let inputs = || vec![(Operand::Sorted(a.clone()), 2.0), (Operand::Plain(b.clone()), 10.0)];
        let union = combine(inputs(), SetOp::Union, Aggregate::Sum, LIMITS);
        assert_eq!(union.ranked(), vec![(b"x".to_vec(), 2.0), (b"y".to_vec(), 14.0)]);
        let inter = combine(inputs(), SetOp::Inter, Aggregate::Max, LIMITS);
        assert_eq!((inter.ranked(), inter.encoding()), (vec![(b"y".to_vec(), 10.0)], "skiplist"));
        let diff = combine(inputs(), SetOp::Diff, Aggregate::Sum, LIMITS);
        assert_eq!(diff.ranked(), vec![(b"x".to_vec(), 1.0)]);
        let missing = vec![(Operand::Sorted(a.clone()), 1.0), (Operand::Missing, 1.0)];
        assert!(combine(missing, SetOp::Inter, Aggregate::Sum, LIMITS).is_empty());
    }
}
