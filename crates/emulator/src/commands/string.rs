//! String commands: GET, SET and its variants, multi-key MGET/MSET,
//! in-place edits (APPEND, SETRANGE), ranges, counters and LCS.

use crate::args;
use crate::command::{flags::*, CommandSpec, Group, KeySpec};
use crate::engine::Ctx;
use crate::errors;
use crate::float;
use crate::notify;
use crate::reply::Reply;
use crate::value::{StrValue, Value};

const S: CommandSpec = CommandSpec { group: Group::String, keys: KeySpec::ONE, ..CommandSpec::DEFAULT };

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "get",
        arity: 2,
        flags: READONLY | FAST,
        summary: "Returns the string stored at a key, or nil",
        syntax: "key",
        handler: |c, a| Ok(get(c, a)),
        ..S
    },
    CommandSpec {
        name: "set",
            key_flags: &[&["RW", "access", "update", "variable_flags"]],
        arity: -3,
        flags: WRITE | DENYOOM,
        summary: "Stores a string at a key, with optional expiry, conditions and old-value return",
        syntax: "key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]",
        handler: |c, a| Ok(set(c, a)),
        ..S
    },
    CommandSpec {
        name: "setnx",
            key_flags: &[&["OW", "insert"]],
        arity: 3,
        flags: WRITE | DENYOOM | FAST,
        summary: "Stores a string only if the key does not exist yet; answers 1 or 0",
        syntax: "key value",
        handler: |c, a| Ok(setnx(c, a)),
        ..S
    },
    CommandSpec {
        name: "setex",
            key_flags: &[&["OW", "update"]],
        arity: 4,
        flags: WRITE | DENYOOM,
        since: "2.0.0",
        summary: "Stores a string with a time to live in seconds",
        syntax: "key seconds value",
        handler: |c, a| Ok(setex(c, a)),
        ..S
    },
    CommandSpec {
        name: "psetex",
            key_flags: &[&["OW", "update"]],
        arity: 4,
        flags: WRITE | DENYOOM,
        since: "2.6.0",
        summary: "Stores a string with a time to live in milliseconds",
        syntax: "key milliseconds value",
        handler: |c, a| Ok(psetex(c, a)),
        ..S
    },
    CommandSpec {
        name: "getset",
            key_flags: &[&["RW", "access", "update"]],
        arity: 3,
        flags: WRITE | DENYOOM | FAST,
        summary: "Stores a new string and answers the previous one (deprecated: SET … GET)",
        syntax: "key value",
        handler: |c, a| Ok(getset(c, a)),
        ..S
    },
    CommandSpec {
        name: "getdel",
            key_flags: &[&["RW", "access", "delete"]],
        arity: 2,
        flags: WRITE | FAST,
        since: "6.2.0",
        summary: "Answers the string at a key and deletes the key",
        syntax: "key",
        handler: |c, a| Ok(getdel(c, a)),
        ..S
    },
    CommandSpec {
        name: "getex",
            key_flags: &[&["RW", "access", "update"]],
        arity: -2,
        flags: WRITE | FAST,
        since: "6.2.0",
        summary: "Answers the string at a key and optionally changes or removes its expiry",
        syntax: "key [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|PERSIST]",
        handler: |c, a| Ok(getex(c, a)),
        ..S
    },
    CommandSpec {
        name: "mget",
            tips: &["request_policy:multi_shard"],
        arity: -2,
        flags: READONLY | FAST,
        complexity: "O(N) where N is the number of keys to retrieve",
        summary: "Answers the strings of several keys (nil for missing or non-string keys)",
        syntax: "key [key ...]",
        keys: KeySpec::ALL,
        handler: |c, a| Ok(mget(c, a)),
        ..S
    },
    CommandSpec {
        name: "mset",
            tips: &["request_policy:multi_shard", "response_policy:all_succeeded"],
            key_flags: &[&["OW", "update"]],
        arity: -3,
        flags: WRITE | DENYOOM,
        since: "1.0.1",
        complexity: "O(N) where N is the number of keys to set",
        summary: "Stores several key/value pairs at once",
        syntax: "key value [key value ...]",
        keys: KeySpec::PAIRS,
        handler: |c, a| Ok(mset(c, a)),
        ..S
    },
    CommandSpec {
        name: "msetnx",
            tips: &["request_policy:multi_shard", "response_policy:agg_min"],
            key_flags: &[&["OW", "insert"]],
        arity: -3,
        flags: WRITE | DENYOOM,
        since: "1.0.1",
        complexity: "O(N) where N is the number of keys to set",
        summary: "Stores several key/value pairs only if none of the keys exists",
        syntax: "key value [key value ...]",
        keys: KeySpec::PAIRS,
        handler: |c, a| Ok(msetnx(c, a)),
        ..S
    },
    CommandSpec {
        name: "append",
            key_flags: &[&["RW", "insert"]],
        arity: 3,
        flags: WRITE | DENYOOM | FAST,
        since: "2.0.0",
        summary: "Adds bytes to the end of a string (creating it) and answers the new length",
        syntax: "key value",
        handler: |c, a| Ok(append(c, a)),
        ..S
    },
    CommandSpec {
        name: "strlen",
            key_flags: &[&["RO"]],
        arity: 2,
        flags: READONLY | FAST,
        since: "2.2.0",
        summary: "Answers the length in bytes of a string (0 if missing)",
        syntax: "key",
        handler: |c, a| Ok(strlen(c, a)),
        ..S
    },
    CommandSpec {
        name: "getrange",
        arity: 4,
        flags: READONLY,
        since: "2.4.0",
        complexity: "O(N) where N is the length of the returned string",
        summary: "Answers a slice of a string between two inclusive offsets (negative from the end)",
        syntax: "key start end",
        handler: |c, a| Ok(getrange(c, a)),
        ..S
    },
    CommandSpec {
        name: "substr",
        arity: 4,
        flags: READONLY,
        complexity: "O(N) where N is the length of the returned string",
        summary: "Old name of GETRANGE",
        syntax: "key start end",
        handler: |c, a| Ok(getrange(c, a)),
        ..S
    },
    CommandSpec {
        name: "setrange",
            key_flags: &[&["RW", "update"]],
        arity: 4,
        flags: WRITE | DENYOOM,
        since: "2.2.0",
        summary: "Overwrites part of a string from an offset, zero-padding as needed; answers the new length",
        syntax: "key offset value",
        handler: |c, a| Ok(setrange(c, a)),
        ..S
    },
    CommandSpec {
        name: "incr",
            key_flags: &[&["RW", "access", "update"]],
        arity: 2,
        flags: WRITE | DENYOOM | FAST,
        summary: "Adds 1 to the integer stored at a key",
        syntax: "key",
        handler: |c, a| Ok(incr(c, a)),
        ..S
    },
    CommandSpec {
        name: "decr",
            key_flags: &[&["RW", "access", "update"]],
        arity: 2,
        flags: WRITE | DENYOOM | FAST,
        summary: "Subtracts 1 from the integer stored at a key",
        syntax: "key",
        handler: |c, a| Ok(decr(c, a)),
        ..S
    },
    CommandSpec {
        name: "incrby",
            key_flags: &[&["RW", "access", "update"]],
        arity: 3,
        flags: WRITE | DENYOOM | FAST,
        summary: "Adds an integer to the integer stored at a key",
        syntax: "key increment",
        handler: |c, a| Ok(incrby(c, a)),
        ..S
    },
    CommandSpec {
        name: "decrby",
            key_flags: &[&["RW", "access", "update"]],
        arity: 3,
        flags: WRITE | DENYOOM | FAST,
        summary: "Subtracts an integer from the integer stored at a key",
        syntax: "key decrement",
        handler: |c, a| Ok(decrby(c, a)),
        ..S
    },
    CommandSpec {
        name: "incrbyfloat",
            key_flags: &[&["RW", "access", "update"]],
        arity: 3,
        flags: WRITE | DENYOOM | FAST,
        since: "2.6.0",
        summary: "Adds a decimal number to the number stored at a key, in extended precision",
        syntax: "key increment",
        handler: |c, a| Ok(incrbyfloat(c, a)),
        ..S
    },
    CommandSpec {
        name: "lcs",
        arity: -3,
        flags: READONLY,
        since: "7.0.0",
        complexity: "O(N*M) where N and M are the lengths of s1 and s2, respectively",
        summary: "Finds the longest common subsequence of two strings, its length or the matching ranges",
        syntax: "key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]",
        keys: KeySpec::TWO,
        handler: |c, a| Ok(lcs(c, a)),
        ..S
    },
];

/// Largest LCS table (cells) the emulator builds; Redis has no such limit.
pub const LCS_MAX_CELLS: u64 = 16 * 1024 * 1024;

/// The string at `key` for reading, borrowed: `Ok(None)` if missing,
/// WRONGTYPE otherwise.
fn borrow_string<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a [u8]>, Reply> {
    match ctx.lookup_read(key) {
        None => Ok(None),
        Some(entry) => match &entry.value {
            Value::String(s) => Ok(Some(s.as_bytes())),
            _ => Err(Reply::error(errors::WRONGTYPE)),
        },
    }
}

/// The string at `key` for reading, copied (for a reply).
fn read_string(ctx: &mut Ctx, key: &[u8]) -> Result<Option<Vec<u8>>, Reply> {
    borrow_string(ctx, key).map(|s| s.map(<[u8]>::to_vec))
}

/// The string at `key` for writing in place (no hit/miss stats).
fn write_string<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a mut StrValue>, Reply> {
    match ctx.lookup_write(key) {
        None => Ok(None),
        Some(entry) => match &mut entry.value {
            Value::String(s) => Ok(Some(s)),
            _ => Err(Reply::error(errors::WRONGTYPE)),
        },
    }
}

/// Refuses a string that would grow past `proto-max-bulk-len`.
pub fn check_string_length(ctx: &Ctx, size: i64, append: i64) -> Result<(), Reply> {
    within_string_limit(ctx.config().proto_max_bulk_len, size, append)
}

fn within_string_limit(limit: i64, size: i64, append: i64) -> Result<(), Reply> {
    match size.checked_add(append) {
        Some(total) if total <= limit => Ok(()),
        _ => Err(Reply::error(errors::STRING_TOO_LONG)),
    }
}

/// How an expiry argument is expressed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ExpireUnit {
    /// EX: seconds from now.
    Seconds,
    /// PX: milliseconds from now.
    Millis,
    /// EXAT: Unix time in seconds.
    AtSeconds,
    /// PXAT: Unix time in milliseconds.
    AtMillis,
}

/// Redis's `getExpireMillisecondsOrReply`: the absolute expiry in ms, or
/// `ERR invalid expire time in '<command>' command` for non-positive or
/// overflowing values.
pub fn expire_millis(ctx: &Ctx, arg: &[u8], unit: ExpireUnit, command: &str) -> Result<i64, Reply> {
    let mut ms = args::int(arg)?;
    let seconds = matches!(unit, ExpireUnit::Seconds | ExpireUnit::AtSeconds);
    if ms <= 0 || (seconds && ms > i64::MAX / 1000) {
        return Err(Reply::error(errors::invalid_expire(command)));
    }
    if seconds {
        ms *= 1000;
    }
    if matches!(unit, ExpireUnit::Seconds | ExpireUnit::Millis) {
        ms = ms.wrapping_add(ctx.now_ms());
    }
    if ms <= 0 {
        return Err(Reply::error(errors::invalid_expire(command)));
    }
    Ok(ms)
}

/// Options shared by SET and GETEX (Redis's `parseExtendedStringArgumentsOrReply`).
#[derive(Default)]
struct StringOptions {
    nx: bool,
    xx: bool,
    get: bool,
    keep_ttl: bool,
    persist: bool,
    expire: Option<(ExpireUnit, usize)>,
}

fn parse_string_options(argv: &[Vec<u8>], from: usize, for_set: bool) -> Result<StringOptions, Reply> {
    let mut o = StringOptions::default();
    let mut j = from;
    while j < argv.len() {
        let opt = &argv[j];
        let has_next = j + 1 < argv.len();
        let unit = o.expire.map(|(u, _)| u);
        let other_expire = |u: ExpireUnit| unit.is_some_and(|x| x != u);
        if for_set && args::is(opt, "NX") && !o.xx {
            o.nx = true;
        } else if for_set && args::is(opt, "XX") && !o.nx {
            o.xx = true;
        } else if for_set && args::is(opt, "GET") {
            o.get = true;
        } else if for_set && args::is(opt, "KEEPTTL") && !o.persist && unit.is_none() {
            o.keep_ttl = true;
        } else if !for_set && args::is(opt, "PERSIST") && !o.keep_ttl && unit.is_none() {
            o.persist = true;
        } else if let Some(u) = [
            ("EX", ExpireUnit::Seconds),
            ("PX", ExpireUnit::Millis),
            ("EXAT", ExpireUnit::AtSeconds),
            ("PXAT", ExpireUnit::AtMillis),
        ]
        .into_iter()
        .find(|(name, u)| args::is(opt, name) && !o.keep_ttl && !o.persist && !other_expire(*u) && has_next)
        .map(|(_, u)| u)
        {
            o.expire = Some((u, j + 1));
            j += 1;
        } else {
            return Err(Reply::error(errors::SYNTAX));
        }
        j += 1;
    }
    Ok(o)
}

/// GET key
fn get(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    match read_string(ctx, &argv[1]) {
        Ok(v) => Reply::opt_bulk(v),
        Err(e) => e,
    }
}

/// The shared core of SET, SETNX, SETEX and PSETEX (Redis's `setGenericCommand`).
/// Returns whether it wrote (NX/XX may stop it) and, with GET, the old value.
fn set_generic(
    ctx: &mut Ctx,
    key: &[u8],
    value: &[u8],
    opts: &StringOptions,
    expire: Option<(ExpireUnit, &[u8])>,
    command: &str,
) -> Result<(bool, Option<Vec<u8>>), Reply> {
    let at = match expire {
        Some((unit, arg)) => Some(expire_millis(ctx, arg, unit, command)?),
        None => None,
    };
    let old = if opts.get { read_string(ctx, key)? } else { None };
    if opts.nx || opts.xx {
        let found = ctx.lookup_write(key).is_some();
        if (opts.nx && found) || (opts.xx && !found) {
            return Ok((false, old));
        }
        ctx.set_key(key, Value::string_from(value), opts.keep_ttl);
    } else {
        ctx.overwrite_key(key, Value::string_from(value), opts.keep_ttl);
    }
    ctx.notify(notify::STRING, "set", key);
    if let Some(at) = at {
        ctx.set_expire(key, at);
        ctx.notify(notify::GENERIC, "expire", key);
    }
    Ok((true, old))
}

/// SET key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]
fn set(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let opts = match parse_string_options(argv, 3, true) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let expire = opts.expire.map(|(u, i)| (u, argv[i].as_slice()));
    match set_generic(ctx, &argv[1], &argv[2], &opts, expire, "set") {
        Err(e) => e,
        Ok((_, old)) if opts.get => Reply::opt_bulk(old),
        Ok((true, _)) => Reply::OK,
        Ok((false, _)) => Reply::Nil,
    }
}

/// SETNX key value
fn setnx(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let opts = StringOptions { nx: true, ..StringOptions::default() };
    match set_generic(ctx, &argv[1], &argv[2], &opts, None, "setnx") {
        Err(e) => e,
        Ok((done, _)) => Reply::Integer(done as i64),
    }
}

/// SETEX key seconds value
fn setex(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let opts = StringOptions::default();
    match set_generic(ctx, &argv[1], &argv[3], &opts, Some((ExpireUnit::Seconds, &argv[2])), "setex") {
        Err(e) => e,
        Ok(_) => Reply::OK,
    }
}

/// PSETEX key milliseconds value
fn psetex(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let opts = StringOptions::default();
    match set_generic(ctx, &argv[1], &argv[3], &opts, Some((ExpireUnit::Millis, &argv[2])), "psetex") {
        Err(e) => e,
        Ok(_) => Reply::OK,
    }
}

/// GETSET key value
fn getset(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let old = match read_string(ctx, &argv[1]) {
        Ok(v) => v,
        Err(e) => return e,
    };
    ctx.set_key(&argv[1], Value::string_from(&argv[2]), false);
    ctx.notify(notify::STRING, "set", &argv[1]);
    Reply::opt_bulk(old)
}

/// GETDEL key
fn getdel(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    match read_string(ctx, &argv[1]) {
        Err(e) => e,
        Ok(None) => Reply::Nil,
        Ok(Some(v)) => {
            ctx.delete_key(&argv[1]);
            ctx.notify(notify::GENERIC, "del", &argv[1]);
            Reply::Bulk(v)
        }
    }
}

/// GETEX key [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|PERSIST]
fn getex(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let opts = match parse_string_options(argv, 2, false) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let key = &argv[1];
    let value = match read_string(ctx, key) {
        Err(e) => return e,
        Ok(None) => return Reply::Nil,
        Ok(Some(v)) => v,
    };
    let at = match opts.expire {
        Some((unit, i)) => match expire_millis(ctx, &argv[i], unit, "getex") {
            Ok(at) => Some((unit, at)),
            Err(e) => return e,
        },
        None => None,
    };
    match at {
        Some((unit, at))
            if matches!(unit, ExpireUnit::AtSeconds | ExpireUnit::AtMillis)
                && at <= ctx.now_ms()
                && !ctx.is_loading() =>
        {
            ctx.delete_key(key);
            ctx.notify(notify::GENERIC, "del", key);
        }
        Some((_, at)) => {
            ctx.set_expire(key, at);
            ctx.notify(notify::GENERIC, "expire", key);
        }
        None if opts.persist && ctx.db().persist(key) => {
            ctx.key_modified(key);
            ctx.notify(notify::GENERIC, "persist", key);
        }
        None => {}
    }
    Reply::Bulk(value)
}

/// MGET key [key ...]
fn mget(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let mut out = Vec::with_capacity(argv.len() - 1);
    for key in &argv[1..] {
        out.push(match read_string(ctx, key) {
            Ok(Some(v)) => Reply::Bulk(v),
            _ => Reply::Nil,
        });
    }
    Reply::Array(out)
}

/// MSET key value [key value ...]
fn mset(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    if argv.len().is_multiple_of(2) {
        return Reply::error(errors::wrong_arity("mset"));
    }
    for pair in argv[1..].chunks(2) {
        ctx.set_key(&pair[0], Value::string_from(&pair[1]), false);
        ctx.notify(notify::STRING, "set", &pair[0]);
    }
    Reply::OK
}

/// MSETNX key value [key value ...]
fn msetnx(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    if argv.len().is_multiple_of(2) {
        return Reply::error(errors::wrong_arity("msetnx"));
    }
    for pair in argv[1..].chunks(2) {
        if ctx.lookup_write(&pair[0]).is_some() {
            return Reply::Integer(0);
        }
    }
    for pair in argv[1..].chunks(2) {
        ctx.set_key(&pair[0], Value::string_from(&pair[1]), false);
        ctx.notify(notify::STRING, "set", &pair[0]);
    }
    Reply::Integer(1)
}

/// APPEND key value
fn append(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let key = &argv[1];
    let limit = ctx.config().proto_max_bulk_len;
    let len = match write_string(ctx, key) {
        Err(e) => return e,
        Ok(None) => {
            ctx.set_key(key, Value::string_from(&argv[2]), false);
            argv[2].len()
        }
        Ok(Some(current)) => {
            if let Err(e) = within_string_limit(limit, current.len() as i64, argv[2].len() as i64) {
                return e;
            }
            // Grown in place: amortised O(1) per APPEND, like Redis's sds.
            current.bytes_mut().extend_from_slice(&argv[2]);
            let len = current.len();
            ctx.key_modified(key);
            len
        }
    };
    ctx.notify(notify::STRING, "append", key);
    Reply::Integer(len as i64)
}

/// STRLEN key
fn strlen(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    match borrow_string(ctx, &argv[1]) {
        Err(e) => e,
        Ok(v) => Reply::Integer(v.map_or(0, |v| v.len() as i64)),
    }
}

/// GETRANGE key start end (also SUBSTR)
fn getrange(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let (mut start, mut end) = match (args::int(&argv[2]), args::int(&argv[3])) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let s = match borrow_string(ctx, &argv[1]) {
        Err(e) => return e,
        Ok(None) => return Reply::Bulk(Vec::new()),
        Ok(Some(s)) => s,
    };
    let len = s.len() as i64;
    if start < 0 && end < 0 && start > end {
        return Reply::Bulk(Vec::new());
    }
    if start < 0 {
        start += len;
    }
    if end < 0 {
        end += len;
    }
    start = start.max(0);
    end = end.max(0);
    if end >= len {
        end = len - 1;
    }
    if start > end || len == 0 {
        return Reply::Bulk(Vec::new());
    }
    Reply::Bulk(s[start as usize..=end as usize].to_vec())
}

/// SETRANGE key offset value
fn setrange(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let key = &argv[1];
    let value = &argv[3];
    let offset = match args::int(&argv[2]) {
        Ok(o) => o,
        Err(e) => return e,
    };
    if offset < 0 {
        return Reply::error("ERR offset is out of range");
    }
    let limit = ctx.config().proto_max_bulk_len;
    let current = match write_string(ctx, key) {
        Err(e) => return e,
        Ok(c) => c,
    };
    if value.is_empty() {
        return Reply::Integer(current.map_or(0, |c| c.len() as i64));
    }
    if let Err(e) = within_string_limit(limit, offset, value.len() as i64) {
        return e;
    }
    let (offset, end) = (offset as usize, offset as usize + value.len());
    let len = match current {
        Some(current) => {
            let bytes = current.bytes_mut();
            if bytes.len() < end {
                bytes.resize(end, 0);
            }
            bytes[offset..end].copy_from_slice(value);
            let len = bytes.len();
            ctx.key_modified(key);
            len
        }
        None => {
            let mut bytes = vec![0; end];
            bytes[offset..].copy_from_slice(value);
            ctx.set_key(key, Value::String(StrValue::raw(bytes)), false);
            end
        }
    };
    ctx.notify(notify::STRING, "setrange", key);
    Reply::Integer(len as i64)
}

/// Redis's `incrDecrCommand`: adds `by` to the integer at `key`, keeping its TTL.
fn incr_decr(ctx: &mut Ctx, key: &[u8], by: i64) -> Reply {
    let current = match write_string(ctx, key) {
        Err(e) => return e,
        Ok(c) => c,
    };
    let old = match current.as_deref() {
        None => 0,
        Some(bytes) => match float::parse_i64(bytes) {
            Some(v) => v,
            None => return Reply::error(errors::NOT_INTEGER),
        },
    };
    let Some(new) = old.checked_add(by) else {
        return Reply::error("ERR increment or decrement would overflow");
    };
    // Replaced in place (the key keeps its TTL); a fresh value, so the
    // encoding is `int` again even if the old string was `raw`, as in Redis.
    match current {
        Some(current) => {
            *current = StrValue::from_i64(new);
            ctx.key_modified(key);
        }
        None => ctx.set_key(key, Value::String(StrValue::from_i64(new)), false),
    }
    ctx.notify(notify::STRING, "incrby", key);
    Reply::Integer(new)
}

/// INCR key
fn incr(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    incr_decr(ctx, &argv[1], 1)
}

/// DECR key
fn decr(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    incr_decr(ctx, &argv[1], -1)
}

/// INCRBY key increment
fn incrby(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    match args::int(&argv[2]) {
        Ok(by) => incr_decr(ctx, &argv[1], by),
        Err(e) => e,
    }
}

/// DECRBY key decrement
fn decrby(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    match args::int(&argv[2]) {
        Ok(i64::MIN) => Reply::error("ERR decrement would overflow"),
        Ok(by) => incr_decr(ctx, &argv[1], -by),
        Err(e) => e,
    }
}

/// INCRBYFLOAT key increment — computed in 80-bit extended precision like Redis.
fn incrbyfloat(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let key = &argv[1];
    let current = match write_string(ctx, key) {
        Err(e) => return e,
        Ok(c) => c,
    };
    let text = match float::incr_by_float_bytes(current.as_deref().map(StrValue::as_bytes), &argv[2]) {
        Ok(t) => t,
        Err(float::IncrFloatError::NotAFloat) => return Reply::error(errors::NOT_FLOAT),
        Err(float::IncrFloatError::NanOrInfinity) => {
            return Reply::error("ERR increment would produce NaN or Infinity")
        }
    };
    match current {
        Some(current) => {
            *current = StrValue::from_slice(&text);
            ctx.key_modified(key);
        }
        None => ctx.set_key(key, Value::string_from(&text), false),
    }
    ctx.notify(notify::STRING, "incrbyfloat", key);
    Reply::Bulk(text)
}

/// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]
fn lcs(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let a = ctx.lookup_read(&argv[1]).map(|e| e.value.clone());
    let b = ctx.lookup_read(&argv[2]).map(|e| e.value.clone());
    let as_str = |v: Option<Value>| match v {
        None => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(s.into_bytes()),
        Some(_) => Err(()),
    };
    let (a, b) = match (as_str(a), as_str(b)) {
        (Ok(a), Ok(b)) => (a, b),
        _ => return Reply::error("ERR The specified keys must contain string values"),
    };
    let (mut want_idx, mut want_len, mut with_match_len) = (false, false, false);
    let mut min_match_len: i64 = 0;
    let mut j = 3;
    while j < argv.len() {
        let opt = &argv[j];
        let more = argv.len() - 1 - j;
        if args::is(opt, "IDX") {
            want_idx = true;
        } else if args::is(opt, "LEN") {
            want_len = true;
        } else if args::is(opt, "WITHMATCHLEN") {
            with_match_len = true;
        } else if args::is(opt, "MINMATCHLEN") && more > 0 {
            match args::int(&argv[j + 1]) {
                Ok(v) => min_match_len = v.max(0),
                Err(e) => return e,
            }
            j += 1;
        } else {
            return Reply::error(errors::SYNTAX);
        }
        j += 1;
    }
    if want_idx && want_len {
        return Reply::error("ERR If you want both the length and indexes, please just use IDX.");
    }
    let (alen, blen) = (a.len(), b.len());
    if (alen as u64 + 1) * (blen as u64 + 1) > LCS_MAX_CELLS {
        return Reply::error("ERR LCS input too large for the emulator (at most 16M table cells)");
    }
    let width = blen + 1;
    let mut dp = vec![0u32; (alen + 1) * width];
    for i in 1..=alen {
        for k in 1..=blen {
            dp[i * width + k] = if a[i - 1] == b[k - 1] {
                dp[(i - 1) * width + k - 1] + 1
            } else {
                dp[(i - 1) * width + k].max(dp[i * width + k - 1])
            };
        }
    }
    let total = dp[alen * width + blen];
    let mut result = vec![0u8; total as usize];
    let mut matches = Vec::new();
    let (mut i, mut k, mut idx) = (alen, blen, total as usize);
    let (mut a_start, mut a_end, mut b_start, mut b_end) = (alen, 0usize, 0usize, 0usize);
    while i > 0 && k > 0 {
        let mut emit = false;
        if a[i - 1] == b[k - 1] {
            if idx > 0 {
                result[idx - 1] = a[i - 1];
            }
            if a_start == alen {
                a_start = i - 1;
                a_end = i - 1;
                b_start = k - 1;
                b_end = k - 1;
            } else if a_start == i && b_start == k {
                a_start -= 1;
                b_start -= 1;
            } else {
                emit = true;
            }
            if a_start == 0 || b_start == 0 {
                emit = true;
            }
            idx = idx.saturating_sub(1);
            i -= 1;
            k -= 1;
        } else {
            if dp[(i - 1) * width + k] > dp[i * width + k - 1] {
                i -= 1;
            } else {
                k -= 1;
            }
            if a_start != alen {
                emit = true;
            }
        }
        if emit {
            let match_len = (a_end - a_start + 1) as i64;
            if want_idx && (min_match_len == 0 || match_len >= min_match_len) {
                let mut m = vec![
                    Reply::Array(vec![Reply::Integer(a_start as i64), Reply::Integer(a_end as i64)]),
                    Reply::Array(vec![Reply::Integer(b_start as i64), Reply::Integer(b_end as i64)]),
                ];
                if with_match_len {
                    m.push(Reply::Integer(match_len));
                }
                matches.push(Reply::Array(m));
            }
            a_start = alen;
        }
    }
    if want_idx {
        Reply::Map(vec![
            (Reply::bulk_str("matches"), Reply::Array(matches)),
            (Reply::bulk_str("len"), Reply::Integer(total as i64)),
        ])
    } else if want_len {
        Reply::Integer(total as i64)
    } else {
        Reply::Bulk(result)
    }
}

#[cfg(test)]
mod tests {
    use crate::types::ListValue;
    use crate::value::Value;
    use crate::{cli_format::format_reply, Engine, Protocol};

    /// Runs `lines` on an engine whose key `l` holds a list.
    fn with_list(lines: &[&str]) -> Vec<String> {
        let mut engine = Engine::with_manual_clock(1_700_000_000_000, 1);
        let me = engine.connect("t");
        let list = ListValue::from_items([b"x".to_vec()]);
        engine.dbs[0].set(b"l", Value::List(Box::new(list)), false);
        lines
            .iter()
            .map(|l| match engine.execute_line(me, l) {
                Ok(r) => format_reply(&r, Protocol::Resp2).trim_end().to_string(),
                Err(e) => e.to_string(),
            })
            .collect()
    }

    #[test]
    fn string_commands_refuse_other_types() {
        let wrong = "(error) WRONGTYPE Operation against a key holding the wrong kind of value";
        let lines = [
            "GET l",
            "SET l v GET",
            "SET l v NX GET",
            "GETSET l v",
            "GETDEL l",
            "GETEX l",
            "GETEX l EX 10",
            "APPEND l x",
            "STRLEN l",
            "GETRANGE l 0 -1",
            "SUBSTR l 0 -1",
            "SETRANGE l 0 x",
            "INCR l",
            "DECR l",
            "INCRBY l 2",
            "DECRBY l 2",
            "INCRBYFLOAT l 1.5",
        ];
        for (line, got) in lines.iter().zip(with_list(&lines)) {
            assert_eq!(got, wrong, "{line}");
        }
    }

    #[test]
    fn other_types_in_generic_commands() {
        let got = with_list(&[
            "MGET l",
            "LCS l l",
            "TYPE l",
            "OBJECT ENCODING l",
            "SCAN 0 TYPE list",
            "SET l v NX",
            "SET l v",
            "TYPE l",
        ]);
        assert_eq!(got[0], "1) (nil)");
        assert_eq!(got[1], "(error) ERR The specified keys must contain string values");
        assert_eq!(got[2], "list");
        assert_eq!(got[3], "\"quicklist\"");
        assert_eq!(got[4], "1) \"0\"\n2) 1) \"l\"");
        assert_eq!(got[5], "(nil)");
        assert_eq!(got[6], "OK");
        assert_eq!(got[7], "string");
    }
}
