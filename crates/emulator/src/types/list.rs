//! List values.
//!
//! Stable interface other modules rely on (keep it when changing the
//! representation): `len`, `to_vec`, `mem_usage`, `rewrite`.

use std::collections::VecDeque;

#[derive(Debug, Clone, Default)]
pub struct ListValue {
    pub items: VecDeque<Vec<u8>>,
}

impl ListValue {
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

    /// Approximate bytes used, for memory accounting.
    pub fn mem_usage(&self) -> usize {
        self.items.iter().map(|i| i.len() + 11).sum::<usize>() + 48
    }

    /// Commands that recreate this value under `key` (snapshots, AOF rewrite).
    pub fn rewrite(&self, key: &[u8], out: &mut Vec<Vec<Vec<u8>>>) {
        for chunk in self.to_vec().chunks(64) {
            let mut argv = vec![b"RPUSH".to_vec(), key.to_vec()];
            argv.extend(chunk.iter().cloned());
            out.push(argv);
        }
    }
}
