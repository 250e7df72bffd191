//! Set commands: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP
//! SRANDMEMBER SMOVE SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF
//! SDIFFSTORE SSCAN.

use crate::args::Args;
use crate::command::{flags::*, CommandResult, CommandSpec, Group, KeySpec, KeySpecDef};
use crate::commands::shared::{
    distinct_indexes, empty_scan, pop_count, positive_numkeys, random_count, scan_cursor, ScanOptions,
    MAX_RANDOM_PICKS, TOO_MANY_PICKS,
};
use crate::engine::Ctx;
use crate::notify;
use crate::reply::Reply;
use crate::rng::Rng;
use crate::types::set::{combine, intersection, SetOp};
use crate::types::SetValue;
use crate::value::Value;

const BASE: CommandSpec = CommandSpec { group: Group::Set, keys: KeySpec::ONE, ..CommandSpec::DEFAULT };

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "sadd",
        arity: -3,
        flags: WRITE | DENYOOM | FAST,
        summary: "Adds members to a set, creating it if needed",
        syntax: "key member [member ...]",
        key_flags: &[&["RW", "insert"]],
        handler: sadd,
        ..BASE
    },
    CommandSpec {
        name: "srem",
        arity: -3,
        flags: WRITE | FAST,
        summary: "Removes members from a set",
        syntax: "key member [member ...]",
        key_flags: &[&["RW", "delete"]],
        handler: srem,
        ..BASE
    },
    CommandSpec {
        name: "smembers",
        arity: 2,
        flags: READONLY,
        summary: "Returns every member of a set",
        syntax: "key",
        handler: smembers,
        ..BASE
    },
    CommandSpec {
        name: "sismember",
        arity: 3,
        flags: READONLY | FAST,
        summary: "Tells whether a value is a member of a set",
        syntax: "key member",
        key_flags: &[&["RO"]],
        handler: sismember,
        ..BASE
    },
    CommandSpec {
        name: "smismember",
        arity: -3,
        flags: READONLY | FAST,
        since: "6.2.0",
        summary: "Tells, for each value, whether it is a member of a set",
        syntax: "key member [member ...]",
        handler: smismember,
        ..BASE
    },
    CommandSpec {
        name: "scard",
        arity: 2,
        flags: READONLY | FAST,
        summary: "Returns the number of members of a set",
        syntax: "key",
        key_flags: &[&["RO"]],
        handler: scard,
        ..BASE
    },
    CommandSpec {
        name: "spop",
        arity: -2,
        flags: WRITE | FAST,
        summary: "Removes and returns random members of a set",
        syntax: "key [count]",
        key_flags: &[&["RW", "access", "delete"]],
        handler: spop,
        ..BASE
    },
    CommandSpec {
        name: "srandmember",
        arity: -2,
        flags: READONLY,
        summary: "Returns random members of a set without removing them",
        syntax: "key [count]",
        handler: srandmember,
        ..BASE
    },
    CommandSpec {
        name: "smove",
        arity: 4,
        flags: WRITE | FAST,
        keys: KeySpec::TWO,
        summary: "Moves a member from one set to another",
        syntax: "source destination member",
        key_flags: &[&["RW", "access", "delete"], &["RW", "insert"]],
        handler: smove,
        ..BASE
    },
    CommandSpec {
        name: "sinter",
        arity: -2,
        flags: READONLY,
        keys: KeySpec::ALL,
        summary: "Returns the members common to all the given sets",
        syntax: "key [key ...]",
        handler: sinter,
        ..BASE
    },
    CommandSpec {
        name: "sintercard",
        arity: -3,
        flags: READONLY | MOVABLE_KEYS,
        keys: KeySpec::NONE,
        since: "7.0.0",
        summary: "Counts the members common to all the given sets",
        syntax: "numkeys key [key ...] [LIMIT limit]",
        key_specs: &[KeySpecDef::keynum(1, &["RO", "access"])],
        handler: sintercard,
        ..BASE
    },
    CommandSpec {
        name: "sinterstore",
        arity: -3,
        flags: WRITE | DENYOOM,
        keys: KeySpec::ALL,
        summary: "Stores the intersection of sets in a key",
        syntax: "destination key [key ...]",
        key_flags: &[&["RW", "update"], &["RO", "access"]],
        handler: sinterstore,
        ..BASE
    },
    CommandSpec {
        name: "sunion",
        arity: -2,
        flags: READONLY,
        keys: KeySpec::ALL,
        summary: "Returns the members of any of the given sets",
        syntax: "key [key ...]",
        handler: sunion,
        ..BASE
    },
    CommandSpec {
        name: "sunionstore",
        arity: -3,
        flags: WRITE | DENYOOM,
        keys: KeySpec::ALL,
        summary: "Stores the union of sets in a key",
        syntax: "destination key [key ...]",
        key_flags: &[&["OW", "update"], &["RO", "access"]],
        handler: sunionstore,
        ..BASE
    },
    CommandSpec {
        name: "sdiff",
        arity: -2,
        flags: READONLY,
        keys: KeySpec::ALL,
        summary: "Returns the members of the first set missing from the others",
        syntax: "key [key ...]",
        handler: sdiff,
        ..BASE
    },
    CommandSpec {
        name: "sdiffstore",
        arity: -3,
        flags: WRITE | DENYOOM,
        keys: KeySpec::ALL,
        summary: "Stores the difference of sets in a key",
        syntax: "destination key [key ...]",
        key_flags: &[&["OW", "update"], &["RO", "access"]],
        handler: sdiffstore,
        ..BASE
    },
    CommandSpec {
        name: "sscan",
        arity: -3,
        flags: READONLY,
        since: "2.8.0",
        summary: "Iterates over the members of a set",
        syntax: "key cursor [MATCH pattern] [COUNT count]",
        handler: sscan,
        ..BASE
    },
];

/// The set under `key` (after lazy expiry), or a WRONGTYPE error.
fn read_set<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a mut SetValue>, Reply> {
    ctx.read_as(key)
}

/// Like [`read_set`], but looks the key up for writing.
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
///
/// A new set starts as an intset when its first member is an integer.
fn sadd(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let key = &argv[1];
    let max = ctx.config().set_max_intset_entries;
    let added = match write_set(ctx, key)? {
        Some(set) => argv[2..].iter().filter(|m| set.insert(m, max)).count(),
        None => {
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
    Ok(Reply::Integer(added as i64))
}

/// SREM key member [member ...]
///
/// Stops at the member that empties the set; the key is then deleted
/// (`del` follows the `srem` event).
fn srem(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let key = &argv[1];
    let (removed, empty) = match write_set(ctx, key)? {
        None => return Ok(Reply::Integer(0)),
        Some(set) => {
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
    Ok(Reply::Integer(removed))
}

/// SMEMBERS key
fn smembers(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    Ok(match read_set(ctx, &argv[1])? {
        None => Reply::Set(Vec::new()),
        Some(set) => set_reply(set.members()),
    })
}

/// SISMEMBER key member
fn sismember(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let set = read_set(ctx, &argv[1])?;
    Ok(Reply::Integer(set.is_some_and(|s| s.contains(&argv[2])) as i64))
}

/// SMISMEMBER key member [member ...]
fn smismember(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let set = read_set(ctx, &argv[1])?.map(|s| &*s);
    Ok(Reply::Array(argv[2..].iter().map(|m| Reply::Integer(set.is_some_and(|s| s.contains(m)) as i64)).collect()))
}

/// SCARD key
fn scard(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let set = read_set(ctx, &argv[1])?;
    Ok(Reply::Integer(set.map_or(0, |s| s.len()) as i64))
}

/// SPOP key [count]
///
/// Without a count: one member or nil. With one: a set of up to `count`
/// members; a count covering the whole set takes everything at once.
fn spop(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let key = &argv[1];
    let mut args = Args::new(argv, 2);
    let count_arg = args.next_arg();
    args.finish()?;
    let count = count_arg.map(pop_count).transpose()?;
    let Some(set) = write_set(ctx, key)? else {
        return Ok(if count.is_some() { Reply::Set(Vec::new()) } else { Reply::Nil });
    };
    let popped: Vec<Vec<u8>> = match count {
        Some(0) => return Ok(Reply::Set(Vec::new())),
        Some(n) if n >= set.len() as u64 => set.take_all(),
        _ => {
            // The picks draw on the engine's generator, which lives in `ctx`
            // like the set: work on the set taken out, then put it back.
            let mut set = std::mem::take(set);
            let rng = ctx.rng();
            let out = set.pop_random_n(count.unwrap_or(1) as usize, |n| rng.index(n));
            if let Ok(Some(slot)) = write_set(ctx, key) {
                *slot = set;
            }
            out
        }
    };
    let empty = write_set(ctx, key).ok().flatten().is_none_or(|s| s.is_empty());
    // The picks were random: a replay removes exactly these members.
    if !popped.is_empty() {
        ctx.propagate_as(|| [vec![b"SREM".to_vec(), key.clone()], popped.clone()].concat());
    }
    ctx.key_modified(key);
    ctx.notify(notify::SET, "spop", key);
    drop_if_empty(ctx, key, empty);
    Ok(match count {
        None => Reply::opt_bulk(popped.into_iter().next()),
        Some(_) => set_reply(popped),
    })
}

/// SRANDMEMBER key [count]
///
/// A negative count picks with repetition, a positive one distinct members.
fn srandmember(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let mut args = Args::new(argv, 2);
    let count_arg = args.next_arg();
    args.finish()?;
    let count = count_arg.map(random_count).transpose()?;
    // A generator forked from the engine's, usable while the value is borrowed.
    let mut rng = Rng::new(ctx.rng().next_u64());
    match read_set(ctx, &argv[1])? {
        None if count.is_some() => Ok(Reply::Array(Vec::new())),
        None => Ok(Reply::Nil),
        Some(set) => random_members(&mut rng, set, count),
    }
}

/// SRANDMEMBER's selection (ZRANDMEMBER's follows the same rules).
fn random_members(rng: &mut Rng, set: &SetValue, count: Option<i64>) -> CommandResult {
    let len = set.len();
    let Some(count) = count else {
        return Ok(Reply::opt_bulk(set.random_member(|n| rng.index(n))));
    };
    if count == 0 {
        return Ok(Reply::Array(Vec::new()));
    }
    if count < 0 {
        let n = count.unsigned_abs();
        if n > MAX_RANDOM_PICKS {
            return Err(Reply::error(TOO_MANY_PICKS));
        }
        let out = (0..n).filter_map(|_| set.random_member(|k| rng.index(k))).map(Reply::Bulk).collect();
        return Ok(Reply::Array(out));
    }
    if count as u64 >= len as u64 {
        return Ok(Reply::Array(set.members().into_iter().map(Reply::Bulk).collect()));
    }
    let all = set.members();
    let picks = distinct_indexes(rng, len, count as usize);
    Ok(Reply::Array(picks.into_iter().filter_map(|i| all.get(i).cloned()).map(Reply::Bulk).collect()))
}

/// SMOVE source destination member
///
/// Both keys are type-checked before anything moves; moving a member onto
/// its own set only answers whether it is there.
fn smove(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let (src, dst, member) = (&argv[1], &argv[2], &argv[3]);
    let src_is_member = match write_set(ctx, src)? {
        None => return Ok(Reply::Integer(0)),
        Some(s) => s.contains(member),
    };
    write_set(ctx, dst)?;
    if src == dst {
        return Ok(Reply::Integer(src_is_member as i64));
    }
    if !src_is_member {
        return Ok(Reply::Integer(0));
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
    // A member the destination already had leaves it untouched (WATCH too).
    if added {
        ctx.notify(notify::SET, "sadd", dst);
        ctx.key_modified(dst);
    }
    Ok(Reply::Integer(1))
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

/// SINTER / SUNION / SDIFF: the result as a reply.
fn set_operation(ctx: &mut Ctx, keys: &[Vec<u8>], op: SetOp) -> CommandResult {
    let sets = load_sets(ctx, keys, false)?;
    if op == SetOp::Inter {
        return Ok(set_reply(intersection(&sets, 0)));
    }
    let max = ctx.config().set_max_intset_entries;
    Ok(set_reply(combine(&sets, op, max).members()))
}

/// The *STORE forms: an empty result deletes the destination.
fn set_operation_store(ctx: &mut Ctx, dst: &[u8], keys: &[Vec<u8>], op: SetOp, event: &str) -> CommandResult {
    let sets = load_sets(ctx, keys, true)?;
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
    Ok(Reply::Integer(n))
}

/// SINTER key [key ...]
fn sinter(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    set_operation(ctx, &argv[1..], SetOp::Inter)
}

/// SUNION key [key ...]
fn sunion(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    set_operation(ctx, &argv[1..], SetOp::Union)
}

/// SDIFF key [key ...]
fn sdiff(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    set_operation(ctx, &argv[1..], SetOp::Diff)
}

/// SINTERSTORE destination key [key ...]
fn sinterstore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    set_operation_store(ctx, &argv[1], &argv[2..], SetOp::Inter, "sinterstore")
}

/// SUNIONSTORE destination key [key ...]
fn sunionstore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    set_operation_store(ctx, &argv[1], &argv[2..], SetOp::Union, "sunionstore")
}

/// SDIFFSTORE destination key [key ...]
fn sdiffstore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    set_operation_store(ctx, &argv[1], &argv[2..], SetOp::Diff, "sdiffstore")
}

/// Parses `numkeys key [key ...]` starting at `argv[at]`, with Redis's
/// errors. Returns the keys and the index after them.
fn numkeys_and_keys(argv: &[Vec<u8>], at: usize) -> Result<(&[Vec<u8>], usize), Reply> {
    let numkeys = usize::try_from(positive_numkeys(argv.get(at).map(|a| a.as_slice()))?).unwrap_or(usize::MAX);
    let first = at + 1;
    if numkeys > argv.len().saturating_sub(first) {
        return Err(Reply::error("ERR Number of keys can't be greater than number of args"));
    }
    Ok((&argv[first..first + numkeys], first + numkeys))
}

/// The `[LIMIT limit]` of SINTERCARD (0 = no limit); anything else left is
/// a syntax error.
fn parse_card_limit(args: &mut Args) -> Result<usize, Reply> {
    let mut limit = 0usize;
    while args.remaining() >= 2 && args.eat("limit") {
        limit = match crate::float::parse_i64(args.value()?) {
            Some(n) if n >= 0 => n as usize,
            _ => return Err(Reply::error("ERR LIMIT can't be negative")),
        };
    }
    args.finish()?;
    Ok(limit)
}

/// SINTERCARD numkeys key [key ...] [LIMIT limit]
///
/// Options are checked before the keys' types; the count stops at LIMIT.
fn sintercard(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let (keys, next) = numkeys_and_keys(argv, 1)?;
    let limit = parse_card_limit(&mut Args::new(argv, next))?;
    let sets = load_sets(ctx, keys, false)?;
    Ok(Reply::Integer(intersection(&sets, limit).len() as i64))
}

/// SSCAN key cursor [MATCH pattern] [COUNT count]
///
/// An intset answers in one page; a hashtable pages through its slots.
fn sscan(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let cursor = scan_cursor(&argv[2])?;
    let Some(set) = read_set(ctx, &argv[1])? else { return Ok(empty_scan()) };
    let opts = ScanOptions::parse(&mut Args::new(argv, 3))?;
    let (next, page) = set.scan(cursor, opts.count);
    let page = page.into_iter().filter(|m| opts.matches(m)).map(Reply::Bulk).collect();
    Ok(Reply::Array(vec![Reply::bulk(next.to_string()), Reply::Array(page)]))
}
