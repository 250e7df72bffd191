//! CONFIG GET / SET / RESETSTAT / REWRITE / HELP.
//!
//! The parameters themselves (names, aliases, accepted values, defaults)
//! are described in [`crate::config`]; this module reads arguments and
//! builds replies. CONFIG SET validates every pair before changing
//! anything, as Redis 7.0 does, so a failing call leaves the configuration
//! untouched.

use crate::command::{flags::*, CommandResult, CommandSpec, Group};
use crate::config::{find_param, Access, Config, Param, PARAMS};
use crate::engine::Ctx;
use crate::errors;
use crate::reply::Reply;

const BASE: CommandSpec = CommandSpec { group: Group::Server, ..CommandSpec::DEFAULT };

const SUB: CommandSpec =
    CommandSpec { parent: "config", flags: ADMIN | NOSCRIPT | LOADING | STALE, since: "2.0.0", ..BASE };

pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "config",
    arity: -2,
    summary: "Reads or changes the server's configuration",
    syntax: "GET|SET|RESETSTAT|REWRITE|HELP ...",
    subcommands: &[
        CommandSpec {
            name: "get",
            arity: -3,
            complexity: "O(N) when N is the number of configuration parameters provided",
            summary: "Returns the parameters matching glob patterns, with their values",
            syntax: "parameter [parameter ...]",
            handler: config_get,
            ..SUB
        },
        CommandSpec {
            name: "set",
            arity: -4,
            complexity: "O(N) when N is the number of configuration parameters provided",
            summary: "Changes parameters at run time; all or none are applied",
            syntax: "parameter value [parameter value ...]",
            handler: config_set,
            ..SUB
        },
        CommandSpec {
            name: "resetstat",
            arity: 2,
            summary: "Zeroes the statistics INFO reports",
            handler: config_resetstat,
            ..SUB
        },
        CommandSpec {
            name: "rewrite",
            arity: 2,
            since: "2.8.0",
            summary: "Writes the running configuration to the config file",
            handler: config_rewrite,
            ..SUB
        },
        CommandSpec {
            name: "help",
            arity: 2,
            flags: LOADING | STALE,
            since: "5.0.0",
            summary: "Lists the CONFIG subcommands",
            handler: config_help,
            ..SUB
        },
    ],
    ..BASE
}];

/// CONFIG GET parameter [parameter ...]
///
/// A plain name matches its parameter (by name or alias) and is answered
/// under the name as given; a glob pattern is matched against names and
/// aliases alike. Each parameter is answered once, whatever matched it.
fn config_get(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let cfg = ctx.config();
    let mut found: Vec<(Vec<u8>, String)> = Vec::new();
    // Names already answered, compared without case as Redis's dictionary does.
    let has = |found: &[(Vec<u8>, String)], name: &[u8]| found.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
    for pattern in &argv[2..] {
        let is_glob = pattern.iter().any(|c| matches!(c, b'*' | b'?' | b'['));
        if !is_glob {
            if let Some(param) = find_param(pattern) {
                if !has(&found, pattern) {
                    found.push((pattern.clone(), cfg.get_param(param)));
                }
            }
            continue;
        }
        for param in PARAMS.iter().filter(|p| !p.hidden) {
            // A name and its alias are listed apart, as Redis lists them.
            for name in param.names() {
                if has(&found, name.as_bytes()) {
                    continue;
                }
                if crate::glob::glob_match(pattern, name.as_bytes(), true) {
                    found.push((name.as_bytes().to_vec(), cfg.get_param(param)));
                }
            }
        }
    }
    Ok(Reply::Map(found.into_iter().map(|(n, v)| (Reply::Bulk(n), Reply::Bulk(v.into_bytes()))).collect()))
}

/// An argument as C's `%s` prints it: up to the first NUL byte.
fn c_str(arg: &[u8]) -> String {
    let end = arg.iter().position(|&b| b == 0).unwrap_or(arg.len());
    errors::show(&arg[..end], usize::MAX)
}

fn set_failed(arg: &[u8], why: &str) -> Reply {
    Reply::error(errors::sanitize(&format!(
        "ERR CONFIG SET failed (possibly related to argument '{}') - {why}",
        c_str(arg)
    )))
}

/// The parameter a CONFIG SET pair names, if it exists and may be changed.
fn settable_param(name: &[u8]) -> Result<&'static Param, Reply> {
    let Some(param) = find_param(name) else {
        return Err(Reply::error(errors::sanitize(&format!(
            "ERR Unknown option or number of arguments for CONFIG SET - '{}'",
            c_str(name)
        ))));
    };
    match param.access {
        Access::Immutable => Err(set_failed(name, "can't set immutable config")),
        Access::Protected => Err(set_failed(name, "can't set protected config")),
        Access::Mutable => Ok(param),
    }
}

/// CONFIG SET parameter value [parameter value ...]
///
/// Two passes, like Redis: first every name must exist, be settable and
/// appear once; then every value must parse. Only then is anything stored,
/// so an error leaves the configuration as it was.
fn config_set(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    if !argv.len().is_multiple_of(2) {
        return Err(Reply::error(errors::SYNTAX));
    }
    let pairs: Vec<(&Vec<u8>, &Vec<u8>)> = argv[2..].chunks(2).map(|c| (&c[0], &c[1])).collect();
    let mut params: Vec<&'static Param> = Vec::with_capacity(pairs.len());
    for (i, (name, _)) in pairs.iter().enumerate() {
        let param = settable_param(name)?;
        if pairs[..i].iter().any(|(seen, _)| seen.eq_ignore_ascii_case(name)) {
            return Err(set_failed(name, "duplicate parameter"));
        }
        params.push(param);
    }
    let mut parsed = Vec::with_capacity(pairs.len());
    for ((name, value), param) in pairs.iter().zip(params) {
        let v = param.parse(value).map_err(|why| set_failed(name, &why))?;
        if param.name == "activedefrag" && v == crate::config::ParamValue::Text("yes".into()) {
            // Nothing here moves values around in memory (Redis built without
            // its own allocator answers the same).
            return Err(set_failed(name, DEFRAG_UNAVAILABLE));
        }
        parsed.push((param, v));
    }
    let before = ctx.engine.config.clone();
    for (param, v) in parsed {
        ctx.engine.config.set_param(param, v);
    }
    if let Err(failure) = listen_if_moved(ctx, &before) {
        // Nothing of this CONFIG SET stays when a setting cannot be applied.
        ctx.engine.config = before;
        return Err(failure);
    }
    apply_changes(ctx, &before);
    Ok(Reply::OK)
}

const DEFRAG_UNAVAILABLE: &str = "Active defragmentation cannot be enabled: it requires a Redis server compiled \
                                  with a modified Jemalloc like the one shipped by default with the Redis source \
                                  distribution";

/// A new `bind` or `port`: the host listens there (the page has nothing to move).
fn listen_if_moved(ctx: &mut Ctx, before: &Config) -> Result<(), Reply> {
    let (Some(bind), Some(port)) = (find_param(b"bind"), find_param(b"port")) else { return Ok(()) };
    let (addresses, number) = (ctx.engine.config.get_param(bind), ctx.engine.config.get_param(port));
    let bind_moved = addresses != before.get_param(bind);
    if !bind_moved && number == before.get_param(port) {
        return Ok(());
    }
    let Some(listen) = ctx.engine.port_binder.as_mut() else { return Ok(()) };
    listen(&addresses, number.parse::<u16>().unwrap_or(0)).map_err(|_| {
        if bind_moved {
            set_failed(b"bind", "Failed to bind to specified addresses.")
        } else {
            set_failed(b"port", "Unable to listen on this port. Check server logs.")
        }
    })
}

/// Side effects of a configuration change on the running engine.
fn apply_changes(ctx: &mut Ctx, before: &Config) {
    let engine = &mut *ctx.engine;
    if engine.config.appendonly != before.appendonly {
        let on = engine.config.appendonly;
        crate::persist::set_appendonly(engine, on);
    }
    if engine.config.maxmemory != before.maxmemory || engine.config.maxmemory_policy != before.maxmemory_policy {
        // Whether small integers are shared depends on both.
        engine.recount_memory();
        engine.server.eviction_pool.clear();
    }
    if engine.config.maxmemory != before.maxmemory && engine.config.maxmemory > 0 {
        // A lower limit evicts at once, as Redis's `updateMaxmemory` does.
        crate::eviction::perform_evictions(engine);
    }
    let max_len = engine.config.slowlog_max_len;
    engine.server.slowlog.trim(max_len);
    let requirepass = crate::config::find_param(b"requirepass");
    if let Some(param) = requirepass.filter(|p| engine.config.get_param(p) != before.get_param(p)) {
        // Redis 7.0: requirepass is the default user's only password
        // (empty = nopass).
        let password = engine.config.get_param(param);
        engine.acl.change_user(b"default", |default| {
            let _ = default.apply(b"resetpass");
            let rule = if password.is_empty() { b"nopass".to_vec() } else { [b">", password.as_bytes()].concat() };
            let _ = default.apply(&rule);
        });
    }
}

/// CONFIG RESETSTAT — also restarts the memory peak from the current use.
fn config_resetstat(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    ctx.engine.stats.reset();
    let used = ctx.engine.used_memory();
    ctx.engine.server.memory.peak = used;
    Ok(Reply::OK)
}

/// CONFIG REWRITE — there is no config file to rewrite.
fn config_rewrite(_: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Err(Reply::error("ERR The server is running without a config file"))
}

/// CONFIG HELP
fn config_help(_: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::subcommand_help(
        "config",
        &[
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "REWRITE",
            "    Rewrite the configuration file.",
        ],
    ))
}
