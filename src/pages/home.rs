//! The start page: a console to try Redis right away.

use yew::prelude::*;

use crate::components::console::Console;

#[function_component(HomePage)]
pub fn home_page() -> Html {
    html! {
        <section class="home">
            <div class="intro">
                <h1>{"Learn Redis by typing real commands"}</h1>
                <p>
                    {"This console talks to a Redis 7 emulator running inside this page. "}
                    {"Try "}<code>{"PING"}</code>{", "}<code>{"SET greeting \"hello world\""}</code>
                    {" and "}<code>{"GET greeting"}</code>{"."}
                </p>
            </div>
            <Console client={1} />
        </section>
    }
}
