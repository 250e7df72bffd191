//! Connection commands: PING, ECHO, SELECT, AUTH, HELLO, QUIT, RESET.

use crate::args::{self, Args};
use crate::command::{flags::*, CommandResult, CommandSpec, Group};
use crate::engine::{Ctx, REDIS_VERSION};
use crate::errors;
use crate::reply::Reply;
use crate::resp::Protocol;

const BASE: CommandSpec = CommandSpec { group: Group::Connection, ..CommandSpec::DEFAULT };

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "ping",
        arity: -1,
        flags: FAST | SUBSCRIBED_OK,
        summary: "Checks the connection: answers PONG, or echoes the message",
        syntax: "[message]",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        handler: ping,
        ..BASE
    },
    CommandSpec {
        name: "echo",
        arity: 2,
        flags: LOADING | STALE | FAST,
        summary: "Returns the message it was given",
        syntax: "message",
        handler: echo,
        ..BASE
    },
    CommandSpec {
        name: "select",
        arity: 2,
        flags: LOADING | STALE | FAST,
        summary: "Switches this connection to another logical database (0-15)",
        syntax: "index",
        handler: select,
        ..BASE
    },
    CommandSpec {
        name: "auth",
        arity: -2,
        flags: NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY,
        summary: "Authenticates the connection as a user (the default user when only a password is given)",
        syntax: "[username] password",
        handler: auth,
        ..BASE
    },
    CommandSpec {
        name: "hello",
        arity: -1,
        flags: NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY,
        since: "6.0.0",
        summary: "Handshake: picks RESP2 or RESP3, optionally names the connection, and describes the server",
        syntax: "[protover [AUTH username password] [SETNAME clientname]]",
        handler: hello,
        ..BASE
    },
    CommandSpec {
        name: "quit",
        arity: -1,
        flags: NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY | SUBSCRIBED_OK | RUNS_IN_MULTI | ENDS_MULTI,
        summary: "Closes the connection after replying OK",
        handler: quit,
        ..BASE
    },
    CommandSpec {
        name: "reset",
        arity: 1,
        flags: NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY | SUBSCRIBED_OK | RUNS_IN_MULTI | ENDS_MULTI,
        since: "6.2.0",
        summary: "Resets the connection: leaves MULTI, WATCH, subscriptions and MONITOR, selects DB 0, RESP2",
        handler: reset,
        ..BASE
    },
];

/// PING [message] — in RESP2 subscribed mode the answer is a
/// `["pong", message]` array, as Redis sends it there.
fn ping(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    if argv.len() > 2 {
        return Err(Reply::error(errors::wrong_arity("ping")));
    }
    if ctx.client.in_subscribed_mode() {
        let msg = argv.get(1).cloned().unwrap_or_default();
        return Ok(Reply::Array(vec![Reply::bulk_str("pong"), Reply::Bulk(msg)]));
    }
    Ok(match argv.get(1) {
        Some(m) => Reply::Bulk(m.clone()),
        None => Reply::status("PONG"),
    })
}

/// ECHO message
fn echo(_: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::Bulk(argv[1].clone()))
}

/// SELECT index
fn select(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let index = args::int(&argv[1])?;
    if ctx.engine.cluster.is_some() && index != 0 {
        return Err(Reply::error("ERR SELECT is not allowed in cluster mode"));
    }
    if index < 0 || index as usize >= ctx.engine.db_count() {
        return Err(Reply::error(errors::DB_INDEX_OUT_OF_RANGE));
    }
    ctx.client.db = index as usize;
    Ok(Reply::OK)
}

/// HELLO's arguments.
struct HelloOptions<'a> {
    /// 2 or 3; None keeps the current protocol.
    version: Option<i64>,
    /// SETNAME's name (empty removes the name).
    name: Option<&'a [u8]>,
    /// AUTH's user and password.
    auth: Option<(&'a [u8], &'a [u8])>,
}

impl<'a> HelloOptions<'a> {
    /// `[protover [AUTH username password] [SETNAME clientname]]`: the
    /// version first, then options checked in order as they are read.
    fn parse(args: &mut Args<'a>) -> Result<HelloOptions<'a>, Reply> {
        let version = match args.next_arg() {
            None => None,
            Some(v) => match crate::float::parse_i64(v) {
                Some(v) if (2..=3).contains(&v) => Some(v),
                Some(_) => return Err(Reply::error("NOPROTO unsupported protocol version")),
                None => return Err(Reply::error("ERR Protocol version is not an integer or out of range")),
            },
        };
        let mut name = None;
        let mut auth = None;
        while let Some(opt) = args.next_arg() {
            if args::is(opt, "AUTH") && args.remaining() >= 2 {
                let user = args.value()?;
                let password = args.value()?;
                auth = Some((user, password));
            } else if args::is(opt, "SETNAME") && args.has_more() {
                let new_name = args.value()?;
                crate::client::validate_name(new_name)?;
                name = Some(new_name);
            } else {
                return Err(Reply::error(errors::sanitize(&format!(
                    "ERR Syntax error in HELLO option '{}'",
                    String::from_utf8_lossy(opt)
                ))));
            }
        }
        Ok(HelloOptions { version, name, auth })
    }
}

/// HELLO [protover [AUTH username password] [SETNAME clientname]]
///
/// Nothing changes unless every argument is valid; then the name and
/// protocol are set and the server is described in the new protocol.
fn hello(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let opts = HelloOptions::parse(&mut Args::new(argv, 1))?;
    if let Some((user, password)) = opts.auth {
        ctx.engine.authenticate(ctx.client, &argv[0], user, password)?;
    }
    if !ctx.client.auth.authenticated && ctx.engine.acl.auth_required_for_new() {
        return Err(Reply::error(
            "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> \
             <pass> option can be used to authenticate the client and select the RESP protocol version at \
             the same time",
        ));
    }
    if let Some(name) = opts.name {
        ctx.client.name = (!name.is_empty()).then(|| name.to_vec());
    }
    match opts.version {
        Some(3) => ctx.client.protocol = Protocol::Resp3,
        Some(2) => ctx.client.protocol = Protocol::Resp2,
        _ => {}
    }
    let proto = if ctx.client.protocol == Protocol::Resp3 { 3 } else { 2 };
    Ok(Reply::Map(vec![
        (Reply::bulk_str("server"), Reply::bulk_str("redis")),
        (Reply::bulk_str("version"), Reply::bulk_str(REDIS_VERSION)),
        (Reply::bulk_str("proto"), Reply::Integer(proto)),
        (Reply::bulk_str("id"), Reply::Integer(ctx.client.id as i64)),
        (Reply::bulk_str("mode"), Reply::bulk_str("standalone")),
        (Reply::bulk_str("role"), Reply::bulk_str(if ctx.engine.is_replica() { "replica" } else { "master" })),
        (Reply::bulk_str("modules"), Reply::Array(vec![])),
    ]))
}

/// AUTH [username] password
///
/// The one-argument form logs in as `default`, and is refused while that
/// user needs no password (as Redis does, to flag a likely misconfiguration).
fn auth(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    if argv.len() > 3 {
        return Err(Reply::error(errors::SYNTAX));
    }
    let (user, password): (&[u8], &[u8]) = if argv.len() == 2 {
        if ctx.engine.acl.default_user().is_some_and(|u| u.nopass) {
            return Err(Reply::error(
                "ERR AUTH <password> called without any password configured for the default user. Are you sure \
                 your configuration is correct?",
            ));
        }
        (b"default", &argv[1])
    } else {
        (&argv[1], &argv[2])
    };
    ctx.engine.authenticate(ctx.client, &argv[0], user, password)?;
    Ok(Reply::OK)
}

/// QUIT
fn quit(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    ctx.client.close_after_reply = true;
    Ok(Reply::OK)
}

/// RESET — back to a fresh connection's state (the name and the user
/// too), keeping its id.
fn reset(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    let id = ctx.client.id;
    ctx.client.multi = None;
    crate::watch::unwatch_all(ctx.client);
    ctx.client.channels.clear();
    ctx.client.patterns.clear();
    ctx.client.shard_channels.clear();
    ctx.engine.pubsub.forget_client(id);
    ctx.engine.tracking.disable(ctx.client);
    ctx.client.monitor = false;
    ctx.client.asking = false;
    ctx.client.readonly = false;
    ctx.client.db = 0;
    ctx.client.protocol = Protocol::Resp2;
    ctx.client.name = None;
    // Back to the default user, authenticated only if it needs no password.
    let authenticated = !ctx.engine.acl.auth_required_for_new();
    ctx.client.auth = crate::acl::ClientAuth { user: b"default".to_vec(), authenticated };
    Ok(Reply::status("RESET"))
}
