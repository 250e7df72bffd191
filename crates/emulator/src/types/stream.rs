//! Stream values.

#[derive(Debug, Clone, Default)]
pub struct StreamValue {
    pub entries: Vec<((u64, u64), Vec<Vec<u8>>)>,
}
