//! The lessons' expected outputs are checked against a real redis-server
//! too (the emulator test in crates/lessons checks our engine): every
//! block before the first clock jump runs on redis-server and must print
//! what the lesson file says, formatted as redis-cli prints it.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::{Conn, RealRedis};
use redis_emulator::cli_format::format_reply;
use redis_emulator::resp::parse_reply;
use redis_emulator::tokenizer::split_line;
use redis_emulator::Protocol;
use redis_lessons::{output_matches, parse_lesson, Part};

fn text_of(raw: &[u8], proto: Protocol) -> String {
    match parse_reply(raw) {
        Some((reply, _)) => format_reply(&reply, proto).trim_end_matches('\n').to_string(),
        None => String::from_utf8_lossy(raw).into_owned(),
    }
}

#[test]
fn lesson_outputs_match_real_redis() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../lessons");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.retain(|p| p.extension().is_some_and(|x| x == "md"));
    files.sort();
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let lesson = parse_lesson(&std::fs::read_to_string(&file).unwrap()).unwrap();
        if !lesson.topology.is_empty() {
            continue; // several servers: lessons_topology_vs_redis.rs
        }
        let Some(redis) = RealRedis::start() else { return };
        let mut conns: Vec<(u32, Conn, Protocol)> = Vec::new();
        let conn = |n: u32, conns: &mut Vec<(u32, Conn, Protocol)>| -> usize {
            if let Some(i) = conns.iter().position(|(c, _, _)| *c == n) {
                return i;
            }
            conns.push((n, Conn::open(redis.port), Protocol::Resp2));
            conns.len() - 1
        };
        let send = |n: u32, line: &str, conns: &mut Vec<(u32, Conn, Protocol)>| -> (String, Vec<(u32, String)>) {
            let i = conn(n, conns);
            let argv = split_line(line).unwrap();
            if argv.first().is_some_and(|a| a.eq_ignore_ascii_case(b"hello")) && argv.get(1).is_some_and(|v| v == b"3")
            {
                conns[i].2 = Protocol::Resp3;
            }
            conns[i].1.send(&argv);
            let proto = conns[i].2;
            let own = conns[i].1.read_reply(Duration::from_millis(300)).map(|r| text_of(&r, proto)).unwrap_or_default();
            let mut deliveries = Vec::new();
            for (c, cn, proto) in conns.iter_mut() {
                while let Some(r) = cn.read_reply(Duration::from_millis(30)) {
                    deliveries.push((*c, text_of(&r, *proto)));
                }
            }
            (own, deliveries)
        };
        for line in &lesson.setup {
            send(1, line, &mut conns);
        }
        'parts: for part in &lesson.parts {
            match part {
                Part::Commands(block) => {
                    if block.advance_ms > 0 {
                        break 'parts; // time jumps are verified on the emulator only
                    }
                    for step in &block.steps {
                        let (out, deliveries) = send(block.client, &step.command, &mut conns);
                        if let Some(expected) = &step.expected {
                            checked += 1;
                            if !output_matches(expected, &out) {
                                problems.push(format!(
                                    "{name}: `{}`\n  file:  {expected:?}\n  redis: {out:?}",
                                    step.command
                                ));
                            }
                        }
                        for (client, text) in &step.deliveries {
                            checked += 1;
                            if !deliveries.iter().any(|(c, t)| c == client && output_matches(text, t)) {
                                problems.push(format!(
                                    "{name}: `{}` delivery to {client}\n  file:  {text:?}\n  redis: {deliveries:?}",
                                    step.command
                                ));
                            }
                        }
                    }
                }
                Part::Challenge(c) => {
                    for line in &c.solution {
                        send(1, line, &mut conns);
                    }
                }
                _ => {}
            }
        }
    }
    println!("lessons vs redis-server: {checked} outputs checked");
    assert!(problems.is_empty(), "{} differences from redis-server:\n{}", problems.len(), problems.join("\n"));
}
