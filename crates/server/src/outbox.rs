//! A connection's outgoing bytes, and Redis's `client-output-buffer-limit`:
//! bytes queued for a client that does not read them (a subscriber that
//! stopped reading, a stalled replica) count against its class's limits,
//! and a client past its hard limit, or past its soft limit for longer than
//! the soft seconds, is disconnected, so no client can make the server hold
//! unbounded memory.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use redis_emulator::config::BufferLimit;
use tokio::sync::{mpsc, Notify};

#[derive(Default)]
struct Shared {
    /// Bytes sent to the writer and not yet written to the socket.
    pending: AtomicUsize,
    /// Since when the soft limit has been exceeded.
    over_soft_since: Mutex<Option<Instant>>,
    killed: AtomicBool,
    on_kill: Notify,
}

/// The sending side; clones share the same connection.
#[derive(Clone)]
pub struct Outbox {
    tx: mpsc::UnboundedSender<Vec<u8>>,
    shared: Arc<Shared>,
}

/// The writer's side.
pub struct Inbox {
    rx: mpsc::UnboundedReceiver<Vec<u8>>,
    shared: Arc<Shared>,
}

pub fn channel() -> (Outbox, Inbox) {
    let (tx, rx) = mpsc::unbounded_channel();
    let shared = Arc::new(Shared::default());
    (Outbox { tx, shared: shared.clone() }, Inbox { rx, shared })
}

impl Outbox {
    /// Queues bytes for the client (nothing once it is being dropped).
    pub fn send(&self, bytes: Vec<u8>) {
        if bytes.is_empty() || self.is_killed() {
            return;
        }
        self.shared.pending.fetch_add(bytes.len(), Ordering::AcqRel);
        let _ = self.tx.send(bytes);
    }

    /// Asks the writer to close the connection once what is queued is out.
    pub fn close(&self) {
        let _ = self.tx.send(Vec::new());
    }

    pub fn pending(&self) -> usize {
        self.shared.pending.load(Ordering::Acquire)
    }

    pub fn is_killed(&self) -> bool {
        self.shared.killed.load(Ordering::Acquire)
    }

    /// Drops the client at once: queued bytes are discarded.
    pub fn kill(&self) {
        self.shared.killed.store(true, Ordering::Release);
        self.shared.on_kill.notify_waiters();
        let _ = self.tx.send(Vec::new());
    }

    /// Resolves once the client is killed.
    pub async fn killed(&self) {
        loop {
            let notified = self.shared.on_kill.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.is_killed() {
                return;
            }
            notified.await;
        }
    }

    /// Redis's check of a client's output buffer against its class's
    /// limits; true (and the client killed) when it is over them.
    pub fn enforce(&self, limit: BufferLimit) -> bool {
        let used = self.pending() as u64;
        let hard = limit.hard > 0 && used >= limit.hard;
        let mut soft = false;
        {
            let mut since = self.shared.over_soft_since.lock().unwrap_or_else(|p| p.into_inner());
            if limit.soft > 0 && used >= limit.soft {
                match *since {
                    None => *since = Some(Instant::now()),
                    Some(start) => soft = start.elapsed().as_secs() > limit.soft_seconds,
                }
            } else {
                *since = None;
            }
        }
        if hard || soft {
            self.kill();
        }
        hard || soft
    }
}

impl Inbox {
    /// The next bytes to write; None when the connection must close (a
    /// close request, the client killed, or every sender gone).
    pub async fn next(&mut self) -> Option<Vec<u8>> {
        let bytes = self.rx.recv().await?;
        if bytes.is_empty() || self.shared.killed.load(Ordering::Acquire) {
            return None;
        }
        Some(bytes)
    }

    /// `n` bytes reached the socket.
    pub fn written(&self, n: usize) {
        self.shared.pending.fetch_sub(n, Ordering::AcqRel);
    }
}
