//! The cached-vs-uncached latency demo: set up the seed's load test, run
//! the simulation (crates/latency-sim) with and without the cache, and play
//! the result back over a few seconds — Locust-style charts, the API log
//! beside the Python that printed it, ab's report, and explainers computed
//! from what this run actually did.

use std::rc::Rc;

use gloo_timers::callback::Interval;
use latency_sim::{run, Load, LogKind, LogLine, Popularity, Report, SimConfig, Strategy};
use yew::prelude::*;

use crate::components::charts::{LineChart, Series};

/// Wall time a full playback takes.
const PLAYBACK_MS: u32 = 3000;
/// Wall time between playback frames.
const FRAME_MS: u32 = 40;
/// API log lines kept on screen while playing (the newest).
const LOG_WINDOW: usize = 200;
/// Seconds the requests/s line is averaged over.
const RPS_WINDOW_S: usize = 10;

// ----- the form ---------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Users,
    SpawnRate,
    Duration,
    ThinkMin,
    ThinkMax,
    Products,
    ZipfS,
    Workers,
    DbLatency,
    DbJitter,
    CacheRtt,
    Overhead,
    Ttl,
    AbRequests,
    AbConcurrency,
    Seed,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum LoadKind {
    Locust,
    Ab,
}

#[derive(Clone, PartialEq)]
struct Form {
    load: LoadKind,
    zipf: bool,
    cached: Strategy,
    log_scale: bool,
    values: Vec<(Field, String)>,
}

impl Form {
    fn seed_defaults() -> Form {
        let d = SimConfig::seed_defaults(Strategy::CacheAside);
        let (users, spawn, duration, tmin, tmax) = match d.load {
            Load::Locust { users, spawn_rate, duration_s, think_min_ms, think_max_ms } => {
                (users, spawn_rate, duration_s, think_min_ms, think_max_ms)
            }
            Load::Ab { .. } => (10, 1.0, 180, 1000, 2000),
        };
        let values = vec![
            (Field::Users, users.to_string()),
            (Field::SpawnRate, spawn.to_string()),
            (Field::Duration, duration.to_string()),
            (Field::ThinkMin, (tmin as f64 / 1000.0).to_string()),
            (Field::ThinkMax, (tmax as f64 / 1000.0).to_string()),
            (Field::Products, d.products.to_string()),
            (Field::ZipfS, "1.1".into()),
            (Field::Workers, d.workers.to_string()),
            (Field::DbLatency, d.db_latency_ms.to_string()),
            (Field::DbJitter, d.db_jitter_ms.to_string()),
            (Field::CacheRtt, (d.cache_rtt_us as f64 / 1000.0).to_string()),
            (Field::Overhead, (d.overhead_us as f64 / 1000.0).to_string()),
            (Field::Ttl, d.ttl_s.to_string()),
            (Field::AbRequests, "100".into()),
            (Field::AbConcurrency, "10".into()),
            (Field::Seed, d.seed.to_string()),
        ];
        Form { load: LoadKind::Locust, zipf: false, cached: Strategy::CacheAside, log_scale: false, values }
    }

    fn get(&self, f: Field) -> &str {
        self.values.iter().find(|(k, _)| *k == f).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    fn set(&mut self, f: Field, v: String) {
        if let Some(slot) = self.values.iter_mut().find(|(k, _)| *k == f) {
            slot.1 = v;
        }
    }

    /// The simulation config this form describes, or what is wrong with it.
    fn config(&self, strategy: Strategy) -> Result<SimConfig, String> {
        let mut cfg = SimConfig::seed_defaults(strategy);
        cfg.load = match self.load {
            LoadKind::Locust => Load::Locust {
                users: self.int(Field::Users, "users")? as u32,
                spawn_rate: self.num(Field::SpawnRate, "spawn rate")?,
                duration_s: self.int(Field::Duration, "duration")? as u32,
                think_min_ms: (self.num(Field::ThinkMin, "minimum think time")? * 1000.0).round() as u64,
                think_max_ms: (self.num(Field::ThinkMax, "maximum think time")? * 1000.0).round() as u64,
            },
            LoadKind::Ab => Load::Ab {
                requests: self.int(Field::AbRequests, "-n (requests)")? as u32,
                concurrency: self.int(Field::AbConcurrency, "-c (concurrency)")? as u32,
            },
        };
        cfg.products = self.int(Field::Products, "products")? as u32;
        cfg.popularity =
            if self.zipf { Popularity::Zipf(self.num(Field::ZipfS, "Zipf exponent")?) } else { Popularity::Uniform };
        cfg.workers = self.int(Field::Workers, "workers")? as u32;
        cfg.db_latency_ms = self.int(Field::DbLatency, "database latency")?;
        cfg.db_jitter_ms = self.int(Field::DbJitter, "database jitter")?.min(60_000);
        cfg.cache_rtt_us = (self.num(Field::CacheRtt, "cache round trip")? * 1000.0).round().min(1e9) as u64;
        cfg.overhead_us = (self.num(Field::Overhead, "framework overhead")? * 1000.0).round().min(1e9) as u64;
        cfg.ttl_s = self.int(Field::Ttl, "TTL")?;
        cfg.seed = self.int(Field::Seed, "seed")?;
        cfg.validate()?;
        let estimate = estimated_requests(&cfg);
        if estimate > MAX_REQUESTS {
            return Err(format!(
                "this run would simulate about {estimate:.0} requests; the page runs at most {MAX_REQUESTS:.0} (use fewer users, a shorter duration or more think time)"
            ));
        }
        Ok(cfg)
    }

    fn num(&self, f: Field, name: &str) -> Result<f64, String> {
        match self.get(f).trim().parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
            _ => Err(format!("{name} must be a number of at least 0")),
        }
    }

    /// A whole number, capped so a typo cannot ask for an absurd run
    /// (SimConfig::validate then gives the precise limits).
    fn int(&self, f: Field, name: &str) -> Result<u64, String> {
        self.get(f)
            .trim()
            .parse::<u64>()
            .map(|v| v.min(u32::MAX as u64))
            .map_err(|_| format!("{name} must be a whole number"))
    }
}

/// Most requests one run may simulate, so a run never freezes the tab.
const MAX_REQUESTS: f64 = 1_000_000.0;

/// Upper estimate of a run's requests: every user loops as fast as a cache
/// hit and its shortest think time allow.
fn estimated_requests(cfg: &SimConfig) -> f64 {
    match cfg.load {
        Load::Ab { requests, .. } => requests as f64,
        Load::Locust { users, duration_s, think_min_ms, .. } => {
            let fastest_s = (cfg.overhead_us + cfg.cache_rtt_us) as f64 / 1e6;
            let loop_s = (think_min_ms as f64 / 1000.0 + fastest_s).max(1e-4);
            users as f64 * duration_s as f64 / loop_s
        }
    }
}

// ----- runs and playback ---------------------------------------------

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
                <h1 id="latency-title">{"Cached vs uncached: the latency demo"}</h1>
                <p>
                    {"A product API whose database call takes 2 seconds, load-tested like the seed experiment "}
                    {"(Locust: 10 users, 1–2 s think time; or "}<code>{"ab -n 100 -c 10"}</code>{"). "}
                    {"The load test runs in simulated time, deterministically; every cache command runs on "}
                    {"this page's Redis emulator."}
                </p>
            </div>
            { render_form(&form, on_submit, validation.clone()) }
            <div class="lat-actions" role="group" aria-label="Run the load test">
                <button type="button" class="btn" id="run-uncached" onclick={on_uncached}
                        disabled={validation.is_some()}>{"Run uncached"}</button>
                <button type="button" class="btn" id="run-cached" onclick={on_cached}
                        disabled={validation.is_some()}>{ format!("Run cached ({})", form.cached.label()) }</button>
                <button type="button" class="btn primary" id="run-both" onclick={on_both}
                        disabled={validation.is_some()}>{"Run both side by side"}</button>
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

fn field_input(form: &UseStateHandle<Form>, f: Field, id: &str, label: &str, unit: &str, step: &str) -> Html {
    let oninput = {
        let form = form.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let mut next = (*form).clone();
            next.set(f, input.value());
            form.set(next);
        })
    };
    html! {
        <label class="lat-field" for={id.to_string()}>
            <span class="lat-label">{ label }</span>
            <span class="lat-input">
                <input id={id.to_string()} type="number" inputmode="decimal" min="0" step={step.to_string()}
                       value={form.get(f).to_string()} {oninput} />
                if !unit.is_empty() { <span class="lat-unit">{ unit }</span> }
            </span>
        </label>
    }
}

fn render_form(form: &UseStateHandle<Form>, onsubmit: Callback<SubmitEvent>, validation: Option<String>) -> Html {
    let set_load = |kind: LoadKind| {
        let form = form.clone();
        Callback::from(move |_: Event| {
            let mut next = (*form).clone();
            next.load = kind;
            form.set(next);
        })
    };
    let set_zipf = |zipf: bool| {
        let form = form.clone();
        Callback::from(move |_: Event| {
            let mut next = (*form).clone();
            next.zipf = zipf;
            form.set(next);
        })
    };
    let on_strategy = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlInputElement = e.target_unchecked_into();
            let mut next = (*form).clone();
            next.cached = match select.value().as_str() {
                "lock" => Strategy::CacheAsideLock,
                "early" => Strategy::EarlyRefresh,
                _ => Strategy::CacheAside,
            };
            form.set(next);
        })
    };
    let on_log = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let mut next = (*form).clone();
            next.log_scale = input.checked();
            form.set(next);
        })
    };
    let on_reset = {
        let form = form.clone();
        Callback::from(move |_: MouseEvent| form.set(Form::seed_defaults()))
    };
    let locust = form.load == LoadKind::Locust;
    html! {
        <form class="lat-form panel" {onsubmit} aria-describedby="lat-validation" novalidate=true>
            <fieldset class="lat-load">
                <legend>{"Load generator"}</legend>
                <div class="lat-radios">
                    <label><input type="radio" name="load" id="load-locust" checked={locust}
                                  onchange={set_load(LoadKind::Locust)} />{" Locust (users with think time)"}</label>
                    <label><input type="radio" name="load" id="load-ab" checked={!locust}
                                  onchange={set_load(LoadKind::Ab)} />{" ab (fixed number of requests)"}</label>
                </div>
                if locust {
                    <div class="lat-grid">
                        { field_input(form, Field::Users, "f-users", "Users", "", "1") }
                        { field_input(form, Field::SpawnRate, "f-spawn", "Spawn rate", "users/s", "0.5") }
                        { field_input(form, Field::Duration, "f-duration", "Duration", "s", "10") }
                        { field_input(form, Field::ThinkMin, "f-think-min", "Think time from", "s", "0.5") }
                        { field_input(form, Field::ThinkMax, "f-think-max", "Think time to", "s", "0.5") }
                        { field_input(form, Field::Products, "f-products", "Products", "ids", "1") }
                    </div>
                    <div class="lat-radios">
                        <span class="lat-label">{"Product popularity"}</span>
                        <label><input type="radio" name="pop" id="pop-uniform" checked={!form.zipf}
                                      onchange={set_zipf(false)} />{" uniform (random.randint)"}</label>
                        <label><input type="radio" name="pop" id="pop-zipf" checked={form.zipf}
                                      onchange={set_zipf(true)} />{" Zipf"}</label>
                        if form.zipf { { field_input(form, Field::ZipfS, "f-zipf", "exponent s", "", "0.1") } }
                    </div>
                } else {
                    <div class="lat-grid">
                        { field_input(form, Field::AbRequests, "f-ab-n", "-n requests", "", "10") }
                        { field_input(form, Field::AbConcurrency, "f-ab-c", "-c concurrency", "", "1") }
                    </div>
                    <p class="lat-note">{"ab sends every request for the same product and never pauses between them."}</p>
                }
            </fieldset>
            <fieldset>
                <legend>{"API, database and cache"}</legend>
                <div class="lat-grid">
                    { field_input(form, Field::Workers, "f-workers", "Server workers", "threads", "1") }
                    { field_input(form, Field::DbLatency, "f-db", "Database latency", "ms", "100") }
                    { field_input(form, Field::DbJitter, "f-jitter", "± jitter", "ms", "50") }
                    { field_input(form, Field::CacheRtt, "f-rtt", "Cache round trip", "ms", "0.1") }
                    { field_input(form, Field::Overhead, "f-overhead", "Framework overhead", "ms", "0.5") }
                    { field_input(form, Field::Ttl, "f-ttl", "Cache TTL", "s", "10") }
                    { field_input(form, Field::Seed, "f-seed", "Random seed", "", "1") }
                </div>
                <div class="lat-row">
                    <label class="lat-field" for="f-strategy">
                        <span class="lat-label">{"Cached strategy"}</span>
                        <select id="f-strategy" onchange={on_strategy}>
                            <option value="aside" selected={form.cached == Strategy::CacheAside}>{"Cache-aside (the seed)"}</option>
                            <option value="lock" selected={form.cached == Strategy::CacheAsideLock}>{"Cache-aside + lock (no stampede)"}</option>
                            <option value="early" selected={form.cached == Strategy::EarlyRefresh}>{"Cache-aside + early refresh"}</option>
                        </select>
                    </label>
                    <label class="lat-check"><input type="checkbox" id="f-log" checked={form.log_scale} onchange={on_log} />
                        {" Logarithmic response-time axis"}</label>
                    <button type="button" class="btn subtle" onclick={on_reset}>{"Reset to the seed's values"}</button>
                </div>
            </fieldset>
            <p id="lat-validation" class={classes!("lat-validation", validation.is_some().then_some("invalid"))}
               role="status" aria-live="polite">
                { validation.unwrap_or_default() }
            </p>
        </form>
    }
}

fn render_progress(play: &UseReducerHandle<Playback>, on_skip: Callback<MouseEvent>) -> Html {
    let pct = if play.end_us > 0 { play.at_us as f64 * 100.0 / play.end_us as f64 } else { 100.0 };
    html! {
        <div class="lat-progress" id="lat-progress">
            <label for="lat-progress-bar">
                { if play.playing { "Playing the run: " } else { "Run complete: " } }
                { format!("{} of {} virtual time", clock(play.at_us), clock(play.end_us)) }
            </label>
            <progress id="lat-progress-bar" max="100" value={format!("{pct:.1}")}>{ format!("{pct:.0}%") }</progress>
            if play.playing {
                <button type="button" class="btn subtle" id="lat-skip" onclick={on_skip}>{"Skip to the end"}</button>
            }
            <p class="sr-only" role="status">{ if play.playing { "" } else { "Run complete: results, explanations and tables are below the charts." } }</p>
        </div>
    }
}

fn clock(us: i64) -> String {
    let s = (us.max(0) + 500_000) / 1_000_000;
    format!("{}:{:02}", s / 60, s % 60)
}

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

fn render_charts(
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

fn ms(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0} ms")
    } else {
        format!("{v:.1} ms")
    }
}

fn render_details(
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
            <div class="lat-tabs" role="group" aria-label="Show the log and code of">
                { for runs.iter().enumerate().map(|(i, r)| {
                    let set_focus = set_focus.clone();
                    html! {
                        <button type="button" class={classes!("tab", r.class(), (i == focus).then_some("active"))}
                                aria-pressed={(i == focus).to_string()}
                                onclick={Callback::from(move |_: MouseEvent| set_focus.set(i))}>
                            { r.strategy.label() }
                        </button>
                    }
                }) }
            </div>
        }
    });
    let shown: Vec<&LogLine> = current.report.log.iter().take_while(|l| l.at_us <= play.at_us).collect();
    // The newest step of the run: every line logged at the newest instant
    // (a miss and its database read are logged together).
    let mut last_kinds: Vec<LogKind> = Vec::new();
    if let Some(newest) = shown.last() {
        for l in shown.iter().rev().take_while(|l| l.at_us == newest.at_us) {
            if !last_kinds.contains(&l.kind) {
                last_kinds.insert(0, l.kind);
            }
        }
    }
    html! {
        <>
            <h2 class="lat-h2">{"What the API printed, and the code that printed it"}</h2>
            { tabs.unwrap_or_default() }
            <div class="lat-run-detail">
                { render_log(current, &shown) }
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

fn render_log(run: &RunResult, shown: &[&LogLine]) -> Html {
    let skip = shown.len().saturating_sub(LOG_WINDOW);
    let dropped = run.report.dropped_log_lines;
    html! {
        <section class="api-log-wrap" aria-labelledby="api-log-title">
            <h3 id="api-log-title">{ format!("API log — {}", run.strategy.label()) }</h3>
            <ol class="api-log" id="api-log" tabindex="0" aria-label="API log, newest last">
                if skip > 0 { <li class="log-more">{ format!("… {skip} earlier lines") }</li> }
                { for shown.iter().skip(skip).map(|l| html! {
                    <li class={log_class(l.kind)}>
                        <span class="log-time">{ format!("[{:>8.3}s]", l.at_us as f64 / 1e6) }</span>
                        { " " }{ l.text.clone() }
                    </li>
                }) }
                if shown.is_empty() { <li class="log-more">{"(waiting for the first request)"}</li> }
            </ol>
            if dropped > 0 { <p class="lat-note">{ format!("{dropped} later lines were not kept.") }</p> }
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

/// The Python the seed ran; each line tagged with the log kinds whose path
/// runs through it: h = hit, m = miss, d = database, w = lock wait, r = refresh.
const UNCACHED_CODE: &[(&str, &str)] = &[
    ("import time", ""),
    ("from flask import Flask, jsonify", ""),
    ("", ""),
    ("app = Flask(__name__)", ""),
    ("", ""),
    ("def get_product_from_db(product_id):", "d"),
    ("    print(f\"DATABASE HIT: Fetching product {product_id} from the database...\")", "d"),
    ("    time.sleep(2)  # simulate a slow database query", "d"),
    ("    return {\"id\": product_id, \"name\": f\"Product {product_id}\", \"price\": 100.0}", "d"),
    ("", ""),
    ("@app.route(\"/product/<int:product_id>\")", "d"),
    ("def get_product(product_id):", "d"),
    ("    return jsonify(get_product_from_db(product_id))", "d"),
];

const CACHED_CODE: &[(&str, &str)] = &[
    ("import json, time", ""),
    ("import redis", ""),
    ("from flask import Flask, jsonify", ""),
    ("", ""),
    ("app = Flask(__name__)", ""),
    ("cache = redis.Redis(host=\"localhost\", port=6379, db=0)", ""),
    ("", ""),
    ("def get_product_from_db(product_id):", "d"),
    ("    print(f\"DATABASE HIT: Fetching product {product_id} from the database...\")", "d"),
    ("    time.sleep(2)  # simulate a slow database query", "d"),
    ("    return {\"id\": product_id, \"name\": f\"Product {product_id}\", \"price\": 100.0}", "d"),
    ("", ""),
    ("@app.route(\"/product/<int:product_id>\")", "hm"),
    ("def get_product(product_id):", "hm"),
    ("    cache_key = f\"product:{product_id}\"", "hm"),
    ("    cached = cache.get(cache_key)", "hm"),
    ("    if cached:", "hm"),
    ("        print(f\"CACHE HIT: Fetching product {product_id} from cache.\")", "h"),
    ("        return jsonify(json.loads(cached))", "h"),
    ("    print(f\"CACHE MISS: Product {product_id} not found in cache.\")", "m"),
    ("    product = get_product_from_db(product_id)", "md"),
    ("    cache.setex(cache_key, 60, json.dumps(product))", "d"),
    ("    return jsonify(product)", "d"),
];

const LOCK_CODE: &[(&str, &str)] = &[
    ("def get_product(product_id):", "hmwd"),
    ("    cache_key = f\"product:{product_id}\"", "hmwd"),
    ("    while True:", "hmw"),
    ("        cached = cache.get(cache_key)", "hmw"),
    ("        if cached:", "hmw"),
    ("            print(f\"CACHE HIT: Fetching product {product_id} from cache.\")", "h"),
    ("            return jsonify(json.loads(cached))", "h"),
    ("        print(f\"CACHE MISS: Product {product_id} not found in cache.\")", "m"),
    ("        if cache.set(f\"lock:{cache_key}\", 1, nx=True, px=10000):", "mw"),
    ("            cached = cache.get(cache_key)  # re-check: the last holder may just have stored it", "md"),
    ("            if not cached:", "md"),
    ("                product = get_product_from_db(product_id)  # only the lock holder", "d"),
    ("                cache.setex(cache_key, 60, json.dumps(product))", "d"),
    ("            cache.delete(f\"lock:{cache_key}\")", "d"),
    ("            return jsonify(product if not cached else json.loads(cached))", "d"),
    ("        time.sleep(0.05)  # someone else is loading it: wait, then re-read", "w"),
];

const EARLY_CODE: &[(&str, &str)] = &[
    ("def get_product(product_id):", "hmdr"),
    ("    cache_key = f\"product:{product_id}\"", "hmdr"),
    ("    cached = cache.get(cache_key)", "hmdr"),
    ("    if cached:", "hmr"),
    ("        print(f\"CACHE HIT: Fetching product {product_id} from cache.\")", "hr"),
    ("        if cache.pttl(cache_key) < 5000:  # about to expire", "hr"),
    ("            refresh_in_background(product_id)  # reload + SETEX, off the request path", "r"),
    ("        return jsonify(json.loads(cached))", "h"),
    ("    print(f\"CACHE MISS: Product {product_id} not found in cache.\")", "m"),
    ("    product = get_product_from_db(product_id)", "md"),
    ("    cache.setex(cache_key, 60, json.dumps(product))", "d"),
    ("    return jsonify(product)", "d"),
];

fn render_code(strategy: Strategy, newest: &[LogKind]) -> Html {
    let (title, code) = match strategy {
        Strategy::NoCache => ("app.py — the uncached API", UNCACHED_CODE),
        Strategy::CacheAside => ("app.py — the cached API (cache-aside)", CACHED_CODE),
        Strategy::CacheAsideLock => ("get_product with a load lock", LOCK_CODE),
        Strategy::EarlyRefresh => ("get_product with early refresh", EARLY_CODE),
    };
    let paths: Vec<(char, &str)> = newest
        .iter()
        .map(|k| match k {
            LogKind::Hit => ('h', "hit path"),
            LogKind::Miss => ('m', "miss path"),
            LogKind::Database => ('d', "database path"),
            LogKind::Wait => ('w', "waiting for the lock"),
            LogKind::Refresh => ('r', "background refresh"),
        })
        .collect();
    html! {
        <section class="code-wrap" aria-labelledby="code-title">
            <h3 id="code-title">{ title }</h3>
            <p class="lat-note">
                if paths.is_empty() {
                    {"The lines behind the newest log line light up as the run plays."}
                } else {
                    {"Highlighted: "}
                    { for paths.iter().enumerate().map(|(i, (tag, name))| html! {
                        <>
                            if i > 0 { {" then "} }
                            <strong class={format!("path-{tag}")}>{ *name }</strong>
                        </>
                    }) }
                    {" — the lines behind the newest log lines."}
                }
            </p>
            <pre class="py-code" tabindex="0"><code>
                { for code.iter().enumerate().map(|(i, (line, tags))| {
                    // The last matching path wins: a miss then a load shows the load.
                    let on = paths.iter().rev().find(|(t, _)| tags.contains(*t)).map(|(t, _)| format!("on-{t}"));
                    html! {
                        <span class={classes!("py-line", on)}>
                            <span class="py-no" aria-hidden="true">{ format!("{:>2} ", i + 1) }</span>
                            { *line }{"\n"}
                        </span>
                    }
                }) }
            </code></pre>
        </section>
    }
}

fn render_results(runs: &[RunResult]) -> Html {
    type Row = (&'static str, fn(&Report) -> String);
    let rows: [Row; 10] = [
        ("Requests", |r| r.summary.requests.to_string()),
        ("Failures", |r| r.summary.failures.to_string()),
        ("Median", |r| ms(r.summary.median_ms)),
        ("95th percentile", |r| ms(r.summary.p95_ms)),
        ("Max", |r| ms(r.summary.max_ms)),
        ("Average", |r| ms(r.summary.avg_ms)),
        ("Requests/s", |r| format!("{:.2}", r.summary.rps)),
        ("Hit ratio", |r| {
            if r.config.strategy == Strategy::NoCache {
                "—".into()
            } else {
                format!("{:.1}%", r.summary.hit_ratio * 100.0)
            }
        }),
        ("Database hits", |r| r.summary.db_hits.to_string()),
        ("Database hits per product", |r| {
            r.db_hits_per_product.iter().map(|(p, h)| format!("#{p}: {h}")).collect::<Vec<_>>().join(", ")
        }),
    ];
    html! {
        <section class="lat-results" aria-labelledby="results-title">
            <h2 id="results-title" class="lat-h2">{"Results"}</h2>
            <div class="results-scroll">
                <table class="results" id="results-table">
                    <thead><tr>
                        <th scope="col">{"Statistic"}</th>
                        { for runs.iter().map(|r| html! { <th scope="col" class={r.class()}>{ r.strategy.label() }</th> }) }
                    </tr></thead>
                    <tbody>
                        { for rows.iter().map(|(name, f)| html! {
                            <tr>
                                <th scope="row">{ *name }</th>
                                { for runs.iter().map(|r| html! { <td data-stat={*name}>{ f(&r.report) }</td> }) }
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
            { for runs.iter().filter_map(|r| r.report.ab.as_ref().map(|ab| html! {
                <figure class="ab-report">
                    <figcaption>{ format!("ab's report — {}", r.strategy.label()) }</figcaption>
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

fn render_explainers(runs: &[RunResult]) -> Html {
    let mut items: Vec<Html> = Vec::new();
    // Throughput is capped by the users, not the server.
    for r in runs {
        if let (Some(expected), Load::Locust { users, think_min_ms, think_max_ms, .. }) =
            (r.report.expected_rps, r.report.config.load)
        {
            let think = (think_min_ms + think_max_ms) as f64 / 2000.0;
            let resp = r.report.summary.avg_ms / 1000.0;
            items.push(html! {
                <li class="explain" data-explainer="rps">
                    <strong>{ format!("{}: why about {:.1} requests/s? ", r.strategy.label(), expected) }</strong>
                    {"Each Locust user waits for its response, then thinks before the next request, so "}
                    <code class="formula">{ format!("users / (response time + mean think time) = {users} / ({resp:.3} s + {think:.2} s) = {expected:.2} req/s")}</code>
                    { format!(". Measured: {:.2} req/s (a little lower while users are still spawning). ", r.report.summary.rps) }
                    { if think <= 0.0 {
                        "With no think time every user sends its next request at once, so requests/s is users / response time: only faster responses (or more users) raise it.".to_string()
                    } else if resp < 0.1 * think {
                        format!(
                            "Responses are now a small share of each user's loop, so requests/s sits near its ceiling users / mean think time = {:.2} req/s: the cap comes from the users' think time, not from the server. More users (or less think time) would raise it.",
                            users as f64 / think.max(1e-9)
                        )
                    } else {
                        format!(
                            "The response time is {:.0}% of each user's loop, so it holds requests/s down; with instant responses the same users could reach {:.2} req/s.",
                            100.0 * resp / (resp + think),
                            users as f64 / think.max(1e-9)
                        )
                    } }
                </li>
            });
        }
    }
    for r in runs {
        if let (Some(ab), Load::Ab { concurrency, .. }) = (&r.report.ab, r.report.config.load) {
            let resp = r.report.summary.avg_ms / 1000.0;
            let estimate = concurrency as f64 / resp.max(1e-9);
            items.push(html! {
                <li class="explain" data-explainer="ab">
                    <strong>{ format!("{}: ab keeps {concurrency} requests in flight. ", r.strategy.label()) }</strong>
                    {"With no think time, each of ab's slots sends its next request as soon as the last one returns, so "}
                    <code class="formula">{ format!("concurrency / response time = {concurrency} / {resp:.3} s = {estimate:.2} req/s") }</code>
                    { format!(". Measured: {:.2} req/s. ab's \"Time per request\" is {:.1} ms per request and {:.1} ms across all concurrent requests (the first times the concurrency).",
                        ab.requests_per_second, ab.time_per_request_ms, ab.time_per_request_all_ms) }
                </li>
            });
        }
    }
    for r in runs.iter().filter(|r| r.strategy != Strategy::NoCache) {
        let s = &r.report.summary;
        let waited = r.report.records.iter().filter(|x| x.outcome == latency_sim::Outcome::WaitedForLock).count();
        if r.strategy == Strategy::CacheAsideLock {
            items.push(html! {
                <li class="explain" data-explainer="lock">
                    <strong>{"Cache-aside + lock: no stampede. "}</strong>
                    { format!(
                        "Only the request that wins SET lock:… NX PX loads a product; {waited} requests found the lock taken and re-read the cache every {} ms instead of starting their own query. At most {} database load per product ran at a time ({} database hits in all).",
                        r.report.config.lock_poll_ms, s.max_parallel_loads, s.db_hits
                    ) }
                </li>
            });
        } else if s.stampede_misses > 0 {
            let lock = runs.iter().find(|o| o.strategy == Strategy::CacheAsideLock);
            items.push(html! {
                <li class="explain" data-explainer="stampede">
                    <strong>{ format!("{}: a cache stampede. ", r.strategy.label()) }</strong>
                    { format!(
                        "{} misses happened while the same product was already being loaded from the database — on a cold cache several users ask for the same product before the first load has finished, and each one starts its own {}-ms query (up to {} at once for one product). ",
                        s.stampede_misses, r.report.config.db_latency_ms, s.max_parallel_loads
                    ) }
                    { match lock {
                        Some(l) => format!(
                            "With the lock, at most {} load per product ran at a time.",
                            l.report.summary.max_parallel_loads
                        ),
                        None => "Choose “Cache-aside + lock” to let only one request load each product while the others wait for the cache.".into(),
                    } }
                </li>
            });
        }
        let ttl = r.report.config.ttl_s;
        if r.strategy == Strategy::EarlyRefresh {
            let refreshes = r.report.log.iter().filter(|l| l.kind == LogKind::Refresh).count();
            items.push(html! {
                <li class="explain" data-explainer="early">
                    <strong>{"Early refresh hides the expiry. "}</strong>
                    { format!(
                        "A hit that finds less than {} s of TTL left reloads the product in the background while it answers from the cache: {refreshes} background refreshes in this run, and {} expiry misses left (products nobody asked for in their last {} s).",
                        r.report.config.refresh_ahead_s, s.expiry_misses, r.report.config.refresh_ahead_s
                    ) }
                </li>
            });
        } else if s.expiry_misses > 0 {
            let mut starts: Vec<u32> = Vec::new();
            for p in
                r.report.timeline.iter().filter(|p| p.p95_ms > 10.0 * s.median_ms.max(1.0) && p.second as u64 >= ttl)
            {
                if starts.last().is_none_or(|&l| p.second > l + 10) {
                    starts.push(p.second);
                }
            }
            let spikes: Vec<String> = starts.iter().take(8).map(|&sec| clock(sec as i64 * 1_000_000)).collect();
            items.push(html! {
                <li class="explain" data-explainer="expiry">
                    <strong>{ format!("{}: TTL-expiry spikes. ", r.strategy.label()) }</strong>
                    { format!(
                        "Each entry lives {ttl} s (SETEX … {ttl}). When it expires, the next request for that product misses and waits for the database again: {} such misses in this run{}. ",
                        s.expiry_misses,
                        if spikes.is_empty() { String::new() } else { format!(", visible as p95 spikes starting near {}", spikes.join(", ")) }
                    ) }
                    { if runs.iter().any(|o| o.strategy == Strategy::EarlyRefresh) {
                        "Early refresh reloads an entry in the background shortly before it expires, so readers keep hitting."
                    } else {
                        "Choose “Cache-aside + early refresh” to reload entries shortly before they expire, off the request path."
                    } }
                </li>
            });
        }
    }
    if let Some(r) = runs.iter().find(|r| r.strategy == Strategy::NoCache) {
        items.push(html! {
            <li class="explain" data-explainer="uncached">
                <strong>{"No cache: every request is a DATABASE HIT. "}</strong>
                { format!("{} requests, {} database queries, median {}: the response time is the database time.",
                    r.report.summary.requests, r.report.summary.db_hits, ms(r.report.summary.median_ms)) }
            </li>
        });
    }
    html! {
        <section class="lat-explain" aria-labelledby="explain-title">
            <h2 id="explain-title" class="lat-h2">{"What this run shows"}</h2>
            <ul>{ for items }</ul>
        </section>
    }
}

fn render_commands(run: &RunResult, at_us: i64, done: bool) -> Html {
    let at_s = at_us as f64 / 1e6;
    let ran: Vec<&String> = run
        .report
        .commands
        .iter()
        .take_while(|c| c.trim_start().split('s').next().and_then(|t| t.parse::<f64>().ok()).is_none_or(|t| t <= at_s))
        .collect();
    let keys = &run.report.final_keys;
    // All of them once the run has finished; the newest few while it plays.
    let shown = if done { ran.len() } else { ran.len().min(500) };
    html! {
        <div class="lat-panels">
            <details class="panel" id="commands-panel">
                <summary>{ format!("Cache commands (MONITOR) — {}: {} so far", run.strategy.label(), ran.len()) }</summary>
                if run.strategy == Strategy::NoCache {
                    <p>{"The uncached API never talks to Redis."}</p>
                } else {
                    <p class="lat-note">{"As redis-cli MONITOR prints them (time, db, client, arguments), with the reply after the arrow."}</p>
                    <pre class="monitor" tabindex="0">{ ran[ran.len() - shown..].iter().map(|c| monitor_line(c)).collect::<Vec<_>>().join("\n") }</pre>
                    if shown < ran.len() { <p class="lat-note">{ format!("While the run plays only the newest {shown} are shown.") }</p> }
                }
            </details>
            <details class="panel" id="keys-panel">
                <summary>{ format!("Cache keys when the run ended — {}", run.strategy.label()) }</summary>
                if !done {
                    <p>{"Available when the run has finished playing."}</p>
                } else if keys.is_empty() {
                    <p>{"The cache is empty."}</p>
                } else {
                    <table class="keys">
                        <thead><tr><th scope="col">{"Key"}</th><th scope="col">{"TTL left"}</th></tr></thead>
                        <tbody>
                            { for keys.iter().map(|(k, ttl)| html! {
                                <tr><td><code>{ k.clone() }</code></td>
                                    <td>{ match ttl { Some(ms) => format!("{:.1} s", *ms as f64 / 1000.0), None => "no TTL".into() } }</td></tr>
                            }) }
                        </tbody>
                    </table>
                }
            </details>
        </div>
    }
}

/// Rewrites one of the simulation's command records (`"  1.234s  GET k  → (nil)"`)
/// the way MONITOR prints a command: Unix time with microseconds, the db,
/// the client, then every argument quoted.
fn monitor_line(record: &str) -> String {
    let Some((time, rest)) = record.trim_start().split_once("s  ") else { return record.to_string() };
    let Ok(seconds) = time.parse::<f64>() else { return record.to_string() };
    let (command, reply) = rest.rsplit_once("  → ").unwrap_or((rest, ""));
    let Ok(args) = redis_emulator::tokenizer::split_line(command) else { return record.to_string() };
    let unix = latency_sim::sim::EPOCH_MS as f64 / 1000.0 + seconds;
    let quoted: Vec<String> = args.iter().map(|a| monitor_quote(a)).collect();
    format!("{unix:.6} [0 api:5000] {}  → {reply}", quoted.join(" "))
}

/// MONITOR's quoting: printable bytes as they are, `\"`, `\\`, `\n`… escaped,
/// other bytes as `\xNN`.
fn monitor_quote(arg: &[u8]) -> String {
    let mut out = String::from("\"");
    for &b in arg {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_records_print_like_monitor() {
        assert_eq!(
            monitor_line("   93.988s  GET product:9  → (nil)"),
            "1700000093.988000 [0 api:5000] \"GET\" \"product:9\"  → (nil)"
        );
        assert_eq!(
            monitor_line("    1.000s  SETEX product:1 60 '{\"id\": 1}'  → OK"),
            "1700000001.000000 [0 api:5000] \"SETEX\" \"product:1\" \"60\" \"{\\\"id\\\": 1}\"  → OK"
        );
        assert_eq!(monitor_quote(b"a\nb\x01"), "\"a\\nb\\x01\"");
    }

    #[test]
    fn form_defaults_are_the_seed_experiment() {
        let form = Form::seed_defaults();
        let cfg = form.config(Strategy::CacheAside).unwrap();
        assert_eq!(cfg, SimConfig::seed_defaults(Strategy::CacheAside));
        let mut ab = form.clone();
        ab.load = LoadKind::Ab;
        assert_eq!(ab.config(Strategy::NoCache).unwrap(), SimConfig::ab_defaults(Strategy::NoCache));
    }

    #[test]
    fn form_errors_come_from_validate_or_parsing() {
        let mut form = Form::seed_defaults();
        form.set(Field::Users, "0".into());
        assert_eq!(form.config(Strategy::NoCache).unwrap_err(), "users must be between 1 and 1000");
        form.set(Field::Users, "ten".into());
        assert_eq!(form.config(Strategy::NoCache).unwrap_err(), "users must be a whole number");
        form.set(Field::Users, "10".into());
        form.set(Field::ThinkMin, "3".into());
        assert_eq!(form.config(Strategy::NoCache).unwrap_err(), "think time must be a range within 0-60 s");
    }

    #[test]
    fn runs_too_big_for_a_tab_are_refused() {
        let mut form = Form::seed_defaults();
        form.set(Field::Users, "1000".into());
        form.set(Field::Duration, "600".into());
        assert!(form.config(Strategy::CacheAside).is_ok(), "1000 users for 10 minutes fit");
        form.set(Field::Duration, "3600".into());
        let err = form.config(Strategy::CacheAside).unwrap_err();
        assert!(err.starts_with("this run would simulate about 3593"), "{err}");
        form.set(Field::Users, "10".into());
        form.set(Field::ThinkMin, "0".into());
        form.set(Field::ThinkMax, "0".into());
        let err = form.config(Strategy::CacheAside).unwrap_err();
        assert!(err.starts_with("this run would simulate about"), "{err}");
    }

    #[test]
    fn rolling_mean_averages_the_trailing_window() {
        assert_eq!(rolling_mean(vec![2.0, 4.0, 6.0, 8.0], 2), vec![2.0, 3.0, 5.0, 7.0]);
    }
}
