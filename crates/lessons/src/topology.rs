//! Lessons on several servers: the servers a lesson's `topology:` names,
//! built as an in-memory [`Topology`], and a runner for its blocks (on
//! the server each block names, after the block's actions on servers) and
//! its challenges. The page builds its servers with [`build`] too.

use redis_emulator::cli_format::format_reply;
use redis_emulator::{ClientId, Event, Protocol, Reply, Topology};

use crate::lesson::{Challenge, CommandBlock, Lesson, NodeAction, TopologyKind};
use crate::runner::{note_failure, Outcome, Verdict};

/// Longest a blocked command (WAIT, BLPOP) is waited for, in clock time.
const BLOCKED_WAIT_MS: i64 = 10_000;

/// Builds the servers of `kinds` on one clock starting at `start_ms`:
/// the replicas' master first, then the cluster. Replicas are linked and
/// the cluster agrees on its slots before this returns.
pub fn build(kinds: &[TopologyKind], start_ms: i64, seed: u64) -> Topology {
    let mut topo = Topology::new(start_ms, seed);
    for kind in kinds {
        match kind {
            TopologyKind::Replicas => {
                let first = topo.nodes().len();
                for port in TopologyKind::Replicas.ports() {
                    topo.add_node(*port);
                }
                for i in [first + 1, first + 2] {
                    topo.run_line(i, "REPLICAOF 127.0.0.1 6379");
                }
            }
            TopologyKind::Cluster => {
                // Fresh ports always converge; a failure leaves the nodes unclustered.
                let _ = topo.create_cluster(3, 0, 7000);
            }
            TopologyKind::ClusterReplicas => {
                let _ = topo.create_cluster(3, 1, 7000);
            }
        }
    }
    // The replicas finish their first sync.
    topo.advance(100);
    topo
}

/// `{id:7001}` → the cluster node id of the server on port 7001 (left as
/// written when there is no such cluster node).
pub fn expand_ids(line: &str, id_of: impl Fn(u16) -> Option<String>) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find("{id:") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 4..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        match after[..end].parse::<u16>().ok().and_then(&id_of) {
            Some(id) => out.push_str(&id),
            None => out.push_str(&rest[start..start + 4 + end + 1]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The cluster node id of the server on `port` of `topo`.
pub fn node_id(topo: &Topology, port: u16) -> Option<String> {
    let i = topo.find(port)?;
    let engine = topo.engine(i)?;
    Some(engine.cluster_state()?.myself().id.clone())
}

/// What redis-cli prints when the server does not answer.
pub fn refused(port: u16) -> String {
    format!("Could not connect to Redis at 127.0.0.1:{port}: Connection refused")
}

/// Does `action` on `topo`.
pub fn apply(topo: &mut Topology, action: NodeAction) {
    let Some(i) = topo.find(action.port()) else { return };
    match action {
        NodeAction::Delay(_, ms) => topo.set_delay(i, ms),
        NodeAction::Stop(_) => topo.stop(i),
        NodeAction::Start(_) => topo.start(i),
        NodeAction::Cut(_) => topo.cut(i),
        NodeAction::Restore(_) => topo.restore(i),
    }
}

/// A lesson on several servers being run: its servers and its simulated
/// clients (client `n` has a connection to each server it used).
pub struct TopologyRun {
    pub topo: Topology,
    first_port: u16,
    clients: Vec<((u32, usize), ClientId)>,
}

impl TopologyRun {
    /// The lesson's servers at `start_ms`, with its setup run on the first.
    pub fn new(lesson: &Lesson, start_ms: i64, seed: u64) -> TopologyRun {
        let topo = build(&lesson.topology, start_ms, seed);
        let first_port = lesson.ports().first().copied().unwrap_or(6379);
        let mut run = TopologyRun { topo, first_port, clients: Vec::new() };
        for line in &lesson.setup {
            run.run(1, None, line);
        }
        run
    }

    fn handle(&mut self, n: u32, node: usize) -> Option<ClientId> {
        if let Some((_, h)) = self.clients.iter().find(|(k, _)| *k == (n, node)) {
            return Some(*h);
        }
        let h = self.topo.connect(node, &format!("lesson:{n}"))?;
        self.clients.push(((n, node), h));
        Some(h)
    }

    /// Runs one console line as client `n` on the server at `port` (the
    /// first server by default). A blocked command is waited for, as
    /// redis-cli waits, the clock moving on.
    pub fn run(&mut self, n: u32, port: Option<u16>, line: &str) -> Outcome {
        let port = port.unwrap_or(self.first_port);
        let line = expand_ids(line, |p| node_id(&self.topo, p));
        let outcome = |output: String, error: bool| Outcome {
            command: line.clone(),
            client: n,
            output,
            error,
            deliveries: Vec::new(),
        };
        let Some(node) = self.topo.find(port) else { return outcome(refused(port), true) };
        if !self.topo.nodes()[node].running {
            return outcome(refused(port), true);
        }
        let argv = match redis_emulator::tokenizer::split_line(&line) {
            Ok(argv) => argv,
            Err(e) => return outcome(e.to_string(), true),
        };
        let Some(h) = self.handle(n, node) else { return outcome(refused(port), true) };
        let mut reply = self.topo.execute(node, h, argv);
        if reply == Reply::Blocked {
            reply = self.wait_for(node, h).unwrap_or(Reply::Blocked);
        }
        self.drain();
        let proto = self.protocol(node, h);
        let text = if reply == Reply::Blocked { String::new() } else { format_reply(&reply, proto) };
        outcome(text.trim_end_matches('\n').to_string(), reply.is_error())
    }

    fn protocol(&self, node: usize, h: ClientId) -> Protocol {
        let id = self.topo.engine_client(node, h);
        id.and_then(|id| self.topo.engine(node).map(|e| e.protocol_of(id))).unwrap_or(Protocol::Resp2)
    }

    /// The reply a blocked client gets, the clock moving 10 ms at a time.
    fn wait_for(&mut self, node: usize, h: ClientId) -> Option<Reply> {
        let id = self.topo.engine_client(node, h)?;
        let mut waited = 0;
        loop {
            let events = self.topo.engine(node).map(|mut e| e.drain_events()).unwrap_or_default();
            for event in events {
                if let Event::Deliver { client, reply } = event {
                    if client == id {
                        return Some(reply);
                    }
                }
            }
            if waited >= BLOCKED_WAIT_MS {
                return None;
            }
            self.topo.advance(10);
            waited += 10;
        }
    }

    /// Drops what the engines queued for nobody (expiries, messages).
    fn drain(&mut self) {
        for i in 0..self.topo.nodes().len() {
            if let Some(mut e) = self.topo.engine(i) {
                e.drain_events();
            }
        }
    }

    /// Runs a block: its actions on servers, the clock jump, then each
    /// command on the block's server. Replication gets 10 ms after each.
    pub fn run_block(&mut self, block: &CommandBlock) -> Vec<Outcome> {
        for action in &block.actions {
            apply(&mut self.topo, *action);
        }
        if block.advance_ms > 0 {
            self.topo.advance(block.advance_ms);
        }
        let mut outcomes = Vec::new();
        for step in &block.steps {
            outcomes.push(self.run(block.client, block.node, &step.command));
            self.topo.advance(10);
        }
        outcomes
    }

    /// Runs a challenge's solution on its server.
    pub fn solve(&mut self, challenge: &Challenge) -> Vec<Outcome> {
        let mut outcomes = Vec::new();
        for line in &challenge.solution {
            outcomes.push(self.run(1, challenge.node, line));
            self.topo.advance(10);
        }
        outcomes
    }

    /// Evaluates a challenge's checks on its check server.
    pub fn check(&mut self, challenge: &Challenge) -> Verdict {
        check_topology(&mut self.topo, challenge, self.first_port)
    }
}

/// Evaluates a challenge on a lesson's servers, with a short-lived
/// checker client on the check server (`check-node:`, else `node:`, else
/// `first_port`).
pub fn check_topology(topo: &mut Topology, challenge: &Challenge, first_port: u16) -> Verdict {
    let port = challenge.check_node.or(challenge.node).unwrap_or(first_port);
    let node = topo.find(port).filter(|&i| topo.nodes()[i].running);
    let checker = node.and_then(|i| topo.connect(i, "lesson:checker"));
    let mut failures = Vec::new();
    for check in &challenge.checks {
        let output = match (node, checker) {
            (Some(i), Some(h)) => match redis_emulator::tokenizer::split_line(&check.command) {
                Ok(argv) => {
                    let reply = topo.execute(i, h, argv);
                    format_reply(&reply, Protocol::Resp2).trim_end_matches('\n').to_string()
                }
                Err(e) => e.to_string(),
            },
            _ => refused(port),
        };
        note_failure(check, output, &mut failures);
    }
    if let (Some(i), Some(h)) = (node, checker) {
        topo.disconnect(i, h);
    }
    Verdict { passed: failures.is_empty(), failures }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_lesson;

    #[test]
    fn ids_are_put_in_their_place() {
        let id = |p: u16| (p == 7001).then(|| "abc".to_string());
        assert_eq!(expand_ids("CLUSTER SETSLOT 1 NODE {id:7001}", id), "CLUSTER SETSLOT 1 NODE abc");
        assert_eq!(expand_ids("GET {id:9}", id), "GET {id:9}");
        assert_eq!(expand_ids("GET {id:7001", id), "GET {id:7001");
        assert_eq!(expand_ids("{id:7001}{id:7001}", id), "abcabc");
        assert_eq!(expand_ids("{user}:1", id), "{user}:1");
    }

    #[test]
    fn blocks_run_on_their_server_after_their_actions() {
        let src = "---\nid: t\ntitle: T\ntopology: replicas\n---\n\
            ```redis\nSET a 1\n=> OK\n```\n\n```redis node=6380\nGET a\n=> \"1\"\n```\n\n\
            ```redis delay=6380:2000\nSET b 2\n=> OK\n```\n\n\
            ```redis stop=6379 node=6380\nGET b\n=> (nil)\n```\n\n\
            ```challenge\nid: c\ngoal: g\nnode: 6380\ncheck: GET z\n=> \"1\"\nsolution: REPLICAOF NO ONE\nsolution: SET z 1\n```\n";
        let lesson = parse_lesson(src).unwrap();
        let report = crate::audit(&lesson, || unreachable!("a lesson on several servers has its own engines"));
        assert!(report.is_clean(), "{:?}", report.problems());
        assert_eq!(report.compared, 4);
    }
}
