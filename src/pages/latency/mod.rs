//! The cached-vs-uncached latency demo: set up the seed's load test, run
//! the simulation (crates/latency-sim) with and without the cache, and play
//! the result back over a few seconds — Locust-style charts, the API log
//! beside the Python that printed it, ab's report, and the findings the
//! simulation worked out from what this run actually did. Everything is
//! computed by the simulation; these modules only render it.

mod charts;
mod code;
mod details;
mod explainers;
mod form;

use std::rc::Rc;

use gloo_timers::callback::Interval;
use latency_sim::{run, Report, Strategy};
use yew::prelude::*;

use crate::i18n::{t, tf, K};

use charts::render_charts;
use details::render_details;
use form::{render_form, Form};

/// Wall time a full playback takes.
const PLAYBACK_MS: u32 = 3000;
/// Wall time between playback frames.
const FRAME_MS: u32 = 40;

/// One finished run and the strategy it tested.
struct RunResult {
    strategy: Strategy,
    report: Report,
}

impl RunResult {
    fn class(&self) -> &'static str {
        series_class(self.strategy)
    }
}

fn series_class(s: Strategy) -> &'static str {
    match s {
        Strategy::NoCache => "series-nocache",
        Strategy::CacheAside => "series-aside",
        Strategy::CacheAsideLock => "series-lock",
        Strategy::EarlyRefresh => "series-early",
    }
}

/// How far the playback has revealed the runs.
#[derive(Clone, PartialEq)]
struct Playback {
    /// Virtual time revealed so far.
    at_us: i64,
    end_us: i64,
    playing: bool,
}

enum PlayAction {
    Start { end_us: i64, instant: bool },
    Tick,
    Skip,
}

impl Reducible for Playback {
    type Action = PlayAction;
    fn reduce(self: Rc<Self>, action: PlayAction) -> Rc<Self> {
        let next = match action {
            PlayAction::Start { end_us, instant } => {
                Playback { at_us: if instant { end_us } else { 0 }, end_us, playing: !instant }
            }
            PlayAction::Tick => {
                if !self.playing {
                    return self;
                }
                let step = (self.end_us * FRAME_MS as i64 / PLAYBACK_MS as i64).max(1);
                let at_us = (self.at_us + step).min(self.end_us);
                Playback { at_us, end_us: self.end_us, playing: at_us < self.end_us }
            }
            PlayAction::Skip => Playback { at_us: self.end_us, end_us: self.end_us, playing: false },
        };
        Rc::new(next)
    }
}

fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten())
        .map(|m| m.matches())
        .unwrap_or(false)
}

/// End of the run in virtual time: the last response, rounded up to a second.
fn run_end_us(runs: &[RunResult]) -> i64 {
    runs.iter().map(|r| r.report.timeline.len() as i64 * 1_000_000).max().unwrap_or(1_000_000)
}

// ----- the page ----------------------------------------------------------

#[function_component(LatencyPage)]
pub fn latency_page() -> Html {
    let form = use_state(Form::seed_defaults);
    let runs = use_state(|| Rc::new(Vec::<RunResult>::new()));
    let error = use_state(|| None::<String>);
    let focus = use_state(|| 0usize);
    let play = use_reducer(|| Playback { at_us: 0, end_us: 1, playing: false });
    let run_counter = use_mut_ref(|| 0u64);

    // The playback loop: one interval while playing, dropped when done.
    {
        let play = play.clone();
        let playing = play.playing;
        use_effect_with(playing, move |&playing| {
            let interval = playing.then(|| {
                let play = play.clone();
                Interval::new(FRAME_MS, move || play.dispatch(PlayAction::Tick))
            });
            move || drop(interval)
        });
    }

    let start = {
        let form = form.clone();
        let runs = runs.clone();
        let error = error.clone();
        let play = play.clone();
        let focus = focus.clone();
        let run_counter = run_counter.clone();
        move |strategies: Vec<Strategy>| {
            let mut results = Vec::new();
            for s in strategies {
                match form.config(s).and_then(run) {
                    Ok(report) => results.push(RunResult { strategy: s, report }),
                    Err(e) => {
                        error.set(Some(e));
                        return;
                    }
                }
            }
            error.set(None);
            *run_counter.borrow_mut() += 1;
            let end_us = run_end_us(&results);
            focus.set(results.len().saturating_sub(1));
            runs.set(Rc::new(results));
            play.dispatch(PlayAction::Start { end_us, instant: prefers_reduced_motion() });
        }
    };
    let on_uncached = {
        let start = start.clone();
        Callback::from(move |_: MouseEvent| start(vec![Strategy::NoCache]))
    };
    let on_cached = {
        let start = start.clone();
        let form = form.clone();
        Callback::from(move |_: MouseEvent| start(vec![form.cached]))
    };
    let on_both = {
        let start = start.clone();
        let form = form.clone();
        Callback::from(move |_: MouseEvent| start(vec![Strategy::NoCache, form.cached]))
    };
    let on_skip = {
        let play = play.clone();
        Callback::from(move |_: MouseEvent| play.dispatch(PlayAction::Skip))
    };
    let on_submit = {
        let start = start.clone();
        let form = form.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            start(vec![Strategy::NoCache, form.cached]);
        })
    };

    // Validation is live: the message shows as soon as a field is wrong.
    let validation = form.config(form.cached).err();
    let done = !play.playing;
    let revealed_s = ((play.at_us + 999_999) / 1_000_000).max(0) as usize;

    html! {
        <section class="latency" aria-labelledby="latency-title">
            <div class="intro">
                <h1 id="latency-title">{ t(K::LatTitle) }</h1>
                <p>
                    { t(K::LatIntro1) }{ t(K::LatIntro2) }<code>{"ab -n 100 -c 10"}</code>{ t(K::LatIntro3) }
                </p>
            </div>
            { render_form(&form, on_submit, validation.clone()) }
            <div class="lat-actions" role="group" aria-label={t(K::LatRunGroup)}>
                <button type="button" class="btn" id="run-uncached" onclick={on_uncached}
                        disabled={validation.is_some()}>{ t(K::LatRunUncached) }</button>
                <button type="button" class="btn" id="run-cached" onclick={on_cached}
                        disabled={validation.is_some()}>{ tf(K::LatRunCached, &[("strategy", &label(form.cached))]) }</button>
                <button type="button" class="btn primary" id="run-both" onclick={on_both}
                        disabled={validation.is_some()}>{ t(K::LatRunBoth) }</button>
            </div>
            if let Some(e) = (*error).clone() {
                <p class="lat-error" role="alert">{ e }</p>
            }
            if !runs.is_empty() {
                { render_progress(&play, on_skip) }
                { render_charts(&runs, &play, revealed_s, form.log_scale, done) }
                { render_details(&runs, &play, *focus, focus.clone(), done) }
            }
        </section>
    }
}

fn render_progress(play: &UseReducerHandle<Playback>, on_skip: Callback<MouseEvent>) -> Html {
    let pct = if play.end_us > 0 { play.at_us as f64 * 100.0 / play.end_us as f64 } else { 100.0 };
    html! {
        <div class="lat-progress" id="lat-progress">
            <label for="lat-progress-bar">
                { if play.playing { t(K::LatPlaying) } else { t(K::LatComplete) } }
                { tf(K::LatVirtualTime, &[("at", &clock(play.at_us)), ("end", &clock(play.end_us))]) }
            </label>
            <progress id="lat-progress-bar" max="100" value={format!("{pct:.1}")}>{ format!("{pct:.0}%") }</progress>
            if play.playing {
                <button type="button" class="btn subtle" id="lat-skip" onclick={on_skip}>{ t(K::LatSkip) }</button>
            }
            <p class="sr-only" role="status">{ if play.playing { "" } else { t(K::LatCompleteStatus) } }</p>
        </div>
    }
}

/// A strategy's name in the page's language.
fn label(s: Strategy) -> &'static str {
    t(match s {
        Strategy::NoCache => K::StrategyNoCache,
        Strategy::CacheAside => K::StrategyAside,
        Strategy::CacheAsideLock => K::StrategyLock,
        Strategy::EarlyRefresh => K::StrategyEarly,
    })
}

fn clock(us: i64) -> String {
    let s = (us.max(0) + 500_000) / 1_000_000;
    format!("{}:{:02}", s / 60, s % 60)
}

fn ms(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0} ms")
    } else {
        format!("{v:.1} ms")
    }
}
