//! TTL commands: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (with NX/XX/GT/LT),
//! TTL, PTTL, EXPIRETIME, PEXPIRETIME and PERSIST.

use crate::args;
use crate::command::{flags::*, CommandSpec, Group, KeySpec};
use crate::engine::Ctx;
use crate::errors;
use crate::notify;
use crate::reply::Reply;

const E: CommandSpec = CommandSpec { group: Group::Generic, keys: KeySpec::ONE, ..CommandSpec::DEFAULT };
const SET_SYNTAX: &str = "key seconds [NX|XX|GT|LT]";

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "expire",
        arity: -3,
        flags: WRITE | FAST,
        summary: "Sets a key's time to live in seconds",
        syntax: SET_SYNTAX,
        handler: |c, a| Ok(expire(c, a)),
        ..E
    },
    CommandSpec {
        name: "pexpire",
        arity: -3,
        flags: WRITE | FAST,
        since: "2.6.0",
        summary: "Sets a key's time to live in milliseconds",
        syntax: "key milliseconds [NX|XX|GT|LT]",
        handler: |c, a| Ok(pexpire(c, a)),
        ..E
    },
    CommandSpec {
        name: "expireat",
        arity: -3,
        flags: WRITE | FAST,
        since: "1.2.0",
        summary: "Sets the Unix time (seconds) at which a key expires",
        syntax: "key unix-time-seconds [NX|XX|GT|LT]",
        handler: |c, a| Ok(expireat(c, a)),
        ..E
    },
    CommandSpec {
        name: "pexpireat",
        arity: -3,
        flags: WRITE | FAST,
        since: "2.6.0",
        summary: "Sets the Unix time (milliseconds) at which a key expires",
        syntax: "key unix-time-milliseconds [NX|XX|GT|LT]",
        handler: |c, a| Ok(pexpireat(c, a)),
        ..E
    },
    CommandSpec {
        name: "ttl",
        tips: &["nondeterministic_output"],
        arity: 2,
        flags: READONLY | FAST,
        summary: "Answers a key's remaining time to live in seconds (-1 none, -2 no key)",
        syntax: "key",
        handler: |c, a| Ok(ttl(c, a)),
        ..E
    },
    CommandSpec {
        name: "pttl",
        tips: &["nondeterministic_output"],
        arity: 2,
        flags: READONLY | FAST,
        since: "2.6.0",
        summary: "Answers a key's remaining time to live in milliseconds (-1 none, -2 no key)",
        syntax: "key",
        handler: |c, a| Ok(pttl(c, a)),
        ..E
    },
    CommandSpec {
        name: "expiretime",
        arity: 2,
        flags: READONLY | FAST,
        since: "7.0.0",
        summary: "Answers the Unix time (seconds) at which a key expires (-1 none, -2 no key)",
        syntax: "key",
        handler: |c, a| Ok(expiretime(c, a)),
        ..E
    },
    CommandSpec {
        name: "pexpiretime",
        arity: 2,
        flags: READONLY | FAST,
        since: "7.0.0",
        summary: "Answers the Unix time (milliseconds) at which a key expires (-1 none, -2 no key)",
        syntax: "key",
        handler: |c, a| Ok(pexpiretime(c, a)),
        ..E
    },
    CommandSpec {
        name: "persist",
        arity: 2,
        flags: WRITE | FAST,
        since: "2.2.0",
        summary: "Removes a key's time to live so it never expires",
        syntax: "key",
        handler: |c, a| Ok(persist(c, a)),
        ..E
    },
];

/// The NX / XX / GT / LT conditions of the EXPIRE family.
#[derive(Default)]
struct Conditions {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
}

fn parse_conditions(argv: &[Vec<u8>]) -> Result<Conditions, Reply> {
    let mut c = Conditions::default();
    for opt in &argv[3..] {
        if args::is(opt, "NX") {
            c.nx = true;
        } else if args::is(opt, "XX") {
            c.xx = true;
        } else if args::is(opt, "GT") {
            c.gt = true;
        } else if args::is(opt, "LT") {
            c.lt = true;
        } else {
            return Err(Reply::error(errors::sanitize(&format!(
                "ERR Unsupported option {}",
                String::from_utf8_lossy(opt)
            ))));
        }
    }
    if c.nx && (c.xx || c.gt || c.lt) {
        return Err(Reply::error("ERR NX and XX, GT or LT options at the same time are not compatible"));
    }
    if c.gt && c.lt {
        return Err(Reply::error("ERR GT and LT options at the same time are not compatible"));
    }
    Ok(c)
}

/// Redis's `expireGenericCommand`: `base_ms` is now for relative forms and
/// 0 for absolute ones. A time already past deletes the key (event `del`).
fn expire_generic(ctx: &mut Ctx, argv: &[Vec<u8>], base_ms: i64, seconds: bool, command: &str) -> Reply {
    let cond = match parse_conditions(argv) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let mut when = match args::int(&argv[2]) {
        Ok(w) => w,
        Err(e) => return e,
    };
    if seconds {
        if !(i64::MIN / 1000..=i64::MAX / 1000).contains(&when) {
            return Reply::error(errors::invalid_expire(command));
        }
        when *= 1000;
    }
    if when > i64::MAX - base_ms {
        return Reply::error(errors::invalid_expire(command));
    }
    when += base_ms;
    let key = &argv[1];
    let current = match ctx.lookup_write(key) {
        None => return Reply::Integer(0),
        Some(entry) => entry.expire_at(),
    };
    if (cond.nx && current.is_some())
        || (cond.xx && current.is_none())
        || (cond.gt && current.is_none_or(|c| when <= c))
        || (cond.lt && current.is_some_and(|c| when >= c))
    {
        return Reply::Integer(0);
    }
    if when <= ctx.now_ms() && !ctx.is_loading() {
        ctx.delete_key(key);
        ctx.notify(notify::GENERIC, "del", key);
    } else {
        ctx.set_expire(key, when);
        ctx.notify(notify::GENERIC, "expire", key);
    }
    Reply::Integer(1)
}

/// EXPIRE key seconds [NX|XX|GT|LT]
fn expire(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms();
    expire_generic(ctx, argv, now, true, "expire")
}

/// PEXPIRE key milliseconds [NX|XX|GT|LT]
fn pexpire(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms();
    expire_generic(ctx, argv, now, false, "pexpire")
}

/// EXPIREAT key unix-time-seconds [NX|XX|GT|LT]
fn expireat(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    expire_generic(ctx, argv, 0, true, "expireat")
}

/// PEXPIREAT key unix-time-milliseconds [NX|XX|GT|LT]
fn pexpireat(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    expire_generic(ctx, argv, 0, false, "pexpireat")
}

/// The key's absolute expiry for the read-only TTL commands: `Err(-2)` if
/// the key does not exist. Counts a keyspace hit or miss but does not
/// touch the key's access time (Redis's LOOKUP_NOTOUCH).
pub fn expiry_of(ctx: &mut Ctx, key: &[u8]) -> Result<Option<i64>, i64> {
    ctx.expire_if_needed(key);
    let found = ctx.db().get(key).map(|e| e.expire_at());
    match found {
        Some(at) => {
            ctx.engine.stats.keyspace_hits += 1;
            Ok(at)
        }
        None => {
            ctx.engine.stats.keyspace_misses += 1;
            let db = ctx.db_index();
            notify::notify(ctx.engine, db, notify::KEY_MISS, "keymiss", key);
            Err(-2)
        }
    }
}

/// Redis's `ttlGenericCommand`.
fn ttl_generic(ctx: &mut Ctx, key: &[u8], millis: bool, absolute: bool) -> Reply {
    let at = match expiry_of(ctx, key) {
        Err(code) => return Reply::Integer(code),
        Ok(None) => return Reply::Integer(-1),
        Ok(Some(at)) => at,
    };
    let ttl = if absolute { at } else { at - ctx.now_ms() }.max(0);
    Reply::Integer(if millis { ttl } else { (ttl + 500) / 1000 })
}

/// TTL key
fn ttl(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    ttl_generic(ctx, &argv[1], false, false)
}

/// PTTL key
fn pttl(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    ttl_generic(ctx, &argv[1], true, false)
}

/// EXPIRETIME key
fn expiretime(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    ttl_generic(ctx, &argv[1], false, true)
}

/// PEXPIRETIME key
fn pexpiretime(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    ttl_generic(ctx, &argv[1], true, true)
}

/// PERSIST key
fn persist(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let key = &argv[1];
    if ctx.lookup_write(key).is_none() {
        return Reply::Integer(0);
    }
    if ctx.db().persist(key) {
        ctx.key_modified(key);
        ctx.notify(notify::GENERIC, "persist", key);
        Reply::Integer(1)
    } else {
        Reply::Integer(0)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Engine, Event, Reply};

    /// Keyspace events published by a command sequence, as (channel, message).
    fn events_of(lines: &[&str]) -> Vec<(String, String)> {
        let mut engine = Engine::with_manual_clock(1_700_000_000_000, 1);
        engine.config_mut().notify_keyspace_events = crate::notify::parse_flags(b"KEA").unwrap_or(0);
        let listener = engine.connect("listener");
        let me = engine.connect("me");
        engine.pubsub.psubscribe(listener, b"__keyevent@*");
        for line in lines {
            let _ = engine.execute_line(me, line);
        }
        engine
            .drain_events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Deliver { reply: Reply::Push(items) | Reply::Array(items), .. } => {
                    let text = |r: &Reply| match r {
                        Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
                        _ => String::new(),
                    };
                    Some((text(&items[2]), text(&items[3])))
                }
                _ => None,
            })
            .collect()
    }

    fn ev(channel: &str, key: &str) -> (String, String) {
        (format!("__keyevent@0__:{channel}"), key.to_string())
    }

    #[test]
    fn new_keys_are_announced_when_enabled() {
        let mut engine = Engine::with_manual_clock(1_700_000_000_000, 1);
        engine.config_mut().notify_keyspace_events = crate::notify::parse_flags(b"En").unwrap_or(0);
        let listener = engine.connect("listener");
        let me = engine.connect("me");
        engine.pubsub.psubscribe(listener, b"__keyevent@*");
        for line in ["SET a 1", "SET a 2", "INCR c", "RENAME a b", "COPY b d", "APPEND d x"] {
            let _ = engine.execute_line(me, line);
        }
        let keys: Vec<Reply> = engine
            .drain_events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Deliver { reply: Reply::Push(items) | Reply::Array(items), .. } => items.get(3).cloned(),
                _ => None,
            })
            .collect();
        let want: Vec<Reply> = ["a", "c", "b", "d"].iter().map(|k| Reply::bulk_str(k)).collect();
        assert_eq!(keys, want);
    }

    #[test]
    fn expire_persist_and_past_times_notify() {
        let got = events_of(&["SET k v", "EXPIRE k 100", "PERSIST k", "PERSIST k", "EXPIRE k -1", "EXPIRE k 5"]);
        assert_eq!(got, vec![ev("set", "k"), ev("expire", "k"), ev("persist", "k"), ev("del", "k")]);
    }

    #[test]
    fn string_commands_notify_like_redis() {
        let got = events_of(&[
            "SET a 1 EX 10",
            "INCRBY a 2",
            "APPEND a x",
            "GETEX a PERSIST",
            "GETDEL a",
            "INCRBYFLOAT f 1.5",
            "SETRANGE f 0 2",
            "RENAME f g",
        ]);
        assert_eq!(
            got,
            vec![
                ev("set", "a"),
                ev("expire", "a"),
                ev("incrby", "a"),
                ev("append", "a"),
                ev("persist", "a"),
                ev("del", "a"),
                ev("incrbyfloat", "f"),
                ev("setrange", "f"),
                ev("rename_from", "f"),
                ev("rename_to", "g"),
            ]
        );
    }
}
