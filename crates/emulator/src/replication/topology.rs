//! Several engines in one process, linked in memory: the page's "master
//! with two replicas" and its cluster of masters and replicas. Each node
//! is an [`Engine`] on a manual clock at `127.0.0.1:<port>`, behind an
//! `Arc<Mutex<_>>` so MIGRATE can reach the other nodes in the middle of a
//! command (through [`TopologyHost`](super::TopologyHost)). [`Topology::advance`] moves every
//! clock together and carries bytes between nodes exactly as TCP would
//! (the handshake, the RDB file, the RESP stream, `REPLCONF ACK`), after
//! each link's delay, and the cluster bus messages between running nodes.
//! Links can be cut and nodes stopped, so what asynchronous replication
//! loses when a master dies is visible.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use super::ReplicaIo;
use crate::client::ClientId;
use crate::cluster::bus::BusMessage;
use crate::engine::Engine;
use crate::reply::Reply;
use crate::resp::{encode, parse_request, Parsed, Protocol};

/// One server of the topology.
pub struct Node {
    pub port: u16,
    /// False once stopped: no time passes for it and nothing reaches it.
    pub running: bool,
    /// One-way delay of this node's links (ms): its link to its master,
    /// and its share of every cluster bus message it sends or receives.
    pub delay_ms: i64,
    /// Its links are cut (replication and cluster bus; no reconnection).
    pub cut: bool,
    pub(super) engine: Arc<Mutex<Engine>>,
    pub(super) clients: Vec<Console>,
    /// The client [`Topology::run`] uses.
    console: Option<ClientId>,
}

/// A client the host opened on a node ([`Topology::connect`]): its handle
/// stays valid across stops and restarts; the engine's client behind it
/// is made again when the node lost it.
pub(super) struct Console {
    pub(super) handle: ClientId,
    pub(super) name: String,
    pub(super) addr: String,
    pub(super) id: Option<ClientId>,
}

/// An open link between a replica and its master.
struct Link {
    replica: usize,
    master: usize,
    epoch: u64,
    /// The replica's connection as the master sees it.
    on_master: ClientId,
    to_master: VecDeque<(i64, Vec<u8>)>,
    to_replica: VecDeque<(i64, Vec<u8>)>,
    requests: Vec<u8>,
}

/// A cluster bus message on its way.
pub(super) struct InFlight {
    pub(super) due: i64,
    pub(super) from: usize,
    pub(super) to: usize,
    pub(super) message: BusMessage,
}

/// Nodes and the links between them, on one clock.
pub struct Topology {
    pub(super) nodes: Vec<Node>,
    links: Vec<Link>,
    pub(super) now_ms: i64,
    seed: u64,
    next_peer_port: u32,
    next_client: ClientId,
    /// Replica connections a master closed, handled at the end of a pass.
    closing: Vec<(usize, ClientId)>,
    pub(super) bus: VecDeque<InFlight>,
    /// What MIGRATE sees of the nodes (shared with every node's host).
    pub(super) registry: Arc<Mutex<Vec<super::topology_cluster::HostEntry>>>,
}

pub(super) fn lock(engine: &Mutex<Engine>) -> MutexGuard<'_, Engine> {
    engine.lock().unwrap_or_else(|p| p.into_inner())
}

impl Topology {
    /// An empty topology whose clock starts at `start_ms`.
    pub fn new(start_ms: i64, seed: u64) -> Topology {
        Topology {
            nodes: Vec::new(),
            links: Vec::new(),
            now_ms: start_ms,
            seed,
            next_peer_port: 40000,
            next_client: 1,
            closing: Vec::new(),
            bus: VecDeque::new(),
            registry: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Adds a server listening (in name) on `127.0.0.1:port`; returns its index.
    pub fn add_node(&mut self, port: u16) -> usize {
        let seed = self.seed.wrapping_mul(31).wrapping_add(port as u64);
        let mut engine = Engine::with_manual_clock(self.now_ms, seed);
        engine.set_replication_port(port);
        let engine = Arc::new(Mutex::new(engine));
        self.register(port, &engine);
        let node = Node { port, engine, running: true, delay_ms: 0, cut: false, clients: Vec::new(), console: None };
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The engine of node `i`, locked: read it, or run commands on it and
    /// call [`Topology::pump`] after. Drop the guard before calling the
    /// topology again.
    pub fn engine(&self, i: usize) -> Option<MutexGuard<'_, Engine>> {
        self.nodes.get(i).map(|n| lock(&n.engine))
    }

    pub(super) fn lock(&self, i: usize) -> MutexGuard<'_, Engine> {
        lock(&self.nodes[i].engine)
    }

    /// The node listening on `port`.
    pub fn find(&self, port: u16) -> Option<usize> {
        self.nodes.iter().position(|n| n.port == port)
    }

    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }

    /// The node node `i` has an open link to, as its replica.
    pub fn master_of(&self, i: usize) -> Option<usize> {
        self.links.iter().find(|l| l.replica == i).map(|l| l.master)
    }

    /// How many bytes of its master's stream node `i` has yet to apply
    /// (None without an open link).
    pub fn lag_bytes(&self, i: usize) -> Option<i64> {
        let m = self.master_of(i)?;
        let ahead = self.lock(m).master_repl_offset();
        Some((ahead - self.lock(i).master_repl_offset()).max(0))
    }

    /// Bytes travelling on node `i`'s link now (both ways).
    pub fn in_flight(&self, i: usize) -> usize {
        let sizes = |q: &VecDeque<(i64, Vec<u8>)>| q.iter().map(|(_, b)| b.len()).sum::<usize>();
        self.links.iter().filter(|l| l.replica == i).map(|l| sizes(&l.to_master) + sizes(&l.to_replica)).sum()
    }

    /// Opens a client on node `i` (a console of the page; `name` is the
    /// host's label for it, the node does not see it). Its handle stays
    /// valid while the node is stopped and restarted: the next command
    /// connects again, as redis-cli does. `None` for no such node.
    pub fn connect(&mut self, i: usize, name: &str) -> Option<ClientId> {
        let handle = self.next_client;
        let node = self.nodes.get_mut(i)?;
        self.next_client += 1;
        let addr = format!("127.0.0.1:{}", 30000 + handle % 30000);
        let id = node.running.then(|| connect_console(&mut lock(&node.engine), &addr, node.port));
        node.clients.push(Console { handle, name: name.to_string(), addr, id });
        Some(handle)
    }

    /// Closes a client [`Topology::connect`] opened.
    pub fn disconnect(&mut self, i: usize, client: ClientId) {
        let Some(node) = self.nodes.get_mut(i) else { return };
        let Some(at) = node.clients.iter().position(|c| c.handle == client) else { return };
        let console = node.clients.remove(at);
        if let Some(id) = console.id {
            lock(&node.engine).disconnect(id);
        }
        self.pump();
    }

    /// The clients opened on node `i`: (handle, name).
    pub fn clients(&self, i: usize) -> Vec<(ClientId, String)> {
        self.nodes.get(i).map_or_else(Vec::new, |n| n.clients.iter().map(|c| (c.handle, c.name.clone())).collect())
    }

    /// The engine's id of a client opened with [`Topology::connect`] (what
    /// the engine's events name), while it is connected.
    pub fn engine_client(&self, i: usize, client: ClientId) -> Option<ClientId> {
        self.nodes.get(i)?.clients.iter().find(|c| c.handle == client)?.id
    }

    /// Runs one command on node `i` for a client [`Topology::connect`]
    /// opened, then lets the links carry what it produced. A stopped node
    /// answers the error redis-cli prints when it cannot connect.
    pub fn execute(&mut self, i: usize, client: ClientId, argv: Vec<Vec<u8>>) -> Reply {
        let Some(node) = self.nodes.get_mut(i) else { return Reply::error("ERR no such node") };
        if !node.running {
            return refused(node.port);
        }
        let Some(console) = node.clients.iter_mut().find(|c| c.handle == client) else {
            return Reply::error("ERR no such client");
        };
        let reply = {
            let mut engine = lock(&node.engine);
            let id = match console.id {
                Some(id) if engine.client(id).is_some() => id,
                _ => {
                    let id = connect_console(&mut engine, &console.addr, node.port);
                    console.id = Some(id);
                    id
                }
            };
            engine.execute(id, argv)
        };
        self.pump();
        reply
    }

    /// Runs one command on node `i` from its console client, then lets
    /// the links carry what it produced. A stopped node answers an error.
    pub fn run(&mut self, i: usize, argv: Vec<Vec<u8>>) -> Reply {
        let Some(node) = self.nodes.get(i) else { return Reply::error("ERR no such node") };
        if !node.running {
            return refused(node.port);
        }
        let console = match node.console {
            Some(handle) => handle,
            None => {
                let Some(handle) = self.connect(i, "console") else { return Reply::error("ERR no such node") };
                self.nodes[i].console = Some(handle);
                handle
            }
        };
        self.execute(i, console, argv)
    }

    /// [`Topology::run`] with a console line (`SET k v`).
    pub fn run_line(&mut self, i: usize, line: &str) -> Reply {
        match crate::tokenizer::split_line(line) {
            Ok(argv) => self.run(i, argv),
            Err(_) => Reply::error("ERR Invalid argument(s)"),
        }
    }

    /// Sets the one-way delay of node `i`'s links.
    pub fn set_delay(&mut self, i: usize, ms: i64) {
        if let Some(n) = self.nodes.get_mut(i) {
            n.delay_ms = ms.max(0);
        }
    }

    /// Cuts node `i`'s links: both ends of its replication link see the
    /// connection drop, it cannot reconnect, and no cluster bus message
    /// reaches or leaves it until [`Topology::restore`].
    pub fn cut(&mut self, i: usize) {
        if let Some(n) = self.nodes.get_mut(i) {
            n.cut = true;
        }
        self.refresh_registry();
        self.close_links(|l| l.replica == i);
    }

    pub fn restore(&mut self, i: usize) {
        if let Some(n) = self.nodes.get_mut(i) {
            n.cut = false;
        }
        self.refresh_registry();
        self.pump();
    }

    /// Stops node `i` (its process dies): its links and its clients'
    /// connections drop, bytes in flight are lost.
    pub fn stop(&mut self, i: usize) {
        if let Some(n) = self.nodes.get_mut(i) {
            n.running = false;
            let mut engine = lock(&n.engine);
            for console in n.clients.iter_mut() {
                if let Some(id) = console.id.take() {
                    engine.disconnect(id);
                }
            }
        }
        self.refresh_registry();
        self.bus.retain(|m| m.from != i && m.to != i);
        self.close_links(|l| l.replica == i || l.master == i);
    }

    /// Starts a stopped node again with the data it had.
    pub fn start(&mut self, i: usize) {
        let now = self.now_ms;
        if let Some(n) = self.nodes.get_mut(i) {
            n.running = true;
            let mut engine = lock(&n.engine);
            let behind = now - engine.now_ms();
            if behind > 0 {
                engine.advance_clock(behind);
            }
        }
        self.refresh_registry();
        self.pump();
    }

    /// Restarts node `i` as a new process on its disk, as redis-server
    /// starts: with what reached the disk (the fsync model decides, as for a
    /// power loss), a new replication id, and as a master (REPLICAOF given
    /// at run time is not remembered). Without persistence it comes back empty —
    /// and replicas still following it then copy that emptiness. A cluster
    /// node keeps its node table (Redis's nodes.conf).
    pub fn restart(&mut self, i: usize) -> Result<(), crate::persist::LoadError> {
        if i >= self.nodes.len() {
            return Ok(());
        }
        self.stop(i);
        let (files, mut config, cluster) = {
            let mut old = self.lock(i);
            let files: Vec<(String, Vec<u8>)> = old
                .disk_files()
                .into_iter()
                .map(|(path, mut data)| {
                    data.truncate(old.disk_synced_len(&path));
                    (path, data)
                })
                .collect();
            (files, old.config().clone(), old.cluster_state().cloned())
        };
        config.extra.insert("replicaof", String::new());
        let seed = self.seed.wrapping_mul(131).wrapping_add(self.now_ms as u64).wrapping_add(i as u64);
        let mut engine = Engine::new(crate::clock::Clock::manual(self.now_ms), seed, config);
        let port = self.nodes[i].port;
        engine.set_replication_port(port);
        if let Some(state) = cluster {
            engine.enable_cluster("127.0.0.1", port);
            if let Some(slot) = engine.cluster_state_mut() {
                *slot = state.reloaded(self.now_ms);
            }
            engine.set_cluster_host(Box::new(self.host(i)));
        }
        engine.boot_from_disk(files)?;
        *self.lock(i) = engine;
        let node = &mut self.nodes[i];
        node.console = None;
        node.running = true;
        self.refresh_registry();
        self.pump();
        Ok(())
    }

    /// Moves every running node's clock by `ms`, in steps of at most 10 ms,
    /// carrying bytes after each step.
    pub fn advance(&mut self, ms: i64) {
        let mut left = ms.max(0);
        while left > 0 {
            let step = left.min(10);
            left -= step;
            self.now_ms += step;
            for n in self.nodes.iter().filter(|n| n.running) {
                lock(&n.engine).advance_clock(step);
            }
            self.pump();
        }
    }

    fn close_links(&mut self, which: impl Fn(&Link) -> bool) {
        let (closing, kept): (Vec<Link>, Vec<Link>) = self.links.drain(..).partition(|l| which(l));
        self.links = kept;
        for l in closing {
            self.lock(l.master).disconnect(l.on_master);
            self.lock(l.replica).master_link_down(l.epoch);
        }
    }

    /// Carries every byte that is due, until nothing moves.
    pub fn pump(&mut self) {
        for _ in 0..10_000 {
            if !self.pump_once() {
                break;
            }
        }
    }

    fn pump_once(&mut self) -> bool {
        let mut moved = self.open_links();
        moved |= self.carry_bus();
        // Links whose replica moved on (REPLICAOF elsewhere, a failed handshake) close.
        let stale: Vec<u64> = self
            .links
            .iter()
            .filter(|l| self.lock(l.replica).master_link_epoch() != Some(l.epoch))
            .map(|l| l.epoch)
            .collect();
        if !stale.is_empty() {
            self.close_links(|l| stale.contains(&l.epoch));
            moved = true;
        }
        let now = self.now_ms;
        for li in 0..self.links.len() {
            let (r, m, epoch) = (self.links[li].replica, self.links[li].master, self.links[li].epoch);
            let out = self.lock(r).take_master_output(epoch);
            if !out.is_empty() {
                let due = now.saturating_add(self.nodes[r].delay_ms);
                self.links[li].to_master.push_back((due, out));
                moved = true;
            }
            while self.links[li].to_master.front().is_some_and(|(due, _)| *due <= now) {
                let Some((_, bytes)) = self.links[li].to_master.pop_front() else { break };
                self.links[li].requests.extend_from_slice(&bytes);
                self.serve_requests(li, m);
                moved = true;
            }
        }
        moved |= self.route_master_output();
        let mut closed = Vec::new();
        for li in 0..self.links.len() {
            let (r, epoch) = (self.links[li].replica, self.links[li].epoch);
            while self.links[li].to_replica.front().is_some_and(|(due, _)| *due <= now) {
                let Some((_, bytes)) = self.links[li].to_replica.pop_front() else { break };
                self.lock(r).feed_from_master(epoch, &bytes);
                moved = true;
            }
            if self.lock(r).master_link_epoch() != Some(epoch) {
                closed.push(epoch);
            }
        }
        if !closed.is_empty() {
            self.close_links(|l| closed.contains(&l.epoch));
        }
        let closing = std::mem::take(&mut self.closing);
        if !closing.is_empty() {
            self.close_links(|l| closing.contains(&(l.master, l.on_master)));
            moved = true;
        }
        moved
    }

    /// Replicas that want a link get one when their master is reachable.
    fn open_links(&mut self) -> bool {
        let mut opened = false;
        for r in 0..self.nodes.len() {
            if !self.nodes[r].running || self.nodes[r].cut {
                continue;
            }
            let Some(target) = self.lock(r).master_link_wanted() else { continue };
            let local = matches!(target.host.as_str(), "127.0.0.1" | "localhost");
            let master = self.find(target.port).filter(|&m| local && m != r && self.nodes[m].running);
            self.lock(r).master_link_connecting(target.epoch);
            let Some(m) = master else { continue };
            let addr = format!("127.0.0.1:{}", self.next_peer_port);
            self.next_peer_port = if self.next_peer_port >= 60000 { 40000 } else { self.next_peer_port + 1 };
            let on_master = self.lock(m).connect(addr);
            self.lock(r).master_link_up(target.epoch);
            self.links.push(Link {
                replica: r,
                master: m,
                epoch: target.epoch,
                on_master,
                to_master: VecDeque::new(),
                to_replica: VecDeque::new(),
                requests: Vec::new(),
            });
            opened = true;
        }
        opened
    }

    /// Runs the replica's requests on the master; replies go back on the link.
    fn serve_requests(&mut self, li: usize, m: usize) {
        let now = self.now_ms;
        loop {
            let Some(link) = self.links.get_mut(li) else { return };
            let parsed = parse_request(&link.requests, 512 * 1024 * 1024);
            let (argv, used) = match parsed {
                Parsed::Command(argv, used) => (argv, used),
                Parsed::Incomplete | Parsed::Error(_) => return,
            };
            link.requests.drain(..used);
            if argv.is_empty() {
                continue;
            }
            let (id, delay) = (link.on_master, self.nodes[link.replica].delay_ms);
            let reply = self.lock(m).execute(id, argv);
            let mut bytes = Vec::new();
            encode(&reply, Protocol::Resp2, &mut bytes);
            if !bytes.is_empty() {
                self.links[li].to_replica.push_back((now.saturating_add(delay), bytes));
            }
            // What the command queued for this replica follows its reply.
            self.route_master_output();
        }
    }

    /// Bytes the masters have for their replicas go onto the links.
    fn route_master_output(&mut self) -> bool {
        let now = self.now_ms;
        let mut moved = false;
        for m in 0..self.nodes.len() {
            let output = self.lock(m).take_replica_output();
            for io in output {
                moved = true;
                match io {
                    ReplicaIo::Send(id, bytes) => {
                        let Some(link) = self.links.iter_mut().find(|l| l.master == m && l.on_master == id) else {
                            continue;
                        };
                        let delay = self.nodes[link.replica].delay_ms;
                        link.to_replica.push_back((now.saturating_add(delay), bytes));
                    }
                    ReplicaIo::Close(id) => self.closing.push((m, id)),
                }
            }
        }
        moved
    }
}

/// What redis-cli prints when nothing listens on the port.
fn refused(port: u16) -> Reply {
    Reply::error(format!("ERR Could not connect to Redis at 127.0.0.1:{port}: Connection refused"))
}

/// A console's connection, made to the node's port.
fn connect_console(engine: &mut Engine, addr: &str, port: u16) -> ClientId {
    let id = engine.connect(addr);
    engine.set_client_local_addr(id, format!("127.0.0.1:{port}"));
    id
}
