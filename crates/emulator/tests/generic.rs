//! Script tests for generic and keyspace commands, CLIENT and COMMAND.

mod common;
use common::Session;

#[test]
fn del_exists_type_and_rename() {
    Session::new().check(
        r#"
        MSET a 1 b 2 => OK
        EXISTS a a b missing => (integer) 3
        TYPE a => string
        TYPE missing => none
        DEL a missing a => (integer) 1
        UNLINK b => (integer) 1
        SET t v EX 100 => OK
        RENAME t u => OK
        TTL u => (integer) 100
        RENAME missing x => (error) ERR no such key
        SET w 1 => OK
        RENAMENX u w => (integer) 0
        RENAMENX u u => (integer) 0
        RENAME u u => OK
        "#,
    );
}

#[test]
fn copy_move_and_swapdb_keep_ttls() {
    Session::new().check(
        r#"
        SET src v EX 100 => OK
        COPY src dst DB 3 => (integer) 1
        COPY src dst DB 3 => (integer) 0
        COPY src dst DB 3 REPLACE => (integer) 1
        MOVE src 3 => (integer) 1
        SELECT 3 => OK
        TTL src => (integer) 100
        TTL dst => (integer) 100
        SWAPDB 3 0 => OK
        DBSIZE => (integer) 0
        SELECT 0 => OK
        DBSIZE => (integer) 2
        MOVE src 0 => (error) ERR source and destination objects are the same
        COPY src src => (error) ERR source and destination objects are the same
        SWAPDB 0 99 => (error) ERR DB index is out of range
        SWAPDB x 0 => (error) ERR invalid first DB index
        "#,
    );
}

#[test]
fn keys_and_scan_with_match_count_type() {
    let mut s = Session::new();
    s.check("MSET user:1 a user:2 b order:1 c => OK");
    let mut keys: Vec<String> =
        s.run("KEYS user:*").lines().filter_map(|l| l.split_once(") ").map(|(_, k)| k.to_string())).collect();
    keys.sort();
    assert_eq!(keys, vec!["\"user:1\"", "\"user:2\""]);
    // A full SCAN with a small COUNT visits every key exactly once here.
    let mut cursor = "0".to_string();
    let mut seen = Vec::new();
    for _ in 0..100 {
        let reply = s.engine.execute_line(s.clients[0], &format!("SCAN {cursor} COUNT 1 MATCH *:1")).unwrap();
        let redis_emulator::Reply::Array(parts) = reply else { panic!("SCAN reply") };
        let (redis_emulator::Reply::Bulk(c), redis_emulator::Reply::Array(found)) = (&parts[0], &parts[1]) else {
            panic!("SCAN shape")
        };
        for k in found {
            if let redis_emulator::Reply::Bulk(k) = k {
                seen.push(String::from_utf8_lossy(k).into_owned());
            }
        }
        cursor = String::from_utf8_lossy(c).into_owned();
        if cursor == "0" {
            break;
        }
    }
    seen.sort();
    assert_eq!(seen, vec!["order:1", "user:1"]);
    s.check(
        r#"
        SCAN 0 COUNT 0 => (error) ERR syntax error
        SCAN x => (error) ERR invalid cursor
        SCAN 0 TYPE list COUNT 100 => 1) "0"
                                   | 2) (empty array)
        "#,
    );
}

#[test]
fn object_subcommands_follow_the_policy() {
    let mut s = Session::new();
    s.check(
        r#"
        SET n 123 => OK
        SET s hello => OK
        OBJECT ENCODING n => "int"
        OBJECT ENCODING s => "embstr"
        OBJECT REFCOUNT n => (integer) 2147483647
        OBJECT REFCOUNT s => (integer) 1
        OBJECT IDLETIME s => (integer) 0
        OBJECT FREQ s => (error) ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.
        OBJECT ENCODING missing => (nil)
        "#,
    );
    s.advance(5_000);
    s.check("EXISTS s => (integer) 1\nTYPE s => string\nTTL s => (integer) -1\nOBJECT IDLETIME s => (integer) 5");
    s.check("TOUCH s => (integer) 1\nOBJECT IDLETIME s => (integer) 0");
    s.engine.config_mut().maxmemory_policy = redis_emulator::config::EvictionPolicy::AllKeysLfu;
    s.check(
        r#"
        SET f v => OK
        OBJECT FREQ f => (integer) 5
        OBJECT IDLETIME f => (error) ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.
        "#,
    );
}

#[test]
fn client_and_command_introspection() {
    let mut s = Session::new();
    s.check(
        r#"
        CLIENT ID => (integer) 1
        CLIENT SETNAME alice => OK
        CLIENT GETNAME => "alice"
        CLIENT SETNAME "a b" => (error) ERR Client names cannot contain spaces, newlines or special characters.
        CLIENT KILL ID 99 => (integer) 0
        CLIENT UNBLOCK 2 => (integer) 0
        COMMAND GETKEYS MSET a 1 b 2 => 1) "a"
                                     | 2) "b"
        COMMAND GETKEYS PING x => (error) ERR The command has no key arguments
        "#,
    );
    let info = s.run("CLIENT INFO");
    assert!(info.contains("id=1 addr=test:1 laddr="), "{info}");
    assert!(info.contains(" name=alice age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 "), "{info}");
    assert!(info.contains(" cmd=client|info user=default redir=-1 resp=2"), "{info}");
    let list = s.run("CLIENT LIST");
    assert_eq!(list.matches("id=").count(), 2, "{list}");
    assert_eq!(s.run("CLIENT KILL ID 2"), "(integer) 1");
    assert!(s.engine.client(s.clients[1]).is_none());
}

#[test]
fn client_reply_off_and_skip_drop_replies() {
    let mut s = Session::new();
    assert_eq!(s.run("CLIENT REPLY SKIP"), "");
    assert_eq!(s.run("SET a 1"), "");
    assert_eq!(s.run("GET a"), "\"1\"");
    assert_eq!(s.run("CLIENT REPLY OFF"), "");
    assert_eq!(s.run("INCR a"), "");
    assert_eq!(s.run("CLIENT REPLY ON"), "OK");
    assert_eq!(s.run("GET a"), "\"2\"");
    assert_eq!(s.run("CLIENT REPLY maybe"), "(error) ERR syntax error");
}
