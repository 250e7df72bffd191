//! Generated differential run for the set commands: a fixed-seed stream of
//! random commands (mixed integer and string members, so both encodings
//! and the conversions between them are exercised) replayed against a
//! real redis-server and our server.

mod common;

use common::random::{Draw, Lcg};

const KEYS: &[&str] = &["s0", "s1", "s2", "s3", "str", "missing"];
const MEMBERS: &[&str] =
    &["1", "2", "3", "10", "-7", "42", "01", "a", "b", "c", "xyz", "\"\"", "\"a b\"", "9223372036854775807"];

fn members(g: &mut Lcg, max: u64) -> String {
    let n = 1 + g.below(max);
    (0..n).map(|_| g.pick(MEMBERS)).collect::<Vec<_>>().join(" ")
}

fn keys(g: &mut Lcg, max: u64) -> (u64, String) {
    let n = 1 + g.below(max);
    (n, (0..n).map(|_| g.pick(KEYS)).collect::<Vec<_>>().join(" "))
}

fn script(seed: u64, count: usize) -> String {
    let mut g = Lcg(seed);
    let mut out = String::from("FLUSHALL\nSET str x\n");
    for _ in 0..count {
        let k = g.pick(KEYS);
        let line = match g.below(20) {
            0..=3 => format!("SADD {k} {}", members(&mut g, 4)),
            4 | 5 => format!("SREM {k} {}", members(&mut g, 3)),
            6 => format!("!sorted SMEMBERS {k}"),
            7 => format!("SISMEMBER {k} {}", g.pick(MEMBERS)),
            8 => format!("SMISMEMBER {k} {}", members(&mut g, 3)),
            9 => format!("SCARD {k}"),
            10 => format!("SMOVE {k} {} {}", g.pick(KEYS), g.pick(MEMBERS)),
            11 => format!("!sorted SINTER {}", keys(&mut g, 3).1),
            12 => format!("!sorted SUNION {}", keys(&mut g, 3).1),
            13 => format!("!sorted SDIFF {}", keys(&mut g, 3).1),
            14 => {
                let (n, ks) = keys(&mut g, 3);
                format!("SINTERCARD {n} {ks} LIMIT {}", g.below(4))
            }
            15 => {
                let op = g.pick(&["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]);
                format!("{op} {k} {}", keys(&mut g, 3).1)
            }
            16 => format!("!sorted SRANDMEMBER {k} {}", 50 + g.below(5)),
            17 => format!("!shape SRANDMEMBER {k} -{}", 1 + g.below(5)),
            18 => format!("!sorted SPOP {k} {}", if g.below(4) == 0 { 0 } else { 1000 }),
            _ => format!("!shape SSCAN {k} 0 COUNT 1000"),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[test]
fn ten_thousand_random_set_commands_match_redis() {
    common::assert_generated_run("sets_generated", &script(0x5e75_2026, 10_000), 10_000);
}
