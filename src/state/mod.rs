//! App state shared between components (no DOM code here).
pub mod completion;
pub mod console;
pub mod geohash;
pub mod help;
pub mod hll;
pub mod keys;
pub mod progress;
pub mod session;
pub mod snapshot;
