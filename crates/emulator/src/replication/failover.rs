//! FAILOVER: a coordinated switch of roles with a replica. Writes pause,
//! the master waits until the target has acknowledged the whole stream
//! (or the timeout passes: FORCE goes ahead, otherwise it gives up), then
//! becomes the target's replica with `PSYNC replid offset FAILOVER`, which
//! makes the target promote itself and continue our history.

use super::{FailoverState, ReplicaState};
use crate::client::ClientPause;
use crate::engine::Engine;

impl Engine {
    /// Starts a failover (the command checked its arguments and the replicas).
    pub(crate) fn start_failover(&mut self, host: String, port: u16, deadline_ms: Option<i64>, force: bool) {
        self.repl.failover = FailoverState::WaitingForSync { host, port, deadline_ms, force };
        self.client_pause = Some(ClientPause { end_ms: i64::MAX, all: false });
        self.repl.request_acks();
        self.failover_cron();
    }

    /// FAILOVER ABORT, or a failover that could not finish.
    pub(crate) fn abort_failover(&mut self) {
        let was = std::mem::replace(&mut self.repl.failover, FailoverState::None);
        if matches!(was, FailoverState::InProgress { .. }) && self.repl.master.is_some() {
            self.become_master();
        }
        if self.client_pause.is_some_and(|p| p.end_ms == i64::MAX && !p.all) {
            self.client_pause = None;
        }
    }

    /// `master_failover_state`.
    pub(crate) fn failover_state_name(&self) -> &'static str {
        match self.repl.failover {
            FailoverState::None => "no-failover",
            FailoverState::WaitingForSync { .. } => "waiting-for-sync",
            FailoverState::InProgress { .. } => "failover-in-progress",
        }
    }

    /// Moves the failover on: the target caught up (or the time is up).
    pub(crate) fn failover_cron(&mut self) {
        let now = self.now_ms();
        match self.repl.failover.clone() {
            FailoverState::None => {}
            FailoverState::WaitingForSync { host, port, deadline_ms, force } => {
                let offset = self.repl.offset;
                let caught_up = self.repl.replicas.iter().any(|r| {
                    r.state == ReplicaState::Online
                        && r.ack_offset >= offset
                        && (host.is_empty() || (r.ip.eq_ignore_ascii_case(&host) && r.port == port))
                });
                let chosen = if host.is_empty() {
                    let r = self.repl.replicas.iter().find(|r| r.ack_offset >= offset);
                    r.map(|r| (r.ip.clone(), r.port))
                } else {
                    Some((host.clone(), port))
                };
                let expired = deadline_ms.is_some_and(|d| now >= d);
                match chosen {
                    Some((h, p)) if caught_up || (expired && force) => {
                        self.repl.failover = FailoverState::InProgress { host: h.clone(), port: p };
                        self.become_replica_of(h, p);
                        if let Some(m) = self.repl.master.as_mut() {
                            m.failover = true;
                        }
                    }
                    _ if expired => self.abort_failover(),
                    _ => self.repl.request_acks(),
                }
            }
            FailoverState::InProgress { .. } => {
                let state = self.repl.master.as_ref().map(|m| m.state);
                if state == Some(super::link::LinkState::Connected) {
                    self.repl.failover = FailoverState::None;
                    if let Some(m) = self.repl.master.as_mut() {
                        m.failover = false;
                    }
                    if self.client_pause.is_some_and(|p| p.end_ms == i64::MAX && !p.all) {
                        self.client_pause = None;
                    }
                } else if self.repl.master.as_ref().is_some_and(|m| m.last_error.is_some()) {
                    self.abort_failover();
                }
            }
        }
    }
}
