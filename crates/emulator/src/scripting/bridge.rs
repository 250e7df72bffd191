//! Running one script: parking the engine where `redis.call` can reach it,
//! building the Lua state, running the body within the time limit, and
//! turning the outcome into a reply with Redis 7.0's error format.

use std::cell::RefCell;

use rilua::vm::closure::{Closure, RustClosure};
use rilua::vm::state::{LuaState, MASK_COUNT};
use rilua::{Lua, LuaApiMut, LuaError, LuaResult, RustFn, StdLib, Val};

use super::convert;
use crate::client::Client;
use crate::clock::Clock;
use crate::config::Config;
use crate::engine::{Ctx, Engine};
use crate::reply::Reply;

/// Most memory a script's Lua state may hold; past it the script fails
/// with `not enough memory` (one operation may briefly double it).
pub(super) const MEMORY_LIMIT: usize = 128 * 1024 * 1024;

/// Nested Rust-level calls a script may make before `stack overflow`.
const MAX_NESTED_CALLS: u16 = 40;

/// Instructions between two checks of the time limit.
const CHECK_EVERY: i32 = 10_000;
/// Instructions a script may run per millisecond of `busy-reply-threshold`
/// when the clock does not move (a paused or manual clock).
const INSTRUCTIONS_PER_MS: u64 = 20_000;

/// What `redis.call` needs while a script runs.
pub(super) struct Bridge {
    pub engine: Engine,
    pub client: Client,
    pub read_only: bool,
    /// Memory was over `maxmemory` when a script without a shebang started:
    /// its first write of a `denyoom` command fails with `-OOM` (Redis's
    /// `scriptVerifyOOM`).
    pub deny_oom_writes: bool,
    /// A write command already ran (past it, writes are no longer refused).
    pub wrote: bool,
    /// Protocol chosen with `redis.setresp` (2 or 3).
    pub resp: u8,
    instructions: u64,
    budget: u64,
    started_us: i64,
    threshold_ms: u64,
    pub stopped: bool,
    /// The text of the last error `redis.call` raised.
    pub last_call_error: Option<String>,
    /// Errors of called commands, already counted in the error statistics.
    pub counted_errors: Vec<String>,
    /// An error Redis reports without the `script: …` trailer.
    pub bare_error: Option<String>,
    /// Set once `_G` is read-only (setmetatable on it is refused from then).
    pub globals_protected: bool,
    /// The libraries' read-only views (`redis`, `cjson` …): rawset and
    /// setmetatable refuse them.
    pub readonly_tables: Vec<Val>,
    /// Coroutines currently resumed inside one another.
    pub resume_depth: u32,
    /// The chunk name of the user's code (`@user_script`, `@user_function`).
    source: &'static str,
    /// True while FUNCTION LOAD runs a library: the time limit is Redis's
    /// fixed load timeout and its error says so.
    loading: bool,
    /// SCRIPT KILL or FUNCTION KILL stopped the script.
    killed: bool,
    /// What FUNCTION STATS shows once the script is busy.
    busy_as: Option<(Option<String>, Vec<Vec<u8>>)>,
}

thread_local! {
    static BRIDGE: RefCell<Option<Bridge>> = const { RefCell::new(None) };
}

impl Bridge {
    /// lua-cjson's settings of the interpreter this run belongs to.
    pub(super) fn cjson_config(&mut self) -> &mut super::cjson_config::CjsonConfig {
        if self.source == FUNCTION_SOURCE {
            &mut self.engine.scripts.cjson_functions
        } else {
            &mut self.engine.scripts.cjson_eval
        }
    }
}

/// Runs `f` on the parked engine and client. None outside a script.
pub(super) fn with_bridge<R>(f: impl FnOnce(&mut Bridge) -> R) -> Option<R> {
    BRIDGE.with(|b| b.try_borrow_mut().ok().and_then(|mut b| b.as_mut().map(f)))
}

fn placeholder_engine() -> Engine {
    Engine::new(Clock::manual(0), 0, Config { databases: 0, ..Config::default() })
}

/// Chunk name of EVAL scripts.
const SCRIPT_SOURCE: &str = "@user_script";
/// Chunk name of function libraries.
const FUNCTION_SOURCE: &str = "@user_function";
/// How long FUNCTION LOAD may run a library's code (Redis's fixed limit).
const LOAD_TIMEOUT_MS: u64 = 500;

/// How a run is limited and named.
struct RunSetup {
    read_only: bool,
    deny_oom_writes: bool,
    threshold_ms: u64,
    source: &'static str,
    loading: bool,
    /// The function's name (`None` for EVAL) and the command that runs it.
    running: Option<(Option<String>, Vec<Vec<u8>>)>,
}

/// Parks the engine and the caller where `redis.call` reaches them, runs
/// `f`, and puts them back.
fn parked<R>(ctx: &mut Ctx, setup: RunSetup, f: impl FnOnce() -> R) -> R {
    let started_us = ctx.engine.clock.live_us();
    let caller_db = ctx.client.db;
    let was_in_script = std::mem::replace(&mut ctx.client.in_script, true);
    ctx.engine.clients.forbid_blocking();
    let engine = std::mem::replace(&mut *ctx.engine, placeholder_engine());
    let client = std::mem::replace(&mut *ctx.client, Client::new(0, String::new(), 0));
    let bridge = Bridge {
        engine,
        client,
        read_only: setup.read_only,
        deny_oom_writes: setup.deny_oom_writes,
        wrote: false,
        resp: 2,
        instructions: 0,
        budget: setup.threshold_ms.saturating_mul(INSTRUCTIONS_PER_MS),
        started_us,
        threshold_ms: setup.threshold_ms,
        stopped: false,
        last_call_error: None,
        counted_errors: Vec::new(),
        bare_error: None,
        globals_protected: false,
        readonly_tables: Vec::new(),
        resume_depth: 0,
        source: setup.source,
        loading: setup.loading,
        killed: false,
        busy_as: setup.running,
    };
    BRIDGE.with(|b| *b.borrow_mut() = Some(bridge));
    let result = f();
    let bridge = BRIDGE.with(|b| b.borrow_mut().take());
    if let Some(mut bridge) = bridge {
        if bridge.engine.busy.script.take().is_some() {
            if let Some(host) = bridge.engine.busy.host.as_mut() {
                host.finished();
            }
        }
        *ctx.engine = bridge.engine;
        *ctx.client = bridge.client;
    }
    // A SELECT inside the script does not move the caller.
    ctx.client.db = caller_db;
    ctx.client.in_script = was_in_script;
    ctx.engine.clients.allow_blocking();
    result
}

/// Runs a script with `keys` and `args` for the calling client; `compat`
/// for a script without a shebang.
pub fn run_script(
    ctx: &mut Ctx,
    command: &[Vec<u8>],
    sha: &str,
    body: &[u8],
    keys: &[Vec<u8>],
    args: &[Vec<u8>],
    flags: ScriptFlags,
) -> Reply {
    let threshold_ms = ctx.engine.config.busy_reply_threshold_ms.max(1);
    let deny_oom_writes = flags.compat && crate::eviction::over_limit(ctx.engine);
    let setup = RunSetup {
        read_only: flags.read_only,
        deny_oom_writes,
        threshold_ms,
        source: SCRIPT_SOURCE,
        loading: false,
        running: Some((None, command.to_vec())),
    };
    parked(ctx, setup, || counted(run_in_lua(sha, body, keys, args).unwrap_or_else(|error| error)))
}

/// A script's reply that is an error a called command gave (raised with
/// the script trailer, or returned from `redis.pcall`) was counted when it
/// arose: the reply is marked so it is not counted again.
fn counted(reply: Reply) -> Reply {
    if let Some(text) = reply.error_text() {
        with_bridge(|b| {
            let seen = b
                .counted_errors
                .iter()
                .any(|e| text == e || text.strip_prefix(e.as_str()).is_some_and(|rest| rest.starts_with(" script: ")));
            if seen {
                b.engine.stats.reply_error_counted = true;
            }
        });
    }
    reply
}

/// How an EVAL script runs: read-only (EVAL_RO or `no-writes`), and
/// whether it has no shebang (Redis's compatibility mode).
#[derive(Debug, Clone, Copy)]
pub struct ScriptFlags {
    pub read_only: bool,
    pub compat: bool,
}

/// Runs function `name` of the library whose code (after its shebang line)
/// is `code`: the library is loaded into a fresh state, then the function
/// is called with the key and argument tables.
pub fn run_function(
    ctx: &mut Ctx,
    command: &[Vec<u8>],
    code: &[u8],
    name: &str,
    keys: &[Vec<u8>],
    args: &[Vec<u8>],
    read_only: bool,
) -> Reply {
    let threshold_ms = ctx.engine.config.busy_reply_threshold_ms.max(1);
    let setup = RunSetup {
        read_only,
        deny_oom_writes: false,
        threshold_ms,
        source: FUNCTION_SOURCE,
        loading: false,
        running: Some((Some(name.to_string()), command.to_vec())),
    };
    parked(ctx, setup, || counted(call_in_lua(code, name, keys, args).unwrap_or_else(|error| error)))
}

/// Runs a library's code (after its shebang line) as FUNCTION LOAD does
/// and returns the functions it registered, or the error reply.
pub fn load_library(ctx: &mut Ctx, code: &[u8]) -> Result<Vec<super::functions::Registered>, Reply> {
    let setup = RunSetup {
        read_only: true,
        deny_oom_writes: false,
        threshold_ms: LOAD_TIMEOUT_MS,
        source: FUNCTION_SOURCE,
        loading: true,
        running: None,
    };
    parked(ctx, setup, || {
        let mut lua = new_lua()?;
        install_library(&mut lua, code)?;
        Ok(super::functions::take_registered(&mut lua))
    })
}

fn new_lua() -> Result<Lua, Reply> {
    let libs = StdLib::BASE | StdLib::TABLE | StdLib::STRING | StdLib::MATH | StdLib::COROUTINE;
    Lua::new_with(libs).map_err(|e| Reply::error(format!("ERR could not start the Lua interpreter: {e}")))
}

fn setup_error(e: LuaError) -> Reply {
    Reply::error(crate::errors::sanitize(&format!("ERR could not set up the script environment: {e}")))
}

/// Compiles a library and runs it in the load environment, with the
/// registrations recorded. Ok with the function that ends the load mode.
fn install_library(lua: &mut Lua, code: &[u8]) -> Result<rilua::Function, Reply> {
    if let Some(line) = super::nesting::too_deep(code) {
        return Err(Reply::error(format!(
            "ERR Error compiling function: user_function:{line}: chunk has too many syntax levels"
        )));
    }
    let end_load = super::libs::install(lua, super::libs::Env::Library).map_err(setup_error)?;
    let Some(end_load) = end_load else { return Err(setup_error(rilua::runtime_error("no load mode"))) };
    let chunk = lua.load_bytes(code, FUNCTION_SOURCE).map_err(|e| {
        Reply::error(crate::errors::sanitize(&format!("ERR Error compiling function: {}", error_text(&e))))
    })?;
    install_limit_hook(lua);
    lua.state_mut().call_depth = rilua::vm::state::MAXCCALLS - MAX_NESTED_CALLS;
    lua.state_mut().gc.set_alloc_limit(MEMORY_LIMIT);
    super::functions::begin_registration();
    let outcome = lua.call_function(&chunk, &[]);
    let stopped = with_bridge(|b| b.stopped).unwrap_or(false);
    let failure = match outcome {
        Ok(_) if stopped => Some(failure(lua, &LuaError::Runtime(rilua::RuntimeError::new("killed")))),
        Ok(_) => None,
        Err(e) => Some(failure(lua, &e)),
    };
    if let Some(f) = failure {
        super::functions::end_registration();
        let text = match f {
            Failure::Bare(t) => t,
            Failure::Message { text, .. } => text,
        };
        return Err(Reply::error(crate::errors::sanitize(&format!("ERR Error registering functions: {text}"))));
    }
    Ok(end_load)
}

/// Loads a library into a fresh Lua state and calls its function `name`;
/// `Err` for a failure before the function runs.
fn call_in_lua(code: &[u8], name: &str, keys: &[Vec<u8>], args: &[Vec<u8>]) -> Result<Reply, Reply> {
    let mut lua = new_lua()?;
    let end_load = install_library(&mut lua, code)?;
    let registered = super::functions::take_registered(&mut lua);
    let Some(callback) =
        registered.iter().find(|r| r.info.name.eq_ignore_ascii_case(name.as_bytes())).map(|r| r.callback)
    else {
        return Err(Reply::error("ERR Function not found"));
    };
    lua.call_function(&end_load, &[]).map_err(setup_error)?;
    let state = lua.state_mut();
    let keys_table = super::libs::string_list(state, keys);
    let args_table = super::libs::string_list(state, args);
    let outcome = lua.call_function(&callback, &[keys_table, args_table]);
    Ok(finish(&mut lua, name, outcome))
}

/// Compiles and runs an EVAL script in a fresh Lua state; `Err` for a
/// failure before the script runs (setup, compilation).
fn run_in_lua(sha: &str, body: &[u8], keys: &[Vec<u8>], args: &[Vec<u8>]) -> Result<Reply, Reply> {
    let mut lua = new_lua()?;
    super::libs::install(&mut lua, super::libs::Env::Script { keys, args }).map_err(setup_error)?;
    let function = lua.load_bytes(body, SCRIPT_SOURCE).map_err(|e| {
        Reply::error(crate::errors::sanitize(&format!("ERR Error compiling script (new function): {}", error_text(&e))))
    })?;
    install_limit_hook(&mut lua);
    // Nested calls that go through Rust (pcall, metamethods, sort and gsub
    // callbacks) each use real stack; Lua's own limit (200) is more than a
    // browser's 1 MB stack holds, so scripts start closer to it.
    lua.state_mut().call_depth = rilua::vm::state::MAXCCALLS - MAX_NESTED_CALLS;
    lua.state_mut().gc.set_alloc_limit(MEMORY_LIMIT);
    let outcome = lua.call_function(&function, &[]);
    Ok(finish(&mut lua, sha, outcome))
}

/// The reply for a finished run named `name` in error trailers.
fn finish(lua: &mut Lua, name: &str, outcome: LuaResult<Vec<Val>>) -> Reply {
    match outcome {
        Ok(_) if with_bridge(|b| b.stopped).unwrap_or(false) => {
            // The limit fired inside a coroutine whose error the script caught.
            script_error(lua, name, &LuaError::Runtime(rilua::RuntimeError::new("killed")))
        }
        Ok(results) => {
            let value = results.first().copied().unwrap_or(Val::Nil);
            let resp = with_bridge(|b| b.resp).unwrap_or(2);
            convert::lua_to_reply(lua.state_mut(), value, resp)
        }
        Err(e) => script_error(lua, name, &e),
    }
}

fn error_text(e: &LuaError) -> String {
    match e {
        LuaError::Syntax(s) => String::from_utf8_lossy(&s.to_lua_bytes()).into_owned(),
        other => other.to_string(),
    }
}

/// What went wrong in a run.
enum Failure {
    /// An error Redis reports as it is.
    Bare(String),
    /// An error reply's text and the script line it happened on.
    Message { text: String, line: Option<u32> },
}

fn failure(lua: &mut Lua, e: &LuaError) -> Failure {
    let (stopped, loading, killed, source) =
        with_bridge(|b| (b.stopped, b.loading, b.killed, b.source)).unwrap_or((false, false, false, ""));
    let state = lua.state_mut();
    let object = state.error_object.take();
    let line = script_line(state, source);
    let message = if stopped && loading {
        "ERR FUNCTION LOAD timeout".to_string()
    } else if killed {
        "ERR Script killed by user with SCRIPT KILL...".to_string()
    } else if stopped {
        let ms = with_bridge(|b| b.threshold_ms).unwrap_or(0);
        format!("ERR Script killed: it ran longer than busy-reply-threshold ({ms} ms)")
    } else {
        match object {
            Some(Val::Table(_)) => match object.and_then(|o| convert::table_error_field(state, o)) {
                Some(err) => err,
                None => "ERR Error running script: the error object is a table without an err field".into(),
            },
            Some(Val::Str(r)) => {
                let text = state.gc.string_arena.get(r).map(|s| s.data().to_vec()).unwrap_or_default();
                let text = String::from_utf8_lossy(&text).into_owned();
                if with_bridge(|b| b.bare_error.as_deref() == Some(text.as_str())).unwrap_or(false) {
                    return Failure::Bare(text);
                }
                if with_bridge(|b| b.last_call_error.as_deref() == Some(text.as_str())).unwrap_or(false) {
                    text
                } else {
                    format!("ERR {text}")
                }
            }
            Some(Val::Num(_)) | None => format!("ERR {}", error_text(e)),
            Some(other) => format!("ERR {other}"),
        }
    };
    let line = line.or_else(|| line_from_message(&message, source));
    Failure::Message { text: message, line }
}

/// Redis 7.0's error reply for a failed script or function:
/// `<code> <message> script: <name>, on @user_script:<line>.`
fn script_error(lua: &mut Lua, name: &str, e: &LuaError) -> Reply {
    let source = with_bridge(|b| b.source).unwrap_or(SCRIPT_SOURCE);
    let text = match failure(lua, e) {
        Failure::Bare(text) => text,
        Failure::Message { text, line: Some(line) } => format!("{text} script: {name}, on {source}:{line}."),
        Failure::Message { text, line: None } => format!("{text} script: {name}."),
    };
    Reply::error(crate::errors::sanitize(&text))
}

/// The line of the innermost frame of the user's script still on the call
/// stack (the stack is left intact after an error).
fn script_line(state: &LuaState, source: &str) -> Option<u32> {
    let top = state.ci.min(state.call_stack.len().saturating_sub(1));
    for i in (0..=top).rev() {
        let ci = state.call_stack.get(i)?;
        let Val::Function(r) = state.stack_get(ci.func) else { continue };
        let Some(Closure::Lua(lcl)) = state.gc.closures.get(r) else { continue };
        if lcl.proto.source != source {
            continue;
        }
        let pc = ci.saved_pc;
        let info = &lcl.proto.line_info;
        return if pc > 0 && pc <= info.len() { info.get(pc - 1).copied() } else { info.first().copied() };
    }
    None
}

/// `user_script:<line>: ` for the Lua function calling the running Rust
/// function (what `luaL_error` prefixes), or nothing.
pub(super) fn caller_where(state: &LuaState) -> String {
    let Some(ci) = state.ci.checked_sub(1).and_then(|i| state.call_stack.get(i)) else {
        return String::new();
    };
    let Val::Function(r) = state.stack_get(ci.func) else { return String::new() };
    let Some(Closure::Lua(lcl)) = state.gc.closures.get(r) else { return String::new() };
    let info = &lcl.proto.line_info;
    let pc = ci.saved_pc;
    let line = if pc > 0 && pc <= info.len() { info.get(pc - 1) } else { info.first() };
    match line {
        Some(line) => format!("{}:{line}: ", rilua::error::chunkid(&lcl.proto.source)),
        None => String::new(),
    }
}

/// `ERR user_script:3: boom` → 3 (the VM's own errors carry their line).
fn line_from_message(message: &str, source: &str) -> Option<u32> {
    let prefix = format!("{}:", source.trim_start_matches('@'));
    let rest = message.split(prefix.as_str()).nth(1)?;
    rest.split(':').next()?.parse().ok()
}

/// Makes a Rust function value (not a global).
pub(super) fn rust_function(state: &mut LuaState, f: RustFn, name: &str) -> Val {
    Val::Function(state.gc.alloc_closure(Closure::Rust(RustClosure::new(f, name))))
}

fn install_limit_hook(lua: &mut Lua) {
    let state = lua.state_mut();
    state.hook.hook_func = rust_function(state, limit_hook, "limit_hook");
    state.hook.hook_mask = MASK_COUNT;
    state.hook.base_hook_count = CHECK_EVERY;
    state.hook.hook_count = CHECK_EVERY;
}

/// Count hook: stops a script that ran past `busy-reply-threshold`, on the
/// engine's clock or, when the clock stands still, by instruction count.
/// Once stopped it fires on every instruction so `pcall` cannot swallow it.
fn limit_hook(state: &mut LuaState) -> LuaResult<u32> {
    let over = with_bridge(|b| {
        if b.stopped {
            return true;
        }
        b.instructions += CHECK_EVERY as u64;
        let elapsed_ms = (b.engine.clock.live_us() - b.started_us).max(0) as u64 / 1000;
        if b.engine.busy.host.is_some() && !b.loading {
            // Redis's way: past the threshold the script goes on and the
            // host serves the other clients, who may kill it.
            if elapsed_ms > b.threshold_ms {
                serve_while_busy(b);
            }
            return b.stopped;
        }
        if b.instructions > b.budget || elapsed_ms > b.threshold_ms {
            b.stopped = true;
        }
        b.stopped
    })
    .unwrap_or(false);
    if !over {
        return Ok(0);
    }
    state.hook.base_hook_count = 1;
    state.hook.hook_count = 1;
    Err(rilua::runtime_error("Script killed: it ran longer than busy-reply-threshold"))
}

/// One turn of the host while the script is busy: it answers the other
/// clients; a SCRIPT KILL or FUNCTION KILL among them stops the script.
fn serve_while_busy(b: &mut Bridge) {
    if b.engine.busy.script.is_none() {
        let (function, command) = b.busy_as.clone().unwrap_or_default();
        let started_ms = b.started_us / 1000;
        b.engine.busy.script =
            Some(super::busy::BusyScript { function, command, started_ms, wrote: false, kill_requested: false });
    }
    if let Some(script) = b.engine.busy.script.as_mut() {
        script.wrote = b.wrote;
    }
    if let Some(mut host) = b.engine.busy.host.take() {
        host.serve(&mut b.engine);
        b.engine.busy.host = Some(host);
    }
    if b.engine.busy.script.as_ref().is_some_and(|s| s.kill_requested) {
        b.stopped = true;
        b.killed = true;
    }
}

/// Compiles a body without running it (SCRIPT LOAD, EVAL before caching):
/// the compile error reply if it does not compile.
pub fn compile_error(body: &[u8]) -> Option<Reply> {
    if let Some(line) = super::nesting::too_deep(body) {
        return Some(Reply::error(format!(
            "ERR Error compiling script (new function): user_script:{line}: chunk has too many syntax levels"
        )));
    }
    let mut lua = Lua::new_empty();
    match lua.load_bytes(body, "@user_script") {
        Ok(_) => None,
        Err(e) => Some(Reply::error(crate::errors::sanitize(&format!(
            "ERR Error compiling script (new function): {}",
            error_text(&e)
        )))),
    }
}
