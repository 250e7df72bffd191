//! The Locust-style charts: response time (p50, p95), requests per second,
//! users and cache hit ratio, revealed second by second as the run plays.

use std::rc::Rc;

use latency_sim::{Load, Strategy};
use yew::prelude::*;

use super::{ms, Playback, RunResult};
use crate::components::charts::{LineChart, Series};

/// Seconds the requests/s line is averaged over.
const RPS_WINDOW_S: usize = 10;

fn series_of(runs: &[RunResult], name: &str, pick: impl Fn(&latency_sim::Point) -> f64, dashed: bool) -> Vec<Series> {
    runs.iter()
        .map(|r| Series {
            label: if name.is_empty() {
                r.strategy.label().to_string()
            } else {
                format!("{} {name}", r.strategy.label())
            },
            class: r.class(),
            dashed,
            values: Rc::new(r.report.timeline.iter().map(&pick).collect()),
        })
        .collect()
}

pub(super) fn render_charts(
    runs: &Rc<Vec<RunResult>>,
    play: &UseReducerHandle<Playback>,
    revealed: usize,
    log_scale: bool,
    done: bool,
) -> Html {
    let seconds = (play.end_us / 1_000_000).max(1) as usize;
    let locust = runs.iter().any(|r| matches!(r.report.config.load, Load::Locust { .. }));
    let mut rt = Vec::new();
    for r in runs.iter() {
        let one = std::slice::from_ref(r);
        rt.extend(series_of(one, "p50", |p| if p.rps > 0.0 || p.p50_ms > 0.0 { p.p50_ms } else { f64::NAN }, false));
        rt.extend(series_of(one, "p95", |p| if p.rps > 0.0 || p.p95_ms > 0.0 { p.p95_ms } else { f64::NAN }, true));
    }
    let rps: Vec<Series> = runs
        .iter()
        .map(|r| Series {
            label: r.strategy.label().to_string(),
            class: r.class(),
            dashed: false,
            values: Rc::new(rolling_mean(r.report.timeline.iter().map(|p| p.rps).collect(), RPS_WINDOW_S)),
        })
        .collect();
    let users = series_of(runs, "", |p| p.users as f64, false);
    let hit_runs: Vec<&RunResult> = runs.iter().filter(|r| r.strategy != Strategy::NoCache).collect();
    let hits: Vec<Series> = hit_runs
        .iter()
        .map(|r| Series {
            label: r.strategy.label().to_string(),
            class: r.class(),
            dashed: false,
            values: Rc::new(
                r.report.timeline.iter().map(|p| if p.rps > 0.0 { p.hit_ratio * 100.0 } else { f64::NAN }).collect(),
            ),
        })
        .collect();

    let rt_summary = runs
        .iter()
        .map(|r| {
            let s = &r.report.summary;
            format!(
                "{}: median {}, 95th percentile {}, slowest {}.",
                r.strategy.label(),
                ms(s.median_ms),
                ms(s.p95_ms),
                ms(s.max_ms)
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    let rps_summary = runs
        .iter()
        .map(|r| {
            let peak = r.report.timeline.iter().map(|p| p.rps).fold(0.0, f64::max);
            format!(
                "{}: {:.2} requests/s on average, at most {peak:.0} in one second.",
                r.strategy.label(),
                r.report.summary.rps
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    let users_summary = runs
        .first()
        .map(|r| {
            let top = r.report.timeline.iter().map(|p| p.users).max().unwrap_or(0);
            match r.report.config.load {
                Load::Locust { spawn_rate, .. } => {
                    format!("Users start at {spawn_rate} per second until all {top} are running, then stay for the rest of the test.")
                }
                Load::Ab { .. } => String::new(),
            }
        })
        .unwrap_or_default();
    let hit_summary = hit_runs
        .iter()
        .map(|r| {
            format!(
                "{}: {:.1}% of all requests were cache hits.",
                r.strategy.label(),
                r.report.summary.hit_ratio * 100.0
            )
        })
        .collect::<Vec<_>>()
        .join(" ");

    html! {
        <div class="lat-charts" aria-label="Charts">
            <LineChart id="rt" title="Response time, p50 and p95 over the last 10 s" unit="ms" series={rt}
                       {seconds} {revealed} log_scale={log_scale} summary={rt_summary} table={done} />
            <LineChart id="rps" title="Requests per second, averaged over the last 10 s" unit="requests/s" series={rps}
                       {seconds} {revealed} summary={rps_summary} table={done} />
            if locust {
                <LineChart id="users" title="Number of users" unit="users" series={users}
                           {seconds} {revealed} summary={users_summary} table={done} />
            }
            if !hit_runs.is_empty() {
                <LineChart id="hits" title="Cache hit ratio" unit="% of requests" series={hits}
                           {seconds} {revealed} y_max={Some(100.0)} summary={hit_summary} table={done} />
            }
        </div>
    }
}

/// Trailing mean over `window` seconds (Locust's current RPS is smoothed the same way).
fn rolling_mean(values: Vec<f64>, window: usize) -> Vec<f64> {
    let mut sum = 0.0;
    let mut out = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        sum += v;
        if i >= window {
            sum -= values[i - window];
        }
        out.push(sum / (i + 1).min(window) as f64);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolling_mean_averages_the_trailing_window() {
        assert_eq!(rolling_mean(vec![2.0, 4.0, 6.0, 8.0], 2), vec![2.0, 3.0, 5.0, 7.0]);
    }
}
