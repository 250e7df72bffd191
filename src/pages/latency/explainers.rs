//! "What this run shows": each finding the simulation worked out
//! ([`latency_sim::findings`]) put into words.

use latency_sim::{findings, Finding, LoopBound, Strategy};
use yew::prelude::*;

use super::{clock, ms, RunResult};

pub(super) fn render_explainers(runs: &[RunResult]) -> Html {
    html! {
        <section class="lat-explain" aria-labelledby="explain-title">
            <h2 id="explain-title" class="lat-h2">{"What this run shows"}</h2>
            <ul>{ for findings(runs.iter().map(|r| &r.report)).iter().map(explain) }</ul>
        </section>
    }
}

fn explain(finding: &Finding) -> Html {
    match finding {
        Finding::ClosedLoop { strategy, users, response_s, think_s, expected_rps, measured_rps, bound } => {
            let formula = format!(
                "users / (response time + mean think time) = {users} / ({response_s:.3} s + {think_s:.2} s) = {expected_rps:.2} req/s"
            );
            let why = match bound {
                LoopBound::NoThinkTime => "With no think time every user sends its next request at once, so requests/s is users / response time: only faster responses (or more users) raise it.".to_string(),
                LoopBound::ThinkTime { ceiling_rps } => format!(
                    "Responses are now a small share of each user's loop, so requests/s sits near its ceiling users / mean think time = {ceiling_rps:.2} req/s: the cap comes from the users' think time, not from the server. More users (or less think time) would raise it."
                ),
                LoopBound::ResponseTime { share_pct, ceiling_rps } => format!(
                    "The response time is {share_pct:.0}% of each user's loop, so it holds requests/s down; with instant responses the same users could reach {ceiling_rps:.2} req/s."
                ),
            };
            html! {
                <li class="explain" data-explainer="rps">
                    <strong>{ format!("{}: why about {:.1} requests/s? ", strategy.label(), expected_rps) }</strong>
                    {"Each Locust user waits for its response, then thinks before the next request, so "}
                    <code class="formula">{ formula }</code>
                    { format!(". Measured: {measured_rps:.2} req/s (a little lower while users are still spawning). ") }
                    { why }
                </li>
            }
        }
        Finding::AbConcurrency {
            strategy,
            concurrency,
            response_s,
            estimated_rps,
            measured_rps,
            time_per_request_ms,
            time_per_request_all_ms,
        } => html! {
            <li class="explain" data-explainer="ab">
                <strong>{ format!("{}: ab keeps {concurrency} requests in flight. ", strategy.label()) }</strong>
                {"With no think time, each of ab's slots sends its next request as soon as the last one returns, so "}
                <code class="formula">{ format!("concurrency / response time = {concurrency} / {response_s:.3} s = {estimated_rps:.2} req/s") }</code>
                { format!(". Measured: {measured_rps:.2} req/s. ab's \"Time per request\" is {time_per_request_ms:.1} ms per request and {time_per_request_all_ms:.1} ms across all concurrent requests (the first times the concurrency).") }
            </li>
        },
        Finding::LockPreventsStampede { waited, poll_ms, max_parallel_loads, db_hits } => html! {
            <li class="explain" data-explainer="lock">
                <strong>{"Cache-aside + lock: no stampede. "}</strong>
                { format!(
                    "Only the request that wins SET lock:… NX PX loads a product; {waited} requests found the lock taken and re-read the cache every {poll_ms} ms instead of starting their own query. At most {max_parallel_loads} database load per product ran at a time ({db_hits} database hits in all)."
                ) }
            </li>
        },
        Finding::Stampede { strategy, misses, db_latency_ms, max_parallel_loads, with_lock } => html! {
            <li class="explain" data-explainer="stampede">
                <strong>{ format!("{}: a cache stampede. ", strategy.label()) }</strong>
                { format!(
                    "{misses} misses happened while the same product was already being loaded from the database — on a cold cache several users ask for the same product before the first load has finished, and each one starts its own {db_latency_ms}-ms query (up to {max_parallel_loads} at once for one product). "
                ) }
                { match with_lock {
                    Some(l) => format!("With the lock, at most {l} load per product ran at a time."),
                    None => "Choose “Cache-aside + lock” to let only one request load each product while the others wait for the cache.".into(),
                } }
            </li>
        },
        Finding::EarlyRefresh { refresh_ahead_s, refreshes, expiry_misses } => html! {
            <li class="explain" data-explainer="early">
                <strong>{"Early refresh hides the expiry. "}</strong>
                { format!(
                    "A hit that finds less than {refresh_ahead_s} s of TTL left reloads the product in the background while it answers from the cache: {refreshes} background refreshes in this run, and {expiry_misses} expiry misses left (products nobody asked for in their last {refresh_ahead_s} s)."
                ) }
            </li>
        },
        Finding::ExpirySpikes { strategy, ttl_s, misses, spike_starts_s, early_refresh_shown } => {
            let spikes: Vec<String> = spike_starts_s.iter().map(|&sec| clock(sec as i64 * 1_000_000)).collect();
            let near = if spikes.is_empty() {
                String::new()
            } else {
                format!(", visible as p95 spikes starting near {}", spikes.join(", "))
            };
            html! {
                <li class="explain" data-explainer="expiry">
                    <strong>{ format!("{}: TTL-expiry spikes. ", strategy.label()) }</strong>
                    { format!(
                        "Each entry lives {ttl_s} s (SETEX … {ttl_s}). When it expires, the next request for that product misses and waits for the database again: {misses} such misses in this run{near}. "
                    ) }
                    { if *early_refresh_shown {
                        "Early refresh reloads an entry in the background shortly before it expires, so readers keep hitting."
                    } else {
                        "Choose “Cache-aside + early refresh” to reload entries shortly before they expire, off the request path."
                    } }
                </li>
            }
        }
        Finding::Uncached { requests, db_hits, median_ms } => html! {
            <li class="explain" data-explainer="uncached">
                <strong>{ format!("{}: every request is a DATABASE HIT. ", Strategy::NoCache.label()) }</strong>
                { format!("{requests} requests, {db_hits} database queries, median {}: the response time is the database time.", ms(*median_ms)) }
            </li>
        },
    }
}
