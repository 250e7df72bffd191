//! A Redis 7.0 emulator: pure Rust, synchronous and deterministic.
//!
//! ```
//! use redis_emulator::{Engine, cli_format::format_reply, resp::Protocol};
//! let mut engine = Engine::with_manual_clock(0, 1);
//! let me = engine.connect("doc:1");
//! let reply = engine.execute_line(me, "SET greeting \"hello world\"").unwrap();
//! assert_eq!(format_reply(&reply, Protocol::Resp2), "OK\n");
//! ```
//!
//! # Public surface
//!
//! [`Engine`] (connect clients, run commands, drive the clock, drain
//! [`Event`]s), [`Reply`] with its two renderers ([`resp`] for the wire,
//! [`cli_format`] as redis-cli prints it), the console's [`tokenizer`], the
//! command table ([`command`], [`commands`]) that the reference page, HELP
//! and completion read, the stored values ([`value`], [`types`], [`db`]) for
//! drawing them, and [`inspect`]: everything the page shows about a value
//! or a command (HLL registers, geo positions, search areas, MONITOR lines,
//! byte sizes). Everything else is internal.
//!
//! # Layout
//!
//! Bottom up; each layer uses only the layers below it.
//!
//! 1. **Data**: [`value`], [`types`] (each type's representation and its
//!    semantics), `store`, [`db`], [`reply`], `errors`, [`config`] (the
//!    parameters), numbers ([`float`], `long_double`), [`glob`], `geohash`,
//!    [`tokenizer`], [`resp`], [`cli_format`].
//! 2. **Server state**: `keyspace` (the databases, ready keys, the
//!    changed-key feed), [`client`], `client_table` and `client_registry`
//!    (the clients, the running one, blocking order, watch hints), `watch`,
//!    `pubsub`, [`events`], [`stats`], `memory`, `eviction`, `aof` (the
//!    append-only log and its multi-part files), [`disk`] (the files in
//!    `dir` and what has been fsynced), [`persist`] (saving and loading
//!    RDB and AOF files), [`notify`], `monitor`, `slowlog`, [`rdb`] (Redis's RDB
//!    format: DUMP/RESTORE payloads and whole files), `server_state`,
//!    [`tracking`] (client-side caching's invalidation table), [`latency`]
//!    (LATENCY's events and the per-command histograms),
//!    [`access`] (LRU/LFU data), [`cluster`] (hash slots, the node table,
//!    redirection decisions, the bus messages and MIGRATE's host trait). These take the state they need (`&[Db]`,
//!    the memory tracker, the AOF, the client registry, a pub/sub
//!    `Outbox`); eviction, loading from disk and the after-call bookkeeping
//!    take the whole engine and say why.
//! 3. **Context and table**: [`command`] (the table's shape and flags),
//!    `args` (the argument cursor), [`Ctx`] in `ctx` (what a handler sees).
//! 4. **Command families**: [`commands`] (one file per family) and
//!    `scripting` (the Lua sandbox behind EVAL).
//! 5. **Dispatch**: `dispatch` is the one place that looks commands up and
//!    runs them (arity, MULTI, OOM, bookkeeping); [`acl`] holds the users,
//!    their rules, the permission check dispatch, EXEC and scripts call,
//!    and ACL LOG (it reads the command table; clients only keep its
//!    `ClientAuth`); `blocking` serves,
//!    retries and times out blocked clients; `expiry` holds lazy and active
//!    expiry and `remove_key`, the single key-removal sequence; [`Engine`]
//!    in `engine` is the thin facade over all of it (connect, execute,
//!    tick and the clock, events, read-only accessors); [`replication`]
//!    holds the master's and the replica's sides of a link and the
//!    in-memory [`Topology`] of several engines (replicas and cluster nodes).
//!
//! docs/engine-guide.md says how to add a command family.

// 1. Data
pub mod cli_format;
pub mod config;
pub mod db;
pub(crate) mod errors;
pub mod float;
pub(crate) mod geohash;
pub mod glob;
pub(crate) mod long_double;
pub mod reply;
pub mod resp;
pub mod rng;
pub(crate) mod store;
pub mod tokenizer;
pub mod types;
pub mod value;

// 2. Server state
pub mod access;
pub(crate) mod aof;
pub mod client;
pub(crate) mod client_registry;
pub(crate) mod client_table;
pub mod clock;
pub mod cluster;
pub mod disk;
pub mod events;
pub(crate) mod eviction;
pub(crate) mod keyspace;
pub mod latency;
pub(crate) mod memory;
pub(crate) mod monitor;
pub mod notify;
pub mod persist;
pub(crate) mod pubsub;
pub mod rdb;
pub(crate) mod server_state;
pub(crate) mod slowlog;
pub mod stats;
pub mod tracking;
pub(crate) mod watch;

// 3. Context and table
pub(crate) mod args;
pub mod command;
pub(crate) mod ctx;

// 4. Command families
pub mod commands;
pub mod help;
pub(crate) mod scripting;

// 5. Dispatch and the facade
pub mod acl;
pub(crate) mod blocking;
pub(crate) mod dispatch;
pub(crate) mod engine;
pub(crate) mod expiry;
pub mod replication;

// What the page reads about values and commands
pub mod inspect;

#[cfg(test)]
mod test_support;

pub use client::ClientId;
pub use clock::Clock;
pub use config::Config;
pub use ctx::Ctx;
pub use engine::{CpuTimes, Engine, PortBinder, REDIS_VERSION};
pub use events::Event;
pub use replication::Topology;
pub use reply::Reply;
pub use resp::Protocol;
pub use scripting::BusyHost;
