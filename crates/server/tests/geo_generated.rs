//! Generated differential run for the geo commands: a fixed-seed stream of
//! random points, searches (radius and box, from members and from
//! coordinates, with every WITH option), stores and distances, replayed
//! against a real redis-server and our server.

mod common;

use common::random::{Draw, Lcg};

const KEYS: &[&str] = &["g0", "g1", "g2", "str", "missing"];
const MEMBERS: &[&str] = &["m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "nope"];
const UNITS: &[&str] = &["m", "km", "mi", "ft"];

/// A number in [lo, hi] with up to 6 decimals.
fn coord(g: &mut Lcg, lo: f64, hi: f64) -> String {
    let steps = ((hi - lo) * 1e6) as u64;
    let v = lo + (g.next() % steps.max(1)) as f64 / 1e6;
    format!("{v:.6}")
}

/// A longitude/latitude pair near a small region (so searches find points),
/// sometimes anywhere on the map, rarely out of range.
fn point(g: &mut Lcg) -> String {
    match g.below(20) {
        0 => format!("{} {}", coord(g, -200.0, 200.0), coord(g, -90.0, 90.0)),
        1..=5 => format!("{} {}", coord(g, -180.0, 180.0), coord(g, -85.05, 85.05)),
        _ => format!("{} {}", coord(g, 13.0, 15.5), coord(g, 37.0, 38.5)),
    }
}

fn options(g: &mut Lcg) -> String {
    let mut o = Vec::new();
    for opt in ["WITHCOORD", "WITHDIST", "WITHHASH"] {
        if g.below(2) == 0 {
            o.push(opt.to_string());
        }
    }
    match g.below(4) {
        0 => o.push(format!("COUNT {}", 1 + g.below(5))),
        1 => o.push(format!("COUNT {} ANY", 1 + g.below(5))),
        _ => {}
    }
    o.push(g.pick(&["ASC", "DESC", "ASC", ""]).to_string());
    o.join(" ")
}

fn script(seed: u64, count: usize) -> String {
    let mut g = Lcg(seed);
    let mut out = String::from("FLUSHALL\nSET str x\n");
    for _ in 0..count {
        let k = g.pick(KEYS);
        let line = match g.below(16) {
            0..=3 => {
                let flag = g.pick(&["", "", "NX", "XX", "CH", "XX CH"]);
                let n = 1 + g.below(3);
                let items: Vec<String> = (0..n).map(|_| format!("{} {}", point(&mut g), g.pick(MEMBERS))).collect();
                format!("GEOADD {k} {flag} {}", items.join(" "))
            }
            4 => format!("GEOPOS {k} {} {}", g.pick(MEMBERS), g.pick(MEMBERS)),
            5 => format!("GEODIST {k} {} {} {}", g.pick(MEMBERS), g.pick(MEMBERS), g.pick(UNITS)),
            6 => format!("GEOHASH {k} {} {}", g.pick(MEMBERS), g.pick(MEMBERS)),
            7 | 8 => {
                let from = if g.below(2) == 0 {
                    format!("FROMMEMBER {}", g.pick(MEMBERS))
                } else {
                    format!("FROMLONLAT {}", point(&mut g))
                };
                let by = if g.below(2) == 0 {
                    format!("BYRADIUS {} {}", 1 + g.below(300), g.pick(UNITS))
                } else {
                    format!("BYBOX {} {} {}", 1 + g.below(400), 1 + g.below(400), g.pick(UNITS))
                };
                format!("GEOSEARCH {k} {from} {by} {}", options(&mut g))
            }
            9 => format!("GEORADIUS {k} {} {} km {}", point(&mut g), 1 + g.below(300), options(&mut g)),
            10 => format!("GEORADIUSBYMEMBER_RO {k} {} {} km {}", g.pick(MEMBERS), 1 + g.below(300), options(&mut g)),
            11 => {
                let store = g.pick(&["", "STOREDIST"]);
                format!(
                    "GEOSEARCHSTORE dst {k} FROMLONLAT {} BYRADIUS {} km ASC COUNT {} {store}",
                    point(&mut g),
                    1 + g.below(300),
                    1 + g.below(6)
                )
            }
            12 => "ZRANGE dst 0 -1 WITHSCORES".to_string(),
            13 => format!("ZREM {k} {}", g.pick(MEMBERS)),
            14 => format!("ZRANGE {k} 0 -1 WITHSCORES"),
            _ => format!("GEORADIUS {k} {} {} {} STORE dst2", point(&mut g), 1 + g.below(200), g.pick(UNITS)),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[test]
fn ten_thousand_random_geo_commands_match_redis() {
    common::assert_generated_run("geo_generated", &script(0x6e0_2026, 10_000), 10_000);
}
