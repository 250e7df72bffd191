//! The command table: one module per command family, each exporting its
//! `COMMANDS` slice; this module joins them and looks commands up.

use hashbrown::HashMap;
use std::sync::OnceLock;

use crate::client::BlockedState;
use crate::command::CommandSpec;
use crate::reply::Reply;

pub mod acl;
pub mod bitmap;
pub mod client;
pub mod cluster;
mod collection_events;
pub mod command_docs;
pub mod config;
pub mod connection;
pub mod dump;
pub mod expire;
pub mod function;
pub mod generic;
pub mod geo;
pub mod hash;
pub mod hyperloglog;
pub mod info;
pub mod keyspace;
pub mod latency;
pub mod list;
pub mod lolwut;
pub mod memory;
pub mod migrate;
pub mod module;
pub mod persistence;
pub mod pubsub;
pub mod replication;
pub mod scripting;
pub mod server;
pub mod set;
mod shared;
pub mod sort;
pub mod stream;
pub mod string;
pub mod transactions;
pub mod zset;

/// Every family's table. Add a family here and it is dispatched, listed by
/// COMMAND, completed in the console and shown in the reference page.
pub fn families() -> &'static [&'static [CommandSpec]] {
    &[
        connection::COMMANDS,
        client::COMMANDS,
        generic::COMMANDS,
        keyspace::COMMANDS,
        expire::COMMANDS,
        dump::COMMANDS,
        migrate::COMMANDS,
        string::COMMANDS,
        bitmap::COMMANDS,
        list::COMMANDS,
        hash::COMMANDS,
        set::COMMANDS,
        zset::COMMANDS,
        sort::COMMANDS,
        geo::COMMANDS,
        hyperloglog::COMMANDS,
        stream::COMMANDS,
        pubsub::COMMANDS,
        transactions::COMMANDS,
        scripting::COMMANDS,
        function::COMMANDS,
        server::COMMANDS,
        lolwut::COMMANDS,
        latency::COMMANDS,
        module::COMMANDS,
        config::COMMANDS,
        info::COMMANDS,
        memory::COMMANDS,
        persistence::COMMANDS,
        replication::COMMANDS,
        command_docs::COMMANDS,
        acl::COMMANDS,
        cluster::COMMANDS,
    ]
}

/// Every top-level command, in table order.
pub fn all() -> impl Iterator<Item = &'static CommandSpec> {
    families().iter().flat_map(|f| f.iter())
}

/// Command names to specs, hashed with the keyspace's fast hasher (a
/// lookup runs for every command).
fn index() -> &'static HashMap<&'static [u8], &'static CommandSpec> {
    static INDEX: OnceLock<HashMap<&'static [u8], &'static CommandSpec>> = OnceLock::new();
    INDEX.get_or_init(|| all().map(|c| (c.name.as_bytes(), c)).collect())
}

/// Finds a top-level command by name, ignoring case.
pub fn find(name: &[u8]) -> Option<&'static CommandSpec> {
    let mut buf = [0u8; 32];
    if name.len() > buf.len() {
        return None;
    }
    for (d, s) in buf.iter_mut().zip(name) {
        *d = s.to_ascii_lowercase();
    }
    index().get(&buf[..name.len()]).copied()
}

/// Finds `CONTAINER SUB` (e.g. `CLIENT LIST`), ignoring case.
pub fn find_subcommand(container: &CommandSpec, name: &[u8]) -> Option<&'static CommandSpec> {
    container.subcommands.iter().find(|s| s.name.as_bytes().eq_ignore_ascii_case(name))
}

/// Outcome of looking up a command line.
pub enum Lookup {
    Found(&'static CommandSpec),
    UnknownCommand,
    /// The container exists but the subcommand does not.
    UnknownSubcommand(&'static CommandSpec),
}

/// Redis's `lookupCommand`: the command, or for a container with at least
/// one argument, its subcommand.
pub fn lookup(argv: &[Vec<u8>]) -> Lookup {
    let Some(base) = argv.first().and_then(|n| find(n)) else {
        return Lookup::UnknownCommand;
    };
    if !base.is_container() || argv.len() < 2 {
        return Lookup::Found(base);
    }
    match find_subcommand(base, &argv[1]) {
        Some(sub) => Lookup::Found(sub),
        None => Lookup::UnknownSubcommand(base),
    }
}

/// What a blocked command answers when its timeout passes.
pub fn blocking_timeout_reply(blocked: Option<&BlockedState>) -> Reply {
    let name = blocked.and_then(|b| b.argv.first()).map(|n| n.to_ascii_lowercase()).unwrap_or_default();
    match name.as_slice() {
        // Redis 7.0 answers every timed-out list wait (BRPOPLPUSH and BLMOVE
        // included) with a null array; only inside MULTI do moves give a null bulk.
        b"wait" => Reply::Integer(0),
        _ => Reply::NilArray,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        let mut seen = std::collections::HashSet::new();
        for c in all() {
            assert!(seen.insert(c.name), "duplicate command {}", c.name);
            assert_eq!(c.name, c.name.to_ascii_lowercase());
            assert!(!c.summary.is_empty(), "{} has no summary", c.name);
            assert!(c.arity != 0, "{} has arity 0", c.name);
            for s in c.subcommands {
                assert_eq!(s.parent, c.name, "{}|{} parent", c.name, s.name);
                assert!(!s.summary.is_empty(), "{}|{} has no summary", c.name, s.name);
            }
        }
    }

    #[test]
    fn lookup_ignores_case() {
        assert!(find(b"GeT").is_some());
        assert!(find(b"nope").is_none());
        assert!(find(&[b'a'; 100]).is_none());
    }
}
