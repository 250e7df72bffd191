//! Routes (hash-based, so `dist/` works from any static host, sub-path or
//! iframe) and the page frame. Embed routes render without the frame.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::progress::ProgressProvider;
use crate::components::provider::SessionProvider;
use crate::pages::home::HomePage;
use crate::pages::latency::LatencyPage;
use crate::pages::lesson::{CustomLessonPage, EmbedConsolePage, LessonPage};
use crate::pages::not_found::NotFound;
use crate::pages::playground::PlaygroundPage;
use crate::pages::reference::ReferencePage;
use crate::pages::types::TypesPage;

#[derive(Clone, Routable, PartialEq)]
pub enum Route {
    #[at("/")]
    Home,
    #[at("/lesson/:id")]
    Lesson { id: String },
    /// A lesson file a course author opened (kept for the session).
    #[at("/lesson-file")]
    CustomLesson,
    #[at("/playground")]
    Playground,
    #[at("/types")]
    Types,
    #[at("/latency")]
    Latency,
    #[at("/reference")]
    Reference,
    /// A share link: the commands travel base64url-encoded in the address.
    #[at("/playground/share/:data")]
    Shared { data: String },
    #[at("/embed/lesson/:id")]
    EmbedLesson { id: String },
    #[at("/embed/console")]
    EmbedConsole,
    #[not_found]
    #[at("/404")]
    NotFound,
}

fn switch(route: Route) -> Html {
    match route {
        Route::EmbedLesson { id } => {
            return html! { <main class="embed" id="main"><LessonPage id={id} embedded={true} /></main> }
        }
        Route::EmbedConsole => return html! { <main class="embed" id="main"><EmbedConsolePage /></main> },
        _ => {}
    }
    let page = match route {
        Route::Home => html! { <SessionProvider><HomePage /></SessionProvider> },
        Route::Lesson { id } => html! { <LessonPage id={id} /> },
        Route::CustomLesson => html! { <CustomLessonPage /> },
        Route::Playground => html! { <SessionProvider><PlaygroundPage /></SessionProvider> },
        Route::Types => html! { <TypesPage /> },
        Route::Latency => html! { <LatencyPage /> },
        Route::Reference => html! { <ReferencePage /> },
        Route::Shared { data } => html! { <SessionProvider><PlaygroundPage shared={Some(data)} /></SessionProvider> },
        Route::NotFound | Route::EmbedLesson { .. } | Route::EmbedConsole => html! { <NotFound /> },
    };
    html! {
        <div class="app">
            <a class="skip-link" href="#main">{"Skip to content"}</a>
            <header class="topbar">
                <Link<Route> to={Route::Home} classes="brand">
                    <span class="brand-mark" aria-hidden="true">{"◆"}</span>
                    {" Redis Lab"}
                </Link<Route>>
                <nav aria-label="Pages">
                    <Link<Route> to={Route::Home}>{"Lessons"}</Link<Route>>
                    <Link<Route> to={Route::Playground}>{"Playground"}</Link<Route>>
                    <Link<Route> to={Route::Latency}>{"Latency demo"}</Link<Route>>
                    <Link<Route> to={Route::Types}>{"Types"}</Link<Route>>
                    <Link<Route> to={Route::Reference}>{"Reference"}</Link<Route>>
                </nav>
                <span class="tagline">{"A Redis 7 emulator in your browser — no server"}</span>
            </header>
            <main class="content" id="main" tabindex="-1">{ page }</main>
        </div>
    }
}

#[function_component(App)]
pub fn app() -> Html {
    // index.html's static shell (lesson map and texts shown while this module
    // loaded) gives way to the app once it has rendered.
    use_effect_with((), |_| {
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            for id in ["boot-shell", "boot-lesson-texts"] {
                if let Some(el) = doc.get_element_by_id(id) {
                    el.remove();
                }
            }
        }
    });
    html! {
        <HashRouter>
            <ProgressProvider>
                <Switch<Route> render={switch} />
            </ProgressProvider>
        </HashRouter>
    }
}
