//! Decodes the 52-bit geohash scores GEOADD stores in a sorted set, so the
//! key browser can draw members as points. Latitude bits sit in the even
//! positions of the interleaved score and longitude bits in the odd ones;
//! each is 26 bits over Redis's ranges (latitude limited to ±85.05112878°
//! by the Web Mercator projection).

pub const LAT_MIN: f64 = -85.05112878;
pub const LAT_MAX: f64 = 85.05112878;
pub const LON_MIN: f64 = -180.0;
pub const LON_MAX: f64 = 180.0;
const STEP: u32 = 26;

/// Takes every other bit (starting at bit 0) of `x` and packs them.
fn squash(x: u64) -> u64 {
    let mut out = 0u64;
    for i in 0..32 {
        out |= ((x >> (2 * i)) & 1) << i;
    }
    out
}

#[cfg(test)]
/// Spreads the low 32 bits of `x` into the even bit positions.
fn spread(x: u64) -> u64 {
    let mut out = 0u64;
    for i in 0..32 {
        out |= ((x >> i) & 1) << (2 * i);
    }
    out
}

/// The centre of the cell a score names, as (longitude, latitude).
/// None if the score is not a geohash (negative, fractional, too large).
pub fn decode(score: f64) -> Option<(f64, f64)> {
    if !(0.0..(1u64 << 52) as f64).contains(&score) || score.fract() != 0.0 {
        return None;
    }
    let bits = score as u64;
    let lat_cell = squash(bits);
    let lon_cell = squash(bits >> 1);
    let cells = (1u64 << STEP) as f64;
    let lat_lo = LAT_MIN + (lat_cell as f64 / cells) * (LAT_MAX - LAT_MIN);
    let lat_hi = LAT_MIN + ((lat_cell + 1) as f64 / cells) * (LAT_MAX - LAT_MIN);
    let lon_lo = LON_MIN + (lon_cell as f64 / cells) * (LON_MAX - LON_MIN);
    let lon_hi = LON_MIN + ((lon_cell + 1) as f64 / cells) * (LON_MAX - LON_MIN);
    let lon = ((lon_lo + lon_hi) / 2.0).clamp(LON_MIN, LON_MAX);
    let lat = ((lat_lo + lat_hi) / 2.0).clamp(LAT_MIN, LAT_MAX);
    Some((lon, lat))
}

#[cfg(test)]
/// The score GEOADD stores for a position.
pub fn encode(lon: f64, lat: f64) -> f64 {
    let cells = (1u64 << STEP) as f64;
    let lat_cell = (((lat - LAT_MIN) / (LAT_MAX - LAT_MIN)) * cells) as u64;
    let lon_cell = (((lon - LON_MIN) / (LON_MAX - LON_MIN)) * cells) as u64;
    (spread(lat_cell) | (spread(lon_cell) << 1)) as f64
}

/// True when a sorted set's scores all look like geohashes: whole numbers
/// in the 52-bit range, at least one of them large (real places are, since
/// a small score means a spot near 85°S 180°W).
pub fn looks_like_geo(scores: impl IntoIterator<Item = f64>) -> bool {
    let mut any = false;
    let mut large = false;
    for s in scores {
        if decode(s).is_none() {
            return false;
        }
        any = true;
        large |= s >= (1u64 << 40) as f64;
    }
    any && large
}

#[cfg(test)]
/// Great-circle distance in metres (Redis's haversine with its Earth radius).
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    const EARTH_RADIUS_M: f64 = 6372797.560856;
    let (lon1, lat1) = (a.0.to_radians(), a.1.to_radians());
    let (lon2, lat2) = (b.0.to_radians(), b.1.to_radians());
    let u = ((lat2 - lat1) / 2.0).sin();
    let v = ((lon2 - lon1) / 2.0).sin();
    2.0 * EARTH_RADIUS_M * (u * u + lat1.cos() * lat2.cos() * v * v).sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_scores_redis_stores() {
        // GEOADD Sicily 13.361389 38.115556 "Palermo" stores 3479099956230698.
        let (lon, lat) = decode(3479099956230698.0).unwrap();
        assert!((lon - 13.361389).abs() < 1e-5, "{lon}");
        assert!((lat - 38.115556).abs() < 1e-5, "{lat}");
        // GEOADD Sicily 15.087269 37.502669 "Catania" stores 3479447370796909.
        let (lon, lat) = decode(3479447370796909.0).unwrap();
        assert!((lon - 15.087269).abs() < 1e-5 && (lat - 37.502669).abs() < 1e-5);
    }

    #[test]
    fn encode_round_trips() {
        assert_eq!(encode(13.361389, 38.115556), 3479099956230698.0);
        let (lon, lat) = decode(encode(-122.27652, 37.805186)).unwrap();
        assert!((lon + 122.27652).abs() < 1e-5 && (lat - 37.805186).abs() < 1e-5);
    }

    #[test]
    fn tells_geo_sets_from_rankings() {
        assert!(looks_like_geo([3479099956230698.0, 3479447370796909.0]));
        assert!(!looks_like_geo([1.0, 2.0, 3.0]), "small integer scores are a ranking");
        assert!(!looks_like_geo([3479099956230698.0, 1.5]));
        assert!(!looks_like_geo([-1.0]));
        assert!(!looks_like_geo(std::iter::empty()));
        assert_eq!(decode(f64::NAN), None);
        assert_eq!(decode((1u64 << 52) as f64), None);
    }

    #[test]
    fn distance_matches_geodist() {
        // GEODIST Sicily Palermo Catania → 166274.1516 m.
        let d = distance_m(decode(3479099956230698.0).unwrap(), decode(3479447370796909.0).unwrap());
        assert!((d - 166274.1516).abs() < 0.01, "{d}");
    }
}
