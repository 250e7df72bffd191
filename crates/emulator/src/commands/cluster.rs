//! Cluster commands: CLUSTER and its subcommands (slots, nodes, the slot
//! table and its migration states), ASKING, READONLY and READWRITE. The
//! state they read and change is [`crate::cluster::ClusterState`]; the
//! redirections they set up are made in dispatch.

use crate::args::{self, Args};
use crate::cluster::{self, ClusterState, SLOTS};
use crate::command::{flags::*, CommandResult, CommandSpec, Group};
use crate::engine::Ctx;
use crate::errors;
use crate::reply::Reply;

const BASE: CommandSpec = CommandSpec { group: Group::Cluster, since: "3.0.0", ..CommandSpec::DEFAULT };
const SUB: CommandSpec = CommandSpec { parent: "cluster", arity: 2, flags: STALE, acl: &["@slow"], ..BASE };
const ADMIN_SUB: CommandSpec = CommandSpec {
    flags: ADMIN | STALE | NO_ASYNC_LOADING,
    acl: &["@admin", "@slow", "@dangerous"],
    complexity: "O(N)",
    ..SUB
};
const NONDET: &[&str] = &["nondeterministic_output"];

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "cluster",
        arity: -2,
        complexity: "Depends on subcommand.",
        summary: "A container for cluster commands",
        subcommands: &[
            CommandSpec {
                name: "addslots",
                arity: -3,
                syntax: "slot [slot ...]",
                summary: "Makes this node serve the given hash slots",
                handler: addslots,
                ..ADMIN_SUB
            },
            CommandSpec {
                name: "addslotsrange",
                arity: -4,
                since: "7.0.0",
                syntax: "start-slot end-slot [start-slot end-slot ...]",
                summary: "Makes this node serve the given ranges of hash slots",
                handler: addslotsrange,
                ..ADMIN_SUB
            },
            CommandSpec {
                name: "bumpepoch",
                tips: NONDET,
                complexity: "O(1)",
                summary: "Gives this node a new, highest config epoch",
                handler: bumpepoch,
                ..ADMIN_SUB
            },
            CommandSpec {
                name: "count-failure-reports",
                flags: ADMIN | STALE,
                arity: 3,
                syntax: "node-id",
                tips: NONDET,
                summary: "Counts the failure reports this node holds about another one",
                handler: count_failure_reports,
                ..ADMIN_SUB
            },
            CommandSpec {
                name: "countkeysinslot",
                arity: 3,
                syntax: "slot",
                summary: "Counts the keys of a hash slot in this node",
                handler: countkeysinslot,
                ..SUB
            },
            CommandSpec {
                name: "delslots",
                arity: -3,
                syntax: "slot [slot ...]",
                summary: "Stops this node's claim on the given hash slots",
                handler: delslots,
                ..ADMIN_SUB
            },
            CommandSpec {
                name: "delslotsrange",
                arity: -4,
                since: "7.0.0",
                syntax: "start-slot end-slot [start-slot end-slot ...]",
                summary: "Stops this node's claim on the given ranges of hash slots",
                handler: delslotsrange,
                ..ADMIN_SUB
            },
            CommandSpec {
                name: "failover",
                arity: -2,
                syntax: "[FORCE|TAKEOVER]",
                complexity: "O(1)",
                summary: "Promotes a replica to master (masters refuse it)",
                handler: failover,
                ..ADMIN_SUB
            },
            CommandSpec {
                name: "flushslots",
                complexity: "O(1)",
                summary: "Drops every slot this node serves (its database must be empty)",
                handler: flushslots,
                ..ADMIN_SUB
            },
            CommandSpec {
                name: "forget",
                arity: 3,
                syntax: "node-id",
                complexity: "O(1)",
                summary: "Removes a node from this node's table",
                handler: forget,
                ..ADMIN_SUB
            },
            CommandSpec {
                name: "getkeysinslot",
                arity: 4,
                syntax: "slot count",
                complexity: "O(log(N)) where N is the number of requested keys",
                tips: NONDET,
                summary: "Lists up to count key names of a hash slot in this node",
                handler: getkeysinslot,
                ..SUB
            },
            CommandSpec {
                name: "help",
                flags: LOADING | STALE,
                summary: "Shows the CLUSTER subcommands",
                handler: help,
                ..SUB
            },
            CommandSpec {
                name: "info",
                tips: NONDET,
                summary: "Describes the cluster's state as this node sees it",
                handler: info,
                ..SUB
            },
            CommandSpec {
                name: "keyslot",
                arity: 3,
                syntax: "key",
                complexity: "O(N) where N is the number of bytes in the key",
                summary: "Answers the hash slot of a key",
                handler: keyslot,
                ..SUB
            },
            CommandSpec {
                name: "links",
                tips: NONDET,
                complexity: "O(N) where N is the total number of Cluster nodes",
                since: "7.0.0",
                summary: "Lists this node's links to the other nodes",
                handler: links,
                ..SUB
            },
            CommandSpec {
                name: "meet",
                arity: -4,
                syntax: "ip port [cluster-bus-port]",
                complexity: "O(1)",
                summary: "Introduces this node to the node at ip:port, joining their clusters",
                handler: meet,
                ..ADMIN_SUB
            },
            CommandSpec { name: "myid", complexity: "O(1)", summary: "Answers this node's id", handler: myid, ..SUB },
            CommandSpec {
                name: "nodes",
                tips: NONDET,
                complexity: "O(N) where N is the total number of Cluster nodes",
                summary: "Describes every node this node knows, one line each",
                handler: nodes,
                ..SUB
            },
            CommandSpec {
                name: "replicas",
                flags: ADMIN | STALE,
                arity: 3,
                syntax: "node-id",
                since: "5.0.0",
                tips: NONDET,
                complexity: "O(1)",
                summary: "Lists the replicas of a master",
                handler: replicas,
                ..ADMIN_SUB
            },
            CommandSpec {
                name: "replicate",
                arity: 3,
                syntax: "node-id",
                complexity: "O(1)",
                summary: "Makes this node a replica of a master",
                handler: replicate,
                ..ADMIN_SUB
            },
            CommandSpec {
                name: "reset",
                arity: -2,
                flags: ADMIN | STALE | NOSCRIPT,
                syntax: "[HARD|SOFT]",
                complexity: concat!(
                    "O(N) where N is the number of known nodes. ",
                    "The command may execute a FLUSHALL as a side effect."
                ),
                summary: "Forgets every other node and every slot; HARD also takes a new id",
                handler: reset,
                ..ADMIN_SUB
            },
            CommandSpec {
                name: "saveconfig",
                complexity: "O(1)",
                summary: "Saves the cluster configuration (kept in memory here)",
                handler: saveconfig,
                ..ADMIN_SUB
            },
            CommandSpec {
                name: "set-config-epoch",
                arity: 3,
                syntax: "config-epoch",
                complexity: "O(1)",
                summary: "Sets the config epoch of a node that knows no other node",
                handler: set_config_epoch,
                ..ADMIN_SUB
            },
            CommandSpec {
                name: "setslot",
                arity: -4,
                syntax: "slot IMPORTING node-id|MIGRATING node-id|NODE node-id|STABLE",
                complexity: "O(1)",
                summary: "Marks a slot as importing, migrating or stable, or gives it to a node",
                handler: setslot,
                ..ADMIN_SUB
            },
            CommandSpec {
                name: "shards",
                since: "7.0.0",
                tips: NONDET,
                complexity: "O(N) where N is the total number of cluster nodes",
                summary: "Lists the shards: each one's slots and nodes",
                handler: shards,
                ..SUB
            },
            CommandSpec {
                name: "slaves",
                flags: ADMIN | STALE,
                arity: 3,
                syntax: "node-id",
                tips: NONDET,
                complexity: "O(1)",
                summary: "Lists the replicas of a master (old name of CLUSTER REPLICAS)",
                handler: replicas,
                ..ADMIN_SUB
            },
            CommandSpec {
                name: "slots",
                tips: NONDET,
                complexity: "O(N) where N is the total number of Cluster nodes",
                summary: "Lists the slot ranges with the node serving each",
                handler: slots,
                ..SUB
            },
        ],
        acl: &["@slow"],
        ..BASE
    },
    CommandSpec {
        name: "asking",
        arity: 1,
        flags: FAST,
        summary: "Lets the next command use a slot this node is importing (after an ASK redirect)",
        acl: &["@fast", "@connection"],
        handler: asking,
        ..BASE
    },
    CommandSpec {
        name: "readonly",
        arity: 1,
        flags: LOADING | STALE | FAST,
        summary: "Lets this connection read from a replica",
        acl: &["@fast", "@connection"],
        handler: readonly,
        ..BASE
    },
    CommandSpec {
        name: "readwrite",
        arity: 1,
        flags: LOADING | STALE | FAST,
        summary: "Ends READONLY: reads are redirected to masters again",
        acl: &["@fast", "@connection"],
        handler: readwrite,
        ..BASE
    },
];

const DISABLED: &str = "ERR This instance has cluster support disabled";

/// This node's cluster state, or the error Redis gives without cluster support.
fn state<'c>(ctx: &'c mut Ctx) -> Result<&'c mut ClusterState, Reply> {
    ctx.engine.cluster.as_mut().ok_or(Reply::error(DISABLED))
}

/// Redis's `getSlotOrReply`.
fn slot_arg(arg: &[u8]) -> Result<u16, Reply> {
    match crate::float::parse_i64(arg) {
        Some(s) if (0..SLOTS as i64).contains(&s) => Ok(s as u16),
        _ => Err(Reply::error("ERR Invalid or out of range slot")),
    }
}

/// Keys of database 0 in `slot`, at most `limit` (database 0 keeps an
/// index by slot once asked, as Redis keeps one in cluster mode).
fn keys_in_slot(ctx: &mut Ctx, slot: u16, limit: usize) -> Vec<Vec<u8>> {
    let db = &mut ctx.engine.keyspace.dbs[0];
    db.keys_in_group(cluster::key_slot, slot).take(limit).map(|k| k.to_vec()).collect()
}

fn count_keys_in_slot(ctx: &mut Ctx, slot: u16) -> usize {
    ctx.engine.keyspace.dbs[0].keys_in_group(cluster::key_slot, slot).count()
}

/// Redis's `checkSlotAssignmentsOrReply` for one range, marking `chosen`.
fn check_assignment(state: &ClusterState, chosen: &mut [bool], del: bool, start: u16, end: u16) -> Result<(), Reply> {
    for slot in start..=end {
        let owner = state.owner(slot);
        if del && owner.is_none() {
            return Err(Reply::error(format!("ERR Slot {slot} is already unassigned")));
        } else if !del && owner.is_some() {
            return Err(Reply::error(format!("ERR Slot {slot} is already busy")));
        }
        if std::mem::replace(&mut chosen[slot as usize], true) {
            return Err(Reply::error(format!("ERR Slot {slot} specified multiple times")));
        }
    }
    Ok(())
}

/// Applies ADDSLOTS/DELSLOTS to the chosen slots (an added slot stops importing).
fn update_slots(state: &mut ClusterState, chosen: &[bool], del: bool) {
    let me = state.myself().id.clone();
    for (slot, _) in chosen.iter().enumerate().filter(|(_, c)| **c) {
        let slot = slot as u16;
        if del {
            state.unassign(slot);
        } else {
            state.importing.remove(&slot);
            state.assign(slot, &me);
        }
    }
}

/// CLUSTER ADDSLOTS|DELSLOTS slot [slot ...]: every slot is parsed, then
/// every one is checked, before any changes.
fn change_slots(ctx: &mut Ctx, argv: &[Vec<u8>], del: bool) -> CommandResult {
    let state = state(ctx)?;
    let slots = argv[2..].iter().map(|a| slot_arg(a)).collect::<Result<Vec<u16>, Reply>>()?;
    let mut chosen = vec![false; SLOTS];
    for &slot in &slots {
        check_assignment(state, &mut chosen, del, slot, slot)?;
    }
    update_slots(state, &chosen, del);
    ctx.engine.cluster_update_state();
    Ok(Reply::OK)
}

/// CLUSTER ADDSLOTSRANGE|DELSLOTSRANGE start end [start end ...]
fn change_slot_ranges(ctx: &mut Ctx, argv: &[Vec<u8>], del: bool) -> CommandResult {
    let state = state(ctx)?;
    if argv.len() % 2 == 1 {
        let name = if del { "cluster|delslotsrange" } else { "cluster|addslotsrange" };
        return Err(Reply::error(errors::wrong_arity(name)));
    }
    let mut ranges = Vec::new();
    for pair in argv[2..].chunks(2) {
        let (start, end) = (slot_arg(&pair[0])?, slot_arg(&pair[1])?);
        if start > end {
            return Err(Reply::error(format!("ERR start slot number {start} is greater than end slot number {end}")));
        }
        ranges.push((start, end));
    }
    let mut chosen = vec![false; SLOTS];
    for (start, end) in ranges {
        check_assignment(state, &mut chosen, del, start, end)?;
    }
    update_slots(state, &chosen, del);
    ctx.engine.cluster_update_state();
    Ok(Reply::OK)
}

/// CLUSTER ADDSLOTS slot [slot ...]
fn addslots(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    change_slots(ctx, argv, false)
}

/// CLUSTER DELSLOTS slot [slot ...]
fn delslots(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    change_slots(ctx, argv, true)
}

/// CLUSTER ADDSLOTSRANGE start end [start end ...]
fn addslotsrange(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    change_slot_ranges(ctx, argv, false)
}

/// CLUSTER DELSLOTSRANGE start end [start end ...]
fn delslotsrange(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    change_slot_ranges(ctx, argv, true)
}

/// CLUSTER BUMPEPOCH
fn bumpepoch(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    let state = state(ctx)?;
    let bumped = state.bump_epoch_without_consensus();
    let word = if bumped { "BUMPED" } else { "STILL" };
    Ok(Reply::status(format!("{word} {}", state.myself().config_epoch)))
}

fn unknown_node(id: &[u8]) -> Reply {
    Reply::error(format!("ERR Unknown node {}", String::from_utf8_lossy(id)))
}

/// A subcommand given the wrong number of arguments, named as typed.
fn wrong_subcommand_arity(name: &[u8]) -> Reply {
    let name = String::from_utf8_lossy(name);
    Reply::error(format!("ERR unknown subcommand or wrong number of arguments for '{name}'. Try CLUSTER HELP."))
}

/// The node timeout (`cluster-node-timeout`, ms).
fn node_timeout(ctx: &Ctx) -> i64 {
    crate::replication::config_int(&ctx.engine.config, "cluster-node-timeout", 15000)
}

/// CLUSTER COUNT-FAILURE-REPORTS node-id: masters that reported it unreachable lately.
fn count_failure_reports(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let (now, timeout) = (ctx.now_ms(), node_timeout(ctx));
    let state = state(ctx)?;
    let node = state.node(&argv[2]).ok_or_else(|| unknown_node(&argv[2]))?;
    let index = state.index_of(&node.id.clone()).unwrap_or(0);
    Ok(Reply::Integer(state.failure_reports(index, now, timeout) as i64))
}

/// CLUSTER COUNTKEYSINSLOT slot
fn countkeysinslot(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    state(ctx)?;
    let slot = args::int(&argv[2])?;
    if !(0..SLOTS as i64).contains(&slot) {
        return Err(Reply::error("ERR Invalid slot"));
    }
    Ok(Reply::Integer(count_keys_in_slot(ctx, slot as u16) as i64))
}

/// CLUSTER GETKEYSINSLOT slot count
fn getkeysinslot(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    state(ctx)?;
    let slot = args::int(&argv[2])?;
    let count = args::int(&argv[3])?;
    if !(0..SLOTS as i64).contains(&slot) || count < 0 {
        return Err(Reply::error("ERR Invalid slot or number of keys"));
    }
    let keys = keys_in_slot(ctx, slot as u16, usize::try_from(count).unwrap_or(usize::MAX));
    Ok(Reply::bulks(keys))
}

/// CLUSTER FAILOVER [FORCE|TAKEOVER]: a replica takes its master's place.
fn failover(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let now = ctx.now_ms();
    let state = state(ctx)?;
    if argv.len() > 3 {
        return Err(wrong_subcommand_arity(&argv[1]));
    }
    let (force, takeover) = match argv.get(2) {
        None => (false, false),
        Some(a) if args::is(a, "FORCE") => (true, false),
        Some(a) if args::is(a, "TAKEOVER") => (true, true),
        Some(_) => return Err(Reply::error(errors::SYNTAX)),
    };
    if state.myself().master.is_none() {
        return Err(Reply::error("ERR You should send CLUSTER FAILOVER to a replica"));
    }
    let Some(master) = state.my_master() else {
        return Err(Reply::error("ERR I'm a replica but my master is unknown to me"));
    };
    if !force && (master.fail || master.link_down) {
        return Err(Reply::error("ERR Master is down or failed, please use CLUSTER FAILOVER FORCE"));
    }
    state.start_manual_failover(now, force, takeover);
    ctx.engine.cluster_follow_table();
    Ok(Reply::OK)
}

/// CLUSTER FLUSHSLOTS
fn flushslots(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    state(ctx)?;
    if !ctx.engine.keyspace.dbs[0].is_empty() {
        return Err(Reply::error("ERR DB must be empty to perform CLUSTER FLUSHSLOTS."));
    }
    let state = state(ctx)?;
    let me = state.myself().id.clone();
    for slot in state.slots_of(&me) {
        state.unassign(slot);
    }
    ctx.engine.cluster_update_state();
    Ok(Reply::OK)
}

/// CLUSTER FORGET node-id
fn forget(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let state = state(ctx)?;
    let node = state.node(&argv[2]).ok_or_else(|| unknown_node(&argv[2]))?;
    if state.is_myself(node) {
        return Err(Reply::error("ERR I tried hard but I can't forget myself..."));
    }
    if state.myself().master.as_deref() == Some(node.id.as_str()) {
        return Err(Reply::error("ERR Can't forget my master!"));
    }
    let id = node.id.clone();
    state.forget(&id);
    ctx.engine.cluster_update_state();
    Ok(Reply::OK)
}

/// CLUSTER HELP
fn help(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    state(ctx)?;
    Ok(Reply::subcommand_help("cluster", HELP))
}

const HELP: &[&str] = &[
    "ADDSLOTS <slot> [<slot> ...]",
    "    Assign slots to current node.",
    "ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
    "    Assign slots which are between <start-slot> and <end-slot> to current node.",
    "BUMPEPOCH",
    "    Advance the cluster config epoch.",
    "COUNT-FAILURE-REPORTS <node-id>",
    "    Return number of failure reports for <node-id>.",
    "COUNTKEYSINSLOT <slot>",
    "    Return the number of keys in <slot>.",
    "DELSLOTS <slot> [<slot> ...]",
    "    Delete slots information from current node.",
    "DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
    "    Delete slots information which are between <start-slot> and <end-slot> from current node.",
    "FAILOVER [FORCE|TAKEOVER]",
    "    Promote current replica node to being a master.",
    "FORGET <node-id>",
    "    Remove a node from the cluster.",
    "GETKEYSINSLOT <slot> <count>",
    "    Return key names stored by current node in a slot.",
    "FLUSHSLOTS",
    "    Delete current node own slots information.",
    "INFO",
    "    Return information about the cluster.",
    "KEYSLOT <key>",
    "    Return the hash slot for <key>.",
    "MEET <ip> <port> [<bus-port>]",
    "    Connect nodes into a working cluster.",
    "MYID",
    "    Return the node id.",
    "NODES",
    "    Return cluster configuration seen by node. Output format:",
    "    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...",
    "REPLICATE <node-id>",
    "    Configure current node as replica to <node-id>.",
    "RESET [HARD|SOFT]",
    "    Reset current node (default: soft).",
    "SET-CONFIG-EPOCH <epoch>",
    "    Set config epoch of current node.",
    "SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)",
    "    Set slot state.",
    "REPLICAS <node-id>",
    "    Return <node-id> replicas.",
    "SAVECONFIG",
    "    Force saving cluster configuration on disk.",
    "SLOTS",
    "    Return information about slots range mappings. Each range is made of:",
    "    start, end, master and replicas IP addresses, ports and ids",
    "SHARDS",
    "    Return information about slot range mappings and the nodes associated with them.",
    "LINKS",
    "    Return information about all network links between this node and its peers.",
    "    Output format is an array where each array element is a map containing attributes of a link",
];

/// CLUSTER INFO
fn info(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    let state = state(ctx)?;
    let assigned = state.assigned_slots();
    let (mut pfail, mut fail) = (0, 0);
    for (start, end, node) in state.slot_ranges() {
        let count = (end - start) as usize + 1;
        if node.fail {
            fail += count;
        } else if node.pfail {
            pfail += count;
        }
    }
    let mut text = format!(
        "cluster_state:{}\r\ncluster_slots_assigned:{assigned}\r\ncluster_slots_ok:{}\r\n\
         cluster_slots_pfail:{pfail}\r\ncluster_slots_fail:{fail}\r\ncluster_known_nodes:{}\r\ncluster_size:{}\r\n\
         cluster_current_epoch:{}\r\ncluster_my_epoch:{}\r\n",
        if state.is_ok() { "ok" } else { "fail" },
        assigned - pfail - fail,
        state.nodes().len(),
        state.size(),
        state.current_epoch,
        state.node_epoch(state.myself()),
    );
    let s = &state.stats;
    for (dir, counts) in [("sent", &s.sent), ("received", &s.received)] {
        for (kind, n) in cluster::MESSAGE_TYPES.iter().zip(counts.iter()).filter(|(_, n)| **n > 0) {
            text.push_str(&format!("cluster_stats_messages_{kind}_{dir}:{n}\r\n"));
        }
        let total: u64 = counts.iter().sum();
        text.push_str(&format!("cluster_stats_messages_{dir}:{total}\r\n"));
    }
    text.push_str("total_cluster_links_buffer_limit_exceeded:0\r\n");
    Ok(Reply::Verbatim(text))
}

/// CLUSTER KEYSLOT key
fn keyslot(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    state(ctx)?;
    Ok(Reply::Integer(cluster::key_slot(&argv[2]) as i64))
}

/// CLUSTER LINKS: a link each way with every other node.
fn links(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    let state = state(ctx)?;
    let mut out = Vec::new();
    for node in state.nodes().iter().filter(|n| !state.is_myself(n)) {
        for direction in ["to", "from"] {
            let field = |name: &str, value: Reply| (Reply::bulk_str(name), value);
            out.push(Reply::Map(vec![
                field("direction", Reply::bulk_str(direction)),
                field("node", Reply::bulk_str(&node.id)),
                field("create-time", Reply::Integer(node.link_ms)),
                field("events", Reply::bulk_str("r")),
                field("send-buffer-allocated", Reply::Integer(0)),
                field("send-buffer-used", Reply::Integer(0)),
            ]));
        }
    }
    Ok(Reply::Array(out))
}

/// CLUSTER MEET ip port [cluster-bus-port]: the host delivers the greeting
/// to the node listening there, if any.
fn meet(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    state(ctx)?;
    if argv.len() > 5 {
        return Err(wrong_subcommand_arity(&argv[1]));
    }
    let text = |a: &[u8]| String::from_utf8_lossy(a).into_owned();
    let port = crate::float::parse_i64(&argv[3])
        .ok_or_else(|| Reply::error(format!("ERR Invalid TCP base port specified: {}", text(&argv[3]))))?;
    let cport = match argv.get(4) {
        Some(c) => crate::float::parse_i64(c)
            .ok_or_else(|| Reply::error(format!("ERR Invalid TCP bus port specified: {}", text(c))))?,
        None => port + 10000,
    };
    let ip = text(&argv[2]);
    let valid = |p: i64| p > 0 && p <= 65535;
    if ip.parse::<std::net::IpAddr>().is_err() || !valid(port) || !valid(cport) {
        return Err(Reply::error(format!("ERR Invalid node address specified: {ip}:{}", text(&argv[3]))));
    }
    let state = state(ctx)?;
    state.meet_queue.push((ip, port as u16));
    Ok(Reply::OK)
}

/// CLUSTER MYID
fn myid(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    Ok(Reply::bulk_str(&state(ctx)?.myself().id))
}

/// One line of CLUSTER NODES, without its newline (Redis's `clusterGenNodeDescription`).
fn node_line(state: &ClusterState, node: &cluster::ClusterNode, now_ms: i64) -> String {
    let me = state.is_myself(node);
    let mut flags = Vec::new();
    if me {
        flags.push("myself");
    }
    flags.push(if node.is_replica() { "slave" } else { "master" });
    if node.pfail {
        flags.push("fail?");
    }
    if node.fail {
        flags.push("fail");
    }
    let pong = if me { now_ms - now_ms.rem_euclid(1000) } else { node.pong_ms };
    let ping = if me { 0 } else { node.ping_sent_ms };
    let link = if me || !node.link_down { "connected" } else { "disconnected" };
    let mut line = format!(
        "{} {}:{}@{} {} {} {ping} {pong} {} {link}",
        node.id,
        node.ip,
        node.port,
        node.cport,
        flags.join(","),
        node.master.as_deref().unwrap_or("-"),
        state.node_epoch(node),
    );
    for (start, end) in cluster::ranges(state.slots_of(&node.id)) {
        if start == end {
            line.push_str(&format!(" {start}"));
        } else {
            line.push_str(&format!(" {start}-{end}"));
        }
    }
    if me {
        for (slot, to) in &state.migrating {
            line.push_str(&format!(" [{slot}->-{to}]"));
        }
        for (slot, from) in &state.importing {
            line.push_str(&format!(" [{slot}-<-{from}]"));
        }
    }
    line
}

/// CLUSTER NODES
fn nodes(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    let now = ctx.now_ms();
    let state = state(ctx)?;
    let text: String = state.nodes().iter().map(|n| node_line(state, n, now) + "\n").collect();
    Ok(Reply::Verbatim(text))
}

/// CLUSTER REPLICAS|SLAVES node-id: its replicas' CLUSTER NODES lines.
fn replicas(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let now = ctx.now_ms();
    let state = state(ctx)?;
    let node = state.node(&argv[2]).ok_or_else(|| unknown_node(&argv[2]))?;
    if node.is_replica() {
        return Err(Reply::error("ERR The specified node is not a master"));
    }
    let lines = state.replicas_of(&node.id).into_iter().map(|r| Reply::bulk_str(&node_line(state, r, now))).collect();
    Ok(Reply::Array(lines))
}

/// CLUSTER REPLICATE node-id: this node follows a master from now on.
fn replicate(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let empty = ctx.engine.keyspace.dbs[0].is_empty();
    let state = state(ctx)?;
    let node = state.node(&argv[2]).ok_or_else(|| unknown_node(&argv[2]))?;
    if state.is_myself(node) {
        return Err(Reply::error("ERR Can't replicate myself"));
    }
    if node.is_replica() {
        return Err(Reply::error("ERR I can only replicate a master, not a replica."));
    }
    let id = node.id.clone();
    let me = state.myself().id.clone();
    if state.myself().master.is_none() && (!state.slots_of(&me).is_empty() || !empty) {
        return Err(Reply::error("ERR To set a master the node must be empty and without assigned slots."));
    }
    state.set_master(&id);
    ctx.engine.cluster_follow_table();
    Ok(Reply::OK)
}

/// CLUSTER RESET [HARD|SOFT]
fn reset(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    state(ctx)?;
    let mut args = Args::new(argv, 2);
    let hard = if args.eat("HARD") {
        true
    } else {
        args.eat("SOFT");
        false
    };
    args.finish()?;
    let replica = state(ctx)?.myself().is_replica();
    if !replica && !ctx.engine.keyspace.dbs[0].is_empty() {
        return Err(Reply::error("ERR CLUSTER RESET can't be called with master nodes containing keys"));
    }
    if replica {
        // A replica turns master and drops the data it copied.
        for db in 0..ctx.engine.db_count() {
            super::shared::flush_db(ctx, db);
        }
    }
    let new_id = hard.then(|| random_node_id(ctx));
    state(ctx)?.reset(new_id);
    ctx.engine.cluster_follow_table();
    Ok(Reply::OK)
}

/// A new node id: 40 random hex characters.
pub(crate) fn random_node_id(ctx: &mut Ctx) -> String {
    (0..40).map(|_| char::from_digit(ctx.rng().below(16) as u32, 16).unwrap_or('0')).collect()
}

/// CLUSTER SAVECONFIG — the configuration lives in memory only.
fn saveconfig(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    state(ctx)?;
    Ok(Reply::OK)
}

/// CLUSTER SET-CONFIG-EPOCH epoch
fn set_config_epoch(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let state = state(ctx)?;
    let epoch = args::int(&argv[2])?;
    if epoch < 0 {
        return Err(Reply::error(format!("ERR Invalid config epoch specified: {epoch}")));
    }
    if state.nodes().len() > 1 {
        return Err(Reply::error(
            "ERR The user can assign a config epoch only when the node does not know any other node.",
        ));
    }
    if state.myself().config_epoch != 0 {
        return Err(Reply::error("ERR Node config epoch is already non-zero"));
    }
    state.myself_mut().config_epoch = epoch as u64;
    state.current_epoch = state.current_epoch.max(epoch as u64);
    state.dirty = true;
    Ok(Reply::OK)
}

/// CLUSTER SETSLOT slot IMPORTING node-id|MIGRATING node-id|NODE node-id|STABLE
fn setslot(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    state(ctx)?;
    let slot = slot_arg(&argv[2])?;
    let action = &argv[3];
    let target = argv.get(4).filter(|_| argv.len() == 5);
    let keys = if args::is(action, "NODE") { count_keys_in_slot(ctx, slot) } else { 0 };
    let state = state(ctx)?;
    if state.myself().is_replica() {
        return Err(Reply::error("ERR Please use SETSLOT only with masters."));
    }
    let dont_know = |id: &[u8]| Reply::error(format!("ERR I don't know about node {}", String::from_utf8_lossy(id)));
    match target {
        Some(id) if args::is(action, "MIGRATING") => {
            if !state.owned_by_me(slot) {
                return Err(Reply::error(format!("ERR I'm not the owner of hash slot {slot}")));
            }
            let node = state.node(id).ok_or_else(|| dont_know(id))?.id.clone();
            state.migrating.insert(slot, node);
        }
        Some(id) if args::is(action, "IMPORTING") => {
            if state.owned_by_me(slot) {
                return Err(Reply::error(format!("ERR I'm already the owner of hash slot {slot}")));
            }
            let node = state.node(id).ok_or_else(|| dont_know(id))?.id.clone();
            state.importing.insert(slot, node);
        }
        None if args::is(action, "STABLE") && argv.len() == 4 => {
            state.importing.remove(&slot);
            state.migrating.remove(&slot);
        }
        Some(id) if args::is(action, "NODE") => {
            let node = state.node(id).ok_or_else(|| unknown_node(id))?;
            let (node_id, to_me) = (node.id.clone(), state.is_myself(node));
            if state.owned_by_me(slot) && !to_me && keys != 0 {
                return Err(Reply::error(format!(
                    "ERR Can't assign hashslot {slot} to a different node while I still hold keys for this hash slot."
                )));
            }
            if keys == 0 {
                state.migrating.remove(&slot);
            }
            state.assign(slot, &node_id);
            if to_me && state.importing.remove(&slot).is_some() {
                // A slot moved by hand: a new epoch lets the change win everywhere.
                state.bump_epoch_without_consensus();
            }
        }
        _ => return Err(Reply::error("ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP")),
    }
    state.dirty = true;
    ctx.engine.cluster_update_state();
    Ok(Reply::OK)
}

fn field(name: &str, value: Reply) -> (Reply, Reply) {
    (Reply::bulk_str(name), value)
}

/// One node of a CLUSTER SHARDS entry; this node's own offset is its
/// replication offset, the others' what they last announced.
fn shard_node(state: &ClusterState, node: &cluster::ClusterNode, my_offset: i64) -> Reply {
    let offset = if state.is_myself(node) { my_offset } else { node.repl_offset };
    let health = if node.fail {
        "fail"
    } else if node.is_replica() && offset == 0 {
        "loading"
    } else {
        "online"
    };
    Reply::Map(vec![
        field("id", Reply::bulk_str(&node.id)),
        field("port", Reply::Integer(node.port as i64)),
        field("ip", Reply::bulk_str(&node.ip)),
        field("endpoint", Reply::bulk_str(&node.ip)),
        field("role", Reply::bulk_str(if node.is_replica() { "replica" } else { "master" })),
        field("replication-offset", Reply::Integer(offset)),
        field("health", Reply::bulk_str(health)),
    ])
}

/// CLUSTER SHARDS: one shard per master, with its slot ranges, then its
/// nodes (the master first, then its replicas).
fn shards(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    let my_offset = ctx.engine.master_repl_offset();
    let state = state(ctx)?;
    let mut out = Vec::new();
    for node in state.nodes().iter().filter(|n| !n.is_replica()) {
        let ranges = cluster::ranges(state.slots_of(&node.id));
        let slots = ranges.iter().flat_map(|&(a, b)| [Reply::Integer(a as i64), Reply::Integer(b as i64)]).collect();
        let mut members = vec![shard_node(state, node, my_offset)];
        members.extend(state.replicas_of(&node.id).into_iter().map(|r| shard_node(state, r, my_offset)));
        out.push(Reply::Map(vec![field("slots", Reply::Array(slots)), field("nodes", Reply::Array(members))]));
    }
    Ok(Reply::Array(out))
}

/// CLUSTER SLOTS: each range of slots served by one node, in slot order.
fn slots(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    let my_offset = ctx.engine.master_repl_offset();
    let state = state(ctx)?;
    // Redis's `isReplicaAvailable`: not failing, and known to have data.
    let available = |r: &cluster::ClusterNode| {
        let offset = if state.is_myself(r) { my_offset } else { r.repl_offset };
        !r.fail && offset != 0
    };
    let out = state
        .slot_ranges()
        .into_iter()
        .map(|(start, end, node)| {
            let entry = |n: &cluster::ClusterNode| {
                Reply::Array(vec![
                    Reply::bulk_str(&n.ip),
                    Reply::Integer(n.port as i64),
                    Reply::bulk_str(&n.id),
                    Reply::Map(Vec::new()),
                ])
            };
            let mut row = vec![Reply::Integer(start as i64), Reply::Integer(end as i64), entry(node)];
            // Replicas follow their master, those failing or without data left out.
            row.extend(state.replicas_of(&node.id).into_iter().filter(|r| available(r)).map(entry));
            Reply::Array(row)
        })
        .collect();
    Ok(Reply::Array(out))
}

/// ASKING: the next command may use a slot this node is importing.
fn asking(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    state(ctx)?;
    ctx.client.asking = true;
    Ok(Reply::OK)
}

/// READONLY
fn readonly(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    state(ctx)?;
    ctx.client.readonly = true;
    Ok(Reply::OK)
}

/// READWRITE
fn readwrite(ctx: &mut Ctx, _: &[Vec<u8>]) -> CommandResult {
    state(ctx)?;
    ctx.client.readonly = false;
    Ok(Reply::OK)
}
