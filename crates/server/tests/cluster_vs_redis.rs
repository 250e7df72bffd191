//! Our `--cluster 3` against a real Redis Cluster of three redis-server
//! masters made by `redis-cli --cluster create`, both on loopback: the
//! same hash slots for 100,000 generated keys, byte-identical MOVED / ASK /
//! CROSSSLOT / TRYAGAIN / CLUSTERDOWN-free replies for keyed commands (in
//! MULTI/EXEC and scripts too), and the same CLUSTER SLOTS / SHARDS / INFO
//! shapes once node ids and ports are masked. Panics when redis-server or
//! redis-cli is missing: this test exists to compare with them.

mod common;

use std::time::Duration;

use common::real_cluster::{free_cluster_ports, RealCluster};
use common::{free_port, show, wait_for_port, Conn};
use redis_emulator::cluster::key_slot;
use redis_emulator::resp::parse_reply;
use redis_emulator::tokenizer::split_line;
use redis_emulator::{Config, Reply};

const TIMEOUT: Duration = Duration::from_secs(10);

/// Our three-master cluster, in this process (checked to be the one
/// answering on those ports).
fn start_ours() -> Vec<u16> {
    let base = free_cluster_ports(3);
    let nodes =
        redis_emulator_server::cluster::new_cluster(3, "127.0.0.1", base, &Config::default()).expect("a cluster");
    let ids: Vec<String> = nodes
        .iter()
        .map(|(_, state)| {
            let shared = state.lock();
            shared.engine.cluster_state().map(|c| c.myself().id.clone()).unwrap_or_default()
        })
        .collect();
    std::thread::spawn(move || redis_emulator_server::cluster::serve_cluster("127.0.0.1", nodes));
    let ports: Vec<u16> = (0..3).map(|i| base + i).collect();
    for (port, id) in ports.iter().zip(&ids) {
        wait_for_port(*port);
        let mut conn = Conn::open(*port);
        assert_eq!(&text_of(&line(&mut conn, "CLUSTER MYID")), id, "another server took port {port}");
    }
    ports
}

/// The tests of this file run one at a time (each starts six servers on
/// consecutive ports).
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

fn call(conn: &mut Conn, argv: &[Vec<u8>]) -> Vec<u8> {
    conn.send(argv);
    conn.read_reply(TIMEOUT).expect("a reply")
}

fn line(conn: &mut Conn, text: &str) -> Vec<u8> {
    call(conn, &split_line(text).expect("a valid line"))
}

fn text_of(bytes: &[u8]) -> String {
    match parse_reply(bytes) {
        Some((Reply::Bulk(b), _)) => String::from_utf8_lossy(&b).into_owned(),
        Some((Reply::Verbatim(s), _)) => s,
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Keys of every kind: binary, with hash tags, empty tags, nested braces.
fn generated_keys(n: usize) -> Vec<Vec<u8>> {
    let mut seed: u64 = 0x5eed_c1a5_7e2a;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    (0..n)
        .map(|i| {
            let len = (next() % 24) as usize;
            let body: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let word = format!("user:{}", next() % 1000).into_bytes();
            match i % 8 {
                0 => body,
                1 => [b"{".as_slice(), &word, b"}", &body].concat(),
                2 => [body.as_slice(), b"{}", &word].concat(),
                3 => [b"{".as_slice(), &body, b"}"].concat(),
                4 => [word.as_slice(), b"{", &body].concat(),
                5 => [b"a{{".as_slice(), &word, b"}}b{c}"].concat(),
                6 => [b"}".as_slice(), &word, b"{", &body, b"}"].concat(),
                _ => word,
            }
        })
        .collect()
}

#[test]
fn keyslot_matches_redis_for_100000_keys() {
    let _serial = serial();
    let real = RealCluster::start(3, 0);
    let ours = start_ours();
    let keys = generated_keys(100_000);
    let mut conn = Conn::open(real.ports[0]);
    for batch in keys.chunks(2000) {
        for key in batch {
            conn.send(&[b"CLUSTER".to_vec(), b"KEYSLOT".to_vec(), key.clone()]);
        }
        for key in batch {
            let reply = conn.read_reply(TIMEOUT).expect("a reply");
            assert_eq!(reply, format!(":{}\r\n", key_slot(key)).into_bytes(), "key {}", show(key));
        }
    }
    // And over the wire from our nodes, for a sample.
    let mut mine = Conn::open(ours[1]);
    for key in keys.iter().step_by(50) {
        let reply = call(&mut mine, &[b"CLUSTER".to_vec(), b"KEYSLOT".to_vec(), key.clone()]);
        assert_eq!(reply, format!(":{}\r\n", key_slot(key)).into_bytes(), "key {}", show(key));
    }
}

/// Replaces each cluster's ports by P0, P1, P2 and node ids by N0…
fn masked(bytes: &[u8], ports: &[u16], ids: &[String]) -> String {
    let mut text = show(bytes);
    for (i, id) in ids.iter().enumerate() {
        text = text.replace(id.as_str(), &format!("N{i}"));
    }
    for (i, port) in ports.iter().enumerate() {
        text = text.replace(&format!("@{}", port + 10000), &format!("@C{i}"));
        text = text.replace(&port.to_string(), &format!("P{i}"));
    }
    text
}

struct Side {
    ports: Vec<u16>,
    ids: Vec<String>,
    conns: Vec<Conn>,
}

impl Side {
    fn new(ports: &[u16]) -> Side {
        let mut conns: Vec<Conn> = ports.iter().map(|p| Conn::open(*p)).collect();
        let ids = conns.iter_mut().map(|c| text_of(&line(c, "CLUSTER MYID"))).collect();
        Side { ports: ports.to_vec(), ids, conns }
    }

    /// Sends `text` (with `{N0}`… standing for node ids) to node `node`.
    fn run(&mut self, node: usize, text: &str) -> String {
        let mut text = text.to_string();
        for (i, id) in self.ids.iter().enumerate() {
            text = text.replace(&format!("{{N{i}}}"), id);
        }
        let reply = line(&mut self.conns[node], &text);
        masked(&reply, &self.ports, &self.ids)
    }
}

#[test]
fn redirections_are_byte_identical() {
    let _serial = serial();
    let real = RealCluster::start(3, 0);
    let ours = start_ours();
    let mut sides = [Side::new(&real.ports), Side::new(&ours)];
    // (node, command): node 0 serves 0-5460, node 1 5461-10922, node 2 the rest.
    let script: &[(usize, &str)] = &[
        (0, "FLUSHALL"),
        (1, "FLUSHALL"),
        (2, "FLUSHALL"),
        (0, "SET bar 1"),
        (0, "SET foo 1"),
        (2, "SET foo 1"),
        (0, "GET foo"),
        (1, "GET bar"),
        (0, "MSET bar 1 foo 2"),
        (0, "MSET {bar}1 1 {bar}2 2"),
        (0, "MGET {bar}1 {bar}2 bar"),
        (0, "MGET bar foo"),
        (1, "MGET {bar}1 {bar}2"),
        (0, "DEL foo bar"),
        (0, "DEL bar {bar}1"),
        (0, "SUNIONSTORE {bar}d {bar}a {bar}b"),
        (0, "SUNIONSTORE d {bar}a {bar}b"),
        (2, "SUNIONSTORE foo {foo}a"),
        (0, "EVAL \"return redis.call('get', KEYS[1])\" 1 foo"),
        (0, "EVAL \"return 1\" 2 bar foo"),
        (0, "EVAL \"return 1\" 0"),
        (0, "EVAL \"return redis.call('get', 'k2')\" 0"),
        (0, "EVAL \"return redis.pcall('get', 'foo')\" 0"),
        (0, "EVAL \"return redis.call('get', 'bar')\" 0"),
        (0, "MULTI"),
        (0, "SET bar 2"),
        (0, "SET foo 2"),
        (0, "EXEC"),
        (0, "MULTI"),
        (0, "SET bar 3"),
        (0, "GET bar"),
        (0, "EXEC"),
        (0, "MULTI"),
        (0, "SET bar 4"),
        (0, "SET k3 1"),
        (0, "EXEC"),
        (0, "GET bar"),
        (0, "WATCH foo"),
        (0, "WATCH bar"),
        (0, "MULTI"),
        (0, "ASKING"),
        (0, "GET bar"),
        (0, "EXEC"),
        (0, "SPUBLISH foo m"),
        (0, "SPUBLISH bar m"),
        (0, "PUBLISH foo m"),
        (0, "OBJECT ENCODING foo"),
        (0, "XREAD STREAMS foo 0"),
        (0, "XREAD STREAMS bar {bar}s 0 0"),
        (0, "SORT foo BY nosort STORE bar"),
        (0, "SORT bar BY nosort STORE {bar}x"),
        (0, "EVAL_RO \"return 1\" 1 foo"),
        (0, "FCALL nofunc 1 foo"),
        (0, "FCALL nofunc 1 bar"),
        (0, "GEORADIUS foo 0 0 1 km STORE bar"),
        (0, "ZUNIONSTORE {bar}d 2 bar foo"),
        (0, "BLPOP foo 1"),
        (0, "WATCH foo"),
        (0, "SELECT 1"),
        (0, "SELECT 0"),
        (0, "MOVE bar 1"),
        (0, "SWAPDB 0 1"),
        (0, "PING"),
        (0, "DBSIZE"),
        (0, "CLUSTER KEYSLOT foo"),
        (0, "CLUSTER COUNTKEYSINSLOT 5061"),
        (2, "CLUSTER GETKEYSINSLOT 12182 10"),
        (0, "CLUSTER COUNTKEYSINSLOT 16384"),
        (0, "CLUSTER GETKEYSINSLOT 5061 -1"),
        (0, "CLUSTER ADDSLOTS 1"),
        (0, "CLUSTER ADDSLOTS 1 1"),
        (0, "CLUSTER DELSLOTS 16384"),
        (0, "CLUSTER ADDSLOTSRANGE 5 1"),
        (0, "CLUSTER ADDSLOTSRANGE 1"),
        (0, "CLUSTER SETSLOT 1 bogus"),
        (0, "CLUSTER SETSLOT 1 node nosuchnode"),
        (0, "CLUSTER SETSLOT 6000 migrating {N1}"),
        (0, "CLUSTER SETSLOT 1 importing {N1}"),
        (0, "CLUSTER SETSLOT 1 migrating nosuchnode"),
        (0, "CLUSTER COUNT-FAILURE-REPORTS {N1}"),
        (0, "CLUSTER COUNT-FAILURE-REPORTS nosuchnode"),
        (0, "CLUSTER MEET 127.0.0.1 x"),
        (0, "CLUSTER RESET bogus"),
        (0, "CLUSTER RESET"),
        (0, "CLUSTER FAILOVER"),
        (0, "CLUSTER FORGET {N0}"),
        (0, "CLUSTER NOSUCH"),
        (0, "CLUSTER HELP"),
        (0, "ASKING"),
        (0, "READONLY"),
        (0, "READWRITE"),
        // Slot 5061 (bar) moves from node 0 to node 1.
        (1, "CLUSTER SETSLOT 5061 IMPORTING {N0}"),
        (0, "CLUSTER SETSLOT 5061 MIGRATING {N1}"),
        (0, "SET bar 1"),
        (0, "SET {bar}2 2"),
        (0, "GET bar"),
        (0, "GET {bar}x"),
        (0, "MGET bar {bar}x"),
        (0, "MGET bar {bar}2"),
        (1, "GET bar"),
        (1, "ASKING"),
        (1, "GET bar"),
        (1, "GET bar"),
        (0, "MIGRATE 127.0.0.1 P1 bar 0 5000"),
        (0, "GET bar"),
        (1, "ASKING"),
        (1, "MGET bar {bar}2"),
        (1, "ASKING"),
        (1, "GET bar"),
        (1, "ASKING"),
        (1, "MULTI"),
        (1, "GET bar"),
        (1, "EXEC"),
        (0, "MIGRATE 127.0.0.1 P1 \"\" 0 5000 KEYS {bar}2"),
        (0, "MIGRATE 127.0.0.1 P1 \"\" 0 5000 KEYS {bar}2"),
        (0, "MIGRATE 127.0.0.1 P1 bar 0 5000 KEYS {bar}2"),
        (0, "CLUSTER SETSLOT 5061 NODE {N1}"),
        (1, "CLUSTER SETSLOT 5061 NODE {N1}"),
        (2, "CLUSTER SETSLOT 5061 NODE {N1}"),
        (0, "GET bar"),
        (1, "GET bar"),
        (2, "GET bar"),
        (1, "MGET bar {bar}2"),
        (1, "CLUSTER COUNTKEYSINSLOT 5061"),
        // And back, so the slot map is the same as at the start.
        (0, "CLUSTER SETSLOT 5061 IMPORTING {N1}"),
        (1, "CLUSTER SETSLOT 5061 MIGRATING {N0}"),
        (1, "MIGRATE 127.0.0.1 P0 \"\" 0 5000 KEYS bar {bar}2"),
        (0, "CLUSTER SETSLOT 5061 NODE {N0}"),
        (1, "CLUSTER SETSLOT 5061 NODE {N0}"),
        (2, "CLUSTER SETSLOT 5061 NODE {N0}"),
        (0, "GET bar"),
        (1, "GET bar"),
        // A slot no node serves: the cluster is down on that node.
        (0, "CLUSTER DELSLOTS 4576"),
        (0, "GET k3"),
        (0, "GET bar"),
        (0, "SET bar 1"),
        (0, "GET foo"),
        (0, "PING"),
        (0, "EVAL \"return 1\" 0"),
        (0, "EVAL \"return redis.call('get', 'bar')\" 0"),
        (0, "CONFIG SET cluster-allow-reads-when-down yes"),
        (0, "GET bar"),
        (0, "SET bar 1"),
        (0, "MULTI"),
        (0, "GET bar"),
        (0, "EXEC"),
        (0, "MULTI"),
        (0, "SET bar 2"),
        (0, "EXEC"),
        (0, "EVAL \"return redis.call('set', 'bar', 3)\" 0"),
        (0, "EVAL \"return redis.call('get', 'bar')\" 0"),
        (0, "CONFIG SET cluster-allow-reads-when-down no"),
        (0, "CONFIG SET cluster-require-full-coverage no"),
        // (the state changes at the next cron, 100 ms later in both: not compared)
        (0, "GET k3"),
        (0, "CONFIG SET cluster-require-full-coverage yes"),
        (0, "CLUSTER ADDSLOTS 4576"),
        (0, "GET bar"),
    ];
    let mut failures = Vec::new();
    for (node, command) in script {
        let command = command.replace("P0", "{P0}").replace("P1", "{P1}");
        let texts: Vec<String> = sides
            .iter_mut()
            .map(|side| {
                let mut c = command.clone();
                for (i, p) in side.ports.clone().iter().enumerate() {
                    c = c.replace(&format!("{{P{i}}}"), &p.to_string());
                }
                let text = side.run(*node, &c);
                if command.starts_with("CLUSTER SETSLOT 5061 NODE") {
                    // Give the nodes' gossip time to agree.
                    std::thread::sleep(Duration::from_millis(200));
                }
                text
            })
            .collect();
        if texts[0] != texts[1] {
            failures.push(format!("[{node}] {command}\n  redis: {}\n  ours:  {}", texts[0], texts[1]));
        }
    }
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
}

/// A reply as a comparable tree, with ids, ports, epochs and times masked.
fn shape(reply: &Reply, ports: &[u16], ids: &[String]) -> String {
    match reply {
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => {
            format!("[{}]", items.iter().map(|r| shape(r, ports, ids)).collect::<Vec<_>>().join(", "))
        }
        Reply::Map(pairs) => format!(
            "{{{}}}",
            pairs
                .iter()
                .map(|(k, v)| format!("{}: {}", shape(k, ports, ids), shape(v, ports, ids)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Reply::Integer(n) => match ports.iter().position(|p| *p as i64 == *n) {
            Some(i) => format!("P{i}"),
            None if *n > 1_000_000_000 => "<time>".into(),
            None => n.to_string(),
        },
        Reply::Bulk(b) => {
            let s = String::from_utf8_lossy(b).into_owned();
            match ids.iter().position(|id| *id == s) {
                Some(i) => format!("N{i}"),
                None => format!("{s:?}"),
            }
        }
        other => format!("{other:?}"),
    }
}

#[test]
fn cluster_views_have_the_same_shape() {
    let _serial = serial();
    let real = RealCluster::start(3, 0);
    let ours = start_ours();
    let mut sides = [Side::new(&real.ports), Side::new(&ours)];
    for node in 0..3 {
        for command in ["CLUSTER SLOTS", "CLUSTER SHARDS", "CLUSTER LINKS"] {
            // Real links come and go while the bus connects: a few tries.
            let mut texts = Vec::new();
            for _ in 0..50 {
                texts = sides
                    .iter_mut()
                    .map(|side| {
                        let bytes = line(&mut side.conns[node], command);
                        let (reply, _) = parse_reply(&bytes).expect("a reply");
                        let mut reply = reply;
                        // SHARDS and LINKS come in the nodes' table order: sort them.
                        if let Reply::Array(items) = &mut reply {
                            if command != "CLUSTER SLOTS" {
                                items.sort_by_key(|r| shape(r, &side.ports, &side.ids));
                            }
                        }
                        let text = shape(&reply, &side.ports, &side.ids);
                        if command == "CLUSTER LINKS" {
                            // Buffer sizes are the real bus's own.
                            let digits = text.split(", ").map(|f| if f.parse::<u64>().is_ok() { "n" } else { f });
                            digits.collect::<Vec<_>>().join(", ")
                        } else {
                            text
                        }
                    })
                    .collect();
                if texts[0] == texts[1] {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            assert_eq!(texts[0], texts[1], "node {node}: {command}");
        }
        // CLUSTER INFO: the same fields; the same values but for the bus's message counts.
        let infos: Vec<Vec<String>> = sides
            .iter_mut()
            .map(|side| {
                text_of(&line(&mut side.conns[node], "CLUSTER INFO"))
                    .lines()
                    .filter(|l| !l.starts_with("cluster_stats_messages"))
                    .map(str::to_string)
                    .collect()
            })
            .collect();
        assert_eq!(infos[0], infos[1], "node {node}: CLUSTER INFO");
        // CLUSTER NODES: the same lines once ids, ports and times are masked.
        let nodes: Vec<Vec<String>> = sides
            .iter_mut()
            .map(|side| {
                let text = text_of(&line(&mut side.conns[node], "CLUSTER NODES"));
                let mut lines: Vec<String> = text
                    .lines()
                    .map(|l| {
                        let mut f: Vec<String> = l.split(' ').map(str::to_string).collect();
                        f[0] = format!("N{}", side.ids.iter().position(|id| *id == f[0]).unwrap_or(9));
                        f[1] = masked(f[1].as_bytes(), &side.ports, &side.ids);
                        f[5] = "<pong>".into();
                        f.join(" ")
                    })
                    .collect();
                lines.sort();
                lines
            })
            .collect();
        assert_eq!(nodes[0], nodes[1], "node {node}: CLUSTER NODES");
    }
}

#[test]
fn migrate_between_ours_and_a_real_redis() {
    let _serial = serial();
    let real = common::RealRedis::start().expect("a real redis-server to migrate to");
    let ours = common::start_ours();
    let (mut ours_conn, mut real_conn) = (Conn::open(ours), Conn::open(real.port));
    let check = |conn: &mut Conn, text: &str, expected: &str| {
        let reply = line(conn, text);
        assert_eq!(show(&reply), expected, "{text}");
    };
    check(&mut ours_conn, "RPUSH list a b c", ":3\\r\\n");
    check(&mut ours_conn, "SET s v PX 100000", "+OK\\r\\n");
    check(&mut ours_conn, "ZADD z 1 m", ":1\\r\\n");
    // Ours sends RESTOREs (with SELECT 3) to the real server, then deletes its keys.
    let migrate = format!("MIGRATE 127.0.0.1 {} \"\" 3 5000 KEYS list s z nokey", real.port);
    check(&mut ours_conn, &migrate, "+OK\\r\\n");
    check(&mut ours_conn, "EXISTS list s z", ":0\\r\\n");
    assert!(text_of(&line(&mut ours_conn, "INFO stats")).contains("migrate_cached_sockets:1"));
    check(&mut real_conn, "SELECT 3", "+OK\\r\\n");
    check(&mut real_conn, "LRANGE list 0 -1", "*3\\r\\n$1\\r\\na\\r\\n$1\\r\\nb\\r\\n$1\\r\\nc\\r\\n");
    let ttl = text_of(&line(&mut real_conn, "PTTL s"));
    assert!(ttl.trim_start_matches(':').trim().parse::<i64>().is_ok_and(|t| t > 90_000), "{ttl}");
    // Busy key on the target: its error comes back, and the key stays here.
    check(&mut ours_conn, "SET s again", "+OK\\r\\n");
    let migrate = format!("MIGRATE 127.0.0.1 {} s 3 5000", real.port);
    check(
        &mut ours_conn,
        &migrate,
        "-ERR Target instance replied with error: BUSYKEY Target key name already exists.\\r\\n",
    );
    check(&mut ours_conn, &format!("MIGRATE 127.0.0.1 {} s 3 5000 COPY REPLACE", real.port), "+OK\\r\\n");
    check(&mut ours_conn, "GET s", "$5\\r\\nagain\\r\\n");
    // And the real server migrates to ours with RESTORE.
    check(&mut real_conn, &format!("MIGRATE 127.0.0.1 {ours} z 0 5000"), "+OK\\r\\n");
    check(&mut ours_conn, "ZRANGE z 0 -1 WITHSCORES", "*2\\r\\n$1\\r\\nm\\r\\n$1\\r\\n1\\r\\n");
    // Nobody listening: the same error on both (a refusal shows when writing).
    let closed = free_port();
    let expected = "-IOERR error or timeout writing to target instance\\r\\n";
    check(&mut ours_conn, &format!("MIGRATE 127.0.0.1 {closed} s 0 1000"), expected);
    check(&mut real_conn, &format!("MIGRATE 127.0.0.1 {closed} list 0 1000"), expected);
    let expected = "-IOERR error or timeout connecting to the client\\r\\n";
    check(&mut ours_conn, "MIGRATE no.such.host.invalid 1 s 0 1000", expected);
    check(&mut real_conn, "MIGRATE no.such.host.invalid 1 list 0 1000", expected);
}
