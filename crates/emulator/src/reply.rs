//! The typed reply every command produces, and constructors for the common
//! shapes. Two renderers turn it into bytes: [`crate::resp`] (the wire) and
//! [`crate::cli_format`] (what redis-cli prints).

use std::borrow::Cow;

/// A Redis reply. RESP3-only shapes (maps, sets, doubles, booleans) are
/// downgraded by the RESP2 encoder the way Redis does it.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// `+OK`
    Status(Cow<'static, str>),
    /// `-ERR …` (the text without the leading `-`).
    Error(Cow<'static, str>),
    /// `:42`
    Integer(i64),
    /// `$3\r\nfoo`
    Bulk(Vec<u8>),
    /// Null bulk string: `$-1` in RESP2, `_` in RESP3.
    Nil,
    /// Null array: `*-1` in RESP2, `_` in RESP3 (BLPOP timeout, aborted EXEC).
    NilArray,
    /// `*N` followed by N replies.
    Array(Vec<Reply>),
    /// RESP3 map; a flat array of 2N items in RESP2.
    Map(Vec<(Reply, Reply)>),
    /// RESP3 set; an array in RESP2.
    Set(Vec<Reply>),
    /// RESP3 double; a bulk string in RESP2.
    Double(f64),
    /// A double already formatted (Redis's `addReplyHumanLongDouble`, e.g.
    /// GEOPOS coordinates): `,text` in RESP3, a bulk string in RESP2.
    DoubleText(String),
    /// RESP3 boolean; the integer 1 or 0 in RESP2.
    Bool(bool),
    /// RESP3 verbatim string (`txt`); a bulk string in RESP2.
    Verbatim(String),
    /// RESP3 push (pub/sub messages); an array in RESP2.
    Push(Vec<Reply>),
    /// Several top-level replies to one command (SUBSCRIBE a b c).
    Multi(Vec<Reply>),
    /// No reply now: the client is blocked and will be answered by an event.
    Blocked,
}

impl Reply {
    pub const OK: Reply = Reply::Status(Cow::Borrowed("OK"));
    pub const QUEUED: Reply = Reply::Status(Cow::Borrowed("QUEUED"));

    /// Redis's `addReplyHelp`: `<CONTAINER> <subcommand> …` header, the
    /// given lines, then HELP's own two lines, all as status replies.
    pub fn subcommand_help(container: &str, lines: &[&str]) -> Reply {
        let mut out = Vec::with_capacity(lines.len() + 3);
        out.push(Reply::status(format!(
            "{} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            container.to_ascii_uppercase()
        )));
        out.extend(lines.iter().map(|l| Reply::status(l.to_string())));
        out.push(Reply::status("HELP"));
        out.push(Reply::status("    Prints this help."));
        Reply::Array(out)
    }

    pub fn ok() -> Reply {
        Reply::OK
    }

    pub fn status(s: impl Into<Cow<'static, str>>) -> Reply {
        Reply::Status(s.into())
    }

    /// An error reply. The text must start with the error code (`ERR`, `WRONGTYPE`…).
    pub fn error(s: impl Into<Cow<'static, str>>) -> Reply {
        Reply::Error(s.into())
    }

    pub fn bulk(b: impl Into<Vec<u8>>) -> Reply {
        Reply::Bulk(b.into())
    }

    pub fn bulk_str(s: &str) -> Reply {
        Reply::Bulk(s.as_bytes().to_vec())
    }

    pub fn opt_bulk(b: Option<impl Into<Vec<u8>>>) -> Reply {
        match b {
            Some(b) => Reply::Bulk(b.into()),
            None => Reply::Nil,
        }
    }

    pub fn int(i: impl Into<i64>) -> Reply {
        Reply::Integer(i.into())
    }

    pub fn bulks<I, B>(items: I) -> Reply
    where
        I: IntoIterator<Item = B>,
        B: Into<Vec<u8>>,
    {
        Reply::Array(items.into_iter().map(|b| Reply::Bulk(b.into())).collect())
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }

    /// The error text, if this is an error.
    pub fn error_text(&self) -> Option<&str> {
        match self {
            Reply::Error(e) => Some(e),
            _ => None,
        }
    }
}

impl From<i64> for Reply {
    fn from(i: i64) -> Self {
        Reply::Integer(i)
    }
}

impl From<Result<Reply, Reply>> for Reply {
    fn from(r: Result<Reply, Reply>) -> Self {
        match r {
            Ok(r) | Err(r) => r,
        }
    }
}
