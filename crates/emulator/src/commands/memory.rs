//! MEMORY USAGE / STATS / PURGE / HELP, from the model in `crate::memory`.

use crate::args::{self, Args};
use crate::command::{flags::*, CommandResult, CommandSpec, Group, KeySpec};
use crate::engine::Ctx;
use crate::errors;
use crate::memory;
use crate::reply::Reply;

const BASE: CommandSpec = CommandSpec { group: Group::Server, since: "4.0.0", ..CommandSpec::DEFAULT };

const SUB: CommandSpec = CommandSpec { parent: "memory", ..BASE };

pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "memory",
    arity: -2,
    summary: "Reports how much memory keys and the server use",
    syntax: "USAGE|STATS|DOCTOR|MALLOC-STATS|PURGE|HELP ...",
    subcommands: &[
        CommandSpec {
            name: "usage",
            arity: -3,
            flags: READONLY,
            keys: KeySpec { first: 2, last: 2, step: 1 },
            complexity: "O(N) where N is the number of samples.",
            summary: "Estimates the bytes a key and its value take",
            syntax: "key [SAMPLES count]",
            key_flags: &[&["RO"]],
            handler: memory_usage,
            ..SUB
        },
        CommandSpec {
            name: "stats",
            arity: 2,
            summary: "Breaks the server's memory use down",
            handler: memory_stats,
            ..SUB
        },
        CommandSpec {
            name: "doctor",
            arity: 2,
            summary: "Describes memory problems, if any",
            handler: memory_doctor,
            ..SUB
        },
        CommandSpec {
            name: "malloc-stats",
            arity: 2,
            summary: "Reports the allocator's own statistics (none here)",
            handler: memory_malloc_stats,
            ..SUB
        },
        CommandSpec {
            name: "purge",
            arity: 2,
            summary: "Asks the allocator to return unused pages (nothing to do here)",
            handler: memory_purge,
            ..SUB
        },
        CommandSpec {
            name: "help",
            arity: 2,
            flags: LOADING | STALE,
            summary: "Lists the MEMORY subcommands",
            handler: memory_help,
            ..SUB
        },
    ],
    ..BASE
}];

/// MEMORY USAGE's `[SAMPLES count]` (repeatable, the last one counts);
/// a negative count, or anything else, is a syntax error.
fn parse_samples(args: &mut Args) -> Result<Option<i64>, Reply> {
    let mut samples = None;
    while let Some(opt) = args.next_arg() {
        if args::is(opt, "SAMPLES") && args.has_more() {
            let n = args.int()?;
            if n < 0 {
                return Err(Reply::error(errors::SYNTAX));
            }
            samples = Some(n);
        } else {
            return Err(Reply::error(errors::SYNTAX));
        }
    }
    Ok(samples)
}

/// MEMORY USAGE key [SAMPLES count]
///
/// Collections are measured in full, so SAMPLES is validated but not needed.
fn memory_usage(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let _samples = parse_samples(&mut Args::new(argv, 3))?;
    let key = &argv[2];
    Ok(match ctx.lookup_quiet(key) {
        None => Reply::Nil,
        Some(entry) => Reply::Integer(memory::usage_of(key, entry) as i64),
    })
}

/// MEMORY STATS
fn memory_stats(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    let engine = &*ctx.engine;
    let used = engine.used_memory();
    let peak = engine.server.memory.peak.max(used);
    let startup = memory::STARTUP_BYTES;
    let mut out: Vec<(Reply, Reply)> = vec![
        (Reply::bulk_str("peak.allocated"), Reply::Integer(peak as i64)),
        (Reply::bulk_str("total.allocated"), Reply::Integer(used as i64)),
        (Reply::bulk_str("startup.allocated"), Reply::Integer(startup as i64)),
        (Reply::bulk_str("replication.backlog"), Reply::Integer(0)),
        (Reply::bulk_str("clients.slaves"), Reply::Integer(0)),
        (Reply::bulk_str("aof.buffer"), Reply::Integer(0)),
    ];
    let mut tables = 0u64;
    let mut keys = 0u64;
    for (i, db) in engine.keyspace.dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        keys += db.len() as u64;
        let total = memory::db_overhead(db) as u64;
        let expires_part =
            if db.volatile_len() == 0 { 0 } else { 8 * db.volatile_len().next_power_of_two().max(4) as u64 };
        let main_part = total - expires_part;
        tables += total;
        out.push((
            Reply::bulk(format!("db.{i}")),
            Reply::Map(vec![
                (Reply::bulk_str("overhead.hashtable.main"), Reply::Integer(main_part as i64)),
                (Reply::bulk_str("overhead.hashtable.expires"), Reply::Integer(expires_part as i64)),
            ]),
        ));
    }
    let overhead = startup + tables;
    let dataset = used.saturating_sub(overhead);
    let net = used.saturating_sub(startup);
    out.push((Reply::bulk_str("overhead.total"), Reply::Integer(overhead as i64)));
    out.push((Reply::bulk_str("keys.count"), Reply::Integer(keys as i64)));
    out.push((Reply::bulk_str("keys.bytes-per-key"), Reply::Integer(net.checked_div(keys).unwrap_or(0) as i64)));
    out.push((Reply::bulk_str("dataset.bytes"), Reply::Integer(dataset as i64)));
    let pct = if net == 0 { 0.0 } else { dataset as f64 * 100.0 / net as f64 };
    out.push((Reply::bulk_str("dataset.percentage"), Reply::Double(pct)));
    out.push((Reply::bulk_str("peak.percentage"), Reply::Double(used as f64 * 100.0 / peak.max(1) as f64)));
    Ok(Reply::Map(out))
}

/// MEMORY DOCTOR — Redis's two verdicts that apply to the model: too
/// little data to judge (under 5 MB), or nothing to report. (Fragmentation,
/// RSS and client-buffer findings need numbers the emulator does not have.)
fn memory_doctor(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    let used = ctx.engine.used_memory();
    let text = if used < 5 * 1024 * 1024 {
        concat!(
            "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used ",
            "in these conditions. Please, leave for your mission on Earth and fill it with some data. ",
            "The new Sam and I will be back to our programming as soon as I finished rebooting.\n"
        )
    } else {
        concat!(
            "Hi Sam, I can't find any memory issue in your instance. ",
            "I can only account for what occurs on this base.\n"
        )
    };
    Ok(Reply::Verbatim(text.to_string()))
}

/// MEMORY MALLOC-STATS — what Redis answers when not built with jemalloc.
fn memory_malloc_stats(_: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::Verbatim("Stats not supported for the current allocator".to_string()))
}

/// MEMORY PURGE — there is no allocator cache to purge; answers OK as Redis does.
fn memory_purge(_: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::OK)
}

/// MEMORY HELP
fn memory_help(_: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::subcommand_help(
        "memory",
        &[
            "DOCTOR",
            "    Return memory problems reports.",
            "MALLOC-STATS",
            "    Return internal statistics report from the memory allocator.",
            "PURGE",
            "    Attempt to purge dirty pages for reclamation by the allocator.",
            "STATS",
            "    Return information about the memory usage of the server.",
            "USAGE <key> [SAMPLES <count>]",
            "    Return memory in bytes used by <key> and its value. Nested values are",
            "    sampled up to <count> times (default: 5, 0 means sample all).",
        ],
    ))
}
