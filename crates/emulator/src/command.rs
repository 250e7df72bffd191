//! The command table's shape. Every command is described once, as data:
//! name, arity, flags, group, version, complexity, a one-line summary in our
//! own words and the argument syntax. Dispatch, arity errors, COMMAND INFO /
//! DOCS, HELP, Tab completion and argument hints all read this table.

use crate::engine::Ctx;
use crate::reply::Reply;

/// What a handler answers: `Ok` with the command's reply, or `Err` with
/// the error reply (so argument parsing and type checks can use `?`).
/// Both arms are sent to the client as they are.
pub type CommandResult = Result<Reply, Reply>;

/// A command implementation. `argv[0]` is the command name (and `argv[1]`
/// the subcommand for container commands), exactly as the client sent it.
pub type Handler = fn(&mut Ctx, &[Vec<u8>]) -> CommandResult;

/// Command flags, with the names COMMAND INFO prints.
pub mod flags {
    pub const WRITE: u32 = 1 << 0;
    pub const READONLY: u32 = 1 << 1;
    pub const DENYOOM: u32 = 1 << 2;
    pub const ADMIN: u32 = 1 << 3;
    pub const PUBSUB: u32 = 1 << 4;
    pub const NOSCRIPT: u32 = 1 << 5;
    pub const BLOCKING: u32 = 1 << 6;
    pub const LOADING: u32 = 1 << 7;
    pub const STALE: u32 = 1 << 8;
    pub const SKIP_MONITOR: u32 = 1 << 9;
    pub const SKIP_SLOWLOG: u32 = 1 << 10;
    pub const FAST: u32 = 1 << 11;
    pub const NO_AUTH: u32 = 1 << 12;
    pub const MAY_REPLICATE: u32 = 1 << 13;
    pub const NO_MULTI: u32 = 1 << 14;
    pub const MOVABLE_KEYS: u32 = 1 << 15;
    pub const ALLOW_BUSY: u32 = 1 << 16;
    /// Allowed in RESP2 while the client is subscribed.
    pub const SUBSCRIBED_OK: u32 = 1 << 17;
    /// May be called without any key (EVAL, FCALL with `numkeys` 0).
    pub const NO_MANDATORY_KEYS: u32 = 1 << 24;

    // The flags below are the emulator's own: they say what the pipeline
    // must do around a command (Redis tests command identities for these).
    // COMMAND INFO does not list them.

    /// Runs at once inside MULTI instead of being queued (MULTI, EXEC,
    /// DISCARD, WATCH, QUIT, RESET).
    pub const RUNS_IN_MULTI: u32 = 1 << 18;
    /// Ends or leaves the client's transaction, so it is never refused for
    /// memory inside MULTI (EXEC, DISCARD, QUIT, RESET).
    pub const ENDS_MULTI: u32 = 1 << 19;
    /// Runs the client's queued transaction (EXEC): refused, it discards
    /// the transaction and answers `EXECABORT`.
    pub const RUNS_QUEUE: u32 = 1 << 20;
    /// Runs other commands (EXEC, EVAL, EVALSHA): may write although it
    /// carries no WRITE flag itself.
    pub const RUNS_COMMANDS: u32 = 1 << 21;
    /// Changes whole databases, not keys it names (FLUSHDB, FLUSHALL,
    /// SWAPDB): logged to the AOF even when no key reported a change.
    pub const WHOLE_DB: u32 = 1 << 22;
    /// Changes several databases at once (FLUSHALL, SWAPDB): memory is
    /// recounted afterwards, and it counts as a change even on empty data.
    pub const ACROSS_DBS: u32 = 1 << 23;
    /// Removes the keys it names (DEL, UNLINK): its own log entry already
    /// deletes them, so the AOF needs no extra `DEL` for keys gone after it.
    pub const REMOVES_KEYS: u32 = 1 << 25;
    /// Redis's `asking` flag: served in a slot being imported without an
    /// ASKING first (RESTORE-ASKING).
    pub const ASKING: u32 = 1 << 26;
    /// Moves keys away (MIGRATE): served here while its slot is migrating
    /// or importing, whatever keys are missing.
    pub const MIGRATES_KEYS: u32 = 1 << 27;
    /// Redis's `no_async_loading`: refused while a replica loads a dataset
    /// in the background (shown by COMMAND INFO only, here).
    pub const NO_ASYNC_LOADING: u32 = 1 << 28;
    /// Runs a Lua script or function (EVAL, EVALSHA, FCALL and their `_RO`
    /// forms): its keys are tracked through the commands the script calls,
    /// and a host may run it off its event loop since it can run long.
    pub const RUNS_SCRIPT: u32 = 1 << 29;

    pub const NAMES: &[(u32, &str)] = &[
        (WRITE, "write"),
        (READONLY, "readonly"),
        (DENYOOM, "denyoom"),
        (ADMIN, "admin"),
        (PUBSUB, "pubsub"),
        (NOSCRIPT, "noscript"),
        (BLOCKING, "blocking"),
        (LOADING, "loading"),
        (STALE, "stale"),
        (SKIP_MONITOR, "skip_monitor"),
        (SKIP_SLOWLOG, "skip_slowlog"),
        (ASKING, "asking"),
        (FAST, "fast"),
        (NO_AUTH, "no_auth"),
        (NO_MANDATORY_KEYS, "no_mandatory_keys"),
        (NO_ASYNC_LOADING, "no_async_loading"),
        (NO_MULTI, "no_multi"),
        (MOVABLE_KEYS, "movablekeys"),
        (ALLOW_BUSY, "allow_busy"),
    ];
}

/// The command groups of Redis's documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Group {
    Generic,
    String,
    List,
    Set,
    SortedSet,
    Hash,
    PubSub,
    Transactions,
    Connection,
    Server,
    Scripting,
    HyperLogLog,
    Geo,
    Stream,
    Bitmap,
    Cluster,
}

impl Group {
    pub const ALL: [Group; 16] = [
        Group::Generic,
        Group::String,
        Group::List,
        Group::Set,
        Group::SortedSet,
        Group::Hash,
        Group::PubSub,
        Group::Transactions,
        Group::Connection,
        Group::Server,
        Group::Scripting,
        Group::HyperLogLog,
        Group::Geo,
        Group::Stream,
        Group::Bitmap,
        Group::Cluster,
    ];

    /// The name used by COMMAND DOCS and `HELP @group`.
    pub fn name(self) -> &'static str {
        match self {
            Group::Generic => "generic",
            Group::String => "string",
            Group::List => "list",
            Group::Set => "set",
            Group::SortedSet => "sorted-set",
            Group::Hash => "hash",
            Group::PubSub => "pubsub",
            Group::Transactions => "transactions",
            Group::Connection => "connection",
            Group::Server => "server",
            Group::Scripting => "scripting",
            Group::HyperLogLog => "hyperloglog",
            Group::Geo => "geo",
            Group::Stream => "stream",
            Group::Bitmap => "bitmap",
            Group::Cluster => "cluster",
        }
    }

    pub fn from_name(name: &str) -> Option<Group> {
        Group::ALL.into_iter().find(|g| g.name().eq_ignore_ascii_case(name))
    }
}

/// Where a command's keys are in argv (Redis's legacy first/last/step).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySpec {
    pub first: i32,
    /// Last key position; negative counts from the end (-1 = last argument).
    pub last: i32,
    pub step: i32,
}

impl KeySpec {
    pub const NONE: KeySpec = KeySpec { first: 0, last: 0, step: 0 };
    pub const ONE: KeySpec = KeySpec { first: 1, last: 1, step: 1 };
    pub const ALL: KeySpec = KeySpec { first: 1, last: -1, step: 1 };
    pub const PAIRS: KeySpec = KeySpec { first: 1, last: -1, step: 2 };
    pub const TWO: KeySpec = KeySpec { first: 1, last: 2, step: 1 };

    /// The key arguments of `argv` according to this spec.
    pub fn keys<'a>(&self, argv: &'a [Vec<u8>]) -> Vec<&'a [u8]> {
        self.iter(argv).collect()
    }

    /// The key arguments of `argv`, without collecting them.
    pub fn iter<'a>(&self, argv: &'a [Vec<u8>]) -> impl Iterator<Item = &'a [u8]> + 'a {
        let (first, end) = if self.first <= 0 || argv.len() <= self.first as usize {
            (0, 0)
        } else {
            let last = if self.last < 0 { argv.len() as i32 + self.last } else { self.last };
            let last = last.min(argv.len() as i32 - 1).max(0) as usize;
            (self.first as usize, last + 1)
        };
        (first..end.max(first)).step_by(self.step.max(1) as usize).filter_map(|i| argv.get(i).map(|a| a.as_slice()))
    }
}

/// Keys a write command may overwrite that its key specification does not
/// name, with their database: `(argv, current db, number of databases)`.
/// Memory accounting measures them before the command runs.
pub type ExtraWrites = for<'a> fn(&'a [Vec<u8>], usize, usize) -> Vec<(usize, &'a [u8])>;

/// A key specification whose keys follow a count argument (EVAL, FCALL):
/// Redis's `keynum` find_keys with `keynumidx` 0, `firstkey` 1, `keystep` 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyNum {
    /// The count's position in argv (the spec's begin_search index).
    pub index: usize,
    /// Redis's notes on the spec, as COMMAND INFO gives them.
    pub notes: &'static str,
}

impl KeyNum {
    /// The keys of `argv`; none when the count is not a valid number of
    /// the arguments that follow it.
    pub fn keys<'a>(&self, argv: &'a [Vec<u8>]) -> Vec<&'a [u8]> {
        let count = argv.get(self.index).and_then(|n| crate::float::parse_i64(n));
        let available = argv.len().saturating_sub(self.index + 1);
        match count {
            Some(n) if n >= 0 && n as u64 <= available as u64 => {
                argv[self.index + 1..self.index + 1 + n as usize].iter().map(|k| k.as_slice()).collect()
            }
            _ => Vec::new(),
        }
    }
}

/// Where a key specification starts (Redis's `begin_search`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BeginSearch {
    /// At a fixed argument.
    Index(i32),
    /// After a keyword, searched from `startfrom` (negative: from the end, backwards).
    Keyword(&'static str, i32),
    /// Only the command's own parsing knows (SORT's BY/GET/STORE).
    Unknown,
}

/// How a key specification's keys follow its start (Redis's `find_keys`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindKeys {
    /// `lastkey` relative to the start (negative: from the end), every
    /// `keystep`; `limit` N keeps 1/N of what remains (XREAD's keys before ids).
    Range {
        lastkey: i32,
        keystep: i32,
        limit: i32,
    },
    /// A count at `keynumidx` (relative to the start), the keys from `firstkey`.
    KeyNum {
        keynumidx: i32,
        firstkey: i32,
        keystep: i32,
    },
    Unknown,
}

/// One of a command's key specifications, as COMMAND INFO lists it, for
/// commands whose keys move (ZUNIONSTORE, XREAD, SORT, GEORADIUS …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySpecDef {
    pub notes: &'static str,
    pub flags: &'static [&'static str],
    pub begin: BeginSearch,
    pub find: FindKeys,
}

impl KeySpecDef {
    /// A spec of keys after a count: `numkeys key [key ...]` starting at `index`.
    pub const fn keynum(index: i32, flags: &'static [&'static str]) -> KeySpecDef {
        KeySpecDef {
            notes: "",
            flags,
            begin: BeginSearch::Index(index),
            find: FindKeys::KeyNum { keynumidx: 0, firstkey: 1, keystep: 1 },
        }
    }

    /// A spec of one key at `index`.
    pub const fn one(index: i32, flags: &'static [&'static str]) -> KeySpecDef {
        KeySpecDef {
            notes: "",
            flags,
            begin: BeginSearch::Index(index),
            find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 },
        }
    }

    /// Redis's `getKeysUsingKeySpecs` for this spec: the key positions,
    /// empty when a keyword is absent, `None` when the spec cannot be
    /// followed on this command line (unknown, bad count, out of bounds).
    pub fn positions(&self, argv: &[Vec<u8>]) -> Option<Vec<usize>> {
        let argc = argv.len() as i64;
        let first = match self.begin {
            BeginSearch::Index(i) => i as i64,
            BeginSearch::Keyword(word, from) => {
                let (start, end) = if from > 0 { (from as i64, argc - 1) } else { (argc + from as i64, 0) };
                let mut i = start;
                let mut found = None;
                while i != end && (0..argc).contains(&i) {
                    if crate::args::is(&argv[i as usize], word) {
                        found = Some(i + 1);
                        break;
                    }
                    i += if start <= end { 1 } else { -1 };
                }
                match found {
                    Some(f) => f,
                    None => return Some(Vec::new()),
                }
            }
            BeginSearch::Unknown => return None,
        };
        let (first, last, step) = match self.find {
            FindKeys::Range { lastkey, keystep, limit } => {
                let last = if lastkey >= 0 {
                    first + lastkey as i64
                } else if limit == 0 {
                    argc + lastkey as i64
                } else {
                    first + ((argc - first) / limit as i64 + lastkey as i64)
                };
                (first, last, keystep as i64)
            }
            FindKeys::KeyNum { keynumidx, firstkey, keystep } => {
                let at = first + keynumidx as i64;
                let count = argv.get(at as usize).and_then(|n| crate::float::parse_i64(n))?;
                if count < 0 {
                    return None;
                }
                let first = first + firstkey as i64;
                (first, first + count - 1, keystep as i64)
            }
            FindKeys::Unknown => return None,
        };
        if last >= argc || last < first || first >= argc || first < 0 {
            return None;
        }
        Some((first..=last).step_by(step.max(1) as usize).map(|i| i as usize).collect())
    }
}

/// A command's own key finder, used when its key specifications cannot
/// be followed (Redis's `getkeys_proc`): (position, flags) pairs.
pub type GetKeys = fn(&[Vec<u8>]) -> Vec<(usize, &'static [&'static str])>;

/// The key flags a command line really has, for key specs marked
/// `variable_flags`.
pub type VariableKeyFlags = fn(&[Vec<u8>]) -> &'static [&'static str];

/// One command (or subcommand) of the table.
#[derive(Clone, Copy)]
pub struct CommandSpec {
    /// Lower-case name (`get`; `setname` for `CLIENT SETNAME`).
    pub name: &'static str,
    /// For a subcommand, the container's lower-case name (`client`).
    pub parent: &'static str,
    /// Redis arity: exact count including the name, or `-N` for "at least N".
    pub arity: i32,
    pub flags: u32,
    pub group: Group,
    pub since: &'static str,
    pub complexity: &'static str,
    /// One line, our own words.
    pub summary: &'static str,
    /// Arguments after the name, as redis-cli shows them in hints,
    /// e.g. `key value [NX|XX] [GET] [EX seconds|PX milliseconds|KEEPTTL]`.
    pub syntax: &'static str,
    pub keys: KeySpec,
    pub handler: Handler,
    pub subcommands: &'static [CommandSpec],
    /// Redis's command tips (`nondeterministic_output`,
    /// `request_policy:multi_shard`…) as COMMAND INFO lists them.
    pub tips: &'static [&'static str],
    /// Flags of each key specification (`["RW", "access", "update"]`), one
    /// entry per spec; empty means derived from WRITE/READONLY.
    pub key_flags: &'static [&'static [&'static str]],
    /// ACL categories when they differ from what the group and flags
    /// imply (`@dangerous`, `@connection` on server commands…).
    pub acl: &'static [&'static str],
    /// For write commands that reach keys outside `keys` (MOVE's and COPY's
    /// target database, SORT's and GEORADIUS's STORE destination).
    pub extra_writes: Option<ExtraWrites>,
    /// For key specs flagged `variable_flags`: the flags a given command
    /// line really has (SET reads the old value only with GET), as
    /// COMMAND GETKEYSANDFLAGS reports them.
    pub variable_key_flags: Option<VariableKeyFlags>,
    /// Keys given after a count (`numkeys`), when that is how the command
    /// takes them.
    pub key_num: Option<KeyNum>,
    /// Key specifications for commands whose keys move (COMMAND INFO,
    /// COMMAND GETKEYS, client-side caching); empty: `keys` / `key_num`.
    pub key_specs: &'static [KeySpecDef],
    /// The command's own key finder when its specs cannot be followed.
    pub get_keys: Option<GetKeys>,
}

fn container_handler(_: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Err(Reply::error("ERR container command called without a subcommand"))
}

impl CommandSpec {
    /// Defaults for `..CommandSpec::DEFAULT` in table literals.
    pub const DEFAULT: CommandSpec = CommandSpec {
        name: "",
        parent: "",
        arity: -1,
        flags: 0,
        group: Group::Generic,
        since: "1.0.0",
        complexity: "O(1)",
        summary: "",
        syntax: "",
        keys: KeySpec::NONE,
        handler: container_handler,
        subcommands: &[],
        tips: &[],
        key_flags: &[],
        acl: &[],
        extra_writes: None,
        variable_key_flags: None,
        key_num: None,
        key_specs: &[],
        get_keys: None,
    };

    /// `get`, or `client|setname` for a subcommand (used in error messages).
    pub fn full_name(&self) -> String {
        if self.parent.is_empty() {
            self.name.to_string()
        } else {
            format!("{}|{}", self.parent, self.name)
        }
    }

    /// Upper-case display name: `GET`, `CLIENT SETNAME`.
    pub fn display_name(&self) -> String {
        if self.parent.is_empty() {
            self.name.to_ascii_uppercase()
        } else {
            format!("{} {}", self.parent.to_ascii_uppercase(), self.name.to_ascii_uppercase())
        }
    }

    /// The key arguments of a command line (its `key_num` keys, else its
    /// key spec's), as client-side caching remembers them.
    pub fn key_args<'a>(&self, argv: &'a [Vec<u8>]) -> Vec<&'a [u8]> {
        if !self.key_specs.is_empty() {
            return self
                .key_positions(argv)
                .into_iter()
                .filter_map(|(i, _)| argv.get(i).map(|a| a.as_slice()))
                .collect();
        }
        match self.key_num {
            Some(kn) => kn.keys(argv),
            None => self.keys.keys(argv),
        }
    }

    /// Redis's `getKeysFromCommandWithSpecs` for commands with key specs:
    /// every spec followed in order (a spec that cannot be followed hands
    /// over to the command's own key finder, or finds nothing), with each
    /// key's flags. A spec flagged `incomplete` (MIGRATE's KEYS) hands
    /// over to the command's own finder, as Redis does.
    pub fn key_positions(&self, argv: &[Vec<u8>]) -> Vec<(usize, &'static [&'static str])> {
        let mut found = Vec::new();
        for spec in self.key_specs {
            let positions = if spec.flags.contains(&"incomplete") { None } else { spec.positions(argv) };
            match positions {
                Some(positions) => found.extend(positions.into_iter().map(|i| (i, spec.flags))),
                None => return self.get_keys.map(|f| f(argv)).unwrap_or_default(),
            }
        }
        found
    }

    pub fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }

    pub fn is_container(&self) -> bool {
        !self.subcommands.is_empty()
    }

    /// True if `argc` arguments (including the name) satisfy the arity.
    pub fn arity_ok(&self, argc: usize) -> bool {
        let argc = argc as i64;
        let arity = self.arity as i64;
        if arity >= 0 {
            argc == arity
        } else {
            argc >= -arity
        }
    }

    /// Flag names as COMMAND INFO lists them.
    pub fn flag_names(&self) -> Vec<&'static str> {
        flags::NAMES.iter().filter(|(f, _)| self.flags & f != 0).map(|(_, n)| *n).collect()
    }

    /// The uppercase keywords of the syntax (`NX`, `XX`, `GET`…), for Tab completion.
    pub fn keywords(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = self
            .syntax
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .filter(|w| {
                w.len() > 1
                    && w.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '-')
                    && w.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

impl std::fmt::Debug for CommandSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommandSpec").field("name", &self.full_name()).field("arity", &self.arity).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::flags::*;

    #[test]
    fn every_flag_has_its_own_bit() {
        let all = [
            WRITE,
            READONLY,
            DENYOOM,
            ADMIN,
            PUBSUB,
            NOSCRIPT,
            BLOCKING,
            LOADING,
            STALE,
            SKIP_MONITOR,
            SKIP_SLOWLOG,
            FAST,
            NO_AUTH,
            MAY_REPLICATE,
            NO_MULTI,
            MOVABLE_KEYS,
            ALLOW_BUSY,
            SUBSCRIBED_OK,
            NO_MANDATORY_KEYS,
            RUNS_IN_MULTI,
            ENDS_MULTI,
            RUNS_QUEUE,
            RUNS_COMMANDS,
            WHOLE_DB,
            ACROSS_DBS,
            REMOVES_KEYS,
            ASKING,
            MIGRATES_KEYS,
            NO_ASYNC_LOADING,
        ];
        let mut seen = 0u32;
        for flag in all {
            assert_eq!(flag.count_ones(), 1, "{flag:#x} is one bit");
            assert_eq!(seen & flag, 0, "{flag:#x} is used twice");
            seen |= flag;
        }
        // The pipeline's own flags never show in COMMAND INFO (nor does
        // MAY_REPLICATE: Redis 7.0's COMMAND INFO leaves it out).
        for internal in [
            MAY_REPLICATE,
            RUNS_IN_MULTI,
            ENDS_MULTI,
            RUNS_QUEUE,
            RUNS_COMMANDS,
            WHOLE_DB,
            ACROSS_DBS,
            REMOVES_KEYS,
            MIGRATES_KEYS,
        ] {
            assert!(NAMES.iter().all(|(f, _)| *f != internal));
        }
    }
}
