//! "What this run shows": each finding the simulation worked out
//! ([`latency_sim::findings`]) put into words.

use latency_sim::{findings, Finding, LoopBound, Strategy};
use yew::prelude::*;

use super::{clock, label, ms, RunResult};
use crate::i18n::{t, tf, K};

pub(super) fn render_explainers(runs: &[RunResult]) -> Html {
    html! {
        <section class="lat-explain" aria-labelledby="explain-title">
            <h2 id="explain-title" class="lat-h2">{ t(K::LatExplainTitle) }</h2>
            <ul>{ for findings(runs.iter().map(|r| &r.report)).iter().map(explain) }</ul>
        </section>
    }
}

fn explain(finding: &Finding) -> Html {
    match finding {
        Finding::ClosedLoop { strategy, users, response_s, think_s, expected_rps, measured_rps, bound } => {
            let formula = tf(
                K::LatFormula,
                &[
                    ("users", users),
                    ("response", &format!("{response_s:.3}")),
                    ("think", &format!("{think_s:.2}")),
                    ("rps", &format!("{expected_rps:.2}")),
                ],
            );
            let why = match bound {
                LoopBound::NoThinkTime => t(K::LatNoThink).to_string(),
                LoopBound::ThinkTime { ceiling_rps } => {
                    tf(K::LatThinkBound, &[("ceiling", &format!("{ceiling_rps:.2}"))])
                }
                LoopBound::ResponseTime { share_pct, ceiling_rps } => tf(
                    K::LatResponseBound,
                    &[("share", &format!("{share_pct:.0}")), ("ceiling", &format!("{ceiling_rps:.2}"))],
                ),
            };
            html! {
                <li class="explain" data-explainer="rps">
                    <strong>{ tf(K::LatWhyRps, &[("strategy", &label(*strategy)), ("rps", &format!("{expected_rps:.1}"))]) }</strong>
                    { t(K::LatEachUser) }
                    <code class="formula">{ formula }</code>
                    { tf(K::LatMeasured, &[("rps", &format!("{measured_rps:.2}"))]) }
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
                <strong>{ tf(K::LatAbInFlight, &[("strategy", &label(*strategy)), ("n", concurrency)]) }</strong>
                { t(K::LatAbSlots) }
                <code class="formula">{ tf(K::LatAbFormula, &[
                    ("n", concurrency),
                    ("response", &format!("{response_s:.3}")),
                    ("rps", &format!("{estimated_rps:.2}")),
                ]) }</code>
                { tf(K::LatAbMeasured, &[
                    ("rps", &format!("{measured_rps:.2}")),
                    ("per", &format!("{time_per_request_ms:.1}")),
                    ("all", &format!("{time_per_request_all_ms:.1}")),
                ]) }
            </li>
        },
        Finding::LockPreventsStampede { waited, poll_ms, max_parallel_loads, db_hits } => html! {
            <li class="explain" data-explainer="lock">
                <strong>{ t(K::LatLockTitle) }</strong>
                { tf(K::LatLockText, &[("waited", waited), ("poll", poll_ms), ("max", max_parallel_loads), ("hits", db_hits)]) }
            </li>
        },
        Finding::Stampede { strategy, misses, db_latency_ms, max_parallel_loads, with_lock } => html! {
            <li class="explain" data-explainer="stampede">
                <strong>{ tf(K::LatStampedeTitle, &[("strategy", &label(*strategy))]) }</strong>
                { tf(K::LatStampedeText, &[("misses", misses), ("latency", db_latency_ms), ("max", max_parallel_loads)]) }
                { match with_lock {
                    Some(l) => tf(K::LatWithLock, &[("n", l)]),
                    None => t(K::LatChooseLock).into(),
                } }
            </li>
        },
        Finding::EarlyRefresh { refresh_ahead_s, refreshes, expiry_misses } => html! {
            <li class="explain" data-explainer="early">
                <strong>{ t(K::LatEarlyTitle) }</strong>
                { tf(K::LatEarlyText, &[("ahead", refresh_ahead_s), ("refreshes", refreshes), ("misses", expiry_misses)]) }
            </li>
        },
        Finding::ExpirySpikes { strategy, ttl_s, misses, spike_starts_s, early_refresh_shown } => {
            let spikes: Vec<String> = spike_starts_s.iter().map(|&sec| clock(sec as i64 * 1_000_000)).collect();
            let near =
                if spikes.is_empty() { String::new() } else { tf(K::LatSpikesNear, &[("times", &spikes.join(", "))]) };
            html! {
                <li class="explain" data-explainer="expiry">
                    <strong>{ tf(K::LatExpiryTitle, &[("strategy", &label(*strategy))]) }</strong>
                    { tf(K::LatExpiryText, &[("ttl", ttl_s), ("misses", misses), ("near", &near)]) }
                    { if *early_refresh_shown { t(K::LatEarlyShown) } else { t(K::LatChooseEarly) } }
                </li>
            }
        }
        Finding::Uncached { requests, db_hits, median_ms } => html! {
            <li class="explain" data-explainer="uncached">
                <strong>{ tf(K::LatUncachedTitle, &[("strategy", &label(Strategy::NoCache))]) }</strong>
                { tf(K::LatUncachedText, &[("requests", requests), ("hits", db_hits), ("median", &ms(*median_ms))]) }
            </li>
        },
    }
}
