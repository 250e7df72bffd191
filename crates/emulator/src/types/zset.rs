//! Sorted set values.
//!
//! Stable interface other modules rely on (keep it when changing the
//! representation): `len`, `ranked`, `mem_usage`, `rewrite`.

use crate::float::format_double;

#[derive(Debug, Clone, Default)]
pub struct ZSetValue {
    pub entries: Vec<(f64, Vec<u8>)>,
}

impl ZSetValue {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// (member, score) from the lowest score to the highest (ZRANGE order).
    pub fn ranked(&self) -> Vec<(Vec<u8>, f64)> {
        self.entries.iter().map(|(s, m)| (m.clone(), *s)).collect()
    }

    /// Approximate bytes used, for memory accounting.
    pub fn mem_usage(&self) -> usize {
        self.entries.iter().map(|(_, m)| m.len() + 40).sum::<usize>() + 64
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
