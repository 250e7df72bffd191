//! Property tests: no input, however odd, makes the engine, the tokenizer
//! or the protocol parsers panic (a panic would kill the whole page).

use proptest::prelude::*;
use redis_emulator::resp::{parse_reply, parse_request};
use redis_emulator::tokenizer::split_args;
use redis_emulator::{commands, Engine};

/// Interesting argument values: numbers at the edges, keywords, globs, binary.
fn arg() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "0", "1", "-1", "2", "10", "100", "-100", "9223372036854775807", "-9223372036854775808",
            "9223372036854775808", "1.5", "-inf", "+inf", "nan", "1e400", "", " ", "k", "key", "a", "b",
            "NX", "XX", "GT", "LT", "EX", "PX", "EXAT", "PXAT", "KEEPTTL", "GET", "CH", "INCR", "COUNT",
            "MATCH", "TYPE", "LIMIT", "WITHSCORES", "REV", "BYSCORE", "BYLEX", "*", "?", "[a-", "\\",
            "(1", "[a", "-", "+", "$", "~", "=", "ASYNC", "SYNC", "4294967295", "4294967296", "0-1", "*",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        1 => prop::collection::vec(any::<u8>(), 0..12),
    ]
}

fn command_name() -> impl Strategy<Value = Vec<u8>> {
    let names: Vec<String> = commands::all()
        .flat_map(|c| {
            let mut v = vec![c.name.to_string()];
            v.extend(c.subcommands.iter().map(|s| format!("{} {}", c.name, s.name)));
            v
        })
        .collect();
    prop_oneof![
        9 => prop::sample::select(names).prop_map(|s| s.into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..8),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn tokenizer_never_panics(line in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = split_args(&line);
    }

    #[test]
    fn request_parser_never_panics(buf in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = parse_request(&buf, 1024);
        let _ = parse_reply(&buf);
    }

    #[test]
    fn engine_never_panics(script in prop::collection::vec((command_name(), prop::collection::vec(arg(), 0..6)), 1..25)) {
        let mut engine = Engine::with_manual_clock(1_700_000_000_000, 7);
        let me = engine.connect("prop:1");
        let other = engine.connect("prop:2");
        for (i, (name, args)) in script.into_iter().enumerate() {
            let mut argv: Vec<Vec<u8>> = name.split(|&b| b == b' ').map(|p| p.to_vec()).collect();
            argv.extend(args);
            let who = if i % 5 == 4 { other } else { me };
            let _ = engine.execute(who, argv);
            if i % 7 == 0 {
                engine.advance_clock(1500);
            }
            let _ = engine.drain_events();
        }
    }
}
