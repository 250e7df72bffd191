//! CLIENT: connection introspection and control (ID, SETNAME, GETNAME,
//! LIST, INFO, KILL, UNBLOCK, NO-EVICT, REPLY, HELP).
//!
//! CLIENT LIST / INFO print Redis 7.0's fields in Redis's order. Values
//! the emulator has no honest equivalent for (file descriptor, buffer and
//! memory sizes) are printed as 0.

use crate::args;
use crate::client::{Client, ClientId};
use crate::command::{flags::*, CommandSpec, Group};
use crate::engine::Ctx;
use crate::errors;
use crate::reply::Reply;
use crate::resp::Protocol;

const SUB: CommandSpec = CommandSpec {
    parent: "client",
    flags: NOSCRIPT | LOADING | STALE,
    group: Group::Connection,
    ..CommandSpec::DEFAULT
};

pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "client",
    arity: -2,
    group: Group::Connection,
    since: "2.4.0",
    complexity: "Depends on subcommand",
    summary: "Inspects and controls client connections",
    syntax: "subcommand [arguments]",
    subcommands: &[
        CommandSpec {
            name: "id",
            arity: 2,
            since: "5.0.0",
            summary: "Answers this connection's unique id",
            handler: |c, a| Ok(client_id(c, a)),
            ..SUB
        },
        CommandSpec {
            name: "setname",
            arity: 3,
            since: "2.6.9",
            summary: "Names this connection (an empty name removes it)",
            syntax: "connection-name",
            handler: |c, a| Ok(client_setname(c, a)),
            ..SUB
        },
        CommandSpec {
            name: "getname",
            arity: 2,
            since: "2.6.9",
            summary: "Answers this connection's name, or nil",
            handler: |c, a| Ok(client_getname(c, a)),
            ..SUB
        },
        CommandSpec {
            name: "list",
            tips: &["nondeterministic_output"],
            arity: -2,
            flags: ADMIN | NOSCRIPT | LOADING | STALE,
            complexity: "O(N) where N is the number of client connections",
            summary: "Describes every connection, one line each",
            syntax: "[TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]",
            handler: |c, a| Ok(client_list(c, a)),
            ..SUB
        },
        CommandSpec {
            name: "info",
            tips: &["nondeterministic_output"],
            arity: 2,
            since: "6.2.0",
            summary: "Describes this connection in CLIENT LIST's format",
            handler: |c, a| Ok(client_info(c, a)),
            ..SUB
        },
        CommandSpec {
            name: "kill",
            arity: -3,
            flags: ADMIN | NOSCRIPT | LOADING | STALE,
            complexity: "O(N) where N is the number of client connections",
            summary: "Closes connections chosen by address, id, type or user",
            syntax: "ip:port | [ID client-id] [TYPE NORMAL|MASTER|SLAVE|REPLICA|PUBSUB] [USER username] [ADDR ip:port] [LADDR ip:port] [SKIPME YES|NO]",
            handler: |c, a| Ok(client_kill(c, a)),
            ..SUB
        },
        CommandSpec {
            name: "unblock",
            arity: -3,
            flags: ADMIN | NOSCRIPT | LOADING | STALE,
            since: "5.0.0",
            complexity: "O(log N) where N is the number of client connections",
            summary: "Wakes a client blocked in BLPOP/XREAD…, as a timeout or with an error",
            syntax: "client-id [TIMEOUT|ERROR]",
            handler: |c, a| Ok(client_unblock(c, a)),
            ..SUB
        },
        CommandSpec {
            name: "no-evict",
            arity: 3,
            flags: ADMIN | NOSCRIPT | LOADING | STALE,
            since: "7.0.0",
            summary: "Exempts this connection from client eviction, or not",
            syntax: "ON|OFF",
            handler: |c, a| Ok(client_no_evict(c, a)),
            ..SUB
        },
        CommandSpec {
            name: "reply",
            arity: 3,
            since: "3.2.0",
            summary: "Turns this connection's replies off, on, or off for the next command only",
            syntax: "ON|OFF|SKIP",
            handler: |c, a| Ok(client_reply(c, a)),
            ..SUB
        },
        CommandSpec {
            name: "help",
            arity: 2,
            flags: LOADING | STALE,
            since: "5.0.0",
            summary: "Lists the CLIENT subcommands",
            handler: |c, a| Ok(client_help(c, a)),
            ..SUB
        },
    ],
    ..CommandSpec::DEFAULT
}];

/// Redis's `getClientType`: `normal`, `pubsub` (Redis also has replica and master types).
fn client_type(c: &Client) -> &'static str {
    if c.subscription_count() > 0 {
        "pubsub"
    } else {
        "normal"
    }
}

/// The type names CLIENT LIST TYPE and CLIENT KILL TYPE accept.
fn parse_client_type(arg: &[u8]) -> Result<&'static str, Reply> {
    let name = args::lower(arg);
    match name.as_str() {
        "normal" => Ok("normal"),
        "pubsub" => Ok("pubsub"),
        "slave" | "replica" => Ok("replica"),
        "master" => Ok("master"),
        _ => {
            Err(Reply::error(errors::sanitize(&format!("ERR Unknown client type '{}'", String::from_utf8_lossy(arg)))))
        }
    }
}

/// One CLIENT LIST line (without the newline), fields in Redis 7.0's order.
pub fn client_info_line(c: &Client, now_ms: i64) -> String {
    let mut flags = String::new();
    if c.monitor {
        flags.push('O');
    }
    if c.subscription_count() > 0 {
        flags.push('P');
    }
    if c.multi.is_some() {
        flags.push('x');
    }
    if c.blocked.is_some() {
        flags.push('b');
    }
    if c.watch_dirty {
        flags.push('d');
    }
    if c.close_after_reply {
        flags.push('c');
    }
    if c.no_evict {
        flags.push('e');
    }
    if flags.is_empty() {
        flags.push('N');
    }
    let multi = c.multi.as_ref().map_or(-1, |m| m.queue.len() as i64);
    let name = c.name.as_deref().map(String::from_utf8_lossy).unwrap_or_default();
    format!(
        "id={} addr={} laddr={} fd=0 name={} age={} idle={} flags={} db={} sub={} psub={} ssub={} multi={} \
         qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd={} \
         user=default redir=-1 resp={}",
        c.id,
        c.addr,
        c.laddr,
        name,
        (now_ms - c.created_ms).max(0) / 1000,
        (now_ms - c.last_interaction_ms).max(0) / 1000,
        flags,
        c.db,
        c.channels.len(),
        c.patterns.len(),
        c.shard_channels.len(),
        multi,
        c.last_command_name(),
        if c.protocol == Protocol::Resp3 { 3 } else { 2 },
    )
}

/// Every client, including the caller (which the engine holds apart while
/// its command runs), in id order.
fn all_clients<'a>(ctx: &'a Ctx) -> Vec<&'a Client> {
    let mut all: Vec<&Client> = ctx.engine.clients.values().collect();
    all.push(&*ctx.client);
    all.sort_by_key(|c| c.id);
    all
}

/// CLIENT ID
fn client_id(ctx: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    Reply::Integer(ctx.client.id as i64)
}

/// CLIENT SETNAME connection-name
fn client_setname(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let name = &argv[2];
    if name.is_empty() {
        ctx.client.name = None;
        return Reply::OK;
    }
    if let Err(e) = crate::commands::connection::validate_client_name(name) {
        return e;
    }
    ctx.client.name = Some(name.clone());
    Reply::OK
}

/// CLIENT GETNAME
fn client_getname(ctx: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    Reply::opt_bulk(ctx.client.name.clone())
}

/// CLIENT LIST [TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]
fn client_list(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms();
    let mut out = String::new();
    if argv.len() == 4 && args::is(&argv[2], "TYPE") {
        let wanted = match parse_client_type(&argv[3]) {
            Ok(t) => t,
            Err(e) => return e,
        };
        for c in all_clients(ctx).into_iter().filter(|c| client_type(c) == wanted) {
            out.push_str(&client_info_line(c, now));
            out.push('\n');
        }
    } else if argv.len() > 3 && args::is(&argv[2], "ID") {
        let mut ids = Vec::new();
        for a in &argv[3..] {
            match crate::float::parse_i64(a) {
                Some(id) => ids.push(id),
                None => return Reply::error("ERR Invalid client ID"),
            }
        }
        let all = all_clients(ctx);
        for id in ids {
            if let Some(c) = all.iter().find(|c| c.id as i64 == id) {
                out.push_str(&client_info_line(c, now));
                out.push('\n');
            }
        }
    } else if argv.len() != 2 {
        return Reply::error(errors::SYNTAX);
    } else {
        for c in all_clients(ctx) {
            out.push_str(&client_info_line(c, now));
            out.push('\n');
        }
    }
    Reply::Verbatim(out)
}

/// CLIENT INFO
fn client_info(ctx: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    let mut line = client_info_line(ctx.client, ctx.now_ms());
    line.push('\n');
    Reply::Verbatim(line)
}

/// CLIENT KILL ip:port | CLIENT KILL [ID id] [TYPE type] [USER name] [ADDR ip:port] [LADDR ip:port] [SKIPME yes|no]
fn client_kill(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let old_style = argv.len() == 3;
    let mut addr: Option<&[u8]> = None;
    let mut laddr: Option<&[u8]> = None;
    let mut kind: Option<&str> = None;
    let mut id: Option<ClientId> = None;
    let mut skip_me = true;
    if old_style {
        addr = Some(&argv[2]);
        skip_me = false;
    } else {
        let mut i = 2;
        while i < argv.len() {
            let more = i + 1 < argv.len();
            let opt = &argv[i];
            if args::is(opt, "ID") && more {
                match crate::float::parse_i64(&argv[i + 1]) {
                    Some(v) if v >= 1 => id = Some(v as ClientId),
                    _ => return Reply::error("ERR client-id should be greater than 0"),
                }
            } else if args::is(opt, "TYPE") && more {
                kind = match parse_client_type(&argv[i + 1]) {
                    Ok(t) => Some(t),
                    Err(e) => return e,
                };
            } else if args::is(opt, "ADDR") && more {
                addr = Some(&argv[i + 1]);
            } else if args::is(opt, "LADDR") && more {
                laddr = Some(&argv[i + 1]);
            } else if args::is(opt, "USER") && more {
                if argv[i + 1] != b"default" {
                    return Reply::error(errors::sanitize(&format!(
                        "ERR No such user '{}'",
                        String::from_utf8_lossy(&argv[i + 1])
                    )));
                }
            } else if args::is(opt, "SKIPME") && more {
                if args::is(&argv[i + 1], "YES") {
                    skip_me = true;
                } else if args::is(&argv[i + 1], "NO") {
                    skip_me = false;
                } else {
                    return Reply::error(errors::SYNTAX);
                }
            } else {
                return Reply::error(errors::SYNTAX);
            }
            i += 2;
        }
    }
    let me = ctx.client.id;
    let victims: Vec<ClientId> = all_clients(ctx)
        .into_iter()
        .filter(|c| addr.is_none_or(|a| c.addr.as_bytes() == a))
        .filter(|c| laddr.is_none_or(|a| c.laddr.as_bytes() == a))
        .filter(|c| kind.is_none_or(|k| client_type(c) == k))
        .filter(|c| id.is_none_or(|i| c.id == i))
        .filter(|c| !(skip_me && c.id == me))
        .map(|c| c.id)
        .collect();
    for &v in &victims {
        if v == me {
            ctx.client.close_after_reply = true;
        } else {
            ctx.engine.disconnect(v);
        }
    }
    if old_style {
        if victims.is_empty() {
            Reply::error("ERR No such client")
        } else {
            Reply::OK
        }
    } else {
        Reply::Integer(victims.len() as i64)
    }
}

/// CLIENT UNBLOCK client-id [TIMEOUT|ERROR]
fn client_unblock(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    if argv.len() > 4 {
        return Reply::error(errors::sanitize(&format!(
            "ERR unknown subcommand or wrong number of arguments for '{}'. Try CLIENT HELP.",
            errors::show(&argv[1], 128)
        )));
    }
    let mut error = false;
    if let Some(reason) = argv.get(3) {
        if args::is(reason, "TIMEOUT") {
            error = false;
        } else if args::is(reason, "ERROR") {
            error = true;
        } else {
            return Reply::error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
        }
    }
    let id = match args::int(&argv[2]) {
        Ok(i) => i,
        Err(e) => return e,
    };
    if id < 0 || id as ClientId == ctx.client.id {
        return Reply::Integer(0);
    }
    Reply::Integer(ctx.engine.unblock_client(id as ClientId, error) as i64)
}

/// CLIENT NO-EVICT ON|OFF
fn client_no_evict(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    if args::is(&argv[2], "ON") {
        ctx.client.no_evict = true;
    } else if args::is(&argv[2], "OFF") {
        ctx.client.no_evict = false;
    } else {
        return Reply::error(errors::SYNTAX);
    }
    Reply::OK
}

/// CLIENT REPLY ON|OFF|SKIP — OFF and SKIP are not answered themselves.
fn client_reply(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let c = &mut *ctx.client;
    if args::is(&argv[2], "ON") {
        c.reply_off = false;
        c.reply_skip_next = false;
        c.reply_skip = false;
        Reply::OK
    } else if args::is(&argv[2], "OFF") {
        c.reply_off = true;
        Reply::Multi(Vec::new())
    } else if args::is(&argv[2], "SKIP") {
        if !c.reply_off {
            c.reply_skip_next = true;
        }
        Reply::Multi(Vec::new())
    } else {
        Reply::error(errors::SYNTAX)
    }
}

/// CLIENT HELP
fn client_help(_: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    Reply::subcommand_help(
        "CLIENT",
        &[
            "GETNAME",
            "    Return the name of the current connection.",
            "ID",
            "    Return the ID of the current connection.",
            "INFO",
            "    Return information about the current client connection.",
            "KILL <ip:port>",
            "    Kill connection made from <ip:port>.",
            "KILL <option> <value> [<option> <value> [...]]",
            "    Kill connections. Options are:",
            "    * ADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made from the specified address",
            "    * LADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made to specified local address",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Kill connections by type.",
            "    * USER <username>",
            "      Kill connections authenticated by <username>.",
            "    * SKIPME (YES|NO)",
            "      Skip killing current connection (default: yes).",
            "LIST [options ...]",
            "    Return information about client connections. Options:",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Return clients of specified type.",
            "REPLY (ON|OFF|SKIP)",
            "    Control the replies sent to the current connection.",
            "SETNAME <name>",
            "    Assign the name <name> to the current connection.",
            "UNBLOCK <clientid> [TIMEOUT|ERROR]",
            "    Unblock the specified blocked client.",
            "NO-EVICT (ON|OFF)",
            "    Protect current client connection from eviction.",
        ],
    )
}
