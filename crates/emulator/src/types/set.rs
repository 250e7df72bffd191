//! Set values.

#[derive(Debug, Clone, Default)]
pub struct SetValue {
    pub members: Vec<Vec<u8>>,
}
