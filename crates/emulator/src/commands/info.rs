//! INFO [section ...]: the server's state as `field:value` lines grouped in
//! sections. Only fields the emulator can compute honestly are shown
//! (no CPU times, RSS, allocator or network byte counters).

use crate::command::{flags::*, CommandResult, CommandSpec, Group};
use crate::engine::{Ctx, Engine, REDIS_VERSION};
use crate::memory;
use crate::reply::Reply;

const BASE: CommandSpec = CommandSpec { group: Group::Server, ..CommandSpec::DEFAULT };

pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "info",
    arity: -1,
    flags: LOADING | STALE,
    summary: "Reports server state and statistics, by section",
    syntax: "[section [section ...]]",
    acl: &["@slow", "@dangerous"],
    handler: info,
    ..BASE
}];

/// Sections in output order; `true` marks the ones shown by default.
const SECTIONS: &[(&str, bool)] = &[
    ("server", true),
    ("clients", true),
    ("memory", true),
    ("persistence", true),
    ("stats", true),
    ("replication", true),
    ("cpu", true),
    ("modules", true),
    ("commandstats", false),
    ("errorstats", true),
    ("latencystats", false),
    ("cluster", true),
    ("keyspace", true),
];

/// Which sections an INFO call asks for (Redis's `genInfoSectionDict`).
fn wanted(argv: &[Vec<u8>]) -> Vec<&'static str> {
    if argv.len() <= 1 {
        return SECTIONS.iter().filter(|(_, d)| *d).map(|(n, _)| *n).collect();
    }
    let mut out: Vec<&'static str> = Vec::new();
    for arg in &argv[1..] {
        let a = String::from_utf8_lossy(arg).to_ascii_lowercase();
        match a.as_str() {
            "all" | "everything" => out.extend(SECTIONS.iter().map(|(n, _)| *n)),
            "default" => out.extend(SECTIONS.iter().filter(|(_, d)| *d).map(|(n, _)| *n)),
            other => {
                if let Some((n, _)) = SECTIONS.iter().find(|(n, _)| *n == other) {
                    out.push(n);
                }
            }
        }
    }
    out
}

/// INFO [section [section ...]] — unknown section names are ignored, as
/// in Redis (a call naming only unknown sections answers an empty text).
fn info(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let sections = wanted(argv);
    Ok(Reply::Verbatim(render(ctx.engine, ctx.client.db, &sections, 1)))
}

/// The INFO text for the given sections (`extra_clients` counts the caller,
/// who is outside the engine's client table while its command runs).
pub fn render(engine: &Engine, _db: usize, sections: &[&str], extra_clients: usize) -> String {
    let mut out = String::new();
    for (name, _) in SECTIONS {
        if !sections.contains(name) {
            continue;
        }
        if !out.is_empty() {
            out.push_str("\r\n");
        }
        let title = match *name {
            "commandstats" => "Commandstats".to_string(),
            "errorstats" => "Errorstats".to_string(),
            "latencystats" => "Latencystats".to_string(),
            "cpu" => "CPU".to_string(),
            other => {
                let mut t = other.to_string();
                if let Some(first) = t.get_mut(..1) {
                    first.make_ascii_uppercase();
                }
                t
            }
        };
        out.push_str(&format!("# {title}\r\n"));
        for (k, v) in section(engine, name, extra_clients) {
            out.push_str(&format!("{k}:{v}\r\n"));
        }
    }
    out
}

fn section(engine: &Engine, name: &str, extra_clients: usize) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = Vec::new();
    let mut add = |k: &str, v: String| f.push((k.to_string(), v));
    let now_ms = engine.now_ms();
    match name {
        "server" => {
            let uptime = engine.uptime_ms().max(0) / 1000;
            add("redis_version", REDIS_VERSION.into());
            add("redis_git_sha1", "00000000".into());
            add("redis_git_dirty", "0".into());
            add("redis_mode", "standalone".into());
            add("server_time_usec", engine.clock.now_us().to_string());
            add("uptime_in_seconds", uptime.to_string());
            add("uptime_in_days", (uptime / 86_400).to_string());
            add("hz", engine.config.hz.to_string());
            add("configured_hz", engine.config.hz.to_string());
            add("lru_clock", crate::access::lru_clock(now_ms).to_string());
            add("config_file", String::new());
            add("io_threads_active", "0".into());
        }
        "clients" => {
            // Replicas' connections are not counted, as in Redis.
            let replicas = engine.replicas().len();
            let clients = (engine.clients.len() + extra_clients).saturating_sub(replicas);
            let blocked = engine.clients.values().filter(|c| c.blocked.is_some()).count();
            let timed =
                engine.clients.values().filter(|c| c.blocked.as_ref().is_some_and(|b| b.deadline_ms.is_some())).count();
            add("connected_clients", clients.to_string());
            add("cluster_connections", "0".into());
            add("maxclients", engine.config.maxclients.to_string());
            add("blocked_clients", blocked.to_string());
            add("tracking_clients", engine.tracking.tracking_clients().to_string());
            add("clients_in_timeout_table", timed.to_string());
        }
        "memory" => {
            let used = engine.used_memory();
            let peak = engine.server.memory.peak.max(used);
            let dataset = memory::dataset_bytes(&engine.server.memory, &engine.keyspace.dbs);
            let tables: u64 = engine.keyspace.dbs.iter().map(|d| memory::db_overhead(d) as u64).sum();
            let keys_bytes = dataset.saturating_sub(tables);
            let overhead = memory::STARTUP_BYTES + tables;
            let net = used.saturating_sub(memory::STARTUP_BYTES);
            let max = engine.config.maxmemory;
            add("used_memory", used.to_string());
            add("used_memory_human", memory::human(used));
            add("used_memory_peak", peak.to_string());
            add("used_memory_peak_human", memory::human(peak));
            add("used_memory_peak_perc", format!("{:.2}%", used as f64 * 100.0 / peak.max(1) as f64));
            add("used_memory_overhead", overhead.to_string());
            add("used_memory_startup", memory::STARTUP_BYTES.to_string());
            add("used_memory_dataset", keys_bytes.to_string());
            add(
                "used_memory_dataset_perc",
                format!("{:.2}%", if net == 0 { 0.0 } else { keys_bytes as f64 * 100.0 / net as f64 }),
            );
            // Scripts: the cached EVAL bodies and the libraries' code. No Lua
            // interpreter is kept between scripts (each run gets a fresh
            // one), so the interpreters hold nothing.
            let scripts = &engine.scripts;
            let eval_bytes: usize = scripts.scripts.iter().map(|(sha, body)| sha.len() + body.len()).sum();
            let function_bytes: usize = scripts.functions.codes().iter().map(|c| c.len()).sum();
            add("used_memory_lua", "0".into());
            add("used_memory_vm_eval", "0".into());
            add("used_memory_lua_human", memory::human(0));
            add("used_memory_scripts_eval", eval_bytes.to_string());
            add("number_of_cached_scripts", scripts.scripts.len().to_string());
            add("number_of_functions", scripts.functions.function_count().to_string());
            add("number_of_libraries", scripts.functions.libraries.len().to_string());
            add("used_memory_vm_functions", "0".into());
            add("used_memory_vm_total", "0".into());
            add("used_memory_vm_total_human", memory::human(0));
            add("used_memory_functions", function_bytes.to_string());
            add("used_memory_scripts", (eval_bytes + function_bytes).to_string());
            add("used_memory_scripts_human", memory::human((eval_bytes + function_bytes) as u64));
            add("maxmemory", max.to_string());
            add("maxmemory_human", memory::human(max));
            add("maxmemory_policy", engine.config.maxmemory_policy.name().into());
            add("mem_not_counted_for_evict", "0".into());
            // Frees happen at once here: nothing is ever pending.
            add("lazyfree_pending_objects", "0".into());
            add("lazyfreed_objects", "0".into());
        }
        "persistence" => {
            // Redis 7.0's fields in its order; saves and rewrites finish at
            // once here, so fork and copy-on-write figures are zero.
            let s = &engine.server;
            let status = |ok: bool| if ok { "ok" } else { "err" }.to_string();
            let zero = |add: &mut dyn FnMut(&str, String), names: &[&str]| {
                for n in names {
                    add(n, "0".into());
                }
            };
            zero(&mut add, &["loading", "async_loading", "current_cow_peak", "current_cow_size"]);
            zero(&mut add, &["current_cow_size_age"]);
            add("current_fork_perc", "0.00".into());
            zero(&mut add, &["current_save_keys_processed", "current_save_keys_total"]);
            add("rdb_changes_since_last_save", s.dirty.to_string());
            add("rdb_bgsave_in_progress", "0".into());
            add("rdb_last_save_time", s.last_save_s.to_string());
            add("rdb_last_bgsave_status", status(s.last_bgsave_ok));
            add("rdb_last_bgsave_time_sec", if s.bgsaves > 0 { "0" } else { "-1" }.into());
            add("rdb_current_bgsave_time_sec", "-1".into());
            add("rdb_saves", s.saves.to_string());
            add("rdb_last_cow_size", "0".into());
            add("rdb_last_load_keys_expired", s.last_load_expired.to_string());
            add("rdb_last_load_keys_loaded", s.last_load_keys.to_string());
            add("aof_enabled", (s.aof.is_enabled() as u8).to_string());
            zero(&mut add, &["aof_rewrite_in_progress", "aof_rewrite_scheduled"]);
            add("aof_last_rewrite_time_sec", if s.aof.rewrites > 0 { "0" } else { "-1" }.into());
            add("aof_current_rewrite_time_sec", "-1".into());
            add("aof_last_bgrewrite_status", "ok".into());
            add("aof_rewrites", s.aof.rewrites.to_string());
            add("aof_rewrites_consecutive_failures", "0".into());
            add("aof_last_write_status", "ok".into());
            zero(&mut add, &["aof_last_cow_size", "module_fork_in_progress", "module_fork_last_cow_size"]);
            if s.aof.is_enabled() {
                // Redis prints the sizes only while the AOF is on.
                let (current, base) = crate::persist::aof_sizes(engine);
                add("aof_current_size", current.to_string());
                add("aof_base_size", base.to_string());
                zero(&mut add, &["aof_pending_rewrite", "aof_buffer_length", "aof_pending_bio_fsync"]);
                add("aof_delayed_fsync", "0".into());
            }
        }
        "stats" => {
            let st = &engine.stats;
            let ops = st.recent_ops.per_second(now_ms);
            add("total_connections_received", st.total_connections_received.to_string());
            add("total_commands_processed", st.total_commands_processed.to_string());
            add("instantaneous_ops_per_sec", ops.to_string());
            add("rejected_connections", "0".into());
            let (full, partial_ok, partial_err) = engine.sync_counts();
            add("sync_full", full.to_string());
            add("sync_partial_ok", partial_ok.to_string());
            add("sync_partial_err", partial_err.to_string());
            add("expired_keys", st.expired_keys.to_string());
            add("evicted_keys", st.evicted_keys.to_string());
            add("keyspace_hits", st.keyspace_hits.to_string());
            add("keyspace_misses", st.keyspace_misses.to_string());
            add("pubsub_channels", engine.pubsub.channels.len().to_string());
            add("pubsub_patterns", engine.pubsub.patterns.len().to_string());
            add("pubsubshard_channels", engine.pubsub.shard_channels.len().to_string());
            add("migrate_cached_sockets", engine.migrate.cached.len().to_string());
            add("tracking_total_keys", engine.tracking.total_keys().to_string());
            add("tracking_total_items", engine.tracking.total_items().to_string());
            add("tracking_total_prefixes", engine.tracking.total_prefixes().to_string());
            add("total_error_replies", st.total_error_replies.to_string());
        }
        "replication" => {
            for (name, value) in crate::replication::info_fields(engine) {
                add(&name, value);
            }
        }
        "cluster" => add("cluster_enabled", if engine.cluster.is_some() { "1" } else { "0" }.into()),
        "cpu" => {
            // The engine runs on one thread: the main thread's figures are
            // the process's; it has no children.
            let cpu = engine.cpu_clock.map(|clock| clock()).unwrap_or_else(|| crate::engine::CpuTimes {
                user_s: engine.stats.commands.values().map(|s| s.usec).sum::<u64>() as f64 / 1e6,
                sys_s: 0.0,
            });
            add("used_cpu_sys", format!("{:.6}", cpu.sys_s));
            add("used_cpu_user", format!("{:.6}", cpu.user_s));
            add("used_cpu_sys_children", "0.000000".into());
            add("used_cpu_user_children", "0.000000".into());
            add("used_cpu_sys_main_thread", format!("{:.6}", cpu.sys_s));
            add("used_cpu_user_main_thread", format!("{:.6}", cpu.user_s));
        }
        "commandstats" => {
            let mut by_name: Vec<_> = engine.stats.commands.iter().collect();
            by_name.sort_unstable_by(|a, b| a.0.cmp(b.0));
            for (cmd, s) in by_name {
                if s.calls == 0 && s.rejected_calls == 0 && s.failed_calls == 0 {
                    continue;
                }
                let per_call = if s.calls == 0 { 0.0 } else { s.usec as f64 / s.calls as f64 };
                add(
                    &format!("cmdstat_{cmd}"),
                    format!(
                        "calls={},usec={},usec_per_call={per_call:.2},rejected_calls={},failed_calls={}",
                        s.calls, s.usec, s.rejected_calls, s.failed_calls
                    ),
                );
            }
        }
        "latencystats" => {
            // Each command's latency percentiles (`latency-tracking-info-
            // percentiles`), from its latency histogram: a percentile is
            // given as the upper bound of the histogram level it falls in.
            let wanted = engine.config.extra.get("latency-tracking-info-percentiles").cloned().unwrap_or_default();
            let percentiles: Vec<f64> = wanted.split_whitespace().filter_map(|p| p.parse().ok()).collect();
            let mut by_name: Vec<_> = engine.stats.commands.iter().filter(|(_, s)| s.calls > 0).collect();
            by_name.sort_unstable_by(|a, b| a.0.cmp(b.0));
            for (cmd, s) in by_name {
                let fields: Vec<String> = percentiles
                    .iter()
                    .map(|&p| {
                        let usec = crate::latency::percentile_usec(&s.latency_levels, p);
                        format!("p{p}={usec:.3}")
                    })
                    .collect();
                add(&format!("latency_percentiles_usec_{cmd}"), fields.join(","));
            }
        }
        "errorstats" => {
            for (code, count) in &engine.stats.errors {
                add(&format!("errorstat_{code}"), format!("count={count}"));
            }
        }
        "keyspace" => {
            for (i, db) in engine.keyspace.dbs.iter().enumerate() {
                if db.is_empty() {
                    continue;
                }
                add(
                    &format!("db{i}"),
                    format!("keys={},expires={},avg_ttl={}", db.len(), db.volatile_len(), avg_ttl(db, now_ms)),
                );
            }
        }
        _ => {}
    }
    f
}

/// Average remaining TTL (ms) of the keys with one. Redis estimates this
/// from its expiry sampling; here it is exact for databases up to 100 000
/// keys and estimated from 1 000 random volatile keys beyond (with a private
/// generator, so INFO never changes what the engine's RNG produces next).
fn avg_ttl(db: &crate::db::Db, now_ms: i64) -> i64 {
    const EXACT_UP_TO: usize = 100_000;
    const SAMPLES: usize = 1_000;
    let (mut sum, mut n) = (0i128, 0i128);
    if db.len() <= EXACT_UP_TO {
        for (_, e) in db.iter() {
            if let Some(at) = e.expire_at() {
                sum += (at - now_ms).max(0) as i128;
                n += 1;
            }
        }
    } else {
        let mut rng = crate::rng::Rng::new(db.len() as u64);
        for _ in 0..SAMPLES.min(db.volatile_len()) {
            if let Some(at) = db.random_volatile(|len| rng.index(len)).and_then(|(_, e)| e.expire_at()) {
                sum += (at - now_ms).max(0) as i128;
                n += 1;
            }
        }
    }
    if n == 0 {
        0
    } else {
        (sum / n) as i64
    }
}
