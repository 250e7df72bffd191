//! Hash commands: fields and values under one key.
//!
//! Encoding follows Redis 7.0 (see `types::hash`): small hashes are
//! listpacks that answer in insertion order; past `hash-max-listpack-entries`
//! fields or `hash-max-listpack-value` bytes they become hashtables for good.
//! A hash that loses its last field is deleted (`del` follows the `hdel` event).

use crate::command::{flags::*, CommandSpec, Group, KeySpec};
use crate::engine::Ctx;
use crate::errors;
use crate::notify;
use crate::reply::Reply;
use crate::types::hash::{HashLimits, HashValue};
use crate::value::Value;

#[allow(clippy::too_many_arguments)]
const fn spec(
    name: &'static str,
    arity: i32,
    flags: u32,
    since: &'static str,
    complexity: &'static str,
    summary: &'static str,
    syntax: &'static str,
    handler: crate::command::Handler,
) -> CommandSpec {
    CommandSpec {
        name,
        arity,
        flags,
        group: Group::Hash,
        since,
        complexity,
        summary,
        syntax,
        keys: KeySpec::ONE,
        handler,
        ..CommandSpec::DEFAULT
    }
}

pub const COMMANDS: &[CommandSpec] = &[
    spec(
        "hset",
        -4,
        WRITE | DENYOOM | FAST,
        "2.0.0",
        "O(1) per field/value pair",
        "Sets fields to values, creating the hash if needed; answers how many fields were new",
        "key field value [field value ...]",
        |c, a| Ok(hset(c, a)),
    ),
    spec(
        "hsetnx",
        4,
        WRITE | DENYOOM | FAST,
        "2.0.0",
        "O(1)",
        "Sets a field only if it does not exist yet",
        "key field value",
        |c, a| Ok(hsetnx(c, a)),
    ),
    spec("hget", 3, READONLY | FAST, "2.0.0", "O(1)", "Returns the value of a field, or nil", "key field", |c, a| {
        Ok(hget(c, a))
    }),
    spec(
        "hmset",
        -4,
        WRITE | DENYOOM | FAST,
        "2.0.0",
        "O(N) in the number of fields set",
        "Sets several fields (older form of HSET that answers OK)",
        "key field value [field value ...]",
        |c, a| Ok(hmset(c, a)),
    ),
    spec(
        "hmget",
        -3,
        READONLY | FAST,
        "2.0.0",
        "O(N) in the number of fields asked",
        "Returns the values of several fields, nil for missing ones",
        "key field [field ...]",
        |c, a| Ok(hmget(c, a)),
    ),
    spec(
        "hincrby",
        4,
        WRITE | DENYOOM | FAST,
        "2.0.0",
        "O(1)",
        "Adds an integer to a field's integer value (a missing field counts as 0)",
        "key field increment",
        |c, a| Ok(hincrby(c, a)),
    ),
    spec(
        "hincrbyfloat",
        4,
        WRITE | DENYOOM | FAST,
        "2.6.0",
        "O(1)",
        "Adds a decimal number to a field's numeric value (a missing field counts as 0)",
        "key field increment",
        |c, a| Ok(hincrbyfloat(c, a)),
    ),
    spec(
        "hdel",
        -3,
        WRITE | FAST,
        "2.0.0",
        "O(N) in the number of fields removed",
        "Removes fields; answers how many existed",
        "key field [field ...]",
        |c, a| Ok(hdel(c, a)),
    ),
    spec("hlen", 2, READONLY | FAST, "2.0.0", "O(1)", "Returns the number of fields in a hash", "key", |c, a| {
        Ok(hlen(c, a))
    }),
    spec(
        "hstrlen",
        3,
        READONLY | FAST,
        "3.2.0",
        "O(1)",
        "Returns the length in bytes of a field's value (0 if missing)",
        "key field",
        |c, a| Ok(hstrlen(c, a)),
    ),
    spec(
        "hkeys",
        2,
        READONLY,
        "2.0.0",
        "O(N) in the size of the hash",
        "Returns every field name of a hash",
        "key",
        |c, a| Ok(hkeys(c, a)),
    ),
    spec(
        "hvals",
        2,
        READONLY,
        "2.0.0",
        "O(N) in the size of the hash",
        "Returns every value of a hash",
        "key",
        |c, a| Ok(hvals(c, a)),
    ),
    spec(
        "hgetall",
        2,
        READONLY,
        "2.0.0",
        "O(N) in the size of the hash",
        "Returns every field and value of a hash",
        "key",
        |c, a| Ok(hgetall(c, a)),
    ),
    spec(
        "hexists",
        3,
        READONLY | FAST,
        "2.0.0",
        "O(1)",
        "Tells whether a field exists (1) or not (0)",
        "key field",
        |c, a| Ok(hexists(c, a)),
    ),
    spec(
        "hrandfield",
        -2,
        READONLY,
        "6.2.0",
        "O(N) in the number of fields returned",
        "Returns random fields (distinct for a positive count, possibly repeated for a negative one)",
        "key [count [WITHVALUES]]",
        |c, a| Ok(hrandfield(c, a)),
    ),
    spec(
        "hscan",
        -3,
        READONLY,
        "2.8.0",
        "O(1) per call, O(N) for a whole iteration",
        "Iterates over a hash's fields and values with a cursor",
        "key cursor [MATCH pattern] [COUNT count]",
        |c, a| Ok(hscan(c, a)),
    ),
];

/// Most elements HRANDFIELD returns with a negative count (repetitions
/// allowed). Redis has no limit; the emulator refuses larger counts so one
/// command cannot exhaust a browser tab.
pub const HRANDFIELD_MAX_REPEATED: u64 = 100_000;

// ----- lookups ----------------------------------------------------------

fn hash_for_read<'c>(ctx: &'c mut Ctx, key: &[u8]) -> Result<Option<&'c mut HashValue>, Reply> {
    ctx.read_as(key)
}

fn hash_for_write<'c>(ctx: &'c mut Ctx, key: &[u8]) -> Result<Option<&'c mut HashValue>, Reply> {
    ctx.write_as(key)
}

/// The hash under `key`, created empty if missing (Redis's
/// `hashTypeLookupWriteOrCreate`). The caller must store something in it.
fn hash_or_create<'c>(ctx: &'c mut Ctx, key: &[u8]) -> Result<&'c mut HashValue, Reply> {
    if hash_for_write(ctx, key)?.is_none() {
        ctx.set_key(key, Value::Hash(Box::default()), false);
    }
    match ctx.db().get_mut(key).map(|e| &mut e.value) {
        Some(Value::Hash(h)) => Ok(h),
        _ => Err(Reply::error(errors::WRONGTYPE)),
    }
}

fn limits(ctx: &Ctx) -> HashLimits {
    HashLimits::from_config(ctx.config())
}

/// Deletes the key if a just-modified hash is empty (never happens after a
/// write, but an empty hash must never stay visible).
fn drop_if_empty(ctx: &mut Ctx, key: &[u8]) -> bool {
    let empty = matches!(ctx.db().get(key).map(|e| &e.value), Some(Value::Hash(h)) if h.is_empty());
    if empty {
        ctx.delete_key(key);
    }
    empty
}

// ----- writes -------------------------------------------------------------

/// Sets the field/value pairs of `argv[2..]`; returns how many fields were new.
fn set_pairs(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<i64, Reply> {
    let key = &argv[1];
    let limits = limits(ctx);
    let hash = hash_or_create(ctx, key)?;
    // Redis converts before writing when any argument is too long.
    if hash.is_listpack() && argv[2..].iter().any(|a| a.len() > limits.max_value) {
        hash.convert_to_table();
    }
    let mut created = 0;
    for pair in argv[2..].chunks_exact(2) {
        if hash.set(&pair[0], pair[1].clone(), limits) {
            created += 1;
        }
    }
    ctx.key_modified(key);
    ctx.notify(notify::HASH, "hset", key);
    Ok(created)
}

/// HSET key field value [field value ...]
fn hset(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    if argv.len() % 2 == 1 {
        return Reply::error(errors::wrong_arity("hset"));
    }
    set_pairs(ctx, argv).map(Reply::Integer).into()
}

/// HMSET key field value [field value ...]
fn hmset(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    if argv.len() % 2 == 1 {
        return Reply::error(errors::wrong_arity("hmset"));
    }
    set_pairs(ctx, argv).map(|_| Reply::OK).into()
}

/// HSETNX key field value
fn hsetnx(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let key = &argv[1];
    let limits = limits(ctx);
    let hash = match hash_or_create(ctx, key) {
        Ok(h) => h,
        Err(e) => return e,
    };
    if hash.contains(&argv[2]) {
        return Reply::Integer(0);
    }
    hash.set(&argv[2], argv[3].clone(), limits);
    ctx.key_modified(key);
    ctx.notify(notify::HASH, "hset", key);
    Reply::Integer(1)
}

/// HDEL key field [field ...]
fn hdel(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let key = &argv[1];
    let hash = match hash_for_write(ctx, key) {
        Err(e) => return e,
        Ok(None) => return Reply::Integer(0),
        Ok(Some(h)) => h,
    };
    let mut deleted = 0;
    for field in &argv[2..] {
        if hash.remove(field) {
            deleted += 1;
            if hash.is_empty() {
                break;
            }
        }
    }
    if deleted > 0 {
        ctx.notify(notify::HASH, "hdel", key);
        if drop_if_empty(ctx, key) {
            ctx.notify(notify::GENERIC, "del", key);
        } else {
            ctx.key_modified(key);
        }
    }
    Reply::Integer(deleted)
}

/// HINCRBY key field increment
fn hincrby(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let incr = match crate::args::int(&argv[3]) {
        Ok(i) => i,
        Err(e) => return e,
    };
    let key = &argv[1];
    let limits = limits(ctx);
    let hash = match hash_or_create(ctx, key) {
        Ok(h) => h,
        Err(e) => return e,
    };
    let current = match hash.get(&argv[2]) {
        None => 0,
        Some(v) => match crate::float::parse_i64(v) {
            Some(n) => n,
            None => return abandon(ctx, key, "ERR hash value is not an integer"),
        },
    };
    let Some(sum) = current.checked_add(incr) else {
        return abandon(ctx, key, errors::OVERFLOW);
    };
    hash.set(&argv[2], sum.to_string().into_bytes(), limits);
    ctx.key_modified(key);
    ctx.notify(notify::HASH, "hincrby", key);
    Reply::Integer(sum)
}

/// An error after the hash may have been created empty: remove it again.
fn abandon(ctx: &mut Ctx, key: &[u8], error: &'static str) -> Reply {
    drop_if_empty(ctx, key);
    Reply::error(error)
}

/// HINCRBYFLOAT key field increment
///
/// Computed like Redis, in C `long double` on the original texts
/// (`float::incr_by_float_bytes`), so `10.5 + 0.1` prints `10.6`.
fn hincrbyfloat(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let Some(incr) = crate::long_double::LongDouble::parse(&argv[3]) else {
        return Reply::error(errors::NOT_FLOAT);
    };
    if incr.inf {
        return Reply::error("ERR value is NaN or Infinity");
    }
    let key = &argv[1];
    let limits = limits(ctx);
    let hash = match hash_or_create(ctx, key) {
        Ok(h) => h,
        Err(e) => return e,
    };
    let current = hash.get(&argv[2]).map(|v| v.to_vec());
    let text = match crate::float::incr_by_float_bytes(current.as_deref(), &argv[3]) {
        Ok(t) => t,
        Err(crate::float::IncrFloatError::NotAFloat) => return abandon(ctx, key, "ERR hash value is not a float"),
        Err(crate::float::IncrFloatError::NanOrInfinity) => {
            return abandon(ctx, key, "ERR increment would produce NaN or Infinity")
        }
    };
    let hash = match hash_or_create(ctx, key) {
        Ok(h) => h,
        Err(e) => return e,
    };
    hash.set(&argv[2], text.clone(), limits);
    ctx.key_modified(key);
    ctx.notify(notify::HASH, "hincrbyfloat", key);
    Reply::Bulk(text)
}

// ----- reads --------------------------------------------------------------

/// HGET key field
fn hget(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    match hash_for_read(ctx, &argv[1]) {
        Err(e) => e,
        Ok(None) => Reply::Nil,
        Ok(Some(h)) => Reply::opt_bulk(h.get(&argv[2])),
    }
}

/// HMGET key field [field ...]
fn hmget(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    match hash_for_read(ctx, &argv[1]) {
        Err(e) => e,
        Ok(None) => Reply::Array(argv[2..].iter().map(|_| Reply::Nil).collect()),
        Ok(Some(h)) => Reply::Array(argv[2..].iter().map(|f| Reply::opt_bulk(h.get(f))).collect()),
    }
}

/// HLEN key
fn hlen(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    match hash_for_read(ctx, &argv[1]) {
        Err(e) => e,
        Ok(None) => Reply::Integer(0),
        Ok(Some(h)) => Reply::Integer(h.len() as i64),
    }
}

/// HSTRLEN key field
fn hstrlen(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    match hash_for_read(ctx, &argv[1]) {
        Err(e) => e,
        Ok(None) => Reply::Integer(0),
        Ok(Some(h)) => Reply::Integer(h.get(&argv[2]).map_or(0, |v| v.len() as i64)),
    }
}

/// HEXISTS key field
fn hexists(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    match hash_for_read(ctx, &argv[1]) {
        Err(e) => e,
        Ok(None) => Reply::Integer(0),
        Ok(Some(h)) => Reply::Integer(h.contains(&argv[2]) as i64),
    }
}

/// HKEYS key
fn hkeys(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    match hash_for_read(ctx, &argv[1]) {
        Err(e) => e,
        Ok(None) => Reply::Array(Vec::new()),
        Ok(Some(h)) => Reply::Array(h.iter().map(|(f, _)| Reply::bulk(f)).collect()),
    }
}

/// HVALS key
fn hvals(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    match hash_for_read(ctx, &argv[1]) {
        Err(e) => e,
        Ok(None) => Reply::Array(Vec::new()),
        Ok(Some(h)) => Reply::Array(h.iter().map(|(_, v)| Reply::bulk(v)).collect()),
    }
}

/// HGETALL key — a map in RESP3, a flat field/value array in RESP2.
fn hgetall(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    match hash_for_read(ctx, &argv[1]) {
        Err(e) => e,
        Ok(None) => Reply::Map(Vec::new()),
        Ok(Some(h)) => Reply::Map(h.iter().map(|(f, v)| (Reply::bulk(f), Reply::bulk(v))).collect()),
    }
}

/// HRANDFIELD key [count [WITHVALUES]]
fn hrandfield(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    // The generator is lent out so the hash can stay borrowed from the keyspace.
    let mut rng = std::mem::replace(ctx.rng(), crate::rng::Rng::new(0));
    let reply = random_fields(ctx, argv, &mut rng);
    *ctx.rng() = rng;
    reply
}

fn random_fields(ctx: &mut Ctx, argv: &[Vec<u8>], rng: &mut crate::rng::Rng) -> Reply {
    if argv.len() < 3 {
        return match hash_for_read(ctx, &argv[1]) {
            Err(e) => e,
            Ok(None) => Reply::Nil,
            Ok(Some(h)) => Reply::opt_bulk(h.random_pair(|n| rng.index(n)).map(|(f, _)| f.to_vec())),
        };
    }
    let count = match crate::args::int(&argv[2]) {
        Ok(c) => c,
        Err(e) => return e,
    };
    if argv.len() > 4 || (argv.len() == 4 && !argv[3].eq_ignore_ascii_case(b"withvalues")) {
        return Reply::error(errors::SYNTAX);
    }
    let with_values = argv.len() == 4;
    if with_values && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&count) {
        return Reply::error("ERR value is out of range");
    }
    let resp3 = ctx.client.protocol == crate::resp::Protocol::Resp3;
    let hash = match hash_for_read(ctx, &argv[1]) {
        Err(e) => return e,
        Ok(None) => return Reply::Array(Vec::new()),
        Ok(Some(h)) => h,
    };
    if count == 0 {
        return Reply::Array(Vec::new());
    }
    let size = hash.len();
    let wanted = count.unsigned_abs();
    // Each chosen pair, shaped as Redis shapes it.
    let shape = |out: &mut Vec<Reply>, f: &[u8], v: &[u8]| {
        if !with_values {
            out.push(Reply::bulk(f));
        } else if resp3 {
            out.push(Reply::Array(vec![Reply::bulk(f), Reply::bulk(v)]));
        } else {
            out.push(Reply::bulk(f));
            out.push(Reply::bulk(v));
        }
    };
    let mut out = Vec::new();
    if count < 0 || wanted == 1 {
        if wanted > HRANDFIELD_MAX_REPEATED {
            return Reply::error("ERR count is too large for the emulator (limit 100000 with repetitions)");
        }
        for _ in 0..wanted {
            if let Some((f, v)) = hash.random_pair(|n| rng.index(n)) {
                shape(&mut out, f, v);
            }
        }
        return Reply::Array(out);
    }
    if wanted >= size as u64 {
        for (f, v) in hash.iter() {
            shape(&mut out, f, v);
        }
        return Reply::Array(out);
    }
    // Distinct picks: a partial Fisher–Yates shuffle of the positions. A
    // listpack answers in its own order, a hashtable in the order drawn.
    let pairs: Vec<(&[u8], &[u8])> = hash.iter().collect();
    let mut positions: Vec<usize> = (0..size).collect();
    let wanted = wanted as usize;
    for i in 0..wanted {
        let j = i + rng.index(size - i);
        positions.swap(i, j);
    }
    let mut chosen = positions[..wanted].to_vec();
    if hash.is_listpack() {
        chosen.sort_unstable();
    }
    for p in chosen {
        if let Some((f, v)) = pairs.get(p) {
            shape(&mut out, f, v);
        }
    }
    Reply::Array(out)
}

/// Redis's scan cursor parsing (`strtoul`): optional sign, decimal digits,
/// no leading space; a negative number wraps like C's unsigned conversion.
pub fn parse_scan_cursor(arg: &[u8]) -> Option<u64> {
    if arg.first().is_some_and(|c| c.is_ascii_whitespace() || *c == 0x0b) {
        return None;
    }
    let (negative, digits) = match arg.first() {
        Some(b'-') => (true, &arg[1..]),
        Some(b'+') => (false, &arg[1..]),
        _ => (false, arg),
    };
    if arg.is_empty() {
        return Some(0);
    }
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: u64 = 0;
    for &d in digits {
        v = v.checked_mul(10)?.checked_add((d - b'0') as u64)?;
    }
    Some(if negative { v.wrapping_neg() } else { v })
}

/// HSCAN key cursor [MATCH pattern] [COUNT count]
fn hscan(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let Some(cursor) = parse_scan_cursor(&argv[2]) else {
        return Reply::error("ERR invalid cursor");
    };
    let hash = match hash_for_read(ctx, &argv[1]) {
        Err(e) => return e,
        Ok(None) => return Reply::Array(vec![Reply::bulk_str("0"), Reply::Array(Vec::new())]),
        Ok(Some(h)) => h,
    };
    let mut count: i64 = 10;
    let mut pattern: Option<&[u8]> = None;
    let mut i = 3;
    while i < argv.len() {
        let has_value = i + 1 < argv.len();
        if argv[i].eq_ignore_ascii_case(b"count") && has_value {
            count = match crate::args::int(&argv[i + 1]) {
                Ok(c) => c,
                Err(e) => return e,
            };
            if count < 1 {
                return Reply::error(errors::SYNTAX);
            }
        } else if argv[i].eq_ignore_ascii_case(b"match") && has_value {
            pattern = Some(&argv[i + 1]).filter(|p| p.as_slice() != b"*").map(|p| p.as_slice());
        } else {
            return Reply::error(errors::SYNTAX);
        }
        i += 2;
    }
    let mut items = Vec::new();
    let budget = usize::try_from(count).unwrap_or(usize::MAX).min(1 << 20);
    let next = hash.scan(cursor, budget, |f, v| {
        if pattern.is_none_or(|p| crate::glob::glob_match(p, f, false)) {
            items.push(Reply::bulk(f));
            items.push(Reply::bulk(v));
        }
    });
    Reply::Array(vec![Reply::bulk(next.to_string()), Reply::Array(items)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyspace_events_match_redis() {
        // The sequence and the expected events were recorded from Redis 7.0.
        let events = super::super::list::tests::key_events(&[
            "HSET h a 1",
            "HSETNX h a 2",
            "HSETNX h b 2",
            "HINCRBY h a 1",
            "HINCRBYFLOAT h a 1.5",
            "HDEL h a zz",
            "HDEL h b",
            "HMSET h x 1",
            "HDEL h nothere",
        ]);
        let expected = ["hset h", "hset h", "hincrby h", "hincrbyfloat h", "hdel h", "hdel h", "del h", "hset h"];
        assert_eq!(events, expected);
    }

    #[test]
    fn scan_cursors_parse_like_strtoul() {
        assert_eq!(parse_scan_cursor(b"0"), Some(0));
        assert_eq!(parse_scan_cursor(b""), Some(0));
        assert_eq!(parse_scan_cursor(b"007"), Some(7));
        assert_eq!(parse_scan_cursor(b"+5"), Some(5));
        assert_eq!(parse_scan_cursor(b"-1"), Some(u64::MAX));
        assert_eq!(parse_scan_cursor(b"18446744073709551616"), None);
        assert_eq!(parse_scan_cursor(b" 1"), None);
        assert_eq!(parse_scan_cursor(b"1x"), None);
    }
}
