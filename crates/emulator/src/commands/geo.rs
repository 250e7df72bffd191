//! Geo commands: positions stored as sorted-set scores (52-bit geohashes,
//! see [`crate::geohash`]). GEOADD GEOPOS GEODIST GEOHASH GEORADIUS
//! GEORADIUSBYMEMBER (and their _RO forms) GEOSEARCH GEOSEARCHSTORE.

use crate::args::{self, Args};
use crate::command::{flags::*, BeginSearch, CommandResult, CommandSpec, FindKeys, Group, KeySpec, KeySpecDef};
use crate::commands::shared::{store_destinations, store_zset, zset_limits};
use crate::engine::Ctx;
use crate::errors;
use crate::geohash::{self, Shape, ShapeKind};
use crate::reply::Reply;
use crate::types::ZSetValue;

const BASE: CommandSpec = CommandSpec { group: Group::Geo, keys: KeySpec::ONE, ..CommandSpec::DEFAULT };

/// GEORADIUS's STORE / STOREDIST destination: the argument after the
/// keyword, searched from `from` on.
const fn store_after(from: i32, keyword: &'static str) -> KeySpecDef {
    KeySpecDef {
        notes: "",
        flags: &["OW", "update"],
        begin: BeginSearch::Keyword(keyword, from),
        find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 },
    }
}

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "geoadd",
        arity: -5,
        flags: WRITE | DENYOOM,
        since: "3.2.0",
        summary: "Adds places by longitude and latitude to a geo index",
        syntax: "key [NX|XX] [CH] longitude latitude member [longitude latitude member ...]",
        handler: geoadd,
        ..BASE
    },
    CommandSpec {
        name: "geopos",
        arity: -2,
        flags: READONLY,
        since: "3.2.0",
        summary: "Returns the longitude and latitude of places",
        syntax: "key [member [member ...]]",
        handler: geopos,
        ..BASE
    },
    CommandSpec {
        name: "geodist",
        arity: -4,
        flags: READONLY,
        since: "3.2.0",
        summary: "Returns the distance between two places",
        syntax: "key member1 member2 [M|KM|FT|MI]",
        handler: geodist,
        ..BASE
    },
    CommandSpec {
        name: "geohash",
        arity: -2,
        flags: READONLY,
        since: "3.2.0",
        summary: "Returns places as standard geohash strings",
        syntax: "key [member [member ...]]",
        handler: geohash_cmd,
        ..BASE
    },
    CommandSpec {
        name: "georadius",
        arity: -6,
        flags: WRITE | DENYOOM | MOVABLE_KEYS,
        since: "3.2.0",
        summary: "Finds places within a radius of a point, optionally storing them",
        syntax: concat!(
            "key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] ",
            "[COUNT count [ANY]] [ASC|DESC] [STORE key|STOREDIST key]"
        ),
        extra_writes: Some(store_destinations),
        key_specs: &[KeySpecDef::one(1, &["RO", "access"]), store_after(6, "STORE"), store_after(6, "STOREDIST")],
        handler: georadius,
        ..BASE
    },
    CommandSpec {
        name: "georadius_ro",
        arity: -6,
        flags: READONLY,
        since: "3.2.10",
        summary: "Finds places within a radius of a point",
        syntax: concat!(
            "key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] ",
            "[COUNT count [ANY]] [ASC|DESC]"
        ),
        handler: georadius_ro,
        ..BASE
    },
    CommandSpec {
        name: "georadiusbymember",
        arity: -5,
        flags: WRITE | DENYOOM | MOVABLE_KEYS,
        since: "3.2.0",
        summary: "Finds places within a radius of a member, optionally storing them",
        syntax: concat!(
            "key member radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] ",
            "[COUNT count [ANY]] [ASC|DESC] [STORE key|STOREDIST key]"
        ),
        extra_writes: Some(store_destinations),
        key_specs: &[KeySpecDef::one(1, &["RO", "access"]), store_after(5, "STORE"), store_after(5, "STOREDIST")],
        handler: georadiusbymember,
        ..BASE
    },
    CommandSpec {
        name: "georadiusbymember_ro",
        arity: -5,
        flags: READONLY,
        since: "3.2.10",
        summary: "Finds places within a radius of a member",
        syntax: "key member radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC|DESC]",
        handler: georadiusbymember_ro,
        ..BASE
    },
    CommandSpec {
        name: "geosearch",
        arity: -7,
        flags: READONLY,
        since: "6.2.0",
        summary: "Finds places inside a circle or a box",
        syntax: concat!(
            "key FROMMEMBER member|FROMLONLAT longitude latitude ",
            "BYRADIUS radius M|KM|FT|MI|BYBOX width height M|KM|FT|MI ",
            "[ASC|DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]"
        ),
        handler: geosearch,
        ..BASE
    },
    CommandSpec {
        name: "geosearchstore",
        arity: -8,
        flags: WRITE | DENYOOM,
        keys: KeySpec::TWO,
        since: "6.2.0",
        summary: "Stores the places inside a circle or a box in a sorted set",
        syntax: concat!(
            "destination source FROMMEMBER member|FROMLONLAT longitude latitude ",
            "BYRADIUS radius M|KM|FT|MI|BYBOX width height M|KM|FT|MI ",
            "[ASC|DESC] [COUNT count [ANY]] [STOREDIST]"
        ),
        key_flags: &[&["OW", "update"], &["RO", "access"]],
        handler: geosearchstore,
        ..BASE
    },
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

/// GEOADD key [NX|XX] [CH] longitude latitude member [...]
///
/// Rewritten as ZADD with geohash scores, like Redis does (so it notifies
/// `zadd`); the NX/XX/CH flags are passed through. The ZADD handler is
/// reached through the command table.
fn geoadd(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let mut args = Args::new(argv, 2);
    let (mut nx, mut xx) = (false, false);
    loop {
        if args.eat("nx") {
            nx = true;
        } else if args.eat("xx") {
            xx = true;
        } else if !args.eat("ch") {
            break;
        }
    }
    let triples = args.rest();
    if !triples.len().is_multiple_of(3) || (nx && xx) {
        return Err(Reply::error(errors::SYNTAX));
    }
    let mut zadd_argv: Vec<Vec<u8>> = vec![b"zadd".to_vec()];
    zadd_argv.extend(argv[1..args.position()].iter().cloned());
    for triple in triples.chunks(3) {
        let (lon, lat) = parse_lon_lat(&triple[0], &triple[1])?;
        let score = geohash::encode_score(lon, lat).unwrap_or(0);
        zadd_argv.push(score.to_string().into_bytes());
        zadd_argv.push(triple[2].clone());
    }
    match crate::commands::find(b"zadd") {
        Some(spec) => (spec.handler)(ctx, &zadd_argv),
        None => Err(Reply::error("ERR zadd is unavailable")),
    }
}

/// The sorted set holding the positions under `key`, or WRONGTYPE.
fn read_geo<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a ZSetValue>, Reply> {
    Ok(ctx.read_as::<ZSetValue>(key)?.map(|z| &*z))
}

/// GEOPOS key [member ...]
fn geopos(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let z = read_geo(ctx, &argv[1])?;
    Ok(Reply::Array(
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
    ))
}

/// GEODIST key member1 member2 [M|KM|FT|MI]
///
/// Nil when the key or either member is missing.
fn geodist(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let to_meter = match argv.len() {
        4 => 1.0,
        5 => parse_unit(&argv[4])?,
        _ => return Err(Reply::error(errors::SYNTAX)),
    };
    let Some(z) = read_geo(ctx, &argv[1])? else {
        return Ok(Reply::Nil);
    };
    Ok(match (z.score(&argv[2]), z.score(&argv[3])) {
        (Some(a), Some(b)) => {
            let (lon1, lat1) = geohash::decode_score(a);
            let (lon2, lat2) = geohash::decode_score(b);
            distance_reply(geohash::distance(lon1, lat1, lon2, lat2) / to_meter)
        }
        _ => Reply::Nil,
    })
}

/// GEOHASH key [member ...]
fn geohash_cmd(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let z = read_geo(ctx, &argv[1])?;
    Ok(Reply::Array(
        argv[2..]
            .iter()
            .map(|m| match z.and_then(|z| z.score(m)) {
                None => Reply::Nil,
                Some(score) => Reply::bulk(geohash::geohash_string(score)),
            })
            .collect(),
    ))
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

/// Where a search is centred, what it covers and how it answers: the
/// positional arguments of GEORADIUS* and the options that follow them.
#[derive(Default)]
struct SearchOptions {
    center: Option<(f64, f64)>,
    /// The shape and meters per unit.
    kind: Option<(ShapeKind, f64)>,
    withdist: bool,
    withhash: bool,
    withcoord: bool,
    any: bool,
    /// Some(true) = ascending distance.
    sort: Option<bool>,
    /// 0 = no COUNT.
    count: i64,
    store_key: Option<Vec<u8>>,
    storedist: bool,
    frommember: bool,
    fromloc: bool,
    byradius: bool,
    bybox: bool,
}

impl SearchOptions {
    /// Reads the options in any order, with Redis's conditions on each
    /// keyword (which forms accept it, and at most one centre and one
    /// shape for GEOSEARCH). FROMMEMBER looks its member up in `z` (when
    /// the key exists) as soon as it is read, as Redis does.
    fn parse_options(&mut self, args: &mut Args, form: Form, z: Option<&ZSetValue>) -> Result<(), Reply> {
        let store_allowed = !form.no_store && !form.search;
        loop {
            if args.eat("withdist") {
                self.withdist = true;
            } else if args.eat("withhash") {
                self.withhash = true;
            } else if args.eat("withcoord") {
                self.withcoord = true;
            } else if args.eat("any") {
                self.any = true;
            } else if args.eat("asc") {
                self.sort = Some(true);
            } else if args.eat("desc") {
                self.sort = Some(false);
            } else if args.remaining() >= 2 && args.eat("count") {
                self.count = args.int()?;
                if self.count <= 0 {
                    return Err(Reply::error("ERR COUNT must be > 0"));
                }
            } else if store_allowed && args.remaining() >= 2 && args.eat("store") {
                self.store_key = Some(args.value()?.to_vec());
                self.storedist = false;
            } else if store_allowed && args.remaining() >= 2 && args.eat("storedist") {
                self.store_key = Some(args.value()?.to_vec());
                self.storedist = true;
            } else if form.search && form.search_store && args.eat("storedist") {
                self.storedist = true;
            } else if form.search && !self.fromloc && args.remaining() >= 2 && args.eat("frommember") {
                let member = args.value()?;
                if let Some(z) = z {
                    self.center = Some(member_position(z, member)?);
                }
                self.frommember = true;
            } else if form.search && !self.frommember && args.remaining() >= 3 && args.eat("fromlonlat") {
                let lon = args.value()?;
                self.center = Some(parse_lon_lat(lon, args.value()?)?);
                self.fromloc = true;
            } else if form.search && !self.bybox && args.remaining() >= 3 && args.eat("byradius") {
                let radius = args.value()?;
                let (r, conv) = parse_radius(radius, args.value()?)?;
                self.kind = Some((ShapeKind::Circle { radius: r }, conv));
                self.byradius = true;
            } else if form.search && !self.byradius && args.remaining() >= 4 && args.eat("bybox") {
                let w = float_or(args.value()?, "ERR need numeric width")?;
                let h = float_or(args.value()?, "ERR need numeric height")?;
                if h < 0.0 || w < 0.0 {
                    return Err(Reply::error("ERR height or width cannot be negative"));
                }
                let conv = parse_unit(args.value()?)?;
                self.kind = Some((ShapeKind::Box { width: w, height: h }, conv));
                self.bybox = true;
            } else {
                break;
            }
        }
        args.finish()
    }

    /// The combinations Redis refuses once every option is read, in its order.
    fn check(&self, form: Form, command: &[u8]) -> Result<(), Reply> {
        if (self.store_key.is_some() || self.storedist) && (self.withdist || self.withhash || self.withcoord) {
            let what = if form.search_store { "GEOSEARCHSTORE" } else { "STORE option in GEORADIUS" };
            return Err(Reply::error(format!(
                "ERR {what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
            )));
        }
        let name = errors::show(command, 128);
        if form.search && !(self.frommember || self.fromloc) {
            return Err(Reply::error(errors::sanitize(&format!(
                "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for {name}"
            ))));
        }
        if form.search && !(self.byradius || self.bybox) {
            return Err(Reply::error(errors::sanitize(&format!(
                "ERR exactly one of BYRADIUS and BYBOX can be specified for {name}"
            ))));
        }
        if self.any && self.count == 0 {
            return Err(Reply::error("ERR the ANY argument requires COUNT argument"));
        }
        Ok(())
    }
}

/// The position of `member`, or the error GEORADIUSBYMEMBER and
/// FROMMEMBER give for a member that is not there.
fn member_position(z: &ZSetValue, member: &[u8]) -> Result<(f64, f64), Reply> {
    match z.score(member) {
        Some(score) => Ok(geohash::decode_score(score)),
        None => Err(Reply::error("ERR could not decode requested zset member")),
    }
}

/// Redis's `georadiusGeneric`: GEORADIUS*, GEOSEARCH and GEOSEARCHSTORE.
///
/// The source key is type-checked first, then the positional arguments
/// and the options. A missing source answers an empty array, or stores
/// nothing (deleting the destination) for the STORE forms.
fn georadius_generic(ctx: &mut Ctx, argv: &[Vec<u8>], src_index: usize, form: Form) -> CommandResult {
    let z = read_geo(ctx, &argv[src_index])?;
    let o = parse_search(argv, form, z)?;
    let (Some(z), Some((lon, lat)), Some((kind, conversion))) = (z, o.center, o.kind) else {
        return Ok(match o.store_key {
            Some(dst) => {
                if ctx.delete_key(&dst) {
                    ctx.notify(crate::notify::GENERIC, "del", &dst);
                }
                Reply::Integer(0)
            }
            None => Reply::Array(Vec::new()),
        });
    };
    let count = o.count;
    let mut sort = o.sort;
    if count != 0 && sort.is_none() && !o.any {
        sort = Some(true);
    }
    let shape = Shape { lon, lat, conversion, kind };
    let limit = if o.any { usize::try_from(count).unwrap_or(usize::MAX) } else { 0 };
    let mut points = collect_points(z, &shape, limit);
    match sort {
        Some(true) => points.sort_by(|a, b| a.dist.partial_cmp(&b.dist).unwrap_or(std::cmp::Ordering::Equal)),
        Some(false) => points.sort_by(|a, b| b.dist.partial_cmp(&a.dist).unwrap_or(std::cmp::Ordering::Equal)),
        None => {}
    }
    let returned =
        if count == 0 { points.len() } else { points.len().min(usize::try_from(count).unwrap_or(usize::MAX)) };
    points.truncate(returned);
    if let Some(dst) = o.store_key {
        let lim = zset_limits(ctx);
        let mut result = ZSetValue::new_skiplist();
        for p in &points {
            let score = if o.storedist { p.dist / conversion } else { p.score };
            result.insert(&p.member, score, lim);
        }
        let event = if form.search { "geosearchstore" } else { "georadiusstore" };
        return Ok(Reply::Integer(store_zset(ctx, &dst, result, event)));
    }
    let (withdist, withhash, withcoord) = (o.withdist, o.withhash, o.withcoord);
    let options = withdist as usize + withhash as usize + withcoord as usize;
    Ok(Reply::Array(
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
    ))
}

/// Every search command: its form comes from its name.
fn search(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let (src_index, form) = search_form(&argv[0]).ok_or_else(|| Reply::error(errors::SYNTAX))?;
    georadius_generic(ctx, argv, src_index, form)
}

/// The forms of the search commands and where their source key is.
fn search_form(name: &[u8]) -> Option<(usize, Form)> {
    let form = match name.to_ascii_lowercase().as_slice() {
        b"georadius" => RADIUS,
        b"georadius_ro" => Form { no_store: true, ..RADIUS },
        b"georadiusbymember" => Form { by_coords: false, by_member: true, ..RADIUS },
        b"georadiusbymember_ro" => Form { by_coords: false, by_member: true, no_store: true, ..RADIUS },
        b"geosearch" => Form { by_coords: false, search: true, ..RADIUS },
        b"geosearchstore" => return Some((2, Form { by_coords: false, search: true, search_store: true, ..RADIUS })),
        _ => return None,
    };
    Some((1, form))
}

/// The area a search covers: what the page draws for a search it saw.
pub(crate) struct SearchArea {
    /// The source key.
    pub key: Vec<u8>,
    pub center: (f64, f64),
    /// The shape in the command's unit, and metres per unit.
    pub kind: ShapeKind,
    pub conversion: f64,
}

/// Reads a GEO search command line exactly as the command does, against
/// `db` as it is now (the source key's type, its member for FROMMEMBER).
/// `None` for other commands, for lines the command refuses, and when the
/// source key is missing (the command then searches nothing).
pub(crate) fn search_area(db: &crate::db::Db, argv: &[Vec<u8>]) -> Option<SearchArea> {
    let spec = crate::commands::find(argv.first()?)?;
    let (src_index, form) = search_form(argv.first()?)?;
    if !spec.arity_ok(argv.len()) {
        return None;
    }
    let key = argv.get(src_index)?;
    let crate::value::Value::ZSet(z) = &db.get(key)?.value else { return None };
    let o = parse_search(argv, form, Some(z)).ok()?;
    let (center, (kind, conversion)) = (o.center?, o.kind?);
    Some(SearchArea { key: key.clone(), center, kind, conversion })
}

/// Reads a search's positional arguments, then its options, then checks
/// the combinations, in Redis's order. `z` is the source set (`None` when
/// missing: GEORADIUSBYMEMBER then reads no further positional argument).
fn parse_search(argv: &[Vec<u8>], form: Form, z: Option<&ZSetValue>) -> Result<SearchOptions, Reply> {
    let mut o = SearchOptions::default();
    let base: usize;
    if form.by_coords {
        base = 6;
        o.center = Some(parse_lon_lat(&argv[2], &argv[3])?);
        let (r, conv) = parse_radius(&argv[4], &argv[5])?;
        o.kind = Some((ShapeKind::Circle { radius: r }, conv));
    } else if form.by_member {
        base = 5;
        if let Some(z) = z {
            o.center = Some(member_position(z, &argv[2])?);
            let (r, conv) = parse_radius(&argv[3], &argv[4])?;
            o.kind = Some((ShapeKind::Circle { radius: r }, conv));
        }
    } else {
        base = if form.search_store { 3 } else { 2 };
        if form.search_store {
            o.store_key = Some(argv[1].clone());
        }
    }
    o.parse_options(&mut Args::new(argv, base), form, z)?;
    o.check(form, &argv[0])?;
    Ok(o)
}

/// GEORADIUS key longitude latitude radius unit [options] [STORE key|STOREDIST key]
fn georadius(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    search(ctx, argv)
}

/// GEORADIUS_RO key longitude latitude radius unit [options]
fn georadius_ro(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    search(ctx, argv)
}

/// GEORADIUSBYMEMBER key member radius unit [options] [STORE key|STOREDIST key]
fn georadiusbymember(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    search(ctx, argv)
}

/// GEORADIUSBYMEMBER_RO key member radius unit [options]
fn georadiusbymember_ro(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    search(ctx, argv)
}

/// GEOSEARCH key FROMMEMBER m|FROMLONLAT lon lat BYRADIUS r unit|BYBOX w h unit [options]
fn geosearch(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    search(ctx, argv)
}

/// GEOSEARCHSTORE destination source FROMMEMBER…|FROMLONLAT… BYRADIUS…|BYBOX… [options] [STOREDIST]
fn geosearchstore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    search(ctx, argv)
}
