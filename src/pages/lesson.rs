//! A lesson: its text beside a workbench (consoles, key browser, clock) of
//! its own. Blocks run in the console when clicked, challenges are checked
//! against the lesson's data, and progress is saved. The same view serves
//! the embed route with minimal chrome and progress events for the parent.

use std::rc::Rc;

use redis_emulator::{Clock, Config, Engine};
use redis_lessons::{check_engine, check_topology, Audit, Challenge, CommandBlock, Lesson, Mismatch, Part};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;
use crate::browser;
use crate::components::clock::ClockControl;
use crate::components::console::Console;
use crate::components::key_browser::KeyBrowser;
use crate::components::markdown::render_blocks;
use crate::components::progress::ProgressHandle;
use crate::components::provider::SessionProvider;
use crate::embed::{post, EmbedEvent, EmbedOptions};
use crate::i18n::{t, tf, tn, K};
use crate::lessons::{self, course, find, is_fallback, LoadError, CUSTOM_LESSON_KEY};
use crate::pages::scaling::{ScalingProvider, ScalingWorkbench};
use crate::state::progress::ProgressAction;
use crate::state::scaling::ScalingHandle;
use crate::state::session::{LabAction, SessionHandle};

fn embed_options() -> EmbedOptions {
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    EmbedOptions::from_query(hash.split_once('?').map(|(_, q)| q).unwrap_or(""))
}

#[derive(Properties, PartialEq)]
pub struct LessonPageProps {
    pub id: AttrValue,
    #[prop_or_default]
    pub embedded: bool,
}

#[function_component(LessonPage)]
pub fn lesson_page(props: &LessonPageProps) -> Html {
    // The lesson's text is fetched the first time it opens: (id, outcome) of the last fetch,
    // and a counter the retry button moves to fetch again.
    let outcome = use_state(|| None::<(AttrValue, Result<(), LoadError>)>);
    let attempt = use_state(|| 0u32);
    {
        let outcome = outcome.clone();
        use_effect_with((props.id.clone(), *attempt), move |(id, _)| {
            if find(id).is_none() && lessons::entry(id).is_some() {
                let id = id.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let result = lessons::load(&id).await.map(|_| ());
                    outcome.set(Some((id, result)));
                });
            }
        });
    }
    if let Some(lesson) = find(&props.id) {
        return html! { <LessonView lesson={lesson} embedded={props.embedded} /> };
    }
    let Some(entry) = lessons::entry(&props.id) else {
        return html! {
            <section class="panel">
                <h1>{ t(K::NoSuchLesson) }</h1>
                <p>{ tf(K::NoSuchLessonText, &[("id", &props.id)]) }</p>
                <p><Link<Route> to={Route::Home}>{ t(K::SeeAllLessons) }</Link<Route>></p>
            </section>
        };
    };
    let failure = outcome.as_ref().filter(|(id, _)| *id == props.id).and_then(|(_, r)| r.clone().err());
    let retry = {
        let (outcome, attempt) = (outcome.clone(), attempt.clone());
        Callback::from(move |_: MouseEvent| {
            outcome.set(None);
            attempt.set(*attempt + 1);
        })
    };
    html! {
        <section class="panel lesson-loading" aria-busy={failure.is_none().to_string()}>
            <h1 lang={is_fallback(entry.id).then_some("en")}>{ entry.title }</h1>
            { match failure {
                None => html! { <p class="muted" role="status">{ t(K::LessonLoading) }</p> },
                Some(LoadError::Fetch(why)) => html! {
                    <div class="notice load-failed" role="alert">
                        <p>{ tf(K::LessonLoadFailed, &[("why", &why)]) }</p>
                        <button class="soft-button" onclick={retry}>{ t(K::Retry) }</button>
                    </div>
                },
                Some(LoadError::Parse(why)) => html! {
                    <div class="notice" role="alert"><p>{ t(K::LessonFileProblem) }{ ": " }{ why }</p></div>
                },
                Some(LoadError::Unknown) => html! {
                    <p>{ tf(K::NoSuchLessonText, &[("id", &props.id)]) }</p>
                },
            } }
        </section>
    }
}

/// An author's own lesson, kept for this browser session.
#[function_component(CustomLessonPage)]
pub fn custom_lesson_page() -> Html {
    let lesson = browser::session_get(CUSTOM_LESSON_KEY).map(|src| redis_lessons::parse_lesson(&src));
    match lesson {
        Some(Ok(lesson)) => {
            // The whole file run once on an engine of its own, as the test
            // suite runs the course: what differs from the file is shown.
            let report = redis_lessons::audit(&lesson, || {
                Engine::new(Clock::manual(browser::now_ms() as i64), 42, Config::browser())
            });
            html! { <LessonView lesson={Rc::new(lesson)} embedded={false} audit={Some(Rc::new(report))} /> }
        }
        Some(Err(e)) => {
            html! { <section class="panel"><h1>{ t(K::LessonFileProblem) }</h1><p>{ e.to_string() }</p></section> }
        }
        None => html! {
            <section class="panel">
                <h1>{ t(K::NoLessonFile) }</h1>
                <p><Link<Route> to={Route::Home}>{ t(K::OpenFromMap) }</Link<Route>></p>
            </section>
        },
    }
}

#[derive(Properties, PartialEq)]
pub struct LessonViewProps {
    pub lesson: Rc<Lesson>,
    pub embedded: bool,
    /// Set for an author's own lesson file: how it ran against its expectations.
    #[prop_or_default]
    pub audit: Option<Rc<Audit>>,
}

#[function_component(LessonView)]
pub fn lesson_view(props: &LessonViewProps) -> Html {
    // "Reset lesson" gives the lesson a fresh lab by changing its key.
    let generation = use_state(|| 0u32);
    let options = use_memo((), |_| embed_options());
    {
        let options = options.clone();
        let id = props.lesson.id.clone();
        let embedded = props.embedded;
        use_effect_with(id.clone(), move |_| {
            if embedded {
                browser::set_theme(options.theme.as_deref());
                post(&options, EmbedEvent { kind: "ready", lesson: Some(&id), ..Default::default() });
            }
        });
    }
    let reset = {
        let generation = generation.clone();
        Callback::from(move |_| generation.set(*generation + 1))
    };
    let key = format!("{}-{}", props.lesson.id, *generation);
    let body = html! {
        <LessonBody lesson={props.lesson.clone()} embedded={props.embedded} options={(*options).clone()} on_reset={reset}
            audit={props.audit.clone()} />
    };
    // A lesson on several servers runs on them; its consoles start without
    // -c, as redis-cli does.
    let topology = props.lesson.topology.clone();
    if !topology.is_empty() {
        let outer = format!("{key}-s");
        return html! {
            <SessionProvider key={outer} persist={false}>
                <ScalingProvider key={key} kinds={topology} follow={false} setup={props.lesson.setup.clone()}>
                    { body }
                </ScalingProvider>
            </SessionProvider>
        };
    }
    html! {
        <SessionProvider key={key} persist={false} start={props.lesson.setup.clone()}>{ body }</SessionProvider>
    }
}

#[derive(Properties, PartialEq)]
struct LessonBodyProps {
    lesson: Rc<Lesson>,
    embedded: bool,
    options: EmbedOptions,
    on_reset: Callback<()>,
    audit: Option<Rc<Audit>>,
}

#[function_component(LessonBody)]
fn lesson_body(props: &LessonBodyProps) -> Html {
    let lesson = &props.lesson;
    let progress = use_context::<ProgressHandle>().expect("ProgressProvider");
    let show_embed = use_state(|| false);
    // A console for every client the lesson's blocks run as (client 1 always).
    let mut clients: Vec<u32> = lesson.command_blocks().map(|b| b.client).chain([1]).collect();
    clients.sort_unstable();
    clients.dedup();
    let several = clients.len() > 1;
    let (all, _) = course();
    let author = props.audit.is_some();
    // An author's file is not part of the course, even if it reuses an id.
    let pos = all.iter().position(|l| l.id == lesson.id).filter(|_| !author);
    let prev = pos.and_then(|p| p.checked_sub(1)).and_then(|p| all.get(p)).cloned();
    let next = pos.and_then(|p| all.get(p + 1)).cloned();
    let total = lesson.challenges().count();
    let passed = lesson.challenges().filter(|c| progress.progress.is_passed(&lesson.id, &c.id)).count();
    let show_keys = props.options.shows("keys") || !props.embedded;

    let fallback = !author && is_fallback(&lesson.id);

    let mut block_index = 0usize;
    let parts = lesson.parts.iter().enumerate().map(|(i, part)| match part {
        Part::Text(blocks) => {
            // The page header already shows the title: skip a first heading that repeats it.
            let repeats_title = |b: &redis_lessons::markdown::Block| {
                matches!(b, redis_lessons::markdown::Block::Heading(1, x)
                    if redis_lessons::markdown::plain_text(x).trim() == lesson.title.trim())
            };
            let skip = usize::from(i == 0 && blocks.first().is_some_and(repeats_title));
            html! { <div class="lesson-prose" lang={fallback.then_some("en")}>{ render_blocks(&blocks[skip..]) }</div> }
        }
        Part::Commands(block) => {
            block_index += 1;
            let differs = props.audit.as_ref().map(|a| a.blocks.get(block_index - 1).cloned().unwrap_or_default());
            html! { <RunBlock block={block.clone()} index={block_index} lesson={lesson.id.clone()} options={props.options.clone()} {differs} /> }
        }
        Part::Challenge(c) => html! {
            <ChallengeCard challenge={c.clone()} lesson={lesson.clone()} options={props.options.clone()} />
        },
        Part::Widget(name) => html! { <Widget name={name.clone()} /> },
    });

    let embed_snippet = format!(
        "<iframe src=\"{}#/embed/lesson/{}?theme=light&parentOrigin=https://your-course.example\"\n        width=\"100%\" height=\"680\" style=\"border:0\" title=\"Redis Lab: {}\"></iframe>",
        browser::page_base_url(),
        lesson.id,
        lesson.title.replace('"', "&quot;")
    );

    html! {
        <div class={classes!("lesson-layout", props.embedded.then_some("embedded"))}>
            <article class="lesson-text" aria-labelledby="lesson-title">
                <header class="lesson-head">
                    if author {
                        <p class="crumbs"><Link<Route> to={Route::Home}>{ t(K::NavLessons) }</Link<Route>>{ t(K::OwnLessonFile) }</p>
                    } else if !props.embedded {
                        <p class="crumbs"><Link<Route> to={Route::Home}>{ t(K::NavLessons) }</Link<Route>>
                            { tf(K::LessonPosition, &[("n", &pos.map(|p| p + 1).unwrap_or(0)), ("total", &all.len())]) }</p>
                    }
                    <h1 id="lesson-title" lang={fallback.then_some("en")}>{ lesson.title.clone() }</h1>
                    if fallback {
                        <p class="notice untranslated" role="note">{ t(K::NotTranslated) }</p>
                    }
                    <p class="lesson-progress" aria-live="polite">
                        { tn(K::ChallengesPassed, total, &[("passed", &passed)]) }
                        if progress.progress.is_complete(&lesson.id) { <span class="done-badge">{ t(K::LessonComplete) }</span> }
                    </p>
                    <div class="row-buttons">
                        <button class="soft-button" onclick={ let r = props.on_reset.clone(); Callback::from(move |_| r.emit(())) }
                            title={t(K::ResetLessonTitle)}>{ t(K::ResetLesson) }</button>
                        if !props.embedded {
                            <button class="soft-button" aria-expanded={show_embed.to_string()}
                                onclick={ let s = show_embed.clone(); Callback::from(move |_| s.set(!*s)) }>{ t(K::Embed) }</button>
                        }
                    </div>
                    if !props.embedded && !author {
                        <p class="muted data-note">{ t(K::DataNote) }</p>
                    }
                    if let Some(report) = &props.audit { { audit_summary(report) } }
                    if *show_embed {
                        <div class="embed-snippet">
                            <label for="embed-code">{ t(K::EmbedInstructions) }</label>
                            <textarea id="embed-code" readonly=true rows="3" value={embed_snippet.clone()} />
                            <button class="soft-button" onclick={ Callback::from(move |_| browser::copy_text(&embed_snippet)) }>{ t(K::Copy) }</button>
                        </div>
                    }
                </header>
                { for parts }
                if !props.embedded {
                    <nav class="lesson-nav" aria-label={t(K::LessonsNav)}>
                        if let Some(p) = prev {
                            <Link<Route> to={Route::Lesson { id: p.id.to_string() }} classes="soft-button">{ format!("← {}", p.title) }</Link<Route>>
                        }
                        <span></span>
                        if let Some(n) = next {
                            <Link<Route> to={Route::Lesson { id: n.id.to_string() }} classes="button primary">{ format!("{} →", n.title) }</Link<Route>>
                        }
                    </nav>
                }
            </article>
            if !lesson.topology.is_empty() {
                <aside class="lesson-bench scaling-bench" aria-label={t(K::Workbench)}>
                    <ScalingWorkbench />
                </aside>
            } else {
            <aside class="lesson-bench" aria-label={t(K::Workbench)}>
                <ClockControl />
                <div class={classes!("lesson-consoles", several.then_some("two"))}>
                    { for clients.iter().map(|&n| html! {
                        <div class="console-slot" key={n}>
                            if several { <h2 class="slot-title">{ tf(K::ClientN, &[("n", &n)]) }</h2> }
                            <Console client={n} />
                        </div>
                    }) }
                </div>
                if show_keys { <KeyBrowser /> }
            </aside>
            }
        </div>
    }
}

/// The author's summary: did the file's expected outputs and challenges hold?
fn audit_summary(report: &Audit) -> Html {
    let blocks = report.blocks.len();
    let differing = report.blocks_differing();
    let mismatches = report.mismatches();
    html! {
        <section class={classes!("author-check", (!report.is_clean()).then_some("problems"))} aria-label={t(K::AuthorCheck)} role="status">
            <h2>{ t(K::AuthorCheck) }</h2>
            <p>{ tf(K::AuthorRan, &[("blocks", &tn(K::AuthorBlocks, blocks, &[]))]) }</p>
            if report.is_clean() {
                <p class="ok">{ tf(K::AuthorClean, &[("n", &report.compared)]) }</p>
            } else {
                <ul>
                    if mismatches > 0 {
                        <li>{ tf(K::AuthorDiffer, &[
                            ("outputs", &tn(K::AuthorOutputs, mismatches, &[])),
                            ("compared", &report.compared),
                            ("blocks", &tn(K::AuthorBlocks, differing, &[])),
                        ]) }</li>
                    }
                    { for report.challenges.iter().map(|c| html! {
                        <li>{ t(K::AuthorChallenge) }<code>{ c.challenge.clone() }</code>{ format!(" {}.", c.message) }</li>
                    }) }
                </ul>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct RunBlockProps {
    block: CommandBlock,
    index: usize,
    lesson: String,
    options: EmbedOptions,
    /// For an author's file: where this block's output differs from the file.
    #[prop_or_default]
    differs: Option<Vec<Mismatch>>,
}

/// A runnable block: the commands (and what they print) with a Run button.
#[function_component(RunBlock)]
fn run_block(props: &RunBlockProps) -> Html {
    let handle = use_context::<SessionHandle>().expect("SessionProvider");
    let scaling = use_context::<ScalingHandle>();
    let ran = use_state(|| false);
    let block = &props.block;
    let onclick = {
        let handle = handle.clone();
        let scaling = scaling.clone();
        let block = block.clone();
        let ran = ran.clone();
        let lesson = props.lesson.clone();
        let options = props.options.clone();
        let index = props.index;
        Callback::from(move |_: MouseEvent| {
            if let Some(scaling) = &scaling {
                let mut s = scaling.lab.borrow_mut();
                for action in &block.actions {
                    s.act(*action);
                }
                if block.advance_ms > 0 {
                    s.advance(block.advance_ms);
                }
            } else if block.advance_ms > 0 {
                handle.lab.dispatch(LabAction::Advance { ms: block.advance_ms, now_ms: browser::now_ms() });
            }
            let lines: Vec<String> = block.steps.iter().map(|s| s.command.clone()).collect();
            post(
                &options,
                EmbedEvent {
                    kind: "step-run",
                    lesson: Some(&lesson),
                    step: Some(index),
                    commands: Some(&lines),
                    ..Default::default()
                },
            );
            let key = block_key(&lesson, index);
            if let Some(scaling) = &scaling {
                let mut s = scaling.lab.borrow_mut();
                s.clear_echo(&key);
                s.queue_lines(block.client, block.node, lines, Some(&key));
                drop(s);
                scaling.bump.emit(());
            } else {
                handle.lab.clear_echo(&key);
                handle.lab.queue_lines(block.client, lines, Some(&key));
                handle.after_command();
            }
            ran.set(true);
        })
    };
    let echo = match &scaling {
        Some(s) => s.lab.borrow().echo(&block_key(&props.lesson, props.index)),
        None => handle.lab.echo(&block_key(&props.lesson, props.index)),
    };
    let label = match (block.client, block.advance_ms) {
        _ if block.label.is_some() => block.label.clone().unwrap_or_default(),
        (1, 0) => t(K::Run).to_string(),
        (c, 0) => tf(K::RunAsClient, &[("client", &c)]),
        (1, ms) => tf(K::WaitThenRun, &[("s", &(ms / 1000))]),
        (c, ms) => tf(K::WaitThenRunAsClient, &[("s", &(ms / 1000)), ("client", &c)]),
    };
    html! {
        <div class={classes!("run-block", (*ran).then_some("ran"))}>
            <pre class="run-code" aria-label={tf(K::BlockCommands, &[("n", &props.index)])}>
                { for block.steps.iter().map(|s| html! {
                    <>
                        <span class="cmd">{ s.command.clone() }</span>{"\n"}
                        if let Some(e) = &s.expected {
                            <span class="expected">{ e.strip_prefix('~').map(|_| t(K::Varies).to_string()).unwrap_or_else(|| e.clone()) }</span>{"\n"}
                        }
                    </>
                }) }
            </pre>
            <button class="button primary run-button" {onclick} aria-label={tf(K::RunBlockLabel, &[("label", &label), ("n", &props.index)])}>{ format!("▶ {label}") }</button>
            if let Some(echo) = echo.filter(|e| !e.is_empty()) {
                <pre class="block-echo narrow-only" aria-live="polite" tabindex="0"
                    aria-label={tf(K::BlockPrinted, &[("n", &props.index), ("client", &block.client)])}>{ echo }</pre>
            }
            if let Some(differs) = props.differs.as_ref().filter(|d| !d.is_empty()) {
                <div class="block-differs" role="note" aria-label={tf(K::BlockDiffersLabel, &[("n", &props.index)])}>
                    <p>{ tf(K::BlockDiffers, &[("n", &props.index)]) }</p>
                    { for differs.iter().map(|m| html! {
                        <dl class="mismatch">
                            <dt>{ t(K::MismatchCommand) }</dt><dd><code>{ m.command.clone() }</code>
                                { m.client.map(|c| tf(K::MismatchClientReceives, &[("client", &c)])).unwrap_or_default() }</dd>
                            <dt>{ t(K::MismatchExpects) }</dt><dd><pre>{ m.expected.clone() }</pre></dd>
                            <dt>{ t(K::MismatchPrints) }</dt><dd><pre>{ if m.got.is_empty() { t(K::Nothing).to_string() } else { m.got.clone() } }</pre></dd>
                        </dl>
                    }) }
                </div>
            } else if props.differs.is_some() {
                <p class="block-matches">{ t(K::BlockMatches) }</p>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ChallengeProps {
    challenge: Challenge,
    lesson: Rc<Lesson>,
    options: EmbedOptions,
}

/// The key under which a block's console output is kept (see `Lab::echo`).
fn block_key(lesson: &str, index: usize) -> String {
    format!("{lesson}/block/{index}")
}

/// A challenge: the goal, Check, hints one at a time, the solution.
#[function_component(ChallengeCard)]
fn challenge_card(props: &ChallengeProps) -> Html {
    let handle = use_context::<SessionHandle>().expect("SessionProvider");
    let scaling = use_context::<ScalingHandle>();
    let progress = use_context::<ProgressHandle>().expect("ProgressProvider");
    let hints = use_state(|| 0usize);
    let solution = use_state(|| false);
    let verdict = use_state(|| None::<redis_lessons::Verdict>);
    let c = &props.challenge;
    let passed_before = progress.progress.is_passed(&props.lesson.id, &c.id);
    let check = {
        let handle = handle.clone();
        let scaling = scaling.clone();
        let verdict = verdict.clone();
        let challenge = c.clone();
        let lesson = props.lesson.clone();
        let dispatch = progress.dispatch.clone();
        let options = props.options.clone();
        let progress_now = progress.progress.clone();
        Callback::from(move |_: MouseEvent| {
            let v = match &scaling {
                Some(s) => {
                    let first = lesson.ports().first().copied().unwrap_or(6379);
                    let v = check_topology(s.lab.borrow_mut().topology_mut(), &challenge, first);
                    s.bump.emit(());
                    v
                }
                None => {
                    let v = check_engine(&mut handle.lab.engine.borrow_mut(), &challenge);
                    handle.after_command();
                    v
                }
            };
            if v.passed {
                let all: Vec<String> = lesson.challenges().map(|c| c.id.clone()).collect();
                post(
                    &options,
                    EmbedEvent {
                        kind: "challenge-passed",
                        lesson: Some(&lesson.id),
                        challenge: Some(&challenge.id),
                        ..Default::default()
                    },
                );
                let completes = all.iter().all(|id| *id == challenge.id || progress_now.is_passed(&lesson.id, id));
                if completes {
                    post(
                        &options,
                        EmbedEvent { kind: "lesson-completed", lesson: Some(&lesson.id), ..Default::default() },
                    );
                }
                dispatch.emit(ProgressAction::Passed {
                    lesson: lesson.id.clone(),
                    challenge: challenge.id.clone(),
                    all,
                });
            } else {
                // What the learner reads, as plain text (no Markdown backticks).
                let words: Vec<String> = v
                    .failures
                    .iter()
                    .map(|f| redis_lessons::markdown::plain_text(&redis_lessons::markdown::parse_inline(&f.message)))
                    .collect();
                post(
                    &options,
                    EmbedEvent {
                        kind: "challenge-failed",
                        lesson: Some(&lesson.id),
                        challenge: Some(&challenge.id),
                        message: Some(&words.join(" ")),
                        ..Default::default()
                    },
                );
            }
            verdict.set(Some(v));
        })
    };
    let show_hint = {
        let hints = hints.clone();
        let all = c.hints.clone();
        let options = props.options.clone();
        let lesson = props.lesson.id.clone();
        let challenge = c.id.clone();
        Callback::from(move |_: MouseEvent| {
            let n = *hints + 1;
            if let Some(text) = all.get(n - 1) {
                post(
                    &options,
                    EmbedEvent {
                        kind: "hint-shown",
                        lesson: Some(&lesson),
                        challenge: Some(&challenge),
                        hint: Some(n),
                        text: Some(text),
                        ..Default::default()
                    },
                );
            }
            hints.set(n);
        })
    };
    let echo_key = format!("{}/challenge/{}", props.lesson.id, c.id);
    // Lines for client 1 (on the challenge's server, on several servers).
    let queue = {
        let handle = handle.clone();
        let scaling = scaling.clone();
        let node = c.node;
        Callback::from(move |(lines, key): (Vec<String>, String)| match &scaling {
            Some(s) => {
                s.lab.borrow_mut().queue_lines(1, node, lines, Some(&key));
                s.bump.emit(());
            }
            None => {
                handle.lab.queue_lines(1, lines, Some(&key));
                handle.after_command();
            }
        })
    };
    let run_solution = {
        let queue = queue.clone();
        let lines = c.solution.clone();
        let key = echo_key.clone();
        Callback::from(move |_: MouseEvent| queue.emit((lines.clone(), key.clone())))
    };
    // A prompt of its own (narrow screens, where the console is far away):
    // the line runs in client 1 and its output shows here.
    let try_input = use_node_ref();
    let try_line = {
        let queue = queue.clone();
        let key = echo_key.clone();
        let try_input = try_input.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(input) = try_input.cast::<web_sys::HtmlInputElement>() else { return };
            let line = input.value();
            if line.trim().is_empty() {
                return;
            }
            input.set_value("");
            queue.emit((vec![line], key.clone()));
        })
    };
    let echo = match &scaling {
        Some(s) => s.lab.borrow().echo(&echo_key),
        None => handle.lab.echo(&echo_key),
    };
    html! {
        <section class={classes!("challenge", passed_before.then_some("passed"))} aria-label={t(K::Challenge)}>
            <h2>{ t(K::YourTurn) }</h2>
            <p class="goal">{ redis_lessons::markdown::parse_inline(&c.goal).iter().map(|i| crate::components::markdown::render_inlines(std::slice::from_ref(i))).collect::<Html>() }</p>
            <form class="challenge-try narrow-only" onsubmit={try_line}>
                <label for={format!("try-{}", c.id)}>{ t(K::TryLabel) }</label>
                <div class="challenge-try-row">
                    <input id={format!("try-{}", c.id)} ref={try_input} type="text" class="challenge-try-input"
                        autocomplete="off" autocapitalize="off" spellcheck="false" placeholder={t(K::TryPlaceholder)} />
                    <button type="submit" class="button">{ t(K::Run) }</button>
                </div>
                if let Some(echo) = echo.filter(|e| !e.is_empty()) {
                    <pre class="block-echo" aria-live="polite" aria-label={t(K::TryPrinted)}>{ echo }</pre>
                }
            </form>
            <div class="row-buttons">
                <button class="button primary" onclick={check}>{ t(K::Check) }</button>
                if *hints < c.hints.len() {
                    <button class="soft-button" onclick={show_hint}>
                        { tf(K::ShowHint, &[("n", &(*hints + 1)), ("total", &c.hints.len())]) }
                    </button>
                }
                <button class="soft-button" aria-expanded={solution.to_string()}
                    onclick={ let s = solution.clone(); Callback::from(move |_| s.set(!*s)) }>
                    { if *solution { t(K::HideSolution) } else { t(K::ShowSolution) } }
                </button>
            </div>
            <div aria-live="polite">
                { match &*verdict {
                    Some(v) if v.passed => html! { <p class="verdict ok">{ t(K::WellDone) }</p> },
                    Some(v) => html! {
                        <div class="verdict no">
                            <p class="verdict-head">{ t(K::NotYet) }</p>
                            <ul>
                                { for v.failures.iter().map(|f| html! {
                                    <li>
                                        <span class="verdict-words">{ render_words(&f.message) }</span>
                                        <span class="verdict-saw">{ t(K::CheckRan) }<code>{ f.command.clone() }</code>{ t(K::CheckGot) }<code>{ f.output.clone() }</code>{"."}</span>
                                    </li>
                                }) }
                            </ul>
                        </div>
                    },
                    None if passed_before => html! { <p class="verdict ok">{ t(K::PassedBefore) }</p> },
                    None => html! {},
                } }
            </div>
            if *hints > 0 {
                <ol class="hints">{ for c.hints.iter().take(*hints).map(|h| html! { <li>{ h.clone() }</li> }) }</ol>
            }
            if *solution {
                <div class="solution" data-node={c.node.map(|p| p.to_string())}>
                    if let Some(port) = c.node {
                        <p class="solution-node">{ tf(K::SolutionOn, &[("server", &format!("127.0.0.1:{port}"))]) }</p>
                    }
                    <pre>{ c.solution.join("\n") }</pre>
                    <button class="soft-button" onclick={run_solution}>{ t(K::RunSolution) }</button>
                </div>
            }
        </section>
    }
}

/// A check's words, with `code` spans and emphasis as in lesson text.
fn render_words(text: &str) -> Html {
    crate::components::markdown::render_inlines(&redis_lessons::markdown::parse_inline(text))
}

#[derive(Properties, PartialEq)]
struct WidgetProps {
    name: String,
}

/// Interactive pieces a lesson can ask for by name.
#[function_component(Widget)]
fn widget(props: &WidgetProps) -> Html {
    match props.name.as_str() {
        "latency-demo" => html! {
            <p class="widget"><Link<Route> to={Route::Latency} classes="button primary">{ t(K::OpenLatencyDemo) }</Link<Route>></p>
        },
        other => {
            html! { <p class="notice">{ tf(K::UnknownWidget, &[("name", &other)]) }</p> }
        }
    }
}

/// `#/embed/console`: a bare console (and optionally the key browser).
#[function_component(EmbedConsolePage)]
pub fn embed_console_page() -> Html {
    let options = use_memo((), |_| embed_options());
    {
        let options = options.clone();
        use_effect_with((), move |_| {
            browser::set_theme(options.theme.as_deref());
            post(&options, EmbedEvent { kind: "ready", ..Default::default() });
        });
    }
    html! {
        <SessionProvider persist={false}>
            <div class="embed-console">
                <Console client={1} />
                if options.shows("keys") && options.panels.is_some() { <KeyBrowser /> }
            </div>
        </SessionProvider>
    }
}
