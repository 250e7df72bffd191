//! Learning progress: which challenges are passed and which lessons are
//! complete. Saved in localStorage in a small versioned text format;
//! exported and imported as the same text.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use yew::Reducible;

use crate::i18n::{t, tf, K};

/// First line of a saved progress file.
pub const HEADER: &str = "redis-lab progress v1";

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Lesson id → ids of the challenges passed.
    pub passed: BTreeMap<String, BTreeSet<String>>,
    /// Lessons whose every challenge is passed.
    pub completed: BTreeSet<String>,
}

pub enum ProgressAction {
    /// A challenge was passed; `all` lists the lesson's challenge ids.
    Passed { lesson: String, challenge: String, all: Vec<String> },
    /// Replace everything (import).
    Replace(Progress),
}

impl Progress {
    pub fn apply(&mut self, action: ProgressAction) {
        match action {
            ProgressAction::Passed { lesson, challenge, all } => {
                let done = self.passed.entry(lesson.clone()).or_default();
                done.insert(challenge);
                if all.iter().all(|c| done.contains(c)) {
                    self.completed.insert(lesson);
                }
            }
            ProgressAction::Replace(p) => *self = p,
        }
    }

    pub fn is_passed(&self, lesson: &str, challenge: &str) -> bool {
        self.passed.get(lesson).is_some_and(|s| s.contains(challenge))
    }

    pub fn is_complete(&self, lesson: &str) -> bool {
        self.completed.contains(lesson)
    }

    /// The saved form: a header line, then `done <lesson>` and
    /// `passed <lesson> <challenge>` lines.
    pub fn to_text(&self) -> String {
        let mut out = format!("{HEADER}\n");
        for l in &self.completed {
            out.push_str(&format!("done {l}\n"));
        }
        for (l, cs) in &self.passed {
            for c in cs {
                out.push_str(&format!("passed {l} {c}\n"));
            }
        }
        out
    }

    /// Reads the saved form. Anything unexpected is an error with a reason:
    /// the caller keeps the text for export instead of losing it.
    pub fn from_text(text: &str) -> Result<Progress, String> {
        let mut lines = text.lines();
        match lines.next() {
            Some(h) if h.trim() == HEADER => {}
            Some(h) if h.starts_with("redis-lab progress") => {
                return Err(tf(K::ProgressOtherVersion, &[("header", &h.trim())]));
            }
            _ => return Err(t(K::ProgressNotFile).into()),
        }
        let mut p = Progress::default();
        for (i, line) in lines.enumerate() {
            let parts: Vec<&str> = line.split_whitespace().collect();
            match parts.as_slice() {
                [] => {}
                ["done", l] => {
                    p.completed.insert(l.to_string());
                }
                ["passed", l, c] => {
                    p.passed.entry(l.to_string()).or_default().insert(c.to_string());
                }
                _ => return Err(tf(K::ProgressBadLine, &[("n", &(i + 2)), ("line", &format!("{line:?}"))])),
            }
        }
        Ok(p)
    }
}

impl Reducible for Progress {
    type Action = ProgressAction;

    fn reduce(self: Rc<Self>, action: Self::Action) -> Rc<Self> {
        let mut next = (*self).clone();
        next.apply(action);
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passing_every_challenge_completes_the_lesson() {
        let mut p = Progress::default();
        let all = vec!["a".to_string(), "b".to_string()];
        p.apply(ProgressAction::Passed { lesson: "ttl".into(), challenge: "a".into(), all: all.clone() });
        assert!(!p.is_complete("ttl"));
        p.apply(ProgressAction::Passed { lesson: "ttl".into(), challenge: "b".into(), all });
        assert!(p.is_complete("ttl") && p.is_passed("ttl", "a"));
        p.apply(ProgressAction::Replace(Progress::default()));
        assert!(!p.is_complete("ttl") && !p.is_passed("ttl", "a"));
    }

    #[test]
    fn text_round_trip_and_clear_errors() {
        let mut p = Progress::default();
        p.apply(ProgressAction::Passed { lesson: "intro".into(), challenge: "c1".into(), all: vec!["c1".into()] });
        assert_eq!(Progress::from_text(&p.to_text()), Ok(p));
        assert!(Progress::from_text("garbage").unwrap_err().contains("not a Redis Lab"));
        assert!(Progress::from_text("redis-lab progress v9\n").unwrap_err().contains("another version"));
        assert!(Progress::from_text(&format!("{HEADER}\nweird line here\n")).unwrap_err().contains("line 2"));
    }
}
