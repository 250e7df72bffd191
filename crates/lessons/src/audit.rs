//! Runs a whole lesson as its author wrote it — setup, every block in
//! order (with its clock jumps and clients), every challenge before and
//! after its solution — and reports where the emulator's output differs
//! from what the file says. The test suite holds the course to this; the
//! page shows it to an author who opens their own lesson file.

use redis_emulator::Engine;

use crate::lesson::{Challenge, CommandBlock, Lesson, Part};
use crate::runner::{output_matches, LessonRun, Outcome, Verdict};
use crate::topology::TopologyRun;

/// The clock a lesson on several servers starts at in an audit.
pub const AUDIT_START_MS: i64 = 1_700_000_000_000;

/// A lesson being run: on one engine, or on its servers.
enum Run {
    One(Box<LessonRun>),
    Several(Box<TopologyRun>),
}

impl Run {
    fn run_block(&mut self, block: &CommandBlock) -> Vec<Outcome> {
        match self {
            Run::One(r) => r.run_block(block),
            Run::Several(r) => r.run_block(block),
        }
    }

    fn solve(&mut self, challenge: &Challenge) -> Vec<Outcome> {
        match self {
            Run::One(r) => challenge.solution.iter().map(|line| r.run(1, line)).collect(),
            Run::Several(r) => r.solve(challenge),
        }
    }

    fn check(&mut self, challenge: &Challenge) -> Verdict {
        match self {
            Run::One(r) => r.check(challenge),
            Run::Several(r) => r.check(challenge),
        }
    }
}

/// One expected output that the emulator does not print.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// Index of the step in its block (0-based).
    pub step: usize,
    pub command: String,
    /// Who should have received it: `None` for the console that ran the
    /// command, `Some(n)` for a delivery to client `n` (`=>[n]`).
    pub client: Option<u32>,
    /// As written in the file.
    pub expected: String,
    /// What the emulator printed (deliveries joined by blank lines; empty
    /// when nothing arrived).
    pub got: String,
}

/// A challenge that does not behave: passes too early, or fails after its solution.
#[derive(Debug, Clone, PartialEq)]
pub struct ChallengeProblem {
    pub challenge: String,
    pub message: String,
}

/// The result of running a lesson file from start to end.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Audit {
    /// Per runnable block, in order (block 1 first): its mismatches.
    pub blocks: Vec<Vec<Mismatch>>,
    pub challenges: Vec<ChallengeProblem>,
    /// Expected outputs compared (console outputs and deliveries).
    pub compared: usize,
}

impl Audit {
    /// Blocks with at least one mismatch.
    pub fn blocks_differing(&self) -> usize {
        self.blocks.iter().filter(|b| !b.is_empty()).count()
    }

    pub fn mismatches(&self) -> usize {
        self.blocks.iter().map(Vec::len).sum()
    }

    pub fn is_clean(&self) -> bool {
        self.mismatches() == 0 && self.challenges.is_empty()
    }

    /// Every problem as one line of text (for test failures).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (i, block) in self.blocks.iter().enumerate() {
            for m in block {
                let whom = m.client.map(|c| format!(" (delivered to client {c})")).unwrap_or_default();
                out.push(format!(
                    "block {}: `{}`{whom}\n  expected: {:?}\n  got:      {:?}",
                    i + 1,
                    m.command,
                    m.expected,
                    m.got
                ));
            }
        }
        out.extend(self.challenges.iter().map(|c| format!("challenge {}: {}", c.challenge, c.message)));
        out
    }
}

/// Runs `lesson` on `fresh()` engines (one for the lesson, one more per
/// challenge to check it against the starting data). A lesson on several
/// servers runs on its own servers instead (see [`crate::topology`]).
pub fn audit(lesson: &Lesson, fresh: impl Fn() -> Engine) -> Audit {
    let start = |lesson: &Lesson| {
        if !lesson.topology.is_empty() {
            return Run::Several(Box::new(TopologyRun::new(lesson, AUDIT_START_MS, 42)));
        }
        let mut run = LessonRun::new(fresh());
        run.setup(lesson);
        Run::One(Box::new(run))
    };
    let mut run = start(lesson);
    let mut report = Audit::default();
    for part in &lesson.parts {
        match part {
            Part::Commands(block) => {
                let outcomes = run.run_block(block);
                let mut mismatches = Vec::new();
                for (i, (step, out)) in block.steps.iter().zip(&outcomes).enumerate() {
                    if let Some(expected) = &step.expected {
                        report.compared += 1;
                        if !output_matches(expected, &out.output) {
                            mismatches.push(Mismatch {
                                step: i,
                                command: step.command.clone(),
                                client: None,
                                expected: expected.clone(),
                                got: out.output.clone(),
                            });
                        }
                    }
                    for (client, text) in &step.deliveries {
                        report.compared += 1;
                        let got: Vec<&str> =
                            out.deliveries.iter().filter(|(c, _)| c == client).map(|(_, t)| t.as_str()).collect();
                        if !got.iter().any(|g| output_matches(text, g)) {
                            mismatches.push(Mismatch {
                                step: i,
                                command: step.command.clone(),
                                client: Some(*client),
                                expected: text.clone(),
                                got: got.join("\n\n"),
                            });
                        }
                    }
                }
                report.blocks.push(mismatches);
            }
            Part::Challenge(challenge) => {
                let problem = |message: String| ChallengeProblem { challenge: challenge.id.clone(), message };
                if start(lesson).check(challenge).passed {
                    report.challenges.push(problem("already passes on the lesson's starting data".into()));
                } else if run.check(challenge).passed {
                    report.challenges.push(problem("passes before its solution is run".into()));
                }
                for out in run.solve(challenge) {
                    if out.error {
                        report.challenges.push(problem(format!("solution `{}` fails: {}", out.command, out.output)));
                    }
                }
                let verdict = run.check(challenge);
                if !verdict.passed {
                    let why: Vec<String> =
                        verdict.failures.iter().map(|f| format!("`{}` prints {}", f.command, f.output)).collect();
                    report.challenges.push(problem(format!("does not pass after its solution: {}", why.join("; "))));
                }
            }
            _ => {}
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_lesson;

    fn engine() -> Engine {
        Engine::with_manual_clock(1_700_000_000_000, 7)
    }

    #[test]
    fn a_wrong_expectation_is_found_in_its_block() {
        let src = "---\nid: mine\ntitle: Mine\n---\n```redis\nSET a 1\n=> OK\n```\n\n```redis\nGET a\n=> \"2\"\nPUBLISH c hi\n=> (integer) 0\n```\n\n```challenge\nid: c\ngoal: Make a 3.\ncheck: GET a\n=> \"3\"\nsolution: SET a 3\n```\n";
        let lesson = parse_lesson(src).unwrap();
        let report = audit(&lesson, engine);
        assert_eq!(report.compared, 3);
        assert!(report.blocks[0].is_empty());
        assert_eq!(
            report.blocks[1],
            vec![Mismatch {
                step: 0,
                command: "GET a".into(),
                client: None,
                expected: "\"2\"".into(),
                got: "\"1\"".into()
            }]
        );
        assert_eq!((report.blocks_differing(), report.mismatches()), (1, 1));
        assert!(report.challenges.is_empty(), "{:?}", report.challenges);
        assert!(!report.is_clean());
    }

    #[test]
    fn challenges_that_pass_too_early_or_never_are_reported() {
        let early =
            "---\nid: e\ntitle: E\n---\n```challenge\nid: c\ngoal: g\ncheck: GET a\n=> (nil)\nsolution: DEL a\n```\n";
        let report = audit(&parse_lesson(early).unwrap(), engine);
        assert_eq!(report.challenges.len(), 1);
        assert!(report.challenges[0].message.contains("starting data"));
        let never =
            "---\nid: n\ntitle: N\n---\n```challenge\nid: c\ngoal: g\ncheck: GET a\n=> \"2\"\nsolution: SET a 3\n```\n";
        let report = audit(&parse_lesson(never).unwrap(), engine);
        assert!(report.challenges[0].message.contains("after its solution"), "{report:?}");
    }

    #[test]
    fn a_missing_delivery_is_reported_for_its_client() {
        let src = "---\nid: p\ntitle: P\n---\n```redis\nPUBLISH news hi\n=>[2] 1) \"message\"\n```\n\n```challenge\nid: c\ngoal: g\ncheck: GET a\n=> \"1\"\nsolution: SET a 1\n```\n";
        let report = audit(&parse_lesson(src).unwrap(), engine);
        assert_eq!(report.blocks[0][0].client, Some(2));
        assert_eq!(report.blocks[0][0].got, "");
    }
}
