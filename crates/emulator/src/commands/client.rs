//! CLIENT: connection introspection and control (ID, SETNAME, GETNAME,
//! LIST, INFO, KILL, UNBLOCK, NO-EVICT, REPLY, HELP) and client-side caching
//! (TRACKING, CACHING, GETREDIR, TRACKINGINFO; the table is `crate::tracking`).
//!
//! CLIENT LIST / INFO print Redis 7.0's fields in Redis's order. Values
//! the emulator has no honest equivalent for (file descriptor, buffer and
//! memory sizes) are printed as 0.

use crate::args::{self, Args};
use crate::client::{Client, ClientId, LinkRole};
use crate::command::{flags::*, CommandResult, CommandSpec, Group};
use crate::engine::Ctx;
use crate::errors;
use crate::reply::Reply;
use crate::resp::Protocol;
use crate::tracking::TrackingOptions;

const BASE: CommandSpec = CommandSpec { group: Group::Connection, ..CommandSpec::DEFAULT };

const SUB: CommandSpec = CommandSpec { parent: "client", flags: NOSCRIPT | LOADING | STALE, ..BASE };

pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "client",
    arity: -2,
    since: "2.4.0",
    complexity: "Depends on subcommand",
    summary: "Inspects and controls client connections",
    syntax: "subcommand [arguments]",
    subcommands: &[
        CommandSpec {
            name: "id",
            arity: 2,
            since: "5.0.0",
            summary: "Answers this connection's unique id",
            handler: client_id,
            ..SUB
        },
        CommandSpec {
            name: "setname",
            arity: 3,
            since: "2.6.9",
            summary: "Names this connection (an empty name removes it)",
            syntax: "connection-name",
            handler: client_setname,
            ..SUB
        },
        CommandSpec {
            name: "getname",
            arity: 2,
            since: "2.6.9",
            summary: "Answers this connection's name, or nil",
            handler: client_getname,
            ..SUB
        },
        CommandSpec {
            name: "list",
            arity: -2,
            flags: ADMIN | NOSCRIPT | LOADING | STALE,
            complexity: "O(N) where N is the number of client connections",
            summary: "Describes every connection, one line each",
            syntax: "[TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]",
            tips: &["nondeterministic_output"],
            handler: client_list,
            ..SUB
        },
        CommandSpec {
            name: "info",
            arity: 2,
            since: "6.2.0",
            summary: "Describes this connection in CLIENT LIST's format",
            tips: &["nondeterministic_output"],
            handler: client_info,
            ..SUB
        },
        CommandSpec {
            name: "kill",
            arity: -3,
            flags: ADMIN | NOSCRIPT | LOADING | STALE,
            complexity: "O(N) where N is the number of client connections",
            summary: "Closes connections chosen by address, id, type or user",
            syntax: concat!(
                "ip:port | [ID client-id] [TYPE NORMAL|MASTER|SLAVE|REPLICA|PUBSUB] [USER username] ",
                "[ADDR ip:port] [LADDR ip:port] [SKIPME YES|NO]"
            ),
            handler: client_kill,
            ..SUB
        },
        CommandSpec {
            name: "unblock",
            arity: -3,
            flags: ADMIN | NOSCRIPT | LOADING | STALE,
            since: "5.0.0",
            complexity: "O(log N) where N is the number of client connections",
            summary: "Wakes a client blocked in BLPOP/XREAD…, as a timeout or with an error",
            syntax: "client-id [TIMEOUT|ERROR]",
            handler: client_unblock,
            ..SUB
        },
        CommandSpec {
            name: "no-evict",
            arity: 3,
            flags: ADMIN | NOSCRIPT | LOADING | STALE,
            since: "7.0.0",
            summary: "Exempts this connection from client eviction, or not",
            syntax: "ON|OFF",
            handler: client_no_evict,
            ..SUB
        },
        CommandSpec {
            name: "reply",
            arity: 3,
            since: "3.2.0",
            summary: "Turns this connection's replies off, on, or off for the next command only",
            syntax: "ON|OFF|SKIP",
            handler: client_reply,
            ..SUB
        },
        CommandSpec {
            name: "pause",
            arity: -3,
            flags: ADMIN | NOSCRIPT | LOADING | STALE,
            since: "3.0.0",
            summary: "Holds every client's commands (or only writes) for a number of milliseconds",
            syntax: "timeout [WRITE|ALL]",
            handler: client_pause,
            ..SUB
        },
        CommandSpec {
            name: "unpause",
            arity: 2,
            flags: ADMIN | NOSCRIPT | LOADING | STALE,
            since: "6.2.0",
            complexity: "O(N) Where N is the number of paused clients",
            summary: "Ends a CLIENT PAUSE: the commands it held run",
            handler: client_unpause,
            ..SUB
        },
        CommandSpec {
            name: "tracking",
            arity: -3,
            since: "6.0.0",
            complexity: "O(1). Some options may introduce additional complexity.",
            summary: "Turns client-side caching invalidations on or off for this connection",
            syntax: "ON|OFF [REDIRECT client-id] [PREFIX prefix [PREFIX prefix ...]] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]",
            handler: client_tracking,
            ..SUB
        },
        CommandSpec {
            name: "caching",
            arity: 3,
            since: "6.0.0",
            summary: "Says whether the next command's keys are tracked (OPTIN / OPTOUT modes)",
            syntax: "YES|NO",
            handler: client_caching,
            ..SUB
        },
        CommandSpec {
            name: "getredir",
            arity: 2,
            since: "6.0.0",
            summary: "Answers the id invalidations are redirected to (0 none, -1 tracking off)",
            handler: client_getredir,
            ..SUB
        },
        CommandSpec {
            name: "trackinginfo",
            arity: 2,
            since: "6.2.0",
            summary: "Describes this connection's client-side caching mode",
            handler: client_trackinginfo,
            ..SUB
        },
        CommandSpec {
            name: "help",
            arity: 2,
            flags: LOADING | STALE,
            since: "5.0.0",
            summary: "Lists the CLIENT subcommands",
            handler: client_help,
            ..SUB
        },
    ],
    ..BASE
}];

/// Redis's `getClientType`: `master`, `replica`, `pubsub` or `normal`.
fn client_type(c: &Client) -> &'static str {
    if c.link == LinkRole::Master {
        "master"
    } else if c.link == LinkRole::Replica && !c.monitor {
        "replica"
    } else if c.subscription_count() > 0 {
        "pubsub"
    } else {
        "normal"
    }
}

/// The type names CLIENT LIST TYPE and CLIENT KILL TYPE accept.
fn parse_client_type(arg: &[u8]) -> Result<&'static str, Reply> {
    let name = args::lower(arg);
    match name.as_str() {
        "normal" => Ok("normal"),
        "pubsub" => Ok("pubsub"),
        "slave" | "replica" => Ok("replica"),
        "master" => Ok("master"),
        _ => {
            Err(Reply::error(errors::sanitize(&format!("ERR Unknown client type '{}'", String::from_utf8_lossy(arg)))))
        }
    }
}

/// One CLIENT LIST line (without the newline), fields in Redis 7.0's order.
pub fn client_info_line(c: &Client, now_ms: i64) -> String {
    let mut flags = String::new();
    if c.monitor {
        flags.push('O');
    } else if c.link == LinkRole::Replica {
        flags.push('S');
    }
    if c.link == LinkRole::Master {
        flags.push('M');
    }
    if c.subscription_count() > 0 {
        flags.push('P');
    }
    if c.multi.is_some() {
        flags.push('x');
    }
    if c.blocked.is_some() {
        flags.push('b');
    }
    if let Some(t) = c.tracking.as_ref() {
        flags.push('t');
        if t.broken_redirect {
            flags.push('R');
        }
        if t.bcast {
            flags.push('B');
        }
    }
    if c.watch_dirty {
        flags.push('d');
    }
    if c.close_after_reply {
        flags.push('c');
    }
    if c.readonly {
        flags.push('r');
    }
    if c.no_evict {
        flags.push('e');
    }
    if flags.is_empty() {
        flags.push('N');
    }
    let multi = c.multi.as_ref().map_or(-1, |m| m.queue.len() as i64);
    let name = c.name.as_deref().map(String::from_utf8_lossy).unwrap_or_default();
    format!(
        "id={} addr={} laddr={} fd=0 name={} age={} idle={} flags={} db={} sub={} psub={} ssub={} multi={} \
         qbuf={} qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd={} \
         user={} redir={} resp={}",
        c.id,
        c.addr,
        c.laddr,
        name,
        (now_ms - c.created_ms).max(0) / 1000,
        (now_ms - c.last_interaction_ms).max(0) / 1000,
        flags,
        c.db,
        c.channels.len(),
        c.patterns.len(),
        c.shard_channels.len(),
        multi,
        c.query_buffer,
        c.last_command_name(),
        String::from_utf8_lossy(&c.auth.user),
        c.tracking.as_ref().map_or(-1, |t| t.redirect as i64),
        if c.protocol == Protocol::Resp3 { 3 } else { 2 },
    )
}

/// Every client, including the caller (which the engine holds apart while
/// its command runs), in id order.
fn all_clients<'a>(ctx: &'a Ctx) -> Vec<&'a Client> {
    let mut all: Vec<&Client> = ctx.engine.clients.values().collect();
    all.push(&*ctx.client);
    all.sort_by_key(|c| c.id);
    all
}

/// CLIENT ID
fn client_id(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::Integer(ctx.client.id as i64))
}

/// CLIENT SETNAME connection-name — an empty name removes the name.
fn client_setname(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let name = &argv[2];
    if name.is_empty() {
        ctx.client.name = None;
        return Ok(Reply::OK);
    }
    crate::client::validate_name(name)?;
    ctx.client.name = Some(name.clone());
    Ok(Reply::OK)
}

/// CLIENT GETNAME
fn client_getname(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::opt_bulk(ctx.client.name.clone()))
}

/// Which clients CLIENT LIST describes.
enum ListFilter {
    All,
    Type(&'static str),
    /// In the order given; unknown ids are skipped.
    Ids(Vec<i64>),
}

impl ListFilter {
    /// Nothing, `TYPE type` alone, or `ID id [id ...]`; anything else is a
    /// syntax error (TYPE with more arguments included).
    fn parse(args: &mut Args) -> Result<ListFilter, Reply> {
        if args.remaining() == 2 && args.eat("TYPE") {
            return Ok(ListFilter::Type(parse_client_type(args.value()?)?));
        }
        if args.remaining() >= 2 && args.eat("ID") {
            let mut ids = Vec::with_capacity(args.remaining());
            while let Some(id) = args.next_arg() {
                ids.push(crate::float::parse_i64(id).ok_or(Reply::error("ERR Invalid client ID"))?);
            }
            return Ok(ListFilter::Ids(ids));
        }
        args.finish()?;
        Ok(ListFilter::All)
    }
}

/// CLIENT LIST [TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]
fn client_list(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let filter = ListFilter::parse(&mut Args::new(argv, 2))?;
    let now = ctx.now_ms();
    let all = all_clients(ctx);
    let chosen: Vec<&Client> = match filter {
        ListFilter::All => all,
        ListFilter::Type(wanted) => all.into_iter().filter(|c| client_type(c) == wanted).collect(),
        ListFilter::Ids(ids) => ids.iter().filter_map(|&id| all.iter().find(|c| c.id as i64 == id).copied()).collect(),
    };
    let mut out = String::new();
    for c in chosen {
        out.push_str(&client_info_line(c, now));
        out.push('\n');
    }
    Ok(Reply::Verbatim(out))
}

/// CLIENT INFO
fn client_info(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    let mut line = client_info_line(ctx.client, ctx.now_ms());
    line.push('\n');
    Ok(Reply::Verbatim(line))
}

/// The filters of CLIENT KILL; every one given must match.
struct KillFilter<'a> {
    addr: Option<&'a [u8]>,
    laddr: Option<&'a [u8]>,
    kind: Option<&'static str>,
    id: Option<ClientId>,
    user: Option<&'a [u8]>,
    skip_me: bool,
}

impl<'a> KillFilter<'a> {
    /// `option value` pairs, each checked as it is read (so the first bad
    /// one is reported); an option without a value is a syntax error.
    fn parse(args: &mut Args<'a>, user_exists: impl Fn(&[u8]) -> bool) -> Result<KillFilter<'a>, Reply> {
        let mut f = KillFilter { addr: None, laddr: None, kind: None, id: None, user: None, skip_me: true };
        while let Some(opt) = args.next_arg() {
            let value = args.value()?;
            if args::is(opt, "ID") {
                match crate::float::parse_i64(value) {
                    Some(v) if v >= 1 => f.id = Some(v as ClientId),
                    _ => return Err(Reply::error("ERR client-id should be greater than 0")),
                }
            } else if args::is(opt, "TYPE") {
                f.kind = Some(parse_client_type(value)?);
            } else if args::is(opt, "ADDR") {
                f.addr = Some(value);
            } else if args::is(opt, "LADDR") {
                f.laddr = Some(value);
            } else if args::is(opt, "USER") {
                if !user_exists(value) {
                    return Err(Reply::error(errors::sanitize(&format!(
                        "ERR No such user '{}'",
                        String::from_utf8_lossy(value)
                    ))));
                }
                f.user = Some(value);
            } else if args::is(opt, "SKIPME") {
                if args::is(value, "YES") {
                    f.skip_me = true;
                } else if args::is(value, "NO") {
                    f.skip_me = false;
                } else {
                    return Err(Reply::error(errors::SYNTAX));
                }
            } else {
                return Err(Reply::error(errors::SYNTAX));
            }
        }
        Ok(f)
    }

    fn matches(&self, c: &Client, me: ClientId) -> bool {
        self.addr.is_none_or(|a| c.addr.as_bytes() == a)
            && self.laddr.is_none_or(|a| c.laddr.as_bytes() == a)
            && self.kind.is_none_or(|k| client_type(c) == k)
            && self.id.is_none_or(|i| c.id == i)
            && self.user.is_none_or(|u| c.auth.user == u)
            && !(self.skip_me && c.id == me)
    }
}

/// CLIENT KILL ip:port | CLIENT KILL [ID id] [TYPE type] [USER name] [ADDR ip:port] [LADDR ip:port] [SKIPME yes|no]
///
/// The old form (one address) may kill the caller and answers OK or an
/// error; the filter form skips the caller unless SKIPME NO, and answers
/// how many clients it closed. The caller itself is closed after the reply.
fn client_kill(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let old_style = argv.len() == 3;
    let filter = if old_style {
        KillFilter { addr: Some(&argv[2]), laddr: None, kind: None, id: None, user: None, skip_me: false }
    } else {
        let users = ctx.engine.acl.users();
        KillFilter::parse(&mut Args::new(argv, 2), |name| users.contains_key(name))?
    };
    let me = ctx.client.id;
    let victims: Vec<ClientId> = all_clients(ctx).into_iter().filter(|c| filter.matches(c, me)).map(|c| c.id).collect();
    for &v in &victims {
        if v == me {
            ctx.client.close_after_reply = true;
        } else {
            ctx.engine.disconnect(v);
        }
    }
    match (old_style, victims.is_empty()) {
        (true, true) => Err(Reply::error("ERR No such client")),
        (true, false) => Ok(Reply::OK),
        (false, _) => Ok(Reply::Integer(victims.len() as i64)),
    }
}

/// CLIENT UNBLOCK client-id [TIMEOUT|ERROR]
///
/// The reason is checked before the id; an unknown id, a negative one or
/// the caller's own answers 0.
fn client_unblock(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    if argv.len() > 4 {
        return Err(Reply::error(errors::sanitize(&format!(
            "ERR unknown subcommand or wrong number of arguments for '{}'. Try CLIENT HELP.",
            errors::show(&argv[1], 128)
        ))));
    }
    let error = match argv.get(3) {
        None => false,
        Some(reason) if args::is(reason, "TIMEOUT") => false,
        Some(reason) if args::is(reason, "ERROR") => true,
        Some(_) => return Err(Reply::error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")),
    };
    let id = args::int(&argv[2])?;
    if id < 0 || id as ClientId == ctx.client.id {
        return Ok(Reply::Integer(0));
    }
    Ok(Reply::Integer(ctx.engine.unblock_client(id as ClientId, error) as i64))
}

/// CLIENT NO-EVICT ON|OFF
fn client_no_evict(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    if args::is(&argv[2], "ON") {
        ctx.client.no_evict = true;
    } else if args::is(&argv[2], "OFF") {
        ctx.client.no_evict = false;
    } else {
        return Err(Reply::error(errors::SYNTAX));
    }
    Ok(Reply::OK)
}

/// CLIENT REPLY ON|OFF|SKIP — OFF and SKIP are not answered themselves.
fn client_reply(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let c = &mut *ctx.client;
    if args::is(&argv[2], "ON") {
        c.reply_off = false;
        c.reply_skip_next = false;
        c.reply_skip = false;
        Ok(Reply::OK)
    } else if args::is(&argv[2], "OFF") {
        c.reply_off = true;
        Ok(Reply::Multi(Vec::new()))
    } else if args::is(&argv[2], "SKIP") {
        if !c.reply_off {
            c.reply_skip_next = true;
        }
        Ok(Reply::Multi(Vec::new()))
    } else {
        Err(Reply::error(errors::SYNTAX))
    }
}

/// CLIENT PAUSE timeout [WRITE|ALL]
///
/// The mode is checked before the timeout, as in Redis. A second pause
/// keeps the later end and the stricter mode.
fn client_pause(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    if argv.len() > 4 {
        return Err(Reply::error(errors::sanitize(&format!(
            "ERR unknown subcommand or wrong number of arguments for '{}'. Try CLIENT HELP.",
            errors::show(&argv[1], 128)
        ))));
    }
    let all = match argv.get(3) {
        None => true,
        Some(mode) if args::is(mode, "WRITE") => false,
        Some(mode) if args::is(mode, "ALL") => true,
        Some(_) => return Err(Reply::error("ERR CLIENT PAUSE mode must be WRITE or ALL")),
    };
    let timeout =
        crate::float::parse_i64(&argv[2]).ok_or(Reply::error("ERR timeout is not an integer or out of range"))?;
    if timeout < 0 {
        return Err(Reply::error("ERR timeout is negative"));
    }
    let end_ms = ctx.now_ms().saturating_add(timeout);
    let pause = match ctx.engine.client_pause {
        Some(p) => crate::client::ClientPause { end_ms: p.end_ms.max(end_ms), all: p.all || all },
        None => crate::client::ClientPause { end_ms, all },
    };
    ctx.engine.client_pause = Some(pause);
    Ok(Reply::OK)
}

/// CLIENT UNPAUSE — the held commands run once this command is done.
fn client_unpause(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    ctx.engine.client_pause = None;
    Ok(Reply::OK)
}

/// CLIENT TRACKING's options after ON|OFF, as Redis reads them: each
/// checked as it comes (a REDIRECT to a missing client fails at once).
fn tracking_options(ctx: &Ctx, args: &mut Args) -> Result<TrackingOptions, Reply> {
    let mut o = TrackingOptions::default();
    while let Some(opt) = args.next_arg() {
        let has_value = args.has_more();
        if has_value && args::is(opt, "REDIRECT") {
            if o.redirect != 0 {
                return Err(Reply::error("ERR A client can only redirect to a single other client"));
            }
            let id = args.int()?;
            let exists = id == ctx.client.id as i64 || (id > 0 && ctx.engine.clients.get(&(id as ClientId)).is_some());
            if !exists {
                return Err(Reply::error("ERR The client ID you want redirect to does not exist"));
            }
            o.redirect = id as ClientId;
        } else if args::is(opt, "BCAST") {
            o.bcast = true;
        } else if args::is(opt, "OPTIN") {
            o.optin = true;
        } else if args::is(opt, "OPTOUT") {
            o.optout = true;
        } else if args::is(opt, "NOLOOP") {
            o.noloop = true;
        } else if has_value && args::is(opt, "PREFIX") {
            o.prefixes.push(args.value()?.to_vec());
        } else {
            return Err(Reply::error(errors::SYNTAX));
        }
    }
    Ok(o)
}

/// CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p …] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]
///
/// The options are read first (syntax errors win), then ON checks them
/// against each other and against the mode already on, in Redis's order.
fn client_tracking(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let opts = tracking_options(ctx, &mut Args::new(argv, 3))?;
    if args::is(&argv[2], "OFF") {
        ctx.engine.tracking.disable(ctx.client);
        return Ok(Reply::OK);
    }
    if !args::is(&argv[2], "ON") {
        return Err(Reply::error(errors::SYNTAX));
    }
    if !opts.bcast && !opts.prefixes.is_empty() {
        return Err(Reply::error("ERR PREFIX option requires BCAST mode to be enabled"));
    }
    let current = ctx.client.tracking.as_ref();
    if current.is_some_and(|t| t.bcast != opts.bcast) {
        return Err(Reply::error(
            "ERR You can't switch BCAST mode on/off before disabling tracking for this client, \
             and then re-enabling it with a different mode.",
        ));
    }
    if opts.bcast && (opts.optin || opts.optout) {
        return Err(Reply::error("ERR OPTIN and OPTOUT are not compatible with BCAST"));
    }
    if opts.optin && opts.optout {
        return Err(Reply::error("ERR You can't specify both OPTIN mode and OPTOUT mode"));
    }
    if current.is_some_and(|t| (opts.optin && t.optout) || (opts.optout && t.optin)) {
        return Err(Reply::error(
            "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, \
             and then re-enabling it with a different mode.",
        ));
    }
    let mut late_error = None;
    if opts.bcast {
        let existing = current.map(|t| t.prefixes.as_slice()).unwrap_or(&[]);
        late_error = crate::tracking::check_prefixes(existing, &opts.prefixes)?;
    }
    ctx.engine.tracking.enable(ctx.client, opts);
    Ok(match late_error {
        // Redis 7.0 replies the collision and still enables the prefixes.
        Some(error) => Reply::Multi(vec![error, Reply::OK]),
        None => Reply::OK,
    })
}

/// CLIENT CACHING YES|NO — for the next command: YES in OPTIN mode tracks
/// its keys, NO in OPTOUT mode does not.
fn client_caching(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let Some(mode) = ctx.client.tracking.as_mut() else {
        return Err(Reply::error(
            "ERR CLIENT CACHING can be called only when the client is in tracking mode \
             with OPTIN or OPTOUT mode enabled",
        ));
    };
    if args::is(&argv[2], "YES") {
        if !mode.optin {
            return Err(Reply::error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode."));
        }
    } else if args::is(&argv[2], "NO") {
        if !mode.optout {
            return Err(Reply::error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode."));
        }
    } else {
        return Err(Reply::error(errors::SYNTAX));
    }
    mode.caching = true;
    Ok(Reply::OK)
}

/// CLIENT GETREDIR — the redirect id, 0 without one, -1 when tracking is off.
fn client_getredir(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::Integer(ctx.client.tracking.as_ref().map_or(-1, |t| t.redirect as i64)))
}

/// CLIENT TRACKINGINFO — `flags` (a set), `redirect`, `prefixes`.
fn client_trackinginfo(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    let mode = ctx.client.tracking.as_ref();
    let mut flags = vec![if mode.is_some() { "on" } else { "off" }];
    if let Some(t) = mode {
        if t.bcast {
            flags.push("bcast");
        }
        if t.optin {
            flags.push("optin");
            if t.caching {
                flags.push("caching-yes");
            }
        }
        if t.optout {
            flags.push("optout");
            if t.caching {
                flags.push("caching-no");
            }
        }
        if t.noloop {
            flags.push("noloop");
        }
        if t.broken_redirect {
            flags.push("broken_redirect");
        }
    }
    let prefixes = mode.map(|t| t.prefixes.clone()).unwrap_or_default();
    Ok(Reply::Map(vec![
        (Reply::bulk_str("flags"), Reply::Set(flags.into_iter().map(Reply::bulk_str).collect())),
        (Reply::bulk_str("redirect"), Reply::Integer(mode.map_or(-1, |t| t.redirect as i64))),
        (Reply::bulk_str("prefixes"), Reply::bulks(prefixes)),
    ]))
}

/// CLIENT HELP
fn client_help(_: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::subcommand_help(
        "CLIENT",
        &[
            "CACHING (YES|NO)",
            "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
            "GETREDIR",
            "    Return the client ID we are redirecting to when tracking is enabled.",
            "GETNAME",
            "    Return the name of the current connection.",
            "ID",
            "    Return the ID of the current connection.",
            "INFO",
            "    Return information about the current client connection.",
            "KILL <ip:port>",
            "    Kill connection made from <ip:port>.",
            "KILL <option> <value> [<option> <value> [...]]",
            "    Kill connections. Options are:",
            "    * ADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made from the specified address",
            "    * LADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made to specified local address",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Kill connections by type.",
            "    * USER <username>",
            "      Kill connections authenticated by <username>.",
            "    * SKIPME (YES|NO)",
            "      Skip killing current connection (default: yes).",
            "LIST [options ...]",
            "    Return information about client connections. Options:",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Return clients of specified type.",
            "UNPAUSE",
            "    Stop the current client pause, resuming traffic.",
            "PAUSE <timeout> [WRITE|ALL]",
            "    Suspend all, or just write, clients for <timeout> milliseconds.",
            "REPLY (ON|OFF|SKIP)",
            "    Control the replies sent to the current connection.",
            "SETNAME <name>",
            "    Assign the name <name> to the current connection.",
            "UNBLOCK <clientid> [TIMEOUT|ERROR]",
            "    Unblock the specified blocked client.",
            "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
            "         [OPTIN] [OPTOUT] [NOLOOP]",
            "    Control server assisted client side caching.",
            "TRACKINGINFO",
            "    Report tracking status for the current connection.",
            "NO-EVICT (ON|OFF)",
            "    Protect current client connection from eviction.",
        ],
    ))
}
