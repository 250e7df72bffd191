//! List values.
//!
//! Stable interface other modules rely on (keep it when changing the
//! representation): `len`, `to_vec`, `mem_usage`, `rewrite`, `encoding`.
//!
//! A ring buffer gives O(1) pushes and pops at both ends and O(1) access by
//! index. Every change goes through the methods below, which keep the
//! elements' byte total, so memory accounting of a write is O(1) however
//! long the list. Redis 7.0 stores every list as a quicklist (a linked list of
//! listpack nodes, `list-max-listpack-size` bounding each node), so OBJECT
//! ENCODING always reports `quicklist`, whatever the length.

use std::collections::VecDeque;

#[derive(Debug, Clone, Default)]
pub struct ListValue {
    items: VecDeque<Vec<u8>>,
    /// Sum of [`element_cost`] over the elements.
    bytes: usize,
}

/// Which end of a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// The head (LPUSH, LPOP).
    Left,
    /// The tail (RPUSH, RPOP).
    Right,
}

/// Accounted bytes of one element in a listpack node (payload plus entry
/// header and back-length).
fn element_cost(element: &[u8]) -> usize {
    element.len() + 11
}

impl ListValue {
    pub fn new() -> ListValue {
        ListValue::default()
    }

    /// A list holding `items`, head first.
    pub fn from_items(items: impl IntoIterator<Item = Vec<u8>>) -> ListValue {
        let items: VecDeque<Vec<u8>> = items.into_iter().collect();
        let bytes = items.iter().map(|e| element_cost(e)).sum();
        ListValue { items, bytes }
    }

    /// Adds an element at one end.
    pub fn push(&mut self, end: End, element: Vec<u8>) {
        self.bytes += element_cost(&element);
        match end {
            End::Left => self.items.push_front(element),
            End::Right => self.items.push_back(element),
        }
    }

    /// Removes the element at one end.
    pub fn pop(&mut self, end: End) -> Option<Vec<u8>> {
        let element = match end {
            End::Left => self.items.pop_front(),
            End::Right => self.items.pop_back(),
        }?;
        self.bytes -= element_cost(&element);
        Some(element)
    }

    /// Removes up to `count` elements from one end, in the order they come
    /// off (LPOP/RPOP with a count, LMPOP).
    pub fn pop_many(&mut self, end: End, count: usize) -> Vec<Vec<u8>> {
        let n = count.min(self.items.len());
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            if let Some(v) = self.pop(end) {
                out.push(v);
            }
        }
        out
    }

    /// Inserts `element` just before or after the first element equal to
    /// `pivot`, from the head (LINSERT). The new length, or None when the
    /// pivot is not in the list.
    pub fn insert_at_pivot(&mut self, pivot: &[u8], element: Vec<u8>, after: bool) -> Option<usize> {
        let at = self.position(pivot)?;
        self.insert(if after { at + 1 } else { at }, element);
        Some(self.items.len())
    }

    /// Replaces the element at a Redis index (LSET); false if out of range.
    pub fn set(&mut self, index: i64, element: Vec<u8>) -> bool {
        self.resolve_index(index).is_some_and(|at| self.replace(at, element))
    }

    /// Keeps only the elements between two Redis indexes, both included
    /// (LTRIM); an empty range empties the list.
    pub fn trim(&mut self, start: i64, stop: i64) {
        let kept = self.clamp_range(start, stop);
        self.keep_range(kept);
    }

    /// Removes elements equal to `element` (LREM): the first `count` from
    /// the head when positive, the last `-count` when negative, all of them
    /// when 0. Answers how many went.
    pub fn remove(&mut self, element: &[u8], count: i64) -> usize {
        let total = self.items.iter().filter(|e| e.as_slice() == element).count();
        let limit = if count == 0 { total } else { count.unsigned_abs().min(total as u64) as usize };
        // From the tail: keep the first (total - limit) matches.
        let mut skip = if count < 0 { total - limit } else { 0 };
        let mut left = limit;
        self.retain(|e| {
            if left == 0 || e != element {
                return true;
            }
            if skip > 0 {
                skip -= 1;
                return true;
            }
            left -= 1;
            false
        });
        limit
    }

    /// LPOS's search for `element`. Matches are counted from the head, or
    /// from the tail when `rank` is negative; positions are reported from
    /// the `|rank|`-th match on, up to `count` of them (`Some(0)`: all; None:
    /// just the first), scanning at most `maxlen` elements (0: all).
    /// The most negative rank stays negative once flipped and so reports
    /// every match, as in Redis (the arithmetic wraps the same way).
    pub fn positions(&self, element: &[u8], rank: i64, count: Option<i64>, maxlen: i64) -> Vec<usize> {
        let from_tail = rank < 0;
        let rank = if from_tail { rank.wrapping_neg() } else { rank };
        let len = self.items.len();
        let mut found = Vec::new();
        let mut matches: i64 = 0;
        for scanned in 0..len {
            if maxlen != 0 && scanned as i64 >= maxlen {
                break;
            }
            let index = if from_tail { len - 1 - scanned } else { scanned };
            if self.items[index] != element {
                continue;
            }
            matches += 1;
            if matches >= rank {
                found.push(index);
                match count {
                    None => break,
                    Some(count) if count != 0 && matches.wrapping_sub(rank).wrapping_add(1) >= count => break,
                    Some(_) => {}
                }
            }
        }
        found
    }

    /// Inserts an element before position `at` (LINSERT).
    pub fn insert(&mut self, at: usize, element: Vec<u8>) {
        self.bytes += element_cost(&element);
        self.items.insert(at, element);
    }

    /// Replaces the element at position `at` (LSET); false if out of range.
    pub fn replace(&mut self, at: usize, element: Vec<u8>) -> bool {
        let Some(slot) = self.items.get_mut(at) else { return false };
        self.bytes = self.bytes - element_cost(slot) + element_cost(&element);
        *slot = element;
        true
    }

    /// Keeps positions `first..=last` only (LTRIM), or nothing when None.
    pub fn keep_range(&mut self, range: Option<(usize, usize)>) {
        match range {
            None => self.items.clear(),
            Some((first, last)) => {
                self.items.truncate(last + 1);
                self.items.drain(..first);
            }
        }
        self.bytes = self.items.iter().map(|e| element_cost(e)).sum();
    }

    /// Keeps the elements for which `keep` is true, head to tail (LREM).
    pub fn retain(&mut self, mut keep: impl FnMut(&[u8]) -> bool) {
        let mut removed = 0;
        self.items.retain(|e| {
            let kept = keep(e);
            if !kept {
                removed += element_cost(e);
            }
            kept
        });
        self.bytes -= removed;
    }

    /// The elements, head first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &[u8]> + ExactSizeIterator {
        self.items.iter().map(|e| e.as_slice())
    }

    /// The elements at positions `first..=last`.
    pub fn range(&self, first: usize, last: usize) -> impl Iterator<Item = &[u8]> {
        self.items.range(first..=last).map(|e| e.as_slice())
    }

    /// Position of the first element equal to `element`, from the head.
    pub fn position(&self, element: &[u8]) -> Option<usize> {
        self.items.iter().position(|e| e == element)
    }

    /// The element at position `at` (0 is the head).
    pub fn at(&self, at: usize) -> Option<&[u8]> {
        self.items.get(at).map(|e| e.as_slice())
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

    /// Bytes used, for memory accounting: kept up to date by every change,
    /// so O(1) (this runs before and after every write command).
    pub fn mem_usage(&self) -> usize {
        self.bytes + 48
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The running byte total always equals a recount, whatever the edits.
    #[test]
    fn byte_total_follows_every_kind_of_edit() {
        let recount = |l: &ListValue| l.iter().map(element_cost).sum::<usize>();
        let mut list = ListValue::from_items((0..5).map(|i| vec![b'a'; i]));
        let mut state: u64 = 42;
        let mut next = move |n: usize| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 33) as usize) % n.max(1)
        };
        for step in 0..5_000 {
            let element = vec![b'x'; next(40)];
            match next(7) {
                0 => list.push(End::Left, element),
                1 => list.push(End::Right, element),
                2 => drop(list.pop(if next(2) == 0 { End::Left } else { End::Right })),
                3 => list.insert(next(list.len() + 1), element),
                4 => drop(list.replace(next(list.len() + 1), element)),
                5 => {
                    let keep = next(5) as u8;
                    list.retain(|e| e.len() as u8 % 5 != keep);
                }
                _ if next(20) == 0 => {
                    let (a, b) = (next(list.len() + 1), next(list.len() + 1));
                    list.keep_range(list.clamp_range(a as i64, b as i64));
                }
                _ => {}
            }
            assert_eq!(list.bytes, recount(&list), "after step {step}");
        }
        assert_eq!(list.mem_usage(), recount(&list) + 48);
    }
}
