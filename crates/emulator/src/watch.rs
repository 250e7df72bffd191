//! WATCH bookkeeping: which keys each client watches, and when a change to
//! the keyspace makes its next EXEC fail. The engine calls [`watch_touched`]
//! for every written key; FLUSHDB, FLUSHALL and SWAPDB call
//! [`touch_all_watched_in_db`] before they replace whole databases.
//!
//! A key that had already expired when it was WATCHed is remembered as
//! such (`Client::watched_expired`): its lazy deletion is no logical change,
//! so it does not dirty the watcher (Redis 7.0).

use crate::client::Client;
use crate::client_registry::ClientRegistry;
use crate::db::Db;

/// Starts watching `key` of `db` (a key already watched is not added twice).
/// `expired` says the key exists but its TTL has already passed.
pub fn watch_key(client: &mut Client, db: usize, key: &[u8], expired: bool) {
    let len = client.watched.len();
    client.watched_expired.resize(len, false);
    if client.watched.iter().any(|(d, k)| *d == db && k == key) {
        return;
    }
    client.watched.push((db, key.to_vec()));
    client.watched_expired.push(expired);
}

/// True if a write to `key` in `db` must invalidate `client`'s WATCH.
/// `gone` says the key no longer exists: deleting a key that had already
/// expired when it was WATCHed changes nothing logically (Redis 7.0).
pub fn watch_touched(client: &mut Client, db: usize, key: &[u8], gone: bool) -> bool {
    let mut touched = false;
    for (i, (d, k)) in client.watched.iter().enumerate() {
        if *d != db || k != key {
            continue;
        }
        let was_expired = client.watched_expired.get(i).copied().unwrap_or(false);
        if was_expired && gone {
            if let Some(flag) = client.watched_expired.get_mut(i) {
                *flag = false;
            }
            continue;
        }
        touched = true;
    }
    touched
}

/// True if a WATCHed key that was alive at WATCH time has expired since
/// (even if nobody deleted it yet): Redis 7.0 aborts EXEC then.
pub fn watched_key_expired(client: &Client, dbs: &[Db], now_ms: i64) -> bool {
    client.watched.iter().enumerate().any(|(i, (db, key))| {
        let was_expired = client.watched_expired.get(i).copied().unwrap_or(false);
        !was_expired && dbs.get(*db).and_then(|d| d.get(key)).is_some_and(|e| e.is_expired(now_ms))
    })
}

/// Redis's `touchAllWatchedKeysInDb`, for FLUSHDB/FLUSHALL (`replaced_with`
/// None) and SWAPDB (called for both databases before they are swapped):
/// a WATCHed key of `emptied` that exists there, or in `replaced_with`,
/// dirties its watchers; keys that had expired when WATCHed only change
/// state if they come back alive. Call it before changing the databases.
///
/// `caller` is the client running the command, which the engine holds
/// apart from its client table meanwhile.
pub(crate) fn touch_all_watched_in_db(
    clients: &mut ClientRegistry,
    dbs: &[Db],
    now: i64,
    caller: &mut Client,
    emptied: usize,
    replaced_with: Option<usize>,
) {
    let clients = clients.values_mut().chain(std::iter::once(caller));
    for client in clients {
        if client.watch_dirty {
            continue;
        }
        client.watched_expired.resize(client.watched.len(), false);
        let mut dirty = false;
        for (i, (db, key)) in client.watched.iter().enumerate() {
            if *db != emptied {
                continue;
            }
            let in_emptied = dbs.get(emptied).is_some_and(|d| d.contains(key));
            let replacement = replaced_with.and_then(|r| dbs.get(r)).and_then(|d| d.get(key));
            if !in_emptied && replacement.is_none() {
                continue;
            }
            let replacement_expired = replacement.is_some_and(|e| e.is_expired(now));
            let flag = &mut client.watched_expired[i];
            if *flag {
                if replacement.is_none() {
                    *flag = false; // an expired key is gone: no logical change
                    continue;
                }
                if replacement_expired {
                    continue; // still expired
                }
            } else if !in_emptied && replacement_expired {
                *flag = true; // a missing key is replaced by an expired one
                continue;
            }
            dirty = true;
        }
        if dirty {
            client.watch_dirty = true;
        }
    }
}

/// Forgets every WATCHed key of the client.
pub fn unwatch_all(client: &mut Client) {
    client.watched.clear();
    client.watched_expired.clear();
    client.watch_dirty = false;
}

#[cfg(test)]
mod tests {
    use crate::cli_format::format_reply;
    use crate::{Engine, Protocol};

    fn run(engine: &mut Engine, id: u64, line: &str) -> String {
        let reply = engine.execute_line(id, line).unwrap_or(crate::Reply::Nil);
        format_reply(&reply, Protocol::Resp2).trim_end().to_string()
    }

    #[test]
    fn flushing_or_swapping_databases_touches_watchers() {
        let mut e = Engine::with_manual_clock(1_000, 1);
        let me = e.connect("t:1");
        let other = e.connect("t:2");
        run(&mut e, me, "SET a 1");
        run(&mut e, me, "WATCH a missing");
        run(&mut e, other, "SELECT 1");
        run(&mut e, other, "SET b 1");
        run(&mut e, other, "WATCH b missing");
        // Swapping db 0 with db 2 (empty): `a` existed in db 0, so `me` is
        // dirty; `other` watches db 1 only.
        let mut client = e.clients.remove(&other).expect("client");
        let now = e.now_ms();
        super::touch_all_watched_in_db(&mut e.clients, &e.keyspace.dbs, now, &mut client, 0, Some(2));
        super::touch_all_watched_in_db(&mut e.clients, &e.keyspace.dbs, now, &mut client, 2, Some(0));
        e.clients.insert(other, client);
        assert!(e.client(me).is_some_and(|c| c.watch_dirty));
        assert!(e.client(other).is_some_and(|c| !c.watch_dirty));
    }
}
