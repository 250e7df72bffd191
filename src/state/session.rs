//! The in-page Redis: one engine on the browser's clock, shared by every
//! console through a context. Components hold a handle and re-render when
//! the engine's revision changes.

use std::cell::RefCell;
use std::rc::Rc;

use redis_emulator::{Clock, Config, Engine};
use yew::prelude::*;

/// Real time from the browser, in microseconds since the Unix epoch.
pub fn browser_time_us() -> i64 {
    (js_sys::Date::now() * 1000.0) as i64
}

/// A shared engine plus a revision counter that changes whenever a command ran.
#[derive(Clone)]
pub struct Session {
    pub engine: Rc<RefCell<Engine>>,
    pub revision: u64,
}

impl PartialEq for Session {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.engine, &other.engine) && self.revision == other.revision
    }
}

impl Session {
    pub fn new() -> Session {
        let seed = js_sys::Date::now() as u64;
        let engine = Engine::new(Clock::real(browser_time_us), seed, Config::browser());
        Session { engine: Rc::new(RefCell::new(engine)), revision: 0 }
    }
}

/// Handle given to components: the session and a way to announce changes.
#[derive(Clone, PartialEq)]
pub struct SessionHandle {
    pub session: Session,
    pub bump: Callback<()>,
}

#[derive(Properties, PartialEq)]
pub struct SessionProviderProps {
    pub children: Html,
}

#[function_component(SessionProvider)]
pub fn session_provider(props: &SessionProviderProps) -> Html {
    let session = use_state(Session::new);
    let bump = {
        let session = session.clone();
        Callback::from(move |_| {
            let mut next = (*session).clone();
            next.revision += 1;
            session.set(next);
        })
    };
    // Redis's server cron: active expiry and blocking timeouts, 10 times a second.
    {
        let engine = session.engine.clone();
        use_effect_with((), move |_| {
            let interval = gloo_timers::callback::Interval::new(100, move || {
                if let Ok(mut e) = engine.try_borrow_mut() {
                    e.tick();
                }
            });
            move || drop(interval)
        });
    }
    let handle = SessionHandle { session: (*session).clone(), bump };
    html! {
        <ContextProvider<SessionHandle> context={handle}>
            { props.children.clone() }
        </ContextProvider<SessionHandle>>
    }
}
