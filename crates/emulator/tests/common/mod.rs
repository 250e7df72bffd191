//! Helpers for script tests: run console lines on an engine with a manual
//! clock and compare what redis-cli would print.
#![allow(dead_code)]

use redis_emulator::cli_format::format_reply;
use redis_emulator::{ClientId, Engine, Event, Reply};

/// Start time of the manual clock in tests: 2023-11-14 22:13:20 UTC.
pub const T0: i64 = 1_700_000_000_000;

/// One client on an engine with a manual clock, for tests that look at
/// replies as values (test files add their own methods).
pub struct Lab {
    pub engine: Engine,
    pub me: ClientId,
}

impl Lab {
    pub fn new() -> Lab {
        let mut engine = Engine::with_manual_clock(T0, 7);
        let me = engine.connect("test:1");
        Lab { engine, me }
    }

    pub fn cmd(&mut self, parts: &[&[u8]]) -> Reply {
        self.engine.execute(self.me, parts.iter().map(|p| p.to_vec()).collect())
    }

    pub fn line(&mut self, line: &str) -> Reply {
        self.engine.execute_line(self.me, line).expect("valid line")
    }
}

pub struct Session {
    pub engine: Engine,
    pub clients: Vec<ClientId>,
}

impl Session {
    pub fn new() -> Session {
        let mut engine = Engine::with_manual_clock(T0, 42);
        let a = engine.connect("test:1");
        let b = engine.connect("test:2");
        Session { engine, clients: vec![a, b] }
    }

    /// Runs a line as client 1 and returns redis-cli's text (no trailing newline).
    pub fn run(&mut self, line: &str) -> String {
        self.run_as(0, line)
    }

    /// Runs a line as client `n` (0-based).
    pub fn run_as(&mut self, n: usize, line: &str) -> String {
        let id = self.clients[n];
        match self.engine.execute_line(id, line) {
            Ok(reply) => format_reply(&reply, self.engine.protocol_of(id)).trim_end_matches('\n').to_string(),
            Err(e) => e.to_string(),
        }
    }

    /// Checks a script of `command => expected` lines (expected may span
    /// several lines, continued with leading `|`).
    pub fn check(&mut self, script: &str) {
        let mut lines = script.lines().peekable();
        while let Some(line) = lines.next() {
            let line = line.trim_start();
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let (cmd, expected) = line.split_once("=>").unwrap_or_else(|| panic!("no '=>' in {line:?}"));
            let mut expected = expected.trim_start().to_string();
            while let Some(next) = lines.peek() {
                match next.trim_start().strip_prefix('|') {
                    Some(cont) => {
                        expected.push('\n');
                        expected.push_str(cont.strip_prefix(' ').unwrap_or(cont));
                        lines.next();
                    }
                    None => break,
                }
            }
            let got = self.run(cmd.trim());
            assert_eq!(got, expected, "command: {}", cmd.trim());
        }
    }

    /// Replies delivered to client `n` since the last call (pub/sub, unblocked pops).
    pub fn delivered(&mut self, n: usize) -> Vec<String> {
        let id = self.clients[n];
        self.engine
            .drain_events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Deliver { client, reply } if client == id => {
                    Some(format_reply(&reply, self.engine.protocol_of(id)).trim_end_matches('\n').to_string())
                }
                _ => None,
            })
            .collect()
    }

    pub fn advance(&mut self, ms: i64) {
        self.engine.advance_clock(ms);
    }
}
