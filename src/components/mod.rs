//! Reusable UI pieces.

pub mod console;
