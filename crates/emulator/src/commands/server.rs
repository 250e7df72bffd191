//! Server commands: DBSIZE, FLUSHDB, FLUSHALL, MONITOR, SLOWLOG.

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
        handler: |c, a| Ok(dbsize(c, a)),
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
        handler: |c, a| Ok(flushdb(c, a)),
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
        handler: |c, a| Ok(flushall(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "monitor",
        arity: 1,
        flags: ADMIN | NOSCRIPT | LOADING | STALE,
        group: Group::Server,
        summary: "Streams every command the server executes to this connection",
        syntax: "",
        handler: |c, a| Ok(monitor(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "slowlog",
        arity: -2,
        group: Group::Server,
        since: "2.2.12",
        summary: "Reads or clears the log of slow commands",
        syntax: "GET|LEN|RESET|HELP ...",
        subcommands: SLOWLOG_SUBCOMMANDS,
        ..CommandSpec::DEFAULT
    },
];

const SLOWLOG_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "get",
        parent: "slowlog",
        arity: -2,
        flags: ADMIN | LOADING | STALE,
        group: Group::Server,
        since: "2.2.12",
        complexity: "O(N) where N is the number of entries returned",
        summary: "Returns the newest slow log entries",
        syntax: "[count]",
        handler: |c, a| Ok(slowlog_get(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "len",
        parent: "slowlog",
        arity: 2,
        flags: ADMIN | LOADING | STALE,
        group: Group::Server,
        since: "2.2.12",
        summary: "Counts the slow log entries",
        handler: |c, a| Ok(slowlog_len(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "reset",
        parent: "slowlog",
        arity: 2,
        flags: ADMIN | LOADING | STALE,
        group: Group::Server,
        since: "2.2.12",
        complexity: "O(N) where N is the number of entries in the slowlog",
        summary: "Empties the slow log",
        handler: |c, a| Ok(slowlog_reset(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "help",
        parent: "slowlog",
        arity: 2,
        flags: LOADING | STALE,
        group: Group::Server,
        since: "6.2.0",
        summary: "Lists the SLOWLOG subcommands",
        handler: |c, a| Ok(slowlog_help(c, a)),
        ..CommandSpec::DEFAULT
    },
];

/// MONITOR — from now on this client receives a line for every command
/// executed (see `crate::monitor`).
fn monitor(ctx: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    if !ctx.may_block() {
        return Reply::error("ERR MONITOR isn't allowed for DENY BLOCKING client");
    }
    if ctx.client.monitor {
        // Redis ignores a second MONITOR.
        return Reply::Multi(Vec::new());
    }
    ctx.client.monitor = true;
    Reply::OK
}

/// SLOWLOG GET [count] — newest first; count -1 means all (default 10).
fn slowlog_get(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    const COUNT_ERR: &str = "ERR count should be greater than or equal to -1";
    if argv.len() > 3 {
        return Reply::error(errors::sanitize(&format!(
            "ERR unknown subcommand or wrong number of arguments for '{}'. Try SLOWLOG HELP.",
            errors::show(&argv[1], 128)
        )));
    }
    let count = match argv.get(2) {
        None => 10,
        Some(a) => match crate::float::parse_i64(a) {
            Some(-1) => i64::MAX,
            Some(n) if n >= 0 => n,
            _ => return Reply::error(COUNT_ERR),
        },
    };
    let entries = ctx
        .engine
        .server
        .slowlog
        .entries()
        .take(usize::try_from(count).unwrap_or(usize::MAX))
        .map(|e| {
            Reply::Array(vec![
                Reply::Integer(e.id as i64),
                Reply::Integer(e.time_s),
                Reply::Integer(e.duration_us as i64),
                Reply::bulks(e.argv.iter().cloned()),
                Reply::bulk(e.client_addr.clone()),
                Reply::bulk(e.client_name.clone()),
            ])
        })
        .collect();
    Reply::Array(entries)
}

/// SLOWLOG LEN
fn slowlog_len(ctx: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    Reply::Integer(ctx.engine.server.slowlog.len() as i64)
}

/// SLOWLOG RESET
fn slowlog_reset(ctx: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    ctx.engine.server.slowlog.reset();
    Reply::OK
}

/// SLOWLOG HELP
fn slowlog_help(_: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    Reply::subcommand_help(
        "slowlog",
        &[
            "GET [<count>]",
            "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
            "    Entries are made of:",
            "    id, timestamp, time in microseconds, arguments array, client IP and port,",
            "    client name",
            "LEN",
            "    Return the length of the slowlog.",
            "RESET",
            "    Reset the slowlog.",
        ],
    )
}

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
    crate::commands::transactions::touch_all_watched_in_db(ctx, db, None);
    ctx.engine.dbs[db].clear();
    ctx.engine.note_bulk_change();
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
