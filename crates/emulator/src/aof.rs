//! The append-only log: every executed write command as argv, with SELECTs
//! when the database changes, so replaying it on an empty server rebuilds
//! the same dataset. Logged only while `appendonly yes`.
//!
//! Like Redis's propagation, what is logged is made replay-safe:
//! relative TTLs are followed by `PEXPIREAT key <absolute ms>`, keys
//! removed by expiry or eviction are logged as `DEL`, and a command whose
//! effect was random or clock-dependent says what to log instead of itself
//! through `Ctx::propagate_as` (`SPOP` as the `SREM` of the members it
//! popped, `XADD … *` with the id it generated).

use crate::command::{flags, CommandSpec};
use crate::db::Db;
use crate::reply::Reply;
use crate::scripting::functions::Libraries;

#[derive(Debug, Clone, Default)]
pub struct Aof {
    /// True while `appendonly yes`: executed writes are appended.
    enabled: bool,
    /// The log's contents (what `appendonly.aof` would hold). It stays
    /// readable after `appendonly no`, like the file on disk.
    log: Vec<Vec<Vec<u8>>>,
    last_db: Option<usize>,
    /// What the running command asked to be logged in place of its argv.
    replacement: Option<Vec<Vec<u8>>>,
    /// Completed rewrites (`aof_rewrites`).
    pub rewrites: u64,
}

/// Most commands the in-memory log keeps before it rewrites itself from
/// the dataset (Redis's auto-rewrite, bounded for a browser tab).
const REWRITE_AFTER: usize = 1_000_000;

impl Aof {
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// The commands logged so far.
    pub fn commands(&self) -> &[Vec<Vec<u8>>] {
        &self.log
    }

    /// Logs `argv` instead of the running command's own arguments (Redis's
    /// command rewriting before propagation). Only while the log is on.
    pub(crate) fn log_instead(&mut self, argv: impl FnOnce() -> Vec<Vec<u8>>) {
        if self.enabled {
            self.replacement = Some(argv());
        }
    }

    fn push(&mut self, db: usize, argv: Vec<Vec<u8>>) {
        if !self.enabled {
            return;
        }
        if self.last_db != Some(db) {
            self.log.push(vec![b"SELECT".to_vec(), db.to_string().into_bytes()]);
            self.last_db = Some(db);
        }
        self.log.push(argv);
    }
}

/// Builds the commands that recreate the whole dataset (BGREWRITEAOF,
/// and the start of the log when `appendonly` is switched on).
pub fn rewrite_dataset(functions: &Libraries, dbs: &[Db], now: i64) -> Vec<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    // Function libraries come first, as FUNCTION LOAD commands.
    for lib in functions.libraries.values() {
        out.push(vec![b"FUNCTION".to_vec(), b"LOAD".to_vec(), lib.code.clone()]);
    }
    for (i, db) in dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        out.push(vec![b"SELECT".to_vec(), i.to_string().into_bytes()]);
        for (key, entry) in db.iter() {
            if entry.is_expired(now) {
                continue;
            }
            entry.value.rewrite(key, &mut out);
            if let Some(at) = entry.expire_at() {
                out.push(vec![b"PEXPIREAT".to_vec(), key.to_vec(), at.to_string().into_bytes()]);
            }
        }
    }
    out
}

/// Replaces the log with a rewrite of the dataset `dbs` as it stands at
/// `now` (BGREWRITEAOF).
pub fn rewrite(aof: &mut Aof, functions: &Libraries, dbs: &[Db], now: i64) {
    let log = rewrite_dataset(functions, dbs, now);
    let last_db = log
        .iter()
        .rev()
        .find(|a| a.first().is_some_and(|c| c == b"SELECT"))
        .and_then(|a| a.get(1).and_then(|d| std::str::from_utf8(d).ok()).and_then(|d| d.parse().ok()));
    aof.log = log;
    aof.last_db = last_db;
    aof.rewrites += 1;
}

/// `appendonly yes|no`: starting the log begins with a rewrite, as Redis does.
pub fn set_enabled(aof: &mut Aof, functions: &Libraries, dbs: &[Db], now: i64, on: bool) {
    match (on, aof.is_enabled()) {
        (true, false) => {
            rewrite(aof, functions, dbs, now);
            aof.enabled = true;
        }
        (false, true) => aof.enabled = false,
        _ => {}
    }
}

/// Logs the removal of a key by expiry or eviction.
pub fn propagate_deletion(aof: &mut Aof, db: usize, key: &[u8]) {
    aof.push(db, vec![b"DEL".to_vec(), key.to_vec()]);
}

/// A command that just ran, as the AOF sees it.
pub struct Executed<'a> {
    /// The client's database when the command ran.
    pub db: usize,
    pub spec: &'a CommandSpec,
    pub argv: &'a [Vec<u8>],
    pub reply: &'a Reply,
    /// The keys it modified.
    pub touched: &'a [(usize, Vec<u8>)],
}

/// Logs a write command after it ran (`dbs` as the command left them).
/// Failed commands and commands that changed nothing are not logged.
/// Returns true when the log has grown past its limit and should be
/// rewritten from the dataset (Redis's auto-rewrite).
pub fn after_command(aof: &mut Aof, dbs: &[Db], command: &Executed) -> bool {
    let Executed { db, spec, argv, reply, touched } = *command;
    let replacement = aof.replacement.take();
    if !aof.is_enabled() || !spec.has(flags::WRITE) || reply.is_error() {
        return false;
    }
    if matches!(reply, Reply::Blocked) || (touched.is_empty() && !spec.has(flags::WHOLE_DB)) {
        return false;
    }
    aof.push(db, replacement.unwrap_or_else(|| argv.to_vec()));
    // Relative expiries become absolute so a later replay keeps the same deadline.
    let mut done: std::collections::HashSet<(usize, &[u8])> = std::collections::HashSet::new();
    for (d, key) in touched {
        if !done.insert((*d, key.as_slice())) {
            continue;
        }
        let entry = dbs.get(*d).and_then(|x| x.get(key));
        match entry.map(|e| e.expire_at()) {
            Some(Some(at)) => {
                aof.push(*d, vec![b"PEXPIREAT".to_vec(), key.clone(), at.to_string().into_bytes()]);
            }
            // Gone after the command (e.g. an expiry time already past): a
            // replay must not depend on the clock to remove it, as Redis
            // propagates such expiries as DEL.
            None if !spec.has(flags::REMOVES_KEYS) => {
                aof.push(*d, vec![b"DEL".to_vec(), key.clone()]);
            }
            _ => {}
        }
    }
    aof.commands().len() > REWRITE_AFTER
}
