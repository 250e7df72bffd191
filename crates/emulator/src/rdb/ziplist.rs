//! Ziplists and zipmaps: the compact encodings of Redis before 7.0, which
//! 7.0 still loads (RDB types LIST_ZIPLIST, ZSET_ZIPLIST, HASH_ZIPLIST, the
//! nodes of QUICKLIST v1, and HASH_ZIPMAP). Read-only: Redis 7.0 never
//! writes them.
//!
//! Ziplist layout: total bytes (u32 LE), offset of the last entry (u32 LE),
//! count (u16 LE, 65535 = "count them"), entries, 0xFF. An entry is the
//! previous entry's size (1 byte, or 0xFE + u32 LE), an encoding and data.

fn le(bytes: &[u8]) -> u64 {
    bytes.iter().rev().fold(0, |acc, &b| acc << 8 | b as u64)
}

fn be(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0, |acc, &b| acc << 8 | b as u64)
}

/// Decodes the encoding at `at`: the value and the entry's end.
fn read_value(zl: &[u8], at: usize) -> Option<(Vec<u8>, usize)> {
    let first = *zl.get(at)?;
    let string = |header: usize, len: usize| {
        let start = at + header;
        zl.get(start..start.checked_add(len)?).map(|s| (s.to_vec(), start + len))
    };
    let int = |width: usize, bits: u32| {
        let v = le(zl.get(at + 1..at + 1 + width)?);
        let shift = 64 - bits;
        Some(((((v << shift) as i64) >> shift).to_string().into_bytes(), at + 1 + width))
    };
    match first >> 6 {
        0 => string(1, (first & 0x3f) as usize),
        1 => string(2, ((first as usize & 0x3f) << 8) | *zl.get(at + 1)? as usize),
        2 if first == 0x80 => string(5, be(zl.get(at + 1..at + 5)?) as usize),
        2 => None,
        _ => match first {
            0xC0 => int(2, 16),
            0xD0 => int(4, 32),
            0xE0 => int(8, 64),
            0xF0 => int(3, 24),
            0xFE => int(1, 8),
            0xF1..=0xFD => Some((((first & 0x0f) - 1).to_string().into_bytes(), at + 1)),
            _ => None,
        },
    }
}

/// The elements of a ziplist (integers as decimal text); `None` unless the
/// header, the previous-length fields, the count and the end agree.
pub fn parse(zl: &[u8]) -> Option<Vec<Vec<u8>>> {
    if zl.len() < 11 || le(&zl[..4]) != zl.len() as u64 || zl[zl.len() - 1] != 0xFF {
        return None;
    }
    let tail = le(&zl[4..8]) as usize;
    let count = le(&zl[8..10]) as usize;
    let body_end = zl.len() - 1;
    let (mut at, mut prev_size, mut last) = (10, 0usize, 10);
    let mut out = Vec::new();
    while at < body_end {
        let (prev, header) = match zl[at] {
            0xFE => (le(zl.get(at + 1..at + 5)?) as usize, 5),
            0xFF => return None,
            b => (b as usize, 1),
        };
        if prev != prev_size {
            return None;
        }
        let (value, end) = read_value(&zl[..body_end], at + header)?;
        out.push(value);
        last = at;
        prev_size = end - at;
        at = end;
    }
    let count_ok = count == out.len() || (count == 65535 && out.len() >= 65535);
    (count_ok && tail == last).then_some(out)
}

/// The field/value pairs of a zipmap (Redis 2.x small hashes).
pub fn parse_zipmap(zm: &[u8]) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
    let mut at = 1;
    let mut items = Vec::new();
    let len_at = |at: usize| -> Option<(usize, usize)> {
        match *zm.get(at)? {
            254 => Some((le(zm.get(at + 1..at + 5)?) as usize, at + 5)),
            255 => None,
            b => Some((b as usize, at + 1)),
        }
    };
    while *zm.get(at)? != 255 {
        let (klen, k) = len_at(at)?;
        let key = zm.get(k..k.checked_add(klen)?)?.to_vec();
        let (vlen, v) = len_at(k + klen)?;
        let free = *zm.get(v)? as usize;
        let value = zm.get(v + 1..(v + 1).checked_add(vlen)?)?.to_vec();
        items.push(key);
        items.push(value);
        at = v + 1 + vlen + free;
    }
    if at != zm.len() - 1 {
        return None;
    }
    let mut pairs = Vec::new();
    let mut it = items.into_iter();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        pairs.push((k, v));
    }
    Some(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ziplist built by hand: "ab", 5 (immediate), 300 (int16), -2 (int8).
    fn sample() -> Vec<u8> {
        let entries: &[&[u8]] = &[b"\x00\x02ab", b"\x04\xf6", b"\x02\xc0\x2c\x01", b"\x04\xfe\xfe"];
        let mut body = Vec::new();
        let mut last = 0;
        for e in entries {
            last = 10 + body.len();
            body.extend_from_slice(e);
        }
        let total = 10 + body.len() + 1;
        let mut zl = Vec::new();
        zl.extend_from_slice(&(total as u32).to_le_bytes());
        zl.extend_from_slice(&(last as u32).to_le_bytes());
        zl.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        zl.extend_from_slice(&body);
        zl.push(0xFF);
        zl
    }

    #[test]
    fn reads_entries() {
        let items = parse(&sample()).unwrap();
        assert_eq!(items, vec![b"ab".to_vec(), b"5".to_vec(), b"300".to_vec(), b"-2".to_vec()]);
    }

    #[test]
    fn rejects_corruption_without_panicking() {
        let zl = sample();
        for i in 0..zl.len() {
            for delta in [1u8, 0x40, 0x80, 0xFF] {
                let mut bad = zl.clone();
                bad[i] = bad[i].wrapping_add(delta);
                let _ = parse(&bad);
            }
        }
        assert!(parse(&zl[..zl.len() - 1]).is_none());
    }

    #[test]
    fn reads_zipmaps() {
        let zm = b"\x02\x03foo\x03\x00bar\x05hello\x05\x02world..\xff";
        let pairs = parse_zipmap(zm).unwrap();
        assert_eq!(pairs, vec![(b"foo".to_vec(), b"bar".to_vec()), (b"hello".to_vec(), b"world".to_vec())]);
        assert!(parse_zipmap(&zm[..zm.len() - 1]).is_none());
    }
}
