//! Listpacks, the compact sequence Redis 7.0 uses for small hashes, sorted
//! sets, list nodes and stream nodes.
//!
//! Layout: total bytes (u32 LE), element count (u16 LE, 65535 = "count
//! them"), the entries, then 0xFF. Each entry is an encoding byte (plus
//! data) followed by its *backlen*: the size of encoding and data, written
//! big-end-first in 7-bit groups so it can be read backwards.
//!
//! Elements that are canonical 64-bit integers are stored as integers in the
//! smallest of: 7-bit unsigned, 13-bit, 16, 24, 32 or 64-bit signed; other
//! strings with a 6-bit, 12-bit or 32-bit length.

use crate::float::parse_i64;

const HEADER: usize = 6;
const END: u8 = 0xFF;
/// Count stored when there are too many elements to count in 16 bits.
const COUNT_UNKNOWN: usize = 65535;

/// Appends one element's encoding and data (no backlen).
fn encode_element(out: &mut Vec<u8>, element: &[u8]) {
    if let Some(v) = (element.len() <= 20).then(|| parse_i64(element)).flatten() {
        if (0..=127).contains(&v) {
            out.push(v as u8);
        } else if (-4096..=4095).contains(&v) {
            let u = (v as u16) & 0x1fff;
            out.extend_from_slice(&[0xC0 | (u >> 8) as u8, u as u8]);
        } else if i16::try_from(v).is_ok() {
            out.push(0xF1);
            out.extend_from_slice(&(v as i16).to_le_bytes());
        } else if (-(1 << 23)..(1 << 23)).contains(&v) {
            out.push(0xF2);
            out.extend_from_slice(&(v as i32).to_le_bytes()[..3]);
        } else if i32::try_from(v).is_ok() {
            out.push(0xF3);
            out.extend_from_slice(&(v as i32).to_le_bytes());
        } else {
            out.push(0xF4);
            out.extend_from_slice(&v.to_le_bytes());
        }
        return;
    }
    let len = element.len();
    if len < 64 {
        out.push(0x80 | len as u8);
    } else if len < 4096 {
        out.extend_from_slice(&[0xE0 | (len >> 8) as u8, len as u8]);
    } else {
        out.push(0xF0);
        out.extend_from_slice(&(len as u32).to_le_bytes());
    }
    out.extend_from_slice(element);
}

/// Appends the backlen of an entry whose encoding and data take `size` bytes.
fn encode_backlen(out: &mut Vec<u8>, size: usize) {
    let groups = match size {
        0..=127 => 1,
        128..=16382 => 2,
        16383..=2097150 => 3,
        2097151..=268435454 => 4,
        _ => 5,
    };
    for i in (0..groups).rev() {
        let group = ((size >> (7 * i)) & 127) as u8;
        // Every group but the most significant carries the continuation bit.
        out.push(if i == groups - 1 { group } else { group | 128 });
    }
}

/// A listpack being built.
#[derive(Debug, Clone)]
pub struct Listpack {
    bytes: Vec<u8>,
    count: usize,
}

impl Default for Listpack {
    fn default() -> Self {
        Listpack::new()
    }
}

impl Listpack {
    pub fn new() -> Listpack {
        Listpack { bytes: vec![0; HEADER], count: 0 }
    }

    pub fn push(&mut self, element: &[u8]) {
        let start = self.bytes.len();
        encode_element(&mut self.bytes, element);
        let size = self.bytes.len() - start;
        encode_backlen(&mut self.bytes, size);
        self.count += 1;
    }

    pub fn count(&self) -> usize {
        self.count
    }

    /// Size of the finished listpack (Redis's `lpBytes`).
    pub fn total_bytes(&self) -> usize {
        self.bytes.len() + 1
    }

    pub fn finish(mut self) -> Vec<u8> {
        self.bytes.push(END);
        let total = self.bytes.len() as u32;
        self.bytes[..4].copy_from_slice(&total.to_le_bytes());
        let count = self.count.min(COUNT_UNKNOWN) as u16;
        self.bytes[4..6].copy_from_slice(&count.to_le_bytes());
        self.bytes
    }
}

/// A listpack holding `elements`.
pub fn build<'a>(elements: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut lp = Listpack::new();
    for e in elements {
        lp.push(e);
    }
    lp.finish()
}

fn le(bytes: &[u8]) -> u64 {
    bytes.iter().rev().fold(0, |acc, &b| acc << 8 | b as u64)
}

/// Sign-extends the low `bits` of `v`.
fn signed(v: u64, bits: u32) -> i64 {
    let shift = 64 - bits;
    ((v << shift) as i64) >> shift
}

/// Reads the entry at `at`: its value and the offset just past its backlen.
fn read_entry(lp: &[u8], at: usize) -> Option<(Vec<u8>, usize)> {
    let first = *lp.get(at)?;
    let int = |v: i64, size: usize| Some((v.to_string().into_bytes(), size));
    let (value, size) = if first & 0x80 == 0 {
        int(first as i64, 1)?
    } else if first & 0xC0 == 0x80 {
        let len = (first & 0x3f) as usize;
        (lp.get(at + 1..at + 1 + len)?.to_vec(), 1 + len)
    } else if first & 0xE0 == 0xC0 {
        let v = ((first as u64 & 0x1f) << 8) | *lp.get(at + 1)? as u64;
        int(signed(v, 13), 2)?
    } else if first & 0xF0 == 0xE0 {
        let len = ((first as usize & 0x0f) << 8) | *lp.get(at + 1)? as usize;
        (lp.get(at + 2..at + 2 + len)?.to_vec(), 2 + len)
    } else {
        let width = match first {
            0xF0 => {
                let len = le(lp.get(at + 1..at + 5)?) as usize;
                let data = lp.get(at + 5..at.checked_add(5)?.checked_add(len)?)?;
                return finish_entry(lp, at, data.to_vec(), 5 + len);
            }
            0xF1 => 2,
            0xF2 => 3,
            0xF3 => 4,
            0xF4 => 8,
            _ => return None,
        };
        let v = le(lp.get(at + 1..at + 1 + width)?);
        int(signed(v, width as u32 * 8), 1 + width)?
    };
    finish_entry(lp, at, value, size)
}

/// Checks the backlen after an entry of `size` bytes at `at`.
fn finish_entry(lp: &[u8], at: usize, value: Vec<u8>, size: usize) -> Option<(Vec<u8>, usize)> {
    let mut expected = Vec::with_capacity(5);
    encode_backlen(&mut expected, size);
    let end = at + size;
    (lp.get(end..end + expected.len())? == expected.as_slice()).then_some((value, end + expected.len()))
}

/// The elements of a listpack (integers as decimal text); `None` unless the
/// header, every entry, every backlen, the count and the end byte agree.
pub fn parse(lp: &[u8]) -> Option<Vec<Vec<u8>>> {
    if lp.len() < HEADER + 1 || le(&lp[..4]) != lp.len() as u64 || lp[lp.len() - 1] != END {
        return None;
    }
    let count = le(&lp[4..6]) as usize;
    let body = &lp[..lp.len() - 1];
    let mut at = HEADER;
    let mut out = Vec::new();
    while at < body.len() {
        let (value, next) = read_entry(body, at)?;
        out.push(value);
        at = next;
    }
    (count == COUNT_UNKNOWN && out.len() >= COUNT_UNKNOWN || count == out.len()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_entries_match_redis() {
        // HSET h a 1 bb 300 on redis-server 7.0.15, DUMP, listpack part.
        let lp = build([&b"a"[..], b"1", b"bb", b"300"]);
        assert_eq!(lp, b"\x13\x00\x00\x00\x04\x00\x81a\x02\x01\x01\x82bb\x03\xc1\x2c\x02\xff");
    }

    #[test]
    fn integer_widths() {
        let cases: &[(&[u8], &[u8])] = &[
            (b"0", b"\x00\x01"),
            (b"127", b"\x7f\x01"),
            (b"128", b"\xc0\x80\x02"),
            (b"-1", b"\xdf\xff\x02"),
            (b"-4096", b"\xd0\x00\x02"),
            (b"4096", b"\xf1\x00\x10\x03"),
            (b"-32769", b"\xf2\xff\x7f\xff\x04"),
            (b"8388608", b"\xf3\x00\x00\x80\x00\x05"),
            (b"2147483648", b"\xf4\x00\x00\x00\x80\x00\x00\x00\x00\x09"),
            (b"-0", b"\x82-0\x03"),
            (b"01", b"\x8201\x03"),
        ];
        for (element, entry) in cases {
            let lp = build([*element]);
            assert_eq!(&lp[6..lp.len() - 1], *entry, "{}", String::from_utf8_lossy(element));
            assert_eq!(parse(&lp).unwrap(), vec![element.to_vec()]);
        }
    }

    #[test]
    fn long_strings_and_backlens() {
        for len in [63, 64, 127, 128, 4095, 4096, 20000] {
            let s = vec![b'x'; len];
            let lp = build([&s[..], b"end"]);
            assert_eq!(parse(&lp).unwrap(), vec![s.clone(), b"end".to_vec()], "{len}");
        }
        let mut b = Vec::new();
        encode_backlen(&mut b, 200);
        assert_eq!(b, [0x01, 0xC8]);
    }

    #[test]
    fn rejects_corruption() {
        let lp = build([&b"hello"[..], b"12345"]);
        assert!(parse(&lp).is_some());
        for i in 0..lp.len() {
            for delta in [1u8, 0x80, 0xFF] {
                let mut bad = lp.clone();
                bad[i] = bad[i].wrapping_add(delta);
                // Some single-byte changes still form a valid listpack (a
                // letter inside a string); none may panic.
                let _ = parse(&bad);
            }
        }
        assert!(parse(&lp[..lp.len() - 1]).is_none());
        let mut wrong_count = lp.clone();
        wrong_count[4] = 3;
        assert!(parse(&wrong_count).is_none());
    }
}
