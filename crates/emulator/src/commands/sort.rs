//! SORT and SORT_RO.

use crate::command::CommandSpec;

pub const COMMANDS: &[CommandSpec] = &[];
