//! Redis's HyperLogLog, byte for byte: the `HYLL` string layout, the sparse
//! and dense register encodings, MurmurHash64A and Ertl's estimator.
//!
//! Layout (16-byte header, then registers):
//! `"HYLL"`, encoding (0 dense, 1 sparse), 3 unused bytes, then the cached
//! cardinality as 8 little-endian bytes whose top bit (byte 15, bit 7) marks
//! the cache as stale. Dense: 16384 registers × 6 bits, least significant
//! bits first. Sparse: a run-length code of opcodes —
//! `00xxxxxx` ZERO (1‥64 empty registers), `01xxxxxx yyyyyyyy` XZERO
//! (1‥16384 empty registers), `1vvvvvxx` VAL (1‥4 registers holding 1‥32).
//!
//! Every edit follows the same steps as Redis so that the bytes (and so
//! `GET`, `STRLEN` and the moment a sketch turns dense) are identical.

/// Registers are indexed by the low 14 bits of the hash.
const P: u32 = 14;
pub const REGISTERS: usize = 1 << P;
/// Bits of the hash left for the run of zeros.
const Q: u32 = 64 - P;
const REGISTER_MAX: u8 = 63;
pub const HEADER_LEN: usize = 16;
pub const DENSE_LEN: usize = HEADER_LEN + (REGISTERS * 6).div_ceil(8);
pub const DENSE: u8 = 0;
pub const SPARSE: u8 = 1;
const MAGIC: &[u8; 4] = b"HYLL";
const ENCODING_POS: usize = 4;
const CARD_POS: usize = 8;
const STALE_BIT: u8 = 1 << 7;

const SPARSE_VAL_MAX_VALUE: u8 = 32;
const SPARSE_VAL_MAX_LEN: usize = 4;
const SPARSE_ZERO_MAX_LEN: usize = 64;
const SPARSE_XZERO_MAX_LEN: usize = 16384;

const SEED: u64 = 0xadc8_3b19;

/// The sketch's bytes do not add up to 16384 registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Corrupt;

/// MurmurHash64A (Austin Appleby), reading 8-byte blocks little-endian.
pub fn murmur64a(data: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = seed ^ (data.len() as u64).wrapping_mul(M);
    let mut blocks = data.chunks_exact(8);
    for block in &mut blocks {
        let mut word = [0u8; 8];
        word.copy_from_slice(block);
        let mut k = u64::from_le_bytes(word);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= (b as u64) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// The register an element falls in and the run length it proposes
/// (position of the first 1 bit in the remaining 50 bits, 1-based).
pub fn register_and_rank(element: &[u8]) -> (usize, u8) {
    let hash = murmur64a(element, SEED);
    let index = (hash & (REGISTERS as u64 - 1)) as usize;
    let rest = (hash >> P) | (1u64 << Q);
    (index, rest.trailing_zeros() as u8 + 1)
}

/// An empty sketch as PFADD creates it: sparse, one XZERO covering all registers.
pub fn new_sparse() -> Vec<u8> {
    let mut s = vec![0u8; HEADER_LEN];
    s[..4].copy_from_slice(MAGIC);
    s[ENCODING_POS] = SPARSE;
    let mut remaining = REGISTERS;
    while remaining > 0 {
        let run = remaining.min(SPARSE_XZERO_MAX_LEN);
        push_xzero(&mut s, run);
        remaining -= run;
    }
    s
}

/// Redis's header check for a string used as a HyperLogLog.
pub fn is_valid(bytes: &[u8]) -> bool {
    bytes.len() >= HEADER_LEN
        && &bytes[..4] == MAGIC
        && bytes[ENCODING_POS] <= SPARSE
        && (bytes[ENCODING_POS] != DENSE || bytes.len() == DENSE_LEN)
}

pub fn invalidate_cache(bytes: &mut [u8]) {
    if let Some(b) = bytes.get_mut(CARD_POS + 7) {
        *b |= STALE_BIT;
    }
}

/// The cached cardinality, if it is not marked stale.
pub fn cached_cardinality(bytes: &[u8]) -> Option<u64> {
    let card: [u8; 8] = bytes.get(CARD_POS..CARD_POS + 8)?.try_into().ok()?;
    (card[7] & STALE_BIT == 0).then(|| u64::from_le_bytes(card))
}

pub fn store_cardinality(bytes: &mut [u8], card: u64) {
    if let Some(slot) = bytes.get_mut(CARD_POS..CARD_POS + 8) {
        slot.copy_from_slice(&card.to_le_bytes());
    }
}

// ----- opcodes -------------------------------------------------------------

fn is_zero(op: u8) -> bool {
    op & 0xc0 == 0
}

fn is_xzero(op: u8) -> bool {
    op & 0xc0 == 0x40
}

fn is_val(op: u8) -> bool {
    op & 0x80 != 0
}

fn zero_len(op: u8) -> usize {
    (op & 0x3f) as usize + 1
}

fn xzero_len(op: u8, next: u8) -> usize {
    ((((op & 0x3f) as usize) << 8) | next as usize) + 1
}

fn val_value(op: u8) -> u8 {
    ((op >> 2) & 0x1f) + 1
}

fn val_len(op: u8) -> usize {
    (op & 0x3) as usize + 1
}

fn val_op(value: u8, len: usize) -> u8 {
    0x80 | ((value - 1) << 2) | (len as u8 - 1)
}

fn push_xzero(out: &mut Vec<u8>, len: usize) {
    let l = len - 1;
    out.push(0x40 | (l >> 8) as u8);
    out.push((l & 0xff) as u8);
}

fn push_zero_run(out: &mut Vec<u8>, len: usize) {
    if len > SPARSE_ZERO_MAX_LEN {
        push_xzero(out, len);
    } else {
        out.push(len as u8 - 1);
    }
}

/// A byte of the sparse code; past the end reads as 0 (Redis reads the
/// string's terminator there).
fn byte_at(bytes: &[u8], i: usize) -> u8 {
    bytes.get(i).copied().unwrap_or(0)
}

/// One decoded opcode: (registers covered, value, opcode length in bytes).
fn decode(bytes: &[u8], p: usize) -> (usize, u8, usize) {
    let op = bytes[p];
    if is_zero(op) {
        (zero_len(op), 0, 1)
    } else if is_xzero(op) {
        (xzero_len(op, byte_at(bytes, p + 1)), 0, 2)
    } else {
        (val_len(op), val_value(op), 1)
    }
}

// ----- dense registers -------------------------------------------------------

fn dense_get(regs: &[u8], index: usize) -> u8 {
    let bit = index * 6;
    let (byte, shift) = (bit / 8, bit % 8);
    let b0 = byte_at(regs, byte) as u16;
    let b1 = byte_at(regs, byte + 1) as u16;
    (((b0 >> shift) | (b1 << (8 - shift))) & REGISTER_MAX as u16) as u8
}

fn dense_put(regs: &mut [u8], index: usize, value: u8) {
    let bit = index * 6;
    let (byte, shift) = (bit / 8, bit % 8);
    let v = value as u16 & REGISTER_MAX as u16;
    let mask = REGISTER_MAX as u16;
    if let Some(b) = regs.get_mut(byte) {
        *b = ((*b as u16 & !(mask << shift)) | (v << shift)) as u8;
    }
    if let Some(b) = regs.get_mut(byte + 1) {
        let hi_shift = 8 - shift;
        *b = ((*b as u16 & !(mask >> hi_shift)) | (v >> hi_shift)) as u8;
    }
}

/// Raises a dense register to `count`; true if it changed.
fn dense_set(regs: &mut [u8], index: usize, count: u8) -> bool {
    if count > dense_get(regs, index) {
        dense_put(regs, index, count);
        true
    } else {
        false
    }
}

// ----- edits ---------------------------------------------------------------

/// Adds one element (PFADD). Ok(true) if a register changed.
pub fn add(hll: &mut Vec<u8>, element: &[u8], sparse_max_bytes: usize) -> Result<bool, Corrupt> {
    let (index, count) = register_and_rank(element);
    set_register(hll, index, count, sparse_max_bytes)
}

/// Raises register `index` to at least `count`, in either encoding.
pub fn set_register(hll: &mut Vec<u8>, index: usize, count: u8, sparse_max_bytes: usize) -> Result<bool, Corrupt> {
    match hll.get(ENCODING_POS) {
        Some(&DENSE) => Ok(dense_set(&mut hll[HEADER_LEN..], index, count)),
        Some(&SPARSE) => sparse_set(hll, index, count, sparse_max_bytes),
        _ => Err(Corrupt),
    }
}

/// Redis's `hllSparseSet`: find the opcode covering `index`, split it into
/// at most five opcodes, then merge equal neighbouring VAL opcodes. Turns
/// the sketch dense when a value exceeds 32 or the string would grow past
/// `sparse_max_bytes`.
fn sparse_set(hll: &mut Vec<u8>, index: usize, count: u8, sparse_max_bytes: usize) -> Result<bool, Corrupt> {
    if count > SPARSE_VAL_MAX_VALUE {
        return promote_and_set(hll, index, count);
    }
    let end = hll.len();
    let mut p = HEADER_LEN;
    let mut first = 0usize;
    let mut prev: Option<usize> = None;
    let mut span = 0usize;
    while p < end {
        let (run, _, oplen) = decode(hll, p);
        span = run;
        if index < first + span {
            break;
        }
        prev = Some(p);
        p += oplen;
        first += span;
    }
    if span == 0 || p >= end {
        return Err(Corrupt);
    }
    let op = hll[p];
    let (runlen, _, oldlen) = decode(hll, p);

    let mut edited = false;
    if is_val(op) {
        if val_value(op) >= count {
            return Ok(false);
        }
        if runlen == 1 {
            hll[p] = val_op(count, 1);
            edited = true;
        }
    } else if is_zero(op) && runlen == 1 {
        hll[p] = val_op(count, 1);
        edited = true;
    }

    if !edited {
        let last = first + span - 1;
        let mut seq: Vec<u8> = Vec::with_capacity(5);
        if is_val(op) {
            let current = val_value(op);
            if index != first {
                seq.push(val_op(current, index - first));
            }
            seq.push(val_op(count, 1));
            if index != last {
                seq.push(val_op(current, last - index));
            }
        } else {
            if index != first {
                push_zero_run(&mut seq, index - first);
            }
            seq.push(val_op(count, 1));
            if index != last {
                push_zero_run(&mut seq, last - index);
            }
        }
        let delta = seq.len() as isize - oldlen as isize;
        if delta > 0 && end + delta as usize > sparse_max_bytes {
            return promote_and_set(hll, index, count);
        }
        let new_len = (end as isize + delta) as usize;
        let tail = (p + oldlen).min(end);
        hll.splice(p..tail, seq);
        hll.truncate(new_len);
    }

    merge_neighbours(hll, prev.unwrap_or(HEADER_LEN));
    invalidate_cache(hll);
    Ok(true)
}

/// Joins adjacent VAL opcodes with the same value (up to 4 registers),
/// looking at no more than five opcodes from `start`, as Redis does.
fn merge_neighbours(hll: &mut Vec<u8>, start: usize) {
    let mut p = start;
    let mut budget = 5;
    while p < hll.len() && budget > 0 {
        budget -= 1;
        let op = hll[p];
        if is_xzero(op) {
            p += 2;
            continue;
        }
        if is_zero(op) {
            p += 1;
            continue;
        }
        if let Some(&next) = hll.get(p + 1) {
            if is_val(next) && val_value(op) == val_value(next) {
                let len = val_len(op) + val_len(next);
                if len <= SPARSE_VAL_MAX_LEN {
                    hll[p + 1] = val_op(val_value(op), len);
                    hll.remove(p);
                    continue;
                }
            }
        }
        p += 1;
    }
}

fn promote_and_set(hll: &mut Vec<u8>, index: usize, count: u8) -> Result<bool, Corrupt> {
    to_dense(hll)?;
    Ok(dense_set(&mut hll[HEADER_LEN..], index, count))
}

/// Converts a sparse sketch to the dense encoding (keeping the header's
/// cached cardinality). Dense sketches are left alone.
pub fn to_dense(hll: &mut Vec<u8>) -> Result<(), Corrupt> {
    if hll.get(ENCODING_POS) == Some(&DENSE) {
        return Ok(());
    }
    let mut dense = vec![0u8; DENSE_LEN];
    dense[..HEADER_LEN].copy_from_slice(&hll[..HEADER_LEN]);
    dense[ENCODING_POS] = DENSE;
    let mut index = 0usize;
    let mut p = HEADER_LEN;
    while p < hll.len() {
        let (run, value, oplen) = decode(hll, p);
        if index + run > REGISTERS {
            return Err(Corrupt);
        }
        if value > 0 {
            for i in index..index + run {
                dense_put(&mut dense[HEADER_LEN..], i, value);
            }
        }
        index += run;
        p += oplen;
    }
    if index != REGISTERS {
        return Err(Corrupt);
    }
    *hll = dense;
    Ok(())
}

/// Raises `max` (one byte per register) to this sketch's registers
/// (PFMERGE, PFCOUNT over several keys).
pub fn merge_into(max: &mut [u8; REGISTERS], hll: &[u8]) -> Result<(), Corrupt> {
    if hll.get(ENCODING_POS) == Some(&DENSE) {
        let regs = &hll[HEADER_LEN..];
        for (i, m) in max.iter_mut().enumerate() {
            *m = (*m).max(dense_get(regs, i));
        }
        return Ok(());
    }
    let mut index = 0usize;
    let mut p = HEADER_LEN;
    while p < hll.len() {
        let (run, value, oplen) = decode(hll, p);
        if value > 0 {
            if index + run > REGISTERS {
                return Err(Corrupt);
            }
            for m in &mut max[index..index + run] {
                *m = (*m).max(value);
            }
        }
        index += run;
        p += oplen;
    }
    if index != REGISTERS {
        return Err(Corrupt);
    }
    Ok(())
}

// ----- estimation ----------------------------------------------------------

/// Cardinality of a stored sketch. A sparse code that does not cover
/// exactly 16384 registers is corrupt.
pub fn count(hll: &[u8]) -> Result<u64, Corrupt> {
    let mut histogram = [0u64; 64];
    if hll.get(ENCODING_POS) == Some(&DENSE) {
        let regs = &hll[HEADER_LEN..];
        for i in 0..REGISTERS {
            histogram[dense_get(regs, i) as usize] += 1;
        }
    } else {
        let mut index = 0usize;
        let mut p = HEADER_LEN;
        while p < hll.len() {
            let (run, value, oplen) = decode(hll, p);
            index += run;
            histogram[value as usize] += run as u64;
            p += oplen;
        }
        if index != REGISTERS {
            return Err(Corrupt);
        }
    }
    Ok(estimate(&histogram))
}

/// Cardinality of one byte per register (the merged view of several keys).
pub fn count_registers(regs: &[u8; REGISTERS]) -> u64 {
    let mut histogram = [0u64; 64];
    for &r in regs.iter() {
        histogram[(r & 63) as usize] += 1;
    }
    estimate(&histogram)
}

/// Ertl's improved estimator ("New cardinality estimation algorithms for
/// HyperLogLog sketches"), as Redis 4.0+ computes it.
fn estimate(histogram: &[u64; 64]) -> u64 {
    let m = REGISTERS as f64;
    let mut z = m * tau((m - histogram[Q as usize + 1] as f64) / m);
    for j in (1..=Q as usize).rev() {
        z += histogram[j] as f64;
        z *= 0.5;
    }
    z += m * sigma(histogram[0] as f64 / m);
    let alpha_inf = 0.721_347_520_444_481_7_f64; // 1 / (2 ln 2)
    let e = (alpha_inf * m * m / z).round();
    if e.is_finite() && e >= 0.0 {
        e as u64
    } else {
        0
    }
}

/// Iterations after which the series below have long converged in f64.
const SERIES_LIMIT: usize = 10_000;

fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    for _ in 0..SERIES_LIMIT {
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
    for _ in 0..SERIES_LIMIT {
        x = x.sqrt();
        let previous = z;
        y *= 0.5;
        let d = 1.0 - x;
        z -= d * d * y;
        if previous == z {
            break;
        }
    }
    z / 3.0
}

/// PFDEBUG DECODE's text: `z:N` (ZERO), `Z:N` (XZERO), `v:value,N` (VAL).
pub fn describe_sparse(hll: &[u8]) -> String {
    let mut parts = Vec::new();
    let mut p = HEADER_LEN;
    while p < hll.len() {
        let (run, value, oplen) = decode(hll, p);
        parts.push(match (is_val(hll[p]), oplen) {
            (true, _) => format!("v:{value},{run}"),
            (false, 2) => format!("Z:{run}"),
            _ => format!("z:{run}"),
        });
        p += oplen;
    }
    parts.join(" ")
}

/// PFSELFTEST's checks: every register keeps any 6-bit value, and sparse
/// and dense sketches fed the same elements agree, within 5 standard errors.
pub fn self_test() -> Result<(), String> {
    let mut regs = vec![0u8; DENSE_LEN - HEADER_LEN];
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut expected = vec![0u8; REGISTERS];
    for (i, e) in expected.iter_mut().enumerate() {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        *e = ((seed >> 33) as u8) & REGISTER_MAX;
        dense_put(&mut regs, i, *e);
    }
    if let Some(i) = (0..REGISTERS).find(|&i| dense_get(&regs, i) != expected[i]) {
        return Err(format!("Register error at {i}"));
    }
    let mut sparse = new_sparse();
    let mut dense = new_sparse();
    to_dense(&mut dense).map_err(|_| "Dense conversion failed".to_string())?;
    let std_error = 1.04 / (REGISTERS as f64).sqrt();
    let mut checkpoint = 10u64;
    for n in 1..=1_000u64 {
        let element = n.to_le_bytes();
        let a = add(&mut sparse, &element, usize::MAX).map_err(|_| "Sparse add failed".to_string())?;
        let b = add(&mut dense, &element, usize::MAX).map_err(|_| "Dense add failed".to_string())?;
        if a != b {
            return Err(format!("Sparse and dense disagree at element {n}"));
        }
        if n == checkpoint {
            checkpoint *= 10;
            let (cs, cd) = (count(&sparse), count(&dense));
            let Ok(c) = cd else { return Err("Dense count failed".into()) };
            if cs != cd {
                return Err(format!("Sparse and dense counts differ at {n}"));
            }
            let error = (c as f64 - n as f64).abs() / n as f64;
            if error > 5.0 * std_error.max(0.01) {
                return Err(format!("Approximation error {error:.4} at {n}"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_test_passes() {
        assert_eq!(self_test(), Ok(()));
    }

    #[test]
    fn empty_sketch_is_eighteen_bytes() {
        let s = new_sparse();
        assert_eq!(s.len(), 18);
        assert_eq!(&s[16..], &[0x7f, 0xff]);
        assert_eq!(count(&s), Ok(0));
    }

    #[test]
    fn dense_registers_round_trip() {
        let mut regs = vec![0u8; DENSE_LEN - HEADER_LEN];
        for i in 0..REGISTERS {
            dense_put(&mut regs, i, (i % 64) as u8);
        }
        for i in 0..REGISTERS {
            assert_eq!(dense_get(&regs, i), (i % 64) as u8);
        }
    }

    #[test]
    fn sparse_and_dense_agree() {
        let mut sparse = new_sparse();
        for i in 0..500u32 {
            add(&mut sparse, i.to_string().as_bytes(), 1_000_000).unwrap();
        }
        let mut dense = sparse.clone();
        to_dense(&mut dense).unwrap();
        assert_eq!(count(&sparse), count(&dense));
        let mut a = [0u8; REGISTERS];
        let mut b = [0u8; REGISTERS];
        merge_into(&mut a, &sparse).unwrap();
        merge_into(&mut b, &dense).unwrap();
        assert_eq!(a, b);
    }
}
