//! Access control lists: users (`rules`), the command table as ACLs see it
//! (`table`), the permission check (`check`), the security log and
//! password hashing (`sha256`). Commands live in `commands/acl.rs`; the
//! dispatcher calls `Engine::acl_gate` once per command.

pub mod check;
pub mod rules;
pub mod sha256;
pub mod table;

use std::collections::{BTreeMap, VecDeque};

use crate::client::Client;
use crate::command::CommandSpec;
use crate::engine::Engine;
use crate::reply::Reply;
use check::{Denied, Refusal};
use rules::User;

/// Who a client is: its user's name and whether it has authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAuth {
    pub user: Vec<u8>,
    pub authenticated: bool,
}

impl Default for ClientAuth {
    fn default() -> ClientAuth {
        ClientAuth { user: b"default".to_vec(), authenticated: true }
    }
}

/// Where a refused command ran (ACL LOG's `context`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogContext {
    Toplevel,
    Multi,
    Lua,
}

impl LogContext {
    pub fn name(self) -> &'static str {
        match self {
            LogContext::Toplevel => "toplevel",
            LogContext::Multi => "multi",
            LogContext::Lua => "lua",
        }
    }
}

/// One ACL LOG entry.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub count: u64,
    pub reason: Denied,
    pub context: LogContext,
    pub object: Vec<u8>,
    pub username: Vec<u8>,
    pub ctime_ms: i64,
    pub client_info: String,
}

/// Entries this close in time (and otherwise equal) are counted together.
const LOG_GROUPING_MS: i64 = 60_000;

/// The users and the security log.
#[derive(Debug, Clone)]
pub struct Acl {
    /// By name, in byte order (as Redis's radix tree lists them). Changed
    /// only through [`Acl::set_user`], [`Acl::remove_user`] and
    /// [`Acl::change_user`], which keep `unrestricted` current.
    users: BTreeMap<Vec<u8>, User>,
    /// True while every user may run every command on every key and
    /// channel (a fresh server): the permission check has nothing to
    /// refuse, so commands skip it.
    unrestricted: bool,
    /// Newest first.
    pub log: VecDeque<LogEntry>,
}

impl Default for Acl {
    fn default() -> Acl {
        let mut users = BTreeMap::new();
        users.insert(b"default".to_vec(), User::default_user());
        let mut acl = Acl { users, unrestricted: false, log: VecDeque::new() };
        acl.users_changed();
        acl
    }
}

impl Acl {
    /// Every user, by name.
    pub fn users(&self) -> &BTreeMap<Vec<u8>, User> {
        &self.users
    }

    /// Adds or replaces a user.
    pub(crate) fn set_user(&mut self, name: Vec<u8>, user: User) {
        self.users.insert(name, user);
        self.users_changed();
    }

    /// Removes a user, returning it if it existed.
    pub(crate) fn remove_user(&mut self, name: &[u8]) -> Option<User> {
        let removed = self.users.remove(name);
        self.users_changed();
        removed
    }

    /// Changes a user in place (CONFIG SET requirepass on `default`).
    pub(crate) fn change_user(&mut self, name: &[u8], change: impl FnOnce(&mut User)) {
        if let Some(user) = self.users.get_mut(name) {
            change(user);
        }
        self.users_changed();
    }

    /// True when no user has any restriction to check.
    pub(crate) fn is_unrestricted(&self) -> bool {
        self.unrestricted
    }

    fn users_changed(&mut self) {
        self.unrestricted =
            self.users.values().all(|u| u.root().all_commands && u.root().all_keys && u.root().all_channels);
    }

    pub fn default_user(&self) -> Option<&User> {
        self.users.get(b"default".as_slice())
    }

    /// True when a new connection must authenticate (the default user
    /// has a password or is off).
    pub fn auth_required_for_new(&self) -> bool {
        self.default_user().is_none_or(|u| !u.nopass || !u.enabled)
    }

    /// Redis's `ACLCheckUserCredentials`: the user exists, is on and the
    /// password matches (any password for `nopass`).
    pub fn credentials_ok(&self, user: &[u8], password: &[u8]) -> bool {
        self.users.get(user).is_some_and(|u| u.enabled && u.password_matches(password))
    }

    /// Adds an entry, or counts it on a recent equal one among the
    /// newest ten; the log keeps at most `max_len` entries.
    pub fn add_log(&mut self, entry: LogEntry, max_len: usize) {
        let found = self.log.iter().take(10).position(|e| {
            e.reason == entry.reason
                && e.context == entry.context
                && (e.ctime_ms - entry.ctime_ms).abs() <= LOG_GROUPING_MS
                && e.object == entry.object
                && e.username == entry.username
        });
        match found.and_then(|i| self.log.remove(i)) {
            Some(mut old) => {
                old.count += 1;
                old.ctime_ms = entry.ctime_ms;
                old.client_info = entry.client_info;
                self.log.push_front(old);
            }
            None => {
                self.log.push_front(entry);
                self.log.truncate(max_len);
            }
        }
    }
}

/// `argv` as SLOWLOG and MONITOR show it: the passwords of AUTH, HELLO …
/// AUTH, ACL SETUSER's arguments and CONFIG SET requirepass's value become
/// `(redacted)`, as Redis does.
pub fn redacted<'a>(spec: &CommandSpec, argv: &'a [Vec<u8>]) -> std::borrow::Cow<'a, [Vec<u8>]> {
    let hide: Vec<usize> = match (spec.parent, spec.name) {
        ("", "auth") => (1..argv.len()).collect(),
        ("", "hello") => argv
            .iter()
            .enumerate()
            .skip(2)
            .find(|(i, a)| a.eq_ignore_ascii_case(b"AUTH") && argv.len() > i + 2)
            .map(|(i, _)| vec![i + 1, i + 2])
            .unwrap_or_default(),
        ("acl", "setuser") => (2..argv.len()).collect(),
        ("config", "set") => (2..argv.len())
            .step_by(2)
            .filter(|&i| argv[i].eq_ignore_ascii_case(b"requirepass") && i + 1 < argv.len())
            .map(|i| i + 1)
            .collect(),
        _ => Vec::new(),
    };
    if hide.is_empty() {
        return std::borrow::Cow::Borrowed(argv);
    }
    let mut shown = argv.to_vec();
    for i in hide {
        shown[i] = b"(redacted)".to_vec();
    }
    std::borrow::Cow::Owned(shown)
}

/// The error a refused command answers at top level or in MULTI.
pub fn noperm_error(spec: &CommandSpec, refusal: Refusal) -> String {
    match refusal.denied {
        Denied::Command => {
            format!("NOPERM this user has no permissions to run the '{}' command", spec.full_name())
        }
        Denied::Key => "NOPERM this user has no permissions to access one of the keys used as arguments".into(),
        Denied::Channel => "NOPERM this user has no permissions to access one of the channels used as arguments".into(),
        Denied::Auth => "NOPERM no permission".into(),
    }
}

/// The error a command refused inside EXEC answers (permissions changed
/// after it was queued).
pub fn exec_noperm_error(refusal: Refusal) -> String {
    let reason = match refusal.denied {
        Denied::Command => "no permission to execute the command or subcommand",
        Denied::Key => "no permission to touch the specified keys",
        Denied::Channel => "no permission to access one of the channels used as arguments",
        Denied::Auth => "no permission",
    };
    format!(
        "NOPERM ACLs rules changed between the moment the transaction was accumulated and its execution. \
         This command is no longer allowed for the following reason: {reason}"
    )
}

/// The error `redis.call` raises for a refused command.
pub fn script_noperm_error(refusal: Refusal) -> &'static str {
    match refusal.denied {
        Denied::Command => "ERR The user executing the script can't run this command or subcommand",
        Denied::Key => {
            "ERR The user executing the script can't access at least one of the keys mentioned in the command \
             arguments"
        }
        Denied::Channel => "ERR The user executing the script can't publish to the channel mentioned in the command",
        Denied::Auth => "ERR The user executing the script is lacking the permissions for the command",
    }
}

impl Engine {
    /// True when the default user has a password (or is off), so new
    /// connections must authenticate; the native server's protected mode
    /// reads it.
    pub fn default_user_has_password(&self) -> bool {
        self.acl.auth_required_for_new()
    }

    /// The permission check for `client` running `argv`: `Ok` if allowed,
    /// otherwise the refusal, logged in ACL LOG with `context`.
    pub(crate) fn acl_check(
        &mut self,
        client: &Client,
        spec: &CommandSpec,
        argv: &[Vec<u8>],
        context: LogContext,
    ) -> Result<(), Refusal> {
        if self.acl.is_unrestricted() {
            return Ok(());
        }
        let Some(user) = self.acl.users.get(&client.auth.user) else {
            return Ok(());
        };
        if user.root().all_commands && user.root().all_keys && user.root().all_channels {
            return Ok(());
        }
        let Err(refusal) = check::check(user, spec, argv) else {
            return Ok(());
        };
        let object = match refusal.denied {
            Denied::Command => spec.full_name().into_bytes(),
            _ => argv.get(refusal.position).cloned().unwrap_or_default(),
        };
        self.acl_log(client, refusal.denied, context, object, client.auth.user.clone());
        Err(refusal)
    }

    /// Records a refusal in ACL LOG.
    pub(crate) fn acl_log(
        &mut self,
        client: &Client,
        reason: Denied,
        context: LogContext,
        object: Vec<u8>,
        username: Vec<u8>,
    ) {
        let now = self.now_ms();
        let client_info = crate::commands::client::client_info_line(client, now);
        let entry = LogEntry { count: 1, reason, context, object, username, ctime_ms: now, client_info };
        let max_len = crate::config::find_param(b"acllog-max-len")
            .map(|p| self.config.get_param(p))
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(128);
        self.acl.add_log(entry, max_len);
    }

    /// True if one of the user's selectors that allows this command line
    /// may also read every key (`~*`, `%R~*`, `allkeys`): SORT's BY and GET
    /// patterns need it (Redis's `ACLUserCheckCmdWithUnrestrictedKeyAccess`).
    pub(crate) fn acl_reads_every_key(&self, client: &Client, argv: &[Vec<u8>]) -> bool {
        let Some(user) = self.acl.users.get(&client.auth.user) else {
            return true;
        };
        let crate::commands::Lookup::Found(spec) = crate::commands::lookup(argv) else {
            return true;
        };
        check::unrestricted_read(user, spec, argv)
    }

    /// The dispatcher's gate: NOAUTH for a client that must authenticate
    /// first, NOPERM for a command its user may not run.
    pub(crate) fn acl_gate(&mut self, client: &Client, spec: &CommandSpec, argv: &[Vec<u8>]) -> Result<(), String> {
        if !client.auth.authenticated && self.acl.auth_required_for_new() && !spec.has(crate::command::flags::NO_AUTH) {
            return Err("NOAUTH Authentication required.".into());
        }
        let context = if client.multi.is_some() { LogContext::Multi } else { LogContext::Toplevel };
        self.acl_check(client, spec, argv, context).map_err(|r| noperm_error(spec, r))
    }

    /// Logs `client` in as `user` if the password matches; a failure is
    /// logged in ACL LOG (reason `auth`).
    pub(crate) fn authenticate(
        &mut self,
        client: &mut Client,
        argv0: &[u8],
        user: &[u8],
        password: &[u8],
    ) -> Result<(), Reply> {
        if self.acl.credentials_ok(user, password) {
            client.auth = ClientAuth { user: user.to_vec(), authenticated: true };
            return Ok(());
        }
        let context = if client.multi.is_some() { LogContext::Multi } else { LogContext::Toplevel };
        self.acl_log(client, Denied::Auth, context, argv0.to_vec(), user.to_vec());
        Err(Reply::error("WRONGPASS invalid username-password pair or user is disabled."))
    }
}
