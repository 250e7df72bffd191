//! Redis 7.0's RDB serialization (RDB version 10): the value encodings DUMP
//! and RESTORE exchange, and whole RDB files.
//!
//! - [`encode`] writes a value the way Redis 7.0 would for the same
//!   contents under the same configuration (string integer and LZF forms,
//!   quicklist 2 of listpacks with the middle nodes compressed under
//!   `list-compress-depth`, intsets, listpack hashes and sorted sets, ZSET_2
//!   with binary scores, streams as STREAM_LISTPACKS_2 via [`stream`]).
//! - [`decode`] reads every encoding Redis 7.0 loads (including the
//!   ziplist, zipmap, intset, quicklist v1 and STREAM_LISTPACKS forms of
//!   older versions) and refuses anything malformed or inconsistent without
//!   panicking and without building part of a value.
//! - [`stream`] is the stream layout: the listpack nodes exactly as the
//!   stream holds them (deleted entries flagged inside), the metadata, and
//!   consumer groups with their PELs and consumers.
//! - [`file`] writes and reads complete RDB files.
//!
//! # Files, for the engine
//!
//! Writing (`SAVE`, `BGSAVE`, an AOF base, `DEBUG RELOAD`):
//!
//! ```ignore
//! let opts = rdb::file::WriteOptions::from_config(&config, now_ms);
//! let aux = rdb::file::Aux { ctime: now_ms / 1000, used_mem, aof_base: false, ..Default::default() };
//! let codes: Vec<&[u8]> = libraries.codes(); // scripting::functions::Libraries
//! let bytes: Vec<u8> = rdb::file::write(&dbs, &codes, &aux, &opts)?;
//! ```
//!
//! `dbs[i]` is database `i`; `codes` are the function libraries' whole
//! codes (shebang included), written as `0xF5` records after the aux
//! fields; `WriteOptions::from_config` picks the value encodings
//! (`rdbcompression`, `list-max-listpack-size`, `list-compress-depth`) and
//! the per-key access data Redis writes for the `maxmemory-policy` (`OP_IDLE`
//! seconds under an LRU policy, `OP_FREQ` counter under an LFU one, measured
//! at `now_ms`). `Aux::repl` adds repl-stream-db / repl-id / repl-offset.
//!
//! Reading (startup, `DEBUG RELOAD`, an AOF's RDB preamble):
//!
//! ```ignore
//! let contents: rdb::file::RdbContents = rdb::file::read(&bytes, &rdb::decode::Limits::from_config(&config))?;
//! for code in &contents.libraries { /* FUNCTION LOAD each code */ }
//! for key in contents.keys { /* key.db, key.key, key.value, key.expire_at_ms, key.idle_secs, key.freq */ }
//! ```
//!
//! `read` returns everything or an error ([`file::ReadError`], whose
//! `Display` is a log line): keys with their database (the caller checks it
//! against `databases`), absolute expiry (already expired keys included, for
//! the caller to drop as a master does) and access data; the libraries'
//! codes; the aux fields; how many empty keys were skipped. Module data and
//! the 7.0 release candidates' function format are refused by name, and a
//! key present twice in one database is an error, as in Redis.

pub mod crc64;
pub mod decode;
pub mod encode;
pub mod file;
pub mod intset;
pub mod listpack;
pub mod lzf;
pub mod stream;
pub mod ziplist;

/// The RDB version Redis 7.0 writes (and the newest it reads).
pub const RDB_VERSION: u16 = 10;

/// Object type bytes.
pub mod kind {
    pub const STRING: u8 = 0;
    pub const LIST: u8 = 1;
    pub const SET: u8 = 2;
    pub const ZSET: u8 = 3;
    pub const HASH: u8 = 4;
    pub const ZSET_2: u8 = 5;
    pub const HASH_ZIPMAP: u8 = 9;
    pub const LIST_ZIPLIST: u8 = 10;
    pub const SET_INTSET: u8 = 11;
    pub const ZSET_ZIPLIST: u8 = 12;
    pub const HASH_ZIPLIST: u8 = 13;
    pub const LIST_QUICKLIST: u8 = 14;
    pub const STREAM_LISTPACKS: u8 = 15;
    pub const HASH_LISTPACK: u8 = 16;
    pub const ZSET_LISTPACK: u8 = 17;
    pub const LIST_QUICKLIST_2: u8 = 18;
    pub const STREAM_LISTPACKS_2: u8 = 19;
}

/// Why a value could not be encoded. Every value type is encoded today;
/// the error stays in the signatures for types that may not be (modules).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodeError {
    Unsupported(&'static str),
}

/// Why a DUMP payload was refused (RESTORE's two error replies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayloadError {
    /// `ERR DUMP payload version or checksum are wrong`.
    VersionOrChecksum,
    /// `ERR Bad data format`.
    BadData,
}

/// DUMP's payload: the value's type and encoding, the RDB version (2
/// bytes LE) and the CRC-64 of everything before it (8 bytes LE).
pub fn dump_payload(value: &crate::value::Value, opts: &encode::Options) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::new();
    encode::write_value(&mut out, value, opts)?;
    out.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = crc64::crc64(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    Ok(out)
}

/// The value in a DUMP payload, checked as RESTORE checks it: at least 10
/// bytes, a version not newer than 10, a matching CRC-64, then a value
/// that decodes completely. As in Redis, the value is read from the whole
/// payload: bytes after it are ignored, and a value that runs into the
/// footer reads the footer's bytes.
pub fn restore_payload(payload: &[u8], limits: &decode::Limits) -> Result<crate::value::Value, PayloadError> {
    if payload.len() < 10 {
        return Err(PayloadError::VersionOrChecksum);
    }
    let (body, footer) = payload.split_at(payload.len() - 10);
    let version = u16::from_le_bytes([footer[0], footer[1]]);
    if version > RDB_VERSION {
        return Err(PayloadError::VersionOrChecksum);
    }
    let crc = crc64::update(crc64::crc64(body), &footer[..2]);
    if crc.to_le_bytes() != footer[2..] {
        return Err(PayloadError::VersionOrChecksum);
    }
    let mut reader = decode::Reader::new(payload);
    let kind = reader.byte().ok_or(PayloadError::BadData)?;
    decode::read_value(&mut reader, kind, limits).ok_or(PayloadError::BadData)
}
