//! Whole RDB files (version 10), as `redis-server` writes and loads them.
//!
//! Layout: `REDIS0010`; auxiliary fields (`0xFA` name value: redis-ver,
//! redis-bits, ctime, used-mem, [repl-stream-db, repl-id, repl-offset],
//! aof-base); one `0xF5` FUNCTION2 record per function library (its code);
//! per non-empty database `0xFE` SELECTDB index, `0xFB` RESIZEDB key count
//! and TTL count, then each key as [`0xFC` EXPIRETIME_MS u64 LE]
//! [`0xF8` IDLE seconds | `0xF9` FREQ counter byte] type key value; `0xFF`
//! EOF and the CRC-64 of everything before it (u64 LE; 0 means "not
//! computed").

use super::{crc64, decode, encode, EncodeError};
use crate::access;
use crate::db::Db;
use crate::value::Value;

const MAGIC: &[u8] = b"REDIS0010";
/// A function library's code (Redis 7.0 GA's `RDB_OPCODE_FUNCTION2`).
const OP_FUNCTION2: u8 = 0xF5;
/// The 7.0 release candidates' format (name, engine, code), which 7.0 GA refuses.
const OP_FUNCTION_PRE_GA: u8 = 0xF6;
const OP_MODULE_AUX: u8 = 0xF7;
const OP_IDLE: u8 = 0xF8;
const OP_FREQ: u8 = 0xF9;
const OP_AUX: u8 = 0xFA;
const OP_RESIZEDB: u8 = 0xFB;
const OP_EXPIRETIME_MS: u8 = 0xFC;
const OP_EXPIRETIME: u8 = 0xFD;
const OP_SELECTDB: u8 = 0xFE;
const OP_EOF: u8 = 0xFF;
/// Value types of module data (pre-GA and version 2).
const KIND_MODULE_PRE_GA: u8 = 6;
const KIND_MODULE_2: u8 = 7;

/// Replication fields a master or replica adds to its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplInfo {
    pub stream_db: i64,
    pub id: String,
    pub offset: i64,
}

/// The auxiliary fields written after the header, in Redis's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aux {
    pub redis_ver: String,
    /// Unix seconds at which the file was made.
    pub ctime: i64,
    pub used_mem: u64,
    /// `repl-stream-db`, `repl-id`, `repl-offset` (only with replication).
    pub repl: Option<ReplInfo>,
    /// True for the RDB preamble of an AOF base file.
    pub aof_base: bool,
}

impl Default for Aux {
    fn default() -> Self {
        Aux { redis_ver: "7.0.15".into(), ctime: 0, used_mem: 0, repl: None, aof_base: false }
    }
}

/// Which access metadata each key carries (Redis's `rdbSaveKeyValuePair`:
/// the idle time under an LRU `maxmemory-policy`, the LFU counter under an
/// LFU one, nothing otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAccess {
    None,
    /// `OP_IDLE`: seconds since the last access.
    Lru,
    /// `OP_FREQ`: the LFU counter after decay (`lfu-decay-time` minutes).
    Lfu {
        decay_time: u32,
    },
}

/// How a file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOptions {
    pub values: encode::Options,
    pub access: KeyAccess,
    /// The clock idle times and LFU decay are measured against.
    pub now_ms: i64,
}

impl WriteOptions {
    pub fn from_config(config: &crate::config::Config, now_ms: i64) -> WriteOptions {
        use crate::config::EvictionPolicy::{AllKeysLru, VolatileLru};
        let access = if config.maxmemory_policy.is_lfu() {
            KeyAccess::Lfu { decay_time: config.lfu_decay_time }
        } else if matches!(config.maxmemory_policy, AllKeysLru | VolatileLru) {
            KeyAccess::Lru
        } else {
            KeyAccess::None
        };
        WriteOptions { values: encode::Options::from_config(config), access, now_ms }
    }
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions { values: encode::Options::default(), access: KeyAccess::None, now_ms: 0 }
    }
}

/// One key read back from a file.
#[derive(Debug, Clone)]
pub struct LoadedKey {
    pub db: usize,
    pub key: Vec<u8>,
    pub value: Value,
    /// Absolute expiry in Unix milliseconds (keys already expired are
    /// returned too: whether to skip them is the loader's decision, as in
    /// Redis, where a master drops them and a replica keeps them).
    pub expire_at_ms: Option<i64>,
    /// `OP_IDLE`: seconds since the last access, when the file has it.
    pub idle_secs: Option<u64>,
    /// `OP_FREQ`: the LFU counter, when the file has it.
    pub freq: Option<u8>,
}

/// Everything a file holds.
#[derive(Debug, Clone, Default)]
pub struct RdbContents {
    /// Keys in file order. Databases are numbered as in the file: the
    /// loader checks them against its `databases`.
    pub keys: Vec<LoadedKey>,
    /// The function libraries' codes, in file order.
    pub libraries: Vec<Vec<u8>>,
    /// Auxiliary fields (name, value) in file order.
    pub aux: Vec<(Vec<u8>, Vec<u8>)>,
    /// Keys skipped because their collection was empty (Redis logs
    /// "skipping empty key" and loads the rest).
    pub empty_keys_skipped: usize,
}

fn write_aux(out: &mut Vec<u8>, name: &str, value: &[u8], opts: &encode::Options) {
    out.push(OP_AUX);
    encode::write_string(out, name.as_bytes(), opts);
    encode::write_string(out, value, opts);
}

/// An RDB file holding every database in `dbs` (database `i` = `dbs[i]`)
/// and the function libraries whose codes are `libraries`. Keys already
/// expired are written too, as Redis does.
pub fn write(dbs: &[Db], libraries: &[&[u8]], aux: &Aux, opts: &WriteOptions) -> Result<Vec<u8>, EncodeError> {
    let values = &opts.values;
    let mut out = MAGIC.to_vec();
    write_aux(&mut out, "redis-ver", aux.redis_ver.as_bytes(), values);
    write_aux(&mut out, "redis-bits", b"64", values);
    write_aux(&mut out, "ctime", aux.ctime.to_string().as_bytes(), values);
    write_aux(&mut out, "used-mem", aux.used_mem.to_string().as_bytes(), values);
    if let Some(repl) = &aux.repl {
        write_aux(&mut out, "repl-stream-db", repl.stream_db.to_string().as_bytes(), values);
        write_aux(&mut out, "repl-id", repl.id.as_bytes(), values);
        write_aux(&mut out, "repl-offset", repl.offset.to_string().as_bytes(), values);
    }
    write_aux(&mut out, "aof-base", if aux.aof_base { b"1" } else { b"0" }, values);
    for code in libraries {
        out.push(OP_FUNCTION2);
        encode::write_string(&mut out, code, values);
    }
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
            match opts.access {
                KeyAccess::None => {}
                KeyAccess::Lru => {
                    out.push(OP_IDLE);
                    encode::write_len(&mut out, access::idle_ms(entry.access, opts.now_ms) / 1000);
                }
                KeyAccess::Lfu { decay_time } => {
                    out.push(OP_FREQ);
                    out.push(access::lfu_decayed_counter(entry.access, opts.now_ms, decay_time) as u8);
                }
            }
            let start = out.len();
            encode::write_value(&mut out, &entry.value, values)?;
            // The type byte comes first, then the key, then the value.
            let body = out.split_off(start + 1);
            encode::write_string(&mut out, key, values);
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
    /// The same key twice in one database (Redis stops loading).
    DuplicateKey {
        db: usize,
        key: Vec<u8>,
    },
    /// Something valid this reader does not handle: module data (aux
    /// records or module-type values) and the pre-release function format.
    Unsupported(&'static str),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotRdb => write!(f, "Wrong signature trying to load DB from file"),
            ReadError::Version(v) => write!(f, "Can't handle RDB format version {v}"),
            ReadError::Checksum => write!(f, "Wrong RDB checksum"),
            ReadError::Corrupt(at) => write!(f, "Short read or corrupt RDB data at offset {at}"),
            ReadError::DuplicateKey { db, key } => {
                write!(f, "RDB has duplicated key '{}' in DB {db}", String::from_utf8_lossy(key))
            }
            ReadError::Unsupported(what) => write!(f, "The RDB file contains {what}, which Redis Lab cannot load"),
        }
    }
}

/// Reads a whole RDB file (versions 1‥10): aux fields, function libraries
/// and every key with its database, absolute expiry and access metadata.
/// The CRC is checked unless it is 0. Nothing is returned unless the whole
/// file reads: a corrupt file gives an error, never part of its keys.
pub fn read(bytes: &[u8], limits: &decode::Limits) -> Result<RdbContents, ReadError> {
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
    let mut contents = RdbContents::default();
    let mut seen = std::collections::HashSet::new();
    let mut db = 0usize;
    let (mut expire, mut idle, mut freq) = (None, None, None);
    loop {
        let op = r.byte().ok_or_else(|| corrupt(&r))?;
        match op {
            OP_EOF => break,
            OP_SELECTDB => db = r.length().and_then(|n| usize::try_from(n).ok()).ok_or_else(|| corrupt(&r))?,
            OP_RESIZEDB => {
                r.length().and_then(|_| r.length()).ok_or_else(|| corrupt(&r))?;
            }
            OP_AUX => {
                let pair = r.string().and_then(|name| Some((name, r.string()?))).ok_or_else(|| corrupt(&r))?;
                contents.aux.push(pair);
            }
            OP_EXPIRETIME_MS => expire = Some(r.u64_le().ok_or_else(|| corrupt(&r))? as i64),
            OP_EXPIRETIME => expire = Some(r.u32_le().ok_or_else(|| corrupt(&r))? as i64 * 1000),
            OP_IDLE => idle = Some(r.length().ok_or_else(|| corrupt(&r))?),
            OP_FREQ => freq = Some(r.byte().ok_or_else(|| corrupt(&r))?),
            OP_MODULE_AUX => return Err(ReadError::Unsupported("module auxiliary data")),
            OP_FUNCTION_PRE_GA => return Err(ReadError::Unsupported("functions in the pre-release format")),
            OP_FUNCTION2 => contents.libraries.push(r.string().ok_or_else(|| corrupt(&r))?),
            KIND_MODULE_PRE_GA | KIND_MODULE_2 => return Err(ReadError::Unsupported("module data types")),
            kind => {
                let key = r.string().ok_or_else(|| corrupt(&r))?;
                let value = decode::read_object(&mut r, kind, limits).ok_or_else(|| corrupt(&r))?;
                let (expire_at_ms, idle_secs, freq) = (expire.take(), idle.take(), freq.take());
                let Some(value) = value else {
                    contents.empty_keys_skipped += 1;
                    continue;
                };
                if !seen.insert((db, key.clone())) {
                    return Err(ReadError::DuplicateKey { db, key });
                }
                contents.keys.push(LoadedKey { db, key, value, expire_at_ms, idle_secs, freq });
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
    Ok(contents)
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
        let bytes = write(&dbs, &[], &Aux::default(), &WriteOptions::default()).unwrap();
        assert!(bytes.starts_with(b"REDIS0010\xfa\x09redis-ver\x067.0.15"));
        let keys = read(&bytes, &Default::default()).unwrap().keys;
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
