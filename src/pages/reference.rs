//! The command reference: every command of the emulator's table, grouped as
//! in Redis's documentation, with its syntax and summary, searchable.

use redis_emulator::command::{CommandSpec, Group};
use redis_emulator::commands;
use yew::prelude::*;

use crate::i18n::{t, tf, tn, K};

fn entries() -> Vec<&'static CommandSpec> {
    commands::all().flat_map(|c| std::iter::once(c).chain(c.subcommands.iter())).filter(|c| !c.is_container()).collect()
}

#[function_component(ReferencePage)]
pub fn reference_page() -> Html {
    let filter = use_state(String::new);
    let all = use_memo((), |_| entries());
    let needle = filter.trim().to_ascii_lowercase();
    let matches = |c: &&&CommandSpec| {
        needle.is_empty()
            || c.display_name().to_ascii_lowercase().contains(&needle)
            || c.summary.to_ascii_lowercase().contains(&needle)
    };
    let shown = all.iter().filter(matches).count();
    html! {
        <section class="reference">
            <h1>{ t(K::RefTitle) }</h1>
            <p class="muted">{ tf(K::RefLead, &[("n", &all.len())]) }</p>
            <label for="ref-filter" class="visually-hidden">{ t(K::RefFilter) }</label>
            <input id="ref-filter" type="search" placeholder={t(K::RefFilterPlaceholder)} value={(*filter).clone()}
                oninput={ let f = filter.clone(); Callback::from(move |e: InputEvent| {
                    if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() { f.set(i.value()); }
                }) } />
            <p class="muted" aria-live="polite">{ tn(K::RefShown, shown, &[]) }</p>
            { for Group::ALL.iter().map(|g| {
                let cmds: Vec<&&CommandSpec> = all.iter().filter(|c| c.group == *g).filter(|c| matches(c)).collect();
                if cmds.is_empty() {
                    return html! {};
                }
                html! {
                    <section class="ref-group" aria-label={g.name()}>
                        <h2>{ g.name() }</h2>
                        <dl>
                            { for cmds.iter().map(|c| html! {
                                <>
                                    <dt><code>{ format!("{} {}", c.display_name(), c.syntax) }</code></dt>
                                    <dd><span lang="en">{ c.summary }</span>
                                        <span class="muted">{ tf(K::RefSince, &[("since", &c.since), ("complexity", &c.complexity)]) }</span></dd>
                                </>
                            }) }
                        </dl>
                    </section>
                }
            }) }
        </section>
    }
}
