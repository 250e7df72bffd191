//! Geo commands: positions stored as sorted-set scores (52-bit geohashes,
//! see [`crate::geohash`]). GEOADD GEOPOS GEODIST GEOHASH GEORADIUS
//! GEORADIUSBYMEMBER (and their _RO forms) GEOSEARCH GEOSEARCHSTORE.

use crate::args;
use crate::command::{flags::*, CommandSpec, Group, KeySpec};
use crate::commands::zset::{read_zset, store_result};
use crate::engine::Ctx;
use crate::errors;
use crate::geohash::{self, Shape, ShapeKind};
use crate::reply::Reply;
use crate::types::ZSetValue;

macro_rules! g {
    ($name:literal, $since:literal, $arity:expr, $flags:expr, $keys:expr, $handler:ident, $summary:literal, $syntax:literal) => {
        CommandSpec {
            name: $name,
            since: $since,
            arity: $arity,
            flags: $flags,
            group: Group::Geo,
            summary: $summary,
            syntax: $syntax,
            keys: $keys,
            handler: |c, a| Ok($handler(c, a)),
            ..CommandSpec::DEFAULT
        }
    };
}

pub const COMMANDS: &[CommandSpec] = &[
    g!("geoadd", "3.2.0", -5, WRITE | DENYOOM, KeySpec::ONE, geoadd, "Adds places by longitude and latitude to a geo index", "key [NX|XX] [CH] longitude latitude member [longitude latitude member ...]"),
    g!("geopos", "3.2.0", -2, READONLY, KeySpec::ONE, geopos, "Returns the longitude and latitude of places", "key [member [member ...]]"),
    g!("geodist", "3.2.0", -4, READONLY, KeySpec::ONE, geodist, "Returns the distance between two places", "key member1 member2 [M|KM|FT|MI]"),
    g!("geohash", "3.2.0", -2, READONLY, KeySpec::ONE, geohash_cmd, "Returns places as standard geohash strings", "key [member [member ...]]"),
    g!("georadius", "3.2.0", -6, WRITE | DENYOOM | MOVABLE_KEYS, KeySpec::ONE, georadius, "Finds places within a radius of a point, optionally storing them", "key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC|DESC] [STORE key|STOREDIST key]"),
    g!("georadius_ro", "3.2.10", -6, READONLY, KeySpec::ONE, georadius_ro, "Finds places within a radius of a point", "key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC|DESC]"),
    g!("georadiusbymember", "3.2.0", -5, WRITE | DENYOOM | MOVABLE_KEYS, KeySpec::ONE, georadiusbymember, "Finds places within a radius of a member, optionally storing them", "key member radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC|DESC] [STORE key|STOREDIST key]"),
    g!("georadiusbymember_ro", "3.2.10", -5, READONLY, KeySpec::ONE, georadiusbymember_ro, "Finds places within a radius of a member", "key member radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC|DESC]"),
    g!("geosearch", "6.2.0", -7, READONLY, KeySpec::ONE, geosearch, "Finds places inside a circle or a box", "key FROMMEMBER member|FROMLONLAT longitude latitude BYRADIUS radius M|KM|FT|MI|BYBOX width height M|KM|FT|MI [ASC|DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]"),
    g!("geosearchstore", "6.2.0", -8, WRITE | DENYOOM, KeySpec::TWO, geosearchstore, "Stores the places inside a circle or a box in a sorted set", "destination source FROMMEMBER member|FROMLONLAT longitude latitude BYRADIUS radius M|KM|FT|MI|BYBOX width height M|KM|FT|MI [ASC|DESC] [COUNT count [ANY]] [STOREDIST]"),
];

/// Redis's `addReplyHumanLongDouble`: `%.17Lf` without trailing zeros.
fn human_double(v: f64) -> Reply {
    let mut s = format!("{v:.17}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".into();
    }
    Reply::DoubleText(s)
}

/// Distances are printed with four decimals, as bulk strings.
fn distance_reply(d: f64) -> Reply {
    Reply::bulk(format!("{d:.4}"))
}

/// Parses `longitude latitude` with Redis's checks and messages.
fn parse_lon_lat(lon: &[u8], lat: &[u8]) -> Result<(f64, f64), Reply> {
    let lon = args::float(lon)?;
    let lat = args::float(lat)?;
    if !(geohash::LONG_MIN..=geohash::LONG_MAX).contains(&lon) || !(geohash::LAT_MIN..=geohash::LAT_MAX).contains(&lat)
    {
        return Err(Reply::error(errors::sanitize(&format!("ERR invalid longitude,latitude pair {lon:.6},{lat:.6}"))));
    }
    Ok((lon, lat))
}

/// Meters per unit, or Redis's error.
fn parse_unit(u: &[u8]) -> Result<f64, Reply> {
    if args::is(u, "m") {
        Ok(1.0)
    } else if args::is(u, "km") {
        Ok(1000.0)
    } else if args::is(u, "ft") {
        Ok(0.3048)
    } else if args::is(u, "mi") {
        Ok(1609.34)
    } else {
        Err(Reply::error("ERR unsupported unit provided. please use M, KM, FT, MI"))
    }
}

fn float_or(arg: &[u8], msg: &'static str) -> Result<f64, Reply> {
    crate::float::parse_f64(arg).ok_or(Reply::error(msg))
}

/// `radius unit` → (radius, meters per unit).
fn parse_radius(radius: &[u8], unit: &[u8]) -> Result<(f64, f64), Reply> {
    let r = float_or(radius, "ERR need numeric radius")?;
    if r < 0.0 {
        return Err(Reply::error("ERR radius cannot be negative"));
    }
    Ok((r, parse_unit(unit)?))
}

/// GEOADD key [NX|XX] [CH] longitude latitude member [...] — rewritten as
/// ZADD with geohash scores, like Redis does (so it notifies `zadd`).
fn geoadd(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let mut i = 2;
    let (mut nx, mut xx) = (false, false);
    while i < argv.len() {
        if args::is(&argv[i], "nx") {
            nx = true;
        } else if args::is(&argv[i], "xx") {
            xx = true;
        } else if !args::is(&argv[i], "ch") {
            break;
        }
        i += 1;
    }
    if !(argv.len() - i).is_multiple_of(3) || (nx && xx) {
        return Reply::error(errors::SYNTAX);
    }
    let mut zadd_argv: Vec<Vec<u8>> = vec![b"zadd".to_vec()];
    zadd_argv.extend(argv[1..i].iter().cloned());
    for triple in argv[i..].chunks(3) {
        let (lon, lat) = match parse_lon_lat(&triple[0], &triple[1]) {
            Ok(p) => p,
            Err(e) => return e,
        };
        let score = geohash::encode_score(lon, lat).unwrap_or(0);
        zadd_argv.push(score.to_string().into_bytes());
        zadd_argv.push(triple[2].clone());
    }
    match crate::commands::find(b"zadd") {
        Some(spec) => (spec.handler)(ctx, &zadd_argv).unwrap_or_else(|error| error),
        None => Reply::error("ERR zadd is unavailable"),
    }
}

/// GEOPOS key [member ...]
fn geopos(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let z = match read_zset(ctx, &argv[1]) {
        Ok(z) => z.map(|z| &*z),
        Err(e) => return e,
    };
    Reply::Array(
        argv[2..]
            .iter()
            .map(|m| match z.and_then(|z| z.score(m)) {
                None => Reply::NilArray,
                Some(score) => {
                    let (lon, lat) = geohash::decode_score(score);
                    Reply::Array(vec![human_double(lon), human_double(lat)])
                }
            })
            .collect(),
    )
}

/// GEODIST key member1 member2 [M|KM|FT|MI]
fn geodist(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let to_meter = match argv.len() {
        4 => 1.0,
        5 => match parse_unit(&argv[4]) {
            Ok(u) => u,
            Err(e) => return e,
        },
        _ => return Reply::error(errors::SYNTAX),
    };
    let z = match read_zset(ctx, &argv[1]) {
        Err(e) => return e,
        Ok(None) => return Reply::Nil,
        Ok(Some(z)) => z,
    };
    match (z.score(&argv[2]), z.score(&argv[3])) {
        (Some(a), Some(b)) => {
            let (lon1, lat1) = geohash::decode_score(a);
            let (lon2, lat2) = geohash::decode_score(b);
            distance_reply(geohash::distance(lon1, lat1, lon2, lat2) / to_meter)
        }
        _ => Reply::Nil,
    }
}

/// GEOHASH key [member ...]
fn geohash_cmd(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let z = match read_zset(ctx, &argv[1]) {
        Ok(z) => z.map(|z| &*z),
        Err(e) => return e,
    };
    Reply::Array(
        argv[2..]
            .iter()
            .map(|m| match z.and_then(|z| z.score(m)) {
                None => Reply::Nil,
                Some(score) => Reply::bulk(geohash::geohash_string(score)),
            })
            .collect(),
    )
}

/// Which command form is being parsed (Redis's georadiusGeneric flags).
#[derive(Clone, Copy)]
struct Form {
    by_coords: bool,
    by_member: bool,
    search: bool,
    search_store: bool,
    no_store: bool,
}

const RADIUS: Form = Form { by_coords: true, by_member: false, search: false, search_store: false, no_store: false };

/// One match of a search.
struct Point {
    member: Vec<u8>,
    score: f64,
    lon: f64,
    lat: f64,
    dist: f64,
}

/// Collects the members inside `shape`, visiting the cells in Redis's
/// order; `limit` (0 = none) stops early (ANY).
fn collect_points(z: &ZSetValue, shape: &Shape, limit: usize) -> Vec<Point> {
    let cells = geohash::search_cells(shape);
    let mut out: Vec<Point> = Vec::new();
    let mut last_processed = 0usize;
    for (i, cell) in cells.iter().enumerate() {
        if cell.is_zero() {
            continue;
        }
        if last_processed != 0 && *cell == cells[last_processed] {
            continue;
        }
        if !out.is_empty() && limit != 0 && out.len() >= limit {
            break;
        }
        let min = cell.align52() as f64;
        let max = (geohash::HashBits { bits: cell.bits + 1, step: cell.step }).align52() as f64;
        let lo = z.count_score_below(min, false);
        let hi = z.count_score_below(max, false);
        for (member, score) in z.range(lo, hi.max(lo)) {
            let (lon, lat) = geohash::decode_score(score);
            if let Some(dist) = shape.distance_if_within(lon, lat) {
                out.push(Point { member, score, lon, lat, dist });
                if limit != 0 && out.len() >= limit {
                    break;
                }
            }
        }
        last_processed = i;
    }
    out
}

/// Redis's `georadiusGeneric`: GEORADIUS*, GEOSEARCH and GEOSEARCHSTORE.
fn georadius_generic(ctx: &mut Ctx, argv: &[Vec<u8>], src_index: usize, form: Form) -> Reply {
    let src = &argv[src_index];
    let z = match read_zset(ctx, src) {
        Err(e) => return e,
        Ok(z) => z.map(|z| &*z),
    };
    let mut store_key: Option<Vec<u8>> = None;
    let mut center: Option<(f64, f64)> = None;
    let mut kind: Option<(ShapeKind, f64)> = None;
    let base: usize;
    if form.by_coords {
        base = 6;
        match parse_lon_lat(&argv[2], &argv[3]) {
            Ok(p) => center = Some(p),
            Err(e) => return e,
        }
        match parse_radius(&argv[4], &argv[5]) {
            Ok((r, conv)) => kind = Some((ShapeKind::Circle { radius: r }, conv)),
            Err(e) => return e,
        }
    } else if form.by_member {
        base = 5;
        if let Some(z) = &z {
            match z.score(&argv[2]) {
                Some(score) => center = Some(geohash::decode_score(score)),
                None => return Reply::error("ERR could not decode requested zset member"),
            }
            match parse_radius(&argv[3], &argv[4]) {
                Ok((r, conv)) => kind = Some((ShapeKind::Circle { radius: r }, conv)),
                Err(e) => return e,
            }
        }
    } else {
        base = if form.search_store { 3 } else { 2 };
        if form.search_store {
            store_key = Some(argv[1].clone());
        }
    }
    let (mut withdist, mut withhash, mut withcoord, mut any) = (false, false, false, false);
    let mut sort: Option<bool> = None; // Some(true) = ascending
    let mut count: i64 = 0;
    let mut storedist = false;
    let (mut frommember, mut fromloc, mut byradius, mut bybox) = (false, false, false, false);
    let rest = &argv[base.min(argv.len())..];
    let remaining = rest.len();
    let mut i = 0;
    while i < remaining {
        let a = &rest[i];
        if args::is(a, "withdist") {
            withdist = true;
        } else if args::is(a, "withhash") {
            withhash = true;
        } else if args::is(a, "withcoord") {
            withcoord = true;
        } else if args::is(a, "any") {
            any = true;
        } else if args::is(a, "asc") {
            sort = Some(true);
        } else if args::is(a, "desc") {
            sort = Some(false);
        } else if args::is(a, "count") && i + 1 < remaining {
            count = match args::int(&rest[i + 1]) {
                Ok(n) => n,
                Err(e) => return e,
            };
            if count <= 0 {
                return Reply::error("ERR COUNT must be > 0");
            }
            i += 1;
        } else if (args::is(a, "store") || args::is(a, "storedist"))
            && i + 1 < remaining
            && !form.no_store
            && !form.search
        {
            store_key = Some(rest[i + 1].clone());
            storedist = args::is(a, "storedist");
            i += 1;
        } else if args::is(a, "storedist") && form.search && form.search_store {
            storedist = true;
        } else if args::is(a, "frommember") && i + 1 < remaining && form.search && !fromloc {
            if let Some(z) = &z {
                match z.score(&rest[i + 1]) {
                    Some(score) => center = Some(geohash::decode_score(score)),
                    None => return Reply::error("ERR could not decode requested zset member"),
                }
            }
            frommember = true;
            i += 1;
        } else if args::is(a, "fromlonlat") && i + 2 < remaining && form.search && !frommember {
            match parse_lon_lat(&rest[i + 1], &rest[i + 2]) {
                Ok(p) => center = Some(p),
                Err(e) => return e,
            }
            fromloc = true;
            i += 2;
        } else if args::is(a, "byradius") && i + 2 < remaining && form.search && !bybox {
            match parse_radius(&rest[i + 1], &rest[i + 2]) {
                Ok((r, conv)) => kind = Some((ShapeKind::Circle { radius: r }, conv)),
                Err(e) => return e,
            }
            byradius = true;
            i += 2;
        } else if args::is(a, "bybox") && i + 3 < remaining && form.search && !byradius {
            let w = match float_or(&rest[i + 1], "ERR need numeric width") {
                Ok(v) => v,
                Err(e) => return e,
            };
            let h = match float_or(&rest[i + 2], "ERR need numeric height") {
                Ok(v) => v,
                Err(e) => return e,
            };
            if h < 0.0 || w < 0.0 {
                return Reply::error("ERR height or width cannot be negative");
            }
            let conv = match parse_unit(&rest[i + 3]) {
                Ok(c) => c,
                Err(e) => return e,
            };
            kind = Some((ShapeKind::Box { width: w, height: h }, conv));
            bybox = true;
            i += 3;
        } else {
            return Reply::error(errors::SYNTAX);
        }
        i += 1;
    }
    if (store_key.is_some() || storedist) && (withdist || withhash || withcoord) {
        let what = if form.search_store { "GEOSEARCHSTORE" } else { "STORE option in GEORADIUS" };
        return Reply::error(format!("ERR {what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options"));
    }
    let name = errors::show(&argv[0], 128);
    if form.search && !(frommember || fromloc) {
        return Reply::error(errors::sanitize(&format!(
            "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for {name}"
        )));
    }
    if form.search && !(byradius || bybox) {
        return Reply::error(errors::sanitize(&format!(
            "ERR exactly one of BYRADIUS and BYBOX can be specified for {name}"
        )));
    }
    if any && count == 0 {
        return Reply::error("ERR the ANY argument requires COUNT argument");
    }
    let (Some(z), Some((lon, lat)), Some((kind, conversion))) = (z, center, kind) else {
        return match store_key {
            Some(dst) => {
                if ctx.delete_key(&dst) {
                    ctx.notify(crate::notify::GENERIC, "del", &dst);
                }
                Reply::Integer(0)
            }
            None => Reply::Array(Vec::new()),
        };
    };
    if count != 0 && sort.is_none() && !any {
        sort = Some(true);
    }
    let shape = Shape { lon, lat, conversion, kind };
    let limit = if any { usize::try_from(count).unwrap_or(usize::MAX) } else { 0 };
    let mut points = collect_points(z, &shape, limit);
    match sort {
        Some(true) => points.sort_by(|a, b| a.dist.partial_cmp(&b.dist).unwrap_or(std::cmp::Ordering::Equal)),
        Some(false) => points.sort_by(|a, b| b.dist.partial_cmp(&a.dist).unwrap_or(std::cmp::Ordering::Equal)),
        None => {}
    }
    let returned =
        if count == 0 { points.len() } else { points.len().min(usize::try_from(count).unwrap_or(usize::MAX)) };
    points.truncate(returned);
    if let Some(dst) = store_key {
        let lim = crate::commands::zset::limits(ctx);
        let mut result = ZSetValue::new_skiplist();
        for p in &points {
            let score = if storedist { p.dist / conversion } else { p.score };
            result.insert(&p.member, score, lim);
        }
        let event = if form.search { "geosearchstore" } else { "georadiusstore" };
        return Reply::Integer(store_result(ctx, &dst, result, event));
    }
    let options = withdist as usize + withhash as usize + withcoord as usize;
    Reply::Array(
        points
            .into_iter()
            .map(|p| {
                if options == 0 {
                    return Reply::Bulk(p.member);
                }
                let mut item = vec![Reply::Bulk(p.member)];
                if withdist {
                    item.push(distance_reply(p.dist / conversion));
                }
                if withhash {
                    item.push(Reply::Integer(p.score as i64));
                }
                if withcoord {
                    item.push(Reply::Array(vec![human_double(p.lon), human_double(p.lat)]));
                }
                Reply::Array(item)
            })
            .collect(),
    )
}

/// GEORADIUS key longitude latitude radius unit [options] [STORE key|STOREDIST key]
fn georadius(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    georadius_generic(ctx, argv, 1, RADIUS)
}

/// GEORADIUS_RO key longitude latitude radius unit [options]
fn georadius_ro(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    georadius_generic(ctx, argv, 1, Form { no_store: true, ..RADIUS })
}

/// GEORADIUSBYMEMBER key member radius unit [options] [STORE key|STOREDIST key]
fn georadiusbymember(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    georadius_generic(ctx, argv, 1, Form { by_coords: false, by_member: true, ..RADIUS })
}

/// GEORADIUSBYMEMBER_RO key member radius unit [options]
fn georadiusbymember_ro(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    georadius_generic(ctx, argv, 1, Form { by_coords: false, by_member: true, no_store: true, ..RADIUS })
}

/// GEOSEARCH key FROMMEMBER m|FROMLONLAT lon lat BYRADIUS r unit|BYBOX w h unit [options]
fn geosearch(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    georadius_generic(ctx, argv, 1, Form { by_coords: false, search: true, ..RADIUS })
}

/// GEOSEARCHSTORE destination source FROMMEMBER…|FROMLONLAT… BYRADIUS…|BYBOX… [options] [STOREDIST]
fn geosearchstore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    georadius_generic(ctx, argv, 2, Form { by_coords: false, search: true, search_store: true, ..RADIUS })
}
