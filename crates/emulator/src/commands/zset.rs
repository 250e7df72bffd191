//! Sorted set commands.

use crate::command::CommandSpec;

pub const COMMANDS: &[CommandSpec] = &[];
