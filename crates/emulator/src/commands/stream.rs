//! Stream commands: XADD XLEN XRANGE XREVRANGE XDEL XTRIM XREAD XSETID,
//! consumer groups (XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM,
//! XAUTOCLAIM) and XINFO.
//!
//! Ids and idle times come from the engine clock. Replies, option order and
//! error texts follow Redis 7.0's `t_stream.c`. What a command does to the
//! stream, its groups and their pending entries lives in `types::stream`;
//! this file parses arguments and shapes replies.

use crate::args::{is, Args};
use crate::command::{flags::*, BeginSearch, CommandResult, CommandSpec, FindKeys, Group, KeySpec, KeySpecDef};
use crate::engine::Ctx;
use crate::errors;
use crate::float::parse_i64;
use crate::notify;
use crate::reply::Reply;
use crate::resp::Protocol;
use crate::types::stream::{
    ClaimRules, Fields, ReadFrom, SetIdError, StreamId, StreamValue, Trim, ENTRIES_READ_INVALID, LISTPACK_MAX_SIZE,
};
use crate::value::Value;

const INVALID_ID: &str = "ERR Invalid stream ID specified as stream command argument";
const XADD_ID_TOO_SMALL: &str = "ERR The ID specified in XADD is equal or smaller than the target stream top item";
const GROUP_KEY_MISSING: &str = concat!(
    "ERR The XGROUP subcommand requires the key to exist. ",
    "Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."
);
/// Bytes beyond which Redis's allocation for XAUTOCLAIM's deleted-id list
/// fails on a 64-bit Linux host (its size depends on the machine; this is
/// where the address space runs out).
const TRANSIENT_ALLOC_LIMIT: i64 = 1 << 45;
/// Entries a blocked XREAD without COUNT receives when served (Redis's default).
const BLOCKED_DEFAULT_COUNT: i64 = 1000;

const BASE: CommandSpec =
    CommandSpec { group: Group::Stream, since: "5.0.0", keys: KeySpec::ONE, ..CommandSpec::DEFAULT };

/// XGROUP and XINFO subcommands name the key right after the subcommand.
const SUBCOMMAND_KEY: KeySpec = KeySpec { first: 2, last: 2, step: 1 };
const XGROUP_BASE: CommandSpec = CommandSpec { parent: "xgroup", keys: SUBCOMMAND_KEY, ..BASE };
const XINFO_BASE: CommandSpec = CommandSpec { parent: "xinfo", keys: SUBCOMMAND_KEY, ..BASE };

const XGROUP_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "create",
        arity: -5,
        flags: WRITE | DENYOOM,
        summary: "Creates a consumer group on a stream",
        syntax: "key group id|$ [MKSTREAM] [ENTRIESREAD entries-read]",
        handler: xgroup_create,
        ..XGROUP_BASE
    },
    CommandSpec {
        name: "setid",
        arity: -5,
        flags: WRITE,
        summary: "Moves a consumer group's last delivered id",
        syntax: "key group id|$ [ENTRIESREAD entries-read]",
        handler: xgroup_setid,
        ..XGROUP_BASE
    },
    CommandSpec {
        name: "destroy",
        arity: 4,
        flags: WRITE,
        summary: "Deletes a consumer group",
        syntax: "key group",
        handler: xgroup_destroy,
        ..XGROUP_BASE
    },
    CommandSpec {
        name: "createconsumer",
        arity: 5,
        flags: WRITE | DENYOOM,
        since: "6.2.0",
        summary: "Adds a consumer to a consumer group",
        syntax: "key group consumer",
        handler: xgroup_createconsumer,
        ..XGROUP_BASE
    },
    CommandSpec {
        name: "delconsumer",
        arity: 5,
        flags: WRITE,
        summary: "Removes a consumer from a consumer group",
        syntax: "key group consumer",
        handler: xgroup_delconsumer,
        ..XGROUP_BASE
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: LOADING | STALE,
        keys: KeySpec::NONE,
        summary: "Lists the XGROUP subcommands",
        handler: xgroup_help,
        ..XGROUP_BASE
    },
];

const XINFO_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "consumers",
        arity: 4,
        flags: READONLY,
        summary: "Lists the consumers of a consumer group",
        syntax: "key group",
        handler: xinfo_consumers,
        ..XINFO_BASE
    },
    CommandSpec {
        name: "groups",
        arity: 3,
        flags: READONLY,
        summary: "Lists the consumer groups of a stream",
        syntax: "key",
        handler: xinfo_groups,
        ..XINFO_BASE
    },
    CommandSpec {
        name: "stream",
        arity: -3,
        flags: READONLY,
        summary: "Describes a stream",
        syntax: "key [FULL [COUNT count]]",
        handler: xinfo_stream,
        ..XINFO_BASE
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: LOADING | STALE,
        keys: KeySpec::NONE,
        summary: "Lists the XINFO subcommands",
        handler: xinfo_help,
        ..XINFO_BASE
    },
];

/// XREAD's keys: after STREAMS, the first half of what follows (the ids
/// come after the keys).
const STREAM_KEYS_FROM_1: KeySpecDef = KeySpecDef {
    notes: "",
    flags: &["RO", "access"],
    begin: BeginSearch::Keyword("STREAMS", 1),
    find: FindKeys::Range { lastkey: -1, keystep: 1, limit: 2 },
};

/// XREADGROUP's keys: the same, searched after `GROUP group consumer`.
const STREAM_KEYS_FROM_4: KeySpecDef = KeySpecDef { begin: BeginSearch::Keyword("STREAMS", 4), ..STREAM_KEYS_FROM_1 };

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "xadd",
        arity: -5,
        flags: WRITE | DENYOOM | FAST,
        complexity: "O(1) to add; O(N) for the N entries a trim removes",
        summary: "Appends an entry to a stream, creating it if needed",
        syntax: concat!(
            "key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] ",
            "*|id field value [field value ...]"
        ),
        handler: xadd,
        ..BASE
    },
    CommandSpec {
        name: "xlen",
        arity: 2,
        flags: READONLY | FAST,
        summary: "Returns the number of entries in a stream",
        syntax: "key",
        key_flags: &[&["RO"]],
        handler: xlen,
        ..BASE
    },
    CommandSpec {
        name: "xrange",
        arity: -4,
        flags: READONLY,
        complexity: "O(log N + M) for M entries returned",
        summary: "Returns the entries of a stream between two ids",
        syntax: "key start end [COUNT count]",
        handler: xrange,
        ..BASE
    },
    CommandSpec {
        name: "xrevrange",
        arity: -4,
        flags: READONLY,
        complexity: "O(log N + M) for M entries returned",
        summary: "Returns the entries of a stream between two ids, newest first",
        syntax: "key end start [COUNT count]",
        handler: xrevrange,
        ..BASE
    },
    CommandSpec {
        name: "xdel",
        arity: -3,
        flags: WRITE | FAST,
        complexity: "O(log N) per id",
        summary: "Deletes entries from a stream by id",
        syntax: "key id [id ...]",
        key_flags: &[&["RW", "delete"]],
        handler: xdel,
        ..BASE
    },
    CommandSpec {
        name: "xtrim",
        arity: -4,
        flags: WRITE,
        complexity: "O(N) for the N entries removed",
        summary: "Removes the oldest entries of a stream",
        syntax: "key MAXLEN|MINID [=|~] threshold [LIMIT count]",
        key_flags: &[&["RW", "delete"]],
        handler: xtrim,
        ..BASE
    },
    CommandSpec {
        name: "xread",
        arity: -4,
        flags: READONLY | BLOCKING | MOVABLE_KEYS,
        keys: KeySpec::NONE,
        complexity: "O(log N + M) per stream for M entries returned",
        summary: "Reads entries newer than given ids from streams, optionally waiting for them",
        syntax: "[COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]",
        key_specs: &[STREAM_KEYS_FROM_1],
        handler: xread,
        ..BASE
    },
    CommandSpec {
        name: "xreadgroup",
        arity: -7,
        flags: WRITE | BLOCKING | MOVABLE_KEYS,
        keys: KeySpec::NONE,
        complexity: "O(log N + M) per stream for M entries returned",
        summary: "Reads entries for a consumer of a group, optionally waiting for new ones",
        syntax: concat!(
            "GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] ",
            "STREAMS key [key ...] id [id ...]"
        ),
        key_specs: &[STREAM_KEYS_FROM_4],
        handler: xreadgroup,
        ..BASE
    },
    CommandSpec {
        name: "xgroup",
        arity: -2,
        keys: KeySpec::NONE,
        summary: "Manages consumer groups",
        syntax: "<subcommand>",
        subcommands: XGROUP_SUBCOMMANDS,
        handler: container_without_subcommand,
        ..BASE
    },
    CommandSpec {
        name: "xack",
        arity: -4,
        flags: WRITE | FAST,
        complexity: "O(log N) per id",
        summary: "Acknowledges entries of a consumer group's pending list",
        syntax: "key group id [id ...]",
        handler: xack,
        ..BASE
    },
    CommandSpec {
        name: "xpending",
        arity: -3,
        flags: READONLY,
        complexity: "O(log N + M) for M pending entries listed",
        summary: "Inspects the pending entries of a consumer group",
        syntax: "key group [[IDLE min-idle-time] start end count [consumer]]",
        handler: xpending,
        ..BASE
    },
    CommandSpec {
        name: "xclaim",
        arity: -6,
        flags: WRITE | FAST,
        complexity: "O(log N) per id",
        summary: "Transfers pending entries to another consumer",
        syntax: concat!(
            "key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds] ",
            "[RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]"
        ),
        handler: xclaim,
        ..BASE
    },
    CommandSpec {
        name: "xautoclaim",
        arity: -6,
        flags: WRITE | FAST,
        since: "6.2.0",
        complexity: "O(COUNT)",
        summary: "Transfers idle pending entries to another consumer, scanning from a cursor",
        syntax: "key group consumer min-idle-time start [COUNT count] [JUSTID]",
        key_flags: &[&["RW", "delete"]],
        handler: xautoclaim,
        ..BASE
    },
    CommandSpec {
        name: "xinfo",
        arity: -2,
        keys: KeySpec::NONE,
        summary: "Describes streams, consumer groups and consumers",
        syntax: "<subcommand>",
        subcommands: XINFO_SUBCOMMANDS,
        handler: container_without_subcommand,
        ..BASE
    },
    CommandSpec {
        name: "xsetid",
        arity: -3,
        flags: WRITE | DENYOOM | FAST,
        summary: "Sets a stream's last id and counters",
        syntax: "key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]",
        handler: xsetid,
        ..BASE
    },
];

/// XGROUP / XINFO without a subcommand the table knows.
fn container_without_subcommand(_: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Err(Reply::error(errors::SYNTAX))
}

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

/// A pending entry served again by XREADGROUP: the entry, or the id with a
/// null field list when the entry has been deleted since it was delivered.
fn served_entry_reply(s: &StreamValue, id: StreamId) -> Reply {
    match s.get(id) {
        Some(fields) => entry_reply(id, fields),
        None => Reply::Array(vec![id_reply(id), Reply::NilArray]),
    }
}

/// A claimed entry: its id alone (JUSTID), the entry, or nil if it is gone.
fn claimed_reply(s: &StreamValue, id: StreamId, justid: bool) -> Reply {
    if justid {
        return id_reply(id);
    }
    match s.get(id) {
        Some(fields) => entry_reply(id, fields),
        None => Reply::Nil,
    }
}

/// An argument inside an error message: Redis prints it as a C string,
/// so it ends at the first NUL byte.
fn text(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

/// An integer argument whose parse error is the command's own message.
fn integer_with(arg: &[u8], msg: &'static str) -> Result<i64, Reply> {
    parse_i64(arg).ok_or(Reply::error(msg))
}

/// Ids that must all be valid (`-` and `+` are not), for XDEL and XACK.
fn strict_ids(args: &[Vec<u8>]) -> Result<Vec<StreamId>, Reply> {
    args.iter().map(|a| strict_id(a)).collect()
}

/// Consumes `keyword` if it is next and followed by at least `values` more
/// arguments: Redis reads an option only when its values are there, and
/// otherwise treats the keyword as an unknown argument.
fn eat_option(args: &mut Args, keyword: &str, values: usize) -> bool {
    args.remaining() > values && args.eat(keyword)
}

/// The stream under `key` for reading: Ok(None) if missing, WRONGTYPE otherwise.
fn read_stream<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a mut StreamValue>, Reply> {
    Ok(ctx.read_as::<Box<StreamValue>>(key)?.map(|s| &mut **s))
}

/// The stream under `key` for writing: Ok(None) if missing, WRONGTYPE otherwise.
fn write_stream<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a mut StreamValue>, Reply> {
    Ok(ctx.write_as::<Box<StreamValue>>(key)?.map(|s| &mut **s))
}

/// The stream under `key` when it has consumer group `group`; WRONGTYPE,
/// or NOGROUP naming both key and group.
fn stream_with_group<'a>(ctx: &'a mut Ctx, key: &[u8], group: &[u8]) -> Result<&'a mut StreamValue, Reply> {
    match read_stream(ctx, key)? {
        Some(s) if s.groups.contains_key(group) => Ok(s),
        _ => Err(no_key_or_group(key, group)),
    }
}

fn is_resp3(ctx: &Ctx) -> bool {
    ctx.client.protocol == Protocol::Resp3
}

/// `ERR unknown subcommand or wrong number of arguments for 'x'. Try XGROUP HELP.`
fn subcommand_syntax_error(argv: &[Vec<u8>]) -> Reply {
    let sub = argv.get(1).map(|a| errors::show(a, 128)).unwrap_or_default();
    let cmd = argv.first().map(|a| text(a).to_ascii_uppercase()).unwrap_or_default();
    Reply::error(errors::sanitize(&format!(
        "ERR unknown subcommand or wrong number of arguments for '{sub}'. Try {cmd} HELP."
    )))
}

fn no_key_or_group(key: &[u8], group: &[u8]) -> Reply {
    Reply::error(errors::sanitize(&format!("NOGROUP No such key '{}' or consumer group '{}'", text(key), text(group))))
}

fn no_group_for_key(group: &[u8], key: &[u8]) -> Reply {
    Reply::error(errors::sanitize(&format!(
        "NOGROUP No such consumer group '{}' for key name '{}'",
        text(group),
        text(key)
    )))
}

// ----- XADD / XTRIM ---------------------------------------------------------

/// The options XADD and XTRIM share (Redis's
/// `streamParseAddOrTrimArgsOrReply`), with XADD's NOMKSTREAM and id.
struct AddTrimOptions {
    trim: Option<Trim>,
    /// `~`: trim whole nodes only.
    approx: bool,
    /// Most entries one trim may remove (0 = no bound).
    limit: u64,
    no_mkstream: bool,
    /// XADD's explicit id; None for `*` (and for XTRIM).
    id: Option<ParsedId>,
}

impl AddTrimOptions {
    /// Reads the options after the key. For XADD the options end at the id
    /// (`*` or the first argument that is no option), and the cursor is
    /// left on the first field. Without LIMIT, `~` trims at most 100 nodes'
    /// worth of entries (at most 10000), and exact trims are unbounded.
    fn parse(args: &mut Args, xadd: bool, node_max_entries: u64) -> Result<Self, Reply> {
        let mut o = AddTrimOptions { trim: None, approx: false, limit: 0, no_mkstream: false, id: None };
        let mut limit = None;
        while let Some(opt) = args.next_arg() {
            let more = args.remaining();
            if xadd && opt == b"*" {
                break;
            } else if (is(opt, "MAXLEN") || is(opt, "MINID")) && more > 0 {
                if o.trim.is_some() {
                    return Err(Reply::error(
                        "ERR syntax error, MAXLEN and MINID options at the same time are not compatible",
                    ));
                }
                let mut threshold = args.value()?;
                o.approx = false;
                if more >= 2 && (threshold == b"~" || threshold == b"=") {
                    o.approx = threshold == b"~";
                    threshold = args.value()?;
                }
                o.trim = Some(if is(opt, "MAXLEN") {
                    let n = crate::args::int(threshold)?;
                    if n < 0 {
                        return Err(Reply::error("ERR The MAXLEN argument must be >= 0."));
                    }
                    Trim::MaxLen(n as u64)
                } else {
                    Trim::MinId(strict_id(threshold)?)
                });
            } else if is(opt, "LIMIT") && more > 0 {
                let n = args.int()?;
                if n < 0 {
                    return Err(Reply::error("ERR The LIMIT argument must be >= 0."));
                }
                limit = Some(n as u64);
            } else if xadd && is(opt, "NOMKSTREAM") {
                o.no_mkstream = true;
            } else if xadd {
                o.id = Some(parse_id(opt, 0, true, true)?);
                break;
            } else {
                return Err(Reply::error(errors::SYNTAX));
            }
        }
        if limit.is_some_and(|n| n != 0) && o.trim.is_none() {
            return Err(Reply::error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"));
        }
        if !xadd && o.trim.is_none() {
            return Err(Reply::error("ERR syntax error, XTRIM must be called with a trimming strategy"));
        }
        o.limit = match limit {
            Some(_) if !o.approx => {
                return Err(Reply::error("ERR syntax error, LIMIT cannot be used without the special ~ option"));
            }
            Some(n) => n,
            None if o.approx => {
                let l = 100i64.saturating_mul(node_max_entries as i64);
                if l <= 0 || l > 10_000 {
                    10_000
                } else {
                    l as u64
                }
            }
            None => 0,
        };
        Ok(o)
    }
}

/// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]
///
/// A missing stream is created before the new id is checked against it,
/// as Redis does.
fn xadd(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let (max_bytes, max_entries) = (ctx.config().stream_node_max_bytes, ctx.config().stream_node_max_entries);
    let mut args = Args::new(argv, 2);
    let opts = AddTrimOptions::parse(&mut args, true, max_entries)?;
    let id_position = args.position() - 1;
    let pairs = args.rest();
    if pairs.len() < 2 || pairs.len() % 2 == 1 {
        return Err(Reply::error(errors::wrong_arity("xadd")));
    }
    if opts.id.is_some_and(|p| p.seq_given && p.id.is_zero()) {
        return Err(Reply::error("ERR The ID specified in XADD must be greater than 0-0"));
    }
    let key = &argv[1];
    let now = ctx.now_ms();
    if write_stream(ctx, key)?.is_none() {
        if opts.no_mkstream {
            return Ok(Reply::Nil);
        }
        ctx.set_key(key, Value::Stream(Box::default()), false);
    }
    let Ok(Some(s)) = write_stream(ctx, key) else { return Err(Reply::error(errors::WRONGTYPE)) };
    if s.last_id == StreamId::MAX {
        return Err(Reply::error("ERR The stream has exhausted the last possible ID, unable to add more items"));
    }
    let id = match opts.id {
        Some(ParsedId { id, seq_given: true }) => id,
        // Redis 7.0 reports an exhausted sequence with the size error.
        Some(ParsedId { id, seq_given: false }) => {
            s.auto_seq_id(id.ms).ok_or(Reply::error("ERR Elements are too large to be stored"))?
        }
        None => s.auto_id(u64::try_from(now).unwrap_or(0)),
    };
    if id <= s.last_id {
        return Err(Reply::error(XADD_ID_TOO_SMALL));
    }
    let fields: Fields = pairs.chunks(2).map(|p| (p[0].clone(), p[1].clone())).collect();
    if fields.iter().map(|(f, v)| f.len() + v.len()).sum::<usize>() > LISTPACK_MAX_SIZE {
        return Err(Reply::error("ERR Elements are too large to be stored"));
    }
    s.append(id, fields, max_bytes, max_entries);
    let trimmed = opts.trim.map_or(0, |how| s.trim(how, opts.approx, opts.limit));
    // A replay must add the same id, whatever the clock says then.
    ctx.propagate_as(|| {
        let mut logged = argv.to_vec();
        logged[id_position] = id.to_bytes();
        logged
    });
    ctx.key_modified(key);
    ctx.notify(notify::STREAM, "xadd", key);
    if trimmed > 0 {
        ctx.notify(notify::STREAM, "xtrim", key);
    }
    ctx.signal_ready(key);
    Ok(id_reply(id))
}

/// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
fn xtrim(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let max_entries = ctx.config().stream_node_max_entries;
    let opts = AddTrimOptions::parse(&mut Args::new(argv, 2), false, max_entries)?;
    let key = &argv[1];
    let Some(s) = write_stream(ctx, key)? else { return Ok(Reply::Integer(0)) };
    let deleted = opts.trim.map_or(0, |how| s.trim(how, opts.approx, opts.limit));
    if deleted > 0 {
        ctx.notify(notify::STREAM, "xtrim", key);
        ctx.key_modified(key);
    }
    Ok(Reply::Integer(deleted as i64))
}

/// XLEN key
fn xlen(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::Integer(read_stream(ctx, &argv[1])?.map_or(0, |s| s.len() as i64)))
}

/// XRANGE key start end [COUNT count]
fn xrange(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    range_generic(ctx, argv, false)
}

/// XREVRANGE key end start [COUNT count]
fn xrevrange(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    range_generic(ctx, argv, true)
}

/// XRANGE / XREVRANGE. The bounds are checked before the options and the
/// key; `COUNT 0` answers a null array, as Redis does.
fn range_generic(ctx: &mut Ctx, argv: &[Vec<u8>], rev: bool) -> CommandResult {
    let (start_arg, end_arg) = if rev { (&argv[3], &argv[2]) } else { (&argv[2], &argv[3]) };
    let start = start_bound(start_arg)?;
    let end = end_bound(end_arg)?;
    let mut args = Args::new(argv, 4);
    let mut count = None;
    while eat_option(&mut args, "COUNT", 1) {
        count = Some(args.int()?.max(0));
    }
    args.finish()?;
    let Some(s) = read_stream(ctx, &argv[1])? else { return Ok(Reply::Array(Vec::new())) };
    let limit = match count {
        Some(0) => return Ok(Reply::NilArray),
        Some(n) => n as usize,
        None => 0,
    };
    Ok(entries_reply(&s.range(start, end, rev, limit)))
}

/// XDEL key id [id ...]
fn xdel(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let key = &argv[1];
    let Some(s) = write_stream(ctx, key)? else { return Ok(Reply::Integer(0)) };
    let ids = strict_ids(&argv[2..])?;
    let deleted = ids.into_iter().filter(|id| s.delete(*id)).count();
    if deleted > 0 {
        ctx.key_modified(key);
        ctx.notify(notify::STREAM, "xdel", key);
    }
    Ok(Reply::Integer(deleted as i64))
}

/// XSETID's options after the new last id.
struct SetIdOptions {
    entries_added: Option<u64>,
    /// 0-0 leaves max-deleted-entry-id as it is.
    max_deleted: StreamId,
}

impl SetIdOptions {
    /// Reads `[ENTRIESADDED n] [MAXDELETEDID id]`; a max-deleted id above
    /// the new last id `id` is refused as soon as it is read.
    fn parse(args: &mut Args, id: StreamId) -> Result<Self, Reply> {
        let mut o = SetIdOptions { entries_added: None, max_deleted: StreamId::MIN };
        loop {
            if eat_option(args, "ENTRIESADDED", 1) {
                let n = args.int()?;
                if n < 0 {
                    return Err(Reply::error("ERR entries_added must be positive"));
                }
                o.entries_added = Some(n as u64);
            } else if eat_option(args, "MAXDELETEDID", 1) {
                o.max_deleted = strict_id(args.value()?)?;
                if id < o.max_deleted {
                    return Err(Reply::error(
                        "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
                    ));
                }
            } else {
                break;
            }
        }
        args.finish()?;
        Ok(o)
    }
}

/// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
fn xsetid(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let id = strict_id(&argv[2])?;
    let opts = SetIdOptions::parse(&mut Args::new(argv, 3), id)?;
    let key = &argv[1];
    let Some(s) = write_stream(ctx, key)? else { return Err(Reply::error(errors::NO_SUCH_KEY)) };
    s.set_last_id(id, opts.entries_added, opts.max_deleted).map_err(|e| {
        Reply::error(match e {
            SetIdError::BelowTopItem => "ERR The ID specified in XSETID is smaller than the target stream top item",
            SetIdError::EntriesAddedBelowLength => {
                "ERR The entries_added specified in XSETID is smaller than the target stream length"
            }
        })
    })?;
    ctx.key_modified(key);
    ctx.notify(notify::STREAM, "xsetid", key);
    Ok(Reply::OK)
}

// ----- XREAD / XREADGROUP ---------------------------------------------------

const DOLLAR_IN_XREADGROUP: &str = concat!(
    "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer ",
    "by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set."
);
const GREATER_IN_XREAD: &str =
    "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.";

/// XREAD / XREADGROUP options, with the keys and ids that follow STREAMS.
struct ReadOptions<'a> {
    /// BLOCK milliseconds (0 = wait forever).
    block: Option<i64>,
    /// COUNT (0 = no limit).
    count: i64,
    noack: bool,
    /// GROUP's group and consumer names (XREADGROUP only).
    group: Option<(&'a [u8], &'a [u8])>,
    /// Index in argv of the first key.
    streams_at: usize,
    keys: &'a [Vec<u8>],
    ids: &'a [Vec<u8>],
}

impl<'a> ReadOptions<'a> {
    /// Reads the options up to STREAMS, which ends them. GROUP and NOACK are
    /// XREADGROUP's; XREAD names them in its error.
    fn parse(argv: &'a [Vec<u8>], group_mode: bool) -> Result<Self, Reply> {
        let mut args = Args::new(argv, 1);
        let (mut block, mut count, mut noack, mut group) = (None, 0, false, None);
        let mut streams_at = None;
        loop {
            if eat_option(&mut args, "BLOCK", 1) {
                let t =
                    parse_i64(args.value()?).ok_or(Reply::error("ERR timeout is not an integer or out of range"))?;
                if t < 0 {
                    return Err(Reply::error(errors::TIMEOUT_NEGATIVE));
                }
                block = Some(t);
            } else if eat_option(&mut args, "COUNT", 1) {
                count = args.int()?.max(0);
            } else if eat_option(&mut args, "STREAMS", 1) {
                if !args.remaining().is_multiple_of(2) {
                    return Err(Reply::error(
                        "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
                    ));
                }
                streams_at = Some(args.position());
                break;
            } else if eat_option(&mut args, "GROUP", 2) {
                if !group_mode {
                    return Err(Reply::error(
                        "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.",
                    ));
                }
                group = Some((args.value()?, args.value()?));
            } else if args.eat("NOACK") {
                if !group_mode {
                    return Err(Reply::error(
                        "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.",
                    ));
                }
                noack = true;
            } else {
                break;
            }
        }
        let Some(streams_at) = streams_at else { return Err(Reply::error(errors::SYNTAX)) };
        if group_mode && group.is_none() {
            return Err(Reply::error("ERR Missing GROUP option for XREADGROUP"));
        }
        let (keys, ids) = args.rest().split_at(args.remaining() / 2);
        Ok(ReadOptions { block, count, noack, group, streams_at, keys, ids })
    }
}

/// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
fn xread(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    read_generic(ctx, argv, false)
}

/// XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]
fn xreadgroup(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    read_generic(ctx, argv, true)
}

/// Checks every stream of an XREAD(GROUP) (type, and the group for
/// XREADGROUP) and reads its id: `$` is the stream's last id now (XREAD),
/// `>` the entries never delivered to the group (XREADGROUP).
fn read_positions(ctx: &mut Ctx, opts: &ReadOptions) -> Result<Vec<ReadFrom>, Reply> {
    let group_mode = opts.group.is_some();
    let mut wants = Vec::with_capacity(opts.keys.len().min(1024));
    for (key, id_arg) in opts.keys.iter().zip(opts.ids) {
        if group_mode
            && ctx.client.retrying_blocked
            && !matches!(ctx.lookup_quiet(key).map(|e| &e.value), Some(Value::Stream(_)))
        {
            // Woken because the stream was deleted or replaced (Redis 7.0).
            return Err(Reply::error("UNBLOCKED the stream key no longer exists"));
        }
        let s = read_stream(ctx, key)?;
        if let Some((g, _)) = opts.group {
            if !s.as_ref().is_some_and(|s| s.groups.contains_key(g)) {
                return Err(Reply::error(errors::sanitize(&format!(
                    "NOGROUP No such key '{}' or consumer group '{}' in XREADGROUP with GROUP option",
                    text(key),
                    text(g)
                ))));
            }
        }
        let want = match id_arg.as_slice() {
            b"$" if group_mode => return Err(Reply::error(DOLLAR_IN_XREADGROUP)),
            b"$" => ReadFrom::After(s.map(|s| s.last_id).unwrap_or(StreamId::MIN)),
            b">" if !group_mode => return Err(Reply::error(GREATER_IN_XREAD)),
            b">" => ReadFrom::New,
            _ => match strict_id(id_arg)? {
                // Redis encodes `>` as the largest id, so that id means `>`.
                StreamId::MAX if group_mode => ReadFrom::New,
                id => ReadFrom::After(id),
            },
        };
        wants.push(want);
    }
    Ok(wants)
}

/// XREAD / XREADGROUP: every stream with something to serve answers now;
/// with none and BLOCK, the client waits (unless it may not block, as in
/// MULTI or a script) for the same command with `$` resolved to the ids
/// seen now.
fn read_generic(ctx: &mut Ctx, argv: &[Vec<u8>], group_mode: bool) -> CommandResult {
    let opts = ReadOptions::parse(argv, group_mode)?;
    if opts.block.is_some() && ctx.client.in_script {
        // Named as typed, as Redis does.
        let name = String::from_utf8_lossy(&argv[0]);
        return Err(Reply::error(format!("ERR {name} command is not allowed with BLOCK option from scripts")));
    }
    let wants = read_positions(ctx, &opts)?;
    let now = ctx.now_ms();
    let limit = usize::try_from(opts.count).unwrap_or(0);
    let mut served: Vec<(Reply, Reply)> = Vec::new();
    for (key, want) in opts.keys.iter().zip(&wants) {
        let Ok(Some(s)) = read_stream(ctx, key) else { continue };
        let items = match opts.group {
            Some((g, consumer)) => {
                let Some(delivery) = s.read_group(g, consumer, *want, limit, opts.noack, now) else { continue };
                let items = Reply::Array(delivery.ids.iter().map(|id| served_entry_reply(s, *id)).collect());
                if delivery.created_consumer {
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
        return Ok(if is_resp3(ctx) {
            Reply::Map(served)
        } else {
            Reply::Array(served.into_iter().map(|(k, v)| Reply::Array(vec![k, v])).collect())
        });
    }
    let Some(t) = opts.block else { return Ok(Reply::NilArray) };
    if !ctx.may_block() {
        return Ok(Reply::NilArray);
    }
    // Block with `$` resolved to the ids seen now, and the default count.
    let mut blocked = argv.to_vec();
    let ids_at = opts.streams_at + opts.keys.len();
    for (slot, want) in blocked[ids_at..].iter_mut().zip(&wants) {
        if let ReadFrom::After(id) = want {
            *slot = id.to_bytes();
        }
    }
    if opts.count == 0 {
        // Just before STREAMS, so it wins over an explicit COUNT 0.
        let at = opts.streams_at - 1;
        blocked.splice(at..at, [b"COUNT".to_vec(), BLOCKED_DEFAULT_COUNT.to_string().into_bytes()]);
    }
    // Redis 7.0 adds the timeout to the clock unchecked; a sum past the
    // largest time never fires, which is waiting forever.
    let deadline = if t == 0 { None } else { now.checked_add(t) };
    Ok(ctx.block_on(&blocked, opts.keys.to_vec(), deadline))
}

// ----- XGROUP ---------------------------------------------------------------

/// XGROUP CREATE / SETID options after the id.
struct GroupOptions {
    mkstream: bool,
    entries_read: i64,
}

impl GroupOptions {
    /// Reads `[MKSTREAM] [ENTRIESREAD n]` (CREATE) or `[ENTRIESREAD n]`
    /// (SETID); anything else is XGROUP's unknown-subcommand error.
    fn parse(argv: &[Vec<u8>], allow_mkstream: bool) -> Result<Self, Reply> {
        let mut args = Args::new(argv, 5);
        let mut o = GroupOptions { mkstream: false, entries_read: ENTRIES_READ_INVALID };
        loop {
            if allow_mkstream && args.eat("MKSTREAM") {
                o.mkstream = true;
            } else if eat_option(&mut args, "ENTRIESREAD", 1) {
                let n = args.int()?;
                if n < 0 && n != ENTRIES_READ_INVALID {
                    return Err(Reply::error("ERR value for ENTRIESREAD must be positive or -1"));
                }
                o.entries_read = n;
            } else {
                break;
            }
        }
        if args.has_more() {
            return Err(subcommand_syntax_error(argv));
        }
        Ok(o)
    }
}

/// XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD entries-read]
///
/// Options are read first, then the key, and only then the argument count
/// and the id, which is Redis's order of errors.
fn xgroup_create(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let opts = GroupOptions::parse(argv, true)?;
    let (key, group) = (&argv[2], &argv[3]);
    let last = match write_stream(ctx, key)? {
        None if !opts.mkstream => return Err(Reply::error(GROUP_KEY_MISSING)),
        s => s.map(|s| s.last_id),
    };
    if argv.len() > 8 {
        return Err(subcommand_syntax_error(argv));
    }
    let id = if argv[4].as_slice() == b"$" { last.unwrap_or(StreamId::MIN) } else { strict_id(&argv[4])? };
    if last.is_none() {
        ctx.set_key(key, Value::Stream(Box::default()), false);
    }
    let Ok(Some(s)) = write_stream(ctx, key) else { return Err(Reply::error(errors::WRONGTYPE)) };
    if !s.create_group(group, id, opts.entries_read) {
        return Err(Reply::error("BUSYGROUP Consumer Group name already exists"));
    }
    ctx.notify(notify::STREAM, "xgroup-create", key);
    Ok(Reply::OK)
}

/// XGROUP SETID key group id|$ [ENTRIESREAD entries-read]
fn xgroup_setid(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let opts = GroupOptions::parse(argv, false)?;
    let (key, group) = (&argv[2], &argv[3]);
    let Some(s) = write_stream(ctx, key)? else { return Err(Reply::error(GROUP_KEY_MISSING)) };
    if !s.groups.contains_key(group) {
        return Err(no_group_for_key(group, key));
    }
    if argv.len() != 5 && argv.len() != 7 {
        return Err(subcommand_syntax_error(argv));
    }
    let id = if argv[4].as_slice() == b"$" { s.last_id } else { parse_id(&argv[4], 0, false, false)?.id };
    s.set_group_cursor(group, id, opts.entries_read);
    ctx.notify(notify::STREAM, "xgroup-setid", key);
    Ok(Reply::OK)
}

/// XGROUP DESTROY key group
///
/// Clients blocked reading for the group are released with an error.
fn xgroup_destroy(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let (key, group) = (&argv[2], &argv[3]);
    let Some(s) = write_stream(ctx, key)? else { return Err(Reply::error(GROUP_KEY_MISSING)) };
    if !s.destroy_group(group) {
        return Ok(Reply::Integer(0));
    }
    ctx.notify(notify::STREAM, "xgroup-destroy", key);
    fail_blocked_group_readers(ctx, key, group);
    Ok(Reply::Integer(1))
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
    const GONE: &str = "NOGROUP the consumer group this client was blocked on no longer exists";
    for id in waiting {
        let blocked = ctx.engine.clients.get_mut(&id).and_then(|c| c.blocked.take());
        // The failed XREADGROUP counts in errorstats and its failed_calls.
        ctx.engine.stats.count_error(GONE);
        if let Some(crate::commands::Lookup::Found(spec)) = blocked.map(|b| crate::commands::lookup(&b.argv)) {
            ctx.engine.stats.command_mut(spec).failed_calls += 1;
        }
        ctx.engine.push_event(crate::events::Event::Deliver { client: id, reply: Reply::error(GONE) });
    }
}

/// XGROUP CREATECONSUMER key group consumer
fn xgroup_createconsumer(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let (key, group, consumer) = (&argv[2], &argv[3], &argv[4]);
    let now = ctx.now_ms();
    let Some(s) = write_stream(ctx, key)? else { return Err(Reply::error(GROUP_KEY_MISSING)) };
    let Some(g) = s.groups.get_mut(group) else { return Err(no_group_for_key(group, key)) };
    if !g.create_consumer(consumer, now) {
        return Ok(Reply::Integer(0));
    }
    ctx.notify(notify::STREAM, "xgroup-createconsumer", key);
    Ok(Reply::Integer(1))
}

/// XGROUP DELCONSUMER key group consumer
///
/// Answers how many entries the consumer had pending; they leave the
/// group's pending list with it.
fn xgroup_delconsumer(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let (key, group, consumer) = (&argv[2], &argv[3], &argv[4]);
    let Some(s) = write_stream(ctx, key)? else { return Err(Reply::error(GROUP_KEY_MISSING)) };
    let Some(g) = s.groups.get_mut(group) else { return Err(no_group_for_key(group, key)) };
    let Some(pending) = g.delete_consumer(consumer) else { return Ok(Reply::Integer(0)) };
    ctx.notify(notify::STREAM, "xgroup-delconsumer", key);
    Ok(Reply::Integer(pending as i64))
}

/// XGROUP HELP
fn xgroup_help(_: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::subcommand_help(
        "xgroup",
        &[
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
        ],
    ))
}

// ----- XACK / XPENDING / XCLAIM / XAUTOCLAIM --------------------------------

/// XACK key group id [id ...]
///
/// A missing key or group acknowledges nothing, whatever the ids look like.
fn xack(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let s = read_stream(ctx, &argv[1])?;
    let Some(g) = s.and_then(|s| s.groups.get_mut(&argv[2])) else { return Ok(Reply::Integer(0)) };
    let ids = strict_ids(&argv[3..])?;
    Ok(Reply::Integer(g.ack(&ids) as i64))
}

/// XPENDING's extended form: `[IDLE min-idle-time] start end count [consumer]`.
struct PendingQuery<'a> {
    min_idle: i64,
    start: StreamId,
    end: StreamId,
    count: i64,
    consumer: Option<&'a [u8]>,
}

impl<'a> PendingQuery<'a> {
    /// None for the summary form (key and group only). Like Redis, the
    /// count is read before the ids (so its error wins), and anything after
    /// the consumer name is ignored.
    fn parse(argv: &'a [Vec<u8>]) -> Result<Option<Self>, Reply> {
        if argv.len() == 3 {
            return Ok(None);
        }
        if !(6..=9).contains(&argv.len()) {
            return Err(Reply::error(errors::SYNTAX));
        }
        let mut args = Args::new(argv, 3);
        let mut min_idle = 0;
        if args.eat("IDLE") {
            min_idle = args.int()?;
            if argv.len() < 8 {
                return Err(Reply::error(errors::SYNTAX));
            }
        }
        let (start, end) = (args.value()?, args.value()?);
        let count = args.int()?.max(0);
        let (start, end) = (start_bound(start)?, end_bound(end)?);
        Ok(Some(PendingQuery { min_idle, start, end, count, consumer: args.next_arg() }))
    }
}

/// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
fn xpending(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let query = PendingQuery::parse(argv)?;
    let now = ctx.now_ms();
    let s = read_stream(ctx, &argv[1])?;
    let Some(g) = s.and_then(|s| s.groups.get(&argv[2])) else { return Err(no_key_or_group(&argv[1], &argv[2])) };
    let Some(q) = query else { return Ok(pending_summary(g)) };
    let count = usize::try_from(q.count).unwrap_or(0);
    let rows = g.pending_range(q.start, q.end, count, q.min_idle, q.consumer, now).into_iter().map(|(id, n)| {
        Reply::Array(vec![
            id_reply(id),
            Reply::Bulk(n.consumer.clone()),
            Reply::Integer((now - n.delivery_time).max(0)),
            Reply::Integer(n.delivery_count as i64),
        ])
    });
    Ok(Reply::Array(rows.collect()))
}

/// XPENDING's summary: how many entries are pending, the smallest and
/// largest pending id, and each consumer with pending entries and how many
/// (as a bulk string, like Redis).
fn pending_summary(g: &crate::types::stream::Group) -> Reply {
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
    Reply::Array(vec![Reply::Integer(g.pel.len() as i64), id_reply(*first), id_reply(*last), Reply::Array(owners)])
}

/// What XCLAIM was asked after the key, group and consumer.
struct ClaimOptions {
    ids: Vec<StreamId>,
    rules: ClaimRules,
    /// JUSTID: answer with ids only.
    justid: bool,
    /// LASTID: the group's last delivered id is raised to this.
    last_id: StreamId,
}

impl ClaimOptions {
    /// Reads `min-idle-time id [id ...]` and the options. As in Redis the
    /// ids run up to the first argument that is not a valid id, so a bad id
    /// is reported as an unrecognized option. IDLE counts back from `now`;
    /// a delivery time outside `0..=now` becomes `now`, and a negative
    /// RETRYCOUNT counts as none.
    fn parse(argv: &[Vec<u8>], now: i64) -> Result<Self, Reply> {
        let mut args = Args::new(argv, 4);
        let min_idle = integer_with(args.value()?, "ERR Invalid min-idle-time argument for XCLAIM")?.max(0);
        let mut ids = Vec::new();
        while let Some(id) = args.peek().and_then(|a| strict_id(a).ok()) {
            ids.push(id);
            args.next_arg();
        }
        let (mut force, mut justid) = (false, false);
        let (mut delivery_time, mut retry_count) = (None, None);
        let mut last_id = StreamId::MIN;
        loop {
            if args.eat("FORCE") {
                force = true;
            } else if args.eat("JUSTID") {
                justid = true;
            } else if eat_option(&mut args, "IDLE", 1) {
                let idle = integer_with(args.value()?, "ERR Invalid IDLE option argument for XCLAIM")?;
                delivery_time = Some(now.wrapping_sub(idle));
            } else if eat_option(&mut args, "TIME", 1) {
                delivery_time = Some(integer_with(args.value()?, "ERR Invalid TIME option argument for XCLAIM")?);
            } else if eat_option(&mut args, "RETRYCOUNT", 1) {
                let count = integer_with(args.value()?, "ERR Invalid RETRYCOUNT option argument for XCLAIM")?;
                retry_count = u64::try_from(count).ok();
            } else if eat_option(&mut args, "LASTID", 1) {
                last_id = strict_id(args.value()?)?;
            } else {
                break;
            }
        }
        if let Some(opt) = args.peek() {
            return Err(Reply::error(errors::sanitize(&format!("ERR Unrecognized XCLAIM option '{}'", text(opt)))));
        }
        let delivery_time = delivery_time.filter(|t| (0..=now).contains(t)).unwrap_or(now);
        let rules = ClaimRules { min_idle, delivery_time, retry_count, keep_count: justid, force };
        Ok(ClaimOptions { ids, rules, justid, last_id })
    }
}

/// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds]
/// [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]
///
/// The group is looked up before any option is read, so NOGROUP wins over
/// option errors.
fn xclaim(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let (key, group, consumer) = (&argv[1], &argv[2], &argv[3]);
    stream_with_group(ctx, key, group)?;
    let now = ctx.now_ms();
    let opts = ClaimOptions::parse(argv, now)?;
    let s = stream_with_group(ctx, key, group)?;
    let Some(claimed) = s.claim(group, consumer, &opts.ids, opts.last_id, &opts.rules, now) else {
        return Err(no_key_or_group(key, group));
    };
    let entries: Vec<Reply> = claimed.ids.iter().map(|id| claimed_reply(s, *id, opts.justid)).collect();
    if claimed.created_consumer {
        ctx.notify(notify::STREAM, "xgroup-createconsumer", key);
    }
    Ok(Reply::Array(entries))
}

/// What XAUTOCLAIM was asked after the key, group and consumer.
struct AutoClaimOptions {
    min_idle: i64,
    start: StreamId,
    count: i64,
    justid: bool,
}

impl AutoClaimOptions {
    /// Reads `min-idle-time start [COUNT count] [JUSTID]`; COUNT defaults
    /// to 100 and must be positive (and small enough that ten times it, the
    /// scan budget, times 16 does not overflow).
    fn parse(argv: &[Vec<u8>]) -> Result<Self, Reply> {
        let mut args = Args::new(argv, 4);
        let min_idle = integer_with(args.value()?, "ERR Invalid min-idle-time argument for XAUTOCLAIM")?.max(0);
        let start = start_bound(args.value()?)?;
        let (mut count, mut justid) = (100, false);
        loop {
            if eat_option(&mut args, "COUNT", 1) {
                count = parse_i64(args.value()?)
                    .filter(|c| (1..=i64::MAX / 16).contains(c))
                    .ok_or(Reply::error("ERR COUNT must be > 0"))?;
            } else if args.eat("JUSTID") {
                justid = true;
            } else {
                break;
            }
        }
        args.finish()?;
        Ok(AutoClaimOptions { min_idle, start, count, justid })
    }
}

/// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
///
/// Answers the cursor for the next call, the claimed entries, and the
/// pending ids whose entries were deleted (dropped from the pending list).
fn xautoclaim(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let (key, group, consumer) = (&argv[1], &argv[2], &argv[3]);
    let opts = AutoClaimOptions::parse(argv)?;
    let now = ctx.now_ms();
    let s = stream_with_group(ctx, key, group)?;
    if opts.count > TRANSIENT_ALLOC_LIMIT / 16 {
        return Err(Reply::error("ERR Insufficient memory, failed allocating transient memory, COUNT too high."));
    }
    let rules = ClaimRules {
        min_idle: opts.min_idle,
        delivery_time: now,
        retry_count: None,
        keep_count: opts.justid,
        force: false,
    };
    let Some(step) = s.autoclaim(group, consumer, opts.start, opts.count, &rules, now) else {
        return Err(no_key_or_group(key, group));
    };
    let claimed: Vec<Reply> = step.claimed.iter().map(|id| claimed_reply(s, *id, opts.justid)).collect();
    if step.created_consumer {
        ctx.notify(notify::STREAM, "xgroup-createconsumer", key);
    }
    Ok(Reply::Array(vec![
        id_reply(step.next),
        Reply::Array(claimed),
        Reply::Array(step.deleted.into_iter().map(id_reply).collect()),
    ]))
}

// ----- XINFO ----------------------------------------------------------------

fn info_stream_or_error<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<&'a mut StreamValue, Reply> {
    read_stream(ctx, key)?.ok_or(Reply::error(errors::NO_SUCH_KEY))
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
///
/// FULL lists up to `count` entries and, per group and consumer, up to
/// `count` pending entries (COUNT 0 = all, a negative COUNT = the default 10).
fn xinfo_stream(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let s: &StreamValue = info_stream_or_error(ctx, &argv[2])?;
    let mut args = Args::new(argv, 3);
    let full = args.eat("FULL");
    let mut count: i64 = 10;
    if full && args.remaining() == 2 && args.eat("COUNT") {
        count = args.int()?;
        if count < 0 {
            count = 10;
        }
    }
    if args.has_more() {
        return Err(subcommand_syntax_error(argv));
    }
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
        return Ok(Reply::Map(map));
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
    Ok(Reply::Map(map))
}

/// XINFO GROUPS key
fn xinfo_groups(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let s: &StreamValue = info_stream_or_error(ctx, &argv[2])?;
    Ok(Reply::Array(
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
    ))
}

/// XINFO CONSUMERS key group
fn xinfo_consumers(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let now = ctx.now_ms();
    let s = info_stream_or_error(ctx, &argv[2])?;
    let Some(g) = s.groups.get(&argv[3]) else { return Err(no_group_for_key(&argv[3], &argv[2])) };
    Ok(Reply::Array(
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
    ))
}

/// XINFO HELP
fn xinfo_help(_: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::subcommand_help(
        "xinfo",
        &[
            "CONSUMERS <key> <groupname>",
            "    Show consumers of <groupname>.",
            "GROUPS <key>",
            "    Show the stream consumer groups.",
            "STREAM <key> [FULL [COUNT <count>]",
            "    Show information about the stream.",
        ],
    ))
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
        crate::test_support::keyevents_at(0, lines).into_iter().filter(|(db, ..)| *db == 0).map(|(_, e, _)| e).collect()
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
