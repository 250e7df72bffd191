//! Snapshots: the whole dataset (every database, every type, TTLs as
//! absolute times) in a versioned binary format the engine can load back.
//!
//! Layout (integers little-endian):
//! ```text
//! "RLABSNAP" | version u32 | created_ms i64 | db_count u32
//! per non-empty db:  index u32 | key_count u64
//!   per key:         key bytes | expire_ms i64 (-1 = none) | access u32 | command_count u32
//!     per command:   argc u32 | args (bytes = len u32 + data)
//! (version 2) library_count u32 | per library: its code (bytes), as FUNCTION LOAD takes it
//! trailer:           CRC-64 (Jones, as Redis's RDB) of everything before it, u64
//! ```
//! Values are stored as the commands that recreate them (`Value::rewrite`),
//! so the format does not depend on in-memory representations. `access` is
//! the key's LRU clock or LFU counter; as with Redis's RDB it is restored
//! only under an LRU/LFU `maxmemory-policy` (otherwise keys start fresh). Loading
//! builds a fresh set of databases and swaps it in only if everything
//! decoded and replayed cleanly: a damaged snapshot leaves the data intact.

use crate::clock::Clock;
use crate::db::Db;
use crate::engine::Engine;
use crate::reply::Reply;

pub const MAGIC: &[u8; 8] = b"RLABSNAP";
pub const VERSION: u32 = 2;
/// The oldest version still read (version 1 has no function libraries).
const OLDEST_VERSION: u32 = 1;

/// Why a snapshot could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotError {
    /// Not a snapshot (wrong magic bytes or too short).
    NotASnapshot,
    /// Written by a format version this engine does not read.
    UnsupportedVersion(u32),
    /// The checksum does not match: the bytes were damaged.
    ChecksumMismatch,
    /// The structure is inconsistent (truncated, impossible sizes…).
    Corrupt(String),
    /// A stored command failed when replayed.
    ReplayFailed { key: Vec<u8>, error: String },
}

impl std::fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SnapshotError::NotASnapshot => write!(f, "not a Redis Lab snapshot"),
            SnapshotError::UnsupportedVersion(v) => {
                write!(f, "snapshot format version {v} is not supported (this build reads version {VERSION})")
            }
            SnapshotError::ChecksumMismatch => write!(f, "snapshot checksum mismatch: the data is damaged"),
            SnapshotError::Corrupt(why) => write!(f, "corrupt snapshot: {why}"),
            SnapshotError::ReplayFailed { key, error } => {
                write!(f, "cannot rebuild key '{}': {error}", String::from_utf8_lossy(key))
            }
        }
    }
}

impl std::error::Error for SnapshotError {}

/// CRC-64/Jones, the checksum Redis uses for RDB files (one implementation,
/// in [`crate::rdb::crc64`]).
pub use crate::rdb::crc64::crc64;

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    out.extend_from_slice(&(b.len() as u32).to_le_bytes());
    out.extend_from_slice(b);
}

/// One stored key.
struct StoredKey {
    key: Vec<u8>,
    expire_ms: i64,
    access: u32,
    commands: Vec<Vec<Vec<u8>>>,
}

/// Serialises the databases `dbs`. Keys already expired at `now` are left out.
pub fn encode(functions: &crate::scripting::functions::Libraries, dbs: &[Db], now: i64) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&now.to_le_bytes());
    let dbs: Vec<(usize, &Db)> = dbs.iter().enumerate().filter(|(_, d)| !d.is_empty()).collect();
    out.extend_from_slice(&(dbs.len() as u32).to_le_bytes());
    for (index, db) in dbs {
        out.extend_from_slice(&(index as u32).to_le_bytes());
        let live: Vec<(&[u8], &crate::db::Entry)> = db.iter().filter(|(_, e)| !e.is_expired(now)).collect();
        out.extend_from_slice(&(live.len() as u64).to_le_bytes());
        for (key, entry) in live {
            put_bytes(&mut out, key);
            out.extend_from_slice(&entry.expire_at().unwrap_or(-1).to_le_bytes());
            out.extend_from_slice(&entry.access.to_le_bytes());
            let mut cmds = Vec::new();
            entry.value.rewrite(key, &mut cmds);
            out.extend_from_slice(&(cmds.len() as u32).to_le_bytes());
            for argv in cmds {
                out.extend_from_slice(&(argv.len() as u32).to_le_bytes());
                for a in argv {
                    put_bytes(&mut out, &a);
                }
            }
        }
    }
    let libraries = &functions.libraries;
    out.extend_from_slice(&(libraries.len() as u32).to_le_bytes());
    for lib in libraries.values() {
        put_bytes(&mut out, &lib.code);
    }
    let crc = crc64(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// A decoded snapshot: keys per database and the function libraries' code.
struct Decoded {
    dbs: Vec<(usize, Vec<StoredKey>)>,
    libraries: Vec<Vec<u8>>,
}

/// A bounds-checked reader: every length is checked against what is left,
/// so damaged input can never cause a huge allocation or a panic.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], SnapshotError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.data.len());
        let end = end.ok_or_else(|| SnapshotError::Corrupt("unexpected end of data".into()))?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn u32(&mut self) -> Result<u32, SnapshotError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Result<u64, SnapshotError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    fn bytes(&mut self) -> Result<Vec<u8>, SnapshotError> {
        let n = self.u32()? as usize;
        Ok(self.take(n)?.to_vec())
    }

    fn left(&self) -> usize {
        self.data.len() - self.pos
    }

    /// A count of items each at least `min_size` bytes long, checked
    /// against the bytes that remain.
    fn count(&mut self, wide: bool, min_size: usize) -> Result<usize, SnapshotError> {
        let n = if wide { self.u64()? } else { self.u32()? as u64 };
        if n > (self.left() / min_size.max(1)) as u64 {
            return Err(SnapshotError::Corrupt(format!("count {n} exceeds the remaining data")));
        }
        Ok(n as usize)
    }
}

/// Decodes and verifies a snapshot.
fn decode(bytes: &[u8]) -> Result<Decoded, SnapshotError> {
    if bytes.len() < MAGIC.len() + 4 + 8 || &bytes[..MAGIC.len()] != MAGIC {
        return Err(SnapshotError::NotASnapshot);
    }
    let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    if !(OLDEST_VERSION..=VERSION).contains(&version) {
        return Err(SnapshotError::UnsupportedVersion(version));
    }
    let (body, trailer) = bytes.split_at(bytes.len() - 8);
    let mut stored = [0u8; 8];
    stored.copy_from_slice(trailer);
    if crc64(body) != u64::from_le_bytes(stored) {
        return Err(SnapshotError::ChecksumMismatch);
    }
    let mut r = Reader { data: body, pos: 12 };
    let _created = r.u64()?;
    let db_count = r.count(false, 12)?;
    let mut dbs = Vec::with_capacity(db_count);
    for _ in 0..db_count {
        let index = r.u32()? as usize;
        let key_count = r.count(true, 20)?;
        let mut keys = Vec::with_capacity(key_count);
        for _ in 0..key_count {
            let key = r.bytes()?;
            let expire_ms = r.u64()? as i64;
            let access = r.u32()?;
            let cmd_count = r.count(false, 4)?;
            let mut commands = Vec::with_capacity(cmd_count);
            for _ in 0..cmd_count {
                let argc = r.count(false, 4)?;
                let mut argv = Vec::with_capacity(argc);
                for _ in 0..argc {
                    argv.push(r.bytes()?);
                }
                commands.push(argv);
            }
            keys.push(StoredKey { key, expire_ms, access, commands });
        }
        dbs.push((index, keys));
    }
    let mut libraries = Vec::new();
    if version >= 2 {
        let count = r.count(false, 4)?;
        for _ in 0..count {
            libraries.push(r.bytes()?);
        }
    }
    if r.left() != 0 {
        return Err(SnapshotError::Corrupt("trailing bytes after the last database".into()));
    }
    Ok(Decoded { dbs, libraries })
}

/// Loads function libraries into `scratch` with FUNCTION LOAD.
fn load_libraries(scratch: &mut Engine, me: crate::ClientId, libraries: &[Vec<u8>]) -> Result<(), SnapshotError> {
    for code in libraries {
        let argv = vec![b"FUNCTION".to_vec(), b"LOAD".to_vec(), code.clone()];
        if let Reply::Error(e) = scratch.execute(me, argv) {
            return Err(SnapshotError::ReplayFailed { key: b"(function library)".to_vec(), error: e.into_owned() });
        }
    }
    Ok(())
}

/// A scratch engine with the same configuration minus side effects
/// (no eviction, no notifications, no AOF), used to rebuild values.
/// Values are rebuilt by running commands, so this takes (and makes) a
/// whole engine.
fn scratch_engine(engine: &Engine) -> Engine {
    let mut config = engine.config.clone();
    config.maxmemory = 0;
    config.notify_keyspace_events = 0;
    config.appendonly = false;
    Engine::new(Clock::manual(engine.now_ms()), 0x5eed, config)
}

/// What a snapshot rebuilds: databases, libraries, and the keys loaded and
/// skipped as expired.
type Rebuilt = (Vec<Db>, crate::scripting::functions::Libraries, u64, u64);

/// Rebuilds databases and function libraries from a decoded snapshot; keys
/// whose TTL already passed are skipped. Takes the engine for its
/// configuration and clock, which the scratch engine that replays the
/// values copies.
fn rebuild(engine: &Engine, decoded: Decoded) -> Result<Rebuilt, SnapshotError> {
    let now = engine.now_ms();
    let keep_access = !matches!(
        engine.config.maxmemory_policy,
        crate::config::EvictionPolicy::NoEviction
            | crate::config::EvictionPolicy::AllKeysRandom
            | crate::config::EvictionPolicy::VolatileRandom
            | crate::config::EvictionPolicy::VolatileTtl
    );
    let mut scratch = scratch_engine(engine);
    let me = scratch.connect("snapshot:load");
    let (mut loaded, mut expired) = (0u64, 0u64);
    load_libraries(&mut scratch, me, &decoded.libraries)?;
    for (index, keys) in decoded.dbs {
        if index >= scratch.keyspace.dbs.len() {
            return Err(SnapshotError::Corrupt(format!("database {index} does not exist here")));
        }
        if let Some(c) = scratch.clients.get_mut(&me) {
            c.db = index;
        }
        for k in keys {
            if k.expire_ms >= 0 && k.expire_ms < now {
                expired += 1;
                continue;
            }
            if k.commands.is_empty() || scratch.keyspace.dbs[index].contains(&k.key) {
                return Err(SnapshotError::Corrupt("a key is stored twice or without a value".into()));
            }
            for argv in k.commands {
                let reply = scratch.execute(me, argv);
                if let Reply::Error(e) = reply {
                    return Err(SnapshotError::ReplayFailed { key: k.key, error: e.into_owned() });
                }
            }
            if !scratch.keyspace.dbs[index].contains(&k.key) {
                return Err(SnapshotError::ReplayFailed { key: k.key, error: "the commands did not create it".into() });
            }
            if k.expire_ms >= 0 {
                scratch.keyspace.dbs[index].set_expire(&k.key, k.expire_ms);
            }
            if keep_access {
                if let Some(e) = scratch.keyspace.dbs[index].get_mut(&k.key) {
                    e.access = k.access;
                }
            }
            loaded += 1;
        }
    }
    let dbs = std::mem::take(&mut scratch.keyspace.dbs);
    let libraries = std::mem::take(&mut scratch.scripts.functions);
    Ok((dbs, libraries, loaded, expired))
}

/// Swaps freshly built databases in: access data restarts, WATCHes on the
/// old data are invalidated, memory is recounted. Takes the whole engine:
/// it replaces the keyspace and resets the clients' WATCHes, the eviction
/// pool and the memory tallies together.
fn install(engine: &mut Engine, dbs: Vec<Db>) {
    engine.keyspace.dbs = dbs;
    engine.keyspace.note_bulk_change();
    for c in engine.clients.values_mut() {
        if !c.watched.is_empty() {
            c.watch_dirty = true;
        }
    }
    engine.server.eviction_pool.clear();
    engine.recount_memory();
}

impl Engine {
    /// The whole dataset as a versioned, checksummed snapshot.
    pub fn snapshot(&self) -> Vec<u8> {
        encode(&self.scripts.functions, &self.keyspace.dbs, self.now_ms())
    }

    /// Replaces the dataset with a snapshot's. On any error the current
    /// data is left exactly as it was.
    pub fn load_snapshot(&mut self, bytes: &[u8]) -> Result<(), SnapshotError> {
        let decoded = decode(bytes)?;
        let (dbs, libraries, loaded, expired) = rebuild(self, decoded)?;
        install(self, dbs);
        self.scripts.functions = libraries;
        self.server.last_load_keys = loaded;
        self.server.last_load_expired = expired;
        Ok(())
    }

    /// The append-only log (empty until `appendonly yes` or BGREWRITEAOF).
    pub fn aof_log(&self) -> &[Vec<Vec<u8>>] {
        self.server.aof.commands()
    }

    /// Replaces the dataset with the result of replaying `log` on empty
    /// databases. On an error the current data is left as it was.
    pub fn replay_aof(&mut self, log: &[Vec<Vec<u8>>]) -> Result<(), SnapshotError> {
        let mut scratch = scratch_engine(self);
        scratch.keyspace.set_loading(true);
        let me = scratch.connect("aof:replay");
        for argv in log {
            if argv.first().is_some_and(|c| c.eq_ignore_ascii_case(b"SELECT")) {
                let db = argv.get(1).and_then(|d| std::str::from_utf8(d).ok()).and_then(|d| d.parse::<usize>().ok());
                match (db, scratch.clients.get_mut(&me)) {
                    (Some(db), Some(c)) if db < scratch.keyspace.dbs.len() => c.db = db,
                    _ => return Err(SnapshotError::Corrupt("bad SELECT in the log".into())),
                }
                continue;
            }
            if let Reply::Error(e) = scratch.execute(me, argv.clone()) {
                let key = argv.get(1).cloned().unwrap_or_default();
                return Err(SnapshotError::ReplayFailed { key, error: e.into_owned() });
            }
        }
        let dbs = std::mem::take(&mut scratch.keyspace.dbs);
        install(self, dbs);
        self.scripts.functions = std::mem::take(&mut scratch.scripts.functions);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc64_matches_redis_test_vector() {
        // Redis's crc64 self-test: "123456789" → 0xe9c6d914c4b8d9ca.
        assert_eq!(crc64(b"123456789"), 0xe9c6_d914_c4b8_d9ca);
    }

    #[test]
    fn damaged_input_is_refused() {
        assert_eq!(decode(b"").err(), Some(SnapshotError::NotASnapshot));
        let mut e = Engine::with_manual_clock(1_000, 1);
        let c = e.connect("t");
        e.execute(c, vec![b"SET".to_vec(), b"k".to_vec(), b"v".to_vec()]);
        let snap = e.snapshot();
        let mut bad = snap.clone();
        let mid = bad.len() / 2;
        bad[mid] ^= 0xFF;
        assert_eq!(decode(&bad).err(), Some(SnapshotError::ChecksumMismatch));
        let mut v2 = snap.clone();
        v2[8] = 9;

        assert_eq!(decode(&v2).err(), Some(SnapshotError::UnsupportedVersion(9)));
        for cut in 0..snap.len() {
            assert!(decode(&snap[..cut]).is_err());
        }
    }
}
