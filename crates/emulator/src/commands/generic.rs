//! Keyspace commands that work on keys of any type: DEL, UNLINK, EXISTS,
//! TYPE, TOUCH, RANDOMKEY, KEYS and SCAN.

use crate::args::{self, Args};
use crate::command::{flags::*, CommandResult, CommandSpec, Group, KeySpec};
use crate::commands::shared::scan_cursor;
use crate::engine::Ctx;
use crate::errors;
use crate::glob::glob_match;
use crate::notify;
use crate::reply::Reply;

const BASE: CommandSpec = CommandSpec { group: Group::Generic, keys: KeySpec::ALL, ..CommandSpec::DEFAULT };

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "del",
        arity: -2,
        flags: WRITE | REMOVES_KEYS,
        complexity: "O(N) where N is the number of keys",
        summary: "Deletes keys; answers how many existed",
        syntax: "key [key ...]",
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        key_flags: &[&["RM", "delete"]],
        handler: del,
        ..BASE
    },
    CommandSpec {
        name: "unlink",
        arity: -2,
        flags: WRITE | FAST | REMOVES_KEYS,
        since: "4.0.0",
        complexity: "O(1) for each key removed",
        summary: "Deletes keys like DEL (Redis frees the memory in the background)",
        syntax: "key [key ...]",
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        key_flags: &[&["RM", "delete"]],
        handler: del,
        ..BASE
    },
    CommandSpec {
        name: "exists",
        arity: -2,
        flags: READONLY | FAST,
        complexity: "O(N) where N is the number of keys",
        summary: "Counts how many of the given keys exist (a key named twice counts twice)",
        syntax: "key [key ...]",
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        key_flags: &[&["RO"]],
        handler: exists,
        ..BASE
    },
    CommandSpec {
        name: "touch",
        arity: -2,
        flags: READONLY | FAST,
        since: "3.2.1",
        complexity: "O(N) where N is the number of keys",
        summary: "Refreshes the last-access time of keys; answers how many exist",
        syntax: "key [key ...]",
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        key_flags: &[&["RO"]],
        handler: touch,
        ..BASE
    },
    CommandSpec {
        name: "type",
        arity: 2,
        flags: READONLY | FAST,
        keys: KeySpec::ONE,
        summary: "Answers the type of the value at a key, or none",
        syntax: "key",
        key_flags: &[&["RO"]],
        handler: type_cmd,
        ..BASE
    },
    CommandSpec {
        name: "randomkey",
        arity: 1,
        flags: READONLY,
        keys: KeySpec::NONE,
        summary: "Answers a key picked at random from the selected database",
        tips: &["request_policy:all_shards", "nondeterministic_output"],
        handler: randomkey,
        ..BASE
    },
    CommandSpec {
        name: "keys",
        arity: 2,
        flags: READONLY,
        keys: KeySpec::NONE,
        complexity: "O(N) with N being the number of keys in the database",
        summary: "Lists every key matching a glob pattern (blocks a real server on big databases)",
        syntax: "pattern",
        tips: &["request_policy:all_shards", "nondeterministic_output_order"],
        acl: &["@keyspace", "@read", "@slow", "@dangerous"],
        handler: keys,
        ..BASE
    },
    CommandSpec {
        name: "scan",
        arity: -2,
        flags: READONLY,
        keys: KeySpec::NONE,
        since: "2.8.0",
        complexity: "O(1) for every call. O(N) for a complete iteration",
        summary: "Walks the keyspace a few keys at a time with a cursor, optionally filtered",
        syntax: "cursor [MATCH pattern] [COUNT count] [TYPE type]",
        tips: &["nondeterministic_output", "request_policy:special"],
        handler: scan,
        ..BASE
    },
];

/// DEL key [key ...] (also UNLINK)
fn del(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let mut deleted = 0;
    for key in &argv[1..] {
        if ctx.delete_key(key) {
            ctx.notify(notify::GENERIC, "del", key);
            deleted += 1;
        }
    }
    Ok(Reply::Integer(deleted))
}

/// EXISTS key [key ...] — counts hits and misses but, like Redis, does
/// not refresh the keys' access time.
fn exists(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let count = argv[1..].iter().filter(|k| ctx.lookup_expiry(k).is_some()).count();
    Ok(Reply::Integer(count as i64))
}

/// TOUCH key [key ...]
fn touch(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let count = argv[1..].iter().filter(|k| ctx.lookup_read(k).is_some()).count();
    Ok(Reply::Integer(count as i64))
}

/// TYPE key — looked up like the TTL commands (a hit or miss, no access-time update).
fn type_cmd(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let name = match ctx.lookup_expiry(&argv[1]) {
        None => "none",
        Some(_) => ctx.db().get(&argv[1]).map_or("none", |e| e.value.type_name()),
    };
    Ok(Reply::status(name))
}

/// RANDOMKEY — expired keys met on the way are reclaimed, as in Redis
/// (which gives up and answers nil after 100 of them in a row here).
fn randomkey(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    let now = ctx.now_ms();
    for _ in 0..100 {
        let db = ctx.db_index();
        let engine = &mut *ctx.engine;
        let rng = &mut engine.rng;
        let Some(key) = engine.keyspace.dbs[db].random_key(|n| rng.index(n)).map(|k| k.to_vec()) else {
            return Ok(Reply::Nil);
        };
        let expired = ctx.db().get(&key).is_some_and(|e| e.is_expired(now));
        if !expired {
            return Ok(Reply::Bulk(key));
        }
        ctx.expire_if_needed(&key);
    }
    Ok(Reply::Nil)
}

/// KEYS pattern — expired keys are skipped but not reclaimed.
fn keys(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let pattern = &argv[1];
    let all = pattern.as_slice() == b"*";
    let now = ctx.now_ms();
    let found: Vec<Reply> = ctx
        .db()
        .iter()
        .filter(|(k, e)| !e.is_expired(now) && (all || glob_match(pattern, k, false)))
        .map(|(k, _)| Reply::Bulk(k.to_vec()))
        .collect();
    Ok(Reply::Array(found))
}

/// SCAN's options after the cursor.
struct ScanOptions<'a> {
    /// How many buckets' worth of keys to visit (capped at 100 000).
    count: usize,
    /// None for no pattern or `*` (which matches everything).
    pattern: Option<&'a [u8]>,
    type_name: Option<&'a [u8]>,
}

impl<'a> ScanOptions<'a> {
    /// `[MATCH pattern] [COUNT count] [TYPE type]` in any order, a later
    /// one replacing an earlier; an option without its value is a syntax
    /// error, and so is a COUNT below 1.
    fn parse(args: &mut Args<'a>) -> Result<ScanOptions<'a>, Reply> {
        let mut opts = ScanOptions { count: 10, pattern: None, type_name: None };
        while let Some(opt) = args.next_arg() {
            let has_value = args.has_more();
            if args::is(opt, "COUNT") && has_value {
                let count = args.int()?;
                if count < 1 {
                    return Err(Reply::error(errors::SYNTAX));
                }
                opts.count = count.min(100_000) as usize;
            } else if args::is(opt, "MATCH") && has_value {
                let p = args.value()?;
                opts.pattern = (p != b"*").then_some(p);
            } else if args::is(opt, "TYPE") && has_value {
                opts.type_name = Some(args.value()?);
            } else {
                return Err(Reply::error(errors::SYNTAX));
            }
        }
        Ok(opts)
    }
}

/// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
///
/// Filters run after the keys are collected, as in Redis: expired keys
/// met are reclaimed, and a call may answer fewer keys than COUNT (or none)
/// with a non-zero cursor.
fn scan(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let cursor = scan_cursor(&argv[1])?;
    let opts = ScanOptions::parse(&mut Args::new(argv, 2))?;
    let mut seen = Vec::new();
    let next = ctx.db().scan(cursor, opts.count, |k, _| seen.push(k.to_vec()));
    let mut out = Vec::new();
    for key in seen {
        if opts.pattern.is_some_and(|p| !glob_match(p, &key, false)) {
            continue;
        }
        if ctx.expire_if_needed(&key) {
            continue;
        }
        if let Some(t) = opts.type_name {
            let actual = ctx.db().get(&key).map_or("none", |e| e.value.type_name());
            if !t.eq_ignore_ascii_case(actual.as_bytes()) {
                continue;
            }
        }
        out.push(Reply::Bulk(key));
    }
    Ok(Reply::Array(vec![Reply::Bulk(next.to_string().into_bytes()), Reply::Array(out)]))
}
