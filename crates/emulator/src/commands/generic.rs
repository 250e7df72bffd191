//! Keyspace commands that work on keys of any type: DEL, UNLINK, EXISTS,
//! TYPE, TOUCH, RANDOMKEY, KEYS and SCAN.

use crate::args;
use crate::command::{flags::*, CommandSpec, Group, KeySpec};
use crate::engine::Ctx;
use crate::errors;
use crate::glob::glob_match;
use crate::notify;
use crate::reply::Reply;

const G: CommandSpec = CommandSpec { group: Group::Generic, keys: KeySpec::ALL, ..CommandSpec::DEFAULT };

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "del",
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        key_flags: &[&["RM", "delete"]],
        arity: -2,
        flags: WRITE,
        complexity: "O(N) where N is the number of keys",
        summary: "Deletes keys; answers how many existed",
        syntax: "key [key ...]",
        handler: |c, a| Ok(del(c, a)),
        ..G
    },
    CommandSpec {
        name: "unlink",
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        key_flags: &[&["RM", "delete"]],
        arity: -2,
        flags: WRITE | FAST,
        since: "4.0.0",
        complexity: "O(1) for each key removed",
        summary: "Deletes keys like DEL (Redis frees the memory in the background)",
        syntax: "key [key ...]",
        handler: |c, a| Ok(del(c, a)),
        ..G
    },
    CommandSpec {
        name: "exists",
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        key_flags: &[&["RO"]],
        arity: -2,
        flags: READONLY | FAST,
        complexity: "O(N) where N is the number of keys",
        summary: "Counts how many of the given keys exist (a key named twice counts twice)",
        syntax: "key [key ...]",
        handler: |c, a| Ok(exists(c, a)),
        ..G
    },
    CommandSpec {
        name: "touch",
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        key_flags: &[&["RO"]],
        arity: -2,
        flags: READONLY | FAST,
        since: "3.2.1",
        complexity: "O(N) where N is the number of keys",
        summary: "Refreshes the last-access time of keys; answers how many exist",
        syntax: "key [key ...]",
        handler: |c, a| Ok(touch(c, a)),
        ..G
    },
    CommandSpec {
        name: "type",
        key_flags: &[&["RO"]],
        arity: 2,
        flags: READONLY | FAST,
        summary: "Answers the type of the value at a key, or none",
        syntax: "key",
        keys: KeySpec::ONE,
        handler: |c, a| Ok(type_cmd(c, a)),
        ..G
    },
    CommandSpec {
        name: "randomkey",
        tips: &["request_policy:all_shards", "nondeterministic_output"],
        arity: 1,
        flags: READONLY,
        summary: "Answers a key picked at random from the selected database",
        syntax: "",
        keys: KeySpec::NONE,
        handler: |c, a| Ok(randomkey(c, a)),
        ..G
    },
    CommandSpec {
        name: "keys",
        tips: &["request_policy:all_shards", "nondeterministic_output_order"],
        acl: &["@keyspace", "@read", "@slow", "@dangerous"],
        arity: 2,
        flags: READONLY,
        complexity: "O(N) with N being the number of keys in the database",
        summary: "Lists every key matching a glob pattern (blocks a real server on big databases)",
        syntax: "pattern",
        keys: KeySpec::NONE,
        handler: |c, a| Ok(keys(c, a)),
        ..G
    },
    CommandSpec {
        name: "scan",
        tips: &["nondeterministic_output", "request_policy:special"],
        arity: -2,
        flags: READONLY,
        since: "2.8.0",
        complexity: "O(1) for every call. O(N) for a complete iteration",
        summary: "Walks the keyspace a few keys at a time with a cursor, optionally filtered",
        syntax: "cursor [MATCH pattern] [COUNT count] [TYPE type]",
        keys: KeySpec::NONE,
        handler: |c, a| Ok(scan(c, a)),
        ..G
    },
];

/// DEL key [key ...] (also UNLINK)
fn del(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let mut deleted = 0;
    for key in &argv[1..] {
        if ctx.delete_key(key) {
            ctx.notify(notify::GENERIC, "del", key);
            deleted += 1;
        }
    }
    Reply::Integer(deleted)
}

/// EXISTS key [key ...] — counts hits and misses but, like Redis, does
/// not refresh the keys' access time.
fn exists(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let count = argv[1..].iter().filter(|k| crate::commands::expire::expiry_of(ctx, k).is_ok()).count();
    Reply::Integer(count as i64)
}

/// TOUCH key [key ...]
fn touch(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let count = argv[1..].iter().filter(|k| ctx.lookup_read(k).is_some()).count();
    Reply::Integer(count as i64)
}

/// TYPE key
fn type_cmd(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let name = match crate::commands::expire::expiry_of(ctx, &argv[1]) {
        Err(_) => "none",
        Ok(_) => ctx.db().get(&argv[1]).map_or("none", |e| e.value.type_name()),
    };
    Reply::status(name)
}

/// RANDOMKEY — expired keys met on the way are reclaimed, as in Redis.
fn randomkey(ctx: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms();
    for _ in 0..100 {
        let db = ctx.db_index();
        let engine = &mut *ctx.engine;
        let rng = &mut engine.rng;
        let Some(key) = engine.dbs[db].random_key(|n| rng.index(n)).map(|k| k.to_vec()) else {
            return Reply::Nil;
        };
        let expired = ctx.db().get(&key).is_some_and(|e| e.is_expired(now));
        if !expired {
            return Reply::Bulk(key);
        }
        ctx.expire_if_needed(&key);
    }
    Reply::Nil
}

/// KEYS pattern
fn keys(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let pattern = &argv[1];
    let all = pattern.as_slice() == b"*";
    let now = ctx.now_ms();
    let found: Vec<Reply> = ctx
        .db()
        .iter()
        .filter(|(k, e)| !e.is_expired(now) && (all || glob_match(pattern, k, false)))
        .map(|(k, _)| Reply::Bulk(k.to_vec()))
        .collect();
    Reply::Array(found)
}

/// Parses a SCAN cursor like Redis (`strtoul`: optional sign, digits, no
/// leading space, nothing after; an empty string is 0).
pub fn parse_cursor(arg: &[u8]) -> Result<u64, Reply> {
    let invalid = || Reply::error("ERR invalid cursor");
    if arg.first().is_some_and(|c| c.is_ascii_whitespace() || *c == 0x0b) {
        return Err(invalid());
    }
    let (neg, digits) = match arg.first() {
        Some(b'-') => (true, &arg[1..]),
        Some(b'+') => (false, &arg[1..]),
        _ => (false, arg),
    };
    if arg.is_empty() {
        return Ok(0);
    }
    if digits.is_empty() || !digits.iter().all(|c| c.is_ascii_digit()) {
        return Err(invalid());
    }
    let mut v: u64 = 0;
    for &c in digits {
        v = v.checked_mul(10).and_then(|v| v.checked_add((c - b'0') as u64)).ok_or_else(invalid)?;
    }
    Ok(if neg { v.wrapping_neg() } else { v })
}

/// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
fn scan(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let cursor = match parse_cursor(&argv[1]) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let mut count: i64 = 10;
    let mut pattern: Option<&[u8]> = None;
    let mut type_name: Option<&[u8]> = None;
    let mut i = 2;
    while i < argv.len() {
        let more = argv.len() - i;
        if args::is(&argv[i], "COUNT") && more >= 2 {
            count = match args::int(&argv[i + 1]) {
                Ok(c) => c,
                Err(e) => return e,
            };
            if count < 1 {
                return Reply::error(errors::SYNTAX);
            }
            i += 2;
        } else if args::is(&argv[i], "MATCH") && more >= 2 {
            let p = argv[i + 1].as_slice();
            pattern = (p != b"*").then_some(p);
            i += 2;
        } else if args::is(&argv[i], "TYPE") && more >= 2 {
            type_name = Some(&argv[i + 1]);
            i += 2;
        } else {
            return Reply::error(errors::SYNTAX);
        }
    }
    let count = count.min(100_000) as usize;
    let mut seen = Vec::new();
    let next = ctx.db().scan(cursor, count, |k, _| seen.push(k.to_vec()));
    let mut out = Vec::new();
    for key in seen {
        if pattern.is_some_and(|p| !glob_match(p, &key, false)) {
            continue;
        }
        if ctx.expire_if_needed(&key) {
            continue;
        }
        if let Some(t) = type_name {
            let actual = ctx.db().get(&key).map_or("none", |e| e.value.type_name());
            if !t.eq_ignore_ascii_case(actual.as_bytes()) {
                continue;
            }
        }
        out.push(Reply::Bulk(key));
    }
    Reply::Array(vec![Reply::Bulk(next.to_string().into_bytes()), Reply::Array(out)])
}
