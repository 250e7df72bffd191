//! Sorted set values.

#[derive(Debug, Clone, Default)]
pub struct ZSetValue {
    pub members: Vec<(f64, Vec<u8>)>,
}
