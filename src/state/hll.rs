//! Reads a HyperLogLog (a string starting with `HYLL`) so the key browser
//! can draw its 16384 registers and the estimate PFCOUNT would give.
//!
//! Layout (Redis 7.0): `HYLL`, one encoding byte (0 dense, 1 sparse), three
//! unused bytes, an 8-byte cached cardinality, then the registers: dense is
//! 16384 six-bit registers packed least-significant bit first; sparse is a
//! run-length code of ZERO (`00xxxxxx`), XZERO (`01xxxxxx yyyyyyyy`) and
//! VAL (`1vvvvvxx`) opcodes.

pub const REGISTERS: usize = 16384;
const HEADER: usize = 16;
const Q: usize = 50;
const ALPHA_INF: f64 = 0.721_347_520_444_481_7;

/// True if the string is a HyperLogLog (by its magic).
pub fn is_hll(bytes: &[u8]) -> bool {
    bytes.len() >= HEADER && bytes.starts_with(b"HYLL")
}

/// The registers, or None when the string is not a well-formed HyperLogLog.
pub fn registers(bytes: &[u8]) -> Option<Vec<u8>> {
    if !is_hll(bytes) {
        return None;
    }
    let body = &bytes[HEADER..];
    match bytes[4] {
        0 => {
            if body.len() < REGISTERS * 6 / 8 {
                return None;
            }
            let mut out = vec![0u8; REGISTERS];
            for (i, reg) in out.iter_mut().enumerate() {
                let bit = i * 6;
                let (byte, shift) = (bit / 8, bit % 8);
                let lo = body[byte] as u16;
                let hi = body.get(byte + 1).copied().unwrap_or(0) as u16;
                *reg = (((lo | (hi << 8)) >> shift) & 0x3f) as u8;
            }
            Some(out)
        }
        1 => {
            let mut out = Vec::with_capacity(REGISTERS);
            let mut i = 0;
            while i < body.len() {
                let op = body[i];
                let (value, len, width) = if op & 0xc0 == 0 {
                    (0u8, (op & 0x3f) as usize + 1, 1)
                } else if op & 0xc0 == 0x40 {
                    let next = *body.get(i + 1)? as usize;
                    (0, (((op & 0x3f) as usize) << 8 | next) + 1, 2)
                } else {
                    (((op >> 2) & 0x1f) + 1, (op & 0x3) as usize + 1, 1)
                };
                if out.len() + len > REGISTERS {
                    return None;
                }
                out.resize(out.len() + len, value);
                i += width;
            }
            (out.len() == REGISTERS).then_some(out)
        }
        _ => None,
    }
}

/// A dense HyperLogLog string holding `registers` (the type gallery
/// draws one without needing PFADD).
pub fn dense_from_registers(registers: &[u8]) -> Vec<u8> {
    let mut out = b"HYLL".to_vec();
    out.extend([0u8; 12]);
    let mut body = vec![0u8; REGISTERS * 6 / 8 + 1];
    for (i, &r) in registers.iter().take(REGISTERS).enumerate() {
        let bit = i * 6;
        let (byte, shift) = (bit / 8, bit % 8);
        let v = ((r & 0x3f) as u16) << shift;
        body[byte] |= (v & 0xff) as u8;
        body[byte + 1] |= (v >> 8) as u8;
    }
    body.pop();
    out.extend(body);
    // Cached cardinality marked stale, as after PFADD.
    out[15] = 0x80;
    out
}

/// Registers after adding `n` distinct elements, using a fixed 64-bit
/// mixer instead of Redis's MurmurHash (same statistics, other positions).
pub fn simulate(n: u64) -> Vec<u8> {
    let mut regs = vec![0u8; REGISTERS];
    for i in 0..n {
        let mut z = i.wrapping_add(0x9e37_79b9_7f4a_7c15).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 31)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 29;
        let index = (z & (REGISTERS as u64 - 1)) as usize;
        let rest = (z >> 14) | (1 << 50);
        let count = (rest.trailing_zeros() + 1) as u8;
        regs[index] = regs[index].max(count);
    }
    regs
}

fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    for _ in 0..1000 {
        x *= x;
        let previous = z;
        z += x * y;
        y += y;
        if previous == z {
            break;
        }
    }
    z
}

fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    for _ in 0..1000 {
        x = x.sqrt();
        let previous = z;
        y *= 0.5;
        z -= (1.0 - x).powi(2) * y;
        if previous == z {
            break;
        }
    }
    z / 3.0
}

/// The cardinality estimate PFCOUNT computes from these registers
/// (Redis 7.0's improved estimator).
pub fn estimate(registers: &[u8]) -> u64 {
    let m = registers.len() as f64;
    let mut histogram = [0u32; 64];
    for &r in registers {
        histogram[(r as usize).min(63)] += 1;
    }
    let mut z = m * tau((m - histogram[Q + 1] as f64) / m);
    for j in (1..=Q).rev() {
        z += histogram[j] as f64;
        z *= 0.5;
    }
    z += m * sigma(histogram[0] as f64 / m);
    (ALPHA_INF * m * m / z).round() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(encoding: u8) -> Vec<u8> {
        let mut v = b"HYLL".to_vec();
        v.push(encoding);
        v.extend([0u8; 11]);
        v
    }

    /// A sparse HLL with one register set, as PFADD of a single element makes.
    fn sparse_one(index: usize, value: u8) -> Vec<u8> {
        let mut v = header(1);
        let xzero = |n: usize, v: &mut Vec<u8>| {
            let n = n - 1;
            v.push(0x40 | (n >> 8) as u8);
            v.push((n & 0xff) as u8);
        };
        xzero(index, &mut v);
        v.push(0x80 | ((value - 1) << 2));
        xzero(REGISTERS - index - 1, &mut v);
        v
    }

    #[test]
    fn empty_hll_estimates_zero() {
        let mut v = header(1);
        v.extend([0x7f, 0xff]);
        let regs = registers(&v).unwrap();
        assert_eq!(regs.len(), REGISTERS);
        assert_eq!(estimate(&regs), 0);
    }

    #[test]
    fn one_element_estimates_one() {
        let regs = registers(&sparse_one(1000, 2)).unwrap();
        assert_eq!(regs[1000], 2);
        assert_eq!(regs.iter().filter(|&&r| r != 0).count(), 1);
        assert_eq!(estimate(&regs), 1);
    }

    #[test]
    fn dense_registers_unpack() {
        let mut v = header(0);
        let mut body = vec![0u8; REGISTERS * 6 / 8];
        // Register 1 occupies bits 6..12: value 5.
        body[0] |= 5 << 6;
        body[1] |= 5 >> 2;
        v.extend(body);
        let regs = registers(&v).unwrap();
        assert_eq!((regs[0], regs[1], regs[2]), (0, 5, 0));
    }

    #[test]
    fn dense_strings_round_trip_and_estimate_near_the_truth() {
        let regs = simulate(1000);
        let bytes = dense_from_registers(&regs);
        assert!(is_hll(&bytes));
        assert_eq!(registers(&bytes).unwrap(), regs);
        let e = estimate(&regs) as f64;
        assert!((e - 1000.0).abs() < 60.0, "{e}");
    }

    #[test]
    fn rejects_malformed_strings() {
        assert_eq!(registers(b"HYLL"), None);
        assert_eq!(registers(b"hello world, not an hll"), None);
        let mut v = header(1);
        v.extend([0x7f, 0xff, 0x00]);
        assert_eq!(registers(&v), None, "too many registers");
        let mut v = header(0);
        v.extend([0u8; 10]);
        assert_eq!(registers(&v), None, "short dense body");
    }
}
