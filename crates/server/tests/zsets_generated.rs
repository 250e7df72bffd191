//! Generated differential run for the sorted-set commands: a fixed-seed
//! stream of random commands replayed against a real redis-server and our
//! server, byte for byte (ties, lex ranges, exclusive bounds, infinities,
//! options, set algebra with plain sets as inputs, errors).

mod common;

use common::random::{Draw, Lcg};

const KEYS: &[&str] = &["z0", "z1", "z2", "z3", "plain", "str", "missing"];
/// Lexicographical ranges are only defined when all scores are equal: they
/// run on `zl`, which only ever receives score 0.
const LEX_KEYS: &[&str] = &["zl", "zl", "zl", "nolex"];
const MEMBERS: &[&str] = &["a", "b", "c", "d", "e", "f", "aa", "ab", "\"\"", "\"x y\"", "1", "2"];
const SCORES: &[&str] = &["0", "1", "2", "2", "3", "-1", "1.5", "0.1", "-0.25", "10", "100", "inf", "-inf", "1e3"];
const SCORE_BOUNDS: &[&str] =
    &["0", "1", "(1", "2", "(2", "3", "-inf", "+inf", "(-inf", "1.5", "(0.1", "-1", "100", "x"];
const LEX_BOUNDS: &[&str] = &["-", "+", "[a", "(a", "[b", "(c", "[aa", "(ab", "[", "(", "[f", "a"];
const RANKS: &[&str] = &["0", "1", "2", "-1", "-2", "5", "-100", "100", "3"];

fn range_options(g: &mut Lcg, by: &str) -> String {
    let mut opts = String::new();
    if g.below(3) == 0 {
        opts.push_str(" REV");
    }
    if by != "rank" && g.below(3) == 0 {
        opts.push_str(&format!(" LIMIT {} {}", g.pick(&["0", "1", "2", "-1"]), g.pick(&["1", "2", "-1", "0", "5"])));
    }
    opts
}

fn line(g: &mut Lcg) -> String {
    let k = g.pick(KEYS);
    match g.below(30) {
        0..=4 => {
            let flags = ["", "NX ", "XX ", "GT ", "LT ", "CH ", "GT CH ", "XX LT "];
            let n = 1 + g.below(4);
            let pairs: Vec<String> = (0..n).map(|_| format!("{} {}", g.pick(SCORES), g.pick(MEMBERS))).collect();
            format!("ZADD {k} {}{}", g.pick(&flags), pairs.join(" "))
        }
        5 => {
            format!("ZADD {k} {}INCR {} {}", g.pick(&["", "NX ", "XX ", "GT ", "LT "]), g.pick(SCORES), g.pick(MEMBERS))
        }
        6 => format!("ZINCRBY {k} {} {}", g.pick(SCORES), g.pick(MEMBERS)),
        7 => format!("ZREM {k} {} {}", g.pick(MEMBERS), g.pick(MEMBERS)),
        8 => format!("ZSCORE {k} {}", g.pick(MEMBERS)),
        9 => format!("ZMSCORE {k} {} {}", g.pick(MEMBERS), g.pick(MEMBERS)),
        10 => format!("{} {k} {}", g.pick(&["ZRANK", "ZREVRANK"]), g.pick(MEMBERS)),
        11 => format!("ZCARD {k}"),
        12 => format!("ZCOUNT {k} {} {}", g.pick(SCORE_BOUNDS), g.pick(SCORE_BOUNDS)),
        13 => match g.below(2) {
            0 => format!("ZLEXCOUNT {} {} {}", g.pick(LEX_KEYS), g.pick(LEX_BOUNDS), g.pick(LEX_BOUNDS)),
            _ => format!("ZADD zl 0 {} 0 {}", g.pick(MEMBERS), g.pick(MEMBERS)),
        },
        14 | 15 => {
            let ws = if g.below(2) == 0 { " WITHSCORES" } else { "" };
            format!("ZRANGE {k} {} {}{}{ws}", g.pick(RANKS), g.pick(RANKS), range_options(g, "rank"))
        }
        16 => {
            let ws = if g.below(2) == 0 { " WITHSCORES" } else { "" };
            format!(
                "ZRANGE {k} {} {} BYSCORE{}{ws}",
                g.pick(SCORE_BOUNDS),
                g.pick(SCORE_BOUNDS),
                range_options(g, "score")
            )
        }
        17 => {
            let lk = g.pick(LEX_KEYS);
            format!("ZRANGE {lk} {} {} BYLEX{}", g.pick(LEX_BOUNDS), g.pick(LEX_BOUNDS), range_options(g, "lex"))
        }
        18 => {
            let cmd = g.pick(&["ZRANGEBYSCORE", "ZREVRANGEBYSCORE"]);
            format!(
                "{cmd} {k} {} {} WITHSCORES LIMIT {} {}",
                g.pick(SCORE_BOUNDS),
                g.pick(SCORE_BOUNDS),
                g.below(3),
                g.pick(&["1", "-1", "3"])
            )
        }
        19 => {
            let cmd = g.pick(&["ZRANGEBYLEX", "ZREVRANGEBYLEX", "ZREVRANGE"]);
            if cmd == "ZREVRANGE" {
                format!("ZREVRANGE {k} {} {} WITHSCORES", g.pick(RANKS), g.pick(RANKS))
            } else {
                format!("{cmd} {} {} {}", g.pick(LEX_KEYS), g.pick(LEX_BOUNDS), g.pick(LEX_BOUNDS))
            }
        }
        20 => format!(
            "ZRANGESTORE {} {k} {} {} BYSCORE{}",
            g.pick(KEYS),
            g.pick(SCORE_BOUNDS),
            g.pick(SCORE_BOUNDS),
            range_options(g, "score")
        ),
        21 => match g.below(3) {
            0 => format!("ZREMRANGEBYRANK {k} {} {}", g.pick(RANKS), g.pick(RANKS)),
            1 => format!("ZREMRANGEBYSCORE {k} {} {}", g.pick(SCORE_BOUNDS), g.pick(SCORE_BOUNDS)),
            _ => format!("ZREMRANGEBYLEX {} {} {}", g.pick(LEX_KEYS), g.pick(LEX_BOUNDS), g.pick(LEX_BOUNDS)),
        },
        22 => format!("{} {k}{}", g.pick(&["ZPOPMIN", "ZPOPMAX"]), g.pick(&["", " 0", " 1", " 2", " 10", " -1"])),
        23 => format!("ZMPOP 2 {k} {} {} COUNT {}", g.pick(KEYS), g.pick(&["MIN", "MAX"]), 1 + g.below(3)),
        24 => format!("{} {k} {} 0.01", g.pick(&["BZPOPMIN", "BZPOPMAX"]), g.pick(KEYS)),
        25 | 26 => {
            let cmd = g.pick(&["ZUNION", "ZINTER", "ZDIFF"]);
            let n = 1 + g.below(3);
            let ks: Vec<&str> = (0..n).map(|_| g.pick(KEYS)).collect();
            let mut l = format!("{cmd} {n} {}", ks.join(" "));
            if cmd != "ZDIFF" && g.below(2) == 0 {
                let ws: Vec<&str> = (0..n).map(|_| g.pick(&["1", "2", "-1", "0.5", "0"])).collect();
                l.push_str(&format!(" WEIGHTS {}", ws.join(" ")));
            }
            if cmd != "ZDIFF" && g.below(2) == 0 {
                l.push_str(&format!(" AGGREGATE {}", g.pick(&["SUM", "MIN", "MAX"])));
            }
            l.push_str(" WITHSCORES");
            l
        }
        27 => {
            let cmd = g.pick(&["ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE", "ZINTERCARD"]);
            let n = 1 + g.below(3);
            let ks: Vec<&str> = (0..n).map(|_| g.pick(KEYS)).collect();
            if cmd == "ZINTERCARD" {
                format!("ZINTERCARD {n} {} LIMIT {}", ks.join(" "), g.below(3))
            } else {
                format!("{cmd} {k} {n} {}", ks.join(" "))
            }
        }
        28 => format!("ZRANDMEMBER {k} {} WITHSCORES", 100 + g.below(3)),
        _ => match g.below(3) {
            0 => format!("ZSCAN {k} 0"),
            1 => format!("SADD plain {}", g.pick(MEMBERS)),
            _ => format!("SREM plain {}", g.pick(MEMBERS)),
        },
    }
}

fn script(seed: u64, count: usize) -> String {
    let mut g = Lcg(seed);
    let mut out = String::from("FLUSHALL\nSET str x\n");
    for i in 0..count {
        if i == count / 2 {
            out.push_str("!shape HELLO 3\n");
        }
        out.push_str(&line(&mut g));
        out.push('\n');
    }
    out
}

#[test]
fn ten_thousand_random_zset_commands_match_redis() {
    common::assert_generated_run("zsets_generated", &script(0x2e75_2026, 10_000), 10_000);
}
