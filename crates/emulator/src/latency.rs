//! The latency monitor (LATENCY LATEST / HISTORY / RESET / GRAPH / DOCTOR)
//! and the per-command latency histograms (LATENCY HISTOGRAM).
//!
//! Events are recorded as Redis records them: when an operation takes at
//! least `latency-monitor-threshold` milliseconds (`command` for slow
//! commands, `fast-command` for commands flagged fast, `expire-cycle` for
//! the active expiry), one sample per second per event (the worst of that
//! second), the last 160 samples kept. Durations are measured on the
//! engine's clock, so a manual clock records none.
//!
//! Histograms follow Redis's figures: each call's duration in nanoseconds
//! (at least 1024) falls in a power-of-two range; LATENCY HISTOGRAM shows
//! cumulative counts labelled with the range's upper bound in microseconds
//! as Redis's HDR histogram (2 significant figures) reports it.

use std::collections::BTreeMap;

/// Samples kept per event (Redis's `LATENCY_TS_LEN`).
pub const SAMPLES_PER_EVENT: usize = 160;

/// Histogram ranges: level `k` holds durations below `1032 * 2^k` ns.
pub const HISTOGRAM_LEVELS: usize = 21;

/// One sample: Unix seconds and milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sample {
    pub time: i64,
    pub latency: u64,
}

/// An event's ring of samples and its all-time maximum.
#[derive(Debug, Clone)]
pub struct Series {
    samples: [Sample; SAMPLES_PER_EVENT],
    next: usize,
    pub max: u64,
}

impl Series {
    fn new() -> Series {
        Series { samples: [Sample::default(); SAMPLES_PER_EVENT], next: 0, max: 0 }
    }

    /// The samples, oldest first.
    pub fn samples(&self) -> Vec<Sample> {
        (0..SAMPLES_PER_EVENT)
            .map(|j| self.samples[(self.next + j) % SAMPLES_PER_EVENT])
            .filter(|s| s.time != 0)
            .collect()
    }

    /// The latest sample.
    pub fn latest(&self) -> Sample {
        self.samples[(self.next + SAMPLES_PER_EVENT - 1) % SAMPLES_PER_EVENT]
    }
}

/// The recorded events, by name.
#[derive(Debug, Clone, Default)]
pub struct LatencyMonitor {
    pub events: BTreeMap<String, Series>,
}

impl LatencyMonitor {
    /// Redis's `latencyAddSample`: within one second only the worst sample is kept.
    pub fn add_sample(&mut self, event: &str, latency_ms: u64, now_s: i64) {
        let series = self.events.entry(event.to_string()).or_insert_with(Series::new);
        series.max = series.max.max(latency_ms);
        let prev = (series.next + SAMPLES_PER_EVENT - 1) % SAMPLES_PER_EVENT;
        if series.samples[prev].time == now_s {
            series.samples[prev].latency = series.samples[prev].latency.max(latency_ms);
            return;
        }
        series.samples[series.next] = Sample { time: now_s, latency: latency_ms };
        series.next = (series.next + 1) % SAMPLES_PER_EVENT;
    }

    /// Forgets events: all of them (`None`) or the named ones; answers how many went.
    pub fn reset(&mut self, names: Option<&[Vec<u8>]>) -> usize {
        match names {
            None => std::mem::take(&mut self.events).len(),
            Some(names) => {
                names.iter().filter(|n| self.events.remove(String::from_utf8_lossy(n).as_ref()).is_some()).count()
            }
        }
    }
}

/// The histogram level of a call that took `usec` microseconds.
pub fn histogram_level(usec: u64) -> usize {
    let ns = usec.saturating_mul(1000).clamp(1024, 1_000_000_000);
    (0..HISTOGRAM_LEVELS).find(|&k| ns < 1032u64 << k).unwrap_or(HISTOGRAM_LEVELS - 1)
}

/// The label LATENCY HISTOGRAM gives level `k` (microseconds).
pub fn histogram_label(k: usize) -> u64 {
    ((1032u64 << k) - 1) / 1000
}

/// The latency (µs) below which `percentile` % of a histogram's samples
/// fall: the upper bound of the level that sample is in.
pub fn percentile_usec(levels: &[u64; HISTOGRAM_LEVELS], percentile: f64) -> f64 {
    let total: u64 = levels.iter().sum();
    if total == 0 {
        return 0.0;
    }
    let rank = ((percentile / 100.0) * total as f64).ceil().max(1.0) as u64;
    let mut seen = 0;
    for (k, &n) in levels.iter().enumerate() {
        seen += n;
        if seen >= rank {
            return (1032u64 << k) as f64 / 1000.0;
        }
    }
    (1032u64 << (HISTOGRAM_LEVELS - 1)) as f64 / 1000.0
}

/// Cumulative (label, count) pairs of a histogram, one per level where the
/// count grows (Redis's `fillCommandCDF`).
pub fn cumulative(levels: &[u64; HISTOGRAM_LEVELS]) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    let mut total = 0;
    for (k, &n) in levels.iter().enumerate() {
        if n > 0 {
            total += n;
            out.push((histogram_label(k), total));
        }
    }
    out
}

/// Redis's sparkline, as LATENCY GRAPH draws it: four rows of `_o#|`
/// (low to high), then each sample's label written downwards.
pub fn sparkline(samples: &[(u64, String)], min: u64, max: u64) -> String {
    const FILL: [u8; 3] = [b'_', b'o', b'#'];
    const ROWS: i64 = 4;
    let steps = FILL.len() as i64 * ROWS;
    let relmax = if max == min { 1.0 } else { (max - min) as f64 };
    let mut out = String::new();
    for (chunk_no, chunk) in samples.chunks(80).enumerate() {
        if chunk_no > 0 {
            out.push('\n');
        }
        let mut row: i64 = 0;
        loop {
            let mut line = vec![b' '; chunk.len()];
            let mut any = false;
            for (j, (value, label)) in chunk.iter().enumerate() {
                let relval = value.saturating_sub(min) as f64;
                let step = ((relval * steps as f64) as i64 as f64 / relmax) as i64;
                let step = step.clamp(0, steps - 1);
                if row < ROWS {
                    any = true;
                    let idx = step - (ROWS - row - 1) * FILL.len() as i64;
                    if (0..FILL.len() as i64).contains(&idx) {
                        line[j] = FILL[idx as usize];
                    } else if idx >= FILL.len() as i64 {
                        line[j] = b'|';
                    }
                } else if let Some(&c) = label.as_bytes().get((row - ROWS) as usize) {
                    any = true;
                    line[j] = c;
                }
            }
            if !any {
                break;
            }
            row += 1;
            out.push_str(&String::from_utf8_lossy(&line));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_labels_follow_redis() {
        let labels: Vec<u64> = (0..8).map(histogram_label).collect();
        assert_eq!(labels, vec![1, 2, 4, 8, 16, 33, 66, 132]);
        assert_eq!(histogram_level(0), 0);
        assert_eq!(histogram_level(1), 0);
        assert_eq!(histogram_level(2), 1);
        assert_eq!(histogram_level(12), 4);
        assert_eq!(histogram_level(u64::MAX), HISTOGRAM_LEVELS - 1);
    }

    #[test]
    fn one_sample_per_second_keeps_the_worst() {
        let mut m = LatencyMonitor::default();
        m.add_sample("command", 5, 100);
        m.add_sample("command", 9, 100);
        m.add_sample("command", 3, 101);
        let s = &m.events["command"];
        assert_eq!(s.samples(), vec![Sample { time: 100, latency: 9 }, Sample { time: 101, latency: 3 }]);
        assert_eq!((s.latest().latency, s.max), (3, 9));
        assert_eq!(m.reset(Some(&[b"nope".to_vec(), b"command".to_vec()])), 1);
    }
}
