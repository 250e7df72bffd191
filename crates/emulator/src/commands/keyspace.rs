//! Keyspace commands that move or inspect keys: RENAME, RENAMENX, COPY,
//! MOVE, SWAPDB, OBJECT and TIME.

use crate::access;
use crate::args::{self, Args};
use crate::command::{flags::*, CommandResult, CommandSpec, Group, KeySpec};
use crate::commands::shared;
use crate::db::Entry;
use crate::engine::Ctx;
use crate::errors;
use crate::notify;
use crate::reply::Reply;
use crate::value::Value;
use crate::watch;

const BASE: CommandSpec = CommandSpec { group: Group::Generic, keys: KeySpec::ONE, ..CommandSpec::DEFAULT };

const OBJECT_SUB: CommandSpec = CommandSpec {
    parent: "object",
    arity: 3,
    flags: READONLY,
    keys: KeySpec { first: 2, last: 2, step: 1 },
    since: "2.2.3",
    ..BASE
};

/// SWAPDB and TIME are documented in the server group.
const SERVER: CommandSpec = CommandSpec { group: Group::Server, keys: KeySpec::NONE, ..CommandSpec::DEFAULT };

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "rename",
        arity: 3,
        flags: WRITE,
        keys: KeySpec::TWO,
        summary: "Renames a key, replacing any key with the new name",
        syntax: "key newkey",
        key_flags: &[&["RW", "access", "delete"], &["OW", "update"]],
        handler: rename,
        ..BASE
    },
    CommandSpec {
        name: "renamenx",
        arity: 3,
        flags: WRITE | FAST,
        keys: KeySpec::TWO,
        summary: "Renames a key only if the new name is free; answers 1 or 0",
        syntax: "key newkey",
        key_flags: &[&["RW", "access", "delete"], &["OW", "insert"]],
        handler: renamenx,
        ..BASE
    },
    CommandSpec {
        name: "copy",
        arity: -3,
        flags: WRITE | DENYOOM,
        keys: KeySpec::TWO,
        since: "6.2.0",
        complexity: "O(N) worst case for collections, where N is the number of nested items",
        summary: "Copies a key's value (and TTL) to another key, optionally in another database",
        syntax: "source destination [DB destination-db] [REPLACE]",
        key_flags: &[&["RO", "access"], &["OW", "update"]],
        extra_writes: Some(copy_target),
        handler: copy,
        ..BASE
    },
    CommandSpec {
        name: "move",
        arity: 3,
        flags: WRITE | FAST,
        summary: "Moves a key to another database if the name is free there",
        syntax: "key db",
        key_flags: &[&["RW", "access", "update"]],
        extra_writes: Some(move_target),
        handler: move_cmd,
        ..BASE
    },
    CommandSpec {
        name: "swapdb",
        arity: 3,
        flags: WRITE | FAST | WHOLE_DB | ACROSS_DBS,
        since: "4.0.0",
        complexity: "O(N) where N is the count of clients watching or blocking on keys from both databases",
        summary: "Exchanges the contents of two databases",
        syntax: "index1 index2",
        acl: &["@keyspace", "@write", "@fast", "@dangerous"],
        handler: swapdb,
        ..SERVER
    },
    CommandSpec {
        name: "object",
        arity: -2,
        keys: KeySpec::NONE,
        since: "2.2.3",
        complexity: "Depends on subcommand",
        summary: "Inspects how a key's value is stored (encoding, references, idle time, frequency)",
        syntax: "subcommand [key]",
        subcommands: &[
            CommandSpec {
                name: "encoding",
                summary: "Answers the internal representation of a key's value",
                syntax: "key",
                tips: &["nondeterministic_output"],
                key_flags: &[&["RO"]],
                handler: object_encoding,
                ..OBJECT_SUB
            },
            CommandSpec {
                name: "freq",
                since: "4.0.0",
                summary: "Answers a key's logarithmic access frequency counter (LFU policies only)",
                syntax: "key",
                tips: &["nondeterministic_output"],
                key_flags: &[&["RO"]],
                handler: object_freq,
                ..OBJECT_SUB
            },
            CommandSpec {
                name: "idletime",
                summary: "Answers the seconds since a key was last accessed (not under LFU policies)",
                syntax: "key",
                tips: &["nondeterministic_output"],
                key_flags: &[&["RO"]],
                handler: object_idletime,
                ..OBJECT_SUB
            },
            CommandSpec {
                name: "refcount",
                summary: "Answers how many references a key's value has",
                syntax: "key",
                tips: &["nondeterministic_output"],
                key_flags: &[&["RO"]],
                handler: object_refcount,
                ..OBJECT_SUB
            },
            CommandSpec {
                name: "help",
                arity: 2,
                flags: LOADING | STALE,
                keys: KeySpec::NONE,
                since: "6.2.0",
                summary: "Lists the OBJECT subcommands",
                handler: object_help,
                ..OBJECT_SUB
            },
        ],
        ..BASE
    },
    CommandSpec {
        name: "time",
        arity: 1,
        flags: LOADING | STALE | FAST,
        since: "2.6.0",
        summary: "Answers the server time as Unix seconds and microseconds",
        tips: &["nondeterministic_output"],
        acl: &["@fast"],
        handler: time,
        ..SERVER
    },
];

/// MOVE's key in its target database (memory accounting measures it first).
fn move_target(argv: &[Vec<u8>], _db: usize, dbs: usize) -> Vec<(usize, &[u8])> {
    match (argv.get(1), argv.get(2).and_then(|a| shared::target_db(a, dbs))) {
        (Some(key), Some(target)) => vec![(target, key.as_slice())],
        _ => Vec::new(),
    }
}

/// COPY's destination in the database named by `DB db`, if any.
fn copy_target(argv: &[Vec<u8>], _db: usize, dbs: usize) -> Vec<(usize, &[u8])> {
    let target = argv
        .iter()
        .position(|a| a.eq_ignore_ascii_case(b"DB"))
        .and_then(|i| argv.get(i + 1))
        .and_then(|a| shared::target_db(a, dbs));
    match (argv.get(2), target) {
        (Some(dst), Some(target)) => vec![(target, dst.as_slice())],
        _ => Vec::new(),
    }
}

/// A database index argument (`getIntFromObject` + `selectDb` checks).
fn db_index(ctx: &Ctx, arg: &[u8]) -> Result<usize, Reply> {
    let id = args::int(arg)?;
    if id < i32::MIN as i64 || id > i32::MAX as i64 {
        return Err(Reply::error("ERR value is out of range, value must between -2147483648 and 2147483647"));
    }
    if id < 0 || id as usize >= ctx.engine.db_count() {
        return Err(Reply::error(errors::DB_INDEX_OUT_OF_RANGE));
    }
    Ok(id as usize)
}

/// Lazily expires `key` in database `db` and tells whether it exists.
fn exists_in(ctx: &mut Ctx, db: usize, key: &[u8]) -> bool {
    ctx.engine.expire_if_needed(db, key);
    ctx.engine.keyspace.dbs[db].contains(key)
}

/// RENAME and RENAMENX: the source must exist (checked before comparing
/// the names, so renaming a missing key to itself is still an error).
fn rename_generic(ctx: &mut Ctx, argv: &[Vec<u8>], nx: bool) -> CommandResult {
    let (src, dst) = (&argv[1], &argv[2]);
    if ctx.lookup_write(src).is_none() {
        return Err(Reply::error("ERR no such key"));
    }
    let done = if nx { Reply::Integer(1) } else { Reply::OK };
    if src == dst {
        return Ok(if nx { Reply::Integer(0) } else { done });
    }
    let db = ctx.db_index();
    if exists_in(ctx, db, dst) {
        if nx {
            return Ok(Reply::Integer(0));
        }
        ctx.db().remove(dst);
    }
    let Some(entry) = ctx.db().remove(src) else { return Err(Reply::error("ERR no such key")) };
    ctx.db().insert_entry(dst, entry);
    ctx.notify(notify::NEW, "new", dst);
    ctx.key_modified(src);
    ctx.key_modified(dst);
    ctx.notify(notify::GENERIC, "rename_from", src);
    ctx.notify(notify::GENERIC, "rename_to", dst);
    ctx.signal_ready(dst);
    Ok(done)
}

/// RENAME key newkey
fn rename(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    rename_generic(ctx, argv, false)
}

/// RENAMENX key newkey
fn renamenx(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    rename_generic(ctx, argv, true)
}

/// Stores `entry` under `key` in database `db` (announcing the new key)
/// and signals the change there.
fn store_in_db(ctx: &mut Ctx, db: usize, key: &[u8], entry: Entry) {
    ctx.engine.keyspace.dbs[db].insert_entry(key, entry);
    ctx.engine.notify_key(db, notify::NEW, "new", key);
    ctx.engine.touch_watched(db, key);
    let saved = ctx.client.db;
    ctx.client.db = db;
    ctx.signal_ready(key);
    ctx.client.db = saved;
}

/// COPY's options after the two keys.
struct CopyOptions {
    /// Destination database (default: the selected one).
    db: usize,
    replace: bool,
}

impl CopyOptions {
    /// `[DB destination-db] [REPLACE]`, in any order; a DB index is
    /// checked as soon as it is read, so it wins over a later bad option.
    fn parse(ctx: &Ctx, args: &mut Args) -> Result<CopyOptions, Reply> {
        let mut opts = CopyOptions { db: ctx.db_index(), replace: false };
        while let Some(opt) = args.next_arg() {
            if args::is(opt, "REPLACE") {
                opts.replace = true;
            } else if args::is(opt, "DB") && args.has_more() {
                opts.db = db_index(ctx, args.value()?)?;
            } else {
                return Err(Reply::error(errors::SYNTAX));
            }
        }
        Ok(opts)
    }
}

/// COPY source destination [DB destination-db] [REPLACE]
fn copy(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let opts = CopyOptions::parse(ctx, &mut Args::new(argv, 3))?;
    let (src_db, dst_db) = (ctx.db_index(), opts.db);
    let (src, dst) = (&argv[1], &argv[2]);
    if src_db == dst_db && src == dst {
        return Err(Reply::error("ERR source and destination objects are the same"));
    }
    let Some(entry) = ctx.lookup_read(src).map(|e| e.clone()) else { return Ok(Reply::Integer(0)) };
    if exists_in(ctx, dst_db, dst) {
        if !opts.replace {
            return Ok(Reply::Integer(0));
        }
        ctx.engine.keyspace.dbs[dst_db].remove(dst);
    }
    // A copy is a new object: same value and TTL, fresh access data.
    let mut copied = entry;
    let (now, policy) = (ctx.now_ms(), ctx.config().maxmemory_policy);
    access::init(&mut copied, now, policy);
    store_in_db(ctx, dst_db, dst, copied);
    ctx.engine.notify_key(dst_db, notify::GENERIC, "copy_to", dst);
    Ok(Reply::Integer(1))
}

/// MOVE key db — answers 0 (moving nothing) if the key is missing here or
/// its name is taken in the destination.
fn move_cmd(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    if ctx.engine.cluster.is_some() {
        return Err(Reply::error("ERR MOVE is not allowed in cluster mode"));
    }
    let src_db = ctx.db_index();
    let dst_db = db_index(ctx, &argv[2])?;
    if src_db == dst_db {
        return Err(Reply::error("ERR source and destination objects are the same"));
    }
    let key = &argv[1];
    if ctx.lookup_write(key).is_none() || exists_in(ctx, dst_db, key) {
        return Ok(Reply::Integer(0));
    }
    let Some(entry) = ctx.db().remove(key) else { return Ok(Reply::Integer(0)) };
    ctx.key_modified(key);
    store_in_db(ctx, dst_db, key, entry);
    ctx.notify(notify::GENERIC, "move_from", key);
    ctx.engine.notify_key(dst_db, notify::GENERIC, "move_to", key);
    Ok(Reply::Integer(1))
}

/// A SWAPDB index: any 32-bit integer parses (range is checked later), with
/// its own error message for each position.
fn swapdb_index(arg: &[u8], msg: &'static str) -> Result<i64, Reply> {
    crate::float::parse_i64(arg).filter(|v| i32::try_from(*v).is_ok()).ok_or(Reply::error(msg))
}

/// SWAPDB index1 index2
fn swapdb(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    if ctx.engine.cluster.is_some() {
        return Err(Reply::error("ERR SWAPDB is not allowed in cluster mode"));
    }
    let a = swapdb_index(&argv[1], "ERR invalid first DB index")?;
    let b = swapdb_index(&argv[2], "ERR invalid second DB index")?;
    let count = ctx.engine.db_count() as i64;
    if a < 0 || b < 0 || a >= count || b >= count {
        return Err(Reply::error(errors::DB_INDEX_OUT_OF_RANGE));
    }
    let (a, b) = (a as usize, b as usize);
    if a == b {
        return Ok(Reply::OK);
    }
    // WATCHed keys of either database are invalidated as Redis's
    // touchAllWatchedKeysInDb decides (a key expired at WATCH time does not count).
    let now = ctx.now_ms();
    let (clients, dbs) = (&mut ctx.engine.clients, &ctx.engine.keyspace.dbs);
    watch::touch_all_watched_in_db(clients, dbs, now, ctx.client, a, Some(b));
    watch::touch_all_watched_in_db(clients, dbs, now, ctx.client, b, Some(a));
    let streams_a = ctx.engine.blocked_streams(a);
    let streams_b = ctx.engine.blocked_streams(b);
    ctx.engine.keyspace.dbs.swap(a, b);
    ctx.engine.keyspace.note_bulk_change();
    // Clients blocked in either database may now find data.
    let blocked: Vec<(usize, Vec<u8>)> = ctx
        .engine
        .clients
        .values()
        .filter_map(|c| c.blocked.as_ref())
        .filter(|bl| bl.db == a || bl.db == b)
        .flat_map(|bl| bl.keys.iter().map(move |k| (bl.db, k.clone())))
        .collect();
    for (db, key) in blocked {
        if ctx.engine.keyspace.dbs[db].contains(&key) {
            ctx.engine.keyspace.mark_ready(db, &key);
        }
    }
    // Streams that left either database wake their readers too.
    for (db, keys) in [(a, streams_a), (b, streams_b)] {
        for key in keys {
            ctx.engine.keyspace.mark_ready(db, &key);
        }
    }
    Ok(Reply::OK)
}

/// The entry for OBJECT subcommands (no access-time update, no hit/miss).
fn object_entry(ctx: &mut Ctx, key: &[u8]) -> Option<Entry> {
    ctx.lookup_quiet(key).map(|e| e.clone())
}

/// OBJECT ENCODING key
fn object_encoding(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let Some(entry) = object_entry(ctx, &argv[2]) else { return Ok(Reply::Nil) };
    Ok(Reply::bulk_str(entry.value.encoding(ctx.config())))
}

/// OBJECT FREQ key — only LFU policies keep a frequency counter; it is
/// decayed to now before being answered.
fn object_freq(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let Some(entry) = object_entry(ctx, &argv[2]) else { return Ok(Reply::Nil) };
    if !ctx.config().maxmemory_policy.is_lfu() {
        return Err(Reply::error(concat!(
            "ERR An LFU maxmemory policy is not selected, access frequency not tracked. ",
            "Please note that when switching between policies at runtime LRU and LFU data ",
            "will take some time to adjust."
        )));
    }
    let decay = ctx.config().lfu_decay_time;
    Ok(Reply::Integer(access::lfu_decayed_counter(entry.access, ctx.now_ms(), decay) as i64))
}

/// OBJECT IDLETIME key — LFU policies keep no access time.
fn object_idletime(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let Some(entry) = object_entry(ctx, &argv[2]) else { return Ok(Reply::Nil) };
    if ctx.config().maxmemory_policy.is_lfu() {
        return Err(Reply::error(concat!(
            "ERR An LFU maxmemory policy is selected, idle time not tracked. ",
            "Please note that when switching between policies at runtime LRU and LFU data ",
            "will take some time to adjust."
        )));
    }
    Ok(Reply::Integer((access::idle_ms(entry.access, ctx.now_ms()) / 1000) as i64))
}

/// OBJECT REFCOUNT key — small integers are shared objects in Redis
/// (refcount `INT_MAX`) unless an LRU/LFU policy forbids sharing.
fn object_refcount(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let Some(entry) = object_entry(ctx, &argv[2]) else { return Ok(Reply::Nil) };
    let config = ctx.config();
    let sharing = crate::memory::shares_integers(config.maxmemory, config.maxmemory_policy);
    let shared = match &entry.value {
        Value::String(s) => s.is_shared_int(),
        _ => false,
    };
    Ok(Reply::Integer(if shared && sharing { i32::MAX as i64 } else { 1 }))
}

/// OBJECT HELP
fn object_help(_: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::subcommand_help(
        "OBJECT",
        &[
            "ENCODING <key>",
            "    Return the kind of internal representation used in order to store the value",
            "    associated with a <key>.",
            "FREQ <key>",
            "    Return the access frequency index of the <key>. The returned integer is",
            "    proportional to the logarithm of the recent access frequency of the key.",
            "IDLETIME <key>",
            "    Return the idle time of the <key>, that is the approximated number of",
            "    seconds elapsed since the last access to the key.",
            "REFCOUNT <key>",
            "    Return the number of references of the value associated with the specified",
            "    <key>.",
        ],
    ))
}

/// TIME
fn time(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    // The time now, as Redis reads it for TIME, even inside a script or a
    // transaction (key expiry keeps using the command's start time).
    let us = ctx.engine.clock.live_us();
    Ok(Reply::Array(vec![
        Reply::Bulk(us.div_euclid(1_000_000).to_string().into_bytes()),
        Reply::Bulk(us.rem_euclid(1_000_000).to_string().into_bytes()),
    ]))
}
