//! The `cmsgpack` library (lua-cmsgpack as Redis ships it):
//! `cmsgpack.pack(v, ...)`, `cmsgpack.unpack(s)`, and the streaming forms
//! `cmsgpack.unpack_one(s [, offset])` and `cmsgpack.unpack_limit(s, limit
//! [, offset])`, which return the offset of the next value (-1 at the end)
//! before the values.
//!
//! Numbers that are exact 64-bit integers use the smallest integer form;
//! others become float32 when that loses nothing, else float64. Tables
//! whose keys are exactly 1..n become arrays, others maps; tables nested
//! deeper than 16 levels are packed as nil.

use rilua::vm::state::LuaState;
use rilua::{LuaResult, Val};

use super::convert::{new_table, string_val, table_set, val_bytes};
use super::libs::{args, raise_here, set_function};

const MAX_NESTING: usize = 16;
/// Deepest nesting decoded (each level is a Rust call).
const MAX_DECODE_DEPTH: usize = 200;

pub(super) fn table(state: &mut LuaState) -> Val {
    let t = new_table(state);
    set_function(state, t, "pack", pack);
    set_function(state, t, "unpack", unpack);
    set_function(state, t, "unpack_one", unpack_one);
    set_function(state, t, "unpack_limit", unpack_limit);
    for (key, value) in [
        ("_NAME", "cmsgpack"),
        ("_VERSION", "lua-cmsgpack 0.4.0"),
        ("_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo"),
        ("_DESCRIPTION", "MessagePack C implementation for Lua"),
    ] {
        let (k, v) = (string_val(state, key.as_bytes()), string_val(state, value.as_bytes()));
        table_set(state, t, k, v);
    }
    t
}

fn pack(state: &mut LuaState) -> LuaResult<u32> {
    let vals = args(state);
    if vals.is_empty() {
        return Err(raise_here(state, "bad argument #0 to 'pack' (MessagePack pack needs input.)"));
    }
    let mut out = Vec::new();
    for v in vals {
        encode(state, v, 0, &mut out);
    }
    let s = string_val(state, &out);
    state.push(s);
    Ok(1)
}

fn is_int64(n: f64) -> bool {
    n.is_finite() && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&n) && n.fract() == 0.0
}

fn encode_int(i: i64, out: &mut Vec<u8>) {
    if i >= 0 {
        match i {
            0..=127 => out.push(i as u8),
            128..=0xff => out.extend_from_slice(&[0xcc, i as u8]),
            0x100..=0xffff => {
                out.push(0xcd);
                out.extend_from_slice(&(i as u16).to_be_bytes());
            }
            0x1_0000..=0xffff_ffff => {
                out.push(0xce);
                out.extend_from_slice(&(i as u32).to_be_bytes());
            }
            _ => {
                out.push(0xcf);
                out.extend_from_slice(&(i as u64).to_be_bytes());
            }
        }
    } else if i >= -32 {
        out.push(i as i8 as u8);
    } else if i >= -128 {
        out.extend_from_slice(&[0xd0, i as i8 as u8]);
    } else if i >= -32768 {
        out.push(0xd1);
        out.extend_from_slice(&(i as i16).to_be_bytes());
    } else if i >= -2_147_483_648 {
        out.push(0xd2);
        out.extend_from_slice(&(i as i32).to_be_bytes());
    } else {
        out.push(0xd3);
        out.extend_from_slice(&i.to_be_bytes());
    }
}

fn encode_number(n: f64, out: &mut Vec<u8>) {
    if is_int64(n) {
        encode_int(n as i64, out);
        return;
    }
    let f = n as f32;
    if f as f64 == n {
        out.push(0xca);
        out.extend_from_slice(&f.to_bits().to_be_bytes());
    } else {
        out.push(0xcb);
        out.extend_from_slice(&n.to_bits().to_be_bytes());
    }
}

fn encode_len(len: usize, small: u8, small_max: usize, mid: u8, big: u8, out: &mut Vec<u8>) {
    if len <= small_max {
        out.push(small | len as u8);
    } else if len <= 0xffff {
        out.push(mid);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(big);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    }
}

fn encode_bytes(b: &[u8], out: &mut Vec<u8>) {
    if b.len() < 32 {
        out.push(0xa0 | b.len() as u8);
    } else if b.len() <= 0xff {
        out.extend_from_slice(&[0xd9, b.len() as u8]);
    } else if b.len() <= 0xffff {
        out.push(0xda);
        out.extend_from_slice(&(b.len() as u16).to_be_bytes());
    } else {
        out.push(0xdb);
        out.extend_from_slice(&(b.len() as u32).to_be_bytes());
    }
    out.extend_from_slice(b);
}

fn encode(state: &LuaState, v: Val, level: usize, out: &mut Vec<u8>) {
    match v {
        Val::Bool(b) => out.push(if b { 0xc3 } else { 0xc2 }),
        Val::Num(n) => encode_number(n, out),
        Val::Str(_) => encode_bytes(&val_bytes(state, v).unwrap_or_default(), out),
        Val::Table(r) if level < MAX_NESTING => {
            let items = super::convert::table_pairs(state, v, usize::MAX);
            let max = items.iter().try_fold(0usize, |max, (k, _)| match k {
                Val::Num(n) if *n >= 1.0 && n.fract() == 0.0 && *n <= u32::MAX as f64 => Some(max.max(*n as usize)),
                _ => None,
            });
            if max == Some(items.len()) {
                encode_len(items.len(), 0x90, 15, 0xdc, 0xdd, out);
                for i in 1..=items.len() {
                    let item = state.gc.tables.get(r).map_or(Val::Nil, |t| t.get_int(i as i64));
                    encode(state, item, level + 1, out);
                }
            } else {
                encode_len(items.len(), 0x80, 15, 0xde, 0xdf, out);
                for (k, item) in items {
                    encode(state, k, level + 1, out);
                    encode(state, item, level + 1, out);
                }
            }
        }
        _ => out.push(0xc0),
    }
}

fn unpack(state: &mut LuaState) -> LuaResult<u32> {
    let data = input(state, "unpack")?;
    push_values(state, &data, 0, usize::MAX).map(|(count, _)| count)
}

/// unpack_one(s [, offset]): the value at `offset`, after the next offset.
fn unpack_one(state: &mut LuaState) -> LuaResult<u32> {
    let data = input(state, "unpack_one")?;
    let offset = int_arg(state, 1, "unpack_one")?.unwrap_or(0);
    unpack_from(state, &data, 1, offset)
}

/// unpack_limit(s, limit [, offset]): at most `limit` values.
fn unpack_limit(state: &mut LuaState) -> LuaResult<u32> {
    let data = input(state, "unpack_limit")?;
    let Some(limit) = int_arg(state, 1, "unpack_limit")? else {
        return Err(raise_here(state, "bad argument #2 to 'unpack_limit' (number expected, got no value)"));
    };
    let offset = int_arg(state, 2, "unpack_limit")?.unwrap_or(0);
    unpack_from(state, &data, limit, offset)
}

fn input(state: &mut LuaState, name: &str) -> LuaResult<Vec<u8>> {
    match args(state).first() {
        Some(v @ (Val::Str(_) | Val::Num(_))) => Ok(val_bytes(state, *v).unwrap_or_default()),
        _ => Err(raise_here(state, &format!("bad argument #1 to '{name}' (string expected, got no value)"))),
    }
}

/// The integer argument at `index` (0-based), if given.
fn int_arg(state: &mut LuaState, index: usize, name: &str) -> LuaResult<Option<i64>> {
    match args(state).get(index) {
        None | Some(Val::Nil) => Ok(None),
        Some(Val::Num(n)) => Ok(Some(*n as i64)),
        Some(v) => {
            let text = val_bytes(state, *v).and_then(|b| String::from_utf8(b).ok());
            match text.and_then(|t| t.trim().parse::<f64>().ok()) {
                Some(n) => Ok(Some(n as i64)),
                None => Err(raise_here(
                    state,
                    &format!("bad argument #{} to '{name}' (number expected, got {})", index + 1, v.type_name()),
                )),
            }
        }
    }
}

/// Decodes up to `limit` values from `offset` and returns the
/// next offset (-1 once the input is used up), then the values.
fn unpack_from(state: &mut LuaState, data: &[u8], limit: i64, offset: i64) -> LuaResult<u32> {
    if offset < 0 || limit < 0 {
        let msg = format!("Invalid request to unpack with offset of {offset} and limit of {}.", data.len());
        return Err(raise_here(state, &msg));
    }
    if offset as usize > data.len() {
        let msg = format!("Start offset {offset} greater than input length {}.", data.len());
        return Err(raise_here(state, &msg));
    }
    if limit == 0 && offset == 0 {
        // Everything from the start: as `unpack`, without an offset.
        return push_values(state, data, 0, usize::MAX).map(|(count, _)| count);
    }
    let limit = limit as usize;
    // The offset goes first: its slot is filled in once it is known.
    state.push(Val::Num(-1.0));
    let slot = state.top - 1;
    let (count, next) = push_values(state, data, offset as usize, limit)?;
    if next < data.len() {
        state.stack[slot] = Val::Num(next as f64);
    }
    Ok(count + 1)
}

/// Decodes up to `limit` values from `offset`, each pushed as soon as it is
/// made (the stack keeps it from the collector); the count and where
/// decoding stopped.
fn push_values(state: &mut LuaState, data: &[u8], offset: usize, limit: usize) -> LuaResult<(u32, usize)> {
    let mut decoder = Decoder { data, pos: offset };
    let mut count = 0;
    while decoder.pos < data.len() && (count as usize) < limit {
        match decoder.value(state, 0) {
            Ok(v) => {
                state.push(v);
                count += 1;
            }
            Err(msg) => return Err(raise_here(state, msg)),
        }
    }
    Ok((count, decoder.pos))
}

struct Decoder<'a> {
    data: &'a [u8],
    pos: usize,
}

const MISSING: &str = "Missing bytes in input.";
const BAD: &str = "Bad data format in input.";

impl Decoder<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], &'static str> {
        let end = self.pos.checked_add(n).ok_or(MISSING)?;
        let bytes = self.data.get(self.pos..end).ok_or(MISSING)?;
        self.pos = end;
        Ok(bytes)
    }

    fn uint(&mut self, n: usize) -> Result<u64, &'static str> {
        Ok(self.take(n)?.iter().fold(0u64, |acc, &b| (acc << 8) | b as u64))
    }

    fn bytes(&mut self, state: &mut LuaState, n: usize) -> Result<Val, &'static str> {
        let b = self.take(n)?.to_vec();
        Ok(string_val(state, &b))
    }

    fn value(&mut self, state: &mut LuaState, depth: usize) -> Result<Val, &'static str> {
        if depth > MAX_DECODE_DEPTH {
            return Err(BAD);
        }
        let tag = self.take(1)?[0];
        let v = match tag {
            0x00..=0x7f => Val::Num(tag as f64),
            0xe0..=0xff => Val::Num(tag as i8 as f64),
            0xc0 => Val::Nil,
            0xc2 => Val::Bool(false),
            0xc3 => Val::Bool(true),
            0xcc => Val::Num(self.uint(1)? as f64),
            0xcd => Val::Num(self.uint(2)? as f64),
            0xce => Val::Num(self.uint(4)? as f64),
            0xcf => Val::Num(self.uint(8)? as f64),
            0xd0 => Val::Num(self.uint(1)? as u8 as i8 as f64),
            0xd1 => Val::Num(self.uint(2)? as u16 as i16 as f64),
            0xd2 => Val::Num(self.uint(4)? as u32 as i32 as f64),
            0xd3 => Val::Num(self.uint(8)? as i64 as f64),
            0xca => Val::Num(f32::from_bits(self.uint(4)? as u32) as f64),
            0xcb => Val::Num(f64::from_bits(self.uint(8)?)),
            0xa0..=0xbf => self.bytes(state, (tag & 0x1f) as usize)?,
            0xd9 | 0xc4 => {
                let n = self.uint(1)? as usize;
                self.bytes(state, n)?
            }
            0xda | 0xc5 => {
                let n = self.uint(2)? as usize;
                self.bytes(state, n)?
            }
            0xdb | 0xc6 => {
                let n = self.uint(4)? as usize;
                self.bytes(state, n)?
            }
            0x90..=0x9f => self.array(state, (tag & 0x0f) as usize, depth)?,
            0xdc => {
                let n = self.uint(2)? as usize;
                self.array(state, n, depth)?
            }
            0xdd => {
                let n = self.uint(4)? as usize;
                self.array(state, n, depth)?
            }
            0x80..=0x8f => self.map(state, (tag & 0x0f) as usize, depth)?,
            0xde => {
                let n = self.uint(2)? as usize;
                self.map(state, n, depth)?
            }
            0xdf => {
                let n = self.uint(4)? as usize;
                self.map(state, n, depth)?
            }
            _ => return Err(BAD),
        };
        Ok(v)
    }

    fn array(&mut self, state: &mut LuaState, n: usize, depth: usize) -> Result<Val, &'static str> {
        // Every element takes at least one byte: a count beyond the input is missing data.
        if n > self.data.len() - self.pos {
            return Err(MISSING);
        }
        let t = new_table(state);
        for i in 1..=n {
            let v = self.value(state, depth + 1)?;
            table_set(state, t, Val::Num(i as f64), v);
        }
        Ok(t)
    }

    fn map(&mut self, state: &mut LuaState, n: usize, depth: usize) -> Result<Val, &'static str> {
        if n.saturating_mul(2) > self.data.len() - self.pos {
            return Err(MISSING);
        }
        let t = new_table(state);
        for _ in 0..n {
            let k = self.value(state, depth + 1)?;
            let v = self.value(state, depth + 1)?;
            if !matches!(k, Val::Nil) && !matches!(k, Val::Num(n) if n.is_nan()) {
                table_set(state, t, k, v);
            }
        }
        Ok(t)
    }
}
