//! 10,000+ random list commands from a fixed seed, replayed against a real
//! redis-server and our server (see `common::Differ`). Keys, elements and
//! indexes come from small pools so commands collide often: pushes and pops
//! on the same lists, moves between them, wrong types, out-of-range indexes.
//! Blocking commands are only issued when a listed key is sure to have data,
//! so nothing waits.

mod common;

use common::random::{Draw, SplitMix64};

const KEYS: &[&str] = &["l0", "l1", "l2", "l3", "str"];
const ELEMENTS: &[&str] = &["a", "b", "c", "d", "\"\"", "\"x y\"", "12", "-3", "\"\\x00\\xff\""];
const ENDS: &[&str] = &["LEFT", "RIGHT", "left", "UP"];

fn elements(g: &mut SplitMix64, max: u64) -> String {
    let n = 1 + g.below(max);
    (0..n).map(|_| g.pick(ELEMENTS)).collect::<Vec<_>>().join(" ")
}

fn command(g: &mut SplitMix64) -> String {
    let k = g.pick(KEYS);
    let k2 = g.pick(KEYS);
    let e = g.pick(ELEMENTS);
    match g.below(26) {
        0..=2 => format!("LPUSH {k} {}", elements(g, 4)),
        3..=5 => format!("RPUSH {k} {}", elements(g, 4)),
        6 => format!("LPUSHX {k} {}", elements(g, 2)),
        7 => format!("RPUSHX {k} {}", elements(g, 2)),
        8 => match g.below(3) {
            0 => format!("LPOP {k}"),
            1 => format!("LPOP {k} {}", g.int(-1, 5)),
            _ => format!("RPOP {k} {}", g.int(0, 5)),
        },
        9 => format!("RPOP {k}"),
        10 => format!("LLEN {k}"),
        11 | 12 => format!("LRANGE {k} {} {}", g.int(-8, 8), g.int(-8, 8)),
        13 => format!("LINDEX {k} {}", g.int(-8, 8)),
        14 => format!("LSET {k} {} {e}", g.int(-6, 6)),
        15 => format!("LINSERT {k} {} {} {e}", g.pick(&["BEFORE", "AFTER", "after", "AROUND"]), g.pick(ELEMENTS)),
        16 => format!("LREM {k} {} {e}", g.int(-3, 3)),
        17 => format!("LTRIM {k} {} {}", g.int(-6, 6), g.int(-6, 6)),
        18 => {
            let mut cmd = format!("LPOS {k} {e}");
            if g.below(2) == 0 {
                cmd += &format!(" RANK {}", g.pick(&["1", "2", "-1", "-2", "0", "3"]));
            }
            if g.below(2) == 0 {
                cmd += &format!(" COUNT {}", g.int(-1, 3));
            }
            if g.below(3) == 0 {
                cmd += &format!(" MAXLEN {}", g.int(0, 4));
            }
            cmd
        }
        19 => format!("RPOPLPUSH {k} {k2}"),
        20 => format!("LMOVE {k} {k2} {} {}", g.pick(ENDS), g.pick(ENDS)),
        21 => {
            let count = if g.below(2) == 0 { format!(" COUNT {}", g.int(0, 4)) } else { String::new() };
            format!("LMPOP 2 {k} {k2} {}{count}", g.pick(ENDS))
        }
        // Blocking forms, made non-blocking by a push to the last key first.
        22 => format!("RPUSH guard g\nBLPOP {k} {k2} guard 0"),
        23 => format!("RPUSH {k2} g\nBRPOP {k2} 0"),
        24 => format!("RPUSH {k} g\nBLMOVE {k} {k2} {} {} 0", g.pick(ENDS), g.pick(ENDS)),
        _ => match g.below(4) {
            0 => "SET str text".to_string(),
            1 => format!("DEL {k}"),
            2 => format!("EXISTS {k} {k2}"),
            _ => format!("RPUSH guard g\nBLMPOP 0 3 {k} {k2} guard {} COUNT {}", g.pick(ENDS), g.int(1, 3)),
        },
    }
}

#[test]
fn ten_thousand_random_list_commands_match_real_redis() {
    let mut g = SplitMix64(0x1157_5EED);
    let mut script = String::new();
    for _ in 0..10_000 {
        script.push_str(&command(&mut g));
        script.push('\n');
    }
    for k in KEYS {
        script.push_str(&format!("LRANGE {k} 0 -1\n"));
    }
    common::assert_generated_run("lists_generated", &script, 10_000);
}
