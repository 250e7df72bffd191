//! HyperLogLog commands: PFADD, PFCOUNT, PFMERGE. Sketches are ordinary
//! strings in Redis's exact `HYLL` format (see [`sketch`]), so GET, STRLEN
//! and SET see and accept the same bytes as in Redis.

pub mod sketch;

use crate::args;
use crate::command::{flags::*, CommandSpec, Group, KeySpec};
use crate::db::Entry;
use crate::engine::Ctx;
use crate::errors;
use crate::notify;
use crate::reply::Reply;
use crate::value::{StrValue, Value};

const NOT_AN_HLL: &str = "WRONGTYPE Key is not a valid HyperLogLog string value.";
const CORRUPT: &str = "INVALIDOBJ Corrupted HLL object detected";

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "pfadd",
        arity: -2,
        flags: WRITE | DENYOOM | FAST,
        group: Group::HyperLogLog,
        since: "2.8.9",
        complexity: "O(1) to add every element.",
        summary: "Adds elements to a HyperLogLog sketch, creating it if needed",
        syntax: "key [element [element ...]]",
        keys: KeySpec::ONE,
        handler: |c, a| Ok(pfadd(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "pfcount",
        arity: -2,
        flags: READONLY,
        group: Group::HyperLogLog,
        since: "2.8.9",
        complexity: "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.",
        summary: "Estimates how many distinct elements the union of the sketches holds",
        syntax: "key [key ...]",
        keys: KeySpec::ALL,
        handler: |c, a| Ok(pfcount(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "pfmerge",
        arity: -2,
        flags: WRITE | DENYOOM,
        group: Group::HyperLogLog,
        since: "2.8.9",
        complexity: "O(N) to merge N HyperLogLogs, but with high constant times.",
        summary: "Merges sketches into a destination sketch (their union)",
        syntax: "destkey [sourcekey [sourcekey ...]]",
        keys: KeySpec::ALL,
        handler: |c, a| Ok(pfmerge(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "pfdebug",
        arity: 3,
        flags: WRITE | DENYOOM | ADMIN,
        group: Group::HyperLogLog,
        since: "2.8.9",
        complexity: "N/A",
        summary: "Shows a sketch's registers, opcodes or encoding, or makes it dense",
        syntax: "GETREG|DECODE|ENCODING|TODENSE key",
        keys: KeySpec { first: 2, last: 2, step: 1 },
        handler: |c, a| Ok(pfdebug(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "pfselftest",
        arity: 1,
        flags: ADMIN,
        group: Group::HyperLogLog,
        since: "2.8.9",
        complexity: "N/A",
        summary: "Checks the HyperLogLog implementation against itself",
        syntax: "",
        keys: KeySpec::NONE,
        handler: |c, a| Ok(pfselftest(c, a)),
        ..CommandSpec::DEFAULT
    },
];

/// The bytes of a key that must hold a sketch: Ok(None) if missing, the
/// error reply if it is another type or not a valid `HYLL` string.
fn checked_sketch(value: &Value) -> Result<&StrValue, Reply> {
    match value {
        Value::String(s) if sketch::is_valid(s.as_bytes()) => Ok(s),
        Value::String(_) => Err(Reply::error(NOT_AN_HLL)),
        _ => Err(Reply::error(errors::WRONGTYPE)),
    }
}

fn sparse_max_bytes(ctx: &Ctx) -> usize {
    ctx.config().hll_sparse_max_bytes
}

/// PFADD key [element ...] — 1 if the sketch was created or a register
/// changed, else 0.
fn pfadd(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let key = &argv[1];
    let max_bytes = sparse_max_bytes(ctx);
    let mut updated = 0usize;
    let mut corrupt = false;
    match ctx.lookup_write(key) {
        None => {
            let mut bytes = sketch::new_sparse();
            updated += 1;
            for element in &argv[2..] {
                match sketch::add(&mut bytes, element, max_bytes) {
                    Ok(true) => updated += 1,
                    Ok(false) => {}
                    Err(_) => {
                        corrupt = true;
                        break;
                    }
                }
            }
            if !corrupt {
                sketch::invalidate_cache(&mut bytes);
            }
            ctx.set_key(key, Value::String(StrValue::raw(bytes)), false);
        }
        Some(entry) => {
            if let Err(e) = checked_sketch(&entry.value) {
                return e;
            }
            let Value::String(s) = &mut entry.value else { return Reply::error(errors::WRONGTYPE) };
            s.mark_raw();
            for element in &argv[2..] {
                match sketch::add(s.bytes_mut(), element, max_bytes) {
                    Ok(true) => updated += 1,
                    Ok(false) => {}
                    Err(_) => {
                        corrupt = true;
                        break;
                    }
                }
            }
            if updated > 0 && !corrupt {
                sketch::invalidate_cache(s.bytes_mut());
            }
        }
    }
    if corrupt {
        return Reply::error(CORRUPT);
    }
    if updated > 0 {
        ctx.key_modified(key);
        ctx.notify(notify::STRING, "pfadd", key);
    }
    Reply::Integer((updated > 0) as i64)
}

/// PFCOUNT key [key ...] — one key answers from (and refreshes) the cached
/// cardinality in its header; several keys are merged into a temporary.
fn pfcount(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    if argv.len() > 2 {
        let mut max = Box::new([0u8; sketch::REGISTERS]);
        for key in &argv[1..] {
            let Some(entry) = ctx.lookup_read(key) else { continue };
            let s = match checked_sketch(&entry.value) {
                Ok(s) => s,
                Err(e) => return e,
            };
            if sketch::merge_into(&mut max, s.as_bytes()).is_err() {
                return Reply::error(CORRUPT);
            }
        }
        return Reply::Integer(sketch::count_registers(&max) as i64);
    }
    let key = &argv[1];
    let Some(entry) = ctx.lookup_read(key) else { return Reply::Integer(0) };
    if let Err(e) = checked_sketch(&entry.value) {
        return e;
    }
    let Value::String(s) = &mut entry.value else { return Reply::error(errors::WRONGTYPE) };
    s.mark_raw();
    if let Some(card) = sketch::cached_cardinality(s.as_bytes()) {
        return Reply::Integer(card as i64);
    }
    let Ok(card) = sketch::count(s.as_bytes()) else { return Reply::error(CORRUPT) };
    sketch::store_cardinality(s.bytes_mut(), card);
    ctx.key_modified(key);
    Reply::Integer(card as i64)
}

/// PFMERGE destkey [sourcekey ...] — the union of all the sketches
/// (destkey included) is written into destkey, which turns dense if any
/// input was dense.
fn pfmerge(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let mut max = Box::new([0u8; sketch::REGISTERS]);
    let mut use_dense = false;
    for key in &argv[1..] {
        let Some(entry) = ctx.lookup_read(key) else { continue };
        let s = match checked_sketch(&entry.value) {
            Ok(s) => s,
            Err(e) => return e,
        };
        if s[4] == sketch::DENSE {
            use_dense = true;
        }
        if sketch::merge_into(&mut max, s.as_bytes()).is_err() {
            return Reply::error(CORRUPT);
        }
    }
    let dest = &argv[1];
    let max_bytes = sparse_max_bytes(ctx);
    let mut bytes = match ctx.lookup_write(dest) {
        Some(Entry { value: Value::String(s), .. }) => std::mem::take(s).into_bytes(),
        _ => {
            let fresh = sketch::new_sparse();
            ctx.set_key(dest, Value::String(StrValue::raw(fresh.clone())), false);
            fresh
        }
    };
    let mut outcome = Ok(());
    if use_dense {
        outcome = sketch::to_dense(&mut bytes);
    }
    if outcome.is_ok() {
        for (index, &value) in max.iter().enumerate() {
            if value != 0 {
                // Like Redis, a corrupt destination is not reported here.
                let _ = sketch::set_register(&mut bytes, index, value, max_bytes);
            }
        }
        sketch::invalidate_cache(&mut bytes);
    }
    if let Some(Entry { value: Value::String(s), .. }) = ctx.lookup_quiet(dest) {
        *s = StrValue::raw(bytes);
    }
    if outcome.is_err() {
        return Reply::error(CORRUPT);
    }
    ctx.key_modified(dest);
    ctx.notify(notify::STRING, "pfadd", dest);
    Reply::OK
}

/// PFDEBUG GETREG|DECODE|ENCODING|TODENSE key — GETREG and TODENSE convert
/// a sparse sketch to dense in place, as in Redis.
fn pfdebug(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let sub = &argv[1];
    let Some(entry) = ctx.lookup_write(&argv[2]) else {
        return Reply::error("ERR The specified key does not exist");
    };
    if let Err(e) = checked_sketch(&entry.value) {
        return e;
    }
    let Value::String(s) = &mut entry.value else { return Reply::error(errors::WRONGTYPE) };
    s.mark_raw();
    let sparse = s[4] == sketch::SPARSE;
    if args::is(sub, "getreg") {
        if sketch::to_dense(s.bytes_mut()).is_err() {
            return Reply::error(CORRUPT);
        }
        let mut regs = Box::new([0u8; sketch::REGISTERS]);
        if sketch::merge_into(&mut regs, s.as_bytes()).is_err() {
            return Reply::error(CORRUPT);
        }
        Reply::Array(regs.iter().map(|&r| Reply::Integer(r as i64)).collect())
    } else if args::is(sub, "decode") {
        if !sparse {
            return Reply::error("ERR HLL encoding is not sparse");
        }
        Reply::Bulk(sketch::describe_sparse(s.as_bytes()).into_bytes())
    } else if args::is(sub, "encoding") {
        Reply::status(if sparse { "sparse" } else { "dense" })
    } else if args::is(sub, "todense") {
        if sparse && sketch::to_dense(s.bytes_mut()).is_err() {
            return Reply::error(CORRUPT);
        }
        Reply::Integer(sparse as i64)
    } else {
        Reply::error(errors::sanitize(&format!("ERR Unknown PFDEBUG subcommand '{}'", errors::show(sub, 128))))
    }
}

/// PFSELFTEST — checks the register packing and that sparse and dense
/// sketches agree and stay within the expected error.
fn pfselftest(_: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    match sketch::self_test() {
        Ok(()) => Reply::OK,
        Err(why) => Reply::error(format!("ERR TESTFAILED {why}")),
    }
}
