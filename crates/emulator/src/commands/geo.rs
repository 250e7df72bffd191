//! Geo commands (on sorted sets).

use crate::command::CommandSpec;

pub const COMMANDS: &[CommandSpec] = &[];
