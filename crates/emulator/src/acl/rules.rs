//! Users and selectors, the rules that change them (`ACL SETUSER`'s
//! modifiers) and the canonical text Redis describes them with (ACL LIST,
//! ACL GETUSER).

use std::collections::BTreeMap;

use super::table::{self, index, CommandIndex, CATEGORIES};

/// Why a rule was refused; `message` is Redis's text for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleError {
    Syntax,
    UnknownName,
    KeyAfterAll,
    ChannelAfterAll,
    NoSuchPassword,
    BadHash,
    SubcommandFirstArg,
}

impl RuleError {
    pub fn message(self) -> &'static str {
        match self {
            RuleError::Syntax => "Syntax error",
            RuleError::UnknownName => "Unknown command or category name in ACL",
            RuleError::KeyAfterAll => {
                "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any \
                 effect. Try 'resetkeys' to start with an empty list of patterns"
            }
            RuleError::ChannelAfterAll => {
                "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have \
                 any effect. Try 'resetchannels' to start with an empty list of channels"
            }
            RuleError::NoSuchPassword => "The password you are trying to remove from the user does not exist",
            RuleError::BadHash => {
                "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
            }
            RuleError::SubcommandFirstArg => "Allowing first-arg of a subcommand is not supported",
        }
    }
}

pub const READ: u8 = 1;
pub const WRITE: u8 = 2;

/// A key pattern with the access it grants (`~p` both, `%R~p`, `%W~p`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPattern {
    pub flags: u8,
    pub pattern: Vec<u8>,
}

impl KeyPattern {
    fn describe(&self) -> String {
        let prefix = match self.flags {
            READ => "%R~",
            WRITE => "%W~",
            _ => "~",
        };
        format!("{prefix}{}", String::from_utf8_lossy(&self.pattern))
    }
}

/// A set of permissions: commands, key patterns and channel patterns. A
/// user's first selector is its root (the rules outside parentheses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    pub root: bool,
    pub all_keys: bool,
    pub all_channels: bool,
    pub all_commands: bool,
    bits: Vec<u64>,
    /// Allowed first arguments of otherwise denied commands (`+select|0`).
    pub first_args: BTreeMap<usize, Vec<Vec<u8>>>,
    pub keys: Vec<KeyPattern>,
    pub channels: Vec<Vec<u8>>,
}

impl Selector {
    /// An empty selector: no commands, keys or channels
    /// (`acl-pubsub-default` is `resetchannels`).
    pub fn new(root: bool) -> Selector {
        let words = table::bit_capacity().div_ceil(64);
        Selector {
            root,
            all_keys: false,
            all_channels: false,
            all_commands: false,
            bits: vec![0; words],
            first_args: BTreeMap::new(),
            keys: Vec::new(),
            channels: Vec::new(),
        }
    }

    pub fn bit(&self, id: usize) -> bool {
        self.bits.get(id / 64).is_some_and(|w| w & (1 << (id % 64)) != 0)
    }

    fn set_bit(&mut self, id: usize, on: bool) {
        if let Some(w) = self.bits.get_mut(id / 64) {
            if on {
                *w |= 1 << (id % 64);
            } else {
                *w &= !(1 << (id % 64));
                self.all_commands = false;
            }
        }
    }

    /// Allows or denies a command, a container's subcommands with it.
    fn change_perm(&mut self, ix: &CommandIndex, id: usize, allow: bool) {
        self.set_bit(id, allow);
        self.first_args.remove(&id);
        for &sub in &ix.subs[id] {
            self.set_bit(sub, allow);
        }
    }

    fn set_category(&mut self, ix: &CommandIndex, flag: u32, allow: bool) {
        for &top in &ix.tops {
            if ix.categories[top] & flag != 0 {
                self.change_perm(ix, top, allow);
            }
            for &sub in &ix.subs[top] {
                if ix.categories[sub] & flag != 0 {
                    self.change_perm(ix, sub, allow);
                }
            }
        }
    }

    fn set_all(&mut self, allow: bool) {
        for w in &mut self.bits {
            *w = if allow { u64::MAX } else { 0 };
        }
        self.all_commands = allow;
        self.first_args.clear();
    }

    /// Applies one selector rule (Redis's `ACLSetSelector`).
    pub fn apply(&mut self, op: &[u8]) -> Result<(), RuleError> {
        let ix = index();
        let is = |word: &str| op.eq_ignore_ascii_case(word.as_bytes());
        if is("allkeys") || is("~*") {
            self.all_keys = true;
            self.keys.clear();
        } else if is("resetkeys") {
            self.all_keys = false;
            self.keys.clear();
        } else if is("allchannels") || is("&*") {
            self.all_channels = true;
            self.channels.clear();
        } else if is("resetchannels") {
            self.all_channels = false;
            self.channels.clear();
        } else if is("allcommands") || is("+@all") {
            self.set_all(true);
        } else if is("nocommands") || is("-@all") {
            self.set_all(false);
        } else if op.first() == Some(&b'~') || op.first() == Some(&b'%') {
            self.add_key_pattern(op)?;
        } else if op.first() == Some(&b'&') {
            if self.all_channels {
                return Err(RuleError::ChannelAfterAll);
            }
            let pattern = &op[1..];
            if has_spaces(pattern) {
                return Err(RuleError::Syntax);
            }
            if !self.channels.iter().any(|c| c == pattern) {
                self.channels.push(pattern.to_vec());
            }
            self.all_channels = false;
        } else if op.first() == Some(&b'+') && op.get(1) != Some(&b'@') {
            self.allow_command(ix, &op[1..])?;
        } else if op.first() == Some(&b'-') && op.get(1) != Some(&b'@') {
            let id = ix.lookup(&op[1..]).ok_or(RuleError::UnknownName)?;
            self.change_perm(ix, id, false);
        } else if (op.first() == Some(&b'+') || op.first() == Some(&b'-')) && op.get(1) == Some(&b'@') {
            let flag = table::category_flag(&op[2..]).ok_or(RuleError::UnknownName)?;
            self.set_category(ix, flag, op[0] == b'+');
        } else {
            return Err(RuleError::Syntax);
        }
        Ok(())
    }

    fn add_key_pattern(&mut self, op: &[u8]) -> Result<(), RuleError> {
        if self.all_keys {
            return Err(RuleError::KeyAfterAll);
        }
        let (flags, offset) = if op[0] == b'%' {
            let mut flags = 0;
            let mut offset = 1;
            while offset < op.len() {
                let c = op[offset].to_ascii_uppercase();
                if c == b'R' && flags & READ == 0 {
                    flags |= READ;
                } else if c == b'W' && flags & WRITE == 0 {
                    flags |= WRITE;
                } else if op[offset] == b'~' {
                    offset += 1;
                    break;
                } else {
                    return Err(RuleError::Syntax);
                }
                offset += 1;
            }
            if flags == 0 {
                return Err(RuleError::Syntax);
            }
            (flags, offset)
        } else {
            (READ | WRITE, 1)
        };
        let pattern = op.get(offset..).unwrap_or_default();
        if has_spaces(pattern) {
            return Err(RuleError::Syntax);
        }
        match self.keys.iter_mut().find(|k| k.pattern == pattern) {
            Some(existing) => existing.flags |= flags,
            None => self.keys.push(KeyPattern { flags, pattern: pattern.to_vec() }),
        }
        self.all_keys = false;
        Ok(())
    }

    /// `+command`, `+container|sub` or `+command|first-arg`.
    fn allow_command(&mut self, ix: &CommandIndex, name: &[u8]) -> Result<(), RuleError> {
        let Some(bar) = name.iter().rposition(|&b| b == b'|') else {
            let id = ix.lookup(name).ok_or(RuleError::UnknownName)?;
            self.change_perm(ix, id, true);
            return Ok(());
        };
        let (base, sub) = (&name[..bar], &name[bar + 1..]);
        let id = ix.lookup(base).ok_or(RuleError::UnknownName)?;
        if ix.is_sub(id) {
            return Err(RuleError::SubcommandFirstArg);
        }
        if sub.is_empty() {
            return Err(RuleError::Syntax);
        }
        if ix.is_container(id) {
            let sub_id = ix.lookup(name).ok_or(RuleError::UnknownName)?;
            self.change_perm(ix, sub_id, true);
        } else {
            let args = self.first_args.entry(id).or_default();
            if !args.iter().any(|a| a.eq_ignore_ascii_case(sub)) {
                args.push(sub.to_vec());
            }
        }
        Ok(())
    }

    fn count_category(&self, ix: &CommandIndex, flag: u32) -> (usize, usize) {
        let (mut on, mut off) = (0, 0);
        for id in 0..ix.names.len() {
            if ix.categories[id] & flag != 0 {
                if self.bit(id) {
                    on += 1;
                } else {
                    off += 1;
                }
            }
        }
        (on, off)
    }

    /// The command rules that rebuild this selector's bitmap: `+@all` or
    /// `-@all`, the best-fitting categories, then single commands (Redis's
    /// `ACLDescribeSelectorCommandRules`). Redis lists the single commands
    /// in its hash table's order, which changes from run to run; here they
    /// come in table order.
    pub fn describe_commands(&self) -> String {
        let ix = index();
        let additive = !self.bit(ix.future_bit());
        let mut rules = String::from(if additive { "-@all " } else { "+@all " });
        let mut fake = Selector::new(false);
        fake.set_all(!additive);
        let mut temp = self.clone();
        let mut applied = [false; CATEGORIES.len()];
        loop {
            let mut best = None;
            let (mut min_diff, mut max_same) = (usize::MAX, 0);
            for (j, _) in CATEGORIES.iter().enumerate() {
                if applied[j] {
                    continue;
                }
                let (on, off) = temp.count_category(ix, 1 << j);
                let (diff, same) = if additive { (off, on) } else { (on, off) };
                if same > diff && (diff < min_diff || (diff == min_diff && same > max_same)) {
                    best = Some(j);
                    min_diff = diff;
                    max_same = same;
                }
            }
            let Some(j) = best else { break };
            fake.set_category(ix, 1 << j, additive);
            temp.set_category(ix, 1 << j, !additive);
            rules.push_str(if additive { "+@" } else { "-@" });
            rules.push_str(CATEGORIES[j]);
            rules.push(' ');
            applied[j] = true;
        }
        for &top in &ix.tops {
            self.describe_single(ix, &mut fake, top, &mut rules);
            for &sub in &ix.subs[top] {
                self.describe_single(ix, &mut fake, sub, &mut rules);
            }
            if !self.bit(top) {
                for arg in self.first_args.get(&top).into_iter().flatten() {
                    rules.push_str(&format!("+{}|{} ", ix.names[top], String::from_utf8_lossy(arg)));
                }
            }
        }
        rules.pop();
        rules
    }

    fn describe_single(&self, ix: &CommandIndex, fake: &mut Selector, id: usize, rules: &mut String) {
        let user_bit = self.bit(id);
        if user_bit != fake.bit(id) {
            rules.push(if user_bit { '+' } else { '-' });
            rules.push_str(&ix.names[id]);
            rules.push(' ');
            fake.change_perm(ix, id, user_bit);
        }
    }

    /// Keys as ACL GETUSER shows them.
    pub fn keys_text(&self) -> String {
        if self.all_keys {
            return "~*".into();
        }
        self.keys.iter().map(KeyPattern::describe).collect::<Vec<_>>().join(" ")
    }

    /// Channels as ACL GETUSER shows them.
    pub fn channels_text(&self) -> String {
        if self.all_channels {
            return "&*".into();
        }
        self.channels.iter().map(|c| format!("&{}", String::from_utf8_lossy(c))).collect::<Vec<_>>().join(" ")
    }

    /// The selector as ACL LIST writes it (keys, channels, commands).
    pub fn describe(&self) -> String {
        let mut out = String::new();
        if self.all_keys {
            out.push_str("~* ");
        } else {
            for k in &self.keys {
                out.push_str(&k.describe());
                out.push(' ');
            }
        }
        if self.all_channels {
            out.push_str("&* ");
        } else {
            out.push_str("resetchannels ");
            for c in &self.channels {
                out.push('&');
                out.push_str(&String::from_utf8_lossy(c));
                out.push(' ');
            }
        }
        out.push_str(&self.describe_commands());
        out
    }
}

/// Redis's `ACLStringHasSpaces`: whitespace or NUL.
pub fn has_spaces(s: &[u8]) -> bool {
    s.iter().any(|&c| c == 0 || c == b' ' || (b'\t'..=b'\r').contains(&c))
}

/// Payload sanitizing flag of a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sanitize {
    Unset,
    Skip,
    Sanitize,
}

/// An ACL user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: Vec<u8>,
    pub enabled: bool,
    pub nopass: bool,
    pub sanitize: Sanitize,
    /// SHA-256 hex digests.
    pub passwords: Vec<String>,
    /// The root selector first, then the `(…)` selectors.
    pub selectors: Vec<Selector>,
}

impl User {
    /// A new user: off, no passwords, no permissions.
    pub fn new(name: &[u8]) -> User {
        User::with_channels(name, false)
    }

    /// A new user whose channels start as `acl-pubsub-default` says
    /// (`all_channels` for `allchannels`).
    pub fn with_channels(name: &[u8], all_channels: bool) -> User {
        let mut root = Selector::new(true);
        root.all_channels = all_channels;
        User {
            name: name.to_vec(),
            enabled: false,
            nopass: false,
            sanitize: Sanitize::Unset,
            passwords: Vec::new(),
            selectors: vec![root],
        }
    }

    /// The `default` user of a fresh server: on, nopass, ~* &* +@all. Set
    /// directly rather than through the rule parser, which a page would
    /// otherwise have to load before its first command (tested equal below).
    pub fn default_user() -> User {
        let mut u = User::new(b"default");
        let root = &mut u.selectors[0];
        root.set_all(true);
        root.all_keys = true;
        root.all_channels = true;
        u.enabled = true;
        u.nopass = true;
        u
    }

    pub fn root(&self) -> &Selector {
        &self.selectors[0]
    }

    /// Applies one `ACL SETUSER` modifier (Redis's `ACLSetUser`) with
    /// `acl-pubsub-default` at `resetchannels`.
    pub fn apply(&mut self, op: &[u8]) -> Result<(), RuleError> {
        self.apply_rule(op, false)
    }

    /// Applies one modifier; new selectors and `reset` start with every
    /// channel when `all_channels` (`acl-pubsub-default allchannels`).
    pub fn apply_rule(&mut self, op: &[u8], all_channels: bool) -> Result<(), RuleError> {
        let is = |word: &str| op.eq_ignore_ascii_case(word.as_bytes());
        if op.is_empty() {
            return Ok(());
        }
        if is("on") {
            self.enabled = true;
        } else if is("off") {
            self.enabled = false;
        } else if is("skip-sanitize-payload") {
            self.sanitize = Sanitize::Skip;
        } else if is("sanitize-payload") {
            self.sanitize = Sanitize::Sanitize;
        } else if is("nopass") {
            self.nopass = true;
            self.passwords.clear();
        } else if is("resetpass") {
            self.nopass = false;
            self.passwords.clear();
        } else if op[0] == b'>' || op[0] == b'#' {
            let hash = if op[0] == b'>' { super::sha256::hex_digest(&op[1..]) } else { checked_hash(&op[1..])? };
            if !self.passwords.contains(&hash) {
                self.passwords.push(hash);
            }
            self.nopass = false;
        } else if op[0] == b'<' || op[0] == b'!' {
            let hash = if op[0] == b'<' { super::sha256::hex_digest(&op[1..]) } else { checked_hash(&op[1..])? };
            let at = self.passwords.iter().position(|p| *p == hash).ok_or(RuleError::NoSuchPassword)?;
            self.passwords.remove(at);
        } else if op[0] == b'(' && op.last() == Some(&b')') {
            let mut selector = Selector::new(false);
            selector.all_channels = all_channels;
            let inner = &op[1..op.len() - 1];
            for rule in crate::tokenizer::split_args(inner).unwrap_or_default() {
                selector.apply(&rule)?;
            }
            self.selectors.push(selector);
        } else if is("clearselectors") {
            self.selectors.truncate(1);
        } else if is("reset") {
            for step in
                ["resetpass", "resetkeys", "resetchannels", "off", "sanitize-payload", "clearselectors", "-@all"]
            {
                self.apply(step.as_bytes())?;
            }
            if all_channels {
                self.apply(b"allchannels")?;
            }
        } else {
            self.selectors[0].apply(op)?;
        }
        Ok(())
    }

    /// User flags in Redis's order.
    pub fn flags(&self) -> Vec<&'static str> {
        let mut out = vec![if self.enabled { "on" } else { "off" }];
        if self.nopass {
            out.push("nopass");
        }
        match self.sanitize {
            Sanitize::Skip => out.push("skip-sanitize-payload"),
            Sanitize::Sanitize => out.push("sanitize-payload"),
            Sanitize::Unset => {}
        }
        out
    }

    /// The user's rules as ACL LIST shows them (without `user <name> `).
    pub fn describe(&self) -> String {
        let mut out = String::new();
        for f in self.flags() {
            out.push_str(f);
            out.push(' ');
        }
        for p in &self.passwords {
            out.push('#');
            out.push_str(p);
            out.push(' ');
        }
        for s in &self.selectors {
            if s.root {
                out.push_str(&s.describe());
            } else {
                out.push_str(&format!(" ({})", s.describe()));
            }
        }
        out
    }

    /// True if `password` logs this user in (ignoring on/off).
    pub fn password_matches(&self, password: &[u8]) -> bool {
        self.nopass || self.passwords.contains(&super::sha256::hex_digest(password))
    }
}

fn checked_hash(hash: &[u8]) -> Result<String, RuleError> {
    if hash.len() != 64 || !hash.iter().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c)) {
        return Err(RuleError::BadHash);
    }
    Ok(String::from_utf8_lossy(hash).into_owned())
}

/// Joins `(…` `…)` pieces of a selector given as several arguments
/// (Redis's `ACLMergeSelectorArguments`); `Err` holds the argument where an
/// unclosed selector starts.
pub fn merge_selector_args(args: &[Vec<u8>]) -> Result<Vec<Vec<u8>>, Vec<u8>> {
    let mut out = Vec::new();
    // The argument that opened the selector, and the selector so far.
    let mut open: Option<(&Vec<u8>, Vec<u8>)> = None;
    for arg in args {
        if let Some((_, sel)) = open.as_mut() {
            sel.push(b' ');
            sel.extend_from_slice(arg);
            if arg.last() == Some(&b')') {
                out.extend(open.take().map(|(_, sel)| sel));
            }
            continue;
        }
        if arg.first() == Some(&b'(') && arg.last() != Some(&b')') {
            open = Some((arg, arg.clone()));
            continue;
        }
        out.push(arg.clone());
    }
    match open {
        Some((start, _)) => Err(start.clone()),
        None => Ok(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_user_is_what_its_rules_make() {
        let mut parsed = User::new(b"default");
        for op in ["+@all", "~*", "&*", "on", "nopass"] {
            parsed.apply(op.as_bytes()).expect("a valid rule");
        }
        assert_eq!(User::default_user(), parsed);
        assert_eq!(User::default_user().describe(), parsed.describe());
    }
}
