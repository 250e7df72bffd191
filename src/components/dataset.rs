//! The dataset bar: Reset, Export / Import (a commands file), Share (the
//! commands in the link, confirmed before they run), and the notice shown
//! when a saved dataset could not be restored — with the old save offered
//! as a download so nothing is silently lost.

use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;
use crate::browser;
use crate::components::provider::{save_now, RESCUED_KEY};
use crate::i18n::{t, tf, tn, K};
use crate::state::session::{Notice, SessionHandle};
use crate::state::snapshot;

#[derive(Properties, PartialEq)]
pub struct DatasetBarProps {
    /// A share-link payload waiting for confirmation.
    #[prop_or_default]
    pub shared: Option<String>,
}

#[function_component(DatasetBar)]
pub fn dataset_bar(props: &DatasetBarProps) -> Html {
    let handle = use_context::<SessionHandle>().expect("SessionProvider");
    let navigator = use_navigator();
    let message = use_state(|| None::<(String, bool)>);
    let share_url = use_state(|| None::<String>);
    let import_open = use_state(|| false);
    let import_ref = use_node_ref();

    let run_text = {
        let handle = handle.clone();
        let message = message.clone();
        move |text: String, what: K| match snapshot::parse(&text, false) {
            Err(e) => message.set(Some((tf(K::DatasetNotRun, &[("what", &t(what)), ("error", &e)]), true))),
            Ok(commands) => {
                let n = commands.len();
                let failures = handle.lab.load(commands);
                save_now(&handle.lab);
                handle.bump.emit(());
                if failures.is_empty() {
                    message.set(Some((tn(K::DatasetRan, n, &[("what", &t(what))]), false)));
                } else {
                    message.set(Some((
                        tf(
                            K::DatasetRanFailed,
                            &[
                                ("n", &n),
                                ("what", &t(what)),
                                ("failed", &failures.len()),
                                ("list", &failures.join("; ")),
                            ],
                        ),
                        true,
                    )));
                }
            }
        }
    };

    let examples = {
        let handle = handle.clone();
        let message = message.clone();
        Callback::from(move |_: MouseEvent| {
            let commands: snapshot::Commands = snapshot::EXAMPLES
                .lines()
                .filter(|l| !l.starts_with('#'))
                .filter_map(|l| redis_emulator::tokenizer::split_line(l).ok())
                .collect();
            let n = commands.len();
            let failures = handle.lab.load(commands);
            save_now(&handle.lab);
            handle.after_command();
            message.set(Some(if failures.is_empty() {
                (tf(K::ExamplesLoaded, &[("n", &n)]), false)
            } else {
                (
                    tf(K::ExamplesMissing, &[("failed", &failures.len()), ("n", &n), ("list", &failures.join("; "))]),
                    true,
                )
            }));
        })
    };
    let reset = {
        let handle = handle.clone();
        let message = message.clone();
        Callback::from(move |_: MouseEvent| {
            if !browser::confirm(t(K::ConfirmFlush)) {
                return;
            }
            handle.lab.load(vec![vec![b"FLUSHALL".to_vec()]]);
            save_now(&handle.lab);
            handle.after_command();
            message.set(Some((t(K::AllEmpty).into(), false)));
        })
    };
    let export = {
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| {
            let text = snapshot::dump(&handle.lab.engine.borrow());
            browser::download("redis-lab-dataset.redis", &text);
        })
    };
    let share = {
        let handle = handle.clone();
        let share_url = share_url.clone();
        let message = message.clone();
        Callback::from(move |_: MouseEvent| {
            let text = snapshot::dump(&handle.lab.engine.borrow());
            match snapshot::share_fragment(&text) {
                Ok(fragment) => {
                    let url = format!("{}#/playground/share/{fragment}", browser::page_base_url());
                    browser::copy_text(&url);
                    share_url.set(Some(url));
                }
                Err(snapshot::ShareError::TooLarge(n)) => {
                    message.set(Some((tf(K::ShareTooLarge, &[("n", &n), ("limit", &snapshot::SHARE_MAX_BYTES)]), true)))
                }
            }
        })
    };
    let toggle_import = {
        let import_open = import_open.clone();
        Callback::from(move |_: MouseEvent| import_open.set(!*import_open))
    };
    let run_import = {
        let run_text = run_text.clone();
        let import_ref = import_ref.clone();
        let import_open = import_open.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(area) = import_ref.cast::<HtmlTextAreaElement>() {
                run_text(area.value(), K::DatasetWhatImport);
                area.set_value("");
                import_open.set(false);
            }
        })
    };
    let import_file = {
        let run_text = run_text.clone();
        let import_open = import_open.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else { return };
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            let run_text = run_text.clone();
            let import_open = import_open.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(text) = wasm_bindgen_futures::JsFuture::from(file.text()).await {
                    if let Some(text) = text.as_string() {
                        run_text(text, K::DatasetWhatFile);
                        import_open.set(false);
                    }
                }
            });
        })
    };

    // A share link: shown first, run only after the user confirms.
    let shared = props.shared.as_ref().map(|fragment| snapshot::read_shared(fragment));
    let leave_share = {
        let navigator = navigator.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(n) = &navigator {
                n.replace(&Route::Playground);
            }
        })
    };
    let run_shared = {
        let run_text = run_text.clone();
        let navigator = navigator.clone();
        let text = shared.as_ref().and_then(|s| s.as_ref().ok()).map(|(t, _)| t.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(t) = &text {
                run_text(t.clone(), K::DatasetWhatLink);
            }
            if let Some(n) = &navigator {
                n.replace(&Route::Playground);
            }
        })
    };

    let notice = handle.lab.inbox.borrow().notice.clone();
    let dismiss_notice = {
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| {
            handle.lab.inbox.borrow_mut().notice = None;
            browser::local_remove(RESCUED_KEY);
            handle.bump.emit(());
        })
    };

    html! {
        <div class="dataset">
            if let Some(notice) = notice {
                <div class="notice warning" role="alert">
                    { match &notice {
                        Notice::Unreadable { reason, .. } => html! {
                            <p><strong>{ t(K::SaveUnreadable) }</strong>{ format!("{reason}. ") }
                            { t(K::SaveUnreadableRest) }</p>
                        },
                        Notice::Partial { failures, .. } => html! {
                            <>
                                <p><strong>{ tn(K::SavePartial, failures.len(), &[]) }</strong>
                                { t(K::SavePartialRest) }</p>
                                <ul class="failures">{ for failures.iter().take(5).map(|f| html! { <li><code>{ f.clone() }</code></li> }) }</ul>
                            </>
                        },
                    } }
                    <div class="notice-actions">
                        <a class="button" download="redis-lab-old-save.redis"
                            href={browser::text_url(match &notice { Notice::Unreadable { saved, .. } | Notice::Partial { saved, .. } => saved }).unwrap_or_default()}>
                            { t(K::DownloadOldSave) }
                        </a>
                        <button type="button" onclick={dismiss_notice}>{ t(K::Dismiss) }</button>
                    </div>
                </div>
            }
            if let Some(shared) = shared {
                <div class="notice share-confirm" role="dialog" aria-labelledby="share-title" aria-modal="false">
                    <h2 id="share-title">{ t(K::SharedTitle) }</h2>
                    { match shared {
                        Ok((text, commands)) => html! {
                            <>
                                <p>{ tn(K::SharedCarries, commands.len(), &[]) }</p>
                                <pre class="shared-commands" tabindex="0">{ text }</pre>
                                <div class="notice-actions">
                                    <button type="button" class="primary" onclick={run_shared}>{ t(K::RunTheseCommands) }</button>
                                    <button type="button" onclick={leave_share.clone()}>{ t(K::Ignore) }</button>
                                </div>
                            </>
                        },
                        Err(e) => html! {
                            <>
                                <p>{ tf(K::SharedUnusable, &[("error", &e)]) }</p>
                                <button type="button" onclick={leave_share.clone()}>{ t(K::Close) }</button>
                            </>
                        },
                    } }
                </div>
            }
            <div class="dataset-bar" role="toolbar" aria-label={t(K::DatasetLabel)}>
                <button type="button" onclick={examples}>{ t(K::LoadExamples) }</button>
                <button type="button" onclick={reset}>{ t(K::Reset) }</button>
                <button type="button" onclick={export}>{ t(K::Export) }</button>
                <button type="button" onclick={toggle_import} aria-expanded={import_open.to_string()} aria-controls="import-box">{ t(K::Import) }</button>
                <button type="button" onclick={share}>{ t(K::Share) }</button>
                if handle.lab.inbox.borrow().save_failed {
                    <span class="save-state error" role="status">{ t(K::NotSaved) }</span>
                } else {
                    <span class="save-state">{ t(K::SavedHere) }</span>
                }
            </div>
            if *import_open {
                <div id="import-box" class="import-box">
                    <label for="import-text">{ t(K::PasteCommands) }</label>
                    <textarea id="import-text" ref={import_ref} rows="5" spellcheck="false"
                        placeholder={"SET greeting hello\nRPUSH queue a b c"} />
                    <div class="notice-actions">
                        <button type="button" class="primary" onclick={run_import}>{ t(K::Run) }</button>
                        <label class="file-label">{ t(K::ChooseFile) }
                            <input type="file" accept=".redis,.txt,text/plain" onchange={import_file} />
                        </label>
                    </div>
                </div>
            }
            if let Some(url) = (*share_url).clone() {
                <div class="share-box">
                    <label for="share-url">{ t(K::ShareLink) }</label>
                    <input id="share-url" type="text" readonly=true value={url} onfocus={Callback::from(|e: FocusEvent| {
                        if let Some(i) = e.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) { i.select(); }
                    })} />
                </div>
            }
            if let Some((text, error)) = (*message).clone() {
                <p class={classes!("message", error.then_some("error"))} role="status">{ text }</p>
            }
        </div>
    }
}
