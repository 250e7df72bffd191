//! The lesson map: the course in order with each lesson's progress, export
//! and import of progress, and a way for course authors to open their own
//! lesson file without rebuilding.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;
use crate::browser;
use crate::components::progress::ProgressHandle;
use crate::i18n::{t, tf, tn, K};
use crate::lessons::{course, CUSTOM_LESSON_KEY};
use crate::state::progress::{Progress, ProgressAction};

#[function_component(LessonMap)]
pub fn lesson_map() -> Html {
    let progress = use_context::<ProgressHandle>().expect("ProgressProvider");
    let (lessons, problems) = course();
    let done = lessons.iter().filter(|l| progress.progress.is_complete(l.id)).count();
    let import_error = use_state(|| None::<String>);

    let export = {
        let text = progress.progress.to_text();
        Callback::from(move |_: MouseEvent| browser::download("redis-lab-progress.txt", &text))
    };
    let import = {
        let dispatch = progress.dispatch.clone();
        let import_error = import_error.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else { return };
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            let dispatch = dispatch.clone();
            let import_error = import_error.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.ok().and_then(|t| t.as_string());
                match text.map(|t| Progress::from_text(&t)) {
                    Some(Ok(p)) => {
                        dispatch.emit(ProgressAction::Replace(p));
                        import_error.set(None);
                    }
                    Some(Err(why)) => import_error.set(Some(tf(K::ImportFailed, &[("why", &why)]))),
                    None => import_error.set(Some(t(K::ImportUnreadable).into())),
                }
            });
        })
    };

    html! {
        <section class="lesson-map" aria-labelledby="course-title">
            <div class="lesson-map-head">
                <h2 id="course-title">{ t(K::CourseTitle) }</h2>
                <p class="muted">{ tn(K::LessonsComplete, lessons.len(), &[("done", &done)]) }</p>
                <div class="row-buttons">
                    <button class="soft-button" onclick={export}>{ t(K::ExportProgress) }</button>
                    <label class="soft-button file-button">
                        { t(K::ImportProgress) }
                        <input type="file" accept=".txt,text/plain" onchange={import} aria-label={t(K::ImportProgressFile)} />
                    </label>
                </div>
            </div>
            if let Some((why, saved)) = &progress.problem {
                <div class="notice" role="alert">
                    { tf(K::SavedProgressUnreadable, &[("why", why)]) }
                    <button class="link-button" onclick={
                        let saved = saved.clone();
                        Callback::from(move |_: MouseEvent| browser::download("redis-lab-progress-unreadable.txt", &saved))
                    }>{ t(K::DownloadOldSave) }</button>
                </div>
            }
            if let Some(e) = &*import_error {
                <div class="notice" role="alert">{ e.clone() }</div>
            }
            for p in problems.iter() {
                <div class="notice" role="alert">{ tf(K::LessonFileUnreadable, &[("problem", p)]) }</div>
            }
            <ol class="lesson-list">
                { for lessons.iter().map(|l| {
                    let complete = progress.progress.is_complete(l.id);
                    let started = progress.progress.passed.get(l.id).is_some_and(|s| !s.is_empty());
                    let (status, class) = if complete {
                        (K::StatusComplete, "complete")
                    } else if started {
                        (K::StatusInProgress, "in-progress")
                    } else {
                        (K::StatusNotStarted, "not-started")
                    };
                    html! {
                        <li class={classes!("lesson-card", complete.then_some("complete"))}>
                            <Link<Route> to={Route::Lesson { id: l.id.to_string() }} classes="lesson-link">
                                <span class="lesson-title">{ l.title }</span>
                                <span class="lesson-summary">{ l.summary }</span>
                            </Link<Route>>
                            <span class={classes!("status", class)}>
                                { if complete { "✓ " } else { "" } }{ t(status) }
                            </span>
                        </li>
                    }
                }) }
            </ol>
            <CustomLesson />
        </section>
    }
}

/// Opens an author's lesson: pasted Markdown or a same-origin URL.
#[function_component(CustomLesson)]
fn custom_lesson() -> Html {
    let navigator = use_navigator();
    let text = use_state(String::new);
    let url = use_state(String::new);
    let error = use_state(|| None::<String>);
    let open_text = {
        let text = text.clone();
        let error = error.clone();
        let navigator = navigator.clone();
        move |src: String| match redis_lessons::parse_lesson(&src) {
            Ok(_) => {
                browser::session_set(CUSTOM_LESSON_KEY, &src);
                error.set(None);
                if let Some(n) = &navigator {
                    n.push(&Route::CustomLesson);
                }
            }
            Err(e) => {
                text.set(src);
                error.set(Some(tf(K::AuthorsProblemAt, &[("problem", &e)])));
            }
        }
    };
    let on_open_pasted = {
        let text = text.clone();
        let open_text = open_text.clone();
        Callback::from(move |_: MouseEvent| open_text((*text).clone()))
    };
    let on_open_url = {
        let url = url.clone();
        let error = error.clone();
        Callback::from(move |_: MouseEvent| {
            let target = url.trim().to_string();
            let origin = browser::origin();
            let same_origin = !target.contains("://") || target.starts_with(&format!("{origin}/"));
            if target.is_empty() || !same_origin || target.starts_with("//") {
                error.set(Some(t(K::AuthorsSameSite).into()));
                return;
            }
            let error = error.clone();
            let open_text = open_text.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match browser::fetch_text(&target).await {
                    Ok(src) => open_text(src),
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    html! {
        <details class="custom-lesson">
            <summary>{ t(K::AuthorsSummary) }</summary>
            <p class="muted">{ t(K::AuthorsIntro) }</p>
            <label for="lesson-url">{ t(K::AuthorsAddress) }</label>
            <div class="row-buttons">
                <input id="lesson-url" type="text" placeholder="lessons/my-lesson.md" value={(*url).clone()}
                    oninput={ let url = url.clone(); Callback::from(move |e: InputEvent| {
                        if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() { url.set(i.value()); }
                    }) } />
                <button class="soft-button" onclick={on_open_url}>{ t(K::AuthorsLoad) }</button>
            </div>
            <label for="lesson-text">{ t(K::AuthorsPaste) }</label>
            <textarea id="lesson-text" rows="8" value={(*text).clone()}
                oninput={ let text = text.clone(); Callback::from(move |e: InputEvent| {
                    if let Some(t) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() { text.set(t.value()); }
                }) } />
            <button class="button primary" onclick={on_open_pasted}>{ t(K::AuthorsOpen) }</button>
            if let Some(e) = &*error {
                <p class="notice" role="alert">{ e.clone() }</p>
            }
        </details>
    }
}
