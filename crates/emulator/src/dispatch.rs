//! The command pipeline: the one place that looks commands up and runs
//! them. [`Engine::dispatch`] takes the client out of the table, `process`
//! makes Redis's checks in Redis's order (unknown command, arity, ACL, OOM,
//! subscribed mode, MULTI queueing) and [`Engine::call`] runs the handler
//! with its bookkeeping (memory, AOF, slow log, MONITOR, stats). EXEC and
//! scripts run the commands they contain through [`Engine::call`] too.

use crate::client::{BlockedState, Client, ClientId, QueuedCommand};
use crate::command::{flags, CommandSpec};
use crate::commands;
use crate::ctx::Ctx;
use crate::engine::Engine;
use crate::errors;
use crate::reply::Reply;

impl Engine {
    /// [`Engine::execute`]: takes the client out of the table, runs the
    /// command, counts an error reply, puts the client back and serves
    /// clients blocked on keys the command made ready.
    pub(crate) fn dispatch(&mut self, id: ClientId, argv: Vec<Vec<u8>>) -> Reply {
        if self.busy.script.is_some() {
            return self.dispatch_while_busy(id, argv);
        }
        let Some(mut client) = self.clients.remove(&id) else {
            return Reply::error("ERR no such client");
        };
        self.clock.pin();
        self.end_pause_if_due();
        client.last_interaction_ms = self.now_ms();
        self.clients.set_running(Some((id, client.protocol)));
        let reply = self.process(&mut client, argv);
        self.clients.set_running(None);
        let reply = client.filter_reply(reply);
        let already_counted = std::mem::take(&mut self.stats.reply_error_counted);
        if let Some(text) = reply.error_text().filter(|_| !already_counted) {
            self.stats.count_error(text);
        }
        forget_caching_flag(&mut client);
        self.clients.put_back(id, client);
        let (before, mut after) = self.take_pending_invalidations(id);
        self.serve_ready_keys();
        after.extend(self.broadcast_invalidations(Some(id)).into_iter().map(|r| (id, r)));
        self.limit_tracking_table();
        self.clock.unpin();
        self.resume_postponed();
        if before.is_empty() && after.is_empty() {
            return reply;
        }
        self.with_invalidations(id, reply, before, after)
    }

    /// A command from another client while a script is busy: the same
    /// checks (`process` answers `-BUSY` to what may not run), but nothing
    /// that belongs between commands (the clock stays pinned for the
    /// script, blocked clients are not served, no invalidations are sent)
    /// and the script's client stays the running one.
    fn dispatch_while_busy(&mut self, id: ClientId, argv: Vec<Vec<u8>>) -> Reply {
        let Some(mut client) = self.clients.remove(&id) else {
            return Reply::error("ERR no such client");
        };
        client.last_interaction_ms = self.now_ms();
        let running = self.clients.running();
        self.clients.set_running(Some((id, client.protocol)));
        let reply = self.process(&mut client, argv);
        self.clients.set_running(running);
        let reply = client.filter_reply(reply);
        let already_counted = std::mem::take(&mut self.stats.reply_error_counted);
        if let Some(text) = reply.error_text().filter(|_| !already_counted) {
            self.stats.count_error(text);
        }
        self.clients.put_back(id, client);
        reply
    }

    /// The reply with the client's own invalidation messages around it
    /// (Redis sends those produced while the command ran after its reply);
    /// messages for other clients (redirects) are queued as events.
    fn with_invalidations(
        &mut self,
        id: ClientId,
        reply: Reply,
        before: Vec<(ClientId, Reply)>,
        after: Vec<(ClientId, Reply)>,
    ) -> Reply {
        let blocked = matches!(reply, Reply::Blocked);
        let mut parts = Vec::new();
        for (to, message) in before {
            if to == id && !blocked {
                parts.push(message);
            } else {
                self.push_event(crate::events::Event::Deliver { client: to, reply: message });
            }
        }
        match reply {
            Reply::Multi(replies) => parts.extend(replies),
            Reply::Blocked => {}
            other => parts.push(other),
        }
        for (to, message) in after {
            if to == id && !blocked {
                parts.push(message);
            } else {
                self.push_event(crate::events::Event::Deliver { client: to, reply: message });
            }
        }
        if blocked {
            Reply::Blocked
        } else {
            Reply::Multi(parts)
        }
    }

    /// Redis's `processCommand`: the checks in Redis's order, then queue or call.
    fn process(&mut self, client: &mut Client, argv: Vec<Vec<u8>>) -> Reply {
        if argv.is_empty() {
            return Reply::Multi(Vec::new());
        }
        let spec = match commands::lookup(&argv) {
            commands::Lookup::Found(spec) => spec,
            commands::Lookup::UnknownCommand => {
                flag_transaction(client);
                return Reply::error(errors::unknown_command(&argv));
            }
            commands::Lookup::UnknownSubcommand(container) => {
                flag_transaction(client);
                return Reply::error(errors::unknown_subcommand(container.name, &argv[1]));
            }
        };
        client.last_command = (spec.parent, spec.name);
        if !spec.arity_ok(argv.len()) {
            flag_transaction(client);
            self.reject(spec);
            return reject_exec(client, spec, errors::wrong_arity(&spec.full_name()));
        }
        if let Err(error) = self.acl_gate(client, spec, &argv) {
            flag_transaction(client);
            self.reject(spec);
            return reject_exec(client, spec, error);
        }
        if let Some(redirect) = self.cluster_redirect(client, spec, &argv) {
            // Cluster mode: MOVED, ASK, CROSSSLOT… (a redirected EXEC discards the transaction).
            self.reject(spec);
            if spec.has(flags::RUNS_QUEUE) {
                client.multi = None;
                crate::watch::unwatch_all(client);
            } else {
                flag_transaction(client);
            }
            return Reply::error(redirect.error_text());
        }
        if self.config.maxmemory > 0 && self.busy.script.is_none() {
            if let Some(oom) = crate::eviction::reject_on_oom(self, client, spec) {
                self.reject(spec);
                return oom;
            }
        }
        if let Some(error) = crate::replication::refuse(self, client, spec) {
            flag_transaction(client);
            self.reject(spec);
            return reject_exec(client, spec, error);
        }
        if client.in_subscribed_mode() && !spec.has(flags::SUBSCRIBED_OK) {
            self.reject(spec);
            return reject_exec(client, spec, format!(
                "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
                spec.full_name()
            ));
        }
        if let Some(busy) = self.busy.script.as_ref().filter(|_| !spec.has(flags::ALLOW_BUSY)) {
            let error = busy.busy_error().to_string();
            flag_transaction(client);
            self.reject(spec);
            return reject_exec(client, spec, error);
        }
        let paused = self.client_pause.is_some_and(|p| p.all || self.writes_or_replicates(client, spec, &argv));
        // The master's stream is never held (a replica applies it in order).
        if paused && !self.repl.is_master_client(Some(client.id)) {
            // CLIENT PAUSE: the command waits, blocked, until the pause ends.
            let since_seq = self.clients.next_block_seq();
            let db = client.db;
            client.blocked =
                Some(BlockedState { argv, db, keys: Vec::new(), deadline_ms: None, since_seq, postponed: true });
            return Reply::Blocked;
        }
        if let Some(multi) = client.multi.as_mut() {
            if !spec.has(flags::RUNS_IN_MULTI) {
                if spec.has(flags::NO_MULTI) {
                    multi.aborted = true;
                    self.reject(spec);
                    return Reply::error("ERR Command not allowed inside a transaction");
                }
                multi.queue.push(QueuedCommand { argv });
                return Reply::QUEUED;
            }
        }
        self.call(client, spec, &argv)
    }

    /// What CLIENT PAUSE WRITE holds back: commands that write or may
    /// replicate (PUBLISH, PFCOUNT, scripts and functions not declared
    /// `no-writes`), and an EXEC whose queue holds one.
    fn writes_or_replicates(&self, client: &Client, spec: &CommandSpec, argv: &[Vec<u8>]) -> bool {
        if spec.has(flags::RUNS_QUEUE) {
            let queue = client.multi.as_ref().map(|m| m.queue.as_slice()).unwrap_or(&[]);
            return queue.iter().any(|q| match commands::lookup(&q.argv) {
                commands::Lookup::Found(s) => self.may_write(s, &q.argv),
                _ => false,
            });
        }
        self.may_write(spec, argv)
    }

    fn may_write(&self, spec: &CommandSpec, argv: &[Vec<u8>]) -> bool {
        let body = match spec.name {
            "eval" => argv.get(1).map(|b| b.as_slice()),
            "evalsha" => {
                let sha = argv.get(1).map(|s| String::from_utf8_lossy(s).to_ascii_lowercase()).unwrap_or_default();
                self.scripts.scripts.get(&sha).map(|b| b.as_slice())
            }
            "fcall" => {
                let found = argv.get(1).and_then(|name| self.scripts.functions.find(name));
                return !found.is_some_and(|(_, f)| f.has(crate::scripting::functions::flag::NO_WRITES));
            }
            _ => {
                return spec.has(flags::WRITE) || spec.has(flags::MAY_REPLICATE);
            }
        };
        // A script whose shebang declares no-writes is a read.
        let shebang = body.and_then(|b| crate::scripting::parse_shebang(b).ok().flatten());
        !shebang.is_some_and(|s| s.no_writes)
    }

    /// Ends a CLIENT PAUSE whose time is up.
    pub(crate) fn end_pause_if_due(&mut self) {
        if self.client_pause.is_some_and(|p| self.clock.now_ms() >= p.end_ms) {
            self.client_pause = None;
        }
    }

    /// Runs the commands CLIENT PAUSE held back, once it has ended, in the
    /// order they arrived; their replies are delivered as events. Never
    /// from inside a command (the running client's turn comes first).
    pub(crate) fn resume_postponed(&mut self) {
        if self.client_pause.is_some() || self.clients.running_id().is_some() || self.clients.resuming_postponed {
            return;
        }
        let mut waiting: Vec<(u64, ClientId)> = self
            .clients
            .values()
            .filter_map(|c| c.blocked.as_ref().filter(|b| b.postponed).map(|b| (b.since_seq, c.id)))
            .collect();
        waiting.sort_unstable();
        self.clients.resuming_postponed = true;
        for (_, id) in waiting {
            if self.client_pause.is_some() {
                break; // a resumed command paused the server again
            }
            let Some(blocked) = self.clients.get_mut(&id).and_then(|c| c.blocked.take()) else { continue };
            let reply = self.dispatch(id, blocked.argv);
            if !matches!(reply, Reply::Blocked) {
                self.push_event(crate::events::Event::Deliver { client: id, reply });
            }
        }
        self.clients.resuming_postponed = false;
    }

    pub(crate) fn reject(&mut self, spec: &CommandSpec) {
        self.stats.command_mut(spec).rejected_calls += 1;
    }

    /// Runs a command's handler with bookkeeping (stats). Also used by EXEC
    /// and scripts to run the commands they contain.
    pub(crate) fn call(&mut self, client: &mut Client, spec: &'static CommandSpec, argv: &[Vec<u8>]) -> Reply {
        let shared = crate::memory::shared_ints(&self.config);
        let (tracker, dbs) = (&mut self.server.memory, &self.keyspace.dbs);
        let measured = crate::server_state::before_call(tracker, dbs, shared, client.db, spec, argv);
        // The outermost command started at the pinned instant; that saves a
        // platform clock read per command (a call into JavaScript in the page).
        let outermost = self.clients.enter_call();
        let started_us = if outermost { self.clock.now_us() } else { self.clock.live_us() };
        let script = client.tracking.is_some() && runs_script(spec);
        let outer_script_keys = if script {
            let keys = spec.key_args(argv).into_iter().map(|k| k.to_vec()).collect();
            self.tracking.script_keys.replace(keys)
        } else {
            None
        };
        let reply = {
            let mut ctx = Ctx { engine: self, client };
            (spec.handler)(&mut ctx, argv).unwrap_or_else(|error| error)
        };
        self.clients.leave_call();
        if script {
            self.tracking.script_keys = outer_script_keys;
        }
        if client.tracking.is_some() && spec.has(flags::READONLY) && !spec.has(flags::PUBSUB) && !runs_script_ro(spec) {
            // Client-side caching: the keys this read-only command named may
            // now be cached by the client. Inside a script, Redis 7.0
            // remembers the script's declared keys instead.
            match self.tracking.script_keys.take() {
                Some(keys) => {
                    let named: Vec<&[u8]> = keys.iter().map(|k| k.as_slice()).collect();
                    self.tracking.remember(client, &named);
                    self.tracking.script_keys = Some(keys);
                }
                None => self.tracking.remember(client, &spec.key_args(argv)),
            }
        }
        let elapsed = (self.clock.live_us() - started_us).max(0) as u64;
        // Passwords never reach SLOWLOG or MONITOR.
        let shown = crate::acl::redacted(spec, argv);
        crate::server_state::after_call(self, client, spec, &shown, &reply, measured, elapsed);
        let now_ms = self.now_ms();
        self.stats.total_commands_processed += 1;
        self.stats.recent_ops.record(now_ms);
        let stat = self.stats.command_mut(spec);
        stat.calls += 1;
        stat.usec += elapsed;
        stat.latency_levels[crate::latency::histogram_level(elapsed)] += 1;
        if reply.is_error() {
            stat.failed_calls += 1;
        }
        if outermost && elapsed >= 1000 {
            // Latency events are about what clients wait for: commands a
            // script or a transaction runs count as part of it.
            let event = if spec.has(flags::FAST) { "fast-command" } else { "command" };
            self.note_latency(event, elapsed / 1000);
        }
        reply
    }
}

/// A rejected EXEC also discards the transaction, and says so (Redis's
/// `execCommandAbort`); other rejected commands answer `error` as is.
pub(crate) fn reject_exec(client: &mut Client, spec: &CommandSpec, error: String) -> Reply {
    if !spec.has(flags::RUNS_QUEUE) {
        return Reply::error(error);
    }
    client.multi = None;
    crate::watch::unwatch_all(client);
    let reason = error.strip_prefix("ERR ").unwrap_or(&error);
    Reply::error(format!("EXECABORT Transaction discarded because of: {reason}"))
}

/// EVAL, FCALL and their variants: the commands a script calls are
/// tracked with the script's own keys.
fn runs_script(spec: &CommandSpec) -> bool {
    spec.has(flags::RUNS_SCRIPT)
}

/// EVAL_RO, EVALSHA_RO and FCALL_RO: their keys are not remembered for
/// client-side caching, only those of the commands the script calls.
fn runs_script_ro(spec: &CommandSpec) -> bool {
    spec.has(flags::RUNS_SCRIPT) && spec.has(flags::READONLY)
}

/// `CLIENT CACHING yes|no` applies to the next command only (or to the
/// whole of a transaction it precedes), as Redis's `resetClient` decides.
fn forget_caching_flag(client: &mut Client) {
    // ASKING too lasts for the next command (or the transaction it precedes).
    if client.multi.is_none() && client.last_command != ("", "asking") {
        client.asking = false;
    }
    if client.multi.is_none() && client.last_command.0 != "client" {
        if let Some(mode) = client.tracking.as_mut() {
            mode.caching = false;
        }
    }
}

/// A queuing error inside MULTI dooms the transaction (EXECABORT).
fn flag_transaction(client: &mut Client) {
    if let Some(m) = client.multi.as_mut() {
        m.aborted = true;
    }
}
