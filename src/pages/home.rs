//! The start page: a console to try Redis right away, and the way into
//! the playground.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;
use crate::components::console::Console;
use crate::pages::lessons::LessonMap;

#[function_component(HomePage)]
pub fn home_page() -> Html {
    html! {
        <section class="home">
            <div class="intro">
                <h1>{"Learn Redis by typing real commands"}</h1>
                <p>
                    {"This console talks to a Redis 7 emulator running inside this page. "}
                    {"Try "}<code>{"PING"}</code>{", "}<code>{"SET greeting \"hello world\""}</code>
                    {" and "}<code>{"GET greeting"}</code>{". Press Tab to complete a command, type "}<code>{"HELP SET"}</code>{" to learn about one."}
                </p>
                <p>
                    <Link<Route> to={Route::Playground} classes="button primary">{"Open the playground →"}</Link<Route>>
                    {" several clients side by side, every key drawn, a clock you control."}
                </p>
            </div>
            <div class="home-grid">
                <LessonMap />
                <div class="home-console">
                    <h2>{"Try it now"}</h2>
                    <Console client={1} />
                </div>
            </div>
        </section>
    }
}
