//! MEMORY USAGE / STATS.

use crate::command::CommandSpec;

pub const COMMANDS: &[CommandSpec] = &[];
