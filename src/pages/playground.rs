//! The playground: consoles for several simulated clients side by side,
//! the key browser, the clock and the server panel, over a dataset that
//! survives reloads and can be exported, imported and shared.

use crate::i18n::{t, tf, K};
use yew::prelude::*;

use crate::components::clock::ClockControl;
use crate::components::console::Console;
use crate::components::dataset::DatasetBar;
use crate::components::key_browser::KeyBrowser;
use crate::components::monitor::MonitorPanel;
use crate::components::redis_files::RedisFiles;
use crate::components::server_panel::ServerPanel;

#[derive(Properties, PartialEq)]
pub struct PlaygroundProps {
    #[prop_or_default]
    pub shared: Option<String>,
}

#[derive(Clone, PartialEq)]
struct Clients {
    open: Vec<u32>,
    next: u32,
    monitor: bool,
}

/// A panel of the playground: a client's console or the MONITOR panel.
#[derive(Clone, Copy, PartialEq)]
enum Panel {
    Client(u32),
    Monitor,
}

impl Panel {
    fn key(self) -> String {
        match self {
            Panel::Client(n) => format!("client-{n}"),
            Panel::Monitor => "monitor".into(),
        }
    }

    fn label(self) -> String {
        match self {
            Panel::Client(n) => tf(K::ConsoleTitle, &[("n", &n)]),
            Panel::Monitor => "MONITOR".into(),
        }
    }
}

#[function_component(PlaygroundPage)]
pub fn playground_page(props: &PlaygroundProps) -> Html {
    let clients = use_state(|| Clients { open: vec![1], next: 2, monitor: false });
    // The panel shown on narrow screens, where panels are tabs, not columns.
    let shown = use_state(|| Panel::Client(1));
    let add = {
        let clients = clients.clone();
        let shown = shown.clone();
        Callback::from(move |_: MouseEvent| {
            let mut c = (*clients).clone();
            shown.set(Panel::Client(c.next));
            c.open.push(c.next);
            c.next += 1;
            clients.set(c);
        })
    };
    let toggle_monitor = {
        let clients = clients.clone();
        let shown = shown.clone();
        Callback::from(move |_: MouseEvent| {
            let mut c = (*clients).clone();
            c.monitor = !c.monitor;
            shown.set(if c.monitor { Panel::Monitor } else { Panel::Client(1) });
            clients.set(c);
        })
    };
    let close_monitor = {
        let clients = clients.clone();
        let shown = shown.clone();
        Callback::from(move |_| {
            let mut c = (*clients).clone();
            c.monitor = false;
            shown.set(Panel::Client(1));
            clients.set(c);
        })
    };
    let slot = |panel: Panel, content: Html| {
        let hidden = *shown != panel;
        html! { <div key={panel.key()} class={classes!("panel-slot", hidden.then_some("not-shown"))}>{ content }</div> }
    };
    let consoles = clients.open.iter().map(|&n| {
        let on_close = (n != 1).then(|| {
            let clients = clients.clone();
            let shown = shown.clone();
            Callback::from(move |_| {
                let mut c = (*clients).clone();
                c.open.retain(|&x| x != n);
                shown.set(Panel::Client(1));
                clients.set(c);
            })
        });
        slot(Panel::Client(n), html! { <Console client={n} {on_close} /> })
    });
    // Every child of the grid is keyed, so opening or closing one panel
    // never re-creates another (which would reconnect its client).
    let mut panels: Vec<Html> = consoles.collect();
    if clients.monitor {
        panels.push(slot(Panel::Monitor, html! { <MonitorPanel on_close={close_monitor} /> }));
    }
    let mut tab_list: Vec<Panel> = clients.open.iter().map(|&n| Panel::Client(n)).collect();
    if clients.monitor {
        tab_list.push(Panel::Monitor);
    }
    let tabs = tab_list.into_iter().map(|panel| {
        let shown = shown.clone();
        let pressed = *shown == panel;
        html! {
            <button type="button" class="panel-tab" aria-pressed={pressed.to_string()}
                onclick={Callback::from(move |_: MouseEvent| shown.set(panel))}>{ panel.label() }</button>
        }
    });
    let several = clients.open.len() + usize::from(clients.monitor) > 1;
    html! {
        <section class="playground-page">
            <div class="page-head">
                <h1>{ t(K::Playground) }</h1>
                <p class="lead">{ t(K::PlaygroundLead1) }<code>{"HELP"}</code>{ t(K::PlaygroundLead2) }</p>
            </div>
            <DatasetBar shared={props.shared.clone()} />
            <RedisFiles />
            <div class="playground">
                <div class="clients">
                    <div class="clients-bar" role="toolbar" aria-label={t(K::Clients)}>
                        <button type="button" onclick={add}>{ t(K::AddClient) }</button>
                        <button type="button" onclick={toggle_monitor} aria-pressed={clients.monitor.to_string()}>{ t(K::MonitorPanel) }</button>
                    </div>
                    if several {
                        <div class="panel-tabs" role="group" aria-label={t(K::ShownPanel)}>{ for tabs }</div>
                    }
                    <div class={classes!("console-grid", several.then_some("multi"))}>
                        { for panels }
                    </div>
                </div>
                <aside class="sidebar" aria-label={t(K::KeysAndServer)}>
                    <ClockControl />
                    <ServerPanel />
                </aside>
                <div class="keys-area">
                    <KeyBrowser />
                </div>
            </div>
        </section>
    }
}
