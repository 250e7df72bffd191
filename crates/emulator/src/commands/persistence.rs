//! SAVE, BGSAVE, LASTSAVE, BGREWRITEAOF, DEBUG, DUMP, RESTORE.

use crate::command::CommandSpec;

pub const COMMANDS: &[CommandSpec] = &[];
