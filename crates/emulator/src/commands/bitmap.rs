//! Bitmap commands on strings: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP,
//! BITFIELD and BITFIELD_RO. Bit 0 is the most significant bit of byte 0.
//! Strings grow with zero bytes; an offset whose byte would reach
//! `proto-max-bulk-len` is refused, as in Redis, before anything is allocated.

pub mod bitfield;
#[cfg(test)]
mod notify_tests;

use crate::args;
use crate::command::{flags::*, CommandResult, CommandSpec, Group, KeySpec};
use crate::engine::Ctx;
use crate::errors;
use crate::float::parse_i64;
use crate::notify;
use crate::reply::Reply;
use crate::value::{StrValue, Value};

const BAD_OFFSET: &str = "ERR bit offset is not an integer or out of range";
const BAD_BIT_VALUE: &str = "ERR bit is not an integer or out of range";
const BAD_BIT_ARG: &str = "ERR The bit argument must be 1 or 0.";

const BASE: CommandSpec = CommandSpec { group: Group::Bitmap, keys: KeySpec::ONE, ..CommandSpec::DEFAULT };

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "setbit",
        arity: 4,
        flags: WRITE | DENYOOM,
        since: "2.2.0",
        summary: "Sets or clears one bit of a string, growing it as needed; answers the old bit",
        syntax: "key offset value",
        key_flags: &[&["RW", "access", "update"]],
        handler: setbit,
        ..BASE
    },
    CommandSpec {
        name: "getbit",
        arity: 3,
        flags: READONLY | FAST,
        since: "2.2.0",
        summary: "Reads one bit of a string (0 past the end)",
        syntax: "key offset",
        handler: getbit,
        ..BASE
    },
    CommandSpec {
        name: "bitcount",
        arity: -2,
        flags: READONLY,
        since: "2.6.0",
        complexity: "O(N)",
        summary: "Counts the set bits of a string, optionally within a byte or bit range",
        syntax: "key [start end [BYTE|BIT]]",
        handler: bitcount,
        ..BASE
    },
    CommandSpec {
        name: "bitpos",
        arity: -3,
        flags: READONLY,
        since: "2.8.7",
        complexity: "O(N)",
        summary: "Finds the first bit set to 1 or 0, optionally within a byte or bit range",
        syntax: "key bit [start [end [BYTE|BIT]]]",
        handler: bitpos,
        ..BASE
    },
    CommandSpec {
        name: "bitop",
        arity: -4,
        flags: WRITE | DENYOOM,
        keys: KeySpec { first: 2, last: -1, step: 1 },
        since: "2.6.0",
        complexity: "O(N)",
        summary: "Stores the bitwise AND, OR, XOR or NOT of strings in a destination key",
        syntax: "AND|OR|XOR|NOT destkey key [key ...]",
        key_flags: &[&["OW", "update"], &["RO", "access"]],
        handler: bitop,
        ..BASE
    },
    CommandSpec {
        name: "bitfield",
        arity: -2,
        flags: WRITE | DENYOOM,
        since: "3.2.0",
        complexity: "O(1) for each subcommand specified",
        summary: "Reads, writes and increments integers of any width at any bit offset of a string",
        syntax: concat!(
            "key [GET encoding offset|[OVERFLOW WRAP|SAT|FAIL] SET encoding offset value",
            "|INCRBY encoding offset increment ...]"
        ),
        key_flags: &[&["RW", "access", "update", "variable_flags"]],
        variable_key_flags: Some(bitfield_key_flags),
        handler: bitfield::bitfield,
        ..BASE
    },
    CommandSpec {
        name: "bitfield_ro",
        arity: -2,
        flags: READONLY | FAST,
        since: "6.0.0",
        complexity: "O(1) for each subcommand specified",
        summary: "Reads integers at bit offsets of a string (BITFIELD limited to GET)",
        syntax: "key [GET encoding offset ...]",
        handler: bitfield::bitfield_ro,
        ..BASE
    },
];

/// Redis's bit offset rule: a non-negative integer (`#N` means N × `width`
/// where allowed) whose byte is below `proto-max-bulk-len`.
pub(crate) fn parse_offset(ctx: &Ctx, arg: &[u8], width: Option<u32>) -> Result<u64, Reply> {
    let (digits, multiplier) = match (arg.first(), width) {
        (Some(b'#'), Some(w)) => (&arg[1..], Some(w)),
        _ => (arg, None),
    };
    let mut offset = parse_i64(digits).ok_or(Reply::error(BAD_OFFSET))?;
    if let Some(w) = multiplier {
        offset = offset.wrapping_mul(w as i64);
    }
    if offset < 0 || (offset >> 3) >= ctx.config().proto_max_bulk_len {
        return Err(Reply::error(BAD_OFFSET));
    }
    Ok(offset as u64)
}

/// The string under `key` for a bit write, created or zero-extended so that
/// bit `max_bit` exists (Redis's `lookupStringForBitCommand`). The flag
/// tells whether the key was created or grown, which counts as a change.
pub(crate) fn string_for_bit_write<'a>(
    ctx: &'a mut Ctx,
    key: &[u8],
    max_bit: u64,
) -> Result<(&'a mut StrValue, bool), Reply> {
    let needed = (max_bit >> 3) as usize + 1;
    let exists = match ctx.lookup_write(key) {
        Some(entry) if !matches!(entry.value, Value::String(_)) => return Err(Reply::error(errors::WRONGTYPE)),
        Some(_) => true,
        None => false,
    };
    if !exists {
        // Like Redis's dbAdd: creating the key alone signals nothing; the
        // caller signals when a bit or field really changed.
        let now = ctx.now_ms();
        let policy = ctx.config().maxmemory_policy;
        let db = ctx.db();
        db.set(key, Value::String(StrValue::raw(vec![0; needed])), false);
        if let Some(entry) = db.get_mut(key) {
            crate::access::init(entry, now, policy);
        }
    }
    match ctx.lookup_quiet(key) {
        Some(entry) => match &mut entry.value {
            Value::String(s) => {
                s.mark_raw();
                let mut grown = !exists;
                if s.len() < needed {
                    s.bytes_mut().resize(needed, 0);
                    grown = true;
                }
                Ok((s, grown))
            }
            _ => Err(Reply::error(errors::WRONGTYPE)),
        },
        None => Err(Reply::error(errors::WRONGTYPE)),
    }
}

/// The string under `key` for reading: `Ok(None)` if missing, WRONGTYPE
/// for another type.
fn read_string<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a StrValue>, Reply> {
    match ctx.lookup_read(key).map(|e| &e.value) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Reply::error(errors::WRONGTYPE)),
    }
}

/// SETBIT key offset value — answers the old bit. The offset is checked
/// before the bit value, both before the key.
fn setbit(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let offset = parse_offset(ctx, &argv[2], None)?;
    let on = match parse_i64(&argv[3]) {
        Some(v @ (0 | 1)) => v as u8,
        _ => return Err(Reply::error(BAD_BIT_VALUE)),
    };
    let key = &argv[1];
    let (s, grown) = string_for_bit_write(ctx, key, offset)?;
    let old = s.set_bit(offset, on).ok_or(Reply::error(BAD_OFFSET))?;
    // Redis 7.0 signals and notifies only when the string really changed.
    if grown || old != on {
        ctx.key_modified(key);
        ctx.notify(notify::STRING, "setbit", key);
    }
    Ok(Reply::Integer(old as i64))
}

/// GETBIT key offset — 0 past the end or for a missing key.
fn getbit(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let offset = parse_offset(ctx, &argv[2], None)?;
    Ok(Reply::Integer(read_string(ctx, &argv[1])?.map_or(0, |s| s.bit(offset)) as i64))
}

/// Whether a range is in bytes (default) or bits.
fn parse_unit(arg: &[u8]) -> Result<bool, Reply> {
    if args::is(arg, "bit") {
        Ok(true)
    } else if args::is(arg, "byte") {
        Ok(false)
    } else {
        Err(Reply::error(errors::SYNTAX))
    }
}

/// A range resolved to whole bytes plus masks for the bits of the edge
/// bytes that lie outside a bit range.
struct ByteRange {
    start: i64,
    end: i64,
    first_outside: u8,
    last_outside: u8,
}

impl ByteRange {
    /// Every byte of a string of `len` bytes.
    fn whole(len: i64) -> ByteRange {
        ByteRange { start: 0, end: len - 1, first_outside: 0, last_outside: 0 }
    }
}

/// Redis's index normalisation shared by BITCOUNT and BITPOS: negatives
/// count from the end, then both ends are clamped into the string.
fn resolve_range(mut start: i64, mut end: i64, len: i64, bits: bool) -> ByteRange {
    let total = if bits { len << 3 } else { len };
    if start < 0 {
        start += total;
    }
    if end < 0 {
        end += total;
    }
    start = start.max(0);
    end = end.max(0);
    if end >= total {
        end = total - 1;
    }
    let mut range = ByteRange { start, end, first_outside: 0, last_outside: 0 };
    if bits && start <= end {
        range.first_outside = !((1u16 << (8 - (start & 7))) - 1) as u8;
        range.last_outside = ((1u16 << (7 - (end & 7))) - 1) as u8;
        range.start = start >> 3;
        range.end = end >> 3;
    }
    range
}

/// BITCOUNT key [start end [BYTE|BIT]]
///
/// The key is looked up first (a missing key answers 0 whatever follows),
/// then the indexes; an inverted pair of negative indexes answers 0 before
/// the unit is read, as in Redis.
fn bitcount(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let Some(s) = read_string(ctx, &argv[1])? else { return Ok(Reply::Integer(0)) };
    let bytes = s.as_bytes();
    let len = bytes.len() as i64;
    let range = match argv.len() {
        2 => ByteRange::whole(len),
        4 | 5 => {
            let start = args::int(&argv[2])?;
            let end = args::int(&argv[3])?;
            if start < 0 && end < 0 && start > end {
                return Ok(Reply::Integer(0));
            }
            let bits = argv.get(4).map(|a| parse_unit(a)).transpose()?.unwrap_or(false);
            resolve_range(start, end, len, bits)
        }
        _ => return Err(Reply::error(errors::SYNTAX)),
    };
    if range.start > range.end {
        return Ok(Reply::Integer(0));
    }
    let (start, end) = (range.start as usize, range.end as usize);
    let Some(slice) = bytes.get(start..=end) else { return Ok(Reply::Integer(0)) };
    let mut count: i64 = slice.iter().map(|b| b.count_ones() as i64).sum();
    count -= (bytes[start] & range.first_outside).count_ones() as i64;
    count -= (bytes[end] & range.last_outside).count_ones() as i64;
    Ok(Reply::Integer(count))
}

/// Position of the first bit equal to `bit` in `bytes`: -1 if looking for
/// a 1 and there is none, the first bit past the end if looking for a 0.
fn first_bit(bytes: &[u8], bit: bool) -> i64 {
    let skip = if bit { 0x00 } else { 0xff };
    match bytes.iter().position(|&b| b != skip) {
        Some(i) => {
            let b = if bit { bytes[i] } else { !bytes[i] };
            (i as i64) * 8 + b.leading_zeros() as i64
        }
        None if bit => -1,
        None => bytes.len() as i64 * 8,
    }
}

/// BITPOS key bit [start [end [BYTE|BIT]]]
///
/// Looking for a 0 without an explicit end finds the first bit past the
/// string when every bit is 1 (the string reads as zero-padded); with an
/// end it answers -1 instead. Like Redis, the unit is read before the end.
fn bitpos(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let bit = match args::int(&argv[2])? {
        0 => false,
        1 => true,
        _ => return Err(Reply::error(BAD_BIT_ARG)),
    };
    let Some(s) = read_string(ctx, &argv[1])? else { return Ok(Reply::Integer(if bit { -1 } else { 0 })) };
    let bytes = s.as_bytes();
    let len = bytes.len() as i64;
    let mut end_given = false;
    let range = match argv.len() {
        3 => ByteRange::whole(len),
        4..=6 => {
            let start = args::int(&argv[3])?;
            let bits = argv.get(5).map(|a| parse_unit(a)).transpose()?.unwrap_or(false);
            let end = match argv.get(4) {
                Some(a) => {
                    end_given = true;
                    args::int(a)?
                }
                None if bits => (len << 3) + 7,
                None => len - 1,
            };
            resolve_range(start, end, len, bits)
        }
        _ => return Err(Reply::error(errors::SYNTAX)),
    };
    if range.start > range.end {
        return Ok(Reply::Integer(-1));
    }
    let (start, end) = (range.start as usize, range.end as usize);
    let Some(slice) = bytes.get(start..=end) else { return Ok(Reply::Integer(-1)) };
    // Copy the range, forcing the bits outside a bit range to "not found".
    let mut window = slice.to_vec();
    let last = window.len() - 1;
    if bit {
        window[0] &= !range.first_outside;
        window[last] &= !range.last_outside;
    } else {
        window[0] |= range.first_outside;
        window[last] |= range.last_outside;
    }
    // Bits of the last byte beyond a bit range are not part of the range.
    let range_bits = window.len() as i64 * 8 - range.last_outside.count_ones() as i64;
    let pos = first_bit(&window, bit);
    if (!bit && end_given && pos >= range_bits) || pos == -1 {
        return Ok(Reply::Integer(-1));
    }
    Ok(Reply::Integer(pos + (range.start << 3)))
}

/// A BITOP operation.
#[derive(Clone, Copy, PartialEq, Eq)]
enum BitOp {
    And,
    Or,
    Xor,
    Not,
}

impl BitOp {
    fn parse(arg: &[u8]) -> Result<BitOp, Reply> {
        [("and", BitOp::And), ("or", BitOp::Or), ("xor", BitOp::Xor), ("not", BitOp::Not)]
            .into_iter()
            .find(|(name, _)| args::is(arg, name))
            .map(|(_, op)| op)
            .ok_or(Reply::error(errors::SYNTAX))
    }

    /// The operation over `sources`, shorter ones read as zero-padded to
    /// the longest (NOT takes exactly one source).
    fn apply(self, sources: &[Vec<u8>]) -> Vec<u8> {
        let max_len = sources.iter().map(Vec::len).max().unwrap_or(0);
        let byte_of = |src: &Vec<u8>, i: usize| src.get(i).copied().unwrap_or(0);
        (0..max_len)
            .map(|i| {
                let first = byte_of(&sources[0], i);
                sources[1..].iter().fold(if self == BitOp::Not { !first } else { first }, |out, src| {
                    let b = byte_of(src, i);
                    match self {
                        BitOp::And => out & b,
                        BitOp::Or => out | b,
                        BitOp::Xor => out ^ b,
                        BitOp::Not => out,
                    }
                })
            })
            .collect()
    }
}

/// BITOP AND|OR|XOR|NOT destkey key [key ...] — answers the result's
/// length; an empty result deletes destkey.
fn bitop(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let op = BitOp::parse(&argv[1])?;
    if op == BitOp::Not && argv.len() != 4 {
        return Err(Reply::error("ERR BITOP NOT must be called with a single source key."));
    }
    let mut sources: Vec<Vec<u8>> = Vec::with_capacity(argv.len() - 3);
    for key in &argv[3..] {
        sources.push(read_string(ctx, key)?.map(|s| s.to_vec()).unwrap_or_default());
    }
    let result = op.apply(&sources);
    let dest = &argv[2];
    if result.is_empty() {
        if ctx.delete_key(dest) {
            ctx.notify(notify::GENERIC, "del", dest);
        }
        return Ok(Reply::Integer(0));
    }
    let len = result.len();
    ctx.set_key(dest, Value::String(StrValue::raw(result)), false);
    ctx.notify(notify::STRING, "set", dest);
    Ok(Reply::Integer(len as i64))
}

/// BITFIELD's key flags for a given line: read-only when it only has GET
/// (and OVERFLOW) operations, as Redis's key extraction decides.
fn bitfield_key_flags(line: &[Vec<u8>]) -> &'static [&'static str] {
    let mut i = 2;
    while i < line.len() {
        let remaining = line.len() - i - 1;
        let op = &line[i];
        if op.eq_ignore_ascii_case(b"GET") && remaining >= 2 {
            i += 3;
        } else if op.eq_ignore_ascii_case(b"OVERFLOW") && remaining >= 1 {
            i += 2;
        } else {
            return &["RW", "access", "update"];
        }
    }
    &["RO", "access"]
}
