//! CLIENT and its subcommands.

use crate::command::CommandSpec;

pub const COMMANDS: &[CommandSpec] = &[];
