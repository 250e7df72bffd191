//! Cluster replicas and failover in a `Topology`: replicas made with
//! CLUSTER REPLICATE and shown by the cluster's views, READONLY reads,
//! CLUSTER FAILOVER (default, FORCE, TAKEOVER), and automatic failover
//! when a master stops: PFAIL, FAIL, an election, the old master coming
//! back as a replica. Writes confirmed by WAIT survive a failover;
//! writes not waited for can be lost.

mod common;

use common::T0;
use redis_emulator::cli_format::format_reply;
use redis_emulator::cluster::key_slot;
use redis_emulator::resp::Protocol;
use redis_emulator::rng::Rng;
use redis_emulator::{ClientId, Reply, Topology};

fn text(reply: &Reply) -> String {
    match reply {
        Reply::Verbatim(s) => s.clone(),
        Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
        other if other.error_text().is_some() => other.error_text().unwrap_or_default().to_string(),
        other => format_reply(other, Protocol::Resp2).trim_end().to_string(),
    }
}

struct Lab {
    t: Topology,
    clients: Vec<ClientId>,
}

impl Lab {
    /// Three masters on 7000-7002 with a replica each on 7003-7005.
    fn new(seed: u64) -> Lab {
        let mut t = Topology::new(T0, seed);
        let nodes = t.create_cluster(3, 1, 7000).expect("a cluster");
        assert_eq!(nodes, [0, 1, 2, 3, 4, 5]);
        let clients = nodes.iter().map(|&i| t.connect(i, "console").expect("a client")).collect();
        Lab { t, clients }
    }

    fn run(&mut self, i: usize, line: &str) -> String {
        text(&self.raw(i, line))
    }

    fn raw(&mut self, i: usize, line: &str) -> Reply {
        let argv = redis_emulator::tokenizer::split_line(line).expect("line parses");
        self.t.execute(i, self.clients[i], argv)
    }

    fn id(&mut self, i: usize) -> String {
        self.run(i, "CLUSTER MYID")
    }

    /// WAIT 1 100 on node 0: whether one replica confirmed, by the reply
    /// or, when WAIT blocked, by the reply delivered later.
    fn wait_one(&mut self) -> bool {
        match self.raw(0, "WAIT 1 100") {
            Reply::Integer(n) => return n == 1,
            Reply::Blocked => {}
            other => panic!("{other:?}"),
        }
        let me = self.t.engine_client(0, self.clients[0]);
        for _ in 0..11 {
            let events = self.t.engine(0).expect("node 0").drain_events();
            for event in events {
                if let redis_emulator::Event::Deliver { client, reply } = event {
                    if Some(client) == me {
                        return reply == Reply::Integer(1);
                    }
                }
            }
            self.t.advance(10);
        }
        panic!("WAIT answers by its timeout");
    }

    /// Sets `cluster-node-timeout` on every node.
    fn node_timeout(&mut self, ms: i64) {
        for i in 0..6 {
            assert_eq!(self.run(i, &format!("CONFIG SET cluster-node-timeout {ms}")), "OK");
        }
    }

    /// The node `node` sees as serving `slot`, by port.
    fn owner_port(&mut self, node: usize, key: &str) -> u16 {
        let slots = self.raw(node, "CLUSTER SLOTS");
        let slot = key_slot(key.as_bytes()) as i64;
        let Reply::Array(ranges) = slots else { panic!("{slots:?}") };
        for range in ranges {
            let Reply::Array(parts) = range else { continue };
            if let [Reply::Integer(a), Reply::Integer(b), Reply::Array(master), ..] = parts.as_slice() {
                if (*a..=*b).contains(&slot) {
                    if let Reply::Integer(port) = master[1] {
                        return port as u16;
                    }
                }
            }
        }
        panic!("slot {slot} unserved");
    }

    fn info_field(&mut self, i: usize, section: &str, name: &str) -> String {
        let info = self.run(i, section);
        info.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}:")))
            .unwrap_or_else(|| panic!("{name} not in {info}"))
            .trim()
            .to_string()
    }
}

#[test]
fn replicas_follow_the_layout_redis_cli_plans() {
    let mut lab = Lab::new(1);
    let ids: Vec<String> = (0..6).map(|i| lab.id(i)).collect();
    // redis-cli's plan: 7004 -> 7000, 7005 -> 7001, 7003 -> 7002.
    for (replica, master) in [(4, 0), (5, 1), (3, 2)] {
        let nodes = lab.run(0, "CLUSTER NODES");
        let line = nodes.lines().find(|l| l.starts_with(&ids[replica])).expect("the replica's line");
        let fields: Vec<&str> = line.split(' ').collect();
        assert_eq!(fields[2], "slave", "{line}");
        assert_eq!(fields[3], ids[master], "{line}");
        assert_eq!(fields[6], (master + 1).to_string(), "a replica shows its master's epoch: {line}");
        assert_eq!(fields[7], "connected");
        assert_eq!(fields.len(), 8, "no slots on a replica: {line}");
        let replicas = lab.raw(1, &format!("CLUSTER REPLICAS {}", ids[master]));
        let Reply::Array(lines) = replicas else { panic!("{replicas:?}") };
        assert_eq!(lines.len(), 1);
        assert!(text(&lines[0]).starts_with(&format!(
            "{} 127.0.0.1:{}@{} slave {}",
            ids[replica],
            7000 + replica,
            17000 + replica,
            ids[master]
        )));
        let role = lab.run(replica, "ROLE");
        assert!(
            role.starts_with(&format!(
                "1) \"slave\"\n2) \"127.0.0.1\"\n3) (integer) {}\n4) \"connected\"",
                7000 + master
            )),
            "{role}"
        );
        assert_eq!(lab.info_field(replica, "INFO replication", "master_link_status"), "up");
        assert_eq!(lab.info_field(master, "INFO replication", "connected_slaves"), "1");
        let info = lab.run(replica, "CLUSTER INFO");
        assert!(info.contains(&format!("cluster_my_epoch:{}\r\n", master + 1)), "{info}");
    }
    let mine = lab.run(4, "CLUSTER NODES");
    assert!(mine.contains(&format!("{} 127.0.0.1:7004@17004 myself,slave {} 0 ", ids[4], ids[0])), "{mine}");
    let info = lab.run(2, "CLUSTER INFO");
    for field in ["cluster_state:ok", "cluster_known_nodes:6", "cluster_size:3", "cluster_current_epoch:6"] {
        assert!(info.contains(field), "{info}");
    }
    // Replicas that announced no offset yet are left out of CLUSTER SLOTS.
    let slots = format_reply(&lab.raw(0, "CLUSTER SLOTS"), Protocol::Resp2);
    assert!(slots.contains("2) (integer) 5460\n   3) 1) \"127.0.0.1\"\n      2) (integer) 7000"), "{slots}");
    assert!(!slots.contains("(integer) 7004"), "{slots}");
    for (i, key) in [(0, "hello"), (1, "key:1"), (2, "foo")] {
        assert_eq!(lab.run(i, &format!("SET {key} 1")), "OK");
    }
    lab.t.advance(8_000);
    let slots = format_reply(&lab.raw(0, "CLUSTER SLOTS"), Protocol::Resp2);
    assert!(slots.contains("   4) 1) \"127.0.0.1\"\n      2) (integer) 7004"), "{slots}");
    let shards = format_reply(&lab.raw(3, "CLUSTER SHARDS"), Protocol::Resp2);
    assert_eq!(shards.matches("\"replica\"").count(), 3, "{shards}");
    assert_eq!(shards.matches("\"master\"").count(), 3, "{shards}");
    assert!(!shards.contains("\"loading\"") && !shards.contains("\"fail\""), "{shards}");
}

#[test]
fn replicate_errors_as_redis() {
    let mut lab = Lab::new(2);
    let (m0, m1, r3) = (lab.id(0), lab.id(1), lab.id(3));
    let expect = [
        (
            0,
            format!("CLUSTER REPLICATE {m1}"),
            "ERR To set a master the node must be empty and without assigned slots.",
        ),
        (0, format!("CLUSTER REPLICATE {m0}"), "ERR Can't replicate myself"),
        (0, format!("CLUSTER REPLICATE {r3}"), "ERR I can only replicate a master, not a replica."),
        (0, "CLUSTER REPLICATE abc".to_string(), "ERR Unknown node abc"),
        (3, format!("CLUSTER REPLICATE {r3}"), "ERR Can't replicate myself"),
        (0, "CLUSTER FAILOVER".to_string(), "ERR You should send CLUSTER FAILOVER to a replica"),
        (3, "CLUSTER FAILOVER foo".to_string(), "ERR syntax error"),
        (
            3,
            "CLUSTER FAILOVER force x".to_string(),
            "ERR unknown subcommand or wrong number of arguments for 'FAILOVER'. Try CLUSTER HELP.",
        ),
        (3, "REPLICAOF 127.0.0.1 7001".to_string(), "ERR REPLICAOF not allowed in cluster mode."),
        (0, "REPLICAOF NO ONE".to_string(), "ERR REPLICAOF not allowed in cluster mode."),
        (3, format!("CLUSTER REPLICAS {r3}"), "ERR The specified node is not a master"),
        (3, format!("CLUSTER FORGET {}", lab.id(2)), "ERR Can't forget my master!"),
        (3, format!("CLUSTER SETSLOT 1 NODE {m0}"), "ERR Please use SETSLOT only with masters."),
    ];
    for (node, line, error) in expect {
        assert_eq!(lab.raw(node, &line), Reply::error(error), "{line}");
    }
    // A replica may move to another master.
    assert_eq!(lab.run(3, &format!("CLUSTER REPLICATE {m1}")), "OK");
    assert_eq!(lab.info_field(3, "INFO replication", "master_port"), "7001");
    let replicas = lab.raw(0, &format!("CLUSTER REPLICAS {m1}"));
    assert!(matches!(&replicas, Reply::Array(r) if r.len() == 2), "{replicas:?}");
    // CLUSTER RESET on a replica: a lone, empty master.
    assert_eq!(lab.run(1, "SET key:1 1"), "OK");
    lab.t.advance(10);
    assert_eq!(lab.run(3, "DBSIZE"), "(integer) 1");
    assert_eq!(lab.run(3, "CLUSTER RESET"), "OK");
    assert_eq!(lab.info_field(3, "INFO replication", "role"), "master");
    assert_eq!(lab.run(3, "DBSIZE"), "(integer) 0");
    assert_eq!(lab.run(3, "CLUSTER NODES").lines().count(), 1);
    assert!(lab.run(3, "CLUSTER INFO").contains("cluster_state:fail"));
    // The others' PINGs do not bring it back: only a MEET would.
    lab.t.advance(20_000);
    assert_eq!(lab.run(3, "CLUSTER NODES").lines().count(), 1);
}

#[test]
fn replicas_serve_reads_after_readonly_and_redirect_writes() {
    let mut lab = Lab::new(3);
    // "key:1" is in slot 6657, on 7001, whose replica is 7005.
    assert_eq!(lab.run(1, "SET key:1 1"), "OK");
    assert_eq!(lab.run(5, "GET key:1"), "MOVED 6657 127.0.0.1:7001");
    assert_eq!(lab.run(5, "READONLY"), "OK");
    assert_eq!(lab.run(5, "GET key:1"), "1");
    assert_eq!(lab.run(5, "SET key:1 2"), "MOVED 6657 127.0.0.1:7001");
    assert_eq!(lab.run(5, "GET foo"), "MOVED 12182 127.0.0.1:7002", "another master's slot");
    assert_eq!(lab.run(5, "READWRITE"), "OK");
    assert_eq!(lab.run(5, "GET key:1"), "MOVED 6657 127.0.0.1:7001");
}

#[test]
fn manual_failover_swaps_master_and_replica() {
    let mut lab = Lab::new(4);
    let (m1, r5) = (lab.id(1), lab.id(5));
    for k in 0..50 {
        let key = format!("{{key:1}}{k}");
        assert_eq!(lab.run(1, &format!("SET {key} {k}")), "OK");
    }
    assert_eq!(lab.run(5, "CLUSTER FAILOVER"), "OK");
    lab.t.advance(200);
    assert_eq!(lab.owner_port(0, "key:1"), 7005);
    assert_eq!(lab.run(1, "GET key:1"), "MOVED 6657 127.0.0.1:7005");
    assert_eq!(lab.run(5, "GET {key:1}7"), "7");
    assert_eq!(lab.run(5, "DBSIZE"), "(integer) 50");
    let nodes = lab.run(2, "CLUSTER NODES");
    assert!(nodes.contains(&format!("{m1} 127.0.0.1:7001@17001 slave {r5} ")), "{nodes}");
    assert!(nodes.contains(&format!("{r5} 127.0.0.1:7005@17005 master - ")), "{nodes}");
    let info = lab.run(5, "CLUSTER INFO");
    assert!(info.contains("cluster_current_epoch:7") && info.contains("cluster_my_epoch:7"), "{info}");
    assert!(info.contains("cluster_stats_messages_auth-req_sent:5"), "{info}");
    assert_eq!(lab.info_field(1, "INFO replication", "master_port"), "7005");
    assert_eq!(lab.info_field(1, "INFO replication", "master_link_status"), "up");
    // The old master follows the new one's writes.
    assert_eq!(lab.run(5, "SET key:1 new"), "OK");
    assert_eq!(lab.run(1, "READONLY"), "OK");
    assert_eq!(lab.run(1, "GET key:1"), "new");
    // And back, by FORCE, then TAKEOVER (no votes: a new epoch without consensus).
    assert_eq!(lab.run(1, "CLUSTER FAILOVER FORCE"), "OK");
    lab.t.advance(200);
    assert_eq!(lab.owner_port(3, "key:1"), 7001);
    assert_eq!(lab.run(5, "CLUSTER FAILOVER TAKEOVER"), "OK");
    lab.t.advance(200);
    assert_eq!(lab.owner_port(3, "key:1"), 7005);
    let info = lab.run(0, "CLUSTER INFO");
    assert!(info.contains("cluster_state:ok") && info.contains("cluster_current_epoch:9"), "{info}");
}

#[test]
fn a_stopped_master_is_failed_over_and_returns_as_a_replica() {
    let mut lab = Lab::new(5);
    let (m0, r4) = (lab.id(0), lab.id(4));
    assert_eq!(lab.run(0, "SET hello 1"), "OK");
    lab.t.advance(100);
    lab.t.stop(0);
    lab.t.advance(14_900);
    assert!(!lab.run(1, "CLUSTER NODES").contains("fail"), "not before the node timeout");
    let mut waited = 14_900;
    while !lab.run(1, "CLUSTER NODES").contains(&format!("{m0} 127.0.0.1:7000@17000 master,fail ")) {
        lab.t.advance(100);
        waited += 100;
        assert!(waited < 30_000, "FAIL within twice the node timeout");
    }
    lab.t.advance(3_000);
    assert_eq!(lab.owner_port(2, "foo"), 7002);
    let owner = lab.owner_port(1, "hello");
    assert_eq!(owner, 7004, "the replica took slot 866");
    assert_eq!(lab.run(4, "GET hello"), "1");
    let info = lab.run(4, "CLUSTER INFO");
    assert!(info.contains("cluster_state:ok"), "{info}");
    assert!(info.contains("cluster_my_epoch:7"), "{info}");
    assert_eq!(lab.info_field(4, "INFO replication", "role"), "master");
    // The old master comes back and follows the new one.
    lab.t.start(0);
    lab.t.advance(2_000);
    let nodes = lab.run(0, "CLUSTER NODES");
    assert!(nodes.contains(&format!("{m0} 127.0.0.1:7000@17000 myself,slave {r4} ")), "{nodes}");
    assert_eq!(lab.info_field(0, "INFO replication", "master_port"), "7004");
    let nodes = lab.run(2, "CLUSTER NODES");
    assert!(nodes.contains(&format!("{m0} 127.0.0.1:7000@17000 slave {r4} ")), "{nodes}");
    assert!(!nodes.contains("fail"), "{nodes}");
}

#[test]
fn failure_reports_and_pfail_are_honest() {
    let mut lab = Lab::new(6);
    let m2 = lab.id(2);
    lab.node_timeout(2000);
    lab.t.cut(2);
    lab.t.advance(3_200);
    let nodes = lab.run(0, "CLUSTER NODES");
    assert!(nodes.contains(&format!("{m2} 127.0.0.1:7002@17002 master,fail?")), "{nodes}");
    assert!(nodes.contains(&format!("{m2} 127.0.0.1:7002@17002 master,fail? - ")), "{nodes}");
    let info = lab.run(0, "CLUSTER INFO");
    assert!(info.contains("cluster_slots_pfail:5461"), "{info}");
    lab.t.advance(3_000);
    let nodes = lab.run(0, "CLUSTER NODES");
    assert!(nodes.contains(&format!("{m2} 127.0.0.1:7002@17002 master,fail ")), "{nodes}");
    assert!(nodes.contains("disconnected"), "{nodes}");
    let reports = lab.run(0, &format!("CLUSTER COUNT-FAILURE-REPORTS {m2}"));
    // From 7001 and from 7003, a master since it took 7002's place.
    assert_eq!(reports, "(integer) 2", "{nodes}");
    lab.t.advance(3_000);
    assert_eq!(lab.owner_port(1, "foo"), 7003);
    // The cut-off master sees itself alone: a minority refuses commands.
    let info = lab.run(2, "CLUSTER INFO");
    assert!(info.contains("cluster_state:fail"), "{info}");
    assert_eq!(lab.run(2, "GET foo"), "CLUSTERDOWN The cluster is down");
    lab.t.restore(2);
    lab.t.advance(3_000);
    assert_eq!(lab.info_field(2, "INFO replication", "master_port"), "7003");
    assert!(lab.run(2, "CLUSTER INFO").contains("cluster_state:ok"));
}

/// Random writes to one shard with WAIT 1 after some of them; its master
/// stops at a random moment and its replica takes over. Every write WAIT
/// confirmed is there afterwards.
#[test]
fn writes_confirmed_by_wait_survive_an_automatic_failover() {
    for seed in 0..4u64 {
        let mut lab = Lab::new(100 + seed);
        lab.node_timeout(1000);
        let mut rng = Rng::new(seed);
        lab.t.set_delay(4, rng.below(40) as i64);
        let mut confirmed = std::collections::BTreeMap::new();
        let writes = 20 + rng.below(60);
        for n in 0..writes {
            let key = format!("{{hello}}{}", rng.below(20)); // slot 866, on 7000
            let value = format!("v{n}");
            assert_eq!(lab.run(0, &format!("SET {key} {value}")), "OK");
            if rng.below(3) == 0 && lab.wait_one() {
                confirmed.insert(key, value);
            }
            if rng.below(4) == 0 {
                lab.t.advance(rng.below(30) as i64);
            }
        }
        assert!(!confirmed.is_empty(), "seed {seed}: WAIT confirmed something");
        lab.t.stop(0);
        lab.t.advance(5_000);
        assert_eq!(lab.owner_port(1, "hello"), 7004, "seed {seed}");
        // Later writes of the same key may overwrite a confirmed value; the
        // last confirmed write of each key is at least as new as what survived.
        for (key, value) in &confirmed {
            let got = lab.run(4, &format!("GET {key}"));
            let (want, have): (usize, usize) =
                (value[1..].parse().unwrap(), got.get(1..).and_then(|v| v.parse().ok()).unwrap_or(0));
            assert!(have >= want, "seed {seed}: {key} lost {value}, has {got}");
        }
    }
}

/// A write the master acknowledged but did not wait for dies with it
/// when its replica's link is slow.
#[test]
fn a_write_not_waited_for_can_be_lost() {
    let mut lab = Lab::new(7);
    lab.t.set_delay(4, 50);
    assert_eq!(lab.run(0, "SET hello before"), "OK");
    lab.t.advance(200);
    assert_eq!(lab.run(0, "SET hello after"), "OK");
    lab.t.stop(0);
    lab.t.advance(40_000);
    assert_eq!(lab.owner_port(1, "hello"), 7004);
    assert_eq!(lab.run(4, "GET hello"), "before", "the acknowledged write is lost");
    lab.t.start(0);
    lab.t.advance(2_000);
    assert_eq!(lab.run(0, "READONLY"), "OK");
    assert_eq!(lab.run(0, "GET hello"), "before", "the old master resynchronised");
}

/// A node restarted from its (empty) disk keeps its node table, as
/// nodes.conf would: a replica resynchronises from its master, a master
/// comes back serving its slots.
#[test]
fn restarted_nodes_keep_their_place() {
    let mut lab = Lab::new(8);
    let (m0, r4) = (lab.id(0), lab.id(4));
    assert_eq!(lab.run(0, "SET hello 1"), "OK");
    lab.t.advance(10);
    lab.t.restart(4).expect("a restart");
    lab.t.advance(500);
    assert_eq!(lab.id(4), r4);
    assert_eq!(lab.info_field(4, "INFO replication", "master_link_status"), "up");
    assert_eq!(lab.run(4, "READONLY"), "OK");
    assert_eq!(lab.run(4, "GET hello"), "1");
    lab.t.restart(1).expect("a restart");
    lab.t.advance(500);
    assert_eq!(lab.owner_port(2, "key:1"), 7001);
    assert_eq!(lab.run(1, "DBSIZE"), "(integer) 0");
    assert!(lab.run(1, "CLUSTER INFO").contains("cluster_state:ok"));
    assert!(lab.run(0, "CLUSTER NODES").contains(&format!("{m0} 127.0.0.1:7000@17000 myself,master")));
    // A master failed over while down comes back as its replica's replica.
    lab.node_timeout(1000);
    assert_eq!(lab.run(2, "SET foo 1"), "OK");
    lab.t.advance(10);
    lab.t.stop(2);
    lab.t.advance(5_000);
    assert_eq!(lab.owner_port(0, "foo"), 7003);
    lab.t.restart(2).expect("a restart");
    lab.t.advance(1_000);
    assert_eq!(lab.info_field(2, "INFO replication", "master_port"), "7003");
    assert_eq!(lab.run(2, "READONLY"), "OK");
    assert_eq!(lab.run(2, "GET foo"), "1");
}

/// During a manual failover the master holds writes back; once its
/// replica took over, they are redirected there.
#[test]
fn writes_held_during_a_manual_failover_are_redirected() {
    let mut lab = Lab::new(9);
    lab.t.set_delay(4, 100);
    assert_eq!(lab.run(0, "SET hello 1"), "OK");
    lab.t.advance(300);
    assert_eq!(lab.run(4, "CLUSTER FAILOVER"), "OK");
    lab.t.advance(150);
    assert_eq!(lab.raw(0, "SET hello 2"), Reply::Blocked, "the master paused its writers");
    assert_eq!(lab.run(0, "GET hello"), "1", "reads go on");
    let me = lab.t.engine_client(0, lab.clients[0]);
    let mut delivered = None;
    for _ in 0..100 {
        lab.t.advance(10);
        let events = lab.t.engine(0).expect("node 0").drain_events();
        for event in events {
            if let redis_emulator::Event::Deliver { client, reply } = event {
                if Some(client) == me {
                    delivered = Some(reply);
                }
            }
        }
        if delivered.is_some() {
            break;
        }
    }
    assert_eq!(delivered, Some(Reply::error("MOVED 866 127.0.0.1:7004")));
    assert_eq!(lab.owner_port(1, "hello"), 7004);
}

/// Random stops, starts, cuts and delays never panic, and once every node
/// runs again with its links restored the nodes agree on one owner per
/// slot and the cluster is ok everywhere (`FAULT_SEEDS=n` runs more seeds).
#[test]
fn random_faults_heal_into_one_agreed_cluster() {
    let seeds: u64 = std::env::var("FAULT_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(3);
    for seed in 0..seeds {
        let mut lab = Lab::new(200 + seed);
        lab.node_timeout(1000);
        let mut rng = Rng::new(seed);
        for step in 0..25 {
            let node = rng.below(6) as usize;
            match rng.below(6) {
                0 => lab.t.stop(node),
                1 => lab.t.start(node),
                2 => lab.t.cut(node),
                3 => lab.t.restore(node),
                4 => lab.t.set_delay(node, rng.below(300) as i64),
                _ => {
                    let key = format!("k{step}");
                    let _ = lab.raw(node, &format!("SET {key} {step}"));
                }
            }
            lab.t.advance(rng.below(2000) as i64);
        }
        for node in 0..6 {
            lab.t.start(node);
            lab.t.restore(node);
            lab.t.set_delay(node, 0);
        }
        lab.t.advance(10_000);
        let mut owners = Vec::new();
        for node in 0..6 {
            let info = lab.run(node, "CLUSTER INFO");
            if !info.contains("cluster_state:ok") {
                let all: Vec<String> = (0..6).map(|n| lab.run(n, "CLUSTER NODES")).collect();
                let roles: Vec<String> = (0..6).map(|n| lab.run(n, "ROLE")).collect();
                panic!("seed {seed} node {node}: {info}\n{}\n{roles:?}", all.join("\n"));
            }
            owners.push(["hello", "key:1", "foo"].map(|k| lab.owner_port(node, k)));
        }
        assert!(owners.windows(2).all(|w| w[0] == w[1]), "seed {seed}: {owners:?}");
        let nodes = lab.run(0, "CLUSTER NODES");
        assert_eq!(nodes.matches("master").count(), 3, "seed {seed}: {nodes}");
        assert!(!nodes.contains("fail"), "seed {seed}: {nodes}");
    }
}

/// `cluster-replica-no-failover yes` keeps a replica from taking over by
/// itself; CLUSTER FAILOVER then needs FORCE, its master being down.
#[test]
fn a_replica_without_automatic_failover_needs_force() {
    let mut lab = Lab::new(10);
    lab.node_timeout(1000);
    assert_eq!(lab.run(4, "CONFIG SET cluster-replica-no-failover yes"), "OK");
    lab.t.stop(0);
    lab.t.advance(5_000);
    let nodes = lab.run(4, "CLUSTER NODES");
    assert!(nodes.contains("master,fail - "), "{nodes}");
    assert_eq!(lab.owner_port(4, "hello"), 7000, "no automatic failover");
    assert!(lab.run(1, "CLUSTER INFO").contains("cluster_state:fail"));
    assert_eq!(lab.run(4, "CLUSTER FAILOVER"), "ERR Master is down or failed, please use CLUSTER FAILOVER FORCE");
    assert_eq!(lab.run(4, "CLUSTER FAILOVER FORCE"), "OK");
    lab.t.advance(200);
    assert_eq!(lab.owner_port(1, "hello"), 7004);
    assert!(lab.run(1, "CLUSTER INFO").contains("cluster_state:ok"));
}

/// A replica whose data is older than the ping period plus
/// `cluster-replica-validity-factor` node timeouts does not fail over
/// (factor 0: any age may).
#[test]
fn a_replica_with_stale_data_does_not_fail_over() {
    let mut lab = Lab::new(11);
    lab.node_timeout(1000);
    assert_eq!(lab.run(4, "CONFIG SET cluster-replica-no-failover yes"), "OK");
    lab.t.stop(0);
    lab.t.advance(25_000);
    assert_eq!(lab.run(4, "CONFIG SET cluster-replica-no-failover no"), "OK");
    lab.t.advance(5_000);
    assert_eq!(lab.owner_port(4, "hello"), 7000, "25 s old data: more than 10 s + 10 node timeouts");
    assert_eq!(lab.run(4, "CONFIG SET cluster-replica-validity-factor 0"), "OK");
    lab.t.advance(5_000);
    assert_eq!(lab.owner_port(1, "hello"), 7004);
}

/// Two replicas for each master: when a master stops, one of its
/// replicas wins the election and the other follows the winner.
#[test]
fn with_two_replicas_one_wins_and_the_other_follows() {
    let mut t = Topology::new(T0, 12);
    let nodes = t.create_cluster(3, 2, 7000).expect("a cluster");
    assert_eq!(nodes.len(), 9);
    let clients: Vec<ClientId> = nodes.iter().map(|&i| t.connect(i, "console").expect("a client")).collect();
    let mut lab = Lab { t, clients };
    for i in 0..9 {
        assert_eq!(lab.run(i, "CONFIG SET cluster-node-timeout 1000"), "OK");
    }
    // redis-cli's plan: 7004 and 7005 replicate 7000.
    for replica in [4, 5] {
        assert_eq!(lab.info_field(replica, "INFO replication", "master_port"), "7000");
    }
    assert_eq!(lab.run(0, "SET hello 1"), "OK");
    lab.t.advance(100);
    lab.t.stop(0);
    lab.t.advance(6_000);
    let winner = lab.owner_port(1, "hello");
    assert!(winner == 7004 || winner == 7005, "{winner}");
    let other = if winner == 7004 { 5 } else { 4 };
    assert_eq!(lab.info_field(other, "INFO replication", "master_port"), winner.to_string());
    let info = lab.run(2, "CLUSTER INFO");
    assert!(info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:9"), "{info}");
    assert_eq!(lab.run(other, "READONLY"), "OK");
    assert_eq!(lab.run(other, "GET hello"), "1");
}

/// Replica migration: a master left without a working replica gets one
/// from the master with the most (beyond `cluster-migration-barrier`),
/// 5 s after it became an orphan; `cluster-allow-replica-migration no`
/// keeps replicas where they are.
#[test]
fn an_orphaned_master_receives_a_migrating_replica() {
    for allow in [true, false] {
        let mut lab = Lab::new(13);
        let m0 = lab.id(0);
        let extra = lab.t.add_node(7006);
        lab.t.enable_cluster(extra);
        let client = lab.t.connect(extra, "console").expect("a client");
        lab.clients.push(client);
        assert_eq!(lab.run(extra, "CLUSTER MEET 127.0.0.1 7000"), "OK");
        lab.t.advance(100);
        assert_eq!(lab.run(extra, &format!("CLUSTER REPLICATE {m0}")), "OK");
        lab.t.advance(100);
        for i in 0..7 {
            assert_eq!(lab.run(i, "CONFIG SET cluster-node-timeout 1000"), "OK");
            let setting = if allow { "yes" } else { "no" };
            assert_eq!(lab.run(i, &format!("CONFIG SET cluster-allow-replica-migration {setting}")), "OK");
        }
        let replicas_of = |lab: &mut Lab, m: usize| {
            let id = lab.id(m);
            match lab.raw(0, &format!("CLUSTER REPLICAS {id}")) {
                Reply::Array(lines) => lines.len(),
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(replicas_of(&mut lab, 0), 2);
        lab.t.stop(5); // the replica of 7001
        lab.t.advance(4_000);
        assert!(lab.run(0, "CLUSTER NODES").contains("slave,fail"));
        assert_eq!(replicas_of(&mut lab, 0), 2, "not before 5 s as an orphan");
        lab.t.advance(4_000);
        if allow {
            assert_eq!(replicas_of(&mut lab, 0), 1);
            assert_eq!(replicas_of(&mut lab, 1), 2, "the failed replica and the migrated one");
            let moved = [4, 6].into_iter().find(|&i| lab.info_field(i, "INFO replication", "master_port") == "7001");
            assert!(moved.is_some(), "one of 7004 and 7006 follows 7001");
        } else {
            assert_eq!(replicas_of(&mut lab, 0), 2);
        }
    }
}
