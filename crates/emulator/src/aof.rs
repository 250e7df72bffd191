//! The append-only log: every executed write command in RESP, with SELECTs
//! when the database changes, so replaying it on the base file rebuilds the
//! same dataset. Logged only while `appendonly yes`, into a buffer that
//! `crate::persist::flush` appends to the current incr file of Redis 7.0's
//! multi-part layout ([`Layout`]: a manifest, one base file, incr files).
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
    /// True while replicas are fed (a master with a backlog): the same
    /// buffer is the replication stream (see `crate::replication`).
    replicating: bool,
    /// Commands logged since the last flush to the incr file, in RESP
    /// (Redis's `aof_buf`).
    pub(crate) buf: Vec<u8>,
    last_db: Option<usize>,
    /// What the running command asked to be logged in place of its argv.
    replacement: Option<Vec<Vec<u8>>>,
    /// Completed rewrites (`aof_rewrites`).
    pub rewrites: u64,
    /// The files of the current AOF, once one exists.
    pub(crate) layout: Option<Layout>,
    /// Commands logged by the running outermost command (EXEC and scripts
    /// run several) and where in `buf` the first one starts.
    call_ops: usize,
    call_start: Option<usize>,
    /// The base file was made at start (not loaded, not a rewrite): Redis
    /// then counts only what is appended in `aof_current_size` and reports
    /// `aof_base_size:0` until the next rewrite.
    pub(crate) base_made_at_start: bool,
}

/// The current multi-part AOF: one base file and one incr file, named as
/// Redis 7.0 names them (`appendonly.aof.3.base.rdb`, `appendonly.aof.3.incr.aof`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// `appenddirname`.
    pub dir: String,
    pub base: Option<String>,
    pub base_seq: u64,
    pub incr: Vec<(String, u64)>,
}

impl Layout {
    pub fn manifest_path(&self, filename: &str) -> String {
        format!("{}/{}.manifest", self.dir, filename)
    }

    pub fn path(&self, name: &str) -> String {
        format!("{}/{}", self.dir, name)
    }

    /// The incr file written to now (the last one).
    pub fn current_incr(&self) -> Option<String> {
        self.incr.last().map(|(n, _)| self.path(n))
    }

    /// The manifest as Redis 7.0 writes it: one `file … seq … type …` line
    /// per file, base first.
    pub fn manifest(&self) -> Vec<u8> {
        let mut out = String::new();
        if let Some(base) = &self.base {
            out.push_str(&format!("file {base} seq {} type b\n", self.base_seq));
        }
        for (name, seq) in &self.incr {
            out.push_str(&format!("file {name} seq {seq} type i\n"));
        }
        out.into_bytes()
    }

    /// Reads a manifest; `None` when a line is not one Redis 7.0 writes or
    /// there is no file in it.
    pub fn parse_manifest(dir: &str, text: &[u8]) -> Result<Layout, String> {
        let text = std::str::from_utf8(text).map_err(|_| "the manifest is not text".to_string())?;
        let mut layout = Layout { dir: dir.to_string(), base: None, base_seq: 0, incr: Vec::new() };
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let words: Vec<&str> = line.split_whitespace().collect();
            let mut name = None;
            let (mut seq, mut kind) = (None, None);
            for pair in words.chunks(2) {
                match pair {
                    ["file", v] => name = Some(v.to_string()),
                    ["seq", v] => seq = v.parse::<u64>().ok(),
                    ["type", v] => kind = Some(*v),
                    [_, _] => {}
                    _ => return Err(format!("invalid manifest line: {line}")),
                }
            }
            let (Some(name), Some(seq), Some(kind)) = (name, seq, kind) else {
                return Err(format!("invalid manifest line: {line}"));
            };
            match kind {
                "b" if layout.base.is_none() => {
                    layout.base = Some(name);
                    layout.base_seq = seq;
                }
                "b" => return Err("the manifest names two base files".into()),
                "i" => layout.incr.push((name, seq)),
                // History files ("h") are waiting to be deleted: not loaded.
                "h" => {}
                _ => return Err(format!("invalid manifest line: {line}")),
            }
        }
        if layout.base.is_none() && layout.incr.is_empty() {
            return Err("the manifest names no file".into());
        }
        Ok(layout)
    }
}

/// Appends `argv` to `out` as a RESP array of bulk strings, the form of
/// every command in an AOF.
pub fn encode_command(out: &mut Vec<u8>, argv: &[Vec<u8>]) {
    out.extend_from_slice(format!("*{}\r\n", argv.len()).as_bytes());
    for a in argv {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

/// One command's arguments.
pub type Argv = Vec<Vec<u8>>;

/// How a run of AOF commands ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tail {
    /// Every byte was part of a complete command.
    Complete,
    /// The last command is cut short; the complete part ends at this offset.
    Truncated(usize),
}

/// Reads the commands of an AOF-format file. An incomplete last command
/// is reported as [`Tail::Truncated`]; anything that is not a RESP array
/// of bulk strings is an error naming its offset.
/// A transaction left open at the end (MULTI without EXEC: the write of
/// its end was lost) counts as a truncated tail starting at its MULTI,
/// as Redis reverts it.
pub fn parse_commands(bytes: &[u8]) -> Result<(Vec<Argv>, Tail), String> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut open_multi: Option<(usize, usize)> = None;
    let mut tail = Tail::Complete;
    while pos < bytes.len() {
        match parse_one(&bytes[pos..]) {
            Step::Command(argv, used) => {
                let name = argv.first().map(|a| a.to_ascii_uppercase()).unwrap_or_default();
                match name.as_slice() {
                    b"MULTI" => open_multi = Some((out.len(), pos)),
                    b"EXEC" | b"DISCARD" => open_multi = None,
                    _ => {}
                }
                out.push(argv);
                pos += used;
            }
            Step::Incomplete => {
                tail = Tail::Truncated(pos);
                break;
            }
            Step::Bad => return Err(format!("Bad file format reading the append only file at offset {pos}")),
        }
    }
    if let Some((index, offset)) = open_multi {
        out.truncate(index);
        tail = Tail::Truncated(offset);
    }
    Ok((out, tail))
}

enum Step {
    Command(Vec<Vec<u8>>, usize),
    Incomplete,
    Bad,
}

/// A `<prefix><number>\r\n` line at `at`: the number and where the next line starts.
fn number_line(bytes: &[u8], at: usize, prefix: u8) -> Result<(i64, usize), bool> {
    match bytes.get(at) {
        None => return Err(true),
        Some(&c) if c != prefix => return Err(false),
        _ => {}
    }
    let rest = &bytes[at + 1..];
    let Some(nl) = rest.iter().position(|&c| c == b'\n') else {
        return Err(rest.len() < 24);
    };
    let line = rest[..nl].strip_suffix(b"\r").ok_or(false)?;
    let n = std::str::from_utf8(line).ok().and_then(|s| s.parse::<i64>().ok()).ok_or(false)?;
    Ok((n, at + 1 + nl + 1))
}

fn parse_one(bytes: &[u8]) -> Step {
    let fail = |incomplete: bool| if incomplete { Step::Incomplete } else { Step::Bad };
    let (argc, mut pos) = match number_line(bytes, 0, b'*') {
        Ok(v) => v,
        Err(incomplete) => return fail(incomplete),
    };
    if argc < 1 {
        return Step::Bad;
    }
    let mut argv = Vec::new();
    for _ in 0..argc {
        let (len, next) = match number_line(bytes, pos, b'$') {
            Ok(v) => v,
            Err(incomplete) => return fail(incomplete),
        };
        let Ok(len) = usize::try_from(len) else { return Step::Bad };
        let Some(end) = next.checked_add(len) else { return Step::Bad };
        if bytes.len() < end.saturating_add(2) {
            return Step::Incomplete;
        }
        if &bytes[end..end + 2] != b"\r\n" {
            return Step::Bad;
        }
        argv.push(bytes[next..end].to_vec());
        pos = end + 2;
    }
    Step::Command(argv, pos)
}

impl Aof {
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// True while executed writes are recorded: for the AOF, for replicas or both.
    pub(crate) fn is_logging(&self) -> bool {
        self.enabled || self.replicating
    }

    pub(crate) fn set_enabled_flag(&mut self, on: bool) {
        self.enabled = on;
        if !self.is_logging() {
            self.buf.clear();
        }
    }

    pub(crate) fn set_replicating(&mut self, on: bool) {
        self.replicating = on;
        if !self.is_logging() {
            self.buf.clear();
        }
    }

    /// After a rewrite, the new incr file starts with a SELECT again.
    pub(crate) fn reset_selected_db(&mut self) {
        self.last_db = None;
    }

    /// Logs `argv` instead of the running command's own arguments (Redis's
    /// command rewriting before propagation). Only while the log is on.
    pub(crate) fn log_instead(&mut self, argv: impl FnOnce() -> Vec<Vec<u8>>) {
        if self.is_logging() {
            self.replacement = Some(argv());
        }
    }

    fn push(&mut self, db: usize, argv: Vec<Vec<u8>>) {
        if !self.is_logging() {
            return;
        }
        if self.last_db != Some(db) {
            encode_command(&mut self.buf, &[b"SELECT".to_vec(), db.to_string().into_bytes()]);
            self.last_db = Some(db);
        }
        if self.call_start.is_none() {
            self.call_start = Some(self.buf.len());
        }
        encode_command(&mut self.buf, &argv);
    }

    /// The outermost command finished: when it logged more than one
    /// command (EXEC, a script), they are wrapped in MULTI … EXEC, as
    /// Redis 7.0 propagates them, so a replay applies them together.
    /// Takes the logged commands out (to the incr file). A command still
    /// running (a rewrite or a reload inside EXEC) goes on unwrapped.
    pub(crate) fn take_buf(&mut self) -> Vec<u8> {
        self.call_ops = 0;
        self.call_start = None;
        std::mem::take(&mut self.buf)
    }

    pub(crate) fn end_call(&mut self) {
        let start = self.call_start.filter(|&s| s <= self.buf.len());
        if let (true, Some(start)) = (self.call_ops > 1, start) {
            let mut multi = Vec::new();
            encode_command(&mut multi, &[b"MULTI".to_vec()]);
            self.buf.splice(start..start, multi);
            encode_command(&mut self.buf, &[b"EXEC".to_vec()]);
        }
        self.call_ops = 0;
        self.call_start = None;
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

/// Logs the removal of a key by expiry or eviction (on its own, not as
/// part of the command that found it expired).
pub fn propagate_deletion(aof: &mut Aof, db: usize, key: &[u8]) {
    let start = aof.call_start;
    aof.push(db, vec![b"DEL".to_vec(), key.to_vec()]);
    aof.call_start = start;
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
pub fn after_command(aof: &mut Aof, dbs: &[Db], command: &Executed) {
    let Executed { db, spec, argv, reply, touched } = *command;
    let replacement = aof.replacement.take();
    if !aof.is_logging() || !spec.has(flags::WRITE) || reply.is_error() {
        return;
    }
    if matches!(reply, Reply::Blocked) || (touched.is_empty() && !spec.has(flags::WHOLE_DB)) {
        return;
    }
    let logged = match replacement {
        Some(argv) => vec![argv],
        None => redis_form(spec.name, argv, dbs.get(db)),
    };
    for argv in logged {
        aof.push(db, argv);
        aof.call_ops += 1;
    }
}

fn has_option(argv: &[Vec<u8>], from: usize, names: &[&str]) -> bool {
    argv.iter().skip(from).any(|a| names.iter().any(|n| a.eq_ignore_ascii_case(n.as_bytes())))
}

/// What Redis 7.0 propagates for a command, so that a replay does not
/// depend on the clock: relative expiries become absolute
/// (`PEXPIREAT key ms`, `SET key value PXAT ms`, RESTORE … ABSTTL), an
/// expiry already past becomes `DEL key`, `GETEX … PERSIST` becomes
/// `PERSIST key`. Other commands are logged as sent.
fn redis_form(name: &str, argv: &[Vec<u8>], db: Option<&Db>) -> Vec<Argv> {
    let Some(key) = argv.get(1) else { return vec![argv.to_vec()] };
    let expire_at = db.and_then(|d| d.get(key)).map(|e| e.expire_at());
    let absolute = |at: Option<Option<i64>>| match at {
        Some(Some(at)) => vec![b"PEXPIREAT".to_vec(), key.clone(), at.to_string().into_bytes()],
        _ => vec![b"DEL".to_vec(), key.clone()],
    };
    let set_pxat = |value: &[u8]| match expire_at {
        Some(Some(at)) => vec![b"SET".to_vec(), key.clone(), value.to_vec(), b"PXAT".to_vec(), at.to_string().into()],
        _ => vec![b"DEL".to_vec(), key.clone()],
    };
    match name {
        "expire" | "pexpire" | "expireat" | "pexpireat" => vec![absolute(expire_at)],
        "getex" if has_option(argv, 2, &["PERSIST"]) => vec![vec![b"PERSIST".to_vec(), key.clone()]],
        "getex" if has_option(argv, 2, &["EX", "PX", "EXAT", "PXAT"]) => vec![absolute(expire_at)],
        "setex" | "psetex" => vec![set_pxat(argv.get(3).map_or(&[][..], |v| v))],
        "set" if has_option(argv, 3, &["EX", "PX", "EXAT"]) => vec![set_pxat(&argv[2])],
        "set" if has_option(argv, 3, &["PXAT"]) && expire_at.is_none() => vec![vec![b"DEL".to_vec(), key.clone()]],
        "restore" if !has_option(argv, 4, &["ABSTTL"]) && argv.get(2).is_some_and(|t| t.as_slice() != b"0") => {
            let mut out = argv.to_vec();
            if let Some(Some(at)) = expire_at {
                out[2] = at.to_string().into_bytes();
            }
            out.push(b"ABSTTL".to_vec());
            vec![out]
        }
        _ => vec![argv.to_vec()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse_back_and_cut_tails_are_reported() {
        let argvs: Vec<Argv> = vec![
            vec![b"SELECT".to_vec(), b"0".to_vec()],
            vec![b"SET".to_vec(), b"k".to_vec(), b"a\r\nb".to_vec()],
            vec![b"DEL".to_vec(), Vec::new()],
        ];
        let mut bytes = Vec::new();
        let mut boundaries = vec![0];
        for a in &argvs {
            encode_command(&mut bytes, a);
            boundaries.push(bytes.len());
        }
        assert_eq!(parse_commands(&bytes).unwrap(), (argvs.clone(), Tail::Complete));
        for cut in 0..bytes.len() {
            let (commands, tail) = parse_commands(&bytes[..cut]).expect("a prefix is never a bad format");
            let Tail::Truncated(at) = tail else {
                assert!(boundaries.contains(&cut), "cut {cut} is between commands");
                continue;
            };
            let mut again = Vec::new();
            for a in &commands {
                encode_command(&mut again, a);
            }
            assert_eq!(again.len(), at, "the complete part ends where the tail starts");
        }
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x55;
            let _ = parse_commands(&bad);
        }
        assert!(parse_commands(b"*1\r\nPING\r\n").is_err());
        assert!(parse_commands(b"*0\r\n").is_err());
        assert!(parse_commands(b"*1\r\n$-1\r\n").is_err());
        assert!(parse_commands(b"*1\r\n$99999999999999999999\r\n").is_err());
    }

    #[test]
    fn manifests_round_trip_and_bad_ones_are_refused() {
        let layout = Layout {
            dir: "appendonlydir".into(),
            base: Some("appendonly.aof.2.base.rdb".into()),
            base_seq: 2,
            incr: vec![("appendonly.aof.3.incr.aof".into(), 3), ("appendonly.aof.4.incr.aof".into(), 4)],
        };
        let text = layout.manifest();
        assert_eq!(Layout::parse_manifest("appendonlydir", &text).unwrap(), layout);
        let history = b"file appendonly.aof.1.base.rdb seq 1 type h\nfile a.1.incr.aof seq 1 type i\n";
        assert_eq!(Layout::parse_manifest("d", history).unwrap().incr.len(), 1);
        for bad in [&b""[..], b"file x seq 1", b"file x seq y type b", b"file x seq 1 type q", b"\xff\xfe"] {
            assert!(Layout::parse_manifest("d", bad).is_err(), "{bad:?}");
        }
        let two_bases = b"file a seq 1 type b\nfile b seq 2 type b\n";
        assert!(Layout::parse_manifest("d", two_bases).is_err());
    }
}
