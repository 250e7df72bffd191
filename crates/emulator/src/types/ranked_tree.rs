//! An order-statistics tree for sorted sets: a treap (randomised balanced
//! binary search tree) over (score, member) pairs, each node counting the
//! size of its subtree. Insert, remove, rank, select-by-rank and "how many
//! elements come before this bound" all take O(log n) expected time, which
//! is what Redis's skiplist with spans gives ZRANK and ZRANGE.
//!
//! Nodes live in an arena (`Vec`) and link by index, so there is no unsafe
//! code and no deep recursion beyond the tree's (logarithmic) height.

const NIL: u32 = u32::MAX;

#[derive(Debug, Clone)]
struct Node {
    score: f64,
    member: Vec<u8>,
    priority: u32,
    size: u32,
    left: u32,
    right: u32,
}

#[derive(Debug, Clone)]
pub struct RankedTree {
    nodes: Vec<Node>,
    free: Vec<u32>,
    root: u32,
    seed: u64,
}

impl Default for RankedTree {
    fn default() -> Self {
        RankedTree { nodes: Vec::new(), free: Vec::new(), root: NIL, seed: 0x2545_F491_4F6C_DD1D }
    }
}

/// True if (s1, m1) sorts before (s2, m2).
fn before(s1: f64, m1: &[u8], s2: f64, m2: &[u8]) -> bool {
    s1 < s2 || (s1 == s2 && m1 < m2)
}

impl RankedTree {
    pub fn len(&self) -> usize {
        self.size(self.root)
    }

    pub fn is_empty(&self) -> bool {
        self.root == NIL
    }

    fn size(&self, n: u32) -> usize {
        if n == NIL {
            0
        } else {
            self.nodes[n as usize].size as usize
        }
    }

    fn update(&mut self, n: u32) {
        let (l, r) = (self.nodes[n as usize].left, self.nodes[n as usize].right);
        self.nodes[n as usize].size = (1 + self.size(l) + self.size(r)) as u32;
    }

    fn next_priority(&mut self) -> u32 {
        // xorshift64*: only balances the tree, never visible to clients.
        self.seed ^= self.seed >> 12;
        self.seed ^= self.seed << 25;
        self.seed ^= self.seed >> 27;
        (self.seed.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32
    }

    /// Splits `t` into (elements for which `goes_left` holds, the rest);
    /// `goes_left` must hold for a prefix of the order.
    fn split(&mut self, t: u32, goes_left: &dyn Fn(f64, &[u8]) -> bool) -> (u32, u32) {
        if t == NIL {
            return (NIL, NIL);
        }
        let node = &self.nodes[t as usize];
        if goes_left(node.score, &node.member) {
            let right = node.right;
            let (a, b) = self.split(right, goes_left);
            self.nodes[t as usize].right = a;
            self.update(t);
            (t, b)
        } else {
            let left = node.left;
            let (a, b) = self.split(left, goes_left);
            self.nodes[t as usize].left = b;
            self.update(t);
            (a, t)
        }
    }

    fn merge(&mut self, a: u32, b: u32) -> u32 {
        if a == NIL {
            return b;
        }
        if b == NIL {
            return a;
        }
        if self.nodes[a as usize].priority >= self.nodes[b as usize].priority {
            let r = self.nodes[a as usize].right;
            let m = self.merge(r, b);
            self.nodes[a as usize].right = m;
            self.update(a);
            a
        } else {
            let l = self.nodes[b as usize].left;
            let m = self.merge(a, l);
            self.nodes[b as usize].left = m;
            self.update(b);
            b
        }
    }

    /// Inserts (score, member); the pair must not be present already.
    pub fn insert(&mut self, score: f64, member: Vec<u8>) {
        let priority = self.next_priority();
        let (l, r) = {
            let key = member.clone();
            self.split(self.root, &move |s, m| before(s, m, score, &key))
        };
        let node = Node { score, member, priority, size: 1, left: NIL, right: NIL };
        let id = match self.free.pop() {
            Some(id) => {
                self.nodes[id as usize] = node;
                id
            }
            None => {
                self.nodes.push(node);
                (self.nodes.len() - 1) as u32
            }
        };
        let left = self.merge(l, id);
        self.root = self.merge(left, r);
    }

    /// Removes (score, member) if present.
    pub fn remove(&mut self, score: f64, member: &[u8]) {
        let (l, rest) = self.split(self.root, &|s, m| before(s, m, score, member));
        let (mid, r) = self.split(rest, &|s, m| !before(score, member, s, m));
        if mid != NIL {
            let node = &mut self.nodes[mid as usize];
            node.member = Vec::new();
            node.left = NIL;
            node.right = NIL;
            self.free.push(mid);
        }
        self.root = self.merge(l, r);
        if self.root == NIL {
            self.nodes.clear();
            self.free.clear();
        }
    }

    /// How many elements, from the first, satisfy `pred` (which must hold
    /// for a prefix of the order).
    pub fn count_while(&self, pred: impl Fn(f64, &[u8]) -> bool) -> usize {
        let mut count = 0;
        let mut t = self.root;
        while t != NIL {
            let node = &self.nodes[t as usize];
            if pred(node.score, &node.member) {
                count += self.size(node.left) + 1;
                t = node.right;
            } else {
                t = node.left;
            }
        }
        count
    }

    /// The element at 0-based rank `i`.
    pub fn nth(&self, mut i: usize) -> Option<(f64, &[u8])> {
        let mut t = self.root;
        while t != NIL {
            let node = &self.nodes[t as usize];
            let left = self.size(node.left);
            if i < left {
                t = node.left;
            } else if i == left {
                return Some((node.score, &node.member));
            } else {
                i -= left + 1;
                t = node.right;
            }
        }
        None
    }

    /// Visits elements in order from rank `start` while `visit` returns true.
    pub fn for_each_from(&self, start: usize, mut visit: impl FnMut(f64, &[u8]) -> bool) {
        // Stack of ancestors whose element (and right subtree) is still to visit.
        let mut stack: Vec<u32> = Vec::new();
        let mut t = self.root;
        let mut i = start;
        while t != NIL {
            let node = &self.nodes[t as usize];
            let left = self.size(node.left);
            if i < left {
                stack.push(t);
                t = node.left;
            } else if i == left {
                stack.push(t);
                break;
            } else {
                i -= left + 1;
                t = node.right;
            }
        }
        while let Some(n) = stack.pop() {
            let node = &self.nodes[n as usize];
            if !visit(node.score, &node.member) {
                return;
            }
            let mut c = node.right;
            while c != NIL {
                stack.push(c);
                c = self.nodes[c as usize].left;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_sorted_vector() {
        let mut tree = RankedTree::default();
        let mut model: Vec<(i64, Vec<u8>)> = Vec::new();
        let mut x: u64 = 12345;
        for step in 0..3000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let score = ((x >> 33) % 50) as i64;
            let member = format!("m{}", (x >> 20) % 300).into_bytes();
            if let Some(pos) = model.iter().position(|(_, m)| *m == member) {
                let (s, m) = model.remove(pos);
                tree.remove(s as f64, &m);
            } else if step % 3 != 0 {
                model.push((score, member.clone()));
                model.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
                tree.insert(score as f64, member);
            }
            assert_eq!(tree.len(), model.len());
        }
        for (i, (s, m)) in model.iter().enumerate() {
            assert_eq!(tree.nth(i), Some((*s as f64, m.as_slice())));
            assert_eq!(tree.count_while(|ts, tm| before(ts, tm, *s as f64, m)), i);
        }
        let mut seen = Vec::new();
        tree.for_each_from(5, |s, m| {
            seen.push((s as i64, m.to_vec()));
            true
        });
        assert_eq!(seen, model[5.min(model.len())..].to_vec());
    }
}
