//! Server panel: memory used against maxmemory, keyspace hits and misses,
//! evictions, expirations and commands processed, updating live.

use crate::i18n::{t, tf, K};
use yew::prelude::*;

use crate::state::session::SessionHandle;
use crate::state::views::ServerView;

#[function_component(ServerPanel)]
pub fn server_panel() -> Html {
    let handle = use_context::<SessionHandle>().expect("SessionProvider");
    // Rates move with time even when nothing runs.
    let tick = use_force_update();
    use_effect_with((), move |_| {
        let interval = gloo_timers::callback::Interval::new(1000, move || tick.force_update());
        move || drop(interval)
    });
    let view = ServerView::of(&handle.lab.engine.borrow());
    let percent = view.percent;
    html! {
        <section class="panel server-panel" aria-labelledby="server-title">
            <h2 id="server-title">{ t(K::Server) }</h2>
            <div class="gauge-label">
                <span>{ t(K::MemoryWord) }<strong>{ view.memory.clone() }</strong></span>
                <span>{ view.limit.clone() }</span>
            </div>
            <div class="gauge" role="meter" aria-label={t(K::MemoryUsed)} aria-valuemin="0" aria-valuemax="100"
                aria-valuenow={format!("{percent:.0}")} aria-valuetext={tf(K::MemoryUsedValue, &[("memory", &view.memory)])}>
                <div class={classes!("gauge-fill", (percent > 90.0).then_some("high"))} style={format!("width:{percent:.1}%")}></div>
            </div>
            <dl class="stats">
                { for view.stats.iter().map(|(label, value)| html! {
                    <div class="stat"><dt>{ stat_label(label) }</dt><dd>{ value.clone() }</dd></div>
                }) }
            </dl>
        </section>
    }
}

/// A stat's name (as `ServerView` names it) in the page's language.
fn stat_label(name: &str) -> &str {
    let key = match name {
        "keys" => K::StatKeys,
        "hits" => K::StatHits,
        "misses" => K::StatMisses,
        "hit ratio" => K::StatHitRatio,
        "expired" => K::StatExpired,
        "evicted" => K::StatEvicted,
        "commands" => K::StatCommands,
        "ops/sec" => K::StatOps,
        "clients" => K::StatClients,
        _ => return name,
    };
    t(key)
}
