//! Persistence commands: SAVE, BGSAVE, LASTSAVE, BGREWRITEAOF, and the
//! DEBUG subcommands that exercise persistence (RELOAD, SLEEP,
//! SET-ACTIVE-EXPIRE). Saves are instant and kept in memory (see
//! `crate::snapshot` and `crate::aof`).

use crate::args;
use crate::command::{flags::*, CommandSpec, Group};
use crate::engine::Ctx;
use crate::errors;
use crate::reply::Reply;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "save",
        arity: 1,
        flags: ADMIN | NOSCRIPT | NO_MULTI,
        group: Group::Server,
        complexity: "O(N) where N is the total number of keys in all databases",
        summary: "Takes a snapshot of the whole dataset now",
        syntax: "",
        handler: |c, a| Ok(save(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "bgsave",
        arity: -1,
        flags: ADMIN | NOSCRIPT,
        group: Group::Server,
        complexity: "O(N) where N is the total number of keys in all databases",
        summary: "Takes a snapshot of the whole dataset in the background",
        syntax: "[SCHEDULE]",
        handler: |c, a| Ok(bgsave(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "lastsave",
        arity: 1,
        flags: LOADING | STALE | FAST,
        group: Group::Server,
        summary: "Returns the Unix time of the last successful save",
        syntax: "",
        handler: |c, a| Ok(lastsave(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "bgrewriteaof",
        arity: 1,
        flags: ADMIN | NOSCRIPT,
        group: Group::Server,
        complexity: "O(N) where N is the total number of keys in all databases",
        summary: "Rewrites the append-only log as the shortest command list for the current data",
        syntax: "",
        handler: |c, a| Ok(bgrewriteaof(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "debug",
        arity: -2,
        flags: ADMIN | NOSCRIPT | LOADING | STALE,
        group: Group::Server,
        complexity: "Depends on subcommand.",
        summary: "Debugging aids: RELOAD, SLEEP, SET-ACTIVE-EXPIRE",
        syntax: "RELOAD|SLEEP seconds|SET-ACTIVE-EXPIRE 0|1|HELP",
        handler: |c, a| Ok(debug(c, a)),
        ..CommandSpec::DEFAULT
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
fn save(ctx: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    take_snapshot(ctx);
    Reply::OK
}

/// BGSAVE [SCHEDULE] — the snapshot completes at once.
fn bgsave(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    if argv.len() > 2 || (argv.len() == 2 && !args::is(&argv[1], "SCHEDULE")) {
        return Reply::error(errors::SYNTAX);
    }
    take_snapshot(ctx);
    Reply::status("Background saving started")
}

/// LASTSAVE
fn lastsave(ctx: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    Reply::Integer(ctx.engine.server.last_save_s)
}

/// BGREWRITEAOF — the rewrite completes at once.
fn bgrewriteaof(ctx: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    crate::aof::rewrite(ctx.engine);
    Reply::status("Background append only file rewriting started")
}

fn debug_subcommand_error(argv: &[Vec<u8>]) -> Reply {
    Reply::error(errors::sanitize(&format!(
        "ERR unknown subcommand or wrong number of arguments for '{}'. Try DEBUG HELP.",
        errors::show(&argv[1], 128)
    )))
}

/// DEBUG RELOAD | SLEEP seconds | SET-ACTIVE-EXPIRE 0|1 | HELP
fn debug(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let sub = &argv[1];
    if args::is(sub, "HELP") && argv.len() == 2 {
        return Reply::subcommand_help(
            "debug",
            &[
                "RELOAD",
                "    Save the dataset as a snapshot and load it back.",
                "SLEEP <seconds>",
                "    Stop the server for <seconds> (a paused clock moves forward instead).",
                "SET-ACTIVE-EXPIRE <0|1>",
                "    Turn the active expiry cycle off or on (lazy expiry still works).",
            ],
        );
    }
    if args::is(sub, "RELOAD") {
        // Redis accepts MERGE / NOFLUSH / NOSAVE options; a plain reload is enough here.
        let snap = ctx.engine.snapshot();
        return match ctx.engine.load_snapshot(&snap) {
            Ok(()) => {
                let now_s = ctx.now_ms().div_euclid(1000);
                let s = &mut ctx.engine.server;
                s.last_snapshot = Some(snap);
                s.last_save_s = now_s;
                s.dirty = 0;
                Reply::OK
            }
            Err(e) => Reply::error(errors::sanitize(&format!("ERR Error trying to load the RDB dump: {e}"))),
        };
    }
    if args::is(sub, "SLEEP") && argv.len() == 3 {
        let secs = crate::float::parse_f64(&argv[2]).unwrap_or(0.0);
        if secs.is_finite() && secs > 0.0 && ctx.engine.clock.is_paused() {
            let ms = (secs * 1000.0).min(1e12) as i64;
            ctx.engine.clock.advance_ms(ms);
        }
        return Reply::OK;
    }
    if args::is(sub, "SET-ACTIVE-EXPIRE") && argv.len() == 3 {
        ctx.engine.server.active_expire = crate::float::parse_i64(&argv[2]).unwrap_or(0) != 0;
        return Reply::OK;
    }
    debug_subcommand_error(argv)
}
