//! The replica's side of a link to its master, as a state machine over
//! bytes: the handshake (`PING`, `AUTH` with `masterauth`, `REPLCONF
//! listening-port`, `REPLCONF capa eof capa psync2`, `PSYNC replid
//! offset`), the RDB transfer (`$<len>` or diskless `$EOF:<mark>`), then the
//! command stream applied by the master client, with `REPLCONF ACK` every
//! second and on `REPLCONF GETACK`. The host moves the bytes: it connects
//! when [`Engine::master_link_wanted`] says so, then calls
//! [`Engine::master_link_up`], [`Engine::feed_from_master`],
//! [`Engine::take_master_output`] and [`Engine::master_link_down`].

use crate::aof::encode_command;
use crate::client::ClientId;
use crate::engine::Engine;
use crate::resp::{parse_request, Parsed};

/// `ROLE`'s replica states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// Not connected; the host should connect.
    Connect,
    /// The host is connecting.
    Connecting,
    Handshake,
    /// Receiving the RDB file.
    Sync,
    Connected,
}

impl LinkState {
    pub fn name(self) -> &'static str {
        match self {
            LinkState::Connect => "connect",
            LinkState::Connecting => "connecting",
            LinkState::Handshake => "handshake",
            LinkState::Sync => "sync",
            LinkState::Connected => "connected",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Pong,
    Auth,
    Port,
    Capa,
    Psync,
    Rdb(Transfer),
    Stream,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Transfer {
    replid: String,
    offset: i64,
    /// `$<len>`: the size; `$EOF:<mark>`: the 40-byte end mark. None before the header.
    size: Option<usize>,
    eof_mark: Option<Vec<u8>>,
    data: Vec<u8>,
}

/// The link from a replica to its master.
#[derive(Debug, Clone)]
pub struct MasterLink {
    pub host: String,
    pub port: u16,
    pub state: LinkState,
    /// Names this connection attempt; a new one makes the host reconnect.
    pub epoch: u64,
    /// The client applying the master's stream (kept across reconnections,
    /// as Redis caches its master, so its selected database survives).
    pub client: Option<ClientId>,
    step: Step,
    inbuf: Vec<u8>,
    out: Vec<u8>,
    /// When bytes last came from the master (ms).
    pub last_io_ms: Option<i64>,
    /// When the link went down (ms); None while up or before the first link.
    pub down_since_ms: Option<i64>,
    /// Bytes of the RDB file read so far, and its size when known.
    pub sync_read: usize,
    pub sync_total: Option<usize>,
    /// This PSYNC is a FAILOVER's (the target takes over as master).
    pub failover: bool,
    /// Why the last attempt failed, for the host's log.
    pub last_error: Option<String>,
    /// The master client's database, for a master client made anew.
    db: usize,
}

impl MasterLink {
    pub fn new(host: String, port: u16, epoch: u64) -> MasterLink {
        MasterLink {
            host,
            port,
            state: LinkState::Connect,
            epoch,
            client: None,
            step: Step::Pong,
            inbuf: Vec::new(),
            out: Vec::new(),
            last_io_ms: None,
            down_since_ms: None,
            sync_read: 0,
            sync_total: None,
            failover: false,
            last_error: None,
            db: 0,
        }
    }
}

/// Where the host should connect, and the attempt's epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkTarget {
    pub host: String,
    pub port: u16,
    pub epoch: u64,
}

fn command(out: &mut Vec<u8>, words: &[&[u8]]) {
    let argv: Vec<Vec<u8>> = words.iter().map(|w| w.to_vec()).collect();
    encode_command(out, &argv);
}

/// One `\r\n`-terminated line at the front of `buf` (taken out).
fn take_line(buf: &mut Vec<u8>) -> Option<String> {
    let nl = buf.iter().position(|&c| c == b'\n')?;
    let line: Vec<u8> = buf.drain(..=nl).collect();
    let line = line.strip_suffix(b"\n").unwrap_or(&line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    Some(String::from_utf8_lossy(line).into_owned())
}

impl Engine {
    /// The epoch of the current link attempt, while this server is a replica.
    pub fn master_link_epoch(&self) -> Option<u64> {
        self.repl.master.as_ref().map(|m| m.epoch)
    }

    /// The link state, while this server is a replica.
    pub fn master_link_state(&self) -> Option<LinkState> {
        self.repl.master.as_ref().map(|m| m.state)
    }

    /// Why the last link attempt failed, if it did.
    pub fn master_link_error(&self) -> Option<String> {
        self.repl.master.as_ref().and_then(|m| m.last_error.clone())
    }

    /// Where to connect, while this replica has no link (`connect`, or
    /// `connecting` after a failed attempt).
    pub fn master_link_wanted(&self) -> Option<LinkTarget> {
        let m = self.repl.master.as_ref()?;
        matches!(m.state, LinkState::Connect | LinkState::Connecting).then(|| LinkTarget {
            host: m.host.clone(),
            port: m.port,
            epoch: m.epoch,
        })
    }

    fn link(&mut self, epoch: u64) -> Option<&mut MasterLink> {
        self.repl.master.as_mut().filter(|m| m.epoch == epoch)
    }

    /// The host started connecting.
    pub fn master_link_connecting(&mut self, epoch: u64) {
        if let Some(m) = self.link(epoch) {
            m.state = LinkState::Connecting;
        }
    }

    /// The host is connected: the handshake starts with PING.
    pub fn master_link_up(&mut self, epoch: u64) {
        let now = self.now_ms();
        let Some(m) = self.link(epoch) else { return };
        m.state = LinkState::Handshake;
        m.step = Step::Pong;
        m.inbuf.clear();
        m.out.clear();
        m.last_io_ms = Some(now);
        command(&mut m.out, &[b"PING"]);
    }

    /// The connection failed or closed: back to `connect`, under a new
    /// epoch (the host drops whatever it holds for the old one).
    pub fn master_link_down(&mut self, epoch: u64) {
        if self.link(epoch).is_none() {
            return;
        }
        let now = self.now_ms();
        let next = self.repl.next_epoch();
        if let Some(m) = self.repl.master.as_mut() {
            if m.state == LinkState::Connected || m.down_since_ms.is_none() {
                m.down_since_ms = Some(now);
            }
            m.state = LinkState::Connect;
            m.step = Step::Pong;
            m.inbuf.clear();
            m.out.clear();
            m.epoch = next;
            m.sync_total = None;
            m.sync_read = 0;
        }
    }

    fn link_failed(&mut self, epoch: u64, why: String) {
        if let Some(m) = self.link(epoch) {
            m.last_error = Some(why);
        }
        self.master_link_down(epoch);
    }

    /// Bytes to send to the master.
    pub fn take_master_output(&mut self, epoch: u64) -> Vec<u8> {
        self.link(epoch).map(|m| std::mem::take(&mut m.out)).unwrap_or_default()
    }

    /// `REPLCONF ACK <offset>`, while the stream is applied.
    pub(crate) fn send_ack(&mut self) {
        let offset = self.repl.offset;
        if let Some(m) = self.repl.master.as_mut().filter(|m| m.state == LinkState::Connected) {
            command(&mut m.out, &[b"REPLCONF", b"ACK", offset.to_string().as_bytes()]);
        }
    }

    /// Bytes from the master: handshake replies, the RDB file, the stream.
    pub fn feed_from_master(&mut self, epoch: u64, bytes: &[u8]) {
        let now = self.now_ms();
        let Some(m) = self.link(epoch) else { return };
        m.inbuf.extend_from_slice(bytes);
        m.last_io_ms = Some(now);
        while self.link_step(epoch) {}
    }

    /// Moves the link one step on; false when it needs more bytes.
    fn link_step(&mut self, epoch: u64) -> bool {
        let auth = self.config.extra.get("masterauth").filter(|a| !a.is_empty()).cloned();
        let user = self.config.extra.get("masteruser").filter(|a| !a.is_empty()).cloned();
        let (port, replid, offset) = (self.repl.listening_port, self.repl.replid.clone(), self.repl.offset);
        let Some(m) = self.link(epoch) else { return false };
        match m.step.clone() {
            Step::Pong => {
                let Some(line) = take_line(&mut m.inbuf) else { return false };
                let tolerated = ["-NOAUTH", "-NOPERM", "-ERR operation not permitted"];
                if line.starts_with('-') && !tolerated.iter().any(|t| line.starts_with(t)) {
                    self.link_failed(epoch, format!("Error reply to PING from master: '{line}'"));
                    return false;
                }
                if let Some(pass) = &auth {
                    match &user {
                        Some(u) => command(&mut m.out, &[b"AUTH", u.as_bytes(), pass.as_bytes()]),
                        None => command(&mut m.out, &[b"AUTH", pass.as_bytes()]),
                    }
                }
                command(&mut m.out, &[b"REPLCONF", b"listening-port", port.to_string().as_bytes()]);
                command(&mut m.out, &[b"REPLCONF", b"capa", b"eof", b"capa", b"psync2"]);
                m.step = if auth.is_some() { Step::Auth } else { Step::Port };
                true
            }
            Step::Auth => {
                let Some(line) = take_line(&mut m.inbuf) else { return false };
                if line.starts_with('-') {
                    self.link_failed(epoch, format!("Unable to AUTH to MASTER: {line}"));
                    return false;
                }
                m.step = Step::Port;
                true
            }
            Step::Port | Step::Capa => {
                // Errors here are only logged by Redis (old masters).
                if take_line(&mut m.inbuf).is_none() {
                    return false;
                }
                if m.step == Step::Capa {
                    let off = (offset + 1).to_string();
                    if m.failover {
                        command(&mut m.out, &[b"PSYNC", replid.as_bytes(), off.as_bytes(), b"FAILOVER"]);
                    } else {
                        command(&mut m.out, &[b"PSYNC", replid.as_bytes(), off.as_bytes()]);
                    }
                    m.step = Step::Psync;
                } else {
                    m.step = Step::Capa;
                }
                true
            }
            Step::Psync => {
                while m.inbuf.first() == Some(&b'\n') {
                    m.inbuf.remove(0);
                }
                let Some(line) = take_line(&mut m.inbuf) else { return false };
                let words: Vec<&str> = line.split_whitespace().collect();
                match words.as_slice() {
                    ["+FULLRESYNC", id, off] => {
                        let offset = off.parse().unwrap_or(0);
                        let t =
                            Transfer { replid: id.to_string(), offset, size: None, eof_mark: None, data: Vec::new() };
                        m.step = Step::Rdb(t);
                        m.state = LinkState::Sync;
                        true
                    }
                    ["+CONTINUE", rest @ ..] => {
                        let new_id = rest.first().map(|s| s.to_string());
                        self.partial_sync_accepted(epoch, new_id);
                        true
                    }
                    _ => {
                        self.link_failed(epoch, format!("Unexpected reply to PSYNC from master: {line}"));
                        false
                    }
                }
            }
            Step::Rdb(mut t) => {
                if t.size.is_none() && t.eof_mark.is_none() {
                    while m.inbuf.first() == Some(&b'\n') {
                        m.inbuf.remove(0);
                    }
                    let Some(line) = take_line(&mut m.inbuf) else { return false };
                    if let Some(mark) = line.strip_prefix("$EOF:").filter(|mk| mk.len() == 40) {
                        t.eof_mark = Some(mark.as_bytes().to_vec());
                    } else if let Some(n) = line.strip_prefix('$').and_then(|n| n.parse::<usize>().ok()) {
                        t.size = Some(n);
                        m.sync_total = Some(n);
                    } else {
                        self.link_failed(epoch, format!("Bad protocol from MASTER, the first byte is not '$': {line}"));
                        return false;
                    }
                }
                let done = match (t.size, &t.eof_mark) {
                    (Some(n), _) => {
                        let take = (n - t.data.len()).min(m.inbuf.len());
                        t.data.extend(m.inbuf.drain(..take));
                        t.data.len() == n
                    }
                    (None, Some(mark)) => {
                        t.data.append(&mut m.inbuf);
                        if t.data.ends_with(mark) {
                            t.data.truncate(t.data.len() - mark.len());
                            true
                        } else {
                            false
                        }
                    }
                    (None, None) => false,
                };
                m.sync_read = t.data.len();
                if !done {
                    m.step = Step::Rdb(t);
                    return false;
                }
                self.full_sync_loaded(epoch, t)
            }
            Step::Stream => {
                let client = m.client;
                let max = self.config.proto_max_bulk_len;
                let killed = client.is_none_or(|id| self.clients.get(&id).is_none());
                if killed {
                    // CLIENT KILL TYPE master: the link drops; we reconnect and continue.
                    self.link_failed(epoch, "Connection with master lost (master client killed).".into());
                    return false;
                }
                let Some(m) = self.link(epoch) else { return false };
                let (argv, used) = match parse_request(&m.inbuf, max) {
                    Parsed::Incomplete => return false,
                    Parsed::Error(e) => {
                        self.link_failed(epoch, format!("Protocol error from MASTER: {e}"));
                        return false;
                    }
                    Parsed::Command(argv, used) => (argv, used),
                };
                let raw: Vec<u8> = m.inbuf.drain(..used).collect();
                self.apply_from_master(argv);
                // The stream goes on, as received, to our own replicas.
                self.repl.feed(&raw);
                true
            }
        }
    }

    /// One command of the master's stream, run by the master client.
    fn apply_from_master(&mut self, argv: Vec<Vec<u8>>) {
        let getack =
            argv.len() >= 2 && argv[0].eq_ignore_ascii_case(b"REPLCONF") && argv[1].eq_ignore_ascii_case(b"GETACK");
        if getack {
            self.send_ack();
            return;
        }
        if argv.is_empty() {
            return;
        }
        let Some(id) = self.repl.master.as_ref().and_then(|m| m.client) else { return };
        let _ = self.execute(id, argv);
        let db = self.clients.get(&id).map(|c| c.db);
        if let (Some(m), Some(db)) = (self.repl.master.as_mut(), db) {
            m.db = db;
        }
    }

    /// The client that applies the stream, created once.
    fn ensure_master_client(&mut self) {
        let Some(m) = self.repl.master.as_ref() else { return };
        if m.client.is_some_and(|id| self.clients.get(&id).is_some()) {
            return;
        }
        let (addr, db) = (format!("{}:{}", m.host, m.port), m.db);
        let id = self.connect(addr);
        if let Some(c) = self.clients.get_mut(&id) {
            c.auth.authenticated = true;
            c.db = db;
            c.link = crate::client::LinkRole::Master;
        }
        if let Some(m) = self.repl.master.as_mut() {
            m.client = Some(id);
        }
    }

    fn link_connected(&mut self) {
        self.ensure_master_client();
        if let Some(m) = self.repl.master.as_mut() {
            m.state = LinkState::Connected;
            m.step = Step::Stream;
            m.down_since_ms = None;
            m.last_error = None;
        }
        self.repl.last_ack_sent_ms = self.now_ms();
        self.send_ack();
        // A failover that made us a replica ends here.
        self.failover_cron();
    }

    /// `+CONTINUE [replid]`: the stream resumes where we are.
    fn partial_sync_accepted(&mut self, _epoch: u64, new_id: Option<String>) {
        if let Some(id) = new_id.filter(|id| *id != self.repl.replid) {
            self.repl.replid2 = std::mem::replace(&mut self.repl.replid, id);
            self.repl.second_offset = self.repl.offset + 1;
            // Our replicas must learn the new history.
            let ids: Vec<ClientId> = self.repl.replicas.drain(..).map(|r| r.client).collect();
            self.repl.closing.extend(ids);
        }
        self.repl.ensure_backlog(&self.config);
        self.link_connected();
    }

    /// The RDB file arrived: it replaces the dataset, and our history is the master's.
    fn full_sync_loaded(&mut self, epoch: u64, t: Transfer) -> bool {
        if let Err(e) = self.load_rdb(&t.data) {
            self.link_failed(epoch, format!("Failed trying to load the MASTER synchronization DB from socket: {e}"));
            return false;
        }
        if self.server.aof.is_enabled() {
            // As Redis restarts its AOF after a full sync: a new base holds the loaded data.
            crate::persist::rewrite_aof(self);
        }
        self.repl.replid = t.replid;
        self.repl.replid2 = super::NO_REPLID.into();
        self.repl.second_offset = -1;
        self.repl.offset = t.offset;
        self.repl.backlog = None;
        self.repl.ensure_backlog(&self.config);
        let ids: Vec<ClientId> = self.repl.replicas.drain(..).map(|r| r.client).collect();
        self.repl.closing.extend(ids);
        if let Some(c) = self.repl.master.as_ref().and_then(|m| m.client).and_then(|id| self.clients.get_mut(&id)) {
            c.db = 0;
            c.multi = None;
        }
        if let Some(m) = self.repl.master.as_mut() {
            m.db = 0;
        }
        self.link_connected();
        true
    }
}
