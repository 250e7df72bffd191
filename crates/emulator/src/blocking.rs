//! Blocked clients, the engine's side: a command that must wait stores
//! its state on the client ([`crate::Ctx::block_on`]); keys that received
//! data are collected as ready ([`crate::Ctx::signal_ready`]); after each
//! command the clients blocked on them are retried, first blocked first;
//! ticks answer those whose timeout passed; CLIENT UNBLOCK ends a wait.

use crate::client::ClientId;
use crate::commands;
use crate::engine::Engine;
use crate::events::Event;
use crate::reply::Reply;

impl Engine {
    /// Redis's `signalKeyAsReady`, the engine's side: notes `key` as ready
    /// if a client waits on it (and forgets the "someone may be blocked"
    /// hint when nobody is).
    pub(crate) fn signal_ready(&mut self, db: usize, key: &[u8]) {
        if self.clients.is_blocked_on(db, key) {
            self.keyspace.mark_ready(db, key);
        }
    }

    /// Redis 7.0's `signalDeletedKeyAsReady`: a stream that left the
    /// keyspace (deleted, replaced by another type, expired, evicted) wakes
    /// the clients blocked reading it; XREADGROUP then answers UNBLOCKED,
    /// XREAD keeps waiting for the key to come back.
    pub(crate) fn signal_stream_gone(&mut self, db: usize, key: &[u8], old: &crate::value::Value) {
        if matches!(old, crate::value::Value::Stream(_)) {
            self.signal_ready(db, key);
        }
    }

    /// Keys of `db` that hold a stream some client is blocked reading: a
    /// command that empties or swaps the database wakes them afterwards
    /// (Redis 7.0's `scanDatabaseForDeletedStreams`).
    pub(crate) fn blocked_streams(&self, db: usize) -> Vec<Vec<u8>> {
        let mut keys: Vec<Vec<u8>> = self
            .clients
            .values()
            .filter_map(|c| c.blocked.as_ref())
            .filter(|b| b.db == db)
            .flat_map(|b| b.keys.iter())
            .filter(|k| matches!(self.keyspace.dbs[db].get(k).map(|e| &e.value), Some(crate::value::Value::Stream(_))))
            .cloned()
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }

    /// Serves clients blocked on keys that became ready, first blocked first.
    pub(crate) fn serve_ready_keys(&mut self) {
        while self.keyspace.has_ready() {
            for (db, key) in self.keyspace.take_ready() {
                for id in self.clients.waiting_on(db, &key) {
                    if self.serves(id, db, &key) {
                        self.retry_blocked(id);
                    }
                }
            }
        }
    }

    /// Whether the ready `key` can serve client `id` (Redis 7.0's
    /// `handleClientsBlockedOnKeys`): a key that now holds another type
    /// than the blocked command pops from leaves list, sorted-set and XREAD
    /// waiters blocked (XREADGROUP is retried: it answers UNBLOCKED).
    fn serves(&self, id: ClientId, db: usize, key: &[u8]) -> bool {
        use crate::value::Value;
        let Some(blocked) = self.clients.get(&id).and_then(|c| c.blocked.as_ref()) else { return true };
        let Some(entry) = self.keyspace.dbs.get(db).and_then(|d| d.get(key)) else { return true };
        let name = blocked.argv.first().map(|n| n.to_ascii_lowercase()).unwrap_or_default();
        match name.as_slice() {
            b"blpop" | b"brpop" | b"blmove" | b"brpoplpush" | b"blmpop" => matches!(entry.value, Value::List(_)),
            b"bzpopmin" | b"bzpopmax" | b"bzmpop" => matches!(entry.value, Value::ZSet(_)),
            b"xread" => matches!(entry.value, Value::Stream(_)),
            _ => true,
        }
    }

    /// Re-runs a blocked client's command; if it no longer blocks, the reply
    /// is delivered as an event and the client is unblocked.
    pub(crate) fn retry_blocked(&mut self, id: ClientId) {
        let Some(mut client) = self.clients.remove(&id) else { return };
        let Some(blocked) = client.blocked.take() else {
            self.clients.insert(id, client);
            return;
        };
        let reply = match commands::lookup(&blocked.argv) {
            commands::Lookup::Found(spec) => {
                let saved_db = client.db;
                client.db = blocked.db;
                self.clients.set_running(Some((id, client.protocol)));
                client.retrying_blocked = true;
                let reply = self.call(&mut client, spec, &blocked.argv);
                client.retrying_blocked = false;
                self.clients.set_running(None);
                client.db = saved_db;
                reply
            }
            _ => Reply::NilArray,
        };
        if matches!(reply, Reply::Blocked) {
            // Still nothing to take: keep waiting with the original order.
            if let Some(b) = client.blocked.as_mut() {
                b.since_seq = blocked.since_seq;
                b.deadline_ms = blocked.deadline_ms;
            }
        } else {
            client.blocked = None;
            // An error answer (XREADGROUP's NOGROUP …) counts like any error reply.
            if let Some(text) = reply.error_text() {
                self.stats.count_error(text);
            }
            self.push_event(Event::Deliver { client: id, reply });
        }
        self.clients.put_back(id, client);
        // Its own invalidations follow its reply.
        let (before, after) = self.take_pending_invalidations(id);
        for (to, message) in before.into_iter().chain(after) {
            self.push_event(Event::Deliver { client: to, reply: message });
        }
    }

    /// Answers blocked clients whose timeout passed with their timeout reply.
    pub fn expire_blocked_clients(&mut self) {
        self.end_pause_if_due();
        self.resume_postponed();
        let now = self.now_ms();
        for id in self.clients.timed_out(now) {
            let waits = self.clients.get(&id).and_then(|c| c.blocked.as_ref()).is_some_and(|b| b.keys.is_empty());
            let acked = self.wait_timeout_reply(id);
            if let Some(c) = self.clients.get_mut(&id) {
                let mut reply = commands::blocking_timeout_reply(c.blocked.as_ref());
                if waits && reply == Reply::Integer(0) {
                    // WAIT answers how many replicas made it in time.
                    reply = acked;
                }
                c.blocked = None;
                self.push_event(Event::Deliver { client: id, reply });
            }
        }
    }

    /// Unblocks a client as CLIENT UNBLOCK does (`error` picks the reply).
    pub fn unblock_client(&mut self, id: ClientId, error: bool) -> bool {
        let Some(c) = self.clients.get_mut(&id) else { return false };
        if c.blocked.as_ref().is_some_and(|b| b.postponed) {
            return false; // held by CLIENT PAUSE, not waiting on keys
        }
        let Some(blocked) = c.blocked.take() else { return false };
        let reply = if error {
            Reply::error("UNBLOCKED client unblocked via CLIENT UNBLOCK")
        } else {
            commands::blocking_timeout_reply(Some(&blocked))
        };
        self.push_event(Event::Deliver { client: id, reply });
        true
    }
}
