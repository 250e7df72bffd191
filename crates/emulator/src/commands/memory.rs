//! MEMORY USAGE / STATS / PURGE / HELP, from the model in `crate::memory`.

use crate::args;
use crate::command::{flags::*, CommandSpec, Group, KeySpec};
use crate::engine::Ctx;
use crate::errors;
use crate::memory;
use crate::reply::Reply;

pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "memory",
    arity: -2,
    group: Group::Server,
    since: "4.0.0",
    summary: "Reports how much memory keys and the server use",
    syntax: "USAGE|STATS|DOCTOR|MALLOC-STATS|PURGE|HELP ...",
    subcommands: SUBCOMMANDS,
    ..CommandSpec::DEFAULT
}];

const SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "usage",
        parent: "memory",
        arity: -3,
        flags: READONLY,
        group: Group::Server,
        since: "4.0.0",
        complexity: "O(N) where N is the number of samples.",
        summary: "Estimates the bytes a key and its value take",
        syntax: "key [SAMPLES count]",
        keys: KeySpec { first: 2, last: 2, step: 1 },
        handler: |c, a| Ok(memory_usage(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "stats",
        parent: "memory",
        arity: 2,
        group: Group::Server,
        since: "4.0.0",
        summary: "Breaks the server's memory use down",
        handler: |c, a| Ok(memory_stats(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "doctor",
        parent: "memory",
        arity: 2,
        group: Group::Server,
        since: "4.0.0",
        summary: "Describes memory problems, if any",
        handler: |c, a| Ok(memory_doctor(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "malloc-stats",
        parent: "memory",
        arity: 2,
        group: Group::Server,
        since: "4.0.0",
        summary: "Reports the allocator's own statistics (none here)",
        handler: |c, a| Ok(memory_malloc_stats(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "purge",
        parent: "memory",
        arity: 2,
        group: Group::Server,
        since: "4.0.0",
        summary: "Asks the allocator to return unused pages (nothing to do here)",
        handler: |c, a| Ok(memory_purge(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "help",
        parent: "memory",
        arity: 2,
        flags: LOADING | STALE,
        group: Group::Server,
        since: "4.0.0",
        summary: "Lists the MEMORY subcommands",
        handler: |c, a| Ok(memory_help(c, a)),
        ..CommandSpec::DEFAULT
    },
];

/// MEMORY USAGE key [SAMPLES count]
///
/// Collections are measured in full, so SAMPLES is validated but not needed.
fn memory_usage(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let mut i = 3;
    while i < argv.len() {
        if args::is(&argv[i], "SAMPLES") && i + 1 < argv.len() {
            match args::int(&argv[i + 1]) {
                Ok(n) if n >= 0 => {}
                Ok(_) => return Reply::error(errors::SYNTAX),
                Err(e) => return e,
            }
            i += 2;
        } else {
            return Reply::error(errors::SYNTAX);
        }
    }
    let key = &argv[2];
    match ctx.lookup_quiet(key) {
        None => Reply::Nil,
        Some(entry) => Reply::Integer(memory::usage_of(key, entry) as i64),
    }
}

/// MEMORY STATS
fn memory_stats(ctx: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    let engine = &*ctx.engine;
    let used = memory::used_memory(engine);
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
    for (i, db) in engine.dbs.iter().enumerate() {
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
    Reply::Map(out)
}

/// MEMORY DOCTOR — Redis's two verdicts that apply to the model: too
/// little data to judge (under 5 MB), or nothing to report. (Fragmentation,
/// RSS and client-buffer findings need numbers the emulator does not have.)
fn memory_doctor(ctx: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    let used = memory::used_memory(ctx.engine);
    let text = if used < 5 * 1024 * 1024 {
        "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n"
    } else {
        "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n"
    };
    Reply::Verbatim(text.to_string())
}

/// MEMORY MALLOC-STATS — what Redis answers when not built with jemalloc.
fn memory_malloc_stats(_: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    Reply::Verbatim("Stats not supported for the current allocator".to_string())
}

/// MEMORY PURGE — there is no allocator cache to purge; answers OK as Redis does.
fn memory_purge(_: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    Reply::OK
}

/// MEMORY HELP
fn memory_help(_: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    Reply::subcommand_help(
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
    )
}
