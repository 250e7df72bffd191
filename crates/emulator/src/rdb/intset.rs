//! Intsets: the sorted integer arrays of small all-integer sets.
//!
//! Layout: element width in bytes (u32 LE: 2, 4 or 8), element count (u32
//! LE), then the elements in ascending order, little-endian.

/// The smallest width holding `v`.
fn width_of(v: i64) -> usize {
    if i16::try_from(v).is_ok() {
        2
    } else if i32::try_from(v).is_ok() {
        4
    } else {
        8
    }
}

/// An intset of `values` (sorted here; duplicates are the caller's concern).
/// `min_width` keeps a wider encoding than the values need (Redis never
/// narrows an intset once widened).
pub fn build(values: &[i64], min_width: usize) -> Vec<u8> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let width = sorted.iter().map(|&v| width_of(v)).fold(min_width.max(2), usize::max);
    let mut out = Vec::with_capacity(8 + width * sorted.len());
    out.extend_from_slice(&(width as u32).to_le_bytes());
    out.extend_from_slice(&(sorted.len() as u32).to_le_bytes());
    for v in sorted {
        out.extend_from_slice(&v.to_le_bytes()[..width]);
    }
    out
}

/// The values of an intset; `None` unless the width is valid, the size
/// matches the count exactly and the values strictly ascend.
pub fn parse(bytes: &[u8]) -> Option<Vec<i64>> {
    let header = bytes.get(..8)?;
    let width = u32::from_le_bytes(header[..4].try_into().ok()?) as usize;
    let count = u32::from_le_bytes(header[4..].try_into().ok()?) as usize;
    if ![2, 4, 8].contains(&width) || count.checked_mul(width)? != bytes.len() - 8 {
        return None;
    }
    let values: Vec<i64> = bytes[8..]
        .chunks_exact(width)
        .map(|c| {
            let mut buf = [if c[width - 1] & 0x80 != 0 { 0xFF } else { 0 }; 8];
            buf[..width].copy_from_slice(c);
            i64::from_le_bytes(buf)
        })
        .collect();
    values.windows(2).all(|w| w[0] < w[1]).then_some(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_redis_layout() {
        // SADD s 3 1 2 → intset of width 2.
        assert_eq!(build(&[3, 1, 2], 2), b"\x02\x00\x00\x00\x03\x00\x00\x00\x01\x00\x02\x00\x03\x00");
        let wide = build(&[1, 70000], 2);
        assert_eq!(&wide[..4], &[4, 0, 0, 0]);
        assert_eq!(parse(&wide).unwrap(), vec![1, 70000]);
        let huge = build(&[-5, i64::MAX], 2);
        assert_eq!(parse(&huge).unwrap(), vec![-5, i64::MAX]);
        assert_eq!(parse(&build(&[1, 2], 8)).unwrap(), vec![1, 2]);
    }

    #[test]
    fn rejects_bad_intsets() {
        assert!(parse(b"\x03\x00\x00\x00\x00\x00\x00\x00").is_none(), "width 3");
        assert!(parse(b"\x02\x00\x00\x00\x02\x00\x00\x00\x01\x00").is_none(), "short");
        assert!(parse(b"\x02\x00\x00\x00\x02\x00\x00\x00\x02\x00\x01\x00").is_none(), "unsorted");
        assert!(parse(b"\x02\x00\x00\x00\xff\xff\xff\xff").is_none(), "huge count");
        assert!(parse(b"\x02\x00").is_none());
    }
}
