//! Redis 7.0's RDB serialization (RDB version 10): the value encodings DUMP
//! and RESTORE exchange, and whole RDB files.
//!
//! - [`encode`] writes a value the way Redis 7.0 would for the same
//!   contents under the same configuration (string integer and LZF forms,
//!   quicklist 2 of listpacks, intsets, listpack hashes and sorted sets,
//!   ZSET_2 with binary scores).
//! - [`decode`] reads every encoding Redis 7.0 loads for strings, lists,
//!   sets, sorted sets and hashes (including the ziplist, zipmap, intset and
//!   quicklist v1 forms of older versions) and refuses anything malformed
//!   without panicking.
//! - [`file`] writes and reads complete RDB files.
//!
//! Streams are not encoded or decoded yet.

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

/// Why a value could not be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodeError {
    /// Stream values are not serialized yet.
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
