//! Provides the shared lab to every component: restores the saved dataset
//! on start, runs Redis's server cron (active expiry, blocking timeouts)
//! ten times a second, routes engine events, and saves the dataset.

use std::cell::Cell;
use std::rc::Rc;

use yew::prelude::*;

use crate::browser;
use crate::state::session::{Dispatched, Lab, LabAction, Revision, SessionHandle};
use crate::state::snapshot;

pub const DATASET_KEY: &str = "redis-lab:dataset";
pub const RESCUED_KEY: &str = "redis-lab:dataset:rescued";
/// Least time between two saves while commands keep changing data.
const SAVE_SPACING_MS: f64 = 300.0;
/// Saving a big dataset takes a while; saves are spaced so they use at most
/// 1/20 of the time (a 100,000-key save every second or two, not every 300 ms).
const SAVE_DUTY_FACTOR: f64 = 20.0;

/// Writes the dataset to storage if it changed. Returns false if storage refused it.
pub fn save_now(lab: &Lab) -> bool {
    if !lab.inbox.borrow().dirty {
        return true;
    }
    let text = snapshot::dump(&lab.engine.borrow());
    let ok = browser::local_set(DATASET_KEY, &text);
    // A refused save is not retried until the data changes again.
    let mut inbox = lab.inbox.borrow_mut();
    inbox.dirty = false;
    inbox.save_failed = !ok;
    ok
}

fn start() -> Rc<Lab> {
    let lab = Lab::in_browser();
    if let Some(saved) = browser::local_get(DATASET_KEY) {
        lab.dispatch(LabAction::Restore(saved.clone()));
        if lab.inbox.borrow().notice.is_some() {
            // Keep the unusable save aside: the next save replaces the main copy.
            browser::local_set(RESCUED_KEY, &saved);
        }
    }
    Rc::new(lab)
}

#[derive(Properties, PartialEq)]
pub struct SessionProviderProps {
    pub children: Html,
    /// Keep the dataset across reloads (the playground). Lessons and embeds
    /// start from their own data instead.
    #[prop_or(true)]
    pub persist: bool,
    /// Commands that build the starting data when not persisting.
    #[prop_or_default]
    pub start: Vec<String>,
}

/// A lab that is not saved: a fresh engine with `start` run on it.
fn start_fresh(start: &[String]) -> Rc<Lab> {
    let lab = Lab::in_browser();
    let text = start.join("\n");
    if let Ok(commands) = snapshot::parse(&text, false) {
        lab.dispatch(LabAction::Load(commands));
    }
    lab.inbox.borrow_mut().dirty = false;
    Rc::new(lab)
}

#[function_component(SessionProvider)]
pub fn session_provider(props: &SessionProviderProps) -> Html {
    let persist = props.persist;
    let lab = {
        let start_lines = props.start.clone();
        use_state(move || if persist { start() } else { start_fresh(&start_lines) })
    };
    let revision = use_reducer(Revision::default);
    let bump = {
        let dispatcher = revision.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(()))
    };
    {
        let lab = (*lab).clone();
        let dispatcher = revision.dispatcher();
        use_effect_with((), move |_| {
            // When the next save may start (spaced by how long the last one took).
            let next_save = Rc::new(Cell::new(0.0));
            let cron_lab = lab.clone();
            let interval = gloo_timers::callback::Interval::new(100, move || {
                let now = browser::now_ms();
                if cron_lab.dispatch(LabAction::Tick { now_ms: now }) == Dispatched::Changed(true) {
                    dispatcher.dispatch(());
                }
                if persist && now >= next_save.get() && cron_lab.inbox.borrow().dirty {
                    let failed_before = cron_lab.inbox.borrow().save_failed;
                    save_now(&cron_lab);
                    let took = browser::now_ms() - now;
                    next_save.set(now + SAVE_SPACING_MS.max(took * SAVE_DUTY_FACTOR));
                    if cron_lab.inbox.borrow().save_failed != failed_before {
                        dispatcher.dispatch(());
                    }
                }
            });
            let hide_lab = lab.clone();
            let on_hide = web_sys::window().filter(|_| persist).map(|w| {
                gloo_events_listener(&w, move || {
                    save_now(&hide_lab);
                })
            });
            move || {
                drop(interval);
                drop(on_hide);
            }
        });
    }
    let handle = SessionHandle { lab: (*lab).clone(), revision: revision.0, bump };
    html! {
        <ContextProvider<SessionHandle> context={handle}>
            { props.children.clone() }
        </ContextProvider<SessionHandle>>
    }
}

/// Listens for `pagehide` (leaving or reloading the page); removed on drop.
struct PageHide {
    window: web_sys::Window,
    closure: wasm_bindgen::closure::Closure<dyn FnMut()>,
}

impl Drop for PageHide {
    fn drop(&mut self) {
        use wasm_bindgen::JsCast;
        let _ = self.window.remove_event_listener_with_callback("pagehide", self.closure.as_ref().unchecked_ref());
    }
}

fn gloo_events_listener(window: &web_sys::Window, f: impl FnMut() + 'static) -> PageHide {
    use wasm_bindgen::JsCast;
    let closure = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(f);
    let _ = window.add_event_listener_with_callback("pagehide", closure.as_ref().unchecked_ref());
    PageHide { window: window.clone(), closure }
}
