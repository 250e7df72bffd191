//! The environment a script sees: the `redis` table, `KEYS`/`ARGV`, Redis's
//! deterministic `math.random`, the `bit` library (LuaBitOp), and globals
//! that cannot be created or read when missing (Redis 7.0).

use rilua::vm::state::LuaState;
use rilua::{Lua, LuaApiMut, LuaError, LuaResult, RustFn, Val};

use super::bridge::{rust_function, with_bridge};
use super::convert::{field_table, new_table, reply_to_lua, string_val, table_set, val_bytes};
use crate::command::flags;
use crate::commands;
use crate::reply::Reply;

/// The globals a Redis 7.0 script can see (besides `KEYS` and `ARGV`);
/// everything else the Lua libraries define is hidden.
const ALLOWED_GLOBALS: &str =
    "_G _VERSION assert bit cjson cmsgpack collectgarbage coroutine error gcinfo getmetatable ipairs \
    load loadstring math next pairs pcall rawequal rawget rawset redis select setmetatable string struct table \
    tonumber tostring type unpack xpcall KEYS ARGV";

/// Makes `_G` read-only: reading a missing global or assigning any global
/// raises Redis's errors, at the script's line (level 2). `rawset` refuses
/// `_G`, and coroutines are created with the time-limit hook.
const PROTECT_GLOBALS: &str = r#"
local allowed, load_api = ...
local real = {}
for name in string.gmatch(allowed, "%S+") do real[name] = _G[name] end
local G, error, tostring, rawset, setmetatable, unpack, maxn = _G, error, tostring, rawset, setmetatable, unpack, table.maxn
-- The libraries are read-only too: scripts get views of them that refuse
-- assignments (rawset and setmetatable refuse them as well); pairs() and
-- next() walk a view as the library it shows.
local libraries = { "redis", "bit", "cjson", "cmsgpack", "struct", "string", "math", "table", "coroutine" }
local views, sources = {}, {}
local raw_next = real.next
real.next = function(t, k) return raw_next(sources[t] or t, k) end
for k in pairs(G) do rawset(G, k, nil) end
-- pairs() fetches `next` from the globals table itself.
rawset(G, "next", real.next)
-- What getmetatable(_G) answers: read-only too.
local protected = setmetatable({}, {
  __newindex = function() error("Attempt to modify a readonly table", 2) end,
  __metatable = false,
})
-- load(f) builds the chunk from f's pieces and compiles it like loadstring.
local loadstring_, concat = real.loadstring, real.table.concat
real.load = function(f, name)
  local parts = {}
  while true do
    local piece = f()
    if piece == nil or piece == "" then break end
    parts[#parts + 1] = piece
  end
  return loadstring_(concat(parts), name)
end
local co_lib = real.coroutine
local create, resume = co_lib.create, co_lib.resume
co_lib.wrap = function(f)
  local co = create(f)
  return function(...)
    local res = { resume(co, ...) }
    if res[1] then return unpack(res, 2, maxn(res)) end
    error(res[2], 0)
  end
end
for i = 1, #libraries do
  local name = libraries[i]
  views[i] = setmetatable({}, {
    __index = real[name],
    __newindex = function() error("Attempt to modify a readonly table", 2) end,
    __metatable = false,
  })
  sources[views[i]] = real[name]
  real[name] = views[i]
end
-- While a library loads, globals come from its load API instead.
local loading = load_api
setmetatable(G, {
  __index = function(_, k)
    local v
    if loading then v = loading[k] else v = real[k] end
    if v == nil then
      error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
    end
    return v
  end,
  __newindex = function() error("Attempt to modify a readonly table", 2) end,
  __metatable = protected,
})
local end_loading = nil
if load_api then end_loading = function() loading = nil end end
return end_loading, unpack(views, 1, #libraries)
"#;

/// Which globals a run gets.
pub(super) enum Env<'a> {
    /// EVAL: `KEYS` and `ARGV`.
    Script { keys: &'a [Vec<u8>], args: &'a [Vec<u8>] },
    /// A function library: no `KEYS`/`ARGV`; the code first runs with only
    /// the load API (`redis.register_function`, `redis.log`, versions).
    Library,
}

/// Sets up the globals for one run. For a library, Ok(Some) holds the
/// function that ends the load mode (globals become the runtime ones).
pub(super) fn install(lua: &mut Lua, env: Env) -> LuaResult<Option<rilua::Function>> {
    let state = lua.state_mut();
    let redis = redis_table(state);
    let bit = bit_table(state);
    let cjson = super::cjson::table(state);
    let cmsgpack = super::cmsgpack::table(state);
    let structlib = super::structlib::table(state);
    if let Env::Script { keys, args } = env {
        let state = lua.state_mut();
        let keys_table = string_list(state, keys);
        let args_table = string_list(state, args);
        lua.set_global_val("KEYS", keys_table)?;
        lua.set_global_val("ARGV", args_table)?;
    }
    let load_api = match env {
        Env::Script { .. } => Val::Nil,
        Env::Library => super::functions::load_api(lua, redis)?,
    };
    lua.set_global_val("redis", redis)?;
    lua.set_global_val("bit", bit)?;
    lua.set_global_val("cjson", cjson)?;
    lua.set_global_val("cmsgpack", cmsgpack)?;
    lua.set_global_val("struct", structlib)?;
    let math = lua.get_global_val("math");
    let state = lua.state_mut();
    set_function(state, math, "random", math_random);
    set_function(state, math, "randomseed", math_randomseed);
    let string = lua.get_global_val("string");
    set_function(lua.state_mut(), string, "rep", bounded_rep);
    lua.register_function("rawset", guarded_rawset)?;
    lua.register_function("loadstring", guarded_loadstring)?;
    lua.register_function("setmetatable", guarded_setmetatable)?;
    let coroutine = lua.get_global_val("coroutine");
    set_function(lua.state_mut(), coroutine, "create", hooked_create);
    set_function(lua.state_mut(), coroutine, "resume", bounded_resume);
    let unpack = rust_function(lua.state_mut(), bounded_unpack, "unpack");
    lua.set_global_val("unpack", unpack)?;
    let protect = lua.load_bytes(PROTECT_GLOBALS.as_bytes(), "=protect")?;
    let allowed = string_val(lua.state_mut(), ALLOWED_GLOBALS.as_bytes());
    let results = lua.call_function(&protect, &[allowed, load_api])?;
    let views: Vec<Val> = results.iter().skip(1).copied().collect();
    with_bridge(|b| {
        b.globals_protected = true;
        b.readonly_tables = views;
    });
    Ok(match results.first() {
        Some(Val::Function(r)) => Some(rilua::Function::from_gc_ref(*r)),
        _ => None,
    })
}

pub(super) fn string_list(state: &mut LuaState, items: &[Vec<u8>]) -> Val {
    let t = new_table(state);
    for (i, item) in items.iter().enumerate() {
        let v = string_val(state, item);
        table_set(state, t, Val::Num((i + 1) as f64), v);
    }
    t
}

pub(super) fn set_function(state: &mut LuaState, table: Val, name: &str, f: RustFn) {
    let func = rust_function(state, f, name);
    let key = string_val(state, name.as_bytes());
    table_set(state, table, key, func);
}

fn set_number(state: &mut LuaState, table: Val, name: &str, n: f64) {
    let key = string_val(state, name.as_bytes());
    table_set(state, table, key, Val::Num(n));
}

/// `7.0.15` → 0x07000f, as `redis.REDIS_VERSION_NUM` gives it.
fn redis_version_num() -> u32 {
    crate::engine::REDIS_VERSION.split('.').take(3).fold(0, |acc, p| (acc << 8) | p.parse::<u32>().unwrap_or(0))
}

fn redis_table(state: &mut LuaState) -> Val {
    let t = new_table(state);
    set_function(state, t, "call", redis_call);
    set_function(state, t, "pcall", redis_pcall);
    set_function(state, t, "error_reply", redis_error_reply);
    set_function(state, t, "status_reply", redis_status_reply);
    set_function(state, t, "sha1hex", redis_sha1hex);
    set_function(state, t, "log", redis_log);
    set_function(state, t, "setresp", redis_setresp);
    set_function(state, t, "set_repl", redis_noop);
    set_function(state, t, "replicate_commands", redis_true);
    set_function(state, t, "breakpoint", redis_false);
    set_function(state, t, "debug", redis_noop);
    set_function(state, t, "acl_check_cmd", redis_acl_check_cmd);
    let version = string_val(state, crate::engine::REDIS_VERSION.as_bytes());
    let key = string_val(state, b"REDIS_VERSION");
    table_set(state, t, key, version);
    set_number(state, t, "REDIS_VERSION_NUM", redis_version_num() as f64);
    for (name, n) in [("LOG_DEBUG", 0.0), ("LOG_VERBOSE", 1.0), ("LOG_NOTICE", 2.0), ("LOG_WARNING", 3.0)] {
        set_number(state, t, name, n);
    }
    for (name, n) in
        [("REPL_NONE", 0.0), ("REPL_AOF", 1.0), ("REPL_SLAVE", 2.0), ("REPL_REPLICA", 2.0), ("REPL_ALL", 3.0)]
    {
        set_number(state, t, name, n);
    }
    t
}

/// The arguments of the running Rust function.
pub(super) fn args(state: &LuaState) -> Vec<Val> {
    (state.base..state.top.max(state.base)).map(|i| state.stack_get(i)).collect()
}

/// Raises `msg` as a plain string error (no position, like `luaL_error`
/// from C), which the script's error reply prefixes with `ERR `.
pub(super) fn raise(state: &mut LuaState, msg: &str) -> LuaError {
    let v = string_val(state, msg.as_bytes());
    state.error_object = Some(v);
    rilua::runtime_error(msg)
}

/// Raises `msg` the way `luaL_error` does from a library function: with
/// the calling line (`user_script:3: msg`).
pub(super) fn raise_here(state: &mut LuaState, msg: &str) -> LuaError {
    let text = format!("{}{msg}", super::bridge::caller_where(state));
    raise(state, &text)
}

/// Raises an error that Redis reports as is, without the script trailer.
fn raise_bare(state: &mut LuaState, msg: &str) -> LuaError {
    with_bridge(|b| b.bare_error = Some(msg.to_string()));
    raise(state, msg)
}

/// Raises a failed `redis.call`'s error: a script's `pcall` sees the
/// error text itself; uncaught, it becomes the reply without an added `ERR`.
fn raise_call_error(state: &mut LuaState, msg: &str) -> LuaError {
    with_bridge(|b| b.last_call_error = Some(msg.to_string()));
    raise(state, msg)
}

pub(super) fn ret(state: &mut LuaState, v: Val) -> LuaResult<u32> {
    state.push(v);
    Ok(1)
}

/// Runs a command for `redis.call` / `redis.pcall`; Err holds the error text.
fn run_command(state: &mut LuaState) -> Result<Reply, String> {
    let vals = args(state);
    if vals.is_empty() {
        return Err("ERR Please specify at least one argument for this redis lib call".into());
    }
    let mut argv = Vec::with_capacity(vals.len());
    for v in vals {
        match v {
            Val::Str(_) => argv.push(val_bytes(state, v).unwrap_or_default()),
            // Numbers become text with %.17g, as Redis 7.0 passes them.
            Val::Num(n) => argv.push(crate::float::format_g(n, 17).into_bytes()),
            _ => return Err("ERR Lua redis lib command arguments must be strings or integers".into()),
        }
    }
    let spec = match commands::lookup(&argv) {
        commands::Lookup::Found(spec) => spec,
        _ => return Err("ERR Unknown Redis command called from script".into()),
    };
    if !spec.arity_ok(argv.len()) {
        return Err("ERR Wrong number of args calling Redis command from script".into());
    }
    if spec.has(flags::NOSCRIPT) {
        return Err("ERR This Redis command is not allowed from script".into());
    }
    with_bridge(|b| {
        if let Err(refusal) = b.engine.acl_check(&b.client, spec, &argv, crate::acl::LogContext::Lua) {
            return Err(crate::acl::script_noperm_error(refusal).to_string());
        }
        if let Some(error) = b.engine.cluster_script_check(&b.client, spec, &argv) {
            return Err(error);
        }
        // Commands that may replicate (PUBLISH) count as writes: CLIENT
        // PAUSE WRITE lets read-only scripts through.
        if b.read_only && (spec.has(flags::WRITE) || spec.has(flags::MAY_REPLICATE)) {
            b.engine.reject(spec);
            return Err("ERR Write commands are not allowed from read-only scripts.".to_string());
        }
        if !b.wrote && spec.has(flags::WRITE) && b.engine.refuses_replica_writes(b.client.id) {
            return Err(crate::replication::READONLY.to_string());
        }
        if !b.wrote && spec.has(flags::WRITE) && b.engine.lacks_good_replicas() {
            return Err(crate::replication::NOREPLICAS.to_string());
        }
        if b.deny_oom_writes && !b.wrote && spec.has(flags::DENYOOM) {
            b.engine.reject(spec);
            return Err(crate::errors::OOM.to_string());
        }
        b.wrote |= spec.has(flags::WRITE);
        Ok(b.engine.call(&mut b.client, spec, &argv))
    })
    .unwrap_or_else(|| Err("ERR redis.call is only available while a script runs".into()))
}

/// redis.call(command, arg...): raises the command's error.
fn redis_call(state: &mut LuaState) -> LuaResult<u32> {
    match run_command(state) {
        Ok(Reply::Error(e)) => {
            count_call_error(&e);
            Err(raise_call_error(state, &e))
        }
        Ok(reply) => {
            let resp = with_bridge(|b| b.resp).unwrap_or(2);
            let v = reply_to_lua(state, &reply, resp, 0);
            ret(state, v)
        }
        Err(e) => {
            count_call_error(&e);
            Err(raise_call_error(state, &e))
        }
    }
}

/// An error a command called by the script gave: counted in the error
/// statistics now (once, even when the script returns or raises it).
fn count_call_error(text: &str) {
    with_bridge(|b| {
        b.engine.stats.count_error(text);
        b.counted_errors.push(text.to_string());
    });
}

/// redis.pcall(command, arg...): returns errors as `{err=…}` tables.
fn redis_pcall(state: &mut LuaState) -> LuaResult<u32> {
    let reply = match run_command(state) {
        Ok(reply) => reply,
        Err(e) => Reply::error(e),
    };
    if let Some(e) = reply.error_text() {
        count_call_error(e);
    }
    let resp = with_bridge(|b| b.resp).unwrap_or(2);
    let v = reply_to_lua(state, &reply, resp, 0);
    ret(state, v)
}

fn first_string(state: &mut LuaState) -> Option<Vec<u8>> {
    let vals = args(state);
    if vals.len() != 1 {
        return None;
    }
    match vals[0] {
        Val::Str(_) => val_bytes(state, vals[0]),
        _ => None,
    }
}

/// redis.error_reply(msg): `{err=msg}`, with `ERR` added when `msg` has no
/// `-CODE` of its own.
fn redis_error_reply(state: &mut LuaState) -> LuaResult<u32> {
    let Some(msg) = first_string(state) else {
        return Err(raise_bare(state, "ERR wrong number or type of arguments"));
    };
    let body = msg.strip_prefix(b"-").unwrap_or(&msg);
    let text = if body.contains(&b' ') { body.to_vec() } else { [b"ERR ".as_slice(), body].concat() };
    let t = field_table(state, "err", &text);
    ret(state, t)
}

/// redis.status_reply(msg): `{ok=msg}`.
fn redis_status_reply(state: &mut LuaState) -> LuaResult<u32> {
    let Some(msg) = first_string(state) else {
        return Err(raise_bare(state, "ERR wrong number or type of arguments"));
    };
    let t = field_table(state, "ok", &msg);
    ret(state, t)
}

/// redis.sha1hex(string)
fn redis_sha1hex(state: &mut LuaState) -> LuaResult<u32> {
    let vals = args(state);
    if vals.len() != 1 {
        return Err(raise(state, "wrong number of arguments"));
    }
    let bytes = val_bytes(state, vals[0]).unwrap_or_default();
    let hex = super::sha1_hex(&bytes);
    let v = string_val(state, hex.as_bytes());
    ret(state, v)
}

/// redis.log(level, message...): accepted and dropped (no server log here).
fn redis_log(state: &mut LuaState) -> LuaResult<u32> {
    let vals = args(state);
    if vals.len() < 2 {
        return Err(raise(state, "redis.log() requires two arguments or more."));
    }
    match vals[0] {
        Val::Num(n) if (0.0..=3.0).contains(&n) && n.fract() == 0.0 => Ok(0),
        Val::Num(_) => Err(raise(state, "Invalid debug level.")),
        _ => Err(raise(state, "First argument must be a number (log level).")),
    }
}

/// redis.setresp(2|3): the protocol `redis.call` replies are converted from.
fn redis_setresp(state: &mut LuaState) -> LuaResult<u32> {
    let vals = args(state);
    if vals.len() != 1 {
        return Err(raise(state, "redis.setresp() requires one argument."));
    }
    match vals[0] {
        Val::Num(n) if n == 2.0 || n == 3.0 => {
            with_bridge(|b| b.resp = n as u8);
            Ok(0)
        }
        _ => Err(raise(state, "RESP version must be 2 or 3.")),
    }
}

fn redis_noop(_: &mut LuaState) -> LuaResult<u32> {
    Ok(0)
}

fn redis_true(state: &mut LuaState) -> LuaResult<u32> {
    ret(state, Val::Bool(true))
}

fn redis_false(state: &mut LuaState) -> LuaResult<u32> {
    ret(state, Val::Bool(false))
}

/// string.rep(s, n), refused before allocating past the memory limit.
fn bounded_rep(state: &mut LuaState) -> LuaResult<u32> {
    let vals = args(state);
    let len = vals.first().and_then(|v| val_bytes(state, *v)).map_or(0, |b| b.len());
    let n = match vals.get(1) {
        Some(Val::Num(n)) => *n,
        _ => 0.0,
    };
    if n > 0.0 && (len as f64) * n > super::bridge::MEMORY_LIMIT as f64 {
        return Err(LuaError::Memory);
    }
    rilua::stdlib::string::str_rep(state)
}

/// loadstring(code [, name]), refusing code nested deeper than the
/// compiler's stack allows (nil plus Lua's message, as for a syntax error).
fn guarded_loadstring(state: &mut LuaState) -> LuaResult<u32> {
    let vals = args(state);
    let code = vals.first().and_then(|v| val_bytes(state, *v)).unwrap_or_default();
    if let Some(line) = super::nesting::too_deep(&code) {
        state.push(Val::Nil);
        let msg = string_val(state, format!("[string \"...\"]:{line}: chunk has too many syntax levels").as_bytes());
        state.push(msg);
        return Ok(2);
    }
    if code.first() == Some(&0x1b) {
        // Redis's Lua loads no precompiled chunks: the text lexer meets ESC.
        state.push(Val::Nil);
        let mut msg = chunk_id(&code);
        msg.extend_from_slice(b":1: unexpected symbol near 'char(27)'");
        let msg = string_val(state, &msg);
        state.push(msg);
        return Ok(2);
    }
    rilua::stdlib::base::lua_loadstring(state)
}

/// Lua 5.1's name for a chunk loaded from a string (`luaO_chunkid` with
/// Redis's 80-byte LUA_IDSIZE): its first line, at most 63 bytes, `...`
/// when cut.
fn chunk_id(code: &[u8]) -> Vec<u8> {
    let end = code.iter().position(|&c| matches!(c, b'\n' | b'\r' | 0)).unwrap_or(code.len());
    let len = end.min(63);
    let mut id = b"[string \"".to_vec();
    id.extend_from_slice(&code[..len]);
    if code.get(len).is_some_and(|&c| c != 0) {
        id.extend_from_slice(b"...");
    }
    id.extend_from_slice(b"\"]");
    id
}

/// True if the first argument is the globals table or a library's
/// read-only view.
fn targets_globals(state: &LuaState) -> bool {
    match args(state).first() {
        Some(Val::Table(r)) if *r == state.global => true,
        Some(t @ Val::Table(_)) => with_bridge(|b| b.readonly_tables.contains(t)).unwrap_or(false),
        _ => false,
    }
}

/// rawset(t, k, v), refusing the read-only globals table (once protected).
fn guarded_rawset(state: &mut LuaState) -> LuaResult<u32> {
    let protected = with_bridge(|b| b.globals_protected).unwrap_or(false);
    if protected && targets_globals(state) {
        return Err(raise(state, "Attempt to modify a readonly table"));
    }
    rilua::stdlib::base::lua_rawset(state)
}

/// setmetatable(t, mt), refusing the read-only globals table (once its
/// protection is in place).
fn guarded_setmetatable(state: &mut LuaState) -> LuaResult<u32> {
    let protected = with_bridge(|b| b.globals_protected).unwrap_or(false);
    if protected && targets_globals(state) {
        return Err(raise(state, "Attempt to modify a readonly table"));
    }
    rilua::stdlib::base::lua_setmetatable(state)
}

/// Lua's type name for argument errors (`no value` for a missing one).
fn type_name(v: Val) -> &'static str {
    match v {
        Val::Nil => "no value",
        Val::Bool(_) => "boolean",
        Val::Num(_) => "number",
        Val::Str(_) => "string",
        Val::Table(_) => "table",
        Val::Function(_) => "function",
        Val::Thread(_) => "thread",
        _ => "userdata",
    }
}

/// unpack(t [, i [, j]]), refusing more results than Lua's C stack allows
/// (`too many results to unpack`) before doing any work.
fn bounded_unpack(state: &mut LuaState) -> LuaResult<u32> {
    const MAX_RESULTS: f64 = 8000.0;
    let vals = args(state);
    let Some(Val::Table(r)) = vals.first().copied() else {
        let got = type_name(vals.first().copied().unwrap_or(Val::Nil));
        return Err(raise_here(state, &format!("bad argument #1 to 'unpack' (table expected, got {got})")));
    };
    let bound = |v: Option<&Val>, default: f64| match v {
        Some(Val::Num(n)) => n.floor(),
        _ => default,
    };
    let len = state.gc.tables.get(r).map_or(0, |t| t.len(&state.gc.string_arena)) as f64;
    let i = bound(vals.get(1), 1.0);
    let j = bound(vals.get(2), len);
    if i > j {
        return Ok(0);
    }
    if j - i >= MAX_RESULTS {
        return Err(raise_here(state, "too many results to unpack"));
    }
    let mut n = 0;
    let mut k = i;
    while k <= j {
        let v = state.gc.tables.get(r).map_or(Val::Nil, |t| t.get_int(k as i64));
        state.push(v);
        n += 1;
        k += 1.0;
    }
    Ok(n)
}

/// coroutine.create(f) whose coroutine carries the time-limit hook, so a
/// loop inside a coroutine is stopped too.
fn hooked_create(state: &mut LuaState) -> LuaResult<u32> {
    let n = rilua::stdlib::coroutine::co_create(state)?;
    if let Val::Thread(r) = state.stack_get(state.top.saturating_sub(1)) {
        let hook = state.hook.clone();
        if let Some(thread) = state.gc.threads.get_mut(r) {
            thread.hook = hook;
        }
    }
    Ok(n)
}

/// Most coroutines resumed inside one another: each level is a Rust call,
/// and the page's stack is small.
const MAX_RESUME_DEPTH: u32 = 40;

/// coroutine.resume(co, ...), failing with Lua's `C stack overflow` when
/// coroutines nest too deeply.
fn bounded_resume(state: &mut LuaState) -> LuaResult<u32> {
    let depth = with_bridge(|b| b.resume_depth).unwrap_or(0);
    if depth >= MAX_RESUME_DEPTH {
        state.push(Val::Bool(false));
        let msg = string_val(state, b"C stack overflow");
        state.push(msg);
        return Ok(2);
    }
    with_bridge(|b| b.resume_depth += 1);
    let result = rilua::stdlib::coroutine::co_resume(state);
    with_bridge(|b| b.resume_depth -= 1);
    result
}

/// redis.acl_check_cmd(command, ...): whether the script's user may run
/// the command with these arguments.
fn redis_acl_check_cmd(state: &mut LuaState) -> LuaResult<u32> {
    let vals = args(state);
    let argv: Vec<Vec<u8>> = vals.iter().filter_map(|v| val_bytes(state, *v)).collect();
    if argv.is_empty() {
        return Err(raise(state, "Please specify at least one argument for this redis lib call"));
    }
    match commands::lookup(&argv) {
        commands::Lookup::Found(spec) if spec.arity_ok(argv.len()) => {
            let allowed = with_bridge(|b| {
                let user = b.engine.acl.users().get(&b.client.auth.user);
                user.is_none_or(|u| crate::acl::check::check(u, spec, &argv).is_ok())
            });
            ret(state, Val::Bool(allowed.unwrap_or(true)))
        }
        commands::Lookup::Found(_) => Err(raise(state, "Wrong number of args calling Redis command from script")),
        _ => Err(raise(state, "Invalid command passed to redis.acl_check_cmd()")),
    }
}

// ----- math.random as Redis has it -------------------------------------

/// One step of Redis's 48-bit `lrand48`; 31 random bits.
fn lrand48() -> i64 {
    with_bridge(|b| {
        let x = &mut b.engine.scripts.rand_state;
        *x = (0x5_DEEC_E66D_u64.wrapping_mul(*x).wrapping_add(0xB)) & ((1 << 48) - 1);
        (*x >> 17) as i64
    })
    .unwrap_or(0)
}

fn int_arg(state: &mut LuaState, v: Val, n: usize, func: &str) -> Result<i64, LuaError> {
    match v {
        Val::Num(x) => Ok(x as i64),
        Val::Str(_) => {
            match val_bytes(state, v).and_then(|b| String::from_utf8(b).ok()).and_then(|s| s.trim().parse::<f64>().ok())
            {
                Some(x) => Ok(x as i64),
                None => Err(raise_here(state, &format!("bad argument #{n} to '{func}' (number expected, got string)"))),
            }
        }
        other => {
            let got = type_name(other);
            Err(raise_here(state, &format!("bad argument #{n} to '{func}' (number expected, got {got})")))
        }
    }
}

/// math.random([m [, n]]) with Redis's generator.
fn math_random(state: &mut LuaState) -> LuaResult<u32> {
    const MAX: i64 = 2_147_483_647;
    let r = (lrand48() % MAX) as f64 / MAX as f64;
    let vals = args(state);
    let v = match vals.len() {
        0 => r,
        1 => {
            let u = int_arg(state, vals[0], 1, "random")?;
            if u < 1 {
                return Err(raise_here(state, "bad argument #1 to 'random' (interval is empty)"));
            }
            (r * u as f64).floor() + 1.0
        }
        2 => {
            let l = int_arg(state, vals[0], 1, "random")?;
            let u = int_arg(state, vals[1], 2, "random")?;
            if l > u {
                return Err(raise_here(state, "bad argument #2 to 'random' (interval is empty)"));
            }
            (r * (u - l + 1) as f64).floor() + l as f64
        }
        _ => return Err(raise_here(state, "wrong number of arguments")),
    };
    ret(state, Val::Num(v))
}

/// math.randomseed(n): reseeds Redis's generator.
fn math_randomseed(state: &mut LuaState) -> LuaResult<u32> {
    let vals = args(state);
    let seed = int_arg(state, vals.first().copied().unwrap_or(Val::Nil), 1, "randomseed")?;
    with_bridge(|b| b.engine.scripts.rand_state = (((seed as u32) as u64) << 16) | 0x330E);
    Ok(0)
}

// ----- bit (LuaBitOp) ----------------------------------------------------

fn bit_table(state: &mut LuaState) -> Val {
    let t = new_table(state);
    let fns: [(&str, RustFn); 12] = [
        ("tobit", bit_tobit),
        ("bnot", bit_bnot),
        ("band", bit_band),
        ("bor", bit_bor),
        ("bxor", bit_bxor),
        ("lshift", bit_lshift),
        ("rshift", bit_rshift),
        ("arshift", bit_arshift),
        ("rol", bit_rol),
        ("ror", bit_ror),
        ("bswap", bit_bswap),
        ("tohex", bit_tohex),
    ];
    for (name, f) in fns {
        set_function(state, t, name, f);
    }
    t
}

/// LuaBitOp's number → int32 normalisation (modulo 2^32, rounding).
fn tobit(n: f64) -> i32 {
    let t = n + 6_755_399_441_055_744.0;
    t.to_bits() as u32 as i32
}

fn bit_args(state: &mut LuaState, min: usize, name: &str) -> Result<Vec<i32>, LuaError> {
    let vals = args(state);
    let mut out = Vec::with_capacity(vals.len());
    for (i, v) in vals.iter().enumerate() {
        match v {
            Val::Num(n) => out.push(tobit(*n)),
            Val::Str(_) => {
                let parsed = val_bytes(state, *v)
                    .and_then(|b| String::from_utf8(b).ok())
                    .and_then(|s| s.trim().parse::<f64>().ok());
                match parsed {
                    Some(n) => out.push(tobit(n)),
                    None => {
                        let msg = format!("bad argument #{} to '{name}' (number expected, got string)", i + 1);
                        return Err(raise_here(state, &msg));
                    }
                }
            }
            other => {
                let msg = format!("bad argument #{} to '{name}' (number expected, got {})", i + 1, type_name(*other));
                return Err(raise_here(state, &msg));
            }
        }
    }
    if out.len() < min {
        let msg = format!("bad argument #{} to '{name}' (number expected, got no value)", out.len() + 1);
        return Err(raise_here(state, &msg));
    }
    Ok(out)
}

fn bit_ret(state: &mut LuaState, v: i32) -> LuaResult<u32> {
    ret(state, Val::Num(v as f64))
}

fn bit_tobit(state: &mut LuaState) -> LuaResult<u32> {
    let a = bit_args(state, 1, "tobit")?;
    bit_ret(state, a[0])
}

fn bit_bnot(state: &mut LuaState) -> LuaResult<u32> {
    let a = bit_args(state, 1, "bnot")?;
    bit_ret(state, !a[0])
}

fn fold(state: &mut LuaState, name: &str, f: fn(i32, i32) -> i32) -> LuaResult<u32> {
    let a = bit_args(state, 1, name)?;
    let v = a[1..].iter().fold(a[0], |acc, &x| f(acc, x));
    bit_ret(state, v)
}

fn bit_band(state: &mut LuaState) -> LuaResult<u32> {
    fold(state, "band", |a, b| a & b)
}

fn bit_bor(state: &mut LuaState) -> LuaResult<u32> {
    fold(state, "bor", |a, b| a | b)
}

fn bit_bxor(state: &mut LuaState) -> LuaResult<u32> {
    fold(state, "bxor", |a, b| a ^ b)
}

fn shift(state: &mut LuaState, name: &str, f: fn(i32, u32) -> i32) -> LuaResult<u32> {
    let a = bit_args(state, 2, name)?;
    bit_ret(state, f(a[0], (a[1] & 31) as u32))
}

fn bit_lshift(state: &mut LuaState) -> LuaResult<u32> {
    shift(state, "lshift", |a, n| ((a as u32) << n) as i32)
}

fn bit_rshift(state: &mut LuaState) -> LuaResult<u32> {
    shift(state, "rshift", |a, n| ((a as u32) >> n) as i32)
}

fn bit_arshift(state: &mut LuaState) -> LuaResult<u32> {
    shift(state, "arshift", |a, n| a >> n)
}

fn bit_rol(state: &mut LuaState) -> LuaResult<u32> {
    shift(state, "rol", |a, n| (a as u32).rotate_left(n) as i32)
}

fn bit_ror(state: &mut LuaState) -> LuaResult<u32> {
    shift(state, "ror", |a, n| (a as u32).rotate_right(n) as i32)
}

fn bit_bswap(state: &mut LuaState) -> LuaResult<u32> {
    let a = bit_args(state, 1, "bswap")?;
    bit_ret(state, a[0].swap_bytes())
}

/// bit.tohex(x [, n]): n hex digits (upper case when n < 0), default 8.
fn bit_tohex(state: &mut LuaState) -> LuaResult<u32> {
    let a = bit_args(state, 1, "tohex")?;
    let n = a.get(1).copied().unwrap_or(8);
    let upper = n < 0;
    let digits = (n.unsigned_abs().min(8)) as usize;
    let value = a[0] as u32;
    let full = if upper { format!("{value:08X}") } else { format!("{value:08x}") };
    let text = full[8 - digits..].to_string();
    let v = string_val(state, text.as_bytes());
    ret(state, v)
}

#[cfg(test)]
mod tests {
    use super::tobit;

    #[test]
    fn tobit_wraps_like_luabitop() {
        assert_eq!(tobit(1.0), 1);
        assert_eq!(tobit(4294967295.0), -1);
        assert_eq!(tobit(2147483648.0), -2147483648);
        assert_eq!(tobit(-1.0), -1);
    }
}
