//! Counters behind INFO stats and INFO commandstats.

use std::collections::BTreeMap;

/// Per-command counters (INFO commandstats).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandStat {
    pub calls: u64,
    pub usec: u64,
    pub rejected_calls: u64,
    pub failed_calls: u64,
    /// Calls per latency range (LATENCY HISTOGRAM; see `crate::latency`).
    pub latency_levels: [u64; crate::latency::HISTOGRAM_LEVELS],
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
    /// By command name (`get`, `config|set`); INFO lists them sorted.
    pub commands: hashbrown::HashMap<String, CommandStat>,
    /// Error replies by code (`ERR`, `WRONGTYPE`…), for INFO errorstats.
    pub errors: BTreeMap<String, u64>,
    /// Commands of the last second, for instantaneous_ops_per_sec.
    pub recent_ops: OpsWindow,
    /// The reply about to be sent is an error already counted where it
    /// arose (a script's `redis.call` error): not counted twice.
    pub reply_error_counted: bool,
}

/// Commands counted in 100 ms slices over the last second: O(1) per
/// command and a fixed size, however many commands run.
#[derive(Debug, Clone, Default)]
pub struct OpsWindow {
    /// (slice number, commands in it), indexed by slice number mod 10.
    slices: [(i64, u64); 10],
}

impl OpsWindow {
    const SLICE_MS: i64 = 100;

    /// Counts one command run at `now_ms`.
    pub fn record(&mut self, now_ms: i64) {
        let slice = now_ms.div_euclid(Self::SLICE_MS);
        let cell = &mut self.slices[slice.rem_euclid(10) as usize];
        if cell.0 != slice {
            *cell = (slice, 0);
        }
        cell.1 += 1;
    }

    /// Commands run in the second up to `now_ms`.
    pub fn per_second(&self, now_ms: i64) -> u64 {
        let current = now_ms.div_euclid(Self::SLICE_MS);
        self.slices.iter().filter(|(s, _)| *s > current - 10 && *s <= current).map(|(_, n)| n).sum()
    }
}

/// Distinct error codes tracked before Redis stops adding new ones.
const ERROR_CODES_LIMIT: usize = 128;

impl Stats {
    /// The counters of a command, created on first use. Top-level commands
    /// are found without allocating (this runs for every command).
    pub fn command_mut(&mut self, spec: &crate::command::CommandSpec) -> &mut CommandStat {
        if spec.parent.is_empty() {
            // One hash lookup per command, allocating the name only the first time.
            self.commands.entry_ref(spec.name).or_default()
        } else {
            self.commands.entry(spec.full_name()).or_default()
        }
    }

    /// Counts an error reply under its code (the text up to the first space).
    pub fn count_error(&mut self, text: &str) {
        self.total_error_replies += 1;
        let code = text.split(' ').next().unwrap_or("ERR");
        if let Some(n) = self.errors.get_mut(code) {
            *n += 1;
        } else if self.errors.len() < ERROR_CODES_LIMIT {
            self.errors.insert(code.to_string(), 1);
        }
    }

    /// Forgets counters as CONFIG RESETSTAT does (Redis 7.0 zeroes
    /// `total_connections_received` too).
    pub fn reset(&mut self) {
        *self = Stats::default();
    }
}
