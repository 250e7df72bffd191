//! The Locust-style charts: response time (p50, p95), requests per second,
//! users and cache hit ratio, revealed second by second as the run plays.

use std::rc::Rc;

use latency_sim::{Load, Strategy};
use yew::prelude::*;

use super::{label, ms, Playback, RunResult};
use crate::components::charts::{LineChart, Series};
use crate::i18n::{t, tf, K};

/// Seconds the requests/s line is averaged over.
const RPS_WINDOW_S: usize = 10;

fn series_of(runs: &[RunResult], name: &str, pick: impl Fn(&latency_sim::Point) -> f64, dashed: bool) -> Vec<Series> {
    runs.iter()
        .map(|r| Series {
            label: if name.is_empty() {
                label(r.strategy).to_string()
            } else {
                format!("{} {name}", label(r.strategy))
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
            label: label(r.strategy).to_string(),
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
            label: label(r.strategy).to_string(),
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
            tf(
                K::LatRtSummary,
                &[
                    ("strategy", &label(r.strategy)),
                    ("median", &ms(s.median_ms)),
                    ("p95", &ms(s.p95_ms)),
                    ("max", &ms(s.max_ms)),
                ],
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    let rps_summary = runs
        .iter()
        .map(|r| {
            let peak = r.report.timeline.iter().map(|p| p.rps).fold(0.0, f64::max);
            tf(
                K::LatRpsSummary,
                &[
                    ("strategy", &label(r.strategy)),
                    ("rps", &format!("{:.2}", r.report.summary.rps)),
                    ("peak", &format!("{peak:.0}")),
                ],
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    let users_summary = runs
        .first()
        .map(|r| {
            let top = r.report.timeline.iter().map(|p| p.users).max().unwrap_or(0);
            match r.report.config.load {
                Load::Locust { spawn_rate, .. } => tf(K::LatUsersSummary, &[("rate", &spawn_rate), ("top", &top)]),
                Load::Ab { .. } => String::new(),
            }
        })
        .unwrap_or_default();
    let hit_summary = hit_runs
        .iter()
        .map(|r| {
            tf(
                K::LatHitSummary,
                &[("strategy", &label(r.strategy)), ("pct", &format!("{:.1}", r.report.summary.hit_ratio * 100.0))],
            )
        })
        .collect::<Vec<_>>()
        .join(" ");

    html! {
        <div class="lat-charts" aria-label={t(K::LatCharts)}>
            <LineChart id="rt" title={t(K::LatChartRt)} unit="ms" series={rt}
                       {seconds} {revealed} log_scale={log_scale} summary={rt_summary} table={done} />
            <LineChart id="rps" title={t(K::LatChartRps)} unit={t(K::LatUnitRps)} series={rps}
                       {seconds} {revealed} summary={rps_summary} table={done} />
            if locust {
                <LineChart id="users" title={t(K::LatChartUsers)} unit={t(K::LatUnitUsers)} series={users}
                           {seconds} {revealed} summary={users_summary} table={done} />
            }
            if !hit_runs.is_empty() {
                <LineChart id="hits" title={t(K::LatChartHits)} unit={t(K::LatUnitPct)} series={hits}
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
