//! Persistence commands: SAVE, BGSAVE, LASTSAVE, BGREWRITEAOF, SHUTDOWN
//! and the DEBUG subcommands that exercise persistence (RELOAD, LOADAOF,
//! CRASH-AND-RECOVER, SLEEP, SET-ACTIVE-EXPIRE). Saves and rewrites finish
//! at once and go to the engine's disk (see `crate::persist`).

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
        name: "shutdown",
        arity: -1,
        flags: ADMIN | NOSCRIPT | LOADING | STALE | NO_MULTI | ALLOW_BUSY,
        complexity: "O(N) when saving, where N is the total number of keys in all databases",
        summary: "Saves the dataset if save points are configured, then stops the server",
        syntax: "[NOSAVE|SAVE] [NOW] [FORCE] [ABORT]",
        handler: shutdown,
        ..BASE
    },
    CommandSpec {
        name: "debug",
        arity: -2,
        flags: ADMIN | NOSCRIPT | LOADING | STALE,
        complexity: "Depends on subcommand.",
        summary: "Debugging aids: RELOAD, LOADAOF, CRASH-AND-RECOVER, SLEEP, SET-ACTIVE-EXPIRE",
        syntax: "RELOAD [NOSAVE]|LOADAOF|CRASH-AND-RECOVER|SLEEP seconds|SET-ACTIVE-EXPIRE 0|1|HELP",
        handler: debug,
        ..BASE
    },
];

/// Runs a save; a failure answers Redis's bare `ERR` with the reason.
fn save_now(ctx: &mut Ctx) -> Result<(), Reply> {
    crate::persist::save(ctx.engine).map_err(|e| Reply::error(errors::sanitize(&format!("ERR {e}"))))
}

/// SAVE
fn save(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    save_now(ctx)?;
    Ok(Reply::OK)
}

/// BGSAVE [SCHEDULE] — the save completes at once.
fn bgsave(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let mut args = Args::new(argv, 1);
    let _schedule = args.eat("SCHEDULE");
    args.finish()?;
    save_now(ctx)?;
    ctx.engine.server.bgsaves += 1;
    Ok(Reply::status("Background saving started"))
}

/// LASTSAVE
fn lastsave(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::Integer(ctx.engine.server.last_save_s))
}

/// BGREWRITEAOF — the rewrite completes at once: a new base file and incr
/// file (with or without `appendonly`, as in Redis).
fn bgrewriteaof(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    crate::persist::rewrite_aof(ctx.engine);
    Ok(Reply::status("Background append only file rewriting started"))
}

/// SHUTDOWN's options.
#[derive(Default)]
struct ShutdownOptions {
    nosave: bool,
    save: bool,
    force: bool,
    abort: bool,
}

impl ShutdownOptions {
    fn parse(argv: &[Vec<u8>]) -> Result<ShutdownOptions, Reply> {
        let mut o = ShutdownOptions::default();
        let mut now = false;
        for a in &argv[1..] {
            let flag = [("NOSAVE", &mut o.nosave), ("SAVE", &mut o.save), ("NOW", &mut now)]
                .into_iter()
                .chain([("FORCE", &mut o.force), ("ABORT", &mut o.abort)])
                .find(|(name, _)| args::is(a, name));
            match flag {
                Some((_, seen)) => *seen = true,
                None => return Err(Reply::error(errors::SYNTAX)),
            }
        }
        let others = o.nosave || o.save || now || o.force;
        if (o.abort && others) || (o.nosave && o.save) {
            return Err(Reply::error(errors::SYNTAX));
        }
        Ok(o)
    }
}

/// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: a host that can stop
/// (the native server, see `Engine::allow_shutdown`) is told to; the page
/// cannot stop and refuses.
fn shutdown(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let opts = ShutdownOptions::parse(argv)?;
    if let Some(busy) = ctx.engine.busy.script.as_ref().filter(|_| !opts.nosave) {
        // While a script is busy only SHUTDOWN NOSAVE goes through.
        return Err(Reply::error(busy.busy_error()));
    }
    if !ctx.engine.server.shutdown_allowed {
        return Err(Reply::error(
            "ERR SHUTDOWN is not available in this emulator: it keeps running \
             (DEBUG CRASH-AND-RECOVER restarts it from its disk)",
        ));
    }
    if opts.abort {
        return Err(Reply::error("ERR Errors trying to abort SHUTDOWN. Check logs."));
    }

    let save_points = !crate::persist::save_points(&ctx.engine.config.save).is_empty();
    if (save_points && !opts.nosave) || opts.save {
        let saved = crate::persist::save(ctx.engine);
        if saved.is_err() && !opts.force {
            return Err(Reply::error("ERR Errors trying to SHUTDOWN. Check logs."));
        }
    }
    crate::persist::flush(ctx.engine);
    ctx.engine.server.shutdown_requested = true;
    Ok(Reply::OK)
}

/// DEBUG RELOAD [NOSAVE] | LOADAOF | CRASH-AND-RECOVER | SLEEP seconds |
/// SET-ACTIVE-EXPIRE 0|1 | HELP
///
/// A subcommand with the wrong number of arguments, or an unknown one, gets
/// Redis's "unknown subcommand" error. RELOAD's MERGE and NOFLUSH options
/// are accepted and ignored.
fn debug(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let sub = &argv[1];
    let argc = argv.len();
    let fail = |e: String| Reply::error(errors::sanitize(&format!("ERR {e}")));
    if args::is(sub, "HELP") && argc == 2 {
        Ok(debug_help())
    } else if args::is(sub, "RELOAD") {
        let nosave = argv[2..].iter().any(|a| args::is(a, "NOSAVE"));
        ctx.engine.reload(!nosave).map_err(fail)?;
        Ok(Reply::OK)
    } else if args::is(sub, "LOADAOF") && argc == 2 {
        ctx.engine.reload_aof().map_err(|e| fail(e.to_string()))?;
        Ok(Reply::OK)
    } else if args::is(sub, "CRASH-AND-RECOVER") && argc <= 3 {
        ctx.engine.crash_and_recover().map_err(|e| fail(format!("the restart failed to load: {e}")))?;
        Ok(Reply::OK)
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

/// DEBUG HELP
fn debug_help() -> Reply {
    Reply::subcommand_help(
        "debug",
        &[
            "RELOAD [NOSAVE]",
            "    Save the RDB on disk and reload it back to memory (NOSAVE: load the file as it is).",
            "LOADAOF",
            "    Flush the AOF buffers on disk and reload the AOF in memory.",
            "CRASH-AND-RECOVER",
            "    Simulate a power loss and a restart: only what was fsynced survives.",
            "SLEEP <seconds>",
            "    Stop the server for <seconds> (a paused clock moves forward instead).",
            "SET-ACTIVE-EXPIRE <0|1>",
            "    Turn the active expiry cycle off or on (lazy expiry still works).",
        ],
    )
}
