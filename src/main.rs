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
    yew::Renderer::<app::App>::new().render();
}
