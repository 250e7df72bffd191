//! Generated differential run for the string family: ≥10,000 commands from
//! a fixed seed, weighted towards INCRBYFLOAT (whose 80-bit arithmetic and
//! `%.17Lf` printing are emulated in software), integer counters, ranges
//! and SET options.

mod common;

/// A small deterministic generator (SplitMix64), so the script is the same on every run.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    /// A decimal number text of varied shape: integers, fractions,
    /// exponents, tiny and huge magnitudes, signs.
    fn number(&mut self) -> String {
        let sign = if self.below(3) == 0 { "-" } else { "" };
        let digits = |g: &mut Gen, n: u64| (0..n).map(|_| char::from(b'0' + g.below(10) as u8)).collect::<String>();
        match self.below(9) {
            0 => format!("{sign}{}", self.below(1000)),
            1 => {
                let (a, b) = (self.below(6) + 1, self.below(8) + 1);
                format!("{sign}{}.{}", digits(self, a), digits(self, b))
            }
            2 => {
                let b = self.below(20) + 1;
                format!("{sign}0.{}", digits(self, b))
            }
            3 => format!("{sign}{}.{}e{}", self.below(10), self.below(100), self.below(40) as i64 - 20),
            4 => format!("{sign}{}", digits(self, 19)),
            5 => format!("{sign}1e{}", self.below(40)),
            6 => format!("{sign}{}.{}", self.below(100), digits(self, 25)),
            // Near the limits of the 80-bit format: subnormals, overflow, and
            // doubles' limits (where long double still has room).
            7 => {
                let exp = match self.below(3) {
                    0 => self.below(70) as i64 - 4960,
                    1 => self.below(40) as i64 + 4900,
                    _ => self.below(40) as i64 + 290,
                };
                format!("{sign}{}.{}e{exp}", self.below(10), digits(self, 12))
            }
            _ => {
                self.pick(&["0.1", "0.2", "0.3", "10.5", "3.0e3", "5.0e3", "1.1", "-0.1", "2.5", "0.0001"]).to_string()
            }
        }
    }
}

fn script(seed: u64, commands: usize) -> String {
    let mut g = Gen(seed);
    let keys = ["f1", "f2", "f3", "i1", "i2", "s1", "s2"];
    let mut out = String::from("FLUSHALL\n");
    for _ in 0..commands {
        let key = g.pick(&keys);
        let line = match g.below(20) {
            0..=7 => format!("INCRBYFLOAT {key} {}", g.number()),
            8 => format!("SET {key} {}", g.number()),
            9 => format!("INCRBY {key} {}", g.below(2_000_000) as i64 - 1_000_000),
            10 => format!("INCR {key}"),
            11 => format!("DECRBY {key} {}", g.below(100)),
            12 => format!("GET {key}"),
            13 => format!("APPEND {key} {}", g.pick(&["x", "1", "0", ".5", "e3"])),
            14 => format!("GETRANGE {key} {} {}", g.below(10) as i64 - 5, g.below(10) as i64 - 5),
            15 => format!("SETRANGE {key} {} {}", g.below(8), g.pick(&["a", "12", "9"])),
            16 => format!("STRLEN {key}"),
            17 => format!("SET {key} {} {}", g.number(), g.pick(&["NX", "XX", "GET", "KEEPTTL", "XX GET", "NX GET"])),
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
    let mut differ = common::Differ::new();
    if !differ.run_script("strings_generated", &script(0x5EED_0001, 12_000)) {
        return;
    }
    println!("strings_generated: {} cases, {} mismatches", differ.cases, differ.mismatches.len());
    assert!(differ.cases >= 10_000);
    if !differ.mismatches.is_empty() {
        let shown: Vec<&String> = differ.mismatches.iter().take(30).collect();
        panic!(
            "{} mismatches with redis-server:\n{}",
            differ.mismatches.len(),
            shown.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n")
        );
    }
}
