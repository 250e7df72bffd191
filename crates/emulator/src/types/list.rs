//! List values.

use std::collections::VecDeque;

#[derive(Debug, Clone, Default)]
pub struct ListValue {
    pub items: VecDeque<Vec<u8>>,
}
