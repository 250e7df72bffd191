//! A redis-cli-like console: prompt with the selected DB, Enter runs, ↑/↓
//! history, replies printed exactly as redis-cli prints them.

use redis_emulator::cli_format::format_reply;
use redis_emulator::tokenizer::split_line;
use redis_emulator::{ClientId, Event, Reply};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::state::console::{prompt, ConsoleAction, ConsoleState, Line};
use crate::state::session::SessionHandle;

#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    /// Which simulated client this console is (1, 2, …).
    pub client: u32,
}

#[function_component(Console)]
pub fn console(props: &ConsoleProps) -> Html {
    let handle = use_context::<SessionHandle>().expect("SessionProvider");
    let state = use_reducer(ConsoleState::default);
    let input_ref = use_node_ref();
    let log_ref = use_node_ref();
    let client_id = {
        let engine = handle.session.engine.clone();
        let label = props.client;
        use_state(move || -> ClientId { engine.borrow_mut().connect(format!("browser:{label}")) })
    };
    let client_id = *client_id;
    let db = handle.session.engine.borrow().client(client_id).map(|c| c.db).unwrap_or(0);

    {
        let input_ref = input_ref.clone();
        use_effect_with((), move |_| {
            if let Some(input) = input_ref.cast::<HtmlInputElement>() {
                let _ = input.focus();
            }
        });
    }
    {
        let log_ref = log_ref.clone();
        use_effect_with(state.lines.len(), move |_| {
            if let Some(log) = log_ref.cast::<web_sys::Element>() {
                log.set_scroll_top(log.scroll_height());
            }
        });
    }

    let run_line = {
        let state = state.clone();
        let handle = handle.clone();
        move |line: String| {
            if line.trim().eq_ignore_ascii_case("clear") {
                state.dispatch(ConsoleAction::Clear);
                return;
            }
            let mut engine = handle.session.engine.borrow_mut();
            let db = engine.client(client_id).map(|c| c.db).unwrap_or(0);
            let shown_prompt = prompt(db);
            let (output, error) = match split_line(&line) {
                Err(e) => (format!("{e}\n"), true),
                Ok(argv) if argv.is_empty() => (String::new(), false),
                Ok(argv) => {
                    let reply = engine.execute(client_id, argv);
                    let proto = engine.protocol_of(client_id);
                    (format_reply(&reply, proto), matches!(reply, Reply::Error(_)))
                }
            };
            let arrived: Vec<String> = engine
                .drain_events()
                .into_iter()
                .filter_map(|e| match e {
                    Event::Deliver { client, reply } if client == client_id => {
                        Some(format_reply(&reply, engine.protocol_of(client_id)))
                    }
                    _ => None,
                })
                .collect();
            drop(engine);
            state.dispatch(ConsoleAction::Ran { prompt: shown_prompt, input: line, output, error });
            for output in arrived {
                state.dispatch(ConsoleAction::Arrived { output });
            }
            handle.bump.emit(());
        }
    };

    let onkeydown = {
        let state = state.clone();
        let input_ref = input_ref.clone();
        Callback::from(move |e: KeyboardEvent| {
            let Some(input) = input_ref.cast::<HtmlInputElement>() else { return };
            match e.key().as_str() {
                "Enter" => {
                    e.prevent_default();
                    let line = input.value();
                    input.set_value("");
                    run_line(line);
                }
                "ArrowUp" => {
                    e.prevent_default();
                    let mut next = (*state).clone();
                    next.apply(ConsoleAction::HistoryUp);
                    input.set_value(next.history_entry().unwrap_or(""));
                    state.dispatch(ConsoleAction::HistoryUp);
                }
                "ArrowDown" => {
                    e.prevent_default();
                    let mut next = (*state).clone();
                    next.apply(ConsoleAction::HistoryDown);
                    input.set_value(next.history_entry().unwrap_or(""));
                    state.dispatch(ConsoleAction::HistoryDown);
                }
                "l" if e.ctrl_key() => {
                    e.prevent_default();
                    state.dispatch(ConsoleAction::Clear);
                }
                _ => {}
            }
        })
    };

    let focus_input = {
        let input_ref = input_ref.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(input) = input_ref.cast::<HtmlInputElement>() {
                let _ = input.focus();
            }
        })
    };

    html! {
        <div class="console" onclick={focus_input} data-client={props.client.to_string()}>
            <div class="console-log" ref={log_ref} role="log" aria-live="polite" aria-label="Console output">
                { for state.lines.iter().map(render_line) }
            </div>
            <div class="console-input-row">
                <label class="prompt" for={format!("console-input-{}", props.client)}>{ prompt(db) }</label>
                <input
                    id={format!("console-input-{}", props.client)}
                    class="console-input"
                    ref={input_ref}
                    type="text"
                    autocomplete="off"
                    autocapitalize="off"
                    spellcheck="false"
                    aria-label="Redis command"
                    {onkeydown}
                />
            </div>
        </div>
    }
}

fn render_line(line: &Line) -> Html {
    match line {
        Line::Input { prompt, text } => html! {
            <div class="line input"><span class="prompt">{ prompt }</span>{" "}<span class="typed">{ text }</span></div>
        },
        Line::Output { text, error } => html! {
            <pre class={classes!("line", "output", error.then_some("error"))}>{ text }</pre>
        },
    }
}
