//! INFO, MONITOR, SLOWLOG.

use crate::command::CommandSpec;

pub const COMMANDS: &[CommandSpec] = &[];
