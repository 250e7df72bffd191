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

    /// Adds `bytes` at the end (APPEND) and answers the new length. The
    /// buffer grows in place, so repeated appends cost amortised O(1) per
    /// byte, as with Redis's sds strings.
    pub fn append(&mut self, bytes: &[u8]) -> usize {
        let buf = self.bytes_mut();
        buf.extend_from_slice(bytes);
        buf.len()
    }

    /// Writes `bytes` from byte `offset`, zero-filling any gap past the
    /// current end (SETRANGE), and answers the new length.
    pub fn write_at(&mut self, offset: usize, bytes: &[u8]) -> usize {
        let end = offset + bytes.len();
        let buf = self.bytes_mut();
        if buf.len() < end {
            buf.resize(end, 0);
        }
        buf[offset..end].copy_from_slice(bytes);
        buf.len()
    }

    /// `offset` zero bytes followed by `bytes`: what SETRANGE stores under
    /// a missing key (encoding `raw`, as an edited string).
    pub fn zero_padded(offset: usize, bytes: &[u8]) -> StrValue {
        let mut buf = vec![0; offset + bytes.len()];
        buf[offset..].copy_from_slice(bytes);
        StrValue::raw(buf)
    }

    /// The bytes between two inclusive indexes, negatives counting from the
    /// end, clamped into the string (GETRANGE). Two negative indexes in the
    /// wrong order give nothing even when clamping would reorder them.
    pub fn range(&self, start: i64, end: i64) -> &[u8] {
        let bytes = self.as_bytes();
        let len = bytes.len() as i64;
        if start < 0 && end < 0 && start > end {
            return &[];
        }
        let start = if start < 0 { start + len } else { start }.max(0);
        let end = if end < 0 { end + len } else { end }.max(0).min(len - 1);
        if start > end || len == 0 {
            return &[];
        }
        &bytes[start as usize..=end as usize]
    }

    /// The integer the bytes spell, if they are a canonical 64-bit integer
    /// (what INCR and friends accept).
    pub fn to_i64(&self) -> Option<i64> {
        crate::float::parse_i64(self.as_bytes())
    }

    /// Bit `offset` (0 is the most significant bit of the first byte);
    /// bits past the end read as 0.
    pub fn bit(&self, offset: u64) -> u8 {
        let byte = usize::try_from(offset >> 3).ok().and_then(|b| self.as_bytes().get(b));
        byte.map_or(0, |b| (b >> (7 - (offset & 7))) & 1)
    }

    /// Sets bit `offset` to `on` (0 or 1) in place and answers its old
    /// value; None when the string does not reach that bit (callers grow it
    /// first).
    pub fn set_bit(&mut self, offset: u64, on: u8) -> Option<u8> {
        let byte = usize::try_from(offset >> 3).ok()?;
        let shift = 7 - (offset & 7) as u8;
        let b = self.bytes_mut().get_mut(byte)?;
        let old = (*b >> shift) & 1;
        *b = (*b & !(1 << shift)) | (on << shift);
        Some(old)
    }

    /// The longest common subsequence of this string and `other` (LCS).
    /// The table has `(len + 1) * (other.len() + 1)` cells: callers bound it.
    pub fn lcs(&self, other: &[u8]) -> Lcs {
        longest_common_subsequence(self.as_bytes(), other)
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

/// The longest common subsequence of two strings (LCS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lcs {
    /// One longest common subsequence.
    pub sequence: Vec<u8>,
    /// The runs of that subsequence that are contiguous in both strings,
    /// from the end of the strings backwards (the order LCS IDX lists them).
    pub matches: Vec<LcsMatch>,
}

/// One contiguous run of an [`Lcs`]: inclusive byte ranges in each string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LcsMatch {
    pub a: (usize, usize),
    pub b: (usize, usize),
}

impl LcsMatch {
    /// Bytes in the run.
    pub fn length(&self) -> usize {
        self.a.1 - self.a.0 + 1
    }
}

/// The longest common subsequence of `a` and `b`, from the full
/// dynamic-programming table walked back from the end the way Redis walks
/// it, so ties pick the same subsequence and the same runs as Redis.
fn longest_common_subsequence(a: &[u8], b: &[u8]) -> Lcs {
    let (alen, blen) = (a.len(), b.len());
    let width = blen + 1;
    let mut dp = vec![0u32; (alen + 1) * width];
    for i in 1..=alen {
        for k in 1..=blen {
            dp[i * width + k] = if a[i - 1] == b[k - 1] {
                dp[(i - 1) * width + k - 1] + 1
            } else {
                dp[(i - 1) * width + k].max(dp[i * width + k - 1])
            };
        }
    }
    let total = dp[alen * width + blen] as usize;
    let mut sequence = vec![0u8; total];
    let mut matches = Vec::new();
    let (mut i, mut k, mut idx) = (alen, blen, total);
    // The run being collected; `a_start == alen` means none.
    let (mut a_start, mut a_end, mut b_start, mut b_end) = (alen, 0usize, 0usize, 0usize);
    while i > 0 && k > 0 {
        let mut emit = false;
        if a[i - 1] == b[k - 1] {
            if idx > 0 {
                sequence[idx - 1] = a[i - 1];
            }
            if a_start == alen {
                a_start = i - 1;
                a_end = i - 1;
                b_start = k - 1;
                b_end = k - 1;
            } else if a_start == i && b_start == k {
                a_start -= 1;
                b_start -= 1;
            } else {
                emit = true;
            }
            if a_start == 0 || b_start == 0 {
                emit = true;
            }
            idx = idx.saturating_sub(1);
            i -= 1;
            k -= 1;
        } else {
            if dp[(i - 1) * width + k] > dp[i * width + k - 1] {
                i -= 1;
            } else {
                k -= 1;
            }
            if a_start != alen {
                emit = true;
            }
        }
        if emit {
            matches.push(LcsMatch { a: (a_start, a_end), b: (b_start, b_end) });
            a_start = alen;
        }
    }
    Lcs { sequence, matches }
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
