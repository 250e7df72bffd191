//! The command table as ACLs see it: every command and subcommand gets an
//! id (its bit in a selector's bitmap) and a set of ACL categories, read
//! from the table's rows (the categories COMMAND INFO shows).

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::command::CommandSpec;
use crate::commands;

/// Redis's ACL categories, in the order ACL CAT and the rule writer use.
pub const CATEGORIES: [&str; 21] = [
    "keyspace",
    "read",
    "write",
    "set",
    "sortedset",
    "list",
    "hash",
    "string",
    "bitmap",
    "hyperloglog",
    "geo",
    "stream",
    "pubsub",
    "admin",
    "fast",
    "slow",
    "blocking",
    "dangerous",
    "connection",
    "transaction",
    "scripting",
];

/// The bit of a category name (without `@`), ignoring case.
pub fn category_flag(name: &[u8]) -> Option<u32> {
    CATEGORIES.iter().position(|c| c.as_bytes().eq_ignore_ascii_case(name)).map(|i| 1 << i)
}

/// Every command with its id, categories and subcommands.
pub struct CommandIndex {
    pub specs: Vec<&'static CommandSpec>,
    pub categories: Vec<u32>,
    /// Ids of each command's subcommands (empty for plain commands).
    pub subs: Vec<Vec<usize>>,
    /// Ids of the top-level commands, in table order.
    pub tops: Vec<usize>,
    by_name: HashMap<String, usize>,
}

impl CommandIndex {
    /// Bits a selector's bitmap needs: one per command and one more for
    /// "future commands" (set only by `+@all`).
    pub fn bit_count(&self) -> usize {
        self.specs.len() + 1
    }

    /// The reserved "future commands" bit.
    pub fn future_bit(&self) -> usize {
        self.specs.len()
    }

    /// The id of a table row.
    pub fn id_of(&self, spec: &CommandSpec) -> Option<usize> {
        self.by_name.get(&spec.full_name()).copied()
    }

    /// Redis's ACL command lookup: `name` or `container|sub`, ignoring case.
    pub fn lookup(&self, name: &[u8]) -> Option<usize> {
        let mut parts = name.split(|&b| b == b'|');
        let base = parts.next()?;
        let sub = parts.next();
        if parts.next().is_some() {
            return None;
        }
        let top = commands::find(base)?;
        let spec = match sub {
            None => top,
            Some(sub) if top.is_container() => commands::find_subcommand(top, sub)?,
            Some(_) => return None,
        };
        self.id_of(spec)
    }
}

/// The index, built once from the table.
pub fn index() -> &'static CommandIndex {
    static INDEX: OnceLock<CommandIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut ix = CommandIndex {
            specs: Vec::new(),
            categories: Vec::new(),
            subs: Vec::new(),
            tops: Vec::new(),
            by_name: HashMap::new(),
        };
        for top in commands::all() {
            let id = add(&mut ix, top);
            ix.tops.push(id);
            let subs: Vec<usize> = top.subcommands.iter().map(|s| add(&mut ix, s)).collect();
            ix.subs[id] = subs;
        }
        ix
    })
}

fn add(ix: &mut CommandIndex, spec: &'static CommandSpec) -> usize {
    let id = ix.specs.len();
    let mut flags = 0;
    for cat in commands::command_docs::acl_categories(spec) {
        if let Some(f) = category_flag(cat.trim_start_matches('@').as_bytes()) {
            flags |= f;
        }
    }
    ix.specs.push(spec);
    ix.categories.push(flags);
    ix.subs.push(Vec::new());
    ix.by_name.insert(spec.full_name(), id);
    id
}
