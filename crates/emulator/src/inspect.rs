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

/// The area a search covers, in the command's unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GeoArea {
    Radius(f64),
    Box { width: f64, height: f64 },
}

/// The search a GEORADIUS*, GEOSEARCH or GEOSEARCHSTORE command made.
#[derive(Debug, Clone, PartialEq)]
pub struct GeoSearch {
    /// The key searched (GEOSEARCHSTORE's source).
    pub key: Vec<u8>,
    /// (longitude, latitude); a member's position for FROMMEMBER.
    pub center: (f64, f64),
    pub area: GeoArea,
    /// Metres per unit of `area` (1 for m, 1000 for km, 0.3048 for ft, 1609.34 for mi).
    pub meters_per_unit: f64,
}

impl GeoSearch {
    /// The radius in metres, for a circular search.
    pub fn radius_m(&self) -> Option<f64> {
        match self.area {
            GeoArea::Radius(r) => Some(r * self.meters_per_unit),
            GeoArea::Box { .. } => None,
        }
    }
}

/// The search of a GEO* command line, read by the command's own parser
/// against `db` (so FROMMEMBER's centre is the member's position there).
/// `None` for any other command, for a line the command would refuse, and
/// when the source key is missing: only searches that ran are described.
pub fn geo_search(db: &Db, argv: &[Vec<u8>]) -> Option<GeoSearch> {
    let found = crate::commands::geo::search_area(db, argv)?;
    let area = match found.kind {
        geohash::ShapeKind::Circle { radius } => GeoArea::Radius(radius),
        geohash::ShapeKind::Box { width, height } => GeoArea::Box { width, height },
    };
    Some(GeoSearch { key: found.key, center: found.center, area, meters_per_unit: found.conversion })
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
        let (mut engine, me) = engine();
        run(&mut engine, me, "GEOADD Sicily 13.361389 38.115556 Palermo");
        let db = engine.db(0).unwrap();
        let s = geo_search(db, &argv("GEORADIUS Sicily 15 37 200 km")).unwrap();
        assert_eq!(s.key, b"Sicily");
        assert_eq!(s.center, (15.0, 37.0));
        assert_eq!(s.radius_m(), Some(200_000.0));
        let s = geo_search(db, &argv("GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 2 mi ASC")).unwrap();
        assert_eq!(s.radius_m(), Some(2.0 * 1609.34));
        let s = geo_search(db, &argv("georadiusbymember_ro Sicily Palermo 10 FT withdist")).unwrap();
        assert_eq!((s.area, s.meters_per_unit), (GeoArea::Radius(10.0), 0.3048));
        let s = geo_search(db, &argv("GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 2 km")).unwrap();
        assert_eq!((s.area, s.radius_m()), (GeoArea::Box { width: 1.0, height: 2.0 }, None));
        let s = geo_search(db, &argv("GEOSEARCHSTORE dst Sicily FROMMEMBER Palermo BYRADIUS 1 m STOREDIST")).unwrap();
        assert_eq!(s.key, b"Sicily");
        assert_eq!(geo_search(db, &argv("GET a")), None);
        assert_eq!(geo_search(db, &argv("GEORADIUS Nowhere 15 37 200 km")), None, "missing key: nothing searched");
        assert_eq!(geo_search(db, &argv("GEORADIUS Sicily 15 37")), None, "wrong arity");
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
            let search = geo_search(engine.db(0).unwrap(), &args);
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
            let center = search.center;
            let Value::ZSet(z) = &db.get(b"Sicily").unwrap().value else { panic!() };
            let shape = geohash::Shape {
                lon: center.0,
                lat: center.1,
                conversion: search.meters_per_unit,
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
        let db = engine.db(0).unwrap();
        let search = geo_search(db, &argv("GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 10 m")).unwrap();
        let Value::ZSet(z) = &db.get(b"Sicily").unwrap().value else { panic!() };
        assert_eq!(Some(search.center), geo_position(z.score(b"Palermo").unwrap()));
        let missing = geo_search(db, &argv("GEOSEARCH Sicily FROMMEMBER Nowhere BYRADIUS 10 m"));
        assert_eq!(missing, None, "the command refuses a missing member");
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
