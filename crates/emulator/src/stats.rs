//! Counters behind INFO stats and INFO commandstats.

use std::collections::BTreeMap;

/// Per-command counters (INFO commandstats).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandStat {
    pub calls: u64,
    pub usec: u64,
    pub rejected_calls: u64,
    pub failed_calls: u64,
}

#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub total_commands_processed: u64,
    pub total_connections_received: u64,
    pub keyspace_hits: u64,
    pub keyspace_misses: u64,
    pub expired_keys: u64,
    pub evicted_keys: u64,
    pub total_error_replies: u64,
    pub commands: BTreeMap<String, CommandStat>,
    /// Command timestamps (ms) of the last second, for instantaneous_ops_per_sec.
    pub recent_ops: std::collections::VecDeque<i64>,
}

impl Stats {
    /// Forgets counters as CONFIG RESETSTAT does (Redis 7.0 zeroes
    /// `total_connections_received` too).
    pub fn reset(&mut self) {
        *self = Stats::default();
    }
}
