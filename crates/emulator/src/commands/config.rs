//! CONFIG GET / SET / RESETSTAT / REWRITE / HELP.
//!
//! Parameters are described once in [`PARAMS`]: name, old alias, kind
//! (boolean, integer range, memory size, enumeration…) and whether they can
//! be changed. CONFIG SET validates every pair before changing anything, as
//! Redis 7.0 does, so a failing call leaves the configuration untouched.

use std::collections::BTreeMap;

use crate::args;
use crate::command::{flags::*, CommandSpec, Group};
use crate::config::{Config, EvictionPolicy};
use crate::engine::Ctx;
use crate::errors;
use crate::reply::Reply;

pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "config",
    arity: -2,
    group: Group::Server,
    summary: "Reads or changes the server's configuration",
    syntax: "GET|SET|RESETSTAT|REWRITE|HELP ...",
    subcommands: SUBCOMMANDS,
    ..CommandSpec::DEFAULT
}];

const SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "get",
        parent: "config",
        arity: -3,
        flags: ADMIN | NOSCRIPT | LOADING | STALE,
        group: Group::Server,
        since: "2.0.0",
        complexity: "O(N) when N is the number of configuration parameters provided",
        summary: "Returns the parameters matching glob patterns, with their values",
        syntax: "parameter [parameter ...]",
        handler: |c, a| Ok(config_get(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "set",
        parent: "config",
        arity: -4,
        flags: ADMIN | NOSCRIPT | LOADING | STALE,
        group: Group::Server,
        since: "2.0.0",
        complexity: "O(N) when N is the number of configuration parameters provided",
        summary: "Changes parameters at run time; all or none are applied",
        syntax: "parameter value [parameter value ...]",
        handler: |c, a| Ok(config_set(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "resetstat",
        parent: "config",
        arity: 2,
        flags: ADMIN | NOSCRIPT | LOADING | STALE,
        group: Group::Server,
        since: "2.0.0",
        summary: "Zeroes the statistics INFO reports",
        handler: |c, a| Ok(config_resetstat(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "rewrite",
        parent: "config",
        arity: 2,
        flags: ADMIN | NOSCRIPT | LOADING | STALE,
        group: Group::Server,
        since: "2.8.0",
        summary: "Writes the running configuration to the config file",
        handler: |c, a| Ok(config_rewrite(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "help",
        parent: "config",
        arity: 2,
        flags: LOADING | STALE,
        group: Group::Server,
        since: "5.0.0",
        summary: "Lists the CONFIG subcommands",
        handler: |c, a| Ok(config_help(c, a)),
        ..CommandSpec::DEFAULT
    },
];

/// What values a parameter accepts.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Bool,
    /// An integer within the inclusive range.
    Int(i64, i64),
    /// A memory size (`100mb`, `1gb`, `5k`…) within the inclusive range.
    Mem(u64, u64),
    Enum(&'static [&'static str]),
    /// Free text (validated by a special rule if any).
    Text,
}

/// How a parameter may be changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    Mutable,
    Immutable,
    Protected,
}

struct Param {
    name: &'static str,
    alias: Option<&'static str>,
    kind: Kind,
    access: Access,
}

const INT_MAX: i64 = i32::MAX as i64;
const LONG_MAX: i64 = i64::MAX;
const POLICIES: &[&str] = &[
    "volatile-lru",
    "volatile-lfu",
    "volatile-random",
    "volatile-ttl",
    "allkeys-lru",
    "allkeys-lfu",
    "allkeys-random",
    "noeviction",
];

const fn p(name: &'static str, kind: Kind) -> Param {
    Param { name, alias: None, kind, access: Access::Mutable }
}

const fn aliased(name: &'static str, alias: &'static str, kind: Kind) -> Param {
    Param { name, alias: Some(alias), kind, access: Access::Mutable }
}

const fn fixed(name: &'static str, kind: Kind) -> Param {
    Param { name, alias: None, kind, access: Access::Immutable }
}

const fn protected(name: &'static str, kind: Kind) -> Param {
    Param { name, alias: None, kind, access: Access::Protected }
}

/// Every parameter CONFIG knows. The first group is live (it changes how
/// the emulator behaves); `extra` ones are stored and reported only.
const PARAMS: &[Param] = &[
    p("maxmemory", Kind::Mem(0, u64::MAX)),
    p("maxmemory-policy", Kind::Enum(POLICIES)),
    p("maxmemory-samples", Kind::Int(1, INT_MAX)),
    p("lfu-log-factor", Kind::Int(0, INT_MAX)),
    p("lfu-decay-time", Kind::Int(0, INT_MAX)),
    p("hz", Kind::Int(0, INT_MAX)),
    p("notify-keyspace-events", Kind::Text),
    p("proto-max-bulk-len", Kind::Mem(1024 * 1024, LONG_MAX as u64)),
    aliased("list-max-listpack-size", "list-max-ziplist-size", Kind::Int(i32::MIN as i64, INT_MAX)),
    p("list-compress-depth", Kind::Int(0, INT_MAX)),
    aliased("hash-max-listpack-entries", "hash-max-ziplist-entries", Kind::Int(0, LONG_MAX)),
    aliased("hash-max-listpack-value", "hash-max-ziplist-value", Kind::Int(0, LONG_MAX)),
    p("set-max-intset-entries", Kind::Int(0, LONG_MAX)),
    aliased("zset-max-listpack-entries", "zset-max-ziplist-entries", Kind::Int(0, LONG_MAX)),
    aliased("zset-max-listpack-value", "zset-max-ziplist-value", Kind::Int(0, LONG_MAX)),
    p("stream-node-max-bytes", Kind::Mem(0, LONG_MAX as u64)),
    p("stream-node-max-entries", Kind::Int(0, LONG_MAX)),
    p("save", Kind::Text),
    p("appendonly", Kind::Bool),
    fixed("databases", Kind::Int(1, INT_MAX)),
    p("slowlog-log-slower-than", Kind::Int(-1, LONG_MAX)),
    p("slowlog-max-len", Kind::Int(0, LONG_MAX)),
    aliased("busy-reply-threshold", "lua-time-limit", Kind::Int(0, LONG_MAX)),
    p("timeout", Kind::Int(0, INT_MAX)),
    p("maxclients", Kind::Int(1, u32::MAX as i64)),
    // Reported and settable, without effect in the emulator.
    p("maxmemory-eviction-tenacity", Kind::Int(0, 100)),
    p("maxmemory-clients", Kind::Mem(0, LONG_MAX as u64)),
    p("active-expire-effort", Kind::Int(1, 10)),
    p("activerehashing", Kind::Bool),
    p("appendfsync", Kind::Enum(&["always", "everysec", "no"])),
    p("loglevel", Kind::Enum(&["debug", "verbose", "notice", "warning"])),
    p("tcp-keepalive", Kind::Int(0, INT_MAX)),
    p("lazyfree-lazy-eviction", Kind::Bool),
    p("lazyfree-lazy-expire", Kind::Bool),
    p("lazyfree-lazy-server-del", Kind::Bool),
    p("lazyfree-lazy-user-del", Kind::Bool),
    p("lazyfree-lazy-user-flush", Kind::Bool),
    p("latency-tracking", Kind::Bool),
    p("latency-monitor-threshold", Kind::Int(0, LONG_MAX)),
    p("hll-sparse-max-bytes", Kind::Mem(0, LONG_MAX as u64)),
    p("client-query-buffer-limit", Kind::Mem(1024 * 1024, LONG_MAX as u64)),
    p("tracking-table-max-keys", Kind::Int(0, LONG_MAX)),
    p("acllog-max-len", Kind::Int(0, LONG_MAX)),
    p("stop-writes-on-bgsave-error", Kind::Bool),
    p("rdbcompression", Kind::Bool),
    p("rdbchecksum", Kind::Bool),
    p("dynamic-hz", Kind::Bool),
    p("protected-mode", Kind::Bool),
    aliased("replica-read-only", "slave-read-only", Kind::Bool),
    aliased("replica-serve-stale-data", "slave-serve-stale-data", Kind::Bool),
    p("aof-use-rdb-preamble", Kind::Bool),
    p("auto-aof-rewrite-percentage", Kind::Int(0, INT_MAX)),
    p("auto-aof-rewrite-min-size", Kind::Mem(0, LONG_MAX as u64)),
    p("repl-backlog-size", Kind::Mem(1, LONG_MAX as u64)),
    fixed("cluster-enabled", Kind::Bool),
    fixed("daemonize", Kind::Bool),
    fixed("io-threads", Kind::Int(1, 128)),
    fixed("appendfilename", Kind::Text),
    fixed("appenddirname", Kind::Text),
    protected("dbfilename", Kind::Text),
];

/// Defaults of the report-only parameters (Redis 7.0's, as CONFIG GET prints them).
pub fn default_extras() -> BTreeMap<&'static str, String> {
    [
        ("maxmemory-eviction-tenacity", "10"),
        ("maxmemory-clients", "0"),
        ("active-expire-effort", "1"),
        ("activerehashing", "yes"),
        ("appendfsync", "everysec"),
        ("loglevel", "notice"),
        ("tcp-keepalive", "300"),
        ("lazyfree-lazy-eviction", "no"),
        ("lazyfree-lazy-expire", "no"),
        ("lazyfree-lazy-server-del", "no"),
        ("lazyfree-lazy-user-del", "no"),
        ("lazyfree-lazy-user-flush", "no"),
        ("latency-tracking", "yes"),
        ("latency-monitor-threshold", "0"),
        ("client-query-buffer-limit", "1073741824"),
        ("tracking-table-max-keys", "1000000"),
        ("acllog-max-len", "128"),
        ("stop-writes-on-bgsave-error", "yes"),
        ("rdbcompression", "yes"),
        ("rdbchecksum", "yes"),
        ("dynamic-hz", "yes"),
        ("protected-mode", "yes"),
        ("replica-read-only", "yes"),
        ("replica-serve-stale-data", "yes"),
        ("aof-use-rdb-preamble", "yes"),
        ("auto-aof-rewrite-percentage", "100"),
        ("auto-aof-rewrite-min-size", "67108864"),
        ("repl-backlog-size", "1048576"),
        ("cluster-enabled", "no"),
        ("daemonize", "no"),
        ("io-threads", "1"),
        ("appendfilename", "appendonly.aof"),
        ("appenddirname", "appendonlydir"),
        ("dbfilename", "dump.rdb"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect()
}

fn find_param(name: &[u8]) -> Option<&'static Param> {
    PARAMS.iter().find(|p| args::is(name, p.name) || p.alias.is_some_and(|a| args::is(name, a)))
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

/// The value CONFIG GET prints for a parameter.
fn get_value(cfg: &Config, name: &str) -> String {
    match name {
        "maxmemory" => cfg.maxmemory.to_string(),
        "maxmemory-policy" => cfg.maxmemory_policy.name().to_string(),
        "maxmemory-samples" => cfg.maxmemory_samples.to_string(),
        "lfu-log-factor" => cfg.lfu_log_factor.to_string(),
        "lfu-decay-time" => cfg.lfu_decay_time.to_string(),
        "hz" => cfg.hz.to_string(),
        // Redis 7.0 never prints the `n` (new key) class it accepts.
        "notify-keyspace-events" => crate::notify::flags_to_string(cfg.notify_keyspace_events & !crate::notify::NEW),
        "proto-max-bulk-len" => cfg.proto_max_bulk_len.to_string(),
        "list-max-listpack-size" => cfg.list_max_listpack_size.to_string(),
        "list-compress-depth" => cfg.list_compress_depth.to_string(),
        "hash-max-listpack-entries" => cfg.hash_max_listpack_entries.to_string(),
        "hash-max-listpack-value" => cfg.hash_max_listpack_value.to_string(),
        "set-max-intset-entries" => cfg.set_max_intset_entries.to_string(),
        "zset-max-listpack-entries" => cfg.zset_max_listpack_entries.to_string(),
        "zset-max-listpack-value" => cfg.zset_max_listpack_value.to_string(),
        "stream-node-max-bytes" => cfg.stream_node_max_bytes.to_string(),
        "stream-node-max-entries" => cfg.stream_node_max_entries.to_string(),
        "save" => cfg.save.clone(),
        "appendonly" => yes_no(cfg.appendonly),
        "databases" => cfg.databases.to_string(),
        "slowlog-log-slower-than" => cfg.slowlog_log_slower_than.to_string(),
        "slowlog-max-len" => cfg.slowlog_max_len.to_string(),
        "busy-reply-threshold" => cfg.busy_reply_threshold_ms.to_string(),
        "timeout" => cfg.timeout.to_string(),
        "maxclients" => cfg.maxclients.to_string(),
        "hll-sparse-max-bytes" => cfg.hll_sparse_max_bytes.to_string(),
        other => cfg.extra.get(other).cloned().unwrap_or_default(),
    }
}

/// Redis's `memtoull`: digits with an optional unit (b, k, kb, m, mb, g, gb).
/// Like Redis 7.0, no digits count as 0, a too-large number saturates and
/// the unit multiplication wraps.
pub fn parse_memory(v: &[u8]) -> Option<u64> {
    let digits_end = v.iter().position(|c| !c.is_ascii_digit()).unwrap_or(v.len());
    let (num, unit) = v.split_at(digits_end);
    let unit = String::from_utf8_lossy(unit).to_ascii_lowercase();
    let mul: u64 = match unit.as_str() {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    if num.len() >= 128 {
        return None;
    }
    let value = num.iter().fold(0u64, |acc, d| acc.saturating_mul(10).saturating_add((d - b'0') as u64));
    Some(value.wrapping_mul(mul))
}

/// Validates `save`: pairs of positive integers (seconds changes), or empty.
fn valid_save(v: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(v).ok()?;
    let parts: Vec<&str> = text.split_whitespace().collect();
    if !parts.len().is_multiple_of(2) {
        return None;
    }
    for part in &parts {
        crate::float::parse_i64(part.as_bytes()).filter(|n| *n >= 0)?;
    }
    Some(parts.join(" "))
}

/// A parsed value ready to store.
enum Parsed {
    Int(i64),
    Mem(u64),
    Text(String),
}

fn parse_value(param: &Param, value: &[u8]) -> Result<Parsed, String> {
    match param.kind {
        Kind::Bool => {
            if args::is(value, "yes") {
                Ok(Parsed::Text("yes".into()))
            } else if args::is(value, "no") {
                Ok(Parsed::Text("no".into()))
            } else {
                Err("argument must be 'yes' or 'no'".into())
            }
        }
        Kind::Int(min, max) => {
            let n = crate::float::parse_i64(value).ok_or("argument couldn't be parsed into an integer")?;
            if n < min || n > max {
                return Err(format!("argument must be between {min} and {max} inclusive"));
            }
            Ok(Parsed::Int(n))
        }
        Kind::Mem(min, max) => {
            let n = parse_memory(value).ok_or("argument must be a memory value")?;
            if n < min || n > max {
                return Err(format!("argument must be between {min} and {max} inclusive"));
            }
            Ok(Parsed::Mem(n))
        }
        Kind::Enum(options) => options
            .iter()
            .find(|o| args::is(value, o))
            .map(|o| Parsed::Text(o.to_string()))
            .ok_or_else(|| format!("argument(s) must be one of the following: {}", options.join(", "))),
        Kind::Text => match param.name {
            "save" => valid_save(value).map(Parsed::Text).ok_or_else(|| "Invalid save parameters".to_string()),
            "notify-keyspace-events" => crate::notify::parse_flags(value)
                .map(|f| Parsed::Int(f as i64))
                .ok_or_else(|| "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.".to_string()),
            _ => Ok(Parsed::Text(String::from_utf8_lossy(value).into_owned())),
        },
    }
}

fn store(cfg: &mut Config, name: &'static str, v: Parsed) {
    let (int, unsigned) = match &v {
        Parsed::Int(n) => (*n, *n as u64),
        Parsed::Mem(n) => (*n as i64, *n),
        Parsed::Text(_) => (0, 0),
    };
    let text = match v {
        Parsed::Text(t) => t,
        Parsed::Int(n) => n.to_string(),
        Parsed::Mem(n) => n.to_string(),
    };
    match name {
        "maxmemory" => cfg.maxmemory = unsigned,
        "maxmemory-policy" => {
            cfg.maxmemory_policy = EvictionPolicy::from_name(&text).unwrap_or(cfg.maxmemory_policy);
        }
        "maxmemory-samples" => cfg.maxmemory_samples = int as u32,
        "lfu-log-factor" => cfg.lfu_log_factor = int as u32,
        "lfu-decay-time" => cfg.lfu_decay_time = int as u32,
        // Redis clamps hz to 1‥500.
        "hz" => cfg.hz = int.clamp(1, 500) as u32,
        "notify-keyspace-events" => cfg.notify_keyspace_events = int as u32,
        "proto-max-bulk-len" => cfg.proto_max_bulk_len = int,
        "list-max-listpack-size" => cfg.list_max_listpack_size = int,
        "list-compress-depth" => cfg.list_compress_depth = int,
        "hash-max-listpack-entries" => cfg.hash_max_listpack_entries = int as usize,
        "hash-max-listpack-value" => cfg.hash_max_listpack_value = int as usize,
        "set-max-intset-entries" => cfg.set_max_intset_entries = int as usize,
        "zset-max-listpack-entries" => cfg.zset_max_listpack_entries = int as usize,
        "zset-max-listpack-value" => cfg.zset_max_listpack_value = int as usize,
        "stream-node-max-bytes" => cfg.stream_node_max_bytes = int as u64,
        "stream-node-max-entries" => cfg.stream_node_max_entries = int as u64,
        "save" => cfg.save = text,
        "appendonly" => cfg.appendonly = text == "yes",
        "slowlog-log-slower-than" => cfg.slowlog_log_slower_than = int,
        "slowlog-max-len" => cfg.slowlog_max_len = int as u64,
        "busy-reply-threshold" => cfg.busy_reply_threshold_ms = int as u64,
        "timeout" => cfg.timeout = int as u64,
        "maxclients" => cfg.maxclients = int as u64,
        "hll-sparse-max-bytes" => cfg.hll_sparse_max_bytes = unsigned as usize,
        other => {
            cfg.extra.insert(other, text);
        }
    }
}

/// CONFIG GET parameter [parameter ...]
fn config_get(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let cfg = ctx.config();
    let mut found: Vec<(Vec<u8>, String)> = Vec::new();
    // Names already answered, compared without case as Redis's dictionary does.
    let has = |found: &[(Vec<u8>, String)], name: &[u8]| found.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
    for pattern in &argv[2..] {
        let is_glob = pattern.iter().any(|c| matches!(c, b'*' | b'?' | b'['));
        if !is_glob {
            if let Some(param) = find_param(pattern) {
                if !has(&found, pattern) {
                    found.push((pattern.clone(), get_value(cfg, param.name)));
                }
            }
            continue;
        }
        for param in PARAMS {
            for name in std::iter::once(param.name).chain(param.alias) {
                if has(&found, param.name.as_bytes()) || has(&found, name.as_bytes()) {
                    continue;
                }
                if crate::glob::glob_match(pattern, name.as_bytes(), true) {
                    found.push((name.as_bytes().to_vec(), get_value(cfg, param.name)));
                }
            }
        }
    }
    Reply::Map(found.into_iter().map(|(n, v)| (Reply::Bulk(n), Reply::Bulk(v.into_bytes()))).collect())
}

/// An argument as C's `%s` prints it: up to the first NUL byte.
fn c_str(arg: &[u8]) -> String {
    let end = arg.iter().position(|&b| b == 0).unwrap_or(arg.len());
    errors::show(&arg[..end], usize::MAX)
}

fn set_failed(arg: &[u8], why: &str) -> Reply {
    Reply::error(errors::sanitize(&format!(
        "ERR CONFIG SET failed (possibly related to argument '{}') - {why}",
        c_str(arg)
    )))
}

/// CONFIG SET parameter value [parameter value ...]
fn config_set(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    if !argv.len().is_multiple_of(2) {
        return Reply::error(errors::SYNTAX);
    }
    let pairs: Vec<(&Vec<u8>, &Vec<u8>)> = argv[2..].chunks(2).map(|c| (&c[0], &c[1])).collect();
    // First pass: every name must exist, be settable and appear once.
    let mut params: Vec<&'static Param> = Vec::with_capacity(pairs.len());
    let mut seen: Vec<&[u8]> = Vec::with_capacity(pairs.len());
    for (name, _) in &pairs {
        let Some(param) = find_param(name) else {
            return Reply::error(errors::sanitize(&format!(
                "ERR Unknown option or number of arguments for CONFIG SET - '{}'",
                c_str(name)
            )));
        };
        match param.access {
            Access::Immutable => return set_failed(name, "can't set immutable config"),
            Access::Protected => return set_failed(name, "can't set protected config"),
            Access::Mutable => {}
        }
        if seen.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            return set_failed(name, "duplicate parameter");
        }
        seen.push(name);
        params.push(param);
    }
    // Second pass: parse every value before changing anything.
    let mut parsed = Vec::with_capacity(pairs.len());
    for ((name, value), param) in pairs.iter().zip(&params) {
        match parse_value(param, value) {
            Ok(v) => parsed.push((param.name, v)),
            Err(why) => return set_failed(name, &why),
        }
    }
    let before = ctx.engine.config.clone();
    for (name, v) in parsed {
        store(&mut ctx.engine.config, name, v);
    }
    apply_changes(ctx, &before);
    Reply::OK
}

/// Side effects of a configuration change on the running engine.
fn apply_changes(ctx: &mut Ctx, before: &Config) {
    let engine = &mut *ctx.engine;
    if engine.config.appendonly != before.appendonly {
        crate::aof::set_enabled(engine, engine.config.appendonly);
    }
    if engine.config.maxmemory != before.maxmemory || engine.config.maxmemory_policy != before.maxmemory_policy {
        // Whether small integers are shared depends on both.
        crate::memory::recount(engine);
        engine.server.eviction_pool.clear();
    }
    let max_len = engine.config.slowlog_max_len;
    engine.server.slowlog.trim(max_len);
}

/// CONFIG RESETSTAT
fn config_resetstat(ctx: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    ctx.engine.stats.reset();
    let used = crate::memory::used_memory(ctx.engine);
    ctx.engine.server.memory.peak = used;
    Reply::OK
}

/// CONFIG REWRITE — there is no config file to rewrite.
fn config_rewrite(_: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    Reply::error("ERR The server is running without a config file")
}

/// CONFIG HELP
fn config_help(_: &mut Ctx, _: &[Vec<u8>]) -> Reply {
    Reply::subcommand_help(
        "config",
        &[
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "REWRITE",
            "    Rewrite the configuration file.",
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_units() {
        assert_eq!(parse_memory(b"100mb"), Some(100 * 1024 * 1024));
        assert_eq!(parse_memory(b"1GB"), Some(1024 * 1024 * 1024));
        assert_eq!(parse_memory(b"5k"), Some(5000));
        assert_eq!(parse_memory(b"0B"), Some(0));
        assert_eq!(parse_memory(b""), Some(0));
        assert_eq!(parse_memory(b"1.5mb"), None);
        assert_eq!(parse_memory(b"-1"), None);
        assert_eq!(parse_memory(b"mb"), Some(0));
        assert_eq!(parse_memory(b"99999999999999999999"), Some(u64::MAX));
    }

    #[test]
    fn every_param_has_a_value() {
        let cfg = Config::default();
        for p in PARAMS {
            let v = get_value(&cfg, p.name);
            assert!(!v.is_empty() || matches!(p.name, "notify-keyspace-events"), "{} has no value", p.name);
        }
    }
}
