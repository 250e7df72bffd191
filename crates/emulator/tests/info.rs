//! INFO sections and the counters behind them.

mod common;

use common::{Session, T0};
use redis_emulator::{Protocol, Reply};

fn info(s: &mut Session, args: &str) -> String {
    let id = s.clients[0];
    match s.engine.execute_line(id, &format!("INFO {args}")).unwrap() {
        Reply::Verbatim(text) => text,
        other => panic!("INFO returns a verbatim string, got {other:?}"),
    }
}

#[test]
fn sections_selection_and_format() {
    let mut s = Session::new();
    assert_eq!(info(&mut s, "nosuch"), "");
    assert_eq!(info(&mut s, "keyspace"), "# Keyspace\r\n");
    s.run("SET a 1");
    s.run("SELECT 2");
    s.run("SET b 2");
    assert_eq!(
        info(&mut s, "keyspace"),
        "# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\ndb2:keys=1,expires=0,avg_ttl=0\r\n"
    );
    assert_eq!(info(&mut s, "keyspace CLUSTER"), "# Cluster\r\ncluster_enabled:0\r\n\r\n# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\ndb2:keys=1,expires=0,avg_ttl=0\r\n");
    let default = info(&mut s, "");
    for title in ["# Server", "# Clients", "# Memory", "# Persistence", "# Stats", "# Replication", "# Keyspace"] {
        assert!(default.contains(title), "{title} in default INFO");
    }
    assert!(!default.contains("# Commandstats"));
    assert!(info(&mut s, "all").contains("# Commandstats"));
    assert!(info(&mut s, "everything").contains("# Commandstats"));
}

#[test]
fn server_clients_and_stats_fields() {
    let mut s = Session::new();
    s.advance(90_000);
    let server = info(&mut s, "server");
    assert!(server.contains("redis_version:7.0.15\r\n"));
    assert!(server.contains("uptime_in_seconds:90\r\n"), "{server}");
    assert!(server.contains(&format!("server_time_usec:{}\r\n", (T0 + 90_000) * 1000)));
    assert!(info(&mut s, "clients").contains("connected_clients:2\r\n"));
    s.run("SET k v");
    s.run("GET k");
    s.run("GET missing");
    let stats = info(&mut s, "stats");
    assert!(stats.contains("keyspace_hits:1\r\n"), "{stats}");
    assert!(stats.contains("keyspace_misses:1\r\n"), "{stats}");
    assert!(stats.contains("total_connections_received:2\r\n"), "{stats}");
    let cmd = info(&mut s, "commandstats");
    assert!(cmd.contains("cmdstat_get:calls=2,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0\r\n"), "{cmd}");
}

#[test]
fn memory_section_and_resp3_verbatim() {
    let mut s = Session::new();
    let mem = info(&mut s, "memory");
    assert!(mem.contains("used_memory:876224\r\nused_memory_human:855.69K\r\n"), "{mem}");
    assert!(mem.contains("maxmemory:0\r\nmaxmemory_human:0B\r\nmaxmemory_policy:noeviction\r\n"), "{mem}");
    // Nothing is freed lazily: no pending objects, none freed in the background.
    assert!(mem.ends_with("lazyfree_pending_objects:0\r\nlazyfreed_objects:0\r\n"), "{mem}");
    let reply = s.engine.execute_line(s.clients[0], "INFO cluster").unwrap();
    assert_eq!(
        redis_emulator::resp::to_bytes(&reply, Protocol::Resp3),
        b"=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n"
    );
    assert_eq!(
        redis_emulator::resp::to_bytes(&reply, Protocol::Resp2),
        b"$30\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n"
    );
}

#[test]
fn resetstat_zeroes_counters_and_counts_itself() {
    let mut s = Session::new();
    s.run("SET a 1");
    s.run("GET a");
    s.run("CONFIG RESETSTAT");
    s.run("GET nope");
    let stats = info(&mut s, "stats");
    // Like Redis 7.0: connections are zeroed too; RESETSTAT and GET count.
    assert!(stats.contains("total_connections_received:0\r\n"), "{stats}");
    assert!(stats.contains("total_commands_processed:2\r\n"), "{stats}");
    assert!(stats.contains("keyspace_hits:0\r\nkeyspace_misses:1\r\n"), "{stats}");
    let cmd = info(&mut s, "commandstats");
    assert!(cmd.contains("cmdstat_config|resetstat:calls=1,"), "{cmd}");
    assert!(!cmd.contains("cmdstat_set"), "{cmd}");
}
