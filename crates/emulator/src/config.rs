//! Server configuration with Redis 7.0's defaults. CONFIG GET/SET read and
//! write these fields (see `commands::config`).

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
    /// Parameters the emulator accepts and reports but whose value changes
    /// nothing here (logging, threads, fsync policy…), as CONFIG GET prints them.
    pub extra: std::collections::BTreeMap<&'static str, String>,
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
            extra: crate::commands::config::default_extras(),
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
