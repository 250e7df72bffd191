//! Helpers shared by the unit tests of several command families.

use crate::engine::Engine;
use crate::events::Event;
use crate::notify;
use crate::reply::Reply;

/// One keyevent notification: database, event name, key.
pub type KeyEvent = (usize, String, String);

/// Runs `lines` on a fresh engine whose clock starts at `start_ms`, with
/// every keyspace event enabled, and returns the keyevent notifications
/// (`__keyevent@<db>__:<event>` → key) of every database, in order.
pub fn keyevents_at(start_ms: i64, lines: &[&str]) -> Vec<KeyEvent> {
    let mut engine = Engine::with_manual_clock(start_ms, 1);
    let me = engine.connect("t:1");
    let listener = engine.connect("t:2");
    engine.config_mut().notify_keyspace_events = notify::ALL | notify::KEYEVENT;
    engine.pubsub.psubscribe(listener, b"__keyevent@*");
    for line in lines {
        let _ = engine.execute_line(me, line);
    }
    let text = |r: &Reply| match r {
        Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
        _ => String::new(),
    };
    engine
        .drain_events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Deliver { client, reply: Reply::Array(items) | Reply::Push(items) } if client == listener => {
                let channel = text(items.get(2)?);
                let (db, event) = channel.strip_prefix("__keyevent@")?.split_once("__:")?;
                Some((db.parse().ok()?, event.to_string(), text(items.get(3)?)))
            }
            _ => None,
        })
        .collect()
}

/// The `event key` pairs of database 0's keyevent notifications while
/// `lines` run (clock at 0).
pub fn key_events(lines: &[&str]) -> Vec<String> {
    keyevents_at(0, lines).into_iter().filter(|(db, ..)| *db == 0).map(|(_, e, k)| format!("{e} {k}")).collect()
}
