//! Learning progress for the whole app: loaded from localStorage, saved on
//! every change. A save that cannot be read is kept aside (and offered for
//! download) instead of being overwritten silently.

use yew::prelude::*;

use crate::browser;
use crate::state::progress::{Progress, ProgressAction};

pub const PROGRESS_KEY: &str = "redis-lab:progress";
pub const PROGRESS_RESCUED_KEY: &str = "redis-lab:progress:rescued";

#[derive(Clone, PartialEq)]
pub struct ProgressHandle {
    pub progress: Progress,
    pub dispatch: Callback<ProgressAction>,
    /// Why the saved progress could not be used, with the saved text.
    pub problem: Option<(String, String)>,
}

fn load() -> (Progress, Option<(String, String)>) {
    match browser::local_get(PROGRESS_KEY) {
        None => (Progress::default(), None),
        Some(text) => match Progress::from_text(&text) {
            Ok(p) => (p, None),
            Err(why) => {
                browser::local_set(PROGRESS_RESCUED_KEY, &text);
                (Progress::default(), Some((why, text)))
            }
        },
    }
}

#[derive(Properties, PartialEq)]
pub struct ProgressProviderProps {
    pub children: Html,
}

#[function_component(ProgressProvider)]
pub fn progress_provider(props: &ProgressProviderProps) -> Html {
    let loaded = use_memo((), |_| load());
    let progress = {
        let initial = loaded.0.clone();
        use_reducer(move || initial)
    };
    {
        let text = progress.to_text();
        let skip_first = use_mut_ref(|| true);
        use_effect_with(text, move |text| {
            // The first render only shows what was loaded; a rescued save stays untouched.
            if !std::mem::replace(&mut *skip_first.borrow_mut(), false) {
                browser::local_set(PROGRESS_KEY, text);
            }
        });
    }
    let dispatch = {
        let progress = progress.clone();
        Callback::from(move |a: ProgressAction| progress.dispatch(a))
    };
    let handle = ProgressHandle { progress: (*progress).clone(), dispatch, problem: loaded.1.clone() };
    html! {
        <ContextProvider<ProgressHandle> context={handle}>
            { props.children.clone() }
        </ContextProvider<ProgressHandle>>
    }
}
