//! The playground: consoles for several simulated clients side by side,
//! the key browser, the clock and the server panel, over a dataset that
//! survives reloads and can be exported, imported and shared.

use yew::prelude::*;

use crate::components::clock::ClockControl;
use crate::components::console::Console;
use crate::components::dataset::DatasetBar;
use crate::components::key_browser::KeyBrowser;
use crate::components::monitor::MonitorPanel;
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

#[function_component(PlaygroundPage)]
pub fn playground_page(props: &PlaygroundProps) -> Html {
    let clients = use_state(|| Clients { open: vec![1], next: 2, monitor: false });
    let add = {
        let clients = clients.clone();
        Callback::from(move |_: MouseEvent| {
            let mut c = (*clients).clone();
            c.open.push(c.next);
            c.next += 1;
            clients.set(c);
        })
    };
    let toggle_monitor = {
        let clients = clients.clone();
        Callback::from(move |_: MouseEvent| {
            let mut c = (*clients).clone();
            c.monitor = !c.monitor;
            clients.set(c);
        })
    };
    let close_monitor = {
        let clients = clients.clone();
        Callback::from(move |_| {
            let mut c = (*clients).clone();
            c.monitor = false;
            clients.set(c);
        })
    };
    let consoles = clients.open.iter().map(|&n| {
        let on_close = (n != 1).then(|| {
            let clients = clients.clone();
            Callback::from(move |_| {
                let mut c = (*clients).clone();
                c.open.retain(|&x| x != n);
                clients.set(c);
            })
        });
        html! { <Console key={format!("client-{n}")} client={n} {on_close} /> }
    });
    // Every child of the grid is keyed, so opening or closing one panel
    // never re-creates another (which would reconnect its client).
    let mut panels: Vec<Html> = consoles.collect();
    if clients.monitor {
        panels.push(html! { <MonitorPanel key="monitor" on_close={close_monitor} /> });
    }
    html! {
        <section class="playground-page">
            <div class="page-head">
                <h1>{"Playground"}</h1>
                <p class="lead">{"Type commands, open more clients, watch keys change and expire. Tab completes, ↑/↓ recalls, "}<code>{"HELP"}</code>{" explains."}</p>
            </div>
            <DatasetBar shared={props.shared.clone()} />
            <div class="playground">
                <div class="clients">
                    <div class="clients-bar" role="toolbar" aria-label="Clients">
                        <button type="button" onclick={add}>{"+ Add client"}</button>
                        <button type="button" onclick={toggle_monitor} aria-pressed={clients.monitor.to_string()}>{"MONITOR panel"}</button>
                    </div>
                    <div class={classes!("console-grid", (clients.open.len() + usize::from(clients.monitor) > 1).then_some("multi"))}>
                        { for panels }
                    </div>
                </div>
                <aside class="sidebar" aria-label="Keys and server">
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
