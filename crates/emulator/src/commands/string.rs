//! String commands: GET, SET and its variants, multi-key MGET/MSET,
//! in-place edits (APPEND, SETRANGE), ranges, counters and LCS.

use crate::args::{self, Args};
use crate::command::{flags::*, CommandResult, CommandSpec, Group, KeySpec};
use crate::engine::Ctx;
use crate::errors;
use crate::float;
use crate::notify;
use crate::reply::Reply;
use crate::value::{StrValue, Value};

const BASE: CommandSpec = CommandSpec { group: Group::String, keys: KeySpec::ONE, ..CommandSpec::DEFAULT };

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "get",
        arity: 2,
        flags: READONLY | FAST,
        summary: "Returns the string stored at a key, or nil",
        syntax: "key",
        handler: get,
        ..BASE
    },
    CommandSpec {
        name: "set",
        arity: -3,
        flags: WRITE | DENYOOM,
        summary: "Stores a string at a key, with optional expiry, conditions and old-value return",
        syntax: concat!(
            "key value [NX|XX] [GET] ",
            "[EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]"
        ),
        key_flags: &[&["RW", "access", "update", "variable_flags"]],
        variable_key_flags: Some(set_key_flags),
        handler: set,
        ..BASE
    },
    CommandSpec {
        name: "setnx",
        arity: 3,
        flags: WRITE | DENYOOM | FAST,
        summary: "Stores a string only if the key does not exist yet; answers 1 or 0",
        syntax: "key value",
        key_flags: &[&["OW", "insert"]],
        handler: setnx,
        ..BASE
    },
    CommandSpec {
        name: "setex",
        arity: 4,
        flags: WRITE | DENYOOM,
        since: "2.0.0",
        summary: "Stores a string with a time to live in seconds",
        syntax: "key seconds value",
        key_flags: &[&["OW", "update"]],
        handler: setex,
        ..BASE
    },
    CommandSpec {
        name: "psetex",
        arity: 4,
        flags: WRITE | DENYOOM,
        since: "2.6.0",
        summary: "Stores a string with a time to live in milliseconds",
        syntax: "key milliseconds value",
        key_flags: &[&["OW", "update"]],
        handler: psetex,
        ..BASE
    },
    CommandSpec {
        name: "getset",
        arity: 3,
        flags: WRITE | DENYOOM | FAST,
        summary: "Stores a new string and answers the previous one (deprecated: SET … GET)",
        syntax: "key value",
        key_flags: &[&["RW", "access", "update"]],
        handler: getset,
        ..BASE
    },
    CommandSpec {
        name: "getdel",
        arity: 2,
        flags: WRITE | FAST,
        since: "6.2.0",
        summary: "Answers the string at a key and deletes the key",
        syntax: "key",
        key_flags: &[&["RW", "access", "delete"]],
        handler: getdel,
        ..BASE
    },
    CommandSpec {
        name: "getex",
        arity: -2,
        flags: WRITE | FAST,
        since: "6.2.0",
        summary: "Answers the string at a key and optionally changes or removes its expiry",
        syntax: concat!(
            "key ",
            "[EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|PERSIST]"
        ),
        key_flags: &[&["RW", "access", "update"]],
        handler: getex,
        ..BASE
    },
    CommandSpec {
        name: "mget",
        arity: -2,
        flags: READONLY | FAST,
        keys: KeySpec::ALL,
        complexity: "O(N) where N is the number of keys to retrieve",
        summary: "Answers the strings of several keys (nil for missing or non-string keys)",
        syntax: "key [key ...]",
        tips: &["request_policy:multi_shard"],
        handler: mget,
        ..BASE
    },
    CommandSpec {
        name: "mset",
        arity: -3,
        flags: WRITE | DENYOOM,
        keys: KeySpec::PAIRS,
        since: "1.0.1",
        complexity: "O(N) where N is the number of keys to set",
        summary: "Stores several key/value pairs at once",
        syntax: "key value [key value ...]",
        tips: &["request_policy:multi_shard", "response_policy:all_succeeded"],
        key_flags: &[&["OW", "update"]],
        handler: mset,
        ..BASE
    },
    CommandSpec {
        name: "msetnx",
        arity: -3,
        flags: WRITE | DENYOOM,
        keys: KeySpec::PAIRS,
        since: "1.0.1",
        complexity: "O(N) where N is the number of keys to set",
        summary: "Stores several key/value pairs only if none of the keys exists",
        syntax: "key value [key value ...]",
        tips: &["request_policy:multi_shard", "response_policy:agg_min"],
        key_flags: &[&["OW", "insert"]],
        handler: msetnx,
        ..BASE
    },
    CommandSpec {
        name: "append",
        arity: 3,
        flags: WRITE | DENYOOM | FAST,
        since: "2.0.0",
        summary: "Adds bytes to the end of a string (creating it) and answers the new length",
        syntax: "key value",
        key_flags: &[&["RW", "insert"]],
        handler: append,
        ..BASE
    },
    CommandSpec {
        name: "strlen",
        arity: 2,
        flags: READONLY | FAST,
        since: "2.2.0",
        summary: "Answers the length in bytes of a string (0 if missing)",
        syntax: "key",
        key_flags: &[&["RO"]],
        handler: strlen,
        ..BASE
    },
    CommandSpec {
        name: "getrange",
        arity: 4,
        flags: READONLY,
        since: "2.4.0",
        complexity: "O(N) where N is the length of the returned string",
        summary: "Answers a slice of a string between two inclusive offsets (negative from the end)",
        syntax: "key start end",
        handler: getrange,
        ..BASE
    },
    CommandSpec {
        name: "substr",
        arity: 4,
        flags: READONLY,
        complexity: "O(N) where N is the length of the returned string",
        summary: "Old name of GETRANGE",
        syntax: "key start end",
        handler: getrange,
        ..BASE
    },
    CommandSpec {
        name: "setrange",
        arity: 4,
        flags: WRITE | DENYOOM,
        since: "2.2.0",
        summary: "Overwrites part of a string from an offset, zero-padding as needed; answers the new length",
        syntax: "key offset value",
        key_flags: &[&["RW", "update"]],
        handler: setrange,
        ..BASE
    },
    CommandSpec {
        name: "incr",
        arity: 2,
        flags: WRITE | DENYOOM | FAST,
        summary: "Adds 1 to the integer stored at a key",
        syntax: "key",
        key_flags: &[&["RW", "access", "update"]],
        handler: incr,
        ..BASE
    },
    CommandSpec {
        name: "decr",
        arity: 2,
        flags: WRITE | DENYOOM | FAST,
        summary: "Subtracts 1 from the integer stored at a key",
        syntax: "key",
        key_flags: &[&["RW", "access", "update"]],
        handler: decr,
        ..BASE
    },
    CommandSpec {
        name: "incrby",
        arity: 3,
        flags: WRITE | DENYOOM | FAST,
        summary: "Adds an integer to the integer stored at a key",
        syntax: "key increment",
        key_flags: &[&["RW", "access", "update"]],
        handler: incrby,
        ..BASE
    },
    CommandSpec {
        name: "decrby",
        arity: 3,
        flags: WRITE | DENYOOM | FAST,
        summary: "Subtracts an integer from the integer stored at a key",
        syntax: "key decrement",
        key_flags: &[&["RW", "access", "update"]],
        handler: decrby,
        ..BASE
    },
    CommandSpec {
        name: "incrbyfloat",
        arity: 3,
        flags: WRITE | DENYOOM | FAST,
        since: "2.6.0",
        summary: "Adds a decimal number to the number stored at a key, in extended precision",
        syntax: "key increment",
        key_flags: &[&["RW", "access", "update"]],
        handler: incrbyfloat,
        ..BASE
    },
    CommandSpec {
        name: "lcs",
        arity: -3,
        flags: READONLY,
        keys: KeySpec::TWO,
        since: "7.0.0",
        complexity: "O(N*M) where N and M are the lengths of s1 and s2, respectively",
        summary: "Finds the longest common subsequence of two strings, its length or the matching ranges",
        syntax: "key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]",
        handler: lcs,
        ..BASE
    },
];

/// SET's key flags for one command line: with GET it reads the old value
/// (`RW access update`), without it only overwrites (`OW update`).
fn set_key_flags(line: &[Vec<u8>]) -> &'static [&'static str] {
    if line.iter().skip(3).any(|a| a.eq_ignore_ascii_case(b"GET")) {
        &["RW", "access", "update"]
    } else {
        &["OW", "update"]
    }
}

/// Largest LCS table (cells) the emulator builds; Redis has no such limit.
pub const LCS_MAX_CELLS: u64 = 16 * 1024 * 1024;

/// The string at `key` for reading, borrowed: `Ok(None)` if missing,
/// WRONGTYPE otherwise.
fn borrow_string<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a StrValue>, Reply> {
    match ctx.lookup_read(key) {
        None => Ok(None),
        Some(entry) => match &entry.value {
            Value::String(s) => Ok(Some(s)),
            _ => Err(Reply::error(errors::WRONGTYPE)),
        },
    }
}

/// The string at `key` for reading, copied (for a reply).
fn read_string(ctx: &mut Ctx, key: &[u8]) -> Result<Option<Vec<u8>>, Reply> {
    Ok(borrow_string(ctx, key)?.map(|s| s.to_vec()))
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
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
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

impl ExpireUnit {
    /// The unit an `EX`, `PX`, `EXAT` or `PXAT` keyword (any case) names.
    fn from_keyword(arg: &[u8]) -> Option<ExpireUnit> {
        [
            ("EX", ExpireUnit::Seconds),
            ("PX", ExpireUnit::Millis),
            ("EXAT", ExpireUnit::AtSeconds),
            ("PXAT", ExpireUnit::AtMillis),
        ]
        .into_iter()
        .find(|(name, _)| args::is(arg, name))
        .map(|(_, unit)| unit)
    }

    /// EXAT and PXAT name an instant; EX and PX a delay from now.
    fn is_absolute(self) -> bool {
        matches!(self, ExpireUnit::AtSeconds | ExpireUnit::AtMillis)
    }
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
    if !unit.is_absolute() {
        ms = ms.wrapping_add(ctx.now_ms());
    }
    if ms <= 0 {
        return Err(Reply::error(errors::invalid_expire(command)));
    }
    Ok(ms)
}

/// An expiry option as given: its unit and the (not yet parsed) number.
/// The number is read only after the whole option list is accepted, so a
/// syntax error anywhere wins over a bad number, as in Redis.
#[derive(Clone, Copy)]
struct Expiry<'a> {
    unit: ExpireUnit,
    arg: &'a [u8],
}

impl<'a> Expiry<'a> {
    /// Takes `EX|PX|EXAT|PXAT value` at the cursor when Redis accepts it
    /// there: not after a TTL keyword that excludes expiries (`excluded`:
    /// KEEPTTL for SET, PERSIST for GETEX), and not after an expiry in
    /// another unit (the same unit again simply replaces the value).
    /// Leaves the cursor alone otherwise; a keyword with nothing after it is
    /// a syntax error.
    fn take(args: &mut Args<'a>, current: Option<Expiry<'a>>, excluded: bool) -> Result<Option<Expiry<'a>>, Reply> {
        let Some(unit) = args.peek().and_then(ExpireUnit::from_keyword) else { return Ok(None) };
        if excluded || current.is_some_and(|c| c.unit != unit) {
            return Ok(None);
        }
        args.next_arg();
        Ok(Some(Expiry { unit, arg: args.value()? }))
    }

    /// The absolute expiry time in ms (errors name `command`).
    fn millis(self, ctx: &Ctx, command: &str) -> Result<i64, Reply> {
        expire_millis(ctx, self.arg, self.unit, command)
    }
}

/// When SET writes.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
enum Condition {
    #[default]
    Always,
    /// NX: only if the key does not exist.
    IfMissing,
    /// XX: only if the key exists.
    IfExists,
}

/// SET's options (`[NX|XX] [GET] [EX…|PX…|EXAT…|PXAT…|KEEPTTL]`), also
/// used by SETNX, SETEX and PSETEX with fixed values.
#[derive(Clone, Copy, Default)]
struct SetOptions<'a> {
    condition: Condition,
    /// GET: answer the old value.
    get: bool,
    /// KEEPTTL: an overwrite keeps the key's time to live.
    keep_ttl: bool,
    expire: Option<Expiry<'a>>,
}

impl<'a> SetOptions<'a> {
    /// Reads the options in any order, with Redis's acceptance rules: NX
    /// after XX (or XX after NX) is refused, KEEPTTL after an expiry and an
    /// expiry after KEEPTTL too, repeats are fine; anything refused or
    /// unknown is `ERR syntax error`.
    fn parse(args: &mut Args<'a>) -> Result<SetOptions<'a>, Reply> {
        let mut o = SetOptions::default();
        loop {
            if o.condition != Condition::IfExists && args.eat("NX") {
                o.condition = Condition::IfMissing;
            } else if o.condition != Condition::IfMissing && args.eat("XX") {
                o.condition = Condition::IfExists;
            } else if args.eat("GET") {
                o.get = true;
            } else if o.expire.is_none() && args.eat("KEEPTTL") {
                o.keep_ttl = true;
            } else if let Some(expire) = Expiry::take(args, o.expire, o.keep_ttl)? {
                o.expire = Some(expire);
            } else {
                break;
            }
        }
        args.finish()?;
        Ok(o)
    }
}

/// GETEX's options (`[EX…|PX…|EXAT…|PXAT…|PERSIST]`).
#[derive(Clone, Copy, Default)]
struct GetExOptions<'a> {
    /// PERSIST: remove the key's time to live.
    persist: bool,
    expire: Option<Expiry<'a>>,
}

impl<'a> GetExOptions<'a> {
    /// Like [`SetOptions::parse`]: PERSIST and an expiry exclude each other.
    fn parse(args: &mut Args<'a>) -> Result<GetExOptions<'a>, Reply> {
        let mut o = GetExOptions::default();
        loop {
            if o.expire.is_none() && args.eat("PERSIST") {
                o.persist = true;
            } else if let Some(expire) = Expiry::take(args, o.expire, o.persist)? {
                o.expire = Some(expire);
            } else {
                break;
            }
        }
        args.finish()?;
        Ok(o)
    }
}

/// GET key
fn get(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::opt_bulk(read_string(ctx, &argv[1])?))
}

/// The shared core of SET, SETNX, SETEX and PSETEX (Redis's `setGenericCommand`).
/// Returns whether it wrote (NX/XX may stop it) and, with GET, the old value.
/// The expiry is checked first, then GET's type check, then the condition.
fn set_generic(
    ctx: &mut Ctx,
    key: &[u8],
    value: &[u8],
    opts: &SetOptions,
    command: &str,
) -> Result<(bool, Option<Vec<u8>>), Reply> {
    let at = opts.expire.map(|e| e.millis(ctx, command)).transpose()?;
    let old = if opts.get { read_string(ctx, key)? } else { None };
    if opts.condition == Condition::Always {
        ctx.overwrite_key(key, Value::string_from(value), opts.keep_ttl);
    } else {
        let found = ctx.lookup_write(key).is_some();
        if found != (opts.condition == Condition::IfExists) {
            return Ok((false, old));
        }
        ctx.set_key(key, Value::string_from(value), opts.keep_ttl);
    }
    ctx.notify(notify::STRING, "set", key);
    if let Some(at) = at {
        ctx.set_expire(key, at);
        ctx.notify(notify::GENERIC, "expire", key);
    }
    Ok((true, old))
}

/// SET key value [NX|XX] [GET]
/// [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]
///
/// OK, or nil when NX/XX stopped the write; with GET, the old value instead
/// (nil if there was none), whether or not the write happened.
fn set(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let opts = SetOptions::parse(&mut Args::new(argv, 3))?;
    let (written, old) = set_generic(ctx, &argv[1], &argv[2], &opts, "set")?;
    Ok(if opts.get {
        Reply::opt_bulk(old)
    } else if written {
        Reply::OK
    } else {
        Reply::Nil
    })
}

/// SETNX key value — SET NX answering 1 or 0.
fn setnx(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let opts = SetOptions { condition: Condition::IfMissing, ..SetOptions::default() };
    let (written, _) = set_generic(ctx, &argv[1], &argv[2], &opts, "setnx")?;
    Ok(Reply::Integer(written as i64))
}

/// SETEX key seconds value
fn setex(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let expire = Expiry { unit: ExpireUnit::Seconds, arg: &argv[2] };
    let opts = SetOptions { expire: Some(expire), ..SetOptions::default() };
    set_generic(ctx, &argv[1], &argv[3], &opts, "setex")?;
    Ok(Reply::OK)
}

/// PSETEX key milliseconds value
fn psetex(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let expire = Expiry { unit: ExpireUnit::Millis, arg: &argv[2] };
    let opts = SetOptions { expire: Some(expire), ..SetOptions::default() };
    set_generic(ctx, &argv[1], &argv[3], &opts, "psetex")?;
    Ok(Reply::OK)
}

/// GETSET key value — overwrites (dropping any TTL) and answers the old value.
fn getset(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let old = read_string(ctx, &argv[1])?;
    ctx.set_key(&argv[1], Value::string_from(&argv[2]), false);
    ctx.notify(notify::STRING, "set", &argv[1]);
    Ok(Reply::opt_bulk(old))
}

/// GETDEL key
fn getdel(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let Some(value) = read_string(ctx, &argv[1])? else { return Ok(Reply::Nil) };
    ctx.delete_key(&argv[1]);
    ctx.notify(notify::GENERIC, "del", &argv[1]);
    Ok(Reply::Bulk(value))
}

/// GETEX key [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|PERSIST]
///
/// Options are checked before the key, the expiry value only once the key
/// is known to hold a string. An EXAT/PXAT already in the past deletes the
/// key (except while loading), as Redis does.
fn getex(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let opts = GetExOptions::parse(&mut Args::new(argv, 2))?;
    let key = &argv[1];
    let Some(value) = read_string(ctx, key)? else { return Ok(Reply::Nil) };
    let at = match opts.expire {
        Some(e) => Some((e.unit, e.millis(ctx, "getex")?)),
        None => None,
    };
    match at {
        Some((unit, at)) if unit.is_absolute() && at <= ctx.now_ms() && !ctx.is_loading() => {
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
    Ok(Reply::Bulk(value))
}

/// MGET key [key ...] — nil for missing keys and for keys of other types.
fn mget(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let mut out = Vec::with_capacity(argv.len() - 1);
    for key in &argv[1..] {
        out.push(match read_string(ctx, key) {
            Ok(Some(v)) => Reply::Bulk(v),
            _ => Reply::Nil,
        });
    }
    Ok(Reply::Array(out))
}

/// MSET key value [key value ...] — the pair count is checked here, since
/// the arity only says "at least 3".
fn mset(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    if argv.len().is_multiple_of(2) {
        return Err(Reply::error(errors::wrong_arity("mset")));
    }
    for pair in argv[1..].chunks(2) {
        ctx.set_key(&pair[0], Value::string_from(&pair[1]), false);
        ctx.notify(notify::STRING, "set", &pair[0]);
    }
    Ok(Reply::OK)
}

/// MSETNX key value [key value ...] — all or nothing: 0 if any key exists.
fn msetnx(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    if argv.len().is_multiple_of(2) {
        return Err(Reply::error(errors::wrong_arity("msetnx")));
    }
    for pair in argv[1..].chunks(2) {
        if ctx.lookup_write(&pair[0]).is_some() {
            return Ok(Reply::Integer(0));
        }
    }
    for pair in argv[1..].chunks(2) {
        ctx.set_key(&pair[0], Value::string_from(&pair[1]), false);
        ctx.notify(notify::STRING, "set", &pair[0]);
    }
    Ok(Reply::Integer(1))
}

/// APPEND key value
fn append(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let key = &argv[1];
    let limit = ctx.config().proto_max_bulk_len;
    let len = match write_string(ctx, key)? {
        None => {
            ctx.set_key(key, Value::string_from(&argv[2]), false);
            argv[2].len()
        }
        Some(current) => {
            within_string_limit(limit, current.len() as i64, argv[2].len() as i64)?;
            let len = current.append(&argv[2]);
            ctx.key_modified(key);
            len
        }
    };
    ctx.notify(notify::STRING, "append", key);
    Ok(Reply::Integer(len as i64))
}

/// STRLEN key
fn strlen(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::Integer(borrow_string(ctx, &argv[1])?.map_or(0, |v| v.len() as i64)))
}

/// GETRANGE key start end (also SUBSTR) — both indexes are checked before
/// the key.
fn getrange(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let start = args::int(&argv[2])?;
    let end = args::int(&argv[3])?;
    let s = borrow_string(ctx, &argv[1])?;
    Ok(Reply::Bulk(s.map_or(&[][..], |s| s.range(start, end)).to_vec()))
}

/// SETRANGE key offset value — an empty value only answers the length
/// (it neither creates the key nor checks the size limit).
fn setrange(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let key = &argv[1];
    let value = &argv[3];
    let offset = args::int(&argv[2])?;
    if offset < 0 {
        return Err(Reply::error("ERR offset is out of range"));
    }
    let limit = ctx.config().proto_max_bulk_len;
    let current = write_string(ctx, key)?;
    if value.is_empty() {
        return Ok(Reply::Integer(current.map_or(0, |c| c.len() as i64)));
    }
    within_string_limit(limit, offset, value.len() as i64)?;
    let len = match current {
        Some(current) => {
            let len = current.write_at(offset as usize, value);
            ctx.key_modified(key);
            len
        }
        None => {
            let created = StrValue::zero_padded(offset as usize, value);
            let len = created.len();
            ctx.set_key(key, Value::String(created), false);
            len
        }
    };
    ctx.notify(notify::STRING, "setrange", key);
    Ok(Reply::Integer(len as i64))
}

/// Redis's `incrDecrCommand`: adds `by` to the integer at `key`, keeping its TTL.
fn incr_decr(ctx: &mut Ctx, key: &[u8], by: i64) -> CommandResult {
    let current = write_string(ctx, key)?;
    let old = match current.as_deref() {
        None => 0,
        Some(s) => s.to_i64().ok_or(Reply::error(errors::NOT_INTEGER))?,
    };
    let new = old.checked_add(by).ok_or(Reply::error(errors::OVERFLOW))?;
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
    Ok(Reply::Integer(new))
}

/// INCR key
fn incr(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    incr_decr(ctx, &argv[1], 1)
}

/// DECR key
fn decr(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    incr_decr(ctx, &argv[1], -1)
}

/// INCRBY key increment
fn incrby(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    incr_decr(ctx, &argv[1], args::int(&argv[2])?)
}

/// DECRBY key decrement — the most negative decrement cannot be negated,
/// so it is refused before the key is read.
fn decrby(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    match args::int(&argv[2])? {
        i64::MIN => Err(Reply::error("ERR decrement would overflow")),
        by => incr_decr(ctx, &argv[1], -by),
    }
}

/// INCRBYFLOAT key increment — computed in 80-bit extended precision like Redis.
fn incrbyfloat(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let key = &argv[1];
    let current = write_string(ctx, key)?;
    let text = match float::incr_by_float_bytes(current.as_deref().map(StrValue::as_bytes), &argv[2]) {
        Ok(t) => t,
        Err(float::IncrFloatError::NotAFloat) => return Err(Reply::error(errors::NOT_FLOAT)),
        Err(float::IncrFloatError::NanOrInfinity) => {
            return Err(Reply::error("ERR increment would produce NaN or Infinity"))
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
    Ok(Reply::Bulk(text))
}

/// LCS's options (`[LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]`).
#[derive(Default)]
struct LcsOptions {
    /// IDX: answer the matching ranges.
    idx: bool,
    /// LEN: answer the length only.
    len: bool,
    /// WITHMATCHLEN: give each range's length.
    with_match_len: bool,
    /// MINMATCHLEN: leave out shorter ranges (negative reads as 0).
    min_match_len: i64,
}

impl LcsOptions {
    /// Any order, repeats allowed; LEN with IDX is refused once all are read.
    fn parse(args: &mut Args) -> Result<LcsOptions, Reply> {
        let mut o = LcsOptions::default();
        loop {
            if args.eat("IDX") {
                o.idx = true;
            } else if args.eat("LEN") {
                o.len = true;
            } else if args.eat("WITHMATCHLEN") {
                o.with_match_len = true;
            } else if args.eat("MINMATCHLEN") {
                o.min_match_len = args.int()?.max(0);
            } else {
                break;
            }
        }
        args.finish()?;
        if o.idx && o.len {
            return Err(Reply::error("ERR If you want both the length and indexes, please just use IDX."));
        }
        Ok(o)
    }
}

/// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]
///
/// Missing keys read as empty strings; the key types are checked before the
/// options. The emulator refuses inputs whose table would exceed
/// [`LCS_MAX_CELLS`], where Redis would just take its time.
fn lcs(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let mut string_at = |key: &[u8]| match ctx.lookup_read(key).map(|e| &e.value) {
        None => Ok(StrValue::default()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(Reply::error("ERR The specified keys must contain string values")),
    };
    let (a, b) = (string_at(&argv[1]), string_at(&argv[2]));
    let (a, b) = (a?, b?);
    let opts = LcsOptions::parse(&mut Args::new(argv, 3))?;
    if (a.len() as u64 + 1) * (b.len() as u64 + 1) > LCS_MAX_CELLS {
        return Err(Reply::error("ERR LCS input too large for the emulator (at most 16M table cells)"));
    }
    let found = a.lcs(&b);
    let total = Reply::Integer(found.sequence.len() as i64);
    if opts.len {
        return Ok(total);
    }
    if !opts.idx {
        return Ok(Reply::Bulk(found.sequence));
    }
    let range =
        |(start, end): (usize, usize)| Reply::Array(vec![Reply::Integer(start as i64), Reply::Integer(end as i64)]);
    let matches = found
        .matches
        .iter()
        .filter(|m| opts.min_match_len == 0 || m.length() as i64 >= opts.min_match_len)
        .map(|m| {
            let mut item = vec![range(m.a), range(m.b)];
            if opts.with_match_len {
                item.push(Reply::Integer(m.length() as i64));
            }
            Reply::Array(item)
        })
        .collect();
    Ok(Reply::Map(vec![(Reply::bulk_str("matches"), Reply::Array(matches)), (Reply::bulk_str("len"), total)]))
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
        engine.keyspace.dbs[0].set(b"l", Value::List(Box::new(list)), false);
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
