//! The command table as ACLs see it: every command and subcommand gets an
//! id (its bit in a selector's bitmap) and a set of ACL categories, read
//! from the table's rows (the categories COMMAND INFO shows). Redis 7.0
//! commands the emulator does not implement are listed too, with their
//! categories, so rules naming them are accepted and category rules count
//! the same commands as Redis when rules are written back.

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

/// Redis 7.0 commands (and subcommands) not in the emulator's table, with
/// their ACL categories. Entries the table gains are skipped.
const NOT_EMULATED: &[(&str, &[&str])] = &[
    ("asking", &["@fast", "@connection"]),
    ("client|caching", &["@slow", "@connection"]),
    ("client|getredir", &["@slow", "@connection"]),
    ("client|pause", &["@admin", "@slow", "@dangerous", "@connection"]),
    ("client|tracking", &["@slow", "@connection"]),
    ("client|trackinginfo", &["@slow", "@connection"]),
    ("client|unpause", &["@admin", "@slow", "@dangerous", "@connection"]),
    ("cluster", &["@slow"]),
    ("cluster|addslots", &["@admin", "@slow", "@dangerous"]),
    ("cluster|addslotsrange", &["@admin", "@slow", "@dangerous"]),
    ("cluster|bumpepoch", &["@admin", "@slow", "@dangerous"]),
    ("cluster|count-failure-reports", &["@admin", "@slow", "@dangerous"]),
    ("cluster|countkeysinslot", &["@slow"]),
    ("cluster|delslots", &["@admin", "@slow", "@dangerous"]),
    ("cluster|delslotsrange", &["@admin", "@slow", "@dangerous"]),
    ("cluster|failover", &["@admin", "@slow", "@dangerous"]),
    ("cluster|flushslots", &["@admin", "@slow", "@dangerous"]),
    ("cluster|forget", &["@admin", "@slow", "@dangerous"]),
    ("cluster|getkeysinslot", &["@slow"]),
    ("cluster|help", &["@slow"]),
    ("cluster|info", &["@slow"]),
    ("cluster|keyslot", &["@slow"]),
    ("cluster|links", &["@slow"]),
    ("cluster|meet", &["@admin", "@slow", "@dangerous"]),
    ("cluster|myid", &["@slow"]),
    ("cluster|nodes", &["@slow"]),
    ("cluster|replicas", &["@admin", "@slow", "@dangerous"]),
    ("cluster|replicate", &["@admin", "@slow", "@dangerous"]),
    ("cluster|reset", &["@admin", "@slow", "@dangerous"]),
    ("cluster|saveconfig", &["@admin", "@slow", "@dangerous"]),
    ("cluster|set-config-epoch", &["@admin", "@slow", "@dangerous"]),
    ("cluster|setslot", &["@admin", "@slow", "@dangerous"]),
    ("cluster|shards", &["@slow"]),
    ("cluster|slaves", &["@admin", "@slow", "@dangerous"]),
    ("cluster|slots", &["@slow"]),
    ("failover", &["@admin", "@slow", "@dangerous"]),
    ("latency", &["@slow"]),
    ("latency|doctor", &["@admin", "@slow", "@dangerous"]),
    ("latency|graph", &["@admin", "@slow", "@dangerous"]),
    ("latency|help", &["@slow"]),
    ("latency|histogram", &["@admin", "@slow", "@dangerous"]),
    ("latency|history", &["@admin", "@slow", "@dangerous"]),
    ("latency|latest", &["@admin", "@slow", "@dangerous"]),
    ("latency|reset", &["@admin", "@slow", "@dangerous"]),
    ("lolwut", &["@read", "@fast"]),
    ("migrate", &["@keyspace", "@write", "@slow", "@dangerous"]),
    ("module", &["@slow"]),
    ("module|help", &["@slow"]),
    ("module|list", &["@admin", "@slow", "@dangerous"]),
    ("module|load", &["@admin", "@slow", "@dangerous"]),
    ("module|loadex", &["@admin", "@slow", "@dangerous"]),
    ("module|unload", &["@admin", "@slow", "@dangerous"]),
    ("psync", &["@admin", "@slow", "@dangerous"]),
    ("readonly", &["@fast", "@connection"]),
    ("readwrite", &["@fast", "@connection"]),
    ("replconf", &["@admin", "@slow", "@dangerous"]),
    ("replicaof", &["@admin", "@slow", "@dangerous"]),
    ("restore-asking", &["@keyspace", "@write", "@slow", "@dangerous"]),
    ("role", &["@admin", "@fast", "@dangerous"]),
    ("script|debug", &["@slow", "@scripting"]),
    ("shutdown", &["@admin", "@slow", "@dangerous"]),
    ("slaveof", &["@admin", "@slow", "@dangerous"]),
    ("sync", &["@admin", "@slow", "@dangerous"]),
    ("wait", &["@slow", "@connection"]),
];

/// The bit of a category name (without `@`), ignoring case.
pub fn category_flag(name: &[u8]) -> Option<u32> {
    CATEGORIES.iter().position(|c| c.as_bytes().eq_ignore_ascii_case(name)).map(|i| 1 << i)
}

fn category_bits<'a>(names: impl IntoIterator<Item = &'a str>) -> u32 {
    names.into_iter().filter_map(|c| category_flag(c.trim_start_matches('@').as_bytes())).fold(0, |a, f| a | f)
}

/// Every command with its id, categories and subcommands.
pub struct CommandIndex {
    /// Full names (`get`, `config|get`).
    pub names: Vec<String>,
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
        self.names.len() + 1
    }

    /// The reserved "future commands" bit.
    pub fn future_bit(&self) -> usize {
        self.names.len()
    }

    pub fn is_sub(&self, id: usize) -> bool {
        self.names[id].contains('|')
    }

    pub fn is_container(&self, id: usize) -> bool {
        !self.subs[id].is_empty()
    }

    /// The id of a table row.
    pub fn id_of(&self, spec: &CommandSpec) -> Option<usize> {
        self.by_name.get(&spec.full_name()).copied()
    }

    /// Redis's ACL command lookup: `name` or `container|sub`, ignoring case.
    pub fn lookup(&self, name: &[u8]) -> Option<usize> {
        let lower = String::from_utf8_lossy(name).to_ascii_lowercase();
        let mut parts = lower.split('|');
        let base = self.by_name.get(parts.next()?).copied().filter(|&id| !self.is_sub(id))?;
        match (parts.next(), parts.next()) {
            (None, _) => Some(base),
            (Some(_), None) if self.is_container(base) => self.by_name.get(&lower).copied(),
            _ => None,
        }
    }

    fn add(&mut self, name: String, categories: u32) -> usize {
        let id = self.names.len();
        self.by_name.insert(name.clone(), id);
        self.names.push(name);
        self.categories.push(categories);
        self.subs.push(Vec::new());
        id
    }
}

/// At least [`CommandIndex::bit_count`], counted without building the index
/// (names, categories): enough for a selector's bits. A new user, such as
/// the default one every engine starts with, needs no more than this.
pub fn bit_capacity() -> usize {
    static COUNT: OnceLock<usize> = OnceLock::new();
    *COUNT.get_or_init(|| commands::all().map(|c| 1 + c.subcommands.len()).sum::<usize>() + NOT_EMULATED.len() + 1)
}

/// The index, built once from the table.
pub fn index() -> &'static CommandIndex {
    static INDEX: OnceLock<CommandIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut ix = CommandIndex {
            names: Vec::new(),
            categories: Vec::new(),
            subs: Vec::new(),
            tops: Vec::new(),
            by_name: HashMap::new(),
        };
        let cats = |spec: &CommandSpec| category_bits(commands::command_docs::acl_categories(spec));
        for top in commands::all() {
            let id = ix.add(top.full_name(), cats(top));
            ix.tops.push(id);
            for sub in top.subcommands {
                let sub_id = ix.add(sub.full_name(), cats(sub));
                ix.subs[id].push(sub_id);
            }
        }
        for (name, categories) in NOT_EMULATED {
            if ix.by_name.contains_key(*name) {
                continue;
            }
            let bits = category_bits(categories.iter().copied());
            match name.split_once('|') {
                None => {
                    let id = ix.add(name.to_string(), bits);
                    ix.tops.push(id);
                }
                Some((parent, _)) => {
                    let Some(&parent_id) = ix.by_name.get(parent) else { continue };
                    let id = ix.add(name.to_string(), bits);
                    ix.subs[parent_id].push(id);
                }
            }
        }
        ix
    })
}
