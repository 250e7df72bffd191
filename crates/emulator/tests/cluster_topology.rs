//! Cluster nodes in a `Topology`: created as `redis-cli --cluster create`
//! lays them out, reached by clients that follow MOVED, resharded with
//! MIGRATE between nodes of the topology, bus messages delayed by links
//! and lost to stopped nodes.

mod common;

use common::T0;
use redis_emulator::cli_format::format_reply;
use redis_emulator::cluster::key_slot;
use redis_emulator::resp::Protocol;
use redis_emulator::{ClientId, Reply, Topology};

fn text(reply: &Reply) -> String {
    format_reply(reply, Protocol::Resp2).trim_end().to_string()
}

fn line(t: &mut Topology, i: usize, client: ClientId, line: &str) -> String {
    let argv = redis_emulator::tokenizer::split_line(line).expect("line parses");
    text(&t.execute(i, client, argv))
}

fn three() -> (Topology, Vec<usize>, Vec<ClientId>) {
    let mut t = Topology::new(T0, 5);
    let nodes = t.create_cluster(3, 0, 7000).expect("a cluster");
    let clients = nodes.iter().map(|&i| t.connect(i, "console").expect("a client")).collect();
    (t, nodes, clients)
}

/// Runs `argv` as `redis-cli -c` does: from node `start`, following MOVED.
fn follow(t: &mut Topology, clients: &[ClientId], start: usize, argv: &[&str]) -> (usize, Reply) {
    let argv: Vec<Vec<u8>> = argv.iter().map(|a| a.as_bytes().to_vec()).collect();
    let mut at = start;
    for _ in 0..5 {
        let reply = t.execute(at, clients[at], argv.clone());
        let Some(moved) = reply.error_text().and_then(|e| e.strip_prefix("MOVED ")) else { return (at, reply) };
        let port: u16 = moved.rsplit(':').next().and_then(|p| p.parse().ok()).expect("a port");
        at = t.find(port).expect("a node on that port");
    }
    panic!("redirected in circles: {argv:?}");
}

fn my_id(t: &mut Topology, i: usize, client: ClientId) -> String {
    line(t, i, client, "CLUSTER MYID").trim_matches('"').to_string()
}

#[test]
fn create_cluster_splits_the_slots_and_converges() {
    let (mut t, nodes, clients) = three();
    assert_eq!(nodes, [0, 1, 2]);
    let ports: Vec<u16> = t.nodes().iter().map(|n| n.port).collect();
    assert_eq!(ports, [7000, 7001, 7002]);
    for &i in &nodes {
        let info = line(&mut t, i, clients[i], "CLUSTER INFO");
        assert!(info.contains("cluster_state:ok"), "{info}");
        assert!(info.contains("cluster_known_nodes:3"), "{info}");
        assert!(info.contains("cluster_size:3"), "{info}");
        assert!(info.contains(&format!("cluster_my_epoch:{}", i + 1)), "{info}");
    }
    let slots = line(&mut t, 2, clients[2], "CLUSTER SLOTS");
    for range in ["1) (integer) 0\n   2) (integer) 5460", "(integer) 5461\n   2) (integer) 10922"] {
        assert!(slots.contains(range), "{slots}");
    }
    assert!(t.create_cluster(3, 0, 7001).unwrap_err().contains("7001"));
    assert!(t.create_cluster(0, 1, 8000).is_err());
    assert!(t.create_cluster(3, usize::MAX, 8000).is_err());
    assert!(t.create_cluster(usize::MAX, 1, 8000).is_err());
    assert!(t.create_cluster(3, 0, 65534).is_err(), "no room for three ports");
}

#[test]
fn keys_land_on_the_node_serving_their_slot() {
    let (mut t, nodes, clients) = three();
    for k in 0..60 {
        let key = format!("key:{k}");
        let (at, reply) = follow(&mut t, &clients, k % 3, &["SET", &key, "v"]);
        assert_eq!(reply, Reply::ok());
        let slot = key_slot(key.as_bytes());
        let expected = if slot <= 5460 {
            0
        } else if slot <= 10922 {
            1
        } else {
            2
        };
        assert_eq!(at, nodes[expected], "{key} in slot {slot}");
    }
    let total: i64 = (0..3)
        .map(|i| match t.execute(i, clients[i], vec![b"DBSIZE".to_vec()]) {
            Reply::Integer(n) => n,
            other => panic!("{other:?}"),
        })
        .sum();
    assert_eq!(total, 60);
    assert_eq!(line(&mut t, 0, clients[0], "GET foo"), "(error) MOVED 12182 127.0.0.1:7002");
}

#[test]
fn migrate_moves_a_slot_range_between_nodes() {
    let (mut t, _, clients) = three();
    // Keys of slots 0..=99 (all on the first node) move to the second.
    let mut keys = Vec::new();
    for k in 0..20_000 {
        let key = format!("m{k}");
        if key_slot(key.as_bytes()) < 100 {
            assert_eq!(line(&mut t, 0, clients[0], &format!("SET {key} {k}")), "OK");
            keys.push(key);
        }
    }
    assert!(keys.len() > 50);
    let (a, b) = (my_id(&mut t, 0, clients[0]), my_id(&mut t, 1, clients[1]));
    for slot in 0..100 {
        assert_eq!(line(&mut t, 1, clients[1], &format!("CLUSTER SETSLOT {slot} IMPORTING {a}")), "OK");
        assert_eq!(line(&mut t, 0, clients[0], &format!("CLUSTER SETSLOT {slot} MIGRATING {b}")), "OK");
        let listed = redis_emulator::tokenizer::split_line(&format!("CLUSTER GETKEYSINSLOT {slot} 100")).unwrap();
        let listed = t.execute(0, clients[0], listed);
        let Reply::Array(listed) = listed else { panic!("{listed:?}") };
        if !listed.is_empty() {
            let mut argv: Vec<Vec<u8>> = ["MIGRATE", "127.0.0.1", "7001", "", "0", "5000", "KEYS"]
                .iter()
                .map(|a| a.as_bytes().to_vec())
                .collect();
            argv.extend(listed.into_iter().map(|k| match k {
                Reply::Bulk(k) => k,
                other => panic!("{other:?}"),
            }));
            assert_eq!(t.execute(0, clients[0], argv), Reply::ok());
        }
        for i in [1, 0] {
            assert_eq!(line(&mut t, i, clients[i], &format!("CLUSTER SETSLOT {slot} NODE {b}")), "OK");
        }
    }
    assert_eq!(line(&mut t, 0, clients[0], "DBSIZE"), "(integer) 0");
    assert_eq!(line(&mut t, 1, clients[1], "DBSIZE"), format!("(integer) {}", keys.len()));
    // The third node heard of the move over the bus.
    for key in &keys {
        let (at, reply) = follow(&mut t, &clients, 2, &["GET", key]);
        assert_eq!(at, 1);
        assert!(matches!(reply, Reply::Bulk(_)), "{reply:?}");
    }
    let nodes = line(&mut t, 2, clients[2], "CLUSTER NODES");
    assert!(nodes.contains(" 0-99 5461-10922"), "{nodes}");
    // MIGRATE to a stopped node cannot connect.
    let moving = format!("{{{}}}x", keys[0]);
    assert_eq!(line(&mut t, 1, clients[1], &format!("SET {moving} 1")), "OK");
    t.stop(2);
    assert_eq!(
        line(&mut t, 1, clients[1], &format!("MIGRATE 127.0.0.1 7002 {moving} 0 100")),
        "(error) IOERR error or timeout connecting to the client"
    );
}

#[test]
fn a_stopped_node_refuses_connections_and_hears_nothing() {
    let (mut t, _, clients) = three();
    let second = t.connect(0, "second").expect("a client");
    assert_eq!(line(&mut t, 0, second, "SELECT 0"), "OK");
    assert_eq!(line(&mut t, 0, clients[0], "CLIENT SETNAME one"), "OK");
    let listed = line(&mut t, 0, second, "CLIENT LIST");
    assert_eq!(listed.matches("laddr=127.0.0.1:7000").count(), 2, "{listed}");
    assert_eq!(t.clients(0).len(), 2);
    t.stop(2);
    assert_eq!(
        line(&mut t, 2, clients[2], "PING"),
        "(error) ERR Could not connect to Redis at 127.0.0.1:7002: Connection refused"
    );
    assert_eq!(line(&mut t, 0, clients[0], "GET foo"), "(error) MOVED 12182 127.0.0.1:7002");
    // A change of the slot table does not reach the stopped node.
    let a = my_id(&mut t, 0, clients[0]);
    assert_eq!(line(&mut t, 0, clients[0], "CLUSTER BUMPEPOCH"), "BUMPED 4");
    assert_eq!(line(&mut t, 1, clients[1], "CLUSTER ADDSLOTS 16383"), "(error) ERR Slot 16383 is already busy");
    t.start(2);
    let epoch = line(&mut t, 2, clients[2], "CLUSTER INFO");
    assert!(epoch.contains("cluster_current_epoch:3"), "{epoch}");
    assert!(line(&mut t, 1, clients[1], "CLUSTER INFO").contains("cluster_current_epoch:4"));
    // Its clients reconnect (as new connections) when it is back.
    assert_eq!(line(&mut t, 2, clients[2], "PING"), "PONG");
    t.disconnect(0, second);
    assert_eq!(t.clients(0).len(), 1);
    assert_eq!(line(&mut t, 0, second, "PING"), "(error) ERR no such client");
    assert_eq!(line(&mut t, 0, clients[0], "CLIENT LIST").matches("id=").count(), 1);
    assert!(!a.is_empty());
}

#[test]
fn bus_messages_take_the_links_delays() {
    let (mut t, _, clients) = three();
    t.set_delay(0, 100);
    t.set_delay(2, 50);
    assert_eq!(line(&mut t, 0, clients[0], "CLUSTER BUMPEPOCH"), "BUMPED 4");
    t.advance(140);
    assert!(line(&mut t, 2, clients[2], "CLUSTER INFO").contains("cluster_current_epoch:3"));
    assert!(line(&mut t, 1, clients[1], "CLUSTER INFO").contains("cluster_current_epoch:4"));
    t.advance(20);
    assert!(line(&mut t, 2, clients[2], "CLUSTER INFO").contains("cluster_current_epoch:4"));
    // Nothing crosses a cut link.
    t.cut(1);
    assert_eq!(line(&mut t, 2, clients[2], "CLUSTER BUMPEPOCH"), "BUMPED 5");
    t.advance(1000);
    assert!(line(&mut t, 1, clients[1], "CLUSTER INFO").contains("cluster_current_epoch:4"));
    assert!(line(&mut t, 0, clients[0], "CLUSTER INFO").contains("cluster_current_epoch:5"));
}

/// Extreme settings never panic: the largest node timeout, the largest
/// link delay, a zero timeout.
#[test]
fn extreme_timeouts_and_delays_do_not_panic() {
    let mut t = Topology::new(T0, 9);
    let nodes = t.create_cluster(3, 1, 7000).expect("a cluster");
    let clients: Vec<ClientId> = nodes.iter().map(|&i| t.connect(i, "c").expect("a client")).collect();
    for (i, &c) in clients.iter().enumerate() {
        let timeout = if i % 2 == 0 { "9223372036854775807" } else { "0" };
        assert_eq!(line(&mut t, i, c, &format!("CONFIG SET cluster-node-timeout {timeout}")), "OK");
        assert_eq!(line(&mut t, i, c, "CONFIG SET repl-ping-replica-period 2147483647"), "OK");
        assert_eq!(line(&mut t, i, c, "CONFIG SET cluster-replica-validity-factor 2147483647"), "OK");
    }
    t.set_delay(1, i64::MAX);
    t.stop(0);
    t.advance(3_000);
    assert_eq!(line(&mut t, 4, clients[4], "CLUSTER FAILOVER TAKEOVER"), "OK");
    t.advance(1_000);
    t.start(0);
    t.advance(1_000);
    assert_eq!(line(&mut t, 2, clients[2], "PING"), "PONG");
}

/// Resharding one slot as `redis-cli --cluster reshard` does it (SETSLOT
/// IMPORTING/MIGRATING, MIGRATE … KEYS, SETSLOT NODE everywhere), with ASK
/// while the slot moves, MIGRATE's errors and its cached connection.
#[test]
fn resharding_a_slot_with_migrate_asks_while_it_moves() {
    let (mut t, _, clients) = three();
    let run_on = |t: &mut Topology, i: usize, l: &str| line(t, i, clients[i], l);
    let slot = key_slot(b"bar"); // 5061, on the first node
    let (a_id, b_id) = (my_id(&mut t, 0, clients[0]), my_id(&mut t, 1, clients[1]));
    for l in ["SET bar 1", "SET {bar}2 2", "SET {bar}3 3"] {
        assert_eq!(run_on(&mut t, 0, l), "OK");
    }
    assert_eq!(run_on(&mut t, 1, &format!("CLUSTER SETSLOT {slot} IMPORTING {a_id}")), "OK");
    assert_eq!(run_on(&mut t, 0, &format!("CLUSTER SETSLOT {slot} MIGRATING {b_id}")), "OK");
    let nodes_line = run_on(&mut t, 0, "CLUSTER NODES");
    assert!(nodes_line.contains(&format!("[{slot}->-{b_id}]")), "{nodes_line}");
    // While migrating: present keys served here, absent ones asked for there.
    assert_eq!(run_on(&mut t, 0, "GET bar"), "\"1\"");
    assert_eq!(run_on(&mut t, 0, "GET {bar}x"), format!("(error) ASK {slot} 127.0.0.1:7001"));
    assert_eq!(run_on(&mut t, 1, "GET bar"), format!("(error) MOVED {slot} 127.0.0.1:7000"));
    assert_eq!(run_on(&mut t, 1, "ASKING"), "OK");
    assert_eq!(run_on(&mut t, 1, "GET bar"), "(nil)");
    assert_eq!(run_on(&mut t, 1, "GET bar"), format!("(error) MOVED {slot} 127.0.0.1:7000"));

    assert_eq!(run_on(&mut t, 0, "MIGRATE 127.0.0.1 7001 \"\" 0 5000 KEYS bar {bar}2"), "OK");
    assert!(run_on(&mut t, 0, "INFO stats").contains("migrate_cached_sockets:1"));
    assert_eq!(run_on(&mut t, 0, "GET bar"), format!("(error) ASK {slot} 127.0.0.1:7001"), "moved keys are asked for");
    assert_eq!(
        run_on(&mut t, 0, "MIGRATE 127.0.0.1 7009 {bar}3 0 10"),
        "(error) IOERR error or timeout connecting to the client"
    );
    assert_eq!(
        run_on(&mut t, 0, "MIGRATE 127.0.0.1 7000 {bar}3 0 10"),
        "(error) IOERR error or timeout reading to target instance"
    );
    assert_eq!(run_on(&mut t, 0, "MIGRATE 127.0.0.1 7001 {bar}3 0 10"), "OK");
    for i in 0..3 {
        assert_eq!(run_on(&mut t, i, &format!("CLUSTER SETSLOT {slot} NODE {b_id}")), "OK");
    }
    assert_eq!(run_on(&mut t, 1, "GET bar"), "\"1\"");
    assert_eq!(run_on(&mut t, 1, "CLUSTER COUNTKEYSINSLOT 5061"), "(integer) 3");
    for i in 0..3 {
        let expected = if i == 1 { "\"1\"".to_string() } else { format!("(error) MOVED {slot} 127.0.0.1:7001") };
        assert_eq!(run_on(&mut t, i, "GET bar"), expected);
        let table = run_on(&mut t, i, "CLUSTER NODES");
        assert!(!table.contains("->-") && !table.contains("-<-"), "{table}");
    }
    // The importing node took a new, highest epoch, so its claim wins everywhere.
    assert!(run_on(&mut t, 1, "CLUSTER INFO").contains("cluster_my_epoch:4"));
    t.engine(0).expect("node 0").advance_clock(11_000);
    assert!(run_on(&mut t, 0, "INFO stats").contains("migrate_cached_sockets:0"));
}
