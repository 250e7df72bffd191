//! Persistence commands: SAVE, BGSAVE, LASTSAVE, BGREWRITEAOF, and the
//! DEBUG subcommands that exercise persistence (RELOAD, SLEEP,
//! SET-ACTIVE-EXPIRE). Saves are instant and kept in memory (see
//! `crate::snapshot` and `crate::aof`).

use crate::args::{self, Args};
use crate::command::{flags::*, CommandResult, CommandSpec, Group};
use crate::engine::Ctx;
use crate::errors;
use crate::reply::Reply;

const BASE: CommandSpec = CommandSpec { group: Group::Server, ..CommandSpec::DEFAULT };

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "save",
        arity: 1,
        flags: ADMIN | NOSCRIPT | NO_MULTI,
        complexity: "O(N) where N is the total number of keys in all databases",
        summary: "Takes a snapshot of the whole dataset now",
        handler: save,
        ..BASE
    },
    CommandSpec {
        name: "bgsave",
        arity: -1,
        flags: ADMIN | NOSCRIPT,
        complexity: "O(N) where N is the total number of keys in all databases",
        summary: "Takes a snapshot of the whole dataset in the background",
        syntax: "[SCHEDULE]",
        handler: bgsave,
        ..BASE
    },
    CommandSpec {
        name: "lastsave",
        arity: 1,
        flags: LOADING | STALE | FAST,
        summary: "Returns the Unix time of the last successful save",
        acl: &["@admin", "@fast", "@dangerous"],
        handler: lastsave,
        ..BASE
    },
    CommandSpec {
        name: "bgrewriteaof",
        arity: 1,
        flags: ADMIN | NOSCRIPT,
        complexity: "O(N) where N is the total number of keys in all databases",
        summary: "Rewrites the append-only log as the shortest command list for the current data",
        handler: bgrewriteaof,
        ..BASE
    },
    CommandSpec {
        name: "debug",
        arity: -2,
        flags: ADMIN | NOSCRIPT | LOADING | STALE,
        complexity: "Depends on subcommand.",
        summary: "Debugging aids: RELOAD, SLEEP, SET-ACTIVE-EXPIRE",
        syntax: "RELOAD|SLEEP seconds|SET-ACTIVE-EXPIRE 0|1|HELP",
        handler: debug,
        ..BASE
    },
];

/// Takes a snapshot and records it as the last save.
fn take_snapshot(ctx: &mut Ctx) {
    let snap = ctx.engine.snapshot();
    let now_s = ctx.now_ms().div_euclid(1000);
    let s = &mut ctx.engine.server;
    s.last_snapshot = Some(snap);
    s.last_save_s = now_s;
    s.dirty = 0;
    s.saves += 1;
}

/// SAVE
fn save(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    take_snapshot(ctx);
    Ok(Reply::OK)
}

/// BGSAVE [SCHEDULE] — the snapshot completes at once.
fn bgsave(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let mut args = Args::new(argv, 1);
    let _schedule = args.eat("SCHEDULE");
    args.finish()?;
    take_snapshot(ctx);
    Ok(Reply::status("Background saving started"))
}

/// LASTSAVE
fn lastsave(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::Integer(ctx.engine.server.last_save_s))
}

/// BGREWRITEAOF — the rewrite completes at once.
fn bgrewriteaof(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    let now = ctx.now_ms();
    let engine = &mut *ctx.engine;
    crate::aof::rewrite(&mut engine.server.aof, &engine.scripts.functions, &engine.keyspace.dbs, now);
    Ok(Reply::status("Background append only file rewriting started"))
}

/// DEBUG RELOAD | SLEEP seconds | SET-ACTIVE-EXPIRE 0|1 | HELP
///
/// A subcommand with the wrong number of arguments, or an unknown one, gets
/// Redis's "unknown subcommand" error. Arguments after RELOAD (Redis's
/// MERGE / NOFLUSH / NOSAVE) are ignored: a plain reload is enough here.
fn debug(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let sub = &argv[1];
    let argc = argv.len();
    if args::is(sub, "HELP") && argc == 2 {
        Ok(debug_help())
    } else if args::is(sub, "RELOAD") {
        debug_reload(ctx)
    } else if args::is(sub, "SLEEP") && argc == 3 {
        // Only a paused clock moves: a running one is real time already.
        let secs = crate::float::parse_f64(&argv[2]).unwrap_or(0.0);
        if secs.is_finite() && secs > 0.0 && ctx.engine.clock.is_paused() {
            let ms = (secs * 1000.0).min(1e12) as i64;
            ctx.engine.clock.advance_ms(ms);
        }
        Ok(Reply::OK)
    } else if args::is(sub, "SET-ACTIVE-EXPIRE") && argc == 3 {
        ctx.engine.server.active_expire = crate::float::parse_i64(&argv[2]).unwrap_or(0) != 0;
        Ok(Reply::OK)
    } else {
        Err(Reply::error(errors::sanitize(&format!(
            "ERR unknown subcommand or wrong number of arguments for '{}'. Try DEBUG HELP.",
            errors::show(sub, 128)
        ))))
    }
}

/// DEBUG RELOAD: saves a snapshot and loads it back, as a save (without
/// counting one in `rdb_saves`).
fn debug_reload(ctx: &mut Ctx) -> CommandResult {
    let snap = ctx.engine.snapshot();
    ctx.engine
        .load_snapshot(&snap)
        .map_err(|e| Reply::error(errors::sanitize(&format!("ERR Error trying to load the RDB dump: {e}"))))?;
    let now_s = ctx.now_ms().div_euclid(1000);
    let s = &mut ctx.engine.server;
    s.last_snapshot = Some(snap);
    s.last_save_s = now_s;
    s.dirty = 0;
    Ok(Reply::OK)
}

/// DEBUG HELP
fn debug_help() -> Reply {
    Reply::subcommand_help(
        "debug",
        &[
            "RELOAD",
            "    Save the dataset as a snapshot and load it back.",
            "SLEEP <seconds>",
            "    Stop the server for <seconds> (a paused clock moves forward instead).",
            "SET-ACTIVE-EXPIRE <0|1>",
            "    Turn the active expiry cycle off or on (lazy expiry still works).",
        ],
    )
}
