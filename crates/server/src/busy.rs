//! Serving the other clients while a script runs, as Redis does.
//!
//! Scripts (EVAL, FCALL and EXEC, which may contain them) run on a blocking
//! thread that holds the engine, so the connections' runtime keeps going.
//! Until the script passes `busy-reply-threshold` the others wait for the
//! engine; past it the engine calls [`GateHost::serve`] every few thousand
//! Lua instructions, and the connections hand their requests to it through
//! the [`Gate`]: they are answered in busy mode (`-BUSY`, but SCRIPT KILL,
//! FUNCTION KILL, FUNCTION STATS, SHUTDOWN NOSAVE, MULTI, AUTH, HELLO …
//! work), so a runaway script can be stopped without restarting the server.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use redis_emulator::{BusyHost, Engine};
use tokio::sync::Notify;

/// Work for the engine while a script is busy.
pub type Job = Box<dyn FnOnce(&mut Engine) + Send>;

#[derive(Default)]
struct Inbox {
    /// A script is busy: jobs are taken.
    active: bool,
    jobs: Vec<Job>,
}

/// Where the connections meet the busy script.
#[derive(Default)]
pub struct Gate {
    inbox: Mutex<Inbox>,
    /// Scripts running on a blocking thread (the engine may be held).
    scripts: AtomicUsize,
    /// Signalled when a script becomes busy and when one ends.
    changed: Notify,
}

impl Gate {
    fn inbox(&self) -> MutexGuard<'_, Inbox> {
        self.inbox.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// True while a script past its threshold takes jobs.
    pub fn is_busy(&self) -> bool {
        self.inbox().active
    }

    /// True while a script runs on a blocking thread.
    pub fn script_running(&self) -> bool {
        self.scripts.load(Ordering::Acquire) > 0
    }

    /// Hands `job` to the busy script; gives it back when no script is
    /// busy (it ended meanwhile: run the work the normal way).
    pub fn submit(&self, job: Job) -> Result<(), Job> {
        let mut inbox = self.inbox();
        if !inbox.active {
            return Err(job);
        }
        inbox.jobs.push(job);
        Ok(())
    }

    /// A script starts on a blocking thread.
    pub fn script_started(&self) {
        self.scripts.fetch_add(1, Ordering::AcqRel);
    }

    /// The script's thread has released the engine.
    pub fn script_ended(&self) {
        self.scripts.fetch_sub(1, Ordering::AcqRel);
        self.changed.notify_waiters();
    }

    /// Waits until a script becomes busy or ends. Create the future, then
    /// check the state, then await it, so no signal is missed.
    pub fn changed(&self) -> tokio::sync::futures::Notified<'_> {
        self.changed.notified()
    }
}

/// The engine's [`BusyHost`]: runs the jobs the connections submitted.
pub struct GateHost(pub Arc<Gate>);

impl BusyHost for GateHost {
    fn serve(&mut self, engine: &mut Engine) {
        let (jobs, began) = {
            let mut inbox = self.0.inbox();
            let began = !inbox.active;
            inbox.active = true;
            (std::mem::take(&mut inbox.jobs), began)
        };
        if began {
            self.0.changed.notify_waiters();
        }
        for job in jobs {
            job(engine);
        }
    }

    fn finished(&mut self) {
        let mut inbox = self.0.inbox();
        inbox.active = false;
        // Jobs not run are dropped: their connections see the reply channel
        // closed and run the same requests the normal way.
        inbox.jobs.clear();
    }
}
