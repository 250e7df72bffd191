//! Transaction commands: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
//!
//! Queuing happens in the engine's pipeline (`Engine::process`): inside
//! MULTI every other command answers QUEUED, and a command rejected while
//! queuing (unknown, wrong arity) dooms the transaction. EXEC then runs the
//! queue through `Engine::call`, with blocking commands answering at once.

use crate::client::Client;
use crate::command::{flags::*, CommandSpec, Group, KeySpec};
use crate::commands;
use crate::engine::Ctx;
use crate::reply::Reply;

const TX_FLAGS: u32 = NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "multi",
        arity: 1,
        flags: TX_FLAGS,
        group: Group::Transactions,
        summary: "Starts a transaction: later commands are queued until EXEC",
        syntax: "",
        handler: |c, a| Ok(multi(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "exec",
        arity: 1,
        flags: NOSCRIPT | LOADING | STALE | SKIP_SLOWLOG,
        group: Group::Transactions,
        complexity: "Depends on the queued commands",
        summary: "Runs every queued command atomically, unless a WATCHed key changed",
        syntax: "",
        handler: |c, a| Ok(exec(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "discard",
        arity: 1,
        flags: TX_FLAGS,
        group: Group::Transactions,
        complexity: "O(N), when N is the number of queued commands",
        summary: "Drops the queued commands and leaves the transaction",
        syntax: "",
        handler: |c, a| Ok(discard(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "watch",
        arity: -2,
        flags: TX_FLAGS,
        group: Group::Transactions,
        since: "2.2.0",
        complexity: "O(1) for every key",
        summary: "Makes the next EXEC fail if any of these keys changes first",
        syntax: "key [key ...]",
        keys: KeySpec::ALL,
        handler: |c, a| Ok(watch(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "unwatch",
        arity: 1,
        flags: TX_FLAGS,
        group: Group::Transactions,
        since: "2.2.0",
        summary: "Forgets every WATCHed key",
        syntax: "",
        handler: |c, a| Ok(unwatch(c, a)),
        ..CommandSpec::DEFAULT
    },
];

/// True if a write to `key` in `db` must invalidate `client`'s WATCH.
/// `gone` says the key no longer exists: deleting a key that had already
/// expired when it was WATCHed changes nothing logically (Redis 7.0).
pub fn watch_touched(client: &mut Client, db: usize, key: &[u8], gone: bool) -> bool {
    let mut touched = false;
    for (i, (d, k)) in client.watched.iter().enumerate() {
        if *d != db || k != key {
            continue;
        }
        let was_expired = client.watched_expired.get(i).copied().unwrap_or(false);
        if was_expired && gone {
            if let Some(flag) = client.watched_expired.get_mut(i) {
                *flag = false;
            }
            continue;
        }
        touched = true;
    }
    touched
}

/// Redis's `touchAllWatchedKeysInDb`, for FLUSHDB/FLUSHALL (`replaced_with`
/// None) and SWAPDB (called for both databases before they are swapped):
/// a WATCHed key of `emptied` that exists there, or in `replaced_with`,
/// dirties its watchers; keys that had expired when WATCHed only change
/// state if they come back alive. Call it before changing the databases.
pub fn touch_all_watched_in_db(ctx: &mut Ctx, emptied: usize, replaced_with: Option<usize>) {
    let now = ctx.now_ms();
    let engine = &mut *ctx.engine;
    let dbs = &engine.dbs;
    let clients = engine.clients.values_mut().chain(std::iter::once(&mut *ctx.client));
    for client in clients {
        if client.watch_dirty {
            continue;
        }
        client.watched_expired.resize(client.watched.len(), false);
        let mut dirty = false;
        for (i, (db, key)) in client.watched.iter().enumerate() {
            if *db != emptied {
                continue;
            }
            let in_emptied = dbs.get(emptied).is_some_and(|d| d.contains(key));
            let replacement = replaced_with.and_then(|r| dbs.get(r)).and_then(|d| d.get(key));
            if !in_emptied && replacement.is_none() {
                continue;
            }
            let replacement_expired = replacement.is_some_and(|e| e.is_expired(now));
            let flag = &mut client.watched_expired[i];
            if *flag {
                if replacement.is_none() {
                    *flag = false; // an expired key is gone: no logical change
                    continue;
                }
                if replacement_expired {
                    continue; // still expired
                }
            } else if !in_emptied && replacement_expired {
                *flag = true; // a missing key is replaced by an expired one
                continue;
            }
            dirty = true;
        }
        if dirty {
            client.watch_dirty = true;
        }
    }
}

/// Forgets every WATCHed key of the client.
pub fn unwatch_all(client: &mut Client) {
    client.watched.clear();
    client.watched_expired.clear();
    client.watch_dirty = false;
}

/// MULTI
fn multi(ctx: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    if ctx.client.multi.is_some() {
        return Reply::error("ERR MULTI calls can not be nested");
    }
    ctx.client.multi = Some(Default::default());
    Reply::OK
}

/// True if a WATCHed key that was alive at WATCH time has expired since
/// (even if nobody deleted it yet): Redis 7.0 aborts EXEC then.
fn watched_key_expired(ctx: &Ctx) -> bool {
    let now = ctx.now_ms();
    ctx.client.watched.iter().enumerate().any(|(i, (db, key))| {
        let was_expired = ctx.client.watched_expired.get(i).copied().unwrap_or(false);
        !was_expired && ctx.engine.dbs.get(*db).and_then(|d| d.get(key)).is_some_and(|e| e.is_expired(now))
    })
}

/// EXEC
fn exec(ctx: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    let Some(state) = ctx.client.multi.take() else {
        return Reply::error("ERR EXEC without MULTI");
    };
    if state.aborted {
        unwatch_all(ctx.client);
        return Reply::error("EXECABORT Transaction discarded because of previous errors.");
    }
    if ctx.client.watch_dirty || watched_key_expired(ctx) {
        unwatch_all(ctx.client);
        return Reply::NilArray;
    }
    unwatch_all(ctx.client);
    ctx.engine.no_blocking += 1;
    let mut replies = Vec::with_capacity(state.queue.len());
    for queued in &state.queue {
        let reply = match commands::lookup(&queued.argv) {
            commands::Lookup::Found(spec) => ctx.engine.call(ctx.client, spec, &queued.argv),
            _ => Reply::error(crate::errors::unknown_command(&queued.argv)),
        };
        replies.push(reply);
    }
    ctx.engine.no_blocking -= 1;
    Reply::Array(replies)
}

/// DISCARD
fn discard(ctx: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    if ctx.client.multi.take().is_none() {
        return Reply::error("ERR DISCARD without MULTI");
    }
    unwatch_all(ctx.client);
    Reply::OK
}

/// WATCH key [key ...]
fn watch(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    if ctx.client.multi.is_some() {
        return Reply::error("ERR WATCH inside MULTI is not allowed");
    }
    let db = ctx.client.db;
    let now = ctx.now_ms();
    let len = ctx.client.watched.len();
    ctx.client.watched_expired.resize(len, false);
    for key in &argv[1..] {
        if ctx.client.watched.iter().any(|(d, k)| *d == db && k == key) {
            continue;
        }
        let expired = ctx.engine.dbs[db].get(key).is_some_and(|e| e.is_expired(now));
        ctx.client.watched.push((db, key.clone()));
        ctx.client.watched_expired.push(expired);
    }
    Reply::OK
}

/// UNWATCH
fn unwatch(ctx: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    unwatch_all(ctx.client);
    Reply::OK
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
        engine.dbs[0].set_expire(key.as_bytes(), at);
    }

    #[test]
    fn flushing_or_swapping_databases_touches_watchers() {
        use crate::engine::Ctx;
        let mut e = Engine::with_manual_clock(1_000, 1);
        let me = e.connect("t:1");
        let other = e.connect("t:2");
        run(&mut e, me, "SET a 1");
        run(&mut e, me, "WATCH a missing");
        run(&mut e, other, "SELECT 1");
        run(&mut e, other, "SET b 1");
        run(&mut e, other, "WATCH b missing");
        // Swapping db 0 with db 2 (empty): `a` existed in db 0, so `me` is
        // dirty; `other` watches db 1 only.
        let mut client = e.clients.remove(&other).expect("client");
        {
            let mut ctx = Ctx { engine: &mut e, client: &mut client };
            super::touch_all_watched_in_db(&mut ctx, 0, Some(2));
            super::touch_all_watched_in_db(&mut ctx, 2, Some(0));
        }
        e.clients.insert(other, client);
        assert!(e.client(me).is_some_and(|c| c.watch_dirty));
        assert!(e.client(other).is_some_and(|c| !c.watch_dirty));
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
