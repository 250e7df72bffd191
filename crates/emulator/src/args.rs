//! Argument parsing helpers: typed conversions that fail with Redis's
//! exact errors, and a cursor for commands with keyword options.

use crate::errors;
use crate::float::{parse_f64, parse_i64};
use crate::reply::Reply;

/// Parses an integer argument (`ERR value is not an integer or out of range`).
pub fn int(arg: &[u8]) -> Result<i64, Reply> {
    parse_i64(arg).ok_or(Reply::error(errors::NOT_INTEGER))
}

/// Parses a non-negative integer argument: `err` for a negative number,
/// Redis's integer error for anything that is not one.
pub fn non_negative(arg: &[u8], err: &'static str) -> Result<i64, Reply> {
    match parse_i64(arg) {
        Some(v) if v >= 0 => Ok(v),
        Some(_) => Err(Reply::error(err)),
        None => Err(Reply::error(errors::NOT_INTEGER)),
    }
}

/// Parses a float argument (`ERR value is not a valid float`).
pub fn float(arg: &[u8]) -> Result<f64, Reply> {
    parse_f64(arg).ok_or(Reply::error(errors::NOT_FLOAT))
}

/// Case-insensitive keyword comparison.
pub fn is(arg: &[u8], keyword: &str) -> bool {
    arg.eq_ignore_ascii_case(keyword.as_bytes())
}

/// Lower-cased UTF-8 rendering of an argument (for names in messages).
pub fn lower(arg: &[u8]) -> String {
    String::from_utf8_lossy(arg).to_ascii_lowercase()
}

/// A cursor over a command's arguments, for keyword-style options.
pub struct Args<'a> {
    argv: &'a [Vec<u8>],
    pos: usize,
}

impl<'a> Args<'a> {
    /// Starts after the first `skip` arguments (usually the command name and keys).
    pub fn new(argv: &'a [Vec<u8>], skip: usize) -> Args<'a> {
        Args { argv, pos: skip.min(argv.len()) }
    }

    pub fn next_arg(&mut self) -> Option<&'a [u8]> {
        let a = self.argv.get(self.pos)?;
        self.pos += 1;
        Some(a)
    }

    pub fn peek(&self) -> Option<&'a [u8]> {
        self.argv.get(self.pos).map(|a| a.as_slice())
    }

    /// The next argument, or `ERR syntax error` if there is none.
    pub fn value(&mut self) -> Result<&'a [u8], Reply> {
        self.next_arg().ok_or(Reply::error(errors::SYNTAX))
    }

    /// Consumes the next argument if it is `keyword`.
    pub fn eat(&mut self, keyword: &str) -> bool {
        if self.peek().is_some_and(|a| is(a, keyword)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// The next argument parsed as an integer; `ERR syntax error` if there
    /// is none, Redis's integer error if it does not parse.
    pub fn int(&mut self) -> Result<i64, Reply> {
        int(self.value()?)
    }

    /// Index in argv of the next argument (for options that refer back to
    /// where a value was, or for errors that name a position).
    pub fn position(&self) -> usize {
        self.pos
    }

    /// True while arguments are left.
    pub fn has_more(&self) -> bool {
        self.pos < self.argv.len()
    }

    pub fn remaining(&self) -> usize {
        self.argv.len() - self.pos
    }

    pub fn rest(&self) -> &'a [Vec<u8>] {
        &self.argv[self.pos..]
    }

    /// Fails with `ERR syntax error` if arguments are left.
    pub fn finish(&self) -> Result<(), Reply> {
        if self.pos < self.argv.len() {
            Err(Reply::error(errors::SYNTAX))
        } else {
            Ok(())
        }
    }
}
