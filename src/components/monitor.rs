//! A MONITOR panel: its own client runs MONITOR and shows every command
//! the server receives, as redis-cli does after `MONITOR`.

use crate::i18n::{t, tf, K};
use redis_emulator::cli_format::format_reply;
use redis_emulator::ClientId;
use yew::prelude::*;

use crate::state::session::{Dispatched, LabAction, SessionHandle};

const MAX_LINES: usize = 300;

#[derive(Properties, PartialEq)]
pub struct MonitorProps {
    pub on_close: Callback<()>,
}

#[function_component(MonitorPanel)]
pub fn monitor_panel(props: &MonitorProps) -> Html {
    let handle = use_context::<SessionHandle>().expect("SessionProvider");
    let lines = use_mut_ref(Vec::<(String, bool)>::new);
    let client: ClientId = {
        let lab = handle.lab.clone();
        let lines = lines.clone();
        *use_state(move || {
            let Dispatched::Connected(id) = lab.dispatch(LabAction::Connect { addr: "browser:monitor".into() }) else {
                unreachable!("connecting always gives a client")
            };
            if let Dispatched::Ran { reply, .. } =
                lab.dispatch(LabAction::Run { client: id, argv: vec![b"MONITOR".to_vec()] })
            {
                lines.borrow_mut().push((format_reply(&reply, redis_emulator::Protocol::Resp2), reply.is_error()));
            }
            id
        })
    };
    {
        let lab = handle.lab.clone();
        use_effect_with((), move |_| {
            move || {
                lab.dispatch(LabAction::Disconnect { client });
            }
        });
    }
    for reply in handle.lab.take_deliveries(client) {
        let mut l = lines.borrow_mut();
        l.push((format_reply(&reply, redis_emulator::Protocol::Resp2), reply.is_error()));
        if l.len() > MAX_LINES {
            let extra = l.len() - MAX_LINES;
            l.drain(..extra);
        }
    }
    let close = props.on_close.clone();
    html! {
        <section class="console monitor" aria-label={t(K::MonitorPanel)}>
            <div class="console-bar">
                <span class="console-title">{"MONITOR"}<span class="client-id">{ tf(K::MonitorClientId, &[("id", &client)]) }</span></span>
                <button type="button" class="ghost-button" aria-label={t(K::CloseMonitor)}
                    onclick={Callback::from(move |_: MouseEvent| close.emit(()))}>{"✕"}</button>
            </div>
            <div class="console-log" role="log" aria-live="polite" aria-label={t(K::MonitorLog)} tabindex="0">
                { for lines.borrow().iter().map(|(t, err)| html! {
                    <pre class={classes!("line", "output", err.then_some("error"))}>{ t.trim_end() }</pre>
                }) }
            </div>
        </section>
    }
}
