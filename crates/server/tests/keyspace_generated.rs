//! Generated differential run for keyspace commands: ≥10,000 commands from a
//! fixed seed over a few keys and databases (RENAME, COPY, MOVE, SWAPDB,
//! SELECT, EXISTS, TYPE, KEYS, DBSIZE, OBJECT ENCODING, and absolute far-future
//! TTLs so that no reply depends on timing).

mod common;

use common::random::{Draw, SplitMix64};

fn script(seed: u64, commands: usize) -> String {
    let mut g = SplitMix64(seed);
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
    common::assert_generated_run("keyspace_generated", &script(0x5EED_0002, 11_000), 10_000);
}
