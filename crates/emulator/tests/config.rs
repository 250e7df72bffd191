//! CONFIG GET / SET / RESETSTAT / REWRITE / HELP as redis-cli shows them.

mod common;

use common::Session;

#[test]
fn get_set_with_units_aliases_and_globs() {
    let mut s = Session::new();
    s.check(
        "CONFIG SET maxmemory 100mb => OK
         CONFIG GET maxmemory => 1) \"maxmemory\"
         |2) \"104857600\"
         CONFIG SET maxmemory 5k maxmemory-policy ALLKEYS-LFU => OK
         CONFIG GET maxmemory-policy => 1) \"maxmemory-policy\"
         |2) \"allkeys-lfu\"
         CONFIG GET maxmemory => 1) \"maxmemory\"
         |2) \"5000\"
         CONFIG SET list-max-ziplist-size 7 => OK
         CONFIG GET list-max-listpack-size => 1) \"list-max-listpack-size\"
         |2) \"7\"
         CONFIG GET lfu-* => 1) \"lfu-log-factor\"
         |2) \"10\"
         |3) \"lfu-decay-time\"
         |4) \"1\"
         CONFIG GET nothing-like-this => (empty array)
         CONFIG SET hz 1000 => OK
         CONFIG GET hz => 1) \"hz\"
         |2) \"500\"",
    );
    assert_eq!(s.engine.config().maxmemory, 5000);
    assert_eq!(s.engine.config().list_max_listpack_size, 7);
}

#[test]
fn errors_are_redis_texts_and_nothing_changes_on_failure() {
    let mut s = Session::new();
    s.check(
        "CONFIG SET maxmemory 1mb maxmemory-policy foo => (error) ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction
         CONFIG GET maxmemory => 1) \"maxmemory\"
         |2) \"0\"
         CONFIG SET nope 1 => (error) ERR Unknown option or number of arguments for CONFIG SET - 'nope'
         CONFIG SET maxmemory 1.5mb => (error) ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value
         CONFIG SET maxmemory-samples 0 => (error) ERR CONFIG SET failed (possibly related to argument 'maxmemory-samples') - argument must be between 1 and 2147483647 inclusive
         CONFIG SET databases 4 => (error) ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config
         CONFIG SET hz 1 HZ 2 => (error) ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter
         CONFIG SET hz 1 x => (error) ERR syntax error
         CONFIG REWRITE => (error) ERR The server is running without a config file
         CONFIG NOPE => (error) ERR unknown subcommand 'NOPE'. Try CONFIG HELP.",
    );
}

#[test]
fn side_effects_appendonly_keyspace_events_resetstat() {
    let mut s = Session::new();
    s.check("SET a 1 => OK\nCONFIG SET appendonly yes => OK");
    let files = s.engine.aof_files();
    assert_eq!(files.len(), 3, "enabling AOF starts with a rewrite: manifest, base, incr");
    assert!(files[1].1.starts_with(b"REDIS0010"), "an RDB base holding the dataset");
    s.check(
        "CONFIG SET notify-keyspace-events KEA => OK
         CONFIG GET notify-keyspace-events => 1) \"notify-keyspace-events\"
         |2) \"AKE\"",
    );
    s.check("GET a => \"1\"\nGET nope => (nil)");
    assert_eq!(s.engine.stats().keyspace_hits, 1);
    s.check("CONFIG RESETSTAT => OK");
    assert_eq!(s.engine.stats().keyspace_hits, 0);
    assert_eq!(s.engine.stats().keyspace_misses, 0);
    let help = s.run("CONFIG HELP");
    assert!(help.starts_with(" 1) CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"), "{help}");
}

#[test]
fn benchmark_tools_can_read_save_and_appendonly() {
    let mut s = Session::new();
    s.check(
        "CONFIG GET save => 1) \"save\"
         |2) \"3600 1 300 100 60 10000\"
         CONFIG GET appendonly => 1) \"appendonly\"
         |2) \"no\"",
    );
}
