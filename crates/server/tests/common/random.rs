//! Deterministic generators for the generated differential scripts: a fixed
//! seed writes the same script on every run, so a mismatch always reproduces.

/// The draws the script generators use, all built on one `next` step.
pub trait Draw {
    /// The next raw value.
    fn next(&mut self) -> u64;

    /// A value in `0..n`, by plain modulo (`n` must not be 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// One of `items`.
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    /// A value in `lo..=hi`.
    fn int(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
}

/// SplitMix64, seeded with its state.
pub struct SplitMix64(pub u64);

impl Draw for SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// A 64-bit LCG (Knuth's MMIX constants) yielding the top 31 bits of its
/// state, seeded with its state.
pub struct Lcg(pub u64);

impl Draw for Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}
