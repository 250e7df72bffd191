//! How cluster nodes talk without the engine doing I/O.
//!
//! Slot ownership and node tables travel as [`BusMessage`]s: after a
//! command the host drains a node's outgoing messages
//! ([`crate::Engine::take_bus_messages`]) and hands each to the node
//! listening at its address ([`crate::Engine::receive_bus_message`]); the
//! native server does it between the engines of one process, a page would
//! do it between the engines of one tab. A message to an address nobody
//! serves is dropped; failure detection notices the silence (a PING left
//! unanswered for `cluster-node-timeout`, on the engine's clock).
//!
//! MIGRATE needs an answer from another server in the middle of a command,
//! so it goes through the [`ClusterHost`] the host installs
//! ([`crate::Engine::set_cluster_host`]): the native server opens (and
//! caches) real TCP connections to any Redis; without a host, MIGRATE
//! answers `IOERR` as Redis does when it cannot connect.

use super::ClusterNode;
use crate::reply::Reply;

/// A node's view of itself and of the nodes it knows, as the header and
/// gossip section of Redis's cluster bus messages carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    /// The sender; a replica names its master (`master`) and announces
    /// its master's config epoch, as Redis's header does.
    pub sender: ClusterNode,
    pub current_epoch: u64,
    /// The slots the sender serves (a replica: its master's).
    pub slots: Vec<u16>,
    /// The other nodes the sender knows (the gossip section), with the
    /// failure flags the sender sets on them.
    pub known: Vec<ClusterNode>,
    /// A master pausing its clients for a manual failover (Redis's
    /// `CLUSTERMSG_FLAG0_PAUSED`); its offset is in `sender`.
    pub paused: bool,
}

/// What a message is, for the receiver and for CLUSTER INFO's statistics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageKind {
    Meet,
    Ping,
    Pong,
    /// The named node is failing (a majority of masters said so).
    Fail(String),
    /// A replica asks the masters to vote for its promotion; `force` when
    /// its master is not failing (a manual failover).
    AuthRequest {
        force: bool,
    },
    /// A master's vote.
    AuthAck,
    /// A replica asks its master to start a manual failover.
    MfStart,
}

impl MessageKind {
    pub fn name(&self) -> &'static str {
        match self {
            MessageKind::Meet => "meet",
            MessageKind::Ping => "ping",
            MessageKind::Pong => "pong",
            MessageKind::Fail(_) => "fail",
            MessageKind::AuthRequest { .. } => "auth-req",
            MessageKind::AuthAck => "auth-ack",
            MessageKind::MfStart => "mfstart",
        }
    }
}

/// A message for the node listening at `ip:port`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusMessage {
    pub ip: String,
    pub port: u16,
    pub kind: MessageKind,
    pub announcement: Announcement,
}

/// How a MIGRATE exchange failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkError {
    /// The commands could not be written (`IOERR error or timeout writing…`).
    Write,
    /// A reply could not be read (`IOERR error or timeout reading…`).
    Read,
    /// No reply in time: MIGRATE does not retry after a timeout.
    Timeout,
}

/// A connection MIGRATE keeps to another server.
pub trait MigrateLink: Send {
    /// Sends the commands in one write (pipelined) and reads one reply per
    /// command, waiting at most `timeout_ms` for each.
    fn call(&mut self, commands: &[Vec<Vec<u8>>], timeout_ms: u64) -> Result<Vec<Reply>, LinkError>;
}

/// What the host offers a node for talking to other servers.
pub trait ClusterHost: Send {
    /// Opens a connection to `ip:port` within `timeout_ms`; `None` when it
    /// cannot (MIGRATE answers `IOERR error or timeout connecting to the client`).
    fn connect(&mut self, ip: &str, port: u16, timeout_ms: u64) -> Option<Box<dyn MigrateLink>>;
}

/// One cached MIGRATE connection (Redis's `migrateCachedSocket`).
pub struct CachedLink {
    pub link: Box<dyn MigrateLink>,
    /// The database last SELECTed on it (`None`: SELECT next time).
    pub last_db: Option<i64>,
    pub last_use_ms: i64,
}

/// MIGRATE's connections, by `host:port`, closed after 10 s unused; at
/// most 64 (a random one is closed to make room).
#[derive(Default)]
pub struct MigrateSockets {
    pub host: Option<Box<dyn ClusterHost + Send>>,
    pub cached: std::collections::BTreeMap<String, CachedLink>,
}

/// Redis's `MIGRATE_SOCKET_CACHE_TTL` (seconds) and `_ITEMS`.
pub const CACHE_TTL_MS: i64 = 10_000;
pub const CACHE_ITEMS: usize = 64;

impl MigrateSockets {
    /// Closes the connections unused for more than the TTL (serverCron,
    /// once a second in Redis; whole seconds, as Redis compares them).
    pub fn close_idle(&mut self, now_ms: i64) {
        self.cached.retain(|_, c| now_ms / 1000 - c.last_use_ms / 1000 <= CACHE_TTL_MS / 1000);
    }
}

/// Delivers messages between engines hosted together (one process, one
/// page), by the port each one announces, until none has anything left to
/// say. Returns how many messages were delivered; a message for a port no
/// engine here serves is dropped.
pub fn exchange(engines: &mut [&mut crate::Engine]) -> usize {
    let mut delivered = 0;
    // Every exchange settles: a node speaks again only after learning something new.
    for _ in 0..64 {
        let mut pending = Vec::new();
        for engine in engines.iter_mut() {
            pending.extend(engine.take_bus_messages());
        }
        if pending.is_empty() {
            break;
        }
        for message in pending {
            let target = engines.iter_mut().find(|e| {
                e.cluster_state().is_some_and(|s| s.myself().port == message.port && s.myself().ip == message.ip)
            });
            if let Some(engine) = target {
                engine.receive_bus_message(&message);
                delivered += 1;
            }
        }
    }
    delivered
}
