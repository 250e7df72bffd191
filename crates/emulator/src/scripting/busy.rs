//! A script that runs past `busy-reply-threshold` in a host that can serve
//! other clients meanwhile (the native server), as Redis does: the script
//! keeps running, and every few thousand Lua instructions the host gets the
//! engine to answer the other clients. They get `-BUSY` except for the
//! commands flagged `allow_busy` (SCRIPT KILL, FUNCTION KILL, FUNCTION
//! STATS, SHUTDOWN NOSAVE, MULTI, WATCH, AUTH, HELLO …), so the script can
//! be stopped without restarting the server.
//!
//! Without a host (the page, which runs on one thread and cannot answer
//! anyone while a script runs) a script is stopped at the threshold instead.

use crate::engine::Engine;

/// The host's side of a busy script.
pub trait BusyHost: Send {
    /// Serves the requests that arrived since the last call, through
    /// [`Engine::execute`], which answers them in busy mode. Called every
    /// few thousand Lua instructions while the script is busy.
    fn serve(&mut self, engine: &mut Engine);
    /// The busy script has ended (it returned, failed or was killed):
    /// from now on requests go through the normal path again.
    fn finished(&mut self);
}

/// The script that is busy: what FUNCTION STATS shows and what SCRIPT KILL
/// and FUNCTION KILL decide on.
#[derive(Debug, Clone)]
pub(crate) struct BusyScript {
    /// The function's name; `None` for EVAL/EVALSHA.
    pub function: Option<String>,
    /// The command as the client sent it (FUNCTION STATS `command`).
    pub command: Vec<Vec<u8>>,
    pub started_ms: i64,
    /// The script already ran a write command: it can no longer be killed.
    pub wrote: bool,
    /// SCRIPT KILL or FUNCTION KILL asked to stop it.
    pub kill_requested: bool,
}

impl BusyScript {
    /// The `-BUSY` error other commands get while this script runs.
    pub fn busy_error(&self) -> &'static str {
        if self.function.is_some() {
            "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
        } else {
            "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
        }
    }
}

/// The host, if any, and the busy script, if any.
#[derive(Default)]
pub(crate) struct Busy {
    pub host: Option<Box<dyn BusyHost>>,
    pub script: Option<BusyScript>,
}

impl std::fmt::Debug for Busy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Busy").field("host", &self.host.is_some()).field("script", &self.script).finish()
    }
}

/// SCRIPT KILL (`eval`) and FUNCTION KILL: Redis's checks in its order.
pub(crate) fn kill(engine: &mut Engine, eval: bool) -> Result<(), String> {
    let Some(script) = engine.busy.script.as_mut() else {
        return Err("NOTBUSY No scripts in execution right now.".into());
    };
    if script.wrote {
        return Err("UNKILLABLE Sorry the script already executed write commands against the dataset. \
                    You can either wait the script termination or kill the server in a hard way using \
                    the SHUTDOWN NOSAVE command."
            .into());
    }
    if eval == script.function.is_some() {
        return Err(script.busy_error().into());
    }
    script.kill_requested = true;
    Ok(())
}
