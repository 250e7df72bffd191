//! Replication commands: REPLICAOF / SLAVEOF, ROLE, WAIT, FAILOVER, and
//! the ones replicas send their master (REPLCONF, PSYNC, SYNC). The state
//! and the byte streams live in `crate::replication`.

use crate::args::{self, Args};
use crate::command::{flags::*, CommandResult, CommandSpec, Group};
use crate::engine::Ctx;
use crate::errors;
use crate::replication::{FailoverState, ReplicaState};
use crate::reply::Reply;

const BASE: CommandSpec = CommandSpec { group: Group::Server, ..CommandSpec::DEFAULT };

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "replicaof",
        arity: 3,
        flags: ADMIN | NOSCRIPT | STALE,
        since: "5.0.0",
        summary: "Makes the server a replica of another one, or a master again with NO ONE",
        syntax: "host port",
        handler: replicaof,
        ..BASE
    },
    CommandSpec {
        name: "slaveof",
        arity: 3,
        flags: ADMIN | NOSCRIPT | STALE,
        since: "1.0.0",
        summary: "Makes the server a replica of another one (the old name of REPLICAOF)",
        syntax: "host port",
        handler: replicaof,
        ..BASE
    },
    CommandSpec {
        name: "role",
        arity: 1,
        flags: NOSCRIPT | LOADING | STALE | FAST,
        since: "2.8.12",
        summary: "Tells whether the server is a master or a replica, with its replication offsets",
        acl: &["@admin", "@fast", "@dangerous"],
        handler: role,
        ..BASE
    },
    CommandSpec {
        name: "wait",
        arity: 3,
        flags: NOSCRIPT,
        group: Group::Generic,
        since: "3.0.0",
        complexity: "O(1)",
        summary: "Waits until the client's writes have been acknowledged by a number of replicas",
        syntax: "numreplicas timeout",
        tips: &["request_policy:all_shards", "response_policy:agg_min"],
        acl: &["@slow", "@connection"],
        handler: wait,
        ..BASE
    },
    CommandSpec {
        name: "replconf",
        arity: -1,
        flags: ADMIN | NOSCRIPT | LOADING | STALE | ALLOW_BUSY,
        since: "3.0.0",
        summary: "Used by replicas to tell their master about themselves and acknowledge the stream",
        handler: replconf,
        ..BASE
    },
    CommandSpec {
        name: "psync",
        arity: -3,
        flags: ADMIN | NOSCRIPT | NO_MULTI,
        since: "2.8.0",
        summary: "Used by replicas to start or continue replicating from a master",
        syntax: "replicationid offset",
        handler: psync,
        ..BASE
    },
    CommandSpec {
        name: "sync",
        arity: 1,
        flags: ADMIN | NOSCRIPT | NO_MULTI,
        since: "1.0.0",
        summary: "Used by old replicas to replicate from a master (always a full copy)",
        handler: sync,
        ..BASE
    },
    CommandSpec {
        name: "failover",
        arity: -1,
        flags: ADMIN | NOSCRIPT | STALE,
        since: "6.2.0",
        summary: "Hands the master role over to a replica once it has caught up",
        syntax: "[TO host port [FORCE]] [ABORT] [TIMEOUT milliseconds]",
        handler: failover,
        ..BASE
    },
];

const NO_REPLY: Reply = Reply::Multi(Vec::new());

/// REPLICAOF host port | REPLICAOF NO ONE
fn replicaof(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    if ctx.engine.cluster.is_some() {
        return Err(Reply::error("ERR REPLICAOF not allowed in cluster mode."));
    }
    if ctx.engine.repl.replicas.iter().any(|r| r.client == ctx.client.id) {
        return Err(Reply::error("ERR Command is not valid when client is a replica."));
    }
    if ctx.engine.repl.failover != FailoverState::None {
        return Err(Reply::error("ERR REPLICAOF not allowed while failing over."));
    }
    if argv[1].eq_ignore_ascii_case(b"no") && argv[2].eq_ignore_ascii_case(b"one") {
        ctx.engine.become_master();
        return Ok(Reply::ok());
    }
    let port =
        args::int(&argv[2]).ok().and_then(|p| u16::try_from(p).ok()).ok_or(Reply::error("ERR Invalid master port"))?;
    let host = String::from_utf8_lossy(&argv[1]).into_owned();
    let same = ctx.engine.repl.master.as_ref().is_some_and(|m| m.host.eq_ignore_ascii_case(&host) && m.port == port);
    if same {
        return Ok(Reply::status("OK Already connected to specified master"));
    }
    ctx.engine.become_replica_of(host, port);
    Ok(Reply::ok())
}

/// ROLE: `master offset [[ip port offset] …]` or `slave host port state offset`.
fn role(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> CommandResult {
    let repl = &ctx.engine.repl;
    if let Some(m) = &repl.master {
        let offset = if m.state == crate::replication::link::LinkState::Connected { repl.offset } else { -1 };
        return Ok(Reply::Array(vec![
            Reply::bulk_str("slave"),
            Reply::bulk_str(&m.host),
            Reply::Integer(m.port as i64),
            Reply::bulk_str(m.state.name()),
            Reply::Integer(offset),
        ]));
    }
    let replicas = repl
        .replicas
        .iter()
        .filter(|r| r.state == ReplicaState::Online)
        .map(|r| {
            let fields = [r.ip.clone(), r.port.to_string(), r.ack_offset.to_string()];
            Reply::Array(fields.iter().map(|f| Reply::bulk_str(f)).collect())
        })
        .collect();
    Ok(Reply::Array(vec![Reply::bulk_str("master"), Reply::Integer(repl.offset), Reply::Array(replicas)]))
}

/// WAIT numreplicas timeout — blocks until that many replicas acknowledged
/// the client's last write, or the timeout (ms, 0 = forever); answers how many did.
fn wait(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    if ctx.engine.repl.is_replica() {
        return Err(Reply::error(concat!(
            "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica ",
            "is configured to be writable (which is not the default) writes to replicas are just local and are ",
            "not propagated."
        )));
    }
    let wanted = args::int(&argv[1])?;
    let timeout =
        crate::float::parse_i64(&argv[2]).ok_or(Reply::error("ERR timeout is not an integer or out of range"))?;
    if timeout < 0 {
        return Err(Reply::error(errors::TIMEOUT_NEGATIVE));
    }
    let target = ctx.engine.repl.write_offset(ctx.client.id);
    let acked = ctx.engine.repl.acked(target);
    if acked >= wanted || !ctx.may_block() {
        return Ok(Reply::Integer(acked));
    }
    if !ctx.client.retrying_blocked {
        // Redis asks before it sleeps: `REPLCONF GETACK *` goes out now.
        ctx.engine.repl.request_acks();
        ctx.engine.send_getack();
    }
    let deadline = (timeout > 0).then(|| ctx.now_ms().saturating_add(timeout));
    Ok(ctx.block_on(argv, Vec::new(), deadline))
}

/// REPLCONF option value [option value …]: listening-port, ip-address,
/// capa, ack (no reply), getack (answered by replicas to their master).
fn replconf(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    if argv.len().is_multiple_of(2) {
        return Err(Reply::error(errors::SYNTAX));
    }
    let id = ctx.client.id;
    for pair in argv[1..].chunks(2) {
        let (option, value) = (&pair[0], &pair[1]);
        let option = option.to_ascii_lowercase();
        match option.as_slice() {
            b"listening-port" => {
                let port = args::int(value)?;
                ctx.engine.repl.announce(id, |a| a.port = u16::try_from(port).unwrap_or(0));
            }
            b"capa" => {
                let psync2 = value.eq_ignore_ascii_case(b"psync2");
                ctx.engine.repl.announce(id, |a| a.psync2 |= psync2);
            }
            b"ip-address" | b"rdb-only" => {}
            b"ack" => {
                // Only a replica's acknowledgement counts; nothing is answered.
                if let Some(offset) = crate::float::parse_i64(value) {
                    ctx.engine.replica_acked(id, offset);
                }
                return Ok(NO_REPLY);
            }
            b"getack" => {
                if ctx.engine.repl.is_master_client(Some(id)) {
                    ctx.engine.send_ack();
                }
                return Ok(NO_REPLY);
            }
            _ => {
                let shown = String::from_utf8_lossy(&pair[0]);
                return Err(Reply::error(format!("ERR Unrecognized REPLCONF option: {shown}")));
            }
        }
    }
    Ok(Reply::ok())
}

/// PSYNC replicationid offset [FAILOVER]
fn psync(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let offset = args::int(&argv[2])?;
    if argv.get(3).is_some_and(|a| a.eq_ignore_ascii_case(b"failover")) {
        if !argv[1].eq_ignore_ascii_case(ctx.engine.repl.replid.as_bytes()) {
            return Err(Reply::error("ERR PSYNC FAILOVER replid must match my replid."));
        }
        // The old master hands over: we are the master now.
        ctx.engine.become_master();
    }
    let Ctx { engine, client } = ctx;
    engine.start_sync(client, Some((&argv[1], offset)))?;
    Ok(NO_REPLY)
}

/// SYNC: the pre-PSYNC full copy (no `+FULLRESYNC` line).
fn sync(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> CommandResult {
    let Ctx { engine, client } = ctx;
    engine.start_sync(client, None)?;
    Ok(NO_REPLY)
}

/// FAILOVER's arguments.
#[derive(Default)]
struct FailoverOptions {
    to: Option<(String, i64)>,
    timeout_ms: i64,
    force: bool,
    abort: bool,
}

impl FailoverOptions {
    fn parse(args: &mut Args) -> Result<FailoverOptions, Reply> {
        let mut o = FailoverOptions::default();
        while args.remaining() > 0 {
            if args.remaining() > 2 && args.eat("TO") {
                if o.to.is_some() {
                    return Err(Reply::error(errors::SYNTAX));
                }
                let host = String::from_utf8_lossy(args.value()?).into_owned();
                o.to = Some((host, args.int()?));
            } else if args.remaining() > 1 && o.timeout_ms <= 0 && args.eat("TIMEOUT") {
                o.timeout_ms = args.int()?;
                if o.timeout_ms <= 0 {
                    return Err(Reply::error("ERR FAILOVER timeout must be greater than 0"));
                }
            } else if args.eat("FORCE") {
                o.force = true;
            } else if args.eat("ABORT") {
                o.abort = true;
            } else {
                return Err(Reply::error(errors::SYNTAX));
            }
        }
        args.finish()?;
        Ok(o)
    }
}

/// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT milliseconds]
fn failover(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let o = FailoverOptions::parse(&mut Args::new(argv, 1))?;
    let engine = &mut *ctx.engine;
    if o.abort {
        if engine.repl.failover == FailoverState::None {
            return Err(Reply::error("ERR No failover in progress."));
        }
        engine.abort_failover();
        return Ok(Reply::ok());
    }
    if engine.repl.is_replica() {
        return Err(Reply::error("ERR FAILOVER is not valid when server is a replica."));
    }
    if engine.repl.replicas.is_empty() {
        return Err(Reply::error("ERR FAILOVER requires connected replicas."));
    }
    if o.force && (o.timeout_ms == 0 || o.to.is_none()) {
        return Err(Reply::error("ERR FAILOVER with force option requires both a timeout and target HOST and IP."));
    }
    if engine.repl.failover != FailoverState::None {
        return Err(Reply::error("ERR FAILOVER already in progress."));
    }
    let (host, port) = match &o.to {
        Some((host, port)) => {
            let found = engine.repl.replicas.iter().find(|r| r.ip.eq_ignore_ascii_case(host) && r.port as i64 == *port);
            let Some(r) = found else {
                return Err(Reply::error("ERR FAILOVER target HOST and PORT is not a replica."));
            };
            if r.state != ReplicaState::Online {
                return Err(Reply::error("ERR FAILOVER target replica is not online."));
            }
            (host.clone(), r.port)
        }
        None => {
            if !engine.repl.replicas.iter().any(|r| r.state == ReplicaState::Online) {
                return Err(Reply::error("ERR FAILOVER requires connected replicas."));
            }
            (String::new(), 0)
        }
    };
    let deadline = (o.timeout_ms > 0).then(|| engine.now_ms().saturating_add(o.timeout_ms));
    engine.start_failover(host, port, deadline, o.force);
    Ok(Reply::ok())
}
