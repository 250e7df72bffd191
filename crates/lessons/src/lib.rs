//! Lessons: Markdown files with runnable Redis blocks and checked
//! challenges. This crate parses them into a safe model, and runs them on
//! the emulator — the same code in the page and in the test suite.

pub mod audit;
pub mod lesson;
pub mod markdown;
pub mod runner;
pub mod topology;

pub use audit::{audit, Audit, ChallengeProblem, Mismatch};
pub use lesson::{
    parse_lesson, Challenge, Check, CommandBlock, Lesson, NodeAction, ParseError, Part, Step, TopologyKind,
};
pub use runner::{check_engine, failure_message, output_matches, Failure, LessonRun, Outcome, Verdict};
pub use topology::{check_topology, TopologyRun};
