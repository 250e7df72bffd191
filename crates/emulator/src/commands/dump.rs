//! DUMP and RESTORE: a key's value in Redis 7.0's serialization (RDB
//! version 10 encodings, see [`crate::rdb`]) and back.

use crate::access;
use crate::args::{self, Args};
use crate::command::{flags::*, CommandResult, CommandSpec, Group, KeySpec};
use crate::engine::Ctx;
use crate::errors;
use crate::notify;
use crate::rdb::{self, PayloadError};
use crate::reply::Reply;

const BASE: CommandSpec =
    CommandSpec { group: Group::Generic, keys: KeySpec::ONE, since: "2.6.0", ..CommandSpec::DEFAULT };

/// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
const RESTORE: CommandSpec = CommandSpec {
    name: "restore",
    arity: -4,
    flags: WRITE | DENYOOM,
    complexity: concat!(
        "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N ",
        "is the number of Redis objects composing the value and M their average size. For small string ",
        "values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for ",
        "sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is ",
        "O(log(N))."
    ),
    summary: "Creates a key from a DUMP payload, with an optional TTL and access data",
    syntax: "key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]",
    key_flags: &[&["OW", "update"]],
    acl: &["@keyspace", "@write", "@slow", "@dangerous"],
    handler: restore,
    ..BASE
};

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "dump",
        arity: 2,
        flags: READONLY,
        complexity: concat!(
            "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis ",
            "objects composing the value and M their average size. For small string values the time ",
            "complexity is thus O(1)+O(1*M) where M is small, so simply O(1)."
        ),
        summary: "Answers a key's value serialized as Redis does (type, encoding, RDB version, CRC-64)",
        syntax: "key",
        tips: &["nondeterministic_output"],
        key_flags: &[&["RO", "access"]],
        handler: dump,
        ..BASE
    },
    RESTORE,
    CommandSpec {
        name: "restore-asking",
        flags: WRITE | DENYOOM | ASKING,
        group: Group::Server,
        since: "3.0.0",
        summary: "RESTORE as MIGRATE sends it in cluster mode: served in a slot being imported",
        ..RESTORE
    },
];

/// DUMP key
fn dump(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let opts = rdb::encode::Options::from_config(ctx.config());
    let Some(entry) = ctx.lookup_read(&argv[1]) else { return Ok(Reply::Nil) };
    match rdb::dump_payload(&entry.value, &opts) {
        Ok(payload) => Ok(Reply::Bulk(payload)),
        Err(rdb::EncodeError::Unsupported(kind)) => {
            Err(Reply::error(format!("ERR DUMP of {kind} values is not supported by Redis Lab")))
        }
    }
}

/// RESTORE's options after the payload.
struct RestoreOptions {
    replace: bool,
    /// The TTL is an absolute Unix time in milliseconds.
    absttl: bool,
    /// Seconds since the last access (LRU policies).
    idle: Option<i64>,
    /// LFU counter (LFU policies).
    freq: Option<i64>,
}

impl RestoreOptions {
    /// `[REPLACE] [ABSTTL] [IDLETIME seconds | FREQ frequency]`, in any
    /// order; IDLETIME and FREQ exclude each other (a syntax error), and
    /// their values are checked as soon as they are read.
    fn parse(args: &mut Args) -> Result<RestoreOptions, Reply> {
        let mut opts = RestoreOptions { replace: false, absttl: false, idle: None, freq: None };
        while let Some(opt) = args.next_arg() {
            if args::is(opt, "REPLACE") {
                opts.replace = true;
            } else if args::is(opt, "ABSTTL") {
                opts.absttl = true;
            } else if args::is(opt, "IDLETIME") && args.has_more() && opts.freq.is_none() {
                opts.idle = Some(args::non_negative(args.value()?, "ERR Invalid IDLETIME value, must be >= 0")?);
            } else if args::is(opt, "FREQ") && args.has_more() && opts.idle.is_none() {
                let freq = args.int()?;
                if !(0..=255).contains(&freq) {
                    return Err(Reply::error("ERR Invalid FREQ value, must be >= 0 and <= 255"));
                }
                opts.freq = Some(freq);
            } else {
                return Err(Reply::error(errors::SYNTAX));
            }
        }
        Ok(opts)
    }
}

/// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
///
/// Checks in Redis's order: options, then an existing key (BUSYKEY), the
/// TTL, the payload's version and checksum, and the value itself. A TTL
/// already in the past deletes a replaced key and creates nothing.
fn restore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let opts = RestoreOptions::parse(&mut Args::new(argv, 4))?;
    let key = &argv[1];
    if !opts.replace && ctx.lookup_write(key).is_some() {
        return Err(Reply::error("BUSYKEY Target key name already exists."));
    }
    let ttl = args::non_negative(&argv[2], "ERR Invalid TTL value, must be >= 0")?;
    let limits = rdb::decode::Limits::from_config(ctx.config());
    let value = rdb::restore_payload(&argv[3], &limits).map_err(|e| match e {
        PayloadError::VersionOrChecksum => Reply::error("ERR DUMP payload version or checksum are wrong"),
        PayloadError::BadData => Reply::error("ERR Bad data format"),
    })?;
    let deleted = opts.replace && ctx.delete_key(key);
    let now = ctx.now_ms();
    let expire_at = match ttl {
        0 => None,
        t if opts.absttl => Some(t),
        t => Some(t.wrapping_add(now)),
    };
    if expire_at.is_some_and(|at| at <= now) {
        if deleted {
            ctx.notify(notify::GENERIC, "del", key);
        }
        return Ok(Reply::OK);
    }
    ctx.set_key(key, value, false);
    if let Some(at) = expire_at {
        ctx.set_expire(key, at);
    }
    set_access(ctx, key, &opts);
    ctx.signal_ready(key);
    ctx.notify(notify::GENERIC, "restore", key);
    Ok(Reply::OK)
}

/// Redis's `objectSetLRUOrLFU`: FREQ under an LFU policy, IDLETIME under
/// the others; the option that does not apply is ignored.
fn set_access(ctx: &mut Ctx, key: &[u8], opts: &RestoreOptions) {
    let now = ctx.now_ms();
    let policy = ctx.config().maxmemory_policy;
    let idle = opts.idle.map(|i| i as u64);
    let freq = opts.freq.map(|f| f as u8);
    if let Some(entry) = ctx.db().get_mut(key) {
        access::restore(entry, now, policy, idle, freq);
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::Engine;
    use crate::events::Event;
    use crate::notify;
    use crate::reply::Reply;

    /// `"\xHH"` text of a DUMP payload for a console line.
    fn quoted(bytes: &[u8]) -> String {
        let hex: String = bytes.iter().map(|b| format!("\\x{b:02x}")).collect();
        format!("\"{hex}\"")
    }

    #[test]
    fn restore_announces_new_and_restore_and_del_when_expired() {
        let value = crate::value::Value::string("v");
        let payload = crate::rdb::dump_payload(&value, &Default::default()).unwrap();
        let p = quoted(&payload);
        let mut engine = Engine::with_manual_clock(1_000_000, 1);
        let me = engine.connect("t:1");
        let listener = engine.connect("t:2");
        engine.config_mut().notify_keyspace_events = notify::ALL | notify::NEW | notify::KEYEVENT;
        engine.pubsub.psubscribe(listener, b"__keyevent@0__:*");
        for line in [
            format!("RESTORE k 0 {p}"),
            format!("RESTORE k 0 {p} REPLACE"),
            format!("RESTORE k 5 {p} REPLACE ABSTTL"),
            format!("RESTORE k 5 {p} ABSTTL"),
        ] {
            assert_eq!(engine.execute_line(me, &line).unwrap(), Reply::OK);
        }
        let events: Vec<String> = engine
            .drain_events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Deliver { client, reply: Reply::Push(items) } if client == listener => match &items[2] {
                    Reply::Bulk(b) => Some(String::from_utf8_lossy(b).rsplit(':').next()?.to_string()),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        assert_eq!(events, ["new", "restore", "new", "restore", "del"]);
        assert_eq!(engine.execute_line(me, "EXISTS k").unwrap(), Reply::Integer(0));
    }
}
