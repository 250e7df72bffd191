//! Routes (hash-based, so `dist/` works from any static host, sub-path or
//! iframe) and the page frame.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::provider::SessionProvider;
use crate::pages::home::HomePage;
use crate::pages::latency::LatencyPage;
use crate::pages::not_found::NotFound;
use crate::pages::playground::PlaygroundPage;
use crate::pages::types::TypesPage;

#[derive(Clone, Routable, PartialEq)]
pub enum Route {
    #[at("/")]
    Home,
    #[at("/playground")]
    Playground,
    #[at("/types")]
    Types,
    /// A share link: the commands travel base64url-encoded in the address.
    #[at("/playground/share/:data")]
    Shared { data: String },
    #[at("/latency")]
    Latency,
    #[not_found]
    #[at("/404")]
    NotFound,
}

fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <HomePage /> },
        Route::Playground => html! { <PlaygroundPage /> },
        Route::Types => html! { <TypesPage /> },
        Route::Shared { data } => html! { <PlaygroundPage shared={Some(data)} /> },
        Route::Latency => html! { <LatencyPage /> },
        Route::NotFound => html! { <NotFound /> },
    }
}

#[function_component(App)]
pub fn app() -> Html {
    html! {
        <HashRouter>
            <SessionProvider>
                <div class="app">
                    <a class="skip-link" href="#main">{"Skip to content"}</a>
                    <header class="topbar">
                        <Link<Route> to={Route::Home} classes="brand">
                            <span class="brand-mark" aria-hidden="true">{"◆"}</span>
                            {" Redis Lab"}
                        </Link<Route>>
                        <nav aria-label="Pages">
                            <Link<Route> to={Route::Home}>{"Start"}</Link<Route>>
                            <Link<Route> to={Route::Playground}>{"Playground"}</Link<Route>>
                            <Link<Route> to={Route::Types}>{"Types"}</Link<Route>>
                        </nav>
                        <span class="tagline">{"A Redis 7 emulator in your browser — no server"}</span>
                        <nav class="topnav" aria-label="Pages">
                            <Link<Route> to={Route::Latency}>{"Latency demo"}</Link<Route>>
                        </nav>
                    </header>
                    <main class="content" id="main" tabindex="-1">
                        <Switch<Route> render={switch} />
                    </main>
                </div>
            </SessionProvider>
        </HashRouter>
    }
}
