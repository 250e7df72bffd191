//! Keyspace commands that work on keys of any type: DEL, EXISTS.

use crate::command::{flags::*, CommandSpec, Group, KeySpec};
use crate::engine::Ctx;
use crate::notify;
use crate::reply::Reply;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "del",
        arity: -2,
        flags: WRITE,
        group: Group::Generic,
        complexity: "O(N) where N is the number of keys",
        summary: "Deletes keys; answers how many existed",
        syntax: "key [key ...]",
        keys: KeySpec::ALL,
        handler: del,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "exists",
        arity: -2,
        flags: READONLY | FAST,
        group: Group::Generic,
        since: "1.0.0",
        complexity: "O(N) where N is the number of keys",
        summary: "Counts how many of the given keys exist (a key named twice counts twice)",
        syntax: "key [key ...]",
        keys: KeySpec::ALL,
        handler: exists,
        ..CommandSpec::DEFAULT
    },
];

/// DEL key [key ...]
fn del(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let mut deleted = 0;
    for key in &argv[1..] {
        if ctx.delete_key(key) {
            ctx.notify(notify::GENERIC, "del", key);
            deleted += 1;
        }
    }
    Reply::Integer(deleted)
}

/// EXISTS key [key ...]
fn exists(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    let count = argv[1..].iter().filter(|k| ctx.exists(k)).count();
    Reply::Integer(count as i64)
}
