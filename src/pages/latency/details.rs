//! Below the charts: the API log beside its code, the results table with
//! ab's report, the explainers, the MONITOR view of the cache commands and
//! the keys left in the cache.

use std::rc::Rc;

use latency_sim::sim::API_CLIENT;
use latency_sim::{newest_step, CommandRecord, LogKind, LogLine, Report, Strategy};
use redis_emulator::inspect::monitor_line;
use yew::prelude::*;

use super::code::render_code;
use super::explainers::render_explainers;
use super::{label, ms, Playback, RunResult};
use crate::i18n::{t, tf, K};

/// API log lines kept on screen while playing (the newest).
const LOG_WINDOW: usize = 200;

pub(super) fn render_details(
    runs: &Rc<Vec<RunResult>>,
    play: &UseReducerHandle<Playback>,
    focus: usize,
    set_focus: UseStateHandle<usize>,
    done: bool,
) -> Html {
    let focus = focus.min(runs.len().saturating_sub(1));
    let Some(current) = runs.get(focus) else { return html! {} };
    let tabs = (runs.len() > 1).then(|| {
        html! {
            <div class="lat-tabs" role="group" aria-label={t(K::LatTabs)}>
                { for runs.iter().enumerate().map(|(i, r)| {
                    let set_focus = set_focus.clone();
                    html! {
                        <button type="button" class={classes!("tab", r.class(), (i == focus).then_some("active"))}
                                aria-pressed={(i == focus).to_string()}
                                onclick={Callback::from(move |_: MouseEvent| set_focus.set(i))}>
                            { label(r.strategy) }
                        </button>
                    }
                }) }
            </div>
        }
    });
    let shown = current.report.log_until(play.at_us);
    let last_kinds = newest_step(shown);
    html! {
        <>
            <h2 class="lat-h2">{ t(K::LatPrinted) }</h2>
            { tabs.unwrap_or_default() }
            <div class="lat-run-detail">
                { render_log(current, shown) }
                { render_code(current.strategy, &last_kinds) }
            </div>
            if done {
                { render_results(runs) }
                { render_explainers(runs) }
            }
            { render_commands(current, play.at_us, done) }
        </>
    }
}

fn render_log(run: &RunResult, shown: &[LogLine]) -> Html {
    let skip = shown.len().saturating_sub(LOG_WINDOW);
    let dropped = run.report.dropped_log_lines;
    html! {
        <section class="api-log-wrap" aria-labelledby="api-log-title">
            <h3 id="api-log-title">{ tf(K::LatApiLog, &[("strategy", &label(run.strategy))]) }</h3>
            <ol class="api-log" id="api-log" tabindex="0" aria-label={t(K::LatApiLogLabel)}>
                if skip > 0 { <li class="log-more">{ tf(K::LatEarlierLines, &[("n", &skip)]) }</li> }
                { for shown.iter().skip(skip).map(|l| html! {
                    <li class={log_class(l.kind)}>
                        <span class="log-time">{ format!("[{:>8.3}s]", l.at_us as f64 / 1e6) }</span>
                        { " " }{ l.text.clone() }
                    </li>
                }) }
                if shown.is_empty() { <li class="log-more">{ t(K::LatWaitingFirst) }</li> }
            </ol>
            if dropped > 0 { <p class="lat-note">{ tf(K::LatDropped, &[("n", &dropped)]) }</p> }
            <LogScroller count={shown.len()} />
        </section>
    }
}

/// Keeps the API log scrolled to its newest line as the run plays.
#[derive(Properties, PartialEq)]
struct LogScrollerProps {
    count: usize,
}

#[function_component(LogScroller)]
fn log_scroller(props: &LogScrollerProps) -> Html {
    use_effect_with(props.count, |_| {
        if let Some(log) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("api-log")) {
            log.set_scroll_top(log.scroll_height());
        }
    });
    html! {}
}

fn log_class(kind: LogKind) -> &'static str {
    match kind {
        LogKind::Database => "log-db",
        LogKind::Miss => "log-miss",
        LogKind::Hit => "log-hit",
        LogKind::Wait => "log-wait",
        LogKind::Refresh => "log-refresh",
    }
}

fn render_results(runs: &[RunResult]) -> Html {
    // (what the browser tests find it by, its words on the page, the value)
    type Row = (&'static str, K, fn(&Report) -> String);
    let rows: [Row; 10] = [
        ("Requests", K::LatStatRequests, |r| r.summary.requests.to_string()),
        ("Failures", K::LatStatFailures, |r| r.summary.failures.to_string()),
        ("Median", K::LatStatMedian, |r| ms(r.summary.median_ms)),
        ("95th percentile", K::LatStatP95, |r| ms(r.summary.p95_ms)),
        ("Max", K::LatStatMax, |r| ms(r.summary.max_ms)),
        ("Average", K::LatStatAverage, |r| ms(r.summary.avg_ms)),
        ("Requests/s", K::LatStatRps, |r| format!("{:.2}", r.summary.rps)),
        ("Hit ratio", K::LatStatHitRatio, |r| {
            if r.config.strategy == Strategy::NoCache {
                "—".into()
            } else {
                format!("{:.1}%", r.summary.hit_ratio * 100.0)
            }
        }),
        ("Database hits", K::LatStatDbHits, |r| r.summary.db_hits.to_string()),
        ("Database hits per product", K::LatStatDbHitsPerProduct, |r| {
            r.db_hits_per_product.iter().map(|(p, h)| format!("#{p}: {h}")).collect::<Vec<_>>().join(", ")
        }),
    ];
    html! {
        <section class="lat-results" aria-labelledby="results-title">
            <h2 id="results-title" class="lat-h2">{ t(K::LatResults) }</h2>
            <div class="results-scroll">
                <table class="results" id="results-table">
                    <thead><tr>
                        <th scope="col">{ t(K::LatStatistic) }</th>
                        { for runs.iter().map(|r| html! { <th scope="col" class={r.class()}>{ label(r.strategy) }</th> }) }
                    </tr></thead>
                    <tbody>
                        { for rows.iter().map(|(name, words, f)| html! {
                            <tr>
                                <th scope="row">{ t(*words) }</th>
                                { for runs.iter().map(|r| html! { <td data-stat={*name}>{ f(&r.report) }</td> }) }
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
            { for runs.iter().filter_map(|r| r.report.ab.as_ref().map(|ab| html! {
                <figure class="ab-report">
                    <figcaption>{ tf(K::LatAbReport, &[("strategy", &label(r.strategy))]) }</figcaption>
                    <pre>{ ab_text(ab, r.report.summary.failures) }</pre>
                </figure>
            })) }
        </section>
    }
}

fn ab_text(ab: &latency_sim::AbReport, failures: usize) -> String {
    let mut out = String::new();
    out.push_str(&format!("Concurrency Level:      {}\n", ab.concurrency));
    out.push_str(&format!("Time taken for tests:   {:.3} seconds\n", ab.time_taken_s));
    out.push_str(&format!("Complete requests:      {}\n", ab.complete_requests));
    out.push_str(&format!("Failed requests:        {failures}\n"));
    out.push_str(&format!("Requests per second:    {:.2} [#/sec] (mean)\n", ab.requests_per_second));
    out.push_str(&format!("Time per request:       {:.3} [ms] (mean)\n", ab.time_per_request_ms));
    out.push_str(&format!(
        "Time per request:       {:.3} [ms] (mean, across all concurrent requests)\n\n",
        ab.time_per_request_all_ms
    ));
    out.push_str("Percentage of the requests served within a certain time (ms)\n");
    for (p, v) in &ab.percentiles {
        let tail = if *p == 100 { " (longest request)" } else { "" };
        out.push_str(&format!(" {:>3}%  {:>6}{tail}\n", p, v));
    }
    out
}

fn render_commands(run: &RunResult, at_us: i64, done: bool) -> Html {
    let ran = run.report.commands_until(at_us);
    let keys = &run.report.final_keys;
    // All of them once the run has finished; the newest few while it plays.
    let shown = if done { ran.len() } else { ran.len().min(500) };
    html! {
        <div class="lat-panels">
            <details class="panel" id="commands-panel">
                <summary>{ tf(K::LatCommands, &[("strategy", &label(run.strategy)), ("n", &ran.len())]) }</summary>
                if run.strategy == Strategy::NoCache {
                    <p>{ t(K::LatNeverRedis) }</p>
                } else {
                    <p class="lat-note">{ t(K::LatMonitorNote) }</p>
                    <pre class="monitor" tabindex="0">{ ran[ran.len() - shown..].iter().map(monitor_text).collect::<Vec<_>>().join("\n") }</pre>
                    if shown < ran.len() { <p class="lat-note">{ tf(K::LatNewest, &[("n", &shown)]) }</p> }
                }
            </details>
            <details class="panel" id="keys-panel">
                <summary>{ tf(K::LatKeysEnd, &[("strategy", &label(run.strategy))]) }</summary>
                if !done {
                    <p>{ t(K::LatAvailableLater) }</p>
                } else if keys.is_empty() {
                    <p>{ t(K::LatCacheEmpty) }</p>
                } else {
                    <table class="keys">
                        <thead><tr><th scope="col">{ t(K::LatKey) }</th><th scope="col">{ t(K::LatTtlLeft) }</th></tr></thead>
                        <tbody>
                            { for keys.iter().map(|(k, ttl)| html! {
                                <tr><td><code>{ k.clone() }</code></td>
                                    <td>{ match ttl { Some(ms) => format!("{:.1} s", *ms as f64 / 1000.0), None => t(K::LatNoTtl).into() } }</td></tr>
                            }) }
                        </tbody>
                    </table>
                }
            </details>
        </div>
    }
}

/// A cache command the way MONITOR prints it (Unix time with microseconds,
/// the db, the client, every argument quoted), with its reply after the arrow.
fn monitor_text(c: &CommandRecord) -> String {
    format!("{}  → {}", monitor_line(c.unix_us, 0, API_CLIENT, &c.argv), c.reply)
}

#[cfg(test)]
mod tests {
    use super::*;
    use latency_sim::CommandOutcome;

    #[test]
    fn command_records_print_like_monitor() {
        let record = |at_us: i64, argv: &[&[u8]], reply: &str| CommandRecord {
            at_us,
            unix_us: (latency_sim::sim::EPOCH_MS + at_us / 1000) * 1000,
            name: "GET",
            key: String::from_utf8_lossy(argv[1]).into_owned(),
            argv: argv.iter().map(|a| a.to_vec()).collect(),
            reply: reply.into(),
            outcome: CommandOutcome::Miss,
        };
        assert_eq!(
            monitor_text(&record(93_988_300, &[b"GET", b"product:9"], "(nil)")),
            "1700000093.988000 [0 api:5000] \"GET\" \"product:9\"  → (nil)"
        );
        assert_eq!(
            monitor_text(&record(1_000_000, &[b"SETEX", b"product:1", b"60", b"{\"id\": 1}"], "OK")),
            "1700000001.000000 [0 api:5000] \"SETEX\" \"product:1\" \"60\" \"{\\\"id\\\": 1}\"  → OK"
        );
    }
}
