//! EVAL, EVALSHA, SCRIPT.

use crate::command::CommandSpec;

pub const COMMANDS: &[CommandSpec] = &[];
