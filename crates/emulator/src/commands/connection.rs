//! Connection commands: PING, ECHO, SELECT, HELLO, QUIT, RESET.

use crate::args;
use crate::command::{flags::*, CommandSpec, Group};
use crate::engine::{Ctx, REDIS_VERSION};
use crate::errors;
use crate::reply::Reply;
use crate::resp::Protocol;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "ping",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        arity: -1,
        flags: FAST | SUBSCRIBED_OK,
        group: Group::Connection,
        summary: "Checks the connection: answers PONG, or echoes the message",
        syntax: "[message]",
        handler: |c, a| Ok(ping(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "echo",
        arity: 2,
        flags: LOADING | STALE | FAST,
        group: Group::Connection,
        summary: "Returns the message it was given",
        syntax: "message",
        handler: |c, a| Ok(echo(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "select",
        arity: 2,
        flags: LOADING | STALE | FAST,
        group: Group::Connection,
        since: "1.0.0",
        summary: "Switches this connection to another logical database (0-15)",
        syntax: "index",
        handler: |c, a| Ok(select(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "hello",
        arity: -1,
        flags: NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY,
        group: Group::Connection,
        since: "6.0.0",
        summary: "Handshake: picks RESP2 or RESP3, optionally names the connection, and describes the server",
        syntax: "[protover [AUTH username password] [SETNAME clientname]]",
        handler: |c, a| Ok(hello(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "quit",
        arity: -1,
        flags: NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY | SUBSCRIBED_OK,
        group: Group::Connection,
        summary: "Closes the connection after replying OK",
        syntax: "",
        handler: |c, a| Ok(quit(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "reset",
        arity: 1,
        flags: NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY | SUBSCRIBED_OK,
        group: Group::Connection,
        since: "6.2.0",
        summary: "Resets the connection: leaves MULTI, WATCH, subscriptions and MONITOR, selects DB 0, RESP2",
        syntax: "",
        handler: |c, a| Ok(reset(c, a)),
        ..CommandSpec::DEFAULT
    },
];

/// PING [message]
fn ping(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    if argv.len() > 2 {
        return Reply::error(errors::wrong_arity("ping"));
    }
    if ctx.client.in_subscribed_mode() {
        let msg = argv.get(1).cloned().unwrap_or_default();
        return Reply::Array(vec![Reply::bulk_str("pong"), Reply::Bulk(msg)]);
    }
    match argv.get(1) {
        Some(m) => Reply::Bulk(m.clone()),
        None => Reply::status("PONG"),
    }
}

/// ECHO message
fn echo(_: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    Reply::Bulk(argv[1].clone())
}

/// SELECT index
fn select(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let index = match args::int(&argv[1]) {
        Ok(i) => i,
        Err(e) => return e,
    };
    if index < 0 || index as usize >= ctx.engine.db_count() {
        return Reply::error(errors::DB_INDEX_OUT_OF_RANGE);
    }
    ctx.client.db = index as usize;
    Reply::OK
}

/// Checks a client name as Redis does (no spaces or special characters).
pub fn validate_client_name(name: &[u8]) -> Result<(), Reply> {
    if name.iter().any(|&c| !(b'!'..=b'~').contains(&c)) {
        return Err(Reply::error("ERR Client names cannot contain spaces, newlines or special characters."));
    }
    Ok(())
}

/// HELLO [protover [AUTH username password] [SETNAME clientname]]
fn hello(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let mut version = None;
    let mut i = 1;
    if argv.len() >= 2 {
        match crate::float::parse_i64(&argv[1]) {
            Some(v) if (2..=3).contains(&v) => version = Some(v),
            Some(_) => return Reply::error("NOPROTO unsupported protocol version"),
            None => return Reply::error("ERR Protocol version is not an integer or out of range"),
        }
        i = 2;
    }
    let mut new_name = None;
    while i < argv.len() {
        let more = argv.len() - 1 - i;
        if args::is(&argv[i], "AUTH") && more >= 2 {
            // The only user is `default`, which has no password (nopass):
            // any password is accepted for it, as in a fresh Redis.
            if !argv[i + 1].eq_ignore_ascii_case(b"default") {
                return Reply::error("WRONGPASS invalid username-password pair or user is disabled.");
            }
            i += 3;
        } else if args::is(&argv[i], "SETNAME") && more >= 1 {
            if let Err(e) = validate_client_name(&argv[i + 1]) {
                return e;
            }
            new_name = Some(argv[i + 1].clone());
            i += 2;
        } else {
            return Reply::error(errors::sanitize(&format!(
                "ERR Syntax error in HELLO option '{}'",
                String::from_utf8_lossy(&argv[i])
            )));
        }
    }
    if let Some(name) = new_name {
        ctx.client.name = (!name.is_empty()).then_some(name);
    }
    match version {
        Some(3) => ctx.client.protocol = Protocol::Resp3,
        Some(2) => ctx.client.protocol = Protocol::Resp2,
        _ => {}
    }
    let proto = if ctx.client.protocol == Protocol::Resp3 { 3 } else { 2 };
    Reply::Map(vec![
        (Reply::bulk_str("server"), Reply::bulk_str("redis")),
        (Reply::bulk_str("version"), Reply::bulk_str(REDIS_VERSION)),
        (Reply::bulk_str("proto"), Reply::Integer(proto)),
        (Reply::bulk_str("id"), Reply::Integer(ctx.client.id as i64)),
        (Reply::bulk_str("mode"), Reply::bulk_str("standalone")),
        (Reply::bulk_str("role"), Reply::bulk_str("master")),
        (Reply::bulk_str("modules"), Reply::Array(vec![])),
    ])
}

/// QUIT
fn quit(ctx: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    ctx.client.close_after_reply = true;
    Reply::OK
}

/// RESET
fn reset(ctx: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    let id = ctx.client.id;
    ctx.client.multi = None;
    ctx.client.watched.clear();
    ctx.client.watch_dirty = false;
    ctx.client.channels.clear();
    ctx.client.patterns.clear();
    ctx.client.shard_channels.clear();
    ctx.engine.pubsub.forget_client(id);
    ctx.client.monitor = false;
    ctx.client.db = 0;
    ctx.client.protocol = Protocol::Resp2;
    ctx.client.name = None;
    Reply::status("RESET")
}
