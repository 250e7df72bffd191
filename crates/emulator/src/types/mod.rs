//! In-memory representations of the collection types, each in its own
//! file, with Redis's encodings (listpack vs hashtable…) modelled where
//! they change what a client sees (reply order, OBJECT ENCODING).

pub mod hash;
pub mod list;
pub mod set;
pub mod stream;
pub mod zset;

pub use hash::HashValue;
pub use list::ListValue;
pub use set::SetValue;
pub use stream::StreamValue;
pub use zset::ZSetValue;
pub mod ranked_tree;

/// The summed size of `n` elements whose sizes `sizes` yields: exact up to
/// 128 elements, otherwise the first 64 extrapolated to `n` — the way
/// Redis's MEMORY USAGE samples big values — so accounting a write to a
/// large collection does not cost a walk over all of it.
pub fn sampled_size(n: usize, sizes: impl Iterator<Item = usize>) -> usize {
    const EXACT_UP_TO: usize = 128;
    const SAMPLES: usize = 64;
    if n <= EXACT_UP_TO {
        return sizes.sum();
    }
    let sampled: usize = sizes.take(SAMPLES).sum();
    sampled / SAMPLES * n + sampled % SAMPLES * n / SAMPLES
}

#[cfg(test)]
mod tests {
    #[test]
    fn sampled_size_is_exact_for_small_and_extrapolated_for_large() {
        assert_eq!(super::sampled_size(3, [1, 2, 3].into_iter()), 6);
        assert_eq!(super::sampled_size(1000, std::iter::repeat_n(10, 1000)), 10_000);
        assert_eq!(super::sampled_size(1000, (0..1000).map(|i| if i < 64 { 5 } else { 1_000_000 })), 5000);
    }
}
