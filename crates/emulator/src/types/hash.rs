//! Hash values.

#[derive(Debug, Clone, Default)]
pub struct HashValue {
    pub fields: Vec<(Vec<u8>, Vec<u8>)>,
}
