//! Saving and loading, as a Redis 7.0 server does it against its `dir`
//! (kept by [`crate::disk`]): `dump.rdb` from SAVE, BGSAVE, save points and
//! DEBUG RELOAD; the multi-part AOF (`appendonlydir/` with its manifest, a
//! base file and an incr file) from `appendonly yes` and BGREWRITEAOF;
//! loading at start (the AOF when `appendonly yes`, else `dump.rdb`); and
//! `DEBUG CRASH-AND-RECOVER`, a restart from what had reached the disk.
//!
//! Every load is all-or-nothing: the new dataset is built apart and
//! swapped in only when the whole file was read; on an error the data in
//! memory is left as it was.

use crate::aof::{self, Layout, Tail};
use crate::clock::Clock;
use crate::db::Db;
use crate::disk::{DiskWrite, FsyncPolicy};
use crate::engine::Engine;
use crate::rdb::{self, file::ReadError};
use crate::reply::Reply;

/// Why the dataset could not be saved as an RDB file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveError {
    /// Something this build cannot write to an RDB file yet.
    Unsupported(&'static str),
}

impl std::fmt::Display for SaveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SaveError::Unsupported(what) => write!(f, "{what} cannot be written to an RDB file by this build yet"),
        }
    }
}

impl std::error::Error for SaveError {}

/// Why a file could not be loaded. The data in memory is unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The RDB file (or an AOF's RDB base) is not one this build reads.
    Rdb { file: String, error: ReadError },
    /// A key names a database past `databases`.
    Database { file: String, db: usize },
    /// The same key twice in one database.
    DuplicateKey { file: String, key: Vec<u8> },
    /// The manifest, or an AOF file it names, is missing or malformed.
    Aof { file: String, reason: String },
    /// The AOF ends in the middle of a command and `aof-load-truncated` is no.
    Truncated { file: String, offset: usize },
    /// A command in the AOF is not one this server knows.
    UnknownCommand { file: String, name: String },
    /// A function library in the file does not load.
    Function { file: String, error: String },
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Rdb { file, error } => {
                let why = match error {
                    ReadError::NotRdb => "wrong signature trying to load DB from file".to_string(),
                    ReadError::Version(v) => format!("can't handle RDB format version {v}"),
                    ReadError::Checksum => "wrong RDB checksum, the file is damaged".to_string(),
                    ReadError::Corrupt(at) => format!("short read or corrupt data at offset {at}"),
                    other => other.to_string(),
                };
                write!(f, "{file}: {why}")
            }
            LoadError::Database { file, db } => write!(f, "{file}: database {db} is out of range"),
            LoadError::DuplicateKey { file, key } => {
                write!(f, "{file}: duplicate key '{}'", String::from_utf8_lossy(key))
            }
            LoadError::Aof { file, reason } => write!(f, "{file}: {reason}"),
            LoadError::Truncated { file, offset } => write!(
                f,
                "{file}: unexpected end of file at offset {offset} (aof-load-truncated is no: \
                 truncate the file to {offset} bytes with redis-check-aof --fix)"
            ),
            LoadError::UnknownCommand { file, name } => {
                write!(f, "{file}: unknown command '{name}' reading the append only file")
            }
            LoadError::Function { file, error } => write!(f, "{file}: a function library does not load: {error}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// What a start from disk loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BootReport {
    /// "dump.rdb", "appendonlydir/appendonly.aof.manifest", or None when
    /// there was nothing to load.
    pub source: Option<String>,
    pub keys: u64,
    /// Set when the AOF's truncated tail was dropped: the file and its new length.
    pub truncated: Option<(String, usize)>,
    /// Bytes a simulated power loss dropped (`DEBUG CRASH-AND-RECOVER`).
    pub lost_bytes: usize,
}

fn config_text<'a>(engine: &'a Engine, name: &str, default: &'a str) -> &'a str {
    engine.config.extra.get(name).map_or(default, String::as_str)
}

fn dbfilename(engine: &Engine) -> String {
    config_text(engine, "dbfilename", "dump.rdb").to_string()
}

fn aof_names(engine: &Engine) -> (String, String) {
    (
        config_text(engine, "appenddirname", "appendonlydir").to_string(),
        config_text(engine, "appendfilename", "appendonly.aof").to_string(),
    )
}

fn yes(engine: &Engine, name: &str) -> bool {
    config_text(engine, name, "yes") != "no"
}

/// The save points of `save "3600 1 300 100"`: (seconds, changes).
pub fn save_points(save: &str) -> Vec<(i64, u64)> {
    let words: Vec<&str> = save.split_whitespace().collect();
    words.chunks(2).filter_map(|p| Some((p.first()?.parse().ok()?, p.get(1)?.parse().ok()?))).collect()
}

// ----- RDB ---------------------------------------------------------------

/// The dataset as an RDB file: function libraries, then every database,
/// with LRU/LFU access data under an LRU/LFU `maxmemory-policy`.
fn rdb_bytes(engine: &Engine) -> Result<Vec<u8>, SaveError> {
    let aux = rdb::file::Aux {
        ctime: engine.now_ms().div_euclid(1000),
        used_mem: engine.used_memory(),
        ..Default::default()
    };
    let opts = rdb::file::WriteOptions::from_config(&engine.config, engine.now_ms());
    let libraries = engine.scripts.functions.codes();
    rdb::file::write(&engine.keyspace.dbs, &libraries, &aux, &opts).map_err(|e| match e {
        rdb::EncodeError::Unsupported(what) => SaveError::Unsupported(what),
    })
}

/// What an RDB file builds before it is swapped in.
struct RdbLoad {
    dbs: Vec<Db>,
    functions: crate::scripting::functions::Libraries,
    loaded: u64,
    expired: u64,
}

/// Builds databases and function libraries from an RDB file, skipping keys
/// whose TTL passed; access data (IDLE/FREQ records) is kept under an
/// LRU/LFU policy, as Redis does.
fn read_rdb(engine: &Engine, file: &str, bytes: &[u8]) -> Result<RdbLoad, LoadError> {
    let limits = rdb::decode::Limits::from_config(&engine.config);
    let contents = rdb::file::read(bytes, &limits).map_err(|error| LoadError::Rdb { file: file.into(), error })?;
    let now = engine.now_ms();
    let policy = engine.config.maxmemory_policy;
    let mut dbs: Vec<Db> = (0..engine.keyspace.dbs.len()).map(|_| Db::new()).collect();
    let (mut loaded, mut expired) = (0, 0);
    for k in contents.keys {
        let db = dbs.get_mut(k.db).ok_or(LoadError::Database { file: file.into(), db: k.db })?;
        if db.contains(&k.key) {
            return Err(LoadError::DuplicateKey { file: file.into(), key: k.key });
        }
        if k.expire_at_ms.is_some_and(|at| at <= now) {
            expired += 1;
            continue;
        }
        db.set(&k.key, k.value, false);
        if let Some(at) = k.expire_at_ms {
            db.set_expire(&k.key, at);
        }
        if let Some(entry) = db.get_mut(&k.key) {
            crate::access::init(entry, now, policy);
            crate::access::restore(entry, now, policy, k.idle_secs, k.freq);
        }
        loaded += 1;
    }
    let functions = libraries_from_codes(engine, file, &contents.libraries)?;
    Ok(RdbLoad { dbs, functions, loaded, expired })
}

/// Function libraries built from their codes, as FUNCTION LOAD builds them
/// (on a scratch engine, so nothing changes unless all of them load).
fn libraries_from_codes(
    engine: &Engine,
    file: &str,
    codes: &[Vec<u8>],
) -> Result<crate::scripting::functions::Libraries, LoadError> {
    if codes.is_empty() {
        return Ok(Default::default());
    }
    let mut scratch = scratch_engine(engine);
    let me = scratch.connect("rdb:load");
    for code in codes {
        if let Reply::Error(e) = scratch.execute(me, vec![b"FUNCTION".to_vec(), b"LOAD".to_vec(), code.clone()]) {
            return Err(LoadError::Function { file: file.into(), error: e.to_string() });
        }
    }
    Ok(std::mem::take(&mut scratch.scripts.functions))
}

/// Swaps freshly built databases in: WATCHes on the old data are
/// invalidated, the eviction pool emptied, memory recounted.
fn install(engine: &mut Engine, dbs: Vec<Db>, functions: crate::scripting::functions::Libraries) {
    engine.keyspace.dbs = dbs;
    engine.keyspace.note_bulk_change();
    for c in engine.clients.values_mut() {
        if !c.watched.is_empty() {
            c.watch_dirty = true;
        }
    }
    engine.scripts.functions = functions;
    engine.server.eviction_pool.clear();
    engine.recount_memory();
}

/// SAVE, BGSAVE, a save point, SHUTDOWN: writes `dbfilename`. The save
/// time and change counter move only on success.
pub(crate) fn save(engine: &mut Engine) -> Result<(), SaveError> {
    let now_s = engine.now_ms().div_euclid(1000);
    engine.server.last_bgsave_try_s = now_s;
    let bytes = match rdb_bytes(engine) {
        Ok(b) => b,
        Err(e) => {
            engine.server.last_bgsave_ok = false;
            return Err(e);
        }
    };
    let path = dbfilename(engine);
    engine.server.disk.replace(&path, bytes);
    let s = &mut engine.server;
    s.last_bgsave_ok = true;
    s.last_save_s = now_s;
    s.dirty = 0;
    s.saves += 1;
    Ok(())
}

// ----- AOF ---------------------------------------------------------------

/// Moves the commands logged since the last call into the current incr
/// file, and brings the fsync model up to the clock.
pub(crate) fn flush(engine: &mut Engine) {
    let now = engine.now_ms();
    let policy = FsyncPolicy::from_config(&engine.config);
    if !engine.server.aof.buf.is_empty() {
        let buf = engine.server.aof.take_buf();
        // The same commands are the replication stream.
        engine.feed_stream(&buf);
        let s = &mut engine.server;
        if let Some(path) = s.aof.layout.as_ref().and_then(Layout::current_incr).filter(|_| s.aof.is_enabled()) {
            s.disk.append(&path, &buf, now, policy);
        }
    }
    engine.server.disk.catch_up(now, policy);
}

/// Marks an RDB file as an AOF base (its `aof-base` aux field 1, as
/// Redis writes base files) and recomputes the checksum. A file without
/// the field as `rdb::file` writes it is returned unchanged.
fn mark_aof_base(mut bytes: Vec<u8>) -> Vec<u8> {
    const FIELD: &[u8] = b"\xfa\x08aof-base\xc0\x00";
    let Some(at) = bytes.windows(FIELD.len()).position(|w| w == FIELD) else { return bytes };
    if bytes.len() < 8 + at + FIELD.len() {
        return bytes;
    }
    bytes[at + FIELD.len() - 1] = 1;
    let end = bytes.len() - 8;
    let crc = rdb::crc64::crc64(&bytes[..end]);
    bytes[end..].copy_from_slice(&crc.to_le_bytes());
    bytes
}

/// The base file of a rewrite: the dataset as RDB (`aof-use-rdb-preamble
/// yes`, when it can be written as RDB) or as commands.
fn base_file(engine: &Engine) -> (Vec<u8>, &'static str) {
    if yes(engine, "aof-use-rdb-preamble") {
        if let Ok(bytes) = rdb_bytes(engine) {
            return (mark_aof_base(bytes), "rdb");
        }
    }
    let now = engine.now_ms();
    let mut out = Vec::new();
    for argv in aof::rewrite_dataset(&engine.scripts.functions, &engine.keyspace.dbs, now) {
        aof::encode_command(&mut out, &argv);
    }
    (out, "aof")
}

/// BGREWRITEAOF, and the start of the AOF: a new base file holding the
/// dataset and a new empty incr file, the manifest naming them, the old
/// files removed (Redis 7.0's names and sequence numbers).
pub(crate) fn rewrite_aof(engine: &mut Engine) {
    flush(engine);
    let (dir, filename) = aof_names(engine);
    let (data, ext) = base_file(engine);
    let old = engine.server.aof.layout.take();
    let base_seq = old.as_ref().map_or(1, |l| l.base_seq + 1);
    let incr_seq = old.as_ref().and_then(|l| l.incr.last().map(|i| i.1 + 1)).unwrap_or(1);
    let base = format!("{filename}.{base_seq}.base.{ext}");
    // With the AOF off there is only the base file, as in Redis 7.0.
    let incr = format!("{filename}.{incr_seq}.incr.aof");
    let on = engine.server.aof.is_enabled();
    let incrs = if on { vec![(incr.clone(), incr_seq)] } else { Vec::new() };
    let layout = Layout { dir: dir.clone(), base: Some(base.clone()), base_seq, incr: incrs };
    let disk = &mut engine.server.disk;
    disk.replace(&layout.path(&base), data);
    if on {
        disk.replace(&layout.path(&incr), Vec::new());
    }
    disk.replace(&layout.manifest_path(&filename), layout.manifest());
    if let Some(old) = old {
        let names = old.base.iter().chain(old.incr.iter().map(|i| &i.0));
        for name in names.filter(|n| **n != base && **n != incr) {
            disk.remove(&old.path(name));
        }
    }
    let aof = &mut engine.server.aof;
    aof.layout = Some(layout);
    aof.reset_selected_db();
    aof.rewrites += 1;
    aof.base_made_at_start = false;
}

/// An AOF whose manifest names no incr file (rewritten while the AOF was
/// off) gets a new one at start, as Redis 7.0 does.
fn open_incr_if_missing(engine: &mut Engine) {
    let (_, filename) = aof_names(engine);
    let Some(layout) = engine.server.aof.layout.as_mut() else { return };
    if !layout.incr.is_empty() {
        return;
    }
    let seq = 1;
    let name = format!("{filename}.{seq}.incr.aof");
    layout.incr.push((name.clone(), seq));
    let (path, manifest, manifest_path) = (layout.path(&name), layout.manifest(), layout.manifest_path(&filename));
    engine.server.disk.replace(&path, Vec::new());
    engine.server.disk.replace(&manifest_path, manifest);
}

/// `appendonly yes|no` at run time. Switching on starts with a rewrite,
/// as Redis does.
pub(crate) fn set_appendonly(engine: &mut Engine, on: bool) {
    match (on, engine.server.aof.is_enabled()) {
        (true, false) => {
            engine.server.aof.set_enabled_flag(true);
            rewrite_aof(engine);
        }
        (false, true) => {
            flush(engine);
            engine.server.aof.set_enabled_flag(false);
        }
        _ => {}
    }
}

/// Sizes for INFO: (`aof_current_size`, `aof_base_size`).
pub(crate) fn aof_sizes(engine: &Engine) -> (usize, usize) {
    let Some(layout) = &engine.server.aof.layout else { return (0, 0) };
    let disk = &engine.server.disk;
    let size = |name: &str| disk.get(&layout.path(name)).map_or(0, <[u8]>::len);
    let base = if engine.server.aof.base_made_at_start { 0 } else { layout.base.as_deref().map_or(0, size) };
    let incr: usize = layout.incr.iter().map(|(n, _)| size(n)).sum();
    (base + incr + engine.server.aof.buf.len(), base)
}

/// A scratch engine with the same configuration minus side effects (no
/// eviction, notifications or AOF), in which an AOF is replayed.
fn scratch_engine(engine: &Engine) -> Engine {
    let mut config = engine.config.clone();
    config.maxmemory = 0;
    config.notify_keyspace_events = 0;
    config.appendonly = false;
    config.save = String::new();
    Engine::new(Clock::manual(engine.now_ms()), 0x5eed, config)
}

/// What an AOF load builds before it is swapped in.
struct AofLoad {
    layout: Layout,
    scratch: Engine,
    keys: u64,
    truncated: Option<(String, usize)>,
}

/// Reads the AOF named by the manifest on the disk. `Ok(None)` when there
/// is no manifest (no AOF yet).
fn read_aof(engine: &Engine) -> Result<Option<AofLoad>, LoadError> {
    let (dir, filename) = aof_names(engine);
    let manifest_path = format!("{dir}/{filename}.manifest");
    let Some(manifest) = engine.server.disk.get(&manifest_path) else { return Ok(None) };
    let layout = Layout::parse_manifest(&dir, manifest)
        .map_err(|reason| LoadError::Aof { file: manifest_path.clone(), reason })?;
    let mut scratch = scratch_engine(engine);
    scratch.keyspace.set_loading(true);
    let me = scratch.connect("aof:load");
    let disk = &engine.server.disk;
    let missing = |path: &str| LoadError::Aof { file: path.to_string(), reason: "the file does not exist".into() };
    let allow_truncated = yes(engine, "aof-load-truncated");
    let mut truncated = None;
    let mut keys = 0;
    let last = layout.incr.len();
    let files = layout
        .base
        .iter()
        .map(|b| (b, false))
        .chain(layout.incr.iter().enumerate().map(|(i, f)| (&f.0, i + 1 == last)));
    for (name, is_last) in files {
        let path = layout.path(name);
        let bytes = disk.get(&path).ok_or_else(|| missing(&path))?;
        if bytes.starts_with(b"REDIS") {
            let base = read_rdb(&scratch, &path, bytes)?;
            scratch.keyspace.dbs = base.dbs;
            scratch.scripts.functions = base.functions;
            keys += base.loaded;
            continue;
        }
        let (commands, tail) =
            aof::parse_commands(bytes).map_err(|reason| LoadError::Aof { file: path.clone(), reason })?;
        if let Tail::Truncated(offset) = tail {
            if !is_last || !allow_truncated {
                return Err(LoadError::Truncated { file: path, offset });
            }
            truncated = Some((path.clone(), offset));
        }
        replay(&mut scratch, me, &path, commands)?;
    }
    Ok(Some(AofLoad { layout, scratch, keys, truncated }))
}

/// Runs AOF commands on the scratch engine. As in Redis, a command's error
/// reply does not stop the load; an unknown command does.
fn replay(scratch: &mut Engine, me: crate::ClientId, file: &str, commands: Vec<Vec<Vec<u8>>>) -> Result<(), LoadError> {
    for argv in commands {
        if let Reply::Error(e) = scratch.execute(me, argv.clone()) {
            if e.starts_with("ERR unknown command") {
                let name = String::from_utf8_lossy(argv.first().map_or(&[][..], |a| a)).into_owned();
                return Err(LoadError::UnknownCommand { file: file.to_string(), name });
            }
        }
    }
    Ok(())
}

/// Loads the AOF on the disk into the engine (start, DEBUG LOADAOF,
/// recovery). With no AOF the dataset becomes empty, as in Redis.
fn load_aof(engine: &mut Engine, report: &mut BootReport) -> Result<(), LoadError> {
    match read_aof(engine)? {
        None => {
            let dbs = (0..engine.keyspace.dbs.len()).map(|_| Db::new()).collect();
            install(engine, dbs, Default::default());
            engine.server.aof.layout = None;
        }
        Some(mut load) => {
            let dbs = std::mem::take(&mut load.scratch.keyspace.dbs);
            let functions = std::mem::take(&mut load.scratch.scripts.functions);
            install(engine, dbs, functions);
            if let Some((path, len)) = &load.truncated {
                engine.server.disk.truncate(path, *len);
            }
            let (_, filename) = aof_names(engine);
            report.source = Some(load.layout.manifest_path(&filename));
            report.keys = engine.keyspace.dbs.iter().map(|d| d.len() as u64).sum();
            engine.server.last_load_keys = load.keys;
            report.truncated = load.truncated;
            engine.server.aof.layout = Some(load.layout);
            engine.server.aof.reset_selected_db();
        }
    }
    Ok(())
}

/// Starts from the disk as Redis does: the AOF when `appendonly yes`
/// (creating one when there is none), else `dbfilename`.
fn boot(engine: &mut Engine) -> Result<BootReport, LoadError> {
    let mut report = BootReport::default();
    engine.server.aof.set_enabled_flag(false);
    engine.server.aof.layout = None;
    if engine.config.appendonly {
        load_aof(engine, &mut report)?;
        engine.server.aof.set_enabled_flag(true);
        if engine.server.aof.layout.is_none() {
            rewrite_aof(engine);
            engine.server.aof.rewrites = 0;
            engine.server.aof.base_made_at_start = true;
        }
        open_incr_if_missing(engine);
    } else {
        let path = dbfilename(engine);
        if let Some(bytes) = engine.server.disk.get(&path) {
            let load = read_rdb(engine, &path, bytes)?;
            install(engine, load.dbs, load.functions);
            engine.server.last_load_keys = load.loaded;
            engine.server.last_load_expired = load.expired;
            report.source = Some(path);
            report.keys = load.loaded;
        } else {
            let dbs = (0..engine.keyspace.dbs.len()).map(|_| Db::new()).collect();
            install(engine, dbs, Default::default());
        }
    }
    let s = &mut engine.server;
    s.dirty = 0;
    s.last_save_s = engine.clock.now_ms().div_euclid(1000);
    Ok(report)
}

/// The periodic work of persistence (part of `Engine::tick`): the AOF
/// buffer flushed, fsyncs modelled, save points and the automatic AOF
/// rewrite checked.
pub(crate) fn cron(engine: &mut Engine) {
    flush(engine);
    let now_s = engine.now_ms().div_euclid(1000);
    let s = &engine.server;
    let retry_ok = s.last_bgsave_ok || now_s - s.last_bgsave_try_s > 5;
    let due = save_points(&engine.config.save)
        .into_iter()
        .any(|(secs, changes)| s.dirty >= changes && now_s - s.last_save_s > secs);
    if due && retry_ok {
        let _ = save(engine);
    }
    if engine.server.aof.is_enabled() {
        let percent: u64 = config_text(engine, "auto-aof-rewrite-percentage", "100").parse().unwrap_or(100);
        let min_size: u64 = config_text(engine, "auto-aof-rewrite-min-size", "67108864").parse().unwrap_or(67108864);
        let (current, base) = aof_sizes(engine);
        let (current, base) = (current as u64, base as u64);
        if percent > 0 && current > min_size && (current - base) * 100 / base.max(1) >= percent {
            rewrite_aof(engine);
        }
    }
}

impl Engine {
    /// The dataset as an RDB file (version 10), as SAVE would write it.
    pub fn rdb_file(&self) -> Result<Vec<u8>, SaveError> {
        rdb_bytes(self)
    }

    /// Replaces the dataset with an RDB file's (keys whose TTL passed are
    /// skipped). On any error the data is left exactly as it was.
    pub fn load_rdb(&mut self, bytes: &[u8]) -> Result<(), LoadError> {
        let load = read_rdb(self, "RDB", bytes)?;
        install(self, load.dbs, load.functions);
        self.server.last_load_keys = load.loaded;
        self.server.last_load_expired = load.expired;
        Ok(())
    }

    /// The files of the current AOF (manifest first), with their contents
    /// including commands logged but not yet flushed.
    pub fn aof_files(&self) -> Vec<(String, Vec<u8>)> {
        let (_, filename) = aof_names(self);
        let Some(layout) = &self.server.aof.layout else { return Vec::new() };
        let manifest = layout.manifest_path(&filename);
        let names = layout.base.iter().chain(layout.incr.iter().map(|i| &i.0)).map(|n| layout.path(n));
        let files = std::iter::once(manifest).chain(names);
        files.filter_map(|p| self.server.disk.get(&p).map(|d| (p.clone(), self.with_pending(&p, d)))).collect()
    }

    /// The AOF as one `appendonly.aof` file, the single-file form Redis 7.0
    /// still loads (and migrates into `appendonlydir/`): with `appendonly
    /// yes`, the base file followed by the incr files, so the commands
    /// logged since the last rewrite are there to read; otherwise the file
    /// a rewrite would make now (an RDB preamble under
    /// `aof-use-rdb-preamble yes`, else commands).
    pub fn aof_file(&mut self) -> Vec<u8> {
        let files = self.aof_files();
        if files.len() > 1 {
            return files.into_iter().skip(1).flat_map(|(_, data)| data).collect();
        }
        base_file(self).0
    }

    /// Every file on the engine's disk, by path relative to `dir`.
    pub fn disk_files(&self) -> Vec<(String, Vec<u8>)> {
        self.server.disk.files().map(|(p, d)| (p.to_string(), self.with_pending(p, d))).collect()
    }

    /// A file's contents, plus the logged commands not yet flushed when it
    /// is the current incr file.
    fn with_pending(&self, path: &str, data: &[u8]) -> Vec<u8> {
        let aof = &self.server.aof;
        let current = aof.layout.as_ref().and_then(Layout::current_incr);
        let mut out = data.to_vec();
        if current.as_deref() == Some(path) {
            out.extend_from_slice(&aof.buf);
        }
        out
    }

    /// How many bytes of `path` would survive a power loss now.
    pub fn disk_synced_len(&mut self, path: &str) -> usize {
        flush(self);
        self.server.disk.synced_len(path)
    }

    /// Keeps every change to the disk for [`Engine::take_disk_writes`]
    /// (for a host that mirrors the files; off by default).
    pub fn record_disk_writes(&mut self, on: bool) {
        self.server.disk.record_writes(on);
    }

    /// The changes to the disk since the last call, in order (AOF
    /// commands logged so far included).
    pub fn take_disk_writes(&mut self) -> Vec<DiskWrite> {
        flush(self);
        self.server.disk.take_writes()
    }

    /// Starts from `files` (paths relative to `dir`, as a host found them):
    /// the AOF when `appendonly yes` (created if missing), else the RDB
    /// file. On an error the engine is left empty and should not serve.
    pub fn boot_from_disk(&mut self, files: Vec<(String, Vec<u8>)>) -> Result<BootReport, LoadError> {
        self.server.disk.install(files);
        boot(self)
    }

    /// A power loss and a restart: every file keeps only what had been
    /// fsynced, then the data is loaded from the disk as at start.
    pub fn crash_and_recover(&mut self) -> Result<BootReport, LoadError> {
        flush(self);
        let lost = self.server.disk.crash();
        let mut report = boot(self)?;
        report.lost_bytes = lost;
        Ok(report)
    }

    /// DEBUG RELOAD: the dataset saved as `dump.rdb` and loaded back.
    pub(crate) fn reload(&mut self, save_first: bool) -> Result<(), String> {
        if save_first {
            save(self).map_err(|e| format!("Error trying to save the RDB dump: {e}"))?;
        }
        let path = dbfilename(self);
        let bytes = self.server.disk.get(&path).ok_or("Error trying to load the RDB dump: no dump file")?.to_vec();
        self.load_rdb(&bytes).map_err(|e| format!("Error trying to load the RDB dump: {e}"))
    }

    /// DEBUG LOADAOF: the AOF flushed and loaded back.
    pub(crate) fn reload_aof(&mut self) -> Result<(), LoadError> {
        flush(self);
        let mut report = BootReport::default();
        load_aof(self, &mut report)?;
        self.server.dirty = 0;
        Ok(())
    }

    /// Lets SHUTDOWN succeed (a host that can stop: the native server).
    /// Without it SHUTDOWN answers an error.
    pub fn allow_shutdown(&mut self, on: bool) {
        self.server.shutdown_allowed = on;
    }

    /// True once after a SHUTDOWN succeeded: the host should write out the
    /// pending disk writes and stop without sending that command's reply.
    pub fn take_shutdown_request(&mut self) -> bool {
        std::mem::take(&mut self.server.shutdown_requested)
    }
}
