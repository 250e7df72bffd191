//! Reusable UI pieces.

pub mod console;
pub mod markdown;
