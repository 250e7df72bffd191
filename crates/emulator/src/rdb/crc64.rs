//! CRC-64 as Redis computes it for RDB files and DUMP payloads: the Jones
//! polynomial (0xad93d23594c935a9), bits reflected, initial value 0 and no
//! final xor. The check value for `"123456789"` is 0xe9c6d914c4b8d9ca.

/// The polynomial, bit-reversed for the reflected (LSB-first) form.
const POLY_REFLECTED: u64 = 0x95ac_9329_ac4b_c9b5;

/// One table entry per byte value, built at compile time.
const TABLE: [u64; 256] = build_table();

const fn build_table() -> [u64; 256] {
    let mut table = [0u64; 256];
    let mut byte = 0;
    while byte < 256 {
        let mut crc = byte as u64;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ POLY_REFLECTED } else { crc >> 1 };
            bit += 1;
        }
        table[byte] = crc;
        byte += 1;
    }
    table
}

/// Continues a CRC over more bytes (`crc` = 0 to start).
pub fn update(crc: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(crc, |crc, &b| TABLE[((crc ^ b as u64) & 0xff) as usize] ^ (crc >> 8))
}

/// The CRC-64 of `bytes`.
pub fn crc64(bytes: &[u8]) -> u64 {
    update(0, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_value() {
        assert_eq!(crc64(b"123456789"), 0xe9c6d914c4b8d9ca);
        assert_eq!(crc64(b""), 0);
    }

    #[test]
    fn incremental_equals_whole() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 + 3) as u8).collect();
        let (a, b) = data.split_at(333);
        assert_eq!(update(update(0, a), b), crc64(&data));
    }

    #[test]
    fn matches_a_redis_dump_trailer() {
        // `SET k hello` then `DUMP k` on redis-server 7.0.15.
        assert_eq!(crc64(b"\x00\x05hello\x0a\x00"), 0x0a20_3465_76df_7263);
    }
}
