//! The key browser: every key of the chosen database with its type badge
//! and a live TTL countdown, a glob filter, keys that just expired or were
//! evicted fading out with the reason, and a virtual list (only visible
//! rows are drawn) so 100,000 keys stay smooth. The selected key's value
//! is drawn for its type below.

use crate::i18n::{t, tf, tn, K};
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::browser;
use crate::components::value_view::ValueView;
use crate::state::keys::{display_bytes, ttl_text, visible_rows, KeyBrowserAction, KeyBrowserState, Kind, ROW_HEIGHT};
use crate::state::session::{SessionHandle, REMOVED_VISIBLE_MS};

/// Height of the list viewport in pixels (matches the stylesheet).
const VIEWPORT_HEIGHT: f64 = 340.0;

#[function_component(KeyBrowser)]
pub fn key_browser() -> Html {
    let handle = use_context::<SessionHandle>().expect("SessionProvider");
    let state = use_reducer(KeyBrowserState::default);
    let list_ref = use_node_ref();
    let tick = use_force_update();
    let engine = handle.lab.engine.borrow();
    // The sorted key list is kept by the lab and patched after each command;
    // the component only borrows it while drawing.
    let mut index = handle.lab.key_index.borrow_mut();
    let keys = index.keys(&engine, state.db, &state.pattern);
    let inbox = handle.lab.inbox.borrow();
    let now = engine.now_ms();
    let db = engine.db(state.db);
    let counting = db.is_some_and(|d| d.volatile_len() > 0) || !inbox.removed.is_empty();

    // Re-render 5 times a second while a TTL or a fading key is shown.
    use_effect_with(counting, move |counting| {
        let interval = counting.then(|| gloo_timers::callback::Interval::new(200, move || tick.force_update()));
        move || drop(interval)
    });

    let on_db = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e.target_dyn_into::<HtmlSelectElement>() {
                state.dispatch(KeyBrowserAction::SelectDb(sel.value().parse().unwrap_or(0)));
            }
        })
    };
    let on_filter = {
        let state = state.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                state.dispatch(KeyBrowserAction::Filter(input.value()));
            }
        })
    };
    let on_scroll = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            if let Some(el) = e.target_dyn_into::<HtmlElement>() {
                state.dispatch(KeyBrowserAction::Scrolled(el.scroll_top() as f64));
            }
        })
    };

    let range = visible_rows(keys.len(), state.scroll_top, VIEWPORT_HEIGHT);
    let selected_index = state.selected.as_ref().and_then(|s| keys.binary_search(s).ok());
    let move_selection = {
        let state = state.clone();
        let lab = handle.lab.clone();
        let list_ref = list_ref.clone();
        move |to: usize| {
            let key = {
                let engine = lab.engine.borrow();
                let mut index = lab.key_index.borrow_mut();
                index.keys(&engine, state.db, &state.pattern).get(to).cloned()
            };
            let Some(key) = key else { return };
            state.dispatch(KeyBrowserAction::Select(Some(key)));
            if let Some(list) = list_ref.cast::<HtmlElement>() {
                let top = to as f64 * ROW_HEIGHT;
                let view = list.scroll_top() as f64;
                if top < view {
                    list.set_scroll_top(top as i32);
                } else if top + ROW_HEIGHT > view + VIEWPORT_HEIGHT {
                    list.set_scroll_top((top + ROW_HEIGHT - VIEWPORT_HEIGHT) as i32);
                }
                state.dispatch(KeyBrowserAction::Scrolled(list.scroll_top() as f64));
            }
        }
    };
    // Keep keyboard focus on the selected row after arrow keys re-render the list.
    {
        let list_ref = list_ref.clone();
        use_effect_with(selected_index, move |index| {
            if let (Some(list), Some(i)) = (list_ref.cast::<web_sys::Element>(), index) {
                let within = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.active_element())
                    .is_some_and(|a| list.contains(Some(&a)));
                if within {
                    if let Ok(Some(el)) = list.query_selector(&format!("[data-index=\"{i}\"] button")) {
                        if let Ok(el) = wasm_bindgen::JsCast::dyn_into::<HtmlElement>(el) {
                            let _ = el.focus();
                        }
                    }
                }
            }
        });
    }
    let on_list_key = {
        let move_selection = move_selection.clone();
        let len = keys.len();
        Callback::from(move |e: KeyboardEvent| {
            let next = match (e.key().as_str(), selected_index) {
                ("ArrowDown", Some(i)) => Some((i + 1).min(len.saturating_sub(1))),
                ("ArrowDown", None) | ("Home", _) => Some(0),
                ("ArrowUp", Some(i)) => Some(i.saturating_sub(1)),
                ("End", _) => Some(len.saturating_sub(1)),
                _ => None,
            };
            if let Some(n) = next {
                e.prevent_default();
                move_selection(n);
            }
        })
    };

    let rows: Vec<Html> = range
        .clone()
        .filter_map(|i| {
            let key = keys.get(i)?;
            let entry = db.and_then(|d| d.get(key))?;
            let kind = Kind::of(&entry.value);
            let selected = state.selected.as_deref() == Some(key.as_slice());
            let changed = inbox.changed.contains(&(state.db, key.clone()));
            let name = display_bytes(key);
            let onclick = {
                let state = state.clone();
                let key = key.clone();
                Callback::from(move |_: MouseEvent| state.dispatch(KeyBrowserAction::Select(Some(key.clone()))))
            };
            // Listed until Redis reclaims it (lazily, or by the active expiry cycle).
            let ttl =
                entry.expire_at().map(|at| if at < now { t(K::TtlExpired).to_string() } else { ttl_text(at, now) });
            Some(html! {
                <li key={i} class={classes!("key-row", selected.then_some("selected"), changed.then_some("changed"))}
                    style={format!("top:{}px", i as f64 * ROW_HEIGHT)} data-index={i.to_string()}>
                    <button type="button" {onclick} aria-pressed={selected.to_string()}>
                        <span class={classes!("badge", format!("badge-{}", kind.name()))}>{ kind.name() }</span>
                        <span class="key-name">{ name.clone() }</span>
                        if let Some(left) = ttl {
                            <span class="ttl" title={t(K::TtlTitle)}>{"TTL "}{ left }</span>
                        }
                    </button>
                </li>
            })
        })
        .collect();

    let removed: Vec<Html> = inbox
        .removed
        .iter()
        .filter(|r| r.db == state.db)
        .map(|r| {
            let age = (browser::now_ms() - r.at_ms).clamp(0.0, REMOVED_VISIBLE_MS);
            let opacity = 1.0 - age / REMOVED_VISIBLE_MS;
            html! {
                <li class="removed" style={format!("opacity:{opacity:.2}")}>
                    <span class="key-name">{ display_bytes(&r.key) }</span>
                    <span class="reason">{ if r.reason == "expired" { t(K::TtlExpired).to_string() } else { r.reason.clone() } }</span>
                </li>
            }
        })
        .collect();

    let db_options = (0..engine.db_count()).map(|i| {
        let n = engine.db(i).map(|d| d.len()).unwrap_or(0);
        html! { <option value={i.to_string()} selected={i == state.db}>{ format!("db{i} ({n})") }</option> }
    });
    let total = keys.len();
    let selected_key = state.selected.clone();
    let selected_head = selected_key.as_ref().and_then(|k| {
        let entry = db.and_then(|d| d.get(k)).filter(|e| !e.is_expired(now))?;
        let kind = Kind::of(&entry.value);
        Some(html! {
            <div class="selected-head">
                <span class={classes!("badge", format!("badge-{}", kind.name()))}>{ kind.name() }</span>
                <strong class="key-name">{ display_bytes(k) }</strong>
                <span class="ttl" aria-live="off">{ match entry.expire_at() {
                    Some(at) => tf(K::ExpiresIn, &[("ttl", &ttl_text(at, now))]),
                    None => t(K::NoExpiry).to_string(),
                } }</span>
            </div>
        })
    });

    html! {
        <section class="panel key-browser" aria-labelledby="key-browser-title">
            <div class="panel-head">
                <h2 id="key-browser-title">{ t(K::Keys) }</h2>
                <label class="visually-hidden" for="key-db">{ t(K::Database) }</label>
                <select id="key-db" onchange={on_db}>{ for db_options }</select>
                <label class="visually-hidden" for="key-filter">{ t(K::FilterKeys) }</label>
                <input id="key-filter" class="key-filter" type="search" placeholder={t(K::KeyPattern)}
                    value={state.pattern.clone()} oninput={on_filter} autocomplete="off" spellcheck="false" />
                <span class="key-count" aria-live="polite">{ tn(K::KeyCount, total, &[]) }</span>
            </div>
            if !removed.is_empty() {
                <ul class="removed-list" aria-label={t(K::KeysRemoved)} aria-live="polite">{ for removed }</ul>
            }
            <div class="key-viewport" ref={list_ref} onscroll={on_scroll}
                style={format!("height:{}px", (total as f64 * ROW_HEIGHT + 2.0).clamp(ROW_HEIGHT * 2.0, VIEWPORT_HEIGHT))}>
                if total == 0 {
                    <p class="empty">{ t(K::NoKeysYet) }<code>{"SET greeting hello"}</code>{"."}</p>
                }
                 <ul class="key-list" aria-label={t(K::Keys)} onkeydown={on_list_key}
                    style={format!("height:{}px", total as f64 * ROW_HEIGHT)}>
                    { for rows }
                </ul>
            </div>
            if let Some(key) = selected_key {
                { selected_head.unwrap_or_default() }
                <ValueView db={state.db} name={key} />
            }
        </section>
    }
}
