//! Bitmap commands on strings: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP,
//! BITFIELD and BITFIELD_RO. Bit 0 is the most significant bit of byte 0.
//! Strings grow with zero bytes; an offset whose byte would reach
//! `proto-max-bulk-len` is refused, as in Redis, before anything is allocated.

pub mod bitfield;
#[cfg(test)]
mod notify_tests;

use crate::args;
use crate::command::{flags::*, CommandSpec, Group, KeySpec};
use crate::engine::Ctx;
use crate::errors;
use crate::float::parse_i64;
use crate::notify;
use crate::reply::Reply;
use crate::value::{StrValue, Value};

const BAD_OFFSET: &str = "ERR bit offset is not an integer or out of range";
const BAD_BIT_VALUE: &str = "ERR bit is not an integer or out of range";
const BAD_BIT_ARG: &str = "ERR The bit argument must be 1 or 0.";

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "setbit",
        arity: 4,
        flags: WRITE | DENYOOM,
        group: Group::Bitmap,
        since: "2.2.0",
        complexity: "O(1)",
        summary: "Sets or clears one bit of a string, growing it as needed; answers the old bit",
        syntax: "key offset value",
        keys: KeySpec::ONE,
        handler: |c, a| Ok(setbit(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "getbit",
        arity: 3,
        flags: READONLY | FAST,
        group: Group::Bitmap,
        since: "2.2.0",
        complexity: "O(1)",
        summary: "Reads one bit of a string (0 past the end)",
        syntax: "key offset",
        keys: KeySpec::ONE,
        handler: |c, a| Ok(getbit(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "bitcount",
        arity: -2,
        flags: READONLY,
        group: Group::Bitmap,
        since: "2.6.0",
        complexity: "O(N)",
        summary: "Counts the set bits of a string, optionally within a byte or bit range",
        syntax: "key [start end [BYTE|BIT]]",
        keys: KeySpec::ONE,
        handler: |c, a| Ok(bitcount(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "bitpos",
        arity: -3,
        flags: READONLY,
        group: Group::Bitmap,
        since: "2.8.7",
        complexity: "O(N)",
        summary: "Finds the first bit set to 1 or 0, optionally within a byte or bit range",
        syntax: "key bit [start [end [BYTE|BIT]]]",
        keys: KeySpec::ONE,
        handler: |c, a| Ok(bitpos(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "bitop",
        arity: -4,
        flags: WRITE | DENYOOM,
        group: Group::Bitmap,
        since: "2.6.0",
        complexity: "O(N)",
        summary: "Stores the bitwise AND, OR, XOR or NOT of strings in a destination key",
        syntax: "AND|OR|XOR|NOT destkey key [key ...]",
        keys: KeySpec { first: 2, last: -1, step: 1 },
        handler: |c, a| Ok(bitop(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "bitfield",
        arity: -2,
        flags: WRITE | DENYOOM,
        group: Group::Bitmap,
        since: "3.2.0",
        complexity: "O(1) for each subcommand specified",
        summary: "Reads, writes and increments integers of any width at any bit offset of a string",
        syntax: "key [GET encoding offset|[OVERFLOW WRAP|SAT|FAIL] SET encoding offset value|INCRBY encoding offset increment ...]",
        keys: KeySpec::ONE,
        handler: |c, a| Ok(bitfield::bitfield(c, a)),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "bitfield_ro",
        arity: -2,
        flags: READONLY | FAST,
        group: Group::Bitmap,
        since: "6.0.0",
        complexity: "O(1) for each subcommand specified",
        summary: "Reads integers at bit offsets of a string (BITFIELD limited to GET)",
        syntax: "key [GET encoding offset ...]",
        keys: KeySpec::ONE,
        handler: |c, a| Ok(bitfield::bitfield_ro(c, a)),
        ..CommandSpec::DEFAULT
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

/// SETBIT key offset value
fn setbit(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let offset = match parse_offset(ctx, &argv[2], None) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let on = match parse_i64(&argv[3]) {
        Some(v @ (0 | 1)) => v as u8,
        _ => return Reply::error(BAD_BIT_VALUE),
    };
    let key = &argv[1];
    let (old, grown) = match string_for_bit_write(ctx, key, offset) {
        Ok((s, grown)) => {
            let byte = (offset >> 3) as usize;
            let shift = 7 - (offset & 7) as u8;
            let Some(b) = s.bytes_mut().get_mut(byte) else { return Reply::error(BAD_OFFSET) };
            let old = (*b >> shift) & 1;
            *b = (*b & !(1 << shift)) | (on << shift);
            (old, grown)
        }
        Err(e) => return e,
    };
    // Redis 7.0 signals and notifies only when the string really changed.
    if grown || old != on {
        ctx.key_modified(key);
        ctx.notify(notify::STRING, "setbit", key);
    }
    Reply::Integer(old as i64)
}

/// GETBIT key offset
fn getbit(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let offset = match parse_offset(ctx, &argv[2], None) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let Some(entry) = ctx.lookup_read(&argv[1]) else { return Reply::Integer(0) };
    let Value::String(s) = &entry.value else { return Reply::error(errors::WRONGTYPE) };
    let bit =
        usize::try_from(offset >> 3).ok().and_then(|byte| s.get(byte)).map_or(0, |b| (b >> (7 - (offset & 7))) & 1);
    Reply::Integer(bit as i64)
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
fn bitcount(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let Some(entry) = ctx.lookup_read(&argv[1]) else { return Reply::Integer(0) };
    let Value::String(s) = &entry.value else { return Reply::error(errors::WRONGTYPE) };
    let bytes = s.as_bytes();
    let len = bytes.len() as i64;
    let range = match argv.len() {
        2 => ByteRange { start: 0, end: len - 1, first_outside: 0, last_outside: 0 },
        4 | 5 => {
            let start = match args::int(&argv[2]) {
                Ok(v) => v,
                Err(e) => return e,
            };
            let end = match args::int(&argv[3]) {
                Ok(v) => v,
                Err(e) => return e,
            };
            // Redis answers an inverted negative range before reading the unit.
            if start < 0 && end < 0 && start > end {
                return Reply::Integer(0);
            }
            let bits = match argv.get(4).map(|a| parse_unit(a)) {
                Some(Err(e)) => return e,
                Some(Ok(b)) => b,
                None => false,
            };
            resolve_range(start, end, len, bits)
        }
        _ => return Reply::error(errors::SYNTAX),
    };
    if range.start > range.end {
        return Reply::Integer(0);
    }
    let (start, end) = (range.start as usize, range.end as usize);
    let Some(slice) = bytes.get(start..=end) else { return Reply::Integer(0) };
    let mut count: i64 = slice.iter().map(|b| b.count_ones() as i64).sum();
    count -= (bytes[start] & range.first_outside).count_ones() as i64;
    count -= (bytes[end] & range.last_outside).count_ones() as i64;
    Reply::Integer(count)
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
fn bitpos(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let bit = match args::int(&argv[2]) {
        Ok(0) => false,
        Ok(1) => true,
        Ok(_) => return Reply::error(BAD_BIT_ARG),
        Err(e) => return e,
    };
    let Some(entry) = ctx.lookup_read(&argv[1]) else { return Reply::Integer(if bit { -1 } else { 0 }) };
    let Value::String(s) = &entry.value else { return Reply::error(errors::WRONGTYPE) };
    let bytes = s.as_bytes();
    let len = bytes.len() as i64;
    let mut end_given = false;
    let range = match argv.len() {
        3 => ByteRange { start: 0, end: len - 1, first_outside: 0, last_outside: 0 },
        4..=6 => {
            let start = match args::int(&argv[3]) {
                Ok(v) => v,
                Err(e) => return e,
            };
            let bits = match argv.get(5).map(|a| parse_unit(a)) {
                Some(Err(e)) => return e,
                Some(Ok(b)) => b,
                None => false,
            };
            let end = match argv.get(4) {
                Some(a) => match args::int(a) {
                    Ok(v) => {
                        end_given = true;
                        v
                    }
                    Err(e) => return e,
                },
                None if bits => (len << 3) + 7,
                None => len - 1,
            };
            resolve_range(start, end, len, bits)
        }
        _ => return Reply::error(errors::SYNTAX),
    };
    if range.start > range.end {
        return Reply::Integer(-1);
    }
    let (start, end) = (range.start as usize, range.end as usize);
    let Some(slice) = bytes.get(start..=end) else { return Reply::Integer(-1) };
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
    if !bit && end_given && pos >= range_bits {
        return Reply::Integer(-1);
    }
    if pos == -1 {
        return Reply::Integer(-1);
    }
    Reply::Integer(pos + (range.start << 3))
}

/// BITOP AND|OR|XOR|NOT destkey key [key ...] — answers the result's
/// length; an empty result deletes destkey.
fn bitop(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    #[derive(PartialEq)]
    enum Op {
        And,
        Or,
        Xor,
        Not,
    }
    let op = match argv[1].to_ascii_lowercase().as_slice() {
        b"and" => Op::And,
        b"or" => Op::Or,
        b"xor" => Op::Xor,
        b"not" => Op::Not,
        _ => return Reply::error(errors::SYNTAX),
    };
    if op == Op::Not && argv.len() != 4 {
        return Reply::error("ERR BITOP NOT must be called with a single source key.");
    }
    let mut sources: Vec<Vec<u8>> = Vec::with_capacity(argv.len() - 3);
    for key in &argv[3..] {
        match ctx.lookup_read(key) {
            None => sources.push(Vec::new()),
            Some(entry) => match &entry.value {
                Value::String(s) => sources.push(s.to_vec()),
                _ => return Reply::error(errors::WRONGTYPE),
            },
        }
    }
    let max_len = sources.iter().map(Vec::len).max().unwrap_or(0);
    let dest = &argv[2];
    if max_len == 0 {
        if ctx.delete_key(dest) {
            ctx.notify(notify::GENERIC, "del", dest);
        }
        return Reply::Integer(0);
    }
    let byte_of = |src: &Vec<u8>, i: usize| src.get(i).copied().unwrap_or(0);
    let mut result = Vec::with_capacity(max_len);
    for i in 0..max_len {
        let mut out = byte_of(&sources[0], i);
        if op == Op::Not {
            out = !out;
        }
        for src in &sources[1..] {
            let b = byte_of(src, i);
            match op {
                Op::And => out &= b,
                Op::Or => out |= b,
                Op::Xor => out ^= b,
                Op::Not => {}
            }
        }
        result.push(out);
    }
    ctx.set_key(dest, Value::String(StrValue::raw(result)), false);
    ctx.notify(notify::STRING, "set", dest);
    Reply::Integer(max_len as i64)
}
