//! BITFIELD and BITFIELD_RO: integers of 1‥64 bits (signed) or 1‥63 bits
//! (unsigned) at arbitrary bit offsets, with WRAP, SAT or FAIL overflow.
//! All arguments are parsed before the key is touched, as in Redis.

use super::{parse_offset, string_for_bit_write};
use crate::args::{self, Args};
use crate::command::CommandResult;
use crate::engine::Ctx;
use crate::errors;
use crate::float::parse_i64;
use crate::notify;
use crate::reply::Reply;
use crate::value::Value;

const BAD_TYPE: &str =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overflow {
    Wrap,
    Sat,
    Fail,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    Get,
    Set,
    IncrBy,
}

/// One parsed subcommand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldOp {
    pub kind: OpKind,
    pub signed: bool,
    pub bits: u32,
    pub offset: u64,
    pub value: i64,
    pub overflow: Overflow,
}

/// An integer type such as `i16` or `u8` (lower-case letter; digits up to a
/// NUL byte, as Redis reads them).
pub fn parse_type(arg: &[u8]) -> Result<(bool, u32), Reply> {
    let signed = match arg.first() {
        Some(b'i') => true,
        Some(b'u') => false,
        _ => return Err(Reply::error(BAD_TYPE)),
    };
    let digits = &arg[1..];
    let digits = &digits[..digits.iter().position(|&b| b == 0).unwrap_or(digits.len())];
    match parse_i64(digits) {
        Some(bits) if bits >= 1 && ((signed && bits <= 64) || (!signed && bits <= 63)) => Ok((signed, bits as u32)),
        _ => Err(Reply::error(BAD_TYPE)),
    }
}

impl Overflow {
    /// `WRAP`, `SAT` or `FAIL` (any case).
    fn parse(arg: &[u8]) -> Result<Overflow, Reply> {
        [("wrap", Overflow::Wrap), ("sat", Overflow::Sat), ("fail", Overflow::Fail)]
            .into_iter()
            .find(|(name, _)| args::is(arg, name))
            .map(|(_, o)| o)
            .ok_or(Reply::error("ERR Invalid OVERFLOW type specified"))
    }
}

/// Parses every subcommand after the key, in order. As in Redis, a
/// subcommand is recognised only when enough arguments follow it (else the
/// whole command is a syntax error, whatever those arguments are); its
/// type, offset and value are then checked in that order. OVERFLOW applies
/// to the SET and INCRBY subcommands after it.
pub fn parse_ops(ctx: &Ctx, argv: &[Vec<u8>]) -> Result<Vec<FieldOp>, Reply> {
    let mut args = Args::new(argv, 2);
    let mut ops = Vec::new();
    let mut overflow = Overflow::Wrap;
    while args.has_more() {
        let after = args.remaining() - 1;
        let kind = if after >= 2 && args.eat("get") {
            OpKind::Get
        } else if after >= 3 && args.eat("set") {
            OpKind::Set
        } else if after >= 3 && args.eat("incrby") {
            OpKind::IncrBy
        } else if after >= 1 && args.eat("overflow") {
            overflow = Overflow::parse(args.value()?)?;
            continue;
        } else {
            break;
        };
        let (signed, bits) = parse_type(args.value()?)?;
        let offset = parse_offset(ctx, args.value()?, Some(bits))?;
        let value = if kind == OpKind::Get { 0 } else { args.int()? };
        ops.push(FieldOp { kind, signed, bits, offset, value, overflow });
    }
    args.finish()?;
    Ok(ops)
}

/// Reads `bits` bits at bit `offset` (past the end reads zeros).
fn get_unsigned(bytes: &[u8], offset: u64, bits: u32) -> u64 {
    let mut value = 0u64;
    for i in 0..bits as u64 {
        let pos = offset + i;
        let bit = usize::try_from(pos >> 3).ok().and_then(|b| bytes.get(b)).map_or(0, |b| (b >> (7 - (pos & 7))) & 1);
        value = (value << 1) | bit as u64;
    }
    value
}

fn get_signed(bytes: &[u8], offset: u64, bits: u32) -> i64 {
    let mut value = get_unsigned(bytes, offset, bits);
    if bits < 64 && value & (1u64 << (bits - 1)) != 0 {
        value |= u64::MAX << bits;
    }
    value as i64
}

fn put(bytes: &mut [u8], offset: u64, bits: u32, value: u64) {
    for i in 0..bits as u64 {
        let pos = offset + i;
        let bit = ((value >> (bits as u64 - 1 - i)) & 1) as u8;
        let shift = 7 - (pos & 7) as u8;
        if let Some(b) = usize::try_from(pos >> 3).ok().and_then(|b| bytes.get_mut(b)) {
            *b = (*b & !(1 << shift)) | (bit << shift);
        }
    }
}

/// Redis's unsigned overflow rule: `Some(replacement)` when `value + incr`
/// leaves 0‥2^bits-1 (the replacement is meaningless under FAIL).
fn unsigned_overflow(value: u64, incr: i64, bits: u32, overflow: Overflow) -> Option<u64> {
    let max = (1u64 << bits) - 1;
    let max_incr = max.wrapping_sub(value) as i64;
    let min_incr = value.wrapping_neg() as i64;
    let wrapped = || value.wrapping_add(incr as u64) & max;
    if value > max || (incr > 0 && incr > max_incr) {
        Some(if overflow == Overflow::Sat { max } else { wrapped() })
    } else if incr < 0 && incr < min_incr {
        Some(if overflow == Overflow::Sat { 0 } else { wrapped() })
    } else {
        None
    }
}

/// Redis's signed overflow rule, as [`unsigned_overflow`].
fn signed_overflow(value: i64, incr: i64, bits: u32, overflow: Overflow) -> Option<i64> {
    let max = if bits == 64 { i64::MAX } else { (1i64 << (bits - 1)) - 1 };
    let min = -max - 1;
    let max_incr = (max as u64).wrapping_sub(value as u64) as i64;
    let min_incr = min.wrapping_sub(value);
    let wrapped = || {
        let mut c = (value as u64).wrapping_add(incr as u64);
        if bits < 64 {
            let mask = u64::MAX << bits;
            if c & (1u64 << (bits - 1)) != 0 {
                c |= mask;
            } else {
                c &= !mask;
            }
        }
        c as i64
    };
    if value > max || (bits != 64 && incr > max_incr) || (value >= 0 && incr > 0 && incr > max_incr) {
        Some(if overflow == Overflow::Sat { max } else { wrapped() })
    } else if value < min || (bits != 64 && incr < min_incr) || (value < 0 && incr < 0 && incr < min_incr) {
        Some(if overflow == Overflow::Sat { min } else { wrapped() })
    } else {
        None
    }
}

/// Runs one SET or INCRBY on `bytes`: the reply (nil when FAIL refused it)
/// and whether the stored value changed.
fn apply_write(bytes: &mut [u8], op: &FieldOp) -> (Reply, bool) {
    let incr = op.kind == OpKind::IncrBy;
    if op.signed {
        let old = get_signed(bytes, op.offset, op.bits);
        let (candidate, delta) = if incr { (old, op.value) } else { (op.value, 0) };
        let limited = signed_overflow(candidate, delta, op.bits, op.overflow);
        if limited.is_some() && op.overflow == Overflow::Fail {
            return (Reply::Nil, false);
        }
        let new = limited.unwrap_or(candidate.wrapping_add(delta));
        put(bytes, op.offset, op.bits, new as u64);
        (Reply::Integer(if incr { new } else { old }), new != old)
    } else {
        let old = get_unsigned(bytes, op.offset, op.bits);
        let (candidate, delta) = if incr { (old, op.value) } else { (op.value as u64, 0) };
        let limited = unsigned_overflow(candidate, delta, op.bits, op.overflow);
        if limited.is_some() && op.overflow == Overflow::Fail {
            return (Reply::Nil, false);
        }
        let new = limited.unwrap_or(candidate.wrapping_add(delta as u64));
        put(bytes, op.offset, op.bits, new);
        (Reply::Integer(if incr { new as i64 } else { old as i64 }), new != old)
    }
}

fn read(bytes: &[u8], op: &FieldOp) -> Reply {
    if op.signed {
        Reply::Integer(get_signed(bytes, op.offset, op.bits))
    } else {
        Reply::Integer(get_unsigned(bytes, op.offset, op.bits) as i64)
    }
}

/// BITFIELD key [GET type offset] [SET type offset value]
/// [INCRBY type offset increment] [OVERFLOW WRAP|SAT|FAIL] ...
///
/// All subcommands are parsed before the key is touched. With GETs only,
/// the key is just read; any write creates or grows the string first.
pub fn bitfield(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    run(ctx, argv, false)
}

/// BITFIELD_RO key [GET type offset ...] — other subcommands parse but are
/// then refused.
pub fn bitfield_ro(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    run(ctx, argv, true)
}

fn run(ctx: &mut Ctx, argv: &[Vec<u8>], read_only: bool) -> CommandResult {
    let ops = parse_ops(ctx, argv)?;
    let key = &argv[1];
    let highest_write = ops.iter().filter(|op| op.kind != OpKind::Get).map(|op| op.offset + op.bits as u64 - 1).max();
    let Some(highest_write) = highest_write else {
        let bytes = match ctx.lookup_read(key).map(|e| &e.value) {
            None => Vec::new(),
            Some(Value::String(s)) => s.to_vec(),
            Some(_) => return Err(Reply::error(errors::WRONGTYPE)),
        };
        return Ok(Reply::Array(ops.iter().map(|op| read(&bytes, op)).collect()));
    };
    if read_only {
        return Err(Reply::error("ERR BITFIELD_RO only supports the GET subcommand"));
    }
    let (s, grown) = string_for_bit_write(ctx, key, highest_write)?;
    let mut changes = 0;
    let mut replies = Vec::with_capacity(ops.len());
    for op in &ops {
        if op.kind == OpKind::Get {
            replies.push(read(s, op));
        } else {
            let (reply, changed) = apply_write(s.bytes_mut(), op);
            // A write counts when it happened and the value changed or the string grew.
            if changed || (grown && !matches!(reply, Reply::Nil)) {
                changes += 1;
            }
            replies.push(reply);
        }
    }
    if changes > 0 {
        ctx.key_modified(key);
        ctx.notify(notify::STRING, "setbit", key);
    }
    Ok(Reply::Array(replies))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_wrap_and_sat() {
        assert_eq!(signed_overflow(127, 1, 8, Overflow::Wrap), Some(-128));
        assert_eq!(signed_overflow(127, 1, 8, Overflow::Sat), Some(127));
        assert_eq!(signed_overflow(-128, -1, 8, Overflow::Sat), Some(-128));
        assert_eq!(signed_overflow(1, 1, 8, Overflow::Wrap), None);
        assert_eq!(signed_overflow(i64::MAX, 1, 64, Overflow::Wrap), Some(i64::MIN));
    }

    #[test]
    fn unsigned_wrap_and_sat() {
        assert_eq!(unsigned_overflow(255, 1, 8, Overflow::Wrap), Some(0));
        assert_eq!(unsigned_overflow(0, -1, 8, Overflow::Sat), Some(0));
        assert_eq!(unsigned_overflow(0, -1, 8, Overflow::Wrap), Some(255));
        assert_eq!(unsigned_overflow(u64::MAX, 0, 8, Overflow::Sat), Some(255));
    }
}
