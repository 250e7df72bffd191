use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;

#[function_component(NotFound)]
pub fn not_found() -> Html {
    html! {
        <section class="panel">
            <h1>{"Page not found"}</h1>
            <p><Link<Route> to={Route::Home}>{"Back to the start"}</Link<Route>></p>
        </section>
    }
}
