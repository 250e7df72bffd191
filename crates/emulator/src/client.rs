//! A connected client (a console tab in the page, a TCP connection in the
//! server): its selected database, protocol, name and per-client state.

use std::collections::BTreeSet;

use crate::resp::Protocol;

pub type ClientId = u64;

/// A command queued by MULTI.
#[derive(Debug, Clone)]
pub struct QueuedCommand {
    pub argv: Vec<Vec<u8>>,
}

/// MULTI state: the queue, and whether a queuing error doomed EXEC.
#[derive(Debug, Clone, Default)]
pub struct MultiState {
    pub queue: Vec<QueuedCommand>,
    pub aborted: bool,
}

/// What a blocked client waits for (BLPOP, XREAD BLOCK, …).
#[derive(Debug, Clone)]
pub struct BlockedState {
    /// The command to re-run when one of `keys` becomes ready.
    pub argv: Vec<Vec<u8>>,
    pub db: usize,
    pub keys: Vec<Vec<u8>>,
    /// Absolute deadline in ms, or `None` to wait forever.
    pub deadline_ms: Option<i64>,
    /// Order of blocking, so clients are served first come, first served.
    pub since_seq: u64,
    /// Postponed by CLIENT PAUSE (not waiting on keys): the command runs
    /// from the start once the pause ends.
    pub postponed: bool,
}

/// A CLIENT PAUSE in force: until when, and whether every command waits
/// (ALL) or only those that write or may replicate (WRITE).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientPause {
    pub end_ms: i64,
    pub all: bool,
}

#[derive(Debug, Clone)]
pub struct Client {
    pub id: ClientId,
    pub name: Option<Vec<u8>>,
    /// Address shown by CLIENT LIST (`127.0.0.1:53122`, or `browser:1`).
    pub addr: String,
    pub laddr: String,
    /// Bytes of requests the host has received from it and not yet let go
    /// of, the running one included (CLIENT LIST `qbuf`).
    pub query_buffer: usize,
    pub db: usize,
    pub protocol: Protocol,
    pub created_ms: i64,
    pub last_interaction_ms: i64,
    /// Last command as (container, name) — `("client", "list")`, `("", "get")`,
    /// or `("", "NULL")` before the first one — for CLIENT LIST's `cmd=`.
    pub last_command: (&'static str, &'static str),
    pub multi: Option<MultiState>,
    /// WATCHed keys as (db, key), and whether one of them changed.
    pub watched: Vec<(usize, Vec<u8>)>,
    /// Parallel to `watched`: the key had already expired when WATCHed.
    pub watched_expired: Vec<bool>,
    pub watch_dirty: bool,
    pub channels: BTreeSet<Vec<u8>>,
    pub patterns: BTreeSet<Vec<u8>>,
    pub shard_channels: BTreeSet<Vec<u8>>,
    pub blocked: Option<BlockedState>,
    /// True while the engine re-runs this client's blocked command because
    /// a key it waits on changed (so the command can tell a wake-up from a
    /// first call: XREADGROUP whose stream was deleted answers UNBLOCKED).
    pub retrying_blocked: bool,
    /// True while a script or function runs this client's `redis.call`s.
    pub in_script: bool,
    pub monitor: bool,
    /// Set by QUIT: the server closes the connection after the reply.
    pub close_after_reply: bool,
    /// CLIENT NO-EVICT ON: exempt from client eviction (flag `e`).
    pub no_evict: bool,
    /// CLIENT REPLY OFF: no replies until CLIENT REPLY ON.
    pub reply_off: bool,
    /// CLIENT REPLY SKIP was the last command: drop the next reply.
    pub reply_skip_next: bool,
    /// The reply of the command now running is dropped (after SKIP).
    pub reply_skip: bool,
    /// The ACL user and whether the client has authenticated.
    pub auth: crate::acl::ClientAuth,
    /// CLIENT TRACKING ON: the client's tracking mode (None = off).
    pub tracking: Option<crate::tracking::ClientTracking>,
    /// ASKING: the next command may use a slot this node is importing.
    pub asking: bool,
    /// READONLY: reads may be served by a replica.
    pub readonly: bool,
    /// A replica's connection to us (flag `S`) or our link to our master (`M`).
    pub link: LinkRole,
}

/// What a connection is to replication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LinkRole {
    #[default]
    Normal,
    /// A replica that sent PSYNC or SYNC.
    Replica,
    /// The client applying our master's stream.
    Master,
}

impl Client {
    pub fn new(id: ClientId, addr: String, now_ms: i64) -> Client {
        Client {
            id,
            name: None,
            addr,
            laddr: "127.0.0.1:6379".into(),
            query_buffer: 0,
            db: 0,
            protocol: Protocol::Resp2,
            created_ms: now_ms,
            last_interaction_ms: now_ms,
            last_command: ("", "NULL"),
            multi: None,
            watched: Vec::new(),
            watched_expired: Vec::new(),
            watch_dirty: false,
            channels: BTreeSet::new(),
            patterns: BTreeSet::new(),
            shard_channels: BTreeSet::new(),
            blocked: None,
            retrying_blocked: false,
            in_script: false,
            monitor: false,
            close_after_reply: false,
            no_evict: false,
            reply_off: false,
            reply_skip_next: false,
            reply_skip: false,
            auth: crate::acl::ClientAuth::default(),
            tracking: None,
            asking: false,
            readonly: false,
            link: LinkRole::Normal,
        }
    }

    /// The last command's full name as CLIENT LIST prints it (`client|list`).
    pub fn last_command_name(&self) -> String {
        match self.last_command {
            ("", name) => name.to_string(),
            (parent, name) => format!("{parent}|{name}"),
        }
    }

    /// Number of pub/sub subscriptions (channels + patterns + shard channels).
    pub fn subscription_count(&self) -> usize {
        self.channels.len() + self.patterns.len() + self.shard_channels.len()
    }

    /// Applies CLIENT REPLY OFF/SKIP to a finished command's reply (an
    /// empty `Multi` sends nothing) and moves a pending SKIP forward, as
    /// Redis's `resetClient` does.
    pub fn filter_reply(&mut self, reply: crate::reply::Reply) -> crate::reply::Reply {
        let suppressed = self.reply_off || self.reply_skip;
        self.reply_skip = std::mem::take(&mut self.reply_skip_next);
        if suppressed && !matches!(reply, crate::reply::Reply::Blocked) {
            only_pushes(reply)
        } else {
            reply
        }
    }

    /// True in RESP2 subscribed mode, where only a few commands are allowed.
    pub fn in_subscribed_mode(&self) -> bool {
        self.subscription_count() > 0 && self.protocol == Protocol::Resp2
    }
}

/// What CLIENT REPLY OFF/SKIP lets through of a reply: RESP3 pushes (a
/// SUBSCRIBE confirmation, an invalidation) are not replies, as in Redis.
fn only_pushes(reply: crate::reply::Reply) -> crate::reply::Reply {
    use crate::reply::Reply;
    match reply {
        Reply::Push(_) => reply,
        Reply::Multi(parts) => Reply::Multi(parts.into_iter().filter(|r| matches!(r, Reply::Push(_))).collect()),
        _ => Reply::Multi(Vec::new()),
    }
}

/// Checks a client name as Redis does (CLIENT SETNAME, HELLO … SETNAME):
/// printable ASCII without spaces.
pub fn validate_name(name: &[u8]) -> Result<(), crate::reply::Reply> {
    if name.iter().any(|&c| !(b'!'..=b'~').contains(&c)) {
        return Err(crate::reply::Reply::error(
            "ERR Client names cannot contain spaces, newlines or special characters.",
        ));
    }
    Ok(())
}
