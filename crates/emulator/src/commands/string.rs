//! String commands: GET, SET.

use crate::command::{flags::*, CommandSpec, Group, KeySpec};
use crate::engine::Ctx;
use crate::errors;
use crate::notify;
use crate::reply::Reply;
use crate::value::Value;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "get",
        arity: 2,
        flags: READONLY | FAST,
        group: Group::String,
        summary: "Returns the string stored at a key, or nil",
        syntax: "key",
        keys: KeySpec::ONE,
        handler: get,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "set",
        arity: -3,
        flags: WRITE | DENYOOM,
        group: Group::String,
        summary: "Stores a string at a key, replacing any value",
        syntax: "key value",
        keys: KeySpec::ONE,
        handler: set,
        ..CommandSpec::DEFAULT
    },
];

/// GET key
fn get(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    match ctx.lookup_read(&argv[1]) {
        None => Reply::Nil,
        Some(entry) => match &entry.value {
            Value::String(s) => Reply::Bulk(s.bytes.clone()),
            _ => Reply::error(errors::WRONGTYPE),
        },
    }
}

/// SET key value
fn set(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Reply {
    if argv.len() != 3 {
        return Reply::error(errors::SYNTAX);
    }
    ctx.set_key(&argv[1], Value::string(argv[2].clone()), false);
    ctx.notify(notify::STRING, "set", &argv[1]);
    Reply::OK
}
