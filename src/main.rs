//! Redis Lab: learn Redis and caching in the browser. The Yew app that
//! Trunk builds; the Redis emulator it runs lives in `crates/emulator`.

mod app;
mod browser;
mod components;
mod embed;
mod i18n;
mod lessons;
mod pages;
mod state;

fn main() {
    // A language other than English is fetched first (the static shell
    // already speaks it meanwhile); if that fails the page starts in English
    // and says why.
    // Read before the app mounts, which empties the page's body.
    let _ = browser::build_file("");
    let lang = app::initial_lang();
    if i18n::needs_loading(lang) {
        wasm_bindgen_futures::spawn_local(async move {
            let failed = i18n::load(lang).await.err().map(|why| (lang, why));
            yew::Renderer::<app::App>::with_props(app::AppProps { failed }).render();
        });
    } else {
        yew::Renderer::<app::App>::with_props(app::AppProps { failed: None }).render();
    }
}
