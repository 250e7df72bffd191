//! Generated differential run for the string family: ≥10,000 commands from
//! a fixed seed, weighted towards INCRBYFLOAT (whose 80-bit arithmetic and
//! `%.17Lf` printing are emulated in software), integer counters, ranges
//! and SET options.

mod common;

use common::random::{Draw, SplitMix64};

/// A decimal number text of varied shape: integers, fractions,
/// exponents, tiny and huge magnitudes, signs.
fn number(g: &mut SplitMix64) -> String {
    let sign = if g.below(3) == 0 { "-" } else { "" };
    let digits = |g: &mut SplitMix64, n: u64| (0..n).map(|_| char::from(b'0' + g.below(10) as u8)).collect::<String>();
    match g.below(9) {
        0 => format!("{sign}{}", g.below(1000)),
        1 => {
            let (a, b) = (g.below(6) + 1, g.below(8) + 1);
            format!("{sign}{}.{}", digits(g, a), digits(g, b))
        }
        2 => {
            let b = g.below(20) + 1;
            format!("{sign}0.{}", digits(g, b))
        }
        3 => format!("{sign}{}.{}e{}", g.below(10), g.below(100), g.below(40) as i64 - 20),
        4 => format!("{sign}{}", digits(g, 19)),
        5 => format!("{sign}1e{}", g.below(40)),
        6 => format!("{sign}{}.{}", g.below(100), digits(g, 25)),
        // Near the limits of the 80-bit format: subnormals, overflow, and
        // doubles' limits (where long double still has room).
        7 => {
            let exp = match g.below(3) {
                0 => g.below(70) as i64 - 4960,
                1 => g.below(40) as i64 + 4900,
                _ => g.below(40) as i64 + 290,
            };
            format!("{sign}{}.{}e{exp}", g.below(10), digits(g, 12))
        }
        _ => g.pick(&["0.1", "0.2", "0.3", "10.5", "3.0e3", "5.0e3", "1.1", "-0.1", "2.5", "0.0001"]).to_string(),
    }
}

fn script(seed: u64, commands: usize) -> String {
    let mut g = SplitMix64(seed);
    let keys = ["f1", "f2", "f3", "i1", "i2", "s1", "s2"];
    let mut out = String::from("FLUSHALL\n");
    for _ in 0..commands {
        let key = g.pick(&keys);
        let line = match g.below(20) {
            0..=7 => format!("INCRBYFLOAT {key} {}", number(&mut g)),
            8 => format!("SET {key} {}", number(&mut g)),
            9 => format!("INCRBY {key} {}", g.below(2_000_000) as i64 - 1_000_000),
            10 => format!("INCR {key}"),
            11 => format!("DECRBY {key} {}", g.below(100)),
            12 => format!("GET {key}"),
            13 => format!("APPEND {key} {}", g.pick(&["x", "1", "0", ".5", "e3"])),
            14 => format!("GETRANGE {key} {} {}", g.below(10) as i64 - 5, g.below(10) as i64 - 5),
            15 => format!("SETRANGE {key} {} {}", g.below(8), g.pick(&["a", "12", "9"])),
            16 => format!("STRLEN {key}"),
            17 => {
                format!("SET {key} {} {}", number(&mut g), g.pick(&["NX", "XX", "GET", "KEEPTTL", "XX GET", "NX GET"]))
            }
            18 => format!("DEL {key}"),
            _ => format!("GETSET {key} {}", g.below(100)),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[test]
fn generated_string_commands_match_real_redis() {
    common::assert_generated_run("strings_generated", &script(0x5EED_0001, 12_000), 10_000);
}
