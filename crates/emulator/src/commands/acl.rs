//! ACL commands: the users and their rules (SETUSER, GETUSER, DELUSER,
//! USERS, LIST), WHOAMI, CAT, DRYRUN, GENPASS, LOG, HELP and the ACL-file
//! commands (SAVE, LOAD), which answer as a Redis without an ACL file does.

use crate::acl::check::{self, Denied};
use crate::acl::rules::{self, User};
use crate::acl::table::{self, CATEGORIES};
use crate::args;
use crate::command::{flags::*, CommandResult, CommandSpec, Group};
use crate::commands;
use crate::engine::Ctx;
use crate::errors;
use crate::reply::Reply;

const BASE: CommandSpec = CommandSpec { group: Group::Server, ..CommandSpec::DEFAULT };

const SUB: CommandSpec = CommandSpec {
    parent: "acl",
    flags: ADMIN | NOSCRIPT | LOADING | STALE,
    since: "6.0.0",
    complexity: "O(N). Where N is the number of users.",
    acl: &["@admin", "@slow", "@dangerous"],
    ..BASE
};

pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "acl",
    arity: -2,
    since: "6.0.0",
    complexity: "Depends on subcommand.",
    summary: "A container for the commands that manage users and their permissions",
    subcommands: &[
        CommandSpec {
            name: "cat",
            arity: -2,
            flags: NOSCRIPT | LOADING | STALE,
            complexity: "O(1) since the categories and commands are a fixed set.",
            summary: "Lists the ACL categories, or the commands of one category",
            syntax: "[category]",
            acl: &["@slow"],
            handler: acl_cat,
            ..SUB
        },
        CommandSpec {
            name: "deluser",
            arity: -3,
            complexity: "O(1) amortized time considering the typical user.",
            summary: "Deletes users and disconnects the clients authenticated as them",
            syntax: "username [username ...]",
            handler: acl_deluser,
            ..SUB
        },
        CommandSpec {
            name: "dryrun",
            arity: -4,
            since: "7.0.0",
            complexity: "O(1).",
            summary: "Answers whether a user could run a command line, without running it",
            syntax: "username command [arg [arg ...]]",
            handler: acl_dryrun,
            ..SUB
        },
        CommandSpec {
            name: "genpass",
            arity: -2,
            flags: NOSCRIPT | LOADING | STALE,
            complexity: "O(1)",
            summary: "Generates a random password (hex digits) of the given number of bits",
            syntax: "[bits]",
            acl: &["@slow"],
            handler: acl_genpass,
            ..SUB
        },
        CommandSpec {
            name: "getuser",
            arity: 3,
            complexity: "O(N). Where N is the number of password, command and pattern rules that the user has.",
            summary: "Describes a user: flags, password hashes, commands, keys, channels and selectors",
            syntax: "username",
            handler: acl_getuser,
            ..SUB
        },
        CommandSpec {
            name: "help",
            arity: 2,
            flags: LOADING | STALE,
            complexity: "O(1)",
            summary: "Lists the ACL subcommands",
            acl: &["@slow"],
            handler: acl_help,
            ..SUB
        },
        CommandSpec {
            name: "list",
            arity: 2,
            summary: "Lists every user as the rules that recreate it",
            handler: acl_list,
            ..SUB
        },
        CommandSpec {
            name: "load",
            arity: 2,
            summary: "Reloads the users from the ACL file (none is configured here)",
            handler: acl_file,
            ..SUB
        },
        CommandSpec {
            name: "log",
            arity: -2,
            complexity: "O(N) with N being the number of entries shown.",
            summary: "Shows the latest refused commands and failed logins, or clears them",
            syntax: "[count|RESET]",
            handler: acl_log,
            ..SUB
        },
        CommandSpec {
            name: "save",
            arity: 2,
            summary: "Saves the users to the ACL file (none is configured here)",
            handler: acl_file,
            ..SUB
        },
        CommandSpec {
            name: "setuser",
            arity: -3,
            complexity: "O(N). Where N is the number of rules provided.",
            summary: "Creates a user or changes its rules",
            syntax: "username [rule [rule ...]]",
            handler: acl_setuser,
            ..SUB
        },
        CommandSpec { name: "users", arity: 2, summary: "Lists the user names", handler: acl_users, ..SUB },
        CommandSpec {
            name: "whoami",
            arity: 2,
            flags: NOSCRIPT | LOADING | STALE,
            complexity: "O(1)",
            summary: "Answers the name of the user this connection is authenticated as",
            acl: &["@slow"],
            handler: acl_whoami,
            ..SUB
        },
    ],
    ..BASE
}];

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// ACL SETUSER username [rule ...]
///
/// The rules are tried on a copy of the user (or a new one); nothing
/// changes unless every rule is valid.
fn acl_setuser(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let name = &argv[2];
    if rules::has_spaces(name) {
        return Err(Reply::error("ERR Usernames can't contain spaces or null characters"));
    }
    let ops = rules::merge_selector_args(&argv[3..]).map_err(|start| {
        Reply::error(errors::sanitize(&format!(
            "ERR Unmatched parenthesis in acl selector starting at '{}'.",
            text(&start)
        )))
    })?;
    let all_channels = crate::config::find_param(b"acl-pubsub-default")
        .is_some_and(|p| ctx.engine.config.get_param(p) == "allchannels");
    let existing = ctx.engine.acl.users().get(name);
    let mut user = existing.cloned().unwrap_or_else(|| User::with_channels(name, all_channels));
    for op in &ops {
        if let Err(e) = user.apply_rule(op, all_channels) {
            let msg = format!("ERR Error in ACL SETUSER modifier '{}': {}", text(op), e.message());
            return Err(Reply::error(errors::sanitize(&msg)));
        }
    }
    ctx.engine.acl.set_user(name.clone(), user);
    drop_pubsub_clients_without_rights(ctx, name);
    Ok(Reply::OK)
}

/// Clients of `user` subscribed to channels the user may no longer use
/// are disconnected, as Redis does after ACL SETUSER.
fn drop_pubsub_clients_without_rights(ctx: &mut Ctx, name: &[u8]) {
    let Some(user) = ctx.engine.acl.users().get(name) else { return };
    let allowed = |c: &crate::client::Client| {
        c.channels.iter().chain(&c.shard_channels).all(|ch| check::channel_permitted(user, ch, false))
            && c.patterns.iter().all(|p| check::channel_permitted(user, p, true))
    };
    let victims: Vec<u64> =
        ctx.engine.clients.values().filter(|c| c.auth.user == name && !allowed(c)).map(|c| c.id).collect();
    let me_gone = ctx.client.auth.user == name && !allowed(ctx.client);
    for id in victims {
        ctx.engine.disconnect(id);
    }
    if me_gone {
        ctx.client.close_after_reply = true;
    }
}

/// ACL DELUSER username [username ...]
///
/// Clients authenticated as a deleted user are disconnected (the caller
/// after this reply).
fn acl_deluser(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    if argv[2..].iter().any(|n| n == b"default") {
        return Err(Reply::error("ERR The 'default' user cannot be removed"));
    }
    let mut deleted = 0;
    for name in &argv[2..] {
        if ctx.engine.acl.remove_user(name).is_none() {
            continue;
        }
        deleted += 1;
        let victims: Vec<u64> = ctx.engine.clients.values().filter(|c| c.auth.user == *name).map(|c| c.id).collect();
        for id in victims {
            ctx.engine.disconnect(id);
        }
        if ctx.client.auth.user == *name {
            ctx.client.auth = crate::acl::ClientAuth { user: b"default".to_vec(), authenticated: false };
            ctx.client.close_after_reply = true;
        }
    }
    Ok(Reply::Integer(deleted))
}

fn selector_fields(s: &rules::Selector) -> Vec<(Reply, Reply)> {
    vec![
        (Reply::bulk_str("commands"), Reply::bulk(s.describe_commands())),
        (Reply::bulk_str("keys"), Reply::bulk(s.keys_text())),
        (Reply::bulk_str("channels"), Reply::bulk(s.channels_text())),
    ]
}

/// ACL GETUSER username — a null reply for an unknown user.
fn acl_getuser(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let Some(user) = ctx.engine.acl.users().get(&argv[2]) else {
        return Ok(Reply::Nil);
    };
    let mut fields = vec![
        (Reply::bulk_str("flags"), Reply::Set(user.flags().into_iter().map(Reply::bulk_str).collect())),
        (Reply::bulk_str("passwords"), Reply::bulks(user.passwords.iter().map(|p| p.as_bytes().to_vec()))),
    ];
    fields.extend(selector_fields(user.root()));
    let selectors = user.selectors[1..].iter().map(|s| Reply::Map(selector_fields(s))).collect();
    fields.push((Reply::bulk_str("selectors"), Reply::Array(selectors)));
    Ok(Reply::Map(fields))
}

/// ACL LIST
fn acl_list(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    let lines =
        ctx.engine.acl.users().values().map(|u| format!("user {} {}", text(&u.name), u.describe()).into_bytes());
    Ok(Reply::bulks(lines))
}

/// ACL USERS
fn acl_users(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::bulks(ctx.engine.acl.users().keys().cloned()))
}

/// ACL WHOAMI
fn acl_whoami(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::Bulk(ctx.client.auth.user.clone()))
}

/// ACL LOAD / ACL SAVE — there is no ACL file.
fn acl_file(_: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Err(Reply::error(
        "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the \
         ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) \
         in order to store users in the Redis configuration.",
    ))
}

/// ACL CAT [category]
fn acl_cat(_: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    if argv.len() > 3 {
        return Err(Reply::error(subcommand_syntax_error(&argv[1])));
    }
    let Some(category) = argv.get(2) else {
        return Ok(Reply::bulks(CATEGORIES.iter().map(|c| c.as_bytes().to_vec())));
    };
    let Some(flag) = table::category_flag(category) else {
        return Err(Reply::error(errors::sanitize(&format!("ERR Unknown category '{}'", errors::show(category, 128)))));
    };
    let ix = table::index();
    let names = (0..ix.names.len()).filter(|&id| ix.categories[id] & flag != 0).map(|id| ix.names[id].clone());
    Ok(Reply::bulks(names.map(String::into_bytes)))
}

fn subcommand_syntax_error(sub: &[u8]) -> String {
    errors::sanitize(&format!(
        "ERR unknown subcommand or wrong number of arguments for '{}'. Try ACL HELP.",
        errors::show(sub, 128)
    ))
}

/// ACL GENPASS [bits] — `bits` random bits as hex (256 by default).
fn acl_genpass(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    if argv.len() > 3 {
        return Err(Reply::error(subcommand_syntax_error(&argv[1])));
    }
    let bits = match argv.get(2) {
        Some(b) => args::int(b)?,
        None => 256,
    };
    if bits <= 0 || bits > 4096 {
        return Err(Reply::error(
            "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096",
        ));
    }
    let chars = (bits as usize).div_ceil(4);
    let hex = b"0123456789abcdef";
    let pass: Vec<u8> = (0..chars).map(|_| hex[ctx.rng().below(16) as usize]).collect();
    Ok(Reply::Bulk(pass))
}

/// ACL LOG [count|RESET] — newest first, 10 entries by default.
fn acl_log(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    if argv.len() > 3 {
        return Err(Reply::error(subcommand_syntax_error(&argv[1])));
    }
    let mut count = 10;
    if let Some(arg) = argv.get(2) {
        if args::is(arg, "RESET") {
            ctx.engine.acl.log.clear();
            return Ok(Reply::OK);
        }
        count = args::int(arg)?.max(0);
    }
    let now = ctx.now_ms();
    let entries = ctx.engine.acl.log.iter().take(count as usize).map(|e| {
        Reply::Map(vec![
            (Reply::bulk_str("count"), Reply::Integer(e.count as i64)),
            (Reply::bulk_str("reason"), Reply::bulk_str(e.reason.reason())),
            (Reply::bulk_str("context"), Reply::bulk_str(e.context.name())),
            (Reply::bulk_str("object"), Reply::Bulk(e.object.clone())),
            (Reply::bulk_str("username"), Reply::Bulk(e.username.clone())),
            (Reply::bulk_str("age-seconds"), Reply::Double((now - e.ctime_ms) as f64 / 1000.0)),
            (Reply::bulk_str("client-info"), Reply::bulk(e.client_info.clone())),
        ])
    });
    Ok(Reply::Array(entries.collect()))
}

/// ACL DRYRUN username command [arg ...] — OK, or the reason as a bulk
/// string; nothing is logged.
fn acl_dryrun(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let Some(user) = ctx.engine.acl.users().get(&argv[2]) else {
        return Err(Reply::error(errors::sanitize(&format!("ERR User '{}' not found", text(&argv[2])))));
    };
    let line = &argv[3..];
    let commands::Lookup::Found(spec) = commands::lookup(line) else {
        return Err(Reply::error(errors::sanitize(&format!("ERR Command '{}' not found", text(&argv[3])))));
    };
    if !spec.arity_ok(line.len()) {
        return Err(Reply::error(errors::wrong_arity(&spec.full_name())));
    }
    match check::check(user, spec, line) {
        Ok(()) => Ok(Reply::OK),
        Err(refusal) => {
            let arg = line.get(refusal.position).map(|a| text(a)).unwrap_or_default();
            let message = match refusal.denied {
                Denied::Command => format!("This user has no permissions to run the '{}' command", spec.full_name()),
                Denied::Key => format!("This user has no permissions to access the '{arg}' key"),
                _ => format!("This user has no permissions to access the '{arg}' channel"),
            };
            Ok(Reply::bulk(message))
        }
    }
}

/// ACL HELP
fn acl_help(_: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::subcommand_help(
        "ACL",
        &[
            "CAT [<category>]",
            "    List all commands that belong to <category>, or all command categories",
            "    when no category is specified.",
            "DELUSER <username> [<username> ...]",
            "    Delete a list of users.",
            "DRYRUN <username> <command> [<arg> ...]",
            "    Returns whether the user can execute the given command without executing the command.",
            "GETUSER <username>",
            "    Get the user's details.",
            "GENPASS [<bits>]",
            "    Generate a secure 256-bit user password. The optional `bits` argument can",
            "    be used to specify a different size.",
            "LIST",
            "    Show users details in config file format.",
            "LOAD",
            "    Reload users from the ACL file.",
            "LOG [<count> | RESET]",
            "    Show the ACL log entries.",
            "SAVE",
            "    Save the current config to the ACL file.",
            "SETUSER <username> <attribute> [<attribute> ...]",
            "    Create or modify a user with the specified attributes.",
            "USERS",
            "    List all the registered usernames.",
            "WHOAMI",
            "    Return the current connection username.",
        ],
    ))
}
