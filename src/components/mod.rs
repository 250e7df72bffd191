//! Reusable UI pieces.

pub mod charts;
pub mod console;
