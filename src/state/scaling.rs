//! The "Scaling out" page's servers: several engines in one
//! [`Topology`] (a master with replicas, or a cluster), the consoles
//! pointed at them, and what the views draw. Pure data and logic — no
//! DOM — so the redirect rules are tested natively.
//!
//! A console is attached to one node at a time and has a client on each
//! node it has talked to. In "follow redirects" mode it does what
//! `redis-cli -c` 7.0 does with a `MOVED` or `ASK` reply: it prints
//! `-> Redirected to slot [N] located at 127.0.0.1:P`, moves to that node
//! and sends the command again there (after `ASKING` for `ASK`). The next
//! command goes to the node it moved to, as in redis-cli (after an `ASK`,
//! that node answers `MOVED` back for keys of the slot still migrating).

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use yew::Callback;

use redis_emulator::cli_format::{format_for_command, quote_bytes};
use redis_emulator::cluster::{key_slot, SLOTS};
use redis_emulator::glob::glob_match;
use redis_emulator::{ClientId, Event, Protocol, Reply, Topology};
use redis_lessons::topology::{apply, build, node_id, refused};
use redis_lessons::{NodeAction, TopologyKind};

/// The topologies the page builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    /// A master on 6379 and two replicas (6380, 6381) following it.
    Replicas,
    /// Three cluster masters on 7000-7002.
    Cluster,
    /// The same masters, each with a replica on 7003-7005.
    ClusterReplicas,
}

impl Preset {
    pub const ALL: &'static [Preset] = &[Preset::Replicas, Preset::Cluster, Preset::ClusterReplicas];

    pub fn code(self) -> &'static str {
        match self {
            Preset::Replicas => "replicas",
            Preset::Cluster => "cluster",
            Preset::ClusterReplicas => "cluster-replicas",
        }
    }

    pub fn from_code(code: &str) -> Option<Preset> {
        Preset::ALL.iter().copied().find(|p| p.code() == code)
    }

    /// The groups of servers it builds.
    pub fn kinds(self) -> Vec<TopologyKind> {
        match self {
            Preset::Replicas => vec![TopologyKind::Replicas],
            Preset::Cluster => vec![TopologyKind::Cluster],
            Preset::ClusterReplicas => vec![TopologyKind::ClusterReplicas],
        }
    }
}

/// A node's role as the views show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    Master,
    /// A replica, with the port of the master it has a link to (None: the
    /// link is down or not up yet).
    Replica(Option<u16>),
}

/// What the topology view shows of one node.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeView {
    pub index: usize,
    pub port: u16,
    pub role: Role,
    pub running: bool,
    pub cut: bool,
    pub delay_ms: i64,
    /// `master_repl_offset`.
    pub offset: i64,
    /// Bytes of its master's stream it has yet to apply.
    pub lag: Option<i64>,
    /// Bytes on its link right now.
    pub in_flight: usize,
    /// The slots it owns, as ranges (cluster nodes).
    pub slots: Vec<(u16, u16)>,
    /// Keys in database 0.
    pub keys: usize,
    /// The replication link's state while a replica (`connected`, `sync`…).
    pub link: Option<&'static str>,
    /// A cluster node (its bus links can be cut and delayed too).
    pub cluster: bool,
}

/// One console's place in the topology.
#[derive(Clone, Debug)]
struct Attach {
    node: usize,
    follow: bool,
    /// Its client on each node it talked to (the topology's handles).
    clients: BTreeMap<usize, ClientId>,
}

/// Most redirections followed for one command (redis-cli has no limit; a
/// slot moving back and forth must not loop forever here).
const MAX_REDIRECTS: usize = 5;
/// Most keys listed per node.
pub const KEYS_SHOWN: usize = 200;

/// A key as the node key browser lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct BrowsedKey {
    pub key: Vec<u8>,
    pub kind: &'static str,
    /// Milliseconds left to live, if it expires.
    pub ttl_ms: Option<i64>,
}

/// The page's topology and its consoles.
pub struct Scaling {
    topo: Topology,
    /// New consoles follow redirects (the page) or not (lessons, as
    /// redis-cli without -c).
    follow_default: bool,
    consoles: BTreeMap<u32, Attach>,
    /// Replies that arrived for a console outside its own commands.
    mailbox: BTreeMap<u32, Vec<(Reply, Protocol)>>,
    /// The slot of the last key a console used, lit on the slot map.
    pub last_slot: Option<u16>,
    pub last_key: Option<Vec<u8>>,
    /// The clock does not move with real time while paused.
    pub paused: bool,
    /// Lines a lesson asked a console to run: (console, line, block).
    scripted: Vec<(u32, String, Option<Rc<str>>)>,
    /// What each block's lines printed, by block key.
    echoes: HashMap<Rc<str>, String>,
}

/// What components get: the topology, a revision that changes whenever
/// something visible happened, and a way to announce such a change.
#[derive(Clone)]
pub struct ScalingHandle {
    pub lab: Rc<RefCell<Scaling>>,
    pub revision: u64,
    pub bump: Callback<()>,
}

impl PartialEq for ScalingHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.lab, &other.lab) && self.revision == other.revision
    }
}

fn running(topo: &Topology, i: usize) -> bool {
    topo.nodes().get(i).is_some_and(|n| n.running)
}

/// `MOVED 3999 127.0.0.1:6381` / `ASK …` → (asking, slot, port).
pub fn redirect_of(reply: &Reply) -> Option<(bool, u16, u16)> {
    let text = reply.error_text()?;
    let mut words = text.split(' ');
    let asking = match words.next()? {
        "MOVED" => false,
        "ASK" => true,
        _ => return None,
    };
    let slot = words.next()?.parse().ok()?;
    let (_, port) = words.next()?.rsplit_once(':')?;
    Some((asking, slot, port.parse().ok()?))
}

/// The first key a command names, for lighting its slot: keys as
/// Redis's command table places them (first key position).
pub fn first_key(argv: &[Vec<u8>]) -> Option<Vec<u8>> {
    use redis_emulator::commands::{lookup, Lookup};
    let Lookup::Found(spec) = lookup(argv) else { return None };
    spec.key_args(argv).first().map(|k| k.to_vec())
}

impl Scaling {
    /// The servers of `kinds`, their clock at `start_ms`; new consoles
    /// follow redirects when `follow` is set.
    pub fn new(kinds: &[TopologyKind], start_ms: i64, seed: u64, follow: bool) -> Scaling {
        let topo = build(kinds, start_ms, seed);
        let mut s = Scaling {
            topo,
            follow_default: follow,
            consoles: BTreeMap::new(),
            mailbox: BTreeMap::new(),
            last_slot: None,
            last_key: None,
            paused: false,
            scripted: Vec::new(),
            echoes: HashMap::new(),
        };
        s.drain();
        s
    }

    /// Runs a lesson's setup lines on the first server, on a client of
    /// their own (as the lesson runner does).
    pub fn run_setup(&mut self, lines: &[String]) {
        let Some(client) = self.topo.connect(0, "lesson:setup") else { return };
        for line in lines {
            if let Ok(argv) = redis_emulator::tokenizer::split_line(line) {
                self.topo.execute(0, client, argv);
            }
        }
        self.topo.disconnect(0, client);
        self.drain();
    }

    pub fn topology_mut(&mut self) -> &mut Topology {
        &mut self.topo
    }

    /// Does a lesson block's action on a server.
    pub fn act(&mut self, action: NodeAction) {
        apply(&mut self.topo, action);
        self.settle();
    }

    /// `{id:7001}` in a lesson's line → the node id of the server on 7001.
    pub fn expand_ids(&self, line: &str) -> String {
        redis_lessons::topology::expand_ids(line, |p| node_id(&self.topo, p))
    }

    pub fn now_ms(&self) -> i64 {
        self.topo.now_ms()
    }

    pub fn ports(&self) -> Vec<u16> {
        self.topo.nodes().iter().map(|n| n.port).collect()
    }

    /// A console attached to node `node` (kept if it exists already).
    pub fn attach(&mut self, console: u32, node: usize) {
        self.consoles.entry(console).or_insert(Attach { node, follow: self.follow_default, clients: BTreeMap::new() });
    }

    /// Points console `console` at node `node`.
    pub fn point(&mut self, console: u32, node: usize) {
        if node < self.topo.nodes().len() {
            self.consoles
                .entry(console)
                .or_insert(Attach { node, follow: self.follow_default, clients: BTreeMap::new() })
                .node = node;
        }
    }

    pub fn set_follow(&mut self, console: u32, follow: bool) {
        if let Some(a) = self.consoles.get_mut(&console) {
            a.follow = follow;
        }
    }

    pub fn follows(&self, console: u32) -> bool {
        self.consoles.get(&console).is_some_and(|a| a.follow)
    }

    /// The node console `console` talks to.
    pub fn node_of(&self, console: u32) -> usize {
        self.consoles.get(&console).map(|a| a.node).unwrap_or(0)
    }

    /// Closes console `console`'s clients.
    pub fn detach(&mut self, console: u32) {
        if let Some(a) = self.consoles.remove(&console) {
            for (node, client) in a.clients {
                self.topo.disconnect(node, client);
            }
        }
        self.mailbox.remove(&console);
    }

    /// The console's client on `node`, opened on first use (the topology
    /// connects it again after a restart).
    fn client_on(&mut self, console: u32, node: usize) -> Option<ClientId> {
        if let Some(id) = self.consoles.get(&console).and_then(|a| a.clients.get(&node)).copied() {
            return Some(id);
        }
        let id = self.topo.connect(node, &format!("console {console}"))?;
        self.consoles
            .entry(console)
            .or_insert(Attach { node, follow: self.follow_default, clients: BTreeMap::new() })
            .clients
            .insert(node, id);
        Some(id)
    }

    /// The prompt redis-cli shows for console `console`.
    pub fn prompt(&self, console: u32) -> String {
        let node = self.node_of(console);
        let Some(n) = self.topo.nodes().get(node) else { return "not connected>".into() };
        if !n.running {
            return "not connected>".into();
        }
        let db = self.client_view(console).0;
        if db == 0 {
            format!("127.0.0.1:{}>", n.port)
        } else {
            format!("127.0.0.1:{}[{db}]>", n.port)
        }
    }

    /// (node, the engine's id) of the console's client where it is attached.
    fn console_client(&self, console: u32) -> Option<(usize, ClientId)> {
        let a = self.consoles.get(&console)?;
        let handle = *a.clients.get(&a.node)?;
        Some((a.node, self.topo.engine_client(a.node, handle)?))
    }

    /// (db, blocked, subscribed) of the console's client where it is attached.
    pub fn client_view(&self, console: u32) -> (usize, bool, bool) {
        let Some((node, id)) = self.console_client(console) else { return (0, false, false) };
        let Some(engine) = self.topo.engine(node) else { return (0, false, false) };
        let Some(c) = engine.client(id) else { return (0, false, false) };
        let subscribed = !(c.channels.is_empty() && c.patterns.is_empty() && c.shard_channels.is_empty());
        (c.db, c.blocked.is_some(), subscribed)
    }

    /// The console's client id where it is attached, as CLIENT ID says.
    pub fn client_id(&self, console: u32) -> Option<ClientId> {
        self.console_client(console).map(|(_, id)| id)
    }

    /// Runs one command line's arguments from console `console`, following
    /// redirections in "follow" mode. Returns what redis-cli prints and
    /// whether the last reply was an error.
    pub fn run(&mut self, console: u32, argv: Vec<Vec<u8>>) -> (String, bool) {
        if let Some(key) = first_key(&argv) {
            self.last_slot = Some(key_slot(&key));
            self.last_key = Some(key);
        }
        let mut node = self.node_of(console);
        let mut out = String::new();
        let mut asking = false;
        for _ in 0..=MAX_REDIRECTS {
            let Some(port) = self.topo.nodes().get(node).map(|n| n.port) else { break };
            if !running(&self.topo, node) {
                out.push_str(&refused(port));
                out.push('\n');
                return (out, true);
            }
            let Some(client) = self.client_on(console, node) else { break };
            if asking {
                self.execute(node, client, vec![b"ASKING".to_vec()]);
            }
            let mut reply = self.execute(node, client, argv.clone());
            // A command that blocked and was answered while the links carried
            // what it set off (WAIT with replicas that ack at once) prints its
            // answer, as redis-cli waiting for it would.
            if reply == Reply::Blocked {
                if let Some(mailbox) = self.mailbox.get_mut(&console).filter(|m| !m.is_empty()) {
                    reply = mailbox.remove(0).0;
                }
            }
            let follow = self.follows(console);
            match redirect_of(&reply).filter(|_| follow) {
                Some((ask, slot, to)) => {
                    let Some(target) = self.topo.find(to) else {
                        let protocol = self.protocol(node, client);
                        out.push_str(&format_for_command(&argv, &reply, protocol));
                        return (out, true);
                    };
                    out.push_str(&format!("-> Redirected to slot [{slot}] located at 127.0.0.1:{to}\n"));
                    self.point(console, target);
                    node = target;
                    asking = ask;
                }
                None => {
                    let protocol = self.protocol(node, client);
                    out.push_str(&format_for_command(&argv, &reply, protocol));
                    return (out, reply.is_error());
                }
            }
        }
        (out, true)
    }

    /// The protocol of a console's client (by its topology handle).
    fn protocol(&self, node: usize, handle: ClientId) -> Protocol {
        let Some(id) = self.topo.engine_client(node, handle) else { return Protocol::Resp2 };
        self.topo.engine(node).map(|e| e.protocol_of(id)).unwrap_or(Protocol::Resp2)
    }

    /// Runs one command on node `node` for a console's client; the
    /// topology carries what it produced.
    fn execute(&mut self, node: usize, client: ClientId, argv: Vec<Vec<u8>>) -> Reply {
        let reply = self.topo.execute(node, client, argv);
        self.drain();
        reply
    }

    /// Carries replication bytes and bus messages, and routes what the
    /// engines delivered to their clients.
    fn settle(&mut self) {
        self.topo.pump();
        self.drain();
    }

    /// Takes every node's events: replies for a console's client go to
    /// its mailbox; the rest (expiries) are dropped.
    fn drain(&mut self) {
        for node in 0..self.topo.nodes().len() {
            let events = self.topo.engine(node).map(|mut e| e.drain_events()).unwrap_or_default();
            for event in events {
                let Event::Deliver { client, reply } = event else { continue };
                let topo = &self.topo;
                let console = self
                    .consoles
                    .iter()
                    .find(|(_, a)| a.clients.get(&node).and_then(|h| topo.engine_client(node, *h)) == Some(client))
                    .map(|(c, _)| *c);
                let Some(console) = console else { continue };
                let protocol = self.topo.engine(node).map(|e| e.protocol_of(client)).unwrap_or(Protocol::Resp2);
                let mailbox = self.mailbox.entry(console).or_default();
                if mailbox.len() < 1000 {
                    mailbox.push((reply, protocol));
                }
            }
        }
    }

    /// Asks console `console` to run `lines` as if typed (lesson blocks),
    /// pointed at the server on `port` first when one is given.
    pub fn queue_lines(&mut self, console: u32, port: Option<u16>, lines: Vec<String>, block: Option<&str>) {
        if let Some(node) = port.and_then(|p| self.topo.find(p)) {
            self.point(console, node);
        }
        let lines: Vec<String> = lines.iter().map(|l| self.expand_ids(l)).collect();
        let block: Option<Rc<str>> = block.map(Rc::from);
        if let Some(key) = &block {
            self.echoes.entry(key.clone()).or_default();
        }
        self.scripted.extend(lines.into_iter().map(|l| (console, l, block.clone())));
    }

    /// The lines queued for console `console`, oldest first.
    pub fn take_lines(&mut self, console: u32) -> Vec<(String, Option<Rc<str>>)> {
        let (mine, rest): (Vec<_>, Vec<_>) = self.scripted.drain(..).partition(|(c, _, _)| *c == console);
        self.scripted = rest;
        mine.into_iter().map(|(_, l, b)| (l, b)).collect()
    }

    pub fn add_echo(&mut self, block: &str, text: &str) {
        if let Some(echo) = self.echoes.get_mut(block) {
            echo.push_str(text);
        }
    }

    /// Forgets what `block` printed (it is about to run again).
    pub fn clear_echo(&mut self, block: &str) {
        self.echoes.remove(block);
    }

    pub fn echo(&self, block: &str) -> Option<String> {
        self.echoes.get(block).cloned()
    }

    /// Replies that arrived for console `console`, oldest first.
    pub fn take_deliveries(&mut self, console: u32) -> Vec<(Reply, Protocol)> {
        self.mailbox.remove(&console).unwrap_or_default()
    }

    /// Ctrl+C on a blocked console.
    pub fn unblock(&mut self, console: u32) {
        if let Some((node, id)) = self.console_client(console) {
            if let Some(mut e) = self.topo.engine(node) {
                e.unblock_client(id, false);
            }
        }
        self.settle();
    }

    /// Moves the topology's clock by `ms` (real time, or the "+1 s" button).
    pub fn advance(&mut self, ms: i64) {
        self.topo.advance(ms);
        for node in 0..self.topo.nodes().len() {
            if running(&self.topo, node) {
                if let Some(mut e) = self.topo.engine(node) {
                    e.tick();
                }
            }
        }
        self.settle();
    }

    pub fn set_delay(&mut self, node: usize, ms: i64) {
        self.topo.set_delay(node, ms.clamp(0, 2000));
    }

    pub fn cut(&mut self, node: usize) {
        self.topo.cut(node);
        self.settle();
    }

    pub fn restore(&mut self, node: usize) {
        self.topo.restore(node);
        self.settle();
    }

    pub fn stop(&mut self, node: usize) {
        self.topo.stop(node);
        self.settle();
    }

    pub fn start(&mut self, node: usize) {
        self.topo.start(node);
        self.settle();
    }

    /// Restarts a node as a new process (what reached its disk survives).
    pub fn restart(&mut self, node: usize) {
        let _ = self.topo.restart(node);
        self.settle();
    }

    /// What the topology view shows of every node.
    pub fn views(&self) -> Vec<NodeView> {
        let mut out = Vec::new();
        for (index, n) in self.topo.nodes().iter().enumerate() {
            // The topology locks engines itself: ask it first, then lock this one.
            let master = self.topo.master_of(index).and_then(|m| self.topo.nodes().get(m)).map(|m| m.port);
            let (lag, in_flight) = (self.topo.lag_bytes(index), self.topo.in_flight(index));
            let Some(e) = self.topo.engine(index) else { continue };
            let role = if e.is_replica() { Role::Replica(master) } else { Role::Master };
            let slots = e
                .cluster_state()
                .map(|s| redis_emulator::cluster::ranges(s.slots_of(&s.myself().id)))
                .unwrap_or_default();
            out.push(NodeView {
                index,
                port: n.port,
                role,
                running: n.running,
                cut: n.cut,
                delay_ms: n.delay_ms,
                offset: e.master_repl_offset(),
                lag,
                in_flight,
                slots,
                keys: e.db(0).map(|d| d.len()).unwrap_or(0),
                link: e.master_link_state().map(|s| s.name()),
                cluster: e.cluster_state().is_some(),
            });
        }
        out
    }

    /// Node `node`'s keys in database 0 (sorted, at most [`KEYS_SHOWN`]),
    /// each with its type, and how many there are in all.
    pub fn keys(&self, node: usize) -> (Vec<(Vec<u8>, &'static str)>, usize) {
        let Some(engine) = self.topo.engine(node) else { return (Vec::new(), 0) };
        let Some(db) = engine.db(0) else { return (Vec::new(), 0) };
        let total = db.len();
        // The views redraw several times a second: a big keyspace shows a
        // sample of its keys (sorted), not every key sorted.
        let mut keys: Vec<(Vec<u8>, &'static str)> =
            db.iter().take(KEYS_SHOWN).map(|(k, entry)| (k.to_vec(), entry.value.type_name())).collect();
        keys.sort();
        (keys, total)
    }

    /// Node `node`'s keys in database 0 matching the glob `pattern` (all
    /// keys when empty), sorted, at most [`KEYS_SHOWN`], with their type
    /// and expiry; and how many keys matched in all.
    pub fn browse(&self, node: usize, pattern: &str) -> (Vec<BrowsedKey>, usize) {
        let Some(engine) = self.topo.engine(node) else { return (Vec::new(), 0) };
        let Some(db) = engine.db(0) else { return (Vec::new(), 0) };
        let now = engine.now_ms();
        let matches = |key: &[u8]| pattern.is_empty() || glob_match(pattern.as_bytes(), key, false);
        let mut found: Vec<BrowsedKey> = db
            .iter()
            .filter(|(k, e)| !e.is_expired(now) && matches(k))
            .map(|(k, e)| BrowsedKey {
                key: k.to_vec(),
                kind: e.value.type_name(),
                ttl_ms: e.expire_at().map(|at| at - now),
            })
            .collect();
        let total = found.len();
        found.sort_by(|a, b| a.key.cmp(&b.key));
        found.truncate(KEYS_SHOWN);
        (found, total)
    }

    /// What node `node` holds under `key`: the commands that would rebuild
    /// it (as redis-cli would type them, at most `limit`) and how many more
    /// there are. `None` once the key is gone.
    pub fn rebuild_commands(&self, node: usize, key: &[u8], limit: usize) -> Option<(Vec<String>, usize)> {
        let engine = self.topo.engine(node)?;
        let entry = engine.db(0)?.get(key).filter(|e| !e.is_expired(engine.now_ms()))?;
        let mut commands = Vec::new();
        entry.value.rewrite(key, &mut commands);
        let more = commands.len().saturating_sub(limit);
        let lines = commands
            .iter()
            .take(limit)
            .map(|argv| {
                let mut words = argv.iter();
                let name = words.next().map(|n| String::from_utf8_lossy(n).into_owned()).unwrap_or_default();
                std::iter::once(name).chain(words.map(|a| quote_bytes(a))).collect::<Vec<_>>().join(" ")
            })
            .collect();
        Some((lines, more))
    }

    /// The owner of each slot as an index into [`Scaling::ports`] (as the
    /// first running master that claims it sees it), for the slot map.
    pub fn slot_owners(&self) -> Vec<Option<usize>> {
        let mut owners = vec![None; SLOTS];
        for i in 0..self.topo.nodes().len() {
            // A stopped master still believes it serves its slots.
            if !running(&self.topo, i) {
                continue;
            }
            let Some(engine) = self.topo.engine(i) else { continue };
            let Some(state) = engine.cluster_state() else { continue };
            let me = state.myself().id.clone();
            for slot in state.slots_of(&me) {
                if let Some(o) = owners.get_mut(slot as usize) {
                    if o.is_none() {
                        *o = Some(i);
                    }
                }
            }
        }
        owners
    }

    /// True when these nodes form a cluster.
    pub fn is_cluster(&self) -> bool {
        (0..self.topo.nodes().len()).any(|i| self.topo.engine(i).is_some_and(|e| e.cluster_state().is_some()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<Vec<u8>> {
        redis_emulator::tokenizer::split_line(line).unwrap()
    }

    #[test]
    fn replicas_get_the_masters_writes() {
        let mut s = Scaling::new(&Preset::Replicas.kinds(), 1_000_000, 7, true);
        s.attach(1, 0);
        s.attach(2, 1);
        assert_eq!(s.prompt(1), "127.0.0.1:6379>");
        assert_eq!(s.run(1, argv("SET greeting hello")), ("OK\n".to_string(), false));
        s.advance(50);
        assert_eq!(s.run(2, argv("GET greeting")).0, "\"hello\"\n");
        assert_eq!(s.prompt(2), "127.0.0.1:6380>");
        let views = s.views();
        assert_eq!(views[0].role, Role::Master);
        assert_eq!(views[1].role, Role::Replica(Some(6379)));
        assert_eq!(views[1].lag, Some(0));
        assert_eq!(s.run(2, argv("SET x 1")).0, "(error) READONLY You can't write against a read only replica.\n");
        assert_eq!(s.run(1, argv("WAIT 2 1000")).0, "(integer) 2\n", "the replicas ack at once");
    }

    #[test]
    fn a_write_not_yet_sent_is_lost_when_the_master_dies() {
        let mut s = Scaling::new(&Preset::Replicas.kinds(), 1_000_000, 7, true);
        s.attach(1, 0);
        s.attach(2, 1);
        s.advance(20);
        s.set_delay(1, 2000);
        s.run(1, argv("SET order:1 paid"));
        s.advance(100);
        assert!(s.views()[1].lag.unwrap_or(0) > 0 || s.views()[1].in_flight > 0);
        s.stop(0);
        assert_eq!(s.prompt(1), "not connected>");
        assert_eq!(
            s.run(1, argv("GET order:1")),
            ("Could not connect to Redis at 127.0.0.1:6379: Connection refused\n".to_string(), true)
        );
        assert_eq!(s.run(2, argv("REPLICAOF NO ONE")).0, "OK\n");
        assert_eq!(s.run(2, argv("GET order:1")).0, "(nil)\n");
        assert_eq!(s.views()[1].role, Role::Master);
    }

    #[test]
    fn follow_mode_moves_to_the_slot_owner() {
        let mut s = Scaling::new(&Preset::Cluster.kinds(), 1_000_000, 7, true);
        assert!(s.is_cluster());
        s.attach(1, 0);
        // "foo" hashes to slot 12182, served by 7002.
        let (out, error) = s.run(1, argv("SET foo bar"));
        assert_eq!(out, "-> Redirected to slot [12182] located at 127.0.0.1:7002\nOK\n");
        assert!(!error);
        assert_eq!(s.prompt(1), "127.0.0.1:7002>");
        assert_eq!(s.last_slot, Some(12182));
        s.set_follow(1, false);
        s.point(1, 0);
        assert_eq!(s.run(1, argv("GET foo")).0, "(error) MOVED 12182 127.0.0.1:7002\n");
        assert_eq!(s.prompt(1), "127.0.0.1:7000>");
        assert_eq!(s.run(1, argv("MSET a 1 b 2")).0, "(error) CROSSSLOT Keys in request don't hash to the same slot\n");
        s.set_follow(1, true);
        let (out, _) = s.run(1, argv("MSET {user:1}:a 1 {user:1}:b 2"));
        assert!(out.ends_with("OK\n"), "{out}");
        let owners = s.slot_owners();
        assert_eq!(owners[0], Some(0));
        assert_eq!(owners[16383], Some(2));
        assert_eq!(s.views()[1].slots, vec![(5461, 10922)]);
    }

    #[test]
    fn a_cluster_replica_takes_over_a_stopped_master() {
        let mut s = Scaling::new(&Preset::ClusterReplicas.kinds(), 1_000_000, 7, true);
        let views = s.views();
        assert_eq!(views.len(), 6);
        assert_eq!(views[4].role, Role::Replica(Some(7000)), "{views:?}");
        s.attach(1, 1);
        s.run(1, argv("SET user:1:city Paris"));
        s.stop(0);
        for _ in 0..40 {
            s.advance(1000);
        }
        assert_eq!(s.views()[4].role, Role::Master);
        assert_eq!(s.slot_owners()[2793], Some(4));
        s.point(1, 1);
        assert_eq!(
            s.run(1, argv("GET user:1:city")).0,
            "-> Redirected to slot [2793] located at 127.0.0.1:7004\n\"Paris\"\n"
        );
    }

    #[test]
    fn ask_is_followed_as_redis_cli_follows_it() {
        let mut s = Scaling::new(&Preset::Cluster.kinds(), 1_000_000, 7, true);
        s.attach(1, 0);
        s.run(1, argv("SET product:1 lamp"));
        let id = |s: &Scaling, p: u16| node_id(&s.topo, p).unwrap();
        let (a, b) = (id(&s, 7000), id(&s, 7001));
        s.point(1, 1);
        s.run(1, argv(&format!("CLUSTER SETSLOT 0 IMPORTING {a}")));
        s.point(1, 0);
        s.run(1, argv(&format!("CLUSTER SETSLOT 0 MIGRATING {b}")));
        assert_eq!(s.run(1, argv("MIGRATE 127.0.0.1 7001 \"\" 0 5000 KEYS product:1")).0, "OK\n");
        // As redis-cli 7.0.15 -c prints it (checked against a real cluster).
        assert_eq!(
            s.run(1, argv("GET product:1")).0,
            "-> Redirected to slot [0] located at 127.0.0.1:7001\n\"lamp\"\n"
        );
        assert_eq!(s.prompt(1), "127.0.0.1:7001>");
        assert_eq!(
            s.run(1, argv("GET product:1")).0,
            "-> Redirected to slot [0] located at 127.0.0.1:7000\n-> Redirected to slot [0] located at 127.0.0.1:7001\n\"lamp\"\n"
        );
    }

    #[test]
    fn redirect_replies_are_read() {
        assert_eq!(redirect_of(&Reply::error("MOVED 3999 127.0.0.1:6381")), Some((false, 3999, 6381)));
        assert_eq!(redirect_of(&Reply::error("ASK 1 127.0.0.1:7001")), Some((true, 1, 7001)));
        assert_eq!(redirect_of(&Reply::error("ERR MOVED")), None);
        assert_eq!(redirect_of(&Reply::error("MOVED x")), None);
        assert_eq!(redirect_of(&Reply::OK), None);
        assert_eq!(first_key(&argv("SET k v")), Some(b"k".to_vec()));
        assert_eq!(first_key(&argv("PING")), None);
    }
}
