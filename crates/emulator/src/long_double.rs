//! A software model of the x86-64 C `long double` (80-bit extended
//! precision: 64-bit significand, 15-bit exponent), just enough for
//! INCRBYFLOAT and HINCRBYFLOAT: Redis parses both operands with `strtold`,
//! adds them in `long double` and prints the sum with `%.17Lf`.
//!
//! Everything is exact: decimal input is rounded once to the nearest
//! extended value (ties to even), the sum is rounded once, and printing
//! rounds the exact binary value to 17 fraction digits (ties to even, as
//! glibc's printf does).

/// Smallest exponent of the unit in the last place (subnormal range).
const MIN_EXP: i64 = -16445;
/// Largest exponent for a 64-bit significand before overflow.
const MAX_EXP: i64 = 16320;

/// A finite or infinite extended-precision value: `mant × 2^exp`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LongDouble {
    pub neg: bool,
    pub mant: u64,
    pub exp: i64,
    pub inf: bool,
}

/// Unsigned big integer, little-endian base 2^32 limbs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Big(Vec<u32>);

impl Big {
    fn from_u128(mut v: u128) -> Big {
        let mut limbs = Vec::new();
        while v > 0 {
            limbs.push(v as u32);
            v >>= 32;
        }
        Big(limbs)
    }

    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    fn is_zero(&self) -> bool {
        self.0.iter().all(|&l| l == 0)
    }

    fn bit_len(&self) -> u64 {
        match self.0.iter().rposition(|&l| l != 0) {
            None => 0,
            Some(i) => i as u64 * 32 + (32 - self.0[i].leading_zeros() as u64),
        }
    }

    fn bit(&self, i: u64) -> bool {
        let limb = (i / 32) as usize;
        self.0.get(limb).is_some_and(|l| (l >> (i % 32)) & 1 == 1)
    }

    /// True if any bit below position `i` is set.
    fn any_below(&self, i: u64) -> bool {
        let full = (i / 32) as usize;
        if self.0.iter().take(full).any(|&l| l != 0) {
            return true;
        }
        let rest = i % 32;
        rest > 0 && self.0.get(full).is_some_and(|l| l & ((1u32 << rest) - 1) != 0)
    }

    fn mul_small_add(&mut self, m: u32, a: u32) {
        let mut carry = a as u64;
        for l in self.0.iter_mut() {
            let v = *l as u64 * m as u64 + carry;
            *l = v as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
    }

    fn mul_pow10(&mut self, mut k: u64) {
        while k >= 9 {
            self.mul_small_add(1_000_000_000, 0);
            k -= 9;
        }
        if k > 0 {
            self.mul_small_add(10u32.pow(k as u32), 0);
        }
    }

    fn shl(&self, n: u64) -> Big {
        let limbs = (n / 32) as usize;
        let bits = n % 32;
        let mut out = vec![0u32; limbs];
        let mut carry = 0u32;
        for &l in &self.0 {
            if bits == 0 {
                out.push(l);
            } else {
                out.push((l << bits) | carry);
                carry = l >> (32 - bits);
            }
        }
        if carry > 0 {
            out.push(carry);
        }
        let mut b = Big(out);
        b.trim();
        b
    }

    fn shr(&self, n: u64) -> Big {
        let limbs = (n / 32) as usize;
        let bits = n % 32;
        if limbs >= self.0.len() {
            return Big(Vec::new());
        }
        let src = &self.0[limbs..];
        let mut out = Vec::with_capacity(src.len());
        for i in 0..src.len() {
            let lo = src[i] >> bits;
            let hi = if bits == 0 { 0 } else { src.get(i + 1).map_or(0, |h| h << (32 - bits)) };
            out.push(lo | hi);
        }
        let mut b = Big(out);
        b.trim();
        b
    }

    /// The bits from position `n` up, as a u128 (callers ensure they fit).
    fn shr_u128(&self, n: u64) -> u128 {
        let part = self.shr(n);
        part.0.iter().take(4).rev().fold(0u128, |v, &l| (v << 32) | l as u128)
    }

    fn cmp(&self, other: &Big) -> std::cmp::Ordering {
        let (a, b) = (self.bit_len(), other.bit_len());
        if a != b {
            return a.cmp(&b);
        }
        for i in (0..self.0.len().max(other.0.len())).rev() {
            let (x, y) = (self.0.get(i).copied().unwrap_or(0), other.0.get(i).copied().unwrap_or(0));
            if x != y {
                return x.cmp(&y);
            }
        }
        std::cmp::Ordering::Equal
    }

    /// `self - other`, requiring `self >= other`.
    fn sub(&self, other: &Big) -> Big {
        let mut out = Vec::with_capacity(self.0.len());
        let mut borrow = 0i64;
        for i in 0..self.0.len() {
            let mut v = self.0[i] as i64 - other.0.get(i).copied().unwrap_or(0) as i64 - borrow;
            borrow = 0;
            if v < 0 {
                v += 1 << 32;
                borrow = 1;
            }
            out.push(v as u32);
        }
        let mut b = Big(out);
        b.trim();
        b
    }

    fn add(&self, other: &Big) -> Big {
        let n = self.0.len().max(other.0.len());
        let mut out = Vec::with_capacity(n + 1);
        let mut carry = 0u64;
        for i in 0..n {
            let v = self.0.get(i).copied().unwrap_or(0) as u64 + other.0.get(i).copied().unwrap_or(0) as u64 + carry;
            out.push(v as u32);
            carry = v >> 32;
        }
        if carry > 0 {
            out.push(carry as u32);
        }
        Big(out)
    }

    /// Quotient (known to fit in 128 bits) and whether a remainder is left.
    fn div_small_quotient(&self, divisor: &Big) -> (u128, bool) {
        let (na, nb) = (self.bit_len(), divisor.bit_len());
        if na < nb {
            return (0, !self.is_zero());
        }
        let t = na - nb + 1;
        let mut r = self.shr(t);
        let mut q = 0u128;
        for i in (0..t).rev() {
            r = r.shl(1);
            if self.bit(i) {
                if r.0.is_empty() {
                    r.0.push(0);
                }
                r.0[0] |= 1;
            }
            q <<= 1;
            if r.cmp(divisor) != std::cmp::Ordering::Less {
                r = r.sub(divisor);
                q |= 1;
            }
        }
        (q, !r.is_zero())
    }

    fn to_decimal(&self) -> String {
        let mut limbs = self.0.clone();
        let mut chunks = Vec::new();
        while limbs.iter().any(|&l| l != 0) {
            let mut rem = 0u64;
            for l in limbs.iter_mut().rev() {
                let cur = (rem << 32) | *l as u64;
                *l = (cur / 1_000_000_000) as u32;
                rem = cur % 1_000_000_000;
            }
            chunks.push(rem as u32);
            while limbs.last() == Some(&0) {
                limbs.pop();
            }
        }
        let mut s = match chunks.pop() {
            None => return "0".into(),
            Some(top) => top.to_string(),
        };
        for c in chunks.iter().rev() {
            s.push_str(&format!("{c:09}"));
        }
        s
    }
}

impl LongDouble {
    pub const ZERO: LongDouble = LongDouble { neg: false, mant: 0, exp: 0, inf: false };

    fn infinity(neg: bool) -> LongDouble {
        LongDouble { neg, mant: 0, exp: 0, inf: true }
    }

    /// Rounds `n × 2^exp` (plus a sticky "something below") to the nearest
    /// extended value, ties to even, with gradual underflow.
    fn round(neg: bool, n: &Big, exp: i64, sticky: bool) -> LongDouble {
        let len = n.bit_len() as i64;
        if len == 0 {
            return LongDouble { neg, ..LongDouble::ZERO };
        }
        let mut shift = len - 64;
        if exp + shift < MIN_EXP {
            shift = MIN_EXP - exp;
        }
        let (mut mant, mut new_exp) = if shift <= 0 {
            (n.shr_u128(0) << (-shift) as u32, exp + shift)
        } else {
            let s = shift as u64;
            let mut m = n.shr_u128(s);
            let half = n.bit(s - 1);
            let lower = sticky || n.any_below(s - 1);
            if half && (lower || m & 1 == 1) {
                m += 1;
            }
            (m, exp + shift)
        };
        if mant >> 64 != 0 {
            mant >>= 1;
            new_exp += 1;
        }
        if new_exp > MAX_EXP {
            return LongDouble::infinity(neg);
        }
        LongDouble { neg, mant: mant as u64, exp: new_exp, inf: false }
    }

    /// Exact conversion from a double.
    pub fn from_f64(d: f64) -> LongDouble {
        if d.is_infinite() {
            return LongDouble::infinity(d < 0.0);
        }
        let bits = d.to_bits();
        let neg = bits >> 63 == 1;
        let e = ((bits >> 52) & 0x7ff) as i64;
        let frac = bits & ((1 << 52) - 1);
        let (mant, exp) = if e == 0 { (frac, -1074) } else { (frac | (1 << 52), e - 1075) };
        LongDouble::round(neg, &Big::from_u128(mant as u128), exp, false)
    }

    /// Redis's `string2ld`: the whole input must be a number `strtold`
    /// accepts (decimal or hex, `inf`), no leading space, no NaN, and no
    /// overflow or underflow to zero. At most 5119 bytes.
    pub fn parse(b: &[u8]) -> Option<LongDouble> {
        if b.is_empty() || b.len() >= 5 * 1024 {
            return None;
        }
        let (neg, body) = match b[0] {
            b'-' => (true, &b[1..]),
            b'+' => (false, &b[1..]),
            _ => (false, b),
        };
        let lower = body.to_ascii_lowercase();
        if lower == b"inf" || lower == b"infinity" {
            return Some(LongDouble::infinity(neg));
        }
        let v = if lower.starts_with(b"0x") { parse_hex(neg, &lower[2..])? } else { parse_decimal(neg, &lower)? };
        Some(v)
    }

    /// Sum rounded to the nearest extended value; `None` for NaN (∞ − ∞).
    pub fn sum(self, o: LongDouble) -> Option<LongDouble> {
        match (self.inf, o.inf) {
            (true, true) if self.neg != o.neg => return None,
            (true, _) => return Some(self),
            (_, true) => return Some(o),
            _ => {}
        }
        if self.mant == 0 && o.mant == 0 {
            return Some(LongDouble { neg: self.neg && o.neg, ..LongDouble::ZERO });
        }
        let e = self.exp.min(o.exp);
        let a = Big::from_u128(self.mant as u128).shl((self.exp - e) as u64);
        let b = Big::from_u128(o.mant as u128).shl((o.exp - e) as u64);
        if self.neg == o.neg {
            return Some(LongDouble::round(self.neg, &a.add(&b), e, false));
        }
        Some(match a.cmp(&b) {
            std::cmp::Ordering::Equal => LongDouble::ZERO,
            std::cmp::Ordering::Greater => LongDouble::round(self.neg, &a.sub(&b), e, false),
            std::cmp::Ordering::Less => LongDouble::round(o.neg, &b.sub(&a), e, false),
        })
    }

    /// `printf("%.17Lf")` of a finite value.
    pub fn to_fixed17(self) -> String {
        let sign = if self.neg { "-" } else { "" };
        if self.exp >= 0 {
            let int = Big::from_u128(self.mant as u128).shl(self.exp as u64);
            return format!("{sign}{}.00000000000000000", int.to_decimal());
        }
        const SCALE: u128 = 100_000_000_000_000_000;
        let n = self.mant as u128 * SCALE;
        let k = (-self.exp) as u32;
        let q = if k >= 128 {
            0
        } else {
            let mut q = n >> k;
            let rem = n & ((1u128 << k) - 1);
            let half = 1u128 << (k - 1);
            if rem > half || (rem == half && q & 1 == 1) {
                q += 1;
            }
            q
        };
        format!("{sign}{}.{:017}", q / SCALE, q % SCALE)
    }

    /// Redis's "human friendly" long double text: `%.17Lf` without trailing
    /// zeros (and without a bare trailing point); `-0` becomes `0`.
    pub fn to_human(self) -> String {
        let mut s = self.to_fixed17();
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
        if s == "-0" {
            s = "0".into();
        }
        s
    }
}

/// The exponent after `e` / `p` starting at `at`: an optional sign and at
/// least one digit (clamped, as strtold saturates). Returns the signed
/// value and the index after it; None when no digit follows.
fn exponent(s: &[u8], at: usize) -> Option<(i64, usize)> {
    let mut j = at;
    let negative = match s.get(j) {
        Some(b'-') => {
            j += 1;
            true
        }
        Some(b'+') => {
            j += 1;
            false
        }
        _ => false,
    };
    let start = j;
    let mut e: i64 = 0;
    while j < s.len() && s[j].is_ascii_digit() {
        e = (e * 10 + (s[j] - b'0') as i64).min(1_000_000_000);
        j += 1;
    }
    (j > start).then_some((if negative { -e } else { e }, j))
}

fn parse_decimal(neg: bool, s: &[u8]) -> Option<LongDouble> {
    let mut i = 0;
    let mut digits = Big(Vec::new());
    let mut ndigits: i64 = 0;
    let mut exp10: i64 = 0;
    let mut seen_digit = false;
    while i < s.len() && s[i].is_ascii_digit() {
        seen_digit = true;
        if !(digits.is_zero() && s[i] == b'0') {
            digits.mul_small_add(10, (s[i] - b'0') as u32);
            ndigits += 1;
        }
        i += 1;
    }
    if i < s.len() && s[i] == b'.' {
        i += 1;
        while i < s.len() && s[i].is_ascii_digit() {
            seen_digit = true;
            if !(digits.is_zero() && s[i] == b'0') {
                digits.mul_small_add(10, (s[i] - b'0') as u32);
                ndigits += 1;
            }
            exp10 -= 1;
            i += 1;
        }
    }
    if !seen_digit {
        return None;
    }
    if i < s.len() && s[i] == b'e' {
        // "1e" leaves "e" unparsed, so the whole text is not a number.
        let (e, end) = exponent(s, i + 1)?;
        exp10 += e;
        i = end;
    }
    if i != s.len() {
        return None;
    }
    if digits.is_zero() {
        return Some(LongDouble { neg, ..LongDouble::ZERO });
    }
    // Magnitude is about 10^(ndigits + exp10 - 1).
    if ndigits + exp10 > 4935 {
        return None; // overflow (ERANGE, HUGE_VALL)
    }
    if ndigits + exp10 < -4960 {
        return None; // underflow to zero (ERANGE)
    }
    let v = if exp10 >= 0 {
        let mut n = digits;
        n.mul_pow10(exp10 as u64);
        LongDouble::round(neg, &n, 0, false)
    } else {
        let mut den = Big(vec![1]);
        den.mul_pow10((-exp10) as u64);
        // Scale so that the quotient has 68-69 bits: numerator up or
        // denominator up, whichever is smaller.
        let s = den.bit_len() as i64 - digits.bit_len() as i64 + 68;
        let (q, rem) = if s >= 0 {
            digits.shl(s as u64).div_small_quotient(&den)
        } else {
            digits.div_small_quotient(&den.shl((-s) as u64))
        };
        LongDouble::round(neg, &Big::from_u128(q), -s, rem)
    };
    if v.inf || v.mant == 0 {
        return None;
    }
    Some(v)
}

fn parse_hex(neg: bool, s: &[u8]) -> Option<LongDouble> {
    let mut i = 0;
    let mut n = Big(Vec::new());
    let mut exp2: i64 = 0;
    let mut seen = false;
    let mut bits_kept = 0;
    let mut sticky = false;
    let mut push = |n: &mut Big, d: u32, exp2: &mut i64, frac: bool| {
        if bits_kept < 200 {
            n.mul_small_add(16, d);
            if !n.is_zero() {
                bits_kept += 4;
            }
            if frac {
                *exp2 -= 4;
            }
        } else {
            sticky |= d != 0;
            if !frac {
                *exp2 += 4;
            }
        }
    };
    while i < s.len() && s[i].is_ascii_hexdigit() {
        seen = true;
        push(&mut n, (s[i] as char).to_digit(16)?, &mut exp2, false);
        i += 1;
    }
    if i < s.len() && s[i] == b'.' {
        i += 1;
        while i < s.len() && s[i].is_ascii_hexdigit() {
            seen = true;
            push(&mut n, (s[i] as char).to_digit(16)?, &mut exp2, true);
            i += 1;
        }
    }
    if !seen {
        return None;
    }
    if i < s.len() && s[i] == b'p' {
        let (e, end) = exponent(s, i + 1)?;
        exp2 += e;
        i = end;
    }
    if i != s.len() {
        return None;
    }
    if n.is_zero() {
        return Some(LongDouble { neg, ..LongDouble::ZERO });
    }
    let top = exp2 + n.bit_len() as i64;
    if top > 16400 {
        return None;
    }
    if top < -16500 {
        return None;
    }
    let v = LongDouble::round(neg, &n, exp2, sticky);
    if v.inf || v.mant == 0 {
        return None;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incr(a: &str, b: &str) -> String {
        let x = LongDouble::parse(a.as_bytes()).unwrap();
        let y = LongDouble::parse(b.as_bytes()).unwrap();
        x.sum(y).unwrap().to_human()
    }

    #[test]
    fn known_redis_results() {
        assert_eq!(incr("10.5", "0.1"), "10.6");
        assert_eq!(incr("5.0e3", "200"), "5200");
        assert_eq!(incr("0", "3.0e3"), "3000");
        assert_eq!(incr("1", "-1"), "0");
        assert_eq!(incr("0.1", "0.2"), "0.3");
        assert_eq!(incr("-0", "-0"), "0");
        // Many integer digits with a short fraction.
        let big = format!("{}.5", "9".repeat(300));
        assert!(incr(&big, "1").starts_with("1000000000000000000"));
    }

    #[test]
    fn parse_rejects_what_strtold_rejects() {
        for bad in ["", " 1", "1 ", "abc", "1e", "nan", "1e5000", "1e-5000", ".", "--1", "0x"] {
            assert!(LongDouble::parse(bad.as_bytes()).is_none(), "{bad}");
        }
        for good in ["1", "+1", "-1.5", ".5", "5.", "1e400", "inf", "-infinity", "0x1p3", "1E3"] {
            assert!(LongDouble::parse(good.as_bytes()).is_some(), "{good}");
        }
    }

    #[test]
    fn doubles_convert_exactly() {
        assert_eq!(LongDouble::from_f64(1.5).to_human(), "1.5");
        assert_eq!(LongDouble::from_f64(0.1).to_fixed17(), "0.10000000000000001");
        assert_eq!(LongDouble::from_f64(-2.0).to_human(), "-2");
    }
}
