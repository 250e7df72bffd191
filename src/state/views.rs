//! View models: what the server panel and the clock show, read from the
//! engine here so the components only lay it out.

use redis_emulator::inspect::human_bytes;
use redis_emulator::Engine;

use crate::i18n::{t, K};

/// The server panel: memory against maxmemory and the live counters.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerView {
    /// `used_memory` as INFO prints it (`1.07M`).
    pub memory: String,
    /// `maxmemory 64.00M · allkeys-lru`, or that there is no limit.
    pub limit: String,
    /// Share of maxmemory used, 0‥100 (0 without a limit).
    pub percent: f64,
    /// (label, value) in display order.
    pub stats: Vec<(&'static str, String)>,
}

impl ServerView {
    pub fn of(engine: &Engine) -> ServerView {
        let stats = engine.stats();
        let config = engine.config();
        let used = engine.used_memory();
        let max = config.maxmemory;
        let keys: usize = (0..engine.db_count()).filter_map(|i| engine.db(i)).map(|d| d.len()).sum();
        let (hits, misses) = (stats.keyspace_hits, stats.keyspace_misses);
        let ratio = if hits + misses > 0 {
            format!("{:.0}%", hits as f64 * 100.0 / (hits + misses) as f64)
        } else {
            "–".into()
        };
        ServerView {
            memory: human_bytes(used),
            limit: if max > 0 {
                format!("maxmemory {} · {}", human_bytes(max), config.maxmemory_policy.name())
            } else {
                t(K::NoMemoryLimit).into()
            },
            percent: if max > 0 { (used as f64 / max as f64 * 100.0).min(100.0) } else { 0.0 },
            stats: vec![
                ("keys", keys.to_string()),
                ("hits", hits.to_string()),
                ("misses", misses.to_string()),
                ("hit ratio", ratio),
                ("expired", stats.expired_keys.to_string()),
                ("evicted", stats.evicted_keys.to_string()),
                ("commands", stats.total_commands_processed.to_string()),
                ("ops/sec", stats.recent_ops.per_second(engine.now_ms()).to_string()),
                ("clients", engine.clients().count().to_string()),
            ],
        }
    }
}

/// The clock panel: the engine's time and whether it is real.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClockView {
    pub now_ms: i64,
    pub paused: bool,
    /// Not real time (paused, manual or moved forward).
    pub is_virtual: bool,
}

impl ClockView {
    pub fn of(engine: &Engine) -> ClockView {
        let clock = engine.clock();
        ClockView { now_ms: engine.now_ms(), paused: clock.is_paused(), is_virtual: clock.is_virtual() }
    }

    /// The badge beside the time (its words are in the catalogue).
    pub fn badge(&self) -> K {
        match (self.is_virtual, self.paused) {
            (false, _) => K::BadgeRealTime,
            (true, true) => K::BadgeVirtualPaused,
            (true, false) => K::BadgeVirtual,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_view_reads_the_engine() {
        let mut engine = Engine::with_manual_clock(1_000, 1);
        let me = engine.connect("t");
        engine.execute_line(me, "SET a 1").unwrap();
        engine.execute_line(me, "GET a").unwrap();
        engine.execute_line(me, "GET b").unwrap();
        let view = ServerView::of(&engine);
        let stat = |name: &str| view.stats.iter().find(|(l, _)| *l == name).unwrap().1.clone();
        assert_eq!(
            (stat("keys"), stat("hits"), stat("misses"), stat("hit ratio")),
            ("1".into(), "1".into(), "1".into(), "50%".into())
        );
        assert_eq!(stat("clients"), "1");
        assert_eq!(view.memory, human_bytes(engine.used_memory()));
        assert_eq!((view.limit.as_str(), view.percent), ("maxmemory 0 (no limit)", 0.0));
        engine.execute_line(me, "CONFIG SET maxmemory 100mb").unwrap();
        let view = ServerView::of(&engine);
        assert!(view.limit.starts_with("maxmemory 100.00M · "), "{}", view.limit);
        assert!(view.percent > 0.0 && view.percent < 100.0);
    }

    #[test]
    fn clock_view_says_when_time_is_virtual() {
        let engine = Engine::with_manual_clock(1_000, 1);
        let view = ClockView::of(&engine);
        assert_eq!((view.now_ms, view.paused, view.is_virtual), (1_000, true, true));
        assert_eq!(view.badge(), K::BadgeVirtualPaused);
    }
}
