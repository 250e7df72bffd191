//! Hash values.
//!
//! Stable interface other modules rely on (keep it when changing the
//! representation): `len`, `pairs`, `mem_usage`, `rewrite`.

#[derive(Debug, Clone, Default)]
pub struct HashValue {
    pub fields: Vec<(Vec<u8>, Vec<u8>)>,
}

impl HashValue {
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// All (field, value) pairs in the order HGETALL returns them.
    pub fn pairs(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.fields.clone()
    }

    /// Approximate bytes used, for memory accounting.
    pub fn mem_usage(&self) -> usize {
        self.fields.iter().map(|(f, v)| f.len() + v.len() + 22).sum::<usize>() + 48
    }

    /// Commands that recreate this value under `key`.
    pub fn rewrite(&self, key: &[u8], out: &mut Vec<Vec<Vec<u8>>>) {
        for chunk in self.pairs().chunks(64) {
            let mut argv = vec![b"HSET".to_vec(), key.to_vec()];
            for (f, v) in chunk {
                argv.push(f.clone());
                argv.push(v.clone());
            }
            out.push(argv);
        }
    }
}
