//! Set commands: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP
//! SRANDMEMBER SMOVE SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF
//! SDIFFSTORE SSCAN.

use crate::args;
use crate::command::{flags::*, CommandSpec, Group, KeySpec};
use crate::engine::Ctx;
use crate::errors;
use crate::notify;
use crate::reply::Reply;
use crate::rng::Rng;
use crate::types::SetValue;
use crate::value::Value;

macro_rules! set_cmd {
    ($name:literal, $since:literal, $arity:expr, $flags:expr, $keys:expr, $handler:ident, $summary:literal, $syntax:literal) => {
        CommandSpec {
            name: $name,
            since: $since,
            arity: $arity,
            flags: $flags,
            group: Group::Set,
            summary: $summary,
            syntax: $syntax,
            keys: $keys,
            handler: |c, a| Ok($handler(c, a)),
            ..CommandSpec::DEFAULT
        }
    };
}

pub const COMMANDS: &[CommandSpec] = &[
    set_cmd!(
        "sadd",
        "1.0.0",
        -3,
        WRITE | DENYOOM | FAST,
        KeySpec::ONE,
        sadd,
        "Adds members to a set, creating it if needed",
        "key member [member ...]"
    ),
    set_cmd!(
        "srem",
        "1.0.0",
        -3,
        WRITE | FAST,
        KeySpec::ONE,
        srem,
        "Removes members from a set",
        "key member [member ...]"
    ),
    set_cmd!("smembers", "1.0.0", 2, READONLY, KeySpec::ONE, smembers, "Returns every member of a set", "key"),
    set_cmd!(
        "sismember",
        "1.0.0",
        3,
        READONLY | FAST,
        KeySpec::ONE,
        sismember,
        "Tells whether a value is a member of a set",
        "key member"
    ),
    set_cmd!(
        "smismember",
        "6.2.0",
        -3,
        READONLY | FAST,
        KeySpec::ONE,
        smismember,
        "Tells, for each value, whether it is a member of a set",
        "key member [member ...]"
    ),
    set_cmd!(
        "scard",
        "1.0.0",
        2,
        READONLY | FAST,
        KeySpec::ONE,
        scard,
        "Returns the number of members of a set",
        "key"
    ),
    set_cmd!(
        "spop",
        "1.0.0",
        -2,
        WRITE | FAST,
        KeySpec::ONE,
        spop,
        "Removes and returns random members of a set",
        "key [count]"
    ),
    set_cmd!(
        "srandmember",
        "1.0.0",
        -2,
        READONLY,
        KeySpec::ONE,
        srandmember,
        "Returns random members of a set without removing them",
        "key [count]"
    ),
    set_cmd!(
        "smove",
        "1.0.0",
        4,
        WRITE | FAST,
        KeySpec::TWO,
        smove,
        "Moves a member from one set to another",
        "source destination member"
    ),
    set_cmd!(
        "sinter",
        "1.0.0",
        -2,
        READONLY,
        KeySpec::ALL,
        sinter,
        "Returns the members common to all the given sets",
        "key [key ...]"
    ),
    set_cmd!(
        "sintercard",
        "7.0.0",
        -3,
        READONLY | MOVABLE_KEYS,
        KeySpec::NONE,
        sintercard,
        "Counts the members common to all the given sets",
        "numkeys key [key ...] [LIMIT limit]"
    ),
    set_cmd!(
        "sinterstore",
        "1.0.0",
        -3,
        WRITE | DENYOOM,
        KeySpec::ALL,
        sinterstore,
        "Stores the intersection of sets in a key",
        "destination key [key ...]"
    ),
    set_cmd!(
        "sunion",
        "1.0.0",
        -2,
        READONLY,
        KeySpec::ALL,
        sunion,
        "Returns the members of any of the given sets",
        "key [key ...]"
    ),
    set_cmd!(
        "sunionstore",
        "1.0.0",
        -3,
        WRITE | DENYOOM,
        KeySpec::ALL,
        sunionstore,
        "Stores the union of sets in a key",
        "destination key [key ...]"
    ),
    set_cmd!(
        "sdiff",
        "1.0.0",
        -2,
        READONLY,
        KeySpec::ALL,
        sdiff,
        "Returns the members of the first set missing from the others",
        "key [key ...]"
    ),
    set_cmd!(
        "sdiffstore",
        "1.0.0",
        -3,
        WRITE | DENYOOM,
        KeySpec::ALL,
        sdiffstore,
        "Stores the difference of sets in a key",
        "destination key [key ...]"
    ),
    set_cmd!(
        "sscan",
        "2.8.0",
        -3,
        READONLY,
        KeySpec::ONE,
        sscan,
        "Iterates over the members of a set",
        "key cursor [MATCH pattern] [COUNT count]"
    ),
];

/// Upper bound on SRANDMEMBER / ZRANDMEMBER picks with repetition (the
/// reply is built in memory; see the README's deliberate differences).
pub(crate) const MAX_RANDOM_PICKS: u64 = 1_000_000;

/// The error for a negative count beyond [`MAX_RANDOM_PICKS`].
pub(crate) const TOO_MANY_PICKS: &str = "ERR count is too large: Redis Lab returns at most 1000000 random picks";

/// The set under `key` (after lazy expiry), or a WRONGTYPE error.
fn read_set<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a mut SetValue>, Reply> {
    ctx.read_as(key)
}

fn write_set<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a mut SetValue>, Reply> {
    ctx.write_as(key)
}

/// A RESP3 set of bulk strings (an array in RESP2).
fn set_reply(members: Vec<Vec<u8>>) -> Reply {
    Reply::Set(members.into_iter().map(Reply::Bulk).collect())
}

/// Deletes `key` and notifies `del` if the set under it became empty.
fn drop_if_empty(ctx: &mut Ctx, key: &[u8], empty: bool) {
    if empty {
        ctx.delete_key(key);
        ctx.notify(notify::GENERIC, "del", key);
    }
}

/// SADD key member [member ...]
fn sadd(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let key = &argv[1];
    let max = ctx.config().set_max_intset_entries;
    let added = match write_set(ctx, key) {
        Err(e) => return e,
        Ok(Some(set)) => argv[2..].iter().filter(|m| set.insert(m, max)).count(),
        Ok(None) => {
            let mut set = SetValue::for_first_member(&argv[2]);
            let n = argv[2..].iter().filter(|m| set.insert(m, max)).count();
            ctx.set_key(key, Value::Set(Box::new(set)), false);
            n
        }
    };
    if added > 0 {
        ctx.key_modified(key);
        ctx.notify(notify::SET, "sadd", key);
    }
    Reply::Integer(added as i64)
}

/// SREM key member [member ...]
fn srem(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let key = &argv[1];
    let (removed, empty) = match write_set(ctx, key) {
        Err(e) => return e,
        Ok(None) => return Reply::Integer(0),
        Ok(Some(set)) => {
            let mut n = 0;
            for m in &argv[2..] {
                if set.remove(m) {
                    n += 1;
                    if set.is_empty() {
                        break;
                    }
                }
            }
            (n, set.is_empty())
        }
    };
    if removed > 0 {
        ctx.key_modified(key);
        ctx.notify(notify::SET, "srem", key);
        drop_if_empty(ctx, key, empty);
    }
    Reply::Integer(removed)
}

/// SMEMBERS key
fn smembers(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    match read_set(ctx, &argv[1]) {
        Err(e) => e,
        Ok(None) => Reply::Set(Vec::new()),
        Ok(Some(set)) => set_reply(set.members()),
    }
}

/// SISMEMBER key member
fn sismember(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    match read_set(ctx, &argv[1]) {
        Err(e) => e,
        Ok(set) => Reply::Integer(set.is_some_and(|s| s.contains(&argv[2])) as i64),
    }
}

/// SMISMEMBER key member [member ...]
fn smismember(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    match read_set(ctx, &argv[1]) {
        Err(e) => e,
        Ok(set) => {
            let set = set.map(|s| &*s);
            Reply::Array(argv[2..].iter().map(|m| Reply::Integer(set.is_some_and(|s| s.contains(m)) as i64)).collect())
        }
    }
}

/// SCARD key
fn scard(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    match read_set(ctx, &argv[1]) {
        Err(e) => e,
        Ok(set) => Reply::Integer(set.map_or(0, |s| s.len()) as i64),
    }
}

/// SPOP key [count]
fn spop(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let key = &argv[1];
    if argv.len() > 3 {
        return Reply::error(errors::SYNTAX);
    }
    let count = match argv.get(2) {
        None => None,
        Some(a) => match crate::float::parse_i64(a) {
            Some(n) if n >= 0 => Some(n as u64),
            _ => return Reply::error(errors::NOT_POSITIVE),
        },
    };
    let set = match write_set(ctx, key) {
        Err(e) => return e,
        Ok(None) => return if count.is_some() { Reply::Set(Vec::new()) } else { Reply::Nil },
        Ok(Some(set)) => set,
    };
    let popped: Vec<Vec<u8>> = match count {
        Some(0) => return Reply::Set(Vec::new()),
        Some(n) if n >= set.len() as u64 => {
            let all = set.members();
            *set = SetValue::new_intset();
            all
        }
        _ => {
            let want = count.unwrap_or(1) as usize;
            let mut set = std::mem::take(set);
            let mut out = Vec::with_capacity(want);
            for _ in 0..want {
                let rng = ctx.rng();
                if let Some(m) = set.pop_random(|n| rng.index(n)) {
                    out.push(m);
                }
            }
            if let Ok(Some(slot)) = write_set(ctx, key) {
                *slot = set;
            }
            out
        }
    };
    let empty = write_set(ctx, key).ok().flatten().is_none_or(|s| s.is_empty());
    ctx.key_modified(key);
    ctx.notify(notify::SET, "spop", key);
    drop_if_empty(ctx, key, empty);
    match count {
        None => Reply::opt_bulk(popped.into_iter().next()),
        Some(_) => set_reply(popped),
    }
}

/// SRANDMEMBER key [count]
fn srandmember(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    if argv.len() > 3 {
        return Reply::error(errors::SYNTAX);
    }
    let count = match argv.get(2) {
        None => None,
        Some(a) => match args::int(a) {
            Err(e) => return e,
            Ok(i64::MIN) => {
                return Reply::error(
                    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
                )
            }
            Ok(n) => Some(n),
        },
    };
    // A generator forked from the engine's, usable while the value is borrowed.
    let mut rng = Rng::new(ctx.rng().next_u64());
    let reply = match read_set(ctx, &argv[1]) {
        Err(e) => e,
        Ok(None) if count.is_some() => Reply::Array(Vec::new()),
        Ok(None) => Reply::Nil,
        Ok(Some(set)) => random_members(&mut rng, set, count),
    };
    reply
}

/// SRANDMEMBER's selection, shared in spirit with ZRANDMEMBER: a negative
/// count picks with repetition, a positive one distinct members.
fn random_members(rng: &mut Rng, set: &SetValue, count: Option<i64>) -> Reply {
    let len = set.len();
    let Some(count) = count else {
        return Reply::opt_bulk(set.random_member(|n| rng.index(n)));
    };
    if count == 0 {
        return Reply::Array(Vec::new());
    }
    if count < 0 {
        let n = count.unsigned_abs();
        if n > MAX_RANDOM_PICKS {
            return Reply::error(TOO_MANY_PICKS);
        }
        let out = (0..n).filter_map(|_| set.random_member(|k| rng.index(k))).map(Reply::Bulk).collect();
        return Reply::Array(out);
    }
    if count as u64 >= len as u64 {
        return Reply::Array(set.members().into_iter().map(Reply::Bulk).collect());
    }
    let all = set.members();
    let picks = distinct_indexes(rng, len, count as usize);
    Reply::Array(picks.into_iter().filter_map(|i| all.get(i).cloned()).map(Reply::Bulk).collect())
}

/// `want` distinct random positions among `len` (want < len), in random order.
pub(crate) fn distinct_indexes(rng: &mut Rng, len: usize, want: usize) -> Vec<usize> {
    let mut positions: Vec<usize> = (0..len).collect();
    for i in 0..want.min(len) {
        let j = i + rng.index(len - i);
        positions.swap(i, j);
    }
    positions.truncate(want);
    positions
}

/// SMOVE source destination member
fn smove(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let (src, dst, member) = (&argv[1], &argv[2], &argv[3]);
    let src_is_member = match write_set(ctx, src) {
        Err(e) => return e,
        Ok(None) => return Reply::Integer(0),
        Ok(Some(s)) => s.contains(member),
    };
    if let Err(e) = write_set(ctx, dst) {
        return e;
    }
    if src == dst {
        return Reply::Integer(src_is_member as i64);
    }
    if !src_is_member {
        return Reply::Integer(0);
    }
    let src_empty = match write_set(ctx, src) {
        Ok(Some(s)) => {
            s.remove(member);
            s.is_empty()
        }
        _ => false,
    };
    ctx.notify(notify::SET, "srem", src);
    drop_if_empty(ctx, src, src_empty);
    ctx.key_modified(src);
    let max = ctx.config().set_max_intset_entries;
    let added = match write_set(ctx, dst) {
        Ok(Some(s)) => s.insert(member, max),
        _ => {
            let mut s = SetValue::for_first_member(member);
            s.insert(member, max);
            ctx.set_key(dst, Value::Set(Box::new(s)), false);
            true
        }
    };
    if added {
        ctx.notify(notify::SET, "sadd", dst);
    }
    ctx.key_modified(dst);
    Reply::Integer(1)
}

/// Loads the sets named by `keys` (None for a missing key), checking every
/// type first like Redis. Store variants look keys up for writing.
fn load_sets(ctx: &mut Ctx, keys: &[Vec<u8>], for_store: bool) -> Result<Vec<Option<SetValue>>, Reply> {
    let mut out = Vec::with_capacity(keys.len());
    for k in keys {
        let found = if for_store { write_set(ctx, k)? } else { read_set(ctx, k)? };
        out.push(found.map(|s| s.clone()));
    }
    Ok(out)
}

/// The intersection, walking the smallest set; `limit` (0 = none) stops early.
fn intersect(sets: &[Option<SetValue>], limit: usize) -> Vec<Vec<u8>> {
    if sets.iter().any(|s| s.is_none()) {
        return Vec::new();
    }
    let mut sets: Vec<&SetValue> = sets.iter().flatten().collect();
    sets.sort_by_key(|s| s.len());
    let Some((first, rest)) = sets.split_first() else { return Vec::new() };
    let mut out = Vec::new();
    for m in first.members() {
        if rest.iter().all(|s| s.contains(&m)) {
            out.push(m);
            if limit != 0 && out.len() >= limit {
                break;
            }
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq)]
enum SetOp {
    Inter,
    Union,
    Diff,
}

/// The result of a set operation as a new set value (intset when it can be).
fn combine(sets: &[Option<SetValue>], op: SetOp, max_intset: usize) -> SetValue {
    let mut result = SetValue::new_intset();
    match op {
        SetOp::Inter => {
            for m in intersect(sets, 0) {
                result.insert(&m, max_intset);
            }
        }
        SetOp::Union => {
            for s in sets.iter().flatten() {
                for m in s.members() {
                    result.insert(&m, max_intset);
                }
            }
        }
        SetOp::Diff => {
            if let Some(Some(first)) = sets.first() {
                for m in first.members() {
                    if !sets[1..].iter().flatten().any(|s| s.contains(&m)) {
                        result.insert(&m, max_intset);
                    }
                }
            }
        }
    }
    result
}

fn set_operation(ctx: &mut Ctx, keys: &[Vec<u8>], op: SetOp) -> Reply {
    let sets = match load_sets(ctx, keys, false) {
        Ok(s) => s,
        Err(e) => return e,
    };
    if op == SetOp::Inter {
        return set_reply(intersect(&sets, 0));
    }
    let max = ctx.config().set_max_intset_entries;
    set_reply(combine(&sets, op, max).members())
}

fn set_operation_store(ctx: &mut Ctx, dst: &[u8], keys: &[Vec<u8>], op: SetOp, event: &str) -> Reply {
    let sets = match load_sets(ctx, keys, true) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let max = ctx.config().set_max_intset_entries;
    let result = combine(&sets, op, max);
    let n = result.len() as i64;
    if n == 0 {
        if ctx.delete_key(dst) {
            ctx.notify(notify::GENERIC, "del", dst);
        }
    } else {
        ctx.set_key(dst, Value::Set(Box::new(result)), false);
        ctx.notify(notify::SET, event, dst);
    }
    Reply::Integer(n)
}

/// SINTER key [key ...]
fn sinter(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    set_operation(ctx, &argv[1..], SetOp::Inter)
}

/// SUNION key [key ...]
fn sunion(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    set_operation(ctx, &argv[1..], SetOp::Union)
}

/// SDIFF key [key ...]
fn sdiff(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    set_operation(ctx, &argv[1..], SetOp::Diff)
}

/// SINTERSTORE destination key [key ...]
fn sinterstore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    set_operation_store(ctx, &argv[1], &argv[2..], SetOp::Inter, "sinterstore")
}

/// SUNIONSTORE destination key [key ...]
fn sunionstore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    set_operation_store(ctx, &argv[1], &argv[2..], SetOp::Union, "sunionstore")
}

/// SDIFFSTORE destination key [key ...]
fn sdiffstore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    set_operation_store(ctx, &argv[1], &argv[2..], SetOp::Diff, "sdiffstore")
}

/// Parses `numkeys key [key ...]` starting at `argv[at]`, with Redis's
/// errors. Returns the keys and the index after them.
pub(crate) fn numkeys_and_keys(argv: &[Vec<u8>], at: usize) -> Result<(&[Vec<u8>], usize), Reply> {
    let numkeys = match argv.get(at).and_then(|a| crate::float::parse_i64(a)) {
        Some(n) if n > 0 => usize::try_from(n).unwrap_or(usize::MAX),
        _ => return Err(Reply::error("ERR numkeys should be greater than 0")),
    };
    let first = at + 1;
    if numkeys > argv.len().saturating_sub(first) {
        return Err(Reply::error("ERR Number of keys can't be greater than number of args"));
    }
    Ok((&argv[first..first + numkeys], first + numkeys))
}

/// Parses the `LIMIT limit` option of SINTERCARD / ZINTERCARD.
pub(crate) fn parse_card_limit(rest: &[Vec<u8>]) -> Result<usize, Reply> {
    let mut limit = 0usize;
    let mut i = 0;
    while i < rest.len() {
        if args::is(&rest[i], "limit") && i + 1 < rest.len() {
            limit = match crate::float::parse_i64(&rest[i + 1]) {
                Some(n) if n >= 0 => n as usize,
                Some(_) => return Err(Reply::error("ERR LIMIT can't be negative")),
                None => return Err(Reply::error("ERR LIMIT can't be negative")),
            };
            i += 2;
        } else {
            return Err(Reply::error(errors::SYNTAX));
        }
    }
    Ok(limit)
}

/// SINTERCARD numkeys key [key ...] [LIMIT limit]
fn sintercard(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let (keys, next) = match numkeys_and_keys(argv, 1) {
        Ok(k) => k,
        Err(e) => return e,
    };
    let limit = match parse_card_limit(&argv[next..]) {
        Ok(l) => l,
        Err(e) => return e,
    };
    match load_sets(ctx, keys, false) {
        Err(e) => e,
        Ok(sets) => Reply::Integer(intersect(&sets, limit).len() as i64),
    }
}

/// Parsed SCAN-family options.
pub(crate) struct ScanOptions {
    pub cursor: u64,
    pub pattern: Option<Vec<u8>>,
    pub count: usize,
}

/// Parses a SCAN cursor like Redis's `parseScanCursorOrReply` (strtoul).
pub(crate) fn parse_cursor(arg: &[u8]) -> Option<u64> {
    let (neg, digits) = match arg.first() {
        None => return Some(0),
        Some(b'-') => (true, &arg[1..]),
        Some(b'+') => (false, &arg[1..]),
        Some(_) => (false, arg),
    };
    if digits.is_empty() || !digits.iter().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        v = v.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    Some(if neg { v.wrapping_neg() } else { v })
}

/// `cursor [MATCH pattern] [COUNT count]` from `argv[at]` on.
pub(crate) fn parse_scan(argv: &[Vec<u8>], at: usize) -> Result<ScanOptions, Reply> {
    let cursor = argv.get(at).and_then(|a| parse_cursor(a)).ok_or(Reply::error("ERR invalid cursor"))?;
    let mut opts = ScanOptions { cursor, pattern: None, count: 10 };
    let mut i = at + 1;
    while i < argv.len() {
        let has_value = i + 1 < argv.len();
        if args::is(&argv[i], "count") && has_value {
            let n = args::int(&argv[i + 1])?;
            if n < 1 {
                return Err(Reply::error(errors::SYNTAX));
            }
            opts.count = n.min(1 << 20) as usize;
        } else if args::is(&argv[i], "match") && has_value {
            let p = &argv[i + 1];
            opts.pattern = (p.as_slice() != b"*").then(|| p.clone());
        } else {
            return Err(Reply::error(errors::SYNTAX));
        }
        i += 2;
    }
    Ok(opts)
}

/// SSCAN key cursor [MATCH pattern] [COUNT count]
fn sscan(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let opts = match parse_scan(argv, 2) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let (next, page) = match read_set(ctx, &argv[1]) {
        Err(e) => return e,
        Ok(None) => (0, Vec::new()),
        Ok(Some(set)) => set.scan(opts.cursor, opts.count),
    };
    let page = page
        .into_iter()
        .filter(|m| opts.pattern.as_ref().is_none_or(|p| crate::glob::glob_match(p, m, false)))
        .map(Reply::Bulk)
        .collect();
    Reply::Array(vec![Reply::bulk(next.to_string()), Reply::Array(page)])
}
