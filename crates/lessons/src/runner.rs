//! Runs a lesson against an engine: setup, blocks (as any simulated
//! client, with clock jumps), and challenge checks. The app and the test
//! suite share this, so what the tests verify is what learners get.

use redis_emulator::cli_format::format_reply;
use redis_emulator::{ClientId, Engine, Event, Reply};

use crate::lesson::{Challenge, Check, CommandBlock, Lesson};

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
    pub failures: Vec<Failure>,
}

/// A check that did not pass.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub command: String,
    /// The expectation as written in the file (may be a pattern: never
    /// shown to a learner).
    pub expected: String,
    /// What the command printed.
    pub output: String,
    /// What is wrong, in words, for the learner.
    pub message: String,
}

/// Compares an expected output with what was printed. An expectation
/// starting with `~` is a pattern for outputs that depend on time or
/// chance: a glob (`~(integer) [1-9]*`), which may hold one whole-number
/// range (`~(integer) {50..60}` matches `(integer) 50` to `(integer) 60`);
/// otherwise the text must be identical.
pub fn output_matches(expected: &str, output: &str) -> bool {
    match expected.strip_prefix('~') {
        Some(pattern) => pattern_matches(pattern, output),
        None => expected == output,
    }
}

/// A whole-number range `{lo..hi}` in a pattern: (text before, lo, hi, text after).
fn split_range(pattern: &str) -> Option<(&str, i64, i64, &str)> {
    let open = pattern.find('{')?;
    let close = open + pattern[open..].find('}')?;
    let (lo, hi) = pattern[open + 1..close].split_once("..")?;
    Some((&pattern[..open], lo.trim().parse().ok()?, hi.trim().parse().ok()?, &pattern[close + 1..]))
}

fn glob(pattern: &str, s: &str) -> bool {
    if s.is_empty() {
        return pattern.bytes().all(|b| b == b'*');
    }
    redis_emulator::glob::glob_match(pattern.as_bytes(), s.as_bytes(), false)
}

fn pattern_matches(pattern: &str, output: &str) -> bool {
    let Some((before, lo, hi, after)) = split_range(pattern) else {
        return glob(pattern, output);
    };
    // Try every whole number in the output as the range's place.
    let bytes = output.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        if bytes[i] == b'-' {
            i += 1;
        }
        let digits = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i > digits {
            let fits = output[start..i].parse::<i64>().is_ok_and(|n| (lo..=hi).contains(&n));
            if fits && glob(before, &output[..start]) && glob(after, &output[i..]) {
                return true;
            }
        } else {
            i = start + 1;
        }
    }
    false
}

/// The words shown to a learner when a check fails: the check's own
/// sentence with `{output}` replaced by what was printed (without
/// redis-cli's `(integer) `), or, for an exact expectation, both texts.
pub fn failure_message(check: &Check, output: &str) -> String {
    let shown = output.strip_prefix("(integer) ").unwrap_or(output);
    match &check.say {
        Some(say) => say.replace("{output}", shown),
        None if !check.expected.starts_with('~') => {
            format!("`{}` should print {}, but it prints {output}.", check.command, check.expected)
        }
        // The parser requires words for patterns; never show the pattern itself.
        None => format!("`{}` prints {output}, which is not what the goal asks for yet.", check.command),
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
        note_failure(check, output, &mut failures);
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

/// Adds a failure for `check` unless `output` is what it expects.
pub(crate) fn note_failure(check: &Check, output: String, failures: &mut Vec<Failure>) {
    if !output_matches(&check.expected, &output) {
        let message = failure_message(check, &output);
        failures.push(Failure { command: check.command.clone(), expected: check.expected.clone(), output, message });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_globs_and_ranges() {
        assert!(output_matches("\"1\"", "\"1\""));
        assert!(!output_matches("\"2\"", "\"1\""));
        assert!(output_matches("~(integer) [1-9]*", "(integer) 300"));
        assert!(!output_matches("~(integer) [1-9]*", "(integer) -1"));
        let about_a_minute = "~(integer) {50..60}";
        for (n, ok) in
            [(50, true), (55, true), (60, true), (49, false), (61, false), (15, false), (-1, false), (600, false)]
        {
            assert_eq!(output_matches(about_a_minute, &format!("(integer) {n}")), ok, "{n}");
        }
        assert!(output_matches("~(integer) {-2..-1}", "(integer) -2"));
        assert!(output_matches("~1) {1..3} *", "1) 2 items"));
        assert!(!output_matches("~(integer) {1..3}", "(integer) 1x"));
        assert!(output_matches("~*", ""), "a star matches nothing as well");
    }

    #[test]
    fn failures_are_told_in_words() {
        let ttl = Check {
            command: "TTL cache:price:42".into(),
            expected: "~(integer) {50..60}".into(),
            say: Some("It should expire in about 60 seconds; its TTL is {output}.".into()),
        };
        assert_eq!(failure_message(&ttl, "(integer) 15"), "It should expire in about 60 seconds; its TTL is 15.");
        let exact = Check { command: "GET k".into(), expected: "\"w\"".into(), say: None };
        assert_eq!(failure_message(&exact, "(nil)"), "`GET k` should print \"w\", but it prints (nil).");
        let unsaid = Check { command: "TTL k".into(), expected: "~(integer) [1-9]*".into(), say: None };
        assert!(!failure_message(&unsaid, "(integer) -1").contains('['));
    }
}
