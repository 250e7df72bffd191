//! HyperLogLog against a real redis-server: 10,000+ random PFADD / PFCOUNT /
//! PFMERGE / GET commands from a fixed seed, and one sketch filled with
//! 1 … 1,000,000 distinct elements, comparing PFCOUNT and the raw bytes
//! (GET) at checkpoints.

mod common;

use redis_emulator::rng::Rng;

const KEYS: &[&str] = &["h0", "h1", "h2", "h3"];

fn pick<'a>(rng: &mut Rng, items: &[&'a str]) -> &'a str {
    items[rng.index(items.len())]
}

fn element(rng: &mut Rng) -> String {
    match rng.below(10) {
        0 => format!("\"\\x{:02x}\\x{:02x}\"", rng.below(256), rng.below(256)),
        1 => "\"\"".into(),
        _ => format!("e{}", rng.below(20_000)),
    }
}

fn keys(rng: &mut Rng, max: u64) -> String {
    let n = 1 + rng.below(max);
    (0..n).map(|_| pick(rng, &["h0", "h1", "h2", "h3", "none"])).collect::<Vec<_>>().join(" ")
}

fn command(rng: &mut Rng) -> String {
    let key = pick(rng, KEYS);
    match rng.below(20) {
        0..=6 => {
            let n = match rng.below(10) {
                0 => 0,
                1 => 100 + rng.below(400),
                _ => 1 + rng.below(12),
            };
            let elements: Vec<String> = (0..n).map(|_| element(rng)).collect();
            format!("PFADD {key} {}", elements.join(" "))
        }
        7..=9 => format!("PFCOUNT {}", keys(rng, 3)),
        10 | 11 => format!("PFMERGE {key} {}", keys(rng, 3)),
        12 => format!("PFMERGE {key}"),
        13..=16 => format!("GET {key}"),
        17 => format!("DEL {key}"),
        18 => format!("PFCOUNT {key}"),
        _ => {
            if rng.below(4) == 0 {
                format!("SET {key} notasketch")
            } else {
                format!("PFCOUNT {key}")
            }
        }
    }
}

#[test]
fn random_hyperloglog_commands_match_real_redis() {
    let mut rng = Rng::new(0x4C1_5EED);
    let mut script = String::new();
    for _ in 0..10_500 {
        script.push_str(&command(&mut rng));
        script.push('\n');
    }
    for key in KEYS {
        script.push_str(&format!("GET {key}\nPFCOUNT {key}\nGET {key}\n"));
    }
    common::assert_generated_run("hyperloglog-generated", &script, 10_000);
}

#[test]
fn a_million_elements_count_and_encode_like_redis() {
    const CHECKPOINTS: &[u64] = &[10, 100, 1_000, 3_000, 10_000, 100_000, 1_000_000];
    const BATCH: u64 = 10_000;
    let mut script = String::new();
    let mut added = 0u64;
    for &checkpoint in CHECKPOINTS {
        while added < checkpoint {
            let upto = (added + BATCH).min(checkpoint);
            script.push_str("PFADD million");
            for i in added + 1..=upto {
                script.push_str(&format!(" element:{i}"));
            }
            script.push('\n');
            added = upto;
        }
        script.push_str("GET million\nPFCOUNT million\nGET million\n");
        script.push_str("PFMERGE copy million\nPFCOUNT copy million\nGET copy\n");
    }
    common::assert_generated_run("hyperloglog-million", &script, 100);
}
