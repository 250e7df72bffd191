//! Scripting commands: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT
//! (LOAD, EXISTS, FLUSH, KILL, HELP). The Lua side is `crate::scripting`.

use crate::args;
use crate::command::{flags::*, CommandSpec, Group};
use crate::engine::Ctx;
use crate::reply::Reply;
use crate::scripting::{check_numkeys, compile_error, eval_body, parse_shebang, sha1_hex};

const EVAL_FLAGS: u32 = NOSCRIPT | STALE | SKIP_MONITOR | MOVABLE_KEYS;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "eval",
        arity: -3,
        flags: EVAL_FLAGS,
        group: Group::Scripting,
        since: "2.6.0",
        complexity: "Depends on the script that is executed.",
        summary: "Runs a Lua script atomically, with key names and arguments",
        syntax: "script numkeys [key [key ...]] [arg [arg ...]]",
        handler: |c, a| Ok(eval(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "evalsha",
        arity: -3,
        flags: EVAL_FLAGS,
        group: Group::Scripting,
        since: "2.6.0",
        complexity: "Depends on the script that is executed.",
        summary: "Runs a cached Lua script named by its SHA-1 digest",
        syntax: "sha1 numkeys [key [key ...]] [arg [arg ...]]",
        handler: |c, a| Ok(evalsha(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "eval_ro",
        arity: -3,
        flags: READONLY | EVAL_FLAGS,
        group: Group::Scripting,
        since: "7.0.0",
        complexity: "Depends on the script that is executed.",
        summary: "Runs a Lua script that may only read data",
        syntax: "script numkeys [key [key ...]] [arg [arg ...]]",
        handler: |c, a| Ok(eval_ro(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "evalsha_ro",
        arity: -3,
        flags: READONLY | EVAL_FLAGS,
        group: Group::Scripting,
        since: "7.0.0",
        complexity: "Depends on the script that is executed.",
        summary: "Runs a cached read-only Lua script named by its SHA-1 digest",
        syntax: "sha1 numkeys [key [key ...]] [arg [arg ...]]",
        handler: |c, a| Ok(evalsha_ro(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "script",
        arity: -2,
        group: Group::Scripting,
        since: "2.6.0",
        complexity: "Depends on subcommand.",
        summary: "Manages the script cache: load, check, flush, kill",
        syntax: "subcommand [argument ...]",
        subcommands: SCRIPT_SUBCOMMANDS,
        ..CommandSpec::DEFAULT
    },
];

const SCRIPT_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "load",
        parent: "script",
        arity: 3,
        flags: NOSCRIPT | STALE,
        group: Group::Scripting,
        since: "2.6.0",
        complexity: "O(N) with N being the length in bytes of the script body.",
        summary: "Compiles a script and caches it; answers its SHA-1",
        syntax: "script",
        handler: |c, a| Ok(script_load(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "exists",
        parent: "script",
        arity: -3,
        flags: NOSCRIPT,
        group: Group::Scripting,
        since: "2.6.0",
        complexity: "O(N) with N being the number of scripts to check",
        summary: "Tells, for each SHA-1, whether the script is cached (1) or not (0)",
        syntax: "sha1 [sha1 ...]",
        handler: |c, a| Ok(script_exists(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "flush",
        parent: "script",
        arity: -2,
        flags: NOSCRIPT,
        group: Group::Scripting,
        since: "2.6.0",
        complexity: "O(N) with N being the number of scripts in cache",
        summary: "Empties the script cache",
        syntax: "[ASYNC|SYNC]",
        handler: |c, a| Ok(script_flush(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "kill",
        parent: "script",
        arity: 2,
        flags: NOSCRIPT | ALLOW_BUSY,
        group: Group::Scripting,
        since: "2.6.0",
        summary: "Stops the running script (none can be running between commands here)",
        syntax: "",
        handler: |c, a| Ok(script_kill(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "help",
        parent: "script",
        arity: 2,
        flags: LOADING | STALE,
        group: Group::Scripting,
        since: "5.0.0",
        summary: "Lists the SCRIPT subcommands",
        syntax: "",
        handler: |c, a| Ok(script_help(c, a)),
        ..CommandSpec::DEFAULT
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

fn eval_generic(ctx: &mut Ctx, argv: &[Vec<u8>], read_only: bool) -> Reply {
    let numkeys = match check_numkeys(&argv[2..]) {
        Ok(n) => n,
        Err(e) => return e,
    };
    let sha = match cache_script(ctx, &argv[1]) {
        Ok(sha) => sha,
        Err(e) => return e,
    };
    eval_body(ctx, &sha, &argv[1], &argv[2..], numkeys, read_only)
}

fn evalsha_generic(ctx: &mut Ctx, argv: &[Vec<u8>], read_only: bool) -> Reply {
    let numkeys = match check_numkeys(&argv[2..]) {
        Ok(n) => n,
        Err(e) => return e,
    };
    let sha = String::from_utf8_lossy(&argv[1]).to_ascii_lowercase();
    let Some(body) = ctx.engine.scripts.scripts.get(&sha).cloned() else {
        return Reply::error(NOSCRIPT_ERR);
    };
    eval_body(ctx, &sha, &body, &argv[2..], numkeys, read_only)
}

/// EVAL script numkeys [key ...] [arg ...]
fn eval(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    eval_generic(ctx, argv, false)
}

/// EVAL_RO script numkeys [key ...] [arg ...]
fn eval_ro(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    eval_generic(ctx, argv, true)
}

/// EVALSHA sha1 numkeys [key ...] [arg ...]
fn evalsha(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    evalsha_generic(ctx, argv, false)
}

/// EVALSHA_RO sha1 numkeys [key ...] [arg ...]
fn evalsha_ro(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    evalsha_generic(ctx, argv, true)
}

/// SCRIPT LOAD script
fn script_load(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    match cache_script(ctx, &argv[2]) {
        Ok(sha) => Reply::bulk(sha.into_bytes()),
        Err(e) => e,
    }
}

/// SCRIPT EXISTS sha1 [sha1 ...]
fn script_exists(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let found = argv[2..].iter().map(|sha| {
        let sha = String::from_utf8_lossy(sha).to_ascii_lowercase();
        Reply::Integer(ctx.engine.scripts.scripts.contains_key(&sha) as i64)
    });
    Reply::Array(found.collect())
}

/// SCRIPT FLUSH [ASYNC|SYNC]
fn script_flush(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let mode_ok = match argv.len() {
        2 => true,
        3 => args::is(&argv[2], "ASYNC") || args::is(&argv[2], "SYNC"),
        _ => false,
    };
    if !mode_ok {
        return Reply::error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
    }
    ctx.engine.scripts.scripts.clear();
    Reply::OK
}

/// SCRIPT KILL: scripts run to completion (or to their time limit) inside
/// one command, so between commands none is ever running.
fn script_kill(_: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    Reply::error("NOTBUSY No scripts in execution right now.")
}

/// SCRIPT HELP
fn script_help(_: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    Reply::subcommand_help(
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
    )
}
