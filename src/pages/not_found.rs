use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;
use crate::i18n::{t, K};

#[function_component(NotFound)]
pub fn not_found() -> Html {
    html! {
        <section class="panel">
            <h1>{ t(K::PageNotFound) }</h1>
            <p><Link<Route> to={Route::Home}>{ t(K::BackToStart) }</Link<Route>></p>
        </section>
    }
}
