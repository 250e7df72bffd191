//! COMMAND: introspection of the command table (COUNT, LIST, INFO, DOCS,
//! GETKEYS, HELP), built from the same table that dispatches commands.
//!
//! What is derived rather than known: ACL categories come from the
//! command's group and flags (unless the table lists them), key
//! specifications from its first/last/step key positions (with generic
//! `RO access` / `RW update` flags unless the table gives key flags).
//! COMMAND DOCS summaries are the emulator's own words, not Redis's
//! documentation text.

use crate::args::{self, Args};
use crate::command::{flags, CommandResult, CommandSpec, Group, KeySpec};
use crate::commands;
use crate::engine::Ctx;
use crate::errors;
use crate::glob::glob_match;
use crate::reply::Reply;

const BASE: CommandSpec = CommandSpec {
    flags: flags::LOADING | flags::STALE,
    group: Group::Server,
    since: "2.8.13",
    acl: &["@slow", "@connection"],
    ..CommandSpec::DEFAULT
};

const SUB: CommandSpec = CommandSpec { parent: "command", ..BASE };

pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "command",
    arity: -1,
    complexity: "O(N) where N is the total number of Redis commands",
    summary: "Describes the server's commands (called alone: all of them, like COMMAND INFO)",
    syntax: "[subcommand [argument ...]]",
    tips: &["nondeterministic_output_order"],
    subcommands: &[
        CommandSpec {
            name: "count",
            arity: 2,
            summary: "Answers how many commands the server has",
            handler: command_count,
            ..SUB
        },
        CommandSpec {
            name: "list",
            arity: -2,
            since: "7.0.0",
            complexity: "O(N) where N is the total number of Redis commands",
            summary: "Lists command names, optionally filtered by ACL category or pattern",
            syntax: "[FILTERBY MODULE module-name|ACLCAT category|PATTERN pattern]",
            tips: &["nondeterministic_output_order"],
            handler: command_list,
            ..SUB
        },
        CommandSpec {
            name: "info",
            arity: -2,
            complexity: "O(N) where N is the number of commands to look up",
            summary: "Describes commands: arity, flags, key positions, ACL categories, subcommands",
            syntax: "[command-name [command-name ...]]",
            tips: &["nondeterministic_output_order"],
            handler: command_info,
            ..SUB
        },
        CommandSpec {
            name: "docs",
            arity: -2,
            since: "7.0.0",
            complexity: "O(N) where N is the number of commands to look up",
            summary: "Answers each command's summary, version, group and complexity",
            syntax: "[command-name [command-name ...]]",
            tips: &["nondeterministic_output_order"],
            handler: command_docs,
            ..SUB
        },
        CommandSpec {
            name: "getkeys",
            arity: -4,
            complexity: "O(N) where N is the number of arguments to the command",
            summary: "Answers which arguments of a full command line are keys",
            syntax: "command [arg [arg ...]]",
            handler: command_getkeys,
            ..SUB
        },
        CommandSpec {
            name: "getkeysandflags",
            arity: -4,
            since: "7.0.0",
            complexity: "O(N) where N is the number of arguments to the command",
            summary: "Answers which arguments of a full command line are keys, with how the command uses each",
            syntax: "command [arg [arg ...]]",
            handler: command_getkeysandflags,
            ..SUB
        },
        CommandSpec {
            name: "help",
            arity: 2,
            since: "5.0.0",
            summary: "Lists the COMMAND subcommands",
            handler: command_help,
            ..SUB
        },
    ],
    handler: command_all,
    ..BASE
}];

/// ACL categories in the order Redis prints them, with a test for each.
pub fn acl_categories(c: &CommandSpec) -> Vec<&'static str> {
    if !c.acl.is_empty() {
        return c.acl.to_vec();
    }
    if c.is_container() {
        return vec!["@slow"];
    }
    let has = |f: u32| c.flags & f != 0;
    let group = c.group;
    let table: [(&str, bool); 21] = [
        ("@keyspace", group == Group::Generic),
        ("@read", has(flags::READONLY)),
        ("@write", has(flags::WRITE)),
        ("@set", group == Group::Set),
        ("@sortedset", group == Group::SortedSet),
        ("@list", group == Group::List),
        ("@hash", group == Group::Hash),
        ("@string", group == Group::String),
        ("@bitmap", group == Group::Bitmap),
        ("@hyperloglog", group == Group::HyperLogLog),
        ("@geo", group == Group::Geo),
        ("@stream", group == Group::Stream),
        ("@pubsub", has(flags::PUBSUB) || group == Group::PubSub),
        ("@admin", has(flags::ADMIN)),
        ("@fast", has(flags::FAST)),
        ("@slow", !has(flags::FAST)),
        ("@blocking", has(flags::BLOCKING)),
        ("@dangerous", has(flags::ADMIN)),
        ("@connection", group == Group::Connection),
        ("@transaction", group == Group::Transactions),
        ("@scripting", group == Group::Scripting),
    ];
    table.iter().filter(|(_, on)| *on).map(|(n, _)| *n).collect()
}

fn statuses(items: Vec<&'static str>) -> Reply {
    Reply::Set(items.into_iter().map(Reply::status).collect())
}

/// The `keynum` key spec of EVAL-like commands.
fn keynum_spec(c: &CommandSpec, kn: crate::command::KeyNum) -> Reply {
    let spec =
        |pairs: Vec<(&str, Reply)>| Reply::Map(pairs.into_iter().map(|(n, v)| (Reply::bulk_str(n), v)).collect());
    let derived: &[&str] = if c.has(flags::WRITE) { &["RW", "update"] } else { &["RO", "access"] };
    let key_flags = c.key_flags.first().copied().unwrap_or(derived);
    let mut fields = Vec::new();
    if !kn.notes.is_empty() {
        fields.push(("notes", Reply::bulk_str(kn.notes)));
    }
    fields.push(("flags", statuses(key_flags.to_vec())));
    let index = spec(vec![("index", Reply::Integer(kn.index as i64))]);
    fields.push(("begin_search", spec(vec![("type", Reply::bulk_str("index")), ("spec", index)])));
    fields.push((
        "find_keys",
        spec(vec![
            ("type", Reply::bulk_str("keynum")),
            (
                "spec",
                spec(vec![
                    ("keynumidx", Reply::Integer(0)),
                    ("firstkey", Reply::Integer(1)),
                    ("keystep", Reply::Integer(1)),
                ]),
            ),
        ]),
    ));
    Reply::Set(vec![spec(fields)])
}

fn key_specs(c: &CommandSpec) -> Reply {
    if let Some(kn) = c.key_num {
        return keynum_spec(c, kn);
    }
    let k = c.keys;
    if k.first <= 0 {
        return Reply::Set(Vec::new());
    }
    let derived: &[&str] = if c.has(flags::WRITE) { &["RW", "update"] } else { &["RO", "access"] };
    let specs: Vec<&[&str]> = if c.key_flags.is_empty() { vec![derived] } else { c.key_flags.to_vec() };
    let several = specs.len() > 1;
    let spec =
        |pairs: Vec<(&str, Reply)>| Reply::Map(pairs.into_iter().map(|(n, v)| (Reply::bulk_str(n), v)).collect());
    let entries = specs.iter().enumerate().map(|(i, key_flags)| {
        // Several specs: one key each, in order (RENAME, COPY…).
        let (index, last) = if several {
            (k.first as i64 + i as i64, 0)
        } else {
            (k.first as i64, if k.last < 0 { k.last as i64 } else { (k.last - k.first) as i64 })
        };
        spec(vec![
            ("flags", statuses(key_flags.to_vec())),
            (
                "begin_search",
                spec(vec![("type", Reply::bulk_str("index")), ("spec", spec(vec![("index", Reply::Integer(index))]))]),
            ),
            (
                "find_keys",
                spec(vec![
                    ("type", Reply::bulk_str("range")),
                    (
                        "spec",
                        spec(vec![
                            ("lastkey", Reply::Integer(last)),
                            ("keystep", Reply::Integer(k.step as i64)),
                            ("limit", Reply::Integer(0)),
                        ]),
                    ),
                ]),
            ),
        ])
    });
    Reply::Set(entries.collect())
}

/// One command's COMMAND INFO entry (10 fields, Redis 7.0's shape).
pub fn command_info_entry(c: &CommandSpec) -> Reply {
    Reply::Array(vec![
        Reply::bulk(c.full_name()),
        Reply::Integer(c.arity as i64),
        statuses(c.flag_names()),
        Reply::Integer(c.keys.first as i64),
        Reply::Integer(c.keys.last as i64),
        Reply::Integer(c.keys.step as i64),
        statuses(acl_categories(c)),
        Reply::Set(c.tips.iter().map(|t| Reply::bulk_str(t)).collect()),
        key_specs(c),
        Reply::Set(c.subcommands.iter().map(command_info_entry).collect()),
    ])
}

/// Finds `name` or `container|sub`, ignoring case.
pub fn find_by_full_name(name: &[u8]) -> Option<&'static CommandSpec> {
    match name.iter().position(|&b| b == b'|') {
        None => commands::find(name),
        Some(i) => commands::find_subcommand(commands::find(&name[..i])?, &name[i + 1..]),
    }
}

/// COMMAND — every command's COMMAND INFO entry.
fn command_all(_: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    if argv.len() > 1 {
        return Err(Reply::error(errors::unknown_subcommand("command", &argv[1])));
    }
    Ok(Reply::Array(commands::all().map(command_info_entry).collect()))
}

/// COMMAND COUNT
fn command_count(_: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::Integer(commands::all().count() as i64))
}

/// Every command and subcommand, by full name.
fn all_with_subcommands() -> Vec<&'static CommandSpec> {
    commands::all().flat_map(|c| std::iter::once(c).chain(c.subcommands.iter())).collect()
}

/// COMMAND LIST's filter.
enum ListFilter<'a> {
    All,
    /// No module is loaded: matches nothing.
    Module,
    /// `@category`, lower-cased.
    AclCategory(String),
    Pattern(&'a [u8]),
}

impl<'a> ListFilter<'a> {
    /// Nothing, or exactly `FILTERBY MODULE|ACLCAT|PATTERN value`.
    fn parse(args: &mut Args<'a>) -> Result<ListFilter<'a>, Reply> {
        if !args.has_more() {
            return Ok(ListFilter::All);
        }
        if args.remaining() != 3 || !args.eat("FILTERBY") {
            return Err(Reply::error(errors::SYNTAX));
        }
        let (by, value) = (args.value()?, args.value()?);
        if args::is(by, "MODULE") {
            Ok(ListFilter::Module)
        } else if args::is(by, "ACLCAT") {
            Ok(ListFilter::AclCategory(format!("@{}", args::lower(value))))
        } else if args::is(by, "PATTERN") {
            Ok(ListFilter::Pattern(value))
        } else {
            Err(Reply::error(errors::SYNTAX))
        }
    }

    fn matches(&self, c: &CommandSpec) -> bool {
        match self {
            ListFilter::All => true,
            ListFilter::Module => false,
            ListFilter::AclCategory(wanted) => acl_categories(c).contains(&wanted.as_str()),
            ListFilter::Pattern(p) => glob_match(p, c.full_name().as_bytes(), true),
        }
    }
}

/// COMMAND LIST [FILTERBY MODULE module-name|ACLCAT category|PATTERN pattern]
fn command_list(_: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let filter = ListFilter::parse(&mut Args::new(argv, 2))?;
    let names = all_with_subcommands().into_iter().filter(|c| filter.matches(c)).map(|c| Reply::bulk(c.full_name()));
    Ok(Reply::Array(names.collect()))
}

/// COMMAND INFO [command-name ...]
fn command_info(_: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    if argv.len() == 2 {
        return Ok(Reply::Array(commands::all().map(command_info_entry).collect()));
    }
    Ok(Reply::Array(argv[2..].iter().map(|n| find_by_full_name(n).map_or(Reply::Nil, command_info_entry)).collect()))
}

fn docs_entry(c: &CommandSpec) -> Reply {
    let mut fields = vec![
        (Reply::bulk_str("summary"), Reply::bulk_str(c.summary)),
        (Reply::bulk_str("since"), Reply::bulk_str(c.since)),
        (Reply::bulk_str("group"), Reply::bulk_str(c.group.name())),
        (Reply::bulk_str("complexity"), Reply::bulk_str(c.complexity)),
    ];
    if c.is_container() {
        fields.push((
            Reply::bulk_str("subcommands"),
            Reply::Map(c.subcommands.iter().map(|s| (Reply::bulk(s.full_name()), docs_entry(s))).collect()),
        ));
    }
    Reply::Map(fields)
}

/// COMMAND DOCS [command-name ...] — summaries are the emulator's own
/// words; unknown names are left out (COMMAND INFO answers nil for them).
fn command_docs(_: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let chosen: Vec<&CommandSpec> = if argv.len() == 2 {
        commands::all().collect()
    } else {
        argv[2..].iter().filter_map(|n| find_by_full_name(n)).collect()
    };
    Ok(Reply::Map(chosen.into_iter().map(|c| (Reply::bulk(c.full_name()), docs_entry(c))).collect()))
}

const RO_ACCESS: &[&str] = &["RO", "access"];
const OW_UPDATE: &[&str] = &["OW", "update"];
const RW_ACCESS_DELETE: &[&str] = &["RW", "access", "delete"];

/// Keys with their flags for commands whose keys move with their arguments
/// (Redis's `getkeys_proc` functions); None for other commands.
type FlaggedKeys = Vec<(Vec<u8>, &'static [&'static str])>;
fn movable_keys(spec: &CommandSpec, line: &[Vec<u8>]) -> Option<Result<FlaggedKeys, Reply>> {
    let invalid = || Reply::error("ERR Invalid arguments specified for command");
    let arg = |i: usize| line.get(i).map(|a| a.to_ascii_lowercase()).unwrap_or_default();
    // `numkeys` at `at`, keys right after it.
    let counted = |at: usize, flags: &'static [&'static str]| -> Result<FlaggedKeys, Reply> {
        let n = line.get(at).and_then(|n| crate::float::parse_i64(n)).unwrap_or(0);
        let available = line.len().saturating_sub(at + 1) as i64;
        if n < 1 || n > available {
            return Err(invalid());
        }
        Ok(line[at + 1..at + 1 + n as usize].iter().map(|k| (k.clone(), flags)).collect())
    };
    Some(match spec.name {
        "zunionstore" | "zinterstore" | "zdiffstore" => {
            counted(2, RO_ACCESS).map(|keys| std::iter::once((line[1].clone(), OW_UPDATE)).chain(keys).collect())
        }
        "zunion" | "zinter" | "zdiff" | "zintercard" | "sintercard" => counted(1, RO_ACCESS),
        "lmpop" | "zmpop" => counted(1, RW_ACCESS_DELETE),
        "blmpop" | "bzmpop" => counted(2, RW_ACCESS_DELETE),
        "sort" => {
            let mut keys: FlaggedKeys = vec![(line[1].clone(), RO_ACCESS)];
            let (mut i, mut store) = (2, None);
            while i < line.len() {
                match arg(i).as_slice() {
                    b"limit" => i += 2,
                    b"get" | b"by" => i += 1,
                    b"store" if i + 1 < line.len() => {
                        store = Some(line[i + 1].clone());
                        i += 1;
                    }
                    _ => {}
                }
                i += 1;
            }
            keys.extend(store.map(|k| (k, OW_UPDATE)));
            Ok(keys)
        }
        "georadius" | "georadiusbymember" => {
            let first_option = if spec.name == "georadius" { 6 } else { 5 };
            let mut keys: FlaggedKeys = vec![(line[1].clone(), RO_ACCESS)];
            let store = (first_option..line.len().saturating_sub(1))
                .rev()
                .find(|&i| matches!(arg(i).as_slice(), b"store" | b"storedist"))
                .map(|i| (line[i + 1].clone(), OW_UPDATE));
            keys.extend(store);
            Ok(keys)
        }
        _ => return None,
    })
}

/// The keys of a full command line according to the table, or Redis's error.
pub fn keys_of(line: &[Vec<u8>]) -> Result<Vec<Vec<u8>>, Reply> {
    let spec = match commands::lookup(line) {
        commands::Lookup::Found(s) => s,
        _ => return Err(Reply::error("ERR Invalid command specified")),
    };
    if let Some(keys) = movable_keys(spec, line) {
        if !spec.arity_ok(line.len()) {
            return Err(Reply::error("ERR Invalid number of arguments specified for command"));
        }
        return Ok(keys?.into_iter().map(|(k, _)| k).collect());
    }
    if let Some(kn) = spec.key_num {
        if !spec.arity_ok(line.len()) {
            return Err(Reply::error("ERR Invalid number of arguments specified for command"));
        }
        return Ok(kn.keys(line).into_iter().map(|k| k.to_vec()).collect());
    }
    if spec.keys == KeySpec::NONE {
        return Err(Reply::error("ERR The command has no key arguments"));
    }
    if !spec.arity_ok(line.len()) {
        return Err(Reply::error("ERR Invalid number of arguments specified for command"));
    }
    Ok(spec.keys.keys(line).into_iter().map(|k| k.to_vec()).collect())
}

/// COMMAND GETKEYS command [arg ...]
fn command_getkeys(_: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::bulks(keys_of(&argv[2..])?))
}

/// COMMAND GETKEYSANDFLAGS command [arg ...]
///
/// Each key with the flags of the key specification it falls under (as
/// COMMAND INFO lists them); SET's `variable_flags` are resolved from its
/// arguments, as Redis's key-extraction for SET does.
fn command_getkeysandflags(_: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let line = &argv[2..];
    let keys = keys_of(line)?;
    let commands::Lookup::Found(spec) = commands::lookup(line) else {
        return Err(Reply::error("ERR Invalid command specified"));
    };
    if let Some(Ok(flagged)) = movable_keys(spec, line) {
        let pairs =
            flagged.into_iter().map(|(key, flags)| Reply::Array(vec![Reply::Bulk(key), statuses(flags.to_vec())]));
        return Ok(Reply::Array(pairs.collect()));
    }
    let derived: &'static [&'static str] = if spec.has(flags::WRITE) { &["RW", "update"] } else { &["RO", "access"] };
    let several = spec.key_num.is_none() && spec.key_flags.len() > 1;
    let pairs = keys.into_iter().enumerate().map(|(i, key)| {
        let key_flags = if several { spec.key_flags.get(i) } else { spec.key_flags.first() };
        let key_flags = resolve_variable_flags(spec, line, key_flags.copied().unwrap_or(derived));
        Reply::Array(vec![Reply::Bulk(key), statuses(key_flags.to_vec())])
    });
    Ok(Reply::Array(pairs.collect()))
}

/// Key flags marked `variable_flags` depend on the arguments: the
/// command's table row says how (`variable_key_flags`).
fn resolve_variable_flags(
    spec: &CommandSpec,
    line: &[Vec<u8>],
    key_flags: &'static [&'static str],
) -> &'static [&'static str] {
    match spec.variable_key_flags {
        Some(resolve) if key_flags.contains(&"variable_flags") => resolve(line),
        _ => key_flags,
    }
}

/// COMMAND HELP
fn command_help(_: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::subcommand_help(
        "COMMAND",
        &[
            "(no subcommand)",
            "    Return details about all Redis commands.",
            "COUNT",
            "    Return the total number of commands in this Redis server.",
            "LIST",
            "    Return a list of all commands in this Redis server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>",
            "    Return the keys from a full Redis command.",
            "GETKEYSANDFLAGS <full-command>",
            "    Return the keys and the access flags from a full Redis command.",
        ],
    ))
}
