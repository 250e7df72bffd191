//! The read-only surface a user interface reads the emulator's values
//! through. Everything here reuses the code the commands themselves run,
//! so a picture can never disagree with a reply:
//!
//! - HyperLogLog registers and estimate ([`hll`]) come from the sketch code
//!   behind PFADD/PFCOUNT;
//! - geo positions ([`geo_position`]) from the geohash decoding behind
//!   GEOPOS, and the area a GEORADIUS/GEOSEARCH looked at ([`geo_search`])
//!   from the same argument rules and checks those commands apply;
//! - MONITOR lines ([`monitor_line`], [`monitor_arg`]) from what the
//!   engine sends to monitoring clients;
//! - byte sizes ([`human_bytes`]) as INFO prints `used_memory_human`;
//! - what picture a value gets ([`ValueKind`]) and its points, members or
//!   registers.
//!
//! Nothing here changes the keyspace, touches access statistics or
//! expires keys.

use crate::commands::hyperloglog::sketch;
use crate::db::Db;
use crate::float::{parse_f64, parse_i64};
use crate::geohash;
use crate::types::ZSetValue;
use crate::value::Value;

// ----- HyperLogLog -----------------------------------------------------------

/// Registers in a HyperLogLog (2^14, as in Redis).
pub const HLL_REGISTERS: usize = sketch::REGISTERS;

/// True when a string starts like a HyperLogLog: the `HYLL` magic and a full
/// 16-byte header. Such a string is drawn as a sketch even when its body
/// turns out to be corrupt (then [`hll`] is `None`).
pub fn looks_like_hll(bytes: &[u8]) -> bool {
    bytes.len() >= sketch::HEADER_LEN && bytes.starts_with(b"HYLL")
}

/// One HyperLogLog read as PFCOUNT reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HllView {
    /// One value per register (0‥63), in register order.
    pub registers: Vec<u8>,
    /// Dense encoding (else sparse).
    pub dense: bool,
    /// The cardinality PFCOUNT computes from these registers (the header's
    /// cached value is not consulted).
    pub estimate: u64,
}

impl HllView {
    /// Registers holding a value (not 0).
    pub fn used(&self) -> usize {
        self.registers.iter().filter(|&&r| r > 0).count()
    }
}

/// The registers, encoding and estimate of a HyperLogLog string, or `None`
/// when PFCOUNT would refuse it (not a valid header, corrupt body).
pub fn hll(bytes: &[u8]) -> Option<HllView> {
    if !sketch::is_valid(bytes) {
        return None;
    }
    let mut registers = Box::new([0u8; sketch::REGISTERS]);
    sketch::merge_into(&mut registers, bytes).ok()?;
    let estimate = sketch::count(bytes).ok()?;
    Some(HllView { registers: registers.to_vec(), dense: bytes[4] == sketch::DENSE, estimate })
}

/// A dense HyperLogLog string holding `registers` (values above 63 are
/// cut to 6 bits), with its cached cardinality marked stale as after
/// PFADD. For drawing a sketch without adding elements one by one.
pub fn hll_from_registers(registers: &[u8]) -> Vec<u8> {
    let mut out = sketch::new_sparse();
    // A fresh sketch is always well formed: neither call can fail.
    let _ = sketch::to_dense(&mut out);
    for (index, &value) in registers.iter().take(sketch::REGISTERS).enumerate() {
        if value & 63 > 0 {
            let _ = sketch::set_register(&mut out, index, value & 63, usize::MAX);
        }
    }
    sketch::invalidate_cache(&mut out);
    out
}

// ----- geo -------------------------------------------------------------------

/// True when a sorted-set score can be a position GEOADD stored: a whole
/// number in the 52-bit geohash range.
pub fn is_geo_score(score: f64) -> bool {
    (0.0..(1u64 << 52) as f64).contains(&score) && score.fract() == 0.0
}

/// The (longitude, latitude) GEOPOS reports for a stored score, or `None`
/// when the score is not a geohash ([`is_geo_score`]).
pub fn geo_position(score: f64) -> Option<(f64, f64)> {
    is_geo_score(score).then(|| geohash::decode_score(score))
}

/// True when a sorted set's scores all look like positions: every one a
/// geohash and at least one large (real places are, since a small score
/// means a spot near 85°S 180°W). Pass a sample for a big set.
pub fn looks_like_geo(scores: impl IntoIterator<Item = f64>) -> bool {
    let mut any = false;
    let mut large = false;
    for s in scores {
        if !is_geo_score(s) {
            return false;
        }
        any = true;
        large |= s >= (1u64 << 40) as f64;
    }
    any && large
}

/// Members of a geo set with their positions, lowest score first, at most `limit`.
pub fn geo_points(z: &ZSetValue, limit: usize) -> Vec<(Vec<u8>, (f64, f64))> {
    z.ranked().into_iter().filter_map(|(m, s)| geo_position(s).map(|p| (m, p))).take(limit).collect()
}

/// A distance unit of the GEO commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeoUnit {
    M,
    Km,
    Ft,
    Mi,
}

impl GeoUnit {
    /// Parses `m`, `km`, `ft` or `mi` in any case, as the GEO commands do.
    pub fn parse(arg: &[u8]) -> Option<GeoUnit> {
        [("m", GeoUnit::M), ("km", GeoUnit::Km), ("ft", GeoUnit::Ft), ("mi", GeoUnit::Mi)]
            .into_iter()
            .find(|(name, _)| arg.eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, unit)| unit)
    }

    /// Metres per unit (Redis's conversion factors).
    pub fn meters(self) -> f64 {
        match self {
            GeoUnit::M => 1.0,
            GeoUnit::Km => 1000.0,
            GeoUnit::Ft => 0.3048,
            GeoUnit::Mi => 1609.34,
        }
    }
}

/// Where a search is centred.
#[derive(Debug, Clone, PartialEq)]
pub enum GeoFrom {
    /// FROMLONLAT / GEORADIUS: (longitude, latitude).
    LonLat(f64, f64),
    /// FROMMEMBER / GEORADIUSBYMEMBER: a member's position.
    Member(Vec<u8>),
}

/// The area a search covers, in its unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GeoArea {
    Radius(f64),
    Box { width: f64, height: f64 },
}

/// The search a GEORADIUS*, GEOSEARCH or GEOSEARCHSTORE command makes.
#[derive(Debug, Clone, PartialEq)]
pub struct GeoSearch {
    /// The key searched (GEOSEARCHSTORE's source).
    pub key: Vec<u8>,
    pub from: GeoFrom,
    pub area: GeoArea,
    pub unit: GeoUnit,
}

impl GeoSearch {
    /// The centre as (longitude, latitude): a member's is read from `db`
    /// as the command reads it. `None` when the member (or key) is missing.
    pub fn center(&self, db: &Db) -> Option<(f64, f64)> {
        match &self.from {
            GeoFrom::LonLat(lon, lat) => Some((*lon, *lat)),
            GeoFrom::Member(member) => match &db.get(&self.key)?.value {
                Value::ZSet(z) => z.score(member).map(geohash::decode_score),
                _ => None,
            },
        }
    }

    /// The radius in metres, for a circular search.
    pub fn radius_m(&self) -> Option<f64> {
        match self.area {
            GeoArea::Radius(r) => Some(r * self.unit.meters()),
            GeoArea::Box { .. } => None,
        }
    }
}

fn lon_lat(lon: &[u8], lat: &[u8]) -> Option<(f64, f64)> {
    let (lon, lat) = (parse_f64(lon)?, parse_f64(lat)?);
    let valid =
        (geohash::LONG_MIN..=geohash::LONG_MAX).contains(&lon) && (geohash::LAT_MIN..=geohash::LAT_MAX).contains(&lat);
    valid.then_some((lon, lat))
}

fn radius(r: &[u8], unit: &[u8]) -> Option<(GeoArea, GeoUnit)> {
    let r = parse_f64(r).filter(|r| *r >= 0.0)?;
    Some((GeoArea::Radius(r), GeoUnit::parse(unit)?))
}

/// The search of a GEO* command line, parsed with the rules of Redis's
/// `georadiusGeneric` (arity, option order, conflicting options, numeric
/// and range checks). `None` for any other command and for a line the
/// command would reject, so only searches that ran are described.
pub fn geo_search(argv: &[Vec<u8>]) -> Option<GeoSearch> {
    let is = |a: &[u8], word: &str| a.eq_ignore_ascii_case(word.as_bytes());
    let name = argv.first()?.to_ascii_lowercase();
    // (base of the options, by coordinates, by member, GEOSEARCH*, STORE allowed, min arity)
    let (base, by_coords, by_member, search, search_store, store_ok, arity) = match name.as_slice() {
        b"georadius" => (6, true, false, false, false, true, 6),
        b"georadius_ro" => (6, true, false, false, false, false, 6),
        b"georadiusbymember" => (5, false, true, false, false, true, 5),
        b"georadiusbymember_ro" => (5, false, true, false, false, false, 5),
        b"geosearch" => (2, false, false, true, false, false, 7),
        b"geosearchstore" => (3, false, false, true, true, false, 8),
        _ => return None,
    };
    if argv.len() < arity {
        return None;
    }
    let key = argv[if search_store { 2 } else { 1 }].clone();
    let mut from = None;
    let mut area = None;
    if by_coords {
        let (lon, lat) = lon_lat(&argv[2], &argv[3])?;
        from = Some(GeoFrom::LonLat(lon, lat));
        area = Some(radius(&argv[4], &argv[5])?);
    } else if by_member {
        from = Some(GeoFrom::Member(argv[2].clone()));
        area = Some(radius(&argv[3], &argv[4])?);
    }
    let rest = &argv[base..];
    let (mut with, mut any, mut count, mut store) = (false, false, 0i64, search_store);
    let (mut frommember, mut fromloc, mut byradius, mut bybox) = (false, false, false, false);
    let mut i = 0;
    while i < rest.len() {
        let a = rest[i].as_slice();
        let left = rest.len() - i - 1;
        if is(a, "withdist") || is(a, "withhash") || is(a, "withcoord") {
            with = true;
        } else if is(a, "any") {
            any = true;
        } else if is(a, "asc") || is(a, "desc") {
        } else if is(a, "count") && left >= 1 {
            count = parse_i64(&rest[i + 1]).filter(|n| *n > 0)?;
            i += 1;
        } else if (is(a, "store") || is(a, "storedist")) && left >= 1 && store_ok {
            store = true;
            i += 1;
        } else if is(a, "storedist") && search_store {
        } else if is(a, "frommember") && left >= 1 && search && !fromloc {
            from = Some(GeoFrom::Member(rest[i + 1].clone()));
            frommember = true;
            i += 1;
        } else if is(a, "fromlonlat") && left >= 2 && search && !frommember {
            let (lon, lat) = lon_lat(&rest[i + 1], &rest[i + 2])?;
            from = Some(GeoFrom::LonLat(lon, lat));
            fromloc = true;
            i += 2;
        } else if is(a, "byradius") && left >= 2 && search && !bybox {
            area = Some(radius(&rest[i + 1], &rest[i + 2])?);
            byradius = true;
            i += 2;
        } else if is(a, "bybox") && left >= 3 && search && !byradius {
            let width = parse_f64(&rest[i + 1])?;
            let height = parse_f64(&rest[i + 2])?;
            if width < 0.0 || height < 0.0 {
                return None;
            }
            area = Some((GeoArea::Box { width, height }, GeoUnit::parse(&rest[i + 3])?));
            bybox = true;
            i += 3;
        } else {
            return None;
        }
        i += 1;
    }
    if (store && with) || (search && (!(frommember || fromloc) || !(byradius || bybox))) || (any && count == 0) {
        return None;
    }
    let (area, unit) = area?;
    Some(GeoSearch { key, from: from?, area, unit })
}

// ----- MONITOR and INFO text ----------------------------------------------

/// One argument quoted as MONITOR prints it (Redis's `sdscatrepr`:
/// printable bytes as they are, `\"` `\\` `\n` `\r` `\t` `\a` `\b`
/// escaped, other bytes as `\xNN`).
pub fn monitor_arg(arg: &[u8]) -> String {
    let mut out = String::new();
    crate::monitor::quote(arg, &mut out);
    out
}

/// The line a monitoring client receives for `argv`, run at `unix_us`
/// (microseconds since the Unix epoch) by the client at `client_addr` in `db`.
pub fn monitor_line(unix_us: i64, db: usize, client_addr: &str, argv: &[Vec<u8>]) -> String {
    crate::monitor::line(unix_us, db, client_addr, argv)
}

/// A byte count as INFO prints `used_memory_human` (`1023B`, `991.83K`, `1.00M`…).
pub fn human_bytes(bytes: u64) -> String {
    crate::memory::human(bytes)
}

// ----- values --------------------------------------------------------------

/// Which picture a value gets: its Redis type, with strings that are
/// HyperLogLogs and sorted sets that hold positions told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    String,
    HyperLogLog,
    List,
    Hash,
    Set,
    ZSet,
    Geo,
    Stream,
}

impl ValueKind {
    /// Judges a sorted set from its lowest 128 scores and its highest, so
    /// a huge set costs no more than a small one.
    pub fn of(value: &Value) -> ValueKind {
        match value {
            Value::String(s) if looks_like_hll(s) => ValueKind::HyperLogLog,
            Value::String(_) => ValueKind::String,
            Value::List(_) => ValueKind::List,
            Value::Hash(_) => ValueKind::Hash,
            Value::Set(_) => ValueKind::Set,
            Value::ZSet(z) => {
                let highest = z.len().checked_sub(1).and_then(|i| z.nth(i));
                if looks_like_geo(z.range(0, 128).into_iter().chain(highest).map(|(_, s)| s)) {
                    ValueKind::Geo
                } else {
                    ValueKind::ZSet
                }
            }
            Value::Stream(_) => ValueKind::Stream,
        }
    }

    /// A short lower-case name: `string`, `hll`, `list`, `hash`, `set`,
    /// `zset`, `geo`, `stream`.
    pub fn name(self) -> &'static str {
        match self {
            ValueKind::String => "string",
            ValueKind::HyperLogLog => "hll",
            ValueKind::List => "list",
            ValueKind::Hash => "hash",
            ValueKind::Set => "set",
            ValueKind::ZSet => "zset",
            ValueKind::Geo => "geo",
            ValueKind::Stream => "stream",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli_format::format_reply;
    use crate::{ClientId, Engine, Protocol, Reply};

    fn engine() -> (Engine, ClientId) {
        let mut engine = Engine::with_manual_clock(1_700_000_000_000, 1);
        let me = engine.connect("inspect:1");
        (engine, me)
    }

    fn run(engine: &mut Engine, me: ClientId, line: &str) -> Reply {
        engine.execute_line(me, line).unwrap()
    }

    fn string_at(engine: &Engine, key: &str) -> Vec<u8> {
        match &engine.db(0).unwrap().get(key.as_bytes()).unwrap().value {
            Value::String(s) => s.to_vec(),
            other => panic!("{key} is a {}", other.type_name()),
        }
    }

    #[test]
    fn hll_estimate_is_pfcount() {
        let (mut engine, me) = engine();
        // Sparse sets of several sizes, and one large enough to turn dense.
        for (key, n) in [("h0", 0usize), ("h1", 1), ("h5", 5), ("h300", 300), ("h5000", 5000)] {
            let mut line = format!("PFADD {key}");
            for i in 0..n {
                line.push_str(&format!(" element:{i}"));
            }
            run(&mut engine, me, &line);
            let view = hll(&string_at(&engine, key)).expect(key);
            let Reply::Integer(count) = run(&mut engine, me, &format!("PFCOUNT {key}")) else { panic!() };
            assert_eq!(view.estimate as i64, count, "{key}");
            assert_eq!(view.registers.len(), HLL_REGISTERS);
            assert_eq!(view.dense, n == 5000, "{key}");
        }
        assert_eq!(hll(&string_at(&engine, "h1")).unwrap().used(), 1);
        // The registers are the ones PFDEBUG GETREG reports.
        let regs = hll(&string_at(&engine, "h300")).unwrap().registers;
        let Reply::Array(items) = run(&mut engine, me, "PFDEBUG GETREG h300") else { panic!() };
        let getreg: Vec<u8> = items.iter().map(|r| if let Reply::Integer(v) = r { *v as u8 } else { 255 }).collect();
        assert_eq!(getreg, regs);
    }

    #[test]
    fn hll_from_registers_is_a_sketch_pfcount_reads_alike() {
        let (mut engine, me) = engine();
        let regs: Vec<u8> = (0..HLL_REGISTERS).map(|i| ((i * 7919) % 5) as u8).collect();
        let bytes = hll_from_registers(&regs);
        assert_eq!(bytes.len(), sketch::DENSE_LEN);
        let view = hll(&bytes).unwrap();
        assert_eq!(view.registers, regs);
        assert!(view.dense);
        engine.execute(me, vec![b"SET".to_vec(), b"made".to_vec(), bytes]);
        assert_eq!(run(&mut engine, me, "PFCOUNT made"), Reply::Integer(view.estimate as i64));
    }

    #[test]
    fn hll_refuses_what_pfcount_refuses() {
        let (mut engine, me) = engine();
        for bytes in [&b"HYLL"[..], b"hello world, not an hll", b"HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"]
        {
            assert_eq!(hll(bytes), None);
        }
        // A sparse body covering more than 16384 registers.
        let mut v = sketch::new_sparse();
        v.push(0x00);
        sketch::invalidate_cache(&mut v);
        assert_eq!(hll(&v), None);
        engine.execute(me, vec![b"SET".to_vec(), b"bad".to_vec(), v.clone()]);
        assert!(run(&mut engine, me, "PFCOUNT bad").is_error());
        assert!(looks_like_hll(&v));
        assert!(!looks_like_hll(b"HYLL"));
    }

    #[test]
    fn geo_position_is_geopos() {
        let (mut engine, me) = engine();
        run(
            &mut engine,
            me,
            "GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania -122.27652 37.805186 Oakland",
        );
        let Value::ZSet(z) = &engine.db(0).unwrap().get(b"Sicily").unwrap().value else { panic!() };
        let points = geo_points(z, 10);
        assert_eq!(points.len(), 3);
        for (member, (lon, lat)) in points {
            let name = String::from_utf8(member).unwrap();
            let reply = run(&mut engine, me, &format!("GEOPOS Sicily {name}"));
            let text = format_reply(&reply, Protocol::Resp2);
            let expected = format!("1) 1) \"{}\"\n   2) \"{}\"\n", human(lon), human(lat));
            assert_eq!(text, expected, "{name}");
        }
        assert_eq!(geo_position(1.5), None);
        assert_eq!(geo_position(-1.0), None);
        assert_eq!(geo_position((1u64 << 52) as f64), None);
        assert!(looks_like_geo([3479099956230698.0, 3479447370796909.0]));
        assert!(!looks_like_geo([1.0, 2.0, 3.0]));
        assert!(!looks_like_geo(std::iter::empty()));
    }

    /// GEOPOS's `%.17Lf` without trailing zeros.
    fn human(v: f64) -> String {
        let s = format!("{v:.17}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }

    #[test]
    fn value_kinds() {
        let (mut engine, me) = engine();
        for line in [
            "SET s hello",
            "PFADD h a b",
            "RPUSH l a",
            "HSET hs f v",
            "SADD st m",
            "ZADD z 1 a 2 b",
            "GEOADD g 13.361389 38.115556 Palermo",
            "XADD x 1-1 f v",
        ] {
            assert!(!run(&mut engine, me, line).is_error(), "{line}");
        }
        let kind = |k: &str| ValueKind::of(&engine.db(0).unwrap().get(k.as_bytes()).unwrap().value).name();
        let kinds: Vec<&str> = ["s", "h", "l", "hs", "st", "z", "g", "x"].iter().map(|k| kind(k)).collect();
        assert_eq!(kinds, ["string", "hll", "list", "hash", "set", "zset", "geo", "stream"]);
    }

    fn argv(line: &str) -> Vec<Vec<u8>> {
        crate::tokenizer::split_line(line).unwrap()
    }

    #[test]
    fn geo_search_reads_every_form() {
        let s = geo_search(&argv("GEORADIUS Sicily 15 37 200 km")).unwrap();
        assert_eq!(s.key, b"Sicily");
        assert_eq!(s.from, GeoFrom::LonLat(15.0, 37.0));
        assert_eq!(s.radius_m(), Some(200_000.0));
        let s = geo_search(&argv("GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 2 mi ASC")).unwrap();
        assert_eq!(s.radius_m(), Some(2.0 * 1609.34));
        let s = geo_search(&argv("georadiusbymember_ro Sicily Palermo 10 FT withdist")).unwrap();
        assert_eq!(
            (s.from, s.area, s.unit),
            (GeoFrom::Member(b"Palermo".to_vec()), GeoArea::Radius(10.0), GeoUnit::Ft)
        );
        let s = geo_search(&argv("GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 2 km")).unwrap();
        assert_eq!((s.area, s.radius_m()), (GeoArea::Box { width: 1.0, height: 2.0 }, None));
        let s = geo_search(&argv("GEOSEARCHSTORE dst Sicily FROMMEMBER Palermo BYRADIUS 1 m STOREDIST")).unwrap();
        assert_eq!(s.key, b"Sicily");
        assert_eq!(geo_search(&argv("GET a")), None);
    }

    /// Every line either runs (and then `geo_search` describes it, and the
    /// members it finds are the ones inside that area) or is refused by the
    /// command (and then `geo_search` is `None`).
    #[test]
    fn geo_search_accepts_exactly_what_the_commands_accept() {
        let (mut engine, me) = engine();
        run(
            &mut engine,
            me,
            "GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania 12.496366 41.902782 Rome",
        );
        let lines = [
            "GEORADIUS Sicily 15 37 200 km",
            "GEORADIUS Sicily 15 37 200 km WITHDIST ASC COUNT 1",
            "GEORADIUS Sicily 15 37 200 km STORE out",
            "GEORADIUS Sicily 15 37 200 km STORE out WITHDIST",
            "GEORADIUS_RO Sicily 15 37 200 km STORE out",
            "GEORADIUS Sicily x 37 200 km",
            "GEORADIUS Sicily 15 37 -1 km",
            "GEORADIUS Sicily 15 37 200 parsecs",
            "GEORADIUS Sicily 200 37 200 km",
            "GEORADIUS Sicily 15 37 200 km ANY",
            "GEORADIUS Sicily 15 37 200 km COUNT 0",
            "GEORADIUS Sicily 15 37 200",
            "GEORADIUSBYMEMBER Sicily Palermo 300 km",
            "GEORADIUSBYMEMBER_RO Sicily Rome 1000 mi DESC",
            "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ASC",
            "GEOSEARCH Sicily FROMMEMBER Rome BYRADIUS 500 km",
            "GEOSEARCH Sicily FROMLONLAT 14 38 BYBOX 400 400 km",
            "GEOSEARCH Sicily FROMLONLAT 14 38 BYBOX 400 -1 km",
            "GEOSEARCH Sicily FROMLONLAT 15 37 FROMMEMBER Rome BYRADIUS 1 km",
            "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 1 km BYBOX 1 1 km",
            "GEOSEARCH Sicily BYRADIUS 200 km ASC COUNT 2",
            "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km STORE out",
            "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km COUNT 2 ANY",
            "GEOSEARCHSTORE out Sicily FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST",
            "GEOSEARCHSTORE out Sicily FROMLONLAT 15 37 BYRADIUS 200 km WITHDIST",
        ];
        for line in lines {
            let args = argv(line);
            let reply = engine.execute(me, args.clone());
            let search = geo_search(&args);
            assert_eq!(search.is_some(), !reply.is_error(), "{line}: {reply:?}");
            let Some(search) = search else { continue };
            // The reply (or stored set) names exactly the members in the area.
            let found: Vec<Vec<u8>> = match reply {
                Reply::Array(items) => items
                    .into_iter()
                    .map(|r| match r {
                        Reply::Bulk(m) => m,
                        Reply::Array(parts) => match &parts[0] {
                            Reply::Bulk(m) => m.clone(),
                            other => panic!("{other:?}"),
                        },
                        other => panic!("{other:?}"),
                    })
                    .collect(),
                Reply::Integer(_) => {
                    let Reply::Array(items) = run(&mut engine, me, "ZRANGE out 0 -1") else { panic!() };
                    items.into_iter().map(|r| if let Reply::Bulk(m) = r { m } else { panic!() }).collect()
                }
                other => panic!("{line}: {other:?}"),
            };
            let db = engine.db(0).unwrap();
            let center = search.center(db).unwrap();
            let Value::ZSet(z) = &db.get(b"Sicily").unwrap().value else { panic!() };
            let shape = geohash::Shape {
                lon: center.0,
                lat: center.1,
                conversion: search.unit.meters(),
                kind: match search.area {
                    GeoArea::Radius(radius) => geohash::ShapeKind::Circle { radius },
                    GeoArea::Box { width, height } => geohash::ShapeKind::Box { width, height },
                },
            };
            let inside: Vec<Vec<u8>> = geo_points(z, usize::MAX)
                .into_iter()
                .filter(|(_, (lon, lat))| shape.distance_if_within(*lon, *lat).is_some())
                .map(|(m, _)| m)
                .collect();
            let limited = line.contains("COUNT");
            let mut sorted_found = found.clone();
            sorted_found.sort();
            let mut sorted_inside = inside.clone();
            sorted_inside.sort();
            if limited {
                assert!(found.iter().all(|m| inside.contains(m)), "{line}");
            } else {
                assert_eq!(sorted_found, sorted_inside, "{line}");
            }
        }
    }

    #[test]
    fn geo_search_member_centre_is_its_geopos() {
        let (mut engine, me) = engine();
        run(&mut engine, me, "GEOADD Sicily 13.361389 38.115556 Palermo");
        let search = geo_search(&argv("GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 10 m")).unwrap();
        let db = engine.db(0).unwrap();
        let Value::ZSet(z) = &db.get(b"Sicily").unwrap().value else { panic!() };
        assert_eq!(search.center(db), geo_position(z.score(b"Palermo").unwrap()));
        let missing = geo_search(&argv("GEOSEARCH Sicily FROMMEMBER Nowhere BYRADIUS 10 m")).unwrap();
        assert_eq!(missing.center(db), None);
    }

    #[test]
    fn monitor_lines_are_what_a_monitor_receives() {
        let (mut engine, me) = engine();
        let watcher = engine.connect("127.0.0.1:6000");
        run(&mut engine, watcher, "MONITOR");
        engine.drain_events();
        let args = vec![b"SET".to_vec(), b"k".to_vec(), b"a\"b\n\x01\\".to_vec()];
        engine.execute(me, args.clone());
        let delivered: Vec<String> = engine
            .drain_events()
            .into_iter()
            .filter_map(|e| match e {
                crate::Event::Deliver { reply: Reply::Status(s), .. } => Some(s.into_owned()),
                _ => None,
            })
            .collect();
        let expected = monitor_line(engine.clock().now_us(), 0, "inspect:1", &args);
        assert_eq!(delivered, std::slice::from_ref(&expected));
        assert!(expected.ends_with(r#""SET" "k" "a\"b\n\x01\\""#), "{expected}");
        assert_eq!(monitor_arg(b"a\nb\x01"), "\"a\\nb\\x01\"");
    }

    #[test]
    fn human_bytes_is_info_used_memory_human() {
        let (mut engine, me) = engine();
        run(&mut engine, me, "SET k v");
        let info = match run(&mut engine, me, "INFO memory") {
            Reply::Bulk(b) => String::from_utf8(b).unwrap(),
            Reply::Verbatim(s) => s,
            other => panic!("{other:?}"),
        };
        let field = |name: &str| {
            info.lines().find_map(|l| l.strip_prefix(&format!("{name}:")).map(|v| v.trim().to_string())).unwrap()
        };
        let used: u64 = field("used_memory").parse().unwrap();
        assert_eq!(human_bytes(used), field("used_memory_human"));
        assert_eq!(human_bytes(1023), "1023B");
        assert_eq!(human_bytes(1_048_576), "1.00M");
    }
}
