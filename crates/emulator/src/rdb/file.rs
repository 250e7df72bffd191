//! Whole RDB files (version 10), as `redis-server` writes and loads them.
//!
//! Layout: `REDIS0010`; auxiliary fields (`0xFA` name value: redis-ver,
//! redis-bits, ctime, used-mem, aof-base); per non-empty database
//! `0xFE` SELECTDB index, `0xFB` RESIZEDB key count and TTL count, then each
//! key as [`0xFC` EXPIRETIME_MS u64 LE] type key value; `0xFF` EOF and the
//! CRC-64 of everything before it (u64 LE; 0 means "not computed").

use super::{crc64, decode, encode, EncodeError};
use crate::db::Db;
use crate::value::Value;

const MAGIC: &[u8] = b"REDIS0010";
const OP_AUX: u8 = 0xFA;
const OP_RESIZEDB: u8 = 0xFB;
const OP_EXPIRETIME_MS: u8 = 0xFC;
const OP_EXPIRETIME: u8 = 0xFD;
const OP_SELECTDB: u8 = 0xFE;
const OP_EOF: u8 = 0xFF;
const OP_IDLE: u8 = 0xF8;
const OP_FREQ: u8 = 0xF9;
const OP_MODULE_AUX: u8 = 0xF7;
const OP_FUNCTION: u8 = 0xF5;
const OP_FUNCTION2: u8 = 0xF6;

/// The auxiliary fields written after the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aux {
    pub redis_ver: String,
    /// Unix seconds at which the file was made.
    pub ctime: i64,
    pub used_mem: u64,
}

impl Default for Aux {
    fn default() -> Self {
        Aux { redis_ver: "7.0.15".into(), ctime: 0, used_mem: 0 }
    }
}

/// One key read back from a file.
#[derive(Debug, Clone)]
pub struct LoadedKey {
    pub db: usize,
    pub key: Vec<u8>,
    pub value: Value,
    /// Absolute expiry in Unix milliseconds.
    pub expire_at_ms: Option<i64>,
}

fn write_aux(out: &mut Vec<u8>, name: &str, value: &[u8], opts: &encode::Options) {
    out.push(OP_AUX);
    encode::write_string(out, name.as_bytes(), opts);
    encode::write_string(out, value, opts);
}

/// An RDB file holding every database in `dbs` (database `i` = `dbs[i]`).
/// Keys already expired at `now_ms` are written too, as Redis does.
pub fn write(dbs: &[Db], aux: &Aux, opts: &encode::Options) -> Result<Vec<u8>, EncodeError> {
    let mut out = MAGIC.to_vec();
    write_aux(&mut out, "redis-ver", aux.redis_ver.as_bytes(), opts);
    write_aux(&mut out, "redis-bits", b"64", opts);
    write_aux(&mut out, "ctime", aux.ctime.to_string().as_bytes(), opts);
    write_aux(&mut out, "used-mem", aux.used_mem.to_string().as_bytes(), opts);
    write_aux(&mut out, "aof-base", b"0", opts);
    for (index, db) in dbs.iter().enumerate().filter(|(_, db)| !db.is_empty()) {
        out.push(OP_SELECTDB);
        encode::write_len(&mut out, index as u64);
        out.push(OP_RESIZEDB);
        encode::write_len(&mut out, db.len() as u64);
        encode::write_len(&mut out, db.volatile_len() as u64);
        for (key, entry) in db.iter() {
            if let Some(at) = entry.expire_at() {
                out.push(OP_EXPIRETIME_MS);
                out.extend_from_slice(&at.to_le_bytes());
            }
            let start = out.len();
            encode::write_value(&mut out, &entry.value, opts)?;
            // The type byte comes first, then the key, then the value.
            let body = out.split_off(start + 1);
            encode::write_string(&mut out, key, opts);
            out.extend_from_slice(&body);
        }
    }
    out.push(OP_EOF);
    let crc = crc64::crc64(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    Ok(out)
}

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    NotRdb,
    /// A newer version than 10.
    Version(u32),
    Checksum,
    /// Malformed data at this byte offset.
    Corrupt(usize),
    /// Something valid this reader does not handle (modules, functions, streams).
    Unsupported(&'static str),
}

/// Reads a whole RDB file (versions 1‥10): every key with its database and
/// absolute expiry. The CRC is checked unless it is 0.
pub fn read(bytes: &[u8], limits: &decode::Limits) -> Result<Vec<LoadedKey>, ReadError> {
    if bytes.len() < 9 || &bytes[..5] != b"REDIS" {
        return Err(ReadError::NotRdb);
    }
    let version: u32 = std::str::from_utf8(&bytes[5..9]).ok().and_then(|v| v.parse().ok()).ok_or(ReadError::NotRdb)?;
    if !(1..=10).contains(&version) {
        return Err(ReadError::Version(version));
    }
    let mut r = decode::Reader::new(bytes);
    r.take(9).ok_or(ReadError::NotRdb)?;
    let corrupt = |r: &decode::Reader| ReadError::Corrupt(r.position());
    let mut keys = Vec::new();
    let (mut db, mut expire) = (0usize, None);
    loop {
        let op = r.byte().ok_or_else(|| corrupt(&r))?;
        match op {
            OP_EOF => break,
            OP_SELECTDB => db = r.length().and_then(|n| usize::try_from(n).ok()).ok_or_else(|| corrupt(&r))?,
            OP_RESIZEDB => {
                r.length().and_then(|_| r.length()).ok_or_else(|| corrupt(&r))?;
            }
            OP_AUX => {
                r.string().and_then(|_| r.string()).ok_or_else(|| corrupt(&r))?;
            }
            OP_EXPIRETIME_MS => expire = Some(r.u64_le().ok_or_else(|| corrupt(&r))? as i64),
            OP_EXPIRETIME => expire = Some(r.u32_le().ok_or_else(|| corrupt(&r))? as i64 * 1000),
            OP_IDLE => {
                r.length().ok_or_else(|| corrupt(&r))?;
            }
            OP_FREQ => {
                r.byte().ok_or_else(|| corrupt(&r))?;
            }
            OP_MODULE_AUX => return Err(ReadError::Unsupported("module data")),
            OP_FUNCTION | OP_FUNCTION2 => return Err(ReadError::Unsupported("functions")),
            kind => {
                let key = r.string().ok_or_else(|| corrupt(&r))?;
                if matches!(kind, super::kind::STREAM_LISTPACKS | super::kind::STREAM_LISTPACKS_2) {
                    return Err(ReadError::Unsupported("streams"));
                }
                let value = decode::read_value(&mut r, kind, limits).ok_or_else(|| corrupt(&r))?;
                keys.push(LoadedKey { db, key, value, expire_at_ms: expire.take() });
            }
        }
    }
    let end = r.position();
    if version >= 5 {
        let crc = r.u64_le().ok_or_else(|| corrupt(&r))?;
        if crc != 0 && crc != crc64::crc64(&bytes[..end]) {
            return Err(ReadError::Checksum);
        }
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_reads_back() {
        let mut dbs = vec![Db::new(), Db::new()];
        dbs[0].set(b"a", Value::string("1"), false);
        dbs[1].set(b"b", Value::string("hello"), false);
        dbs[1].set_expire(b"b", 1234);
        let bytes = write(&dbs, &Aux::default(), &encode::Options::default()).unwrap();
        assert!(bytes.starts_with(b"REDIS0010\xfa\x09redis-ver\x067.0.15"));
        let keys = read(&bytes, &Default::default()).unwrap();
        let summary: Vec<_> = keys.iter().map(|k| (k.db, k.key.clone(), k.expire_at_ms)).collect();
        assert_eq!(summary, vec![(0, b"a".to_vec(), None), (1, b"b".to_vec(), Some(1234))]);
        let mut bad = bytes.clone();
        let at = bad.len() - 3;
        bad[at] ^= 1;
        assert_eq!(read(&bad, &Default::default()).unwrap_err(), ReadError::Checksum);
        for cut in 0..bytes.len() {
            assert!(read(&bytes[..cut], &Default::default()).is_err(), "truncated at {cut}");
        }
    }
}
