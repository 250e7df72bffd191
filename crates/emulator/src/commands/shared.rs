//! Helpers shared by several command families, so that no family imports
//! another family's file: SCAN-style option parsing, counts and numkeys
//! with the errors Redis gives them, random-pick selection (SRANDMEMBER,
//! ZRANDMEMBER) and storing a computed sorted set (the *STORE forms of the
//! sorted-set and geo commands).

use crate::args::Args;
use crate::engine::Ctx;
use crate::errors;
use crate::float::parse_i64;
use crate::notify;
use crate::reply::Reply;
use crate::rng::Rng;
use crate::types::ZSetValue;
use crate::value::Value;

// ----- SCAN options ---------------------------------------------------------

/// Parsed `[MATCH pattern] [COUNT count]` of SSCAN / HSCAN / ZSCAN.
///
/// As in Redis, these commands read the cursor first ([`scan_cursor`]),
/// then look the key up (a missing key answers an empty scan, a wrong type
/// WRONGTYPE), and only then read these options.
pub(crate) struct ScanOptions {
    /// None when there is no pattern, or it is `*` (matches everything).
    pub pattern: Option<Vec<u8>>,
    pub count: usize,
}

/// The cursor argument of a SCAN-family command, or `ERR invalid cursor`.
pub(crate) fn scan_cursor(arg: &[u8]) -> Result<u64, Reply> {
    parse_cursor(arg).ok_or(Reply::error("ERR invalid cursor"))
}

/// The empty reply of a scan over a missing key.
pub(crate) fn empty_scan() -> Reply {
    Reply::Array(vec![Reply::bulk_str("0"), Reply::Array(Vec::new())])
}

impl ScanOptions {
    /// Reads the options after the cursor, up to the end of the arguments.
    pub(crate) fn parse(args: &mut Args) -> Result<ScanOptions, Reply> {
        let mut opts = ScanOptions { pattern: None, count: 10 };
        loop {
            if args.remaining() >= 2 && args.eat("count") {
                let n = args.int()?;
                if n < 1 {
                    return Err(Reply::error(errors::SYNTAX));
                }
                opts.count = n.min(1 << 20) as usize;
            } else if args.remaining() >= 2 && args.eat("match") {
                let p = args.value()?;
                opts.pattern = (p != b"*").then(|| p.to_vec());
            } else {
                break;
            }
        }
        args.finish()?;
        Ok(opts)
    }

    /// True if `member` passes the MATCH pattern.
    pub(crate) fn matches(&self, member: &[u8]) -> bool {
        self.pattern.as_ref().is_none_or(|p| crate::glob::glob_match(p, member, false))
    }
}

/// Reads a SCAN cursor the way C's `strtoul` does: optional sign, digits
/// only, a negative value wrapping around, an empty string reading as 0.
pub(crate) fn parse_cursor(arg: &[u8]) -> Option<u64> {
    let (neg, digits) = match arg.first() {
        None => return Some(0),
        Some(b'-') => (true, &arg[1..]),
        Some(b'+') => (false, &arg[1..]),
        Some(_) => (false, arg),
    };
    if digits.is_empty() || !digits.iter().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        v = v.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    Some(if neg { v.wrapping_neg() } else { v })
}

// ----- random picks -----------------------------------------------------------

/// Upper bound on SRANDMEMBER / ZRANDMEMBER picks with repetition (the
/// reply is built in memory; see the README's deliberate differences).
pub(crate) const MAX_RANDOM_PICKS: u64 = 1_000_000;

/// The error for a negative count beyond [`MAX_RANDOM_PICKS`].
pub(crate) const TOO_MANY_PICKS: &str = "ERR count is too large: Redis Lab returns at most 1000000 random picks";

/// The `count` of SRANDMEMBER / ZRANDMEMBER: any integer but `i64::MIN`,
/// whose absolute value (the number of picks with repetition) would not fit.
pub(crate) fn random_count(arg: &[u8]) -> Result<i64, Reply> {
    match crate::args::int(arg)? {
        i64::MIN => Err(Reply::error(concat!(
            "ERR value is out of range, value must between ",
            "-9223372036854775807 and 9223372036854775807"
        ))),
        n => Ok(n),
    }
}

/// `want` distinct random positions among `len` (want < len), in random order.
pub(crate) fn distinct_indexes(rng: &mut Rng, len: usize, want: usize) -> Vec<usize> {
    let mut positions: Vec<usize> = (0..len).collect();
    for i in 0..want.min(len) {
        let j = i + rng.index(len - i);
        positions.swap(i, j);
    }
    positions.truncate(want);
    positions
}

// ----- counts -------------------------------------------------------------------

/// The optional `count` of SPOP / ZPOPMIN / ZPOPMAX: a non-negative
/// integer; anything else (even a non-number) is "must be positive".
pub(crate) fn pop_count(arg: &[u8]) -> Result<u64, Reply> {
    match parse_i64(arg) {
        Some(n) if n >= 0 => Ok(n as u64),
        _ => Err(Reply::error(errors::NOT_POSITIVE)),
    }
}

// ----- numkeys ------------------------------------------------------------------

/// Reads `numkeys` for the commands that say "numkeys should be greater
/// than 0" when it is not a positive integer.
pub(crate) fn positive_numkeys(arg: Option<&[u8]>) -> Result<u64, Reply> {
    match arg.and_then(parse_i64) {
        Some(n) if n > 0 => Ok(n as u64),
        _ => Err(Reply::error("ERR numkeys should be greater than 0")),
    }
}

// ----- sorted-set results -------------------------------------------------------

/// (zset-max-listpack-entries, zset-max-listpack-value).
pub(crate) fn zset_limits(ctx: &Ctx) -> (usize, usize) {
    (ctx.config().zset_max_listpack_entries, ctx.config().zset_max_listpack_value)
}

/// Stores a computed sorted set in `dst` (or deletes `dst` when it is
/// empty), with the event Redis sends. Returns the stored size.
pub(crate) fn store_zset(ctx: &mut Ctx, dst: &[u8], mut result: ZSetValue, event: &str) -> i64 {
    let n = result.len() as i64;
    if n == 0 {
        if ctx.delete_key(dst) {
            ctx.notify(notify::GENERIC, "del", dst);
        }
        return 0;
    }
    let (entries, value) = zset_limits(ctx);
    result.fit_encoding(entries, value);
    ctx.set_key(dst, Value::ZSet(Box::new(result)), false);
    ctx.notify(notify::ZSET, event, dst);
    ctx.signal_ready(dst);
    n
}

/// The destination of a `STORE key` / `STOREDIST key` option anywhere after
/// the command's first two arguments (SORT, GEORADIUS, GEORADIUSBYMEMBER),
/// for the memory accounting of keys outside the key specification.
pub fn store_destinations(argv: &[Vec<u8>], db: usize, _dbs: usize) -> Vec<(usize, &[u8])> {
    let mut out = Vec::new();
    for (i, a) in argv.iter().enumerate().skip(2) {
        if a.eq_ignore_ascii_case(b"STORE") || a.eq_ignore_ascii_case(b"STOREDIST") {
            if let Some(dst) = argv.get(i + 1) {
                out.push((db, dst.as_slice()));
            }
        }
    }
    out
}

/// A database number argument as MOVE and COPY … DB read it, if valid.
pub fn target_db(arg: &[u8], dbs: usize) -> Option<usize> {
    crate::float::parse_i64(arg).filter(|&d| d >= 0 && (d as usize) < dbs).map(|d| d as usize)
}

/// Empties one database, invalidating WATCHes on keys that existed.
pub fn flush_db(ctx: &mut Ctx, db: usize) {
    let now = ctx.now_ms();
    let (clients, dbs) = (&mut ctx.engine.clients, &ctx.engine.keyspace.dbs);
    crate::watch::touch_all_watched_in_db(clients, dbs, now, ctx.client, db, None);
    let streams = ctx.engine.blocked_streams(db);
    ctx.engine.keyspace.dbs[db].clear();
    ctx.engine.keyspace.note_bulk_change();
    for key in streams {
        ctx.engine.keyspace.mark_ready(db, &key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_read_like_strtoul() {
        assert_eq!(parse_cursor(b""), Some(0));
        assert_eq!(parse_cursor(b"+7"), Some(7));
        assert_eq!(parse_cursor(b"-1"), Some(u64::MAX));
        assert_eq!(parse_cursor(b"18446744073709551616"), None);
        assert_eq!(parse_cursor(b"1x"), None);
    }

    fn argv(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn scan_options_reject_leftovers_and_bad_counts() {
        let a = argv(&["sscan", "k", "5", "MATCH", "a*", "count", "3"]);
        let opts = ScanOptions::parse(&mut Args::new(&a, 3)).unwrap();
        assert_eq!((scan_cursor(&a[2]), opts.pattern.as_deref(), opts.count), (Ok(5), Some(&b"a*"[..]), 3));
        let syntax = Some(Reply::error(errors::SYNTAX));
        assert_eq!(ScanOptions::parse(&mut Args::new(&argv(&["sscan", "k", "0", "COUNT"]), 3)).err(), syntax);
        assert_eq!(ScanOptions::parse(&mut Args::new(&argv(&["sscan", "k", "0", "COUNT", "0"]), 3)).err(), syntax);
        assert_eq!(scan_cursor(b"x"), Err(Reply::error("ERR invalid cursor")));
    }

    #[test]
    fn scan_cursors_parse_like_strtoul() {
        assert_eq!(parse_cursor(b"0"), Some(0));
        assert_eq!(parse_cursor(b""), Some(0));
        assert_eq!(parse_cursor(b"007"), Some(7));
        assert_eq!(parse_cursor(b"+5"), Some(5));
        assert_eq!(parse_cursor(b"-1"), Some(u64::MAX));
        assert_eq!(parse_cursor(b"18446744073709551616"), None);
        assert_eq!(parse_cursor(b" 1"), None);
        assert_eq!(parse_cursor(b"1x"), None);
    }
}
