//! The type gallery: one example value of every Redis type, drawn with
//! the same pictures the key browser uses, so a learner sees what each
//! type is before typing a command. The examples are made by running
//! commands on a private engine (not the playground's data).

use redis_emulator::inspect::{hll_from_registers, HLL_REGISTERS};
use redis_emulator::tokenizer::split_line;
use redis_emulator::Engine;
use yew::prelude::*;

use crate::components::value_view::picture;
use crate::i18n::{t, tf, K};
use crate::state::keys::Kind;
use crate::state::session::GeoQuery;
use crate::state::snapshot::Commands;

/// HyperLogLog registers after adding `n` distinct elements, drawn with a
/// fixed 64-bit mixer instead of MurmurHash (the same statistics, other
/// positions), so the gallery's sketch needs no thousand PFADD arguments.
fn simulated_registers(n: u64) -> Vec<u8> {
    let mut regs = vec![0u8; HLL_REGISTERS];
    for i in 0..n {
        let mut z = i.wrapping_add(0x9e37_79b9_7f4a_7c15).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 31)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 29;
        let index = (z & (HLL_REGISTERS as u64 - 1)) as usize;
        let rest = (z >> 14) | (1 << 50);
        let count = (rest.trailing_zeros() + 1) as u8;
        regs[index] = regs[index].max(count);
    }
    regs
}

/// (key, the commands shown, the commands run).
fn examples() -> Vec<(&'static str, &'static str, Commands)> {
    let line = |l: &str| split_line(l).unwrap_or_default();
    vec![
        ("greeting", "SET greeting \"hello world\"", vec![line("SET greeting \"hello world\"")]),
        ("flags", "SETBIT flags 3 1 · SETBIT flags 9 1", vec![line("SETBIT flags 3 1"), line("SETBIT flags 9 1")]),
        (
            "visitors",
            "PFADD visitors … (1000 distinct elements)",
            vec![vec![b"SET".to_vec(), b"visitors".to_vec(), hll_from_registers(&simulated_registers(1000))]],
        ),
        ("queue:jobs", "RPUSH queue:jobs job:1 job:2 job:3", vec![line("RPUSH queue:jobs job:1 job:2 job:3")]),
        (
            "user:1",
            "HSET user:1 name Ada email ada@example.com lang en",
            vec![line("HSET user:1 name Ada email ada@example.com lang en")],
        ),
        ("tags", "SADD tags redis cache database", vec![line("SADD tags redis cache database")]),
        (
            "leaderboard",
            "ZADD leaderboard 95 bob 120 alice 150 carol",
            vec![line("ZADD leaderboard 95 bob 120 alice 150 carol")],
        ),
        (
            "places",
            "GEOADD places 13.361389 38.115556 Palermo … · GEOSEARCH places FROMLONLAT 15 37 BYRADIUS 200 km",
            vec![line(
                "GEOADD places 13.361389 38.115556 Palermo 15.087269 37.502669 Catania 12.496366 41.902782 Rome",
            )],
        ),
        (
            "events",
            "XADD events * type login user alice … · XGROUP CREATE events workers …",
            vec![
                line("XADD events 1700000000000-0 type login user alice"),
                line("XADD events 1700000001000-0 type click user bob"),
                line("XADD events 1700000002000-0 type logout user alice"),
                line("XGROUP CREATE events workers 1700000001000-0"),
            ],
        ),
    ]
}

#[function_component(TypesPage)]
pub fn types_page() -> Html {
    let engine = use_memo((), |_| {
        let mut engine = Engine::with_manual_clock(1_700_000_003_000, 1);
        let me = engine.connect("gallery");
        let mut missing = Vec::new();
        for (key, _, commands) in examples() {
            for argv in commands {
                let name = String::from_utf8_lossy(&argv[0]).to_ascii_uppercase();
                if engine.execute(me, argv).error_text().is_some_and(|e| e.starts_with("ERR unknown command")) {
                    missing.push((key, name));
                }
            }
        }
        (engine, missing)
    });
    let (engine, missing) = &*engine;
    let db = engine.db(0);
    html! {
        <section class="types-page">
            <div class="page-head">
                <h1>{ t(K::TypesTitle) }</h1>
                <p class="lead">{ t(K::TypesLead) }</p>
            </div>
            <div class="type-gallery">
                { for examples().into_iter().map(|(key, how, _)| {
                    let value = db.and_then(|d| d.get(key.as_bytes())).map(|e| &e.value);
                    let kind = value.map(Kind::of);
                    let geo = (key == "places").then_some(GeoQuery { center: (15.0, 37.0), radius_m: 200_000.0 });
                    let mut absent: Vec<&str> = missing.iter().filter(|(k, _)| *k == key).map(|(_, c)| c.as_str()).collect();
                    absent.dedup();
                    html! {
                        <article class="panel type-card" aria-labelledby={format!("type-{key}")}
                            data-kind={kind.map(|k| k.name()).unwrap_or("unavailable")}>
                            <div class="selected-head">
                                if let Some(kind) = kind {
                                    <span class={classes!("badge", format!("badge-{}", kind.name()))}>{ kind.name() }</span>
                                }
                                <h2 class="key-name" id={format!("type-{key}")}>{ key }</h2>
                            </div>
                            <p class="made-by"><code>{ how }</code></p>
                            if let (Some(value), Some(kind)) = (value, kind) {
                                <div class={classes!("value-view", format!("kind-{}", kind.name()))}>{ picture(value, geo) }</div>
                            } else {
                                <p class="unavailable">{ tf(K::TypesUnavailable, &[("commands", &absent.join(", "))]) }</p>
                            }
                        </article>
                    }
                }) }
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gallery_sketch_estimates_about_a_thousand() {
        let sketch = redis_emulator::inspect::hll(&hll_from_registers(&simulated_registers(1000))).unwrap();
        assert!(sketch.dense);
        assert!((sketch.estimate as f64 - 1000.0).abs() < 60.0, "{}", sketch.estimate);
    }
}
