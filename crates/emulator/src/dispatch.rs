//! The command pipeline: the one place that looks commands up and runs
//! them. [`Engine::dispatch`] takes the client out of the table, `process`
//! makes Redis's checks in Redis's order (unknown command, arity, OOM,
//! subscribed mode, MULTI queueing) and [`Engine::call`] runs the handler
//! with its bookkeeping (memory, AOF, slow log, MONITOR, stats). EXEC and
//! scripts run the commands they contain through [`Engine::call`] too.

use crate::client::{Client, ClientId, QueuedCommand};
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
        let Some(mut client) = self.clients.remove(&id) else {
            return Reply::error("ERR no such client");
        };
        self.clock.pin();
        client.last_interaction_ms = self.now_ms();
        let reply = self.process(&mut client, argv);
        let reply = client.filter_reply(reply);
        if let Some(text) = reply.error_text() {
            self.stats.count_error(text);
        }
        self.clients.put_back(id, client);
        self.serve_ready_keys();
        self.clock.unpin();
        reply
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
        if self.config.maxmemory > 0 {
            if let Some(oom) = crate::eviction::reject_on_oom(self, client, spec) {
                self.reject(spec);
                return oom;
            }
        }
        if client.in_subscribed_mode() && !spec.has(flags::SUBSCRIBED_OK) {
            self.reject(spec);
            return reject_exec(client, spec, format!(
                "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
                spec.full_name()
            ));
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
        let started_us = if self.clients.enter_call() { self.clock.now_us() } else { self.clock.live_us() };
        let reply = {
            let mut ctx = Ctx { engine: self, client };
            (spec.handler)(&mut ctx, argv).unwrap_or_else(|error| error)
        };
        self.clients.leave_call();
        let elapsed = (self.clock.live_us() - started_us).max(0) as u64;
        crate::server_state::after_call(self, client, spec, argv, &reply, measured, elapsed);
        let now_ms = self.now_ms();
        self.stats.total_commands_processed += 1;
        self.stats.recent_ops.record(now_ms);
        let stat = self.stats.command_mut(spec);
        stat.calls += 1;
        stat.usec += elapsed;
        if reply.is_error() {
            stat.failed_calls += 1;
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

/// A queuing error inside MULTI dooms the transaction (EXECABORT).
fn flag_transaction(client: &mut Client) {
    if let Some(m) = client.multi.as_mut() {
        m.aborted = true;
    }
}
