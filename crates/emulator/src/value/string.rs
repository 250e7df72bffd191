//! A string value's bytes, stored inside the entry when short.
//!
//! Most cached strings are short (`value:1042`, a counter, a session id).
//! Up to [`INLINE_CAPACITY`] bytes live in the value itself, so a million
//! small keys cost no allocation for their values; Redis gets the same
//! effect from its `embstr` encoding (object header and bytes in one block).
//! Longer strings, and any string edited in place (APPEND, SETRANGE, SETBIT,
//! HyperLogLog updates), live in a growable buffer.

use std::ops::Deref;

/// Bytes stored inline: the type stays 32 bytes, as a `Vec` plus a flag was.
pub const INLINE_CAPACITY: usize = 29;

/// Integers Redis shares instead of allocating (`OBJ_SHARED_INTEGERS`).
pub const SHARED_INTEGERS: i64 = 10_000;

/// Modified in place: the encoding is `raw` whatever the contents.
const RAW: u8 = 1;
/// The bytes are a canonical 64-bit integer (encoding `int`).
const INT: u8 = 2;
/// An integer in `0..SHARED_INTEGERS`.
const SHARED_INT: u8 = 4;

#[derive(Clone)]
enum Repr {
    Inline { len: u8, flags: u8, bytes: [u8; INLINE_CAPACITY] },
    Heap { flags: u8, bytes: Vec<u8> },
}

/// A string value. It knows its Redis encoding: decided once when it is
/// stored (an integer is recognised then, not at every memory measurement),
/// and `raw` once it is modified in place (APPEND, SETRANGE, SETBIT…).
#[derive(Clone)]
pub struct StrValue(Repr);

/// The `int` / shared-integer flags for these bytes.
fn classify(bytes: &[u8]) -> u8 {
    if bytes.len() > 20 {
        return 0;
    }
    match crate::float::parse_i64(bytes) {
        Some(v) if (0..SHARED_INTEGERS).contains(&v) => INT | SHARED_INT,
        Some(_) => INT,
        None => 0,
    }
}

impl StrValue {
    /// A string as SET stores it (encoding `int`, `embstr` or `raw` by content).
    pub fn new(bytes: impl Into<Vec<u8>>) -> StrValue {
        let bytes = bytes.into();
        let flags = classify(&bytes);
        Self::with_flags(bytes, flags)
    }

    /// A string copied from a borrowed slice, without an intermediate buffer.
    pub fn from_slice(bytes: &[u8]) -> StrValue {
        let flags = classify(bytes);
        match Self::inline(bytes, flags) {
            Some(s) => s,
            None => StrValue(Repr::Heap { flags, bytes: bytes.to_vec() }),
        }
    }

    /// A string produced by an in-place edit: always reports encoding `raw`.
    pub fn raw(bytes: Vec<u8>) -> StrValue {
        Self::with_flags(bytes, RAW)
    }

    /// The decimal text of an integer (INCR and friends), built without a
    /// heap allocation or a parse: every i64 fits inline.
    pub fn from_i64(value: i64) -> StrValue {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut rest = value.unsigned_abs();
        loop {
            at -= 1;
            digits[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        let mut bytes = [0u8; INLINE_CAPACITY];
        let mut len = 0;
        if value < 0 {
            bytes[0] = b'-';
            len = 1;
        }
        let n = digits.len() - at;
        bytes[len..len + n].copy_from_slice(&digits[at..]);
        let flags = if (0..SHARED_INTEGERS).contains(&value) { INT | SHARED_INT } else { INT };
        StrValue(Repr::Inline { len: (len + n) as u8, flags, bytes })
    }

    fn with_flags(bytes: Vec<u8>, flags: u8) -> StrValue {
        match Self::inline(&bytes, flags) {
            Some(s) => s,
            None => StrValue(Repr::Heap { flags, bytes }),
        }
    }

    fn inline(bytes: &[u8], flags: u8) -> Option<StrValue> {
        (bytes.len() <= INLINE_CAPACITY).then(|| {
            let mut buf = [0u8; INLINE_CAPACITY];
            buf[..bytes.len()].copy_from_slice(bytes);
            StrValue(Repr::Inline { len: bytes.len() as u8, flags, bytes: buf })
        })
    }

    fn flags(&self) -> u8 {
        match self.0 {
            Repr::Inline { flags, .. } | Repr::Heap { flags, .. } => flags,
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes, .. } => &bytes[..*len as usize],
            Repr::Heap { bytes, .. } => bytes,
        }
    }

    /// The bytes as a growable buffer for an in-place edit (moves short
    /// strings out of line first). Editing in place makes the encoding
    /// `raw`, as in Redis.
    pub fn bytes_mut(&mut self) -> &mut Vec<u8> {
        if let Repr::Inline { len, bytes, .. } = &self.0 {
            self.0 = Repr::Heap { flags: RAW, bytes: bytes[..*len as usize].to_vec() };
        }
        match &mut self.0 {
            Repr::Heap { bytes, flags } => {
                *flags = RAW;
                bytes
            }
            Repr::Inline { .. } => unreachable!("moved out of line above"),
        }
    }

    pub fn into_bytes(self) -> Vec<u8> {
        match self.0 {
            Repr::Inline { len, bytes, .. } => bytes[..len as usize].to_vec(),
            Repr::Heap { bytes, .. } => bytes,
        }
    }

    pub fn is_raw(&self) -> bool {
        self.flags() & RAW != 0
    }

    /// Records an in-place edit (the encoding becomes `raw`, as in Redis).
    pub fn mark_raw(&mut self) {
        match &mut self.0 {
            Repr::Inline { flags, .. } | Repr::Heap { flags, .. } => *flags = RAW,
        }
    }

    /// True for an `int`-encoded value in Redis's shared range (0..10000):
    /// Redis stores those as shared objects (no allocation, OBJECT REFCOUNT
    /// 2147483647) unless an LRU/LFU maxmemory policy needs per-key data.
    pub fn is_shared_int(&self) -> bool {
        self.flags() & (RAW | SHARED_INT) == SHARED_INT
    }

    /// Redis 7.0's OBJECT ENCODING for this string: `int` for canonical
    /// 64-bit integers, `embstr` up to 44 bytes, `raw` beyond or once modified.
    pub fn encoding(&self) -> &'static str {
        let flags = self.flags();
        if flags & RAW != 0 {
            "raw"
        } else if flags & INT != 0 {
            "int"
        } else if self.as_bytes().len() <= 44 {
            "embstr"
        } else {
            "raw"
        }
    }
}

impl Deref for StrValue {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl Default for StrValue {
    fn default() -> StrValue {
        StrValue::from_slice(b"")
    }
}

impl PartialEq for StrValue {
    fn eq(&self, other: &StrValue) -> bool {
        self.as_bytes() == other.as_bytes() && self.is_raw() == other.is_raw()
    }
}

impl Eq for StrValue {}

impl std::fmt::Debug for StrValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StrValue").field("bytes", &String::from_utf8_lossy(self)).field("raw", &self.is_raw()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_strings_are_inline_and_keep_their_bytes_through_edits() {
        assert_eq!(std::mem::size_of::<StrValue>(), 32);
        for len in [0, 1, 28, 29, 30, 100] {
            let bytes: Vec<u8> = (0..len as u8).collect();
            for s in [StrValue::new(bytes.clone()), StrValue::from_slice(&bytes), StrValue::raw(bytes.clone())] {
                assert_eq!(s.as_bytes(), bytes.as_slice());
                assert_eq!(matches!(s.0, Repr::Inline { .. }), len <= INLINE_CAPACITY, "len {len}");
                let mut edited = s.clone();
                edited.bytes_mut().push(7);
                assert_eq!(&edited[..len], bytes.as_slice());
                assert_eq!(edited.len(), len + 1);
                assert_eq!(edited.encoding(), "raw", "an in-place edit makes the encoding raw");
                assert_eq!(s.clone().into_bytes(), bytes);
            }
        }
        for v in [0, 7, -7, 10, -10, 1234567890, i64::MAX, i64::MIN, i64::MIN + 1] {
            assert_eq!(StrValue::from_i64(v).as_bytes(), v.to_string().as_bytes(), "{v}");
            assert_eq!(StrValue::from_i64(v).encoding(), "int");
            let parsed = StrValue::from_slice(v.to_string().as_bytes());
            assert_eq!(parsed.encoding(), "int");
            assert_eq!(parsed.is_shared_int(), StrValue::from_i64(v).is_shared_int(), "{v}");
            assert_eq!(parsed.is_shared_int(), (0..SHARED_INTEGERS).contains(&v), "{v}");
        }
        for not_int in ["", "01", "+1", " 1", "1 ", "-0", "99999999999999999999", "1.5", "abc"] {
            assert_eq!(StrValue::from_slice(not_int.as_bytes()).encoding(), "embstr", "{not_int:?}");
        }
        let mut edited = StrValue::from_i64(5);
        edited.bytes_mut().push(b'0');
        assert!(!edited.is_shared_int());
        assert_eq!(edited.encoding(), "raw");
        assert_eq!(StrValue::new(b"12345".to_vec()).encoding(), "int");
        assert_eq!(StrValue::new(b"hello".to_vec()).encoding(), "embstr");
        assert_eq!(StrValue::raw(b"12345".to_vec()).encoding(), "raw");
    }
}
