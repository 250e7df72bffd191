//! A redis-cli-like console for one simulated client: prompt with the
//! selected DB, ↑/↓ history kept across reloads, Tab completion, grey
//! argument hints, HELP, Ctrl+L / CLEAR, multi-line paste, replies printed
//! exactly as redis-cli prints them, and replies that arrive later
//! (BLPOP, pub/sub, MONITOR) routed in from the shared lab.
//!
//! A console talks to a [`Target`]: the page's single Lab engine, or — on
//! the "Scaling out" page — a node of a topology, with a node picker and a
//! "follow redirects" (`redis-cli -c`) switch.

use redis_emulator::cli_format::{format_for_command, format_reply};
use redis_emulator::tokenizer::split_line;
use redis_emulator::{ClientId, Reply};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::browser;
use crate::i18n::{t, tf, tn, K};
use crate::state::completion;
use crate::state::console::{prompt, shortened, ConsoleAction, ConsoleState, Line};
use crate::state::scaling::ScalingHandle;
use crate::state::session::{Dispatched, LabAction, SessionHandle};
use crate::state::take_away;
use redis_emulator::help::help_text;

#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    /// Which simulated client this console is (1, 2, …).
    pub client: u32,
    /// Shown for consoles that can be closed.
    #[prop_or_default]
    pub on_close: Option<Callback<()>>,
    /// On a topology: the node the console starts on.
    #[prop_or_default]
    pub node: usize,
}

fn history_key(n: u32, scaling: bool) -> String {
    if scaling {
        format!("redis-lab:history:scaling:{n}")
    } else {
        format!("redis-lab:history:{n}")
    }
}

/// What a console talks to: the page's one engine (its client there), or
/// console `n` of a topology (which knows the console's node and clients).
#[derive(Clone)]
enum Target {
    Lab { handle: SessionHandle, client: ClientId },
    Node { handle: ScalingHandle, console: u32 },
}

impl Target {
    fn revision(&self) -> u64 {
        match self {
            Target::Lab { handle, .. } => handle.revision,
            Target::Node { handle, .. } => handle.revision,
        }
    }

    /// (prompt, db, blocked, subscribed).
    fn view(&self) -> (String, bool, bool) {
        match self {
            Target::Lab { handle, client } => {
                let engine = handle.lab.engine.borrow();
                let c = engine.client(*client);
                let subscribed =
                    c.is_some_and(|c| !(c.channels.is_empty() && c.patterns.is_empty() && c.shard_channels.is_empty()));
                (prompt(c.map(|c| c.db).unwrap_or(0)), c.is_some_and(|c| c.blocked.is_some()), subscribed)
            }
            Target::Node { handle, console } => {
                let s = handle.lab.borrow();
                let (_, blocked, subscribed) = s.client_view(*console);
                (s.prompt(*console), blocked, subscribed)
            }
        }
    }

    fn prompt(&self) -> String {
        self.view().0
    }

    /// The client id the title shows.
    fn client_id(&self) -> Option<ClientId> {
        match self {
            Target::Lab { client, .. } => Some(*client),
            Target::Node { handle, console } => handle.lab.borrow().client_id(*console),
        }
    }

    /// Runs one command's arguments: what redis-cli prints, and whether it is an error.
    fn run(&self, argv: Vec<Vec<u8>>) -> (String, bool) {
        match self {
            Target::Lab { handle, client } => {
                match handle.lab.dispatch(LabAction::Run { client: *client, argv: argv.clone() }) {
                    Dispatched::Ran { reply, protocol } => {
                        (format_for_command(&argv, &reply, protocol), matches!(reply, Reply::Error(_)))
                    }
                    _ => (String::new(), false),
                }
            }
            Target::Node { handle, console } => handle.lab.borrow_mut().run(*console, argv),
        }
    }

    /// Replies that arrived on their own (pub/sub, an unblocked BLPOP).
    fn deliveries(&self) -> Vec<(String, bool)> {
        match self {
            Target::Lab { handle, client } => {
                let proto = handle.lab.engine.borrow().protocol_of(*client);
                let replies = handle.lab.take_deliveries(*client);
                replies.iter().map(|r| (format_reply(r, proto), r.is_error())).collect()
            }
            Target::Node { handle, console } => {
                let replies = handle.lab.borrow_mut().take_deliveries(*console);
                replies.iter().map(|(r, proto)| (format_reply(r, *proto), r.is_error())).collect()
            }
        }
    }

    fn unblock(&self) {
        match self {
            Target::Lab { handle, client } => {
                handle.lab.dispatch(LabAction::Unblock { client: *client });
            }
            Target::Node { handle, console } => handle.lab.borrow_mut().unblock(*console),
        }
    }

    /// Ctrl+C in subscribed mode: leave every channel, drop what is queued.
    fn unsubscribe_all(&self) {
        for command in ["UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE"] {
            self.run(vec![command.as_bytes().to_vec()]);
        }
        self.deliveries();
    }

    fn after_command(&self) {
        match self {
            Target::Lab { handle, .. } => handle.after_command(),
            Target::Node { handle, .. } => handle.bump.emit(()),
        }
    }

    fn bump(&self) {
        match self {
            Target::Lab { handle, .. } => handle.bump.emit(()),
            Target::Node { handle, .. } => handle.bump.emit(()),
        }
    }

    fn take_lines(&self, n: u32) -> Vec<(String, Option<Rc<str>>)> {
        match self {
            Target::Lab { handle, .. } => handle.lab.take_lines(n),
            Target::Node { handle, console } => handle.lab.borrow_mut().take_lines(*console),
        }
    }

    fn add_echo(&self, block: &str, text: &str) {
        match self {
            Target::Lab { handle, .. } => handle.lab.add_echo(block, text),
            Target::Node { handle, .. } => handle.lab.borrow_mut().add_echo(block, text),
        }
    }

    fn disconnect(&self) {
        match self {
            Target::Lab { handle, client } => {
                handle.lab.dispatch(LabAction::Disconnect { client: *client });
            }
            Target::Node { handle, console } => {
                if let Ok(mut s) = handle.lab.try_borrow_mut() {
                    s.detach(*console);
                }
            }
        }
    }
}

/// What running one line produced.
enum Outcome {
    Clear,
    Ran { output: String, error: bool },
}

fn run_one(target: &Target, line: &str) -> Outcome {
    let trimmed = line.trim();
    if trimmed.eq_ignore_ascii_case("clear") {
        return Outcome::Clear;
    }
    let argv = match split_line(line) {
        Err(e) => return Outcome::Ran { output: format!("{e}\n"), error: true },
        Ok(argv) => argv,
    };
    let Some(first) = argv.first() else {
        return Outcome::Ran { output: String::new(), error: false };
    };
    if first.eq_ignore_ascii_case(b"help") {
        let args: Vec<String> = argv[1..].iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect();
        return Outcome::Ran { output: help_text(&args), error: false };
    }
    let (output, error) = target.run(argv);
    Outcome::Ran { output, error }
}

#[function_component(Console)]
pub fn console(props: &ConsoleProps) -> Html {
    let session = use_context::<SessionHandle>();
    let scaling = use_context::<ScalingHandle>();
    let n = props.client;
    let on_topology = scaling.is_some();
    let state = use_reducer(move || {
        ConsoleState::with_history(&browser::local_get(&history_key(n, on_topology)).unwrap_or_default())
    });
    let input = use_state(String::new);
    let copied = use_state(|| None::<&'static str>);
    let input_ref = use_node_ref();
    let log_ref = use_node_ref();
    // The Lab client is made once; a topology console is attached once.
    let lab_client = {
        let session = session.clone();
        let scaling = scaling.clone();
        let node = props.node;
        *use_state(move || -> ClientId {
            if let Some(s) = &scaling {
                s.lab.borrow_mut().attach(n, node);
                return 0;
            }
            match session.map(|h| h.lab.dispatch(LabAction::Connect { addr: format!("browser:{n}") })) {
                Some(Dispatched::Connected(id)) => id,
                _ => 0,
            }
        })
    };
    let target = match (scaling, session) {
        (Some(handle), _) => Target::Node { handle, console: n },
        (None, Some(handle)) => Target::Lab { handle, client: lab_client },
        (None, None) => return html! {},
    };
    let (shown_prompt, blocked, subscribed) = target.view();
    let client_id = target.client_id();

    // The new console takes the keyboard where it sits beside the text (and
    // the panels learn of the new client); on narrow screens the page stays
    // where it opened. Focused in the next frame, where the browser lays the
    // new page out anyway: focusing at once would force that layout in the
    // middle of the first render, ahead of the console's first replies.
    {
        let input_ref = input_ref.clone();
        let target = target.clone();
        use_effect_with((), move |_| {
            target.bump();
            let frame = input_ref
                .cast::<HtmlInputElement>()
                .filter(|_| browser::console_may_take_focus())
                .map(|input| gloo_render::request_animation_frame(move |_| browser::focus_without_scroll(&input)));
            move || drop(frame)
        });
    }
    // Close the simulated connection when the console goes away.
    {
        let target = target.clone();
        use_effect_with((), move |_| move || target.disconnect());
    }
    // Replies that arrived for this client (routed by the lab).
    {
        let target = target.clone();
        let state = state.clone();
        use_effect_with(target.revision(), move |_| {
            for (output, error) in target.deliveries() {
                state.dispatch(ConsoleAction::Arrived { output, error });
            }
        });
    }
    {
        let history = state.history_text();
        use_effect_with(history, move |h| {
            browser::local_set(&history_key(n, on_topology), h);
        });
    }
    {
        let log_ref = log_ref.clone();
        // Scrolled in the next animation frame, where the browser lays the page
        // out anyway: reading the height right after the update would force an
        // extra synchronous layout on every command.
        use_effect_with((state.lines.len(), blocked), move |_| {
            let frame = gloo_render::request_animation_frame(move |_| {
                if let Some(log) = log_ref.cast::<web_sys::Element>() {
                    log.set_scroll_top(log.scroll_height());
                }
            });
            move || drop(frame)
        });
    }

    // Runs lines as if typed; a line a lesson block sent also echoes what it
    // printed back to that block.
    let run_lines = {
        let state = state.clone();
        let target = target.clone();
        move |lines: Vec<(String, Option<Rc<str>>)>| {
            for (line, block) in lines {
                let at = target.prompt();
                match run_one(&target, &line) {
                    Outcome::Clear => state.dispatch(ConsoleAction::Clear),
                    Outcome::Ran { output, error } => {
                        if let Some(block) = &block {
                            target.add_echo(block, &format!("{at} {line}\n{output}"));
                        }
                        state.dispatch(ConsoleAction::Ran { prompt: at, input: line, output, error })
                    }
                }
            }
            target.after_command();
        }
    };

    // Lines a lesson block sent to this console run as if typed.
    {
        let target2 = target.clone();
        let run_lines = run_lines.clone();
        use_effect_with(target.revision(), move |_| {
            let lines = target2.take_lines(n);
            if !lines.is_empty() {
                run_lines(lines);
            }
        });
    }

    let onkeydown = {
        let log_ref = log_ref.clone();
        let state = state.clone();
        let input = input.clone();
        let target = target.clone();
        let run_lines = run_lines.clone();
        Callback::from(move |e: KeyboardEvent| {
            let current = (*input).clone();
            match e.key().as_str() {
                "Enter" => {
                    e.prevent_default();
                    if blocked {
                        return;
                    }
                    input.set(String::new());
                    run_lines(vec![(current, None)]);
                }
                "ArrowUp" | "ArrowDown" => {
                    e.prevent_default();
                    let action = if e.key() == "ArrowUp" {
                        ConsoleAction::HistoryUp { current: current.clone() }
                    } else {
                        ConsoleAction::HistoryDown
                    };
                    let mut next = (*state).clone();
                    let replay = match &action {
                        ConsoleAction::HistoryUp { current } => ConsoleAction::HistoryUp { current: current.clone() },
                        _ => ConsoleAction::HistoryDown,
                    };
                    next.apply(replay);
                    input.set(next.input_after_history().to_string());
                    state.dispatch(action);
                }
                // Tab completes; with nothing to complete it moves focus as usual.
                "Tab" if !e.shift_key() && !current.trim().is_empty() => {
                    let mut next = (*state).clone();
                    next.apply(ConsoleAction::Tab { line: current.clone() });
                    if let Some(line) = next.completion() {
                        e.prevent_default();
                        input.set(line.to_string());
                        state.dispatch(ConsoleAction::Tab { line: current });
                    }
                }
                // Escape leaves the input for the transcript (no keyboard trap);
                // Tab and Shift+Tab go on from there as usual.
                "Escape" => {
                    if let Some(log) = log_ref.cast::<web_sys::HtmlElement>() {
                        e.prevent_default();
                        browser::focus_without_scroll(&log);
                    }
                }
                "l" | "L" if e.ctrl_key() => {
                    e.prevent_default();
                    state.dispatch(ConsoleAction::Clear);
                }
                "c" | "C" if e.ctrl_key() && blocked => {
                    e.prevent_default();
                    target.unblock();
                    target.after_command();
                }
                // Leaves "Reading messages…" as redis-cli's Ctrl-C does (it
                // reconnects; here the client unsubscribes from everything).
                "c" | "C" if e.ctrl_key() && subscribed && current.is_empty() => {
                    e.prevent_default();
                    target.unsubscribe_all();
                    state.dispatch(ConsoleAction::Arrived { output: "(left subscribed mode)".into(), error: false });
                    target.after_command();
                }
                _ => {}
            }
        })
    };

    let oninput = {
        let input = input.clone();
        let state = state.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(el) = e.target_dyn_into::<HtmlInputElement>() {
                input.set(el.value());
            }
            state.dispatch(ConsoleAction::Edited);
        })
    };

    // Pasting several lines runs each complete line; a trailing partial line stays.
    let onpaste = {
        let input = input.clone();
        let run_lines = run_lines.clone();
        Callback::from(move |e: Event| {
            let Ok(e) = e.dyn_into::<web_sys::ClipboardEvent>() else { return };
            let Some(text) = e.clipboard_data().and_then(|d| d.get_data("text/plain").ok()) else { return };
            if !text.contains('\n') {
                return;
            }
            e.prevent_default();
            let joined = format!("{}{}", *input, text.replace("\r\n", "\n"));
            let mut lines: Vec<String> = joined.split('\n').map(String::from).collect();
            let rest = lines.pop().unwrap_or_default();
            input.set(rest);
            let lines: Vec<_> = lines.into_iter().filter(|l| !l.trim().is_empty()).map(|l| (l, None)).collect();
            if !lines.is_empty() && !blocked {
                run_lines(lines);
            }
        })
    };

    let focus_input = {
        let input_ref = input_ref.clone();
        Callback::from(move |e: MouseEvent| {
            let on_button = e
                .target_dyn_into::<web_sys::Element>()
                .is_some_and(|t| t.closest("button, a, select, .console-target").ok().flatten().is_some());
            let selecting =
                web_sys::window().and_then(|w| w.get_selection().ok().flatten()).is_some_and(|s| !s.is_collapsed());
            if on_button || selecting {
                return;
            }
            if let Some(input) = input_ref.cast::<HtmlInputElement>() {
                let _ = input.focus();
            }
        })
    };

    // Copy the transcript, or the session's commands as a redis-cli script or a
    // redis-py program that runs them against a real server.
    let copy_as = |what: &'static str| {
        let state = state.clone();
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| {
            let commands = take_away::parse_commands(state.typed_commands());
            let text = match what {
                "redis-cli" => take_away::redis_cli_script(n, &commands),
                "Python" => take_away::python_program(n, &commands),
                _ => state.transcript(),
            };
            browser::copy_text(&text);
            copied.set(Some(what));
        })
    };
    let copy_label = |what: &'static str, label: K| if *copied == Some(what) { t(K::Copied) } else { t(label) };

    let hint = if blocked { None } else { completion::hint(&input) };
    let input_id = format!("console-input-{n}");
    let client_text = client_id.map(|id| format!(" · CLIENT ID {id}")).unwrap_or_default();
    let target_bar = match &target {
        Target::Node { handle, console } => node_picker(handle, *console),
        Target::Lab { .. } => html! {},
    };
    let (hidden, shown) = state.rendered();
    html! {
        <section class="console" onclick={focus_input} data-client={n.to_string()} aria-label={tf(K::ConsoleFor, &[("n", &n)])}>
            <div class="console-bar">
                <span class="console-title">{ tf(K::ConsoleTitle, &[("n", &n)]) }
                    <span class="client-id" title={t(K::ClientIdTitle)}>{ client_text }</span></span>
                <span class="console-actions">
                    <button type="button" class="ghost-button" onclick={copy_as("transcript")} aria-label={tf(K::CopyTranscriptOf, &[("n", &n)])}>
                        { copy_label("transcript", K::CopyTranscript) }
                    </button>
                    <button type="button" class="ghost-button" onclick={copy_as("redis-cli")}
                        aria-label={tf(K::CopyAsCliOf, &[("n", &n)])} title={t(K::CopyAsCliTitle)}>
                        { copy_label("redis-cli", K::CopyAsCli) }
                    </button>
                    <button type="button" class="ghost-button" onclick={copy_as("Python")}
                        aria-label={tf(K::CopyAsPythonOf, &[("n", &n)])} title={t(K::CopyAsPythonTitle)}>
                        { copy_label("Python", K::CopyAsPython) }
                    </button>
                    if let Some(close) = props.on_close.clone() {
                        <button type="button" class="ghost-button" onclick={Callback::from(move |_: MouseEvent| close.emit(()))}
                            aria-label={tf(K::CloseClient, &[("n", &n)])}>{"✕"}</button>
                    }
                </span>
            </div>
            { target_bar }
            <div class="console-log" ref={log_ref} role="log" aria-live="polite" aria-label={tf(K::OutputOf, &[("n", &n)])} tabindex="0"
                data-seq={(state.dropped + state.lines.len() as u64).to_string()}>
                if hidden > 0 {
                    <p class="line older">{ tn(K::EarlierLines, hidden, &[]) }</p>
                }
                { for chunks(shown).into_iter().map(|lines| {
                    let key = lines[0].0 / CHUNK;
                    html! { <TranscriptChunk {key} {lines} /> }
                }) }
                if blocked {
                    <div class="line waiting">{ t(K::Waiting) }</div>
                }
            </div>
            <div class="console-input-row">
                if subscribed {
                    <label class="prompt reading" for={input_id.clone()} title={t(K::ReadingTitle)}>{"Reading messages... (press Ctrl-C to quit)"}</label>
                } else {
                    <label class="prompt" for={input_id.clone()}>{ shown_prompt }</label>
                }
                <div class="input-wrap">
                    <div class="hint-layer" aria-hidden="true">
                        <span class="ghost">{ (*input).clone() }</span>
                        <span class="hint">{ hint.clone().unwrap_or_default() }</span>
                    </div>
                    <input
                        id={input_id}
                        class="console-input"
                        ref={input_ref}
                        type="text"
                        value={(*input).clone()}
                        autocomplete="off"
                        autocapitalize="off"
                        spellcheck="false"
                        aria-label={tf(K::CommandFor, &[("n", &n)])}
                        aria-describedby={format!("console-hint-{n}")}
                        placeholder={if blocked { t(K::Blocked) } else { "" }}
                        {onkeydown}
                        {oninput}
                        {onpaste}
                    />
                    <span id={format!("console-hint-{n}")} class="visually-hidden">{ hint.map(|h| tf(K::Arguments, &[("args", &h.trim())])).unwrap_or_default() }</span>
                </div>
            </div>
        </section>
    }
}

use std::rc::Rc;
use wasm_bindgen::JsCast;

/// Transcript lines per chunk: a command re-renders only the newest chunk,
/// so its cost does not grow with the transcript.
const CHUNK: u64 = 50;

/// The drawn lines grouped by `seq / CHUNK`.
fn chunks<'a>(lines: impl Iterator<Item = (u64, &'a Line)>) -> Vec<Rc<Vec<(u64, Line)>>> {
    let mut out: Vec<Vec<(u64, Line)>> = Vec::new();
    for (seq, line) in lines {
        match out.last_mut() {
            Some(chunk) if chunk[0].0 / CHUNK == seq / CHUNK => chunk.push((seq, line.clone())),
            _ => out.push(vec![(seq, line.clone())]),
        }
    }
    out.into_iter().map(Rc::new).collect()
}

#[derive(Properties)]
struct TranscriptChunkProps {
    lines: Rc<Vec<(u64, Line)>>,
}

/// Lines are only ever appended to a chunk or dropped from its front, so
/// its first and last lines and its length identify its content.
impl PartialEq for TranscriptChunkProps {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (&self.lines, &other.lines);
        a.len() == b.len()
            && a.first().map(|l| l.0) == b.first().map(|l| l.0)
            && match (a.last(), b.last()) {
                (Some(x), Some(y)) => x.0 == y.0 && x.1.same(&y.1),
                _ => true,
            }
    }
}

#[function_component(TranscriptChunk)]
fn transcript_chunk(props: &TranscriptChunkProps) -> Html {
    html! { <>{ for props.lines.iter().map(|(seq, line)| html! { <TranscriptLine key={*seq} line={line.clone()} /> }) }</> }
}

#[derive(Properties)]
struct TranscriptLineProps {
    line: Line,
}

/// Lines are compared by identity: a long reply is not compared byte by
/// byte on every render.
impl PartialEq for TranscriptLineProps {
    fn eq(&self, other: &Self) -> bool {
        self.line.same(&other.line)
    }
}

/// One transcript line; a long one is shown shortened with "show all"
/// (and "show less") and "copy" (the whole text).
#[function_component(TranscriptLine)]
fn transcript_line(props: &TranscriptLineProps) -> Html {
    let expanded = use_state(|| false);
    let copied = use_state(|| false);
    let full = props.line.text().clone();
    let short = shortened(&full);
    let body: Html = match short {
        Some((head, _)) if !*expanded => html! { <>{ AttrValue::from(head.to_string()) }{"…"}</> },
        _ => html! { { AttrValue::Rc(full.clone()) } },
    };
    let tools = short.map(|(_, hidden)| {
        let toggle = {
            let expanded = expanded.clone();
            Callback::from(move |_: MouseEvent| expanded.set(!*expanded))
        };
        let copy = {
            let full = full.clone();
            let copied = copied.clone();
            Callback::from(move |_: MouseEvent| {
                browser::copy_text(&full);
                copied.set(true);
            })
        };
        html! {
            <div class="long-tools">
                if !*expanded { <span class="long-more">{ tn(K::LongMore, hidden, &[("n", &group_digits(hidden))]) }</span> }
                <button type="button" class="ghost-button long-toggle" onclick={toggle} aria-expanded={expanded.to_string()}>
                    { if *expanded { t(K::ShowLess) } else { t(K::ShowAll) } }
                </button>
                <button type="button" class="ghost-button long-copy" onclick={copy}>{ if *copied { t(K::CopiedShort) } else { t(K::CopyShort) } }</button>
            </div>
        }
    });
    // The tools follow the line as a sibling, so the line's text stays
    // exactly what redis-cli printed.
    let line = match &props.line {
        Line::Input { prompt, .. } => html! {
            <div class="line input"><span class="prompt">{ prompt }</span>{" "}<span class="typed">{ body }</span></div>
        },
        Line::Output { error, .. } => html! {
            <pre class={classes!("line", "output", error.then_some("error"))}>{ body }</pre>
        },
    };
    html! { <>{ line }{ tools.unwrap_or_default() }</> }
}

/// `5242880` → `5,242,880`.
fn group_digits(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A topology console's node picker and "follow redirects" switch.
fn node_picker(handle: &ScalingHandle, console: u32) -> Html {
    let (ports, node, follow, cluster) = {
        let s = handle.lab.borrow();
        (s.ports(), s.node_of(console), s.follows(console), s.is_cluster())
    };
    let on_node = {
        let handle = handle.clone();
        Callback::from(move |e: Event| {
            let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() else { return };
            if let Ok(i) = select.value().parse::<usize>() {
                handle.lab.borrow_mut().point(console, i);
                handle.bump.emit(());
            }
        })
    };
    let on_follow = {
        let handle = handle.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else { return };
            handle.lab.borrow_mut().set_follow(console, input.checked());
            handle.bump.emit(());
        })
    };
    let select_id = format!("console-node-{console}");
    let follow_id = format!("console-follow-{console}");
    html! {
        <div class="console-target">
            <label for={select_id.clone()}>{ t(K::ConsoleNode) }</label>
            <select id={select_id} class="console-node" onchange={on_node}>
                { for ports.iter().enumerate().map(|(i, port)| html! {
                    <option value={i.to_string()} selected={i == node}>{ format!("127.0.0.1:{port}") }</option>
                }) }
            </select>
            if cluster {
                <label class="follow" title={t(K::FollowRedirectsTitle)}>
                    <input id={follow_id} type="checkbox" class="console-follow" checked={follow} onchange={on_follow} />
                    { t(K::FollowRedirects) }
                </label>
            }
        </div>
    }
}
