//! MULTI, EXEC, DISCARD, WATCH, UNWATCH.

use crate::command::CommandSpec;

pub const COMMANDS: &[CommandSpec] = &[];
