//! Runs a lesson against an engine: setup, blocks (as any simulated
//! client, with clock jumps), and challenge checks. The app and the test
//! suite share this, so what the tests verify is what learners get.

use redis_emulator::cli_format::format_reply;
use redis_emulator::{ClientId, Engine, Event, Reply};

use crate::lesson::{Challenge, CommandBlock, Lesson};

/// What one command printed, in the console that ran it and elsewhere.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub command: String,
    pub client: u32,
    /// redis-cli's text without the final newline ("" while blocked).
    pub output: String,
    pub error: bool,
    /// Output that other consoles (or this one, later) received: (client, text).
    pub deliveries: Vec<(u32, String)>,
}

/// The verdict on a challenge.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub passed: bool,
    /// For each failing check: the command, what was expected, what it printed.
    pub failures: Vec<(String, String, String)>,
}

/// Compares an expected output with what was printed. An expectation
/// starting with `~` is a glob (`~(integer) [1-9]*`) for outputs that depend
/// on time or chance; otherwise the text must be identical.
pub fn output_matches(expected: &str, output: &str) -> bool {
    match expected.strip_prefix('~') {
        Some(pattern) => redis_emulator::glob::glob_match(pattern.as_bytes(), output.as_bytes(), false),
        None => expected == output,
    }
}

/// Evaluates a challenge on any engine, with a short-lived checker client
/// (so the learner's consoles keep their state).
pub fn check_engine(engine: &mut Engine, challenge: &Challenge) -> Verdict {
    let checker = engine.connect("lesson:checker");
    let mut failures = Vec::new();
    for check in &challenge.checks {
        let output = match engine.execute_line(checker, &check.command) {
            Err(e) => e.to_string(),
            Ok(reply) => format_reply(&reply, engine.protocol_of(checker)).trim_end_matches('\n').to_string(),
        };
        if !output_matches(&check.expected, &output) {
            failures.push((check.command.clone(), check.expected.clone(), output));
        }
    }
    engine.disconnect(checker);
    Verdict { passed: failures.is_empty(), failures }
}

/// A lesson session: the engine and its simulated clients (1-based numbers).
pub struct LessonRun {
    pub engine: Engine,
    clients: Vec<(u32, ClientId)>,
}

impl LessonRun {
    pub fn new(engine: Engine) -> LessonRun {
        LessonRun { engine, clients: Vec::new() }
    }

    /// The engine id of simulated client `n`, connecting it on first use.
    pub fn client(&mut self, n: u32) -> ClientId {
        if let Some((_, id)) = self.clients.iter().find(|(c, _)| *c == n) {
            return *id;
        }
        let id = self.engine.connect(format!("lesson:{n}"));
        self.clients.push((n, id));
        id
    }

    fn number_of(&self, id: ClientId) -> Option<u32> {
        self.clients.iter().find(|(_, c)| *c == id).map(|(n, _)| *n)
    }

    /// Runs one console line as client `n`.
    pub fn run(&mut self, n: u32, line: &str) -> Outcome {
        let id = self.client(n);
        let (output, error) = match self.engine.execute_line(id, line) {
            Err(e) => (e.to_string(), true),
            Ok(reply) => {
                let text = format_reply(&reply, self.engine.protocol_of(id));
                (text.trim_end_matches('\n').to_string(), matches!(reply, Reply::Error(_)))
            }
        };
        let deliveries = self.drain_deliveries();
        Outcome { command: line.to_string(), client: n, output, error, deliveries }
    }

    /// Output delivered to clients since the last call (pub/sub, unblocked pops).
    pub fn drain_deliveries(&mut self) -> Vec<(u32, String)> {
        let events = self.engine.drain_events();
        let mut out: Vec<(u32, String)> = Vec::new();
        for e in events {
            if let Event::Deliver { client, reply } = e {
                if let Some(n) = self.number_of(client) {
                    let text = format_reply(&reply, self.engine.protocol_of(client));
                    out.push((n, text.trim_end_matches('\n').to_string()));
                }
            }
        }
        out
    }

    /// Runs the lesson's setup commands (quietly).
    pub fn setup(&mut self, lesson: &Lesson) {
        for line in &lesson.setup {
            self.run(1, line);
        }
    }

    /// Runs a block: moves the clock first if asked, then each command.
    pub fn run_block(&mut self, block: &CommandBlock) -> Vec<Outcome> {
        if block.advance_ms > 0 {
            self.engine.advance_clock(block.advance_ms);
        }
        let mut outcomes = Vec::new();
        for step in &block.steps {
            outcomes.push(self.run(block.client, &step.command));
        }
        outcomes
    }

    /// Evaluates a challenge's checks with a dedicated checker client.
    pub fn check(&mut self, challenge: &Challenge) -> Verdict {
        check_engine(&mut self.engine, challenge)
    }
}
