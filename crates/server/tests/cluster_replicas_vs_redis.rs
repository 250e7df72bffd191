//! Our `--cluster 3 --replicas 1` against a real cluster of six
//! redis-server processes made by `redis-cli --cluster create
//! --cluster-replicas 1`: the same CLUSTER NODES / SLOTS / SHARDS /
//! REPLICAS / INFO, ROLE and INFO replication (ids, ports, timestamps and offsets masked; which
//! replica follows which master is by role, since redis-cli shuffles
//! replicas at random), READONLY reads and MOVED from a replica,
//! byte-identical errors of CLUSTER REPLICATE / FAILOVER, and the same
//! views after a CLUSTER FAILOVER. Panics when redis-server or redis-cli
//! is missing: this test exists to compare with them.

mod common;

use std::time::{Duration, Instant};

use common::real_cluster::{free_cluster_ports, RealCluster};
use common::{show, wait_for_port, Conn};
use redis_emulator::resp::parse_reply;
use redis_emulator::tokenizer::split_line;
use redis_emulator::{Config, Reply};

const TIMEOUT: Duration = Duration::from_secs(10);

fn call(conn: &mut Conn, text: &str) -> Reply {
    conn.send(&split_line(text).expect("a valid line"));
    let bytes = conn.read_reply(TIMEOUT).expect("a reply");
    parse_reply(&bytes).map(|(r, _)| r).unwrap_or_else(|| panic!("unparsable {}", show(&bytes)))
}

fn text(reply: &Reply) -> String {
    match reply {
        Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
        Reply::Verbatim(s) => s.clone(),
        Reply::Status(s) => s.to_string(),
        other => other.error_text().map(str::to_string).unwrap_or_else(|| format!("{other:?}")),
    }
}

fn run_on(port: u16, line: &str) -> String {
    text(&call(&mut Conn::open(port), line))
}

/// Polls until `cond` holds (at most 30 s).
fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < Duration::from_secs(30), "{what} never happened");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The cluster is ok everywhere, every node knows the three replicas as
/// replicas, and every replica's link is up.
fn settled(ports: &[u16]) -> bool {
    ports.iter().all(|&p| run_on(p, "CLUSTER INFO").contains("cluster_state:ok"))
        && ports.iter().all(|&p| run_on(p, "CLUSTER NODES").matches("slave ").count() == 3)
        && ports[3..].iter().all(|&p| run_on(p, "INFO replication").contains("master_link_status:up"))
}

/// Ours, in this process (checked to be the one answering on those ports).
fn start_ours() -> Vec<u16> {
    let base = free_cluster_ports(6);
    let nodes = redis_emulator_server::cluster::new_cluster_with_replicas(3, 1, "127.0.0.1", base, &Config::default())
        .expect("a cluster");
    let ids: Vec<String> = nodes
        .iter()
        .map(|(_, state)| state.lock().engine.cluster_state().map(|c| c.myself().id.clone()).unwrap_or_default())
        .collect();
    std::thread::spawn(move || redis_emulator_server::cluster::serve_cluster("127.0.0.1", nodes));
    let ports: Vec<u16> = (0..6).map(|i| base + i).collect();
    for (port, id) in ports.iter().zip(&ids) {
        wait_for_port(*port);
        assert_eq!(&run_on(*port, "CLUSTER MYID"), id, "another server took port {port}");
    }
    eventually("our cluster settling", || settled(&ports));
    ports
}

/// One cluster seen by role: logical node `m` < 3 is the master on the
/// m-th port, node `3 + m` its replica, whatever port redis-cli gave it.
struct Side {
    /// Ports and ids in logical order.
    ports: Vec<u16>,
    ids: Vec<String>,
    conns: Vec<Conn>,
}

impl Side {
    fn new(ports: &[u16]) -> Side {
        let ids: Vec<String> = ports.iter().map(|&p| run_on(p, "CLUSTER MYID")).collect();
        let nodes = run_on(ports[0], "CLUSTER NODES");
        let master_of = |id: &str| -> String {
            let line = nodes.lines().find(|l| l.starts_with(id)).expect("every node listed");
            line.split(' ').nth(3).unwrap_or("-").to_string()
        };
        let mut order: Vec<usize> = (0..3).collect();
        for m in 0..3 {
            let replica = (3..6).find(|&r| master_of(&ids[r]) == ids[m]).expect("a replica for each master");
            order.push(replica);
        }
        let ports: Vec<u16> = order.iter().map(|&i| ports[i]).collect();
        let conns = ports.iter().map(|&p| Conn::open(p)).collect();
        Side { ports, ids: order.iter().map(|&i| ids[i].clone()).collect(), conns }
    }

    /// Replaces ids by N0…, addresses and ports by P0…, bus ports by C0….
    fn mask(&self, text: &str) -> String {
        let mut text = text.to_string();
        for (i, id) in self.ids.iter().enumerate() {
            text = text.replace(id.as_str(), &format!("N{i}"));
        }
        for (i, port) in self.ports.iter().enumerate() {
            text = text.replace(&format!("@{}", port + 10000), &format!("@C{i}"));
            text = text.replace(&port.to_string(), &format!("P{i}"));
        }
        text
    }

    /// Sends `line` (`{N0}`… standing for ids) to logical node `node`.
    fn raw(&mut self, node: usize, line: &str) -> Reply {
        let mut line = line.to_string();
        for (i, id) in self.ids.iter().enumerate() {
            line = line.replace(&format!("{{N{i}}}"), id);
        }
        call(&mut self.conns[node], &line)
    }

    /// The reply, masked; CLUSTER NODES lines sorted with their ping and
    /// pong times masked; shards sorted; replication offsets masked.
    fn run(&mut self, node: usize, line: &str) -> String {
        let reply = self.raw(node, line);
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("CLUSTER NODES") {
            let mut lines: Vec<String> = text(&reply).lines().map(|l| self.mask(&node_line(l))).collect();
            lines.sort();
            return lines.join("\n");
        }
        let listing = upper.starts_with("CLUSTER REPLICAS") || upper.starts_with("CLUSTER SLAVES");
        if let (true, Reply::Array(items)) = (listing, &reply) {
            let mut lines: Vec<String> = items.iter().map(|l| self.mask(&node_line(&text(l)))).collect();
            lines.sort();
            return lines.join("\n");
        }
        if upper == "ROLE" {
            // Offsets count PINGs too: masked, after the ports.
            return offsets_masked(&self.mask(&render(&reply)));
        }
        let mut rendered = render(&reply);
        if upper.starts_with("CLUSTER SHARDS") {
            if let Reply::Array(items) = &reply {
                let mut parts: Vec<String> = items.iter().map(render).collect();
                parts.sort();
                rendered = parts.join("|");
            }
        }
        self.mask(&rendered)
    }
}

/// `:123` integers replaced by `:OFF`.
fn offsets_masked(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == ':' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
            while chars.peek().is_some_and(|d| d.is_ascii_digit()) {
                chars.next();
            }
            out.push_str("OFF");
        }
    }
    out
}

/// A CLUSTER NODES line with its ping-sent and pong-received times masked.
fn node_line(line: &str) -> String {
    let mut fields: Vec<String> = line.split(' ').map(str::to_string).collect();
    for f in fields.iter_mut().skip(4).take(2) {
        *f = "T".into();
    }
    fields.join(" ")
}

/// A reply as text, replication offsets masked (they count bytes of PINGs too).
fn render(reply: &Reply) -> String {
    match reply {
        Reply::Array(items) | Reply::Set(items) => {
            let mut out = Vec::new();
            let mut mask_next = false;
            for item in items {
                if mask_next {
                    out.push("OFF".to_string());
                    mask_next = false;
                    continue;
                }
                mask_next = matches!(item, Reply::Bulk(b) if b == b"replication-offset");
                out.push(render(item));
            }
            format!("[{}]", out.join(","))
        }
        Reply::Map(pairs) => {
            let parts: Vec<String> = pairs
                .iter()
                .map(|(k, v)| {
                    let offset = matches!(k, Reply::Bulk(b) if b == b"replication-offset");
                    format!("{}={}", render(k), if offset { "OFF".into() } else { render(v) })
                })
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Reply::Integer(n) => format!(":{n}"),
        Reply::Nil => "nil".into(),
        other => match other.error_text() {
            Some(e) => format!("-{e}"),
            None => text(other).replace('\n', "\\n"),
        },
    }
}

/// CLUSTER INFO without the bus message counters (timing-dependent).
fn info(side: &mut Side, node: usize) -> String {
    let raw = text(&side.raw(node, "CLUSTER INFO"));
    let all = side.mask(&raw);
    all.lines().filter(|l| !l.starts_with("cluster_stats_messages")).collect::<Vec<_>>().join("\n")
}

/// INFO replication: every field's name, and the values that do not
/// depend on timing (role, master address, link status, replica count,
/// read-only flag, failover state); offsets and ids masked.
fn replication(side: &mut Side, node: usize) -> String {
    let raw = text(&side.raw(node, "INFO replication"));
    let kept = [
        "role",
        "master_host",
        "master_port",
        "master_link_status",
        "connected_slaves",
        "slave_read_only",
        "master_failover_state",
    ];
    let lines: Vec<String> = raw
        .lines()
        .map(|l| match l.split_once(':') {
            Some((name, value)) if kept.contains(&name) => format!("{name}:{value}"),
            Some((name, _)) if name.starts_with("slave0") => "slave0:…".to_string(),
            Some((name, _)) => format!("{name}:…"),
            None => l.to_string(),
        })
        .collect();
    side.mask(&lines.join("\n"))
}

fn compare(sides: &mut [Side; 2], node: usize, line: &str) {
    let real = sides[0].run(node, line);
    let ours = sides[1].run(node, line);
    assert_eq!(ours, real, "{line} on node {node}");
}

#[test]
fn replicas_and_failover_match_redis() {
    let real = RealCluster::start(3, 1);
    let ours = start_ours();
    let mut sides = [Side::new(&real.ports), Side::new(&ours)];
    // A key of each master, written there and read back on its replica.
    for side in sides.iter_mut() {
        for (m, key) in [(0, "hello"), (1, "key:1"), (2, "foo")] {
            assert_eq!(text(&side.raw(m, &format!("SET {key} v{m}"))), "OK");
            assert_eq!(side.raw(m, "WAIT 1 5000"), Reply::Integer(1));
        }
    }
    offsets_announced(&sides);
    let views = [
        "CLUSTER NODES",
        "CLUSTER SLOTS",
        "CLUSTER SHARDS",
        "CLUSTER REPLICAS {N0}",
        "CLUSTER SLAVES {N1}",
        "CLUSTER COUNT-FAILURE-REPORTS {N2}",
    ];
    for node in [0, 3, 5] {
        for view in views {
            compare(&mut sides, node, view);
        }
    }
    for node in [0, 3] {
        let (real, ours) = (info(&mut sides[0], node), info(&mut sides[1], node));
        assert_eq!(ours, real, "CLUSTER INFO on {node}");
        let (real, ours) = (replication(&mut sides[0], node), replication(&mut sides[1], node));
        assert_eq!(ours, real, "INFO replication on {node}");
    }
    // Replica reads: MOVED, then served after READONLY; writes always MOVED.
    for line in [
        "GET hello",
        "READONLY",
        "GET hello",
        "GET key:1",
        "SET hello x",
        "MGET hello {hello}2",
        "READWRITE",
        "GET hello",
        "ROLE",
    ] {
        compare(&mut sides, 3, line);
    }
    // Errors, byte for byte.
    for (node, line) in [
        (0, "CLUSTER REPLICATE {N1}"),
        (0, "CLUSTER REPLICATE {N0}"),
        (0, "CLUSTER REPLICATE {N4}"),
        (3, "CLUSTER REPLICATE {N3}"),
        (3, "CLUSTER REPLICATE {N5}"),
        (3, "CLUSTER REPLICATE nosuchnode"),
        (0, "CLUSTER REPLICATE"),
        (0, "CLUSTER FAILOVER"),
        (0, "CLUSTER FAILOVER FORCE"),
        (3, "CLUSTER FAILOVER sideways"),
        (3, "CLUSTER FAILOVER FORCE now"),
        (3, "CLUSTER REPLICAS {N4}"),
        (3, "CLUSTER FORGET {N0}"),
        (3, "CLUSTER SETSLOT 1 STABLE"),
        (3, "REPLICAOF 127.0.0.1 1"),
        (0, "REPLICAOF NO ONE"),
    ] {
        compare(&mut sides, node, line);
    }
    // A manual failover: the replica of the first master takes over.
    for side in sides.iter_mut() {
        assert_eq!(text(&side.raw(3, "CLUSTER FAILOVER")), "OK");
    }
    for side in sides.iter_mut() {
        let ports = side.ports.clone();
        eventually("the failover", || role(ports[3]) == "master");
        eventually("the old master following", || {
            run_on(ports[0], "INFO replication").contains(&format!("master_port:{}", ports[3]))
                && run_on(ports[0], "INFO replication").contains("master_link_status:up")
        });
        eventually("everyone agreeing", || ports.iter().all(|&p| slots_have(p, ports[3])));
    }
    offsets_announced(&sides);
    for node in [0, 3, 1] {
        for view in ["CLUSTER NODES", "CLUSTER SLOTS", "CLUSTER SHARDS", "CLUSTER REPLICAS {N3}"] {
            compare(&mut sides, node, view);
        }
        let (real, ours) = (info(&mut sides[0], node), info(&mut sides[1], node));
        assert_eq!(ours, real, "CLUSTER INFO on {node} after the failover");
        let (real, ours) = (replication(&mut sides[0], node), replication(&mut sides[1], node));
        assert_eq!(ours, real, "INFO replication on {node} after the failover");
    }
    for (node, line) in
        [(0, "GET hello"), (0, "SET hello 1"), (0, "READONLY"), (0, "GET hello"), (3, "GET hello"), (0, "ROLE")]
    {
        compare(&mut sides, node, line);
    }
}

/// Waits until every node has heard each replica announce an offset
/// (until then CLUSTER SLOTS leaves it out and SHARDS says "loading").
fn offsets_announced(sides: &[Side; 2]) {
    for side in sides.iter() {
        let ports = side.ports.clone();
        eventually("offsets announced", || {
            ports.iter().all(|&p| {
                let slots_list_replicas = match call(&mut Conn::open(p), "CLUSTER SLOTS") {
                    Reply::Array(ranges) => ranges.iter().all(|r| matches!(r, Reply::Array(parts) if parts.len() == 4)),
                    _ => false,
                };
                slots_list_replicas && !format!("{:?}", call(&mut Conn::open(p), "CLUSTER SHARDS")).contains("loading")
            })
        });
    }
}

fn role(port: u16) -> String {
    match call(&mut Conn::open(port), "ROLE") {
        Reply::Array(items) => items.first().map(text).unwrap_or_default(),
        other => format!("{other:?}"),
    }
}

/// Whether node `port`'s CLUSTER SLOTS names `owner` as a master.
fn slots_have(port: u16, owner: u16) -> bool {
    let Reply::Array(ranges) = call(&mut Conn::open(port), "CLUSTER SLOTS") else { return false };
    ranges.iter().any(|r| matches!(r, Reply::Array(p) if matches!(p.get(2), Some(Reply::Array(m)) if m.get(1) == Some(&Reply::Integer(owner as i64)))))
}
