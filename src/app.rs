//! Routes (hash-based, so `dist/` works from any static host, sub-path or
//! iframe) and the page frame. Embed routes render without the frame.

use std::collections::HashMap;

use yew::prelude::*;
use yew_router::prelude::*;

use crate::browser;
use crate::components::progress::ProgressProvider;
use crate::components::provider::SessionProvider;
use crate::i18n::{self, t, tf, Lang, K};
use crate::pages::home::HomePage;
use crate::pages::latency::LatencyPage;
use crate::pages::lesson::{CustomLessonPage, EmbedConsolePage, LessonPage};
use crate::pages::not_found::NotFound;
use crate::pages::playground::PlaygroundPage;
use crate::pages::reference::ReferencePage;
use crate::pages::scaling::ScalingPage;
use crate::pages::types::TypesPage;

/// The page's addresses (after `#`). `Routable` is written out rather than
/// derived: the derived version matches with a general router (an NFA
/// built at start-up) that weighs more in the first download than these
/// few fixed shapes need.
#[derive(Clone, PartialEq)]
pub enum Route {
    /// `/`
    Home,
    /// `/lesson/:id`
    Lesson { id: String },
    /// `/lesson-file`: a lesson file a course author opened (kept for the session).
    CustomLesson,
    /// `/playground`
    Playground,
    /// `/types`
    Types,
    /// `/latency`
    Latency,
    /// `/scaling`
    Scaling,
    /// `/scaling/:preset`: the page with a topology chosen (`#/scaling/cluster`).
    ScalingPreset { preset: String },
    /// `/reference`
    Reference,
    /// `/playground/share/:data`: a share link; the commands travel
    /// base64url-encoded in the address.
    Shared { data: String },
    /// `/embed/lesson/:id`
    EmbedLesson { id: String },
    /// `/embed/console`
    EmbedConsole,
    /// `/404`, and any address no other route matches.
    NotFound,
}

const ROUTES: [&str; 13] = [
    "/",
    "/lesson/:id",
    "/lesson-file",
    "/playground",
    "/types",
    "/latency",
    "/scaling",
    "/scaling/:preset",
    "/reference",
    "/playground/share/:data",
    "/embed/lesson/:id",
    "/embed/console",
    "/404",
];

impl Route {
    /// The route of a path's segments, its parameter URL-decoded (`None`
    /// when no route has that shape or the parameter does not decode).
    fn of_segments(segments: &[&str]) -> Option<Route> {
        let param = |p: &str| urlencoding::decode(p).ok().map(|p| p.into_owned());
        Some(match segments {
            [] => Route::Home,
            ["lesson", id] => Route::Lesson { id: param(id)? },
            ["lesson-file"] => Route::CustomLesson,
            ["playground"] => Route::Playground,
            ["types"] => Route::Types,
            ["latency"] => Route::Latency,
            ["scaling"] => Route::Scaling,
            ["scaling", preset] => Route::ScalingPreset { preset: param(preset)? },
            ["reference"] => Route::Reference,
            ["playground", "share", data] => Route::Shared { data: param(data)? },
            ["embed", "lesson", id] => Route::EmbedLesson { id: param(id)? },
            ["embed", "console"] => Route::EmbedConsole,
            ["404"] => Route::NotFound,
            _ => return None,
        })
    }
}

impl Routable for Route {
    /// `path` one of [`ROUTES`], `params` its `:name` parts (URL-encoded).
    fn from_path(path: &str, params: &HashMap<&str, &str>) -> Option<Self> {
        if !ROUTES.contains(&path) {
            return None;
        }
        let segments: Option<Vec<&str>> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| match s.strip_prefix(':') {
                Some(name) => params.get(name).copied(),
                None => Some(s),
            })
            .collect();
        Self::of_segments(&segments?)
    }

    fn to_path(&self) -> String {
        let enc = |p: &str| urlencoding::encode(p).into_owned();
        match self {
            Route::Home => "/".into(),
            Route::Lesson { id } => format!("/lesson/{}", enc(id)),
            Route::CustomLesson => "/lesson-file".into(),
            Route::Playground => "/playground".into(),
            Route::Types => "/types".into(),
            Route::Latency => "/latency".into(),
            Route::Scaling => "/scaling".into(),
            Route::ScalingPreset { preset } => format!("/scaling/{}", enc(preset)),
            Route::Reference => "/reference".into(),
            Route::Shared { data } => format!("/playground/share/{}", enc(data)),
            Route::EmbedLesson { id } => format!("/embed/lesson/{}", enc(id)),
            Route::EmbedConsole => "/embed/console".into(),
            Route::NotFound => "/404".into(),
        }
    }

    fn routes() -> Vec<&'static str> {
        ROUTES.to_vec()
    }

    fn not_found_route() -> Option<Self> {
        Some(Route::NotFound)
    }

    /// As the derived version: one trailing slash ignored, a parameter a
    /// whole non-empty segment, URL-decoded; anything else is `NotFound`.
    fn recognize(pathname: &str) -> Option<Self> {
        let path = pathname.strip_suffix('/').unwrap_or(pathname);
        let segments: Vec<&str> = if path.is_empty() { Vec::new() } else { path.split('/').skip(1).collect() };
        if !path.is_empty() && (!path.starts_with('/') || segments.iter().any(|s| s.is_empty())) {
            return Self::not_found_route();
        }
        Self::of_segments(&segments).or_else(Self::not_found_route)
    }
}

fn switch(route: Route) -> Html {
    match route {
        Route::EmbedLesson { id } => {
            return html! { <main class="embed" id="main"><LessonPage id={id} embedded={true} /></main> }
        }
        Route::EmbedConsole => return html! { <main class="embed" id="main"><EmbedConsolePage /></main> },
        _ => {}
    }
    let page = match route {
        Route::Home => html! { <SessionProvider><HomePage /></SessionProvider> },
        Route::Lesson { id } => html! { <LessonPage id={id} /> },
        Route::CustomLesson => html! { <CustomLessonPage /> },
        Route::Playground => html! { <SessionProvider><PlaygroundPage /></SessionProvider> },
        Route::Types => html! { <TypesPage /> },
        Route::Latency => html! { <LatencyPage /> },
        // Keyed by the preset: following a link to another preset builds it.
        Route::Scaling => html! { <ScalingPage key="scaling" /> },
        Route::ScalingPreset { preset } => {
            let key = format!("scaling/{preset}");
            html! { <ScalingPage {key} preset={Some(preset)} /> }
        }
        Route::Reference => html! { <ReferencePage /> },
        Route::Shared { data } => html! { <SessionProvider><PlaygroundPage shared={Some(data)} /></SessionProvider> },
        Route::NotFound | Route::EmbedLesson { .. } | Route::EmbedConsole => html! { <NotFound /> },
    };
    html! {
        <div class="app">
            <a class="skip-link" href="#main">{ t(K::SkipToContent) }</a>
            <header class="topbar">
                <Link<Route> to={Route::Home} classes="brand">
                    <span class="brand-mark" aria-hidden="true">{"◆"}</span>
                    {" Redis Lab"}
                </Link<Route>>
                <nav aria-label={t(K::NavPages)}>
                    <Link<Route> to={Route::Home}>{ t(K::NavLessons) }</Link<Route>>
                    <Link<Route> to={Route::Playground}>{ t(K::NavPlayground) }</Link<Route>>
                    <Link<Route> to={Route::Latency}>{ t(K::NavLatency) }</Link<Route>>
                    <Link<Route> to={Route::Scaling}>{ t(K::NavScaling) }</Link<Route>>
                    <Link<Route> to={Route::Types}>{ t(K::NavTypes) }</Link<Route>>
                    <Link<Route> to={Route::Reference}>{ t(K::NavReference) }</Link<Route>>
                </nav>
                <span class="tagline">{ t(K::Tagline) }</span>
                <LangSwitcher />
            </header>
            <main class="content" id="main" tabindex="-1">{ page }</main>
        </div>
    }
}

/// Where the learner's choice of language is kept.
pub const LANG_KEY: &str = "redis-lab:lang";

/// Changes the page's language (given to the switcher through context).
#[derive(Clone, PartialEq)]
pub struct LangSwitch(pub Callback<Lang>);

/// `?lang=` before the hash (`index.html?lang=fr#/…`) or in it (`#/embed/…?lang=fr`).
fn address_lang() -> Option<String> {
    let location = web_sys::window()?.location();
    let search = location.search().ok().unwrap_or_default();
    let hash = location.hash().ok().unwrap_or_default();
    let in_hash = hash.split_once('?').map(|(_, q)| q.to_string()).unwrap_or_default();
    i18n::query_lang(&search).or_else(|| i18n::query_lang(&in_hash)).map(str::to_string)
}

pub fn initial_lang() -> Lang {
    let preferred: Vec<String> = web_sys::window()
        .map(|w| w.navigator().languages().iter().filter_map(|v| v.as_string()).collect())
        .unwrap_or_default();
    i18n::pick(address_lang().as_deref(), browser::local_get(LANG_KEY).as_deref(), &preferred)
}

/// The header's language menu: a real <select>, remembered in localStorage.
#[function_component(LangSwitcher)]
fn lang_switcher() -> Html {
    let switch = use_context::<LangSwitch>();
    let now = i18n::lang();
    let onchange = Callback::from(move |e: Event| {
        let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() else { return };
        let Some(l) = Lang::from_code(&select.value()) else { return };
        browser::local_set(LANG_KEY, l.code());
        browser::drop_query_param("lang");
        if let Some(s) = &switch {
            s.0.emit(l);
        }
    });
    html! {
        <span class="lang-switcher">
            <label for="lang-select" class="visually-hidden">{ t(K::LanguageLabel) }</label>
            <select id="lang-select" {onchange}>
                { for Lang::ALL.iter().map(|l| html! {
                    <option value={l.code()} lang={l.code()} selected={*l == now}>{ l.name() }</option>
                }) }
            </select>
        </span>
    }
}

#[derive(Properties, PartialEq)]
struct RoutesProps {
    lang: &'static str,
}

/// The routed page, rebuilt from scratch when the language changes.
#[function_component(Routes)]
fn routes(props: &RoutesProps) -> Html {
    let _ = props.lang;
    html! { <Switch<Route> render={switch} /> }
}

#[derive(Properties, PartialEq)]
pub struct AppProps {
    /// The language asked for at start whose catalogue could not be fetched, and why.
    pub failed: Option<(Lang, String)>,
}

#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let lang = use_state(|| Some(initial_lang()).filter(|l| !i18n::needs_loading(*l)).unwrap_or(Lang::En));
    // A language being fetched, and the last one that could not be.
    let pending = use_state(|| None::<Lang>);
    let failed = use_state(|| props.failed.clone());
    i18n::set_lang(*lang);
    use_effect_with(*lang, |l| {
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            if let Some(root) = doc.document_element() {
                let _ = root.set_attribute("lang", l.code());
            }
            doc.set_title(t(K::PageTitle));
        }
    });
    let switch = {
        let (lang, pending, failed) = (lang.clone(), pending.clone(), failed.clone());
        LangSwitch(Callback::from(move |l: Lang| {
            failed.set(None);
            if !i18n::needs_loading(l) {
                pending.set(None);
                lang.set(l);
                return;
            }
            pending.set(Some(l));
            let (lang, pending, failed) = (lang.clone(), pending.clone(), failed.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let result = i18n::load(l).await;
                pending.set(None);
                match result {
                    Ok(()) => lang.set(l),
                    Err(why) => failed.set(Some((l, why))),
                }
            });
        }))
    };
    let retry = {
        let (switch, failed) = (switch.clone(), failed.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some((l, _)) = &*failed {
                switch.0.emit(*l);
            }
        })
    };
    // index.html's static shell (lesson map and texts shown while this module
    // loaded) gives way to the app once it has rendered.
    use_effect_with((), |_| {
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            for id in ["boot-shell", "boot-lesson-texts", "boot-i18n"] {
                if let Some(el) = doc.get_element_by_id(id) {
                    el.remove();
                }
            }
        }
    });
    html! {
        <HashRouter>
            if let Some(l) = *pending {
                <p class="lang-status" role="status">{ tf(K::LangLoading, &[("lang", &l.name())]) }</p>
            }
            if let Some((l, why)) = &*failed {
                <div class="notice lang-status load-failed" role="alert">
                    <span>{ tf(K::LangLoadFailed, &[("lang", &l.name()), ("why", why)]) }</span>
                    <button class="soft-button" onclick={retry}>{ t(K::Retry) }</button>
                </div>
            }
            <ContextProvider<LangSwitch> context={switch}>
                <ProgressProvider>
                    <Routes key={lang.code()} lang={lang.code()} />
                </ProgressProvider>
            </ContextProvider<LangSwitch>>
        </HashRouter>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_recognised_as_the_derived_router_did() {
        let cases = [
            ("/", Route::Home),
            ("", Route::Home),
            ("/lesson/intro", Route::Lesson { id: "intro".into() }),
            ("/lesson/intro/", Route::Lesson { id: "intro".into() }),
            ("/lesson/caf%C3%A9", Route::Lesson { id: "café".into() }),
            ("/lesson/", Route::NotFound),
            ("/lesson", Route::NotFound),
            ("/lesson/a/b", Route::NotFound),
            ("/lesson-file", Route::CustomLesson),
            ("/playground", Route::Playground),
            ("/playground/share/U0VUIGsgdg", Route::Shared { data: "U0VUIGsgdg".into() }),
            ("/types", Route::Types),
            ("/latency", Route::Latency),
            ("/scaling", Route::Scaling),
            ("/scaling/cluster", Route::ScalingPreset { preset: "cluster".into() }),
            ("/reference", Route::Reference),
            ("/embed/lesson/ttl", Route::EmbedLesson { id: "ttl".into() }),
            ("/embed/console", Route::EmbedConsole),
            ("/404", Route::NotFound),
            ("/nowhere", Route::NotFound),
            ("/Playground", Route::NotFound),
            ("/playground//", Route::NotFound),
        ];
        for (path, want) in cases {
            assert!(Route::recognize(path) == Some(want.clone()), "{path} -> {}", want.to_path());
        }
    }

    #[test]
    fn from_path_reads_a_route_template_and_its_parameters() {
        let id = HashMap::from([("id", "caf%C3%A9")]);
        assert!(Route::from_path("/lesson/:id", &id) == Some(Route::Lesson { id: "café".into() }));
        assert!(Route::from_path("/lesson/:id", &HashMap::new()).is_none(), "a missing parameter");
        assert!(Route::from_path("/lesson/intro", &HashMap::new()).is_none(), "not a template");
        assert!(Route::from_path("/types", &HashMap::new()) == Some(Route::Types));
        assert!(Route::from_path("/", &HashMap::new()) == Some(Route::Home));
    }

    #[test]
    fn every_route_goes_to_its_address_and_back() {
        let routes = [
            Route::Home,
            Route::Lesson { id: "sorted sets/é".into() },
            Route::CustomLesson,
            Route::Playground,
            Route::Types,
            Route::Latency,
            Route::Scaling,
            Route::ScalingPreset { preset: "replicas".into() },
            Route::Reference,
            Route::Shared { data: "abc-_".into() },
            Route::EmbedLesson { id: "intro".into() },
            Route::EmbedConsole,
            Route::NotFound,
        ];
        assert_eq!(routes.len(), Route::routes().len());
        for route in routes {
            assert!(Route::recognize(&route.to_path()) == Some(route.clone()), "{}", route.to_path());
        }
    }
}
