//! Text for the console's `HELP`, `HELP <command>` and `HELP @group`, laid
//! out like redis-cli's help: the syntax line, then summary, since and
//! group. Everything comes from the command table (summaries in our own
//! words).

use crate::command::{CommandSpec, Group};
use crate::commands;

/// The introduction redis-cli prints for a bare `HELP`, adapted to the page.
pub const INTRO: &str = "redis-cli 7.0.15 (Redis Lab console)
To get help about Redis commands type:
      \"help @<group>\" to get a list of commands in <group>
      \"help <command>\" for help on <command>
      \"help <tab>\" to get a list of possible help topics
      \"clear\" or Ctrl+L to clear the screen
";

fn entry(out: &mut String, spec: &CommandSpec) {
    out.push('\n');
    out.push_str("  ");
    out.push_str(&spec.display_name());
    if !spec.syntax.is_empty() {
        out.push(' ');
        out.push_str(spec.syntax);
    }
    out.push('\n');
    out.push_str(&format!("  summary: {}\n", spec.summary));
    out.push_str(&format!("  since: {}\n", spec.since));
    out.push_str(&format!("  group: {}\n", spec.group.name()));
}

/// Every command and subcommand of the table, containers expanded.
fn every_spec() -> Vec<&'static CommandSpec> {
    let mut out = Vec::new();
    for c in commands::all() {
        if c.is_container() {
            out.extend(c.subcommands.iter());
        } else {
            out.push(c);
        }
    }
    out
}

/// The text for `HELP <args…>` (args without the word HELP). Unknown
/// topics print nothing, as in redis-cli.
pub fn help_text(args: &[String]) -> String {
    let mut out = String::new();
    let Some(first) = args.first() else {
        return INTRO.to_string();
    };
    if let Some(group) = first.strip_prefix('@') {
        if let Some(g) = Group::from_name(group) {
            for spec in every_spec().into_iter().filter(|s| s.group == g) {
                entry(&mut out, spec);
            }
        }
    } else if let Some(base) = commands::find(first.as_bytes()) {
        if base.is_container() {
            let sub = args.get(1).and_then(|s| commands::find_subcommand(base, s.as_bytes()));
            match sub {
                Some(s) => entry(&mut out, s),
                None => base.subcommands.iter().for_each(|s| entry(&mut out, s)),
            }
        } else {
            entry(&mut out, base);
        }
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_for_one_command() {
        let t = help_text(&["get".into()]);
        assert!(t.starts_with("\n  GET key\n  summary: "), "{t}");
        assert!(t.contains("\n  group: string\n"));
        assert!(t.ends_with("\n\n"));
    }

    #[test]
    fn help_for_a_group_lists_its_commands() {
        let t = help_text(&["@connection".into()]);
        for name in ["PING", "ECHO", "SELECT"] {
            assert!(t.contains(&format!("\n  {name}")), "{name} in {t}");
        }
        assert!(!t.contains("\n  GET"));
    }

    #[test]
    fn bare_help_and_unknown_topics() {
        assert_eq!(help_text(&[]), INTRO);
        assert_eq!(help_text(&["nosuchcommand".into()]), "");
        assert_eq!(help_text(&["@nosuchgroup".into()]), "");
    }
}
