//! Redis's own files in the playground: download the dataset as the
//! `dump.rdb` or `appendonly.aof` a redis-server 7.0 loads, and open a real
//! `dump.rdb` (picked or dropped) to explore it in the key browser.
//!
//! Opening replaces the dataset only when the whole file was read: a
//! corrupt, unsupported or oversized file gets a message and changes
//! nothing.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::browser;
use crate::components::provider::save_now;
use crate::i18n::{t, tf, tn, K};
use crate::state::session::SessionHandle;

/// The largest file opened: its keys must fit in the tab's memory (and in
/// the browser storage the playground saves to) with room to spare.
pub const MAX_RDB_BYTES: usize = 32 * 1024 * 1024;

/// Keys in every database.
fn key_count(handle: &SessionHandle) -> usize {
    let engine = handle.lab.engine.borrow();
    (0..engine.db_count()).filter_map(|i| engine.db(i)).map(|db| db.len()).sum()
}

#[function_component(RedisFiles)]
pub fn redis_files() -> Html {
    let handle = use_context::<SessionHandle>().expect("SessionProvider");
    let message = use_state(|| None::<(String, bool)>);
    let dragging = use_state(|| false);

    let download_rdb = {
        let handle = handle.clone();
        let message = message.clone();
        Callback::from(move |_: MouseEvent| {
            let file = handle.lab.engine.borrow().rdb_file();
            match file {
                Ok(bytes) => browser::download_bytes("dump.rdb", &bytes),
                Err(e) => message.set(Some((tf(K::RdbCannotWrite, &[("error", &e)]), true))),
            }
        })
    };
    let download_aof = {
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| {
            let bytes = handle.lab.engine.borrow_mut().aof_file();
            browser::download_bytes("appendonly.aof", &bytes);
        })
    };

    // Reads the file, then loads it all-or-nothing.
    let open_file = {
        let handle = handle.clone();
        let message = message.clone();
        move |file: web_sys::File| {
            let name = file.name();
            let size = file.size() as usize;
            if size > MAX_RDB_BYTES {
                message.set(Some((
                    tf(
                        K::RdbTooLarge,
                        &[
                            ("name", &name),
                            ("size", &redis_emulator::inspect::human_bytes(size as u64)),
                            ("max", &redis_emulator::inspect::human_bytes(MAX_RDB_BYTES as u64)),
                        ],
                    ),
                    true,
                )));
                return;
            }
            let keys_now = key_count(&handle);
            if keys_now > 0 && !browser::confirm(&tn(K::RdbReplace, keys_now, &[("name", &name)])) {
                return;
            }
            let handle = handle.clone();
            let message = message.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let Ok(buffer) = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await else {
                    message.set(Some((tf(K::RdbUnreadable, &[("name", &name)]), true)));
                    return;
                };
                let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
                let loaded = handle.lab.engine.borrow_mut().load_rdb(&bytes);
                match loaded {
                    Ok(()) => {
                        let keys = key_count(&handle);
                        save_now(&handle.lab);
                        handle.after_command();
                        message.set(Some((tn(K::RdbOpened, keys, &[("name", &name)]), false)));
                    }
                    Err(e) => message.set(Some((tf(K::RdbNotOpened, &[("name", &name), ("error", &e)]), true))),
                }
            });
        }
    };
    let pick = {
        let open_file = open_file.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else { return };
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                open_file(file);
            }
            input.set_value("");
        })
    };
    let drag_over = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(true);
        })
    };
    let drag_leave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let drop = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            if let Some(file) = e.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) {
                open_file(file);
            }
        })
    };

    html! {
        <div class={classes!("redis-files", (*dragging).then_some("dragging"))} role="group" aria-label={t(K::RedisFiles)}
            ondragover={drag_over} ondragleave={drag_leave} ondrop={drop}>
            <span class="redis-files-title">{ t(K::RedisFilesTitle) }</span>
            <button type="button" onclick={download_rdb} title={t(K::DownloadRdbTitle)}>
                { t(K::DownloadRdb) }
            </button>
            <button type="button" onclick={download_aof} title={t(K::DownloadAofTitle)}>
                { t(K::DownloadAof) }
            </button>
            <label class="file-label button-like">{ t(K::OpenRdb) }
                <input type="file" class="visually-hidden" accept=".rdb,application/octet-stream" onchange={pick}
                    aria-label={t(K::OpenRdbLabel)} />
            </label>
            <span class="redis-files-hint">{ t(K::DropRdb) }</span>
            if let Some((text, error)) = (*message).clone() {
                <p class={classes!("message", error.then_some("error"))} role="status">{ text }</p>
            }
        </div>
    }
}
