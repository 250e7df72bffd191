//! Generated differential run for keyspace commands: ≥10,000 commands from a
//! fixed seed over a few keys and databases (RENAME, COPY, MOVE, SWAPDB,
//! SELECT, EXISTS, TYPE, KEYS, DBSIZE, OBJECT ENCODING, and absolute far-future
//! TTLs so that no reply depends on timing).

mod common;

/// SplitMix64: the same script on every run.
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
}

fn script(seed: u64, commands: usize) -> String {
    let mut g = Gen(seed);
    let keys = ["a", "b", "c", "user:1", "user:2", ""];
    let values = ["1", "v", "12345678901234567890", "-7", "hello world", "0"];
    let mut out = String::from("FLUSHALL\n");
    for _ in 0..commands {
        let (k1, k2) = (g.pick(&keys), g.pick(&keys));
        let line = match g.below(24) {
            0..=3 => format!("SET \"{k1}\" \"{}\"", g.pick(&values)),
            4 => format!("DEL \"{k1}\" \"{k2}\""),
            5 => format!("EXISTS \"{k1}\" \"{k2}\" \"{k1}\""),
            6 => format!("TYPE \"{k1}\""),
            7 => format!("RENAME \"{k1}\" \"{k2}\""),
            8 => format!("RENAMENX \"{k1}\" \"{k2}\""),
            9 => format!("COPY \"{k1}\" \"{k2}\" {}", g.pick(&["", "REPLACE", "DB 1", "DB 2 REPLACE"])),
            10 => format!("MOVE \"{k1}\" {}", g.below(4)),
            11 => format!("SELECT {}", g.below(3)),
            12 => format!("SWAPDB {} {}", g.below(3), g.below(3)),
            13 => "DBSIZE".to_string(),
            14 => format!("!sorted KEYS {}", g.pick(&["*", "user:*", "?", "[ab]", "*:[12]"])),
            15 => format!("OBJECT ENCODING \"{k1}\""),
            16 => format!("EXPIREAT \"{k1}\" {}", 4_102_444_800 + g.below(1000)),
            17 => format!("EXPIRETIME \"{k1}\""),
            18 => format!("PERSIST \"{k1}\""),
            19 => format!("GET \"{k1}\""),
            20 => format!("APPEND \"{k1}\" {}", g.pick(&values)),
            21 => format!("UNLINK \"{k1}\""),
            22 => {
                format!("EXPIREAT \"{k1}\" {} {}", 4_102_444_800 + g.below(100), g.pick(&["", "NX", "XX", "GT", "LT"]))
            }
            _ => format!("TOUCH \"{k1}\" \"{k2}\""),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[test]
fn generated_keyspace_commands_match_real_redis() {
    let mut differ = common::Differ::new();
    if !differ.run_script("keyspace_generated", &script(0x5EED_0002, 11_000)) {
        return;
    }
    println!("keyspace_generated: {} cases, {} mismatches", differ.cases, differ.mismatches.len());
    assert!(differ.cases >= 10_000);
    if !differ.mismatches.is_empty() {
        let shown: Vec<&str> = differ.mismatches.iter().take(30).map(|s| s.as_str()).collect();
        panic!("{} mismatches with redis-server:\n{}", differ.mismatches.len(), shown.join("\n"));
    }
}
