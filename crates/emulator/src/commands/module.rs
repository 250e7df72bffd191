//! MODULE: Redis's loadable extensions. None is loaded here and none can
//! be: the engine is Rust compiled into the page and the server, with no
//! way to load native code. The answers are Redis 7.0's with its default
//! `enable-module-command no`: LIST is empty, LOAD/LOADEX/UNLOAD are
//! refused (with the setting turned on at startup they fail to load, and
//! say why).

use crate::command::{flags::*, CommandResult, CommandSpec, Group};
use crate::engine::Ctx;
use crate::reply::Reply;

const BASE: CommandSpec = CommandSpec { group: Group::Server, since: "4.0.0", ..CommandSpec::DEFAULT };

const SUB: CommandSpec =
    CommandSpec { parent: "module", flags: ADMIN | NOSCRIPT | NO_ASYNC_LOADING, complexity: "O(1)", ..BASE };

pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "module",
    arity: -2,
    complexity: "Depends on subcommand.",
    summary: "Lists, loads and unloads modules (none can be loaded here)",
    syntax: "subcommand [arguments]",
    subcommands: &[
        CommandSpec {
            name: "list",
            arity: 2,
            flags: ADMIN | NOSCRIPT,
            complexity: "O(N) where N is the number of loaded modules.",
            summary: "Lists the loaded modules (always none here)",
            tips: &["nondeterministic_output_order"],
            handler: module_list,
            ..SUB
        },
        CommandSpec {
            name: "load",
            arity: -3,
            summary: "Loads a module (refused: modules cannot be loaded here)",
            syntax: "path [arg [arg ...]]",
            handler: module_load,
            ..SUB
        },
        CommandSpec {
            name: "loadex",
            arity: -3,
            since: "7.0.0",
            summary: "Loads a module with configurations (refused: modules cannot be loaded here)",
            syntax: "path [CONFIG name value [CONFIG name value ...]] [ARGS args [args ...]]",
            handler: module_load,
            ..SUB
        },
        CommandSpec {
            name: "unload",
            arity: 3,
            summary: "Unloads a module (none is loaded here)",
            syntax: "name",
            handler: module_unload,
            ..SUB
        },
        CommandSpec {
            name: "help",
            arity: 2,
            flags: LOADING | STALE,
            since: "5.0.0",
            summary: "Lists the MODULE subcommands",
            handler: module_help,
            ..SUB
        },
    ],
    ..BASE
}];

/// Refused unless `enable-module-command` was turned on at startup.
fn module_command_enabled(ctx: &Ctx) -> Result<(), Reply> {
    let setting = ctx.config().extra.get("enable-module-command").map(String::as_str).unwrap_or("no");
    let local = ctx.client.addr.starts_with("127.") || ctx.client.addr.starts_with("[::1]");
    if setting == "yes" || (setting == "local" && local) {
        return Ok(());
    }
    Err(Reply::error(
        "ERR MODULE command not allowed. If the enable-module-command option is set to \"local\", you can run it \
         from a local connection, otherwise you need to set this option in the configuration file, and then restart \
         the server.",
    ))
}

/// MODULE LIST
fn module_list(_: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::Array(Vec::new()))
}

/// MODULE LOAD path [arg ...] and MODULE LOADEX path [CONFIG name value ...] [ARGS ...]
fn module_load(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    module_command_enabled(ctx)?;
    Err(Reply::error("ERR Error loading the extension: modules are native libraries, which this emulator cannot load."))
}

/// MODULE UNLOAD name
fn module_unload(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    module_command_enabled(ctx)?;
    Err(Reply::error("ERR Error unloading module: no such module with that name"))
}

/// MODULE HELP
fn module_help(_: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::subcommand_help(
        "MODULE",
        &[
            "LIST",
            "    Return a list of loaded modules.",
            "LOAD <path> [<arg> ...]",
            "    Load a module library from <path>, passing to it any optional arguments.",
            "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
            "    Load a module library from <path>, while passing it module configurations and optional arguments.",
            "UNLOAD <name>",
            "    Unload a module.",
        ],
    ))
}
