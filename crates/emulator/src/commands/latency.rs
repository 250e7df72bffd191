//! LATENCY: the latency monitor's events (LATEST, HISTORY, RESET, GRAPH,
//! DOCTOR) and the per-command latency histograms (HISTOGRAM). The state
//! and the figures' rules are in `crate::latency`.

use crate::command::{flags::*, CommandResult, CommandSpec, Group};
use crate::commands;
use crate::engine::Ctx;
use crate::latency::{self, Series};
use crate::reply::Reply;

const BASE: CommandSpec = CommandSpec { group: Group::Server, since: "2.8.13", ..CommandSpec::DEFAULT };

const SUB: CommandSpec = CommandSpec {
    parent: "latency",
    flags: ADMIN | NOSCRIPT | LOADING | STALE,
    tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
    ..BASE
};

pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "latency",
    arity: -2,
    complexity: "Depends on subcommand.",
    summary: "Inspects latency spikes and per-command latency distributions",
    syntax: "subcommand [arguments]",
    subcommands: &[
        CommandSpec {
            name: "latest",
            arity: 2,
            summary: "Answers each event's latest and worst latency",
            handler: latency_latest,
            ..SUB
        },
        CommandSpec {
            name: "history",
            arity: 3,
            summary: "Answers an event's time and latency samples",
            syntax: "event",
            handler: latency_history,
            ..SUB
        },
        CommandSpec {
            name: "reset",
            arity: -2,
            summary: "Forgets the samples of some or all events",
            syntax: "[event [event ...]]",
            tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
            handler: latency_reset,
            ..SUB
        },
        CommandSpec {
            name: "histogram",
            arity: -2,
            since: "7.0.0",
            complexity: "O(N) where N is the number of commands with latency information being retrieved.",
            summary: "Answers commands' cumulative latency distributions",
            syntax: "[command [command ...]]",
            handler: latency_histogram,
            ..SUB
        },
        CommandSpec {
            name: "doctor",
            arity: 2,
            summary: "Reports on the latency events in words",
            handler: latency_doctor,
            ..SUB
        },
        CommandSpec {
            name: "graph",
            arity: 3,
            summary: "Draws an event's samples as an ASCII graph",
            syntax: "event",
            handler: latency_graph,
            ..SUB
        },
        CommandSpec {
            name: "help",
            arity: 2,
            flags: LOADING | STALE,
            summary: "Lists the LATENCY subcommands",
            tips: &[],
            handler: latency_help,
            ..SUB
        },
    ],
    ..BASE
}];

/// LATENCY LATEST — per event: name, time of the latest sample, its latency, the worst.
fn latency_latest(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    let events = ctx.engine.latency.events.iter().map(|(name, series)| {
        let last = series.latest();
        Reply::Array(vec![
            Reply::bulk(name.as_bytes()),
            Reply::Integer(last.time),
            Reply::Integer(last.latency as i64),
            Reply::Integer(series.max as i64),
        ])
    });
    Ok(Reply::Array(events.collect()))
}

fn series<'a>(ctx: &'a Ctx, name: &[u8]) -> Option<&'a Series> {
    ctx.engine.latency.events.get(String::from_utf8_lossy(name).as_ref())
}

/// LATENCY HISTORY event — (time, latency) pairs, oldest first; empty for an unknown event.
fn latency_history(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let samples = series(ctx, &argv[2]).map(|s| s.samples()).unwrap_or_default();
    let pairs = samples.iter().map(|s| Reply::Array(vec![Reply::Integer(s.time), Reply::Integer(s.latency as i64)]));
    Ok(Reply::Array(pairs.collect()))
}

/// LATENCY RESET [event …] — how many events were forgotten.
fn latency_reset(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let names = (argv.len() > 2).then(|| &argv[2..]);
    Ok(Reply::Integer(ctx.engine.latency.reset(names) as i64))
}

/// LATENCY HISTOGRAM [command …] — each command (or subcommand) that ran:
/// its calls and cumulative counts per latency range. A container names
/// its subcommands; unknown names are skipped.
fn latency_histogram(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let stats = &ctx.engine.stats.commands;
    let entry = |name: String| {
        let levels = stats.get(&name)?.latency_levels;
        let calls: u64 = levels.iter().sum();
        (calls > 0).then(|| {
            let cdf = latency::cumulative(&levels);
            let buckets = cdf.into_iter().map(|(l, n)| (Reply::Integer(l as i64), Reply::Integer(n as i64)));
            (
                Reply::bulk(name.into_bytes()),
                Reply::Map(vec![
                    (Reply::bulk_str("calls"), Reply::Integer(calls as i64)),
                    (Reply::bulk_str("histogram_usec"), Reply::Map(buckets.collect())),
                ]),
            )
        })
    };
    let names: Vec<String> = if argv.len() == 2 {
        let mut all: Vec<String> = stats.keys().cloned().collect();
        all.sort();
        all
    } else {
        argv[2..].iter().filter_map(|n| find_by_full_name(n)).flat_map(with_subcommands).collect()
    };
    Ok(Reply::Map(names.into_iter().filter_map(entry).collect()))
}

/// A command's stats name, then its subcommands'.
fn with_subcommands(spec: &'static CommandSpec) -> Vec<String> {
    std::iter::once(spec).chain(spec.subcommands.iter()).map(|c| c.full_name()).collect()
}

/// `get` or `client|id`, as Redis's `lookupCommandBySds` reads it.
fn find_by_full_name(name: &[u8]) -> Option<&'static CommandSpec> {
    match name.iter().position(|&b| b == b'|') {
        None => commands::find(name),
        Some(i) => commands::find_subcommand(commands::find(&name[..i])?, &name[i + 1..]),
    }
}

/// LATENCY DOCTOR — a report on the recorded events.
fn latency_doctor(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    let threshold = ctx.engine.latency_threshold_ms();
    let events = &ctx.engine.latency.events;
    if events.is_empty() && threshold == 0 {
        return Ok(Reply::Verbatim(
            "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \
             \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep \
             space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n"
                .into(),
        ));
    }
    if events.is_empty() {
        return Ok(Reply::Verbatim(
            "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest \
             bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n"
                .into(),
        ));
    }
    let mut report = String::from(
        "Dave, I have observed latency spikes in this Redis instance. \
         You don't mind talking about it, do you Dave?\n\n",
    );
    for (n, (name, series)) in events.iter().enumerate() {
        let samples = series.samples();
        let count = samples.len().max(1) as u64;
        let avg = samples.iter().map(|s| s.latency).sum::<u64>() / count;
        let mad = samples.iter().map(|s| s.latency.abs_diff(avg)).sum::<u64>() / count;
        let period = match (samples.first(), samples.last()) {
            (Some(a), Some(b)) => (b.time - a.time) as f64 / count as f64,
            _ => 0.0,
        };
        report.push_str(&format!(
            "{}. {name}: {} latency spikes (average {avg}ms, mean deviation {mad}ms, period {period:.2} sec). \
             Worst all time event {}ms.\n",
            n + 1,
            samples.len(),
            series.max
        ));
    }
    report.push_str(
        "\nI have a few advices for you:\n\n- Check your slow log (SLOWLOG GET) for the commands that ran long, and \
         avoid commands that work on large collections at once (KEYS, SMEMBERS or HGETALL of big keys...).\n",
    );
    Ok(Reply::Verbatim(report))
}

/// LATENCY GRAPH event — Redis's sparkline of the event's samples, each
/// labelled with how long ago it was taken.
fn latency_graph(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let now_s = ctx.now_ms().div_euclid(1000);
    let Some(series) = series(ctx, &argv[2]) else {
        return Err(Reply::error(crate::errors::sanitize(&format!(
            "ERR No samples available for event '{}'",
            String::from_utf8_lossy(&argv[2])
        ))));
    };
    let samples = series.samples();
    let min = samples.iter().map(|s| s.latency).min().unwrap_or(0);
    let max = samples.iter().map(|s| s.latency).max().unwrap_or(0);
    let labelled: Vec<(u64, String)> = samples
        .iter()
        .map(|s| {
            let ago = now_s - s.time;
            let label = match ago {
                a if a < 60 => format!("{a}s"),
                a if a < 3600 => format!("{}m", a / 60),
                a if a < 86_400 => format!("{}h", a / 3600),
                a => format!("{}d", a / 86_400),
            };
            (s.latency, label)
        })
        .collect();
    let mut graph = format!(
        "{} - high {max} ms, low {min} ms (all time high {} ms)\n{}\n",
        String::from_utf8_lossy(&argv[2]),
        series.max,
        "-".repeat(80)
    );
    graph.push_str(&latency::sparkline(&labelled, min, max));
    Ok(Reply::Verbatim(graph))
}

/// LATENCY HELP
fn latency_help(_: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::subcommand_help(
        "LATENCY",
        &[
            "DOCTOR",
            "    Return a human readable latency analysis report.",
            "GRAPH <event>",
            "    Return an ASCII latency graph for the <event> class.",
            "HISTORY <event>",
            "    Return time-latency samples for the <event> class.",
            "LATEST",
            "    Return the latest latency samples for all events.",
            "RESET [<event> ...]",
            "    Reset latency data of one or more <event> classes.",
            "    (default: reset all data for all event classes)",
            "HISTOGRAM [COMMAND ...]",
            "    Return a cumulative distribution of latencies in the format of a histogram for the specified \
             command names.",
            "    If no commands are specified then all histograms are replied.",
        ],
    ))
}
