//! Reusable UI pieces.

pub mod charts;
pub mod clock;
pub mod console;
pub mod dataset;
pub mod key_browser;
pub mod markdown;
pub mod monitor;
pub mod node_keys;
pub mod progress;
pub mod provider;
pub mod redis_files;
pub mod server_panel;
pub mod value_view;
