//! Clock control: play/pause the engine's clock and jump it forward. TTLs
//! and blocking timeouts follow the engine's clock, so "+10 s" makes a
//! 10-second key expire at once. A badge says when time is not real.

use crate::i18n::{t, K};
use yew::prelude::*;

use crate::state::session::{LabAction, SessionHandle};
use crate::state::views::ClockView;

#[function_component(ClockControl)]
pub fn clock_control() -> Html {
    let handle = use_context::<SessionHandle>().expect("SessionProvider");
    // The time shown moves on its own while the clock runs.
    let tick = use_force_update();
    use_effect_with((), move |_| {
        let interval = gloo_timers::callback::Interval::new(500, move || tick.force_update());
        move || drop(interval)
    });
    let view = ClockView::of(&handle.lab.engine.borrow());
    let (paused, is_virtual, now_ms) = (view.paused, view.is_virtual, view.now_ms);
    let toggle = {
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| {
            handle.lab.dispatch(LabAction::ToggleClock);
            handle.bump.emit(());
        })
    };
    let advance = |ms: i64| {
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| {
            handle.lab.dispatch(LabAction::Advance { ms, now_ms: crate::browser::now_ms() });
            handle.bump.emit(());
        })
    };
    let time = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(now_ms as f64));
    let shown = format!("{:02}:{:02}:{:02}", time.get_hours(), time.get_minutes(), time.get_seconds());
    let badge = t(view.badge());
    html! {
        <section class="panel clock" aria-label={t(K::Clock)}>
            <div class="clock-row">
                <span class="clock-label">{ t(K::EngineClock) }</span><span class="clock-time" title={t(K::EngineClockTitle)}>{ shown }</span>
                if is_virtual {
                    <span class="virtual-badge" role="status">{ badge }</span>
                } else {
                    <span class="real-badge">{ badge }</span>
                }
            </div>
            <div class="clock-buttons" role="group" aria-label={t(K::ClockControls)}>
                <button type="button" onclick={toggle} aria-pressed={paused.to_string()}>
                    { if paused { t(K::Play) } else { t(K::Pause) } }
                </button>
                <button type="button" onclick={advance(1_000)} aria-label={t(K::Advance1s)}>{"+1 s"}</button>
                <button type="button" onclick={advance(10_000)} aria-label={t(K::Advance10s)}>{"+10 s"}</button>
                <button type="button" onclick={advance(60_000)} aria-label={t(K::Advance1min)}>{"+1 min"}</button>
            </div>
        </section>
    }
}
