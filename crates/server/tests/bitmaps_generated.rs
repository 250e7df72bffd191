//! 10,000+ random bitmap commands from a fixed seed, replayed against a
//! real redis-server and our server (raw replies compared byte for byte).

mod common;

use redis_emulator::rng::Rng;

const KEYS: &[&str] = &["b0", "b1", "b2", "b3"];

/// A double-quoted script argument, binary bytes as `\xHH`.
fn quote(bytes: &[u8]) -> String {
    let mut s = String::from("\"");
    for &b in bytes {
        if b.is_ascii_alphanumeric() {
            s.push(b as char);
        } else {
            s.push_str(&format!("\\x{b:02x}"));
        }
    }
    s.push('"');
    s
}

fn pick<'a>(rng: &mut Rng, items: &[&'a str]) -> &'a str {
    items[rng.index(items.len())]
}

fn small_index(rng: &mut Rng) -> i64 {
    rng.below(61) as i64 - 30
}

fn offset(rng: &mut Rng) -> String {
    match rng.below(10) {
        0 => format!("#{}", rng.below(20)),
        1 => format!("{}", rng.below(3000)),
        2 => pick(rng, &["-1", "abc", "4294967296", "", "#", "#-1"]).to_string(),
        _ => format!("{}", rng.below(120)),
    }
}

fn field_type(rng: &mut Rng) -> String {
    match rng.below(12) {
        0 => pick(rng, &["u64", "i65", "i0", "x8", "I8", "u"]).to_string(),
        1 => "i64".into(),
        2 => "u63".into(),
        _ => format!("{}{}", if rng.below(2) == 0 { "i" } else { "u" }, 1 + rng.below(63)),
    }
}

fn field_value(rng: &mut Rng) -> String {
    match rng.below(8) {
        0 => pick(rng, &["9223372036854775807", "-9223372036854775808", "a", "1.5"]).to_string(),
        1 => format!("{}", rng.next_u64() as i64),
        _ => format!("{}", rng.below(600) as i64 - 300),
    }
}

fn bitfield(rng: &mut Rng, read_only: bool) -> String {
    let key = pick(rng, KEYS);
    let mut line = format!("{} {key}", if read_only { "BITFIELD_RO" } else { "BITFIELD" });
    for _ in 0..1 + rng.below(4) {
        match rng.below(if read_only { 8 } else { 10 }) {
            0 => line += &format!(" OVERFLOW {}", pick(rng, &["WRAP", "SAT", "FAIL", "fail", "bogus"])),
            1..=4 => line += &format!(" GET {} {}", field_type(rng), offset(rng)),
            5 | 6 => line += &format!(" SET {} {} {}", field_type(rng), offset(rng), field_value(rng)),
            7 | 8 => line += &format!(" INCRBY {} {} {}", field_type(rng), offset(rng), field_value(rng)),
            _ => line += " GET",
        }
    }
    line
}

fn range_args(rng: &mut Rng) -> String {
    match rng.below(5) {
        0 => String::new(),
        1 => format!(" {}", small_index(rng)),
        2 => format!(" {} {}", small_index(rng), small_index(rng)),
        3 => format!(" {} {} {}", small_index(rng) * 4, small_index(rng) * 4, pick(rng, &["BIT", "byte", "bit"])),
        _ => format!(" {} {} {}", small_index(rng), small_index(rng), pick(rng, &["BYTE", "bits", "bit"])),
    }
}

fn command(rng: &mut Rng) -> String {
    let key = pick(rng, KEYS);
    match rng.below(20) {
        0..=3 => format!("SETBIT {key} {} {}", rng.below(200), pick(rng, &["0", "1", "1", "2"])),
        4 => format!("GETBIT {key} {}", rng.below(220)),
        5 | 6 => {
            let r = range_args(rng);
            // BITCOUNT takes no lone start.
            format!("BITCOUNT {key}{r}")
        }
        7 | 8 => format!("BITPOS {key} {}{}", pick(rng, &["0", "1", "1", "0", "2"]), range_args(rng)),
        9 | 10 => {
            let op = pick(rng, &["AND", "OR", "XOR", "NOT", "not", "nand"]);
            let n = if op.eq_ignore_ascii_case("not") && rng.below(4) > 0 { 1 } else { 1 + rng.below(3) };
            let srcs: Vec<&str> = (0..n).map(|_| pick(rng, &["b0", "b1", "b2", "b3", "none"])).collect();
            format!("BITOP {op} {key} {}", srcs.join(" "))
        }
        11..=14 => bitfield(rng, false),
        15 => bitfield(rng, true),
        16 => format!("GET {key}"),
        17 => {
            let len = rng.below(12) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| rng.below(256) as u8).collect();
            format!("SET {key} {}", quote(&bytes))
        }
        18 => format!("DEL {key}"),
        _ => format!("SET {key} {}", rng.below(100_000)),
    }
}

#[test]
fn random_bitmap_commands_match_real_redis() {
    let mut rng = Rng::new(0xB17_5EED);
    let mut script = String::new();
    for _ in 0..10_500 {
        script.push_str(&command(&mut rng));
        script.push('\n');
    }
    for key in KEYS {
        script.push_str(&format!("GET {key}\n"));
    }
    common::assert_generated_run("bitmaps-generated", &script, 10_000);
}
