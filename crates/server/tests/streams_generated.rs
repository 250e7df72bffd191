//! Generated differential run for streams: a fixed-seed generator writes
//! more than 10,000 stream commands (explicit ids, so replies do not depend
//! on the clock) and `common::Differ` replays them on a real redis-server and
//! on our server. Replies that carry idle times or delivery timestamps are
//! compared by shape.

mod common;

use common::random::Draw;

/// A small deterministic generator (xorshift64*), so the script is the same on every run.
struct Gen(u64);

impl Draw for Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

impl Gen {
    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const KEYS: &[&str] = &["s1", "s2", "s3", "str"];
const GROUPS: &[&str] = &["g1", "g2", "nog"];
const CONSUMERS: &[&str] = &["alice", "bob", "carol"];
const FIELDS: &[&str] = &["f", "temperature", "humidity", "", "42", "-7", "x y"];

struct Script {
    gen: Gen,
    /// Next millisecond part per stream key, so most XADDs succeed.
    next_ms: [u64; 3],
    lines: Vec<String>,
}

impl Script {
    fn stream_key(&mut self) -> (usize, &'static str) {
        let i = self.gen.below(3) as usize;
        (i, KEYS[i])
    }

    fn any_key(&mut self) -> &'static str {
        self.gen.pick(KEYS)
    }

    /// An id near the existing ones: mostly valid, sometimes odd.
    fn id(&mut self, key: usize) -> String {
        let top = self.next_ms[key].max(1);
        match self.gen.below(20) {
            0 => "-".into(),
            1 => "+".into(),
            2 => "bad".into(),
            3 => format!("({}-{}", self.gen.below(top + 2), self.gen.below(3)),
            4 => format!("{}", self.gen.below(top + 2)),
            5 => "18446744073709551615-18446744073709551615".into(),
            6 => "0-0".into(),
            _ => format!("{}-{}", self.gen.below(top + 2), self.gen.below(3)),
        }
    }

    fn fields(&mut self) -> String {
        let n = 1 + self.gen.below(3);
        let mut out = Vec::new();
        for _ in 0..n {
            out.push(format!("\"{}\"", self.gen.pick(FIELDS)));
            if self.gen.chance(10) {
                out.push(format!("\"{}\"", "v".repeat(self.gen.below(300) as usize)));
            } else {
                out.push(format!("\"{}\"", self.gen.pick(FIELDS)));
            }
        }
        out.join(" ")
    }

    fn trim_spec(&mut self, key: usize) -> String {
        let approx = self.gen.pick(&["", "= ", "~ "]);
        let limit = if approx == "~ " && self.gen.chance(30) {
            format!(" LIMIT {}", self.gen.below(300))
        } else {
            String::new()
        };
        if self.gen.chance(50) {
            format!("MAXLEN {approx}{}{limit}", self.gen.below(250))
        } else {
            format!("MINID {approx}{}{limit}", self.gen.below(self.next_ms[key] + 2))
        }
    }

    fn xadd(&mut self) {
        let (i, key) = self.stream_key();
        let id = if self.gen.chance(90) {
            self.next_ms[i] += 1 + self.gen.below(3);
            if self.gen.chance(20) {
                format!("{}-*", self.next_ms[i])
            } else {
                format!("{}-{}", self.next_ms[i], self.gen.below(4))
            }
        } else {
            // Never the largest id: after it only XSETID could move the last
            // id back below a deleted entry (see the README's differences).
            self.id(i).replace("18446744073709551615-18446744073709551615", "0-1")
        };
        let opts = match self.gen.below(10) {
            0 => format!("{} ", self.trim_spec(i)),
            1 => "NOMKSTREAM ".into(),
            2 => "MAXLEN ~ 100 ".into(),
            _ => String::new(),
        };
        let fields = self.fields();
        self.lines.push(format!("XADD {key} {opts}{id} {fields}"));
    }

    fn line(&mut self) {
        let (i, key) = self.stream_key();
        let group = self.gen.pick(GROUPS);
        let consumer = self.gen.pick(CONSUMERS);
        let count = self.gen.below(6) as i64 - 1;
        let line = match self.gen.below(26) {
            0..=7 => return self.xadd(),
            8 => format!("XLEN {}", self.any_key()),
            9 => {
                let (a, b) = (self.id(i), self.id(i));
                let cmd = self.gen.pick(&["XRANGE", "XREVRANGE"]);
                if self.gen.chance(50) {
                    format!("{cmd} {key} {a} {b} COUNT {count}")
                } else {
                    format!("{cmd} {key} {a} {b}")
                }
            }
            10 => format!("XDEL {key} {} {}", self.id(i), self.id(i)),
            11 => format!("XTRIM {key} {}", self.trim_spec(i)),
            12 => {
                let other = self.any_key();
                format!("XREAD COUNT {count} STREAMS {key} {other} {} {}", self.id(i), self.id(i))
            }
            13 => {
                let id = if self.gen.chance(50) { "$".to_string() } else { self.id(i) };
                let mk = if self.gen.chance(30) { " MKSTREAM" } else { "" };
                let er = if self.gen.chance(20) {
                    format!(" ENTRIESREAD {}", self.gen.below(30) as i64 - 1)
                } else {
                    String::new()
                };
                format!("XGROUP CREATE {} {group} {id}{mk}{er}", self.any_key())
            }
            14 => {
                let id = if self.gen.chance(30) { "$".to_string() } else { self.id(i) };
                format!("XGROUP SETID {key} {group} {id}")
            }
            15 => format!("XGROUP CREATECONSUMER {key} {group} {consumer}"),
            16 => format!("XGROUP DELCONSUMER {key} {group} {consumer}"),
            17 if self.gen.chance(20) => format!("XGROUP DESTROY {key} {group}"),
            17..=19 => {
                let id = if self.gen.chance(70) { ">".to_string() } else { self.id(i) };
                let noack = if self.gen.chance(15) { "NOACK " } else { "" };
                format!("XREADGROUP GROUP {group} {consumer} COUNT {count} {noack}STREAMS {key} {id}")
            }
            20 => format!("XACK {key} {group} {} {}", self.id(i), self.id(i)),
            21 => {
                if self.gen.chance(50) {
                    format!("XPENDING {key} {group}")
                } else {
                    format!("!shape XPENDING {key} {group} - + {count} {consumer}")
                }
            }
            22 => {
                let idle = self.gen.pick(&["0", "100000000", "-1"]);
                let opt = self.gen.pick(&["", " JUSTID", " FORCE", " RETRYCOUNT 3", " FORCE JUSTID", " LASTID 5-0"]);
                format!("XCLAIM {key} {group} {consumer} {idle} {} {}{opt}", self.id(i), self.id(i))
            }
            23 => {
                let idle = self.gen.pick(&["0", "100000000"]);
                let justid = if self.gen.chance(30) { " JUSTID" } else { "" };
                format!(
                    "XAUTOCLAIM {key} {group} {consumer} {idle} {} COUNT {}{justid}",
                    self.id(i),
                    1 + self.gen.below(4)
                )
            }
            24 => match self.gen.below(4) {
                0 => format!("XINFO STREAM {key}"),
                1 => format!("XINFO GROUPS {key}"),
                2 => format!("!shape XINFO CONSUMERS {key} {group}"),
                _ => format!("!shape XINFO STREAM {key} FULL COUNT {count}"),
            },
            _ => {
                // Above every id XADD may have used, so never below a deleted entry.
                let top = self.next_ms[i] + 3 + self.gen.below(3);
                format!("XSETID {key} {top}-{} ENTRIESADDED {}", self.gen.below(5), self.gen.below(400))
            }
        };
        self.lines.push(line);
    }
}

#[test]
fn generated_stream_commands_match_real_redis() {
    // A fixed seed; STREAMS_GENERATED_SEED explores others when hunting bugs.
    let seed =
        std::env::var("STREAMS_GENERATED_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5EED_0000_0000_7001);
    let mut script = Script { gen: Gen(seed), next_ms: [0; 3], lines: Vec::new() };
    script.lines.push("SET str text".into());
    while script.lines.len() < 10_500 {
        script.line();
    }
    let text = script.lines.join("\n");
    if let Ok(path) = std::env::var("STREAMS_GENERATED_DUMP") {
        let _ = std::fs::write(path, &text);
    }
    common::assert_generated_run("streams_generated", &text, 10_000);
}
