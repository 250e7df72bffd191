//! The Python behind each strategy, with the lines behind the newest log
//! lines highlighted.

use latency_sim::{LogKind, Strategy};
use yew::prelude::*;

use crate::i18n::{t, K};

/// The Python the seed ran; each line tagged with the log kinds whose path
/// runs through it: h = hit, m = miss, d = database, w = lock wait, r = refresh.
const UNCACHED_CODE: &[(&str, &str)] = &[
    ("import time", ""),
    ("from flask import Flask, jsonify", ""),
    ("", ""),
    ("app = Flask(__name__)", ""),
    ("", ""),
    ("def get_product_from_db(product_id):", "d"),
    ("    print(f\"DATABASE HIT: Fetching product {product_id} from the database...\")", "d"),
    ("    time.sleep(2)  # simulate a slow database query", "d"),
    ("    return {\"id\": product_id, \"name\": f\"Product {product_id}\", \"price\": 100.0}", "d"),
    ("", ""),
    ("@app.route(\"/product/<int:product_id>\")", "d"),
    ("def get_product(product_id):", "d"),
    ("    return jsonify(get_product_from_db(product_id))", "d"),
];

const CACHED_CODE: &[(&str, &str)] = &[
    ("import json, time", ""),
    ("import redis", ""),
    ("from flask import Flask, jsonify", ""),
    ("", ""),
    ("app = Flask(__name__)", ""),
    ("cache = redis.Redis(host=\"localhost\", port=6379, db=0)", ""),
    ("", ""),
    ("def get_product_from_db(product_id):", "d"),
    ("    print(f\"DATABASE HIT: Fetching product {product_id} from the database...\")", "d"),
    ("    time.sleep(2)  # simulate a slow database query", "d"),
    ("    return {\"id\": product_id, \"name\": f\"Product {product_id}\", \"price\": 100.0}", "d"),
    ("", ""),
    ("@app.route(\"/product/<int:product_id>\")", "hm"),
    ("def get_product(product_id):", "hm"),
    ("    cache_key = f\"product:{product_id}\"", "hm"),
    ("    cached = cache.get(cache_key)", "hm"),
    ("    if cached:", "hm"),
    ("        print(f\"CACHE HIT: Fetching product {product_id} from cache.\")", "h"),
    ("        return jsonify(json.loads(cached))", "h"),
    ("    print(f\"CACHE MISS: Product {product_id} not found in cache.\")", "m"),
    ("    product = get_product_from_db(product_id)", "md"),
    ("    cache.setex(cache_key, 60, json.dumps(product))", "d"),
    ("    return jsonify(product)", "d"),
];

const LOCK_CODE: &[(&str, &str)] = &[
    ("def get_product(product_id):", "hmwd"),
    ("    cache_key = f\"product:{product_id}\"", "hmwd"),
    ("    while True:", "hmw"),
    ("        cached = cache.get(cache_key)", "hmw"),
    ("        if cached:", "hmw"),
    ("            print(f\"CACHE HIT: Fetching product {product_id} from cache.\")", "h"),
    ("            return jsonify(json.loads(cached))", "h"),
    ("        print(f\"CACHE MISS: Product {product_id} not found in cache.\")", "m"),
    ("        if cache.set(f\"lock:{cache_key}\", 1, nx=True, px=10000):", "mw"),
    ("            cached = cache.get(cache_key)  # re-check: the last holder may just have stored it", "md"),
    ("            if not cached:", "md"),
    ("                product = get_product_from_db(product_id)  # only the lock holder", "d"),
    ("                cache.setex(cache_key, 60, json.dumps(product))", "d"),
    ("            cache.delete(f\"lock:{cache_key}\")", "d"),
    ("            return jsonify(product if not cached else json.loads(cached))", "d"),
    ("        time.sleep(0.05)  # someone else is loading it: wait, then re-read", "w"),
];

const EARLY_CODE: &[(&str, &str)] = &[
    ("def get_product(product_id):", "hmdr"),
    ("    cache_key = f\"product:{product_id}\"", "hmdr"),
    ("    cached = cache.get(cache_key)", "hmdr"),
    ("    if cached:", "hmr"),
    ("        print(f\"CACHE HIT: Fetching product {product_id} from cache.\")", "hr"),
    ("        if cache.pttl(cache_key) < 5000:  # about to expire", "hr"),
    ("            refresh_in_background(product_id)  # reload + SETEX, off the request path", "r"),
    ("        return jsonify(json.loads(cached))", "h"),
    ("    print(f\"CACHE MISS: Product {product_id} not found in cache.\")", "m"),
    ("    product = get_product_from_db(product_id)", "md"),
    ("    cache.setex(cache_key, 60, json.dumps(product))", "d"),
    ("    return jsonify(product)", "d"),
];

pub(super) fn render_code(strategy: Strategy, newest: &[LogKind]) -> Html {
    let (title, code) = match strategy {
        Strategy::NoCache => (t(K::LatCodeUncached), UNCACHED_CODE),
        Strategy::CacheAside => (t(K::LatCodeCached), CACHED_CODE),
        Strategy::CacheAsideLock => (t(K::LatCodeLock), LOCK_CODE),
        Strategy::EarlyRefresh => (t(K::LatCodeEarly), EARLY_CODE),
    };
    let paths: Vec<(char, &str)> = newest
        .iter()
        .map(|k| match k {
            LogKind::Hit => ('h', t(K::LatPathHit)),
            LogKind::Miss => ('m', t(K::LatPathMiss)),
            LogKind::Database => ('d', t(K::LatPathDb)),
            LogKind::Wait => ('w', t(K::LatPathWait)),
            LogKind::Refresh => ('r', t(K::LatPathRefresh)),
        })
        .collect();
    html! {
        <section class="code-wrap" aria-labelledby="code-title">
            <h3 id="code-title">{ title }</h3>
            <p class="lat-note">
                if paths.is_empty() {
                    { t(K::LatCodeIdle) }
                } else {
                    { t(K::LatHighlighted) }
                    { for paths.iter().enumerate().map(|(i, (tag, name))| html! {
                        <>
                            if i > 0 { { t(K::LatThen) } }
                            <strong class={format!("path-{tag}")}>{ *name }</strong>
                        </>
                    }) }
                    { t(K::LatHighlightedEnd) }
                }
            </p>
            <pre class="py-code" tabindex="0"><code>
                { for code.iter().enumerate().map(|(i, (line, tags))| {
                    // The last matching path wins: a miss then a load shows the load.
                    let on = paths.iter().rev().find(|(t, _)| tags.contains(*t)).map(|(t, _)| format!("on-{t}"));
                    html! {
                        <span class={classes!("py-line", on)}>
                            <span class="py-no" aria-hidden="true">{ format!("{:>2} ", i + 1) }</span>
                            { *line }{"\n"}
                        </span>
                    }
                }) }
            </code></pre>
        </section>
    }
}
