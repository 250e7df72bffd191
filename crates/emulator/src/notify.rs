//! Keyspace notifications (`notify-keyspace-events`): the flag letters and
//! the two channels Redis publishes on, `__keyspace@<db>__:<key>` (message:
//! the event) and `__keyevent@<db>__:<event>` (message: the key).

use crate::pubsub::Outbox;

pub const KEYSPACE: u32 = 1 << 0; // K
pub const KEYEVENT: u32 = 1 << 1; // E
pub const GENERIC: u32 = 1 << 2; // g
pub const STRING: u32 = 1 << 3; // $
pub const LIST: u32 = 1 << 4; // l
pub const SET: u32 = 1 << 5; // s
pub const HASH: u32 = 1 << 6; // h
pub const ZSET: u32 = 1 << 7; // z
pub const EXPIRED: u32 = 1 << 8; // x
pub const EVICTED: u32 = 1 << 9; // e
pub const STREAM: u32 = 1 << 10; // t
pub const KEY_MISS: u32 = 1 << 11; // m
pub const MODULE: u32 = 1 << 13; // d
pub const NEW: u32 = 1 << 14; // n
/// `A`: every class except key-miss, module and new-key events.
pub const ALL: u32 = GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;

/// Parses a flag string such as `KEA` or `Ex`. Unknown letters → None.
pub fn parse_flags(s: &[u8]) -> Option<u32> {
    let mut flags = 0;
    for &c in s {
        flags |= match c {
            b'A' => ALL,
            b'g' => GENERIC,
            b'$' => STRING,
            b'l' => LIST,
            b's' => SET,
            b'h' => HASH,
            b'z' => ZSET,
            b'x' => EXPIRED,
            b'e' => EVICTED,
            b'K' => KEYSPACE,
            b'E' => KEYEVENT,
            b't' => STREAM,
            b'm' => KEY_MISS,
            b'd' => MODULE,
            b'n' => NEW,
            _ => return None,
        };
    }
    Some(flags)
}

/// Renders flags the way CONFIG GET prints them (Redis's `keyspaceEventsFlagsToString`).
pub fn flags_to_string(flags: u32) -> String {
    let mut s = String::new();
    if flags & ALL == ALL {
        s.push('A');
    } else {
        for (bit, c) in [
            (GENERIC, 'g'),
            (STRING, '$'),
            (LIST, 'l'),
            (SET, 's'),
            (HASH, 'h'),
            (ZSET, 'z'),
            (EXPIRED, 'x'),
            (EVICTED, 'e'),
            (STREAM, 't'),
            (MODULE, 'd'),
        ] {
            if flags & bit != 0 {
                s.push(c);
            }
        }
    }
    for (bit, c) in [(KEYSPACE, 'K'), (KEYEVENT, 'E'), (KEY_MISS, 'm'), (NEW, 'n')] {
        if flags & bit != 0 {
            s.push(c);
        }
    }
    s
}

/// Publishes the notification for `event` on `key` if `class` is enabled
/// in `flags` (`notify-keyspace-events`).
pub(crate) fn notify(out: &mut Outbox, flags: u32, db: usize, class: u32, event: &str, key: &[u8]) {
    if flags & class == 0 {
        return;
    }
    if flags & KEYSPACE != 0 {
        let mut channel = format!("__keyspace@{db}__:").into_bytes();
        channel.extend_from_slice(key);
        crate::pubsub::publish(out, &channel, event.as_bytes());
    }
    if flags & KEYEVENT != 0 {
        let channel = format!("__keyevent@{db}__:{event}").into_bytes();
        crate::pubsub::publish(out, &channel, key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Engine;

    #[test]
    fn flags_round_trip() {
        assert_eq!(parse_flags(b"KEA"), Some(ALL | KEYSPACE | KEYEVENT));
        assert_eq!(flags_to_string(parse_flags(b"KEA").unwrap()), "AKE");
        assert_eq!(flags_to_string(parse_flags(b"Ex").unwrap()), "xE");
        assert_eq!(parse_flags(b"Q"), None);
        assert_eq!(parse_flags(b""), Some(0));
    }

    /// The messages delivered to `id`, as (channel, payload) pairs.
    fn messages(engine: &mut Engine, id: u64) -> Vec<(String, String)> {
        use crate::reply::Reply;
        engine
            .drain_events()
            .into_iter()
            .filter_map(|e| match e {
                crate::Event::Deliver { client, reply: Reply::Array(items) | Reply::Push(items) } if client == id => {
                    let text: Vec<String> = items
                        .iter()
                        .map(|i| match i {
                            Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
                            _ => String::new(),
                        })
                        .collect();
                    Some((text[text.len() - 2].clone(), text[text.len() - 1].clone()))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn expiry_publishes_expired_lazily_and_actively() {
        let mut engine = Engine::with_manual_clock(1_000, 1);
        let me = engine.connect("t:1");
        let listener = engine.connect("t:2");
        engine.config.notify_keyspace_events = parse_flags(b"KEA").unwrap_or(0);
        let _ = engine.execute_line(listener, "PSUBSCRIBE __key*@0__:*");
        let _ = engine.execute_line(me, "SET k v");
        engine.keyspace.dbs[0].set_expire(b"k", 1_100);
        let _ = engine.drain_events();
        engine.clock.advance_ms(200);
        let _ = engine.execute_line(me, "GET k");
        let expected = vec![
            ("__keyspace@0__:k".to_string(), "expired".to_string()),
            ("__keyevent@0__:expired".to_string(), "k".to_string()),
        ];
        assert_eq!(messages(&mut engine, listener), expected);
        let _ = engine.execute_line(me, "SET k v");
        engine.keyspace.dbs[0].set_expire(b"k", 1_300);
        let _ = engine.drain_events();
        engine.advance_clock(200);
        assert_eq!(messages(&mut engine, listener), expected);
    }
}
