//! Sorted set commands: ZADD ZINCRBY ZREM ZCARD ZSCORE ZMSCORE ZRANK
//! ZREVRANK ZCOUNT ZLEXCOUNT, the ZRANGE family (ZRANGE ZRANGESTORE
//! ZREVRANGE Z[REV]RANGEBYSCORE Z[REV]RANGEBYLEX), ZREMRANGEBY*, the pops
//! (ZPOPMIN ZPOPMAX ZMPOP and their blocking forms), ZRANDMEMBER, the set
//! algebra (ZUNION ZINTER ZDIFF, *STORE, ZINTERCARD) and ZSCAN.

use crate::args;
use crate::command::{flags::*, CommandSpec, Group, KeySpec};
use crate::commands::set::{distinct_indexes, parse_scan, MAX_RANDOM_PICKS, TOO_MANY_PICKS};
use crate::engine::Ctx;
use crate::errors;
use crate::notify;
use crate::reply::Reply;
use crate::resp::Protocol;
use crate::rng::Rng;
use crate::types::{SetValue, ZSetValue};
use crate::value::Value;

macro_rules! z {
    ($name:literal, $since:literal, $arity:expr, $flags:expr, $keys:expr, $handler:ident, $summary:literal, $syntax:literal) => {
        CommandSpec {
            name: $name,
            since: $since,
            arity: $arity,
            flags: $flags,
            group: Group::SortedSet,
            summary: $summary,
            syntax: $syntax,
            keys: $keys,
            handler: |c, a| Ok($handler(c, a)),
            ..CommandSpec::DEFAULT
        }
    };
}

const ALL_BUT_LAST: KeySpec = KeySpec { first: 1, last: -2, step: 1 };

pub const COMMANDS: &[CommandSpec] = &[
    z!(
        "zadd",
        "1.2.0",
        -4,
        WRITE | DENYOOM | FAST,
        KeySpec::ONE,
        zadd,
        "Adds members with scores to a sorted set, or updates their scores",
        "key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]"
    ),
    z!(
        "zincrby",
        "1.2.0",
        4,
        WRITE | DENYOOM | FAST,
        KeySpec::ONE,
        zincrby,
        "Adds to the score of a member of a sorted set",
        "key increment member"
    ),
    z!(
        "zrem",
        "1.2.0",
        -3,
        WRITE | FAST,
        KeySpec::ONE,
        zrem,
        "Removes members from a sorted set",
        "key member [member ...]"
    ),
    z!(
        "zcard",
        "1.2.0",
        2,
        READONLY | FAST,
        KeySpec::ONE,
        zcard,
        "Returns the number of members of a sorted set",
        "key"
    ),
    z!("zscore", "1.2.0", 3, READONLY | FAST, KeySpec::ONE, zscore, "Returns the score of a member", "key member"),
    z!(
        "zmscore",
        "6.2.0",
        -3,
        READONLY | FAST,
        KeySpec::ONE,
        zmscore,
        "Returns the scores of several members",
        "key member [member ...]"
    ),
    z!(
        "zrank",
        "2.0.0",
        3,
        READONLY | FAST,
        KeySpec::ONE,
        zrank,
        "Returns a member's position, lowest score first",
        "key member"
    ),
    z!(
        "zrevrank",
        "2.0.0",
        3,
        READONLY | FAST,
        KeySpec::ONE,
        zrevrank,
        "Returns a member's position, highest score first",
        "key member"
    ),
    z!(
        "zcount",
        "2.0.0",
        4,
        READONLY | FAST,
        KeySpec::ONE,
        zcount,
        "Counts the members with scores in a range",
        "key min max"
    ),
    z!(
        "zlexcount",
        "2.8.9",
        4,
        READONLY | FAST,
        KeySpec::ONE,
        zlexcount,
        "Counts the members in a lexicographical range",
        "key min max"
    ),
    z!(
        "zrange",
        "1.2.0",
        -4,
        READONLY,
        KeySpec::ONE,
        zrange,
        "Returns members in a range of ranks, scores or names",
        "key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]"
    ),
    z!(
        "zrangestore",
        "6.2.0",
        -5,
        WRITE | DENYOOM,
        KeySpec::TWO,
        zrangestore,
        "Stores a range of a sorted set in another key",
        "dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]"
    ),
    z!(
        "zrevrange",
        "1.2.0",
        -4,
        READONLY,
        KeySpec::ONE,
        zrevrange,
        "Returns members in a range of ranks, highest score first",
        "key start stop [WITHSCORES]"
    ),
    z!(
        "zrangebyscore",
        "1.0.5",
        -4,
        READONLY,
        KeySpec::ONE,
        zrangebyscore,
        "Returns members with scores in a range",
        "key min max [WITHSCORES] [LIMIT offset count]"
    ),
    z!(
        "zrevrangebyscore",
        "2.2.0",
        -4,
        READONLY,
        KeySpec::ONE,
        zrevrangebyscore,
        "Returns members with scores in a range, highest first",
        "key max min [WITHSCORES] [LIMIT offset count]"
    ),
    z!(
        "zrangebylex",
        "2.8.9",
        -4,
        READONLY,
        KeySpec::ONE,
        zrangebylex,
        "Returns members in a lexicographical range",
        "key min max [LIMIT offset count]"
    ),
    z!(
        "zrevrangebylex",
        "2.8.9",
        -4,
        READONLY,
        KeySpec::ONE,
        zrevrangebylex,
        "Returns members in a lexicographical range, last first",
        "key max min [LIMIT offset count]"
    ),
    z!(
        "zremrangebyrank",
        "2.0.0",
        4,
        WRITE,
        KeySpec::ONE,
        zremrangebyrank,
        "Removes the members in a range of ranks",
        "key start stop"
    ),
    z!(
        "zremrangebyscore",
        "1.2.0",
        4,
        WRITE,
        KeySpec::ONE,
        zremrangebyscore,
        "Removes the members with scores in a range",
        "key min max"
    ),
    z!(
        "zremrangebylex",
        "2.8.9",
        4,
        WRITE,
        KeySpec::ONE,
        zremrangebylex,
        "Removes the members in a lexicographical range",
        "key min max"
    ),
    z!(
        "zpopmin",
        "5.0.0",
        -2,
        WRITE | FAST,
        KeySpec::ONE,
        zpopmin,
        "Removes and returns the members with the lowest scores",
        "key [count]"
    ),
    z!(
        "zpopmax",
        "5.0.0",
        -2,
        WRITE | FAST,
        KeySpec::ONE,
        zpopmax,
        "Removes and returns the members with the highest scores",
        "key [count]"
    ),
    z!(
        "zmpop",
        "7.0.0",
        -4,
        WRITE | MOVABLE_KEYS,
        KeySpec::NONE,
        zmpop,
        "Pops members from the first non-empty sorted set of several",
        "numkeys key [key ...] MIN|MAX [COUNT count]"
    ),
    z!(
        "bzpopmin",
        "5.0.0",
        -3,
        WRITE | FAST | BLOCKING,
        ALL_BUT_LAST,
        bzpopmin,
        "Pops the lowest-scored member, waiting for one if needed",
        "key [key ...] timeout"
    ),
    z!(
        "bzpopmax",
        "5.0.0",
        -3,
        WRITE | FAST | BLOCKING,
        ALL_BUT_LAST,
        bzpopmax,
        "Pops the highest-scored member, waiting for one if needed",
        "key [key ...] timeout"
    ),
    z!(
        "bzmpop",
        "7.0.0",
        -5,
        WRITE | BLOCKING | MOVABLE_KEYS,
        KeySpec::NONE,
        bzmpop,
        "Pops members from the first non-empty sorted set, waiting if needed",
        "timeout numkeys key [key ...] MIN|MAX [COUNT count]"
    ),
    z!(
        "zrandmember",
        "6.2.0",
        -2,
        READONLY,
        KeySpec::ONE,
        zrandmember,
        "Returns random members of a sorted set",
        "key [count [WITHSCORES]]"
    ),
    z!(
        "zunion",
        "6.2.0",
        -3,
        READONLY | MOVABLE_KEYS,
        KeySpec::NONE,
        zunion,
        "Returns the union of sorted sets",
        "numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]"
    ),
    z!(
        "zinter",
        "6.2.0",
        -3,
        READONLY | MOVABLE_KEYS,
        KeySpec::NONE,
        zinter,
        "Returns the intersection of sorted sets",
        "numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]"
    ),
    z!(
        "zdiff",
        "6.2.0",
        -3,
        READONLY | MOVABLE_KEYS,
        KeySpec::NONE,
        zdiff,
        "Returns the members of the first sorted set missing from the others",
        "numkeys key [key ...] [WITHSCORES]"
    ),
    z!(
        "zunionstore",
        "2.0.0",
        -4,
        WRITE | DENYOOM | MOVABLE_KEYS,
        KeySpec::ONE,
        zunionstore,
        "Stores the union of sorted sets",
        "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX]"
    ),
    z!(
        "zinterstore",
        "2.0.0",
        -4,
        WRITE | DENYOOM | MOVABLE_KEYS,
        KeySpec::ONE,
        zinterstore,
        "Stores the intersection of sorted sets",
        "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX]"
    ),
    z!(
        "zdiffstore",
        "6.2.0",
        -4,
        WRITE | DENYOOM | MOVABLE_KEYS,
        KeySpec::ONE,
        zdiffstore,
        "Stores the difference of sorted sets",
        "destination numkeys key [key ...]"
    ),
    z!(
        "zintercard",
        "7.0.0",
        -3,
        READONLY | MOVABLE_KEYS,
        KeySpec::NONE,
        zintercard,
        "Counts the members common to several sorted sets",
        "numkeys key [key ...] [LIMIT limit]"
    ),
    z!(
        "zscan",
        "2.8.0",
        -3,
        READONLY,
        KeySpec::ONE,
        zscan,
        "Iterates over the members and scores of a sorted set",
        "key cursor [MATCH pattern] [COUNT count]"
    ),
];

// ----- shared helpers ------------------------------------------------------

pub(crate) fn read_zset<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a mut ZSetValue>, Reply> {
    ctx.read_as(key)
}

pub(crate) fn write_zset<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a mut ZSetValue>, Reply> {
    ctx.write_as(key)
}

/// (zset-max-listpack-entries, zset-max-listpack-value).
pub(crate) fn limits(ctx: &Ctx) -> (usize, usize) {
    (ctx.config().zset_max_listpack_entries, ctx.config().zset_max_listpack_value)
}

fn resp3(ctx: &Ctx) -> bool {
    ctx.client.protocol == Protocol::Resp3
}

/// Members, or members and scores: flat in RESP2, [member, score] pairs in RESP3.
pub(crate) fn scored_reply(ctx: &Ctx, items: Vec<(Vec<u8>, f64)>, withscores: bool) -> Reply {
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

/// Stores a computed sorted set in `dst` (or deletes `dst` when it is
/// empty), with the event Redis sends. Returns the stored size.
pub(crate) fn store_result(ctx: &mut Ctx, dst: &[u8], mut result: ZSetValue, event: &str) -> i64 {
    let n = result.len() as i64;
    if n == 0 {
        if ctx.delete_key(dst) {
            ctx.notify(notify::GENERIC, "del", dst);
        }
        return 0;
    }
    let (entries, value) = limits(ctx);
    result.fit_encoding(entries, value);
    ctx.set_key(dst, Value::ZSet(Box::new(result)), false);
    ctx.notify(notify::ZSET, event, dst);
    ctx.signal_ready(dst);
    n
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

/// A score interval: bounds and whether each is exclusive.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ScoreRange {
    pub min: f64,
    pub max: f64,
    pub minex: bool,
    pub maxex: bool,
}

fn parse_score_bound(b: &[u8]) -> Option<(f64, bool)> {
    match b.strip_prefix(b"(") {
        Some(rest) => parse_strtod(rest).map(|v| (v, true)),
        None => parse_strtod(b).map(|v| (v, false)),
    }
}

pub(crate) fn parse_score_range(min: &[u8], max: &[u8]) -> Result<ScoreRange, Reply> {
    match (parse_score_bound(min), parse_score_bound(max)) {
        (Some((min, minex)), Some((max, maxex))) => Ok(ScoreRange { min, max, minex, maxex }),
        _ => Err(Reply::error("ERR min or max is not a float")),
    }
}

/// A lexicographical bound.
#[derive(Clone, Debug)]
enum LexBound {
    NegInf,
    PosInf,
    Incl(Vec<u8>),
    Excl(Vec<u8>),
}

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

/// Ranks `lo..hi` of the members with scores inside `r`.
pub(crate) fn score_span(z: &ZSetValue, r: &ScoreRange) -> (usize, usize) {
    let lo = z.count_score_below(r.min, r.minex);
    let hi = z.count_score_below(r.max, !r.maxex);
    (lo, hi.max(lo))
}

fn lex_span(z: &ZSetValue, min: &LexBound, max: &LexBound) -> (usize, usize) {
    let lo = match min {
        LexBound::NegInf => 0,
        LexBound::PosInf => z.len(),
        LexBound::Incl(m) => z.count_lex_below(m, false),
        LexBound::Excl(m) => z.count_lex_below(m, true),
    };
    let hi = match max {
        LexBound::NegInf => 0,
        LexBound::PosInf => z.len(),
        LexBound::Incl(m) => z.count_lex_below(m, true),
        LexBound::Excl(m) => z.count_lex_below(m, false),
    };
    (lo, hi.max(lo))
}

/// Redis's rank normalisation (negative = from the end); None if empty.
fn rank_span(len: usize, start: i64, end: i64) -> Option<(usize, usize)> {
    let llen = len as i64;
    let mut start = if start < 0 { llen.saturating_add(start) } else { start };
    let mut end = if end < 0 { llen.saturating_add(end) } else { end };
    if start < 0 {
        start = 0;
    }
    if start > end || start >= llen {
        return None;
    }
    if end >= llen {
        end = llen - 1;
    }
    Some((start as usize, end as usize + 1))
}

// ----- ZADD / ZINCRBY / ZREM ------------------------------------------------

#[derive(Default, Clone, Copy)]
struct AddFlags {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
    ch: bool,
    incr: bool,
}

/// What happened to one member in [`add_one`].
enum AddOutcome {
    Added(f64),
    Updated(f64),
    Unchanged(f64),
    Skipped,
}

/// Redis's `zsetAdd` for one member (`score` is the increment with INCR).
fn add_one(
    z: &mut ZSetValue,
    member: &[u8],
    score: f64,
    f: AddFlags,
    lim: (usize, usize),
) -> Result<AddOutcome, Reply> {
    match z.score(member) {
        Some(cur) => {
            if f.nx {
                return Ok(AddOutcome::Skipped);
            }
            let new = if f.incr { cur + score } else { score };
            if new.is_nan() {
                return Err(Reply::error("ERR resulting score is not a number (NaN)"));
            }
            if (f.lt && new >= cur) || (f.gt && new <= cur) {
                return Ok(AddOutcome::Skipped);
            }
            if new != cur {
                z.insert(member, new, lim);
                Ok(AddOutcome::Updated(new))
            } else {
                Ok(AddOutcome::Unchanged(new))
            }
        }
        None => {
            if f.xx {
                return Ok(AddOutcome::Skipped);
            }
            z.insert(member, score, lim);
            Ok(AddOutcome::Added(score))
        }
    }
}

/// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
fn zadd(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    zadd_generic(ctx, argv, AddFlags::default())
}

/// ZINCRBY key increment member
fn zincrby(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    zadd_generic(ctx, argv, AddFlags { incr: true, ..AddFlags::default() })
}

fn zadd_generic(ctx: &mut Ctx, argv: &[Vec<u8>], mut f: AddFlags) -> Reply {
    let key = &argv[1];
    let mut i = 2;
    while i < argv.len() {
        let a = &argv[i];
        if args::is(a, "nx") {
            f.nx = true;
        } else if args::is(a, "xx") {
            f.xx = true;
        } else if args::is(a, "gt") {
            f.gt = true;
        } else if args::is(a, "lt") {
            f.lt = true;
        } else if args::is(a, "ch") {
            f.ch = true;
        } else if args::is(a, "incr") {
            f.incr = true;
        } else {
            break;
        }
        i += 1;
    }
    let pairs = &argv[i..];
    if pairs.is_empty() || !pairs.len().is_multiple_of(2) {
        return Reply::error(errors::SYNTAX);
    }
    if f.incr && pairs.len() > 2 {
        return Reply::error("ERR INCR option supports a single increment-element pair");
    }
    if f.nx && f.xx {
        return Reply::error("ERR XX and NX options at the same time are not compatible");
    }
    if (f.gt || f.lt) && (f.nx || (f.gt && f.lt)) {
        return Reply::error("ERR GT, LT, and/or NX options at the same time are not compatible");
    }
    let mut scores = Vec::with_capacity(pairs.len() / 2);
    for p in pairs.chunks(2) {
        match args::float(&p[0]) {
            Ok(s) => scores.push(s),
            Err(e) => return e,
        }
    }
    let lim = limits(ctx);
    let event = if f.incr { "zincr" } else { "zadd" };
    let exists = match write_zset(ctx, key) {
        Err(e) => return e,
        Ok(z) => z.is_some(),
    };
    if !exists {
        if f.xx {
            return if f.incr { Reply::Nil } else { Reply::Integer(0) };
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
            match add_one(z, &p[1], score, f, lim) {
                Err(e) => {
                    failure = Some(e);
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
        return e;
    }
    if f.incr {
        if processed > 0 {
            Reply::Double(last_score)
        } else {
            Reply::Nil
        }
    } else {
        Reply::Integer(if f.ch { added + updated } else { added })
    }
}

/// ZREM key member [member ...]
fn zrem(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let key = &argv[1];
    let (removed, empty) = match write_zset(ctx, key) {
        Err(e) => return e,
        Ok(None) => return Reply::Integer(0),
        Ok(Some(z)) => {
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
    Reply::Integer(removed)
}

// ----- simple reads ---------------------------------------------------------

/// ZCARD key
fn zcard(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    match read_zset(ctx, &argv[1]) {
        Err(e) => e,
        Ok(z) => Reply::Integer(z.map_or(0, |z| z.len()) as i64),
    }
}

/// ZSCORE key member
fn zscore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    match read_zset(ctx, &argv[1]) {
        Err(e) => e,
        Ok(z) => z.and_then(|z| z.score(&argv[2])).map_or(Reply::Nil, Reply::Double),
    }
}

/// ZMSCORE key member [member ...]
fn zmscore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    match read_zset(ctx, &argv[1]) {
        Err(e) => e,
        Ok(z) => {
            let z = z.map(|z| &*z);
            Reply::Array(
                argv[2..].iter().map(|m| z.and_then(|z| z.score(m)).map_or(Reply::Nil, Reply::Double)).collect(),
            )
        }
    }
}

fn rank_generic(ctx: &mut Ctx, argv: &[Vec<u8>], reverse: bool) -> Reply {
    match read_zset(ctx, &argv[1]) {
        Err(e) => e,
        Ok(None) => Reply::Nil,
        Ok(Some(z)) => match z.rank(&argv[2]) {
            None => Reply::Nil,
            Some(r) => Reply::Integer(if reverse { z.len() - 1 - r } else { r } as i64),
        },
    }
}

/// ZRANK key member
fn zrank(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    rank_generic(ctx, argv, false)
}

/// ZREVRANK key member
fn zrevrank(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    rank_generic(ctx, argv, true)
}

/// ZCOUNT key min max
fn zcount(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let range = match parse_score_range(&argv[2], &argv[3]) {
        Ok(r) => r,
        Err(e) => return e,
    };
    match read_zset(ctx, &argv[1]) {
        Err(e) => e,
        Ok(None) => Reply::Integer(0),
        Ok(Some(z)) => {
            let (lo, hi) = score_span(z, &range);
            Reply::Integer((hi - lo) as i64)
        }
    }
}

/// ZLEXCOUNT key min max
fn zlexcount(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let (min, max) = match parse_lex_range(&argv[2], &argv[3]) {
        Ok(r) => r,
        Err(e) => return e,
    };
    match read_zset(ctx, &argv[1]) {
        Err(e) => e,
        Ok(None) => Reply::Integer(0),
        Ok(Some(z)) => {
            let (lo, hi) = lex_span(z, &min, &max);
            Reply::Integer((hi - lo) as i64)
        }
    }
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

/// Redis's `zrangeGenericCommand`: `at` is the index of the source key;
/// `dst` is set for ZRANGESTORE.
fn zrange_generic(
    ctx: &mut Ctx,
    argv: &[Vec<u8>],
    at: usize,
    dst: Option<&[u8]>,
    mut by: RangeBy,
    mut dir: Direction,
) -> Reply {
    let key = &argv[at];
    let (mut min_i, mut max_i) = (at + 1, at + 2);
    let mut withscores = false;
    let (mut offset, mut limit) = (0i64, -1i64);
    let mut j = at + 3;
    while j < argv.len() {
        let left = argv.len() - j - 1;
        let a = &argv[j];
        if dst.is_none() && args::is(a, "withscores") {
            withscores = true;
        } else if args::is(a, "limit") && left >= 2 {
            offset = match args::int(&argv[j + 1]) {
                Ok(v) => v,
                Err(e) => return e,
            };
            limit = match args::int(&argv[j + 2]) {
                Ok(v) => v,
                Err(e) => return e,
            };
            j += 2;
        } else if dir == Direction::Auto && args::is(a, "rev") {
            dir = Direction::Reverse;
        } else if by == RangeBy::Auto && args::is(a, "bylex") {
            by = RangeBy::Lex;
        } else if by == RangeBy::Auto && args::is(a, "byscore") {
            by = RangeBy::Score;
        } else {
            return Reply::error(errors::SYNTAX);
        }
        j += 1;
    }
    if dir == Direction::Auto {
        dir = Direction::Forward;
    }
    if by == RangeBy::Auto {
        by = RangeBy::Rank;
    }
    if limit != -1 && by == RangeBy::Rank {
        return Reply::error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
    }
    if withscores && by == RangeBy::Lex {
        return Reply::error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    }
    let reverse = dir == Direction::Reverse;
    if reverse && by != RangeBy::Rank {
        std::mem::swap(&mut min_i, &mut max_i);
    }
    enum Spec {
        Rank(i64, i64),
        Score(ScoreRange),
        Lex(LexBound, LexBound),
    }
    let spec = match by {
        RangeBy::Score => match parse_score_range(&argv[min_i], &argv[max_i]) {
            Ok(r) => Spec::Score(r),
            Err(e) => return e,
        },
        RangeBy::Lex => match parse_lex_range(&argv[min_i], &argv[max_i]) {
            Ok((a, b)) => Spec::Lex(a, b),
            Err(e) => return e,
        },
        _ => match (args::int(&argv[min_i]), args::int(&argv[max_i])) {
            (Ok(a), Ok(b)) => Spec::Rank(a, b),
            (Err(e), _) | (_, Err(e)) => return e,
        },
    };
    let z = match read_zset(ctx, key) {
        Err(e) => return e,
        Ok(z) => z,
    };
    let items =
        match z {
            None => Vec::new(),
            Some(z) => {
                let span =
                    match &spec {
                        Spec::Rank(s, e) => rank_span(z.len(), *s, *e).map(|(lo, hi)| {
                            if reverse {
                                (z.len() - hi, z.len() - lo)
                            } else {
                                (lo, hi)
                            }
                        }),
                        Spec::Score(r) => Some(score_span(z, r)),
                        Spec::Lex(a, b) => Some(lex_span(z, a, b)),
                    };
                match span {
                    None => Vec::new(),
                    Some((lo, hi)) if by == RangeBy::Rank => take_span(z, lo, hi, 0, -1, reverse),
                    Some((lo, hi)) => take_span(z, lo, hi, offset, limit, reverse),
                }
            }
        };
    match dst {
        Some(dst) => {
            let lim = limits(ctx);
            let mut result = ZSetValue::new();
            for (m, s) in &items {
                result.insert(m, *s, lim);
            }
            Reply::Integer(store_result(ctx, dst, result, "zrangestore"))
        }
        None => scored_reply(ctx, items, withscores),
    }
}

/// Ranks `lo..hi` in the requested direction, after skipping `offset` and
/// keeping at most `limit` (negative = all), as Redis's LIMIT does.
fn take_span(z: &ZSetValue, lo: usize, hi: usize, offset: i64, limit: i64, reverse: bool) -> Vec<(Vec<u8>, f64)> {
    if offset < 0 || lo >= hi {
        return Vec::new();
    }
    let len = hi - lo;
    let skip = usize::try_from(offset).unwrap_or(usize::MAX).min(len);
    let take = if limit < 0 { len - skip } else { usize::try_from(limit).unwrap_or(usize::MAX).min(len - skip) };
    if reverse {
        let mut v = z.range(hi - skip - take, hi - skip);
        v.reverse();
        v
    } else {
        z.range(lo + skip, lo + skip + take)
    }
}

/// ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
fn zrange(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    zrange_generic(ctx, argv, 1, None, RangeBy::Auto, Direction::Auto)
}

/// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]
fn zrangestore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let dst = argv[1].clone();
    zrange_generic(ctx, argv, 2, Some(&dst), RangeBy::Auto, Direction::Auto)
}

/// ZREVRANGE key start stop [WITHSCORES]
fn zrevrange(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    zrange_generic(ctx, argv, 1, None, RangeBy::Rank, Direction::Reverse)
}

/// ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
fn zrangebyscore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    zrange_generic(ctx, argv, 1, None, RangeBy::Score, Direction::Forward)
}

/// ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]
fn zrevrangebyscore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    zrange_generic(ctx, argv, 1, None, RangeBy::Score, Direction::Reverse)
}

/// ZRANGEBYLEX key min max [LIMIT offset count]
fn zrangebylex(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    zrange_generic(ctx, argv, 1, None, RangeBy::Lex, Direction::Forward)
}

/// ZREVRANGEBYLEX key max min [LIMIT offset count]
fn zrevrangebylex(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    zrange_generic(ctx, argv, 1, None, RangeBy::Lex, Direction::Reverse)
}

// ----- ZREMRANGEBY* ---------------------------------------------------------

fn remove_span(
    ctx: &mut Ctx,
    key: &[u8],
    span: impl FnOnce(&ZSetValue) -> Option<(usize, usize)>,
    event: &str,
) -> Reply {
    let (removed, empty) = match write_zset(ctx, key) {
        Err(e) => return e,
        Ok(None) => return Reply::Integer(0),
        Ok(Some(z)) => match span(z) {
            Some((lo, hi)) if lo < hi => {
                for (m, _) in z.range(lo, hi) {
                    z.remove(&m);
                }
                (hi - lo, z.is_empty())
            }
            _ => return Reply::Integer(0),
        },
    };
    ctx.key_modified(key);
    ctx.notify(notify::ZSET, event, key);
    drop_if_empty(ctx, key, empty);
    Reply::Integer(removed as i64)
}

/// ZREMRANGEBYRANK key start stop
fn zremrangebyrank(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let (start, end) = match (args::int(&argv[2]), args::int(&argv[3])) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    remove_span(ctx, &argv[1], |z| rank_span(z.len(), start, end), "zremrangebyrank")
}

/// ZREMRANGEBYSCORE key min max
fn zremrangebyscore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let range = match parse_score_range(&argv[2], &argv[3]) {
        Ok(r) => r,
        Err(e) => return e,
    };
    remove_span(ctx, &argv[1], |z| Some(score_span(z, &range)), "zremrangebyscore")
}

/// ZREMRANGEBYLEX key min max
fn zremrangebylex(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let (min, max) = match parse_lex_range(&argv[2], &argv[3]) {
        Ok(r) => r,
        Err(e) => return e,
    };
    remove_span(ctx, &argv[1], |z| Some(lex_span(z, &min, &max)), "zremrangebylex")
}

// ----- pops -----------------------------------------------------------------

#[derive(Clone, Copy, PartialEq)]
enum End {
    Min,
    Max,
}

/// A key and the (member, score) pairs popped from it.
type Popped = (Vec<u8>, Vec<(Vec<u8>, f64)>);

/// Pops up to `count` members from the first existing sorted set of `keys`.
/// Returns None when none of the keys exists.
fn pop_first(ctx: &mut Ctx, keys: &[Vec<u8>], end: End, count: usize) -> Result<Option<Popped>, Reply> {
    for key in keys {
        let (items, empty) = match write_zset(ctx, key)? {
            None => continue,
            Some(z) => {
                let n = count.min(z.len());
                let items = if end == End::Min {
                    z.range(0, n)
                } else {
                    let mut v = z.range(z.len() - n, z.len());
                    v.reverse();
                    v
                };
                for (m, _) in &items {
                    z.remove(m);
                }
                (items, z.is_empty())
            }
        };
        ctx.notify(notify::ZSET, if end == End::Min { "zpopmin" } else { "zpopmax" }, key);
        drop_if_empty(ctx, key, empty);
        ctx.key_modified(key);
        return Ok(Some((key.clone(), items)));
    }
    Ok(None)
}

fn zpop_generic(ctx: &mut Ctx, argv: &[Vec<u8>], end: End) -> Reply {
    if argv.len() > 3 {
        return Reply::error(errors::SYNTAX);
    }
    let count = match argv.get(2) {
        None => None,
        Some(a) => match crate::float::parse_i64(a) {
            Some(n) if n >= 0 => Some(n as usize),
            _ => return Reply::error(errors::NOT_POSITIVE),
        },
    };
    if count == Some(0) {
        return match write_zset(ctx, &argv[1]) {
            Err(e) => e,
            Ok(_) => Reply::Array(Vec::new()),
        };
    }
    match pop_first(ctx, &argv[1..2], end, count.unwrap_or(1)) {
        Err(e) => e,
        Ok(None) => Reply::Array(Vec::new()),
        Ok(Some((_, items))) => {
            if count.is_none() {
                scored_reply(ctx, items, true).flattened_pairs()
            } else {
                scored_reply(ctx, items, true)
            }
        }
    }
}

trait FlattenPairs {
    fn flattened_pairs(self) -> Reply;
}

impl FlattenPairs for Reply {
    /// `[[m, s]]` → `[m, s]` (ZPOPMIN without a count answers flat in RESP3).
    fn flattened_pairs(self) -> Reply {
        match self {
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
}

/// ZPOPMIN key [count]
fn zpopmin(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    zpop_generic(ctx, argv, End::Min)
}

/// ZPOPMAX key [count]
fn zpopmax(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    zpop_generic(ctx, argv, End::Max)
}

/// `[key, [[member, score], ...]]`, as ZMPOP and BZMPOP answer.
fn mpop_reply(key: Vec<u8>, items: Vec<(Vec<u8>, f64)>) -> Reply {
    Reply::Array(vec![
        Reply::Bulk(key),
        Reply::Array(items.into_iter().map(|(m, s)| Reply::Array(vec![Reply::Bulk(m), Reply::Double(s)])).collect()),
    ])
}

/// Parses `numkeys key [key ...] MIN|MAX [COUNT count]` from `argv[at]`.
fn parse_mpop(argv: &[Vec<u8>], at: usize) -> Result<(Vec<Vec<u8>>, End, usize), Reply> {
    let numkeys = match argv.get(at).and_then(|a| crate::float::parse_i64(a)) {
        Some(n) if n >= 1 => n as u64,
        _ => return Err(Reply::error("ERR numkeys should be greater than 0")),
    };
    let where_i = (at as u64 + 1).saturating_add(numkeys);
    if where_i >= argv.len() as u64 {
        return Err(Reply::error(errors::SYNTAX));
    }
    let where_i = where_i as usize;
    let end = if args::is(&argv[where_i], "min") {
        End::Min
    } else if args::is(&argv[where_i], "max") {
        End::Max
    } else {
        return Err(Reply::error(errors::SYNTAX));
    };
    let mut count = None;
    let mut j = where_i + 1;
    while j < argv.len() {
        if count.is_none() && args::is(&argv[j], "count") && j + 1 < argv.len() {
            count = match crate::float::parse_i64(&argv[j + 1]) {
                Some(n) if n >= 1 => Some(n as usize),
                _ => return Err(Reply::error("ERR count should be greater than 0")),
            };
            j += 2;
        } else {
            return Err(Reply::error(errors::SYNTAX));
        }
    }
    Ok((argv[at + 1..where_i].to_vec(), end, count.unwrap_or(1)))
}

/// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
fn zmpop(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let (keys, end, count) = match parse_mpop(argv, 1) {
        Ok(p) => p,
        Err(e) => return e,
    };
    match pop_first(ctx, &keys, end, count) {
        Err(e) => e,
        Ok(None) => Reply::NilArray,
        Ok(Some((key, items))) => mpop_reply(key, items),
    }
}

/// Parses a blocking timeout in seconds into an absolute deadline (None = forever).
pub(crate) fn parse_timeout(ctx: &Ctx, arg: &[u8]) -> Result<Option<i64>, Reply> {
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

fn bzpop_generic(ctx: &mut Ctx, argv: &[Vec<u8>], end: End) -> Reply {
    let last = argv.len() - 1;
    let deadline = match parse_timeout(ctx, &argv[last]) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let keys = &argv[1..last];
    match pop_first(ctx, keys, end, 1) {
        Err(e) => e,
        Ok(Some((key, mut items))) => match items.pop() {
            Some((m, s)) => Reply::Array(vec![Reply::Bulk(key), Reply::Bulk(m), Reply::Double(s)]),
            None => Reply::NilArray,
        },
        Ok(None) if ctx.may_block() => ctx.block_on(argv, keys.to_vec(), deadline),
        Ok(None) => Reply::NilArray,
    }
}

/// BZPOPMIN key [key ...] timeout
fn bzpopmin(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    bzpop_generic(ctx, argv, End::Min)
}

/// BZPOPMAX key [key ...] timeout
fn bzpopmax(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    bzpop_generic(ctx, argv, End::Max)
}

/// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
fn bzmpop(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let deadline = match parse_timeout(ctx, &argv[1]) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let (keys, end, count) = match parse_mpop(argv, 2) {
        Ok(p) => p,
        Err(e) => return e,
    };
    match pop_first(ctx, &keys, end, count) {
        Err(e) => e,
        Ok(Some((key, items))) => mpop_reply(key, items),
        Ok(None) if ctx.may_block() => ctx.block_on(argv, keys, deadline),
        Ok(None) => Reply::NilArray,
    }
}

// ----- ZRANDMEMBER ------------------------------------------------------------

/// ZRANDMEMBER key [count [WITHSCORES]]
fn zrandmember(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let mut count = None;
    let mut withscores = false;
    if let Some(a) = argv.get(2) {
        match args::int(a) {
            Err(e) => return e,
            Ok(i64::MIN) => {
                return Reply::error(
                    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
                )
            }
            Ok(n) => count = Some(n),
        }
        if argv.len() > 4 || (argv.len() == 4 && !args::is(&argv[3], "withscores")) {
            return Reply::error(errors::SYNTAX);
        }
        withscores = argv.len() == 4;
    }
    // A generator forked from the engine's, usable while the value is borrowed.
    let mut rng = Rng::new(ctx.rng().next_u64());
    let picked = match read_zset(ctx, &argv[1]) {
        Err(e) => Err(e),
        Ok(None) if count.is_some() => Err(Reply::Array(Vec::new())),
        Ok(None) => Err(Reply::Nil),
        Ok(Some(z)) => random_entries(&mut rng, z, count),
    };
    let items = match picked {
        Err(reply) => return reply,
        Ok(None) => return Reply::Nil,
        Ok(Some(Err(member))) => return Reply::Bulk(member),
        Ok(Some(Ok(items))) => items,
    };
    scored_reply(ctx, items, withscores)
}

/// One member (no count: `Err(member)`) or the picks for `count`.
type Picks = Option<Result<Vec<(Vec<u8>, f64)>, Vec<u8>>>;

/// ZRANDMEMBER's selection: a negative count picks with repetition, a
/// positive one distinct members; a count covering the whole set answers
/// it from the highest score down, as Redis does.
fn random_entries(rng: &mut Rng, z: &ZSetValue, count: Option<i64>) -> Result<Picks, Reply> {
    let len = z.len();
    let Some(count) = count else {
        return Ok(z.nth(rng.index(len)).map(|(m, _)| Err(m)));
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
    Ok(Some(Ok(items)))
}

// ----- ZUNION / ZINTER / ZDIFF ----------------------------------------------

#[derive(Clone, Copy, PartialEq)]
enum SetOp {
    Union,
    Inter,
    Diff,
}

#[derive(Clone, Copy, PartialEq)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

/// One input of the set algebra: a sorted set, or a plain set whose members
/// all score 1.
enum Source {
    Missing,
    Sorted(ZSetValue),
    Plain(SetValue),
}

impl Source {
    fn len(&self) -> usize {
        match self {
            Source::Missing => 0,
            Source::Sorted(z) => z.len(),
            Source::Plain(s) => s.len(),
        }
    }

    fn score(&self, member: &[u8]) -> Option<f64> {
        match self {
            Source::Missing => None,
            Source::Sorted(z) => z.score(member),
            Source::Plain(s) => s.contains(member).then_some(1.0),
        }
    }

    fn items(&self) -> Vec<(Vec<u8>, f64)> {
        match self {
            Source::Missing => Vec::new(),
            Source::Sorted(z) => z.ranked(),
            Source::Plain(s) => s.members().into_iter().map(|m| (m, 1.0)).collect(),
        }
    }
}

fn aggregate(acc: &mut f64, v: f64, how: Aggregate) {
    match how {
        Aggregate::Sum => {
            *acc += v;
            if acc.is_nan() {
                *acc = 0.0;
            }
        }
        Aggregate::Min => *acc = acc.min(v),
        Aggregate::Max => *acc = acc.max(v),
    }
}

struct AlgebraArgs {
    sources: Vec<(Source, f64)>,
    aggregate: Aggregate,
    withscores: bool,
    limit: usize,
}

/// Parses `numkeys key [key ...] [options]` from `argv[at]`, loading the
/// inputs (type errors come before option errors, as in Redis).
fn parse_algebra(
    ctx: &mut Ctx,
    argv: &[Vec<u8>],
    at: usize,
    op: SetOp,
    store: bool,
    card_only: bool,
) -> Result<AlgebraArgs, Reply> {
    let setnum = args::int(&argv[at])?;
    if setnum < 1 {
        let name = args::lower(&argv[0]);
        return Err(Reply::error(format!("ERR at least 1 input key is needed for '{name}' command")));
    }
    if setnum as u64 > (argv.len() - at - 1) as u64 {
        return Err(Reply::error(errors::SYNTAX));
    }
    let setnum = setnum as usize;
    let mut sources = Vec::with_capacity(setnum);
    for key in &argv[at + 1..at + 1 + setnum] {
        let found = if store { ctx.lookup_write(key) } else { ctx.lookup_read(key) };
        let src = match found.map(|e| &e.value) {
            None => Source::Missing,
            Some(Value::ZSet(z)) => Source::Sorted((**z).clone()),
            Some(Value::Set(s)) => Source::Plain((**s).clone()),
            Some(_) => return Err(Reply::error(errors::WRONGTYPE)),
        };
        sources.push((src, 1.0));
    }
    let mut out = AlgebraArgs { sources, aggregate: Aggregate::Sum, withscores: false, limit: 0 };
    let mut j = at + 1 + setnum;
    while j < argv.len() {
        let remaining = argv.len() - j;
        let a = &argv[j];
        if op != SetOp::Diff && !card_only && remaining > setnum && args::is(a, "weights") {
            j += 1;
            for i in 0..setnum {
                out.sources[i].1 =
                    crate::float::parse_f64(&argv[j]).ok_or(Reply::error("ERR weight value is not a float"))?;
                j += 1;
            }
        } else if op != SetOp::Diff && !card_only && remaining >= 2 && args::is(a, "aggregate") {
            let v = &argv[j + 1];
            out.aggregate = if args::is(v, "sum") {
                Aggregate::Sum
            } else if args::is(v, "min") {
                Aggregate::Min
            } else if args::is(v, "max") {
                Aggregate::Max
            } else {
                return Err(Reply::error(errors::SYNTAX));
            };
            j += 2;
        } else if !store && !card_only && args::is(a, "withscores") {
            out.withscores = true;
            j += 1;
        } else if card_only && remaining >= 2 && args::is(a, "limit") {
            out.limit = match crate::float::parse_i64(&argv[j + 1]) {
                Some(n) if n >= 0 => n as usize,
                _ => return Err(Reply::error("ERR LIMIT can't be negative")),
            };
            j += 2;
        } else {
            return Err(Reply::error(errors::SYNTAX));
        }
    }
    Ok(out)
}

/// Computes the union, intersection or difference as a new sorted set.
fn compute_algebra(a: &mut AlgebraArgs, op: SetOp, lim: (usize, usize)) -> ZSetValue {
    let mut result = ZSetValue::new_skiplist();
    let weighted = |s: f64, w: f64| {
        let v = s * w;
        if v.is_nan() {
            0.0
        } else {
            v
        }
    };
    match op {
        SetOp::Union => {
            a.sources.sort_by_key(|(s, _)| s.len());
            let mut acc: hashbrown::HashMap<Vec<u8>, f64> = hashbrown::HashMap::new();
            let mut order: Vec<Vec<u8>> = Vec::new();
            for (src, w) in &a.sources {
                for (m, s) in src.items() {
                    let v = weighted(s, *w);
                    match acc.get_mut(&m) {
                        Some(cur) => aggregate(cur, v, a.aggregate),
                        None => {
                            acc.insert(m.clone(), v);
                            order.push(m);
                        }
                    }
                }
            }
            for m in order {
                if let Some(s) = acc.get(&m) {
                    result.insert(&m, *s, lim);
                }
            }
        }
        SetOp::Inter => {
            if a.sources.iter().any(|(s, _)| matches!(s, Source::Missing)) {
                return result;
            }
            a.sources.sort_by_key(|(s, _)| s.len());
            let Some(((first, w0), rest)) = a.sources.split_first() else { return result };
            'members: for (m, s) in first.items() {
                let mut score = weighted(s, *w0);
                for (src, w) in rest {
                    // Only the first input's product is cleared of NaN (Redis does the same).
                    match src.score(&m) {
                        Some(v) => aggregate(&mut score, v * *w, a.aggregate),
                        None => continue 'members,
                    }
                }
                result.insert(&m, score, lim);
            }
        }
        SetOp::Diff => {
            if let Some(((first, _), rest)) = a.sources.split_first() {
                for (m, s) in first.items() {
                    if !rest.iter().any(|(src, _)| src.score(&m).is_some()) {
                        result.insert(&m, s, lim);
                    }
                }
            }
        }
    }
    result
}

fn algebra(ctx: &mut Ctx, argv: &[Vec<u8>], op: SetOp) -> Reply {
    let mut a = match parse_algebra(ctx, argv, 1, op, false, false) {
        Ok(a) => a,
        Err(e) => return e,
    };
    let result = compute_algebra(&mut a, op, limits(ctx));
    scored_reply(ctx, result.ranked(), a.withscores)
}

fn algebra_store(ctx: &mut Ctx, argv: &[Vec<u8>], op: SetOp, event: &str) -> Reply {
    let mut a = match parse_algebra(ctx, argv, 2, op, true, false) {
        Ok(a) => a,
        Err(e) => return e,
    };
    let result = compute_algebra(&mut a, op, limits(ctx));
    Reply::Integer(store_result(ctx, &argv[1], result, event))
}

/// ZUNION numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
fn zunion(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    algebra(ctx, argv, SetOp::Union)
}

/// ZINTER numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
fn zinter(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    algebra(ctx, argv, SetOp::Inter)
}

/// ZDIFF numkeys key [key ...] [WITHSCORES]
fn zdiff(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    algebra(ctx, argv, SetOp::Diff)
}

/// ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]
fn zunionstore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    algebra_store(ctx, argv, SetOp::Union, "zunionstore")
}

/// ZINTERSTORE destination numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]
fn zinterstore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    algebra_store(ctx, argv, SetOp::Inter, "zinterstore")
}

/// ZDIFFSTORE destination numkeys key [key ...]
fn zdiffstore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    algebra_store(ctx, argv, SetOp::Diff, "zdiffstore")
}

/// ZINTERCARD numkeys key [key ...] [LIMIT limit]
fn zintercard(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let mut a = match parse_algebra(ctx, argv, 1, SetOp::Inter, false, true) {
        Ok(a) => a,
        Err(e) => return e,
    };
    let n = compute_algebra(&mut a, SetOp::Inter, limits(ctx)).len();
    Reply::Integer(if a.limit > 0 { n.min(a.limit) } else { n } as i64)
}

/// ZSCAN key cursor [MATCH pattern] [COUNT count]
fn zscan(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let opts = match parse_scan(argv, 2) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let (next, page) = match read_zset(ctx, &argv[1]) {
        Err(e) => return e,
        Ok(None) => (0, Vec::new()),
        Ok(Some(z)) if z.is_listpack() => (0, z.ranked()),
        Ok(Some(z)) => {
            // Skiplist-sized sets page through ranks without copying the whole set.
            let start = usize::try_from(opts.cursor).unwrap_or(usize::MAX).min(z.len());
            let end = start.saturating_add(opts.count).min(z.len());
            (if end >= z.len() { 0 } else { end as u64 }, z.range(start, end))
        }
    };
    let mut flat = Vec::with_capacity(page.len() * 2);
    for (m, s) in page {
        if opts.pattern.as_ref().is_none_or(|p| crate::glob::glob_match(p, &m, false)) {
            flat.push(Reply::Bulk(m));
            flat.push(Reply::bulk(crate::float::format_double(s)));
        }
    }
    Reply::Array(vec![Reply::bulk(next.to_string()), Reply::Array(flat)])
}
