//! Sorted set commands: ZADD ZINCRBY ZREM ZCARD ZSCORE ZMSCORE ZRANK
//! ZREVRANK ZCOUNT ZLEXCOUNT, the ZRANGE family (ZRANGE ZRANGESTORE
//! ZREVRANGE Z[REV]RANGEBYSCORE Z[REV]RANGEBYLEX), ZREMRANGEBY*, the pops
//! (ZPOPMIN ZPOPMAX ZMPOP and their blocking forms), ZRANDMEMBER, the set
//! algebra (ZUNION ZINTER ZDIFF, *STORE, ZINTERCARD) and ZSCAN.
//!
//! The sorted-set semantics (ZADD's flags, ranges, pops, the weighted
//! algebra) live in [`crate::types::zset`]; this file parses arguments,
//! looks keys up and shapes replies.

use crate::args::{self, Args};
use crate::command::{flags::*, CommandResult, CommandSpec, Group, KeySpec, KeySpecDef};
use crate::commands::shared::{
    distinct_indexes, empty_scan, pop_count, positive_numkeys, random_count, scan_cursor, store_zset, zset_limits,
    ScanOptions, MAX_RANDOM_PICKS, TOO_MANY_PICKS,
};
use crate::engine::Ctx;
use crate::errors;
use crate::notify;
use crate::reply::Reply;
use crate::resp::Protocol;
use crate::rng::Rng;
use crate::types::set::SetOp;
use crate::types::zset::{self, AddMode, AddOutcome, Aggregate, End, LexBound, NanScore, Operand, ScoreRange};
use crate::types::ZSetValue;
use crate::value::Value;

const BASE: CommandSpec = CommandSpec { group: Group::SortedSet, keys: KeySpec::ONE, ..CommandSpec::DEFAULT };

/// Every argument but the last is a key (the blocking pops' timeout is last).
const ALL_BUT_LAST: KeySpec = KeySpec { first: 1, last: -2, step: 1 };

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "zadd",
        arity: -4,
        flags: WRITE | DENYOOM | FAST,
        since: "1.2.0",
        summary: "Adds members with scores to a sorted set, or updates their scores",
        syntax: "key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]",
        handler: zadd,
        ..BASE
    },
    CommandSpec {
        name: "zincrby",
        arity: 4,
        flags: WRITE | DENYOOM | FAST,
        since: "1.2.0",
        summary: "Adds to the score of a member of a sorted set",
        syntax: "key increment member",
        key_flags: &[&["RW", "access", "update"]],
        handler: zincrby,
        ..BASE
    },
    CommandSpec {
        name: "zrem",
        arity: -3,
        flags: WRITE | FAST,
        since: "1.2.0",
        summary: "Removes members from a sorted set",
        syntax: "key member [member ...]",
        key_flags: &[&["RW", "delete"]],
        handler: zrem,
        ..BASE
    },
    CommandSpec {
        name: "zcard",
        arity: 2,
        flags: READONLY | FAST,
        since: "1.2.0",
        summary: "Returns the number of members of a sorted set",
        syntax: "key",
        key_flags: &[&["RO"]],
        handler: zcard,
        ..BASE
    },
    CommandSpec {
        name: "zscore",
        arity: 3,
        flags: READONLY | FAST,
        since: "1.2.0",
        summary: "Returns the score of a member",
        syntax: "key member",
        handler: zscore,
        ..BASE
    },
    CommandSpec {
        name: "zmscore",
        arity: -3,
        flags: READONLY | FAST,
        since: "6.2.0",
        summary: "Returns the scores of several members",
        syntax: "key member [member ...]",
        handler: zmscore,
        ..BASE
    },
    CommandSpec {
        name: "zrank",
        arity: 3,
        flags: READONLY | FAST,
        since: "2.0.0",
        summary: "Returns a member's position, lowest score first",
        syntax: "key member",
        handler: zrank,
        ..BASE
    },
    CommandSpec {
        name: "zrevrank",
        arity: 3,
        flags: READONLY | FAST,
        since: "2.0.0",
        summary: "Returns a member's position, highest score first",
        syntax: "key member",
        handler: zrevrank,
        ..BASE
    },
    CommandSpec {
        name: "zcount",
        arity: 4,
        flags: READONLY | FAST,
        since: "2.0.0",
        summary: "Counts the members with scores in a range",
        syntax: "key min max",
        handler: zcount,
        ..BASE
    },
    CommandSpec {
        name: "zlexcount",
        arity: 4,
        flags: READONLY | FAST,
        since: "2.8.9",
        summary: "Counts the members in a lexicographical range",
        syntax: "key min max",
        handler: zlexcount,
        ..BASE
    },
    CommandSpec {
        name: "zrange",
        arity: -4,
        flags: READONLY,
        since: "1.2.0",
        summary: "Returns members in a range of ranks, scores or names",
        syntax: "key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]",
        handler: zrange,
        ..BASE
    },
    CommandSpec {
        name: "zrangestore",
        arity: -5,
        flags: WRITE | DENYOOM,
        keys: KeySpec::TWO,
        since: "6.2.0",
        summary: "Stores a range of a sorted set in another key",
        syntax: "dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]",
        key_flags: &[&["OW", "update"], &["RO", "access"]],
        handler: zrangestore,
        ..BASE
    },
    CommandSpec {
        name: "zrevrange",
        arity: -4,
        flags: READONLY,
        since: "1.2.0",
        summary: "Returns members in a range of ranks, highest score first",
        syntax: "key start stop [WITHSCORES]",
        handler: zrevrange,
        ..BASE
    },
    CommandSpec {
        name: "zrangebyscore",
        arity: -4,
        flags: READONLY,
        since: "1.0.5",
        summary: "Returns members with scores in a range",
        syntax: "key min max [WITHSCORES] [LIMIT offset count]",
        handler: zrangebyscore,
        ..BASE
    },
    CommandSpec {
        name: "zrevrangebyscore",
        arity: -4,
        flags: READONLY,
        since: "2.2.0",
        summary: "Returns members with scores in a range, highest first",
        syntax: "key max min [WITHSCORES] [LIMIT offset count]",
        handler: zrevrangebyscore,
        ..BASE
    },
    CommandSpec {
        name: "zrangebylex",
        arity: -4,
        flags: READONLY,
        since: "2.8.9",
        summary: "Returns members in a lexicographical range",
        syntax: "key min max [LIMIT offset count]",
        handler: zrangebylex,
        ..BASE
    },
    CommandSpec {
        name: "zrevrangebylex",
        arity: -4,
        flags: READONLY,
        since: "2.8.9",
        summary: "Returns members in a lexicographical range, last first",
        syntax: "key max min [LIMIT offset count]",
        handler: zrevrangebylex,
        ..BASE
    },
    CommandSpec {
        name: "zremrangebyrank",
        arity: 4,
        flags: WRITE,
        since: "2.0.0",
        summary: "Removes the members in a range of ranks",
        syntax: "key start stop",
        key_flags: &[&["RW", "delete"]],
        handler: zremrangebyrank,
        ..BASE
    },
    CommandSpec {
        name: "zremrangebyscore",
        arity: 4,
        flags: WRITE,
        since: "1.2.0",
        summary: "Removes the members with scores in a range",
        syntax: "key min max",
        key_flags: &[&["RW", "delete"]],
        handler: zremrangebyscore,
        ..BASE
    },
    CommandSpec {
        name: "zremrangebylex",
        arity: 4,
        flags: WRITE,
        since: "2.8.9",
        summary: "Removes the members in a lexicographical range",
        syntax: "key min max",
        key_flags: &[&["RW", "delete"]],
        handler: zremrangebylex,
        ..BASE
    },
    CommandSpec {
        name: "zpopmin",
        arity: -2,
        flags: WRITE | FAST,
        since: "5.0.0",
        summary: "Removes and returns the members with the lowest scores",
        syntax: "key [count]",
        key_flags: &[&["RW", "access", "delete"]],
        handler: zpopmin,
        ..BASE
    },
    CommandSpec {
        name: "zpopmax",
        arity: -2,
        flags: WRITE | FAST,
        since: "5.0.0",
        summary: "Removes and returns the members with the highest scores",
        syntax: "key [count]",
        key_flags: &[&["RW", "access", "delete"]],
        handler: zpopmax,
        ..BASE
    },
    CommandSpec {
        name: "zmpop",
        arity: -4,
        flags: WRITE | MOVABLE_KEYS,
        keys: KeySpec::NONE,
        since: "7.0.0",
        summary: "Pops members from the first non-empty sorted set of several",
        syntax: "numkeys key [key ...] MIN|MAX [COUNT count]",
        key_specs: &[KeySpecDef::keynum(1, &["RW", "access", "delete"])],
        handler: zmpop,
        ..BASE
    },
    CommandSpec {
        name: "bzpopmin",
        arity: -3,
        flags: WRITE | NOSCRIPT | FAST | BLOCKING,
        keys: ALL_BUT_LAST,
        since: "5.0.0",
        summary: "Pops the lowest-scored member, waiting for one if needed",
        syntax: "key [key ...] timeout",
        key_flags: &[&["RW", "access", "delete"]],
        handler: bzpopmin,
        ..BASE
    },
    CommandSpec {
        name: "bzpopmax",
        arity: -3,
        flags: WRITE | NOSCRIPT | FAST | BLOCKING,
        keys: ALL_BUT_LAST,
        since: "5.0.0",
        summary: "Pops the highest-scored member, waiting for one if needed",
        syntax: "key [key ...] timeout",
        key_flags: &[&["RW", "access", "delete"]],
        handler: bzpopmax,
        ..BASE
    },
    CommandSpec {
        name: "bzmpop",
        arity: -5,
        flags: WRITE | BLOCKING | MOVABLE_KEYS,
        keys: KeySpec::NONE,
        since: "7.0.0",
        summary: "Pops members from the first non-empty sorted set, waiting if needed",
        syntax: "timeout numkeys key [key ...] MIN|MAX [COUNT count]",
        key_specs: &[KeySpecDef::keynum(2, &["RW", "access", "delete"])],
        handler: bzmpop,
        ..BASE
    },
    CommandSpec {
        name: "zrandmember",
        arity: -2,
        flags: READONLY,
        since: "6.2.0",
        summary: "Returns random members of a sorted set",
        syntax: "key [count [WITHSCORES]]",
        handler: zrandmember,
        ..BASE
    },
    CommandSpec {
        name: "zunion",
        arity: -3,
        flags: READONLY | MOVABLE_KEYS,
        keys: KeySpec::NONE,
        since: "6.2.0",
        summary: "Returns the union of sorted sets",
        syntax: "numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]",
        key_specs: &[KeySpecDef::keynum(1, &["RO", "access"])],
        handler: zunion,
        ..BASE
    },
    CommandSpec {
        name: "zinter",
        arity: -3,
        flags: READONLY | MOVABLE_KEYS,
        keys: KeySpec::NONE,
        since: "6.2.0",
        summary: "Returns the intersection of sorted sets",
        syntax: "numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]",
        key_specs: &[KeySpecDef::keynum(1, &["RO", "access"])],
        handler: zinter,
        ..BASE
    },
    CommandSpec {
        name: "zdiff",
        arity: -3,
        flags: READONLY | MOVABLE_KEYS,
        keys: KeySpec::NONE,
        since: "6.2.0",
        summary: "Returns the members of the first sorted set missing from the others",
        syntax: "numkeys key [key ...] [WITHSCORES]",
        key_specs: &[KeySpecDef::keynum(1, &["RO", "access"])],
        handler: zdiff,
        ..BASE
    },
    CommandSpec {
        name: "zunionstore",
        arity: -4,
        flags: WRITE | DENYOOM | MOVABLE_KEYS,
        since: "2.0.0",
        summary: "Stores the union of sorted sets",
        syntax: "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX]",
        key_specs: &[KeySpecDef::one(1, &["OW", "update"]), KeySpecDef::keynum(2, &["RO", "access"])],
        handler: zunionstore,
        ..BASE
    },
    CommandSpec {
        name: "zinterstore",
        arity: -4,
        flags: WRITE | DENYOOM | MOVABLE_KEYS,
        since: "2.0.0",
        summary: "Stores the intersection of sorted sets",
        syntax: "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX]",
        key_specs: &[KeySpecDef::one(1, &["OW", "update"]), KeySpecDef::keynum(2, &["RO", "access"])],
        handler: zinterstore,
        ..BASE
    },
    CommandSpec {
        name: "zdiffstore",
        arity: -4,
        flags: WRITE | DENYOOM | MOVABLE_KEYS,
        since: "6.2.0",
        summary: "Stores the difference of sorted sets",
        syntax: "destination numkeys key [key ...]",
        key_specs: &[KeySpecDef::one(1, &["OW", "update"]), KeySpecDef::keynum(2, &["RO", "access"])],
        handler: zdiffstore,
        ..BASE
    },
    CommandSpec {
        name: "zintercard",
        arity: -3,
        flags: READONLY | MOVABLE_KEYS,
        keys: KeySpec::NONE,
        since: "7.0.0",
        summary: "Counts the members common to several sorted sets",
        syntax: "numkeys key [key ...] [LIMIT limit]",
        key_specs: &[KeySpecDef::keynum(1, &["RO", "access"])],
        handler: zintercard,
        ..BASE
    },
    CommandSpec {
        name: "zscan",
        arity: -3,
        flags: READONLY,
        since: "2.8.0",
        summary: "Iterates over the members and scores of a sorted set",
        syntax: "key cursor [MATCH pattern] [COUNT count]",
        handler: zscan,
        ..BASE
    },
];

// ----- shared helpers ------------------------------------------------------

fn read_zset<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a mut ZSetValue>, Reply> {
    ctx.read_as(key)
}

fn write_zset<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a mut ZSetValue>, Reply> {
    ctx.write_as(key)
}

fn resp3(ctx: &Ctx) -> bool {
    ctx.client.protocol == Protocol::Resp3
}

/// Members, or members and scores: flat in RESP2, [member, score] pairs in RESP3.
fn scored_reply(ctx: &Ctx, items: Vec<(Vec<u8>, f64)>, withscores: bool) -> Reply {
    if !withscores {
        return Reply::Array(items.into_iter().map(|(m, _)| Reply::Bulk(m)).collect());
    }
    if resp3(ctx) {
        Reply::Array(items.into_iter().map(|(m, s)| Reply::Array(vec![Reply::Bulk(m), Reply::Double(s)])).collect())
    } else {
        Reply::Array(items.into_iter().flat_map(|(m, s)| [Reply::Bulk(m), Reply::Double(s)]).collect())
    }
}

/// Deletes the key and notifies `del` when the sorted set became empty.
fn drop_if_empty(ctx: &mut Ctx, key: &[u8], empty: bool) {
    if empty {
        ctx.delete_key(key);
        ctx.notify(notify::GENERIC, "del", key);
    }
}

/// Parses a score bound like `strtod` does in Redis's `zslParseRange`:
/// leading spaces allowed, the whole rest must be a number, NaN refused,
/// and an empty string reads as 0.
fn parse_strtod(b: &[u8]) -> Option<f64> {
    if b.is_empty() {
        return Some(0.0);
    }
    let start = b.iter().position(|c| !matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))?;
    let s = std::str::from_utf8(&b[start..]).ok()?;
    let lower = s.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if lower.len() - unsigned.len() > 1 {
        return None;
    }
    if unsigned.starts_with("0x") {
        return crate::float::parse_f64(lower.as_bytes());
    }
    if unsigned.starts_with("nan")
        || !unsigned.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'+' || c == b'-')
    {
        return None;
    }
    lower.parse::<f64>().ok().filter(|v| !v.is_nan())
}

/// `value` or `(value` (exclusive).
fn parse_score_bound(b: &[u8]) -> Option<(f64, bool)> {
    match b.strip_prefix(b"(") {
        Some(rest) => parse_strtod(rest).map(|v| (v, true)),
        None => parse_strtod(b).map(|v| (v, false)),
    }
}

fn parse_score_range(min: &[u8], max: &[u8]) -> Result<ScoreRange, Reply> {
    match (parse_score_bound(min), parse_score_bound(max)) {
        (Some((min, minex)), Some((max, maxex))) => Ok(ScoreRange { min, max, minex, maxex }),
        _ => Err(Reply::error("ERR min or max is not a float")),
    }
}

/// `-`, `+`, `[member` or `(member`.
fn parse_lex_bound(b: &[u8]) -> Option<LexBound> {
    match b.first() {
        Some(b'-') if b.len() == 1 => Some(LexBound::NegInf),
        Some(b'+') if b.len() == 1 => Some(LexBound::PosInf),
        Some(b'[') => Some(LexBound::Incl(b[1..].to_vec())),
        Some(b'(') => Some(LexBound::Excl(b[1..].to_vec())),
        _ => None,
    }
}

fn parse_lex_range(min: &[u8], max: &[u8]) -> Result<(LexBound, LexBound), Reply> {
    match (parse_lex_bound(min), parse_lex_bound(max)) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(Reply::error("ERR min or max not valid string range item")),
    }
}

// ----- ZADD / ZINCRBY / ZREM ------------------------------------------------

/// The options of ZADD that come before the score/member pairs.
#[derive(Default, Clone, Copy)]
struct ZAddOptions {
    mode: AddMode,
    /// Count changed members, not only added ones.
    ch: bool,
}

impl ZAddOptions {
    /// Reads option keywords up to the first argument that is not one
    /// (ZINCRBY reads them too, as Redis does, starting with INCR set).
    fn parse(args: &mut Args, incr: bool) -> ZAddOptions {
        let mut o = ZAddOptions { mode: AddMode { incr, ..AddMode::default() }, ch: false };
        loop {
            if args.eat("nx") {
                o.mode.nx = true;
            } else if args.eat("xx") {
                o.mode.xx = true;
            } else if args.eat("gt") {
                o.mode.gt = true;
            } else if args.eat("lt") {
                o.mode.lt = true;
            } else if args.eat("ch") {
                o.ch = true;
            } else if args.eat("incr") {
                o.mode.incr = true;
            } else {
                break;
            }
        }
        o
    }

    /// Redis's checks of the pairs' shape and of the flag combinations,
    /// in its order.
    fn check(&self, pairs: &[Vec<u8>]) -> Result<(), Reply> {
        let m = self.mode;
        if pairs.is_empty() || !pairs.len().is_multiple_of(2) {
            return Err(Reply::error(errors::SYNTAX));
        }
        if m.incr && pairs.len() > 2 {
            return Err(Reply::error("ERR INCR option supports a single increment-element pair"));
        }
        if m.nx && m.xx {
            return Err(Reply::error("ERR XX and NX options at the same time are not compatible"));
        }
        if (m.gt || m.lt) && (m.nx || (m.gt && m.lt)) {
            return Err(Reply::error("ERR GT, LT, and/or NX options at the same time are not compatible"));
        }
        Ok(())
    }
}

/// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
fn zadd(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    zadd_generic(ctx, argv, false)
}

/// ZINCRBY key increment member
fn zincrby(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    zadd_generic(ctx, argv, true)
}

/// Redis's `zaddGenericCommand`. Every score is parsed before the key is
/// looked up; a new key takes its encoding from the first member alone. A
/// NaN increment stops at that member but keeps what was done before it.
fn zadd_generic(ctx: &mut Ctx, argv: &[Vec<u8>], incr: bool) -> CommandResult {
    let key = &argv[1];
    let mut args = Args::new(argv, 2);
    let opts = ZAddOptions::parse(&mut args, incr);
    let pairs = args.rest();
    opts.check(pairs)?;
    let mode = opts.mode;
    let scores = pairs.chunks(2).map(|p| args::float(&p[0])).collect::<Result<Vec<f64>, Reply>>()?;
    let lim = zset_limits(ctx);
    let event = if mode.incr { "zincr" } else { "zadd" };
    let exists = write_zset(ctx, key)?.is_some();
    if !exists {
        if mode.xx {
            return Ok(if mode.incr { Reply::Nil } else { Reply::Integer(0) });
        }
        // Redis 7.0 picks the encoding from the first member alone.
        let z = ZSetValue::with_encoding_hint(1, pairs[1].len(), lim.0, lim.1);
        ctx.set_key(key, Value::ZSet(Box::new(z)), false);
        ctx.signal_ready(key);
    }
    let (mut added, mut updated, mut processed) = (0i64, 0i64, 0i64);
    let mut last_score = 0.0;
    let mut failure = None;
    if let Ok(Some(z)) = write_zset(ctx, key) {
        for (p, score) in pairs.chunks(2).zip(scores) {
            match z.add(&p[1], score, mode, lim) {
                Err(NanScore) => {
                    failure = Some(Reply::error("ERR resulting score is not a number (NaN)"));
                    break;
                }
                Ok(AddOutcome::Added(s)) => {
                    added += 1;
                    processed += 1;
                    last_score = s;
                }
                Ok(AddOutcome::Updated(s)) => {
                    updated += 1;
                    processed += 1;
                    last_score = s;
                }
                Ok(AddOutcome::Unchanged(s)) => {
                    processed += 1;
                    last_score = s;
                }
                Ok(AddOutcome::Skipped) => {}
            }
        }
    }
    if added + updated > 0 {
        ctx.key_modified(key);
        ctx.notify(notify::ZSET, event, key);
    }
    let empty = write_zset(ctx, key).ok().flatten().is_some_and(|z| z.is_empty());
    if empty {
        // Only possible when a new key received nothing (an error on the first member).
        ctx.delete_key(key);
    }
    if let Some(e) = failure {
        return Err(e);
    }
    Ok(if mode.incr {
        if processed > 0 {
            Reply::Double(last_score)
        } else {
            Reply::Nil
        }
    } else {
        Reply::Integer(if opts.ch { added + updated } else { added })
    })
}

/// ZREM key member [member ...]
///
/// Stops at the member that empties the set; the key is then deleted.
fn zrem(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let key = &argv[1];
    let (removed, empty) = match write_zset(ctx, key)? {
        None => return Ok(Reply::Integer(0)),
        Some(z) => {
            let mut n = 0;
            for m in &argv[2..] {
                if z.remove(m) {
                    n += 1;
                    if z.is_empty() {
                        break;
                    }
                }
            }
            (n, z.is_empty())
        }
    };
    if removed > 0 {
        ctx.notify(notify::ZSET, "zrem", key);
        drop_if_empty(ctx, key, empty);
        ctx.key_modified(key);
    }
    Ok(Reply::Integer(removed))
}

// ----- simple reads ---------------------------------------------------------

/// ZCARD key
fn zcard(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let z = read_zset(ctx, &argv[1])?;
    Ok(Reply::Integer(z.map_or(0, |z| z.len()) as i64))
}

/// ZSCORE key member
fn zscore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let z = read_zset(ctx, &argv[1])?;
    Ok(z.and_then(|z| z.score(&argv[2])).map_or(Reply::Nil, Reply::Double))
}

/// ZMSCORE key member [member ...]
fn zmscore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let z = read_zset(ctx, &argv[1])?.map(|z| &*z);
    Ok(Reply::Array(argv[2..].iter().map(|m| z.and_then(|z| z.score(m)).map_or(Reply::Nil, Reply::Double)).collect()))
}

/// ZRANK / ZREVRANK: the rank counted from the chosen end, or nil.
fn rank_generic(ctx: &mut Ctx, argv: &[Vec<u8>], reverse: bool) -> CommandResult {
    Ok(match read_zset(ctx, &argv[1])? {
        None => Reply::Nil,
        Some(z) => match z.rank(&argv[2]) {
            None => Reply::Nil,
            Some(r) => Reply::Integer(if reverse { z.len() - 1 - r } else { r } as i64),
        },
    })
}

/// ZRANK key member
fn zrank(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    rank_generic(ctx, argv, false)
}

/// ZREVRANK key member
fn zrevrank(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    rank_generic(ctx, argv, true)
}

/// ZCOUNT key min max
///
/// The range is parsed before the key is looked up (its error wins over WRONGTYPE).
fn zcount(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let range = parse_score_range(&argv[2], &argv[3])?;
    Ok(match read_zset(ctx, &argv[1])? {
        None => Reply::Integer(0),
        Some(z) => {
            let (lo, hi) = z.score_span(&range);
            Reply::Integer((hi - lo) as i64)
        }
    })
}

/// ZLEXCOUNT key min max
fn zlexcount(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let (min, max) = parse_lex_range(&argv[2], &argv[3])?;
    Ok(match read_zset(ctx, &argv[1])? {
        None => Reply::Integer(0),
        Some(z) => {
            let (lo, hi) = z.lex_span(&min, &max);
            Reply::Integer((hi - lo) as i64)
        }
    })
}

// ----- the ZRANGE family ----------------------------------------------------

#[derive(Clone, Copy, PartialEq)]
enum RangeBy {
    Auto,
    Rank,
    Score,
    Lex,
}

#[derive(Clone, Copy, PartialEq)]
enum Direction {
    Auto,
    Forward,
    Reverse,
}

/// The options after `key min max` of the ZRANGE family. The older
/// commands fix `by` and the direction, so those keywords are refused there.
struct RangeOptions {
    by: RangeBy,
    dir: Direction,
    withscores: bool,
    offset: i64,
    /// Negative: no LIMIT.
    limit: i64,
}

impl RangeOptions {
    fn parse(args: &mut Args, store: bool, by: RangeBy, dir: Direction) -> Result<RangeOptions, Reply> {
        let mut o = RangeOptions { by, dir, withscores: false, offset: 0, limit: -1 };
        loop {
            if !store && args.eat("withscores") {
                o.withscores = true;
            } else if args.remaining() >= 3 && args.eat("limit") {
                o.offset = args.int()?;
                o.limit = args.int()?;
            } else if o.dir == Direction::Auto && args.eat("rev") {
                o.dir = Direction::Reverse;
            } else if o.by == RangeBy::Auto && args.eat("bylex") {
                o.by = RangeBy::Lex;
            } else if o.by == RangeBy::Auto && args.eat("byscore") {
                o.by = RangeBy::Score;
            } else {
                break;
            }
        }
        args.finish()?;
        if o.dir == Direction::Auto {
            o.dir = Direction::Forward;
        }
        if o.by == RangeBy::Auto {
            o.by = RangeBy::Rank;
        }
        if o.limit != -1 && o.by == RangeBy::Rank {
            return Err(Reply::error(
                "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
            ));
        }
        if o.withscores && o.by == RangeBy::Lex {
            return Err(Reply::error("ERR syntax error, WITHSCORES not supported in combination with BYLEX"));
        }
        Ok(o)
    }
}

/// Redis's `zrangeGenericCommand`: `at` is the index of the source key;
/// `dst` is set for ZRANGESTORE. Options are checked before the bounds,
/// and both before the key's type.
fn zrange_generic(
    ctx: &mut Ctx,
    argv: &[Vec<u8>],
    at: usize,
    dst: Option<&[u8]>,
    by: RangeBy,
    dir: Direction,
) -> CommandResult {
    let key = &argv[at];
    let opts = RangeOptions::parse(&mut Args::new(argv, at + 3), dst.is_some(), by, dir)?;
    let by = opts.by;
    let reverse = opts.dir == Direction::Reverse;
    // The reversed score and lex forms name the upper bound first.
    let (min, max) =
        if reverse && by != RangeBy::Rank { (&argv[at + 2], &argv[at + 1]) } else { (&argv[at + 1], &argv[at + 2]) };
    enum Spec {
        Rank(i64, i64),
        Score(ScoreRange),
        Lex(LexBound, LexBound),
    }
    let spec = match by {
        RangeBy::Score => Spec::Score(parse_score_range(min, max)?),
        RangeBy::Lex => {
            let (a, b) = parse_lex_range(min, max)?;
            Spec::Lex(a, b)
        }
        _ => Spec::Rank(args::int(min)?, args::int(max)?),
    };
    let items = match read_zset(ctx, key)? {
        None => Vec::new(),
        Some(z) => {
            let span = match &spec {
                Spec::Rank(s, e) => {
                    z.rank_span(*s, *e).map(|(lo, hi)| if reverse { (z.len() - hi, z.len() - lo) } else { (lo, hi) })
                }
                Spec::Score(r) => Some(z.score_span(r)),
                Spec::Lex(a, b) => Some(z.lex_span(a, b)),
            };
            match span {
                None => Vec::new(),
                Some((lo, hi)) if by == RangeBy::Rank => z.window(lo, hi, 0, -1, reverse),
                Some((lo, hi)) => z.window(lo, hi, opts.offset, opts.limit, reverse),
            }
        }
    };
    Ok(match dst {
        Some(dst) => {
            let lim = zset_limits(ctx);
            let mut result = ZSetValue::new();
            for (m, s) in &items {
                result.insert(m, *s, lim);
            }
            Reply::Integer(store_zset(ctx, dst, result, "zrangestore"))
        }
        None => scored_reply(ctx, items, opts.withscores),
    })
}

/// ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
fn zrange(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    zrange_generic(ctx, argv, 1, None, RangeBy::Auto, Direction::Auto)
}

/// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]
fn zrangestore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    zrange_generic(ctx, argv, 2, Some(&argv[1]), RangeBy::Auto, Direction::Auto)
}

/// ZREVRANGE key start stop [WITHSCORES]
fn zrevrange(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    zrange_generic(ctx, argv, 1, None, RangeBy::Rank, Direction::Reverse)
}

/// ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
fn zrangebyscore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    zrange_generic(ctx, argv, 1, None, RangeBy::Score, Direction::Forward)
}

/// ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]
fn zrevrangebyscore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    zrange_generic(ctx, argv, 1, None, RangeBy::Score, Direction::Reverse)
}

/// ZRANGEBYLEX key min max [LIMIT offset count]
fn zrangebylex(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    zrange_generic(ctx, argv, 1, None, RangeBy::Lex, Direction::Forward)
}

/// ZREVRANGEBYLEX key max min [LIMIT offset count]
fn zrevrangebylex(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    zrange_generic(ctx, argv, 1, None, RangeBy::Lex, Direction::Reverse)
}

// ----- ZREMRANGEBY* ---------------------------------------------------------

/// Removes the ranks `span` picks (if any) and notifies `event`.
fn remove_span(
    ctx: &mut Ctx,
    key: &[u8],
    span: impl FnOnce(&ZSetValue) -> Option<(usize, usize)>,
    event: &str,
) -> CommandResult {
    let (removed, empty) = match write_zset(ctx, key)? {
        None => return Ok(Reply::Integer(0)),
        Some(z) => match span(z) {
            Some((lo, hi)) if lo < hi => (z.remove_ranks(lo, hi), z.is_empty()),
            _ => return Ok(Reply::Integer(0)),
        },
    };
    ctx.key_modified(key);
    ctx.notify(notify::ZSET, event, key);
    drop_if_empty(ctx, key, empty);
    Ok(Reply::Integer(removed as i64))
}

/// ZREMRANGEBYRANK key start stop
fn zremrangebyrank(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let (start, end) = (args::int(&argv[2])?, args::int(&argv[3])?);
    remove_span(ctx, &argv[1], |z| z.rank_span(start, end), "zremrangebyrank")
}

/// ZREMRANGEBYSCORE key min max
fn zremrangebyscore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let range = parse_score_range(&argv[2], &argv[3])?;
    remove_span(ctx, &argv[1], |z| Some(z.score_span(&range)), "zremrangebyscore")
}

/// ZREMRANGEBYLEX key min max
fn zremrangebylex(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let (min, max) = parse_lex_range(&argv[2], &argv[3])?;
    remove_span(ctx, &argv[1], |z| Some(z.lex_span(&min, &max)), "zremrangebylex")
}

// ----- pops -----------------------------------------------------------------

/// A key and the (member, score) pairs popped from it.
type Popped = (Vec<u8>, Vec<(Vec<u8>, f64)>);

/// Pops up to `count` members from the first existing sorted set of `keys`.
/// Returns None when none of the keys exists.
fn pop_first(ctx: &mut Ctx, keys: &[Vec<u8>], end: End, count: usize) -> Result<Option<Popped>, Reply> {
    for key in keys {
        let (items, empty) = match write_zset(ctx, key)? {
            None => continue,
            Some(z) => (z.pop(end, count), z.is_empty()),
        };
        ctx.notify(notify::ZSET, if end == End::Min { "zpopmin" } else { "zpopmax" }, key);
        drop_if_empty(ctx, key, empty);
        ctx.key_modified(key);
        return Ok(Some((key.clone(), items)));
    }
    Ok(None)
}

/// ZPOPMIN / ZPOPMAX. Without a count the reply is flat even in RESP3;
/// a count of 0 still type-checks the key.
fn zpop_generic(ctx: &mut Ctx, argv: &[Vec<u8>], end: End) -> CommandResult {
    let mut args = Args::new(argv, 2);
    let count_arg = args.next_arg();
    args.finish()?;
    let count = count_arg.map(pop_count).transpose()?.map(|n| n as usize);
    if count == Some(0) {
        write_zset(ctx, &argv[1])?;
        return Ok(Reply::Array(Vec::new()));
    }
    Ok(match pop_first(ctx, &argv[1..2], end, count.unwrap_or(1))? {
        None => Reply::Array(Vec::new()),
        Some((_, items)) if count.is_none() => flattened_pairs(scored_reply(ctx, items, true)),
        Some((_, items)) => scored_reply(ctx, items, true),
    })
}

/// `[[m, s]]` → `[m, s]` (ZPOPMIN without a count answers flat in RESP3).
fn flattened_pairs(reply: Reply) -> Reply {
    match reply {
        Reply::Array(items) => Reply::Array(
            items
                .into_iter()
                .flat_map(|i| match i {
                    Reply::Array(pair) => pair,
                    other => vec![other],
                })
                .collect(),
        ),
        other => other,
    }
}

/// ZPOPMIN key [count]
fn zpopmin(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    zpop_generic(ctx, argv, End::Min)
}

/// ZPOPMAX key [count]
fn zpopmax(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    zpop_generic(ctx, argv, End::Max)
}

/// `[key, [[member, score], ...]]`, as ZMPOP and BZMPOP answer.
fn mpop_reply(key: Vec<u8>, items: Vec<(Vec<u8>, f64)>) -> Reply {
    Reply::Array(vec![
        Reply::Bulk(key),
        Reply::Array(items.into_iter().map(|(m, s)| Reply::Array(vec![Reply::Bulk(m), Reply::Double(s)])).collect()),
    ])
}

/// The arguments of ZMPOP / BZMPOP: `numkeys key [key ...] MIN|MAX [COUNT count]`.
struct MultiPop {
    keys: Vec<Vec<u8>>,
    end: End,
    count: usize,
}

impl MultiPop {
    /// Parses from `argv[at]` (the numkeys) to the end.
    fn parse(argv: &[Vec<u8>], at: usize) -> Result<MultiPop, Reply> {
        let numkeys = positive_numkeys(argv.get(at).map(|a| a.as_slice()))?;
        let where_i = (at as u64 + 1).saturating_add(numkeys);
        if where_i >= argv.len() as u64 {
            return Err(Reply::error(errors::SYNTAX));
        }
        let where_i = where_i as usize;
        let mut args = Args::new(argv, where_i);
        let end = if args.eat("min") {
            End::Min
        } else if args.eat("max") {
            End::Max
        } else {
            return Err(Reply::error(errors::SYNTAX));
        };
        let mut count = 1;
        if args.remaining() >= 2 && args.eat("count") {
            count = match crate::float::parse_i64(args.value()?) {
                Some(n) if n >= 1 => n as usize,
                _ => return Err(Reply::error("ERR count should be greater than 0")),
            };
        }
        args.finish()?;
        Ok(MultiPop { keys: argv[at + 1..where_i].to_vec(), end, count })
    }
}

/// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
fn zmpop(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let p = MultiPop::parse(argv, 1)?;
    Ok(match pop_first(ctx, &p.keys, p.end, p.count)? {
        None => Reply::NilArray,
        Some((key, items)) => mpop_reply(key, items),
    })
}

/// Parses a blocking timeout in seconds into an absolute deadline (None = forever).
fn parse_timeout(ctx: &Ctx, arg: &[u8]) -> Result<Option<i64>, Reply> {
    let secs = crate::float::parse_f64(arg).ok_or(Reply::error(errors::TIMEOUT_NOT_FLOAT))?;
    let ms = (secs * 1000.0) as i64;
    if ms < 0 {
        return Err(Reply::error(errors::TIMEOUT_NEGATIVE));
    }
    if ms == 0 {
        return Ok(None);
    }
    let now = ctx.now_ms();
    if ms > i64::MAX - now {
        return Err(Reply::error("ERR timeout is out of range"));
    }
    Ok(Some(now + ms))
}

/// BZPOPMIN / BZPOPMAX: pop one member, or block when every key is
/// missing (inside MULTI or a script they answer nil instead).
fn bzpop_generic(ctx: &mut Ctx, argv: &[Vec<u8>], end: End) -> CommandResult {
    let last = argv.len() - 1;
    let deadline = parse_timeout(ctx, &argv[last])?;
    let keys = &argv[1..last];
    Ok(match pop_first(ctx, keys, end, 1)? {
        Some((key, mut items)) => match items.pop() {
            Some((m, s)) => Reply::Array(vec![Reply::Bulk(key), Reply::Bulk(m), Reply::Double(s)]),
            None => Reply::NilArray,
        },
        None if ctx.may_block() => ctx.block_on(argv, keys.to_vec(), deadline),
        None => Reply::NilArray,
    })
}

/// BZPOPMIN key [key ...] timeout
fn bzpopmin(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    bzpop_generic(ctx, argv, End::Min)
}

/// BZPOPMAX key [key ...] timeout
fn bzpopmax(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    bzpop_generic(ctx, argv, End::Max)
}

/// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
///
/// The timeout is checked before the rest of the arguments.
fn bzmpop(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let deadline = parse_timeout(ctx, &argv[1])?;
    let p = MultiPop::parse(argv, 2)?;
    Ok(match pop_first(ctx, &p.keys, p.end, p.count)? {
        Some((key, items)) => mpop_reply(key, items),
        None if ctx.may_block() => ctx.block_on(argv, p.keys, deadline),
        None => Reply::NilArray,
    })
}

// ----- ZRANDMEMBER ------------------------------------------------------------

/// ZRANDMEMBER key [count [WITHSCORES]]
fn zrandmember(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let mut args = Args::new(argv, 2);
    let (mut count, mut withscores) = (None, false);
    if let Some(a) = args.next_arg() {
        count = Some(random_count(a)?);
        withscores = args.eat("withscores");
        args.finish()?;
    }
    // Twice the count of replies must stay representable.
    if withscores && count.is_some_and(|n| !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&n)) {
        return Err(Reply::error("ERR value is out of range"));
    }
    // A generator forked from the engine's, usable while the value is borrowed.
    let mut rng = Rng::new(ctx.rng().next_u64());
    let picks = match read_zset(ctx, &argv[1])? {
        None if count.is_some() => return Ok(Reply::Array(Vec::new())),
        None => return Ok(Reply::Nil),
        Some(z) => random_entries(&mut rng, z, count)?,
    };
    Ok(match picks {
        Picks::Nothing => Reply::Nil,
        Picks::One(member) => Reply::Bulk(member),
        Picks::Many(items) => scored_reply(ctx, items, withscores),
    })
}

/// What ZRANDMEMBER picked: without a count one member (or nothing),
/// with a count a list of entries.
enum Picks {
    Nothing,
    One(Vec<u8>),
    Many(Vec<(Vec<u8>, f64)>),
}

/// ZRANDMEMBER's selection: a negative count picks with repetition, a
/// positive one distinct members; a count covering the whole set answers
/// it from the highest score down, as Redis does.
fn random_entries(rng: &mut Rng, z: &ZSetValue, count: Option<i64>) -> Result<Picks, Reply> {
    let len = z.len();
    let Some(count) = count else {
        return Ok(z.nth(rng.index(len)).map_or(Picks::Nothing, |(m, _)| Picks::One(m)));
    };
    let items = if count == 0 {
        Vec::new()
    } else if count < 0 {
        let n = count.unsigned_abs();
        if n > MAX_RANDOM_PICKS {
            return Err(Reply::error(TOO_MANY_PICKS));
        }
        (0..n).filter_map(|_| z.nth(rng.index(len))).collect()
    } else if count as u64 >= len as u64 {
        let mut all = z.ranked();
        all.reverse();
        all
    } else {
        distinct_indexes(rng, len, count as usize).into_iter().filter_map(|i| z.nth(i)).collect()
    };
    Ok(Picks::Many(items))
}

// ----- ZUNION / ZINTER / ZDIFF ----------------------------------------------

/// Which command of the algebra is parsed: the operation, whether it
/// stores (no WITHSCORES) and whether it only counts (ZINTERCARD: LIMIT,
/// no WEIGHTS, AGGREGATE or WITHSCORES).
#[derive(Clone, Copy)]
struct AlgebraForm {
    op: SetOp,
    store: bool,
    card_only: bool,
}

/// The options after the keys of ZUNION / ZINTER / ZDIFF / ZINTERCARD.
struct AlgebraOptions {
    /// One per input key.
    weights: Vec<f64>,
    aggregate: Aggregate,
    withscores: bool,
    /// ZINTERCARD's LIMIT (0 = none).
    limit: usize,
}

impl AlgebraOptions {
    fn parse(args: &mut Args, setnum: usize, form: AlgebraForm) -> Result<AlgebraOptions, Reply> {
        let mut o =
            AlgebraOptions { weights: vec![1.0; setnum], aggregate: Aggregate::Sum, withscores: false, limit: 0 };
        let weighted = form.op != SetOp::Diff && !form.card_only;
        loop {
            if weighted && args.remaining() > setnum && args.eat("weights") {
                for w in o.weights.iter_mut() {
                    *w = crate::float::parse_f64(args.value()?)
                        .ok_or(Reply::error("ERR weight value is not a float"))?;
                }
            } else if weighted && args.remaining() >= 2 && args.eat("aggregate") {
                let v = args.value()?;
                o.aggregate = if args::is(v, "sum") {
                    Aggregate::Sum
                } else if args::is(v, "min") {
                    Aggregate::Min
                } else if args::is(v, "max") {
                    Aggregate::Max
                } else {
                    return Err(Reply::error(errors::SYNTAX));
                };
            } else if !form.store && !form.card_only && args.eat("withscores") {
                o.withscores = true;
            } else if form.card_only && args.remaining() >= 2 && args.eat("limit") {
                o.limit = match crate::float::parse_i64(args.value()?) {
                    Some(n) if n >= 0 => n as usize,
                    _ => return Err(Reply::error("ERR LIMIT can't be negative")),
                };
            } else {
                break;
            }
        }
        args.finish()?;
        Ok(o)
    }
}

/// Parses `numkeys key [key ...] [options]` from `argv[at]`, loading the
/// inputs (type errors come before option errors, as in Redis), and pairs
/// each input with its weight.
fn parse_algebra(
    ctx: &mut Ctx,
    argv: &[Vec<u8>],
    at: usize,
    form: AlgebraForm,
) -> Result<(Vec<(Operand, f64)>, AlgebraOptions), Reply> {
    let setnum = args::int(&argv[at])?;
    if setnum < 1 {
        let name = args::lower(&argv[0]);
        return Err(Reply::error(format!("ERR at least 1 input key is needed for '{name}' command")));
    }
    if setnum as u64 > (argv.len() - at - 1) as u64 {
        return Err(Reply::error(errors::SYNTAX));
    }
    let setnum = setnum as usize;
    let mut operands = Vec::with_capacity(setnum);
    for key in &argv[at + 1..at + 1 + setnum] {
        let found = if form.store { ctx.lookup_write(key) } else { ctx.lookup_read(key) };
        operands.push(match found.map(|e| &e.value) {
            None => Operand::Missing,
            Some(Value::ZSet(z)) => Operand::Sorted((**z).clone()),
            Some(Value::Set(s)) => Operand::Plain((**s).clone()),
            Some(_) => return Err(Reply::error(errors::WRONGTYPE)),
        });
    }
    let opts = AlgebraOptions::parse(&mut Args::new(argv, at + 1 + setnum), setnum, form)?;
    let inputs = operands.into_iter().zip(opts.weights.iter().copied()).collect();
    Ok((inputs, opts))
}

/// ZUNION / ZINTER / ZDIFF: the result as a reply.
fn algebra(ctx: &mut Ctx, argv: &[Vec<u8>], op: SetOp) -> CommandResult {
    let (inputs, opts) = parse_algebra(ctx, argv, 1, AlgebraForm { op, store: false, card_only: false })?;
    let result = zset::combine(inputs, op, opts.aggregate, zset_limits(ctx));
    Ok(scored_reply(ctx, result.ranked(), opts.withscores))
}

/// The *STORE forms: the result replaces `destination` (deleted when empty).
fn algebra_store(ctx: &mut Ctx, argv: &[Vec<u8>], op: SetOp, event: &str) -> CommandResult {
    let (inputs, opts) = parse_algebra(ctx, argv, 2, AlgebraForm { op, store: true, card_only: false })?;
    let result = zset::combine(inputs, op, opts.aggregate, zset_limits(ctx));
    Ok(Reply::Integer(store_zset(ctx, &argv[1], result, event)))
}

/// ZUNION numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
fn zunion(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    algebra(ctx, argv, SetOp::Union)
}

/// ZINTER numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
fn zinter(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    algebra(ctx, argv, SetOp::Inter)
}

/// ZDIFF numkeys key [key ...] [WITHSCORES]
fn zdiff(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    algebra(ctx, argv, SetOp::Diff)
}

/// ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]
fn zunionstore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    algebra_store(ctx, argv, SetOp::Union, "zunionstore")
}

/// ZINTERSTORE destination numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]
fn zinterstore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    algebra_store(ctx, argv, SetOp::Inter, "zinterstore")
}

/// ZDIFFSTORE destination numkeys key [key ...]
fn zdiffstore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    algebra_store(ctx, argv, SetOp::Diff, "zdiffstore")
}

/// ZINTERCARD numkeys key [key ...] [LIMIT limit]
fn zintercard(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let form = AlgebraForm { op: SetOp::Inter, store: false, card_only: true };
    let (inputs, opts) = parse_algebra(ctx, argv, 1, form)?;
    let n = zset::combine(inputs, SetOp::Inter, opts.aggregate, zset_limits(ctx)).len();
    Ok(Reply::Integer(if opts.limit > 0 { n.min(opts.limit) } else { n } as i64))
}

/// ZSCAN key cursor [MATCH pattern] [COUNT count]
///
/// A listpack-sized set answers in one page; a bigger one pages by rank.
fn zscan(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let cursor = scan_cursor(&argv[2])?;
    let Some(z) = read_zset(ctx, &argv[1])? else { return Ok(empty_scan()) };
    let opts = ScanOptions::parse(&mut Args::new(argv, 3))?;
    let (next, page) = match z {
        z if z.is_listpack() => (0, z.ranked()),
        z => {
            // Skiplist-sized sets page through ranks without copying the whole set.
            let start = usize::try_from(cursor).unwrap_or(usize::MAX).min(z.len());
            let end = start.saturating_add(opts.count).min(z.len());
            (if end >= z.len() { 0 } else { end as u64 }, z.range(start, end))
        }
    };
    let mut flat = Vec::with_capacity(page.len() * 2);
    for (m, s) in page {
        if opts.matches(&m) {
            flat.push(Reply::Bulk(m));
            flat.push(Reply::bulk(crate::float::format_double(s)));
        }
    }
    Ok(Reply::Array(vec![Reply::bulk(next.to_string()), Reply::Array(flat)]))
}
