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

/// One transcript line. Texts are shared (`Rc<str>`): the state is cloned
/// on every action, and a reply may be megabytes long.
#[derive(Clone, Debug, PartialEq)]
pub enum Line {
    /// What the user typed, with the prompt it was typed at.
    Input { prompt: String, text: Rc<str> },
    /// A reply as redis-cli prints it.
    Output { text: Rc<str>, error: bool },
}

impl Line {
    pub fn text(&self) -> &Rc<str> {
        match self {
            Line::Input { text, .. } | Line::Output { text, .. } => text,
        }
    }

    /// Same line object (cheap identity, for skipping re-renders).
    pub fn same(&self, other: &Line) -> bool {
        match (self, other) {
            (Line::Input { prompt: p1, text: t1 }, Line::Input { prompt: p2, text: t2 }) => {
                p1 == p2 && Rc::ptr_eq(t1, t2)
            }
            (Line::Output { text: t1, error: e1 }, Line::Output { text: t2, error: e2 }) => {
                e1 == e2 && Rc::ptr_eq(t1, t2)
            }
            _ => false,
        }
    }
}

/// Longest text (in bytes) a transcript line shows before "show all".
pub const SHORT_BYTES: usize = 1000;
/// Most text lines a transcript line shows before "show all".
pub const SHORT_LINES: usize = 40;
/// Transcript lines drawn at once; older ones stay in "Copy transcript".
pub const RENDERED_LINES: usize = 300;
/// Commands longer than this are run but not kept in the ↑/↓ history
/// (which is saved in the browser's storage on every command).
pub const MAX_HISTORY_ENTRY: usize = 4096;

/// The start of a long text as the transcript shows it, and how many
/// characters were left out; `None` when the text is shown whole.
pub fn shortened(text: &str) -> Option<(&str, usize)> {
    let mut end = text.len().min(SHORT_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    if let Some((i, _)) = text[..end].match_indices('\n').nth(SHORT_LINES - 1) {
        end = i;
    }
    if end >= text.len() {
        return None;
    }
    Some((&text[..end], text[end..].chars().count()))
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
    /// How many lines were dropped from the front so far (scrolled away or
    /// cleared): line `i` is the transcript's line number `dropped + i`,
    /// a stable key while older lines go.
    pub dropped: u64,
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
                Line::Input { prompt, text } => {
                    out.push_str(prompt);
                    out.push(' ');
                    out.push_str(text);
                    out.push('\n');
                }
                Line::Output { text, .. } => {
                    out.push_str(text);
                    out.push('\n');
                }
            }
        }
        out
    }

    /// The command lines typed in this console's transcript, oldest first.
    pub fn typed_commands(&self) -> impl Iterator<Item = &str> {
        self.lines.iter().filter_map(|line| match line {
            Line::Input { text, .. } => Some(&**text),
            Line::Output { .. } => None,
        })
    }

    /// The lines to draw (the newest [`RENDERED_LINES`]) with their
    /// stable numbers, and how many older lines are not drawn.
    pub fn rendered(&self) -> (usize, impl Iterator<Item = (u64, &Line)>) {
        let skip = self.lines.len().saturating_sub(RENDERED_LINES);
        let first = self.dropped + skip as u64;
        (skip, self.lines[skip..].iter().enumerate().map(move |(i, l)| (first + i as u64, l)))
    }

    fn push_output(&mut self, output: String, error: bool) {
        let text = output.strip_suffix('\n').unwrap_or(&output);
        if !text.is_empty() {
            self.lines.push(Line::Output { text: Rc::from(text), error });
        }
        if self.lines.len() > MAX_LINES {
            let extra = self.lines.len() - MAX_LINES;
            self.lines.drain(..extra);
            self.dropped += extra as u64;
        }
    }

    pub fn apply(&mut self, action: ConsoleAction) {
        match action {
            ConsoleAction::Ran { prompt, input, output, error } => {
                self.lines.push(Line::Input { prompt, text: Rc::from(input.as_str()) });
                self.push_output(output, error);
                let keep = !input.trim().is_empty() && input.len() <= MAX_HISTORY_ENTRY;
                if keep && self.history.last() != Some(&input) {
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
                self.dropped += self.lines.len() as u64;
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
        assert_eq!(s.dropped, 3, "line numbers go on after a clear");
    }

    #[test]
    fn long_texts_are_shortened_on_a_character_boundary() {
        assert_eq!(shortened("PONG"), None);
        let exact = "x".repeat(SHORT_BYTES);
        assert_eq!(shortened(&exact), None, "a text of exactly the limit is shown whole");
        let big = "é".repeat(3_000_000); // 6 MB, two bytes a character
        let (head, hidden) = shortened(&big).unwrap();
        assert!(head.len() <= SHORT_BYTES && head.len() >= SHORT_BYTES - 1);
        assert_eq!(head.chars().count() + hidden, 3_000_000);
        let many: String = (0..100).map(|i| format!("{i}) \"m\"\n")).collect();
        let (head, hidden) = shortened(&many).unwrap();
        assert_eq!(head.lines().count(), SHORT_LINES);
        assert_eq!(head.chars().count() + hidden, many.chars().count());
    }

    #[test]
    fn only_the_newest_lines_are_drawn_but_all_are_copied() {
        let mut s = ConsoleState::default();
        for i in 0..(RENDERED_LINES + 10) {
            s.apply(ConsoleAction::Arrived { output: format!("{i}\n"), error: false });
        }
        let (hidden, lines) = s.rendered();
        let lines: Vec<_> = lines.collect();
        assert_eq!(hidden, 10);
        assert_eq!(lines.len(), RENDERED_LINES);
        assert_eq!(lines[0].0, 10, "numbered from the start of the transcript");
        assert_eq!(&*lines[0].1.text().clone(), "10");
        assert!(s.transcript().starts_with("0\n1\n"), "the copy has every kept line");
        for i in 0..MAX_LINES {
            s.apply(ConsoleAction::Arrived { output: format!("more {i}\n"), error: false });
        }
        assert_eq!(s.lines.len(), MAX_LINES);
        let (_, mut lines) = s.rendered();
        assert_eq!(lines.next().map(|(n, _)| n), Some((RENDERED_LINES + 10 + MAX_LINES - RENDERED_LINES) as u64));
    }

    #[test]
    fn very_long_commands_run_but_stay_out_of_the_history() {
        let mut s = ConsoleState::default();
        let big = format!("SET big {}", "x".repeat(MAX_HISTORY_ENTRY));
        s.apply(ran(&big));
        assert!(s.history.is_empty());
        assert_eq!(s.lines[0], Line::Input { prompt: prompt(0), text: Rc::from(big.as_str()) });
    }
}
