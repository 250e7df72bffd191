//! The playground's saved dataset: a versioned text of commands that
//! recreate every key (each type's `rewrite` plus `PEXPIREAT` for TTLs),
//! also used for Export/Import and for share links.

use redis_emulator::cli_format::quote_bytes;
use redis_emulator::db::Db;
use redis_emulator::tokenizer::split_line;
use redis_emulator::{commands, Engine};

use crate::i18n::{t, tf, K};

/// Command lines, each an argv.
pub type Commands = Vec<Vec<Vec<u8>>>;

/// A small dataset with one key of every type, for "Load examples".
pub const EXAMPLES: &str = "# One key of every type\n\
SET greeting \"hello world\"\n\
SETEX session:user:123 600 token\n\
INCR views:homepage\n\
SETBIT flags 3 1\n\
RPUSH queue:jobs job:1 job:2 job:3\n\
HSET user:1 name Ada email ada@example.com lang en\n\
SADD tags redis cache database\n\
ZADD leaderboard 120 alice 95 bob 150 carol\n\
GEOADD places 13.361389 38.115556 Palermo 15.087269 37.502669 Catania 12.496366 41.902782 Rome\n\
PFADD visitors alice bob carol dave\n\
XADD events 1700000000000-0 type login user alice\n\
XADD events 1700000001000-0 type click user bob\n\
XGROUP CREATE events workers 1700000000000-0\n";

/// Bumped whenever the save format changes incompatibly.
pub const VERSION: u32 = 1;
pub const HEADER_PREFIX: &str = "# redis-lab dataset v";
/// Longest command text a share link may carry (before encoding).
pub const SHARE_MAX_BYTES: usize = 6000;
/// Most commands a share link or an import may run.
pub const MAX_COMMANDS: usize = 100_000;

fn header() -> String {
    format!("{HEADER_PREFIX}{VERSION}")
}

/// One command line with every argument quoted like redis-cli prints it,
/// which the console's tokenizer reads back byte for byte.
pub fn command_line(argv: &[Vec<u8>]) -> String {
    let mut line = String::new();
    for (i, a) in argv.iter().enumerate() {
        if i > 0 {
            line.push(' ');
        }
        let plain = !a.is_empty() && a.iter().all(|&b| b.is_ascii_graphic() && b != b'"' && b != b'\'' && b != b'\\');
        if plain {
            line.push_str(std::str::from_utf8(a).unwrap_or_default());
        } else {
            line.push_str(&quote_bytes(a));
        }
    }
    line
}

/// The whole keyspace as a command file (header first).
pub fn dump(engine: &Engine) -> String {
    let mut out = header();
    out.push('\n');
    let now = engine.now_ms();
    for index in 0..engine.db_count() {
        if let Some(db) = engine.db(index) {
            dump_db(index, db, now, &mut out);
        }
    }
    out
}

/// Appends the commands recreating one database (SELECT first; nothing if empty).
pub fn dump_db(index: usize, db: &Db, now_ms: i64, out: &mut String) {
    if db.is_empty() {
        return;
    }
    out.push_str(&format!("SELECT {index}\n"));
    let mut commands = Vec::new();
    for (key, entry) in db.iter() {
        if entry.is_expired(now_ms) {
            continue;
        }
        entry.value.rewrite(key, &mut commands);
        if let Some(at) = entry.expire_at() {
            commands.push(vec![b"PEXPIREAT".to_vec(), key.to_vec(), at.to_string().into_bytes()]);
        }
    }
    for argv in commands {
        out.push_str(&command_line(&argv));
        out.push('\n');
    }
}

/// Why a saved or shared command text cannot be used.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadError {
    /// No `# redis-lab dataset vN` header.
    NotADataset,
    /// A version this page does not understand.
    Incompatible(u32),
    /// Line `n` (1-based) cannot be split into arguments.
    BadLine(usize),
    /// Line `n` names a command the emulator does not know.
    UnknownCommand(usize, String),
    TooManyCommands,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::NotADataset => f.write_str(t(K::LoadNotDataset)),
            LoadError::Incompatible(v) => f.write_str(&tf(K::LoadIncompatible, &[("v", v), ("version", &VERSION)])),
            LoadError::BadLine(n) => f.write_str(&tf(K::LoadBadLine, &[("n", n)])),
            LoadError::UnknownCommand(n, c) => f.write_str(&tf(K::LoadUnknownCommand, &[("n", n), ("command", c)])),
            LoadError::TooManyCommands => f.write_str(&tf(K::LoadTooMany, &[("max", &MAX_COMMANDS)])),
        }
    }
}

/// Reads a command text. With `require_header`, the first line must be a
/// dataset header of this version (saved data); otherwise a header is
/// optional (imports, share links). Blank lines and `#` comments are skipped.
pub fn parse(text: &str, require_header: bool) -> Result<Commands, LoadError> {
    let mut lines = text.lines().enumerate().peekable();
    let first = lines.peek().map(|(_, l)| l.trim());
    match first.and_then(|l| l.strip_prefix(HEADER_PREFIX)) {
        Some(v) => match v.trim().parse::<u32>() {
            Ok(VERSION) => {}
            Ok(other) => return Err(LoadError::Incompatible(other)),
            Err(_) => return Err(LoadError::NotADataset),
        },
        None if require_header => return Err(LoadError::NotADataset),
        None => {}
    }
    let mut out = Vec::new();
    for (i, line) in lines {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let argv = split_line(line).map_err(|_| LoadError::BadLine(i + 1))?;
        let Some(name) = argv.first() else { continue };
        if commands::find(name).is_none() {
            return Err(LoadError::UnknownCommand(i + 1, String::from_utf8_lossy(name).into_owned()));
        }
        if out.len() >= MAX_COMMANDS {
            return Err(LoadError::TooManyCommands);
        }
        out.push(argv);
    }
    Ok(out)
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// URL-safe base64 without padding.
pub fn base64url_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c)? as u32;
        acc = acc << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits & 0xff) as u8);
        }
    }
    (bits < 6).then_some(out)
}

/// Why a dataset cannot be put into a link.
#[derive(Debug, Clone, PartialEq)]
pub enum ShareError {
    TooLarge(usize),
}

/// The link fragment for a command text, if it is small enough.
pub fn share_fragment(commands: &str) -> Result<String, ShareError> {
    if commands.len() > SHARE_MAX_BYTES {
        return Err(ShareError::TooLarge(commands.len()));
    }
    Ok(base64url_encode(commands.as_bytes()))
}

/// Reads a shared fragment back: size-bounded, valid UTF-8, every line a
/// known command. Returns the text to show and the commands to run.
pub fn read_shared(fragment: &str) -> Result<(String, Commands), String> {
    if fragment.len() > SHARE_MAX_BYTES * 4 / 3 + 4 {
        return Err(t(K::ShareTooLong).into());
    }
    let bytes = base64url_decode(fragment).ok_or_else(|| t(K::ShareNotBase64).to_string())?;
    let text = String::from_utf8(bytes).map_err(|_| t(K::ShareNotText).to_string())?;
    let commands = parse(&text, false).map_err(|e| tf(K::ShareUnusable, &[("error", &e)]))?;
    Ok((text, commands))
}

#[cfg(test)]
mod tests {
    use super::*;
    use redis_emulator::cli_format::format_reply;
    use redis_emulator::value::Value;
    use redis_emulator::Protocol;

    #[test]
    fn command_lines_round_trip_through_the_tokenizer() {
        let argv = vec![b"SET".to_vec(), b"<img src=x>".to_vec(), vec![0xff, b'"', b'\n', b' ']];
        let line = command_line(&argv);
        assert_eq!(split_line(&line).unwrap(), argv);
        assert_eq!(command_line(&[b"GET".to_vec(), b"plain".to_vec()]), "GET plain");
        assert_eq!(split_line(&command_line(&[b"SET".to_vec(), vec![], b"x".to_vec()])).unwrap()[1], b"");
    }

    #[test]
    fn dump_then_parse_restores_strings_and_ttls() {
        let mut e = Engine::with_manual_clock(1_000, 7);
        let me = e.connect("test");
        e.execute_line(me, "SET a \"hello world\"").unwrap();
        e.execute_line(me, "SELECT 3").unwrap();
        e.execute_line(me, "SET \"\\xff\" bin").unwrap();
        let text = dump(&e);
        assert!(text.starts_with("# redis-lab dataset v1\n"), "{text}");
        let cmds = parse(&text, true).unwrap();
        let mut fresh = Engine::with_manual_clock(1_000, 7);
        let c = fresh.connect("restore");
        for argv in cmds {
            let r = fresh.execute(c, argv);
            assert!(!r.is_error(), "{}", format_reply(&r, Protocol::Resp2));
        }
        assert_eq!(fresh.db(0).unwrap().len(), 1);
        assert!(fresh.db(3).unwrap().get(&[0xff]).is_some());
    }

    #[test]
    fn dump_writes_pexpireat_for_ttls_and_skips_expired_keys() {
        let mut db = Db::new();
        db.set(b"session", Value::string("token"), false);
        db.set(b"gone", Value::string("x"), false);
        db.set(b"kept", Value::string("y"), false);
        db.set_expire(b"session", 5_000);
        db.set_expire(b"gone", 500);
        let mut out = String::new();
        dump_db(2, &db, 1_000, &mut out);
        assert!(out.starts_with("SELECT 2\n"), "{out}");
        assert!(out.contains("SET session token\nPEXPIREAT session 5000\n"), "{out}");
        assert!(out.contains("SET kept y\n"));
        assert!(!out.contains("gone"), "expired keys are not saved");
        let mut empty = String::new();
        dump_db(0, &Db::new(), 0, &mut empty);
        assert_eq!(empty, "");
    }

    #[test]
    fn bad_saves_are_reported_not_loaded() {
        assert_eq!(parse("SET a b\n", true), Err(LoadError::NotADataset));
        assert_eq!(parse("# redis-lab dataset v99\nSET a b\n", true), Err(LoadError::Incompatible(99)));
        assert_eq!(parse("# redis-lab dataset v1\nSET \"a b\n", true), Err(LoadError::BadLine(2)));
        assert!(matches!(parse("# redis-lab dataset v1\nFROB a\n", true), Err(LoadError::UnknownCommand(2, _))));
        assert_eq!(parse("# comment\n\nSET a b\n", false).unwrap().len(), 1);
    }

    #[test]
    fn examples_are_well_formed() {
        // Every line splits; command names are checked when they run, so the
        // examples still load partly in builds without some families.
        for line in EXAMPLES.lines().filter(|l| !l.starts_with('#')) {
            assert!(split_line(line).is_ok(), "{line}");
        }
        assert!(EXAMPLES.lines().count() > 10);
    }

    #[test]
    fn base64url_round_trips() {
        for data in [&b""[..], b"f", b"fo", b"foo", b"foob", b"fooba", b"foobar", &[0xff, 0xfe, 0x00]] {
            assert_eq!(base64url_decode(&base64url_encode(data)).unwrap(), data);
        }
        assert_eq!(base64url_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64url_decode("Zm9v!"), None);
    }

    #[test]
    fn share_links_are_bounded_and_validated() {
        let frag = share_fragment("SET a 1\nGET a\n").unwrap();
        let (text, cmds) = read_shared(&frag).unwrap();
        assert_eq!(text, "SET a 1\nGET a\n");
        assert_eq!(cmds.len(), 2);
        assert!(matches!(share_fragment(&"x".repeat(SHARE_MAX_BYTES + 1)), Err(ShareError::TooLarge(_))));
        assert!(read_shared("!!!").is_err());
        assert!(read_shared(&base64url_encode(b"FROB x\n")).is_err());
        assert!(read_shared(&base64url_encode(&[0xff, 0xfe])).is_err());
        assert!(read_shared(&"A".repeat(SHARE_MAX_BYTES * 2)).is_err());
    }
}
