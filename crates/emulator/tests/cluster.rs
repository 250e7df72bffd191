//! Cluster mode in the engine: slots, the CLUSTER commands, redirections
//! (MOVED, ASK, CROSSSLOT, TRYAGAIN, CLUSTERDOWN) in plain commands, MULTI
//! and scripts, bus messages between engines hosted together, and MIGRATE
//! between two engines through an in-process host.

use proptest::prelude::*;
use redis_emulator::cli_format::format_reply;
use redis_emulator::cluster::bus::exchange;
use redis_emulator::cluster::local::create_split;
use redis_emulator::cluster::{key_slot, SLOTS};
use redis_emulator::resp::Protocol;
use redis_emulator::{ClientId, Config, Engine};

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
    // READONLY shows as flag r in CLIENT LIST, as in Redis; RESET clears it.
    assert_eq!(run(&mut engine, me, "READONLY"), "OK");
    assert!(run(&mut engine, me, "CLIENT INFO").contains(" flags=r "));
    assert_eq!(run(&mut engine, me, "RESET"), "RESET");
    assert!(run(&mut engine, me, "CLIENT INFO").contains(" flags=N "));
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

#[test]
fn create_splits_slots_like_redis_cli() {
    assert_eq!(create_split(3), [(0, 5460), (5461, 10922), (10923, 16383)]);
    assert_eq!(create_split(1), [(0, 16383)]);
    for n in 1..40 {
        let split = create_split(n);
        assert_eq!(split.len(), n);
        assert_eq!(split[0].0, 0);
        assert_eq!(split[n - 1].1, 16383);
        assert!(split.windows(2).all(|w| w[0].1 + 1 == w[1].0), "{n}: {split:?}");
    }
}

/// redis-cli 7.0's plans on one host ("Adding replica P to M"):
/// one replica each: 7004 -> 7000, 7005 -> 7001, 7003 -> 7002; two each
/// (ports 7300-7308): 7304, 7305 -> 7300; 7306, 7307 -> 7301; 7308, 7303 -> 7302.
#[test]
fn replicas_are_laid_out_like_redis_cli() {
    use redis_emulator::cluster::local::replica_master;
    let one: Vec<usize> = (0..3).map(|j| replica_master(3, 1, j)).collect();
    assert_eq!(one, [2, 0, 1]);
    let two: Vec<usize> = (0..6).map(|j| replica_master(3, 2, j)).collect();
    assert_eq!(two, [2, 0, 0, 1, 1, 2]);
    assert_eq!(replica_master(0, 0, 5), 0, "nonsense sizes do not panic");
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

/// Any command on a node serving half the slots, one of them migrating
/// and one importing, from clients in and out of MULTI and ASKING.
fn any_command() -> impl Strategy<Value = Vec<Vec<u8>>> {
    let names: Vec<String> = redis_emulator::commands::all()
        .flat_map(|c| {
            let mut v = vec![c.name.to_string()];
            v.extend(c.subcommands.iter().map(|s| format!("{} {}", c.name, s.name)));
            v
        })
        .collect();
    let arg = prop_oneof![
        prop::sample::select(vec!["foo", "bar", "{bar}1", "k3", "0", "1", "-1", "5061", "KEYS", "", "STORE", "*"])
            .prop_map(|s| s.as_bytes().to_vec()),
        prop::collection::vec(any::<u8>(), 0..6),
    ];
    (prop::sample::select(names), prop::collection::vec(arg, 0..5)).prop_map(|(name, args)| {
        let mut argv: Vec<Vec<u8>> = name.split(' ').map(|p| p.as_bytes().to_vec()).collect();
        argv.extend(args);
        argv
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn redirection_never_panics(script in prop::collection::vec(any_command(), 1..20)) {
        let (mut engines, ids) = three();
        let b_id = run(&mut engines[1], ids[1], "CLUSTER MYID").trim_matches('"').to_string();
        let c_id = run(&mut engines[2], ids[2], "CLUSTER MYID").trim_matches('"').to_string();
        let mut e = engines.swap_remove(0);
        let (me, second) = (ids[0], e.connect("t:2"));
        for line in [
            "SET bar 1".to_string(),
            format!("CLUSTER SETSLOT 5061 MIGRATING {b_id}"),
            format!("CLUSTER SETSLOT 12182 IMPORTING {c_id}"),
        ] {
            prop_assert_eq!(run(&mut e, me, &line), "OK");
        }
        let _ = run(&mut e, second, "MULTI");
        for (i, argv) in script.into_iter().enumerate() {
            let who = if i % 3 == 2 { second } else { me };
            if i % 4 == 0 {
                let _ = run(&mut e, who, "ASKING");
            }
            let _ = e.execute(who, argv);
            let _ = e.drain_events();
            let _ = e.take_bus_messages();
        }
        let _ = run(&mut e, second, "EXEC");
    }
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
