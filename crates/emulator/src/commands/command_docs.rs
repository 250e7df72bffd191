//! COMMAND and its subcommands (COUNT, INFO, DOCS, LIST, GETKEYS).

use crate::command::CommandSpec;

pub const COMMANDS: &[CommandSpec] = &[];
