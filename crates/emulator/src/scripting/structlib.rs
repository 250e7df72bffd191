//! The `struct` library (Roberto Ierusalimschy's, as Redis ships it):
//! `struct.pack(fmt, ...)`, `struct.unpack(fmt, data [, pos])` and
//! `struct.size(fmt)`.
//!
//! Format: `<` / `>` little / big endian, `!n` maximum alignment, `x` a
//! zero byte, `b B h H l L T` 1/1/2/2/8/8/8-byte integers (lower case
//! signed), `iN IN` N-byte integers (default 4, at most 32), `f d` float and
//! double, `cN` N characters (`c0`: the whole string, or in `unpack` the
//! previous number), `s` a zero-terminated string.

use rilua::vm::state::LuaState;
use rilua::{LuaError, LuaResult, Val};

use super::convert::{new_table, string_val, val_bytes};
use super::libs::{args, raise_here, set_function};

const MAX_INT_SIZE: usize = 32;
const MAX_ALIGN: usize = 8;

pub(super) fn table(state: &mut LuaState) -> Val {
    let t = new_table(state);
    set_function(state, t, "pack", pack);
    set_function(state, t, "unpack", unpack);
    set_function(state, t, "size", size);
    t
}

struct Header {
    big: bool,
    align: usize,
}

impl Default for Header {
    fn default() -> Self {
        Header { big: false, align: 1 }
    }
}

/// A format string being read, option by option.
struct Format<'a> {
    fmt: &'a [u8],
    pos: usize,
}

impl Format<'_> {
    fn next_opt(&mut self) -> Option<u8> {
        let c = *self.fmt.get(self.pos)?;
        self.pos += 1;
        Some(c)
    }

    fn number(&mut self, default: usize) -> Result<usize, String> {
        if !self.fmt.get(self.pos).is_some_and(|c| c.is_ascii_digit()) {
            return Ok(default);
        }
        let mut a: usize = 0;
        while let Some(d) = self.fmt.get(self.pos).filter(|c| c.is_ascii_digit()) {
            let digit = (d - b'0') as usize;
            if a > (i32::MAX as usize) / 10 || a * 10 > i32::MAX as usize - digit {
                return Err("integral size overflow".into());
            }
            a = a * 10 + digit;
            self.pos += 1;
        }
        Ok(a)
    }

    /// The size of option `opt` (0 for control options).
    fn size(&mut self, opt: u8) -> Result<usize, String> {
        Ok(match opt {
            b'b' | b'B' | b'x' => 1,
            b'h' | b'H' => 2,
            b'l' | b'L' | b'T' | b'd' => 8,
            b'f' => 4,
            b'c' => self.number(1)?,
            b'i' | b'I' => {
                let n = self.number(4)?;
                if n > MAX_INT_SIZE {
                    return Err(format!("integral size {n} is larger than limit of {MAX_INT_SIZE}"));
                }
                n
            }
            _ => 0,
        })
    }

    /// `<`, `>`, `!n` and spaces; anything else is an invalid option.
    fn control(&mut self, opt: u8, h: &mut Header, func: &str) -> Result<(), String> {
        match opt {
            b' ' => {}
            b'>' => h.big = true,
            b'<' => h.big = false,
            b'!' => {
                let a = self.number(MAX_ALIGN)?;
                if a == 0 || a & (a - 1) != 0 {
                    return Err(format!("alignment {a} is not a power of 2"));
                }
                h.align = a;
            }
            other => {
                return Err(format!("bad argument #1 to '{func}' (invalid format option '{}')", other as char));
            }
        }
        Ok(())
    }
}

fn to_align(len: usize, h: &Header, opt: u8, size: usize) -> usize {
    if size == 0 || opt == b'c' {
        return 0;
    }
    let size = size.min(h.align);
    (size - (len & (size - 1))) & (size - 1)
}

fn lua_type(v: Option<&Val>, past_mark: bool) -> &'static str {
    match v {
        // The C library pushes a nil right after the arguments.
        None if past_mark => "no value",
        None | Some(Val::Nil) => "nil",
        Some(Val::Bool(_)) => "boolean",
        Some(Val::Num(_)) => "number",
        Some(Val::Str(_)) => "string",
        Some(Val::Table(_)) => "table",
        Some(Val::Function(_)) => "function",
        Some(_) => "userdata",
    }
}

fn fail(state: &mut LuaState, msg: String) -> LuaError {
    raise_here(state, &msg)
}

fn pack(state: &mut LuaState) -> LuaResult<u32> {
    let vals = args(state);
    match pack_bytes(state, &vals) {
        Ok(out) => {
            let s = string_val(state, &out);
            state.push(s);
            Ok(1)
        }
        Err(msg) => Err(fail(state, msg)),
    }
}

fn number_arg(state: &LuaState, vals: &[Val], arg: usize) -> Result<f64, String> {
    let v = vals.get(arg - 1);
    match v {
        Some(Val::Num(n)) => Ok(*n),
        Some(Val::Str(_)) => {
            let parsed = v.and_then(|v| val_bytes(state, *v)).and_then(|b| String::from_utf8(b).ok());
            parsed
                .and_then(|s| s.trim().parse::<f64>().ok())
                .ok_or_else(|| format!("bad argument #{arg} to 'pack' (number expected, got string)"))
        }
        _ => Err(format!("bad argument #{arg} to 'pack' (number expected, got {})", lua_type(v, arg > vals.len() + 1))),
    }
}

fn pack_bytes(state: &LuaState, vals: &[Val]) -> Result<Vec<u8>, String> {
    let fmt = match vals.first() {
        Some(v @ (Val::Str(_) | Val::Num(_))) => val_bytes(state, *v).unwrap_or_default(),
        other => {
            return Err(format!(
                "bad argument #1 to 'pack' (string expected, got {})",
                lua_type(other, vals.is_empty())
            ))
        }
    };
    let mut f = Format { fmt: &fmt, pos: 0 };
    let mut h = Header::default();
    let mut out = Vec::new();
    let mut arg = 2;
    while let Some(opt) = f.next_opt() {
        let size = f.size(opt)?;
        let pad = to_align(out.len(), &h, opt, size);
        out.resize(out.len() + pad, 0);
        match opt {
            b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I' => {
                let n = number_arg(state, vals, arg)?;
                arg += 1;
                let mut value: u64 = if n < 0.0 { n as i64 as u64 } else { n as u64 };
                let mut buf = vec![0u8; size];
                for b in buf.iter_mut() {
                    *b = (value & 0xff) as u8;
                    value >>= 8;
                }
                if h.big {
                    buf.reverse();
                }
                out.extend_from_slice(&buf);
            }
            b'x' => {
                out.push(0);
            }
            b'f' => {
                let n = number_arg(state, vals, arg)? as f32;
                arg += 1;
                out.extend_from_slice(&if h.big { n.to_be_bytes() } else { n.to_le_bytes() });
            }
            b'd' => {
                let n = number_arg(state, vals, arg)?;
                arg += 1;
                out.extend_from_slice(&if h.big { n.to_be_bytes() } else { n.to_le_bytes() });
            }
            b'c' | b's' => {
                let v = vals.get(arg - 1);
                let s = match v {
                    Some(v @ (Val::Str(_) | Val::Num(_))) => val_bytes(state, *v).unwrap_or_default(),
                    _ => {
                        return Err(format!(
                            "bad argument #{arg} to 'pack' (string expected, got {})",
                            lua_type(v, arg > vals.len() + 1)
                        ))
                    }
                };
                arg += 1;
                let size = if size == 0 { s.len() } else { size };
                if s.len() < size {
                    return Err(format!("bad argument #{arg} to 'pack' (string too short)"));
                }
                out.extend_from_slice(&s[..size]);
                if opt == b's' {
                    out.push(0);
                }
            }
            other => f.control(other, &mut h, "pack")?,
        }
    }
    Ok(out)
}

fn read_integer(bytes: &[u8], big: bool, signed: bool) -> f64 {
    let mut l: u64 = 0;
    let mut push = |b: u8| l = (l << 8) | b as u64;
    if big {
        bytes.iter().for_each(|&b| push(b));
    } else {
        bytes.iter().rev().for_each(|&b| push(b));
    }
    if !signed {
        return l as f64;
    }
    let mask = (!0u64).wrapping_shl((bytes.len() * 8).saturating_sub(1) as u32);
    if l & mask != 0 {
        l |= mask;
    }
    l as i64 as f64
}

fn unpack(state: &mut LuaState) -> LuaResult<u32> {
    let vals = args(state);
    match unpack_values(state, &vals) {
        Ok(results) => {
            let n = results.len() as u32;
            for v in results {
                state.push(v);
            }
            Ok(n)
        }
        Err(msg) => Err(fail(state, msg)),
    }
}

fn unpack_values(state: &mut LuaState, vals: &[Val]) -> Result<Vec<Val>, String> {
    let string_arg = |state: &LuaState, i: usize| match vals.get(i) {
        Some(v @ (Val::Str(_) | Val::Num(_))) => Ok(val_bytes(state, *v).unwrap_or_default()),
        other => Err(format!(
            "bad argument #{} to 'unpack' (string expected, got {})",
            i + 1,
            lua_type(other, i >= vals.len())
        )),
    };
    let fmt = string_arg(state, 0)?;
    let data = string_arg(state, 1)?;
    let start = match vals.get(2) {
        None | Some(Val::Nil) => 1.0,
        Some(Val::Num(n)) => n.trunc(),
        Some(_) => return Err("bad argument #3 to 'unpack' (number expected)".into()),
    };
    if start < 1.0 {
        return Err("bad argument #3 to 'unpack' (offset must be 1 or greater)".into());
    }
    let mut pos = (start as usize).saturating_sub(1);
    let mut f = Format { fmt: &fmt, pos: 0 };
    let mut h = Header::default();
    let mut results: Vec<Val> = Vec::new();
    let too_short = || "bad argument #2 to 'unpack' (data string too short)".to_string();
    while let Some(opt) = f.next_opt() {
        let mut size = f.size(opt)?;
        pos = pos.saturating_add(to_align(pos, &h, opt, size));
        if size > data.len() || pos > data.len() - size {
            return Err(too_short());
        }
        if results.len() > 8000 {
            return Err("too many results".into());
        }
        match opt {
            b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I' => {
                let v = read_integer(&data[pos..pos + size], h.big, opt.is_ascii_lowercase());
                results.push(Val::Num(v));
            }
            b'x' => {}
            b'f' => {
                let mut b = [0u8; 4];
                b.copy_from_slice(&data[pos..pos + 4]);
                let v = if h.big { f32::from_be_bytes(b) } else { f32::from_le_bytes(b) };
                results.push(Val::Num(v as f64));
            }
            b'd' => {
                let mut b = [0u8; 8];
                b.copy_from_slice(&data[pos..pos + 8]);
                let v = if h.big { f64::from_be_bytes(b) } else { f64::from_le_bytes(b) };
                results.push(Val::Num(v));
            }
            b'c' => {
                if size == 0 {
                    let Some(Val::Num(n)) = results.last().copied() else {
                        return Err("format 'c0' needs a previous size".into());
                    };
                    results.pop();
                    size = if n > 0.0 { n as usize } else { 0 };
                    if size > data.len() || pos > data.len() - size {
                        return Err(too_short());
                    }
                }
                results.push(string_val(state, &data[pos..pos + size]));
            }
            b's' => {
                let Some(len) = data[pos..].iter().position(|&b| b == 0) else {
                    return Err("unfinished string in data".into());
                };
                results.push(string_val(state, &data[pos..pos + len]));
                size = len + 1;
            }
            other => f.control(other, &mut h, "unpack")?,
        }
        pos += size;
    }
    results.push(Val::Num((pos + 1) as f64));
    Ok(results)
}

fn size(state: &mut LuaState) -> LuaResult<u32> {
    let vals = args(state);
    let fmt = match vals.first() {
        Some(v @ (Val::Str(_) | Val::Num(_))) => val_bytes(state, *v).unwrap_or_default(),
        other => {
            let msg = format!("bad argument #1 to 'size' (string expected, got {})", lua_type(other, vals.is_empty()));
            return Err(fail(state, msg));
        }
    };
    let result = (|| {
        let mut f = Format { fmt: &fmt, pos: 0 };
        let mut h = Header::default();
        let mut pos = 0usize;
        while let Some(opt) = f.next_opt() {
            let size = f.size(opt)?;
            pos += to_align(pos, &h, opt, size);
            if opt == b's' {
                return Err("bad argument #1 to 'size' (option 's' has no fixed size)".to_string());
            }
            if opt == b'c' && size == 0 {
                return Err("bad argument #1 to 'size' (option 'c0' has no fixed size)".to_string());
            }
            if !opt.is_ascii_alphanumeric() {
                f.control(opt, &mut h, "size")?;
            }
            pos = pos.saturating_add(size);
        }
        Ok(pos)
    })();
    match result {
        Ok(n) => {
            state.push(Val::Num(n as f64));
            Ok(1)
        }
        Err(msg) => Err(fail(state, msg)),
    }
}
