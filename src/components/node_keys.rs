//! The key browser of one server of the Scaling out page: its keys (glob
//! filter, type, time to live) and, for the chosen key, its value written
//! as the commands that would rebuild it — read straight from the node's
//! engine, so looking never counts as a command on that server.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::i18n::{t, tf, K};
use crate::state::keys::ttl_text;
use crate::state::scaling::ScalingHandle;

/// Most rebuild commands shown for one value.
const COMMANDS_SHOWN: usize = 20;

#[derive(Properties, PartialEq)]
pub struct NodeKeysProps {
    /// The node's index in the topology.
    pub node: usize,
    pub port: u16,
}

#[function_component(NodeKeys)]
pub fn node_keys(props: &NodeKeysProps) -> Html {
    let handle = use_context::<ScalingHandle>().expect("ScalingProvider");
    let filter = use_state(String::new);
    let chosen = use_state(|| None::<Vec<u8>>);
    let lab = handle.lab.borrow();
    let (keys, matched) = lab.browse(props.node, &filter);
    let on_filter = {
        let filter = filter.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                filter.set(input.value());
            }
        })
    };
    let rows = keys.iter().map(|k| {
        let name = String::from_utf8_lossy(&k.key).into_owned();
        let selected = chosen.as_deref() == Some(k.key.as_slice());
        let onclick = {
            let chosen = chosen.clone();
            let key = k.key.clone();
            Callback::from(move |_: MouseEvent| chosen.set(Some(key.clone())))
        };
        let ttl = k.ttl_ms.map(|left| ttl_text(left, 0)).unwrap_or_else(|| t(K::NoExpiry).to_string());
        html! {
            <li>
                <button type="button" class={classes!("node-key", selected.then_some("selected"))}
                    aria-pressed={selected.to_string()} {onclick}>
                    <code>{ name }</code>{" "}<span class="type-badge">{ k.kind }</span>
                    <span class="node-key-ttl">{ ttl }</span>
                </button>
            </li>
        }
    });
    let detail = chosen.as_ref().map(|key| match lab.rebuild_commands(props.node, key, COMMANDS_SHOWN) {
        Some((lines, more)) => html! {
            <div class="node-key-value">
                <p>{ tf(K::ValueAsCommands, &[("key", &String::from_utf8_lossy(key))]) }</p>
                <pre>{ lines.join("\n") }</pre>
                if more > 0 { <p class="more">{ tf(K::MoreKeys, &[("n", &more)]) }</p> }
            </div>
        },
        None => html! { <p class="node-key-value gone">{ t(K::KeyGone) }</p> },
    });
    let filter_id = format!("node-filter-{}", props.port);
    html! {
        <details class="node-browse">
            <summary>{ tf(K::BrowseKeysOf, &[("port", &props.port)]) }</summary>
            <label for={filter_id.clone()} class="visually-hidden">{ t(K::FilterKeys) }</label>
            <input id={filter_id} type="search" class="node-filter" placeholder={t(K::FilterKeys)}
                value={(*filter).clone()} oninput={on_filter} />
            if keys.is_empty() {
                <p class="more">{ t(K::NoKeyMatches) }</p>
            } else {
                <ul class="node-key-list">{ for rows }</ul>
                if matched > keys.len() { <p class="more">{ tf(K::MoreKeys, &[("n", &(matched - keys.len()))]) }</p> }
            }
            { for detail }
        </details>
    }
}
