//! Server configuration with Redis 7.0's defaults, and the parameters
//! CONFIG GET/SET know: each one's name, old alias, accepted values, whether
//! it may change at run time and (for report-only ones) its default. The
//! CONFIG command handlers are in `commands::config`; this module only knows
//! values, not arguments or replies.

use std::collections::BTreeMap;

/// The eight `maxmemory-policy` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvictionPolicy {
    NoEviction,
    AllKeysLru,
    AllKeysLfu,
    AllKeysRandom,
    VolatileLru,
    VolatileLfu,
    VolatileRandom,
    VolatileTtl,
}

impl EvictionPolicy {
    pub const ALL: [EvictionPolicy; 8] = [
        EvictionPolicy::VolatileLru,
        EvictionPolicy::VolatileLfu,
        EvictionPolicy::VolatileRandom,
        EvictionPolicy::VolatileTtl,
        EvictionPolicy::AllKeysLru,
        EvictionPolicy::AllKeysLfu,
        EvictionPolicy::AllKeysRandom,
        EvictionPolicy::NoEviction,
    ];

    pub fn name(self) -> &'static str {
        match self {
            EvictionPolicy::NoEviction => "noeviction",
            EvictionPolicy::AllKeysLru => "allkeys-lru",
            EvictionPolicy::AllKeysLfu => "allkeys-lfu",
            EvictionPolicy::AllKeysRandom => "allkeys-random",
            EvictionPolicy::VolatileLru => "volatile-lru",
            EvictionPolicy::VolatileLfu => "volatile-lfu",
            EvictionPolicy::VolatileRandom => "volatile-random",
            EvictionPolicy::VolatileTtl => "volatile-ttl",
        }
    }

    pub fn from_name(name: &str) -> Option<EvictionPolicy> {
        EvictionPolicy::ALL.into_iter().find(|p| p.name().eq_ignore_ascii_case(name))
    }

    pub fn is_lfu(self) -> bool {
        matches!(self, EvictionPolicy::AllKeysLfu | EvictionPolicy::VolatileLfu)
    }
}

/// Runtime configuration. Field names follow the Redis parameters.
#[derive(Debug, Clone)]
pub struct Config {
    pub maxmemory: u64,
    pub maxmemory_policy: EvictionPolicy,
    pub maxmemory_samples: u32,
    pub lfu_log_factor: u32,
    pub lfu_decay_time: u32,
    pub hz: u32,
    /// `notify-keyspace-events` as Redis's flag bits.
    pub notify_keyspace_events: u32,
    /// Largest bulk string a client may send or a command may build.
    pub proto_max_bulk_len: i64,
    /// Largest sparse HyperLogLog (bytes, header included) before it turns dense.
    pub hll_sparse_max_bytes: usize,
    pub hash_max_listpack_entries: usize,
    pub hash_max_listpack_value: usize,
    pub set_max_intset_entries: usize,
    pub zset_max_listpack_entries: usize,
    pub zset_max_listpack_value: usize,
    pub list_max_listpack_size: i64,
    pub list_compress_depth: i64,
    pub stream_node_max_bytes: u64,
    pub stream_node_max_entries: u64,
    pub busy_reply_threshold_ms: u64,
    pub slowlog_log_slower_than: i64,
    pub slowlog_max_len: u64,
    pub save: String,
    pub appendonly: bool,
    pub databases: usize,
    /// Seconds of idleness after which a client is closed (0 = never).
    pub timeout: u64,
    pub maxclients: u64,
    /// `min-replicas-to-write`: read on every write, so kept typed.
    pub min_replicas_to_write: i64,
    /// Parameters the emulator accepts and reports but whose value changes
    /// nothing here (logging, threads, fsync policy…), as CONFIG GET prints them.
    pub extra: BTreeMap<&'static str, String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            maxmemory: 0,
            maxmemory_policy: EvictionPolicy::NoEviction,
            maxmemory_samples: 5,
            lfu_log_factor: 10,
            lfu_decay_time: 1,
            hz: 10,
            notify_keyspace_events: 0,
            proto_max_bulk_len: 512 * 1024 * 1024,
            hll_sparse_max_bytes: 3000,
            hash_max_listpack_entries: 512,
            hash_max_listpack_value: 64,
            set_max_intset_entries: 512,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
            list_max_listpack_size: -2,
            list_compress_depth: 0,
            stream_node_max_bytes: 4096,
            stream_node_max_entries: 100,
            busy_reply_threshold_ms: 5000,
            slowlog_log_slower_than: 10_000,
            slowlog_max_len: 128,
            save: "3600 1 300 100 60 10000".into(),
            appendonly: false,
            databases: 16,
            timeout: 0,
            maxclients: 10_000,
            min_replicas_to_write: 0,
            extra: default_extras(),
        }
    }
}

impl Config {
    /// Defaults for a browser tab: the same as Redis except that no single
    /// value may grow past 8 MB, so one command cannot exhaust the tab's
    /// memory (`SETBIT k 4294967295 1` is refused with Redis's offset error).
    pub fn browser() -> Config {
        Config { proto_max_bulk_len: 8 * 1024 * 1024, ..Config::default() }
    }
}

/// What values a parameter accepts.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// `yes` or `no`.
    Bool,
    /// An integer within the inclusive range.
    Int(i64, i64),
    /// A memory size (`100mb`, `1gb`, `5k`…) within the inclusive range.
    Mem(u64, u64),
    /// A memory size, or a percentage of `maxmemory` (`10%`), kept as text.
    MemOrPercent,
    /// `client-output-buffer-limit`: `class hard soft seconds` groups for
    /// some of the classes `normal`, `replica` (`slave`), `pubsub`.
    BufferLimits,
    /// One of the listed words, in any case.
    Enum(&'static [&'static str]),
    /// `save`'s pairs of `seconds changes`, or nothing.
    SaveRules,
    /// `notify-keyspace-events`'s class characters.
    EventClasses,
    /// Free text.
    Text,
}

/// How a parameter may be changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Mutable,
    /// Set at startup only.
    Immutable,
    /// Refused unless the server enables protected configs (never here).
    Protected,
}

/// One configuration parameter.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    /// The pre-7.0 name still accepted (`hash-max-ziplist-entries`).
    pub alias: Option<&'static str>,
    pub kind: Kind,
    pub access: Access,
    /// For parameters that change nothing here: the default kept in
    /// [`Config::extra`]. `None` for the ones stored in a [`Config`] field.
    pub reported_default: Option<&'static str>,
    /// Left out of CONFIG GET patterns (`*`), answered when named exactly
    /// (Redis's test-only settings such as `key-load-delay`).
    pub hidden: bool,
}

impl Param {
    /// A parameter that changes how the emulator behaves (a [`Config`] field).
    const fn live(name: &'static str, kind: Kind) -> Param {
        Param { name, alias: None, kind, access: Access::Mutable, reported_default: None, hidden: false }
    }

    /// A parameter that is only stored and reported, with Redis's default.
    const fn reported(name: &'static str, kind: Kind, default: &'static str) -> Param {
        Param { reported_default: Some(default), ..Param::live(name, kind) }
    }

    const fn alias(self, alias: &'static str) -> Param {
        Param { alias: Some(alias), ..self }
    }

    const fn hidden(self) -> Param {
        Param { hidden: true, ..self }
    }

    const fn immutable(self) -> Param {
        Param { access: Access::Immutable, ..self }
    }

    const fn protected(self) -> Param {
        Param { access: Access::Protected, ..self }
    }

    /// The name, then the alias if any.
    pub fn names(&self) -> impl Iterator<Item = &'static str> {
        std::iter::once(self.name).chain(self.alias)
    }

    /// True if `name` is this parameter's name or alias, ignoring case.
    pub fn is_named(&self, name: &[u8]) -> bool {
        self.names().any(|n| name.eq_ignore_ascii_case(n.as_bytes()))
    }

    /// Checks a value for this parameter; the error is the reason CONFIG SET prints.
    pub fn parse(&self, value: &[u8]) -> Result<ParamValue, String> {
        let is = |word: &str| value.eq_ignore_ascii_case(word.as_bytes());
        match self.kind {
            Kind::Bool if is("yes") => Ok(ParamValue::Text("yes".into())),
            Kind::Bool if is("no") => Ok(ParamValue::Text("no".into())),
            Kind::Bool => Err("argument must be 'yes' or 'no'".into()),
            Kind::Int(min, max) => {
                let n = crate::float::parse_i64(value).ok_or("argument couldn't be parsed into an integer")?;
                if n < min || n > max {
                    return Err(format!("argument must be between {min} and {max} inclusive"));
                }
                Ok(ParamValue::Int(n))
            }
            Kind::Mem(min, max) => {
                let n = parse_memory(value).ok_or("argument must be a memory value")?;
                if n < min || n > max {
                    return Err(format!("argument must be between {min} and {max} inclusive"));
                }
                Ok(ParamValue::Mem(n))
            }
            Kind::MemOrPercent => parse_mem_or_percent(value).map(ParamValue::Text),
            Kind::BufferLimits => parse_buffer_limits(value).map(ParamValue::Text),
            Kind::Enum(options) => options
                .iter()
                .find(|o| is(o))
                .map(|o| ParamValue::Text(o.to_string()))
                .ok_or_else(|| format!("argument(s) must be one of the following: {}", options.join(", "))),
            Kind::SaveRules => valid_save(value).map(ParamValue::Text).ok_or_else(|| "Invalid save parameters".into()),
            Kind::EventClasses => crate::notify::parse_flags(value)
                .map(|f| ParamValue::Int(f as i64))
                .ok_or_else(|| "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.".into()),
            Kind::Text => Ok(ParamValue::Text(String::from_utf8_lossy(value).into_owned())),
        }
    }
}

/// The classes of `client-output-buffer-limit`, in the order it prints them.
pub const BUFFER_CLASSES: [&str; 3] = ["normal", "slave", "pubsub"];

/// One class's output buffer limits: close a client past `hard` bytes, or
/// past `soft` bytes for `soft_seconds` (0 = no such limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BufferLimit {
    pub hard: u64,
    pub soft: u64,
    pub soft_seconds: u64,
}

/// Checks `client-output-buffer-limit` groups; the result names each class
/// as it prints (`slave` for `replica`), sizes in bytes.
fn parse_buffer_limits(value: &[u8]) -> Result<String, String> {
    let text = String::from_utf8_lossy(value);
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() || !words.len().is_multiple_of(4) {
        return Err("Wrong number of arguments in buffer limit configuration.".into());
    }
    let mut groups = Vec::new();
    for group in words.chunks(4) {
        let class = match group[0].to_ascii_lowercase().as_str() {
            "normal" => "normal",
            "replica" | "slave" => "slave",
            "pubsub" => "pubsub",
            _ => return Err("Invalid client class specified in buffer limit configuration.".into()),
        };
        let hard = parse_memory(group[1].as_bytes());
        let soft = parse_memory(group[2].as_bytes());
        let seconds = crate::float::parse_i64(group[3].as_bytes()).filter(|s| *s >= 0);
        let (Some(hard), Some(soft), Some(seconds)) = (hard, soft, seconds) else {
            return Err("Error in hard, soft or soft_seconds setting in buffer limit configuration.".into());
        };
        groups.push(format!("{class} {hard} {soft} {seconds}"));
    }
    Ok(groups.join(" "))
}

/// The `class hard soft seconds` groups of a checked
/// `client-output-buffer-limit` value, by class index.
fn limit_groups(text: &str) -> Vec<(usize, BufferLimit)> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let n = |s: &str| s.parse::<u64>().unwrap_or(0);
    words
        .chunks(4)
        .filter_map(|group| match group {
            [class, hard, soft, secs] => BUFFER_CLASSES
                .iter()
                .position(|c| c == class)
                .map(|i| (i, BufferLimit { hard: n(hard), soft: n(soft), soft_seconds: n(secs) })),
            _ => None,
        })
        .collect()
}

/// `maxmemory-clients`: a memory size (kept in bytes) or `N%` of maxmemory
/// (N ≤ 100), with Redis's reasons for refusing.
fn parse_mem_or_percent(value: &[u8]) -> Result<String, String> {
    if let Some(digits) = value.strip_suffix(b"%") {
        let n = crate::float::parse_i64(digits).filter(|n| *n >= 0);
        return match n {
            Some(n) if n <= 100 => Ok(format!("{n}%")),
            Some(_) => Err("percentage argument must be less or equal to 100".into()),
            None => Err("argument must be a memory or percent value".into()),
        };
    }
    match parse_memory(value) {
        Some(n) if n <= LONG_MAX as u64 => Ok(n.to_string()),
        _ => Err("argument must be a memory or percent value".into()),
    }
}

/// A checked value ready to store with [`Config::set_param`].
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    Int(i64),
    Mem(u64),
    Text(String),
}

const INT_MAX: i64 = i32::MAX as i64;
const LONG_MAX: i64 = i64::MAX;
const SHUTDOWN_FLAGS: &[&str] = &["default", "save", "nosave", "now", "force"];
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

/// Every parameter CONFIG knows, in the order CONFIG GET lists matches.
/// The live ones come first; the `reported` ones are stored and reported only.
pub const PARAMS: &[Param] = &[
    Param::live("maxmemory", Kind::Mem(0, u64::MAX)),
    Param::live("maxmemory-policy", Kind::Enum(POLICIES)),
    Param::live("maxmemory-samples", Kind::Int(1, INT_MAX)),
    Param::live("lfu-log-factor", Kind::Int(0, INT_MAX)),
    Param::live("lfu-decay-time", Kind::Int(0, INT_MAX)),
    Param::live("hz", Kind::Int(0, INT_MAX)),
    Param::live("notify-keyspace-events", Kind::EventClasses),
    Param::live("proto-max-bulk-len", Kind::Mem(1024 * 1024, LONG_MAX as u64)),
    Param::live("list-max-listpack-size", Kind::Int(i32::MIN as i64, INT_MAX)).alias("list-max-ziplist-size"),
    Param::live("list-compress-depth", Kind::Int(0, INT_MAX)),
    Param::live("hash-max-listpack-entries", Kind::Int(0, LONG_MAX)).alias("hash-max-ziplist-entries"),
    Param::live("hash-max-listpack-value", Kind::Int(0, LONG_MAX)).alias("hash-max-ziplist-value"),
    Param::live("set-max-intset-entries", Kind::Int(0, LONG_MAX)),
    Param::live("zset-max-listpack-entries", Kind::Int(0, LONG_MAX)).alias("zset-max-ziplist-entries"),
    Param::live("zset-max-listpack-value", Kind::Int(0, LONG_MAX)).alias("zset-max-ziplist-value"),
    Param::live("stream-node-max-bytes", Kind::Mem(0, LONG_MAX as u64)),
    Param::live("stream-node-max-entries", Kind::Int(0, LONG_MAX)),
    Param::live("save", Kind::SaveRules),
    Param::live("appendonly", Kind::Bool),
    Param::live("databases", Kind::Int(1, INT_MAX)).immutable(),
    Param::live("slowlog-log-slower-than", Kind::Int(-1, LONG_MAX)),
    Param::live("slowlog-max-len", Kind::Int(0, LONG_MAX)),
    Param::live("busy-reply-threshold", Kind::Int(0, LONG_MAX)).alias("lua-time-limit"),
    Param::live("timeout", Kind::Int(0, INT_MAX)),
    Param::live("maxclients", Kind::Int(1, u32::MAX as i64)),
    Param::reported("maxmemory-eviction-tenacity", Kind::Int(0, 100), "10"),
    Param::reported("maxmemory-clients", Kind::MemOrPercent, "0"),
    Param::reported("port", Kind::Int(0, 65535), "6379"),
    Param::reported("bind", Kind::Text, "* -::*"),
    Param::reported(
        "client-output-buffer-limit",
        Kind::BufferLimits,
        "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
    ),
    Param::reported("enable-module-command", Kind::Enum(&["no", "yes", "local"]), "no").immutable(),
    // DEBUG is allowed here (lessons use RELOAD and CRASH-AND-RECOVER): the
    // setting says so, where Redis's default is "no".
    Param::reported("enable-debug-command", Kind::Enum(&["no", "yes", "local"]), "yes").immutable(),
    Param::reported("enable-protected-configs", Kind::Enum(&["no", "yes", "local"]), "no").immutable(),
    // Settings of the process, its logs, threads, TLS and memory allocator:
    // accepted with Redis's checks and reported, with no effect here (the
    // server speaks plain TCP, runs one thread, logs to stderr).
    Param::reported("active-defrag-cycle-max", Kind::Int(1, 99), "25"),
    Param::reported("active-defrag-cycle-min", Kind::Int(1, 99), "1"),
    Param::reported("active-defrag-ignore-bytes", Kind::Mem(1, LONG_MAX as u64), "104857600"),
    Param::reported("active-defrag-max-scan-fields", Kind::Int(1, LONG_MAX), "1000"),
    Param::reported("active-defrag-threshold-lower", Kind::Int(0, 1000), "10"),
    Param::reported("active-defrag-threshold-upper", Kind::Int(0, 1000), "100"),
    Param::reported("activedefrag", Kind::Bool, "no"),
    Param::reported("always-show-logo", Kind::Bool, "no").immutable(),
    Param::reported("aof-disable-auto-gc", Kind::Bool, "no"),
    Param::reported("aof-rewrite-incremental-fsync", Kind::Bool, "yes"),
    Param::reported("aof-timestamp-enabled", Kind::Bool, "no"),
    Param::reported("aof_rewrite_cpulist", Kind::Text, "").immutable(),
    Param::reported("bgsave_cpulist", Kind::Text, "").immutable(),
    Param::reported("bio_cpulist", Kind::Text, "").immutable(),
    Param::reported("server_cpulist", Kind::Text, "").immutable(),
    Param::reported("bind-source-addr", Kind::Text, ""),
    Param::reported("crash-log-enabled", Kind::Bool, "yes"),
    Param::reported("crash-memcheck-enabled", Kind::Bool, "yes"),
    Param::reported("disable-thp", Kind::Bool, "yes").immutable(),
    Param::reported("ignore-warnings", Kind::Text, ""),
    Param::reported("io-threads-do-reads", Kind::Bool, "no").immutable(),
    Param::reported("jemalloc-bg-thread", Kind::Bool, "yes"),
    Param::reported("latency-tracking-info-percentiles", Kind::Text, "50 99 99.9"),
    Param::reported("logfile", Kind::Text, "").immutable(),
    Param::reported("pidfile", Kind::Text, "").immutable(),
    Param::reported("no-appendfsync-on-rewrite", Kind::Bool, "no"),
    Param::reported("oom-score-adj", Kind::Enum(&["no", "yes", "relative", "absolute"]), "no"),
    Param::reported("oom-score-adj-values", Kind::Text, "0 200 800"),
    Param::reported("proc-title-template", Kind::Text, "{title} {listen-addr} {server-mode}"),
    Param::reported("propagation-error-behavior", Kind::Enum(&["ignore", "panic", "panic-on-replicas"]), "ignore"),
    Param::reported("rdb-del-sync-files", Kind::Bool, "no"),
    Param::reported("rdb-save-incremental-fsync", Kind::Bool, "yes"),
    Param::reported("sanitize-dump-payload", Kind::Enum(&["no", "yes", "clients"]), "no"),
    Param::reported("set-proc-title", Kind::Bool, "yes").immutable(),
    Param::reported("shutdown-on-sigint", Kind::Enum(SHUTDOWN_FLAGS), "default"),
    Param::reported("shutdown-on-sigterm", Kind::Enum(SHUTDOWN_FLAGS), "default"),
    Param::reported("shutdown-timeout", Kind::Int(0, INT_MAX), "10"),
    Param::reported("socket-mark-id", Kind::Int(0, u32::MAX as i64), "0").immutable(),
    Param::reported("supervised", Kind::Enum(&["upstart", "systemd", "auto", "no"]), "no").immutable(),
    Param::reported("syslog-enabled", Kind::Bool, "no").immutable(),
    Param::reported("syslog-facility", Kind::Text, "local0").immutable(),
    Param::reported("syslog-ident", Kind::Text, "redis").immutable(),
    Param::reported("tcp-backlog", Kind::Int(0, INT_MAX), "511").immutable(),
    Param::reported("unixsocket", Kind::Text, "").immutable(),
    Param::reported("unixsocketperm", Kind::Int(0, 0o777), "0").immutable(),
    Param::reported("tls-auth-clients", Kind::Enum(&["no", "yes", "optional"]), "yes"),
    Param::reported("tls-ca-cert-dir", Kind::Text, ""),
    Param::reported("tls-ca-cert-file", Kind::Text, ""),
    Param::reported("tls-cert-file", Kind::Text, ""),
    Param::reported("tls-ciphers", Kind::Text, ""),
    Param::reported("tls-ciphersuites", Kind::Text, ""),
    Param::reported("tls-client-cert-file", Kind::Text, ""),
    Param::reported("tls-client-key-file", Kind::Text, ""),
    Param::reported("tls-client-key-file-pass", Kind::Text, ""),
    Param::reported("tls-cluster", Kind::Bool, "no"),
    Param::reported("tls-dh-params-file", Kind::Text, ""),
    Param::reported("tls-key-file", Kind::Text, ""),
    Param::reported("tls-key-file-pass", Kind::Text, ""),
    Param::reported("tls-port", Kind::Int(0, 65535), "0"),
    Param::reported("tls-prefer-server-ciphers", Kind::Bool, "no"),
    Param::reported("tls-protocols", Kind::Text, ""),
    Param::reported("tls-replication", Kind::Bool, "no"),
    Param::reported("tls-session-cache-size", Kind::Int(0, INT_MAX), "20480"),
    Param::reported("tls-session-cache-timeout", Kind::Int(0, INT_MAX), "300"),
    Param::reported("tls-session-caching", Kind::Bool, "yes"),
    Param::reported("key-load-delay", Kind::Int(i32::MIN as i64, INT_MAX), "0").hidden(),
    Param::reported("rdb-key-save-delay", Kind::Int(i32::MIN as i64, INT_MAX), "0").hidden(),
    Param::reported("loading-process-events-interval-bytes", Kind::Int(1024, INT_MAX), "2097152").hidden(),
    Param::reported("active-expire-effort", Kind::Int(1, 10), "1"),
    Param::reported("activerehashing", Kind::Bool, "yes"),
    Param::reported("appendfsync", Kind::Enum(&["everysec", "always", "no"]), "everysec"),
    Param::reported("loglevel", Kind::Enum(&["debug", "verbose", "notice", "warning"]), "notice"),
    Param::reported("tcp-keepalive", Kind::Int(0, INT_MAX), "300"),
    Param::reported("lazyfree-lazy-eviction", Kind::Bool, "no"),
    Param::reported("lazyfree-lazy-expire", Kind::Bool, "no"),
    Param::reported("lazyfree-lazy-server-del", Kind::Bool, "no"),
    Param::reported("lazyfree-lazy-user-del", Kind::Bool, "no"),
    Param::reported("lazyfree-lazy-user-flush", Kind::Bool, "no"),
    Param::reported("latency-tracking", Kind::Bool, "yes"),
    Param::reported("latency-monitor-threshold", Kind::Int(0, LONG_MAX), "0"),
    Param::live("hll-sparse-max-bytes", Kind::Mem(0, LONG_MAX as u64)),
    Param::reported("client-query-buffer-limit", Kind::Mem(1024 * 1024, LONG_MAX as u64), "1073741824"),
    Param::reported("tracking-table-max-keys", Kind::Int(0, LONG_MAX), "1000000"),
    Param::reported("acllog-max-len", Kind::Int(0, LONG_MAX), "128"),
    Param::reported("requirepass", Kind::Text, ""),
    Param::reported("acl-pubsub-default", Kind::Enum(&["allchannels", "resetchannels"]), "resetchannels"),
    Param::reported("aclfile", Kind::Text, "").immutable(),
    Param::reported("stop-writes-on-bgsave-error", Kind::Bool, "yes"),
    Param::reported("rdbcompression", Kind::Bool, "yes"),
    Param::reported("rdbchecksum", Kind::Bool, "yes"),
    Param::reported("dynamic-hz", Kind::Bool, "yes"),
    Param::reported("protected-mode", Kind::Bool, "yes"),
    Param::reported("replica-read-only", Kind::Bool, "yes").alias("slave-read-only"),
    Param::reported("replica-serve-stale-data", Kind::Bool, "yes").alias("slave-serve-stale-data"),
    Param::reported("aof-use-rdb-preamble", Kind::Bool, "yes"),
    Param::reported("auto-aof-rewrite-percentage", Kind::Int(0, INT_MAX), "100"),
    Param::reported("auto-aof-rewrite-min-size", Kind::Mem(0, LONG_MAX as u64), "67108864"),
    Param::reported("repl-backlog-size", Kind::Mem(1, LONG_MAX as u64), "1048576"),
    Param::live("min-replicas-to-write", Kind::Int(0, INT_MAX)).alias("min-slaves-to-write"),
    Param::reported("min-replicas-max-lag", Kind::Int(0, INT_MAX), "10").alias("min-slaves-max-lag"),
    Param::reported("masterauth", Kind::Text, ""),
    Param::reported("masteruser", Kind::Text, ""),
    Param::reported("repl-ping-replica-period", Kind::Int(1, INT_MAX), "10").alias("repl-ping-slave-period"),
    Param::reported("repl-timeout", Kind::Int(1, INT_MAX), "60"),
    Param::reported("replica-priority", Kind::Int(0, INT_MAX), "100").alias("slave-priority"),
    Param::reported("replica-announced", Kind::Bool, "yes"),
    // `host port` while a replica (kept by REPLICAOF), empty otherwise.
    Param::reported("replicaof", Kind::Text, "").alias("slaveof").immutable(),
    Param::reported("cluster-enabled", Kind::Bool, "no").immutable(),
    Param::reported("cluster-config-file", Kind::Text, "nodes.conf").immutable(),
    Param::reported("cluster-port", Kind::Int(0, 65535), "0").immutable(),
    Param::reported("cluster-node-timeout", Kind::Int(0, LONG_MAX), "15000"),
    Param::reported("cluster-require-full-coverage", Kind::Bool, "yes"),
    Param::reported("cluster-allow-reads-when-down", Kind::Bool, "no"),
    Param::reported("cluster-allow-pubsubshard-when-down", Kind::Bool, "yes"),
    Param::reported("cluster-allow-replica-migration", Kind::Bool, "yes"),
    Param::reported("cluster-replica-no-failover", Kind::Bool, "no").alias("cluster-slave-no-failover"),
    Param::reported("cluster-replica-validity-factor", Kind::Int(0, INT_MAX), "10")
        .alias("cluster-slave-validity-factor"),
    Param::reported("cluster-migration-barrier", Kind::Int(0, INT_MAX), "1"),
    Param::reported("cluster-announce-ip", Kind::Text, ""),
    Param::reported("cluster-announce-hostname", Kind::Text, ""),
    Param::reported("cluster-announce-port", Kind::Int(0, 65535), "0"),
    Param::reported("cluster-announce-bus-port", Kind::Int(0, 65535), "0"),
    Param::reported("cluster-announce-tls-port", Kind::Int(0, 65535), "0"),
    Param::reported("cluster-preferred-endpoint-type", Kind::Enum(&["ip", "hostname", "unknown-endpoint"]), "ip"),
    Param::reported("cluster-link-sendbuf-limit", Kind::Mem(0, LONG_MAX as u64), "0"),
    Param::reported("daemonize", Kind::Bool, "no").immutable(),
    Param::reported("io-threads", Kind::Int(1, 128), "1").immutable(),
    Param::reported("appendfilename", Kind::Text, "appendonly.aof").immutable(),
    Param::reported("appenddirname", Kind::Text, "appendonlydir").immutable(),
    Param::reported("dbfilename", Kind::Text, "dump.rdb").protected(),
    Param::reported("dir", Kind::Text, "/data").protected(),
    Param::reported("aof-load-truncated", Kind::Bool, "yes"),
];

/// The parameter called `name` (or with that old alias), ignoring case.
pub fn find_param(name: &[u8]) -> Option<&'static Param> {
    PARAMS.iter().find(|p| p.is_named(name))
}

/// Defaults of the report-only parameters (Redis 7.0's, as CONFIG GET prints them).
fn default_extras() -> BTreeMap<&'static str, String> {
    PARAMS.iter().filter_map(|p| Some((p.name, p.reported_default?.to_string()))).collect()
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

impl Config {
    /// The value CONFIG GET prints for a parameter.
    pub fn get_param(&self, param: &Param) -> String {
        match param.name {
            "maxmemory" => self.maxmemory.to_string(),
            "maxmemory-policy" => self.maxmemory_policy.name().to_string(),
            "maxmemory-samples" => self.maxmemory_samples.to_string(),
            "lfu-log-factor" => self.lfu_log_factor.to_string(),
            "lfu-decay-time" => self.lfu_decay_time.to_string(),
            "hz" => self.hz.to_string(),
            // Redis 7.0 never prints the `n` (new key) class it accepts.
            "notify-keyspace-events" => {
                crate::notify::flags_to_string(self.notify_keyspace_events & !crate::notify::NEW)
            }
            "proto-max-bulk-len" => self.proto_max_bulk_len.to_string(),
            "list-max-listpack-size" => self.list_max_listpack_size.to_string(),
            "list-compress-depth" => self.list_compress_depth.to_string(),
            "hash-max-listpack-entries" => self.hash_max_listpack_entries.to_string(),
            "hash-max-listpack-value" => self.hash_max_listpack_value.to_string(),
            "set-max-intset-entries" => self.set_max_intset_entries.to_string(),
            "zset-max-listpack-entries" => self.zset_max_listpack_entries.to_string(),
            "zset-max-listpack-value" => self.zset_max_listpack_value.to_string(),
            "stream-node-max-bytes" => self.stream_node_max_bytes.to_string(),
            "stream-node-max-entries" => self.stream_node_max_entries.to_string(),
            "save" => self.save.clone(),
            "appendonly" => yes_no(self.appendonly),
            "databases" => self.databases.to_string(),
            "slowlog-log-slower-than" => self.slowlog_log_slower_than.to_string(),
            "slowlog-max-len" => self.slowlog_max_len.to_string(),
            "busy-reply-threshold" => self.busy_reply_threshold_ms.to_string(),
            "timeout" => self.timeout.to_string(),
            "maxclients" => self.maxclients.to_string(),
            "min-replicas-to-write" => self.min_replicas_to_write.to_string(),
            "hll-sparse-max-bytes" => self.hll_sparse_max_bytes.to_string(),
            other => self.extra.get(other).cloned().unwrap_or_default(),
        }
    }

    /// Stores a value checked by [`Param::parse`] for the same parameter.
    pub fn set_param(&mut self, param: &Param, value: ParamValue) {
        let (int, unsigned) = match &value {
            ParamValue::Int(n) => (*n, *n as u64),
            ParamValue::Mem(n) => (*n as i64, *n),
            ParamValue::Text(_) => (0, 0),
        };
        let text = match value {
            ParamValue::Text(t) => t,
            ParamValue::Int(n) => n.to_string(),
            ParamValue::Mem(n) => n.to_string(),
        };
        match param.name {
            "maxmemory" => self.maxmemory = unsigned,
            "maxmemory-policy" => {
                self.maxmemory_policy = EvictionPolicy::from_name(&text).unwrap_or(self.maxmemory_policy);
            }
            "maxmemory-samples" => self.maxmemory_samples = int as u32,
            "lfu-log-factor" => self.lfu_log_factor = int as u32,
            "lfu-decay-time" => self.lfu_decay_time = int as u32,
            // Redis clamps hz to 1‥500.
            "hz" => self.hz = int.clamp(1, 500) as u32,
            "notify-keyspace-events" => self.notify_keyspace_events = int as u32,
            "proto-max-bulk-len" => self.proto_max_bulk_len = int,
            "list-max-listpack-size" => self.list_max_listpack_size = int,
            "list-compress-depth" => self.list_compress_depth = int,
            "hash-max-listpack-entries" => self.hash_max_listpack_entries = int as usize,
            "hash-max-listpack-value" => self.hash_max_listpack_value = int as usize,
            "set-max-intset-entries" => self.set_max_intset_entries = int as usize,
            "zset-max-listpack-entries" => self.zset_max_listpack_entries = int as usize,
            "zset-max-listpack-value" => self.zset_max_listpack_value = int as usize,
            "stream-node-max-bytes" => self.stream_node_max_bytes = int as u64,
            "stream-node-max-entries" => self.stream_node_max_entries = int as u64,
            "save" => self.save = text,
            "appendonly" => self.appendonly = text == "yes",
            "slowlog-log-slower-than" => self.slowlog_log_slower_than = int,
            "slowlog-max-len" => self.slowlog_max_len = int as u64,
            "busy-reply-threshold" => self.busy_reply_threshold_ms = int as u64,
            "timeout" => self.timeout = int as u64,
            "maxclients" => self.maxclients = int as u64,
            "min-replicas-to-write" => self.min_replicas_to_write = int,
            "hll-sparse-max-bytes" => self.hll_sparse_max_bytes = unsigned as usize,
            // A CONFIG SET names only the classes it changes.
            "client-output-buffer-limit" => {
                let mut limits = self.buffer_limits();
                for (i, limit) in limit_groups(&text) {
                    limits[i] = limit;
                }
                let shown: Vec<String> = BUFFER_CLASSES
                    .iter()
                    .zip(limits)
                    .map(|(c, l)| format!("{c} {} {} {}", l.hard, l.soft, l.soft_seconds))
                    .collect();
                self.extra.insert("client-output-buffer-limit", shown.join(" "));
            }
            other => {
                self.extra.insert(other, text);
            }
        }
    }

    /// `client-output-buffer-limit` per class (`normal`, `slave`, `pubsub`).
    pub fn buffer_limits(&self) -> [BufferLimit; 3] {
        let mut limits = [BufferLimit::default(); 3];
        let text = self.extra.get("client-output-buffer-limit").map(String::as_str).unwrap_or("");
        for (i, limit) in limit_groups(text) {
            limits[i] = limit;
        }
        limits
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
            let v = cfg.get_param(p);
            assert!(
                !v.is_empty()
                    || p.reported_default == Some("")
                    || matches!(
                        p.name,
                        "notify-keyspace-events"
                            | "requirepass"
                            | "aclfile"
                            | "cluster-announce-ip"
                            | "cluster-announce-hostname"
                            | "masterauth"
                            | "masteruser"
                            | "replicaof"
                    ),
                "{} has no value",
                p.name
            );
        }
    }

    #[test]
    fn report_only_defaults_are_redis_defaults() {
        let extras = default_extras();
        assert_eq!(extras.len(), 138);
        assert_eq!(extras.get("repl-backlog-size").map(String::as_str), Some("1048576"));
        assert!(!extras.contains_key("hll-sparse-max-bytes"));
        assert!(find_param(b"SLAVE-READ-ONLY").is_some_and(|p| p.name == "replica-read-only"));
    }
}
