//! LZF, the compression Redis applies to long strings in RDB files and DUMP
//! payloads. [`compress`] makes the same choices as the liblzf 3.6 build
//! Redis 7.0 ships (a 2^16-slot hash table, the "very fast" variant that
//! re-hashes only the last two positions of a match, matches allowed up to
//! the last three bytes, the same output-space checks), so its output is
//! byte-for-byte what Redis writes for the same input. One case cannot be
//! reproduced: Redis's hash table is uninitialised stack memory, so a slot
//! left over from an earlier compression that happens to point at equal
//! bytes of the current input can give Redis a match this table (which
//! starts empty) does not have.
//!
//! Format: a control byte `000LLLLL` is followed by L+1 literal bytes;
//! `LLLooooo oooooooo` is a back reference of L+2 bytes at distance
//! `o + 1`; when L is 7, an extra byte after the control byte adds to the
//! length (`111ooooo LLLLLLLL oooooooo`, length L+9).

const HASH_BITS: u32 = 16;
const HASH_SIZE: usize = 1 << HASH_BITS;
const MAX_LITERAL: usize = 32;
const MAX_OFFSET: usize = 1 << 13;
const MAX_REF: usize = (1 << 8) + (1 << 3);

/// Hash of the three bytes accumulated in `h` (older bytes linger in the
/// high bits, exactly as in liblzf).
fn slot(h: u32) -> usize {
    ((h >> (24 - HASH_BITS)).wrapping_sub(h.wrapping_mul(5)) & (HASH_SIZE as u32 - 1)) as usize
}

/// Output being built: `run` is where the current literal run's control
/// byte sits, `lit` how many literals follow it so far.
struct Out {
    bytes: Vec<u8>,
    lit: usize,
}

impl Out {
    fn open_run(&mut self) {
        self.lit = 0;
        self.bytes.push(0);
    }

    /// Writes the pending run's control byte, or drops its placeholder
    /// if the run is empty.
    fn close_run(&mut self) {
        if self.lit == 0 {
            self.bytes.pop();
        } else {
            let at = self.bytes.len() - self.lit - 1;
            self.bytes[at] = (self.lit - 1) as u8;
        }
    }

    fn literal(&mut self, b: u8) {
        self.lit += 1;
        self.bytes.push(b);
        if self.lit == MAX_LITERAL {
            self.close_run();
            self.open_run();
        }
    }
}

/// Length of the match between `input[at..]` and `input[back..]`, known to
/// share their first three bytes, measured the way liblzf does: when at
/// least 17 more bytes are allowed it first compares 16 bytes without
/// looking at the limit, so a match may end up to two bytes past `limit`.
fn match_len(input: &[u8], back: usize, at: usize, limit: usize) -> usize {
    let same = |n: usize| input[back + n] == input[at + n];
    let mut len = 2;
    if limit > 16 {
        for _ in 0..16 {
            len += 1;
            if !same(len) {
                return len;
            }
        }
    }
    len += 1;
    while len < limit && same(len) {
        len += 1;
    }
    len
}

/// Compresses `input` into at most `capacity` bytes; `None` when the input
/// is empty or the result would not fit (Redis then stores the string as is).
pub fn compress(input: &[u8], capacity: usize) -> Option<Vec<u8>> {
    let n = input.len();
    if n == 0 || capacity == 0 {
        return None;
    }
    // Position + 1 of the last occurrence of each hash (0 = none).
    let mut table = vec![0u32; HASH_SIZE];
    let mut out = Out { bytes: Vec::with_capacity(capacity), lit: 0 };
    out.open_run();
    let mut ip = 0usize;
    let mut h: u32 = if n >= 2 { (input[0] as u32) << 8 | input[1] as u32 } else { 0 };
    while ip + 2 < n {
        h = (h << 8) | input[ip + 2] as u32;
        let s = slot(h);
        let prev = table[s] as usize;
        table[s] = ip as u32 + 1;
        // A candidate must lie strictly after the first byte, within reach.
        let back = prev.checked_sub(1).filter(|&r| r > 0 && r < ip && ip - r - 1 < MAX_OFFSET);
        let found = back.filter(|&r| input[r..r + 3] == input[ip..ip + 3]);
        let Some(back) = found else {
            if out.bytes.len() >= capacity {
                return None;
            }
            out.literal(input[ip]);
            ip += 1;
            continue;
        };
        let limit = (n - ip - 2).min(MAX_REF);
        out.close_run();
        if out.bytes.len() + 4 >= capacity {
            return None;
        }
        let len = match_len(input, back, ip, limit) - 2;
        let off = ip - back - 1;
        if len < 7 {
            out.bytes.push(((off >> 8) + (len << 5)) as u8);
        } else {
            out.bytes.push(((off >> 8) + (7 << 5)) as u8);
            out.bytes.push((len - 7) as u8);
        }
        out.bytes.push(off as u8);
        out.open_run();
        ip += len + 2;
        if ip + 2 >= n {
            break;
        }
        // Index the last two positions of the match.
        ip -= 2;
        h = (input[ip] as u32) << 8 | input[ip + 1] as u32;
        for _ in 0..2 {
            h = (h << 8) | input[ip + 2] as u32;
            table[slot(h)] = ip as u32 + 1;
            ip += 1;
        }
    }
    if out.bytes.len() + 3 > capacity {
        return None;
    }
    for &b in &input[ip..] {
        out.literal(b);
    }
    out.close_run();
    Some(out.bytes)
}

/// Decompresses `input`, which must expand to exactly `expected_len`
/// bytes; `None` for any malformed stream.
pub fn decompress(input: &[u8], expected_len: usize) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::with_capacity(expected_len);
    let mut ip = 0;
    while ip < input.len() {
        let ctrl = input[ip] as usize;
        ip += 1;
        if ctrl < 32 {
            let run = input.get(ip..ip + ctrl + 1)?;
            if out.len() + run.len() > expected_len {
                return None;
            }
            out.extend_from_slice(run);
            ip += ctrl + 1;
            continue;
        }
        let mut len = ctrl >> 5;
        if len == 7 {
            len += *input.get(ip)? as usize;
            ip += 1;
        }
        let len = len + 2;
        let off = ((ctrl & 0x1f) << 8) + *input.get(ip)? as usize + 1;
        ip += 1;
        if off > out.len() || out.len() + len > expected_len {
            return None;
        }
        let start = out.len() - off;
        for i in 0..len {
            let b = out[start + i];
            out.push(b);
        }
    }
    (out.len() == expected_len).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_redis_output() {
        // DUMP of a 50-byte string on redis-server 7.0.15: 49 × 'a' then 'b'.
        let mut s = vec![b'a'; 49];
        s.push(b'b');
        let c = compress(&s, s.len() - 4).unwrap();
        assert_eq!(c, b"\x01\x61\x61\xe0\x25\x00\x01\x61\x62");
        assert_eq!(decompress(&c, s.len()).unwrap(), s);
    }

    #[test]
    fn round_trips() {
        let mut seed = 0x1234_5678_u64;
        for round in 0..300 {
            let len = round * 7 % 3000;
            let alphabet = 1 + round % 20;
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    b'a' + ((seed >> 33) as usize % alphabet) as u8
                })
                .collect();
            if let Some(c) = compress(&data, data.len() + 64) {
                assert_eq!(decompress(&c, data.len()).as_deref(), Some(&data[..]), "round {round}");
            } else {
                assert!(data.is_empty());
            }
        }
    }

    #[test]
    fn refuses_when_it_does_not_fit() {
        let data: Vec<u8> = (0..40u8).collect();
        assert_eq!(compress(&data, 36), None);
        assert!(compress(&data, 100).is_some());
    }

    #[test]
    fn decompress_rejects_garbage() {
        assert_eq!(decompress(b"\x05ab", 6), None);
        assert_eq!(decompress(b"\x20\x00", 2), None, "back reference before the start");
        assert_eq!(decompress(b"\x00a", 2), None, "too short");
        assert_eq!(decompress(b"\x00a\x20\x00", 2), None, "too long");
        assert_eq!(decompress(b"\xe0", 9), None);
    }
}
