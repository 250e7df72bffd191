//! CONFIG GET / SET / RESETSTAT / REWRITE.

use crate::command::CommandSpec;

pub const COMMANDS: &[CommandSpec] = &[];
