//! HyperLogLog commands: PFADD, PFCOUNT, PFMERGE. Sketches are ordinary
//! strings in Redis's exact `HYLL` format (see [`sketch`]), so GET, STRLEN
//! and SET see and accept the same bytes as in Redis.

pub mod sketch;

use crate::args;
use crate::command::{flags::*, BeginSearch, CommandResult, CommandSpec, FindKeys, Group, KeySpec, KeySpecDef};
use crate::db::Entry;
use crate::engine::Ctx;
use crate::errors;
use crate::notify;
use crate::reply::Reply;
use crate::value::{StrValue, Value};

const NOT_AN_HLL: &str = "WRONGTYPE Key is not a valid HyperLogLog string value.";
const CORRUPT: &str = "INVALIDOBJ Corrupted HLL object detected";

const BASE: CommandSpec = CommandSpec { group: Group::HyperLogLog, since: "2.8.9", ..CommandSpec::DEFAULT };

/// PFCOUNT may rewrite a key's representation (a cached cardinality), so
/// Redis flags its keys RW.
const PFCOUNT_KEYS: KeySpecDef = KeySpecDef {
    notes: "RW because it may change the internal representation of the key, and propagate to replicas",
    flags: &["RW", "access"],
    begin: BeginSearch::Index(1),
    find: FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 },
};

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "pfadd",
        arity: -2,
        flags: WRITE | DENYOOM | FAST,
        keys: KeySpec::ONE,
        complexity: "O(1) to add every element.",
        summary: "Adds elements to a HyperLogLog sketch, creating it if needed",
        syntax: "key [element [element ...]]",
        key_flags: &[&["RW", "insert"]],
        handler: pfadd,
        ..BASE
    },
    CommandSpec {
        name: "pfcount",
        arity: -2,
        flags: READONLY | MAY_REPLICATE,
        keys: KeySpec::ALL,
        complexity: concat!(
            "O(1) with a very small average constant time when called with a single key. ",
            "O(N) with N being the number of keys, and much bigger constant times, ",
            "when called with multiple keys."
        ),
        summary: "Estimates how many distinct elements the union of the sketches holds",
        syntax: "key [key ...]",
        key_specs: &[PFCOUNT_KEYS],
        handler: pfcount,
        ..BASE
    },
    CommandSpec {
        name: "pfmerge",
        arity: -2,
        flags: WRITE | DENYOOM,
        keys: KeySpec::ALL,
        complexity: "O(N) to merge N HyperLogLogs, but with high constant times.",
        summary: "Merges sketches into a destination sketch (their union)",
        syntax: "destkey [sourcekey [sourcekey ...]]",
        key_flags: &[&["RW", "access", "insert"], &["RO", "access"]],
        handler: pfmerge,
        ..BASE
    },
    CommandSpec {
        name: "pfdebug",
        arity: 3,
        flags: WRITE | DENYOOM | ADMIN,
        keys: KeySpec { first: 2, last: 2, step: 1 },
        complexity: "N/A",
        summary: "Shows a sketch's registers, opcodes or encoding, or makes it dense",
        syntax: "GETREG|DECODE|ENCODING|TODENSE key",
        key_flags: &[&["RW", "access"]],
        handler: pfdebug,
        ..BASE
    },
    CommandSpec {
        name: "pfselftest",
        arity: 1,
        flags: ADMIN,
        complexity: "N/A",
        summary: "Checks the HyperLogLog implementation against itself",
        syntax: "",
        handler: pfselftest,
        ..BASE
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

/// Feeds `elements` into a sketch's bytes: how many changed a register,
/// or Err when the sketch turned out corrupt (what was added before stays).
fn add_elements(bytes: &mut Vec<u8>, elements: &[Vec<u8>], max_bytes: usize) -> Result<usize, sketch::Corrupt> {
    let mut updated = 0;
    for element in elements {
        if sketch::add(bytes, element, max_bytes)? {
            updated += 1;
        }
    }
    Ok(updated)
}

/// PFADD key [element ...] — 1 if the sketch was created or a register
/// changed, else 0. A corrupt sketch is reported after the registers set
/// before the corruption was found are kept, and without an event.
fn pfadd(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let key = &argv[1];
    let max_bytes = sparse_max_bytes(ctx);
    let outcome = match ctx.lookup_write(key) {
        None => {
            let mut bytes = sketch::new_sparse();
            let outcome = add_elements(&mut bytes, &argv[2..], max_bytes).map(|n| n + 1);
            if outcome.is_ok() {
                sketch::invalidate_cache(&mut bytes);
            }
            ctx.set_key(key, Value::String(StrValue::raw(bytes)), false);
            outcome
        }
        Some(entry) => {
            checked_sketch(&entry.value)?;
            let Value::String(s) = &mut entry.value else { return Err(Reply::error(errors::WRONGTYPE)) };
            s.mark_raw();
            let outcome = add_elements(s.bytes_mut(), &argv[2..], max_bytes);
            if outcome.is_ok_and(|n| n > 0) {
                sketch::invalidate_cache(s.bytes_mut());
            }
            outcome
        }
    };
    let updated = outcome.map_err(|_| Reply::error(CORRUPT))?;
    if updated > 0 {
        ctx.key_modified(key);
        ctx.notify(notify::STRING, "pfadd", key);
    }
    Ok(Reply::Integer((updated > 0) as i64))
}

/// PFCOUNT key [key ...] — one key answers from (and refreshes) the cached
/// cardinality in its header; several keys are merged into a temporary.
fn pfcount(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    if argv.len() > 2 {
        let mut max = Box::new([0u8; sketch::REGISTERS]);
        for key in &argv[1..] {
            let Some(entry) = ctx.lookup_read(key) else { continue };
            let s = checked_sketch(&entry.value)?;
            sketch::merge_into(&mut max, s.as_bytes()).map_err(|_| Reply::error(CORRUPT))?;
        }
        return Ok(Reply::Integer(sketch::count_registers(&max) as i64));
    }
    let key = &argv[1];
    let Some(entry) = ctx.lookup_read(key) else { return Ok(Reply::Integer(0)) };
    checked_sketch(&entry.value)?;
    let Value::String(s) = &mut entry.value else { return Err(Reply::error(errors::WRONGTYPE)) };
    s.mark_raw();
    if let Some(card) = sketch::cached_cardinality(s.as_bytes()) {
        return Ok(Reply::Integer(card as i64));
    }
    let card = sketch::count(s.as_bytes()).map_err(|_| Reply::error(CORRUPT))?;
    sketch::store_cardinality(s.bytes_mut(), card);
    ctx.key_modified(key);
    Ok(Reply::Integer(card as i64))
}

/// PFMERGE destkey [sourcekey ...] — the union of all the sketches
/// (destkey included) is written into destkey, which turns dense if any
/// input was dense.
fn pfmerge(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let mut max = Box::new([0u8; sketch::REGISTERS]);
    let mut use_dense = false;
    for key in &argv[1..] {
        let Some(entry) = ctx.lookup_read(key) else { continue };
        let s = checked_sketch(&entry.value)?;
        if s[4] == sketch::DENSE {
            use_dense = true;
        }
        sketch::merge_into(&mut max, s.as_bytes()).map_err(|_| Reply::error(CORRUPT))?;
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
    outcome.map_err(|_| Reply::error(CORRUPT))?;
    ctx.key_modified(dest);
    ctx.notify(notify::STRING, "pfadd", dest);
    Ok(Reply::OK)
}

/// PFDEBUG GETREG|DECODE|ENCODING|TODENSE key — GETREG and TODENSE convert
/// a sparse sketch to dense in place, as in Redis. The key is checked
/// before the subcommand name.
fn pfdebug(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let sub = &argv[1];
    let Some(entry) = ctx.lookup_write(&argv[2]) else {
        return Err(Reply::error("ERR The specified key does not exist"));
    };
    checked_sketch(&entry.value)?;
    let Value::String(s) = &mut entry.value else { return Err(Reply::error(errors::WRONGTYPE)) };
    s.mark_raw();
    let corrupt = |_| Reply::error(CORRUPT);
    let sparse = s[4] == sketch::SPARSE;
    if args::is(sub, "getreg") {
        sketch::to_dense(s.bytes_mut()).map_err(corrupt)?;
        let mut regs = Box::new([0u8; sketch::REGISTERS]);
        sketch::merge_into(&mut regs, s.as_bytes()).map_err(corrupt)?;
        Ok(Reply::Array(regs.iter().map(|&r| Reply::Integer(r as i64)).collect()))
    } else if args::is(sub, "decode") {
        if !sparse {
            return Err(Reply::error("ERR HLL encoding is not sparse"));
        }
        Ok(Reply::Bulk(sketch::describe_sparse(s.as_bytes()).into_bytes()))
    } else if args::is(sub, "encoding") {
        Ok(Reply::status(if sparse { "sparse" } else { "dense" }))
    } else if args::is(sub, "todense") {
        if sparse {
            sketch::to_dense(s.bytes_mut()).map_err(corrupt)?;
        }
        Ok(Reply::Integer(sparse as i64))
    } else {
        let msg = format!("ERR Unknown PFDEBUG subcommand '{}'", errors::show(sub, 128));
        Err(Reply::error(errors::sanitize(&msg)))
    }
}

/// PFSELFTEST — checks the register packing and that sparse and dense
/// sketches agree and stay within the expected error.
fn pfselftest(_: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    sketch::self_test().map_err(|why| Reply::error(format!("ERR TESTFAILED {why}")))?;
    Ok(Reply::OK)
}
