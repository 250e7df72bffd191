//! Redis's geohash: longitude/latitude packed into a 52-bit interleaved
//! integer (26 bits each, longitude on the odd bits) that is stored as a
//! sorted set score, plus the search-area arithmetic GEORADIUS/GEOSEARCH
//! use (bounding box, step estimate, the 3×3 neighbouring cells) and the
//! haversine distance on Redis's Earth radius.
//!
//! Every formula follows Redis 7.0 step by step, because which cells are
//! visited decides the order of unsorted GEOSEARCH replies and of `ANY`.

pub const STEP_MAX: u8 = 26;
pub const LAT_MIN: f64 = -85.05112878;
pub const LAT_MAX: f64 = 85.05112878;
pub const LONG_MIN: f64 = -180.0;
pub const LONG_MAX: f64 = 180.0;
/// Earth's radius as Redis uses it (meters).
pub const EARTH_RADIUS_M: f64 = 6372797.560856;
const MERCATOR_MAX: f64 = 20037726.37;
const D_R: f64 = std::f64::consts::PI / 180.0;

fn deg_rad(a: f64) -> f64 {
    a * D_R
}

fn rad_deg(a: f64) -> f64 {
    a / D_R
}

/// A geohash cell: `bits` at precision `step` (bits per coordinate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HashBits {
    pub bits: u64,
    pub step: u8,
}

impl HashBits {
    pub fn is_zero(&self) -> bool {
        self.bits == 0 && self.step == 0
    }

    /// The cell's bits shifted to 52-bit alignment (the score range start).
    pub fn align52(&self) -> u64 {
        self.bits << (52 - self.step as u32 * 2)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Range {
    pub min: f64,
    pub max: f64,
}

/// The longitude and latitude ranges Redis encodes in (Web Mercator limits).
pub const LONG_RANGE: Range = Range { min: LONG_MIN, max: LONG_MAX };
pub const LAT_RANGE: Range = Range { min: LAT_MIN, max: LAT_MAX };

/// A decoded cell.
#[derive(Debug, Clone, Copy)]
pub struct Area {
    pub longitude: Range,
    pub latitude: Range,
}

fn spread(v: u32) -> u64 {
    let mut x = v as u64;
    x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF;
    x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF;
    x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
    x = (x | (x << 2)) & 0x3333_3333_3333_3333;
    (x | (x << 1)) & 0x5555_5555_5555_5555
}

fn squash(v: u64) -> u32 {
    let mut x = v & 0x5555_5555_5555_5555;
    x = (x | (x >> 1)) & 0x3333_3333_3333_3333;
    x = (x | (x >> 2)) & 0x0F0F_0F0F_0F0F_0F0F;
    x = (x | (x >> 4)) & 0x00FF_00FF_00FF_00FF;
    x = (x | (x >> 8)) & 0x0000_FFFF_0000_FFFF;
    ((x | (x >> 16)) & 0x0000_0000_FFFF_FFFF) as u32
}

/// Latitude bits on even positions, longitude bits on odd ones.
fn interleave(lat: u32, lon: u32) -> u64 {
    spread(lat) | (spread(lon) << 1)
}

/// Encodes a position at `step` precision within the given ranges.
/// None when the position is outside Redis's limits or the ranges.
pub fn encode(long_range: Range, lat_range: Range, longitude: f64, latitude: f64, step: u8) -> Option<HashBits> {
    if step == 0 || step > 32 {
        return None;
    }
    if !(LAT_MIN..=LAT_MAX).contains(&latitude) || !(LONG_MIN..=LONG_MAX).contains(&longitude) {
        return None;
    }
    if latitude < lat_range.min || latitude > lat_range.max || longitude < long_range.min || longitude > long_range.max
    {
        return None;
    }
    let scale = (1u64 << step) as f64;
    let lat_offset = (latitude - lat_range.min) / (lat_range.max - lat_range.min) * scale;
    let long_offset = (longitude - long_range.min) / (long_range.max - long_range.min) * scale;
    Some(HashBits { bits: interleave(lat_offset as u32, long_offset as u32), step })
}

/// The 52-bit score for a position (GEOADD).
pub fn encode_score(longitude: f64, latitude: f64) -> Option<u64> {
    encode(LONG_RANGE, LAT_RANGE, longitude, latitude, STEP_MAX).map(|h| h.align52())
}

/// The cell a hash stands for.
pub fn decode(long_range: Range, lat_range: Range, hash: HashBits) -> Area {
    let lat_bits = squash(hash.bits) as f64;
    let lon_bits = squash(hash.bits >> 1) as f64;
    let cells = (1u64 << hash.step) as f64;
    let lat_scale = lat_range.max - lat_range.min;
    let long_scale = long_range.max - long_range.min;
    Area {
        latitude: Range {
            min: lat_range.min + (lat_bits / cells) * lat_scale,
            max: lat_range.min + ((lat_bits + 1.0) / cells) * lat_scale,
        },
        longitude: Range {
            min: long_range.min + (lon_bits / cells) * long_scale,
            max: long_range.min + ((lon_bits + 1.0) / cells) * long_scale,
        },
    }
}

/// The centre of a cell, clamped to the valid ranges: (longitude, latitude).
fn area_center(a: &Area) -> (f64, f64) {
    let lon = ((a.longitude.min + a.longitude.max) / 2.0).clamp(LONG_MIN, LONG_MAX);
    let lat = ((a.latitude.min + a.latitude.max) / 2.0).clamp(LAT_MIN, LAT_MAX);
    (lon, lat)
}

/// A score as Redis's `(uint64_t)` cast yields it on x86-64, including for
/// scores no GEOADD produces (negative, ≥ 2^64, infinite), which a plain
/// sorted set may hold.
fn score_bits(score: f64) -> u64 {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    const INDEFINITE: u64 = 0x8000_0000_0000_0000;
    let truncate = |v: f64| if v.is_nan() || !(-TWO_63..TWO_63).contains(&v) { INDEFINITE } else { v as i64 as u64 };
    if score >= TWO_63 {
        truncate(score - TWO_63) ^ INDEFINITE
    } else {
        truncate(score)
    }
}

/// Decodes a stored score back into (longitude, latitude).
pub fn decode_score(score: f64) -> (f64, f64) {
    let hash = HashBits { bits: score_bits(score), step: STEP_MAX };
    area_center(&decode(LONG_RANGE, LAT_RANGE, hash))
}

/// The 11-character base32 geohash GEOHASH prints (standard ±90 latitude).
pub fn geohash_string(score: f64) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";
    let (lon, lat) = decode_score(score);
    let bits =
        encode(Range { min: -180.0, max: 180.0 }, Range { min: -90.0, max: 90.0 }, lon, lat, 26).map_or(0, |h| h.bits);
    (0..11)
        .map(|i| {
            let idx = if i == 10 { 0 } else { (bits >> (52 - (i + 1) * 5)) & 0x1f };
            ALPHABET[idx as usize] as char
        })
        .collect()
}

/// Distance along a meridian between two latitudes (meters).
pub fn lat_distance(lat1: f64, lat2: f64) -> f64 {
    EARTH_RADIUS_M * (deg_rad(lat2) - deg_rad(lat1)).abs()
}

/// Haversine distance in meters between two (longitude, latitude) points.
pub fn distance(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let lon1r = deg_rad(lon1);
    let lon2r = deg_rad(lon2);
    let v = ((lon2r - lon1r) / 2.0).sin();
    if v == 0.0 {
        return lat_distance(lat1, lat2);
    }
    let lat1r = deg_rad(lat1);
    let lat2r = deg_rad(lat2);
    let u = ((lat2r - lat1r) / 2.0).sin();
    let a = u * u + lat1r.cos() * lat2r.cos() * v * v;
    2.0 * EARTH_RADIUS_M * a.sqrt().asin()
}

/// The area a search covers: a circle (radius) or a box (width × height),
/// in the unit given by `conversion` (meters per unit).
#[derive(Debug, Clone, Copy)]
pub enum ShapeKind {
    Circle { radius: f64 },
    Box { width: f64, height: f64 },
}

#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub lon: f64,
    pub lat: f64,
    pub conversion: f64,
    pub kind: ShapeKind,
}

impl Shape {
    /// [min lon, min lat, max lon, max lat] of the search area.
    fn bounding_box(&self) -> [f64; 4] {
        let (half_h, half_w) = match self.kind {
            ShapeKind::Circle { radius } => (radius, radius),
            ShapeKind::Box { width, height } => (height / 2.0, width / 2.0),
        };
        let height = self.conversion * half_h;
        let width = self.conversion * half_w;
        let lat_delta = rad_deg(height / EARTH_RADIUS_M);
        let long_delta_top = rad_deg(width / EARTH_RADIUS_M / deg_rad(self.lat + lat_delta).cos());
        let long_delta_bottom = rad_deg(width / EARTH_RADIUS_M / deg_rad(self.lat - lat_delta).cos());
        let southern = self.lat < 0.0;
        let delta = if southern { long_delta_bottom } else { long_delta_top };
        [self.lon - delta, self.lat - lat_delta, self.lon + delta, self.lat + lat_delta]
    }

    /// If the point lies in the shape, its distance (meters) from the centre.
    pub fn distance_if_within(&self, lon: f64, lat: f64) -> Option<f64> {
        match self.kind {
            ShapeKind::Circle { radius } => {
                let d = distance(self.lon, self.lat, lon, lat);
                (d <= radius * self.conversion).then_some(d)
            }
            ShapeKind::Box { width, height } => {
                let (w, h) = (width * self.conversion, height * self.conversion);
                if lat_distance(lat, self.lat) > h / 2.0 {
                    return None;
                }
                if distance(lon, lat, self.lon, lat) > w / 2.0 {
                    return None;
                }
                Some(distance(self.lon, self.lat, lon, lat))
            }
        }
    }
}

/// Redis's `geohashEstimateStepsByRadius`.
fn estimate_steps(range_meters: f64, lat: f64) -> u8 {
    if range_meters == 0.0 {
        return 26;
    }
    let mut range = range_meters;
    let mut step: i32 = 1;
    while range < MERCATOR_MAX {
        range *= 2.0;
        step += 1;
    }
    step -= 2;
    if !(-66.0..=66.0).contains(&lat) {
        step -= 1;
        if !(-80.0..=80.0).contains(&lat) {
            step -= 1;
        }
    }
    step.clamp(1, 26) as u8
}

fn move_x(h: &mut HashBits, d: i8) {
    if d == 0 {
        return;
    }
    let shift = 64 - h.step as u32 * 2;
    let mut x = h.bits & 0xaaaa_aaaa_aaaa_aaaa;
    let y = h.bits & 0x5555_5555_5555_5555;
    let zz = 0x5555_5555_5555_5555u64 >> shift;
    if d > 0 {
        x = x.wrapping_add(zz + 1);
    } else {
        x |= zz;
        x = x.wrapping_sub(zz + 1);
    }
    x &= 0xaaaa_aaaa_aaaa_aaaau64 >> shift;
    h.bits = x | y;
}

fn move_y(h: &mut HashBits, d: i8) {
    if d == 0 {
        return;
    }
    let shift = 64 - h.step as u32 * 2;
    let x = h.bits & 0xaaaa_aaaa_aaaa_aaaa;
    let mut y = h.bits & 0x5555_5555_5555_5555;
    let zz = 0xaaaa_aaaa_aaaa_aaaau64 >> shift;
    if d > 0 {
        y = y.wrapping_add(zz + 1);
    } else {
        y |= zz;
        y = y.wrapping_sub(zz + 1);
    }
    y &= 0x5555_5555_5555_5555u64 >> shift;
    h.bits = x | y;
}

fn neighbor(h: HashBits, dx: i8, dy: i8) -> HashBits {
    let mut n = h;
    move_x(&mut n, dx);
    move_y(&mut n, dy);
    n
}

/// The cells to visit for a search, in Redis's order: centre, north, south,
/// east, west, north-east, north-west, south-east, south-west. Cells that
/// cannot contain results are zero (skipped).
pub fn search_cells(shape: &Shape) -> [HashBits; 9] {
    let [min_lon, min_lat, max_lon, max_lat] = shape.bounding_box();
    let radius_m = match shape.kind {
        ShapeKind::Circle { radius } => radius,
        ShapeKind::Box { width, height } => ((width / 2.0) * (width / 2.0) + (height / 2.0) * (height / 2.0)).sqrt(),
    } * shape.conversion;
    let mut steps = estimate_steps(radius_m, shape.lat);
    let cells_at = |steps: u8| {
        let hash =
            encode(LONG_RANGE, LAT_RANGE, shape.lon, shape.lat, steps).unwrap_or(HashBits { bits: 0, step: steps });
        let n = [
            hash,
            neighbor(hash, 0, 1),
            neighbor(hash, 0, -1),
            neighbor(hash, 1, 0),
            neighbor(hash, -1, 0),
            neighbor(hash, 1, 1),
            neighbor(hash, -1, 1),
            neighbor(hash, 1, -1),
            neighbor(hash, -1, -1),
        ];
        (n, decode(LONG_RANGE, LAT_RANGE, hash))
    };
    let (mut cells, mut area) = cells_at(steps);
    let north = decode(LONG_RANGE, LAT_RANGE, cells[1]);
    let south = decode(LONG_RANGE, LAT_RANGE, cells[2]);
    let east = decode(LONG_RANGE, LAT_RANGE, cells[3]);
    let west = decode(LONG_RANGE, LAT_RANGE, cells[4]);
    let decrease = north.latitude.max < max_lat
        || south.latitude.min > min_lat
        || east.longitude.max < max_lon
        || west.longitude.min > min_lon;
    if steps > 1 && decrease {
        steps -= 1;
        (cells, area) = cells_at(steps);
    }
    if steps >= 2 {
        let zero = HashBits::default();
        // Indexes: 1 N, 2 S, 3 E, 4 W, 5 NE, 6 NW, 7 SE, 8 SW.
        if area.latitude.min < min_lat {
            for i in [2, 8, 7] {
                cells[i] = zero;
            }
        }
        if area.latitude.max > max_lat {
            for i in [1, 5, 6] {
                cells[i] = zero;
            }
        }
        if area.longitude.min < min_lon {
            for i in [4, 8, 6] {
                cells[i] = zero;
            }
        }
        if area.longitude.max > max_lon {
            for i in [3, 7, 5] {
                cells[i] = zero;
            }
        }
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn palermo_round_trip_and_hash() {
        let score = encode_score(13.361389, 38.115556).unwrap();
        assert_eq!(score, 3479099956230698);
        let (lon, lat) = decode_score(score as f64);
        assert!((lon - 13.361389).abs() < 1e-5 && (lat - 38.115556).abs() < 1e-5);
        assert_eq!(geohash_string(score as f64), "sqc8b49rny0");
        assert!(encode_score(181.0, 0.0).is_none());
    }

    #[test]
    fn distance_palermo_catania() {
        let d = distance(13.361389, 38.115556, 15.087269, 37.502669);
        assert!((d - 166274.15).abs() < 1.0);
    }
}
