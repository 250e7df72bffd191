//! Stream commands: XADD XLEN XRANGE XREVRANGE XDEL XTRIM XREAD XSETID,
//! consumer groups (XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM,
//! XAUTOCLAIM) and XINFO.
//!
//! Ids and idle times come from the engine clock. Replies, option order and
//! error texts follow Redis 7.0's `t_stream.c`.

use crate::command::{flags::*, CommandSpec, Group, KeySpec};
use crate::engine::Ctx;
use crate::errors;
use crate::float::parse_i64;
use crate::notify;
use crate::reply::Reply;
use crate::resp::Protocol;
use crate::types::stream::{Fields, Nack, StreamId, StreamValue, Trim, ENTRIES_READ_INVALID, LISTPACK_MAX_SIZE};
use crate::value::Value;

const INVALID_ID: &str = "ERR Invalid stream ID specified as stream command argument";
const XADD_ID_TOO_SMALL: &str = "ERR The ID specified in XADD is equal or smaller than the target stream top item";
const GROUP_KEY_MISSING: &str = "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.";
/// Bytes beyond which Redis's allocation for XAUTOCLAIM's deleted-id list
/// fails on a 64-bit Linux host (its size depends on the machine; this is
/// where the address space runs out).
const TRANSIENT_ALLOC_LIMIT: i64 = 1 << 45;
/// Entries a blocked XREAD without COUNT receives when served (Redis's default).
const BLOCKED_DEFAULT_COUNT: i64 = 1000;

macro_rules! spec {
    ($name:expr, $arity:expr, $flags:expr, $since:expr, $summary:expr, $syntax:expr, $keys:expr, $handler:expr) => {
        CommandSpec {
            name: $name,
            arity: $arity,
            flags: $flags,
            group: Group::Stream,
            since: $since,
            summary: $summary,
            syntax: $syntax,
            keys: $keys,
            handler: |c, a| Ok($handler(c, a)),
            ..CommandSpec::DEFAULT
        }
    };
}

macro_rules! sub {
    ($parent:expr, $name:expr, $arity:expr, $flags:expr, $summary:expr, $syntax:expr, $handler:expr) => {
        CommandSpec {
            name: $name,
            parent: $parent,
            arity: $arity,
            flags: $flags,
            group: Group::Stream,
            since: "5.0.0",
            summary: $summary,
            syntax: $syntax,
            keys: KeySpec { first: 2, last: 2, step: 1 },
            handler: |c, a| Ok($handler(c, a)),
            ..CommandSpec::DEFAULT
        }
    };
}

const XGROUP_SUBCOMMANDS: &[CommandSpec] = &[
    sub!(
        "xgroup",
        "create",
        -5,
        WRITE | DENYOOM,
        "Creates a consumer group on a stream",
        "key group id|$ [MKSTREAM] [ENTRIESREAD entries-read]",
        xgroup_create
    ),
    sub!(
        "xgroup",
        "setid",
        -5,
        WRITE,
        "Moves a consumer group's last delivered id",
        "key group id|$ [ENTRIESREAD entries-read]",
        xgroup_setid
    ),
    sub!("xgroup", "destroy", 4, WRITE, "Deletes a consumer group", "key group", xgroup_destroy),
    CommandSpec {
        since: "6.2.0",
        ..sub!(
            "xgroup",
            "createconsumer",
            5,
            WRITE | DENYOOM,
            "Adds a consumer to a consumer group",
            "key group consumer",
            xgroup_createconsumer
        )
    },
    sub!(
        "xgroup",
        "delconsumer",
        5,
        WRITE,
        "Removes a consumer from a consumer group",
        "key group consumer",
        xgroup_delconsumer
    ),
    CommandSpec {
        keys: KeySpec::NONE,
        ..sub!("xgroup", "help", 2, LOADING | STALE, "Lists the XGROUP subcommands", "", xgroup_help)
    },
];

const XINFO_SUBCOMMANDS: &[CommandSpec] = &[
    sub!("xinfo", "consumers", 4, READONLY, "Lists the consumers of a consumer group", "key group", xinfo_consumers),
    sub!("xinfo", "groups", 3, READONLY, "Lists the consumer groups of a stream", "key", xinfo_groups),
    sub!("xinfo", "stream", -3, READONLY, "Describes a stream", "key [FULL [COUNT count]]", xinfo_stream),
    CommandSpec {
        keys: KeySpec::NONE,
        ..sub!("xinfo", "help", 2, LOADING | STALE, "Lists the XINFO subcommands", "", xinfo_help)
    },
];

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        complexity: "O(1) to add; O(N) for the N entries a trim removes",
        ..spec!("xadd", -5, WRITE | DENYOOM | FAST, "5.0.0", "Appends an entry to a stream, creating it if needed",
        "key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]", KeySpec::ONE, xadd)
    },
    spec!("xlen", 2, READONLY | FAST, "5.0.0", "Returns the number of entries in a stream", "key", KeySpec::ONE, xlen),
    CommandSpec {
        complexity: "O(log N + M) for M entries returned",
        ..spec!("xrange", -4, READONLY, "5.0.0", "Returns the entries of a stream between two ids",
        "key start end [COUNT count]", KeySpec::ONE, xrange)
    },
    CommandSpec {
        complexity: "O(log N + M) for M entries returned",
        ..spec!("xrevrange", -4, READONLY, "5.0.0", "Returns the entries of a stream between two ids, newest first",
        "key end start [COUNT count]", KeySpec::ONE, xrevrange)
    },
    CommandSpec {
        complexity: "O(log N) per id",
        ..spec!("xdel", -3, WRITE | FAST, "5.0.0", "Deletes entries from a stream by id", "key id [id ...]", KeySpec::ONE, xdel)
    },
    CommandSpec {
        complexity: "O(N) for the N entries removed",
        ..spec!("xtrim", -4, WRITE, "5.0.0", "Removes the oldest entries of a stream",
        "key MAXLEN|MINID [=|~] threshold [LIMIT count]", KeySpec::ONE, xtrim)
    },
    CommandSpec {
        complexity: "O(log N + M) per stream for M entries returned",
        ..spec!("xread", -4, READONLY | BLOCKING | MOVABLE_KEYS, "5.0.0",
        "Reads entries newer than given ids from streams, optionally waiting for them",
        "[COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]", KeySpec::NONE, xread)
    },
    CommandSpec {
        complexity: "O(log N + M) per stream for M entries returned",
        ..spec!("xreadgroup", -7, WRITE | BLOCKING | MOVABLE_KEYS, "5.0.0",
        "Reads entries for a consumer of a group, optionally waiting for new ones",
        "GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]",
        KeySpec::NONE, xreadgroup)
    },
    CommandSpec {
        subcommands: XGROUP_SUBCOMMANDS,
        ..spec!("xgroup", -2, 0, "5.0.0", "Manages consumer groups", "<subcommand>", KeySpec::NONE,
            |_: &mut Ctx, _: &[Vec<u8>]| Reply::error(errors::SYNTAX))
    },
    CommandSpec {
        complexity: "O(log N) per id",
        ..spec!("xack", -4, WRITE | FAST, "5.0.0", "Acknowledges entries of a consumer group's pending list",
        "key group id [id ...]", KeySpec::ONE, xack)
    },
    CommandSpec {
        complexity: "O(log N + M) for M pending entries listed",
        ..spec!("xpending", -3, READONLY, "5.0.0", "Inspects the pending entries of a consumer group",
        "key group [[IDLE min-idle-time] start end count [consumer]]", KeySpec::ONE, xpending)
    },
    CommandSpec {
        complexity: "O(log N) per id",
        ..spec!("xclaim", -6, WRITE | FAST, "5.0.0", "Transfers pending entries to another consumer",
        "key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]",
        KeySpec::ONE, xclaim)
    },
    CommandSpec {
        complexity: "O(COUNT)",
        ..spec!("xautoclaim", -6, WRITE | FAST, "6.2.0", "Transfers idle pending entries to another consumer, scanning from a cursor",
        "key group consumer min-idle-time start [COUNT count] [JUSTID]", KeySpec::ONE, xautoclaim)
    },
    CommandSpec {
        subcommands: XINFO_SUBCOMMANDS,
        ..spec!("xinfo", -2, 0, "5.0.0", "Describes streams, consumer groups and consumers", "<subcommand>",
            KeySpec::NONE, |_: &mut Ctx, _: &[Vec<u8>]| Reply::error(errors::SYNTAX))
    },
    spec!("xsetid", -3, WRITE | DENYOOM | FAST, "5.0.0", "Sets a stream's last id and counters",
        "key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]", KeySpec::ONE, xsetid),
];

// ----- id parsing -----------------------------------------------------------

/// Redis's `string2ull`: `string2ll` for non-negative values, else C's
/// `strtoull` (leading spaces, a sign, leading zeros; `-` negates modulo 2^64).
fn parse_u64(s: &[u8]) -> Option<u64> {
    if let Some(v) = parse_i64(s) {
        return u64::try_from(v).ok();
    }
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        i += 1;
    }
    let mut negative = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        negative = s[i] == b'-';
        i += 1;
    }
    if i >= s.len() {
        return None;
    }
    let mut v: u64 = 0;
    for &c in &s[i..] {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    Some(if negative { v.wrapping_neg() } else { v })
}

/// A parsed id and whether its sequence was given (false for `ms-*`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParsedId {
    pub id: StreamId,
    pub seq_given: bool,
}

/// Redis's `streamGenericParseIDOrReply`. `strict` refuses `-` and `+`;
/// `seq_star` accepts `ms-*` (XADD). A missing sequence becomes `missing_seq`.
pub fn parse_id(arg: &[u8], missing_seq: u64, strict: bool, seq_star: bool) -> Result<ParsedId, Reply> {
    let invalid = || Reply::error(INVALID_ID);
    if arg.len() > 127 {
        return Err(invalid());
    }
    // Redis reads the argument as a C string.
    let buf = match arg.iter().position(|&b| b == 0) {
        Some(nul) => &arg[..nul],
        None => arg,
    };
    if strict && (buf == b"-" || buf == b"+") {
        return Err(invalid());
    }
    if buf == b"-" {
        return Ok(ParsedId { id: StreamId::MIN, seq_given: true });
    }
    if buf == b"+" {
        return Ok(ParsedId { id: StreamId::MAX, seq_given: true });
    }
    let (ms_part, seq_part) = match buf.iter().position(|&b| b == b'-') {
        Some(dash) => (&buf[..dash], Some(&buf[dash + 1..])),
        None => (buf, None),
    };
    let ms = parse_u64(ms_part).ok_or_else(invalid)?;
    match seq_part {
        Some(b"*") if seq_star => Ok(ParsedId { id: StreamId::new(ms, 0), seq_given: false }),
        Some(seq) => Ok(ParsedId { id: StreamId::new(ms, parse_u64(seq).ok_or_else(invalid)?), seq_given: true }),
        None => Ok(ParsedId { id: StreamId::new(ms, missing_seq), seq_given: true }),
    }
}

fn strict_id(arg: &[u8]) -> Result<StreamId, Reply> {
    parse_id(arg, 0, true, false).map(|p| p.id)
}

/// An interval bound: `(id` is exclusive. Returns the id and exclusivity.
fn interval_id(arg: &[u8], missing_seq: u64) -> Result<(StreamId, bool), Reply> {
    if arg.len() > 1 && arg[0] == b'(' {
        Ok((parse_id(&arg[1..], missing_seq, true, false)?.id, true))
    } else {
        Ok((parse_id(arg, missing_seq, false, false)?.id, false))
    }
}

fn start_bound(arg: &[u8]) -> Result<StreamId, Reply> {
    let (id, exclusive) = interval_id(arg, 0)?;
    if exclusive {
        id.next().ok_or_else(|| Reply::error("ERR invalid start ID for the interval"))
    } else {
        Ok(id)
    }
}

fn end_bound(arg: &[u8]) -> Result<StreamId, Reply> {
    let (id, exclusive) = interval_id(arg, u64::MAX)?;
    if exclusive {
        id.prev().ok_or_else(|| Reply::error("ERR invalid end ID for the interval"))
    } else {
        Ok(id)
    }
}

// ----- shared helpers -------------------------------------------------------

fn id_reply(id: StreamId) -> Reply {
    Reply::Bulk(id.to_bytes())
}

fn entry_reply(id: StreamId, fields: &Fields) -> Reply {
    let mut flat = Vec::with_capacity(fields.len() * 2);
    for (f, v) in fields {
        flat.push(Reply::Bulk(f.clone()));
        flat.push(Reply::Bulk(v.clone()));
    }
    Reply::Array(vec![id_reply(id), Reply::Array(flat)])
}

fn entries_reply(entries: &[(StreamId, &Fields)]) -> Reply {
    Reply::Array(entries.iter().map(|(id, f)| entry_reply(*id, f)).collect())
}

/// An argument inside an error message: Redis prints it as a C string,
/// so it ends at the first NUL byte.
fn text(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

fn integer_with(arg: &[u8], msg: &'static str) -> Result<i64, Reply> {
    parse_i64(arg).ok_or(Reply::error(msg))
}

/// The stream under `key` for reading: Ok(None) if missing, WRONGTYPE otherwise.
fn read_stream<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a mut StreamValue>, Reply> {
    Ok(ctx.read_as::<Box<StreamValue>>(key)?.map(|s| &mut **s))
}

/// The stream under `key` for writing: Ok(None) if missing, WRONGTYPE otherwise.
fn write_stream<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a mut StreamValue>, Reply> {
    Ok(ctx.write_as::<Box<StreamValue>>(key)?.map(|s| &mut **s))
}

fn is_resp3(ctx: &Ctx) -> bool {
    ctx.client.protocol == Protocol::Resp3
}

fn help_reply(lines: &[&'static str]) -> Reply {
    Reply::Array(lines.iter().map(|l| Reply::status(*l)).collect())
}

/// `ERR unknown subcommand or wrong number of arguments for 'x'. Try XGROUP HELP.`
fn subcommand_syntax_error(argv: &[Vec<u8>]) -> Reply {
    let sub = argv.get(1).map(|a| errors::show(a, 128)).unwrap_or_default();
    let cmd = argv.first().map(|a| text(a).to_ascii_uppercase()).unwrap_or_default();
    Reply::error(errors::sanitize(&format!(
        "ERR unknown subcommand or wrong number of arguments for '{sub}'. Try {cmd} HELP."
    )))
}

// ----- XADD / XTRIM option parsing ------------------------------------------

struct AddTrimArgs {
    trim: Option<Trim>,
    approx: bool,
    limit: i64,
    no_mkstream: bool,
    id: Option<ParsedId>,
}

/// Redis's `streamParseAddOrTrimArgsOrReply`. Returns the options and the
/// position of the id (XADD) or the end of the options.
fn parse_add_trim(argv: &[Vec<u8>], xadd: bool, node_max_entries: u64) -> Result<(AddTrimArgs, usize), Reply> {
    let mut a = AddTrimArgs { trim: None, approx: false, limit: 0, no_mkstream: false, id: None };
    let mut limit_given = false;
    let mut i = 2;
    while i < argv.len() {
        let more = argv.len() - 1 - i;
        let opt = argv[i].as_slice();
        let is = |k: &str| opt.eq_ignore_ascii_case(k.as_bytes());
        if xadd && opt == b"*" {
            break;
        } else if (is("maxlen") || is("minid")) && more > 0 {
            if a.trim.is_some() {
                return Err(Reply::error(
                    "ERR syntax error, MAXLEN and MINID options at the same time are not compatible",
                ));
            }
            a.approx = false;
            let next = argv[i + 1].as_slice();
            if more >= 2 && next == b"~" {
                a.approx = true;
                i += 1;
            } else if more >= 2 && next == b"=" {
                i += 1;
            }
            let value = argv[i + 1].as_slice();
            if is("maxlen") {
                let n = crate::args::int(value)?;
                if n < 0 {
                    return Err(Reply::error("ERR The MAXLEN argument must be >= 0."));
                }
                a.trim = Some(Trim::MaxLen(n as u64));
            } else {
                a.trim = Some(Trim::MinId(strict_id(value)?));
            }
            i += 1;
        } else if is("limit") && more > 0 {
            let n = crate::args::int(&argv[i + 1])?;
            if n < 0 {
                return Err(Reply::error("ERR The LIMIT argument must be >= 0."));
            }
            a.limit = n;
            limit_given = true;
            i += 1;
        } else if xadd && is("nomkstream") {
            a.no_mkstream = true;
        } else if xadd {
            a.id = Some(parse_id(opt, 0, true, true)?);
            break;
        } else {
            return Err(Reply::error(errors::SYNTAX));
        }
        i += 1;
    }
    if a.limit != 0 && a.trim.is_none() {
        return Err(Reply::error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"));
    }
    if !xadd && a.trim.is_none() {
        return Err(Reply::error("ERR syntax error, XTRIM must be called with a trimming strategy"));
    }
    if limit_given {
        if !a.approx {
            return Err(Reply::error("ERR syntax error, LIMIT cannot be used without the special ~ option"));
        }
    } else if a.approx {
        let l = 100i64.saturating_mul(node_max_entries as i64);
        a.limit = if l <= 0 || l > 10_000 { 10_000 } else { l };
    } else {
        a.limit = 0;
    }
    Ok((a, i))
}

/// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]
fn xadd(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let (max_bytes, max_entries) = (ctx.config().stream_node_max_bytes, ctx.config().stream_node_max_entries);
    let (opts, idpos) = match parse_add_trim(argv, true, max_entries) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let field_pos = idpos + 1;
    let nfields = argv.len().saturating_sub(field_pos);
    if nfields < 2 || nfields % 2 == 1 {
        return Reply::error(errors::wrong_arity("xadd"));
    }
    if let Some(p) = opts.id {
        if p.seq_given && p.id.is_zero() {
            return Reply::error("ERR The ID specified in XADD must be greater than 0-0");
        }
    }
    let key = &argv[1];
    let now = ctx.now_ms();
    match write_stream(ctx, key) {
        Err(e) => return e,
        Ok(Some(_)) => {}
        Ok(None) => {
            if opts.no_mkstream {
                return Reply::Nil;
            }
            ctx.set_key(key, Value::Stream(Box::default()), false);
        }
    }
    let Ok(Some(s)) = write_stream(ctx, key) else { return Reply::error(errors::WRONGTYPE) };
    if s.last_id == StreamId::MAX {
        return Reply::error("ERR The stream has exhausted the last possible ID, unable to add more items");
    }
    let id = match opts.id {
        Some(ParsedId { id, seq_given: true }) => id,
        Some(ParsedId { id, seq_given: false }) => {
            if s.last_id.ms == id.ms {
                match s.last_id.seq.checked_add(1) {
                    Some(seq) => StreamId::new(id.ms, seq),
                    // Redis 7.0 reports this case with the size error.
                    None => return Reply::error("ERR Elements are too large to be stored"),
                }
            } else {
                id
            }
        }
        None => {
            let ms = u64::try_from(now).unwrap_or(0);
            if ms > s.last_id.ms {
                StreamId::new(ms, 0)
            } else {
                s.last_id.next().unwrap_or(StreamId::MIN)
            }
        }
    };
    if id <= s.last_id {
        return Reply::error(XADD_ID_TOO_SMALL);
    }
    let fields: Fields = argv[field_pos..].chunks(2).map(|p| (p[0].clone(), p[1].clone())).collect();
    if fields.iter().map(|(f, v)| f.len() + v.len()).sum::<usize>() > LISTPACK_MAX_SIZE {
        return Reply::error("ERR Elements are too large to be stored");
    }
    s.append(id, fields, max_bytes, max_entries);
    let trimmed = match opts.trim {
        Some(how) => s.trim(how, opts.approx, opts.limit as u64),
        None => 0,
    };
    ctx.key_modified(key);
    ctx.notify(notify::STREAM, "xadd", key);
    if trimmed > 0 {
        ctx.notify(notify::STREAM, "xtrim", key);
    }
    ctx.signal_ready(key);
    id_reply(id)
}

/// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
fn xtrim(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let max_entries = ctx.config().stream_node_max_entries;
    let opts = match parse_add_trim(argv, false, max_entries) {
        Ok((o, _)) => o,
        Err(e) => return e,
    };
    let key = &argv[1];
    let s = match write_stream(ctx, key) {
        Err(e) => return e,
        Ok(None) => return Reply::Integer(0),
        Ok(Some(s)) => s,
    };
    let deleted = match opts.trim {
        Some(how) => s.trim(how, opts.approx, opts.limit as u64),
        None => 0,
    };
    if deleted > 0 {
        ctx.notify(notify::STREAM, "xtrim", key);
        ctx.key_modified(key);
    }
    Reply::Integer(deleted as i64)
}

/// XLEN key
fn xlen(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    match read_stream(ctx, &argv[1]) {
        Err(e) => e,
        Ok(None) => Reply::Integer(0),
        Ok(Some(s)) => Reply::Integer(s.len() as i64),
    }
}

/// XRANGE key start end [COUNT count]
fn xrange(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    range_generic(ctx, argv, false)
}

/// XREVRANGE key end start [COUNT count]
fn xrevrange(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    range_generic(ctx, argv, true)
}

fn range_generic(ctx: &mut Ctx, argv: &[Vec<u8>], rev: bool) -> Reply {
    let (start_arg, end_arg) = if rev { (&argv[3], &argv[2]) } else { (&argv[2], &argv[3]) };
    let start = match start_bound(start_arg) {
        Ok(id) => id,
        Err(e) => return e,
    };
    let end = match end_bound(end_arg) {
        Ok(id) => id,
        Err(e) => return e,
    };
    let mut count: i64 = -1;
    let mut j = 4;
    while j < argv.len() {
        if argv[j].eq_ignore_ascii_case(b"COUNT") && j + 1 < argv.len() {
            count = match crate::args::int(&argv[j + 1]) {
                Ok(c) => c.max(0),
                Err(e) => return e,
            };
            j += 2;
        } else {
            return Reply::error(errors::SYNTAX);
        }
    }
    let s = match read_stream(ctx, &argv[1]) {
        Err(e) => return e,
        Ok(None) => return Reply::Array(Vec::new()),
        Ok(Some(s)) => s,
    };
    if count == 0 {
        return Reply::NilArray;
    }
    let limit = if count < 0 { 0 } else { count as usize };
    entries_reply(&s.range(start, end, rev, limit))
}

/// XDEL key id [id ...]
fn xdel(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let key = &argv[1];
    let s = match write_stream(ctx, key) {
        Err(e) => return e,
        Ok(None) => return Reply::Integer(0),
        Ok(Some(s)) => s,
    };
    let mut ids = Vec::with_capacity(argv.len().min(1024));
    for a in &argv[2..] {
        match strict_id(a) {
            Ok(id) => ids.push(id),
            Err(e) => return e,
        }
    }
    let deleted = ids.into_iter().filter(|id| s.delete(*id)).count();
    if deleted > 0 {
        ctx.key_modified(key);
        ctx.notify(notify::STREAM, "xdel", key);
    }
    Reply::Integer(deleted as i64)
}

/// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
fn xsetid(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let id = match strict_id(&argv[2]) {
        Ok(id) => id,
        Err(e) => return e,
    };
    let mut entries_added: i64 = -1;
    let mut max_deleted = StreamId::MIN;
    let mut i = 3;
    while i < argv.len() {
        let more = argv.len() - 1 - i;
        if argv[i].eq_ignore_ascii_case(b"ENTRIESADDED") && more > 0 {
            entries_added = match crate::args::int(&argv[i + 1]) {
                Ok(n) if n < 0 => return Reply::error("ERR entries_added must be positive"),
                Ok(n) => n,
                Err(e) => return e,
            };
            i += 2;
        } else if argv[i].eq_ignore_ascii_case(b"MAXDELETEDID") && more > 0 {
            max_deleted = match strict_id(&argv[i + 1]) {
                Ok(m) => m,
                Err(e) => return e,
            };
            if id < max_deleted {
                return Reply::error(
                    "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
                );
            }
            i += 2;
        } else {
            return Reply::error(errors::SYNTAX);
        }
    }
    let key = &argv[1];
    let s = match write_stream(ctx, key) {
        Err(e) => return e,
        Ok(None) => return Reply::error(errors::NO_SUCH_KEY),
        Ok(Some(s)) => s,
    };
    if !s.is_empty() {
        if id < s.last_valid_id() {
            return Reply::error("ERR The ID specified in XSETID is smaller than the target stream top item");
        }
        if entries_added != -1 && s.len() as i64 > entries_added {
            return Reply::error("ERR The entries_added specified in XSETID is smaller than the target stream length");
        }
    }
    s.last_id = id;
    if entries_added != -1 {
        s.entries_added = entries_added as u64;
    }
    if !max_deleted.is_zero() {
        s.max_deleted_id = max_deleted;
    }
    ctx.key_modified(key);
    ctx.notify(notify::STREAM, "xsetid", key);
    Reply::OK
}

// ----- XREAD / XREADGROUP ---------------------------------------------------

/// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
fn xread(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    read_generic(ctx, argv, false)
}

/// XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]
fn xreadgroup(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    read_generic(ctx, argv, true)
}

/// What one stream of an XREAD(GROUP) asks for.
#[derive(Clone, Copy)]
enum ReadFrom {
    After(StreamId),
    /// `>`: entries never delivered to the group.
    New,
}

fn read_generic(ctx: &mut Ctx, argv: &[Vec<u8>], group_mode: bool) -> Reply {
    let mut timeout: Option<i64> = None;
    let mut count: i64 = 0;
    let mut streams_arg = 0;
    let mut noack = false;
    let mut group: Option<(&[u8], &[u8])> = None;
    let mut i = 1;
    while i < argv.len() {
        let more = argv.len() - i - 1;
        let o = argv[i].as_slice();
        if o.eq_ignore_ascii_case(b"BLOCK") && more > 0 {
            i += 1;
            match parse_i64(&argv[i]) {
                None => return Reply::error("ERR timeout is not an integer or out of range"),
                Some(t) if t < 0 => return Reply::error(errors::TIMEOUT_NEGATIVE),
                Some(t) => timeout = Some(t),
            }
        } else if o.eq_ignore_ascii_case(b"COUNT") && more > 0 {
            i += 1;
            count = match crate::args::int(&argv[i]) {
                Ok(c) => c.max(0),
                Err(e) => return e,
            };
        } else if o.eq_ignore_ascii_case(b"STREAMS") && more > 0 {
            streams_arg = i + 1;
            if !(argv.len() - streams_arg).is_multiple_of(2) {
                return Reply::error(
                    "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
                );
            }
            break;
        } else if o.eq_ignore_ascii_case(b"GROUP") && more >= 2 {
            if !group_mode {
                return Reply::error("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
            }
            group = Some((&argv[i + 1], &argv[i + 2]));
            i += 2;
        } else if o.eq_ignore_ascii_case(b"NOACK") {
            if !group_mode {
                return Reply::error("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
            }
            noack = true;
        } else {
            return Reply::error(errors::SYNTAX);
        }
        i += 1;
    }
    if streams_arg == 0 {
        return Reply::error(errors::SYNTAX);
    }
    if group_mode && group.is_none() {
        return Reply::error("ERR Missing GROUP option for XREADGROUP");
    }
    let nstreams = (argv.len() - streams_arg) / 2;
    let keys = &argv[streams_arg..streams_arg + nstreams];
    let id_args = &argv[streams_arg + nstreams..];
    let mut wants: Vec<ReadFrom> = Vec::with_capacity(nstreams.min(1024));
    for (key, id_arg) in keys.iter().zip(id_args) {
        let s = match read_stream(ctx, key) {
            Err(e) => return e,
            Ok(s) => s,
        };
        if let Some((g, _)) = group {
            if !s.as_ref().is_some_and(|s| s.groups.contains_key(g)) {
                return Reply::error(errors::sanitize(&format!(
                    "NOGROUP No such key '{}' or consumer group '{}' in XREADGROUP with GROUP option",
                    text(key),
                    text(g)
                )));
            }
        }
        let last = s.map(|s| s.last_id).unwrap_or(StreamId::MIN);
        if id_arg.as_slice() == b"$" {
            if group_mode {
                return Reply::error("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.");
            }
            wants.push(ReadFrom::After(last));
        } else if id_arg.as_slice() == b">" {
            if !group_mode {
                return Reply::error(
                    "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.",
                );
            }
            wants.push(ReadFrom::New);
        } else {
            match strict_id(id_arg) {
                // Redis encodes `>` as the largest id, so that id means `>`.
                Ok(StreamId::MAX) if group_mode => wants.push(ReadFrom::New),
                Ok(id) => wants.push(ReadFrom::After(id)),
                Err(e) => return e,
            }
        }
    }
    let now = ctx.now_ms();
    let limit = usize::try_from(count).unwrap_or(0);
    let mut served: Vec<(Reply, Reply)> = Vec::new();
    for (key, want) in keys.iter().zip(&wants) {
        let s = match read_stream(ctx, key) {
            Ok(Some(s)) => s,
            _ => continue,
        };
        let items = match group {
            Some((g, consumer)) => {
                let mut created = false;
                let Some(items) = serve_group(s, g, consumer, *want, limit, noack, now, &mut created) else {
                    continue;
                };
                if created {
                    ctx.notify(notify::STREAM, "xgroup-createconsumer", key);
                }
                items
            }
            None => {
                let ReadFrom::After(after) = *want else { continue };
                if s.is_empty() || s.last_valid_id() <= after {
                    continue;
                }
                let Some(start) = after.next() else { continue };
                entries_reply(&s.range(start, StreamId::MAX, false, limit))
            }
        };
        served.push((Reply::Bulk(key.clone()), items));
    }
    if !served.is_empty() {
        return if is_resp3(ctx) {
            Reply::Map(served)
        } else {
            Reply::Array(served.into_iter().map(|(k, v)| Reply::Array(vec![k, v])).collect())
        };
    }
    let Some(t) = timeout else { return Reply::NilArray };
    if !ctx.may_block() {
        return Reply::NilArray;
    }
    // Block with `$` resolved to the ids seen now, and the default count.
    let mut blocked = argv.to_vec();
    for (slot, want) in blocked[streams_arg + nstreams..].iter_mut().zip(&wants) {
        if let ReadFrom::After(id) = want {
            *slot = id.to_bytes();
        }
    }
    if count == 0 {
        // Just before STREAMS, so it wins over an explicit COUNT 0.
        let at = streams_arg - 1;
        blocked.splice(at..at, [b"COUNT".to_vec(), BLOCKED_DEFAULT_COUNT.to_string().into_bytes()]);
    }
    // Redis 7.0 adds the timeout to the clock unchecked; a sum past the
    // largest time never fires, which is waiting forever.
    let deadline = if t == 0 { None } else { now.checked_add(t) };
    ctx.block_on(&blocked, keys.to_vec(), deadline)
}

/// Serves one stream of an XREADGROUP: the consumer's history for an
/// explicit id, or new entries for `>`. None when there is nothing to say.
#[allow(clippy::too_many_arguments)]
fn serve_group(
    s: &mut StreamValue,
    g: &[u8],
    consumer: &[u8],
    want: ReadFrom,
    count: usize,
    noack: bool,
    now: i64,
    created: &mut bool,
) -> Option<Reply> {
    let last_valid = s.last_valid_id();
    let has_entries = !s.is_empty();
    let grp = s.groups.get_mut(g)?;
    // Redis creates (and refreshes) the consumer only when it serves it now.
    if matches!(want, ReadFrom::New) && (!has_entries || last_valid <= grp.last_id) {
        return None;
    }
    *created = grp.create_consumer(consumer, now);
    if let Some(c) = grp.consumers.get_mut(consumer) {
        c.seen_time = now;
    }
    match want {
        ReadFrom::After(after) => {
            let start = after.next()?;
            let ids: Vec<StreamId> = grp
                .consumers
                .get(consumer)
                .map(|c| c.pel.range(start..).take(if count == 0 { usize::MAX } else { count }).copied().collect())
                .unwrap_or_default();
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                match s.get(id) {
                    Some(fields) => {
                        out.push(entry_reply(id, fields));
                        if let Some(n) = s.groups.get_mut(g).and_then(|grp| grp.pel.get_mut(&id)) {
                            n.delivery_time = now;
                            n.delivery_count += 1;
                        }
                    }
                    None => out.push(Reply::Array(vec![id_reply(id), Reply::NilArray])),
                }
            }
            Some(Reply::Array(out))
        }
        ReadFrom::New => {
            let last = grp.last_id;
            if s.is_empty() || s.last_valid_id() <= last {
                return None;
            }
            let start = last.next()?;
            let items: Vec<(StreamId, Fields)> =
                s.range(start, StreamId::MAX, false, count).into_iter().map(|(id, f)| (id, f.clone())).collect();
            let mut out = Vec::with_capacity(items.len());
            for (id, fields) in items {
                s.advance_group(g, id);
                if !noack {
                    if let Some(grp) = s.groups.get_mut(g) {
                        // An id delivered again (after XGROUP SETID) changes owner.
                        grp.remove_nack(id);
                        grp.pel.insert(id, Nack { delivery_time: now, delivery_count: 1, consumer: consumer.to_vec() });
                        grp.assign_nack(id, consumer);
                    }
                }
                out.push(entry_reply(id, &fields));
            }
            Some(Reply::Array(out))
        }
    }
}

// ----- XGROUP ---------------------------------------------------------------

/// Parses `[MKSTREAM] [ENTRIESREAD n]` (CREATE) or `[ENTRIESREAD n]` (SETID).
fn group_options(argv: &[Vec<u8>], allow_mkstream: bool) -> Result<(bool, i64), Reply> {
    let mut mkstream = false;
    let mut entries_read = ENTRIES_READ_INVALID;
    let mut i = 5;
    while i < argv.len() {
        if allow_mkstream && argv[i].eq_ignore_ascii_case(b"MKSTREAM") {
            mkstream = true;
            i += 1;
        } else if argv[i].eq_ignore_ascii_case(b"ENTRIESREAD") && i + 1 < argv.len() {
            let n = crate::args::int(&argv[i + 1])?;
            if n < 0 && n != ENTRIES_READ_INVALID {
                return Err(Reply::error("ERR value for ENTRIESREAD must be positive or -1"));
            }
            entries_read = n;
            i += 2;
        } else {
            return Err(subcommand_syntax_error(argv));
        }
    }
    Ok((mkstream, entries_read))
}

fn no_group_for_key(group: &[u8], key: &[u8]) -> Reply {
    Reply::error(errors::sanitize(&format!(
        "NOGROUP No such consumer group '{}' for key name '{}'",
        text(group),
        text(key)
    )))
}

/// XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD entries-read]
fn xgroup_create(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let (mkstream, entries_read) = match group_options(argv, true) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let key = &argv[2];
    let last = match write_stream(ctx, key) {
        Err(e) => return e,
        Ok(None) if !mkstream => return Reply::error(GROUP_KEY_MISSING),
        Ok(s) => s.map(|s| s.last_id),
    };
    if argv.len() > 8 {
        return subcommand_syntax_error(argv);
    }
    let id = if argv[4].as_slice() == b"$" {
        last.unwrap_or(StreamId::MIN)
    } else {
        match strict_id(&argv[4]) {
            Ok(id) => id,
            Err(e) => return e,
        }
    };
    if last.is_none() {
        ctx.set_key(key, Value::Stream(Box::default()), false);
    }
    let Ok(Some(s)) = write_stream(ctx, key) else { return Reply::error(errors::WRONGTYPE) };
    if s.groups.contains_key(&argv[3]) {
        return Reply::error("BUSYGROUP Consumer Group name already exists");
    }
    s.groups.insert(argv[3].clone(), crate::types::stream::Group::new(id, entries_read));
    ctx.notify(notify::STREAM, "xgroup-create", key);
    Reply::OK
}

/// XGROUP SETID key group id|$ [ENTRIESREAD entries-read]
fn xgroup_setid(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let (_, entries_read) = match group_options(argv, false) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let key = &argv[2];
    let s = match write_stream(ctx, key) {
        Err(e) => return e,
        Ok(None) => return Reply::error(GROUP_KEY_MISSING),
        Ok(Some(s)) => s,
    };
    if !s.groups.contains_key(&argv[3]) {
        return no_group_for_key(&argv[3], key);
    }
    if argv.len() != 5 && argv.len() != 7 {
        return subcommand_syntax_error(argv);
    }
    let id = if argv[4].as_slice() == b"$" {
        s.last_id
    } else {
        match parse_id(&argv[4], 0, false, false) {
            Ok(p) => p.id,
            Err(e) => return e,
        }
    };
    if let Some(g) = s.groups.get_mut(&argv[3]) {
        g.last_id = id;
        g.entries_read = entries_read;
    }
    ctx.notify(notify::STREAM, "xgroup-setid", key);
    Reply::OK
}

/// XGROUP DESTROY key group
fn xgroup_destroy(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let key = &argv[2];
    let s = match write_stream(ctx, key) {
        Err(e) => return e,
        Ok(None) => return Reply::error(GROUP_KEY_MISSING),
        Ok(Some(s)) => s,
    };
    if s.groups.remove(&argv[3]).is_none() {
        return Reply::Integer(0);
    }
    ctx.notify(notify::STREAM, "xgroup-destroy", key);
    fail_blocked_group_readers(ctx, key, &argv[3]);
    Reply::Integer(1)
}

/// Clients blocked in XREADGROUP on a destroyed group get Redis's NOGROUP error.
fn fail_blocked_group_readers(ctx: &mut Ctx, key: &[u8], group: &[u8]) {
    let db = ctx.client.db;
    let reads_group = |argv: &[Vec<u8>]| {
        argv.first().is_some_and(|n| n.eq_ignore_ascii_case(b"XREADGROUP"))
            && argv
                .windows(2)
                .take_while(|w| !w[0].eq_ignore_ascii_case(b"STREAMS"))
                .any(|w| w[0].eq_ignore_ascii_case(b"GROUP") && w[1] == group)
    };
    let waiting: Vec<crate::client::ClientId> = ctx
        .engine
        .clients
        .values()
        .filter(|c| {
            c.blocked.as_ref().is_some_and(|b| b.db == db && b.keys.iter().any(|k| k == key) && reads_group(&b.argv))
        })
        .map(|c| c.id)
        .collect();
    for id in waiting {
        if let Some(c) = ctx.engine.clients.get_mut(&id) {
            c.blocked = None;
        }
        ctx.engine.push_event(crate::events::Event::Deliver {
            client: id,
            reply: Reply::error("NOGROUP the consumer group this client was blocked on no longer exists"),
        });
    }
}

/// XGROUP CREATECONSUMER key group consumer
fn xgroup_createconsumer(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let key = &argv[2];
    let now = ctx.now_ms();
    let s = match write_stream(ctx, key) {
        Err(e) => return e,
        Ok(None) => return Reply::error(GROUP_KEY_MISSING),
        Ok(Some(s)) => s,
    };
    let Some(g) = s.groups.get_mut(&argv[3]) else { return no_group_for_key(&argv[3], key) };
    if !g.create_consumer(&argv[4], now) {
        return Reply::Integer(0);
    }
    ctx.notify(notify::STREAM, "xgroup-createconsumer", key);
    Reply::Integer(1)
}

/// XGROUP DELCONSUMER key group consumer
fn xgroup_delconsumer(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let key = &argv[2];
    let s = match write_stream(ctx, key) {
        Err(e) => return e,
        Ok(None) => return Reply::error(GROUP_KEY_MISSING),
        Ok(Some(s)) => s,
    };
    let Some(g) = s.groups.get_mut(&argv[3]) else { return no_group_for_key(&argv[3], key) };
    let Some(c) = g.consumers.remove(argv[4].as_slice()) else { return Reply::Integer(0) };
    for id in &c.pel {
        g.pel.remove(id);
    }
    ctx.notify(notify::STREAM, "xgroup-delconsumer", key);
    Reply::Integer(c.pel.len() as i64)
}

/// XGROUP HELP
fn xgroup_help(_: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    help_reply(&[
        "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CREATE <key> <groupname> <id|$> [option]",
        "    Create a new consumer group. Options are:",
        "    * MKSTREAM",
        "      Create the empty stream if it does not exist.",
        "    * ENTRIESREAD entries_read",
        "      Set the group's entries_read counter (internal use).",
        "CREATECONSUMER <key> <groupname> <consumer>",
        "    Create a new consumer in the specified group.",
        "DELCONSUMER <key> <groupname> <consumer>",
        "    Remove the specified consumer.",
        "DESTROY <key> <groupname>",
        "    Remove the specified group.",
        "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
        "    Set the current group ID and entries_read counter.",
        "HELP",
        "    Prints this help.",
    ])
}

// ----- XACK / XPENDING / XCLAIM / XAUTOCLAIM --------------------------------

/// XACK key group id [id ...]
fn xack(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let s = match read_stream(ctx, &argv[1]) {
        Err(e) => return e,
        Ok(s) => s,
    };
    let Some(g) = s.and_then(|s| s.groups.get_mut(&argv[2])) else { return Reply::Integer(0) };
    let mut ids = Vec::with_capacity(argv.len().min(1024));
    for a in &argv[3..] {
        match strict_id(a) {
            Ok(id) => ids.push(id),
            Err(e) => return e,
        }
    }
    Reply::Integer(ids.into_iter().filter(|id| g.remove_nack(*id)).count() as i64)
}

fn no_key_or_group(key: &[u8], group: &[u8]) -> Reply {
    Reply::error(errors::sanitize(&format!("NOGROUP No such key '{}' or consumer group '{}'", text(key), text(group))))
}

/// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
fn xpending(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let summary = argv.len() == 3;
    if argv.len() != 3 && !(6..=9).contains(&argv.len()) {
        return Reply::error(errors::SYNTAX);
    }
    let mut range = None;
    let mut consumer_name: Option<&[u8]> = None;
    let mut min_idle = 0;
    if argv.len() >= 6 {
        let mut at = 3;
        if argv[3].eq_ignore_ascii_case(b"IDLE") {
            min_idle = match crate::args::int(&argv[4]) {
                Ok(v) => v,
                Err(e) => return e,
            };
            if argv.len() < 8 {
                return Reply::error(errors::SYNTAX);
            }
            at += 2;
        }
        let count = match crate::args::int(&argv[at + 2]) {
            Ok(c) => c.max(0),
            Err(e) => return e,
        };
        let start = match start_bound(&argv[at]) {
            Ok(id) => id,
            Err(e) => return e,
        };
        let end = match end_bound(&argv[at + 1]) {
            Ok(id) => id,
            Err(e) => return e,
        };
        if at + 3 < argv.len() {
            consumer_name = Some(&argv[at + 3]);
        }
        range = Some((start, end, count));
    }
    let now = ctx.now_ms();
    let s = match read_stream(ctx, &argv[1]) {
        Err(e) => return e,
        Ok(s) => s,
    };
    let Some(g) = s.and_then(|s| s.groups.get(&argv[2])) else { return no_key_or_group(&argv[1], &argv[2]) };
    if summary || range.is_none() {
        let (Some(first), Some(last)) = (g.pel.keys().next(), g.pel.keys().next_back()) else {
            return Reply::Array(vec![Reply::Integer(0), Reply::Nil, Reply::Nil, Reply::NilArray]);
        };
        let owners: Vec<Reply> = g
            .consumers
            .iter()
            .filter(|(_, c)| !c.pel.is_empty())
            .map(|(name, c)| {
                Reply::Array(vec![Reply::Bulk(name.clone()), Reply::Bulk(c.pel.len().to_string().into_bytes())])
            })
            .collect();
        return Reply::Array(vec![
            Reply::Integer(g.pel.len() as i64),
            id_reply(*first),
            id_reply(*last),
            Reply::Array(owners),
        ]);
    }
    let Some((start, end, mut count)) = range else { return Reply::Array(Vec::new()) };
    let ids: Box<dyn Iterator<Item = StreamId> + '_> = match consumer_name {
        Some(name) => match g.consumers.get(name) {
            None => return Reply::Array(Vec::new()),
            Some(c) => Box::new(c.pel.iter().copied()),
        },
        None => Box::new(g.pel.keys().copied()),
    };
    let mut out = Vec::new();
    for id in ids.filter(|id| *id >= start) {
        if count == 0 || id > end {
            break;
        }
        let Some(n) = g.pel.get(&id) else { continue };
        if min_idle != 0 && now - n.delivery_time < min_idle {
            continue;
        }
        count -= 1;
        out.push(Reply::Array(vec![
            id_reply(id),
            Reply::Bulk(n.consumer.clone()),
            Reply::Integer((now - n.delivery_time).max(0)),
            Reply::Integer(n.delivery_count as i64),
        ]));
    }
    Reply::Array(out)
}

/// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME ms-unix-time] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID id]
fn xclaim(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let key = &argv[1];
    let (gname, cname) = (&argv[2], &argv[3]);
    match read_stream(ctx, key) {
        Err(e) => return e,
        Ok(s) if !s.as_ref().is_some_and(|s| s.groups.contains_key(gname)) => return no_key_or_group(key, gname),
        Ok(_) => {}
    }
    let min_idle = match integer_with(&argv[4], "ERR Invalid min-idle-time argument for XCLAIM") {
        Ok(v) => v.max(0),
        Err(e) => return e,
    };
    let mut j = 5;
    let mut ids = Vec::new();
    while j < argv.len() {
        match strict_id(&argv[j]) {
            Ok(id) => ids.push(id),
            Err(_) => break,
        }
        j += 1;
    }
    let now = ctx.now_ms();
    let (mut force, mut justid) = (false, false);
    let mut delivery_time: i64 = -1;
    let mut retry_count: i64 = -1;
    let mut last_id = StreamId::MIN;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        let opt = argv[j].as_slice();
        if opt.eq_ignore_ascii_case(b"FORCE") {
            force = true;
        } else if opt.eq_ignore_ascii_case(b"JUSTID") {
            justid = true;
        } else if opt.eq_ignore_ascii_case(b"IDLE") && more > 0 {
            j += 1;
            match integer_with(&argv[j], "ERR Invalid IDLE option argument for XCLAIM") {
                Ok(v) => delivery_time = now.wrapping_sub(v),
                Err(e) => return e,
            }
        } else if opt.eq_ignore_ascii_case(b"TIME") && more > 0 {
            j += 1;
            match integer_with(&argv[j], "ERR Invalid TIME option argument for XCLAIM") {
                Ok(v) => delivery_time = v,
                Err(e) => return e,
            }
        } else if opt.eq_ignore_ascii_case(b"RETRYCOUNT") && more > 0 {
            j += 1;
            match integer_with(&argv[j], "ERR Invalid RETRYCOUNT option argument for XCLAIM") {
                Ok(v) => retry_count = v,
                Err(e) => return e,
            }
        } else if opt.eq_ignore_ascii_case(b"LASTID") && more > 0 {
            j += 1;
            match strict_id(&argv[j]) {
                Ok(id) => last_id = id,
                Err(e) => return e,
            }
        } else {
            return Reply::error(errors::sanitize(&format!("ERR Unrecognized XCLAIM option '{}'", text(opt))));
        }
        j += 1;
    }
    if delivery_time == -1 || delivery_time < 0 || delivery_time > now {
        delivery_time = now;
    }
    let Ok(Some(s)) = read_stream(ctx, key) else { return Reply::Array(Vec::new()) };
    let mut created_consumer = false;
    let mut out = Vec::new();
    {
        let exists: Vec<bool> = ids.iter().map(|id| s.contains(*id)).collect();
        let Some(g) = s.groups.get_mut(gname.as_slice()) else { return Reply::Array(Vec::new()) };
        if last_id > g.last_id {
            g.last_id = last_id;
        }
        let mut claimed = Vec::new();
        for (id, exists) in ids.iter().zip(exists) {
            if !exists {
                g.remove_nack(*id);
                continue;
            }
            let mut fresh = false;
            if force && !g.pel.contains_key(id) {
                g.pel.insert(*id, Nack { delivery_time: now, delivery_count: 1, consumer: Vec::new() });
                fresh = true;
            }
            let Some(n) = g.pel.get(id) else { continue };
            if !fresh && min_idle != 0 && now - n.delivery_time < min_idle {
                continue;
            }
            if !g.consumers.contains_key(cname.as_slice()) {
                created_consumer |= g.create_consumer(cname, now);
            } else if let Some(c) = g.consumers.get_mut(cname.as_slice()) {
                c.seen_time = now;
            }
            g.assign_nack(*id, cname);
            if let Some(n) = g.pel.get_mut(id) {
                n.delivery_time = delivery_time;
                if retry_count >= 0 {
                    n.delivery_count = retry_count as u64;
                } else if !justid {
                    n.delivery_count += 1;
                }
            }
            claimed.push(*id);
        }
        for id in claimed {
            if justid {
                out.push(id_reply(id));
            } else {
                match s.get(id) {
                    Some(f) => out.push(entry_reply(id, f)),
                    None => out.push(Reply::Nil),
                }
            }
        }
    }
    if created_consumer {
        ctx.notify(notify::STREAM, "xgroup-createconsumer", key);
    }
    Reply::Array(out)
}

/// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
fn xautoclaim(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let key = &argv[1];
    let (gname, cname) = (&argv[2], &argv[3]);
    let min_idle = match integer_with(&argv[4], "ERR Invalid min-idle-time argument for XAUTOCLAIM") {
        Ok(v) => v.max(0),
        Err(e) => return e,
    };
    let start = match start_bound(&argv[5]) {
        Ok(id) => id,
        Err(e) => return e,
    };
    let mut count: i64 = 100;
    let mut justid = false;
    let mut j = 6;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        if argv[j].eq_ignore_ascii_case(b"COUNT") && more > 0 {
            count = match parse_i64(&argv[j + 1]) {
                Some(c) if (1..=i64::MAX / 16).contains(&c) => c,
                _ => return Reply::error("ERR COUNT must be > 0"),
            };
            j += 1;
        } else if argv[j].eq_ignore_ascii_case(b"JUSTID") {
            justid = true;
        } else {
            return Reply::error(errors::SYNTAX);
        }
        j += 1;
    }
    let now = ctx.now_ms();
    let s = match read_stream(ctx, key) {
        Err(e) => return e,
        Ok(s) => s,
    };
    let Some(s) = s.filter(|s| s.groups.contains_key(gname)) else { return no_key_or_group(key, gname) };
    if count > TRANSIENT_ALLOC_LIMIT / 16 {
        return Reply::error("ERR Insufficient memory, failed allocating transient memory, COUNT too high.");
    }
    let mut attempts = count.saturating_mul(10);
    let pel_ids: Vec<StreamId> = match s.groups.get(gname) {
        Some(g) => g
            .pel
            .range(start..)
            .map(|(id, _)| *id)
            .take(usize::try_from(attempts).unwrap_or(usize::MAX).saturating_add(1))
            .collect(),
        None => Vec::new(),
    };
    let exists: Vec<bool> = pel_ids.iter().map(|id| s.contains(*id)).collect();
    let mut created_consumer = false;
    let mut claimed = Vec::new();
    let mut deleted = Vec::new();
    let mut next_cursor = StreamId::MIN;
    {
        let Some(g) = s.groups.get_mut(gname.as_slice()) else { return no_key_or_group(key, gname) };
        let mut pos = 0;
        while attempts > 0 && count > 0 && pos < pel_ids.len() {
            attempts -= 1;
            let id = pel_ids[pos];
            pos += 1;
            if !exists[pos - 1] {
                g.remove_nack(id);
                deleted.push(id);
                count -= 1;
                continue;
            }
            let Some(n) = g.pel.get(&id) else { continue };
            if min_idle != 0 && now - n.delivery_time < min_idle {
                continue;
            }
            if !g.consumers.contains_key(cname.as_slice()) {
                created_consumer |= g.create_consumer(cname, now);
            } else if let Some(c) = g.consumers.get_mut(cname.as_slice()) {
                c.seen_time = now;
            }
            g.assign_nack(id, cname);
            if let Some(n) = g.pel.get_mut(&id) {
                n.delivery_time = now;
                if !justid {
                    n.delivery_count += 1;
                }
            }
            claimed.push(id);
            count -= 1;
        }
        if let Some(next) = pel_ids.get(pos) {
            next_cursor = *next;
        } else if let Some(after) = pel_ids.last().and_then(|l| l.next()) {
            next_cursor = g.pel.range(after..).next().map(|(id, _)| *id).unwrap_or(StreamId::MIN);
        }
    }
    let entries: Vec<Reply> = claimed
        .iter()
        .map(|id| {
            if justid {
                id_reply(*id)
            } else {
                match s.get(*id) {
                    Some(f) => entry_reply(*id, f),
                    None => Reply::Nil,
                }
            }
        })
        .collect();
    if created_consumer {
        ctx.notify(notify::STREAM, "xgroup-createconsumer", key);
    }
    Reply::Array(vec![
        id_reply(next_cursor),
        Reply::Array(entries),
        Reply::Array(deleted.into_iter().map(id_reply).collect()),
    ])
}

// ----- XINFO ----------------------------------------------------------------

fn info_stream_or_error<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<&'a mut StreamValue, Reply> {
    match read_stream(ctx, key)? {
        None => Err(Reply::error(errors::NO_SUCH_KEY)),
        Some(s) => Ok(s),
    }
}

fn field(name: &str, value: Reply) -> (Reply, Reply) {
    (Reply::bulk_str(name), value)
}

fn opt_int(v: Option<i64>) -> Reply {
    v.map(Reply::Integer).unwrap_or(Reply::Nil)
}

fn entries_read_reply(v: i64) -> Reply {
    opt_int((v != ENTRIES_READ_INVALID).then_some(v))
}

/// XINFO STREAM key [FULL [COUNT count]]
fn xinfo_stream(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let s = match info_stream_or_error(ctx, &argv[2]) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let opts = &argv[3..];
    let mut full = false;
    let mut count: i64 = 10;
    if !opts.is_empty() {
        if (opts.len() != 1 && opts.len() != 3) || !opts[0].eq_ignore_ascii_case(b"FULL") {
            return subcommand_syntax_error(argv);
        }
        full = true;
        if opts.len() == 3 {
            if !opts[1].eq_ignore_ascii_case(b"COUNT") {
                return subcommand_syntax_error(argv);
            }
            count = match crate::args::int(&opts[2]) {
                Ok(c) if c < 0 => 10,
                Ok(c) => c,
                Err(e) => return e,
            };
        }
    }
    let s: &StreamValue = s;
    let mut map = vec![
        field("length", Reply::Integer(s.len() as i64)),
        field("radix-tree-keys", Reply::Integer(s.radix_tree_keys() as i64)),
        field("radix-tree-nodes", Reply::Integer(s.radix_tree_nodes() as i64)),
        field("last-generated-id", id_reply(s.last_id)),
        field("max-deleted-entry-id", id_reply(s.max_deleted_id)),
        field("entries-added", Reply::Integer(s.entries_added as i64)),
        field("recorded-first-entry-id", id_reply(s.first_id)),
    ];
    if !full {
        map.push(field("groups", Reply::Integer(s.groups.len() as i64)));
        let first = s.range(StreamId::MIN, StreamId::MAX, false, 1);
        let last = s.range(StreamId::MIN, StreamId::MAX, true, 1);
        map.push(field("first-entry", first.first().map(|(id, f)| entry_reply(*id, f)).unwrap_or(Reply::Nil)));
        map.push(field("last-entry", last.first().map(|(id, f)| entry_reply(*id, f)).unwrap_or(Reply::Nil)));
        return Reply::Map(map);
    }
    let limit = usize::try_from(count).unwrap_or(usize::MAX);
    let take = if limit == 0 { usize::MAX } else { limit };
    map.push(field("entries", entries_reply(&s.range(StreamId::MIN, StreamId::MAX, false, limit))));
    let groups: Vec<Reply> = s
        .groups
        .iter()
        .map(|(name, g)| {
            let pending: Vec<Reply> = g
                .pel
                .iter()
                .take(take)
                .map(|(id, n)| {
                    Reply::Array(vec![
                        id_reply(*id),
                        Reply::Bulk(n.consumer.clone()),
                        Reply::Integer(n.delivery_time),
                        Reply::Integer(n.delivery_count as i64),
                    ])
                })
                .collect();
            let consumers: Vec<Reply> = g
                .consumers
                .iter()
                .map(|(cname, c)| {
                    let cpending: Vec<Reply> = c
                        .pel
                        .iter()
                        .take(take)
                        .filter_map(|id| g.pel.get(id).map(|n| (id, n)))
                        .map(|(id, n)| {
                            Reply::Array(vec![
                                id_reply(*id),
                                Reply::Integer(n.delivery_time),
                                Reply::Integer(n.delivery_count as i64),
                            ])
                        })
                        .collect();
                    Reply::Map(vec![
                        field("name", Reply::Bulk(cname.clone())),
                        field("seen-time", Reply::Integer(c.seen_time)),
                        field("pel-count", Reply::Integer(c.pel.len() as i64)),
                        field("pending", Reply::Array(cpending)),
                    ])
                })
                .collect();
            Reply::Map(vec![
                field("name", Reply::Bulk(name.clone())),
                field("last-delivered-id", id_reply(g.last_id)),
                field("entries-read", entries_read_reply(g.entries_read)),
                field("lag", opt_int(s.group_lag(g))),
                field("pel-count", Reply::Integer(g.pel.len() as i64)),
                field("pending", Reply::Array(pending)),
                field("consumers", Reply::Array(consumers)),
            ])
        })
        .collect();
    map.push(field("groups", Reply::Array(groups)));
    Reply::Map(map)
}

/// XINFO GROUPS key
fn xinfo_groups(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let s = match info_stream_or_error(ctx, &argv[2]) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let s: &StreamValue = s;
    Reply::Array(
        s.groups
            .iter()
            .map(|(name, g)| {
                Reply::Map(vec![
                    field("name", Reply::Bulk(name.clone())),
                    field("consumers", Reply::Integer(g.consumers.len() as i64)),
                    field("pending", Reply::Integer(g.pel.len() as i64)),
                    field("last-delivered-id", id_reply(g.last_id)),
                    field("entries-read", entries_read_reply(g.entries_read)),
                    field("lag", opt_int(s.group_lag(g))),
                ])
            })
            .collect(),
    )
}

/// XINFO CONSUMERS key group
fn xinfo_consumers(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let now = ctx.now_ms();
    let s = match info_stream_or_error(ctx, &argv[2]) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let Some(g) = s.groups.get(&argv[3]) else { return no_group_for_key(&argv[3], &argv[2]) };
    Reply::Array(
        g.consumers
            .iter()
            .map(|(name, c)| {
                Reply::Map(vec![
                    field("name", Reply::Bulk(name.clone())),
                    field("pending", Reply::Integer(c.pel.len() as i64)),
                    field("idle", Reply::Integer((now - c.seen_time).max(0))),
                ])
            })
            .collect(),
    )
}

/// XINFO HELP
fn xinfo_help(_: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    help_reply(&[
        "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CONSUMERS <key> <groupname>",
        "    Show consumers of <groupname>.",
        "GROUPS <key>",
        "    Show the stream consumer groups.",
        "STREAM <key> [FULL [COUNT <count>]",
        "    Show information about the stream.",
        "HELP",
        "    Prints this help.",
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_like_redis() {
        let p = |s: &str| parse_id(s.as_bytes(), 0, true, true).ok().map(|p| (p.id, p.seq_given));
        assert_eq!(p("5"), Some((StreamId::new(5, 0), true)));
        assert_eq!(p("5-*"), Some((StreamId::new(5, 0), false)));
        assert_eq!(p("5--0"), Some((StreamId::new(5, 0), true)));
        assert_eq!(p(" 5-+3"), Some((StreamId::new(5, 3), true)));
        assert_eq!(p("18446744073709551615-18446744073709551615"), Some((StreamId::MAX, true)));
        assert_eq!(p("18446744073709551616"), None);
        assert_eq!(p("-"), None);
        assert_eq!(p("5--1"), None);
        assert_eq!(p("a"), None);
        assert_eq!(p(""), None);
        assert_eq!(parse_id(b"+", 0, false, false).map(|p| p.id), Ok(StreamId::MAX));
    }

    /// Event names of the notifications published while `lines` run.
    fn events_of(lines: &[&str]) -> Vec<String> {
        use crate::engine::Engine;
        use crate::events::Event;
        let mut engine = Engine::with_manual_clock(0, 1);
        let me = engine.connect("a");
        let listener = engine.connect("b");
        engine.config_mut().notify_keyspace_events = notify::parse_flags(b"KEA").unwrap_or(0);
        engine.pubsub.psubscribe(listener, b"__keyevent@0__:*");
        for line in lines {
            let _ = engine.execute_line(me, line);
        }
        engine
            .drain_events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Deliver { client, reply: Reply::Array(items) | Reply::Push(items) } if client == listener => {
                    match items.get(2) {
                        Some(Reply::Bulk(ch)) => Some(String::from_utf8_lossy(ch).replace("__keyevent@0__:", "")),
                        _ => None,
                    }
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn claiming_creates_consumers_with_notifications() {
        let events = events_of(&[
            "XADD n 1-1 f v",
            "XGROUP CREATE n g 0",
            "XREADGROUP GROUP g a STREAMS n >",
            "XREADGROUP GROUP g a STREAMS n 0",
            "XCLAIM n g b 0 1-1",
            "XAUTOCLAIM n g c 0 -",
            "XACK n g 1-1",
            "XGROUP CREATE n2 g 0 MKSTREAM",
            "XTRIM n MAXLEN 5",
            "XADD n NOMKSTREAM MAXLEN 0 2-1 f v",
            "XSETID n 5-5",
            "XGROUP SETID n g 0",
        ]);
        assert_eq!(
            events,
            [
                "xadd",
                "xgroup-create",
                "xgroup-createconsumer",
                "xgroup-createconsumer",
                "xgroup-createconsumer",
                "xgroup-create",
                "xadd",
                "xtrim",
                "xsetid",
                "xgroup-setid"
            ]
        );
    }

    #[test]
    fn notifications_use_redis_event_names() {
        let events = events_of(&[
            "XADD s MAXLEN 1 1-1 f v",
            "XADD s MAXLEN 1 2-1 f v",
            "XDEL s 2-1",
            "XDEL s 2-1",
            "XTRIM s MAXLEN 0",
            "XSETID s 5-5",
            "XGROUP CREATE s g 0",
            "XGROUP CREATECONSUMER s g c",
            "XREADGROUP GROUP g d STREAMS s 0",
            "XGROUP SETID s g 0",
            "XGROUP DELCONSUMER s g c",
            "XGROUP DESTROY s g",
            "XADD s NOMKSTREAM 6-1 f v",
        ]);
        assert_eq!(
            events,
            [
                "xadd",
                "xadd",
                "xtrim",
                "xdel",
                "xsetid",
                "xgroup-create",
                "xgroup-createconsumer",
                "xgroup-createconsumer",
                "xgroup-setid",
                "xgroup-delconsumer",
                "xgroup-destroy",
                "xadd"
            ]
        );
    }
}
