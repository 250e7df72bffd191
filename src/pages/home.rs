//! The start page: a console to try Redis right away, and the way into
//! the playground.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;
use crate::components::console::Console;
use crate::i18n::{t, K};
use crate::pages::lessons::LessonMap;

#[function_component(HomePage)]
pub fn home_page() -> Html {
    html! {
        <section class="home">
            <div class="intro">
                <h1>{ t(K::HomeTitle) }</h1>
                <p>
                    { t(K::HomeIntro1) }
                    { t(K::HomeIntroTry) }<code>{"PING"}</code>{", "}<code>{"SET greeting \"hello world\""}</code>
                    { t(K::HomeIntroAnd) }<code>{"GET greeting"}</code>{ t(K::HomeIntroTab) }<code>{"HELP SET"}</code>{ t(K::HomeIntroHelp) }
                </p>
                <p>
                    <Link<Route> to={Route::Playground} classes="button primary">{ t(K::HomePlaygroundButton) }</Link<Route>>
                    { t(K::HomePlaygroundText) }
                </p>
            </div>
            <div class="home-grid">
                <LessonMap />
                <div class="home-console">
                    <h2>{ t(K::HomeTryNow) }</h2>
                    <Console client={1} />
                </div>
            </div>
        </section>
    }
}
