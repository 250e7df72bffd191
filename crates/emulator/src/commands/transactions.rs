//! Transaction commands: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
//!
//! Queuing happens in the engine's pipeline (`Engine::process`): inside
//! MULTI every other command answers QUEUED, and a command rejected while
//! queuing (unknown, wrong arity) dooms the transaction. EXEC then runs the
//! queue through `Engine::call`, with blocking commands answering at once.
//! WATCH bookkeeping is in [`crate::watch`].

use crate::command::{flags::*, CommandResult, CommandSpec, Group, KeySpec};
use crate::commands;
use crate::engine::Ctx;
use crate::reply::Reply;
use crate::watch;

const BASE: CommandSpec = CommandSpec {
    flags: NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY,
    group: Group::Transactions,
    ..CommandSpec::DEFAULT
};

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "multi",
        arity: 1,
        flags: BASE.flags | RUNS_IN_MULTI,
        summary: "Starts a transaction: later commands are queued until EXEC",
        handler: multi,
        ..BASE
    },
    CommandSpec {
        name: "exec",
        arity: 1,
        flags: NOSCRIPT | LOADING | STALE | SKIP_SLOWLOG | RUNS_IN_MULTI | ENDS_MULTI | RUNS_QUEUE | RUNS_COMMANDS,
        complexity: "Depends on the queued commands",
        summary: "Runs every queued command atomically, unless a WATCHed key changed",
        handler: exec,
        ..BASE
    },
    CommandSpec {
        name: "discard",
        arity: 1,
        flags: BASE.flags | RUNS_IN_MULTI | ENDS_MULTI,
        complexity: "O(N), when N is the number of queued commands",
        summary: "Drops the queued commands and leaves the transaction",
        handler: discard,
        ..BASE
    },
    CommandSpec {
        name: "watch",
        arity: -2,
        flags: BASE.flags | RUNS_IN_MULTI,
        keys: KeySpec::ALL,
        since: "2.2.0",
        complexity: "O(1) for every key",
        summary: "Makes the next EXEC fail if any of these keys changes first",
        syntax: "key [key ...]",
        key_flags: &[&["RO"]],
        handler: watch,
        ..BASE
    },
    CommandSpec {
        name: "unwatch",
        arity: 1,
        since: "2.2.0",
        summary: "Forgets every WATCHed key",
        handler: unwatch,
        ..BASE
    },
];

/// MULTI
fn multi(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    if ctx.client.multi.is_some() {
        return Err(Reply::error("ERR MULTI calls can not be nested"));
    }
    ctx.client.multi = Some(Default::default());
    Ok(Reply::OK)
}

/// EXEC — answers EXECABORT if a command was rejected while queuing, and a
/// null array (running nothing) if a WATCHed key changed or expired.
fn exec(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    let Some(state) = ctx.client.multi.take() else {
        return Err(Reply::error("ERR EXEC without MULTI"));
    };
    if state.aborted {
        watch::unwatch_all(ctx.client);
        return Err(Reply::error("EXECABORT Transaction discarded because of previous errors."));
    }
    let now = ctx.now_ms();
    let changed = ctx.client.watch_dirty || watch::watched_key_expired(ctx.client, &ctx.engine.keyspace.dbs, now);
    watch::unwatch_all(ctx.client);
    if changed {
        return Ok(Reply::NilArray);
    }
    ctx.engine.clients.forbid_blocking();
    let mut replies = Vec::with_capacity(state.queue.len());
    for queued in &state.queue {
        let reply = match commands::lookup(&queued.argv) {
            commands::Lookup::Found(spec) => {
                // Permissions may have changed since the command was queued.
                let context = crate::acl::LogContext::Multi;
                match ctx.engine.acl_check(ctx.client, spec, &queued.argv, context) {
                    Ok(()) => ctx.engine.call(ctx.client, spec, &queued.argv),
                    Err(refusal) => Reply::error(crate::acl::exec_noperm_error(refusal)),
                }
            }
            _ => Reply::error(crate::errors::unknown_command(&queued.argv)),
        };
        replies.push(reply);
    }
    ctx.engine.clients.allow_blocking();
    Ok(Reply::Array(replies))
}

/// DISCARD
fn discard(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    if ctx.client.multi.take().is_none() {
        return Err(Reply::error("ERR DISCARD without MULTI"));
    }
    watch::unwatch_all(ctx.client);
    Ok(Reply::OK)
}

/// WATCH key [key ...] — remembers, per key, whether it had already expired,
/// so that its lazy deletion later does not count as a change.
fn watch(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    if ctx.client.multi.is_some() {
        return Err(Reply::error("ERR WATCH inside MULTI is not allowed"));
    }
    let db = ctx.client.db;
    let now = ctx.now_ms();
    for key in &argv[1..] {
        let expired = ctx.engine.keyspace.dbs[db].get(key).is_some_and(|e| e.is_expired(now));
        watch::watch_key(ctx.client, db, key, expired);
    }
    Ok(Reply::OK)
}

/// UNWATCH
fn unwatch(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    watch::unwatch_all(ctx.client);
    Ok(Reply::OK)
}

#[cfg(test)]
mod tests {
    use crate::cli_format::format_reply;
    use crate::{Engine, Protocol};

    fn run(engine: &mut Engine, id: u64, line: &str) -> String {
        let reply = engine.execute_line(id, line).unwrap_or(crate::Reply::Nil);
        format_reply(&reply, Protocol::Resp2).trim_end().to_string()
    }

    fn with_ttl(engine: &mut Engine, id: u64, key: &str, ttl_ms: i64) {
        run(engine, id, &format!("SET {key} v"));
        let at = engine.now_ms() + ttl_ms;
        engine.keyspace.dbs[0].set_expire(key.as_bytes(), at);
    }

    #[test]
    fn key_expiring_after_watch_aborts_exec() {
        let mut e = Engine::with_manual_clock(1_000, 1);
        let me = e.connect("t:1");
        with_ttl(&mut e, me, "k", 100);
        run(&mut e, me, "WATCH k");
        e.clock.advance_ms(200); // expired, not yet reclaimed
        run(&mut e, me, "MULTI");
        run(&mut e, me, "PING");
        assert_eq!(run(&mut e, me, "EXEC"), "(nil)");
        with_ttl(&mut e, me, "k", 100);
        run(&mut e, me, "WATCH k");
        e.advance_clock(200); // reclaimed by the expiry cycle
        run(&mut e, me, "MULTI");
        run(&mut e, me, "PING");
        assert_eq!(run(&mut e, me, "EXEC"), "(nil)");
    }

    #[test]
    fn key_already_expired_at_watch_does_not_abort() {
        let mut e = Engine::with_manual_clock(1_000, 1);
        let me = e.connect("t:1");
        let other = e.connect("t:2");
        with_ttl(&mut e, me, "k", 50);
        e.clock.advance_ms(100);
        run(&mut e, me, "WATCH k");
        run(&mut e, me, "MULTI");
        run(&mut e, me, "PING");
        assert_eq!(run(&mut e, me, "EXEC"), "1) PONG");
        // Deleting it lazily changes nothing logically either.
        with_ttl(&mut e, me, "j", 50);
        e.clock.advance_ms(100);
        run(&mut e, me, "WATCH j");
        assert_eq!(run(&mut e, me, "GET j"), "(nil)");
        run(&mut e, me, "MULTI");
        run(&mut e, me, "PING");
        assert_eq!(run(&mut e, me, "EXEC"), "1) PONG");
        // But a new value written by another client does.
        with_ttl(&mut e, me, "n", 50);
        e.clock.advance_ms(100);
        run(&mut e, me, "WATCH n");
        run(&mut e, other, "SET n new");
        run(&mut e, me, "MULTI");
        run(&mut e, me, "PING");
        assert_eq!(run(&mut e, me, "EXEC"), "(nil)");
    }
}
