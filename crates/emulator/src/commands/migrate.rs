//! MIGRATE: moves (or copies) keys to another server, as DUMP payloads
//! sent in RESTORE (RESTORE-ASKING in cluster mode) commands over a
//! connection the host provides ([`crate::cluster::bus::ClusterHost`]) and
//! the engine caches per target.

use crate::args::{self, Args};
use crate::cluster::bus::{CachedLink, LinkError, CACHE_ITEMS};
use crate::command::{flags::*, BeginSearch, CommandResult, CommandSpec, FindKeys, Group, KeySpec, KeySpecDef};
use crate::engine::Ctx;
use crate::errors;
use crate::notify;
use crate::reply::Reply;

const KEY_FLAGS: &[&str] = &["RW", "access", "delete"];

pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "migrate",
    arity: -6,
    flags: WRITE | MOVABLE_KEYS | MIGRATES_KEYS,
    group: Group::Generic,
    keys: KeySpec { first: 3, last: 3, step: 1 },
    since: "2.6.0",
    complexity: concat!(
        "This command actually executes a DUMP+DEL in the source instance, and a RESTORE in the target ",
        "instance. See the pages of these commands for time complexity. Also an O(N) data transfer between ",
        "the two instances is performed."
    ),
    summary: "Moves keys to another server (DUMP, RESTORE there, then DEL here), or copies them",
    syntax: concat!(
        "host port key|\"\" destination-db timeout [COPY] [REPLACE] ",
        "[AUTH password|AUTH2 username password] [KEYS key [key ...]]"
    ),
    tips: &["nondeterministic_output"],
    acl: &["@keyspace", "@write", "@slow", "@dangerous"],
    key_specs: &[
        KeySpecDef::one(3, KEY_FLAGS),
        KeySpecDef {
            notes: "",
            flags: &["RW", "access", "delete", "incomplete"],
            begin: BeginSearch::Keyword("KEYS", -2),
            find: FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 },
        },
    ],
    get_keys: Some(migrate_keys),
    handler: migrate,
    ..CommandSpec::DEFAULT
}];

/// Redis's `migrateGetKeys`: the key argument, or what follows KEYS (none
/// when the key argument is not empty then).
fn migrate_keys(argv: &[Vec<u8>]) -> Vec<(usize, &'static [&'static str])> {
    let mut args = Args::new(argv, 6);
    while let Some(arg) = args.next_arg() {
        if args::is(arg, "KEYS") {
            if !argv.get(3).is_some_and(|k| k.is_empty()) {
                return Vec::new();
            }
            return (args.position()..argv.len()).map(|k| (k, KEY_FLAGS)).collect();
        }
        let skip = if args::is(arg, "AUTH") {
            1
        } else if args::is(arg, "AUTH2") {
            2
        } else {
            0
        };
        for _ in 0..skip {
            args.next_arg();
        }
    }
    if argv.len() > 3 {
        vec![(3, KEY_FLAGS)]
    } else {
        Vec::new()
    }
}

/// MIGRATE's options after the timeout.
struct MigrateOptions<'a> {
    copy: bool,
    replace: bool,
    username: Option<&'a [u8]>,
    password: Option<&'a [u8]>,
    /// Index of the first key in argv, and how many.
    first_key: usize,
    num_keys: usize,
}

impl<'a> MigrateOptions<'a> {
    fn parse(argv: &'a [Vec<u8>]) -> Result<MigrateOptions<'a>, Reply> {
        let mut o =
            MigrateOptions { copy: false, replace: false, username: None, password: None, first_key: 3, num_keys: 1 };
        let mut args = Args::new(argv, 6);
        while let Some(arg) = args.next_arg() {
            if args::is(arg, "COPY") {
                o.copy = true;
            } else if args::is(arg, "REPLACE") {
                o.replace = true;
            } else if args::is(arg, "AUTH") {
                o.password = Some(args.value()?);
            } else if args::is(arg, "AUTH2") && args.remaining() >= 2 {
                o.username = Some(args.value()?);
                o.password = Some(args.value()?);
            } else if args::is(arg, "KEYS") {
                if !argv[3].is_empty() {
                    return Err(Reply::error(
                        "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string",
                    ));
                }
                o.first_key = args.position();
                o.num_keys = args.remaining();
                break;
            } else {
                return Err(Reply::error(errors::SYNTAX));
            }
        }
        Ok(o)
    }
}

fn bulk_command(parts: &[&[u8]]) -> Vec<Vec<u8>> {
    parts.iter().map(|p| p.to_vec()).collect()
}

/// MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE]
/// [AUTH password | AUTH2 username password] [KEYS key ...]
///
/// Redis's order: options, timeout and db, then the keys present here
/// (`NOKEY` when none), the connection (cached per host:port), AUTH and
/// SELECT when needed, one RESTORE per key; each acknowledged key is
/// deleted here unless COPY, and the AOF logs a DEL of those. A failed
/// exchange is retried once on a new connection, unless it timed out.
fn migrate(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let o = MigrateOptions::parse(argv)?;
    let timeout = args::int(&argv[5])?;
    let db = args::int(&argv[4])?;
    let timeout = if timeout <= 0 { 1000 } else { timeout as u64 };
    let keys: Vec<&[u8]> = argv[o.first_key..o.first_key + o.num_keys]
        .iter()
        .filter(|k| ctx.lookup_read(k).is_some())
        .map(|k| k.as_slice())
        .collect();
    if keys.is_empty() {
        return Ok(Reply::status("NOKEY"));
    }
    let target = format!("{}:{}", String::from_utf8_lossy(&argv[1]), String::from_utf8_lossy(&argv[2]));
    let mut may_retry = true;
    loop {
        match attempt(ctx, argv, &o, &keys, &target, db, timeout) {
            Attempt::Done(reply) => return reply,
            Attempt::Failed(error) => {
                ctx.engine.migrate.cached.remove(&target);
                if error != LinkError::Timeout && may_retry {
                    may_retry = false;
                    continue;
                }
                let doing = if error == LinkError::Write { "writing" } else { "reading" };
                return Err(Reply::error(format!("IOERR error or timeout {doing} to target instance")));
            }
        }
    }
}

enum Attempt {
    Done(CommandResult),
    Failed(LinkError),
}

/// One try: connect (or reuse), send, read, apply.
fn attempt(
    ctx: &mut Ctx,
    argv: &[Vec<u8>],
    o: &MigrateOptions,
    keys: &[&[u8]],
    target: &str,
    db: i64,
    timeout: u64,
) -> Attempt {
    let now = ctx.now_ms();
    if !ctx.engine.migrate.cached.contains_key(target) {
        let sockets = &mut ctx.engine.migrate;
        if sockets.cached.len() >= CACHE_ITEMS {
            let victim = ctx.engine.rng.index(sockets.cached.len());
            if let Some(name) = sockets.cached.keys().nth(victim).cloned() {
                sockets.cached.remove(&name);
            }
        }
        let port = crate::float::parse_i64(&argv[2]).and_then(|p| u16::try_from(p).ok());
        let ip = String::from_utf8_lossy(&argv[1]).into_owned();
        let link = match (sockets.host.as_mut(), port) {
            (Some(host), Some(port)) => host.connect(&ip, port, timeout),
            _ => None,
        };
        let Some(link) = link else {
            return Attempt::Done(Err(Reply::error("IOERR error or timeout connecting to the client")));
        };
        sockets.cached.insert(target.to_string(), CachedLink { link, last_db: None, last_use_ms: now });
    }
    let select = ctx.engine.migrate.cached.get(target).is_none_or(|c| c.last_db != Some(db));
    let mut commands = Vec::new();
    if let Some(password) = o.password {
        match o.username {
            Some(user) => commands.push(bulk_command(&[b"AUTH", user, password])),
            None => commands.push(bulk_command(&[b"AUTH", password])),
        }
    }
    if select {
        commands.push(bulk_command(&[b"SELECT", db.to_string().as_bytes()]));
    }
    let preamble = commands.len();
    let restore: &[u8] = if ctx.engine.cluster.is_some() { b"RESTORE-ASKING" } else { b"RESTORE" };
    let opts = crate::rdb::encode::Options::from_config(ctx.config());
    let mut sent_keys = Vec::new();
    for &key in keys {
        let Some(entry) = ctx.lookup_quiet(key) else { continue };
        let ttl = match entry.expire_at() {
            Some(at) if at - now < 0 => continue,
            Some(at) => (at - now).max(1),
            None => 0,
        };
        let payload = match crate::rdb::dump_payload(&entry.value, &opts) {
            Ok(p) => p,
            Err(crate::rdb::EncodeError::Unsupported(kind)) => {
                let text = format!("ERR MIGRATE of {kind} values is not supported by Redis Lab");
                return Attempt::Done(Err(Reply::error(text)));
            }
        };
        let mut command = bulk_command(&[restore, key, ttl.to_string().as_bytes(), &payload]);
        if o.replace {
            command.push(b"REPLACE".to_vec());
        }
        commands.push(command);
        sent_keys.push(key);
    }
    let Some(cached) = ctx.engine.migrate.cached.get_mut(target) else {
        return Attempt::Failed(LinkError::Write);
    };
    cached.last_use_ms = now;
    let replies = match cached.link.call(&commands, timeout) {
        Ok(replies) if replies.len() == commands.len() => replies,
        Ok(_) => return Attempt::Failed(LinkError::Read),
        Err(e) => return Attempt::Failed(e),
    };
    let preamble_error = replies[..preamble].iter().find_map(|r| r.error_text().map(str::to_string));
    let mut first_error = preamble_error.clone();
    let mut moved = Vec::new();
    for (key, reply) in sent_keys.iter().zip(&replies[preamble..]) {
        match (&preamble_error, reply.error_text()) {
            (None, None) => {
                if !o.copy {
                    ctx.delete_key(key);
                    ctx.notify(notify::GENERIC, "del", key);
                    moved.push(key.to_vec());
                }
            }
            (_, error) => {
                if first_error.is_none() {
                    first_error = error.map(str::to_string);
                }
            }
        }
    }
    if !moved.is_empty() {
        ctx.propagate_as(|| std::iter::once(b"DEL".to_vec()).chain(moved).collect());
    }
    let cached = ctx.engine.migrate.cached.get_mut(target);
    match first_error {
        Some(error) => {
            if let Some(c) = cached {
                c.last_db = None;
            }
            Attempt::Done(Err(Reply::error(format!("ERR Target instance replied with error: {error}"))))
        }
        None => {
            if let Some(c) = cached {
                c.last_db = Some(db);
            }
            Attempt::Done(Ok(Reply::OK))
        }
    }
}
