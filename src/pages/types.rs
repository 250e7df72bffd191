//! The type gallery: one example value of every Redis type, drawn with
//! the same pictures the key browser uses, so a learner sees what each
//! type is before typing a command. Values are built directly, not
//! through commands.

use redis_emulator::types::stream::{EntryView, StreamId};
use redis_emulator::types::{HashValue, ListValue, SetValue, StreamValue, ZSetValue};
use redis_emulator::value::Value;
use yew::prelude::*;

use crate::components::value_view::picture;
use crate::state::keys::Kind;
use crate::state::session::GeoQuery;
use crate::state::{geohash, hll};

fn bytes(items: &[&str]) -> Vec<Vec<u8>> {
    items.iter().map(|s| s.as_bytes().to_vec()).collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(Vec<u8>, Vec<u8>)> {
    items.iter().map(|(a, b)| (a.as_bytes().to_vec(), b.as_bytes().to_vec())).collect()
}

/// (key, commands that would make it, value, last geo search).
fn examples() -> Vec<(&'static str, &'static str, Value, Option<GeoQuery>)> {
    let stream = StreamValue {
        entries: vec![
            EntryView {
                id: StreamId { ms: 1700000000000, seq: 0 },
                fields: pairs(&[("type", "login"), ("user", "alice")]),
            },
            EntryView {
                id: StreamId { ms: 1700000001000, seq: 0 },
                fields: pairs(&[("type", "click"), ("user", "bob")]),
            },
            EntryView {
                id: StreamId { ms: 1700000002000, seq: 0 },
                fields: pairs(&[("type", "logout"), ("user", "alice")]),
            },
        ],
        last_id: StreamId { ms: 1700000002000, seq: 0 },
    };
    let places = [("Palermo", 13.361389, 38.115556), ("Catania", 15.087269, 37.502669), ("Rome", 12.496366, 41.902782)];
    vec![
        ("greeting", "SET greeting \"hello world\"", Value::string("hello world"), None),
        ("flags", "SETBIT flags 3 1 / SETBIT flags 9 1", Value::string(vec![0x10u8, 0x40]), None),
        (
            "visitors",
            "PFADD visitors … (1000 elements)",
            Value::string(hll::dense_from_registers(&hll::simulate(1000))),
            None,
        ),
        (
            "queue:jobs",
            "RPUSH queue:jobs job:1 job:2 job:3",
            Value::List(ListValue { items: bytes(&["job:1", "job:2", "job:3"]).into() }),
            None,
        ),
        (
            "user:1",
            "HSET user:1 name Ada email ada@example.com lang en",
            Value::Hash(HashValue { fields: pairs(&[("name", "Ada"), ("email", "ada@example.com"), ("lang", "en")]) }),
            None,
        ),
        (
            "tags",
            "SADD tags redis cache database",
            Value::Set(SetValue { items: bytes(&["redis", "cache", "database"]) }),
            None,
        ),
        (
            "leaderboard",
            "ZADD leaderboard 95 bob 120 alice 150 carol",
            Value::ZSet(ZSetValue {
                entries: vec![(95.0, b"bob".to_vec()), (120.0, b"alice".to_vec()), (150.0, b"carol".to_vec())],
            }),
            None,
        ),
        (
            "places",
            "GEOADD places 13.361389 38.115556 Palermo … · GEOSEARCH places FROMLONLAT 15 37 BYRADIUS 200 km",
            Value::ZSet(ZSetValue {
                entries: {
                    let mut e: Vec<(f64, Vec<u8>)> = places
                        .iter()
                        .map(|(m, lon, lat)| (geohash::encode(*lon, *lat), m.as_bytes().to_vec()))
                        .collect();
                    e.sort_by(|a, b| a.0.total_cmp(&b.0));
                    e
                },
            }),
            Some(GeoQuery { center: (15.0, 37.0), radius_m: 200_000.0 }),
        ),
        ("events", "XADD events * type login user alice …", Value::Stream(Box::new(stream)), None),
    ]
}

#[function_component(TypesPage)]
pub fn types_page() -> Html {
    html! {
        <section class="types-page">
            <div class="page-head">
                <h1>{"What each type looks like"}</h1>
                <p class="lead">{"One example of every Redis type, drawn the way the playground's key browser draws your keys."}</p>
            </div>
            <div class="type-gallery">
                { for examples().into_iter().map(|(key, how, value, geo)| {
                    let kind = Kind::of(&value);
                    html! {
                        <article class="panel type-card" aria-labelledby={format!("type-{key}")} data-kind={kind.label()}>
                            <div class="selected-head">
                                <span class={classes!("badge", format!("badge-{}", kind.label()))}>{ kind.label() }</span>
                                <h2 class="key-name" id={format!("type-{key}")}>{ key }</h2>
                            </div>
                            <p class="made-by"><code>{ how }</code></p>
                            <div class={classes!("value-view", format!("kind-{}", kind.label()))}>{ picture(&value, geo) }</div>
                        </article>
                    }
                }) }
            </div>
        </section>
    }
}
