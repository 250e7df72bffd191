//! Tab completion and inline argument hints, read from the command table
//! the way redis-cli offers them. Pure functions of the typed line.

use redis_emulator::command::{CommandSpec, Group};
use redis_emulator::commands;

/// Splits at white space, keeping where the last word starts.
fn words(line: &str) -> Vec<&str> {
    line.split_ascii_whitespace().collect()
}

/// Matches `candidate` against a partial word the way redis-cli does
/// (ignoring case) and returns it in the case the user is typing in.
fn case_like(partial: &str, candidate: &str) -> String {
    if partial.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
        candidate.to_ascii_lowercase()
    } else {
        candidate.to_ascii_uppercase()
    }
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// The command a line starts with, and for a container command with a
/// known subcommand, that subcommand. Returns the spec and how many words
/// its name takes (1 or 2).
pub fn resolve(line: &str) -> Option<(&'static CommandSpec, usize)> {
    let w = words(line);
    let base = commands::find(w.first()?.as_bytes())?;
    if base.is_container() {
        if let Some(sub) = w.get(1).and_then(|s| commands::find_subcommand(base, s.as_bytes())) {
            return Some((sub, 2));
        }
    }
    Some((base, 1))
}

/// Every full line Tab can turn `line` into, in the order Tab cycles.
pub fn candidates(line: &str) -> Vec<String> {
    if line.contains('"') || line.contains('\'') {
        return Vec::new();
    }
    let ends_with_space = line.ends_with(|c: char| c.is_ascii_whitespace());
    let w = words(line);
    let (partial, index) = if ends_with_space || w.is_empty() { ("", w.len()) } else { (w[w.len() - 1], w.len() - 1) };
    let prefix = &line[..line.len() - partial.len()];
    let mut options: Vec<String> = Vec::new();
    if index == 0 {
        options.extend(commands::all().map(|c| c.name.to_string()));
        // Console words redis-cli understands itself.
        options.extend(["help".to_string(), "clear".to_string()]);
    } else if w[0].eq_ignore_ascii_case("help") {
        if index == 1 {
            options.extend(commands::all().map(|c| c.name.to_string()));
            options.extend(Group::ALL.iter().map(|g| format!("@{}", g.name())));
        }
    } else if let Some(base) = commands::find(w[0].as_bytes()) {
        if base.is_container() && index == 1 {
            options.extend(base.subcommands.iter().map(|s| s.name.to_string()));
        } else if let Some((spec, name_words)) = resolve(line) {
            if index >= name_words {
                options.extend(spec.keywords().iter().map(|k| k.to_string()));
            }
        }
    }
    let mut out: Vec<String> = options
        .iter()
        .filter(|o| starts_with_ignore_case(o, partial))
        .map(|o| format!("{prefix}{}", if o.starts_with('@') { o.to_ascii_lowercase() } else { case_like(partial, o) }))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The grey hint redis-cli shows after the cursor: the command's argument
/// syntax without the arguments already typed. Like redis-cli, required
/// arguments are dropped one per typed argument and optional ones stay.
pub fn hint(line: &str) -> Option<String> {
    let ends_with_space = line.ends_with(|c: char| c.is_ascii_whitespace());
    let w = words(line);
    let (spec, name_words) = resolve(line)?;
    if w.len() < name_words || (spec.is_container() && w.len() == 1) {
        return None;
    }
    let mut hint: &str = spec.syntax;
    let mut to_remove = w.len() - name_words;
    while to_remove > 0 && !hint.is_empty() {
        if hint.starts_with('[') {
            break;
        }
        if hint.starts_with(' ') {
            to_remove -= 1;
        }
        hint = &hint[1..];
    }
    if hint.is_empty() {
        return None;
    }
    Some(if ends_with_space { hint.to_string() } else { format!(" {hint}") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_command_names_in_the_typed_case() {
        let up = candidates("PI");
        assert_eq!(up, vec!["PING"]);
        assert_eq!(candidates("pi"), vec!["ping"]);
        let e = candidates("E");
        assert!(e.contains(&"ECHO".to_string()) && e.contains(&"EXISTS".to_string()), "{e:?}");
        assert!(e.windows(2).all(|p| p[0] <= p[1]), "sorted: {e:?}");
        assert!(candidates("NOSUCHCOMMANDPREFIX").is_empty());
    }

    #[test]
    fn completes_keywords_after_the_command() {
        assert_eq!(candidates("FLUSHALL A"), vec!["FLUSHALL ASYNC"]);
        assert_eq!(candidates("flushdb s"), vec!["flushdb sync"]);
        assert_eq!(candidates("FLUSHALL "), vec!["FLUSHALL ASYNC", "FLUSHALL SYNC"]);
        assert!(candidates("GET \"x").is_empty(), "no completion inside quotes");
    }

    #[test]
    fn completes_help_topics() {
        assert_eq!(candidates("HELP @str"), vec!["HELP @stream", "HELP @string"]);
        assert_eq!(candidates("HELP @hyp"), vec!["HELP @hyperloglog"]);
        assert!(candidates("help ge").contains(&"help get".to_string()));
    }

    #[test]
    fn hint_drops_typed_arguments() {
        const OPTIONS: &str =
            " [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]";
        assert_eq!(hint("SET").as_deref(), Some(format!(" key value{OPTIONS}").as_str()));
        assert_eq!(hint("SET ").as_deref(), Some(format!("key value{OPTIONS}").as_str()));
        assert_eq!(hint("SET k").as_deref(), Some(format!(" value{OPTIONS}").as_str()));
        assert_eq!(hint("SET k ").as_deref(), Some(format!("value{OPTIONS}").as_str()));
        assert_eq!(hint("SET k v").as_deref(), Some(OPTIONS), "only the options remain");
        assert_eq!(hint("GET k"), None, "every argument typed, no hint");
        assert_eq!(hint("PING").as_deref(), Some(" [message]"));
        assert_eq!(hint("PING hello ").as_deref(), Some("[message]"), "optional arguments stay, as in redis-cli");
        assert_eq!(hint("DEL a b ").as_deref(), Some("[key ...]"));
        assert_eq!(hint("NOSUCH x"), None);
        assert_eq!(hint(""), None);
        assert_eq!(hint("DBSIZE"), None, "no arguments, no hint");
    }
}
