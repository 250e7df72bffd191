//! 10,000+ random hash commands from a fixed seed, replayed against a real
//! redis-server and our server (see `common::Differ`). Small hashes stay
//! listpacks, whose order we reproduce, and are compared exactly; the key
//! `big` grows past 128 fields into a hashtable, whose order is Redis's own,
//! so its multi-element replies are compared sorted (or by shape when random).

mod common;

use common::random::{Draw, SplitMix64};

const KEYS: &[&str] = &["h0", "h1", "h2", "str"];
const FIELDS: &[&str] = &["f0", "f1", "f2", "f3", "f4", "\"\"", "\"a b\"", "n"];
const VALUES: &[&str] = &["v", "1", "-7", "10", "2.5", "\"\"", "abc", "9223372036854775807", "\"\\x00\\xff\""];
/// HINCRBYFLOAT works on its own fields, whose values stay multiples of
/// 0.25 of modest size: exact in both f64 and C long double.
const FLOAT_FIELDS: &[&str] = &["x0", "x1"];
const FLOAT_INCRS: &[&str] = &["0.5", "1.25", "-3", "2", "1e2", "abc", "inf", "-0.75"];

fn pairs(g: &mut SplitMix64, max: u64) -> String {
    let n = 1 + g.below(max);
    (0..n).map(|_| format!("{} {}", g.pick(FIELDS), g.pick(VALUES))).collect::<Vec<_>>().join(" ")
}

fn fields(g: &mut SplitMix64, max: u64) -> String {
    let n = 1 + g.below(max);
    (0..n).map(|_| g.pick(FIELDS)).collect::<Vec<_>>().join(" ")
}

/// A command on a small (listpack) hash, compared exactly.
fn small(g: &mut SplitMix64) -> String {
    let k = g.pick(KEYS);
    let f = g.pick(FIELDS);
    match g.below(20) {
        0..=2 => format!("HSET {k} {}", pairs(g, 3)),
        3 => format!("HMSET {k} {}", pairs(g, 2)),
        4 => format!("HSETNX {k} {f} {}", g.pick(VALUES)),
        5 => format!("HGET {k} {f}"),
        6 => format!("HMGET {k} {}", fields(g, 3)),
        7 => format!("HGETALL {k}"),
        8 => format!("HDEL {k} {}", fields(g, 3)),
        9 => format!("HEXISTS {k} {f}"),
        10 => format!("HLEN {k}"),
        11 => format!("HKEYS {k}"),
        12 => format!("HVALS {k}"),
        13 => format!("HSTRLEN {k} {f}"),
        14 => match g.below(2) {
            0 => format!("HINCRBY {k} {f} {}", g.pick(&["1", "-5", "100", "abc", "9223372036854775807"])),
            _ => format!("HINCRBY {k} x0 {}", g.pick(&["1", "-5", "abc"])),
        },
        15 => format!("HINCRBYFLOAT {k} {} {}", g.pick(FLOAT_FIELDS), g.pick(FLOAT_INCRS)),
        16 => match g.below(3) {
            0 => format!("HSCAN {k} 0"),
            1 => format!("HSCAN {k} 0 MATCH f* COUNT {}", g.int(1, 3)),
            _ => format!("HSCAN {k} 0 MATCH {}", g.pick(&["*", "f[0-2]", "?", "n"])),
        },
        17 => match g.below(3) {
            // Deterministic HRANDFIELD: a count covering the whole hash (at most
            // 10 fields), or zero.
            0 => format!("HRANDFIELD {k} {} WITHVALUES", g.int(10, 20)),
            1 => format!("HRANDFIELD {k} {}", g.int(0, 0)),
            _ => format!("!shape HRANDFIELD {k} {}", g.int(-3, -1)),
        },
        18 => format!("DEL {k}"),
        _ => "SET str text".to_string(),
    }
}

/// A command on `big`, which becomes a hashtable after 128 fields.
fn big(g: &mut SplitMix64) -> String {
    let f = format!("field:{}", g.below(200));
    match g.below(10) {
        0..=3 => format!("HSET big {f} {}", g.pick(VALUES)),
        4 => format!("HGET big {f}"),
        5 => format!("HDEL big {f}"),
        6 => "HLEN big".to_string(),
        7 => format!("HINCRBY big {f} 3"),
        8 => format!("!sorted HMGET big {f} field:1 field:2"),
        _ => match g.below(4) {
            0 => "!sorted HKEYS big".to_string(),
            1 => "!sorted HVALS big".to_string(),
            2 => "!sorted HRANDFIELD big 1000".to_string(),
            _ => "!shape HRANDFIELD big -4".to_string(),
        },
    }
}

#[test]
fn ten_thousand_random_hash_commands_match_real_redis() {
    let mut g = SplitMix64(0x4A5B_5EED);
    let mut script = String::new();
    for _ in 0..10_000 {
        let line = if g.below(4) == 0 { big(&mut g) } else { small(&mut g) };
        script.push_str(&line);
        script.push('\n');
    }
    for k in KEYS {
        script.push_str(&format!("HGETALL {k}\n"));
    }
    script.push_str("!sorted HKEYS big\n");
    common::assert_generated_run("hashes_generated", &script, 10_000);
}
