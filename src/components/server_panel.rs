//! Server panel: memory used against maxmemory, keyspace hits and misses,
//! evictions, expirations and commands processed, updating live.

use yew::prelude::*;

use crate::state::session::{used_memory, SessionHandle};

fn human_bytes(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{:.2}M", n as f64 / (1u64 << 20) as f64)
    } else if n >= 1 << 10 {
        format!("{:.2}K", n as f64 / 1024.0)
    } else {
        format!("{n}B")
    }
}

#[function_component(ServerPanel)]
pub fn server_panel() -> Html {
    let handle = use_context::<SessionHandle>().expect("SessionProvider");
    // Rates move with time even when nothing runs.
    let tick = use_force_update();
    use_effect_with((), move |_| {
        let interval = gloo_timers::callback::Interval::new(1000, move || tick.force_update());
        move || drop(interval)
    });
    let engine = handle.lab.engine.borrow();
    let stats = engine.stats();
    let config = engine.config();
    let used = used_memory(&engine);
    let now = engine.now_ms();
    let max = config.maxmemory;
    let keys: usize = (0..engine.db_count()).filter_map(|i| engine.db(i)).map(|d| d.len()).sum();
    let percent = if max > 0 { (used as f64 / max as f64 * 100.0).min(100.0) } else { 0.0 };
    let stat = |label: &'static str, value: String| {
        html! { <div class="stat"><dt>{ label }</dt><dd>{ value }</dd></div> }
    };
    let hits = stats.keyspace_hits;
    let misses = stats.keyspace_misses;
    let ratio =
        if hits + misses > 0 { format!("{:.0}%", hits as f64 * 100.0 / (hits + misses) as f64) } else { "–".into() };
    html! {
        <section class="panel server-panel" aria-labelledby="server-title">
            <h2 id="server-title">{"Server"}</h2>
            <div class="gauge-label">
                <span>{"memory "}<strong>{ human_bytes(used) }</strong></span>
                <span>{ if max > 0 { format!("maxmemory {} · {}", human_bytes(max), config.maxmemory_policy.name()) } else { "maxmemory 0 (no limit)".into() } }</span>
            </div>
            <div class="gauge" role="meter" aria-label="Memory used" aria-valuemin="0" aria-valuemax="100"
                aria-valuenow={format!("{percent:.0}")} aria-valuetext={format!("{} used", human_bytes(used))}>
                <div class={classes!("gauge-fill", (percent > 90.0).then_some("high"))} style={format!("width:{percent:.1}%")}></div>
            </div>
            <dl class="stats">
                { stat("keys", keys.to_string()) }
                { stat("hits", hits.to_string()) }
                { stat("misses", misses.to_string()) }
                { stat("hit ratio", ratio) }
                { stat("expired", stats.expired_keys.to_string()) }
                { stat("evicted", stats.evicted_keys.to_string()) }
                { stat("commands", stats.total_commands_processed.to_string()) }
                { stat("ops/sec", stats.recent_ops.per_second(now).to_string()) }
                { stat("clients", engine.clients().count().to_string()) }
            </dl>
        </section>
    }
}
