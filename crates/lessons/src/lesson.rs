//! The lesson file format and its parser.
//!
//! A lesson is one Markdown file:
//!
//! ````text
//! ---
//! id: sorted-sets
//! title: Sorted sets — a game leaderboard
//! order: 6
//! prerequisites: strings, sets
//! summary: Scores keep members ranked…
//! ---
//! Prose in Markdown…
//!
//! ```setup
//! DEL leaderboard            (commands run when the lesson starts or is reset)
//! ```
//!
//! ```redis client=2 advance=11 label="Wait and look"
//! ZADD leaderboard 500 alice (each line a command; click runs them)
//! => (integer) 1             (expected output of the command above)
//! =>[2] …                    (expected output delivered to client 2)
//! ```
//!
//! ```challenge
//! id: bob-first
//! goal: Make bob rank first.
//! check: ZREVRANK leaderboard bob
//! => (integer) 0
//! hint: ZADD updates a member's score.
//! solution: ZADD leaderboard 2000 bob
//! ```
//!
//! ```widget
//! invalidation-lab            (an interactive piece the app provides)
//! ```
//! ````
//!
//! A lesson on several servers names them in its front matter:
//! `topology: replicas` (a master on 6379, replicas on 6380 and 6381),
//! `topology: cluster` (masters on 7000-7002), `topology: cluster-replicas`
//! (the same masters with replicas on 7003-7005), or replicas and a cluster. Its blocks then say
//! which server they run on (`node=6380`, the first server otherwise) and
//! may act on servers before their commands run (`delay=6380:2000` sets a
//! link delay in ms, `stop=6379`, `start=6379`, `cut=6380`,
//! `restore=6380`); a challenge says where its solution runs (`node:`) and
//! where its checks run (`check-node:`). `{id:7001}` in a command stands
//! for the cluster node id of the server on port 7001.

use crate::markdown::{parse_blocks, Block};

#[derive(Debug, Clone, PartialEq)]
pub struct Lesson {
    pub id: String,
    pub title: String,
    pub order: u32,
    pub prerequisites: Vec<String>,
    pub summary: String,
    /// Commands that build the lesson's starting data.
    pub setup: Vec<String>,
    pub parts: Vec<Part>,
    /// The servers the lesson runs on (empty: the page's one server).
    pub topology: Vec<TopologyKind>,
}

/// A group of servers a lesson runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopologyKind {
    /// A master on 6379 with replicas on 6380 and 6381.
    Replicas,
    /// Three cluster masters on 7000-7002.
    Cluster,
    /// Three cluster masters on 7000-7002, each with a replica (7003-7005),
    /// laid out as `redis-cli --cluster create --cluster-replicas 1` plans it.
    ClusterReplicas,
}

impl TopologyKind {
    pub fn from_name(name: &str) -> Option<TopologyKind> {
        match name {
            "replicas" => Some(TopologyKind::Replicas),
            "cluster" => Some(TopologyKind::Cluster),
            "cluster-replicas" => Some(TopologyKind::ClusterReplicas),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            TopologyKind::Replicas => "replicas",
            TopologyKind::Cluster => "cluster",
            TopologyKind::ClusterReplicas => "cluster-replicas",
        }
    }

    pub fn ports(self) -> &'static [u16] {
        match self {
            TopologyKind::Replicas => &[6379, 6380, 6381],
            TopologyKind::Cluster => &[7000, 7001, 7002],
            TopologyKind::ClusterReplicas => &[7000, 7001, 7002, 7003, 7004, 7005],
        }
    }
}

/// Something done to a server before a block's commands run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeAction {
    /// The one-way delay of the server's links, in ms.
    Delay(u16, i64),
    Stop(u16),
    Start(u16),
    Cut(u16),
    Restore(u16),
}

impl NodeAction {
    pub fn port(self) -> u16 {
        match self {
            NodeAction::Delay(p, _)
            | NodeAction::Stop(p)
            | NodeAction::Start(p)
            | NodeAction::Cut(p)
            | NodeAction::Restore(p) => p,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Text(Vec<Block>),
    Commands(CommandBlock),
    Challenge(Challenge),
    Widget(String),
}

/// A runnable block: commands a learner can click to run.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandBlock {
    /// Which simulated client runs it (1-based).
    pub client: u32,
    /// Milliseconds the clock moves forward before the block runs.
    pub advance_ms: i64,
    /// Text of the block's button instead of "Run" (`label="Crash the cache"`).
    pub label: Option<String>,
    pub steps: Vec<Step>,
    /// The server the commands run on (lessons on several servers).
    pub node: Option<u16>,
    /// What is done to servers before the commands run, in order.
    pub actions: Vec<NodeAction>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub command: String,
    /// What redis-cli prints for it, if the author wrote it down.
    pub expected: Option<String>,
    /// Output other clients receive because of this command: (client, text).
    pub deliveries: Vec<(u32, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// A read-only command run against the lesson's data…
    pub command: String,
    /// …and the output that means "done".
    pub expected: String,
    /// What is wrong when the check fails, in words for the learner
    /// (`say:`; `{output}` stands for what the command printed). Required
    /// when `expected` is a pattern, which a learner never sees.
    pub say: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Challenge {
    pub id: String,
    pub goal: String,
    pub checks: Vec<Check>,
    pub hints: Vec<String>,
    pub solution: Vec<String>,
    /// The server the solution runs on (lessons on several servers).
    pub node: Option<u16>,
    /// The server the checks run on (the solution's otherwise).
    pub check_node: Option<u16>,
}

/// A problem in a lesson file, with its line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

fn err<T>(line: usize, message: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError { line, message: message.into() })
}

/// Appends an expected-output line (`=> …` or `=>[2] …`) to the last step.
fn expectation(line: &str) -> Option<(Option<u32>, String)> {
    let rest = line.strip_prefix("=>")?;
    let (client, text) = match rest.strip_prefix('[') {
        Some(r) => {
            let (n, t) = r.split_once(']')?;
            (Some(n.trim().parse().ok()?), t)
        }
        None => (None, rest),
    };
    Some((client, text.strip_prefix(' ').unwrap_or(text).to_string()))
}

fn append(target: &mut Option<String>, text: String) {
    match target {
        Some(t) => {
            t.push('\n');
            t.push_str(&text);
        }
        None => *target = Some(text),
    }
}

fn parse_command_block(info: &str, body: &[(usize, &str)], first_line: usize) -> Result<CommandBlock, ParseError> {
    let mut block =
        CommandBlock { client: 1, advance_ms: 0, label: None, steps: Vec::new(), node: None, actions: Vec::new() };
    let port = |v: &str| v.trim().parse::<u16>().ok().filter(|p| *p > 0);
    // Options are split like a console line, so a label may be quoted.
    let opts = redis_emulator::tokenizer::split_line(info)
        .map_err(|_| ParseError { line: first_line, message: "unbalanced quotes in the block options".into() })?;
    for opt in opts.iter().skip(1).map(|o| String::from_utf8_lossy(o).into_owned()) {
        let opt = opt.as_str();
        match opt.split_once('=') {
            Some(("label", text)) if !text.trim().is_empty() && text.len() <= 60 => {
                block.label = Some(text.trim().to_string())
            }
            Some(("client", n)) => match n.parse::<u32>() {
                Ok(n) if (1..=8).contains(&n) => block.client = n,
                _ => return err(first_line, format!("client must be 1-8, not {n:?}")),
            },
            Some(("advance", s)) => match s.trim_end_matches('s').parse::<f64>() {
                Ok(secs) if (0.0..=86_400.0 * 365.0).contains(&secs) => block.advance_ms = (secs * 1000.0) as i64,
                _ => return err(first_line, format!("advance must be seconds, not {s:?}")),
            },
            Some(("node", p)) => match port(p) {
                Some(p) => block.node = Some(p),
                None => return err(first_line, format!("node must be a port, not {p:?}")),
            },
            Some(("delay", v)) => {
                let parsed = v.split_once(':').and_then(|(p, ms)| Some((port(p)?, ms.trim().parse::<i64>().ok()?)));
                match parsed {
                    Some((p, ms)) if (0..=2000).contains(&ms) => block.actions.push(NodeAction::Delay(p, ms)),
                    _ => return err(first_line, format!("delay must be port:ms (0-2000 ms), not {v:?}")),
                }
            }
            Some((kind @ ("stop" | "start" | "cut" | "restore"), p)) => {
                let Some(p) = port(p) else { return err(first_line, format!("{kind} must name a port, not {p:?}")) };
                block.actions.push(match kind {
                    "stop" => NodeAction::Stop(p),
                    "start" => NodeAction::Start(p),
                    "cut" => NodeAction::Cut(p),
                    _ => NodeAction::Restore(p),
                });
            }
            _ => return err(first_line, format!("unknown block option {opt:?}")),
        }
    }
    for &(n, line) in body {
        if line.trim().is_empty() {
            continue;
        }
        if let Some((client, text)) = expectation(line.trim_start()) {
            let Some(step) = block.steps.last_mut() else {
                return err(n, "expected output before any command");
            };
            match client {
                None => append(&mut step.expected, text),
                Some(c) => match step.deliveries.last_mut() {
                    Some((last, t)) if *last == c => {
                        t.push('\n');
                        t.push_str(&text);
                    }
                    _ => step.deliveries.push((c, text)),
                },
            }
        } else {
            if redis_emulator::tokenizer::split_line(line.trim()).is_err() {
                return err(n, format!("cannot split {:?} into arguments (unbalanced quotes?)", line.trim()));
            }
            block.steps.push(Step { command: line.trim().to_string(), expected: None, deliveries: Vec::new() });
        }
    }
    if block.steps.is_empty() {
        return err(first_line, "a redis block needs at least one command");
    }
    Ok(block)
}

fn parse_challenge(body: &[(usize, &str)], first_line: usize) -> Result<Challenge, ParseError> {
    let mut c = Challenge {
        id: String::new(),
        goal: String::new(),
        checks: Vec::new(),
        hints: Vec::new(),
        solution: Vec::new(),
        node: None,
        check_node: None,
    };
    // The check being read: (line, command, expected output, words).
    type Pending = Option<(usize, String, Option<String>, Option<String>)>;
    let mut pending: Pending = None;
    let finish = |pending: &mut Pending, c: &mut Challenge| -> Result<(), ParseError> {
        if let Some((n, command, expected, say)) = pending.take() {
            match expected {
                Some(expected) if expected.starts_with('~') && say.is_none() => {
                    return err(
                        n,
                        "a check whose output is a pattern (`=> ~…`) needs a `say:` line telling the learner, \
                         in words, what is expected",
                    )
                }
                Some(expected) => c.checks.push(Check { command, expected, say }),
                None => return err(n, "a check needs its expected output on `=> ` lines below it"),
            }
        }
        Ok(())
    };
    for &(n, line) in body {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some((None, text)) = expectation(line) {
            match pending.as_mut() {
                Some((_, _, expected, None)) => append(expected, text),
                Some(_) => return err(n, "expected output after `say:`: put `say:` below the `=> ` lines"),
                None => return err(n, "expected output without a check above it"),
            }
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            return err(n, format!("expected `key: value`, got {line:?}"));
        };
        let value = value.trim().to_string();
        if key.trim() == "say" {
            match pending.as_mut() {
                Some((_, _, Some(_), say @ None)) if !value.is_empty() => *say = Some(value),
                _ => return err(n, "`say:` belongs right below a check's `=> ` lines"),
            }
            continue;
        }
        finish(&mut pending, &mut c)?;
        match key.trim() {
            "id" => c.id = value,
            "goal" => c.goal = value,
            "hint" => c.hints.push(value),
            "solution" => c.solution.push(value),
            "node" | "check-node" => {
                let Some(port) = value.parse::<u16>().ok().filter(|p| *p > 0) else {
                    return err(n, format!("{} must be a port, not {value:?}", key.trim()));
                };
                if key.trim() == "node" {
                    c.node = Some(port);
                } else {
                    c.check_node = Some(port);
                }
            }
            "check" => {
                let argv = redis_emulator::tokenizer::split_line(&value)
                    .map_err(|_| ParseError { line: n, message: format!("cannot split check {value:?}") })?;
                let writes = matches!(redis_emulator::commands::lookup(&argv),
                    redis_emulator::commands::Lookup::Found(spec) if spec.has(redis_emulator::command::flags::WRITE));
                if writes {
                    return err(n, format!("a check must be a read-only command: {value:?}"));
                }
                pending = Some((n, value, None, None));
            }
            other => return err(n, format!("unknown challenge field {other:?}")),
        }
    }
    finish(&mut pending, &mut c)?;
    if c.id.is_empty() || c.goal.is_empty() {
        return err(first_line, "a challenge needs an id and a goal");
    }
    if c.checks.is_empty() {
        return err(first_line, "a challenge needs at least one check");
    }
    if c.solution.is_empty() {
        return err(first_line, "a challenge needs a solution");
    }
    Ok(c)
}

/// Parses a lesson file.
pub fn parse_lesson(src: &str) -> Result<Lesson, ParseError> {
    let lines: Vec<&str> = src.lines().collect();
    if lines.first().map(|l| l.trim()) != Some("---") {
        return err(1, "a lesson starts with front matter between `---` lines");
    }
    let Some(end) = lines.iter().skip(1).position(|l| l.trim() == "---").map(|p| p + 1) else {
        return err(1, "front matter is not closed with `---`");
    };
    let mut lesson = Lesson {
        id: String::new(),
        title: String::new(),
        order: 1000,
        prerequisites: Vec::new(),
        summary: String::new(),
        setup: Vec::new(),
        parts: Vec::new(),
        topology: Vec::new(),
    };
    for (i, line) in lines[1..end].iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let Some((k, v)) = line.split_once(':') else {
            return err(i + 2, format!("expected `key: value`, got {line:?}"));
        };
        let v = v.trim();
        match k.trim() {
            "id" => lesson.id = v.to_string(),
            "title" => lesson.title = v.to_string(),
            "order" => {
                lesson.order =
                    v.parse().map_err(|_| ParseError { line: i + 2, message: "order must be a number".into() })?
            }
            "prerequisites" => {
                lesson.prerequisites = v.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()
            }
            "summary" => lesson.summary = v.to_string(),
            "topology" => {
                for name in v.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                    let clash = |k: TopologyKind| {
                        let ports = k.ports();
                        lesson.topology.iter().any(|t| t.ports().iter().any(|p| ports.contains(p)))
                    };
                    match TopologyKind::from_name(name) {
                        Some(kind) if !clash(kind) => lesson.topology.push(kind),
                        _ => {
                            return err(
                                i + 2,
                                format!("topology must be replicas and one of cluster, cluster-replicas, not {name:?}"),
                            )
                        }
                    }
                }
            }
            other => return err(i + 2, format!("unknown front matter field {other:?}")),
        }
    }
    if lesson.id.is_empty() || lesson.title.is_empty() {
        return err(1, "front matter needs `id` and `title`");
    }
    if !lesson.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return err(1, "id may only use letters, digits, `-` and `_`");
    }

    let mut text: Vec<&str> = Vec::new();
    let mut i = end + 1;
    let flush = |text: &mut Vec<&str>, parts: &mut Vec<Part>| {
        let src = text.join("\n");
        text.clear();
        let blocks = parse_blocks(&src);
        if !blocks.is_empty() {
            parts.push(Part::Text(blocks));
        }
    };
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        let info = trimmed.strip_prefix("```").map(str::trim);
        let kind = info.and_then(|i| i.split_whitespace().next());
        if let (Some(info), Some(kind @ ("redis" | "challenge" | "setup" | "widget"))) = (info, kind) {
            flush(&mut text, &mut lesson.parts);
            let start = i + 1;
            let mut body = Vec::new();
            i += 1;
            while i < lines.len() && !lines[i].trim_start().starts_with("```") {
                body.push((i + 1, lines[i]));
                i += 1;
            }
            if i >= lines.len() {
                return err(start, format!("```{kind} block is not closed"));
            }
            i += 1;
            match kind {
                "redis" => lesson.parts.push(Part::Commands(parse_command_block(info, &body, start)?)),
                "challenge" => lesson.parts.push(Part::Challenge(parse_challenge(&body, start)?)),
                "setup" => lesson
                    .setup
                    .extend(body.iter().map(|(_, l)| l.trim()).filter(|l| !l.is_empty()).map(str::to_string)),
                _ => {
                    let name = body.iter().map(|(_, l)| l.trim()).find(|l| !l.is_empty()).unwrap_or("");
                    lesson.parts.push(Part::Widget(name.to_string()));
                }
            }
            continue;
        }
        if info.is_some() {
            // Another fenced block (e.g. Python): keep it as prose, including the fence.
            text.push(line);
            i += 1;
            while i < lines.len() && !lines[i].trim_start().starts_with("```") {
                text.push(lines[i]);
                i += 1;
            }
            if i < lines.len() {
                text.push(lines[i]);
            }
            i += 1;
            continue;
        }
        text.push(line);
        i += 1;
    }
    flush(&mut text, &mut lesson.parts);
    check_ports(&lesson)?;
    Ok(lesson)
}

/// Every server a block or challenge names is one of the lesson's.
fn check_ports(lesson: &Lesson) -> Result<(), ParseError> {
    let ports = lesson.ports();
    let known = |p: u16| ports.contains(&p);
    let mut named: Vec<u16> = Vec::new();
    for part in &lesson.parts {
        match part {
            Part::Commands(b) => named.extend(b.node.into_iter().chain(b.actions.iter().map(|a| a.port()))),
            Part::Challenge(c) => named.extend(c.node.into_iter().chain(c.check_node)),
            _ => {}
        }
    }
    match named.into_iter().find(|p| !known(*p)) {
        Some(p) if ports.is_empty() => err(1, format!("port {p} is named, but the lesson has no `topology:`")),
        Some(p) => err(1, format!("port {p} is not one of the lesson's servers {ports:?}")),
        None => Ok(()),
    }
}

impl Lesson {
    /// The ports of the lesson's servers, in order (empty: one server).
    pub fn ports(&self) -> Vec<u16> {
        self.topology.iter().flat_map(|k| k.ports().iter().copied()).collect()
    }

    pub fn challenges(&self) -> impl Iterator<Item = &Challenge> {
        self.parts.iter().filter_map(|p| match p {
            Part::Challenge(c) => Some(c),
            _ => None,
        })
    }

    pub fn command_blocks(&self) -> impl Iterator<Item = &CommandBlock> {
        self.parts.iter().filter_map(|p| match p {
            Part::Commands(b) => Some(b),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "---\nid: demo\ntitle: Demo\norder: 3\nprerequisites: a, b\n---\n# Hello\n\nText.\n\n```setup\nDEL k\n```\n\n```redis client=2 advance=1.5 label=\"Do it now\"\nSET k v\n=> OK\nGET k\n=> \"v\"\n```\n\n```python\nprint(1)\n```\n\n```challenge\nid: c1\ngoal: Make k hold w.\ncheck: GET k\n=> \"w\"\nhint: Use SET.\nsolution: SET k w\n```\n";

    #[test]
    fn parses_every_part() {
        let l = parse_lesson(SAMPLE).unwrap();
        assert_eq!((l.id.as_str(), l.order), ("demo", 3));
        assert_eq!(l.prerequisites, vec!["a", "b"]);
        assert_eq!(l.setup, vec!["DEL k"]);
        let blocks: Vec<_> = l.command_blocks().collect();
        assert_eq!(blocks[0].client, 2);
        assert_eq!(blocks[0].advance_ms, 1500);
        assert_eq!(blocks[0].label.as_deref(), Some("Do it now"));
        assert_eq!(blocks[0].steps[1].expected.as_deref(), Some("\"v\""));
        let c = l.challenges().next().unwrap();
        assert_eq!(c.checks, vec![Check { command: "GET k".into(), expected: "\"w\"".into(), say: None }]);
        assert!(l.parts.iter().any(|p| matches!(p, Part::Text(b) if b.iter().any(|b| matches!(b, Block::Code { lang, .. } if lang == "python")))));
    }

    #[test]
    fn reports_errors_with_lines() {
        assert_eq!(parse_lesson("no front matter").unwrap_err().line, 1);
        let bad_check = SAMPLE.replace("check: GET k", "check: SET k x");
        assert!(parse_lesson(&bad_check).unwrap_err().message.contains("read-only"));
        let open = "---\nid: x\ntitle: X\n---\n```redis\nPING\n";
        assert!(parse_lesson(open).unwrap_err().message.contains("not closed"));
        let orphan = "---\nid: x\ntitle: X\n---\n```redis\n=> OK\n```\n";
        assert_eq!(parse_lesson(orphan).unwrap_err().line, 6);
        let unsaid = SAMPLE.replace("=> \"w\"", "=> ~\"w*\"");
        assert!(parse_lesson(&unsaid).unwrap_err().message.contains("say:"));
        let misplaced = SAMPLE.replace("hint: Use SET.", "hint: Use SET.\nsay: Too late.");
        assert!(parse_lesson(&misplaced).unwrap_err().message.contains("say:"));
    }

    #[test]
    fn lessons_on_several_servers_name_them() {
        let src = "---\nid: t\ntitle: T\ntopology: replicas, cluster\n---\n\
            ```redis node=6380 delay=6381:500 stop=6379 cut=6380 restore=6380 start=6379\nGET a\n```\n\n\
            ```challenge\nid: c\ngoal: g\nnode: 7000\ncheck-node: 7001\ncheck: GET a\n=> \"1\"\nsolution: SET a 1\n```\n";
        let l = parse_lesson(src).unwrap();
        assert_eq!(l.topology, vec![TopologyKind::Replicas, TopologyKind::Cluster]);
        assert_eq!(l.ports(), vec![6379, 6380, 6381, 7000, 7001, 7002]);
        let b = l.command_blocks().next().unwrap();
        assert_eq!(b.node, Some(6380));
        use NodeAction::*;
        assert_eq!(b.actions, vec![Delay(6381, 500), Stop(6379), Cut(6380), Restore(6380), Start(6379)]);
        let c = l.challenges().next().unwrap();
        assert_eq!((c.node, c.check_node), (Some(7000), Some(7001)));
        let unknown = src.replace("node=6380", "node=6390");
        assert!(parse_lesson(&unknown).unwrap_err().message.contains("6390"));
        let alone = src.replace("topology: replicas, cluster\n", "");
        assert!(parse_lesson(&alone).unwrap_err().message.contains("no `topology:`"));
        assert!(parse_lesson(&src.replace("topology: replicas", "topology: sentinel")).is_err());
        assert!(parse_lesson(&src.replace("delay=6381:500", "delay=6381:5000")).is_err());
    }

    #[test]
    fn a_pattern_check_carries_its_words() {
        let src = SAMPLE.replace("=> \"w\"", "=> ~\"w*\"\nsay: k should start with w; it is {output}.");
        let l = parse_lesson(&src).unwrap();
        let check = &l.challenges().next().unwrap().checks[0];
        assert_eq!(check.expected, "~\"w*\"");
        assert_eq!(check.say.as_deref(), Some("k should start with w; it is {output}."));
    }
}
