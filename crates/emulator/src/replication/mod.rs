//! Replication as Redis 7.0 does it, without sockets: the master's side
//! (replication id, `master_repl_offset`, the backlog, the replicas and
//! what each has acknowledged, PSYNC answered with `+FULLRESYNC` and an
//! RDB file or `+CONTINUE` and the backlog) and the replica's side
//! ([`link`]: the handshake, the RDB transfer, then the command stream
//! applied by the master client, `REPLCONF ACK` every second).
//!
//! The stream is the one the AOF records: the propagation buffer of
//! `crate::aof` is taken at each flush point and fed here as well
//! ([`Replication::feed`]), so what replicas receive is what the AOF logs
//! (writes, expiries and evictions as `DEL`, `SELECT`s, MULTI … EXEC around
//! transactions and scripts).
//!
//! Bytes leave and enter through a narrow facade ([`ReplicaIo`] for
//! the master's replicas, `Engine::take_master_output` /
//! `Engine::feed_from_master` for the link to a master), which the native
//! server drives over TCP and [`topology::Topology`] drives in memory.

mod failover;
pub mod link;
pub mod topology;
mod topology_cluster;

pub use topology::{Node, Topology};
pub use topology_cluster::TopologyHost;

use std::collections::{HashMap, VecDeque};

use crate::client::{Client, ClientId};
use crate::command::{flags, CommandSpec};
use crate::engine::Engine;
use crate::reply::Reply;
use crate::rng::Rng;

/// A replica's state as the master's INFO shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicaState {
    WaitBgsave,
    SendBulk,
    Online,
}

impl ReplicaState {
    pub fn name(self) -> &'static str {
        match self {
            ReplicaState::WaitBgsave => "wait_bgsave",
            ReplicaState::SendBulk => "send_bulk",
            ReplicaState::Online => "online",
        }
    }
}

/// One replica connected to this server (a client that sent PSYNC or SYNC).
#[derive(Debug, Clone)]
pub struct ReplicaConn {
    pub client: ClientId,
    pub ip: String,
    /// `REPLCONF listening-port`.
    pub port: u16,
    pub state: ReplicaState,
    /// The last offset it acknowledged (`REPLCONF ACK`).
    pub ack_offset: i64,
    /// When that acknowledgement arrived (ms).
    pub ack_ms: i64,
    /// Whether it understands `+CONTINUE <replid>` (capa psync2).
    pub psync2: bool,
    /// Bytes waiting to be sent to it.
    out: Vec<u8>,
}

/// What the host must do for a replica's connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplicaIo {
    /// Send these bytes.
    Send(ClientId, Vec<u8>),
    /// Close the connection (the replica must resynchronise).
    Close(ClientId),
}

/// The last `repl-backlog-size` bytes of the stream.
#[derive(Debug, Clone, Default)]
pub struct Backlog {
    data: VecDeque<u8>,
    size: usize,
}

/// `FAILOVER`'s progress, as `master_failover_state` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailoverState {
    None,
    /// Writes are paused until the target has acknowledged everything.
    WaitingForSync {
        host: String,
        port: u16,
        deadline_ms: Option<i64>,
        force: bool,
    },
    /// This server is becoming a replica of the target.
    InProgress {
        host: String,
        port: u16,
    },
}

/// The replication state of one server.
#[derive(Debug, Clone)]
pub struct Replication {
    /// `master_replid`: 40 hex characters.
    pub replid: String,
    /// `master_replid2`, valid up to `second_offset`.
    pub replid2: String,
    pub second_offset: i64,
    /// `master_repl_offset`: bytes of stream produced (or, on a replica, applied).
    pub offset: i64,
    pub backlog: Option<Backlog>,
    pub replicas: Vec<ReplicaConn>,
    /// The link to our master, when this server is a replica.
    pub master: Option<link::MasterLink>,
    /// The port this server listens on (`REPLCONF listening-port`).
    pub listening_port: u16,
    /// Per client: `master_repl_offset` after its last command (Redis's `woff`).
    woff: HashMap<ClientId, i64>,
    /// A WAIT asked replicas for their offsets (`REPLCONF GETACK *` goes out).
    want_acks: bool,
    last_ping_ms: i64,
    last_ack_sent_ms: i64,
    /// Links opened so far (a link is named by its epoch).
    epochs: u64,
    pub failover: FailoverState,
    /// Replica connections to close (a full resync of ours invalidates theirs).
    closing: Vec<ClientId>,
    /// What clients announced with REPLCONF before their PSYNC.
    announced: HashMap<ClientId, Announced>,
    /// INFO's `sync_full`, `sync_partial_ok`, `sync_partial_err`.
    pub sync_full: u64,
    pub sync_partial_ok: u64,
    pub sync_partial_err: u64,
    rng: Rng,
}

/// Bytes queued for one replica before it is disconnected (Redis's default hard limit).
const REPLICA_OUTPUT_LIMIT: usize = 256 * 1024 * 1024;
const PING: &[u8] = b"*1\r\n$4\r\nPING\r\n";
const GETACK: &[u8] = b"*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n";
pub(crate) const NO_REPLID: &str = "0000000000000000000000000000000000000000";

impl Replication {
    pub fn new(seed: u64) -> Replication {
        let mut rng = Rng::new(seed ^ 0x5265_706c_6963_6121);
        let replid = random_id(&mut rng);
        Replication {
            replid,
            replid2: NO_REPLID.into(),
            second_offset: -1,
            offset: 0,
            backlog: None,
            replicas: Vec::new(),
            master: None,
            listening_port: 6379,
            woff: HashMap::new(),
            want_acks: false,
            last_ping_ms: 0,
            last_ack_sent_ms: 0,
            epochs: 0,
            failover: FailoverState::None,
            closing: Vec::new(),
            announced: HashMap::new(),
            sync_full: 0,
            sync_partial_ok: 0,
            sync_partial_err: 0,
            rng,
        }
    }

    pub fn is_replica(&self) -> bool {
        self.master.is_some()
    }

    /// True if `id` is the client that applies our master's stream.
    pub fn is_master_client(&self, id: Option<ClientId>) -> bool {
        id.is_some() && self.master.as_ref().is_some_and(|m| m.client == id)
    }

    /// Whether the propagation buffer must be kept for the stream: a
    /// master with a backlog.
    pub fn feeds_stream(&self) -> bool {
        self.master.is_none() && self.backlog.is_some()
    }

    /// Appends bytes to the stream: the offset, the backlog and every replica.
    pub fn feed(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        self.offset += bytes.len() as i64;
        if let Some(b) = self.backlog.as_mut() {
            b.push(bytes);
        }
        for r in &mut self.replicas {
            r.out.extend_from_slice(bytes);
        }
        // A replica that does not read its stream is dropped, as Redis's
        // `client-output-buffer-limit replica` does (here one fixed limit).
        let (slow, ok): (Vec<ReplicaConn>, Vec<ReplicaConn>) =
            self.replicas.drain(..).partition(|r| r.out.len() > REPLICA_OUTPUT_LIMIT);
        self.replicas = ok;
        self.closing.extend(slow.into_iter().map(|r| r.client));
    }

    /// A new replication id (a promoted replica, a master getting its first
    /// replica); the old one stays valid as `replid2` up to this offset.
    pub fn shift_replid(&mut self) {
        self.replid2 = std::mem::replace(&mut self.replid, random_id(&mut self.rng));
        self.second_offset = self.offset + 1;
    }

    pub fn new_replid(&mut self) {
        self.replid = random_id(&mut self.rng);
        self.replid2 = NO_REPLID.into();
        self.second_offset = -1;
    }

    pub(crate) fn next_epoch(&mut self) -> u64 {
        self.epochs += 1;
        self.epochs
    }

    fn backlog_size(config: &crate::config::Config) -> usize {
        let size: u64 = config.extra.get("repl-backlog-size").and_then(|v| v.parse().ok()).unwrap_or(1 << 20);
        size.clamp(16 * 1024, 1 << 30) as usize
    }

    fn ensure_backlog(&mut self, config: &crate::config::Config) {
        if self.backlog.is_none() {
            self.backlog = Some(Backlog { data: VecDeque::new(), size: Self::backlog_size(config) });
        }
    }

    /// The first offset the backlog holds (`repl_backlog_first_byte_offset`).
    pub fn backlog_first_offset(&self) -> i64 {
        match &self.backlog {
            Some(b) => self.offset - b.data.len() as i64 + 1,
            None => 0,
        }
    }

    pub fn backlog_histlen(&self) -> usize {
        self.backlog.as_ref().map_or(0, |b| b.data.len())
    }

    /// Replicas that acknowledged at least `offset`.
    pub fn acked(&self, offset: i64) -> i64 {
        self.replicas.iter().filter(|r| r.state == ReplicaState::Online && r.ack_offset >= offset).count() as i64
    }

    /// Online replicas whose last acknowledgement is at most `max_lag` seconds old.
    pub fn good_replicas(&self, now_ms: i64, max_lag: i64) -> usize {
        let fresh = |r: &&ReplicaConn| (now_ms - r.ack_ms) / 1000 <= max_lag;
        self.replicas.iter().filter(|r| r.state == ReplicaState::Online).filter(fresh).count()
    }

    /// The offset WAIT waits for on behalf of `client`.
    pub fn write_offset(&self, client: ClientId) -> i64 {
        self.woff.get(&client).copied().unwrap_or(0)
    }

    pub fn request_acks(&mut self) {
        self.want_acks = true;
    }

    fn replica_mut(&mut self, id: ClientId) -> Option<&mut ReplicaConn> {
        self.replicas.iter_mut().find(|r| r.client == id)
    }
}

impl Backlog {
    fn push(&mut self, bytes: &[u8]) {
        if bytes.len() >= self.size {
            self.data.clear();
            self.data.extend(&bytes[bytes.len() - self.size..]);
            return;
        }
        let overflow = (self.data.len() + bytes.len()).saturating_sub(self.size);
        self.data.drain(..overflow);
        self.data.extend(bytes);
    }
}

fn random_id(rng: &mut Rng) -> String {
    (0..40).map(|_| char::from(b"0123456789abcdef"[rng.below(16) as usize])).collect()
}

/// Reads a `repl-…`/`min-replicas-…` integer parameter.
pub(crate) fn config_int(config: &crate::config::Config, name: &str, default: i64) -> i64 {
    config.extra.get(name).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn config_yes(config: &crate::config::Config, name: &str) -> bool {
    config.extra.get(name).is_none_or(|v| v == "yes")
}

// ----- the engine's side ------------------------------------------------

impl Engine {
    /// Keeps the propagation buffer on while a stream or the AOF needs it.
    pub(crate) fn sync_propagation(&mut self) {
        let feeds = self.repl.feeds_stream();
        self.server.aof.set_replicating(feeds);
    }

    /// The port this server announces to its master (`REPLCONF listening-port`).
    pub fn set_replication_port(&mut self, port: u16) {
        self.repl.listening_port = port;
    }

    /// `master_repl_offset`.
    pub fn master_repl_offset(&self) -> i64 {
        self.repl.offset
    }

    /// `master_replid`.
    pub fn master_replid(&self) -> &str {
        &self.repl.replid
    }

    /// Full resyncs served, partial resyncs accepted and refused
    /// (INFO's `sync_full`, `sync_partial_ok`, `sync_partial_err`).
    pub fn sync_counts(&self) -> (u64, u64, u64) {
        (self.repl.sync_full, self.repl.sync_partial_ok, self.repl.sync_partial_err)
    }

    /// True while this server replicates another one.
    pub fn is_replica(&self) -> bool {
        self.repl.is_replica()
    }

    /// Bytes for replicas and connections to close, oldest first.
    pub fn take_replica_output(&mut self) -> Vec<ReplicaIo> {
        let mut out: Vec<ReplicaIo> = self.repl.closing.drain(..).map(ReplicaIo::Close).collect();
        for r in &mut self.repl.replicas {
            if !r.out.is_empty() {
                out.push(ReplicaIo::Send(r.client, std::mem::take(&mut r.out)));
            }
        }
        out
    }

    /// The replicas this master knows (for the page and INFO).
    pub fn replicas(&self) -> &[ReplicaConn] {
        &self.repl.replicas
    }

    /// Called with the propagation buffer at each flush point.
    pub(crate) fn feed_stream(&mut self, bytes: &[u8]) {
        if !self.repl.feeds_stream() {
            return;
        }
        self.repl.feed(bytes);
        if let Some(id) = self.clients.running_id() {
            self.repl.woff.insert(id, self.repl.offset);
        }
    }

    /// A client went away: a replica is forgotten.
    pub(crate) fn forget_replica(&mut self, id: ClientId) {
        self.repl.replicas.retain(|r| r.client != id);
        self.repl.woff.remove(&id);
        self.repl.announced.remove(&id);
    }

    /// The replication cron: PINGs to replicas every
    /// `repl-ping-replica-period`, `REPLCONF GETACK` for WAIT, `REPLCONF
    /// ACK` to our master every second, the failover's progress.
    pub(crate) fn replication_cron(&mut self) {
        let now = self.now_ms();
        // While writes are paused (CLIENT PAUSE, FAILOVER) the offset stands
        // still, so replicas can catch up with it: no PING, no GETACK.
        self.end_pause_if_due();
        let paused = self.client_pause.is_some();
        if self.repl.feeds_stream() && !paused {
            let period = config_int(&self.config, "repl-ping-replica-period", 10).max(1) * 1000;
            if !self.repl.replicas.is_empty() && now - self.repl.last_ping_ms >= period {
                self.repl.last_ping_ms = now;
                self.repl.feed(PING);
            }
        }
        self.send_getack();
        // CONFIG SET repl-backlog-size: the backlog keeps its newest bytes.
        let size = Replication::backlog_size(&self.config);
        if let Some(b) = self.repl.backlog.as_mut().filter(|b| b.size != size) {
            b.size = size;
            let excess = b.data.len().saturating_sub(size);
            b.data.drain(..excess);
        }
        if now - self.repl.last_ack_sent_ms >= 1000 {
            self.repl.last_ack_sent_ms = now;
            self.send_ack();
        }
        self.failover_cron();
    }

    /// WAIT's `REPLCONF GETACK *`, sent once per request.
    pub(crate) fn send_getack(&mut self) {
        if self.repl.want_acks && self.repl.feeds_stream() && self.client_pause.is_none() {
            self.repl.want_acks = false;
            self.repl.feed(GETACK);
        }
    }

    /// Re-runs the WAITs blocked on acknowledgements (one arrived).
    fn retry_waits(&mut self) {
        let waiting: Vec<ClientId> = self
            .clients
            .values()
            .filter(|c| c.blocked.as_ref().is_some_and(|b| is_wait(&b.argv) && !b.postponed))
            .map(|c| c.id)
            .collect();
        for id in waiting {
            self.retry_blocked(id);
        }
    }

    /// What a WAIT answers when its time is up: the replicas that made it.
    pub(crate) fn wait_timeout_reply(&self, id: ClientId) -> Reply {
        Reply::Integer(self.repl.acked(self.repl.write_offset(id)))
    }

    // ----- commands' work ----------------------------------------------

    /// REPLCONF ACK from a replica.
    pub(crate) fn replica_acked(&mut self, id: ClientId, offset: i64) {
        let now = self.now_ms();
        let Some(r) = self.repl.replica_mut(id) else { return };
        if offset > r.ack_offset {
            r.ack_offset = offset;
        }
        r.ack_ms = now;
        self.retry_waits();
    }

    /// PSYNC / SYNC: a client becomes a replica. The answer (`+FULLRESYNC`
    /// and the RDB file, or `+CONTINUE` and the missing stream) goes to its
    /// output; the command itself replies nothing.
    pub(crate) fn start_sync(&mut self, client: &mut Client, psync: Option<(&[u8], i64)>) -> Result<(), Reply> {
        if self.repl.replicas.iter().any(|r| r.client == client.id) {
            return Ok(());
        }
        if self.repl.master.as_ref().is_some_and(|m| m.state != link::LinkState::Connected) {
            return Err(Reply::error("NOMASTERLINK Can't SYNC while not connected with my master"));
        }
        let (ip, port, psync2) = self.pending_replica_info(client);
        client.link = crate::client::LinkRole::Replica;
        let now = self.now_ms();
        let mut conn = ReplicaConn {
            client: client.id,
            ip,
            port,
            state: ReplicaState::Online,
            ack_offset: 0,
            ack_ms: now,
            psync2,
            out: Vec::new(),
        };
        if let Some((replid, offset)) = psync {
            if let Some(tail) = self.partial_tail(replid, offset) {
                let head =
                    if conn.psync2 { format!("+CONTINUE {}\r\n", self.repl.replid) } else { "+CONTINUE\r\n".into() };
                conn.out.extend_from_slice(head.as_bytes());
                conn.out.extend_from_slice(&tail);
                self.repl.replicas.push(conn);
                self.repl.sync_partial_ok += 1;
                return Ok(());
            }
            if replid != b"?" {
                self.repl.sync_partial_err += 1;
            }
        }
        self.repl.sync_full += 1;
        if self.repl.backlog.is_none() && self.repl.master.is_none() {
            // Redis's first replica: a fresh history.
            self.repl.new_replid();
        }
        self.repl.ensure_backlog(&self.config);
        let rdb = self.rdb_file().unwrap_or_default();
        if psync.is_some() {
            conn.out.extend_from_slice(format!("+FULLRESYNC {} {}\r\n", self.repl.replid, self.repl.offset).as_bytes());
        }
        conn.out.extend_from_slice(format!("${}\r\n", rdb.len()).as_bytes());
        conn.out.extend_from_slice(&rdb);
        // The stream after the snapshot starts by selecting its database.
        self.server.aof.reset_selected_db();
        self.repl.replicas.push(conn);
        self.sync_propagation();
        Ok(())
    }

    /// The stream from `offset` on, if this history is ours and the backlog still has it.
    fn partial_tail(&self, replid: &[u8], offset: i64) -> Option<Vec<u8>> {
        let r = &self.repl;
        let ours = replid.eq_ignore_ascii_case(r.replid.as_bytes());
        let previous = replid.eq_ignore_ascii_case(r.replid2.as_bytes()) && offset <= r.second_offset;
        if !ours && !previous {
            return None;
        }
        let backlog = r.backlog.as_ref()?;
        let first = r.backlog_first_offset();
        if offset < first || offset > r.offset + 1 {
            return None;
        }
        let skip = usize::try_from(offset - first).ok()?;
        Some(backlog.data.iter().skip(skip).copied().collect())
    }

    /// The address and `REPLCONF` capabilities a client announced before PSYNC.
    fn pending_replica_info(&mut self, client: &Client) -> (String, u16, bool) {
        let ip = client.addr.rsplit_once(':').map_or(client.addr.clone(), |(ip, _)| ip.to_string());
        let announced = self.repl.announced.remove(&client.id).unwrap_or_default();
        (ip, announced.port, announced.psync2)
    }

    /// REPLICAOF host port: this server follows another one from now on.
    pub(crate) fn become_replica_of(&mut self, host: String, port: u16) {
        if self.repl.master.is_none() {
            // Our own history is where a partial resync starts from.
            self.repl.replicas.iter().for_each(|r| self.repl.closing.push(r.client));
            self.repl.replicas.clear();
        }
        let old_client = self.repl.master.as_ref().and_then(|m| m.client);
        if let Some(id) = old_client {
            self.disconnect(id);
        }
        let epoch = self.repl.next_epoch();
        self.config.extra.insert("replicaof", format!("{host} {port}"));
        self.repl.master = Some(link::MasterLink::new(host, port, epoch));
        self.sync_propagation();
    }

    /// REPLICAOF NO ONE: keeps the data, starts a new history (the old id
    /// stays valid as `replid2` so replicas can continue from it).
    pub(crate) fn become_master(&mut self) {
        let Some(m) = self.repl.master.take() else { return };
        self.config.extra.insert("replicaof", String::new());
        if let Some(id) = m.client {
            self.disconnect(id);
        }
        // The backlog a replica kept while connected stays (Redis makes none here).
        self.repl.shift_replid();
        self.server.aof.reset_selected_db();
        self.sync_propagation();
    }
}

/// What a client announced with REPLCONF before its PSYNC.
#[derive(Debug, Clone, Copy, Default)]
pub struct Announced {
    pub port: u16,
    pub psync2: bool,
}

impl Replication {
    pub(crate) fn announce(&mut self, id: ClientId, f: impl FnOnce(&mut Announced)) {
        f(self.announced.entry(id).or_default());
    }
}

/// The error a read-only replica gives writes.
pub(crate) const READONLY: &str = "READONLY You can't write against a read only replica.";

/// The error writes get while `min-replicas-to-write` is not met.
pub(crate) const NOREPLICAS: &str = "NOREPLICAS Not enough good replicas to write.";

impl Engine {
    /// True if a write by client `id` must be refused: this server is a
    /// replica with `replica-read-only yes` and `id` is not its master client.
    /// Scripts check it for the writes they call.
    pub(crate) fn refuses_replica_writes(&self, id: ClientId) -> bool {
        self.repl.is_replica() && !self.repl.is_master_client(Some(id)) && config_yes(&self.config, "replica-read-only")
    }

    /// True if writes must be refused with NOREPLICAS: this master has
    /// fewer good replicas than `min-replicas-to-write` (lagging at most
    /// `min-replicas-max-lag` seconds). Scripts check it for what they write.
    pub(crate) fn lacks_good_replicas(&self) -> bool {
        if self.repl.master.is_some() {
            return false;
        }
        let min = self.config.min_replicas_to_write;
        if min <= 0 {
            return false;
        }
        let lag = config_int(&self.config, "min-replicas-max-lag", 10);
        lag > 0 && (self.repl.good_replicas(self.now_ms(), lag) as i64) < min
    }
}

fn is_wait(argv: &[Vec<u8>]) -> bool {
    argv.first().is_some_and(|n| n.eq_ignore_ascii_case(b"wait"))
}

/// The replication checks of `processCommand`, in Redis's order:
/// NOREPLICAS (min-replicas-to-write), READONLY, MASTERDOWN. The master
/// client is never refused.
pub(crate) fn refuse(engine: &Engine, client: &Client, spec: &CommandSpec) -> Option<String> {
    let repl = &engine.repl;
    if repl.is_master_client(Some(client.id)) {
        return None;
    }
    let queue = client.multi.as_ref().map(|m| m.queue.as_slice()).unwrap_or(&[]);
    let queued = |f: u32| {
        spec.has(flags::RUNS_QUEUE)
            && queue.iter().any(|q| match crate::commands::lookup(&q.argv) {
                crate::commands::Lookup::Found(s) => f == flags::WRITE && s.has(f) || f == flags::STALE && !s.has(f),
                _ => false,
            })
    };
    let writes = spec.has(flags::WRITE) || queued(flags::WRITE);
    let Some(master) = &repl.master else {
        // A master: only writes are checked, and only when the option is set.
        if !writes {
            return None;
        }
        return engine.lacks_good_replicas().then(|| NOREPLICAS.into());
    };
    if writes && config_yes(&engine.config, "replica-read-only") {
        return Some(READONLY.into());
    }
    let stale_denied = !spec.has(flags::STALE) || queued(flags::STALE);
    if master.state != link::LinkState::Connected
        && !config_yes(&engine.config, "replica-serve-stale-data")
        && stale_denied
    {
        return Some("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.".into());
    }
    None
}

/// INFO's `# Replication` fields, in Redis 7.0's order.
pub(crate) fn info_fields(engine: &Engine) -> Vec<(String, String)> {
    let r = &engine.repl;
    let now = engine.now_ms();
    let mut out: Vec<(String, String)> = Vec::new();
    let mut add = |name: &str, value: String| out.push((name.to_string(), value));
    match &r.master {
        None => add("role", "master".into()),
        Some(m) => {
            let up = m.state == link::LinkState::Connected;
            add("role", "slave".into());
            add("master_host", m.host.clone());
            add("master_port", m.port.to_string());
            add("master_link_status", if up { "up" } else { "down" }.into());
            let io = if up { m.last_io_ms.map_or(-1, |t| (now - t) / 1000) } else { -1 };
            add("master_last_io_seconds_ago", io.to_string());
            let syncing = m.state == link::LinkState::Sync;
            add("master_sync_in_progress", (syncing as u8).to_string());
            add("slave_read_repl_offset", r.offset.to_string());
            add("slave_repl_offset", r.offset.to_string());
            if syncing {
                let total = m.sync_total.unwrap_or(0) as i64;
                let read = m.sync_read as i64;
                add("master_sync_total_bytes", m.sync_total.map_or(-1, |t| t as i64).to_string());
                add("master_sync_read_bytes", read.to_string());
                add("master_sync_left_bytes", (total - read).to_string());
                let perc = if total > 0 { read as f64 * 100.0 / total as f64 } else { 0.0 };
                add("master_sync_perc", format!("{perc:.2}"));
                let io = m.last_io_ms.map_or(0, |t| (now - t) / 1000);
                add("master_sync_last_io_seconds_ago", io.to_string());
            }
            if !up {
                let since = m.down_since_ms.map_or(-1, |t| (now - t) / 1000);
                add("master_link_down_since_seconds", since.to_string());
            }
            add("slave_priority", config_int(&engine.config, "replica-priority", 100).to_string());
            add("slave_read_only", (config_yes(&engine.config, "replica-read-only") as u8).to_string());
            add("replica_announced", (config_yes(&engine.config, "replica-announced") as u8).to_string());
        }
    }
    add("connected_slaves", r.replicas.len().to_string());
    for (i, s) in r.replicas.iter().enumerate() {
        let lag = (now - s.ack_ms) / 1000;
        let line = format!("ip={},port={},state={},offset={},lag={}", s.ip, s.port, s.state.name(), s.ack_offset, lag);
        out.push((format!("slave{i}"), line));
    }
    let mut add = |name: &str, value: String| out.push((name.to_string(), value));
    add("master_failover_state", engine.failover_state_name().into());
    add("master_replid", r.replid.clone());
    add("master_replid2", r.replid2.clone());
    add("master_repl_offset", r.offset.to_string());
    add("second_repl_offset", r.second_offset.to_string());
    add("repl_backlog_active", (r.backlog.is_some() as u8).to_string());
    let size = r.backlog.as_ref().map_or_else(|| Replication::backlog_size(&engine.config), |b| b.size);
    add("repl_backlog_size", size.to_string());
    add("repl_backlog_first_byte_offset", r.backlog_first_offset().to_string());
    add("repl_backlog_histlen", r.backlog_histlen().to_string());
    out
}
