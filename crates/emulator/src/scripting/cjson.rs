//! The `cjson` library scripts use (lua-cjson 2.1.0 as Redis ships it):
//! `cjson.encode`, `cjson.decode`, `cjson.null` and the settings of
//! [`super::cjson_config`].
//!
//! Encoding: numbers as `%.14g` (the precision is a setting), `/` escaped,
//! tables with only positive integer keys as arrays (holes become `null`;
//! an array sparser than 2:1 with more than 10 slots is refused, or written
//! as an object when so configured), other tables as objects, empty tables
//! as `{}`. Decoding: JSON `null` is `cjson.null`; numbers are read as C's
//! `strtod` reads them (`inf`, `nan` and hex too, unless refused).

use rilua::vm::state::LuaState;
use rilua::{LuaResult, Val};

use super::convert::{new_table, string_val, table_set, val_bytes};
use super::libs::{args, raise_here, ret, set_function};

use super::cjson_config::{self, strtod_prefix, CjsonConfig, InvalidNumbers};

/// The deepest nesting encoded or decoded whatever the settings say: each
/// level is a Rust call, and the page's stack is small (lua-cjson is held
/// back by Lua's C stack limit in the same way).
const STACK_SAFE_DEPTH: i64 = 1000;

/// `cjson.null`: a light userdata distinct from every other value.
pub(super) const NULL: Val = Val::LightUserdata(0);

pub(super) fn table(state: &mut LuaState) -> Val {
    let t = module(state);
    set_function(state, t, "new", new_module);
    t
}

/// cjson.new(): another module table. Its settings are the interpreter's
/// (in lua-cjson each instance has its own).
fn new_module(state: &mut LuaState) -> LuaResult<u32> {
    let t = module(state);
    set_function(state, t, "new", new_module);
    ret(state, t)
}

fn module(state: &mut LuaState) -> Val {
    let t = new_table(state);
    set_function(state, t, "encode", encode);
    set_function(state, t, "decode", decode);
    cjson_config::install(state, t);
    let k = string_val(state, b"null");
    table_set(state, t, k, NULL);
    for (key, value) in [("_NAME", "cjson"), ("_VERSION", "2.1.0")] {
        let (k, v) = (string_val(state, key.as_bytes()), string_val(state, value.as_bytes()));
        table_set(state, t, k, v);
    }
    t
}

fn encode(state: &mut LuaState) -> LuaResult<u32> {
    let vals = args(state);
    if vals.len() != 1 {
        return Err(raise_here(state, "bad argument #1 to 'encode' (expected 1 argument)"));
    }
    let mut out = Vec::new();
    let config = cjson_config::current();
    if let Err(msg) = encode_value(state, &config, vals[0], 0, &mut out) {
        return Err(raise_here(state, &msg));
    }
    let v = string_val(state, &out);
    ret(state, v)
}

fn type_name(v: Val) -> &'static str {
    match v {
        Val::Nil => "nil",
        Val::Bool(_) => "boolean",
        Val::Num(_) => "number",
        Val::Str(_) => "string",
        Val::Table(_) => "table",
        Val::Function(_) => "function",
        Val::Thread(_) => "thread",
        _ => "userdata",
    }
}

fn encode_string(bytes: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for &c in bytes {
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'/' => out.extend_from_slice(b"\\/"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            c if c < 0x20 || c == 0x7f => out.extend_from_slice(format!("\\u{c:04x}").as_bytes()),
            c => out.push(c),
        }
    }
    out.push(b'"');
}

fn encode_number(config: &CjsonConfig, n: f64, out: &mut Vec<u8>) -> Result<(), String> {
    if !n.is_finite() {
        match config.encode_invalid {
            InvalidNumbers::Refuse => return Err("Cannot serialise number: must not be NaN or Inf".into()),
            InvalidNumbers::Null => {
                out.extend_from_slice(b"null");
                return Ok(());
            }
            InvalidNumbers::Write if n.is_nan() => {
                out.extend_from_slice(b"nan");
                return Ok(());
            }
            InvalidNumbers::Write => {}
        }
    }
    out.extend_from_slice(crate::float::format_g(n, config.precision as usize).as_bytes());
    Ok(())
}

fn encode_value(state: &LuaState, config: &CjsonConfig, v: Val, depth: usize, out: &mut Vec<u8>) -> Result<(), String> {
    match v {
        Val::Nil => out.extend_from_slice(b"null"),
        Val::LightUserdata(0) => out.extend_from_slice(b"null"),
        Val::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        Val::Num(n) => encode_number(config, n, out)?,
        Val::Str(_) => encode_string(&val_bytes(state, v).unwrap_or_default(), out),
        Val::Table(_) => encode_table(state, config, v, depth + 1, out)?,
        other => return Err(unsupported(other)),
    }
    Ok(())
}

// The error texts are built out of line: the encoder recurses once per
// nesting level, so its frames stay small.
#[cold]
#[inline(never)]
fn unsupported(v: Val) -> String {
    format!("Cannot serialise {}: type not supported", type_name(v))
}

#[cold]
#[inline(never)]
fn too_deep(depth: usize) -> String {
    format!("Cannot serialise, excessive nesting ({depth})")
}

/// An object key: a string, or a number written as one.
#[inline(never)]
fn encode_key(state: &LuaState, config: &CjsonConfig, k: Val, out: &mut Vec<u8>) -> Result<(), String> {
    match k {
        Val::Str(_) => encode_string(&val_bytes(state, k).unwrap_or_default(), out),
        Val::Num(n) => {
            let mut digits = Vec::new();
            encode_number(config, n, &mut digits)?;
            encode_string(&digits, out);
        }
        other => return Err(format!("Cannot serialise {}: table key must be a number or string", type_name(other))),
    }
    Ok(())
}

/// lua-cjson's array test: Some(length) when every key is a positive
/// integer; Err when such an array is too sparse (None, an object, when
/// sparse arrays are converted).
fn array_length(config: &CjsonConfig, items: &[(Val, Val)]) -> Result<Option<usize>, String> {
    let mut max = 0usize;
    for (k, _) in items {
        match k {
            Val::Num(n) if *n >= 1.0 && n.fract() == 0.0 && *n <= u32::MAX as f64 => max = max.max(*n as usize),
            _ => return Ok(None),
        }
    }
    let ratio = config.sparse_ratio.max(0) as usize;
    if ratio > 0 && max > items.len().saturating_mul(ratio) && max > config.sparse_safe.max(0) as usize {
        if config.sparse_convert {
            return Ok(None);
        }
        return Err("Cannot serialise table: excessively sparse array".into());
    }
    Ok(Some(max))
}

fn encode_table(
    state: &LuaState,
    config: &CjsonConfig,
    table: Val,
    depth: usize,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    if depth as i64 > config.encode_max_depth.min(STACK_SAFE_DEPTH) {
        return Err(too_deep(depth));
    }
    let items = super::convert::table_pairs(state, table, usize::MAX);
    match array_length(config, &items)? {
        Some(len) if len > 0 => {
            let Val::Table(r) = table else { return Ok(()) };
            out.push(b'[');
            for i in 1..=len {
                if i > 1 {
                    out.push(b',');
                }
                let v = state.gc.tables.get(r).map_or(Val::Nil, |t| t.get_int(i as i64));
                encode_value(state, config, v, depth, out)?;
            }
            out.push(b']');
        }
        _ => {
            out.push(b'{');
            for (i, (k, v)) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                encode_key(state, config, *k, out)?;
                out.push(b':');
                encode_value(state, config, *v, depth, out)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

// ----- decoding ------------------------------------------------------------

fn decode(state: &mut LuaState) -> LuaResult<u32> {
    let vals = args(state);
    let text = match vals.first() {
        Some(v @ (Val::Str(_) | Val::Num(_))) if vals.len() == 1 => val_bytes(state, *v).unwrap_or_default(),
        _ => return Err(raise_here(state, "bad argument #1 to 'decode' (expected 1 argument)")),
    };
    let mut parser = Parser { text: &text, pos: 0, config: cjson_config::current() };
    match parser.document(state) {
        Ok(v) => ret(state, v),
        Err(msg) => Err(raise_here(state, &msg)),
    }
}

/// A token as lua-cjson names it in errors.
enum Token {
    ObjBegin,
    ObjEnd,
    ArrBegin,
    ArrEnd,
    Str(Vec<u8>),
    Num(f64),
    Bool(bool),
    Null,
    Colon,
    Comma,
    End,
    Error(&'static str),
}

impl Token {
    fn name(&self) -> &'static str {
        match self {
            Token::ObjBegin => "T_OBJ_BEGIN",
            Token::ObjEnd => "T_OBJ_END",
            Token::ArrBegin => "T_ARR_BEGIN",
            Token::ArrEnd => "T_ARR_END",
            Token::Str(_) => "T_STRING",
            Token::Num(_) => "T_NUMBER",
            Token::Bool(_) => "T_BOOLEAN",
            Token::Null => "T_NULL",
            Token::Colon => "T_COLON",
            Token::Comma => "T_COMMA",
            Token::End => "T_END",
            Token::Error(e) => e,
        }
    }
}

struct Parser<'a> {
    text: &'a [u8],
    pos: usize,
    config: CjsonConfig,
}

impl Parser<'_> {
    /// The next token and the 1-based character where it starts.
    fn next(&mut self) -> (Token, usize) {
        while self.text.get(self.pos).is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
        let at = self.pos + 1;
        let Some(&c) = self.text.get(self.pos) else { return (Token::End, at) };
        let simple = match c {
            b'{' => Some(Token::ObjBegin),
            b'}' => Some(Token::ObjEnd),
            b'[' => Some(Token::ArrBegin),
            b']' => Some(Token::ArrEnd),
            b':' => Some(Token::Colon),
            b',' => Some(Token::Comma),
            _ => None,
        };
        if let Some(t) = simple {
            self.pos += 1;
            return (t, at);
        }
        let token = match c {
            b'"' => self.string(),
            b'-' | b'0'..=b'9' if !self.config.decode_invalid && self.invalid_number() => {
                Token::Error("invalid number")
            }
            b'-' | b'0'..=b'9' => self.number(),
            _ => self.word(),
        };
        (token, at)
    }

    fn word(&mut self) -> Token {
        for (word, token) in [("true", Token::Bool(true)), ("false", Token::Bool(false)), ("null", Token::Null)] {
            if self.text[self.pos..].starts_with(word.as_bytes()) {
                self.pos += word.len();
                return token;
            }
        }
        if self.config.decode_invalid && self.invalid_number() {
            return self.number();
        }
        Token::Error("invalid token")
    }

    /// What strict JSON refuses but `strtod` reads: a leading `+`, hex,
    /// leading zeros, `inf`, `nan`.
    fn invalid_number(&self) -> bool {
        let mut p = &self.text[self.pos..];
        match p.first() {
            Some(b'+') => return true,
            Some(b'-') => p = &p[1..],
            _ => {}
        }
        match p.first() {
            Some(b'0') => p.get(1).is_some_and(|c| (c | 0x20) == b'x' || c.is_ascii_digit()),
            Some(c) if *c <= b'9' => false,
            _ => {
                let starts = |w: &[u8]| p.len() >= 3 && p[..3].eq_ignore_ascii_case(w);
                starts(b"inf") || starts(b"nan")
            }
        }
    }

    fn number(&mut self) -> Token {
        match strtod_prefix(&self.text[self.pos..]) {
            Some((n, used)) => {
                self.pos += used;
                Token::Num(n)
            }
            None => Token::Error("invalid number"),
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.pos..self.pos + 4)?;
        let v = u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()?;
        self.pos += 4;
        Some(v)
    }

    fn string(&mut self) -> Token {
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            let Some(&c) = self.text.get(self.pos) else { return Token::Error("unexpected end of string") };
            self.pos += 1;
            match c {
                b'"' => return Token::Str(out),
                b'\\' => {
                    let Some(&e) = self.text.get(self.pos) else { return Token::Error("invalid escape code") };
                    self.pos += 1;
                    match e {
                        b'"' | b'\\' | b'/' => out.push(e),
                        b'b' => out.push(0x08),
                        b'f' => out.push(0x0c),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' => {
                            let Some(mut code) = self.hex4() else {
                                return Token::Error("invalid unicode escape code");
                            };
                            if (0xD800..0xDC00).contains(&code) {
                                if self.text.get(self.pos..self.pos + 2) != Some(b"\\u") {
                                    return Token::Error("invalid unicode escape code");
                                }
                                self.pos += 2;
                                match self.hex4() {
                                    Some(low) if (0xDC00..0xE000).contains(&low) => {
                                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                                    }
                                    _ => return Token::Error("invalid unicode escape code"),
                                }
                            }
                            match char::from_u32(code) {
                                Some(ch) => out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes()),
                                None => return Token::Error("invalid unicode escape code"),
                            }
                        }
                        _ => return Token::Error("invalid escape code"),
                    }
                }
                c => out.push(c),
            }
        }
    }

    fn expected(what: &str, token: &Token, at: usize) -> String {
        format!("Expected {what} but found {} at character {at}", token.name())
    }

    fn document(&mut self, state: &mut LuaState) -> Result<Val, String> {
        let (token, at) = self.next();
        let v = self.value(state, token, at, 1)?;
        let (token, at) = self.next();
        if !matches!(token, Token::End) {
            return Err(Self::expected("the end", &token, at));
        }
        Ok(v)
    }

    fn value(&mut self, state: &mut LuaState, token: Token, at: usize, depth: usize) -> Result<Val, String> {
        match token {
            Token::Str(s) => Ok(string_val(state, &s)),
            Token::Num(n) => Ok(Val::Num(n)),
            Token::Bool(b) => Ok(Val::Bool(b)),
            Token::Null => Ok(NULL),
            Token::ObjBegin => self.object(state, at, depth),
            Token::ArrBegin => self.array(state, at, depth),
            other => Err(Self::expected("value", &other, at)),
        }
    }

    fn nested(&self, depth: usize, at: usize) -> Result<(), String> {
        if depth as i64 > self.config.decode_max_depth.min(STACK_SAFE_DEPTH) {
            return Err(format!("Found too many nested data structures ({depth}) at character {at}"));
        }
        Ok(())
    }

    fn array(&mut self, state: &mut LuaState, at: usize, depth: usize) -> Result<Val, String> {
        self.nested(depth, at)?;
        let t = new_table(state);
        let (mut token, mut at) = self.next();
        if matches!(token, Token::ArrEnd) {
            return Ok(t);
        }
        let mut i = 1;
        loop {
            let v = self.value(state, token, at, depth + 1)?;
            table_set(state, t, Val::Num(i as f64), v);
            i += 1;
            let (sep, sep_at) = self.next();
            match sep {
                Token::ArrEnd => return Ok(t),
                Token::Comma => {}
                other => return Err(Self::expected("comma or array end", &other, sep_at)),
            }
            (token, at) = self.next();
        }
    }

    fn object(&mut self, state: &mut LuaState, at: usize, depth: usize) -> Result<Val, String> {
        self.nested(depth, at)?;
        let t = new_table(state);
        let (mut token, mut at) = self.next();
        if matches!(token, Token::ObjEnd) {
            return Ok(t);
        }
        loop {
            let Token::Str(key) = token else { return Err(Self::expected("object key string", &token, at)) };
            let (colon, colon_at) = self.next();
            if !matches!(colon, Token::Colon) {
                return Err(Self::expected("colon", &colon, colon_at));
            }
            let (vt, vat) = self.next();
            let v = self.value(state, vt, vat, depth + 1)?;
            let k = string_val(state, &key);
            table_set(state, t, k, v);
            let (sep, sep_at) = self.next();
            match sep {
                Token::ObjEnd => return Ok(t),
                Token::Comma => {}
                other => return Err(Self::expected("comma or object end", &other, sep_at)),
            }
            (token, at) = self.next();
        }
    }
}
