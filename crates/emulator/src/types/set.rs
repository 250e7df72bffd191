//! Set values.
//!
//! Stable interface other modules rely on (keep it when changing the
//! representation): `len`, `members`, `mem_usage`, `rewrite`.

#[derive(Debug, Clone, Default)]
pub struct SetValue {
    pub items: Vec<Vec<u8>>,
}

impl SetValue {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// All members in the order SMEMBERS returns them.
    pub fn members(&self) -> Vec<Vec<u8>> {
        self.items.clone()
    }

    /// Approximate bytes used, for memory accounting.
    pub fn mem_usage(&self) -> usize {
        self.items.iter().map(|m| m.len() + 16).sum::<usize>() + 48
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
