//! lua-cjson's settings (`cjson.encode_max_depth`, `encode_sparse_array`,
//! `encode_number_precision`, `encode_invalid_numbers`, …): each call with
//! no argument answers the setting, with one it changes it. As in Redis,
//! settings last as long as the Lua interpreter: across EVAL calls until
//! SCRIPT FLUSH, and separately for functions.

use rilua::vm::state::LuaState;
use rilua::{LuaResult, Val};

use super::bridge::with_bridge;
use super::convert::{string_val, val_bytes};
use super::libs::{args, raise_here, set_function};

/// How `encode` treats NaN and infinities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidNumbers {
    /// Refused (the default).
    Refuse,
    /// Written as `inf`, `-inf`, `nan`.
    Write,
    /// Written as `null`.
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CjsonConfig {
    pub sparse_convert: bool,
    pub sparse_ratio: i64,
    pub sparse_safe: i64,
    pub encode_max_depth: i64,
    pub decode_max_depth: i64,
    pub precision: i64,
    pub keep_buffer: bool,
    pub encode_invalid: InvalidNumbers,
    pub decode_invalid: bool,
}

impl Default for CjsonConfig {
    fn default() -> Self {
        CjsonConfig {
            sparse_convert: false,
            sparse_ratio: 2,
            sparse_safe: 10,
            encode_max_depth: 1000,
            decode_max_depth: 1000,
            precision: 14,
            keep_buffer: true,
            encode_invalid: InvalidNumbers::Refuse,
            decode_invalid: true,
        }
    }
}

/// The settings of the interpreter the running script belongs to.
pub(super) fn current() -> CjsonConfig {
    with_bridge(|b| *b.cjson_config()).unwrap_or_default()
}

fn update(f: impl FnOnce(&mut CjsonConfig)) {
    with_bridge(|b| f(b.cjson_config()));
}

pub(super) fn install(state: &mut LuaState, table: Val) {
    set_function(state, table, "encode_sparse_array", encode_sparse_array);
    set_function(state, table, "encode_max_depth", encode_max_depth);
    set_function(state, table, "decode_max_depth", decode_max_depth);
    set_function(state, table, "encode_number_precision", encode_number_precision);
    set_function(state, table, "encode_keep_buffer", encode_keep_buffer);
    set_function(state, table, "encode_invalid_numbers", encode_invalid_numbers);
    set_function(state, table, "decode_invalid_numbers", decode_invalid_numbers);
}

/// The arguments, refusing more than `max` as lua-cjson does, padded with nil.
fn settings_args(state: &mut LuaState, name: &str, max: usize) -> LuaResult<Vec<Val>> {
    let mut vals = args(state);
    if vals.len() > max {
        return Err(raise_here(state, &format!("bad argument #{} to '{name}' (found too many arguments)", max + 1)));
    }
    vals.resize(max, Val::Nil);
    Ok(vals)
}

/// An on/off setting: a boolean, or one of `options` by name (its index).
fn enum_option(state: &mut LuaState, name: &str, index: usize, v: Val, options: &[&str]) -> LuaResult<Option<usize>> {
    match v {
        Val::Nil => Ok(None),
        Val::Bool(b) => Ok(Some(b as usize)),
        Val::Str(_) | Val::Num(_) => {
            let text = val_bytes(state, v).unwrap_or_default();
            match options.iter().position(|o| o.as_bytes() == text.as_slice()) {
                Some(i) => Ok(Some(i)),
                None => Err(raise_here(
                    state,
                    &format!("bad argument #{index} to '{name}' (invalid option '{}')", String::from_utf8_lossy(&text)),
                )),
            }
        }
        other => Err(raise_here(
            state,
            &format!("bad argument #{index} to '{name}' (string expected, got {})", other.type_name()),
        )),
    }
}

/// An integer setting within `min..=max` (lua-cjson names argument 1 in
/// the range error, whichever argument it is).
fn integer_option(
    state: &mut LuaState,
    name: &str,
    index: usize,
    v: Val,
    min: i64,
    max: i64,
) -> LuaResult<Option<i64>> {
    let n = match v {
        Val::Nil => return Ok(None),
        Val::Num(n) => n,
        Val::Str(_) => {
            let text = val_bytes(state, v).unwrap_or_default();
            match crate::float::parse_f64(text.trim_ascii()) {
                Some(n) => n,
                None => {
                    return Err(raise_here(
                        state,
                        &format!("bad argument #{index} to '{name}' (number expected, got string)"),
                    ))
                }
            }
        }
        other => {
            return Err(raise_here(
                state,
                &format!("bad argument #{index} to '{name}' (number expected, got {})", other.type_name()),
            ))
        }
    };
    let n = n as i64;
    if n < min || n > max {
        return Err(raise_here(
            state,
            &format!("bad argument #1 to '{name}' (expected integer between {min} and {max})"),
        ));
    }
    Ok(Some(n))
}

const BOOL_OPTIONS: &[&str] = &["off", "on"];
const INT_MAX: i64 = i32::MAX as i64;

fn push_bool(state: &mut LuaState, b: bool) {
    state.push(Val::Bool(b));
}

/// encode_sparse_array([convert [, ratio [, safe]]])
fn encode_sparse_array(state: &mut LuaState) -> LuaResult<u32> {
    const NAME: &str = "encode_sparse_array";
    let vals = settings_args(state, NAME, 3)?;
    let convert = enum_option(state, NAME, 1, vals[0], BOOL_OPTIONS)?;
    let ratio = integer_option(state, NAME, 2, vals[1], 0, INT_MAX)?;
    let safe = integer_option(state, NAME, 3, vals[2], 0, INT_MAX)?;
    update(|c| {
        if let Some(v) = convert {
            c.sparse_convert = v == 1;
        }
        c.sparse_ratio = ratio.unwrap_or(c.sparse_ratio);
        c.sparse_safe = safe.unwrap_or(c.sparse_safe);
    });
    let c = current();
    push_bool(state, c.sparse_convert);
    state.push(Val::Num(c.sparse_ratio as f64));
    state.push(Val::Num(c.sparse_safe as f64));
    Ok(3)
}

fn integer_setting(
    state: &mut LuaState,
    name: &str,
    min: i64,
    max: i64,
    field: fn(&mut CjsonConfig) -> &mut i64,
) -> LuaResult<u32> {
    let vals = settings_args(state, name, 1)?;
    if let Some(n) = integer_option(state, name, 1, vals[0], min, max)? {
        update(|c| *field(c) = n);
    }
    let mut c = current();
    state.push(Val::Num(*field(&mut c) as f64));
    Ok(1)
}

/// encode_max_depth([depth])
fn encode_max_depth(state: &mut LuaState) -> LuaResult<u32> {
    integer_setting(state, "encode_max_depth", 1, INT_MAX, |c| &mut c.encode_max_depth)
}

/// decode_max_depth([depth])
fn decode_max_depth(state: &mut LuaState) -> LuaResult<u32> {
    integer_setting(state, "decode_max_depth", 1, INT_MAX, |c| &mut c.decode_max_depth)
}

/// encode_number_precision([1..14])
fn encode_number_precision(state: &mut LuaState) -> LuaResult<u32> {
    integer_setting(state, "encode_number_precision", 1, 14, |c| &mut c.precision)
}

/// encode_keep_buffer([on]): whether the encoder keeps its buffer between
/// calls (a memory trade-off with no visible effect on the output).
fn encode_keep_buffer(state: &mut LuaState) -> LuaResult<u32> {
    const NAME: &str = "encode_keep_buffer";
    let vals = settings_args(state, NAME, 1)?;
    if let Some(v) = enum_option(state, NAME, 1, vals[0], BOOL_OPTIONS)? {
        update(|c| c.keep_buffer = v == 1);
    }
    push_bool(state, current().keep_buffer);
    Ok(1)
}

/// encode_invalid_numbers([on | off | "null"])
fn encode_invalid_numbers(state: &mut LuaState) -> LuaResult<u32> {
    const NAME: &str = "encode_invalid_numbers";
    let vals = settings_args(state, NAME, 1)?;
    if let Some(v) = enum_option(state, NAME, 1, vals[0], &["off", "on", "null"])? {
        let setting = [InvalidNumbers::Refuse, InvalidNumbers::Write, InvalidNumbers::Null][v];
        update(|c| c.encode_invalid = setting);
    }
    match current().encode_invalid {
        InvalidNumbers::Refuse => push_bool(state, false),
        InvalidNumbers::Write => push_bool(state, true),
        InvalidNumbers::Null => {
            let s = string_val(state, b"null");
            state.push(s);
        }
    }
    Ok(1)
}

/// decode_invalid_numbers([on]): accept `inf`, `nan`, hex and `+1`.
fn decode_invalid_numbers(state: &mut LuaState) -> LuaResult<u32> {
    const NAME: &str = "decode_invalid_numbers";
    let vals = settings_args(state, NAME, 1)?;
    if let Some(v) = enum_option(state, NAME, 1, vals[0], BOOL_OPTIONS)? {
        update(|c| c.decode_invalid = v == 1);
    }
    push_bool(state, current().decode_invalid);
    Ok(1)
}

/// C's `strtod` on the start of `text`: the number and how many bytes it
/// took (decimal, `inf`/`infinity`/`nan`, hexadecimal with an optional
/// binary exponent), or None when no number starts there.
pub(super) fn strtod_prefix(text: &[u8]) -> Option<(f64, usize)> {
    let mut i = 0;
    let negative = match text.first() {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let sign = if negative { -1.0 } else { 1.0 };
    let rest = &text[i..];
    let starts = |word: &[u8]| rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word);
    if starts(b"infinity") {
        return Some((sign * f64::INFINITY, i + 8));
    }
    if starts(b"inf") {
        return Some((sign * f64::INFINITY, i + 3));
    }
    if starts(b"nan") {
        return Some((f64::NAN, i + 3));
    }
    if rest.len() > 2 && rest[0] == b'0' && (rest[1] | 0x20) == b'x' && (rest[2].is_ascii_hexdigit() || rest[2] == b'.')
    {
        return hex_prefix(&rest[2..]).map(|(v, used)| (sign * v, i + 2 + used));
    }
    let mut j = 0;
    let digits = |from: usize| rest[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let int_digits = digits(j);
    j += int_digits;
    let mut frac_digits = 0;
    if rest.get(j) == Some(&b'.') {
        frac_digits = digits(j + 1);
        if int_digits + frac_digits > 0 {
            j += 1 + frac_digits;
        }
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    if matches!(rest.get(j), Some(b'e' | b'E')) {
        let mut k = j + 1;
        if matches!(rest.get(k), Some(b'+' | b'-')) {
            k += 1;
        }
        let exp_digits = digits(k);
        if exp_digits > 0 {
            j = k + exp_digits;
        }
    }
    let number: f64 = std::str::from_utf8(&rest[..j]).ok()?.parse().ok()?;
    Some((sign * number, i + j))
}

/// A hexadecimal mantissa `h[.h][p[±]d]` after `0x`.
fn hex_prefix(text: &[u8]) -> Option<(f64, usize)> {
    let mut value = 0.0f64;
    let mut i = 0;
    let mut any = false;
    while let Some(d) = text.get(i).and_then(|c| (*c as char).to_digit(16)) {
        value = value * 16.0 + d as f64;
        i += 1;
        any = true;
    }
    if text.get(i) == Some(&b'.') {
        let mut scale = 1.0 / 16.0;
        let mut j = i + 1;
        while let Some(d) = text.get(j).and_then(|c| (*c as char).to_digit(16)) {
            value += d as f64 * scale;
            scale /= 16.0;
            j += 1;
            any = true;
        }
        if any {
            i = j;
        }
    }
    if !any {
        return None;
    }
    if matches!(text.get(i), Some(b'p' | b'P')) {
        let mut k = i + 1;
        let negative = text.get(k) == Some(&b'-');
        if matches!(text.get(k), Some(b'+' | b'-')) {
            k += 1;
        }
        let n = text[k..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n > 0 {
            let exp: i32 = std::str::from_utf8(&text[k..k + n]).ok()?.parse().unwrap_or(i32::MAX);
            value *= 2f64.powi(if negative { -exp } else { exp });
            i = k + n;
        }
    }
    Some((value, i))
}

#[cfg(test)]
mod tests {
    use super::strtod_prefix;

    #[test]
    fn strtod_reads_what_c_reads() {
        assert_eq!(strtod_prefix(b"12abc"), Some((12.0, 2)));
        assert_eq!(strtod_prefix(b"-1.5e3,"), Some((-1500.0, 6)));
        assert_eq!(strtod_prefix(b"1.5.5"), Some((1.5, 3)));
        assert_eq!(strtod_prefix(b"1e"), Some((1.0, 1)));
        assert_eq!(strtod_prefix(b"0x10]"), Some((16.0, 4)));
        assert_eq!(strtod_prefix(b"-Infinity"), Some((f64::NEG_INFINITY, 9)));
        assert_eq!(strtod_prefix(b"inf"), Some((f64::INFINITY, 3)));
        assert!(strtod_prefix(b"nan").is_some_and(|(v, n)| v.is_nan() && n == 3));
        assert_eq!(strtod_prefix(b"1e400"), Some((f64::INFINITY, 5)));
        assert_eq!(strtod_prefix(b"-"), None);
        assert_eq!(strtod_prefix(b"."), None);
        assert_eq!(strtod_prefix(b"x"), None);
    }
}
