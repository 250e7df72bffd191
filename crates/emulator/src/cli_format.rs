//! Renders replies the way redis-cli prints them in a terminal:
//! `OK`, `(integer) 3`, `"v"`, `(nil)`, `1) "a"`, `(empty array)`,
//! `(error) ERR …`, nested arrays numbered and indented like redis-cli.

use crate::float::format_double;
use crate::reply::Reply;
use crate::resp::Protocol;

/// Quotes bytes like redis-cli (`sdscatrepr`): `"a\nb\xff"`.
pub fn quote_bytes(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() + 2);
    s.push('"');
    for &b in bytes {
        match b {
            b'\\' => s.push_str("\\\\"),
            b'"' => s.push_str("\\\""),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            0x07 => s.push_str("\\a"),
            0x08 => s.push_str("\\b"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s.push('"');
    s
}

/// The text redis-cli prints for `reply` (each line ends with `\n`).
/// `proto` is the connection's protocol: under RESP2, maps arrive as flat
/// arrays and doubles as bulk strings, and redis-cli prints them as such.
pub fn format_reply(reply: &Reply, proto: Protocol) -> String {
    let mut out = String::new();
    match reply {
        Reply::Multi(replies) => {
            for r in replies {
                out.push_str(&format_reply(r, proto));
            }
        }
        Reply::Blocked => {}
        _ => format_into(&mut out, reply, "", proto),
    }
    out
}

fn format_into(out: &mut String, reply: &Reply, prefix: &str, proto: Protocol) {
    let resp3 = proto == Protocol::Resp3;
    match reply {
        Reply::Status(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Reply::Error(e) => {
            out.push_str("(error) ");
            out.push_str(e);
            out.push('\n');
        }
        Reply::Integer(i) => {
            out.push_str(&format!("(integer) {i}\n"));
        }
        Reply::Bool(b) if resp3 => out.push_str(if *b { "(true)\n" } else { "(false)\n" }),
        Reply::Bool(b) => out.push_str(if *b { "(integer) 1\n" } else { "(integer) 0\n" }),
        Reply::Double(d) if resp3 => out.push_str(&format!("(double) {}\n", format_double(*d))),
        Reply::Double(d) => {
            out.push_str(&quote_bytes(format_double(*d).as_bytes()));
            out.push('\n');
        }
        Reply::DoubleText(t) if resp3 => out.push_str(&format!("(double) {t}\n")),
        Reply::DoubleText(t) => {
            out.push_str(&quote_bytes(t.as_bytes()));
            out.push('\n');
        }
        Reply::Bulk(b) => {
            out.push_str(&quote_bytes(b));
            out.push('\n');
        }
        Reply::Verbatim(t) if resp3 => {
            out.push_str(t);
            out.push('\n');
        }
        Reply::Verbatim(t) => {
            out.push_str(&quote_bytes(t.as_bytes()));
            out.push('\n');
        }
        Reply::Nil | Reply::NilArray => out.push_str("(nil)\n"),
        Reply::Array(items) => format_list(out, items, prefix, ')', "(empty array)", proto),
        Reply::Push(items) if resp3 && prefix.is_empty() && invalidated_keys(items).is_some() => {
            // redis-cli's own line for client-side caching invalidations.
            let keys = invalidated_keys(items).unwrap_or_default();
            let quoted: Vec<String> = keys.iter().map(|k| format!("'{}'", String::from_utf8_lossy(k))).collect();
            out.push_str(&format!("-> invalidate: {}\n", quoted.join(", ")));
        }
        Reply::Push(items) if resp3 => format_list(out, items, prefix, ')', "(empty push)", proto),
        Reply::Push(items) => format_list(out, items, prefix, ')', "(empty array)", proto),
        Reply::Set(items) if resp3 => format_list(out, items, prefix, '~', "(empty set)", proto),
        Reply::Set(items) => format_list(out, items, prefix, ')', "(empty array)", proto),
        Reply::Map(pairs) if resp3 => format_map(out, pairs, prefix, proto),
        Reply::Map(pairs) => {
            let flat: Vec<Reply> = pairs.iter().flat_map(|(k, v)| [k.clone(), v.clone()]).collect();
            format_list(out, &flat, prefix, ')', "(empty array)", proto);
        }
        Reply::Multi(replies) => {
            for r in replies {
                format_into(out, r, prefix, proto);
            }
        }
        Reply::Blocked => {}
    }
}

fn index_width(n: usize) -> usize {
    n.to_string().len()
}

fn format_list(out: &mut String, items: &[Reply], prefix: &str, sep: char, empty: &str, proto: Protocol) {
    if items.is_empty() {
        out.push_str(empty);
        out.push('\n');
        return;
    }
    let width = index_width(items.len());
    let child_prefix = format!("{prefix}{}", " ".repeat(width + 2));
    for (i, item) in items.iter().enumerate() {
        let lead = if i == 0 { "" } else { prefix };
        out.push_str(&format!("{lead}{:>width$}{sep} ", i + 1));
        format_into(out, item, &child_prefix, proto);
    }
}

fn format_map(out: &mut String, pairs: &[(Reply, Reply)], prefix: &str, proto: Protocol) {
    if pairs.is_empty() {
        out.push_str("(empty hash)\n");
        return;
    }
    let width = index_width(pairs.len());
    let child_prefix = format!("{prefix}{}", " ".repeat(width + 2));
    for (i, (k, v)) in pairs.iter().enumerate() {
        let lead = if i == 0 { "" } else { prefix };
        out.push_str(&format!("{lead}{:>width$}# ", i + 1));
        format_into(out, k, &child_prefix, proto);
        out.pop();
        out.push_str(" => ");
        format_into(out, v, &child_prefix, proto);
    }
}

/// True for the commands whose text replies redis-cli prints as they are
/// (INFO, CLIENT LIST/INFO, MEMORY DOCTOR/MALLOC-STATS, LATENCY DOCTOR…)
/// instead of quoting them.
pub fn prints_raw(argv: &[Vec<u8>]) -> bool {
    let is = |i: usize, w: &str| argv.get(i).is_some_and(|a| a.eq_ignore_ascii_case(w.as_bytes()));
    let n = argv.len();
    is(0, "info")
        || is(0, "lolwut")
        || (n >= 2 && is(0, "debug") && (is(1, "htstats") || is(1, "htstats-key") || is(1, "client-eviction")))
        || (n >= 2 && is(0, "memory") && (is(1, "malloc-stats") || is(1, "doctor")))
        || (n == 2 && is(0, "cluster") && (is(1, "nodes") || is(1, "info")))
        || (n >= 2 && is(0, "client") && (is(1, "list") || is(1, "info")))
        || (n == 3 && is(0, "latency") && is(1, "graph"))
        || (n == 2 && is(0, "latency") && is(1, "doctor"))
}

fn format_raw(reply: &Reply, out: &mut String) {
    match reply {
        Reply::Status(s) | Reply::Error(s) => out.push_str(s),
        Reply::Bulk(b) => out.push_str(&String::from_utf8_lossy(b)),
        Reply::Verbatim(t) => out.push_str(t),
        Reply::Integer(i) => out.push_str(&i.to_string()),
        Reply::Double(d) => out.push_str(&format_double(*d)),
        Reply::DoubleText(t) => out.push_str(t),
        Reply::Bool(b) => out.push_str(if *b { "1" } else { "0" }),
        Reply::Nil | Reply::NilArray | Reply::Blocked => {}
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) | Reply::Multi(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                }
                format_raw(item, out);
            }
        }
        Reply::Map(pairs) => {
            for (i, (k, v)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                }
                format_raw(k, out);
                out.push('\n');
                format_raw(v, out);
            }
        }
    }
}

/// What redis-cli prints for `reply` to the command `argv`: raw text for
/// the commands in [`prints_raw`] (errors keep their `(error)` prefix),
/// the usual formatting otherwise. Lines end with `\n`.
pub fn format_for_command(argv: &[Vec<u8>], reply: &Reply, proto: Protocol) -> String {
    if !prints_raw(argv) || reply.is_error() {
        return format_reply(reply, proto);
    }
    let mut out = String::new();
    format_raw(reply, &mut out);
    let mut text = out.replace("\r\n", "\n");
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// The keys of an `invalidate` push (`>2 invalidate [keys]`), which
/// redis-cli prints on one line; None for other pushes (a flush's null too).
fn invalidated_keys(items: &[Reply]) -> Option<Vec<&[u8]>> {
    match items {
        [Reply::Bulk(kind), Reply::Array(keys)] if kind == b"invalidate" => {
            keys.iter().map(|k| if let Reply::Bulk(b) = k { Some(b.as_slice()) } else { None }).collect()
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_and_client_list_print_raw() {
        let info = Reply::bulk_str("# Server\r\nredis_version:7.0.15\r\n");
        let argv = vec![b"INFO".to_vec(), b"server".to_vec()];
        assert_eq!(format_for_command(&argv, &info, Protocol::Resp2), "# Server\nredis_version:7.0.15\n");
        let get = vec![b"GET".to_vec(), b"k".to_vec()];
        assert_eq!(format_for_command(&get, &Reply::bulk_str("v"), Protocol::Resp2), "\"v\"\n");
        assert!(prints_raw(&[b"client".to_vec(), b"LIST".to_vec()]));
        assert!(!prints_raw(&[b"client".to_vec(), b"id".to_vec()]));
    }

    fn cli(r: &Reply) -> String {
        format_reply(r, Protocol::Resp2)
    }

    #[test]
    fn scalars() {
        assert_eq!(cli(&Reply::OK), "OK\n");
        assert_eq!(cli(&Reply::Integer(3)), "(integer) 3\n");
        assert_eq!(cli(&Reply::bulk_str("v")), "\"v\"\n");
        assert_eq!(cli(&Reply::Nil), "(nil)\n");
        assert_eq!(cli(&Reply::error("ERR boom")), "(error) ERR boom\n");
        assert_eq!(cli(&Reply::Bulk(vec![0xff, b'"', b'\n'])), "\"\\xff\\\"\\n\"\n");
        assert_eq!(cli(&Reply::Array(vec![])), "(empty array)\n");
    }

    #[test]
    fn nested_arrays_are_numbered_like_redis_cli() {
        let r = Reply::Array(vec![Reply::bulk_str("a"), Reply::Array(vec![Reply::bulk_str("b"), Reply::Integer(1)])]);
        assert_eq!(cli(&r), "1) \"a\"\n2) 1) \"b\"\n   2) (integer) 1\n");
        let ten = Reply::Array((0..10).map(Reply::Integer).collect());
        let text = cli(&ten);
        assert!(text.starts_with(" 1) (integer) 0\n"));
        assert!(text.ends_with("10) (integer) 9\n"));
    }

    #[test]
    fn resp3_maps() {
        let r = Reply::Map(vec![(Reply::bulk_str("k"), Reply::Integer(1))]);
        assert_eq!(format_reply(&r, Protocol::Resp3), "1# \"k\" => (integer) 1\n");
        assert_eq!(format_reply(&r, Protocol::Resp2), "1) \"k\"\n2) (integer) 1\n");
    }
}
