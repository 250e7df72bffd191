//! The load-test form: the seed experiment's parameters as text fields,
//! turned into a [`SimConfig`] (or the message saying what is wrong) on
//! every keystroke.

use latency_sim::{Load, Popularity, SimConfig, Strategy};
use yew::prelude::*;

use crate::i18n::{t, tf, K};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
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
pub(super) enum LoadKind {
    Locust,
    Ab,
}

#[derive(Clone, PartialEq)]
pub(super) struct Form {
    pub(super) load: LoadKind,
    pub(super) zipf: bool,
    pub(super) cached: Strategy,
    pub(super) log_scale: bool,
    values: Vec<(Field, String)>,
}

impl Form {
    pub(super) fn seed_defaults() -> Form {
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

    pub(super) fn get(&self, f: Field) -> &str {
        self.values.iter().find(|(k, _)| *k == f).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    pub(super) fn set(&mut self, f: Field, v: String) {
        if let Some(slot) = self.values.iter_mut().find(|(k, _)| *k == f) {
            slot.1 = v;
        }
    }

    /// The simulation config this form describes, or what is wrong with it.
    pub(super) fn config(&self, strategy: Strategy) -> Result<SimConfig, String> {
        let mut cfg = SimConfig::seed_defaults(strategy);
        cfg.load = match self.load {
            LoadKind::Locust => Load::Locust {
                users: self.int(Field::Users, K::FieldUsers)? as u32,
                spawn_rate: self.num(Field::SpawnRate, K::FieldSpawnRate)?,
                duration_s: self.int(Field::Duration, K::FieldDuration)? as u32,
                think_min_ms: (self.num(Field::ThinkMin, K::FieldThinkMin)? * 1000.0).round() as u64,
                think_max_ms: (self.num(Field::ThinkMax, K::FieldThinkMax)? * 1000.0).round() as u64,
            },
            LoadKind::Ab => Load::Ab {
                requests: self.int(Field::AbRequests, K::FieldAbRequests)? as u32,
                concurrency: self.int(Field::AbConcurrency, K::FieldAbConcurrency)? as u32,
            },
        };
        cfg.products = self.int(Field::Products, K::FieldProducts)? as u32;
        cfg.popularity =
            if self.zipf { Popularity::Zipf(self.num(Field::ZipfS, K::FieldZipf)?) } else { Popularity::Uniform };
        cfg.workers = self.int(Field::Workers, K::FieldWorkers)? as u32;
        cfg.db_latency_ms = self.int(Field::DbLatency, K::FieldDbLatency)?;
        cfg.db_jitter_ms = self.int(Field::DbJitter, K::FieldDbJitter)?.min(60_000);
        cfg.cache_rtt_us = (self.num(Field::CacheRtt, K::FieldCacheRtt)? * 1000.0).round().min(1e9) as u64;
        cfg.overhead_us = (self.num(Field::Overhead, K::FieldOverhead)? * 1000.0).round().min(1e9) as u64;
        cfg.ttl_s = self.int(Field::Ttl, K::FieldTtl)?;
        cfg.seed = self.int(Field::Seed, K::FieldSeed)?;
        cfg.validate().map_err(|e| validation_words(&e))?;
        let estimate = estimated_requests(&cfg);
        if estimate > MAX_REQUESTS {
            return Err(tf(
                K::ValTooBig,
                &[("estimate", &format!("{estimate:.0}")), ("max", &format!("{MAX_REQUESTS:.0}"))],
            ));
        }
        Ok(cfg)
    }

    fn num(&self, f: Field, name: K) -> Result<f64, String> {
        match self.get(f).trim().parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
            _ => Err(tf(K::ValNumber, &[("name", &t(name))])),
        }
    }

    /// A whole number, capped so a typo cannot ask for an absurd run
    /// (SimConfig::validate then gives the precise limits).
    fn int(&self, f: Field, name: K) -> Result<u64, String> {
        self.get(f)
            .trim()
            .parse::<u64>()
            .map(|v| v.min(u32::MAX as u64))
            .map_err(|_| tf(K::ValWhole, &[("name", &t(name))]))
    }
}

/// `SimConfig::validate`'s sentence in the page's language (one we do not
/// know is shown as it is).
fn validation_words(english: &str) -> String {
    let key = match english {
        "users must be between 1 and 1000" => K::ValUsers,
        "spawn rate must be between 0 and 1000 users per second" => K::ValSpawnRate,
        "duration must be between 1 second and 1 hour" => K::ValDuration,
        "think time must be a range within 0-60 s" => K::ValThink,
        "ab needs 1-100000 requests and a concurrency of 1-1000" => K::ValAb,
        "products must be between 1 and 10000" => K::ValProducts,
        "workers must be between 1 and 10000" => K::ValWorkers,
        "database latency must be at most 60 s and the TTL 1 s to 1 day" => K::ValLatencyTtl,
        "Zipf exponent must be in (0, 5]" => K::ValZipf,
        _ => return english.to_string(),
    };
    t(key).to_string()
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

pub(super) fn render_form(
    form: &UseStateHandle<Form>,
    onsubmit: Callback<SubmitEvent>,
    validation: Option<String>,
) -> Html {
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
                <legend>{ t(K::LatLoadGenerator) }</legend>
                <div class="lat-radios">
                    <label><input type="radio" name="load" id="load-locust" checked={locust}
                                  onchange={set_load(LoadKind::Locust)} />{ t(K::LatLocust) }</label>
                    <label><input type="radio" name="load" id="load-ab" checked={!locust}
                                  onchange={set_load(LoadKind::Ab)} />{ t(K::LatAb) }</label>
                </div>
                if locust {
                    <div class="lat-grid">
                        { field_input(form, Field::Users, "f-users", t(K::LatUsers), "", "1") }
                        { field_input(form, Field::SpawnRate, "f-spawn", t(K::LatSpawnRate), t(K::LatUsersPerS), "0.5") }
                        { field_input(form, Field::Duration, "f-duration", t(K::LatDuration), "s", "10") }
                        { field_input(form, Field::ThinkMin, "f-think-min", t(K::LatThinkFrom), "s", "0.5") }
                        { field_input(form, Field::ThinkMax, "f-think-max", t(K::LatThinkTo), "s", "0.5") }
                        { field_input(form, Field::Products, "f-products", t(K::LatProducts), t(K::LatIds), "1") }
                    </div>
                    <div class="lat-radios">
                        <span class="lat-label">{ t(K::LatPopularity) }</span>
                        <label><input type="radio" name="pop" id="pop-uniform" checked={!form.zipf}
                                      onchange={set_zipf(false)} />{ t(K::LatUniform) }</label>
                        <label><input type="radio" name="pop" id="pop-zipf" checked={form.zipf}
                                      onchange={set_zipf(true)} />{" Zipf"}</label>
                        if form.zipf { { field_input(form, Field::ZipfS, "f-zipf", t(K::LatExponent), "", "0.1") } }
                    </div>
                } else {
                    <div class="lat-grid">
                        { field_input(form, Field::AbRequests, "f-ab-n", t(K::LatAbRequests), "", "10") }
                        { field_input(form, Field::AbConcurrency, "f-ab-c", t(K::LatAbConcurrency), "", "1") }
                    </div>
                    <p class="lat-note">{ t(K::LatAbNote) }</p>
                }
            </fieldset>
            <fieldset>
                <legend>{ t(K::LatApiLegend) }</legend>
                <div class="lat-grid">
                    { field_input(form, Field::Workers, "f-workers", t(K::LatWorkers), t(K::LatThreads), "1") }
                    { field_input(form, Field::DbLatency, "f-db", t(K::LatDbLatency), "ms", "100") }
                    { field_input(form, Field::DbJitter, "f-jitter", t(K::LatJitter), "ms", "50") }
                    { field_input(form, Field::CacheRtt, "f-rtt", t(K::LatCacheRtt), "ms", "0.1") }
                    { field_input(form, Field::Overhead, "f-overhead", t(K::LatOverhead), "ms", "0.5") }
                    { field_input(form, Field::Ttl, "f-ttl", t(K::LatTtl), "s", "10") }
                    { field_input(form, Field::Seed, "f-seed", t(K::LatSeed), "", "1") }
                </div>
                <div class="lat-row">
                    <label class="lat-field" for="f-strategy">
                        <span class="lat-label">{ t(K::LatStrategy) }</span>
                        <select id="f-strategy" onchange={on_strategy}>
                            <option value="aside" selected={form.cached == Strategy::CacheAside}>{ t(K::LatOptAside) }</option>
                            <option value="lock" selected={form.cached == Strategy::CacheAsideLock}>{ t(K::LatOptLock) }</option>
                            <option value="early" selected={form.cached == Strategy::EarlyRefresh}>{ t(K::LatOptEarly) }</option>
                        </select>
                    </label>
                    <label class="lat-check"><input type="checkbox" id="f-log" checked={form.log_scale} onchange={on_log} />
                        { t(K::LatLogAxis) }</label>
                    <button type="button" class="btn subtle" onclick={on_reset}>{ t(K::LatResetForm) }</button>
                </div>
            </fieldset>
            <p id="lat-validation" class={classes!("lat-validation", validation.is_some().then_some("invalid"))}
               role="status" aria-live="polite">
                { validation.unwrap_or_default() }
            </p>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// Every sentence `validate` can say has its catalogue key, word for word
    /// (so a change in latency-sim's wording shows up here, not as English
    /// left on a French page).
    #[test]
    fn every_validation_sentence_is_in_the_catalogue() {
        let mut bad = SimConfig::seed_defaults(Strategy::CacheAside);
        let mut seen = Vec::new();
        let mut check = |cfg: &SimConfig| {
            let e = cfg.validate().unwrap_err();
            assert_ne!(validation_words(&e), "", "{e}");
            assert_eq!(validation_words(&e), e, "English: the catalogue's words are validate's");
            seen.push(e);
        };
        bad.products = 0;
        check(&bad);
        bad = SimConfig::seed_defaults(Strategy::CacheAside);
        bad.workers = 0;
        check(&bad);
        bad = SimConfig::seed_defaults(Strategy::CacheAside);
        bad.ttl_s = 0;
        check(&bad);
        assert_eq!(seen.len(), 3);
        crate::i18n::set_lang(crate::i18n::Lang::Fr);
        for e in &seen {
            assert_ne!(&validation_words(e), e, "{e} has no French words");
        }
        assert_eq!(validation_words("products must be between 1 and 10000"), "produits : entre 1 et 10000");
        assert_eq!(validation_words("something new"), "something new");
        crate::i18n::set_lang(crate::i18n::Lang::En);
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
}
