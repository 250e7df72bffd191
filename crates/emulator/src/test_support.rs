//! Helpers shared by the unit tests of several command families.

use crate::engine::Engine;
use crate::events::Event;
use crate::notify;
use crate::reply::Reply;

/// Runs `lines` on a fresh engine with every keyspace event enabled and
/// returns the `event key` pairs published on `__keyevent@0__:*`.
pub fn key_events(lines: &[&str]) -> Vec<String> {
    let mut engine = Engine::with_manual_clock(0, 1);
    let me = engine.connect("t:1");
    let listener = engine.connect("t:2");
    engine.config_mut().notify_keyspace_events = notify::ALL | notify::KEYEVENT;
    engine.pubsub.psubscribe(listener, b"__keyevent@0__:*");
    for line in lines {
        let _ = engine.execute_line(me, line);
    }
    engine
        .drain_events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Deliver { client, reply: Reply::Array(items) } if client == listener => {
                let text = |r: &Reply| match r {
                    Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
                    _ => String::new(),
                };
                let channel = text(items.get(2)?);
                let event = channel.rsplit(':').next()?.to_string();
                Some(format!("{event} {}", text(items.get(3)?)))
            }
            _ => None,
        })
        .collect()
}
