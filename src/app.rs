//! Routes (hash-based, so `dist/` works from any static host, sub-path or
//! iframe) and the page frame.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::pages::home::HomePage;
use crate::pages::latency::LatencyPage;
use crate::pages::not_found::NotFound;
use crate::state::session::SessionProvider;

#[derive(Clone, Routable, PartialEq)]
pub enum Route {
    #[at("/")]
    Home,
    #[at("/latency")]
    Latency,
    #[not_found]
    #[at("/404")]
    NotFound,
}

fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <HomePage /> },
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
                    <header class="topbar">
                        <Link<Route> to={Route::Home} classes="brand">
                            <span class="brand-mark" aria-hidden="true">{"◆"}</span>
                            {" Redis Lab"}
                        </Link<Route>>
                        <span class="tagline">{"A Redis 7 emulator in your browser — no server"}</span>
                        <nav class="topnav" aria-label="Pages">
                            <Link<Route> to={Route::Latency}>{"Latency demo"}</Link<Route>>
                        </nav>
                    </header>
                    <main class="content">
                        <Switch<Route> render={switch} />
                    </main>
                </div>
            </SessionProvider>
        </HashRouter>
    }
}
