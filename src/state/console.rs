//! Console state as a reducer: the transcript, the input history and the
//! history cursor. Pure data; running commands happens in the component.

use std::rc::Rc;

use yew::Reducible;

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

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConsoleState {
    pub lines: Vec<Line>,
    pub history: Vec<String>,
    /// Position while browsing history with ↑/↓ (None = editing a new line).
    pub history_pos: Option<usize>,
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
    },
    Clear,
    HistoryUp,
    HistoryDown,
}

/// Most transcript lines kept (older ones scroll away).
const MAX_LINES: usize = 2000;
const MAX_HISTORY: usize = 500;

impl ConsoleState {
    /// The history entry selected by ↑/↓, if any.
    pub fn history_entry(&self) -> Option<&str> {
        self.history_pos.and_then(|p| self.history.get(p)).map(|s| s.as_str())
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
            }
            ConsoleAction::Arrived { output } => self.push_output(output, false),
            ConsoleAction::Clear => {
                self.lines.clear();
                self.history_pos = None;
            }
            ConsoleAction::HistoryUp => {
                if self.history.is_empty() {
                    return;
                }
                self.history_pos = Some(match self.history_pos {
                    None => self.history.len() - 1,
                    Some(0) => 0,
                    Some(p) => p - 1,
                });
            }
            ConsoleAction::HistoryDown => {
                self.history_pos = match self.history_pos {
                    Some(p) if p + 1 < self.history.len() => Some(p + 1),
                    _ => None,
                };
            }
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

    #[test]
    fn prompt_shows_the_db() {
        assert_eq!(prompt(0), "127.0.0.1:6379>");
        assert_eq!(prompt(2), "127.0.0.1:6379[2]>");
    }

    #[test]
    fn history_walks_back_and_forth() {
        let mut s = ConsoleState::default();
        s.apply(ran("SET a 1"));
        s.apply(ran("GET a"));
        s.apply(ran("GET a"));
        assert_eq!(s.history, vec!["SET a 1", "GET a"], "repeats are stored once");
        s.apply(ConsoleAction::HistoryUp);
        assert_eq!(s.history_entry(), Some("GET a"));
        s.apply(ConsoleAction::HistoryUp);
        s.apply(ConsoleAction::HistoryUp);
        assert_eq!(s.history_entry(), Some("SET a 1"));
        s.apply(ConsoleAction::HistoryDown);
        assert_eq!(s.history_entry(), Some("GET a"));
        s.apply(ConsoleAction::HistoryDown);
        assert_eq!(s.history_entry(), None);
    }

    #[test]
    fn transcript_records_input_and_output() {
        let mut s = ConsoleState::default();
        s.apply(ran("PING"));
        assert_eq!(
            s.lines,
            vec![
                Line::Input { prompt: prompt(0), text: "PING".into() },
                Line::Output { text: "OK".into(), error: false }
            ]
        );
        s.apply(ConsoleAction::Clear);
        assert!(s.lines.is_empty());
    }
}
