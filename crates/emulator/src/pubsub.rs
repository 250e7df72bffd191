//! The subscription registry and message delivery. Subscribers of a
//! channel get `message`, then pattern subscribers get `pmessage`, each in
//! the order they subscribed; RESP3 clients receive them as push replies.

use std::collections::BTreeMap;

use crate::client::ClientId;
use crate::events::{Event, EventQueue};
use crate::glob::glob_match;
use crate::reply::Reply;

#[derive(Debug, Default, Clone)]
pub struct PubSub {
    /// Channel → subscribers in subscription order.
    pub channels: BTreeMap<Vec<u8>, Vec<ClientId>>,
    /// Pattern → subscribers in subscription order; patterns in the order first subscribed.
    pub patterns: Vec<(Vec<u8>, Vec<ClientId>)>,
    /// Shard channel → subscribers (SSUBSCRIBE).
    pub shard_channels: BTreeMap<Vec<u8>, Vec<ClientId>>,
}

impl PubSub {
    pub fn subscribe(&mut self, client: ClientId, channel: &[u8]) {
        let subs = self.channels.entry(channel.to_vec()).or_default();
        if !subs.contains(&client) {
            subs.push(client);
        }
    }

    pub fn unsubscribe(&mut self, client: ClientId, channel: &[u8]) {
        if let Some(subs) = self.channels.get_mut(channel) {
            subs.retain(|&c| c != client);
            if subs.is_empty() {
                self.channels.remove(channel);
            }
        }
    }

    pub fn psubscribe(&mut self, client: ClientId, pattern: &[u8]) {
        match self.patterns.iter_mut().find(|(p, _)| p == pattern) {
            Some((_, subs)) => {
                if !subs.contains(&client) {
                    subs.push(client);
                }
            }
            None => self.patterns.push((pattern.to_vec(), vec![client])),
        }
    }

    pub fn punsubscribe(&mut self, client: ClientId, pattern: &[u8]) {
        for (_, subs) in self.patterns.iter_mut().filter(|(p, _)| p == pattern) {
            subs.retain(|&c| c != client);
        }
        self.patterns.retain(|(_, subs)| !subs.is_empty());
    }

    pub fn ssubscribe(&mut self, client: ClientId, channel: &[u8]) {
        let subs = self.shard_channels.entry(channel.to_vec()).or_default();
        if !subs.contains(&client) {
            subs.push(client);
        }
    }

    pub fn sunsubscribe(&mut self, client: ClientId, channel: &[u8]) {
        if let Some(subs) = self.shard_channels.get_mut(channel) {
            subs.retain(|&c| c != client);
            if subs.is_empty() {
                self.shard_channels.remove(channel);
            }
        }
    }

    /// True if `client` is subscribed to any channel, pattern or shard channel.
    pub fn has_subscriptions(&self, client: ClientId) -> bool {
        self.channels.values().any(|s| s.contains(&client))
            || self.patterns.iter().any(|(_, s)| s.contains(&client))
            || self.shard_channels.values().any(|s| s.contains(&client))
    }

    /// Drops every subscription of a client that went away.
    #[inline(always)]
    pub fn forget_client(&mut self, client: ClientId) {
        if self.channels.is_empty() && self.patterns.is_empty() && self.shard_channels.is_empty() {
            return;
        }
        self.unsubscribe_everywhere(client);
    }

    #[inline(never)]
    fn unsubscribe_everywhere(&mut self, client: ClientId) {
        for subs in self.channels.values_mut() {
            subs.retain(|&c| c != client);
        }
        self.channels.retain(|_, s| !s.is_empty());
        for (_, subs) in self.patterns.iter_mut() {
            subs.retain(|&c| c != client);
        }
        self.patterns.retain(|(_, s)| !s.is_empty());
        for subs in self.shard_channels.values_mut() {
            subs.retain(|&c| c != client);
        }
        self.shard_channels.retain(|_, s| !s.is_empty());
    }
}

/// A pub/sub frame: a push, which RESP2 writes as an array. Like Redis's
/// pushes it goes out even under CLIENT REPLY OFF/SKIP.
pub fn frame(items: Vec<Reply>) -> Reply {
    Reply::Push(items)
}

/// What publishing reads and writes: the subscriptions and the event queue
/// the messages go to.
pub(crate) struct Outbox<'a> {
    pub subscriptions: &'a PubSub,
    pub events: &'a mut EventQueue,
}

/// PUBLISH: delivers `message` to channel then pattern subscribers and
/// returns how many clients received it.
pub(crate) fn publish(out: &mut Outbox, channel: &[u8], message: &[u8]) -> usize {
    let mut deliveries = Vec::new();
    if let Some(subs) = out.subscriptions.channels.get(channel) {
        for &id in subs {
            deliveries.push((id, vec![Reply::bulk_str("message"), Reply::bulk(channel), Reply::bulk(message)]));
        }
    }
    for (pattern, subs) in &out.subscriptions.patterns {
        if glob_match(pattern, channel, false) {
            for &id in subs {
                deliveries.push((
                    id,
                    vec![
                        Reply::bulk_str("pmessage"),
                        Reply::bulk(pattern.clone()),
                        Reply::bulk(channel),
                        Reply::bulk(message),
                    ],
                ));
            }
        }
    }
    deliver_all(out, deliveries)
}

/// SPUBLISH: delivers to shard-channel subscribers (`smessage`).
pub(crate) fn spublish(out: &mut Outbox, channel: &[u8], message: &[u8]) -> usize {
    let deliveries: Vec<_> = out
        .subscriptions
        .shard_channels
        .get(channel)
        .map(|subs| {
            subs.iter()
                .map(|&id| (id, vec![Reply::bulk_str("smessage"), Reply::bulk(channel), Reply::bulk(message)]))
                .collect()
        })
        .unwrap_or_default();
    deliver_all(out, deliveries)
}

fn deliver_all(out: &mut Outbox, deliveries: Vec<(ClientId, Vec<Reply>)>) -> usize {
    let n = deliveries.len();
    for (id, items) in deliveries {
        out.events.push(Event::Deliver { client: id, reply: frame(items) });
    }
    n
}
