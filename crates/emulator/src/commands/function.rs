//! Functions (Redis 7.0): FCALL, FCALL_RO and FUNCTION (LOAD, LIST, DELETE,
//! FLUSH, DUMP, RESTORE, STATS, KILL, HELP). Libraries, their metadata line
//! and registration are `crate::scripting::functions`; a function runs in
//! the same sandbox, with the same limits, as EVAL.

use crate::args::Args;
use crate::command::{flags::*, CommandResult, CommandSpec, Group, KeyNum};
use crate::engine::Ctx;
use crate::reply::Reply;
use crate::scripting::functions::{self, flag, Libraries, Library, BAD_NAME};
use crate::scripting::{load_library, run_function};

const BASE: CommandSpec = CommandSpec { group: Group::Scripting, since: "7.0.0", ..CommandSpec::DEFAULT };

/// FCALL and FCALL_RO: keys are found through `numkeys`.
const FCALL: CommandSpec = CommandSpec {
    arity: -3,
    flags: NOSCRIPT | STALE | SKIP_MONITOR | NO_MANDATORY_KEYS | MOVABLE_KEYS | RUNS_SCRIPT,
    complexity: "Depends on the function that is executed.",
    syntax: "function numkeys [key [key ...]] [arg [arg ...]]",
    ..BASE
};

const FUNCTION_SUB: CommandSpec = CommandSpec { parent: "function", arity: 2, flags: NOSCRIPT, ..BASE };

/// Tips of the subcommands that change the libraries.
const ALL_SHARDS: &[&str] = &["request_policy:all_shards", "response_policy:all_succeeded"];

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "fcall",
        flags: FCALL.flags | RUNS_COMMANDS,
        summary: "Calls a function of a loaded library, with key names and arguments",
        key_flags: &[&["RW", "access", "update"]],
        key_num: Some(KeyNum {
            index: 2,
            notes: "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE",
        }),
        handler: fcall,
        ..FCALL
    },
    CommandSpec {
        name: "fcall_ro",
        flags: READONLY | FCALL.flags,
        summary: "Calls a function declared no-writes, which may only read data",
        key_flags: &[&["RO", "access"]],
        key_num: Some(KeyNum {
            index: 2,
            notes: "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS",
        }),
        acl: &["@slow", "@scripting"],
        handler: fcall_ro,
        ..FCALL
    },
    CommandSpec {
        name: "function",
        arity: -2,
        complexity: "Depends on subcommand.",
        summary: "Manages function libraries: load, list, delete, dump, restore",
        syntax: "subcommand [argument ...]",
        subcommands: &[
            CommandSpec {
                name: "delete",
                arity: 3,
                flags: WRITE | NOSCRIPT | WHOLE_DB,
                summary: "Deletes a library and its functions",
                syntax: "library-name",
                tips: ALL_SHARDS,
                handler: function_delete,
                ..FUNCTION_SUB
            },
            CommandSpec {
                name: "dump",
                complexity: "O(N) where N is the number of functions",
                summary: "Serializes every library into a payload FUNCTION RESTORE takes",
                handler: function_dump,
                ..FUNCTION_SUB
            },
            CommandSpec {
                name: "flush",
                arity: -2,
                flags: WRITE | NOSCRIPT | WHOLE_DB,
                complexity: "O(N) where N is the number of functions deleted",
                summary: "Deletes every library",
                syntax: "[ASYNC|SYNC]",
                tips: ALL_SHARDS,
                handler: function_flush,
                ..FUNCTION_SUB
            },
            CommandSpec {
                name: "help",
                flags: LOADING | STALE,
                summary: "Lists the FUNCTION subcommands",
                handler: function_help,
                ..FUNCTION_SUB
            },
            CommandSpec {
                name: "kill",
                flags: NOSCRIPT | ALLOW_BUSY,
                summary: "Stops the running function (none can be running between commands here)",
                tips: &["request_policy:all_shards", "response_policy:one_succeeded"],
                handler: function_kill,
                ..FUNCTION_SUB
            },
            CommandSpec {
                name: "list",
                arity: -2,
                complexity: "O(N) where N is the number of functions",
                summary: "Lists libraries and their functions, optionally by name pattern and with code",
                syntax: "[LIBRARYNAME library-name-pattern] [WITHCODE]",
                tips: &["nondeterministic_output_order"],
                handler: function_list,
                ..FUNCTION_SUB
            },
            CommandSpec {
                name: "load",
                arity: -3,
                flags: WRITE | DENYOOM | NOSCRIPT | WHOLE_DB,
                complexity: "O(1) (considering compilation time is redundant)",
                summary: "Loads a library whose code registers functions; answers its name",
                syntax: "[REPLACE] function-code",
                tips: ALL_SHARDS,
                handler: function_load,
                ..FUNCTION_SUB
            },
            CommandSpec {
                name: "restore",
                arity: -3,
                flags: WRITE | DENYOOM | NOSCRIPT | WHOLE_DB,
                complexity: "O(N) where N is the number of functions on the payload",
                summary: "Loads the libraries of a FUNCTION DUMP payload",
                syntax: "serialized-value [FLUSH|APPEND|REPLACE]",
                tips: ALL_SHARDS,
                handler: function_restore,
                ..FUNCTION_SUB
            },
            CommandSpec {
                name: "stats",
                flags: NOSCRIPT | ALLOW_BUSY,
                summary: "Tells the running function (none here) and the library and function counts",
                tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
                handler: function_stats,
                ..FUNCTION_SUB
            },
        ],
        ..BASE
    },
];

/// The RDB opcode that precedes each library in a FUNCTION DUMP payload.
const OPCODE_FUNCTION2: u8 = 0xF5;
/// The opcode of the pre-release function format, which Redis refuses.
const OPCODE_FUNCTION_PRE_GA: u8 = 0xF6;

fn libs<'c>(ctx: &'c mut Ctx) -> &'c mut Libraries {
    &mut ctx.engine.scripts.functions
}

/// Counts a change of the libraries (Redis's `server.dirty++`).
fn dirty(ctx: &mut Ctx) {
    ctx.engine.server.dirty += 1;
}

/// Redis's `addReplySubcommandSyntaxError`.
fn subcommand_syntax(argv: &[Vec<u8>]) -> Reply {
    let sub = crate::errors::show(&argv[1], 128);
    err(&format!("unknown subcommand or wrong number of arguments for '{sub}'. Try FUNCTION HELP."))
}

fn err(text: &str) -> Reply {
    Reply::error(crate::errors::sanitize(&format!("ERR {text}")))
}

/// Compiles `code` into a library: metadata, name and engine checks, then
/// its code runs to register the functions.
fn compile_library(code: &[u8]) -> Result<Library, Reply> {
    let meta = functions::parse_metadata(code).map_err(|e| err(&e))?;
    if !functions::valid_name(&meta.name) {
        return Err(err(BAD_NAME));
    }
    if !meta.engine.eq_ignore_ascii_case(b"lua") {
        return Err(err(&format!("Engine '{}' not found", String::from_utf8_lossy(&meta.engine))));
    }
    Ok(Library { name: meta.name, code: code.to_vec(), code_start: meta.code_start, functions: Vec::new() })
}

/// Runs a compiled library's code and records what it registered.
fn register(ctx: &mut Ctx, mut lib: Library) -> Result<Library, Reply> {
    let registered = load_library(ctx, lib.lua_code())?;
    if registered.is_empty() {
        return Err(err("No functions registered"));
    }
    lib.functions = registered.into_iter().map(|r| r.info).collect();
    Ok(lib)
}

/// FUNCTION LOAD [REPLACE] function-code
fn function_load(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let mut args = Args::new(argv, 2);
    let mut replace = false;
    while args.remaining() > 1 {
        if args.eat("REPLACE") {
            replace = true;
        } else {
            let option = args.next_arg().unwrap_or_default();
            return Err(err(&format!("Unknown option given: {}", String::from_utf8_lossy(option))));
        }
    }
    let code = args.value().map_err(|_| err("Function code is missing"))?;
    let lib = compile_library(code)?;
    if !replace && libs(ctx).libraries.contains_key(&lib.name) {
        return Err(err(&format!("Library '{}' already exists", String::from_utf8_lossy(&lib.name))));
    }
    let lib = register(ctx, lib)?;
    let name = lib.name.clone();
    let mut others = libs(ctx).clone();
    others.libraries.remove(&name);
    if let Some(taken) = lib.functions.iter().find(|f| others.find(&f.name).is_some()) {
        return Err(err(&format!("Function {} already exists", String::from_utf8_lossy(&taken.name))));
    }
    others.libraries.insert(name.clone(), lib);
    *libs(ctx) = others;
    dirty(ctx);
    Ok(Reply::bulk(name))
}

/// Redis's FCALL checks, in its order: the function, then `numkeys`.
fn fcall_generic(ctx: &mut Ctx, argv: &[Vec<u8>], read_only: bool) -> CommandResult {
    // MONITOR shows it first, whatever follows.
    ctx.feed_monitors(argv);
    let Some((lib, function)) = ctx.engine.scripts.functions.find(&argv[1]) else {
        return Err(err("Function not found"));
    };
    let (code, function) = (lib.lua_code().to_vec(), function.clone());
    let numkeys = crate::args::int(&argv[2]).map_err(|_| err("Bad number of keys provided"))?;
    if numkeys > argv.len() as i64 - 3 {
        return Err(err("Number of keys can't be greater than number of args"));
    }
    if numkeys < 0 {
        return Err(err("Number of keys can't be negative"));
    }
    let no_writes = function.has(flag::NO_WRITES);
    if read_only && !no_writes {
        return Err(err("Can not execute a script with write flag using *_ro command."));
    }
    if !no_writes && ctx.engine.lacks_good_replicas() {
        return Err(Reply::error("NOREPLICAS Not enough good replicas to write."));
    }
    if !no_writes && ctx.engine.refuses_replica_writes(ctx.client.id) {
        return Err(Reply::error("READONLY You can't write against a read only replica."));
    }
    let may_write = !no_writes && !function.has(flag::ALLOW_OOM);
    if may_write && ctx.engine.config.maxmemory > 0 && crate::eviction::over_limit(ctx.engine) {
        return Err(Reply::error(crate::errors::OOM));
    }
    let split = 3 + numkeys as usize;
    let name = String::from_utf8_lossy(&function.name).into_owned();
    Ok(run_function(ctx, argv, &code, &name, &argv[3..split], &argv[split..], read_only || no_writes))
}

/// FCALL function numkeys [key ...] [arg ...]
fn fcall(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    fcall_generic(ctx, argv, false)
}

/// FCALL_RO function numkeys [key ...] [arg ...]
fn fcall_ro(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    fcall_generic(ctx, argv, true)
}

/// FUNCTION DELETE library-name
fn function_delete(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    if libs(ctx).libraries.remove(&argv[2]).is_none() {
        return Err(err("Library not found"));
    }
    dirty(ctx);
    Ok(Reply::OK)
}

/// FUNCTION FLUSH [ASYNC|SYNC]: both modes empty the libraries at once.
fn function_flush(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    if argv.len() > 3 {
        return Err(subcommand_syntax(argv));
    }
    let mut args = Args::new(argv, 2);
    let _mode_given = args.eat("ASYNC") || args.eat("SYNC");
    if args.has_more() {
        return Err(err("FUNCTION FLUSH only supports SYNC|ASYNC option"));
    }
    libs(ctx).libraries.clear();
    dirty(ctx);
    Ok(Reply::OK)
}

/// FUNCTION KILL: stops the busy function (one past `busy-reply-threshold`
/// in a host that serves other clients meanwhile) unless it wrote.
fn function_kill(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    crate::scripting::busy::kill(ctx.engine, false).map_err(Reply::error)?;
    Ok(Reply::OK)
}

/// FUNCTION STATS: the function that is busy, if any (while a busy EVAL
/// runs, `-BUSY`), and the library and function counts.
fn function_stats(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    let running = match &ctx.engine.busy.script {
        None => Reply::Nil,
        Some(script) => {
            let Some(name) = &script.function else {
                return Err(Reply::error(script.busy_error()));
            };
            let duration_ms = (ctx.engine.clock.live_us() / 1000 - script.started_ms).max(0);
            Reply::Map(vec![
                (Reply::bulk_str("name"), Reply::bulk_str(name)),
                (Reply::bulk_str("command"), Reply::Array(script.command.iter().cloned().map(Reply::Bulk).collect())),
                (Reply::bulk_str("duration_ms"), Reply::Integer(duration_ms)),
            ])
        }
    };
    let l = &ctx.engine.scripts.functions;
    let counts = Reply::Map(vec![
        (Reply::bulk_str("libraries_count"), Reply::Integer(l.libraries.len() as i64)),
        (Reply::bulk_str("functions_count"), Reply::Integer(l.function_count() as i64)),
    ]);
    Ok(Reply::Map(vec![
        (Reply::bulk_str("running_script"), running),
        (Reply::bulk_str("engines"), Reply::Map(vec![(Reply::bulk_str("LUA"), counts)])),
    ]))
}

/// FUNCTION LIST's options: each may be given once.
#[derive(Default)]
struct ListOptions<'a> {
    with_code: bool,
    pattern: Option<&'a [u8]>,
}

impl<'a> ListOptions<'a> {
    fn parse(args: &mut Args<'a>) -> Result<ListOptions<'a>, Reply> {
        let mut o = ListOptions::default();
        while let Some(arg) = args.peek() {
            if !o.with_code && args.eat("WITHCODE") {
                o.with_code = true;
            } else if o.pattern.is_none() && args.eat("LIBRARYNAME") {
                o.pattern = Some(args.value().map_err(|_| err("library name argument was not given"))?);
            } else {
                return Err(err(&format!("Unknown argument {}", String::from_utf8_lossy(arg))));
            }
        }
        Ok(o)
    }
}

/// FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]
fn function_list(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let o = ListOptions::parse(&mut Args::new(argv, 2))?;
    let l = &ctx.engine.scripts.functions;
    let matching = l.libraries.values().filter(|lib| match o.pattern {
        Some(p) => crate::glob::glob_match(p, &lib.name, true),
        None => true,
    });
    let entries = matching.map(|lib| {
        let funcs = lib.functions.iter().map(|f| {
            let desc = f.description.clone().map_or(Reply::Nil, Reply::Bulk);
            let flags = f.flag_names().into_iter().map(Reply::status).collect();
            Reply::Map(vec![
                (Reply::bulk_str("name"), Reply::bulk(f.name.clone())),
                (Reply::bulk_str("description"), desc),
                (Reply::bulk_str("flags"), Reply::Set(flags)),
            ])
        });
        let mut fields = vec![
            (Reply::bulk_str("library_name"), Reply::bulk(lib.name.clone())),
            (Reply::bulk_str("engine"), Reply::bulk_str("LUA")),
            (Reply::bulk_str("functions"), Reply::Array(funcs.collect())),
        ];
        if o.with_code {
            fields.push((Reply::bulk_str("library_code"), Reply::bulk(lib.code.clone())));
        }
        Reply::Map(fields)
    });
    Ok(Reply::Array(entries.collect()))
}

/// FUNCTION DUMP: each library as the RDB function record (opcode, then
/// its code as an RDB string), then the RDB version and the CRC-64.
fn function_dump(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    let opts = crate::rdb::encode::Options::from_config(&ctx.engine.config);
    let mut out = Vec::new();
    for lib in ctx.engine.scripts.functions.libraries.values() {
        out.push(OPCODE_FUNCTION2);
        crate::rdb::encode::write_string(&mut out, &lib.code, &opts);
    }
    out.extend_from_slice(&crate::rdb::RDB_VERSION.to_le_bytes());
    let crc = crate::rdb::crc64::crc64(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    Ok(Reply::Bulk(out))
}

/// FUNCTION RESTORE's policy for libraries that exist.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Policy {
    Flush,
    Append,
    Replace,
}

/// The library codes of a FUNCTION DUMP payload, checked as Redis does.
fn payload_codes(payload: &[u8]) -> Result<Vec<Vec<u8>>, Reply> {
    let wrong = || err("DUMP payload version or checksum are wrong");
    if payload.len() < 10 {
        return Err(wrong());
    }
    let (body, footer) = payload.split_at(payload.len() - 10);
    let version = u16::from_le_bytes([footer[0], footer[1]]);
    let crc = crate::rdb::crc64::update(crate::rdb::crc64::crc64(body), &footer[..2]);
    if version > crate::rdb::RDB_VERSION || crc.to_le_bytes() != footer[2..] {
        return Err(wrong());
    }
    let mut reader = crate::rdb::decode::Reader::new(body);
    let mut codes = Vec::new();
    while reader.remaining() > 0 {
        match reader.byte() {
            Some(OPCODE_FUNCTION_PRE_GA) => return Err(err("Pre-GA function format not supported")),
            Some(OPCODE_FUNCTION2) => {}
            Some(_) => return Err(err("given type is not a function")),
            None => return Err(err("can not read data type")),
        }
        let code = reader.string().ok_or_else(|| err("failed loading the library code"))?;
        codes.push(code);
    }
    Ok(codes)
}

/// FUNCTION RESTORE serialized-value [FLUSH|APPEND|REPLACE]
fn function_restore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    if argv.len() > 4 {
        return Err(subcommand_syntax(argv));
    }
    let policy = match argv.get(3) {
        None => Policy::Append,
        Some(p) if crate::args::is(p, "APPEND") => Policy::Append,
        Some(p) if crate::args::is(p, "REPLACE") => Policy::Replace,
        Some(p) if crate::args::is(p, "FLUSH") => Policy::Flush,
        Some(_) => return Err(err("Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")),
    };
    let mut incoming = Libraries::default();
    for code in payload_codes(&argv[2])? {
        let lib = compile_library(&code)?;
        if incoming.libraries.contains_key(&lib.name) {
            return Err(err(&format!("Library '{}' already exists", String::from_utf8_lossy(&lib.name))));
        }
        let lib = register(ctx, lib)?;
        if let Some(taken) = lib.functions.iter().find(|f| incoming.find(&f.name).is_some()) {
            return Err(err(&format!("Function {} already exists", String::from_utf8_lossy(&taken.name))));
        }
        incoming.libraries.insert(lib.name.clone(), lib);
    }
    if policy == Policy::Flush {
        *libs(ctx) = incoming;
    } else {
        let list = incoming.libraries.into_values().collect();
        libs(ctx).join(list, policy == Policy::Replace).map_err(|e| err(&e))?;
    }
    dirty(ctx);
    Ok(Reply::OK)
}

/// FUNCTION HELP
fn function_help(_: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::subcommand_help(
        "FUNCTION",
        &[
            "LOAD [REPLACE] <FUNCTION CODE>",
            "    Create a new library with the given library name and code.",
            "DELETE <LIBRARY NAME>",
            "    Delete the given library.",
            "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
            "    Return general information on all the libraries:",
            "    * Library name",
            "    * The engine used to run the Library",
            "    * Library description",
            "    * Functions list",
            "    * Library code (if WITHCODE is given)",
            "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
            "STATS",
            "    Return information about the current function running:",
            "    * Function name",
            "    * Command used to run the function",
            "    * Duration in MS that the function is running",
            "    If no function is running, return nil",
            "    In addition, returns a list of available engines.",
            "KILL",
            "    Kill the current running function.",
            "FLUSH [ASYNC|SYNC]",
            "    Delete all the libraries.",
            "    When called without the optional mode argument, the behavior is determined by the",
            "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
            "    * ASYNC: Asynchronously flush the libraries.",
            "    * SYNC: Synchronously flush the libraries.",
            "DUMP",
            "    Return a serialized payload representing the current libraries, can be restored using FUNCTION \
             RESTORE command",
            "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
            "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
            "    control how to handle existing libraries (default APPEND):",
            "    * FLUSH: delete all existing libraries.",
            "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
            "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
            "      libraries with the new libraries (notice that even on this option there is a chance of failure",
            "      in case of functions name collision with another library).",
        ],
    ))
}
