//! App state shared between components (no DOM code here).

pub mod console;
pub mod progress;
pub mod session;
