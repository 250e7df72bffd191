//! Console state as a reducer: the transcript, the input history (with the
//! line being edited kept aside while browsing it) and Tab cycling. Pure
//! data; running commands happens in the component.

use std::rc::Rc;

use yew::Reducible;

use super::completion;

/// The prompt redis-cli shows: `127.0.0.1:6379>` or `127.0.0.1:6379[2]>`.
pub fn prompt(db: usize) -> String {
    if db == 0 {
        "127.0.0.1:6379>".to_string()
    } else {
        format!("127.0.0.1:6379[{db}]>")
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Line {
    /// What the user typed, with the prompt it was typed at.
    Input { prompt: String, text: String },
    /// A reply as redis-cli prints it.
    Output { text: String, error: bool },
}

/// Tab pressed repeatedly walks through the candidates of the line as it
/// was before the first Tab.
#[derive(Clone, Debug, PartialEq)]
pub struct TabCycle {
    pub candidates: Vec<String>,
    pub index: usize,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConsoleState {
    pub lines: Vec<Line>,
    pub history: Vec<String>,
    /// Position while browsing history with ↑/↓ (None = editing a new line).
    pub history_pos: Option<usize>,
    /// The line that was being edited when history browsing started.
    pub draft: String,
    pub tab: Option<TabCycle>,
}

pub enum ConsoleAction {
    /// A line was run: record it, its output, and add it to history.
    Ran {
        prompt: String,
        input: String,
        output: String,
        error: bool,
    },
    /// Output that arrived later (an unblocked BLPOP, a pub/sub message).
    Arrived {
        output: String,
        error: bool,
    },
    Clear,
    /// ↑ with the current input line (kept as the draft on the first press).
    HistoryUp {
        current: String,
    },
    HistoryDown,
    /// Tab with the current input line.
    Tab {
        line: String,
    },
    /// The input changed by typing: Tab cycling starts over.
    Edited,
}

/// Most transcript lines kept (older ones scroll away).
const MAX_LINES: usize = 2000;
pub const MAX_HISTORY: usize = 500;

impl ConsoleState {
    /// A console whose history was saved earlier (one command per line).
    pub fn with_history(saved: &str) -> ConsoleState {
        let mut history: Vec<String> = saved.lines().filter(|l| !l.trim().is_empty()).map(String::from).collect();
        if history.len() > MAX_HISTORY {
            history.drain(..history.len() - MAX_HISTORY);
        }
        ConsoleState { history, ..ConsoleState::default() }
    }

    /// The history in the form [`ConsoleState::with_history`] reads.
    pub fn history_text(&self) -> String {
        self.history.join("\n")
    }

    /// What the input should show after ↑/↓: the history entry, or the draft.
    pub fn history_entry(&self) -> Option<&str> {
        self.history_pos.and_then(|p| self.history.get(p)).map(|s| s.as_str())
    }

    /// The input line after ↑/↓.
    pub fn input_after_history(&self) -> &str {
        self.history_entry().unwrap_or(&self.draft)
    }

    /// The line Tab put in the input, if any.
    pub fn completion(&self) -> Option<&str> {
        self.tab.as_ref().and_then(|t| t.candidates.get(t.index)).map(|s| s.as_str())
    }

    /// The whole transcript as plain text (for "copy transcript").
    pub fn transcript(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            match line {
                Line::Input { prompt, text } => out.push_str(&format!("{prompt} {text}\n")),
                Line::Output { text, .. } => {
                    out.push_str(text);
                    out.push('\n');
                }
            }
        }
        out
    }

    fn push_output(&mut self, output: String, error: bool) {
        let text = output.strip_suffix('\n').unwrap_or(&output).to_string();
        if !text.is_empty() {
            self.lines.push(Line::Output { text, error });
        }
        if self.lines.len() > MAX_LINES {
            let extra = self.lines.len() - MAX_LINES;
            self.lines.drain(..extra);
        }
    }

    pub fn apply(&mut self, action: ConsoleAction) {
        match action {
            ConsoleAction::Ran { prompt, input, output, error } => {
                self.lines.push(Line::Input { prompt, text: input.clone() });
                self.push_output(output, error);
                if !input.trim().is_empty() && self.history.last() != Some(&input) {
                    self.history.push(input);
                    if self.history.len() > MAX_HISTORY {
                        self.history.remove(0);
                    }
                }
                self.history_pos = None;
                self.draft.clear();
                self.tab = None;
            }
            ConsoleAction::Arrived { output, error } => self.push_output(output, error),
            ConsoleAction::Clear => {
                self.lines.clear();
                self.history_pos = None;
                self.tab = None;
            }
            ConsoleAction::HistoryUp { current } => {
                if self.history.is_empty() {
                    return;
                }
                if self.history_pos.is_none() {
                    self.draft = current;
                }
                self.history_pos = Some(match self.history_pos {
                    None => self.history.len() - 1,
                    Some(0) => 0,
                    Some(p) => p - 1,
                });
                self.tab = None;
            }
            ConsoleAction::HistoryDown => {
                self.history_pos = match self.history_pos {
                    Some(p) if p + 1 < self.history.len() => Some(p + 1),
                    _ => None,
                };
                self.tab = None;
            }
            ConsoleAction::Tab { line } => {
                let continuing = self.completion() == Some(line.as_str());
                match self.tab.as_mut() {
                    Some(t) if continuing => t.index = (t.index + 1) % t.candidates.len(),
                    _ => {
                        let candidates = completion::candidates(&line);
                        self.tab = (!candidates.is_empty()).then_some(TabCycle { candidates, index: 0 });
                    }
                }
            }
            ConsoleAction::Edited => self.tab = None,
        }
    }
}

impl Reducible for ConsoleState {
    type Action = ConsoleAction;

    fn reduce(self: Rc<Self>, action: Self::Action) -> Rc<Self> {
        let mut next = (*self).clone();
        next.apply(action);
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ran(input: &str) -> ConsoleAction {
        ConsoleAction::Ran { prompt: prompt(0), input: input.into(), output: "OK\n".into(), error: false }
    }

    fn up(s: &mut ConsoleState, current: &str) {
        s.apply(ConsoleAction::HistoryUp { current: current.into() });
    }

    #[test]
    fn prompt_shows_the_db() {
        assert_eq!(prompt(0), "127.0.0.1:6379>");
        assert_eq!(prompt(2), "127.0.0.1:6379[2]>");
    }

    #[test]
    fn history_walks_back_and_forth_and_restores_the_draft() {
        let mut s = ConsoleState::default();
        s.apply(ran("SET a 1"));
        s.apply(ran("GET a"));
        s.apply(ran("GET a"));
        assert_eq!(s.history, vec!["SET a 1", "GET a"], "repeats are stored once");
        up(&mut s, "DEL");
        assert_eq!(s.input_after_history(), "GET a");
        up(&mut s, "GET a");
        up(&mut s, "SET a 1");
        assert_eq!(s.input_after_history(), "SET a 1", "stops at the oldest");
        s.apply(ConsoleAction::HistoryDown);
        assert_eq!(s.input_after_history(), "GET a");
        s.apply(ConsoleAction::HistoryDown);
        assert_eq!(s.history_entry(), None);
        assert_eq!(s.input_after_history(), "DEL", "back to what was being typed");
    }

    #[test]
    fn history_survives_a_reload_through_its_text() {
        let mut s = ConsoleState::default();
        s.apply(ran("SET a 1"));
        s.apply(ran("GET a"));
        let restored = ConsoleState::with_history(&s.history_text());
        assert_eq!(restored.history, s.history);
        let long: Vec<String> = (0..MAX_HISTORY + 20).map(|i| format!("ECHO {i}")).collect();
        let capped = ConsoleState::with_history(&long.join("\n"));
        assert_eq!(capped.history.len(), MAX_HISTORY);
        assert_eq!(capped.history.last().map(String::as_str), Some(&*format!("ECHO {}", MAX_HISTORY + 19)));
    }

    #[test]
    fn tab_cycles_through_candidates_and_restarts_after_typing() {
        let mut s = ConsoleState::default();
        s.apply(ConsoleAction::Tab { line: "FLUSH".into() });
        assert_eq!(s.completion(), Some("FLUSHALL"));
        s.apply(ConsoleAction::Tab { line: "FLUSHALL".into() });
        assert_eq!(s.completion(), Some("FLUSHDB"));
        s.apply(ConsoleAction::Tab { line: "FLUSHDB".into() });
        assert_eq!(s.completion(), Some("FLUSHALL"), "wraps around");
        s.apply(ConsoleAction::Edited);
        s.apply(ConsoleAction::Tab { line: "flushdb a".into() });
        assert_eq!(s.completion(), Some("flushdb async"));
        s.apply(ConsoleAction::Tab { line: "zzzz".into() });
        assert_eq!(s.completion(), None);
    }

    #[test]
    fn transcript_records_input_and_output() {
        let mut s = ConsoleState::default();
        s.apply(ran("PING"));
        s.apply(ConsoleAction::Arrived { output: "1) \"message\"\n".into(), error: false });
        assert_eq!(
            s.lines,
            vec![
                Line::Input { prompt: prompt(0), text: "PING".into() },
                Line::Output { text: "OK".into(), error: false },
                Line::Output { text: "1) \"message\"".into(), error: false },
            ]
        );
        assert_eq!(s.transcript(), "127.0.0.1:6379> PING\nOK\n1) \"message\"\n");
        s.apply(ConsoleAction::Clear);
        assert!(s.lines.is_empty());
    }
}
