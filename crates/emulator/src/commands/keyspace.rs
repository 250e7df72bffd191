//! Keyspace commands: TYPE, RENAME, COPY, MOVE, SWAPDB, KEYS, SCAN, RANDOMKEY, TOUCH, OBJECT, TIME.

use crate::command::CommandSpec;

pub const COMMANDS: &[CommandSpec] = &[];
