//! List commands: pushes and pops at both ends, ranges, positional edits,
//! moves between lists, and their blocking forms (BLPOP, BLMOVE, BLMPOP…).
//!
//! Lists never exist empty: the command that removes the last element
//! deletes the key and notifies `del` after its own event. Every push calls
//! `signal_ready` so clients blocked on the key are served, first come
//! first served, once the pushing command has finished.

use crate::args::{self, Args};
use crate::command::{flags::*, CommandResult, CommandSpec, Group, KeySpec, KeySpecDef};
use crate::engine::Ctx;
use crate::errors;
use crate::notify;
use crate::reply::Reply;
use crate::types::list::End;
use crate::types::ListValue;
use crate::value::Value;

/// Event names and the `LEFT` / `RIGHT` argument of the list commands.
impl End {
    fn pop_event(self) -> &'static str {
        match self {
            End::Left => "lpop",
            End::Right => "rpop",
        }
    }

    fn push_event(self) -> &'static str {
        match self {
            End::Left => "lpush",
            End::Right => "rpush",
        }
    }

    /// `LEFT` / `RIGHT` (any case), else `ERR syntax error`.
    fn parse(arg: &[u8]) -> Result<End, Reply> {
        if arg.eq_ignore_ascii_case(b"left") {
            Ok(End::Left)
        } else if arg.eq_ignore_ascii_case(b"right") {
            Ok(End::Right)
        } else {
            Err(Reply::error(errors::SYNTAX))
        }
    }
}

const BASE: CommandSpec = CommandSpec { group: Group::List, keys: KeySpec::ONE, ..CommandSpec::DEFAULT };

/// BLPOP and BRPOP: every argument but the name and the trailing timeout.
const BLOCKING_KEYS: KeySpec = KeySpec { first: 1, last: -2, step: 1 };

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "lpush",
        arity: -3,
        flags: WRITE | DENYOOM | FAST,
        complexity: "O(1) per element added",
        summary: "Adds elements at the head of a list, creating the list if needed",
        syntax: "key element [element ...]",
        key_flags: &[&["RW", "insert"]],
        handler: lpush,
        ..BASE
    },
    CommandSpec {
        name: "rpush",
        arity: -3,
        flags: WRITE | DENYOOM | FAST,
        complexity: "O(1) per element added",
        summary: "Adds elements at the tail of a list, creating the list if needed",
        syntax: "key element [element ...]",
        key_flags: &[&["RW", "insert"]],
        handler: rpush,
        ..BASE
    },
    CommandSpec {
        name: "lpushx",
        arity: -3,
        flags: WRITE | DENYOOM | FAST,
        since: "2.2.0",
        complexity: "O(1) per element added",
        summary: "Adds elements at the head of a list only if the list already exists",
        syntax: "key element [element ...]",
        key_flags: &[&["RW", "insert"]],
        handler: lpushx,
        ..BASE
    },
    CommandSpec {
        name: "rpushx",
        arity: -3,
        flags: WRITE | DENYOOM | FAST,
        since: "2.2.0",
        complexity: "O(1) per element added",
        summary: "Adds elements at the tail of a list only if the list already exists",
        syntax: "key element [element ...]",
        key_flags: &[&["RW", "insert"]],
        handler: rpushx,
        ..BASE
    },
    CommandSpec {
        name: "linsert",
        arity: 5,
        flags: WRITE | DENYOOM,
        since: "2.2.0",
        complexity: "O(N) in the distance to the pivot",
        summary: "Inserts an element just before or after the first occurrence of a pivot",
        syntax: "key BEFORE|AFTER pivot element",
        key_flags: &[&["RW", "insert"]],
        handler: linsert,
        ..BASE
    },
    CommandSpec {
        name: "rpop",
        arity: -2,
        flags: WRITE | FAST,
        complexity: "O(N) in the number of elements returned",
        summary: "Removes and returns the last element(s) of a list",
        syntax: "key [count]",
        key_flags: &[&["RW", "access", "delete"]],
        handler: rpop,
        ..BASE
    },
    CommandSpec {
        name: "lpop",
        arity: -2,
        flags: WRITE | FAST,
        complexity: "O(N) in the number of elements returned",
        summary: "Removes and returns the first element(s) of a list",
        syntax: "key [count]",
        key_flags: &[&["RW", "access", "delete"]],
        handler: lpop,
        ..BASE
    },
    CommandSpec {
        name: "brpop",
        arity: -3,
        flags: WRITE | NOSCRIPT | BLOCKING,
        keys: BLOCKING_KEYS,
        since: "2.0.0",
        complexity: "O(N) in the number of keys",
        summary: "Pops the last element of the first non-empty list, waiting for one if all are empty",
        syntax: "key [key ...] timeout",
        key_flags: &[&["RW", "access", "delete"]],
        handler: brpop,
        ..BASE
    },
    CommandSpec {
        name: "brpoplpush",
        arity: 4,
        flags: WRITE | DENYOOM | NOSCRIPT | BLOCKING,
        keys: KeySpec::TWO,
        since: "2.2.0",
        summary: "Moves the last element of a list to the head of another, waiting while the source is empty",
        syntax: "source destination timeout",
        key_flags: &[&["RW", "access", "delete"], &["RW", "insert"]],
        handler: brpoplpush,
        ..BASE
    },
    CommandSpec {
        name: "blmove",
        arity: 6,
        flags: WRITE | DENYOOM | NOSCRIPT | BLOCKING,
        keys: KeySpec::TWO,
        since: "6.2.0",
        summary: "Moves an element from one end of a list to an end of another, waiting while the source is empty",
        syntax: "source destination LEFT|RIGHT LEFT|RIGHT timeout",
        key_flags: &[&["RW", "access", "delete"], &["RW", "insert"]],
        handler: blmove,
        ..BASE
    },
    CommandSpec {
        name: "blpop",
        arity: -3,
        flags: WRITE | NOSCRIPT | BLOCKING,
        keys: BLOCKING_KEYS,
        since: "2.0.0",
        complexity: "O(N) in the number of keys",
        summary: "Pops the first element of the first non-empty list, waiting for one if all are empty",
        syntax: "key [key ...] timeout",
        key_flags: &[&["RW", "access", "delete"]],
        handler: blpop,
        ..BASE
    },
    CommandSpec {
        name: "llen",
        arity: 2,
        flags: READONLY | FAST,
        summary: "Returns the number of elements in a list",
        syntax: "key",
        key_flags: &[&["RO"]],
        handler: llen,
        ..BASE
    },
    CommandSpec {
        name: "lindex",
        arity: 3,
        flags: READONLY,
        complexity: "O(N) in the distance to the index",
        summary: "Returns the element at an index (negative indexes count from the tail)",
        syntax: "key index",
        handler: lindex,
        ..BASE
    },
    CommandSpec {
        name: "lset",
        arity: 4,
        flags: WRITE | DENYOOM,
        complexity: "O(N) in the distance to the index",
        summary: "Replaces the element at an index",
        syntax: "key index element",
        handler: lset,
        ..BASE
    },
    CommandSpec {
        name: "lrange",
        arity: 4,
        flags: READONLY,
        complexity: "O(S+N): S the distance to start, N the elements returned",
        summary: "Returns the elements between two indexes, both included",
        syntax: "key start stop",
        handler: lrange,
        ..BASE
    },
    CommandSpec {
        name: "ltrim",
        arity: 4,
        flags: WRITE,
        complexity: "O(N) in the number of elements removed",
        summary: "Keeps only the elements between two indexes, deleting the rest",
        syntax: "key start stop",
        key_flags: &[&["RW", "delete"]],
        handler: ltrim,
        ..BASE
    },
    CommandSpec {
        name: "lpos",
        arity: -3,
        flags: READONLY,
        since: "6.0.6",
        complexity: "O(N) in the length of the list",
        summary: "Returns the index (or indexes) of matching elements",
        syntax: "key element [RANK rank] [COUNT num-matches] [MAXLEN len]",
        handler: lpos,
        ..BASE
    },
    CommandSpec {
        name: "lrem",
        arity: 4,
        flags: WRITE,
        complexity: "O(N+M): N the length, M the elements removed",
        summary: "Removes up to count occurrences of an element (0 = all, negative = from the tail)",
        syntax: "key count element",
        key_flags: &[&["RW", "delete"]],
        handler: lrem,
        ..BASE
    },
    CommandSpec {
        name: "rpoplpush",
        arity: 3,
        flags: WRITE | DENYOOM,
        keys: KeySpec::TWO,
        since: "1.2.0",
        summary: "Moves the last element of a list to the head of another and returns it",
        syntax: "source destination",
        key_flags: &[&["RW", "access", "delete"], &["RW", "insert"]],
        handler: rpoplpush,
        ..BASE
    },
    CommandSpec {
        name: "lmove",
        arity: 5,
        flags: WRITE | DENYOOM,
        keys: KeySpec::TWO,
        since: "6.2.0",
        summary: "Moves an element from one end of a list to an end of another and returns it",
        syntax: "source destination LEFT|RIGHT LEFT|RIGHT",
        key_flags: &[&["RW", "access", "delete"], &["RW", "insert"]],
        handler: lmove,
        ..BASE
    },
    CommandSpec {
        name: "lmpop",
        arity: -4,
        flags: WRITE | MOVABLE_KEYS,
        keys: KeySpec::NONE,
        since: "7.0.0",
        complexity: "O(N+M): N the keys, M the elements returned",
        summary: "Pops elements from the first non-empty list among several keys",
        syntax: "numkeys key [key ...] LEFT|RIGHT [COUNT count]",
        key_specs: &[KeySpecDef::keynum(1, &["RW", "access", "delete"])],
        handler: lmpop,
        ..BASE
    },
    CommandSpec {
        name: "blmpop",
        arity: -5,
        flags: WRITE | BLOCKING | MOVABLE_KEYS,
        keys: KeySpec::NONE,
        since: "7.0.0",
        complexity: "O(N+M): N the keys, M the elements returned",
        summary: "Pops elements from the first non-empty list among several keys, waiting if all are empty",
        syntax: "timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]",
        key_specs: &[KeySpecDef::keynum(2, &["RW", "access", "delete"])],
        handler: blmpop,
        ..BASE
    },
];

// ----- lookups ----------------------------------------------------------

/// The list under `key` for writing: `Ok(None)` if missing, WRONGTYPE if not a list.
fn list_for_write<'c>(ctx: &'c mut Ctx, key: &[u8]) -> Result<Option<&'c mut ListValue>, Reply> {
    ctx.write_as(key)
}

/// The list under `key` for reading (counts hits and misses).
fn list_for_read<'c>(ctx: &'c mut Ctx, key: &[u8]) -> Result<Option<&'c mut ListValue>, Reply> {
    ctx.read_as(key)
}

// ----- shared steps -------------------------------------------------------

/// Pushes `elements` one by one onto `key` (creating the list unless
/// `only_existing`), then notifies and signals blocked clients. Returns the
/// new length, or None when the key is missing and `only_existing`.
fn push_elements(
    ctx: &mut Ctx,
    key: &[u8],
    elements: impl IntoIterator<Item = Vec<u8>>,
    end: End,
    only_existing: bool,
) -> Result<Option<usize>, Reply> {
    let len = match list_for_write(ctx, key)? {
        Some(list) => {
            for e in elements {
                list.push(end, e);
            }
            let len = list.len();
            ctx.key_modified(key);
            len
        }
        None if only_existing => return Ok(None),
        None => {
            let mut list = ListValue::new();
            for e in elements {
                list.push(end, e);
            }
            let len = list.len();
            ctx.set_key(key, Value::List(Box::new(list)), false);
            len
        }
    };
    ctx.notify(notify::LIST, end.push_event(), key);
    ctx.signal_ready(key);
    Ok(Some(len))
}

/// After elements were taken out of `key`: the command's event, then the
/// key's deletion (and `del`) if the list is now empty.
fn after_removal(ctx: &mut Ctx, key: &[u8], event: &str) {
    ctx.notify(notify::LIST, event, key);
    let empty = matches!(ctx.db().get(key).map(|e| &e.value), Some(Value::List(l)) if l.is_empty());
    if empty {
        ctx.delete_key(key);
        ctx.notify(notify::GENERIC, "del", key);
    } else {
        ctx.key_modified(key);
    }
}

/// Pops up to `count` elements from an existing list at `key`.
fn pop_elements(ctx: &mut Ctx, key: &[u8], end: End, count: usize) -> Vec<Vec<u8>> {
    let out = match list_for_write(ctx, key) {
        Ok(Some(list)) => list.pop_many(end, count),
        _ => Vec::new(),
    };
    if !out.is_empty() {
        after_removal(ctx, key, end.pop_event());
    }
    out
}

/// Blocks the client on `keys`, or (inside MULTI or a script) answers with
/// the command's timeout reply right away.
fn block_or(ctx: &mut Ctx, argv: &[Vec<u8>], keys: Vec<Vec<u8>>, deadline: Option<i64>, timeout_reply: Reply) -> Reply {
    if ctx.may_block() {
        ctx.block_on(argv, keys, deadline)
    } else {
        timeout_reply
    }
}

// ----- argument parsing ---------------------------------------------------

/// A count that must be zero or more; anything else, a non-number
/// included, fails with `err` (Redis's `getPositiveLongFromObjectOrReply`
/// with a message).
fn non_negative_or(arg: &[u8], err: &'static str) -> Result<i64, Reply> {
    match crate::float::parse_i64(arg) {
        Some(c) if c >= 0 => Ok(c),
        _ => Err(Reply::error(err)),
    }
}

/// A count that must be zero or more. Like Redis, a non-number gets the
/// same `ERR value is out of range, must be positive` as a negative one.
fn positive_count(arg: &[u8]) -> Result<i64, Reply> {
    non_negative_or(arg, errors::NOT_POSITIVE)
}

/// Parses a number the way Redis's `string2ld` does (C `strtold` on the
/// whole argument, no leading space, NaN refused), into an f64. Values
/// beyond f64's range but inside `long double`'s come back as ±infinity,
/// tiny ones as the smallest subnormal, so callers see the same sign and
/// "huge / tiny" behaviour Redis does.
pub fn parse_long_double(arg: &[u8]) -> Option<f64> {
    if arg.is_empty() || arg.len() >= 5 * 1024 {
        return None;
    }
    if matches!(arg[0], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        return None;
    }
    let text = std::str::from_utf8(arg).ok()?;
    let (negative, unsigned) = match text.as_bytes()[0] {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = unsigned.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" {
        return Some(if negative { f64::NEG_INFINITY } else { f64::INFINITY });
    }
    if lower.starts_with("0x") {
        return crate::float::parse_f64(arg);
    }
    // Decimal: digits [. digits] [e [sign] digits], at least one digit.
    let bytes = lower.as_bytes();
    let mut i = 0;
    let mut digits = 0;
    let mut first_nonzero: Option<i64> = None; // position relative to the point
    let mut int_digits: i64 = 0;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        if bytes[i] != b'0' && first_nonzero.is_none() {
            first_nonzero = Some(int_digits);
        }
        int_digits += 1;
        digits += 1;
        i += 1;
    }
    let mut frac_pos: i64 = 0;
    if i < bytes.len() && bytes[i] == b'.' {
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            frac_pos += 1;
            if bytes[i] != b'0' && first_nonzero.is_none() {
                first_nonzero = Some(int_digits + frac_pos - 1);
            }
            digits += 1;
            i += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    let mut exponent: i64 = 0;
    if i < bytes.len() && bytes[i] == b'e' {
        i += 1;
        let exp_negative = match bytes.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            exponent = exponent.saturating_mul(10).saturating_add((bytes[i] - b'0') as i64);
            i += 1;
        }
        if i == start {
            return None;
        }
        if exp_negative {
            exponent = -exponent;
        }
    }
    if i != bytes.len() {
        return None;
    }
    let value: f64 = unsigned.parse().ok()?;
    let Some(first) = first_nonzero else {
        return Some(if negative { -0.0 } else { 0.0 });
    };
    // Decimal magnitude of the number: 10^magnitude <= |x| < 10^(magnitude+1).
    let magnitude = exponent.saturating_add(int_digits - 1 - first);
    if !(-4951..=4931).contains(&magnitude) {
        return None; // ERANGE for long double
    }
    let value = if value == 0.0 { f64::from_bits(1) } else { value };
    Some(if negative { -value } else { value })
}

/// Redis 7.0's blocking timeout (seconds, fractions allowed): the absolute
/// deadline in ms, or None to wait forever (0, or anything rounding to 0).
/// Like Redis on x86-64, a timeout too large for 64-bit milliseconds reads
/// as negative.
pub fn parse_timeout(arg: &[u8], now_ms: i64) -> Result<Option<i64>, Reply> {
    let secs = parse_long_double(arg).ok_or(Reply::error(errors::TIMEOUT_NOT_FLOAT))?;
    let ms = (secs * 1000.0).ceil();
    // `i64::MAX as f64` is 2^63: the first value C's conversion turns into LLONG_MIN.
    if ms < 0.0 || ms >= i64::MAX as f64 {
        return Err(Reply::error(errors::TIMEOUT_NEGATIVE));
    }
    let ms = ms as i64;
    Ok(if ms == 0 { None } else { Some(now_ms.saturating_add(ms)) })
}

// ----- pushes -----------------------------------------------------------

fn push_command(ctx: &mut Ctx, argv: &[Vec<u8>], end: End, only_existing: bool) -> CommandResult {
    let len = push_elements(ctx, &argv[1], argv[2..].iter().cloned(), end, only_existing)?;
    Ok(Reply::Integer(len.unwrap_or(0) as i64))
}

/// LPUSH key element [element ...] — elements go in one by one, so the
/// last one given ends up at the head.
fn lpush(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    push_command(ctx, argv, End::Left, false)
}

/// RPUSH key element [element ...]
fn rpush(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    push_command(ctx, argv, End::Right, false)
}

/// LPUSHX key element [element ...] — 0 (and no event) when the key is missing.
fn lpushx(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    push_command(ctx, argv, End::Left, true)
}

/// RPUSHX key element [element ...] — 0 (and no event) when the key is missing.
fn rpushx(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    push_command(ctx, argv, End::Right, true)
}

/// LINSERT key BEFORE|AFTER pivot element — the new length, 0 for a
/// missing key, -1 when the pivot is not found.
fn linsert(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let after = if args::is(&argv[2], "after") {
        true
    } else if args::is(&argv[2], "before") {
        false
    } else {
        return Err(Reply::error(errors::SYNTAX));
    };
    let key = &argv[1];
    let Some(list) = list_for_write(ctx, key)? else { return Ok(Reply::Integer(0)) };
    let Some(len) = list.insert_at_pivot(&argv[3], argv[4].clone(), after) else {
        return Ok(Reply::Integer(-1));
    };
    ctx.key_modified(key);
    ctx.notify(notify::LIST, "linsert", key);
    Ok(Reply::Integer(len as i64))
}

// ----- pops -------------------------------------------------------------

/// LPOP / RPOP: without a count, one element or nil; with one, an array
/// (nil array for a missing key, empty for a count of 0). More than one
/// extra argument is an arity error naming the command, as in Redis.
fn pop_command(ctx: &mut Ctx, argv: &[Vec<u8>], end: End) -> CommandResult {
    if argv.len() > 3 {
        return Err(Reply::error(errors::wrong_arity(end.pop_event())));
    }
    let count = argv.get(2).map(|arg| positive_count(arg)).transpose()?;
    let key = &argv[1];
    if list_for_write(ctx, key)?.is_none() {
        return Ok(if count.is_some() { Reply::NilArray } else { Reply::Nil });
    }
    Ok(match count {
        Some(0) => Reply::Array(Vec::new()),
        Some(n) => Reply::bulks(pop_elements(ctx, key, end, usize::try_from(n).unwrap_or(usize::MAX))),
        None => Reply::opt_bulk(pop_elements(ctx, key, end, 1).pop()),
    })
}

/// LPOP key [count]
fn lpop(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    pop_command(ctx, argv, End::Left)
}

/// RPOP key [count]
fn rpop(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    pop_command(ctx, argv, End::Right)
}

// ----- reads --------------------------------------------------------------

/// LLEN key
fn llen(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::Integer(list_for_read(ctx, &argv[1])?.map_or(0, |l| l.len() as i64)))
}

/// LINDEX key index — the key is checked before the index.
fn lindex(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let Some(list) = list_for_read(ctx, &argv[1])? else { return Ok(Reply::Nil) };
    let index = args::int(&argv[2])?;
    Ok(Reply::opt_bulk(list.get(index)))
}

/// LRANGE key start stop
fn lrange(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let start = args::int(&argv[2])?;
    let stop = args::int(&argv[3])?;
    let Some(list) = list_for_read(ctx, &argv[1])? else { return Ok(Reply::Array(Vec::new())) };
    Ok(match list.clamp_range(start, stop) {
        None => Reply::Array(Vec::new()),
        Some((a, b)) => Reply::Array(list.range(a, b).map(|e| Reply::Bulk(e.to_vec())).collect()),
    })
}

/// LPOS's options (`[RANK rank] [COUNT num-matches] [MAXLEN len]`).
struct LposOptions {
    /// Which match to start from: 1 the first, -1 the first from the tail.
    rank: i64,
    /// COUNT: how many positions to answer (0: all), as an array; None
    /// answers the first position alone.
    count: Option<i64>,
    /// MAXLEN: how many elements to compare at most (0: all).
    maxlen: i64,
}

impl LposOptions {
    /// Any order, repeats allowed (the last wins). Each option is checked
    /// as it is read, so a bad value wins over a syntax error further on.
    fn parse(args: &mut Args) -> Result<LposOptions, Reply> {
        const RANK_ZERO: &str = concat!(
            "ERR RANK can't be zero: use 1 to start from the first match, ",
            "2 from the second ... or use negative to start from the end of the list"
        );
        let mut o = LposOptions { rank: 1, count: None, maxlen: 0 };
        loop {
            if args.eat("RANK") {
                o.rank = args.int()?;
                if o.rank == 0 {
                    return Err(Reply::error(RANK_ZERO));
                }
            } else if args.eat("COUNT") {
                o.count = Some(non_negative_or(args.value()?, "ERR COUNT can't be negative")?);
            } else if args.eat("MAXLEN") {
                o.maxlen = non_negative_or(args.value()?, "ERR MAXLEN can't be negative")?;
            } else {
                break;
            }
        }
        args.finish()?;
        Ok(o)
    }
}

/// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
///
/// Options are checked before the key. Without COUNT: the position or nil;
/// with it: an array (empty for a missing key).
fn lpos(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let opts = LposOptions::parse(&mut Args::new(argv, 3))?;
    let Some(list) = list_for_read(ctx, &argv[1])? else {
        return Ok(if opts.count.is_some() { Reply::Array(Vec::new()) } else { Reply::Nil });
    };
    let found = list.positions(&argv[2], opts.rank, opts.count, opts.maxlen);
    let mut found = found.into_iter().map(|i| Reply::Integer(i as i64));
    Ok(if opts.count.is_some() { Reply::Array(found.collect()) } else { found.next().unwrap_or(Reply::Nil) })
}

// ----- positional edits -----------------------------------------------------

/// LSET key index element — the key is checked before the index.
fn lset(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let key = &argv[1];
    let list = list_for_write(ctx, key)?.ok_or(Reply::error(errors::NO_SUCH_KEY))?;
    let index = args::int(&argv[2])?;
    if !list.set(index, argv[3].clone()) {
        return Err(Reply::error(errors::INDEX_OUT_OF_RANGE));
    }
    ctx.key_modified(key);
    ctx.notify(notify::LIST, "lset", key);
    Ok(Reply::OK)
}

/// LTRIM key start stop — notifies `ltrim` even when nothing was removed.
fn ltrim(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let start = args::int(&argv[2])?;
    let stop = args::int(&argv[3])?;
    let key = &argv[1];
    let Some(list) = list_for_write(ctx, key)? else { return Ok(Reply::OK) };
    list.trim(start, stop);
    after_removal(ctx, key, "ltrim");
    Ok(Reply::OK)
}

/// LREM key count element — how many were removed (see [`ListValue::remove`]).
fn lrem(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let count = args::int(&argv[2])?;
    let key = &argv[1];
    let Some(list) = list_for_write(ctx, key)? else { return Ok(Reply::Integer(0)) };
    let removed = list.remove(&argv[3], count);
    if removed > 0 {
        after_removal(ctx, key, "lrem");
    }
    Ok(Reply::Integer(removed as i64))
}

// ----- moves ----------------------------------------------------------------

/// The shared body of RPOPLPUSH, LMOVE and a served BLMOVE: pops from
/// `src`, pushes onto `dst`, replies with the element (nil if `src` is
/// missing). Both keys' types are checked before anything moves.
fn move_element(ctx: &mut Ctx, src: &[u8], dst: &[u8], from: End, to: End) -> CommandResult {
    match list_for_write(ctx, src)? {
        None => return Ok(Reply::Nil),
        Some(l) if l.is_empty() => return Ok(Reply::Nil),
        Some(_) => {}
    }
    list_for_write(ctx, dst)?;
    let Some(value) = list_for_write(ctx, src).ok().flatten().and_then(|l| l.pop(from)) else {
        return Ok(Reply::Nil);
    };
    push_elements(ctx, dst, std::iter::once(value.clone()), to, false)?;
    after_removal(ctx, src, from.pop_event());
    Ok(Reply::Bulk(value))
}

/// RPOPLPUSH source destination
fn rpoplpush(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    move_element(ctx, &argv[1], &argv[2], End::Right, End::Left)
}

/// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
fn lmove(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let from = End::parse(&argv[3])?;
    let to = End::parse(&argv[4])?;
    move_element(ctx, &argv[1], &argv[2], from, to)
}

/// Blocking move: serves at once when `src` has elements, else waits.
fn blocking_move(ctx: &mut Ctx, argv: &[Vec<u8>], from: End, to: End, deadline: Option<i64>) -> CommandResult {
    let src = &argv[1];
    match list_for_write(ctx, src)? {
        Some(l) if !l.is_empty() => move_element(ctx, src, &argv[2], from, to),
        _ => Ok(block_or(ctx, argv, vec![src.clone()], deadline, Reply::Nil)),
    }
}

/// BRPOPLPUSH source destination timeout
fn brpoplpush(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let deadline = parse_timeout(&argv[3], ctx.now_ms())?;
    blocking_move(ctx, argv, End::Right, End::Left, deadline)
}

/// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout — the ends are
/// checked before the timeout.
fn blmove(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let from = End::parse(&argv[3])?;
    let to = End::parse(&argv[4])?;
    let deadline = parse_timeout(&argv[5], ctx.now_ms())?;
    blocking_move(ctx, argv, from, to, deadline)
}

// ----- pops across keys -------------------------------------------------------

/// The first key among `keys` holding a non-empty list. WRONGTYPE if a key
/// checked before it holds another type.
fn first_non_empty<'k>(ctx: &mut Ctx, keys: &'k [Vec<u8>]) -> Result<Option<&'k [u8]>, Reply> {
    for key in keys {
        if let Some(list) = list_for_write(ctx, key)? {
            if !list.is_empty() {
                return Ok(Some(key));
            }
        }
    }
    Ok(None)
}

/// BLPOP / BRPOP: `[key, element]` from the first non-empty list, else wait.
fn blocking_pop(ctx: &mut Ctx, argv: &[Vec<u8>], end: End) -> CommandResult {
    let Some((timeout, keys)) = argv[1..].split_last() else {
        return Err(Reply::error(errors::SYNTAX));
    };
    let deadline = parse_timeout(timeout, ctx.now_ms())?;
    let Some(key) = first_non_empty(ctx, keys)? else {
        return Ok(block_or(ctx, argv, keys.to_vec(), deadline, Reply::NilArray));
    };
    Ok(match pop_elements(ctx, key, end, 1).pop() {
        Some(v) => Reply::Array(vec![Reply::Bulk(key.to_vec()), Reply::Bulk(v)]),
        None => Reply::NilArray,
    })
}

/// BLPOP key [key ...] timeout
fn blpop(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    blocking_pop(ctx, argv, End::Left)
}

/// BRPOP key [key ...] timeout
fn brpop(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    blocking_pop(ctx, argv, End::Right)
}

/// Parsed `numkeys key [key ...] LEFT|RIGHT [COUNT count]` (LMPOP, BLMPOP).
struct MultiPop<'a> {
    keys: &'a [Vec<u8>],
    end: End,
    /// COUNT, 1 when not given.
    count: i64,
}

impl<'a> MultiPop<'a> {
    /// Reads the arguments from `numkeys_at` on: numkeys (at least 1), the
    /// keys, the end (a syntax error when the keys run past the arguments),
    /// then COUNT at most once (at least 1).
    fn parse(argv: &'a [Vec<u8>], numkeys_at: usize) -> Result<MultiPop<'a>, Reply> {
        const NUMKEYS: &str = "ERR numkeys should be greater than 0";
        const COUNT: &str = "ERR count should be greater than 0";
        let mut args = Args::new(argv, numkeys_at);
        let numkeys = match args.next_arg().and_then(crate::float::parse_i64) {
            Some(n) if n >= 1 => n as u64,
            _ => return Err(Reply::error(NUMKEYS)),
        };
        // The keys, then at least the end argument after them.
        if numkeys >= args.remaining() as u64 {
            return Err(Reply::error(errors::SYNTAX));
        }
        let keys = &args.rest()[..numkeys as usize];
        let mut args = Args::new(argv, args.position() + keys.len());
        let end = End::parse(args.value()?)?;
        let mut count = 1;
        if args.eat("COUNT") {
            count = match crate::float::parse_i64(args.value()?) {
                Some(c) if c >= 1 => c,
                _ => return Err(Reply::error(COUNT)),
            };
        }
        args.finish()?;
        Ok(MultiPop { keys, end, count })
    }
}

/// Pops from the first non-empty list: `[key, [elements]]`, or None.
fn multi_pop(ctx: &mut Ctx, mp: &MultiPop) -> Result<Option<Reply>, Reply> {
    let Some(key) = first_non_empty(ctx, mp.keys)? else {
        return Ok(None);
    };
    let popped = pop_elements(ctx, key, mp.end, usize::try_from(mp.count).unwrap_or(usize::MAX));
    Ok(Some(Reply::Array(vec![Reply::Bulk(key.to_vec()), Reply::bulks(popped)])))
}

/// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
fn lmpop(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let mp = MultiPop::parse(argv, 1)?;
    Ok(multi_pop(ctx, &mp)?.unwrap_or(Reply::NilArray))
}

/// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count] — the
/// other arguments are checked before the timeout, as in Redis.
fn blmpop(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let mp = MultiPop::parse(argv, 2)?;
    let deadline = parse_timeout(&argv[1], ctx.now_ms())?;
    match multi_pop(ctx, &mp)? {
        Some(r) => Ok(r),
        None => Ok(block_or(ctx, argv, mp.keys.to_vec(), deadline, Reply::NilArray)),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::engine::Engine;

    use crate::test_support::key_events;

    #[test]
    fn keyspace_events_match_redis() {
        // The sequence and the expected events were recorded from Redis 7.0.
        let events = key_events(&[
            "RPUSH src a",
            "LMOVE src dst LEFT RIGHT",
            "LTRIM dst 0 -1",
            "LTRIM nope 0 1",
            "LREM dst 0 zz",
            "LINSERT dst BEFORE a b",
            "LSET dst 0 c",
            "RPOP dst 5",
            "RPUSH bl x",
            "LMPOP 1 bl RIGHT",
            "LPUSHX nope a",
            "LPUSH l a b",
            "LREM l 1 a",
            "BLPOP l 0",
        ]);
        let expected = [
            "rpush src",
            "rpush dst",
            "lpop src",
            "del src",
            "ltrim dst",
            "linsert dst",
            "lset dst",
            "rpop dst",
            "del dst",
            "rpush bl",
            "rpop bl",
            "del bl",
            "lpush l",
            "lrem l",
            "lpop l",
            "del l",
        ];
        assert_eq!(events, expected);
    }

    #[test]
    fn blocking_commands_answer_at_once_when_blocking_is_not_allowed() {
        let mut engine = Engine::with_manual_clock(0, 1);
        let me = engine.connect("t:1");
        engine.clients.forbid_blocking();
        for (line, expected) in [
            ("BLPOP q 0", Reply::NilArray),
            ("BRPOP q 0", Reply::NilArray),
            ("BLMPOP 0 1 q LEFT", Reply::NilArray),
            ("BRPOPLPUSH q d 0", Reply::Nil),
            ("BLMOVE q d LEFT LEFT 0", Reply::Nil),
        ] {
            assert_eq!(engine.execute_line(me, line).ok(), Some(expected), "{line}");
            assert!(engine.client(me).is_some_and(|c| c.blocked.is_none()));
        }
    }

    #[test]
    fn long_double_parsing_follows_strtold() {
        assert_eq!(parse_long_double(b"1.5"), Some(1.5));
        assert_eq!(parse_long_double(b"+1"), Some(1.0));
        assert_eq!(parse_long_double(b".5"), Some(0.5));
        assert_eq!(parse_long_double(b"1."), Some(1.0));
        assert_eq!(parse_long_double(b"1e400"), Some(f64::INFINITY));
        assert!(parse_long_double(b"1e-400").is_some_and(|v| v > 0.0));
        for bad in ["", " 1", "1 ", "1e", "--1", "nan", "1e5000", "1e-5000", "abc", "."] {
            assert_eq!(parse_long_double(bad.as_bytes()), None, "{bad:?}");
        }
    }

    #[test]
    fn timeouts_round_up_and_overflow_to_negative() {
        assert_eq!(parse_timeout(b"0", 1000), Ok(None));
        assert_eq!(parse_timeout(b"0.0001", 1000), Ok(Some(1001)));
        assert_eq!(parse_timeout(b"-0.0001", 1000), Ok(None));
        assert_eq!(parse_timeout(b"1.5", 1000), Ok(Some(2500)));
        assert!(parse_timeout(b"-1", 0).is_err());
        assert_eq!(parse_timeout(b"inf", 0), Err(Reply::error(errors::TIMEOUT_NEGATIVE)));
        assert_eq!(parse_timeout(b"9223372036854776", 0), Err(Reply::error(errors::TIMEOUT_NEGATIVE)));
        assert_eq!(parse_timeout(b"x", 0), Err(Reply::error(errors::TIMEOUT_NOT_FLOAT)));
    }
}
