//! Server commands: DBSIZE, FLUSHDB, FLUSHALL.

use crate::args;
use crate::command::{flags::*, CommandSpec, Group};
use crate::engine::Ctx;
use crate::errors;
use crate::reply::Reply;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "dbsize",
        arity: 1,
        flags: READONLY | FAST,
        group: Group::Server,
        summary: "Counts the keys in the selected database",
        syntax: "",
        handler: dbsize,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "flushdb",
        arity: -1,
        flags: WRITE,
        group: Group::Server,
        complexity: "O(N) where N is the number of keys in the selected database",
        summary: "Deletes every key of the selected database",
        syntax: "[ASYNC|SYNC]",
        handler: flushdb,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "flushall",
        arity: -1,
        flags: WRITE,
        group: Group::Server,
        complexity: "O(N) where N is the total number of keys in all databases",
        summary: "Deletes every key of every database",
        syntax: "[ASYNC|SYNC]",
        handler: flushall,
        ..CommandSpec::DEFAULT
    },
];

/// DBSIZE
fn dbsize(ctx: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    Reply::Integer(ctx.db().len() as i64)
}

fn flush_mode_ok(argv: &[Vec<u8>]) -> bool {
    match argv.len() {
        1 => true,
        2 => args::is(&argv[1], "ASYNC") || args::is(&argv[1], "SYNC"),
        _ => false,
    }
}

/// Empties one database, invalidating WATCHes on keys that existed.
pub fn flush_db(ctx: &mut Ctx, db: usize) {
    let engine = &mut *ctx.engine;
    let keys: Vec<Vec<u8>> = {
        let watched: Vec<Vec<u8>> = engine
            .clients
            .values()
            .flat_map(|c| c.watched.iter().filter(|(d, _)| *d == db).map(|(_, k)| k.clone()))
            .chain(ctx.client.watched.iter().filter(|(d, _)| *d == db).map(|(_, k)| k.clone()))
            .collect();
        watched.into_iter().filter(|k| engine.dbs[db].contains(k)).collect()
    };
    for k in &keys {
        engine.touch_watched(db, k);
        if ctx.client.watched.iter().any(|(d, w)| *d == db && w == k) {
            ctx.client.watch_dirty = true;
        }
    }
    ctx.engine.dbs[db].clear();
}

/// FLUSHDB [ASYNC|SYNC]
fn flushdb(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    if !flush_mode_ok(argv) {
        return Reply::error(errors::SYNTAX);
    }
    let db = ctx.client.db;
    flush_db(ctx, db);
    Reply::OK
}

/// FLUSHALL [ASYNC|SYNC]
fn flushall(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    if !flush_mode_ok(argv) {
        return Reply::error(errors::SYNTAX);
    }
    for db in 0..ctx.engine.db_count() {
        flush_db(ctx, db);
    }
    Reply::OK
}
