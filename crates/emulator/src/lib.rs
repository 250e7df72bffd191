//! A Redis 7.0 emulator: pure Rust, synchronous and deterministic.
//!
//! ```
//! use redis_emulator::{Engine, cli_format::format_reply, resp::Protocol};
//! let mut engine = Engine::with_manual_clock(0, 1);
//! let me = engine.connect("doc:1");
//! let reply = engine.execute_line(me, "SET greeting \"hello world\"").unwrap();
//! assert_eq!(format_reply(&reply, Protocol::Resp2), "OK\n");
//! ```

pub mod access;
pub mod aof;
pub mod args;
pub mod cli_format;
pub mod client;
pub mod client_table;
pub mod clock;
pub mod command;
pub mod commands;
pub mod config;
pub mod db;
pub mod engine;
pub mod errors;
pub mod events;
pub mod eviction;
pub mod float;
pub mod geohash;
pub mod glob;
pub mod help;
pub mod long_double;
pub mod memory;
pub mod monitor;
pub mod notify;
pub mod pubsub;
pub mod rdb;
pub mod reply;
pub mod resp;
pub mod rng;
pub mod scripting;
pub mod server_state;
pub mod slowlog;
pub mod snapshot;
pub mod stats;
pub mod store;
#[cfg(test)]
mod test_support;
pub mod tokenizer;
pub mod types;
pub mod value;
pub mod watch;

pub use client::ClientId;
pub use clock::Clock;
pub use config::Config;
pub use engine::{Ctx, Engine};
pub use events::Event;
pub use reply::Reply;
pub use resp::Protocol;
