//! MONITOR: every command executed is shown to monitoring clients as one
//! status line, `1700000000.123456 [0 127.0.0.1:5000] "SET" "k" "v"`.

use crate::client::Client;
use crate::client_registry::ClientRegistry;
use crate::events::{Event, EventQueue};
use crate::reply::Reply;

/// Redis's `sdscatrepr`: a quoted string with C-style escapes.
pub fn quote(arg: &[u8], out: &mut String) {
    out.push('"');
    for &b in arg {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            7 => out.push_str("\\a"),
            8 => out.push_str("\\b"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
}

/// The line a monitor receives for `argv` run by `client` in `db`.
pub fn line(now_us: i64, db: usize, client_addr: &str, argv: &[Vec<u8>]) -> String {
    let mut s =
        format!("{}.{:06} [{} {}]", now_us.div_euclid(1_000_000), now_us.rem_euclid(1_000_000), db, client_addr);
    for a in argv {
        s.push(' ');
        quote(a, &mut s);
    }
    s
}

/// Sends the line for a just-executed command (run by `client`, which is
/// out of the table meanwhile, at `now_us`) to every monitoring client.
pub(crate) fn feed(
    clients: &mut ClientRegistry,
    events: &mut EventQueue,
    now_us: i64,
    client: &Client,
    argv: &[Vec<u8>],
) {
    let mut monitors = clients.monitors();
    if client.monitor && !monitors.contains(&client.id) {
        monitors.push(client.id);
    }
    if monitors.is_empty() {
        return;
    }
    // Commands a script runs come from Redis's Lua client.
    let addr = if client.in_script { "lua" } else { client.addr.as_str() };
    let text = line(now_us, client.db, addr, argv);
    for id in monitors {
        events.push(Event::Deliver { client: id, reply: Reply::status(text.clone()) });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_format_and_escapes() {
        let argv = vec![b"SET".to_vec(), b"k".to_vec(), b"a\"b\n\x01".to_vec()];
        assert_eq!(
            line(1_700_000_000_123_456, 0, "127.0.0.1:5000", &argv),
            r#"1700000000.123456 [0 127.0.0.1:5000] "SET" "k" "a\"b\n\x01""#
        );
    }
}
