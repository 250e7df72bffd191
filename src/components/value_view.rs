//! Draws one value for its type: a list as a row of boxes, a hash as a
//! table, a set as chips, a sorted set as ranked bars, a string as text
//! plus its bits, a HyperLogLog as its register heatmap, geo members as
//! points on a plane (with the last radius search), a stream as a
//! timeline with consumer-group cursors. Everything is rendered as text
//! nodes, never as markup.

use redis_emulator::float::format_double;
use redis_emulator::inspect::{self, HLL_REGISTERS};
use redis_emulator::types::{StreamValue, ZSetValue};
use redis_emulator::value::{StrValue, Value};
use yew::prelude::*;

use crate::i18n::{t, tf, tn, K};
use crate::state::keys::{display_bytes, Kind};
use crate::state::session::{GeoQuery, SessionHandle};

/// Most elements drawn for one value (the rest are counted).
const MAX_SHOWN: usize = 200;
/// Bytes of a string drawn as bits.
const BIT_BYTES: usize = 32;

#[derive(Properties, PartialEq)]
pub struct ValueViewProps {
    pub db: usize,
    pub name: Vec<u8>,
}

#[function_component(ValueView)]
pub fn value_view(props: &ValueViewProps) -> Html {
    let handle = use_context::<SessionHandle>().expect("SessionProvider");
    let engine = handle.lab.engine.borrow();
    let inbox = handle.lab.inbox.borrow();
    let now = engine.now_ms();
    let Some(entry) = engine.db(props.db).and_then(|d| d.get(&props.name)).filter(|e| !e.is_expired(now)) else {
        return html! { <div class="value-view gone"><p>{ t(K::KeyGone) }</p></div> };
    };
    let kind = Kind::of(&entry.value);
    let changed = inbox.changed.contains(&(props.db, props.name.clone()));
    let picture = picture(&entry.value, inbox.geo_queries.get(&(props.db, props.name.clone())).copied());
    html! {
        <div class={classes!("value-view", format!("kind-{}", kind.name()), changed.then_some("changed"))}
            aria-label={tf(K::ValueOf, &[("key", &display_bytes(&props.name))])} role="group">
            { picture }
        </div>
    }
}

/// The picture of one value (also used by the type gallery).
pub fn picture(value: &Value, geo_query: Option<GeoQuery>) -> Html {
    match value {
        Value::String(s) if inspect::looks_like_hll(s) => hll_view(s),
        Value::String(s) => string_view(s),
        Value::List(l) => list_view(&l.to_vec()),
        Value::Hash(h) => hash_view(&h.pairs()),
        Value::Set(s) => set_view(&s.members()),
        Value::ZSet(z) if Kind::of(value) == Kind::Geo => geo_view(z, geo_query),
        Value::ZSet(z) => zset_view(z),
        Value::Stream(s) => stream_view(s),
    }
}

fn more(total: usize) -> Html {
    if total > MAX_SHOWN {
        html! { <p class="more">{ tf(K::AndMore, &[("n", &(total - MAX_SHOWN))]) }</p> }
    } else {
        html! {}
    }
}

fn string_view(s: &StrValue) -> Html {
    let shown = &s[..s.len().min(4096)];
    let bits = &s[..s.len().min(BIT_BYTES)];
    html! {
        <>
            <p class="meta">{ tf(K::StringMeta, &[("n", &s.len()), ("encoding", &s.encoding())]) }</p>
            <pre class="string-text">{ display_bytes(shown) }{ if s.len() > shown.len() { "…" } else { "" } }</pre>
            if !bits.is_empty() {
                <figure class="bits">
                    <figcaption>{ t(K::BitsCaption) }{ if s.len() > BIT_BYTES { tf(K::BitsFirstBytes, &[("n", &BIT_BYTES)]) } else { String::new() } }</figcaption>
                    <div class="bit-grid" role="img" aria-label={tf(K::BitsSet, &[("set", &bits.iter().map(|b| b.count_ones()).sum::<u32>()), ("n", &(bits.len() * 8))])}>
                        { for bits.iter().enumerate().map(|(i, byte)| html! {
                            <div class="bit-byte">
                                <span class="bit-offset">{ i * 8 }</span>
                                { for (0..8).map(|b| {
                                    let on = byte & (0x80 >> b) != 0;
                                    html! { <span class={classes!("bit", on.then_some("on"))} title={tf(K::BitTitle, &[("n", &(i * 8 + b))])}>{ if on { "1" } else { "0" } }</span> }
                                }) }
                            </div>
                        }) }
                    </div>
                </figure>
            }
        </>
    }
}

fn hll_view(s: &StrValue) -> Html {
    let Some(sketch) = inspect::hll(s) else {
        return html! { <><p class="meta">{ t(K::HllInvalid) }</p>{ string_view(s) }</> };
    };
    let (registers, estimate, used) = (&sketch.registers, sketch.estimate, sketch.used());
    let max = registers.iter().copied().max().unwrap_or(0).max(1) as f64;
    let side = 128;
    let cells = registers.iter().enumerate().filter(|(_, &r)| r > 0).map(|(i, &r)| {
        let light = 85.0 - 55.0 * (r as f64 / max);
        html! {
            <rect x={(i % side).to_string()} y={(i / side).to_string()} width="1" height="1"
                fill={format!("hsl(8 75% {light:.0}%)")}><title>{ tf(K::HllRegister, &[("i", &i), ("r", &r)]) }</title></rect>
        }
    });
    // With few registers set, ring them so single cells can be seen.
    let rings = (used <= 64).then(|| {
        registers
            .iter()
            .enumerate()
            .filter(|(_, &r)| r > 0)
            .map(|(i, _)| {
                html! {
                    <circle class="hll-ring" cx={format!("{}.5", i % side)} cy={format!("{}.5", i / side)} r="3" />
                }
            })
            .collect::<Html>()
    });
    html! {
        <>
            <p class="meta">
                <strong class="estimate">{ tf(K::HllEstimate, &[("n", &estimate)]) }</strong>
                { tf(K::HllMeta, &[
                    ("encoding", &t(if sketch.dense { K::HllDense } else { K::HllSparse })),
                    ("used", &used),
                    ("n", &HLL_REGISTERS),
                ]) }
            </p>
            <svg class="hll-heatmap" viewBox="0 0 128 128" role="img" preserveAspectRatio="xMidYMid meet"
                aria-label={tf(K::HllHeatmap, &[("n", &HLL_REGISTERS), ("used", &used), ("estimate", &estimate)])}>
                <rect class="hll-bg" x="0" y="0" width="128" height="128" />
                { for cells }
                { rings.unwrap_or_default() }
            </svg>
        </>
    }
}

fn list_view(items: &[Vec<u8>]) -> Html {
    let n = items.len();
    html! {
        <>
            <p class="meta">{ tn(K::ListMeta, n, &[]) }</p>
            <ol class="list-boxes" aria-label={t(K::ListLabel)}>
                { for items.iter().take(MAX_SHOWN).enumerate().map(|(i, item)| html! {
                    <li class="list-box">
                        if i == 0 { <span class="end-label">{ t(K::ListHead) }</span> }
                        if i + 1 == n { <span class="end-label tail">{ t(K::ListTail) }</span> }
                        <span class="index">{ i }</span>
                        <span class="item">{ display_bytes(item) }</span>
                    </li>
                }) }
            </ol>
            { more(n) }
        </>
    }
}

fn hash_view(pairs: &[(Vec<u8>, Vec<u8>)]) -> Html {
    html! {
        <>
            <p class="meta">{ tn(K::HashMeta, pairs.len(), &[]) }</p>
            <table class="hash-table">
                <thead><tr><th scope="col">{ t(K::HashField) }</th><th scope="col">{ t(K::HashValue) }</th></tr></thead>
                <tbody>
                    { for pairs.iter().take(MAX_SHOWN).map(|(f, v)| html! {
                        <tr><td>{ display_bytes(f) }</td><td>{ display_bytes(v) }</td></tr>
                    }) }
                </tbody>
            </table>
            { more(pairs.len()) }
        </>
    }
}

fn set_view(members: &[Vec<u8>]) -> Html {
    html! {
        <>
            <p class="meta">{ tn(K::SetMeta, members.len(), &[]) }</p>
            <ul class="chips" aria-label={t(K::SetLabel)}>
                { for members.iter().take(MAX_SHOWN).map(|m| html! { <li class="chip">{ display_bytes(m) }</li> }) }
            </ul>
            { more(members.len()) }
        </>
    }
}

fn zset_view(z: &ZSetValue) -> Html {
    let ranked = z.ranked();
    let (lo, hi) = ranked.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (_, s)| (lo.min(*s), hi.max(*s)));
    let floor = if lo >= 0.0 { 0.0 } else { lo };
    let span = (hi - floor).max(f64::MIN_POSITIVE);
    html! {
        <>
            <p class="meta">{ tn(K::ZsetMeta, ranked.len(), &[]) }</p>
            <ol class="zset-bars">
                { for ranked.iter().take(MAX_SHOWN).enumerate().map(|(rank, (m, s))| {
                    let width = if s.is_finite() { ((s - floor) / span * 100.0).clamp(2.0, 100.0) } else if *s > 0.0 { 100.0 } else { 2.0 };
                    html! {
                        <li class="zset-row">
                            <span class="rank">{ format!("#{rank}") }</span>
                            <span class="member">{ display_bytes(m) }</span>
                            <span class="bar-track"><span class="bar" style={format!("width:{width:.1}%")}></span></span>
                            <span class="score">{ format_double(*s) }</span>
                        </li>
                    }
                }) }
            </ol>
            { more(ranked.len()) }
        </>
    }
}

fn geo_view(z: &ZSetValue, query: Option<GeoQuery>) -> Html {
    let points = inspect::geo_points(z, MAX_SHOWN);
    // Bounds: every point plus the search circle, with a margin.
    let mut min = (f64::INFINITY, f64::INFINITY);
    let mut max = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    let mut include = |(x, y): (f64, f64)| {
        min = (min.0.min(x), min.1.min(y));
        max = (max.0.max(x), max.1.max(y));
    };
    points.iter().for_each(|(_, p)| include(*p));
    let circle = query.map(|q| {
        let dlat = q.radius_m / 111_320.0;
        let dlon = q.radius_m / (111_320.0 * q.center.1.to_radians().cos().max(0.01));
        (q, dlon, dlat)
    });
    if let Some((q, dlon, dlat)) = circle {
        include((q.center.0 - dlon, q.center.1 - dlat));
        include((q.center.0 + dlon, q.center.1 + dlat));
    }
    let span = ((max.0 - min.0).max(max.1 - min.1)).max(0.01);
    let margin = span * 0.12;
    let (x0, y1) = (min.0 - margin, max.1 + margin);
    let size = span + 2.0 * margin;
    let px = |(lon, lat): (f64, f64)| ((lon - x0) / size * 100.0, (y1 - lat) / size * 100.0);
    // The drawn square's extent: west/east under it, north/south inside its left edge.
    let (west, east, north, south) = (x0, x0 + size, y1, y1 - size);
    let mid_lat = (north + south) / 2.0;
    let across_km = size * 111.32 * mid_lat.to_radians().cos().abs();
    let names: Vec<String> = points.iter().map(|(m, _)| display_bytes(m)).collect();
    let spots: Vec<(f64, f64, usize)> =
        points.iter().zip(&names).map(|((_, p), n)| (px(*p).0, px(*p).1, n.chars().count())).collect();
    let labels: Vec<(String, f64, f64, &str)> =
        names.into_iter().zip(place_labels(&spots)).map(|(n, (x, y, a))| (n, x, y, a)).collect();
    html! {
        <>
            <p class="meta">{ tn(K::GeoMeta, points.len(), &[]) }
                if let Some(q) = query { { tf(K::GeoLastSearch, &[
                    ("km", &format!("{:.1}", q.radius_m / 1000.0)),
                    ("lon", &format!("{:.4}", q.center.0)),
                    ("lat", &format!("{:.4}", q.center.1)),
                ]) } }
            </p>
            <svg class="geo-plane" viewBox="-2 -2 104 116" role="img"
                aria-label={tf(K::GeoPlane, &[
                    ("west", &degrees(west, size, 'E', 'W')),
                    ("east", &degrees(east, size, 'E', 'W')),
                    ("south", &degrees(south, size, 'N', 'S')),
                    ("north", &degrees(north, size, 'N', 'S')),
                ])}>
                <rect class="geo-bg" x="-2" y="-2" width="104" height="104" />
                <text class="geo-axis" x="0.5" y="2.6">{ degrees(north, size, 'N', 'S') }</text>
                <text class="geo-axis" x="0.5" y="99">{ degrees(south, size, 'N', 'S') }</text>
                <text class="geo-axis" x="0" y="106.5">{ degrees(west, size, 'E', 'W') }</text>
                <text class="geo-axis" x="100" y="106.5" text-anchor="end">{ degrees(east, size, 'E', 'W') }</text>
                <text class="geo-axis geo-scale" x="50" y="112" text-anchor="middle">{ tf(K::GeoAcross, &[("distance", &distance_text(across_km))]) }</text>
                if let Some((q, dlon, dlat)) = circle {
                    <ellipse class="geo-radius" cx={format!("{:.2}", px(q.center).0)} cy={format!("{:.2}", px(q.center).1)}
                        rx={format!("{:.2}", dlon / size * 100.0)} ry={format!("{:.2}", dlat / size * 100.0)} />
                    <circle class="geo-center" cx={format!("{:.2}", px(q.center).0)} cy={format!("{:.2}", px(q.center).1)} r="0.8" />
                }
                { for points.iter().zip(&labels).map(|((_, p), (name, lx, ly, anchor))| {
                    let (x, y) = px(*p);
                    html! {
                        <g class="geo-point">
                            <circle cx={format!("{x:.2}")} cy={format!("{y:.2}")} r="1.4" />
                            <text x={format!("{lx:.2}")} y={format!("{ly:.2}")} text-anchor={*anchor}>{ name.clone() }</text>
                            <title>{ format!("{}: {:.6}, {:.6}", name, p.0, p.1) }</title>
                        </g>
                    }
                }) }
            </svg>
        </>
    }
}

/// Average width of one label character in the plane's units (3.4 px sans).
const LABEL_CHAR_WIDTH: f64 = 1.9;

/// Where a point's label goes so it stays inside the plane (-2‥102):
/// right of the point if it fits there, else left of it (anchored at its
/// end), else against whichever edge leaves more room.
pub fn label_x(x: f64, chars: usize) -> (f64, &'static str) {
    let width = chars as f64 * LABEL_CHAR_WIDTH;
    if x + 2.2 + width <= 101.5 {
        (x + 2.2, "start")
    } else if x - 2.2 - width >= -1.5 {
        (x - 2.2, "end")
    } else if x < 50.0 {
        (-1.5, "start")
    } else {
        (101.5, "end")
    }
}

/// Height of one label line in the plane's units.
const LABEL_LINE: f64 = 4.2;

/// Labels for points at (x, y) with names of `chars` characters: each
/// beside its point ([`label_x`]), moved down or up a line when it would
/// cover a label placed before it, and kept inside the plane. Returns
/// (x, baseline y, anchor) per point.
pub fn place_labels(points: &[(f64, f64, usize)]) -> Vec<(f64, f64, &'static str)> {
    let mut placed: Vec<(f64, f64, f64)> = Vec::new(); // (left, right, baseline)
    let mut out = Vec::new();
    for &(x, y, chars) in points {
        let (lx, anchor) = label_x(x, chars);
        let width = chars as f64 * LABEL_CHAR_WIDTH;
        let (left, right) = if anchor == "start" { (lx, lx + width) } else { (lx - width, lx) };
        let base = y + 1.2;
        let free = |b: f64| placed.iter().all(|&(l, r, pb)| r <= left || l >= right || (pb - b).abs() >= LABEL_LINE);
        let candidates = (0..12).flat_map(|i| {
            let step = f64::from((i / 2) + 1) * LABEL_LINE;
            [base + step, base - step].into_iter().skip(usize::from(i % 2 == 1))
        });
        let baseline = std::iter::once(base)
            .chain(candidates)
            .map(|b| b.clamp(6.0, 98.0))
            .find(|&b| free(b))
            .unwrap_or_else(|| base.clamp(6.0, 98.0));
        placed.push((left, right, baseline));
        out.push((lx, baseline, anchor));
    }
    out
}

/// `13.3614° E`, with as many decimals as the drawn span needs.
pub fn degrees(v: f64, span: f64, pos: char, neg: char) -> String {
    let decimals = if span < 0.1 {
        4
    } else if span < 10.0 {
        2
    } else {
        1
    };
    format!("{:.*}° {}", decimals, v.abs(), if v < 0.0 { neg } else { pos })
}

fn distance_text(km: f64) -> String {
    if km < 1.0 {
        format!("{:.0} m", km * 1000.0)
    } else if km < 10.0 {
        format!("{km:.1} km")
    } else {
        format!("{km:.0} km")
    }
}

fn stream_view(s: &StreamValue) -> Html {
    let entries = s.entries_view();
    let groups = s.groups_view();
    let start = entries.len().saturating_sub(30);
    html! {
        <>
            <p class="meta">{ tf(K::StreamMeta, &[
                ("entries", &tn(K::StreamEntries, entries.len(), &[])),
                ("newest", &entries.last().map(|e| e.id.to_string()).unwrap_or_else(|| "–".into())),
                ("groups", &tn(K::StreamGroups, groups.len(), &[])),
            ]) }</p>
            if start > 0 { <p class="more">{ tf(K::StreamOlder, &[("n", &start)]) }</p> }
            <ol class="stream-timeline" tabindex="0" aria-label={t(K::StreamLabel)}>
                { for entries[start..].iter().map(|e| {
                    let cursors: Vec<Html> = groups.iter().filter(|g| g.last_delivered == e.id).map(|g| html! {
                        <span class="cursor" title={t(K::StreamCursorTitle)}>
                            { tf(K::StreamCursor, &[
                                ("group", &display_bytes(&g.name)),
                                ("pending", &g.pending),
                                ("consumers", &tn(K::StreamConsumers, g.consumers.len(), &[])),
                            ]) }
                        </span>
                    }).collect();
                    html! {
                        <li class="stream-entry">
                            <span class="stream-id">{ e.id.to_string() }</span>
                            <dl>{ for e.fields.iter().map(|(f, v)| html! { <><dt>{ display_bytes(f) }</dt><dd>{ display_bytes(v) }</dd></> }) }</dl>
                            { for cursors }
                        </li>
                    }
                }) }
            </ol>
            if !groups.is_empty() {
                <ul class="groups">
                    { for groups.iter().map(|g| html! {
                        <li>{ tf(K::StreamGroup, &[("group", &display_bytes(&g.name)), ("id", &g.last_delivered), ("pending", &g.pending)]) }</li>
                    }) }
                </ul>
            }
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_stay_inside_the_plane() {
        // Catania sits at the right edge of the Sicily example.
        let (x, anchor) = label_x(88.0, "Catania".len());
        assert_eq!(anchor, "end");
        assert!(x - 7.0 * LABEL_CHAR_WIDTH >= -2.0 && x <= 102.0);
        assert_eq!(label_x(10.0, 7), (12.2, "start"));
        // Too long for either side: against the nearer edge, still inside.
        assert_eq!(label_x(40.0, 80).1, "start");
        for x in [0.0, 12.0, 50.0, 70.0, 100.0] {
            for chars in [1, 7, 20, 40] {
                let (lx, anchor) = label_x(x, chars);
                let w = chars as f64 * LABEL_CHAR_WIDTH;
                let (left, right) = if anchor == "start" { (lx, lx + w) } else { (lx - w, lx) };
                assert!(left >= -2.0 || w > 100.0, "{x} {chars}");
                assert!(right <= 102.0 || w > 100.0, "{x} {chars}");
            }
        }
    }

    #[test]
    fn labels_of_nearby_points_do_not_cover_each_other() {
        // Caltanissetta's long label and Catania's end-anchored one share a row.
        let placed = place_labels(&[(12.0, 12.0, 7), (88.0, 50.0, 7), (52.0, 50.0, 20)]);
        let boxes: Vec<(f64, f64, f64)> = placed
            .iter()
            .zip([7usize, 7, 20])
            .map(|(&(x, y, a), n)| {
                let w = n as f64 * LABEL_CHAR_WIDTH;
                if a == "start" {
                    (x, x + w, y)
                } else {
                    (x - w, x, y)
                }
            })
            .collect();
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                let apart = a.1 <= b.0 || b.1 <= a.0 || (a.2 - b.2).abs() >= LABEL_LINE;
                assert!(apart, "{a:?} covers {b:?}");
            }
            assert!((6.0..=98.0).contains(&a.2));
        }
        assert_eq!(placed[0], (14.2, 13.2, "start"), "a lone label stays beside its point");
    }

    #[test]
    fn extents_are_written_as_degrees_and_distances() {
        assert_eq!(degrees(13.361389, 2.0, 'E', 'W'), "13.36° E");
        assert_eq!(degrees(-0.12, 0.02, 'E', 'W'), "0.1200° W");
        assert_eq!(degrees(-33.9, 40.0, 'N', 'S'), "33.9° S");
        assert_eq!(distance_text(0.42), "420 m");
        assert_eq!(distance_text(2.345), "2.3 km");
        assert_eq!(distance_text(190.2), "190 km");
    }
}
