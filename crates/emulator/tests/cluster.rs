//! Cluster mode in the engine: slots, the CLUSTER commands, redirections
//! (MOVED, ASK, CROSSSLOT, TRYAGAIN, CLUSTERDOWN) in plain commands, MULTI
//! and scripts, bus messages between engines hosted together, and MIGRATE
//! between two engines through an in-process host.

use std::sync::{Arc, Mutex};

use proptest::prelude::*;
use redis_emulator::cli_format::format_reply;
use redis_emulator::cluster::bus::{exchange, ClusterHost, LinkError, MigrateLink};
use redis_emulator::cluster::{key_slot, SLOTS};
use redis_emulator::resp::Protocol;
use redis_emulator::{ClientId, Config, Engine, Reply};

fn node(port: u16, seed: u64) -> Engine {
    let mut engine = Engine::with_manual_clock(1_000_000, seed);
    engine.enable_cluster("127.0.0.1", port);
    engine
}

fn run(engine: &mut Engine, id: ClientId, line: &str) -> String {
    let reply = engine.execute_line(id, line).expect("line parses");
    format_reply(&reply, Protocol::Resp2).trim_end().to_string()
}

/// Three masters with `redis-cli --cluster create`'s split, introduced by MEET.
fn three() -> (Vec<Engine>, Vec<ClientId>) {
    let mut engines = vec![node(7000, 1), node(7001, 2), node(7002, 3)];
    let ids: Vec<ClientId> = engines.iter_mut().map(|e| e.connect("t:1")).collect();
    let ranges = ["0 5460", "5461 10922", "10923 16383"];
    for (i, e) in engines.iter_mut().enumerate() {
        assert_eq!(run(e, ids[i], &format!("CLUSTER SET-CONFIG-EPOCH {}", i + 1)), "OK");
        assert_eq!(run(e, ids[i], &format!("CLUSTER ADDSLOTSRANGE {}", ranges[i])), "OK");
    }
    assert_eq!(run(&mut engines[0], ids[0], "CLUSTER MEET 127.0.0.1 7001"), "OK");
    assert_eq!(run(&mut engines[0], ids[0], "CLUSTER MEET 127.0.0.1 7002"), "OK");
    settle(&mut engines);
    (engines, ids)
}

fn settle(engines: &mut [Engine]) {
    let mut refs: Vec<&mut Engine> = engines.iter_mut().collect();
    exchange(&mut refs);
}

#[test]
fn cluster_commands_need_cluster_mode() {
    let mut engine = Engine::with_manual_clock(0, 1);
    let me = engine.connect("t:1");
    for line in ["CLUSTER INFO", "CLUSTER KEYSLOT a", "ASKING", "READONLY", "READWRITE", "CLUSTER HELP"] {
        assert_eq!(run(&mut engine, me, line), "(error) ERR This instance has cluster support disabled", "{line}");
    }
    assert_eq!(run(&mut engine, me, "CLUSTER NOPE"), "(error) ERR unknown subcommand 'NOPE'. Try CLUSTER HELP.");
    assert_eq!(run(&mut engine, me, "SELECT 1"), "OK");
    assert!(run(&mut engine, me, "INFO cluster").contains("cluster_enabled:0"));
    // Through the configuration, as `--cluster-enabled yes` gives it.
    let mut config = Config::default();
    config.extra.insert("cluster-enabled", "yes".into());
    let mut engine = Engine::new(redis_emulator::clock::Clock::manual(0), 1, config);
    let me = engine.connect("t:1");
    assert_eq!(run(&mut engine, me, "CLUSTER KEYSLOT foo"), "(integer) 12182");
    assert_eq!(run(&mut engine, me, "SELECT 1"), "(error) ERR SELECT is not allowed in cluster mode");
    assert_eq!(run(&mut engine, me, "SELECT 0"), "OK");
    assert!(run(&mut engine, me, "INFO cluster").contains("cluster_enabled:1"));
}

#[test]
fn a_lone_node_is_down_until_every_slot_is_served() {
    let mut e = node(7000, 1);
    let me = e.connect("t:1");
    let info = run(&mut e, me, "CLUSTER INFO");
    assert!(info.contains("cluster_state:fail"), "{info}");
    assert_eq!(run(&mut e, me, "GET foo"), "(error) CLUSTERDOWN Hash slot not served");
    assert_eq!(run(&mut e, me, "PING"), "PONG");
    assert_eq!(run(&mut e, me, "CLUSTER ADDSLOTSRANGE 0 16382"), "OK");
    assert_eq!(run(&mut e, me, "GET foo"), "(error) CLUSTERDOWN The cluster is down");
    assert_eq!(run(&mut e, me, "CLUSTER ADDSLOTS 16383 16383"), "(error) ERR Slot 16383 specified multiple times");
    assert_eq!(run(&mut e, me, "CLUSTER ADDSLOTS 0"), "(error) ERR Slot 0 is already busy");
    assert_eq!(run(&mut e, me, "CLUSTER ADDSLOTS 16384"), "(error) ERR Invalid or out of range slot");
    assert_eq!(run(&mut e, me, "CLUSTER ADDSLOTS 16383"), "OK");
    assert!(run(&mut e, me, "CLUSTER INFO").contains("cluster_state:ok"));
    assert_eq!(run(&mut e, me, "SET foo 1"), "OK");
    assert_eq!(run(&mut e, me, "CLUSTER COUNTKEYSINSLOT 12182"), "(integer) 1");
    assert_eq!(run(&mut e, me, "CLUSTER GETKEYSINSLOT 12182 10"), "1) \"foo\"");
    assert_eq!(
        run(&mut e, me, "CLUSTER DELSLOTSRANGE 5 1"),
        "(error) ERR start slot number 5 is greater than end slot number 1"
    );
    assert_eq!(
        run(&mut e, me, "CLUSTER RESET"),
        "(error) ERR CLUSTER RESET can't be called with master nodes containing keys"
    );
}

#[test]
fn three_nodes_agree_and_redirect() {
    let (mut engines, ids) = three();
    for (i, e) in engines.iter_mut().enumerate() {
        let info = run(e, ids[i], "CLUSTER INFO");
        assert!(info.contains("cluster_state:ok"), "{info}");
        assert!(info.contains("cluster_known_nodes:3"), "{info}");
        assert!(info.contains("cluster_size:3"), "{info}");
        let slots = run(e, ids[i], "CLUSTER SLOTS");
        assert!(slots.contains("5461") && slots.contains("7002"), "{slots}");
    }
    let e = &mut engines[0];
    let me = ids[0];
    assert_eq!(run(e, me, "SET bar 1"), "OK");
    assert_eq!(run(e, me, "SET foo 1"), "(error) MOVED 12182 127.0.0.1:7002");
    assert_eq!(run(e, me, "MSET bar 1 foo 2"), "(error) CROSSSLOT Keys in request don't hash to the same slot");
    assert_eq!(run(e, me, "MSET {bar}a 1 {bar}b 2"), "OK");
    // MULTI: a redirected command dooms the transaction.
    assert_eq!(run(e, me, "MULTI"), "OK");
    assert_eq!(run(e, me, "SET foo 1"), "(error) MOVED 12182 127.0.0.1:7002");
    assert_eq!(run(e, me, "EXEC"), "(error) EXECABORT Transaction discarded because of previous errors.");
    // Scripts: declared keys are routed, undeclared non-local keys refused.
    assert_eq!(run(e, me, "EVAL \"return 1\" 1 foo"), "(error) MOVED 12182 127.0.0.1:7002");
    let refused = run(e, me, "EVAL \"return redis.call('get','foo')\" 0");
    assert!(
        refused.starts_with("(error) ERR Script attempted to access a non local key in a cluster node"),
        "{refused}"
    );
    assert_eq!(run(e, me, "EVAL \"return redis.call('get','bar')\" 0"), "\"1\"");
}

/// A MIGRATE link to an engine of the same process.
struct LocalLink {
    target: Arc<Mutex<Engine>>,
    client: ClientId,
}

impl MigrateLink for LocalLink {
    fn call(&mut self, commands: &[Vec<Vec<u8>>], _timeout_ms: u64) -> Result<Vec<Reply>, LinkError> {
        let mut target = self.target.lock().map_err(|_| LinkError::Read)?;
        Ok(commands.iter().map(|c| target.execute(self.client, c.clone())).collect())
    }
}

struct LocalHost {
    nodes: Vec<(u16, Arc<Mutex<Engine>>)>,
}

impl ClusterHost for LocalHost {
    fn connect(&mut self, _ip: &str, port: u16, _timeout_ms: u64) -> Option<Box<dyn MigrateLink>> {
        let (_, target) = self.nodes.iter().find(|(p, _)| *p == port)?;
        let client = target.lock().ok()?.connect("migrate:1");
        Some(Box::new(LocalLink { target: target.clone(), client }))
    }
}

#[test]
fn resharding_a_slot_with_migrate() {
    let (mut engines, ids) = three();
    let slot = key_slot(b"bar"); // 5061, on the first node
    let a_id = run(&mut engines[0], ids[0], "CLUSTER MYID").trim_matches('"').to_string();
    let b_id = run(&mut engines[1], ids[1], "CLUSTER MYID").trim_matches('"').to_string();
    assert_eq!(run(&mut engines[0], ids[0], "SET bar 1"), "OK");
    assert_eq!(run(&mut engines[0], ids[0], "SET {bar}2 2"), "OK");
    assert_eq!(run(&mut engines[0], ids[0], "SET {bar}3 3"), "OK");
    assert_eq!(run(&mut engines[1], ids[1], &format!("CLUSTER SETSLOT {slot} IMPORTING {a_id}")), "OK");
    assert_eq!(run(&mut engines[0], ids[0], &format!("CLUSTER SETSLOT {slot} MIGRATING {b_id}")), "OK");
    let nodes = run(&mut engines[0], ids[0], "CLUSTER NODES");
    assert!(nodes.contains(&format!("[{slot}->-{b_id}]")), "{nodes}");
    // While migrating: present keys served here, absent ones asked for there.
    assert_eq!(run(&mut engines[0], ids[0], "GET bar"), "\"1\"");
    assert_eq!(run(&mut engines[0], ids[0], "GET {bar}x"), format!("(error) ASK {slot} 127.0.0.1:7001"));
    assert_eq!(run(&mut engines[1], ids[1], "GET bar"), format!("(error) MOVED {slot} 127.0.0.1:7000"));
    assert_eq!(run(&mut engines[1], ids[1], "ASKING"), "OK");
    assert_eq!(run(&mut engines[1], ids[1], "GET bar"), "(nil)");
    assert_eq!(run(&mut engines[1], ids[1], "GET bar"), format!("(error) MOVED {slot} 127.0.0.1:7000"));

    let engines: Vec<Arc<Mutex<Engine>>> = engines.into_iter().map(|e| Arc::new(Mutex::new(e))).collect();
    let host = LocalHost { nodes: vec![(7001, engines[1].clone())] };
    engines[0].lock().unwrap().set_cluster_host(Box::new(host));
    let migrate = "MIGRATE 127.0.0.1 7001 \"\" 0 5000 KEYS bar {bar}2";
    assert_eq!(run(&mut engines[0].lock().unwrap(), ids[0], migrate), "OK");
    assert!(run(&mut engines[0].lock().unwrap(), ids[0], "INFO stats").contains("migrate_cached_sockets:1"));
    assert_eq!(run(&mut engines[0].lock().unwrap(), ids[0], "MIGRATE 127.0.0.1 7009 bar 0 10"), "NOKEY");
    let ask = format!("(error) ASK {slot} 127.0.0.1:7001");
    assert_eq!(run(&mut engines[0].lock().unwrap(), ids[0], "GET bar"), ask, "moved keys are asked for");
    assert_eq!(
        run(&mut engines[0].lock().unwrap(), ids[0], "MIGRATE 127.0.0.1 7009 {bar}3 0 10"),
        "(error) IOERR error or timeout connecting to the client"
    );
    assert_eq!(run(&mut engines[0].lock().unwrap(), ids[0], "MIGRATE 127.0.0.1 7001 {bar}3 0 10"), "OK");
    for (i, e) in engines.iter().enumerate() {
        assert_eq!(run(&mut e.lock().unwrap(), ids[i], &format!("CLUSTER SETSLOT {slot} NODE {b_id}")), "OK");
    }
    {
        let mut guards: Vec<_> = engines.iter().map(|e| e.lock().unwrap()).collect();
        let mut refs: Vec<&mut Engine> = guards.iter_mut().map(|g| &mut **g).collect();
        exchange(&mut refs);
    }
    assert_eq!(run(&mut engines[1].lock().unwrap(), ids[1], "GET bar"), "\"1\"");
    assert_eq!(run(&mut engines[1].lock().unwrap(), ids[1], "CLUSTER COUNTKEYSINSLOT 5061"), "(integer) 3");
    for (i, e) in engines.iter().enumerate() {
        let mut e = e.lock().unwrap();
        assert_eq!(
            run(&mut e, ids[i], "GET bar").replace("(error) ", ""),
            if i == 1 { "\"1\"".to_string() } else { format!("MOVED {slot} 127.0.0.1:7001") }
        );
        let nodes = run(&mut e, ids[i], "CLUSTER NODES");
        assert!(!nodes.contains("->-") && !nodes.contains("-<-"), "{nodes}");
    }
    // The importing node took a new, highest epoch, so its claim wins everywhere.
    let info = run(&mut engines[1].lock().unwrap(), ids[1], "CLUSTER INFO");
    assert!(info.contains("cluster_my_epoch:4"), "{info}");
    let e = &mut engines[0].lock().unwrap();
    e.advance_clock(11_000);
    assert!(run(e, ids[0], "INFO stats").contains("migrate_cached_sockets:0"));
}

#[test]
fn transactions_redirect_at_exec_when_a_slot_moved() {
    let (mut engines, ids) = three();
    let b_id = run(&mut engines[1], ids[1], "CLUSTER MYID").trim_matches('"').to_string();
    let e = &mut engines[0];
    assert_eq!(run(e, ids[0], "MULTI"), "OK");
    assert_eq!(run(e, ids[0], "SET bar 1"), "QUEUED");
    let other = e.connect("t:2");
    assert_eq!(run(e, other, &format!("CLUSTER SETSLOT 5061 NODE {b_id}")), "OK");
    assert_eq!(run(e, ids[0], "EXEC"), "(error) MOVED 5061 127.0.0.1:7001");
    assert_eq!(run(e, ids[0], "EXEC"), "(error) ERR EXEC without MULTI");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn keyslot_never_panics(key in prop::collection::vec(any::<u8>(), 0..64)) {
        let slot = key_slot(&key);
        prop_assert!((slot as usize) < SLOTS);
    }

    #[test]
    fn cluster_commands_never_panic(args in prop::collection::vec(prop_oneof![
        Just(b"0".to_vec()), Just(b"16383".to_vec()), Just(b"16384".to_vec()), Just(b"-1".to_vec()),
        Just(b"IMPORTING".to_vec()), Just(b"MIGRATING".to_vec()), Just(b"NODE".to_vec()), Just(b"STABLE".to_vec()),
        Just(b"HARD".to_vec()), Just(b"KEYS".to_vec()), Just(b"".to_vec()), Just(b"127.0.0.1".to_vec()),
        prop::collection::vec(any::<u8>(), 0..8),
    ], 0..6), sub in prop::sample::select(vec![
        "ADDSLOTS", "DELSLOTS", "ADDSLOTSRANGE", "DELSLOTSRANGE", "SETSLOT", "MEET", "RESET", "GETKEYSINSLOT",
        "COUNTKEYSINSLOT", "FORGET", "NODES", "SLOTS", "SHARDS", "INFO", "LINKS", "KEYSLOT", "BUMPEPOCH",
    ])) {
        let mut e = node(7000, 9);
        let me = e.connect("t:1");
        let mut argv = vec![b"CLUSTER".to_vec(), sub.as_bytes().to_vec()];
        argv.extend(args.clone());
        let _ = e.execute(me, argv);
        let mut migrate = vec![b"MIGRATE".to_vec()];
        migrate.extend(args);
        let _ = e.execute(me, migrate);
        let _ = e.take_bus_messages();
    }
}
