//! Client-side caching (CLIENT TRACKING): the invalidation table and the
//! messages it sends.
//!
//! In the default mode, the keys a tracking client reads are remembered
//! (key name → client ids, whatever the database, as in Redis); when one of
//! them is modified, every client that read it gets one invalidation
//! message and the entry is forgotten. In BCAST mode nothing is
//! remembered: every modified key that starts with one of the registered
//! prefixes is collected and sent, once per prefix, after the command.
//!
//! Messages go to the tracking client itself when it speaks RESP3 (a
//! `>2 invalidate [keys]` push), or to the client it redirects to: a push
//! if that one speaks RESP3, a `message` on `__redis__:invalidate` if it
//! is a RESP2 subscriber. A flush sends a null instead of keys.
//!
//! The running client is out of the client table while its command runs,
//! so invalidations for it wait in a pending list: those that come while a
//! handler runs are sent after the reply (Redis 7.0 does not interleave
//! them with the reply), those from before (eviction) ahead of it.
//!
//! These functions take the whole [`Engine`]: an invalidation reads the
//! table, the clients (modes, redirects, protocols), the subscriptions and
//! the event queue at once.

use std::collections::{BTreeMap, BTreeSet};

use crate::client::{Client, ClientId};
use crate::engine::Engine;
use crate::events::Event;
use crate::reply::Reply;
use crate::resp::Protocol;

/// The pub/sub channel RESP2 redirect targets receive invalidations on.
pub const INVALIDATE_CHANNEL: &str = "__redis__:invalidate";

/// A client's tracking mode (`CLIENT TRACKING ON …`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientTracking {
    /// The client invalidations are redirected to; 0 = none.
    pub redirect: ClientId,
    pub bcast: bool,
    pub optin: bool,
    pub optout: bool,
    pub noloop: bool,
    /// `CLIENT CACHING yes|no` was given for the next command.
    pub caching: bool,
    /// The redirect target disconnected (flag `R`, `broken_redirect`).
    pub broken_redirect: bool,
    /// BCAST prefixes, sorted.
    pub prefixes: Vec<Vec<u8>>,
}

/// The options of one `CLIENT TRACKING ON` call.
#[derive(Debug, Clone, Default)]
pub struct TrackingOptions {
    pub redirect: ClientId,
    pub bcast: bool,
    pub optin: bool,
    pub optout: bool,
    pub noloop: bool,
    pub prefixes: Vec<Vec<u8>>,
}

/// Invalidation messages as (receiver, message).
pub(crate) type Messages = Vec<(ClientId, Reply)>;

/// One prefix's listeners and the keys modified under it (with who modified each).
type Batch = (Vec<ClientId>, BTreeMap<Vec<u8>, Option<ClientId>>);

/// What an invalidation carries: key names, or null (everything, after a flush).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Payload {
    Keys(Vec<Vec<u8>>),
    All,
}

/// Keys modified under one BCAST prefix, and who listens to it.
#[derive(Debug, Default)]
struct Prefix {
    clients: BTreeSet<ClientId>,
    /// Modified keys with the client that modified each last (for NOLOOP).
    keys: BTreeMap<Vec<u8>, Option<ClientId>>,
}

/// One invalidation for the running client, sent when its command is done.
#[derive(Debug)]
struct Pending {
    payload: Payload,
    /// Produced before the handler ran (eviction): goes ahead of the reply.
    before_reply: bool,
}

/// The server's tracking state.
#[derive(Debug, Default)]
pub(crate) struct Tracking {
    /// Key name → clients that may cache it.
    keys: BTreeMap<Vec<u8>, BTreeSet<ClientId>>,
    /// Client ids across all of `keys` (INFO `tracking_total_items`).
    items: usize,
    prefixes: BTreeMap<Vec<u8>, Prefix>,
    /// Clients with tracking on (INFO `tracking_clients`).
    clients: usize,
    /// Invalidations for the running client (see the module comment).
    pending: Vec<Pending>,
    /// While a tracking client's script runs: the keys it declared, which
    /// the read-only commands it calls make Redis remember (7.0).
    pub(crate) script_keys: Option<Vec<Vec<u8>>>,
    /// Rounds the table stayed over `tracking-table-max-keys` (more effort each).
    over_limit_rounds: u32,
}

impl Tracking {
    pub(crate) fn tracking_clients(&self) -> usize {
        self.clients
    }

    pub(crate) fn total_keys(&self) -> usize {
        self.keys.len()
    }

    pub(crate) fn total_items(&self) -> usize {
        self.items
    }

    pub(crate) fn total_prefixes(&self) -> usize {
        self.prefixes.len()
    }

    /// Turns tracking on for `client` with `opts` (already validated).
    pub(crate) fn enable(&mut self, client: &mut Client, opts: TrackingOptions) {
        let previous = client.tracking.take();
        if previous.is_none() {
            self.clients += 1;
        }
        let mut mode = ClientTracking {
            redirect: opts.redirect,
            bcast: opts.bcast,
            optin: opts.optin,
            optout: opts.optout,
            noloop: opts.noloop,
            // The CACHING flag survives a new TRACKING ON; the prefixes add up.
            caching: previous.as_ref().is_some_and(|p| p.caching),
            broken_redirect: false,
            prefixes: previous.map(|p| p.prefixes).unwrap_or_default(),
        };
        if opts.bcast {
            let wanted = if opts.prefixes.is_empty() { vec![Vec::new()] } else { opts.prefixes };
            for prefix in wanted {
                let entry = self.prefixes.entry(prefix.clone()).or_default();
                if entry.clients.insert(client.id) && !mode.prefixes.contains(&prefix) {
                    mode.prefixes.push(prefix);
                }
            }
            mode.prefixes.sort();
        }
        client.tracking = Some(mode);
    }

    /// Turns tracking off for `client` (`CLIENT TRACKING OFF`, RESET, disconnect).
    #[inline(always)]
    pub(crate) fn disable(&mut self, client: &mut Client) {
        if let Some(mode) = client.tracking.take() {
            self.forget_tracking(client, mode);
        }
    }

    #[inline(never)]
    fn forget_tracking(&mut self, client: &Client, mode: ClientTracking) {
        self.clients = self.clients.saturating_sub(1);
        for prefix in &mode.prefixes {
            if let Some(p) = self.prefixes.get_mut(prefix) {
                p.clients.remove(&client.id);
                if p.clients.is_empty() {
                    self.prefixes.remove(prefix);
                }
            }
        }
    }

    /// Redis's `trackingRememberKeys`: `keys` were read by `client`.
    pub(crate) fn remember(&mut self, client: &Client, keys: &[&[u8]]) {
        let Some(mode) = client.tracking.as_ref() else { return };
        if mode.bcast || (mode.optin && !mode.caching) || (mode.optout && mode.caching) {
            return;
        }
        for key in keys {
            let ids = match self.keys.get_mut(*key) {
                Some(ids) => ids,
                None => self.keys.entry(key.to_vec()).or_default(),
            };
            if ids.insert(client.id) {
                self.items += 1;
            }
        }
    }

    fn is_idle(&self) -> bool {
        self.keys.is_empty() && self.prefixes.is_empty()
    }
}

/// The prefix collision check of `CLIENT TRACKING ON BCAST PREFIX …`:
/// `Err` with Redis's message when two prefixes would both match a key.
/// A collision between two new prefixes after the first one does not stop
/// Redis 7.0 from enabling them (it replies the error and then `OK`):
/// that case is `Ok(Some(error))`.
pub(crate) fn check_prefixes(existing: &[Vec<u8>], new: &[Vec<u8>]) -> Result<Option<Reply>, Reply> {
    let overlaps = |a: &[u8], b: &[u8]| {
        let n = a.len().min(b.len());
        a[..n] == b[..n]
    };
    for (i, p) in new.iter().enumerate() {
        if let Some(old) = existing.iter().find(|old| overlaps(old, p)) {
            return Err(Reply::error(format!(
                "ERR Prefix '{}' overlaps with an existing prefix '{}'. Prefixes for a single client must not overlap.",
                c_string(p),
                c_string(old)
            )));
        }
        if let Some(other) = new[i + 1..].iter().find(|other| overlaps(p, other)) {
            let error = Reply::error(format!(
                "ERR Prefix '{}' overlaps with another provided prefix '{}'. Prefixes for a single client must not overlap.",
                c_string(p),
                c_string(other)
            ));
            return if i == 0 { Err(error) } else { Ok(Some(error)) };
        }
    }
    Ok(None)
}

/// A prefix as Redis's `%s` prints it: up to the first NUL byte, with
/// newlines turned into spaces (error replies are one line).
fn c_string(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).replace(['\r', '\n'], " ")
}

impl Engine {
    /// Redis's `trackingInvalidateKey`, called for every modified key (from
    /// the engine's `signalModifiedKey`). `by` is the client that modified
    /// it (None for expiry and eviction); it matters for NOLOOP in BCAST mode.
    pub(crate) fn tracking_invalidate(&mut self, key: &[u8], by: Option<ClientId>) {
        if self.tracking.is_idle() {
            return;
        }
        for (prefix, state) in self.tracking.prefixes.iter_mut() {
            if key.starts_with(prefix) {
                state.keys.insert(key.to_vec(), by);
            }
        }
        self.invalidate_tracked_key(key);
    }

    /// Sends the invalidation of one key of the table to the clients that
    /// read it, and forgets the entry.
    fn invalidate_tracked_key(&mut self, key: &[u8]) {
        let Some(ids) = self.tracking.keys.remove(key) else { return };
        self.tracking.items = self.tracking.items.saturating_sub(ids.len());
        let running = self.clients.running_id();
        for id in ids {
            if Some(id) == running {
                // The running client is out of the table: its mode is
                // checked when its command is done.
                let before_reply = !self.clients.in_call();
                self.tracking.pending.push(Pending { payload: Payload::Keys(vec![key.to_vec()]), before_reply });
                continue;
            }
            let Some(mode) = self.clients.get(&id).and_then(|c| c.tracking.as_ref()) else { continue };
            if mode.bcast {
                continue;
            }
            self.send_invalidation(id, Payload::Keys(vec![key.to_vec()]));
        }
    }

    /// Redis's `trackingInvalidateKeysOnFlush`: every tracking client gets
    /// a null invalidation, and the table is emptied.
    pub(crate) fn tracking_flush(&mut self) {
        if self.tracking.clients > 0 {
            let running = self.clients.running_id();
            if running.is_some() {
                // The running client is checked when its command is done.
                let before_reply = !self.clients.in_call();
                self.tracking.pending.push(Pending { payload: Payload::All, before_reply });
            }
            let ids: Vec<ClientId> = self.clients.values().filter(|c| c.tracking.is_some()).map(|c| c.id).collect();
            for id in ids {
                self.send_invalidation(id, Payload::All);
            }
        }
        self.tracking.keys.clear();
        self.tracking.items = 0;
    }

    /// Redis's `sendTrackingMessage`: the message for tracking client
    /// `id` goes to it or to its redirect target, or nowhere (RESP2 without
    /// a subscribed redirect target). The client must be in the table.
    fn send_invalidation(&mut self, id: ClientId, payload: Payload) {
        if let Some((to, reply)) = self.invalidation_message(id, payload) {
            self.push_event(Event::Deliver { client: to, reply });
        }
    }

    /// The message [`Engine::send_invalidation`] sends, and its receiver.
    fn invalidation_message(&mut self, id: ClientId, payload: Payload) -> Option<(ClientId, Reply)> {
        let client = self.clients.get(&id)?;
        let redirect = client.tracking.as_ref().map_or(0, |t| t.redirect);
        let own_protocol = client.protocol;
        let keys = match payload {
            Payload::Keys(keys) => Reply::bulks(keys),
            Payload::All => Reply::Nil,
        };
        if redirect == 0 {
            return (own_protocol == Protocol::Resp3).then(|| (id, invalidate_push(keys)));
        }
        let target = match self.clients.running_id() {
            Some(running) if running == redirect => Some(self.clients.delivery_protocol(running)),
            _ => self.clients.get(&redirect).map(|c| c.protocol),
        };
        let Some(target_protocol) = target else {
            // The redirect target is gone: the tracking client is told (RESP3).
            if let Some(mode) = self.clients.get_mut(&id).and_then(|c| c.tracking.as_mut()) {
                mode.broken_redirect = true;
            }
            let broken = Reply::Push(vec![Reply::bulk_str("tracking-redir-broken"), Reply::Integer(redirect as i64)]);
            return (own_protocol == Protocol::Resp3).then_some((id, broken));
        };
        if target_protocol == Protocol::Resp3 {
            return Some((redirect, invalidate_push(keys)));
        }
        if self.pubsub.has_subscriptions(redirect) {
            let message = vec![Reply::bulk_str("message"), Reply::bulk_str(INVALIDATE_CHANNEL), keys];
            return Some((redirect, Reply::Array(message)));
        }
        None
    }

    /// After the running client's command (the client is back in the
    /// table): its pending invalidations as (receiver, message), split
    /// into those that go before its reply and those after.
    ///
    /// The check is inlined where commands end; the work, rarely needed, is not
    /// (it stays out of the page's first download).
    #[inline(always)]
    pub(crate) fn take_pending_invalidations(&mut self, id: ClientId) -> (Messages, Messages) {
        if self.tracking.pending.is_empty() {
            return (Vec::new(), Vec::new());
        }
        self.split_pending_invalidations(id)
    }

    #[inline(never)]
    fn split_pending_invalidations(&mut self, id: ClientId) -> (Messages, Messages) {
        let (mut before, mut after) = (Vec::new(), Vec::new());
        let pending = std::mem::take(&mut self.tracking.pending);
        let Some(mode) = self.clients.get(&id).and_then(|c| c.tracking.clone()) else {
            return (before, after);
        };
        for p in pending {
            let keyed = matches!(p.payload, Payload::Keys(_));
            // NOLOOP skips the client's own changes; BCAST clients only get
            // their prefixes' messages (a flush reaches everyone).
            if keyed && (mode.noloop || mode.bcast) {
                continue;
            }
            if let Some(message) = self.invalidation_message(id, p.payload) {
                if p.before_reply {
                    before.push(message);
                } else {
                    after.push(message);
                }
            }
        }
        (before, after)
    }

    /// Redis's `trackingBroadcastInvalidationMessages` (after each command
    /// and on the periodic tick): each prefix's modified keys go, as one
    /// message, to every BCAST client of that prefix. Returns the messages
    /// for `running` (sent after its reply) and queues the others.
    #[inline(always)]
    pub(crate) fn broadcast_invalidations(&mut self, running: Option<ClientId>) -> Vec<Reply> {
        if self.tracking.prefixes.values().all(|p| p.keys.is_empty()) {
            return Vec::new();
        }
        self.send_broadcast_invalidations(running)
    }

    #[inline(never)]
    fn send_broadcast_invalidations(&mut self, running: Option<ClientId>) -> Vec<Reply> {
        let mut own = Vec::new();
        let batches: Vec<Batch> = self
            .tracking
            .prefixes
            .values_mut()
            .filter(|p| !p.keys.is_empty())
            .map(|p| (p.clients.iter().copied().collect(), std::mem::take(&mut p.keys)))
            .collect();
        for (clients, keys) in batches {
            for id in clients {
                let noloop = self.clients.get(&id).and_then(|c| c.tracking.as_ref()).is_some_and(|t| t.noloop);
                let chosen: Vec<Vec<u8>> =
                    keys.iter().filter(|(_, by)| !noloop || **by != Some(id)).map(|(k, _)| k.clone()).collect();
                if chosen.is_empty() {
                    continue;
                }
                if let Some((to, reply)) = self.invalidation_message(id, Payload::Keys(chosen)) {
                    if Some(to) == running {
                        own.push(reply);
                    } else {
                        self.push_event(Event::Deliver { client: to, reply });
                    }
                }
            }
        }
        own
    }

    /// Redis's `trackingLimitUsedSlots`: while the table holds more keys
    /// than `tracking-table-max-keys`, random keys are invalidated (as if
    /// modified), with more effort each round the limit is still exceeded.
    #[inline(always)]
    pub(crate) fn limit_tracking_table(&mut self) {
        if self.tracking.keys.is_empty() {
            self.tracking.over_limit_rounds = 0;
            return;
        }
        self.evict_tracked_keys();
    }

    #[inline(never)]
    fn evict_tracked_keys(&mut self) {
        let max = self.config.extra.get("tracking-table-max-keys").and_then(|v| v.parse::<usize>().ok()).unwrap_or(0);
        if max == 0 || self.tracking.keys.len() <= max {
            self.tracking.over_limit_rounds = 0;
            return;
        }
        let mut effort = 100 * (self.tracking.over_limit_rounds as usize + 1);
        while effort > 0 && !self.tracking.keys.is_empty() {
            effort -= 1;
            let pick = self.rng.index(self.tracking.keys.len());
            let Some(key) = self.tracking.keys.keys().nth(pick).cloned() else { break };
            self.invalidate_tracked_key(&key);
            if self.tracking.keys.len() <= max {
                self.tracking.over_limit_rounds = 0;
                return;
            }
        }
        self.tracking.over_limit_rounds += 1;
    }

    /// Periodic tracking work (the tick): broadcasts and the table limit.
    pub(crate) fn tracking_cron(&mut self) {
        let own = self.broadcast_invalidations(None);
        debug_assert!(own.is_empty());
        self.limit_tracking_table();
    }
}

/// `>2 invalidate keys` (RESP3).
fn invalidate_push(keys: Reply) -> Reply {
    Reply::Push(vec![Reply::bulk_str("invalidate"), keys])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_collisions() {
        let p = |s: &str| s.as_bytes().to_vec();
        assert!(check_prefixes(&[], &[p("a"), p("b")]).is_ok_and(|e| e.is_none()));
        assert!(check_prefixes(&[p("a")], &[p("ab")]).is_err());
        assert!(check_prefixes(&[], &[p("a"), p("ab")]).is_err());
        assert!(check_prefixes(&[], &[p("a"), p("b"), p("bc")]).is_ok_and(|e| e.is_some()));
        assert!(check_prefixes(&[], &[p(""), p("x")]).is_err());
    }
}

#[cfg(test)]
mod engine_tests {
    use crate::cli_format::format_reply;
    use crate::{Engine, Event, Protocol};

    fn run(e: &mut Engine, id: u64, line: &str) -> String {
        let reply = e.execute_line(id, line).unwrap_or(crate::Reply::Nil);
        format_reply(&reply, Protocol::Resp3).trim_end().to_string()
    }

    fn delivered(e: &mut Engine, to: u64) -> Vec<String> {
        e.drain_events()
            .into_iter()
            .filter_map(|ev| match ev {
                Event::Deliver { client, reply } if client == to => {
                    Some(format_reply(&reply, Protocol::Resp2).trim_end().to_string())
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn bcast_redirect_hears_of_expired_keys() {
        let mut e = Engine::with_manual_clock(1_000, 1);
        let r = e.connect("t:1");
        let rd = e.connect("t:2");
        run(&mut e, rd, "SUBSCRIBE __redis__:invalidate");
        run(&mut e, r, &format!("CLIENT TRACKING on BCAST REDIRECT {rd} NOLOOP"));
        run(&mut e, r, "SET mykey v PX 1");
        run(&mut e, r, "SET other v");
        assert!(delivered(&mut e, rd).is_empty());
        e.advance_clock(10);
        let expected = vec!["1) \"message\"\n2) \"__redis__:invalidate\"\n3) 1) \"mykey\"".to_string()];
        assert_eq!(delivered(&mut e, rd), expected);
        // The same through the periodic active expiry.
        run(&mut e, r, "SET mykey v PX 1");
        e.clock.advance_ms(10);
        e.tick();
        assert_eq!(delivered(&mut e, rd), expected);
    }
}
