//! Scripting commands: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT
//! (LOAD, EXISTS, FLUSH, KILL, HELP). The Lua side is `crate::scripting`.

use crate::args::Args;
use crate::command::{flags::*, CommandResult, CommandSpec, Group, KeyNum};
use crate::engine::Ctx;
use crate::reply::Reply;
use crate::scripting::{check_numkeys, compile_error, eval_body, parse_shebang, sha1_hex};

const BASE: CommandSpec = CommandSpec { group: Group::Scripting, since: "2.6.0", ..CommandSpec::DEFAULT };

/// EVAL and its variants: keys are found through `numkeys`.
const EVAL: CommandSpec = CommandSpec {
    arity: -3,
    flags: NOSCRIPT | STALE | SKIP_MONITOR | NO_MANDATORY_KEYS | MOVABLE_KEYS | RUNS_SCRIPT,
    complexity: "Depends on the script that is executed.",
    ..BASE
};

const SCRIPT_SUB: CommandSpec = CommandSpec { parent: "script", ..BASE };

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "eval",
        flags: EVAL.flags | RUNS_COMMANDS,
        summary: "Runs a Lua script atomically, with key names and arguments",
        syntax: "script numkeys [key [key ...]] [arg [arg ...]]",
        key_flags: &[&["RW", "access", "update"]],
        key_num: Some(KeyNum {
            index: 2,
            notes: "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE",
        }),
        handler: eval,
        ..EVAL
    },
    CommandSpec {
        name: "evalsha",
        flags: EVAL.flags | RUNS_COMMANDS,
        summary: "Runs a cached Lua script named by its SHA-1 digest",
        syntax: "sha1 numkeys [key [key ...]] [arg [arg ...]]",
        key_flags: &[&["RW", "access", "update"]],
        key_num: Some(KeyNum { index: 2, notes: "" }),
        handler: evalsha,
        ..EVAL
    },
    CommandSpec {
        name: "eval_ro",
        flags: READONLY | EVAL.flags,
        since: "7.0.0",
        summary: "Runs a Lua script that may only read data",
        syntax: "script numkeys [key [key ...]] [arg [arg ...]]",
        key_flags: &[&["RO", "access"]],
        key_num: Some(KeyNum {
            index: 2,
            notes: "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS",
        }),
        acl: &["@slow", "@scripting"],
        handler: eval_ro,
        ..EVAL
    },
    CommandSpec {
        name: "evalsha_ro",
        flags: READONLY | EVAL.flags,
        since: "7.0.0",
        summary: "Runs a cached read-only Lua script named by its SHA-1 digest",
        syntax: "sha1 numkeys [key [key ...]] [arg [arg ...]]",
        key_flags: &[&["RO", "access"]],
        key_num: Some(KeyNum { index: 2, notes: "" }),
        acl: &["@slow", "@scripting"],
        handler: evalsha_ro,
        ..EVAL
    },
    CommandSpec {
        name: "script",
        arity: -2,
        complexity: "Depends on subcommand.",
        summary: "Manages the script cache: load, check, flush, kill",
        syntax: "subcommand [argument ...]",
        subcommands: &[
            CommandSpec {
                name: "load",
                arity: 3,
                flags: NOSCRIPT | STALE,
                complexity: "O(N) with N being the length in bytes of the script body.",
                summary: "Compiles a script and caches it; answers its SHA-1",
                syntax: "script",
                handler: script_load,
                ..SCRIPT_SUB
            },
            CommandSpec {
                name: "exists",
                arity: -3,
                flags: NOSCRIPT,
                complexity: "O(N) with N being the number of scripts to check",
                summary: "Tells, for each SHA-1, whether the script is cached (1) or not (0)",
                syntax: "sha1 [sha1 ...]",
                handler: script_exists,
                ..SCRIPT_SUB
            },
            CommandSpec {
                name: "flush",
                arity: -2,
                flags: NOSCRIPT,
                complexity: "O(N) with N being the number of scripts in cache",
                summary: "Empties the script cache",
                syntax: "[ASYNC|SYNC]",
                handler: script_flush,
                ..SCRIPT_SUB
            },
            CommandSpec {
                name: "kill",
                arity: 2,
                flags: NOSCRIPT | ALLOW_BUSY,
                summary: "Stops the script that is busy, unless it already wrote",
                tips: &["request_policy:all_shards", "response_policy:one_succeeded"],
                handler: script_kill,
                ..SCRIPT_SUB
            },
            CommandSpec {
                name: "debug",
                arity: 3,
                flags: NOSCRIPT,
                since: "3.2.0",
                complexity: "O(1)",
                summary: "Sets the debug mode of the next scripts (the Lua debugger is not available here)",
                syntax: "YES|SYNC|NO",
                handler: script_debug,
                ..SCRIPT_SUB
            },
            CommandSpec {
                name: "help",
                arity: 2,
                flags: LOADING | STALE,
                since: "5.0.0",
                summary: "Lists the SCRIPT subcommands",
                handler: script_help,
                ..SCRIPT_SUB
            },
        ],
        ..BASE
    },
];

const NOSCRIPT_ERR: &str = "NOSCRIPT No matching script. Please use EVAL.";

/// Caches `body` (after checking it compiles) and returns its SHA-1.
fn cache_script(ctx: &mut Ctx, body: &[u8]) -> Result<String, Reply> {
    let sha = sha1_hex(body);
    if ctx.engine.scripts.scripts.contains_key(&sha) {
        return Ok(sha);
    }
    let code = match parse_shebang(body)? {
        Some(shebang) => &body[shebang.code_start..],
        None => body,
    };
    if let Some(err) = compile_error(code) {
        return Err(err);
    }
    ctx.engine.scripts.scripts.insert(sha.clone(), body.to_vec());
    Ok(sha)
}

/// EVAL and EVAL_RO: `numkeys` is checked before the script is compiled.
fn eval_generic(ctx: &mut Ctx, argv: &[Vec<u8>], read_only: bool) -> CommandResult {
    // MONITOR shows it first, whatever follows.
    ctx.feed_monitors(argv);
    let numkeys = check_numkeys(&argv[2..])?;
    let sha = cache_script(ctx, &argv[1])?;
    eval_body(ctx, argv, &sha, &argv[1], &argv[2..], numkeys, read_only)
}

/// EVALSHA and EVALSHA_RO: the digest is matched without case.
fn evalsha_generic(ctx: &mut Ctx, argv: &[Vec<u8>], read_only: bool) -> CommandResult {
    ctx.feed_monitors(argv);
    let numkeys = check_numkeys(&argv[2..])?;
    let sha = String::from_utf8_lossy(&argv[1]).to_ascii_lowercase();
    let Some(body) = ctx.engine.scripts.scripts.get(&sha).cloned() else {
        return Err(Reply::error(NOSCRIPT_ERR));
    };
    eval_body(ctx, argv, &sha, &body, &argv[2..], numkeys, read_only)
}

/// EVAL script numkeys [key ...] [arg ...]
fn eval(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    eval_generic(ctx, argv, false)
}

/// EVAL_RO script numkeys [key ...] [arg ...]
fn eval_ro(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    eval_generic(ctx, argv, true)
}

/// EVALSHA sha1 numkeys [key ...] [arg ...]
fn evalsha(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    evalsha_generic(ctx, argv, false)
}

/// EVALSHA_RO sha1 numkeys [key ...] [arg ...]
fn evalsha_ro(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    evalsha_generic(ctx, argv, true)
}

/// SCRIPT LOAD script
fn script_load(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::bulk(cache_script(ctx, &argv[2])?.into_bytes()))
}

/// SCRIPT EXISTS sha1 [sha1 ...]
fn script_exists(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let found = argv[2..].iter().map(|sha| {
        let sha = String::from_utf8_lossy(sha).to_ascii_lowercase();
        Reply::Integer(ctx.engine.scripts.scripts.contains_key(&sha) as i64)
    });
    Ok(Reply::Array(found.collect()))
}

/// SCRIPT FLUSH [ASYNC|SYNC] — both modes empty the cache at once.
fn script_flush(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let mut args = Args::new(argv, 2);
    let _mode_given = args.eat("ASYNC") || args.eat("SYNC");
    if args.has_more() {
        return Err(Reply::error("ERR SCRIPT FLUSH only support SYNC|ASYNC option"));
    }
    ctx.engine.scripts.scripts.clear();
    // A new interpreter: lua-cjson's settings start over too.
    ctx.engine.scripts.cjson_eval = Default::default();
    Ok(Reply::OK)
}

/// SCRIPT DEBUG YES|SYNC|NO: NO is what every script runs with here; the
/// Lua debugger (`redis-cli --ldb`) is not part of the emulator, and YES
/// and SYNC say so.
fn script_debug(_: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let mode = &argv[2];
    if mode.eq_ignore_ascii_case(b"no") {
        Ok(Reply::OK)
    } else if mode.eq_ignore_ascii_case(b"yes") || mode.eq_ignore_ascii_case(b"sync") {
        Err(Reply::error(
            "ERR SCRIPT DEBUG: the Lua debugger (redis-cli --ldb) is not available in this emulator; \
             scripts run without it",
        ))
    } else {
        Err(Reply::error("ERR Use SCRIPT DEBUG YES/SYNC/NO"))
    }
}

/// SCRIPT KILL: stops the busy EVAL script (one past `busy-reply-threshold`
/// in a host that serves other clients meanwhile) unless it wrote.
fn script_kill(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    crate::scripting::busy::kill(ctx.engine, true).map_err(Reply::error)?;
    Ok(Reply::OK)
}

/// SCRIPT HELP
fn script_help(_: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::subcommand_help(
        "SCRIPT",
        &[
            "DEBUG (YES|SYNC|NO)",
            "    Set the debug mode for subsequent scripts executed.",
            "EXISTS <sha1> [<sha1> ...]",
            "    Return information about the existence of the scripts in the script cache.",
            "FLUSH [ASYNC|SYNC]",
            "    Flush the Lua scripts cache. Very dangerous on replicas.",
            "    When called without the optional mode argument, the behavior is determined by the",
            "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
            "    * ASYNC: Asynchronously flush the scripts cache.",
            "    * SYNC: Synchronously flush the scripts cache.",
            "KILL",
            "    Kill the currently executing Lua script.",
            "LOAD <script>",
            "    Load a script into the scripts cache without executing it.",
        ],
    ))
}
