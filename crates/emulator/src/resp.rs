//! RESP2/RESP3: encoding replies and parsing requests (multibulk and inline),
//! with the protocol errors Redis sends before it closes a connection.

use crate::float::format_double;
use crate::reply::Reply;
use crate::tokenizer::split_args;

/// Protocol version negotiated with HELLO.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Resp2,
    Resp3,
}

/// Appends the wire form of `reply` to `out`.
pub fn encode(reply: &Reply, proto: Protocol, out: &mut Vec<u8>) {
    let resp3 = proto == Protocol::Resp3;
    match reply {
        Reply::Status(s) => line(out, b'+', s.as_bytes()),
        Reply::Error(e) => line(out, b'-', e.as_bytes()),
        Reply::Integer(i) => line(out, b':', i.to_string().as_bytes()),
        Reply::Bulk(b) => bulk(out, b),
        Reply::Nil => out.extend_from_slice(if resp3 { b"_\r\n" } else { b"$-1\r\n" }),
        Reply::NilArray => out.extend_from_slice(if resp3 { b"_\r\n" } else { b"*-1\r\n" }),
        Reply::Array(items) => aggregate(out, b'*', items, proto),
        Reply::Set(items) => aggregate(out, if resp3 { b'~' } else { b'*' }, items, proto),
        Reply::Push(items) => aggregate(out, if resp3 { b'>' } else { b'*' }, items, proto),
        Reply::Map(pairs) => {
            if resp3 {
                line(out, b'%', pairs.len().to_string().as_bytes());
            } else {
                line(out, b'*', (pairs.len() * 2).to_string().as_bytes());
            }
            for (k, v) in pairs {
                encode(k, proto, out);
                encode(v, proto, out);
            }
        }
        Reply::Double(d) => {
            let text = format_double(*d);
            if resp3 {
                line(out, b',', text.as_bytes());
            } else {
                bulk(out, text.as_bytes());
            }
        }
        Reply::DoubleText(text) => {
            if resp3 {
                line(out, b',', text.as_bytes());
            } else {
                bulk(out, text.as_bytes());
            }
        }
        Reply::Bool(b) => {
            if resp3 {
                out.extend_from_slice(if *b { b"#t\r\n" } else { b"#f\r\n" });
            } else {
                out.extend_from_slice(if *b { b":1\r\n" } else { b":0\r\n" });
            }
        }
        Reply::Verbatim(text) => {
            if resp3 {
                line(out, b'=', (text.len() + 4).to_string().as_bytes());
                out.extend_from_slice(b"txt:");
                out.extend_from_slice(text.as_bytes());
                out.extend_from_slice(b"\r\n");
            } else {
                bulk(out, text.as_bytes());
            }
        }
        Reply::Multi(replies) => {
            for r in replies {
                encode(r, proto, out);
            }
        }
        Reply::Blocked => {}
    }
}

/// The wire form of `reply` as a new buffer.
pub fn to_bytes(reply: &Reply, proto: Protocol) -> Vec<u8> {
    let mut out = Vec::new();
    encode(reply, proto, &mut out);
    out
}

fn line(out: &mut Vec<u8>, prefix: u8, body: &[u8]) {
    out.push(prefix);
    out.extend_from_slice(body);
    out.extend_from_slice(b"\r\n");
}

fn bulk(out: &mut Vec<u8>, b: &[u8]) {
    line(out, b'$', b.len().to_string().as_bytes());
    out.extend_from_slice(b);
    out.extend_from_slice(b"\r\n");
}

fn aggregate(out: &mut Vec<u8>, prefix: u8, items: &[Reply], proto: Protocol) {
    line(out, prefix, items.len().to_string().as_bytes());
    for item in items {
        encode(item, proto, out);
    }
}

/// Largest inline request or count line Redis accepts (PROTO_INLINE_MAX_SIZE).
pub const INLINE_MAX: usize = 64 * 1024;
/// Largest number of arguments in one multibulk request: Redis 7.0 accepts
/// any count up to `INT_MAX` (the 1024×1024 cap of older versions is gone).
pub const MULTIBULK_MAX: i64 = i32::MAX as i64;

/// What [`parse_request`] found at the start of a buffer.
#[derive(Debug, PartialEq)]
pub enum Parsed {
    /// Not enough bytes yet.
    Incomplete,
    /// A command (possibly empty, which the caller skips) and the bytes it used.
    Command(Vec<Vec<u8>>, usize),
    /// A protocol error: reply with it, then close the connection.
    Error(String),
}

fn find_crlf(buf: &[u8], from: usize) -> Option<usize> {
    buf.get(from..)?.windows(2).position(|w| w == b"\r\n").map(|p| p + from)
}

/// A length in a request header, read as Redis's `string2ll` reads it: no
/// `+` sign, no leading zeros, no spaces (`*01` is a protocol error).
fn parse_int(b: &[u8]) -> Option<i64> {
    crate::float::parse_i64(b)
}

/// Parses one request from the start of `buf` the way Redis reads clients:
/// `*N` multibulk requests and space-separated inline commands.
/// `max_bulk` is `proto-max-bulk-len`.
pub fn parse_request(buf: &[u8], max_bulk: i64) -> Parsed {
    if buf.is_empty() {
        return Parsed::Incomplete;
    }
    if buf[0] != b'*' {
        return parse_inline(buf);
    }
    let Some(end) = find_crlf(buf, 0) else {
        if buf.len() > INLINE_MAX {
            return Parsed::Error("ERR Protocol error: too big mbulk count string".into());
        }
        return Parsed::Incomplete;
    };
    let count = match parse_int(&buf[1..end]) {
        Some(c) if c <= MULTIBULK_MAX => c,
        _ => return Parsed::Error("ERR Protocol error: invalid multibulk length".into()),
    };
    let mut pos = end + 2;
    if count <= 0 {
        return Parsed::Command(Vec::new(), pos);
    }
    let mut args = Vec::with_capacity(count.min(1024) as usize);
    for _ in 0..count {
        if pos >= buf.len() {
            return Parsed::Incomplete;
        }
        let Some(end) = find_crlf(buf, pos) else {
            if buf.len() - pos > INLINE_MAX {
                return Parsed::Error("ERR Protocol error: too big bulk count string".into());
            }
            return Parsed::Incomplete;
        };
        if buf[pos] != b'$' {
            let got = buf[pos] as char;
            return Parsed::Error(format!("ERR Protocol error: expected '$', got '{got}'"));
        }
        let len = match parse_int(&buf[pos + 1..end]) {
            Some(l) if (0..=max_bulk).contains(&l) => l as usize,
            _ => return Parsed::Error("ERR Protocol error: invalid bulk length".into()),
        };
        let start = end + 2;
        if buf.len() < start + len + 2 {
            return Parsed::Incomplete;
        }
        args.push(buf[start..start + len].to_vec());
        pos = start + len + 2;
    }
    Parsed::Command(args, pos)
}

fn parse_inline(buf: &[u8]) -> Parsed {
    let Some(nl) = buf.iter().position(|&b| b == b'\n') else {
        if buf.len() > INLINE_MAX {
            return Parsed::Error("ERR Protocol error: too big inline request".into());
        }
        return Parsed::Incomplete;
    };
    let mut line = &buf[..nl];
    if line.last() == Some(&b'\r') {
        line = &line[..line.len() - 1];
    }
    match split_args(line) {
        Ok(args) => Parsed::Command(args, nl + 1),
        Err(_) => Parsed::Error("ERR Protocol error: unbalanced quotes in request".into()),
    }
}

/// Parses one reply (RESP2 or RESP3) from the start of `buf`, as a client
/// reads a server's answer. Returns the reply and the bytes it used, or
/// `None` if the buffer holds no complete, valid reply yet.
pub fn parse_reply(buf: &[u8]) -> Option<(Reply, usize)> {
    parse_reply_at(buf, 0, 0)
}

fn parse_reply_at(buf: &[u8], pos: usize, depth: usize) -> Option<(Reply, usize)> {
    if depth > 64 {
        return None;
    }
    let end = find_crlf(buf, pos)?;
    let kind = *buf.get(pos)?;
    let body = buf.get(pos + 1..end)?;
    let text = || String::from_utf8_lossy(body).into_owned();
    let next = end + 2;
    match kind {
        b'+' => Some((Reply::Status(text().into()), next)),
        b'-' => Some((Reply::Error(text().into()), next)),
        b':' => Some((Reply::Integer(parse_int(body)?), next)),
        b'_' => Some((Reply::Nil, next)),
        b'#' => Some((Reply::Bool(body == b"t"), next)),
        b',' => Some((Reply::Double(crate::float::parse_f64(body).or_else(|| text().parse().ok())?), next)),
        b'(' => Some((Reply::Bulk(body.to_vec()), next)),
        b'$' | b'=' | b'!' => {
            let len = parse_int(body)?;
            if len < 0 {
                return Some((Reply::Nil, next));
            }
            let len = len as usize;
            if buf.len() < next + len + 2 {
                return None;
            }
            let data = buf[next..next + len].to_vec();
            let reply = match kind {
                b'=' => Reply::Verbatim(String::from_utf8_lossy(data.get(4..).unwrap_or(&[])).into_owned()),
                b'!' => Reply::Error(String::from_utf8_lossy(&data).into_owned().into()),
                _ => Reply::Bulk(data),
            };
            Some((reply, next + len + 2))
        }
        b'*' | b'~' | b'>' | b'%' => {
            let n = parse_int(body)?;
            if n < 0 {
                return Some((Reply::NilArray, next));
            }
            let count = if kind == b'%' { n as usize * 2 } else { n as usize };
            let mut items = Vec::with_capacity(count.min(1024));
            let mut p = next;
            for _ in 0..count {
                let (item, np) = parse_reply_at(buf, p, depth + 1)?;
                items.push(item);
                p = np;
            }
            let reply = match kind {
                b'~' => Reply::Set(items),
                b'>' => Reply::Push(items),
                b'%' => {
                    let mut pairs = Vec::with_capacity(items.len() / 2);
                    let mut it = items.into_iter();
                    while let (Some(k), Some(v)) = (it.next(), it.next()) {
                        pairs.push((k, v));
                    }
                    Reply::Map(pairs)
                }
                _ => Reply::Array(items),
            };
            Some((reply, p))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_parser_round_trips() {
        let r = Reply::Array(vec![
            Reply::bulk_str("a"),
            Reply::Integer(-3),
            Reply::Nil,
            Reply::Array(vec![Reply::status("OK"), Reply::error("ERR x")]),
        ]);
        let bytes = to_bytes(&r, Protocol::Resp2);
        assert_eq!(parse_reply(&bytes), Some((r, bytes.len())));
        assert_eq!(parse_reply(&bytes[..bytes.len() - 1]), None);
        let m = Reply::Map(vec![(Reply::bulk_str("k"), Reply::Double(1.5))]);
        let bytes = to_bytes(&m, Protocol::Resp3);
        assert_eq!(parse_reply(&bytes), Some((m, bytes.len())));
    }

    fn enc2(r: &Reply) -> String {
        String::from_utf8(to_bytes(r, Protocol::Resp2)).unwrap()
    }

    fn enc3(r: &Reply) -> String {
        String::from_utf8(to_bytes(r, Protocol::Resp3)).unwrap()
    }

    #[test]
    fn encodes_both_protocols() {
        assert_eq!(enc2(&Reply::OK), "+OK\r\n");
        assert_eq!(enc2(&Reply::Nil), "$-1\r\n");
        assert_eq!(enc3(&Reply::Nil), "_\r\n");
        assert_eq!(enc2(&Reply::NilArray), "*-1\r\n");
        assert_eq!(enc2(&Reply::Double(1.5)), "$3\r\n1.5\r\n");
        assert_eq!(enc3(&Reply::Double(f64::INFINITY)), ",inf\r\n");
        let map = Reply::Map(vec![(Reply::bulk_str("a"), Reply::Integer(1))]);
        assert_eq!(enc2(&map), "*2\r\n$1\r\na\r\n:1\r\n");
        assert_eq!(enc3(&map), "%1\r\n$1\r\na\r\n:1\r\n");
        assert_eq!(enc3(&Reply::Bool(true)), "#t\r\n");
        assert_eq!(enc2(&Reply::Bool(false)), ":0\r\n");
    }

    #[test]
    fn parses_multibulk_incrementally() {
        let req = b"*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n";
        for cut in 0..req.len() {
            assert_eq!(parse_request(&req[..cut], 512 << 20), Parsed::Incomplete, "cut {cut}");
        }
        assert_eq!(parse_request(req, 512 << 20), Parsed::Command(vec![b"ECHO".to_vec(), b"hi".to_vec()], req.len()));
    }

    #[test]
    fn parses_inline_and_reports_errors() {
        assert_eq!(parse_request(b"PING\r\n", 100), Parsed::Command(vec![b"PING".to_vec()], 6));
        assert_eq!(
            parse_request(b"SET k \"v\r\n", 100),
            Parsed::Error("ERR Protocol error: unbalanced quotes in request".into())
        );
        assert_eq!(
            parse_request(b"*1\r\n+x\r\n", 100),
            Parsed::Error("ERR Protocol error: expected '$', got '+'".into())
        );
        assert_eq!(parse_request(b"*x\r\n", 100), Parsed::Error("ERR Protocol error: invalid multibulk length".into()));
        assert_eq!(
            parse_request(b"*1\r\n$101\r\n", 100),
            Parsed::Error("ERR Protocol error: invalid bulk length".into())
        );
    }
}
