//! List commands: pushes and pops at both ends, ranges, positional edits,
//! moves between lists, and their blocking forms (BLPOP, BLMOVE, BLMPOP…).
//!
//! Lists never exist empty: the command that removes the last element
//! deletes the key and notifies `del` after its own event. Every push calls
//! `signal_ready` so clients blocked on the key are served, first come
//! first served, once the pushing command has finished.

use crate::command::{flags::*, CommandSpec, Group, KeySpec};
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

#[allow(clippy::too_many_arguments)]
const fn spec(
    name: &'static str,
    arity: i32,
    flags: u32,
    since: &'static str,
    complexity: &'static str,
    summary: &'static str,
    syntax: &'static str,
    keys: KeySpec,
    handler: crate::command::Handler,
) -> CommandSpec {
    CommandSpec {
        name,
        arity,
        flags,
        group: Group::List,
        since,
        complexity,
        summary,
        syntax,
        keys,
        handler,
        ..CommandSpec::DEFAULT
    }
}

const BLOCKING_KEYS: KeySpec = KeySpec { first: 1, last: -2, step: 1 };

pub const COMMANDS: &[CommandSpec] = &[
    spec(
        "lpush",
        -3,
        WRITE | DENYOOM | FAST,
        "1.0.0",
        "O(1) per element added",
        "Adds elements at the head of a list, creating the list if needed",
        "key element [element ...]",
        KeySpec::ONE,
        |c, a| Ok(lpush(c, a)),
    ),
    spec(
        "rpush",
        -3,
        WRITE | DENYOOM | FAST,
        "1.0.0",
        "O(1) per element added",
        "Adds elements at the tail of a list, creating the list if needed",
        "key element [element ...]",
        KeySpec::ONE,
        |c, a| Ok(rpush(c, a)),
    ),
    spec(
        "lpushx",
        -3,
        WRITE | DENYOOM | FAST,
        "2.2.0",
        "O(1) per element added",
        "Adds elements at the head of a list only if the list already exists",
        "key element [element ...]",
        KeySpec::ONE,
        |c, a| Ok(lpushx(c, a)),
    ),
    spec(
        "rpushx",
        -3,
        WRITE | DENYOOM | FAST,
        "2.2.0",
        "O(1) per element added",
        "Adds elements at the tail of a list only if the list already exists",
        "key element [element ...]",
        KeySpec::ONE,
        |c, a| Ok(rpushx(c, a)),
    ),
    spec(
        "linsert",
        5,
        WRITE | DENYOOM,
        "2.2.0",
        "O(N) in the distance to the pivot",
        "Inserts an element just before or after the first occurrence of a pivot",
        "key BEFORE|AFTER pivot element",
        KeySpec::ONE,
        |c, a| Ok(linsert(c, a)),
    ),
    spec(
        "rpop",
        -2,
        WRITE | FAST,
        "1.0.0",
        "O(N) in the number of elements returned",
        "Removes and returns the last element(s) of a list",
        "key [count]",
        KeySpec::ONE,
        |c, a| Ok(rpop(c, a)),
    ),
    spec(
        "lpop",
        -2,
        WRITE | FAST,
        "1.0.0",
        "O(N) in the number of elements returned",
        "Removes and returns the first element(s) of a list",
        "key [count]",
        KeySpec::ONE,
        |c, a| Ok(lpop(c, a)),
    ),
    spec(
        "brpop",
        -3,
        WRITE | NOSCRIPT | BLOCKING,
        "2.0.0",
        "O(N) in the number of keys",
        "Pops the last element of the first non-empty list, waiting for one if all are empty",
        "key [key ...] timeout",
        BLOCKING_KEYS,
        |c, a| Ok(brpop(c, a)),
    ),
    spec(
        "brpoplpush",
        4,
        WRITE | DENYOOM | NOSCRIPT | BLOCKING,
        "2.2.0",
        "O(1)",
        "Moves the last element of a list to the head of another, waiting while the source is empty",
        "source destination timeout",
        KeySpec::TWO,
        |c, a| Ok(brpoplpush(c, a)),
    ),
    spec(
        "blmove",
        6,
        WRITE | DENYOOM | NOSCRIPT | BLOCKING,
        "6.2.0",
        "O(1)",
        "Moves an element from one end of a list to an end of another, waiting while the source is empty",
        "source destination LEFT|RIGHT LEFT|RIGHT timeout",
        KeySpec::TWO,
        |c, a| Ok(blmove(c, a)),
    ),
    spec(
        "blpop",
        -3,
        WRITE | NOSCRIPT | BLOCKING,
        "2.0.0",
        "O(N) in the number of keys",
        "Pops the first element of the first non-empty list, waiting for one if all are empty",
        "key [key ...] timeout",
        BLOCKING_KEYS,
        |c, a| Ok(blpop(c, a)),
    ),
    spec(
        "llen",
        2,
        READONLY | FAST,
        "1.0.0",
        "O(1)",
        "Returns the number of elements in a list",
        "key",
        KeySpec::ONE,
        |c, a| Ok(llen(c, a)),
    ),
    spec(
        "lindex",
        3,
        READONLY,
        "1.0.0",
        "O(N) in the distance to the index",
        "Returns the element at an index (negative indexes count from the tail)",
        "key index",
        KeySpec::ONE,
        |c, a| Ok(lindex(c, a)),
    ),
    spec(
        "lset",
        4,
        WRITE | DENYOOM,
        "1.0.0",
        "O(N) in the distance to the index",
        "Replaces the element at an index",
        "key index element",
        KeySpec::ONE,
        |c, a| Ok(lset(c, a)),
    ),
    spec(
        "lrange",
        4,
        READONLY,
        "1.0.0",
        "O(S+N): S the distance to start, N the elements returned",
        "Returns the elements between two indexes, both included",
        "key start stop",
        KeySpec::ONE,
        |c, a| Ok(lrange(c, a)),
    ),
    spec(
        "ltrim",
        4,
        WRITE,
        "1.0.0",
        "O(N) in the number of elements removed",
        "Keeps only the elements between two indexes, deleting the rest",
        "key start stop",
        KeySpec::ONE,
        |c, a| Ok(ltrim(c, a)),
    ),
    spec(
        "lpos",
        -3,
        READONLY,
        "6.0.6",
        "O(N) in the length of the list",
        "Returns the index (or indexes) of matching elements",
        "key element [RANK rank] [COUNT num-matches] [MAXLEN len]",
        KeySpec::ONE,
        |c, a| Ok(lpos(c, a)),
    ),
    spec(
        "lrem",
        4,
        WRITE,
        "1.0.0",
        "O(N+M): N the length, M the elements removed",
        "Removes up to count occurrences of an element (0 = all, negative = from the tail)",
        "key count element",
        KeySpec::ONE,
        |c, a| Ok(lrem(c, a)),
    ),
    spec(
        "rpoplpush",
        3,
        WRITE | DENYOOM,
        "1.2.0",
        "O(1)",
        "Moves the last element of a list to the head of another and returns it",
        "source destination",
        KeySpec::TWO,
        |c, a| Ok(rpoplpush(c, a)),
    ),
    spec(
        "lmove",
        5,
        WRITE | DENYOOM,
        "6.2.0",
        "O(1)",
        "Moves an element from one end of a list to an end of another and returns it",
        "source destination LEFT|RIGHT LEFT|RIGHT",
        KeySpec::TWO,
        |c, a| Ok(lmove(c, a)),
    ),
    spec(
        "lmpop",
        -4,
        WRITE | MOVABLE_KEYS,
        "7.0.0",
        "O(N+M): N the keys, M the elements returned",
        "Pops elements from the first non-empty list among several keys",
        "numkeys key [key ...] LEFT|RIGHT [COUNT count]",
        KeySpec::NONE,
        |c, a| Ok(lmpop(c, a)),
    ),
    spec(
        "blmpop",
        -5,
        WRITE | BLOCKING | MOVABLE_KEYS,
        "7.0.0",
        "O(N+M): N the keys, M the elements returned",
        "Pops elements from the first non-empty list among several keys, waiting if all are empty",
        "timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]",
        KeySpec::NONE,
        |c, a| Ok(blmpop(c, a)),
    ),
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
    let mut out = Vec::new();
    if let Ok(Some(list)) = list_for_write(ctx, key) {
        let n = count.min(list.len());
        out.reserve(n);
        for _ in 0..n {
            if let Some(v) = list.pop(end) {
                out.push(v);
            }
        }
    }
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

/// A count that must be zero or more. Like Redis, a non-number gets the
/// same `ERR value is out of range, must be positive` as a negative one.
fn positive_count(arg: &[u8]) -> Result<i64, Reply> {
    match crate::float::parse_i64(arg) {
        Some(c) if c >= 0 => Ok(c),
        _ => Err(Reply::error(errors::NOT_POSITIVE)),
    }
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

fn push_command(ctx: &mut Ctx, argv: &[Vec<u8>], end: End, only_existing: bool) -> Reply {
    match push_elements(ctx, &argv[1], argv[2..].iter().cloned(), end, only_existing) {
        Ok(Some(len)) => Reply::Integer(len as i64),
        Ok(None) => Reply::Integer(0),
        Err(e) => e,
    }
}

/// LPUSH key element [element ...]
fn lpush(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    push_command(ctx, argv, End::Left, false)
}

/// RPUSH key element [element ...]
fn rpush(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    push_command(ctx, argv, End::Right, false)
}

/// LPUSHX key element [element ...]
fn lpushx(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    push_command(ctx, argv, End::Left, true)
}

/// RPUSHX key element [element ...]
fn rpushx(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    push_command(ctx, argv, End::Right, true)
}

/// LINSERT key BEFORE|AFTER pivot element
fn linsert(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let after = if argv[2].eq_ignore_ascii_case(b"after") {
        true
    } else if argv[2].eq_ignore_ascii_case(b"before") {
        false
    } else {
        return Reply::error(errors::SYNTAX);
    };
    let key = &argv[1];
    let len = match list_for_write(ctx, key) {
        Err(e) => return e,
        Ok(None) => return Reply::Integer(0),
        Ok(Some(list)) => match list.position(&argv[3]) {
            None => return Reply::Integer(-1),
            Some(i) => {
                list.insert(if after { i + 1 } else { i }, argv[4].clone());
                list.len()
            }
        },
    };
    ctx.key_modified(key);
    ctx.notify(notify::LIST, "linsert", key);
    Reply::Integer(len as i64)
}

// ----- pops -------------------------------------------------------------

fn pop_command(ctx: &mut Ctx, argv: &[Vec<u8>], end: End) -> Reply {
    if argv.len() > 3 {
        return Reply::error(errors::wrong_arity(end.pop_event()));
    }
    let count = match argv.get(2) {
        Some(arg) => match positive_count(arg) {
            Ok(c) => Some(c),
            Err(e) => return e,
        },
        None => None,
    };
    let key = &argv[1];
    match list_for_write(ctx, key) {
        Err(e) => return e,
        Ok(None) => return if count.is_some() { Reply::NilArray } else { Reply::Nil },
        Ok(Some(_)) => {}
    }
    match count {
        Some(0) => Reply::Array(Vec::new()),
        Some(n) => Reply::bulks(pop_elements(ctx, key, end, usize::try_from(n).unwrap_or(usize::MAX))),
        None => Reply::opt_bulk(pop_elements(ctx, key, end, 1).pop()),
    }
}

/// LPOP key [count]
fn lpop(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    pop_command(ctx, argv, End::Left)
}

/// RPOP key [count]
fn rpop(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    pop_command(ctx, argv, End::Right)
}

// ----- reads --------------------------------------------------------------

/// LLEN key
fn llen(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    match list_for_read(ctx, &argv[1]) {
        Err(e) => e,
        Ok(None) => Reply::Integer(0),
        Ok(Some(l)) => Reply::Integer(l.len() as i64),
    }
}

/// LINDEX key index
fn lindex(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let list = match list_for_read(ctx, &argv[1]) {
        Err(e) => return e,
        Ok(None) => return Reply::Nil,
        Ok(Some(l)) => l,
    };
    match crate::args::int(&argv[2]) {
        Err(e) => e,
        Ok(index) => Reply::opt_bulk(list.get(index)),
    }
}

/// LRANGE key start stop
fn lrange(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let (start, stop) = match (crate::args::int(&argv[2]), crate::args::int(&argv[3])) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    match list_for_read(ctx, &argv[1]) {
        Err(e) => e,
        Ok(None) => Reply::Array(Vec::new()),
        Ok(Some(list)) => match list.clamp_range(start, stop) {
            None => Reply::Array(Vec::new()),
            Some((a, b)) => Reply::Array(list.range(a, b).map(|e| Reply::Bulk(e.to_vec())).collect()),
        },
    }
}

/// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
fn lpos(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let mut rank: i64 = 1;
    let mut count: i64 = -1; // -1: no COUNT option
    let mut maxlen: i64 = 0;
    let mut j = 3;
    while j < argv.len() {
        let has_value = j + 1 < argv.len();
        let opt = &argv[j];
        if opt.eq_ignore_ascii_case(b"rank") && has_value {
            j += 1;
            rank = match crate::args::int(&argv[j]) {
                Ok(r) => r,
                Err(e) => return e,
            };
            if rank == 0 {
                return Reply::error(
                    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
                );
            }
        } else if opt.eq_ignore_ascii_case(b"count") && has_value {
            j += 1;
            count = match crate::float::parse_i64(&argv[j]) {
                Some(c) if c >= 0 => c,
                _ => return Reply::error("ERR COUNT can't be negative"),
            };
        } else if opt.eq_ignore_ascii_case(b"maxlen") && has_value {
            j += 1;
            maxlen = match crate::float::parse_i64(&argv[j]) {
                Some(m) if m >= 0 => m,
                _ => return Reply::error("ERR MAXLEN can't be negative"),
            };
        } else {
            return Reply::error(errors::SYNTAX);
        }
        j += 1;
    }
    // A negative rank searches from the tail. Like Redis, the most negative
    // rank stays negative after the sign flip and so matches every element.
    let from_tail = rank < 0;
    if from_tail {
        rank = rank.wrapping_neg();
    }
    let list = match list_for_read(ctx, &argv[1]) {
        Err(e) => return e,
        Ok(None) => return if count != -1 { Reply::Array(Vec::new()) } else { Reply::Nil },
        Ok(Some(l)) => l,
    };
    let len = list.len();
    let element = &argv[2];
    let mut found = Vec::new();
    let mut matches: i64 = 0;
    for scanned in 0..len {
        if maxlen != 0 && scanned as i64 >= maxlen {
            break;
        }
        let index = if from_tail { len - 1 - scanned } else { scanned };
        if list.at(index) != Some(element.as_slice()) {
            continue;
        }
        matches += 1;
        if matches >= rank {
            found.push(Reply::Integer(index as i64));
            if count == -1 {
                break;
            }
            if count != 0 && matches.wrapping_sub(rank).wrapping_add(1) >= count {
                break;
            }
        }
    }
    if count != -1 {
        Reply::Array(found)
    } else {
        found.pop().unwrap_or(Reply::Nil)
    }
}

// ----- positional edits -----------------------------------------------------

/// LSET key index element
fn lset(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let key = &argv[1];
    let list = match list_for_write(ctx, key) {
        Err(e) => return e,
        Ok(None) => return Reply::error(errors::NO_SUCH_KEY),
        Ok(Some(l)) => l,
    };
    let index = match crate::args::int(&argv[2]) {
        Ok(i) => i,
        Err(e) => return e,
    };
    match list.resolve_index(index).filter(|&i| list.replace(i, argv[3].clone())) {
        None => Reply::error(errors::INDEX_OUT_OF_RANGE),
        Some(_) => {
            ctx.key_modified(key);
            ctx.notify(notify::LIST, "lset", key);
            Reply::OK
        }
    }
}

/// LTRIM key start stop
fn ltrim(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let (start, stop) = match (crate::args::int(&argv[2]), crate::args::int(&argv[3])) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let key = &argv[1];
    match list_for_write(ctx, key) {
        Err(e) => return e,
        Ok(None) => return Reply::OK,
        Ok(Some(list)) => {
            let kept = list.clamp_range(start, stop);
            list.keep_range(kept);
        }
    }
    after_removal(ctx, key, "ltrim");
    Reply::OK
}

/// LREM key count element
fn lrem(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let count = match crate::args::int(&argv[2]) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let key = &argv[1];
    let element = &argv[3];
    let removed = match list_for_write(ctx, key) {
        Err(e) => return e,
        Ok(None) => return Reply::Integer(0),
        Ok(Some(list)) => {
            let total = list.iter().filter(|e| *e == element.as_slice()).count();
            let limit = if count == 0 { total } else { (count.unsigned_abs().min(total as u64)) as usize };
            // From the tail: keep the first (total - limit) matches.
            let mut skip = if count < 0 { total - limit } else { 0 };
            let mut left = limit;
            list.retain(|e| {
                if left == 0 || e != element {
                    return true;
                }
                if skip > 0 {
                    skip -= 1;
                    return true;
                }
                left -= 1;
                false
            });
            limit
        }
    };
    if removed > 0 {
        after_removal(ctx, key, "lrem");
    }
    Reply::Integer(removed as i64)
}

// ----- moves ----------------------------------------------------------------

/// The shared body of RPOPLPUSH, LMOVE and a served BLMOVE: pops from
/// `src`, pushes onto `dst`, replies with the element (nil if `src` is missing).
fn move_element(ctx: &mut Ctx, src: &[u8], dst: &[u8], from: End, to: End) -> Reply {
    match list_for_write(ctx, src) {
        Err(e) => return e,
        Ok(None) => return Reply::Nil,
        Ok(Some(l)) if l.is_empty() => return Reply::Nil,
        Ok(Some(_)) => {}
    }
    if let Err(e) = list_for_write(ctx, dst) {
        return e;
    }
    let Some(value) = list_for_write(ctx, src).ok().flatten().and_then(|l| l.pop(from)) else {
        return Reply::Nil;
    };
    if let Err(e) = push_elements(ctx, dst, std::iter::once(value.clone()), to, false) {
        return e;
    }
    after_removal(ctx, src, from.pop_event());
    Reply::Bulk(value)
}

/// RPOPLPUSH source destination
fn rpoplpush(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    move_element(ctx, &argv[1], &argv[2], End::Right, End::Left)
}

/// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
fn lmove(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let (from, to) = match (End::parse(&argv[3]), End::parse(&argv[4])) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    move_element(ctx, &argv[1], &argv[2], from, to)
}

/// Blocking move: serves at once when `src` has elements, else waits.
fn blocking_move(ctx: &mut Ctx, argv: &[Vec<u8>], from: End, to: End, deadline: Option<i64>) -> Reply {
    let src = &argv[1];
    match list_for_write(ctx, src) {
        Err(e) => e,
        Ok(Some(l)) if !l.is_empty() => move_element(ctx, src, &argv[2], from, to),
        Ok(_) => block_or(ctx, argv, vec![src.clone()], deadline, Reply::Nil),
    }
}

/// BRPOPLPUSH source destination timeout
fn brpoplpush(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    match parse_timeout(&argv[3], ctx.now_ms()) {
        Err(e) => e,
        Ok(deadline) => blocking_move(ctx, argv, End::Right, End::Left, deadline),
    }
}

/// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
fn blmove(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let (from, to) = match (End::parse(&argv[3]), End::parse(&argv[4])) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    match parse_timeout(&argv[5], ctx.now_ms()) {
        Err(e) => e,
        Ok(deadline) => blocking_move(ctx, argv, from, to, deadline),
    }
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

fn blocking_pop(ctx: &mut Ctx, argv: &[Vec<u8>], end: End) -> Reply {
    let Some((timeout, keys)) = argv[1..].split_last() else {
        return Reply::error(errors::SYNTAX);
    };
    let deadline = match parse_timeout(timeout, ctx.now_ms()) {
        Ok(d) => d,
        Err(e) => return e,
    };
    match first_non_empty(ctx, keys) {
        Err(e) => e,
        Ok(Some(key)) => match pop_elements(ctx, key, end, 1).pop() {
            Some(v) => Reply::Array(vec![Reply::Bulk(key.to_vec()), Reply::Bulk(v)]),
            None => Reply::NilArray,
        },
        Ok(None) => block_or(ctx, argv, keys.to_vec(), deadline, Reply::NilArray),
    }
}

/// BLPOP key [key ...] timeout
fn blpop(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    blocking_pop(ctx, argv, End::Left)
}

/// BRPOP key [key ...] timeout
fn brpop(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    blocking_pop(ctx, argv, End::Right)
}

/// Parsed `numkeys key [key ...] LEFT|RIGHT [COUNT count]`.
struct MultiPop<'a> {
    keys: &'a [Vec<u8>],
    end: End,
    count: i64,
}

fn parse_multi_pop(argv: &[Vec<u8>], numkeys_at: usize) -> Result<MultiPop<'_>, Reply> {
    const NUMKEYS: &str = "ERR numkeys should be greater than 0";
    const COUNT: &str = "ERR count should be greater than 0";
    let numkeys = match argv.get(numkeys_at).and_then(|a| crate::float::parse_i64(a)) {
        Some(n) if n >= 1 => n as u64,
        _ => return Err(Reply::error(NUMKEYS)),
    };
    let first_key = numkeys_at + 1;
    let where_at = (first_key as u64).checked_add(numkeys).filter(|&w| w < argv.len() as u64);
    let Some(where_at) = where_at.map(|w| w as usize) else {
        return Err(Reply::error(errors::SYNTAX));
    };
    let end = End::parse(&argv[where_at])?;
    let mut count = -1;
    let mut j = where_at + 1;
    while j < argv.len() {
        if count == -1 && argv[j].eq_ignore_ascii_case(b"count") && j + 1 < argv.len() {
            j += 1;
            count = match crate::float::parse_i64(&argv[j]) {
                Some(c) if c >= 1 => c,
                _ => return Err(Reply::error(COUNT)),
            };
        } else {
            return Err(Reply::error(errors::SYNTAX));
        }
        j += 1;
    }
    Ok(MultiPop { keys: &argv[first_key..where_at], end, count: count.max(1) })
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
fn lmpop(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let mp = match parse_multi_pop(argv, 1) {
        Ok(mp) => mp,
        Err(e) => return e,
    };
    match multi_pop(ctx, &mp) {
        Ok(Some(r)) => r,
        Ok(None) => Reply::NilArray,
        Err(e) => e,
    }
}

/// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
fn blmpop(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let mp = match parse_multi_pop(argv, 2) {
        Ok(mp) => mp,
        Err(e) => return e,
    };
    let deadline = match parse_timeout(&argv[1], ctx.now_ms()) {
        Ok(d) => d,
        Err(e) => return e,
    };
    match multi_pop(ctx, &mp) {
        Ok(Some(r)) => r,
        Ok(None) => block_or(ctx, argv, mp.keys.to_vec(), deadline, Reply::NilArray),
        Err(e) => e,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::engine::Engine;
    use crate::events::Event;

    /// Runs `lines` on a fresh engine with every keyspace event enabled and
    /// returns the `event key` pairs published on `__keyevent@0__:*`.
    pub(crate) fn key_events(lines: &[&str]) -> Vec<String> {
        let mut engine = Engine::with_manual_clock(0, 1);
        let me = engine.connect("t:1");
        let listener = engine.connect("t:2");
        engine.config_mut().notify_keyspace_events = notify::ALL | notify::KEYEVENT;
        engine.pubsub.psubscribe(listener, b"__keyevent@0__:*");
        for line in lines {
            let _ = engine.execute_line(me, line);
        }
        engine
            .drain_events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Deliver { client, reply: Reply::Array(items) } if client == listener => {
                    let text = |r: &Reply| match r {
                        Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
                        _ => String::new(),
                    };
                    let channel = text(items.get(2)?);
                    let event = channel.rsplit(':').next()?.to_string();
                    Some(format!("{event} {}", text(items.get(3)?)))
                }
                _ => None,
            })
            .collect()
    }

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
        engine.no_blocking = 1;
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
