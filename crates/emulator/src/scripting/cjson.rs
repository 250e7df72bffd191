//! The `cjson` library scripts use (lua-cjson's behaviour with Redis's
//! defaults): `cjson.encode`, `cjson.decode` and `cjson.null`.
//!
//! Encoding: numbers as `%.14g`, `/` escaped, tables with only positive
//! integer keys as arrays (holes become `null`; an array sparser than
//! 2:1 with more than 10 slots is refused), other tables as objects,
//! empty tables as `{}`. Decoding: JSON `null` is `cjson.null`.

use rilua::vm::state::LuaState;
use rilua::{LuaResult, Val};

use super::convert::{new_table, string_val, table_set, val_bytes};
use super::libs::{args, raise_here, ret, set_function};

/// Deepest nesting encoded or decoded (lua-cjson's default).
const MAX_DEPTH: usize = 1000;

/// `cjson.null`: a light userdata distinct from every other value.
pub(super) const NULL: Val = Val::LightUserdata(0);

pub(super) fn table(state: &mut LuaState) -> Val {
    let t = new_table(state);
    set_function(state, t, "encode", encode);
    set_function(state, t, "decode", decode);
    let k = string_val(state, b"null");
    table_set(state, t, k, NULL);
    t
}

fn encode(state: &mut LuaState) -> LuaResult<u32> {
    let vals = args(state);
    if vals.len() != 1 {
        return Err(raise_here(state, "bad argument #1 to 'encode' (expected 1 argument)"));
    }
    let mut out = Vec::new();
    if let Err(msg) = encode_value(state, vals[0], 0, &mut out) {
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

fn encode_number(n: f64, out: &mut Vec<u8>) -> Result<(), String> {
    if !n.is_finite() {
        return Err("Cannot serialise number: must not be NaN or Inf".into());
    }
    out.extend_from_slice(Val::Num(n).to_string().as_bytes());
    Ok(())
}

fn encode_value(state: &LuaState, v: Val, depth: usize, out: &mut Vec<u8>) -> Result<(), String> {
    match v {
        Val::Nil => out.extend_from_slice(b"null"),
        Val::LightUserdata(0) => out.extend_from_slice(b"null"),
        Val::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        Val::Num(n) => encode_number(n, out)?,
        Val::Str(_) => encode_string(&val_bytes(state, v).unwrap_or_default(), out),
        Val::Table(_) => encode_table(state, v, depth + 1, out)?,
        other => return Err(format!("Cannot serialise {}: type not supported", type_name(other))),
    }
    Ok(())
}

/// lua-cjson's array test: Some(length) when every key is a positive
/// integer; Err when such an array is too sparse.
fn array_length(items: &[(Val, Val)]) -> Result<Option<usize>, String> {
    let mut max = 0usize;
    for (k, _) in items {
        match k {
            Val::Num(n) if *n >= 1.0 && n.fract() == 0.0 && *n <= u32::MAX as f64 => max = max.max(*n as usize),
            _ => return Ok(None),
        }
    }
    if max > 10 && max > items.len() * 2 {
        return Err("Cannot serialise table: excessively sparse array".into());
    }
    Ok(Some(max))
}

fn encode_table(state: &LuaState, table: Val, depth: usize, out: &mut Vec<u8>) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!("Cannot serialise, excessive nesting ({depth})"));
    }
    let items = super::convert::table_pairs(state, table, usize::MAX);
    match array_length(&items)? {
        Some(len) if len > 0 => {
            let Val::Table(r) = table else { return Ok(()) };
            out.push(b'[');
            for i in 1..=len {
                if i > 1 {
                    out.push(b',');
                }
                let v = state.gc.tables.get(r).map_or(Val::Nil, |t| t.get_int(i as i64));
                encode_value(state, v, depth, out)?;
            }
            out.push(b']');
        }
        _ => {
            out.push(b'{');
            for (i, (k, v)) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                match k {
                    Val::Str(_) => encode_string(&val_bytes(state, *k).unwrap_or_default(), out),
                    Val::Num(n) => {
                        let mut digits = Vec::new();
                        encode_number(*n, &mut digits)?;
                        encode_string(&digits, out);
                    }
                    other => {
                        return Err(format!(
                            "Cannot serialise {}: table key must be a number or string",
                            type_name(*other)
                        ))
                    }
                }
                out.push(b':');
                encode_value(state, *v, depth, out)?;
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
    let mut parser = Parser { text: &text, pos: 0 };
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
        Token::Error("invalid token")
    }

    fn number(&mut self) -> Token {
        let start = self.pos;
        while self
            .text
            .get(self.pos)
            .is_some_and(|c| c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E'))
        {
            self.pos += 1;
        }
        let text = std::str::from_utf8(&self.text[start..self.pos]).unwrap_or("");
        match text.parse::<f64>() {
            Ok(n) => Token::Num(n),
            Err(_) => Token::Error("invalid number"),
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

    fn nested(depth: usize, at: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("Found too many nested data structures ({depth}) at character {at}"));
        }
        Ok(())
    }

    fn array(&mut self, state: &mut LuaState, at: usize, depth: usize) -> Result<Val, String> {
        Self::nested(depth, at)?;
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
        Self::nested(depth, at)?;
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
