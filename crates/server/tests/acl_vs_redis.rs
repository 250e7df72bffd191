//! ACL property test against a real redis-server: users built from random
//! valid (and some invalid) rules, then random command lines with random
//! keys and channels. ACL SETUSER's reply, ACL DRYRUN's verdict, ACL
//! GETUSER and ACL LIST must match. Redis lists single-command rules in its
//! hash table's order (it changes from run to run), so the `commands`
//! strings are compared as sets of rules; everything else byte for byte.

mod common;

use std::time::Duration;

use common::random::{Draw, SplitMix64};
use common::{Conn, RealRedis};
use redis_emulator::resp::parse_reply;
use redis_emulator::Reply;

const KEY_PATTERNS: &[&str] = &["*", "k*", "cache:*", "ro:*", "k1", "x?", "[ab]*", "out:*"];
const CHANNEL_PATTERNS: &[&str] = &["*", "news.*", "chat", "n*", "[ab]"];
const COMMANDS: &[&str] = &[
    "get",
    "set",
    "del",
    "mget",
    "mset",
    "lpush",
    "lrange",
    "hset",
    "hget",
    "sadd",
    "smembers",
    "zadd",
    "zrange",
    "incr",
    "expire",
    "copy",
    "rename",
    "getdel",
    "lmove",
    "smove",
    "publish",
    "subscribe",
    "psubscribe",
    "ping",
    "echo",
    "info",
    "flushall",
    "keys",
    "scan",
    "select",
    "eval",
    "dbsize",
    "type",
    "exists",
    "append",
];
const SUBCOMMANDS: &[&str] = &["config|get", "config|set", "client|list", "client|id", "object|encoding", "acl|whoami"];
const CATEGORIES: &[&str] = &[
    "all",
    "keyspace",
    "read",
    "write",
    "set",
    "sortedset",
    "list",
    "hash",
    "string",
    "bitmap",
    "hyperloglog",
    "geo",
    "stream",
    "pubsub",
    "admin",
    "fast",
    "slow",
    "blocking",
    "dangerous",
    "connection",
    "transaction",
    "scripting",
];
const KEYS: &[&str] = &["k1", "k2", "cache:1", "ro:1", "out:1", "xa", "a1", "b2", "zzz"];
const CHANNELS: &[&str] = &["news.a", "chat", "nope", "a", "b", "news.*"];

fn rule(r: &mut SplitMix64) -> String {
    match r.below(24) {
        0 => "on".into(),
        1 => "off".into(),
        2 => format!(">{}", r.pick(&["pw", "secret", "x"])),
        3 => "nopass".into(),
        4 => "resetpass".into(),
        5 | 6 => format!("~{}", r.pick(KEY_PATTERNS)),
        7 => format!("%R~{}", r.pick(KEY_PATTERNS)),
        8 => format!("%W~{}", r.pick(KEY_PATTERNS)),
        9 => r.pick(&["allkeys", "resetkeys"]).into(),
        10 => format!("&{}", r.pick(CHANNEL_PATTERNS)),
        11 => r.pick(&["allchannels", "resetchannels"]).into(),
        12 => format!("+{}", r.pick(COMMANDS)),
        13 => format!("-{}", r.pick(COMMANDS)),
        14 | 15 => format!("+@{}", r.pick(CATEGORIES)),
        16 | 17 => format!("-@{}", r.pick(CATEGORIES)),
        18 => format!("+{}", r.pick(SUBCOMMANDS)),
        19 => format!("-{}", r.pick(SUBCOMMANDS)),
        20 => r.pick(&["allcommands", "nocommands", "+select|0", "+select|1"]).into(),
        21 => "clearselectors".into(),
        22 => r.pick(&["reset", "skip-sanitize-payload", "sanitize-payload"]).into(),
        _ => {
            let n = r.int(1, 3);
            let inner: Vec<String> = (0..n).map(|_| selector_rule(r)).collect();
            format!("({})", inner.join(" "))
        }
    }
}

fn selector_rule(r: &mut SplitMix64) -> String {
    match r.below(6) {
        0 => format!("~{}", r.pick(KEY_PATTERNS)),
        1 => format!("%R~{}", r.pick(KEY_PATTERNS)),
        2 => format!("&{}", r.pick(CHANNEL_PATTERNS)),
        3 => format!("+{}", r.pick(COMMANDS)),
        4 => format!("+@{}", r.pick(CATEGORIES)),
        _ => format!("-@{}", r.pick(CATEGORIES)),
    }
}

fn command_line(r: &mut SplitMix64) -> Vec<String> {
    let key = |r: &mut SplitMix64| r.pick(KEYS).to_string();
    let line: Vec<String> = match r.below(28) {
        0 => vec!["get".into(), key(r)],
        1 => vec!["set".into(), key(r), "v".into()],
        2 => vec!["set".into(), key(r), "v".into(), "GET".into()],
        3 => vec!["del".into(), key(r), key(r)],
        4 => vec!["mget".into(), key(r), key(r), key(r)],
        5 => vec!["mset".into(), key(r), "a".into(), key(r), "b".into()],
        6 => vec!["lpush".into(), key(r), "x".into()],
        7 => vec!["lrange".into(), key(r), "0".into(), "-1".into()],
        8 => vec!["copy".into(), key(r), key(r)],
        9 => vec!["rename".into(), key(r), key(r)],
        10 => vec!["getdel".into(), key(r)],
        11 => vec!["lmove".into(), key(r), key(r), "LEFT".into(), "RIGHT".into()],
        12 => vec!["publish".into(), r.pick(CHANNELS).into(), "m".into()],
        13 => vec!["subscribe".into(), r.pick(CHANNELS).into(), r.pick(CHANNELS).into()],
        14 => vec!["psubscribe".into(), r.pick(CHANNELS).into()],
        15 => vec!["select".into(), r.pick(&["0", "1"]).into()],
        16 => vec!["config".into(), r.pick(&["get", "set"]).into(), "maxmemory".into(), "0".into()],
        17 => vec!["eval".into(), "return 1".into(), "2".into(), key(r), key(r)],
        18 => vec!["ping".into()],
        19 => vec!["flushall".into()],
        20 => vec!["smove".into(), key(r), key(r), "m".into()],
        21 => vec!["zunionstore".into(), key(r), "2".into(), key(r), key(r)],
        22 => vec!["xread".into(), "STREAMS".into(), key(r), key(r), "0".into(), "0".into()],
        23 => vec!["sort".into(), key(r), "STORE".into(), key(r)],
        24 => vec!["georadius".into(), key(r), "0".into(), "0".into(), "1".into(), "km".into(), "STORE".into(), key(r)],
        25 => vec!["sintercard".into(), "2".into(), key(r), key(r)],
        26 => vec!["bitfield".into(), key(r), r.pick(&["GET", "SET"]).into(), "u4".into(), "0".into(), "1".into()],
        _ => vec!["object".into(), "encoding".into(), key(r)],
    };
    line
}

fn bytes(args: &[String]) -> Vec<Vec<u8>> {
    args.iter().map(|a| a.as_bytes().to_vec()).collect()
}

/// The reply with every `commands` string's rules sorted (ACL GETUSER),
/// or every rule of every ACL LIST line sorted.
fn normalize(raw: &[u8], list: bool) -> String {
    let Some((reply, _)) = parse_reply(raw) else { return format!("{raw:?}") };
    let sort_words = |s: &[u8]| {
        let text = String::from_utf8_lossy(s).into_owned();
        let mut words: Vec<&str> = text.split(' ').collect();
        words.sort_unstable();
        words.join(" ")
    };
    fn walk(r: &Reply, f: &dyn Fn(&[u8]) -> String, list: bool, next_is_commands: &mut bool) -> String {
        match r {
            Reply::Array(items) | Reply::Set(items) => {
                let mut out = Vec::new();
                for item in items {
                    out.push(walk(item, f, list, next_is_commands));
                }
                format!("[{}]", out.join(", "))
            }
            Reply::Map(pairs) => {
                let mut out = Vec::new();
                for (k, v) in pairs {
                    out.push(walk(k, f, list, next_is_commands));
                    out.push(walk(v, f, list, next_is_commands));
                }
                format!("{{{}}}", out.join(", "))
            }
            Reply::Bulk(b) => {
                let was_commands = std::mem::replace(&mut *next_is_commands, b == b"commands");
                if list || was_commands {
                    f(b)
                } else {
                    String::from_utf8_lossy(b).into_owned()
                }
            }
            other => format!("{other:?}"),
        }
    }
    walk(&reply, &sort_words, list, &mut false)
}

/// The lines of an ACL LIST reply.
fn list_lines(raw: &[u8]) -> Vec<String> {
    match parse_reply(raw) {
        Some((Reply::Array(items), _)) => items
            .iter()
            .map(|i| match i {
                Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
                other => format!("{other:?}"),
            })
            .collect(),
        _ => vec![format!("{raw:?}")],
    }
}

/// An ACL LIST line with the rules of each selector sorted.
fn normalize_line(line: &str) -> String {
    let mut out = Vec::new();
    for (i, part) in line.split(" (").enumerate() {
        let mut words: Vec<&str> = part.trim_end_matches(')').split(' ').collect();
        words.sort_unstable();
        out.push(format!("{i}:{}", words.join(" ")));
    }
    out.join(" | ")
}

fn ask(conn: &mut Conn, argv: &[Vec<u8>]) -> Vec<u8> {
    conn.send(argv);
    conn.read_reply(Duration::from_secs(10)).expect("a reply")
}

#[test]
fn random_users_and_commands_match_redis() {
    let real = RealRedis::start().expect("redis-server is required");
    let ours = common::start_ours();
    let (mut a, mut b) = (Conn::open(real.port), Conn::open(ours));
    let mut r = SplitMix64(0xAC1_2027);
    let mut mismatches = Vec::new();
    let (mut users, mut dryruns) = (0, 0);
    for u in 0..600 {
        let name = format!("u{}", u % 40);
        let n = r.int(1, 8);
        let mut argv = vec!["ACL".to_string(), "SETUSER".into(), name.clone()];
        argv.extend((0..n).map(|_| rule(&mut r)));
        let line = bytes(&argv);
        let (ra, rb) = (ask(&mut a, &line), ask(&mut b, &line));
        if ra != rb {
            mismatches.push(format!("{argv:?}\n  redis: {}\n  ours:  {}", common::show(&ra), common::show(&rb)));
        }
        users += 1;
        let get = bytes(&["ACL".into(), "GETUSER".into(), name.clone()]);
        let (ga, gb) = (ask(&mut a, &get), ask(&mut b, &get));
        if normalize(&ga, false) != normalize(&gb, false) {
            mismatches.push(format!(
                "after {argv:?}: ACL GETUSER {name}\n  redis: {}\n  ours:  {}",
                normalize(&ga, false),
                normalize(&gb, false)
            ));
        }
        for _ in 0..12 {
            let mut dry = vec!["ACL".to_string(), "DRYRUN".into(), name.clone()];
            dry.extend(command_line(&mut r));
            let line = bytes(&dry);
            let (da, db) = (ask(&mut a, &line), ask(&mut b, &line));
            dryruns += 1;
            if da != db {
                mismatches.push(format!(
                    "after {argv:?}: {dry:?}\n  redis: {}\n  ours:  {}",
                    common::show(&da),
                    common::show(&db)
                ));
            }
        }
    }
    let list = bytes(&["ACL".into(), "LIST".into()]);
    let (la, lb) = (ask(&mut a, &list), ask(&mut b, &list));
    let (la, lb) = (list_lines(&la), list_lines(&lb));
    if la.len() != lb.len() {
        mismatches.push(format!("ACL LIST: {} users on redis, {} here", la.len(), lb.len()));
    }
    for (ra, rb) in la.iter().zip(&lb) {
        if normalize_line(ra) != normalize_line(rb) {
            mismatches.push(format!("ACL LIST\n  redis: {ra}\n  ours:  {rb}"));
        }
    }
    println!("acl_vs_redis: {users} SETUSER, {dryruns} DRYRUN, {} mismatches", mismatches.len());
    assert!(mismatches.is_empty(), "{} mismatches:\n{}", mismatches.len(), mismatches.join("\n"));
}
