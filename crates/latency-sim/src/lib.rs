//! The cached-vs-uncached latency experiment, simulated: a product API whose
//! database call takes 2 s, load-tested Locust-style or ab-style, with no
//! cache, cache-aside, cache-aside with a lock, or early refresh. The cache
//! commands run on the Redis emulator. Deterministic for a given seed.
//!
//! ```
//! use latency_sim::{run, SimConfig, Strategy};
//! let report = run(SimConfig::seed_defaults(Strategy::CacheAside)).unwrap();
//! assert!(report.summary.median_ms < 10.0);
//! ```

pub mod config;
pub mod findings;
pub mod report;
pub mod sim;

pub use config::{Load, Popularity, SimConfig, Strategy};
pub use findings::{findings, Finding, LoopBound};
pub use report::{
    newest_step, AbReport, CommandOutcome, CommandRecord, LogKind, LogLine, Outcome, Point, Report, RequestRecord,
    Summary,
};
pub use sim::Simulation;

/// Runs a simulation to completion.
pub fn run(cfg: SimConfig) -> Result<Report, String> {
    Ok(Simulation::new(cfg)?.run())
}
