//! Keyspace commands that move or inspect keys: RENAME, RENAMENX, COPY,
//! MOVE, SWAPDB, OBJECT and TIME.

use crate::access;
use crate::args;
use crate::command::{flags::*, CommandSpec, Group, KeySpec};
use crate::db::Entry;
use crate::engine::Ctx;
use crate::errors;
use crate::notify;
use crate::reply::Reply;
use crate::value::Value;

const K: CommandSpec = CommandSpec { group: Group::Generic, keys: KeySpec::ONE, ..CommandSpec::DEFAULT };

const OBJECT_SUB: CommandSpec = CommandSpec {
    parent: "object",
    arity: 3,
    flags: READONLY,
    since: "2.2.3",
    keys: KeySpec { first: 2, last: 2, step: 1 },
    ..K
};

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "rename",
        key_flags: &[&["RW", "access", "delete"], &["OW", "update"]],
        arity: 3,
        flags: WRITE,
        summary: "Renames a key, replacing any key with the new name",
        syntax: "key newkey",
        keys: KeySpec::TWO,
        handler: |c, a| Ok(rename(c, a)),
        ..K
    },
    CommandSpec {
        name: "renamenx",
        key_flags: &[&["RW", "access", "delete"], &["OW", "insert"]],
        arity: 3,
        flags: WRITE | FAST,
        summary: "Renames a key only if the new name is free; answers 1 or 0",
        syntax: "key newkey",
        keys: KeySpec::TWO,
        handler: |c, a| Ok(renamenx(c, a)),
        ..K
    },
    CommandSpec {
        name: "copy",
        key_flags: &[&["RO", "access"], &["OW", "update"]],
        arity: -3,
        flags: WRITE | DENYOOM,
        since: "6.2.0",
        complexity: "O(N) worst case for collections, where N is the number of nested items",
        summary: "Copies a key's value (and TTL) to another key, optionally in another database",
        syntax: "source destination [DB destination-db] [REPLACE]",
        keys: KeySpec::TWO,
        handler: |c, a| Ok(copy(c, a)),
        ..K
    },
    CommandSpec {
        name: "move",
        key_flags: &[&["RW", "access", "update"]],
        arity: 3,
        flags: WRITE | FAST,
        summary: "Moves a key to another database if the name is free there",
        syntax: "key db",
        handler: |c, a| Ok(move_cmd(c, a)),
        ..K
    },
    CommandSpec {
        name: "swapdb",
        acl: &["@keyspace", "@write", "@fast", "@dangerous"],
        arity: 3,
        flags: WRITE | FAST,
        group: Group::Server,
        since: "4.0.0",
        complexity: "O(N) where N is the count of clients watching or blocking on keys from both databases",
        summary: "Exchanges the contents of two databases",
        syntax: "index1 index2",
        keys: KeySpec::NONE,
        handler: |c, a| Ok(swapdb(c, a)),
        ..K
    },
    CommandSpec {
        name: "object",
        arity: -2,
        since: "2.2.3",
        complexity: "Depends on subcommand",
        summary: "Inspects how a key's value is stored (encoding, references, idle time, frequency)",
        syntax: "subcommand [key]",
        keys: KeySpec::NONE,
        subcommands: &[
            CommandSpec {
                name: "encoding",
                tips: &["nondeterministic_output"],
                key_flags: &[&["RO"]],
                summary: "Answers the internal representation of a key's value",
                syntax: "key",
                handler: |c, a| Ok(object_encoding(c, a)),
                ..OBJECT_SUB
            },
            CommandSpec {
                name: "freq",
                tips: &["nondeterministic_output"],
                key_flags: &[&["RO"]],
                since: "4.0.0",
                summary: "Answers a key's logarithmic access frequency counter (LFU policies only)",
                syntax: "key",
                handler: |c, a| Ok(object_freq(c, a)),
                ..OBJECT_SUB
            },
            CommandSpec {
                name: "idletime",
                tips: &["nondeterministic_output"],
                key_flags: &[&["RO"]],
                summary: "Answers the seconds since a key was last accessed (not under LFU policies)",
                syntax: "key",
                handler: |c, a| Ok(object_idletime(c, a)),
                ..OBJECT_SUB
            },
            CommandSpec {
                name: "refcount",
                tips: &["nondeterministic_output"],
                key_flags: &[&["RO"]],
                summary: "Answers how many references a key's value has",
                syntax: "key",
                handler: |c, a| Ok(object_refcount(c, a)),
                ..OBJECT_SUB
            },
            CommandSpec {
                name: "help",
                arity: 2,
                flags: LOADING | STALE,
                since: "6.2.0",
                summary: "Lists the OBJECT subcommands",
                syntax: "",
                keys: KeySpec::NONE,
                handler: |c, a| Ok(object_help(c, a)),
                ..OBJECT_SUB
            },
        ],
        ..K
    },
    CommandSpec {
        name: "time",
        tips: &["nondeterministic_output"],
        acl: &["@fast"],
        arity: 1,
        flags: LOADING | STALE | FAST,
        group: Group::Server,
        since: "2.6.0",
        summary: "Answers the server time as Unix seconds and microseconds",
        syntax: "",
        keys: KeySpec::NONE,
        handler: |c, a| Ok(time(c, a)),
        ..K
    },
];

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
    ctx.engine.dbs[db].contains(key)
}

fn rename_generic(ctx: &mut Ctx, argv: &[Vec<u8>], nx: bool) -> Reply {
    let (src, dst) = (&argv[1], &argv[2]);
    if ctx.lookup_write(src).is_none() {
        return Reply::error("ERR no such key");
    }
    let done = if nx { Reply::Integer(1) } else { Reply::OK };
    if src == dst {
        return if nx { Reply::Integer(0) } else { done };
    }
    let db = ctx.db_index();
    if exists_in(ctx, db, dst) {
        if nx {
            return Reply::Integer(0);
        }
        ctx.db().remove(dst);
    }
    let Some(entry) = ctx.db().remove(src) else { return Reply::error("ERR no such key") };
    ctx.db().insert_entry(dst, entry);
    ctx.notify(notify::NEW, "new", dst);
    ctx.key_modified(src);
    ctx.key_modified(dst);
    ctx.notify(notify::GENERIC, "rename_from", src);
    ctx.notify(notify::GENERIC, "rename_to", dst);
    ctx.signal_ready(dst);
    done
}

/// RENAME key newkey
fn rename(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    rename_generic(ctx, argv, false)
}

/// RENAMENX key newkey
fn renamenx(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    rename_generic(ctx, argv, true)
}

/// Stores `entry` under `key` in database `db` (announcing the new key)
/// and signals the change there.
fn store_in_db(ctx: &mut Ctx, db: usize, key: &[u8], entry: Entry) {
    ctx.engine.dbs[db].insert_entry(key, entry);
    crate::notify::notify(ctx.engine, db, notify::NEW, "new", key);
    ctx.engine.touch_watched(db, key);
    let saved = ctx.client.db;
    ctx.client.db = db;
    ctx.signal_ready(key);
    ctx.client.db = saved;
}

/// COPY source destination [DB destination-db] [REPLACE]
fn copy(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let src_db = ctx.db_index();
    let mut dst_db = src_db;
    let mut replace = false;
    let mut j = 3;
    while j < argv.len() {
        if args::is(&argv[j], "REPLACE") {
            replace = true;
        } else if args::is(&argv[j], "DB") && j + 1 < argv.len() {
            dst_db = match db_index(ctx, &argv[j + 1]) {
                Ok(d) => d,
                Err(e) => return e,
            };
            j += 1;
        } else {
            return Reply::error(errors::SYNTAX);
        }
        j += 1;
    }
    let (src, dst) = (&argv[1], &argv[2]);
    if src_db == dst_db && src == dst {
        return Reply::error("ERR source and destination objects are the same");
    }
    let Some(entry) = ctx.lookup_read(src).map(|e| e.clone()) else { return Reply::Integer(0) };
    if exists_in(ctx, dst_db, dst) {
        if !replace {
            return Reply::Integer(0);
        }
        ctx.engine.dbs[dst_db].remove(dst);
    }
    // A copy is a new object: same value and TTL, fresh access data.
    let mut copied = entry;
    let (now, policy) = (ctx.now_ms(), ctx.config().maxmemory_policy);
    access::init(&mut copied, now, policy);
    store_in_db(ctx, dst_db, dst, copied);
    crate::notify::notify(ctx.engine, dst_db, notify::GENERIC, "copy_to", dst);
    Reply::Integer(1)
}

/// MOVE key db
fn move_cmd(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let src_db = ctx.db_index();
    let dst_db = match db_index(ctx, &argv[2]) {
        Ok(d) => d,
        Err(e) => return e,
    };
    if src_db == dst_db {
        return Reply::error("ERR source and destination objects are the same");
    }
    let key = &argv[1];
    if ctx.lookup_write(key).is_none() {
        return Reply::Integer(0);
    }
    if exists_in(ctx, dst_db, key) {
        return Reply::Integer(0);
    }
    let Some(entry) = ctx.db().remove(key) else { return Reply::Integer(0) };
    ctx.key_modified(key);
    store_in_db(ctx, dst_db, key, entry);
    ctx.notify(notify::GENERIC, "move_from", key);
    crate::notify::notify(ctx.engine, dst_db, notify::GENERIC, "move_to", key);
    Reply::Integer(1)
}

/// SWAPDB index1 index2
fn swapdb(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let parse = |arg: &[u8], msg: &'static str| match crate::float::parse_i64(arg) {
        Some(v) if v >= i32::MIN as i64 && v <= i32::MAX as i64 => Ok(v),
        _ => Err(Reply::error(msg)),
    };
    let a = match parse(&argv[1], "ERR invalid first DB index") {
        Ok(v) => v,
        Err(e) => return e,
    };
    let b = match parse(&argv[2], "ERR invalid second DB index") {
        Ok(v) => v,
        Err(e) => return e,
    };
    let count = ctx.engine.db_count() as i64;
    if a < 0 || b < 0 || a >= count || b >= count {
        return Reply::error(errors::DB_INDEX_OUT_OF_RANGE);
    }
    let (a, b) = (a as usize, b as usize);
    if a == b {
        return Reply::OK;
    }
    // WATCHed keys of either database are invalidated as Redis's
    // touchAllWatchedKeysInDb decides (a key expired at WATCH time does not count).
    crate::commands::transactions::touch_all_watched_in_db(ctx, a, Some(b));
    crate::commands::transactions::touch_all_watched_in_db(ctx, b, Some(a));
    ctx.engine.dbs.swap(a, b);
    ctx.engine.note_bulk_change();
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
        if ctx.engine.dbs[db].contains(&key) && !ctx.engine.ready_keys.contains(&(db, key.clone())) {
            ctx.engine.ready_keys.push((db, key));
        }
    }
    Reply::OK
}

/// The entry for OBJECT subcommands (no access-time update), or nil.
fn object_entry(ctx: &mut Ctx, key: &[u8]) -> Result<Entry, Reply> {
    ctx.lookup_quiet(key).map(|e| e.clone()).ok_or(Reply::Nil)
}

/// OBJECT ENCODING key
fn object_encoding(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    match object_entry(ctx, &argv[2]) {
        Ok(e) => Reply::bulk_str(e.value.encoding(ctx.config())),
        Err(r) => r,
    }
}

/// OBJECT FREQ key
fn object_freq(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let entry = match object_entry(ctx, &argv[2]) {
        Ok(e) => e,
        Err(r) => return r,
    };
    if !ctx.config().maxmemory_policy.is_lfu() {
        return Reply::error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
    }
    let decay = ctx.config().lfu_decay_time;
    Reply::Integer(access::lfu_decayed_counter(entry.access, ctx.now_ms(), decay) as i64)
}

/// OBJECT IDLETIME key
fn object_idletime(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let entry = match object_entry(ctx, &argv[2]) {
        Ok(e) => e,
        Err(r) => return r,
    };
    if ctx.config().maxmemory_policy.is_lfu() {
        return Reply::error("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
    }
    Reply::Integer((access::idle_ms(entry.access, ctx.now_ms()) / 1000) as i64)
}

/// OBJECT REFCOUNT key — small integers are shared objects in Redis
/// (refcount `INT_MAX`) unless an LRU/LFU policy forbids sharing.
fn object_refcount(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let entry = match object_entry(ctx, &argv[2]) {
        Ok(e) => e,
        Err(r) => return r,
    };
    let config = ctx.config();
    let policy = config.maxmemory_policy.name();
    let sharing = config.maxmemory == 0 || !(policy.ends_with("lru") || policy.ends_with("lfu"));
    let shared = match &entry.value {
        Value::String(s) => s.is_shared_int(),
        _ => false,
    };
    Reply::Integer(if shared && sharing { i32::MAX as i64 } else { 1 })
}

/// OBJECT HELP
fn object_help(_: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    Reply::subcommand_help(
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
    )
}

/// TIME
fn time(ctx: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    let us = ctx.now_us();
    Reply::Array(vec![
        Reply::Bulk(us.div_euclid(1_000_000).to_string().into_bytes()),
        Reply::Bulk(us.rem_euclid(1_000_000).to_string().into_bytes()),
    ])
}
