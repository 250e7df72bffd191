//! Pub/sub commands: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE,
//! SSUBSCRIBE, SUNSUBSCRIBE, PUBLISH, SPUBLISH and the PUBSUB container.
//!
//! Each (un)subscription is confirmed with its own frame
//! `[kind, channel, count]`; several channels give [`Reply::Multi`]. The
//! count is the client's channel + pattern subscriptions (shard channels
//! are counted on their own, as in Redis 7.0).

use crate::command::{flags::*, CommandResult, CommandSpec, Group, KeySpec};
use crate::engine::Ctx;
use crate::glob::glob_match;
use crate::pubsub::{frame, publish as publish_message, spublish as spublish_message};
use crate::reply::Reply;

const BASE: CommandSpec = CommandSpec { group: Group::PubSub, since: "2.0.0", ..CommandSpec::DEFAULT };

/// The (un)subscribe commands: allowed in RESP2 subscribed mode.
const SUBSCRIBER: CommandSpec = CommandSpec { flags: PUBSUB | NOSCRIPT | LOADING | STALE | SUBSCRIBED_OK, ..BASE };

const PUBLISHER: CommandSpec = CommandSpec { arity: 3, flags: PUBSUB | LOADING | STALE | FAST | MAY_REPLICATE, ..BASE };

const PUBSUB_SUB: CommandSpec =
    CommandSpec { parent: "pubsub", flags: PUBSUB | LOADING | STALE, since: "2.8.0", ..BASE };

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "subscribe",
        arity: -2,
        complexity: "O(N) where N is the number of channels to subscribe to",
        summary: "Listens for messages published to the given channels",
        syntax: "channel [channel ...]",
        handler: subscribe,
        ..SUBSCRIBER
    },
    CommandSpec {
        name: "unsubscribe",
        arity: -1,
        complexity: "O(N) where N is the number of channels to unsubscribe from",
        summary: "Stops listening to the given channels, or to every channel",
        syntax: "[channel [channel ...]]",
        handler: unsubscribe,
        ..SUBSCRIBER
    },
    CommandSpec {
        name: "psubscribe",
        arity: -2,
        complexity: "O(N) where N is the number of patterns to subscribe to",
        summary: "Listens for messages on every channel matching the given glob patterns",
        syntax: "pattern [pattern ...]",
        handler: psubscribe,
        ..SUBSCRIBER
    },
    CommandSpec {
        name: "punsubscribe",
        arity: -1,
        complexity: "O(N) where N is the number of patterns to unsubscribe from",
        summary: "Stops listening to the given patterns, or to every pattern",
        syntax: "[pattern [pattern ...]]",
        handler: punsubscribe,
        ..SUBSCRIBER
    },
    CommandSpec {
        name: "ssubscribe",
        arity: -2,
        keys: KeySpec::ALL,
        since: "7.0.0",
        complexity: "O(N) where N is the number of shard channels to subscribe to",
        summary: "Listens for messages published to the given shard channels",
        syntax: "shardchannel [shardchannel ...]",
        handler: ssubscribe,
        ..SUBSCRIBER
    },
    CommandSpec {
        name: "sunsubscribe",
        arity: -1,
        keys: KeySpec::ALL,
        since: "7.0.0",
        complexity: "O(N) where N is the number of shard channels to unsubscribe from",
        summary: "Stops listening to the given shard channels, or to every shard channel",
        syntax: "[shardchannel [shardchannel ...]]",
        handler: sunsubscribe,
        ..SUBSCRIBER
    },
    CommandSpec {
        name: "publish",
        complexity: concat!(
            "O(N+M) where N is the number of channel subscribers ",
            "and M the number of subscribed patterns"
        ),
        summary: "Sends a message to a channel; answers how many clients received it",
        syntax: "channel message",
        handler: publish,
        ..PUBLISHER
    },
    CommandSpec {
        name: "spublish",
        keys: KeySpec::ONE,
        since: "7.0.0",
        complexity: "O(N) where N is the number of clients subscribed to the shard channel",
        summary: "Sends a message to a shard channel; answers how many clients received it",
        syntax: "shardchannel message",
        handler: spublish,
        ..PUBLISHER
    },
    CommandSpec {
        name: "pubsub",
        arity: -2,
        since: "2.8.0",
        complexity: "Depends on subcommand",
        summary: "Inspects the pub/sub system: active channels, subscriber and pattern counts",
        syntax: "subcommand [argument ...]",
        subcommands: &[
            CommandSpec {
                name: "channels",
                arity: -2,
                complexity: "O(N) where N is the number of active channels",
                summary: "Lists channels with at least one subscriber, optionally filtered by a glob pattern",
                syntax: "[pattern]",
                handler: pubsub_channels,
                ..PUBSUB_SUB
            },
            CommandSpec {
                name: "numsub",
                arity: -2,
                complexity: "O(N) for the number of requested channels",
                summary: "Counts the subscribers of each given channel (patterns not included)",
                syntax: "[channel [channel ...]]",
                handler: pubsub_numsub,
                ..PUBSUB_SUB
            },
            CommandSpec {
                name: "numpat",
                arity: 2,
                summary: "Counts the distinct patterns clients are subscribed to",
                handler: pubsub_numpat,
                ..PUBSUB_SUB
            },
            CommandSpec {
                name: "shardchannels",
                arity: -2,
                since: "7.0.0",
                complexity: "O(N) where N is the number of active shard channels",
                summary: concat!(
                    "Lists shard channels with at least one subscriber, ",
                    "optionally filtered by a glob pattern"
                ),
                syntax: "[pattern]",
                handler: pubsub_shardchannels,
                ..PUBSUB_SUB
            },
            CommandSpec {
                name: "shardnumsub",
                arity: -2,
                since: "7.0.0",
                complexity: "O(N) for the number of requested shard channels",
                summary: "Counts the subscribers of each given shard channel",
                syntax: "[shardchannel [shardchannel ...]]",
                handler: pubsub_shardnumsub,
                ..PUBSUB_SUB
            },
            CommandSpec {
                name: "help",
                arity: 2,
                flags: LOADING | STALE,
                since: "6.2.0",
                summary: "Lists the PUBSUB subcommands",
                handler: pubsub_help,
                ..PUBSUB_SUB
            },
        ],
        ..BASE
    },
];

/// Which kind of subscription a command manages.
#[derive(Clone, Copy)]
enum Kind {
    Channel,
    Pattern,
    Shard,
}

impl Kind {
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Kind::Channel => ("subscribe", "unsubscribe"),
            Kind::Pattern => ("psubscribe", "punsubscribe"),
            Kind::Shard => ("ssubscribe", "sunsubscribe"),
        }
    }

    /// The count reported in confirmations: shard subscriptions are counted
    /// apart from channels and patterns.
    fn count(self, ctx: &Ctx) -> i64 {
        let c = &ctx.client;
        match self {
            Kind::Shard => c.shard_channels.len() as i64,
            _ => (c.channels.len() + c.patterns.len()) as i64,
        }
    }

    fn add(self, ctx: &mut Ctx, name: &[u8]) {
        let id = ctx.client.id;
        let added = match self {
            Kind::Channel => ctx.client.channels.insert(name.to_vec()),
            Kind::Pattern => ctx.client.patterns.insert(name.to_vec()),
            Kind::Shard => ctx.client.shard_channels.insert(name.to_vec()),
        };
        if added {
            match self {
                Kind::Channel => ctx.engine.pubsub.subscribe(id, name),
                Kind::Pattern => ctx.engine.pubsub.psubscribe(id, name),
                Kind::Shard => ctx.engine.pubsub.ssubscribe(id, name),
            }
        }
    }

    fn remove(self, ctx: &mut Ctx, name: &[u8]) {
        let id = ctx.client.id;
        let removed = match self {
            Kind::Channel => ctx.client.channels.remove(name),
            Kind::Pattern => ctx.client.patterns.remove(name),
            Kind::Shard => ctx.client.shard_channels.remove(name),
        };
        if removed {
            match self {
                Kind::Channel => ctx.engine.pubsub.unsubscribe(id, name),
                Kind::Pattern => ctx.engine.pubsub.punsubscribe(id, name),
                Kind::Shard => ctx.engine.pubsub.sunsubscribe(id, name),
            }
        }
    }

    fn current(self, ctx: &Ctx) -> Vec<Vec<u8>> {
        let c = &ctx.client;
        let set = match self {
            Kind::Channel => &c.channels,
            Kind::Pattern => &c.patterns,
            Kind::Shard => &c.shard_channels,
        };
        set.iter().cloned().collect()
    }
}

/// One confirmation frame, `[kind, name-or-nil, count]`.
fn confirmation(kind: &str, name: Option<&[u8]>, count: i64) -> Reply {
    let name = name.map(Reply::bulk).unwrap_or(Reply::Nil);
    frame(vec![Reply::bulk_str(kind), name, Reply::Integer(count)])
}

fn single_or_multi(mut replies: Vec<Reply>) -> Reply {
    if replies.len() == 1 {
        replies.pop().unwrap_or(Reply::Nil)
    } else {
        Reply::Multi(replies)
    }
}

/// Subscribes to each name in turn, confirming each one.
fn subscribe_generic(ctx: &mut Ctx, argv: &[Vec<u8>], kind: Kind) -> CommandResult {
    let mut replies = Vec::with_capacity(argv.len().saturating_sub(1));
    for name in &argv[1..] {
        kind.add(ctx, name);
        let count = kind.count(ctx);
        replies.push(confirmation(kind.names().0, Some(name), count));
    }
    Ok(single_or_multi(replies))
}

/// Leaves the given names, or every current one of this kind when none is
/// given, confirming each one.
fn unsubscribe_generic(ctx: &mut Ctx, argv: &[Vec<u8>], kind: Kind) -> CommandResult {
    let names = if argv.len() > 1 { argv[1..].to_vec() } else { kind.current(ctx) };
    if names.is_empty() {
        // Nothing to leave: Redis still confirms, with a nil name.
        let count = kind.count(ctx);
        return Ok(confirmation(kind.names().1, None, count));
    }
    let mut replies = Vec::with_capacity(names.len());
    for name in &names {
        kind.remove(ctx, name);
        let count = kind.count(ctx);
        replies.push(confirmation(kind.names().1, Some(name), count));
    }
    Ok(single_or_multi(replies))
}

/// SUBSCRIBE channel [channel ...]
fn subscribe(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    subscribe_generic(ctx, argv, Kind::Channel)
}

/// UNSUBSCRIBE [channel [channel ...]]
fn unsubscribe(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    unsubscribe_generic(ctx, argv, Kind::Channel)
}

/// PSUBSCRIBE pattern [pattern ...]
fn psubscribe(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    subscribe_generic(ctx, argv, Kind::Pattern)
}

/// PUNSUBSCRIBE [pattern [pattern ...]]
fn punsubscribe(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    unsubscribe_generic(ctx, argv, Kind::Pattern)
}

/// SSUBSCRIBE shardchannel [shardchannel ...]
fn ssubscribe(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    subscribe_generic(ctx, argv, Kind::Shard)
}

/// SUNSUBSCRIBE [shardchannel [shardchannel ...]]
fn sunsubscribe(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    unsubscribe_generic(ctx, argv, Kind::Shard)
}

/// PUBLISH channel message
fn publish(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::Integer(publish_message(&mut ctx.engine.outbox(), &argv[1], &argv[2]) as i64))
}

/// SPUBLISH shardchannel message
fn spublish(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::Integer(spublish_message(&mut ctx.engine.outbox(), &argv[1], &argv[2]) as i64))
}

fn matching_names<'a>(names: impl Iterator<Item = &'a Vec<u8>>, pattern: Option<&Vec<u8>>) -> Reply {
    Reply::bulks(names.filter(|n| pattern.is_none_or(|p| glob_match(p, n, false))).cloned())
}

/// `ERR unknown subcommand or wrong number of arguments for 'channels'. Try PUBSUB HELP.`
fn unknown_subcommand_or_arity(container: &str, sub: &[u8]) -> String {
    crate::errors::sanitize(&format!(
        "ERR unknown subcommand or wrong number of arguments for '{}'. Try {} HELP.",
        crate::errors::show(sub, 128),
        container.to_ascii_uppercase()
    ))
}

/// PUBSUB CHANNELS [pattern]
fn pubsub_channels(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    if argv.len() > 3 {
        return Err(Reply::error(unknown_subcommand_or_arity("pubsub", &argv[1])));
    }
    Ok(matching_names(ctx.engine.pubsub.channels.keys(), argv.get(2)))
}

/// PUBSUB SHARDCHANNELS [pattern]
fn pubsub_shardchannels(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    if argv.len() > 3 {
        return Err(Reply::error(unknown_subcommand_or_arity("pubsub", &argv[1])));
    }
    Ok(matching_names(ctx.engine.pubsub.shard_channels.keys(), argv.get(2)))
}

/// PUBSUB NUMSUB [channel [channel ...]]
fn pubsub_numsub(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let counts = argv[2..].iter().map(|c| {
        let n = ctx.engine.pubsub.channels.get(c).map_or(0, |s| s.len());
        [Reply::bulk(c.clone()), Reply::Integer(n as i64)]
    });
    Ok(Reply::Array(counts.flatten().collect()))
}

/// PUBSUB SHARDNUMSUB [shardchannel [shardchannel ...]]
fn pubsub_shardnumsub(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let counts = argv[2..].iter().map(|c| {
        let n = ctx.engine.pubsub.shard_channels.get(c).map_or(0, |s| s.len());
        [Reply::bulk(c.clone()), Reply::Integer(n as i64)]
    });
    Ok(Reply::Array(counts.flatten().collect()))
}

/// PUBSUB NUMPAT
fn pubsub_numpat(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::Integer(ctx.engine.pubsub.patterns.len() as i64))
}

/// PUBSUB HELP
fn pubsub_help(_: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::subcommand_help(
        "PUBSUB",
        &[
            "CHANNELS [<pattern>]",
            "    Return the currently active channels matching a <pattern> (default: '*').",
            "NUMPAT",
            "    Return number of subscriptions to patterns.",
            "NUMSUB [<channel> ...]",
            "    Return the number of subscribers for the specified channels, excluding",
            "    pattern subscriptions(default: no channels).",
            "SHARDCHANNELS [<pattern>]",
            "    Return the currently active shard level channels matching a <pattern> (default: '*').",
            "SHARDNUMSUB [<shardchannel> ...]",
            "    Return the number of subscribers for the specified shard level channel(s)",
        ],
    ))
}
