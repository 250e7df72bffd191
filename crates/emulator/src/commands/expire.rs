//! TTL commands: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (with NX/XX/GT/LT),
//! TTL, PTTL, EXPIRETIME, PEXPIRETIME and PERSIST.

use crate::args::{self, Args};
use crate::command::{flags::*, CommandResult, CommandSpec, Group, KeySpec};
use crate::engine::Ctx;
use crate::errors;
use crate::notify;
use crate::reply::Reply;

const BASE: CommandSpec = CommandSpec { group: Group::Generic, keys: KeySpec::ONE, ..CommandSpec::DEFAULT };

/// The setters: they write, and are answered at once.
const SETTER: CommandSpec = CommandSpec { arity: -3, flags: WRITE | FAST, ..BASE };

/// The readers: one key, read-only.
const READER: CommandSpec = CommandSpec { arity: 2, flags: READONLY | FAST, ..BASE };

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "expire",
        summary: "Sets a key's time to live in seconds",
        syntax: "key seconds [NX|XX|GT|LT]",
        handler: expire,
        ..SETTER
    },
    CommandSpec {
        name: "pexpire",
        since: "2.6.0",
        summary: "Sets a key's time to live in milliseconds",
        syntax: "key milliseconds [NX|XX|GT|LT]",
        handler: pexpire,
        ..SETTER
    },
    CommandSpec {
        name: "expireat",
        since: "1.2.0",
        summary: "Sets the Unix time (seconds) at which a key expires",
        syntax: "key unix-time-seconds [NX|XX|GT|LT]",
        handler: expireat,
        ..SETTER
    },
    CommandSpec {
        name: "pexpireat",
        since: "2.6.0",
        summary: "Sets the Unix time (milliseconds) at which a key expires",
        syntax: "key unix-time-milliseconds [NX|XX|GT|LT]",
        handler: pexpireat,
        ..SETTER
    },
    CommandSpec {
        name: "ttl",
        summary: "Answers a key's remaining time to live in seconds (-1 none, -2 no key)",
        syntax: "key",
        tips: &["nondeterministic_output"],
        handler: ttl,
        ..READER
    },
    CommandSpec {
        name: "pttl",
        since: "2.6.0",
        summary: "Answers a key's remaining time to live in milliseconds (-1 none, -2 no key)",
        syntax: "key",
        tips: &["nondeterministic_output"],
        handler: pttl,
        ..READER
    },
    CommandSpec {
        name: "expiretime",
        since: "7.0.0",
        summary: "Answers the Unix time (seconds) at which a key expires (-1 none, -2 no key)",
        syntax: "key",
        handler: expiretime,
        ..READER
    },
    CommandSpec {
        name: "pexpiretime",
        since: "7.0.0",
        summary: "Answers the Unix time (milliseconds) at which a key expires (-1 none, -2 no key)",
        syntax: "key",
        handler: pexpiretime,
        ..READER
    },
    CommandSpec {
        name: "persist",
        arity: 2,
        flags: WRITE | FAST,
        since: "2.2.0",
        summary: "Removes a key's time to live so it never expires",
        syntax: "key",
        handler: persist,
        ..BASE
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

impl Conditions {
    /// Flags in any order and number; an unknown one is reported before
    /// incompatible combinations are.
    fn parse(args: &mut Args) -> Result<Conditions, Reply> {
        let mut c = Conditions::default();
        while let Some(opt) = args.next_arg() {
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

    /// False if the condition forbids replacing expiry `current` (None:
    /// no TTL) with `when`. A key without TTL counts as infinite for GT/LT.
    fn allow(&self, current: Option<i64>, when: i64) -> bool {
        !((self.nx && current.is_some())
            || (self.xx && current.is_none())
            || (self.gt && current.is_none_or(|c| when <= c))
            || (self.lt && current.is_some_and(|c| when >= c)))
    }
}

/// Redis's `expireGenericCommand`: `base_ms` is now for relative forms and
/// 0 for absolute ones. A time already past deletes the key (event `del`).
/// Options are checked before the time, and the time (with its overflow
/// checks) before the key is looked up.
fn expire_generic(ctx: &mut Ctx, argv: &[Vec<u8>], base_ms: i64, seconds: bool, command: &str) -> CommandResult {
    let cond = Conditions::parse(&mut Args::new(argv, 3))?;
    let mut when = args::int(&argv[2])?;
    if seconds {
        if !(i64::MIN / 1000..=i64::MAX / 1000).contains(&when) {
            return Err(Reply::error(errors::invalid_expire(command)));
        }
        when *= 1000;
    }
    if when > i64::MAX - base_ms {
        return Err(Reply::error(errors::invalid_expire(command)));
    }
    when += base_ms;
    let key = &argv[1];
    let Some(entry) = ctx.lookup_write(key) else { return Ok(Reply::Integer(0)) };
    if !cond.allow(entry.expire_at(), when) {
        return Ok(Reply::Integer(0));
    }
    if when <= ctx.now_ms() && !ctx.is_loading() {
        ctx.delete_key(key);
        ctx.notify(notify::GENERIC, "del", key);
    } else {
        ctx.set_expire(key, when);
        ctx.notify(notify::GENERIC, "expire", key);
    }
    Ok(Reply::Integer(1))
}

/// EXPIRE key seconds [NX|XX|GT|LT]
fn expire(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let now = ctx.now_ms();
    expire_generic(ctx, argv, now, true, "expire")
}

/// PEXPIRE key milliseconds [NX|XX|GT|LT]
fn pexpire(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let now = ctx.now_ms();
    expire_generic(ctx, argv, now, false, "pexpire")
}

/// EXPIREAT key unix-time-seconds [NX|XX|GT|LT]
fn expireat(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    expire_generic(ctx, argv, 0, true, "expireat")
}

/// PEXPIREAT key unix-time-milliseconds [NX|XX|GT|LT]
fn pexpireat(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    expire_generic(ctx, argv, 0, false, "pexpireat")
}

/// Redis's `ttlGenericCommand`: -2 for a missing key, -1 for no TTL;
/// seconds are rounded to the nearest.
fn ttl_generic(ctx: &mut Ctx, key: &[u8], millis: bool, absolute: bool) -> CommandResult {
    let at = match ctx.lookup_expiry(key) {
        None => return Ok(Reply::Integer(-2)),
        Some(None) => return Ok(Reply::Integer(-1)),
        Some(Some(at)) => at,
    };
    let ttl = if absolute { at } else { at - ctx.now_ms() }.max(0);
    Ok(Reply::Integer(if millis { ttl } else { (ttl + 500) / 1000 }))
}

/// TTL key
fn ttl(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    ttl_generic(ctx, &argv[1], false, false)
}

/// PTTL key
fn pttl(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    ttl_generic(ctx, &argv[1], true, false)
}

/// EXPIRETIME key
fn expiretime(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    ttl_generic(ctx, &argv[1], false, true)
}

/// PEXPIRETIME key
fn pexpiretime(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    ttl_generic(ctx, &argv[1], true, true)
}

/// PERSIST key — answers 1 only if a TTL was removed.
fn persist(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let key = &argv[1];
    if ctx.lookup_write(key).is_none() || !ctx.db().persist(key) {
        return Ok(Reply::Integer(0));
    }
    ctx.key_modified(key);
    ctx.notify(notify::GENERIC, "persist", key);
    Ok(Reply::Integer(1))
}

#[cfg(test)]
mod tests {
    use crate::{Engine, Event, Reply};

    /// Keyspace events published by a command sequence, as (channel, message).
    fn events_of(lines: &[&str]) -> Vec<(String, String)> {
        crate::test_support::keyevents_at(1_700_000_000_000, lines)
            .into_iter()
            .map(|(db, event, key)| (format!("__keyevent@{db}__:{event}"), key))
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
