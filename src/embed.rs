//! Embedding in course sites: progress events for the parent page.
//!
//! The page inside an iframe posts `{ source: "redis-lab", version: 1,
//! type, lesson?, challenge?, step?, command? }` messages to its parent —
//! only when the embedding page named its origin with `parentOrigin=…` in
//! the URL, and only to that origin. Types: `ready`, `step-run` (one per
//! block run, with its `commands`), `challenge-passed`, `challenge-failed`
//! (with the check's words in `message`), `hint-shown` (`hint` is its
//! number, `text` its words) and `lesson-completed`.

use wasm_bindgen::JsValue;

/// Options read from the embed URL (`#/embed/lesson/ttl?theme=dark&panels=console&parentOrigin=https://…`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EmbedOptions {
    pub theme: Option<String>,
    pub panels: Option<Vec<String>>,
    pub parent_origin: Option<String>,
}

impl EmbedOptions {
    /// Parses a query string (with or without the leading `?`).
    pub fn from_query(query: &str) -> EmbedOptions {
        let mut o = EmbedOptions::default();
        for pair in query.trim_start_matches('?').split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = js_sys::decode_uri_component(v).ok().and_then(|s| s.as_string()).unwrap_or_else(|| v.to_string());
            match k {
                "theme" if v == "light" || v == "dark" => o.theme = Some(v),
                "panels" => {
                    o.panels = Some(v.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect())
                }
                "parentOrigin" if valid_origin(&v) => o.parent_origin = Some(v),
                _ => {}
            }
        }
        o
    }

    pub fn shows(&self, panel: &str) -> bool {
        self.panels.as_ref().is_none_or(|p| p.iter().any(|x| x == panel))
    }
}

/// `https://host[:port]` or `http://…` with nothing after the authority.
pub fn valid_origin(s: &str) -> bool {
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.contains('/') && !r.contains('?') && !r.contains('#'))
}

/// One progress event for the parent page.
#[derive(Default)]
pub struct EmbedEvent<'a> {
    pub kind: &'a str,
    pub lesson: Option<&'a str>,
    pub challenge: Option<&'a str>,
    /// The block's number (1-based) for `step-run`.
    pub step: Option<usize>,
    /// The block's commands for `step-run` (the first also goes in `command`).
    pub commands: Option<&'a [String]>,
    /// The check's words for `challenge-failed`.
    pub message: Option<&'a str>,
    /// The hint's number (1-based) for `hint-shown`…
    pub hint: Option<usize>,
    /// …and its words.
    pub text: Option<&'a str>,
}

/// Posts `event` to the parent window if it is embedded and an origin was configured.
pub fn post(options: &EmbedOptions, event: EmbedEvent) {
    let Some(origin) = options.parent_origin.as_deref() else { return };
    let Some(window) = web_sys::window() else { return };
    let Ok(Some(parent)) = window.parent() else { return };
    let msg = js_sys::Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = js_sys::Reflect::set(&msg, &JsValue::from_str(k), &v);
    };
    set("source", JsValue::from_str("redis-lab"));
    set("version", JsValue::from_f64(1.0));
    set("type", JsValue::from_str(event.kind));
    if let Some(l) = event.lesson {
        set("lesson", JsValue::from_str(l));
    }
    if let Some(c) = event.challenge {
        set("challenge", JsValue::from_str(c));
    }
    if let Some(s) = event.step {
        set("step", JsValue::from_f64(s as f64));
    }
    if let Some(commands) = event.commands {
        if let Some(first) = commands.first() {
            set("command", JsValue::from_str(first));
        }
        let list: js_sys::Array = commands.iter().map(|c| JsValue::from_str(c)).collect();
        set("commands", list.into());
    }
    if let Some(m) = event.message {
        set("message", JsValue::from_str(m));
    }
    if let Some(h) = event.hint {
        set("hint", JsValue::from_f64(h as f64));
    }
    if let Some(t) = event.text {
        set("text", JsValue::from_str(t));
    }
    let _ = parent.post_message(&msg, origin);
}
