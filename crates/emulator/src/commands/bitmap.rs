//! Bitmap commands (on strings).

use crate::command::CommandSpec;

pub const COMMANDS: &[CommandSpec] = &[];
