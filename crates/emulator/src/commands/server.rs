//! Server commands: DBSIZE, FLUSHDB, FLUSHALL, MONITOR, SLOWLOG.

use crate::args::Args;
use crate::command::{flags::*, CommandResult, CommandSpec, Group};
use crate::engine::Ctx;
use crate::errors;
use crate::reply::Reply;

const BASE: CommandSpec = CommandSpec { group: Group::Server, ..CommandSpec::DEFAULT };

const SLOWLOG_SUB: CommandSpec =
    CommandSpec { parent: "slowlog", flags: ADMIN | LOADING | STALE, since: "2.2.12", ..BASE };

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "dbsize",
        arity: 1,
        flags: READONLY | FAST,
        summary: "Counts the keys in the selected database",
        acl: &["@keyspace", "@read", "@fast"],
        handler: dbsize,
        ..BASE
    },
    CommandSpec {
        name: "flushdb",
        arity: -1,
        flags: WRITE | WHOLE_DB,
        complexity: "O(N) where N is the number of keys in the selected database",
        summary: "Deletes every key of the selected database",
        syntax: "[ASYNC|SYNC]",
        acl: &["@keyspace", "@write", "@slow", "@dangerous"],
        handler: flushdb,
        ..BASE
    },
    CommandSpec {
        name: "flushall",
        arity: -1,
        flags: WRITE | WHOLE_DB | ACROSS_DBS,
        complexity: "O(N) where N is the total number of keys in all databases",
        summary: "Deletes every key of every database",
        syntax: "[ASYNC|SYNC]",
        acl: &["@keyspace", "@write", "@slow", "@dangerous"],
        handler: flushall,
        ..BASE
    },
    CommandSpec {
        name: "monitor",
        arity: 1,
        flags: ADMIN | NOSCRIPT | LOADING | STALE,
        summary: "Streams every command the server executes to this connection",
        handler: monitor,
        ..BASE
    },
    CommandSpec {
        name: "slowlog",
        arity: -2,
        since: "2.2.12",
        summary: "Reads or clears the log of slow commands",
        syntax: "GET|LEN|RESET|HELP ...",
        subcommands: &[
            CommandSpec {
                name: "get",
                arity: -2,
                complexity: "O(N) where N is the number of entries returned",
                summary: "Returns the newest slow log entries",
                syntax: "[count]",
                handler: slowlog_get,
                ..SLOWLOG_SUB
            },
            CommandSpec {
                name: "len",
                arity: 2,
                summary: "Counts the slow log entries",
                handler: slowlog_len,
                ..SLOWLOG_SUB
            },
            CommandSpec {
                name: "reset",
                arity: 2,
                complexity: "O(N) where N is the number of entries in the slowlog",
                summary: "Empties the slow log",
                handler: slowlog_reset,
                ..SLOWLOG_SUB
            },
            CommandSpec {
                name: "help",
                arity: 2,
                flags: LOADING | STALE,
                since: "6.2.0",
                summary: "Lists the SLOWLOG subcommands",
                handler: slowlog_help,
                ..SLOWLOG_SUB
            },
        ],
        ..BASE
    },
];

/// MONITOR — from now on this client receives a line for every command
/// executed (see `crate::monitor`). A second MONITOR is not answered.
fn monitor(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    if !ctx.may_block() {
        return Err(Reply::error("ERR MONITOR isn't allowed for DENY BLOCKING client"));
    }
    if ctx.client.monitor {
        return Ok(Reply::Multi(Vec::new()));
    }
    ctx.client.monitor = true;
    Ok(Reply::OK)
}

/// SLOWLOG GET [count] — newest first; count -1 means all (default 10).
fn slowlog_get(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    const COUNT_ERR: &str = "ERR count should be greater than or equal to -1";
    if argv.len() > 3 {
        return Err(Reply::error(errors::sanitize(&format!(
            "ERR unknown subcommand or wrong number of arguments for '{}'. Try SLOWLOG HELP.",
            errors::show(&argv[1], 128)
        ))));
    }
    let count = match argv.get(2) {
        None => 10,
        Some(a) => match crate::float::parse_i64(a) {
            Some(-1) => i64::MAX,
            Some(n) if n >= 0 => n,
            _ => return Err(Reply::error(COUNT_ERR)),
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
    Ok(Reply::Array(entries))
}

/// SLOWLOG LEN
fn slowlog_len(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::Integer(ctx.engine.server.slowlog.len() as i64))
}

/// SLOWLOG RESET
fn slowlog_reset(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    ctx.engine.server.slowlog.reset();
    Ok(Reply::OK)
}

/// SLOWLOG HELP
fn slowlog_help(_: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::subcommand_help(
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
    ))
}

/// DBSIZE
fn dbsize(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::Integer(ctx.db().len() as i64))
}

/// FLUSHDB / FLUSHALL's optional `ASYNC|SYNC` (both flush at once here).
fn parse_flush_mode(argv: &[Vec<u8>]) -> Result<(), Reply> {
    let mut args = Args::new(argv, 1);
    let _mode_given = args.eat("ASYNC") || args.eat("SYNC");
    args.finish()
}

/// FLUSHDB [ASYNC|SYNC]
fn flushdb(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    parse_flush_mode(argv)?;
    let db = ctx.client.db;
    super::shared::flush_db(ctx, db);
    ctx.engine.tracking_flush();
    Ok(Reply::OK)
}

/// FLUSHALL [ASYNC|SYNC]
fn flushall(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    parse_flush_mode(argv)?;
    for db in 0..ctx.engine.db_count() {
        super::shared::flush_db(ctx, db);
    }
    ctx.engine.tracking_flush();
    Ok(Reply::OK)
}
