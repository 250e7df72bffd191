//! What the engine tells the outside world besides command replies:
//! messages for other clients (pub/sub, unblocked BLPOP, MONITOR) and
//! keyspace happenings the UI can show (a key expired, a key was evicted).

use crate::client::ClientId;
use crate::config::EvictionPolicy;
use crate::reply::Reply;

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A reply or push message for `client` outside its own request.
    Deliver { client: ClientId, reply: Reply },
    /// A key was removed because its TTL passed.
    Expired { db: usize, key: Vec<u8> },
    /// A key was evicted to stay under `maxmemory`.
    Evicted { db: usize, key: Vec<u8>, policy: EvictionPolicy, reason: String },
}

/// Most events kept when nobody drains them (older ones are dropped).
pub const EVENT_BUFFER_LIMIT: usize = 10_000;

/// The events waiting to be drained, bounded by [`EVENT_BUFFER_LIMIT`].
#[derive(Debug, Default)]
pub(crate) struct EventQueue {
    queue: std::collections::VecDeque<Event>,
}

impl EventQueue {
    /// Queues an event, dropping the oldest when the buffer is full.
    pub(crate) fn push(&mut self, event: Event) {
        if self.queue.len() >= EVENT_BUFFER_LIMIT {
            self.queue.pop_front();
        }
        self.queue.push_back(event);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Takes all pending events, oldest first.
    pub(crate) fn drain(&mut self) -> Vec<Event> {
        self.queue.drain(..).collect()
    }
}
