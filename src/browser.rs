//! The few browser services the app uses (storage, downloads, clipboard,
//! the page address), kept out of `state` so state stays plain Rust.

use wasm_bindgen::JsCast;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

pub fn local_get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok()?
}

/// Stores a value; false if storage is unavailable or full.
pub fn local_set(key: &str, value: &str) -> bool {
    storage().is_some_and(|s| s.set_item(key, value).is_ok())
}

pub fn local_remove(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

/// An object URL for a text file (for `<a download>` links).
pub fn text_url(text: &str) -> Option<String> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/plain;charset=utf-8");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

/// Offers `bytes` as a binary file download.
pub fn download_bytes(filename: &str, bytes: &[u8]) {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/octet-stream");
    let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    click_download_link(filename, &url);
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Offers `text` as a file download.
pub fn download(filename: &str, text: &str) {
    let Some(url) = text_url(text) else { return };
    click_download_link(filename, &url);
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Downloads `url` as `filename` through a temporary `<a download>`.
fn click_download_link(filename: &str, url: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    if let Ok(a) = document.create_element("a") {
        if let Ok(a) = a.dyn_into::<web_sys::HtmlAnchorElement>() {
            a.set_href(url);
            a.set_download(filename);
            if let Some(body) = document.body() {
                let _ = body.append_child(&a);
                a.click();
                let _ = body.remove_child(&a);
            }
        }
    }
}

/// Copies text to the clipboard (best effort).
pub fn copy_text(text: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
}

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The page address without its `#…` part.
pub fn page_base_url() -> String {
    let href = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
    href.split('#').next().unwrap_or_default().to_string()
}

pub fn confirm(message: &str) -> bool {
    web_sys::window().and_then(|w| w.confirm_with_message(message).ok()).unwrap_or(false)
}

pub fn session_get(key: &str) -> Option<String> {
    web_sys::window()?.session_storage().ok()??.get_item(key).ok()?
}

pub fn session_set(key: &str, value: &str) -> bool {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten()).is_some_and(|s| s.set_item(key, value).is_ok())
}

/// The page's origin (`https://host:port`).
pub fn origin() -> String {
    web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
}

thread_local! {
    static BUILD_FILES: std::cell::OnceCell<Option<js_sys::Object>> = const { std::cell::OnceCell::new() };
}

/// The address of one of the build's data files (`lessons/02-strings.md`,
/// `i18n/fr.json`): scripts/postbuild.mjs names them after their content and
/// lists them in index.html (`<script type="application/json" id="build-files">`).
/// A file it does not list keeps its own name. The list is read the first
/// time (call it once before the app mounts: mounting empties the page's body).
pub fn build_file(path: &str) -> String {
    let listed = BUILD_FILES.with(|b| {
        let map = b.get_or_init(|| {
            let text = web_sys::window()?.document()?.get_element_by_id("build-files")?.text_content()?;
            js_sys::JSON::parse(&text).ok()?.dyn_into::<js_sys::Object>().ok()
        });
        map.as_ref().and_then(|m| js_sys::Reflect::get(m, &path.into()).ok()).and_then(|v| v.as_string())
    });
    listed.unwrap_or_else(|| path.to_string())
}

/// Fetches one of the build's data files as text: the request index.html's
/// startup script already made for it (`window.redisLabPrefetch`, started
/// while the module downloaded) when there is one, else a new one.
pub async fn fetch_build_file(path: &str) -> Result<String, String> {
    let url = build_file(path);
    let early = web_sys::window().and_then(|w| {
        let map = js_sys::Reflect::get(&w, &"redisLabPrefetch".into()).ok()?;
        let p = js_sys::Reflect::get(&map, &url.as_str().into()).ok()?.dyn_into::<js_sys::Promise>().ok()?;
        let _ = js_sys::Reflect::delete_property(map.unchecked_ref::<js_sys::Object>(), &url.as_str().into());
        Some(p)
    });
    if let Some(p) = early {
        if let Some(text) = wasm_bindgen_futures::JsFuture::from(p).await.ok().and_then(|t| t.as_string()) {
            return Ok(text);
        }
    }
    fetch_text(&url).await
}

/// Fetches a same-origin text file (a lesson an author points at, a file of the build).
pub async fn fetch_text(url: &str) -> Result<String, String> {
    use wasm_bindgen::JsCast;
    let window = web_sys::window().ok_or("no window")?;
    let resp = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|_| format!("could not load {url}"))?;
    let resp: web_sys::Response = resp.dyn_into().map_err(|_| "not a response".to_string())?;
    if !resp.ok() {
        return Err(format!("{url} answered HTTP {}", resp.status()));
    }
    let text = resp.text().map_err(|_| "no text".to_string())?;
    let text = wasm_bindgen_futures::JsFuture::from(text).await.map_err(|_| "could not read the file".to_string())?;
    text.as_string().ok_or_else(|| "not text".to_string())
}

/// Sets `data-theme` on the document (embeds choose light or dark).
pub fn set_theme(theme: Option<&str>) {
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        match theme {
            Some(t) => {
                let _ = root.set_attribute("data-theme", t);
            }
            None => {
                let _ = root.remove_attribute("data-theme");
            }
        }
    }
}

/// True where the lesson text and the console sit side by side (wider than
/// 900 px, the layout's breakpoint) and the pointer is a mouse: there a new
/// console may take the keyboard. On a phone, focusing would scroll the page
/// away from the text and open the on-screen keyboard.
pub fn console_may_take_focus() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(min-width: 901px) and (pointer: fine)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// Focuses `element` without scrolling the page to it.
pub fn focus_without_scroll(element: &web_sys::HtmlElement) {
    let options = web_sys::FocusOptions::new();
    options.set_prevent_scroll(true);
    let _ = element.focus_with_options(&options);
}

/// Removes `name=…` from the address's query (before the hash) without a
/// reload, so a choice made on the page outlives the link that set another.
pub fn drop_query_param(name: &str) {
    let Some(window) = web_sys::window() else { return };
    let location = window.location();
    let search = location.search().unwrap_or_default();
    let kept: Vec<&str> = search
        .trim_start_matches('?')
        .split('&')
        .filter(|kv| !kv.is_empty() && !kv.starts_with(&format!("{name}=")))
        .collect();
    if kept.len() == search.trim_start_matches('?').split('&').filter(|kv| !kv.is_empty()).count() {
        return;
    }
    let query = if kept.is_empty() { String::new() } else { format!("?{}", kept.join("&")) };
    let url = format!("{}{}{}", location.pathname().unwrap_or_default(), query, location.hash().unwrap_or_default());
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}
