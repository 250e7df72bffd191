//! The permission check: may a user run a command line? (Redis's
//! `ACLCheckAllUserCommandPerm`.) The command must be allowed, every key
//! the table's key specs find must match a key pattern granting the
//! access the spec declares, and pub/sub channels must match a channel
//! pattern — all within one selector.

use super::rules::{Selector, User, READ, WRITE};
use super::table::index;
use crate::command::{flags, CommandSpec, KeySpec};
use crate::glob::glob_match;

/// Why a command was refused, ordered as Redis ranks them when several
/// selectors fail (the highest wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Denied {
    Command,
    Key,
    Auth,
    Channel,
}

impl Denied {
    /// The `reason` field of ACL LOG.
    pub fn reason(self) -> &'static str {
        match self {
            Denied::Command => "command",
            Denied::Key => "key",
            Denied::Auth => "auth",
            Denied::Channel => "channel",
        }
    }
}

/// A refusal: the reason and the argument position of the key or channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub denied: Denied,
    pub position: usize,
}

/// The key positions of a command line with the access each needs.
pub fn keys_with_access(spec: &CommandSpec, argv: &[Vec<u8>]) -> Vec<(usize, u8)> {
    if let Some(keys) = keys_from_specs(spec, argv) {
        return keys;
    }
    let derived: &'static [&'static str] = if spec.has(flags::WRITE) { &["RW", "update"] } else { &["RO", "access"] };
    let positions: Vec<usize> = if let Some(kn) = spec.key_num {
        let n = kn.keys(argv).len();
        (kn.index + 1..kn.index + 1 + n).collect()
    } else {
        positions(spec.keys, argv.len())
    };
    let several = spec.key_num.is_none() && spec.key_flags.len() > 1;
    positions
        .into_iter()
        .enumerate()
        .map(|(i, pos)| {
            // Several specs: one key each, the last one taking the rest
            // (a destination, then its sources).
            let names = if several { spec.key_flags.get(i).or(spec.key_flags.last()) } else { spec.key_flags.first() };
            let mut names = names.copied().unwrap_or(derived);
            if let Some(resolve) = spec.variable_key_flags {
                if names.contains(&"variable_flags") {
                    names = resolve(argv);
                }
            }
            (pos, names)
        })
        .filter(|(_, names)| !names.contains(&"not_key"))
        .map(|(pos, names)| (pos, access_of(names)))
        .collect()
}

/// The keys of a command whose row lists its key specifications (the
/// movable-key commands), each with the access its spec's flags need, as
/// COMMAND GETKEYSANDFLAGS finds them (the row's own finder where a spec
/// cannot be followed, as for SORT's BY/GET).
fn keys_from_specs(spec: &CommandSpec, argv: &[Vec<u8>]) -> Option<Vec<(usize, u8)>> {
    if spec.key_specs.is_empty() {
        return None;
    }
    let keys = spec.key_positions(argv).into_iter().filter(|(_, flags)| !flags.contains(&"not_key"));
    Some(keys.map(|(position, flags)| (position, access_of(flags))).collect())
}

fn access_of(names: &[&str]) -> u8 {
    let mut access = 0;
    for n in names {
        match *n {
            "access" => access |= READ,
            "insert" | "delete" | "update" => access |= WRITE,
            _ => {}
        }
    }
    access
}

fn positions(keys: KeySpec, argc: usize) -> Vec<usize> {
    if keys.first <= 0 || argc <= keys.first as usize {
        return Vec::new();
    }
    let last = if keys.last < 0 { argc as i64 + keys.last as i64 } else { keys.last as i64 };
    let last = last.min(argc as i64 - 1);
    if last < keys.first as i64 {
        return Vec::new();
    }
    (keys.first as usize..=last as usize).step_by(keys.step.max(1) as usize).collect()
}

/// How a command names channels: `(first argument, pattern arguments)`.
fn channel_args(spec: &CommandSpec) -> Option<(bool, bool)> {
    if !spec.parent.is_empty() {
        return None;
    }
    match spec.name {
        "publish" | "spublish" => Some((true, false)),
        "subscribe" | "ssubscribe" => Some((false, false)),
        "psubscribe" => Some((false, true)),
        _ => None,
    }
}

fn channel_allowed(sel: &Selector, channel: &[u8], literal: bool) -> bool {
    sel.channels.iter().any(|p| if literal { p == channel } else { glob_match(p, channel, false) })
}

fn check_selector(sel: &Selector, spec: &CommandSpec, id: usize, argv: &[Vec<u8>]) -> Result<(), Refusal> {
    if !sel.all_commands && !spec.has(flags::NO_AUTH) && !sel.bit(id) {
        let at = if spec.parent.is_empty() { 1 } else { 2 };
        let allowed = match (sel.first_args.get(&id), argv.get(at)) {
            (Some(args), Some(arg)) if argv.len() >= 2 => args.iter().any(|a| a.eq_ignore_ascii_case(arg)),
            _ => false,
        };
        if !allowed {
            return Err(Refusal { denied: Denied::Command, position: 0 });
        }
    }
    if !sel.all_keys {
        for (pos, access) in keys_with_access(spec, argv) {
            let key = &argv[pos];
            let ok = sel.keys.iter().any(|p| p.flags & access == access && glob_match(&p.pattern, key, false));
            if !ok {
                return Err(Refusal { denied: Denied::Key, position: pos });
            }
        }
    }
    if !sel.all_channels {
        if let Some((first_only, literal)) = channel_args(spec) {
            let end = if first_only { 2.min(argv.len()) } else { argv.len() };
            for (pos, channel) in argv.iter().enumerate().take(end).skip(1) {
                if !channel_allowed(sel, channel, literal) {
                    return Err(Refusal { denied: Denied::Channel, position: pos });
                }
            }
        }
    }
    Ok(())
}

/// May `user` run `argv` (already looked up as `spec`)? On refusal, the
/// most relevant reason over all selectors.
pub fn check(user: &User, spec: &CommandSpec, argv: &[Vec<u8>]) -> Result<(), Refusal> {
    let Some(id) = index().id_of(spec) else {
        return Ok(());
    };
    let mut worst = Refusal { denied: Denied::Command, position: 0 };
    for sel in &user.selectors {
        match check_selector(sel, spec, id, argv) {
            Ok(()) => return Ok(()),
            Err(r) => {
                if r.denied > worst.denied || (r.denied == worst.denied && r.position > worst.position) {
                    worst = r;
                }
            }
        }
    }
    Err(worst)
}

/// True if a selector that allows the command line also reads every key.
pub fn unrestricted_read(user: &User, spec: &CommandSpec, argv: &[Vec<u8>]) -> bool {
    let Some(id) = index().id_of(spec) else {
        return true;
    };
    user.selectors.iter().any(|sel| {
        check_selector(sel, spec, id, argv).is_ok()
            && (sel.all_keys || sel.keys.iter().any(|p| p.flags & READ != 0 && p.pattern == b"*"))
    })
}

/// True if the user's selectors let it use `channel` (for pub/sub clients
/// whose permissions changed).
pub fn channel_permitted(user: &User, channel: &[u8], literal: bool) -> bool {
    user.selectors.iter().any(|s| s.all_channels || channel_allowed(s, channel, literal))
}
