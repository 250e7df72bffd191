//! Text for the console's `HELP <command>` and `HELP @group`, laid out
//! like redis-cli's help: the syntax line, then summary, since and group.
//! Everything comes from the command table (summaries in our own words).

use crate::command::{CommandSpec, Group};
use crate::commands;

/// One command's help block.
fn block(c: &CommandSpec) -> String {
    let syntax = if c.syntax.is_empty() { String::new() } else { format!(" {}", c.syntax) };
    format!(
        "\n  {}{}\n  summary: {}\n  since: {}\n  group: {}\n",
        c.display_name(),
        syntax,
        c.summary,
        c.since,
        c.group.name()
    )
}

/// Help for `topic`: a command (`GET`, `client list`, `CLIENT`) or a group
/// (`@string`). `None` if nothing matches.
pub fn help_text(topic: &str) -> Option<String> {
    let topic = topic.trim();
    if let Some(group) = topic.strip_prefix('@') {
        let group = Group::from_name(group)?;
        let mut out = String::new();
        for c in commands::all() {
            if c.group == group && !c.is_container() {
                out.push_str(&block(c));
            }
            for s in c.subcommands.iter().filter(|s| s.group == group) {
                out.push_str(&block(s));
            }
        }
        return (!out.is_empty()).then_some(out);
    }
    let mut words = topic.split_whitespace();
    let name = words.next()?;
    let command = commands::find(name.as_bytes())?;
    match words.next() {
        Some(sub) => commands::find_subcommand(command, sub.as_bytes()).map(block),
        None if command.is_container() => {
            let mut out = block(command);
            for s in command.subcommands {
                out.push_str(&block(s));
            }
            Some(out)
        }
        None => Some(block(command)),
    }
}

#[cfg(test)]
mod tests {
    use super::help_text;

    #[test]
    fn command_help_has_syntax_summary_since_group() {
        let text = help_text("get").unwrap();
        assert!(text.starts_with("\n  GET key\n  summary: "), "{text}");
        assert!(text.contains("\n  since: 1.0.0\n  group: string\n"), "{text}");
        assert!(help_text("nosuchcommand").is_none());
        assert!(help_text("@nosuchgroup").is_none());
    }

    #[test]
    fn group_and_subcommand_help() {
        let strings = help_text("@string").unwrap();
        assert!(strings.contains("  SET key value"));
        assert!(strings.contains("  INCRBYFLOAT key increment"));
        assert!(!strings.contains("  LPUSH"));
        let sub = help_text("client list").unwrap();
        assert!(sub.contains("  CLIENT LIST [TYPE"), "{sub}");
        assert!(help_text("CLIENT").unwrap().contains("CLIENT KILL"));
    }
}
