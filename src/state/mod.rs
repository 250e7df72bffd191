//! App state shared between components (no DOM code here).
pub mod completion;
pub mod console;

pub mod keys;
pub mod progress;
pub mod scaling;
pub mod session;
pub mod snapshot;
pub mod take_away;
pub mod views;
