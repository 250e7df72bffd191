//! A key's bytes without a heap allocation when short.
//!
//! Most keys and hash fields are short (`user:1042`, `session:9f2c`): up
//! to [`INLINE_CAPACITY`] bytes live inside the value itself, longer ones
//! in a box. A million short keys save a million small allocations (about
//! 32 bytes each with the allocator's overhead) and a pointer chase per lookup.

use std::ops::Deref;

/// Bytes stored inline (the type is 24 bytes, like a `Vec`).
pub const INLINE_CAPACITY: usize = 22;

#[derive(Clone, PartialEq, Eq, Hash)]
pub enum CompactKey {
    Inline { len: u8, bytes: [u8; INLINE_CAPACITY] },
    Boxed(Box<[u8]>),
}

impl Deref for CompactKey {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            CompactKey::Inline { len, bytes } => &bytes[..*len as usize],
            CompactKey::Boxed(b) => b,
        }
    }
}

impl From<&[u8]> for CompactKey {
    fn from(key: &[u8]) -> CompactKey {
        if key.len() <= INLINE_CAPACITY {
            let mut bytes = [0u8; INLINE_CAPACITY];
            bytes[..key.len()].copy_from_slice(key);
            CompactKey::Inline { len: key.len() as u8, bytes }
        } else {
            CompactKey::Boxed(key.into())
        }
    }
}

impl From<Vec<u8>> for CompactKey {
    fn from(key: Vec<u8>) -> CompactKey {
        if key.len() <= INLINE_CAPACITY {
            CompactKey::from(key.as_slice())
        } else {
            CompactKey::Boxed(key.into_boxed_slice())
        }
    }
}

impl From<Box<[u8]>> for CompactKey {
    fn from(key: Box<[u8]>) -> CompactKey {
        if key.len() <= INLINE_CAPACITY {
            CompactKey::from(&*key)
        } else {
            CompactKey::Boxed(key)
        }
    }
}

impl std::fmt::Debug for CompactKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_keys_are_inline_and_long_ones_boxed_with_the_same_bytes() {
        assert_eq!(std::mem::size_of::<CompactKey>(), 24);
        for len in [0, 1, 21, 22, 23, 100] {
            let bytes: Vec<u8> = (0..len as u8).collect();
            let key = CompactKey::from(bytes.as_slice());
            assert_eq!(&*key, bytes.as_slice());
            assert_eq!(matches!(key, CompactKey::Inline { .. }), len <= INLINE_CAPACITY, "len {len}");
            assert_eq!(&*CompactKey::from(bytes.clone()), bytes.as_slice());
            assert_eq!(&*CompactKey::from(bytes.clone().into_boxed_slice()), bytes.as_slice());
        }
    }
}
