//! Redis 7.0 functions: libraries of Lua functions loaded with FUNCTION
//! LOAD and called with FCALL.
//!
//! - A library's first line (`#!lua name=<lib>`) names its engine and
//!   itself ([`parse_metadata`]).
//! - Its code runs once at load time with only the load API as globals:
//!   `redis.register_function` (positional `(name, callback)` or a table of
//!   named arguments), `redis.log`, the log levels and the version fields.
//!   What it registers becomes the library ([`Library`]).
//! - FCALL loads the library into a fresh Lua state the same way, switches
//!   the globals to the runtime ones (EVAL's, without `KEYS`/`ARGV`) and
//!   calls the function with the key and argument tables. Library-level
//!   state therefore starts afresh on every call.

use std::cell::RefCell;
use std::collections::BTreeMap;

use rilua::vm::state::LuaState;
use rilua::{Lua, LuaApiMut, LuaError, LuaResult, Val};

use super::convert::{field_table, string_val, table_set, val_bytes};
use super::libs::{args, set_function};

/// Function flags, in the order FUNCTION LIST shows them.
pub mod flag {
    pub const NO_WRITES: u8 = 1;
    pub const ALLOW_OOM: u8 = 1 << 1;
    pub const ALLOW_STALE: u8 = 1 << 2;
    pub const NO_CLUSTER: u8 = 1 << 3;
    pub const ALLOW_CROSS_SLOT_KEYS: u8 = 1 << 4;

    pub const NAMES: &[(u8, &str)] = &[
        (NO_WRITES, "no-writes"),
        (ALLOW_OOM, "allow-oom"),
        (ALLOW_STALE, "allow-stale"),
        (NO_CLUSTER, "no-cluster"),
        (ALLOW_CROSS_SLOT_KEYS, "allow-cross-slot-keys"),
    ];

    /// The flag named `name` (without case).
    pub fn parse(name: &[u8]) -> Option<u8> {
        NAMES.iter().find(|(_, n)| n.as_bytes().eq_ignore_ascii_case(name)).map(|(f, _)| *f)
    }
}

/// Redis's error for a library or function name that is not `[A-Za-z0-9_]+`.
pub const BAD_NAME: &str =
    "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";

/// True for a valid library or function name.
pub fn valid_name(name: &[u8]) -> bool {
    !name.is_empty() && name.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'_')
}

/// One function of a library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionInfo {
    pub name: Vec<u8>,
    pub description: Option<Vec<u8>>,
    pub flags: u8,
}

impl FunctionInfo {
    pub fn has(&self, f: u8) -> bool {
        self.flags & f != 0
    }

    pub fn flag_names(&self) -> Vec<&'static str> {
        flag::NAMES.iter().filter(|(f, _)| self.flags & f != 0).map(|(_, n)| *n).collect()
    }
}

/// A loaded library: its name, its whole code (shebang included, as
/// FUNCTION LIST WITHCODE and FUNCTION DUMP give it) and its functions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Library {
    pub name: Vec<u8>,
    pub code: Vec<u8>,
    /// Where the Lua code starts in `code` (at the shebang line's newline,
    /// so line numbers still count the shebang line).
    pub code_start: usize,
    pub functions: Vec<FunctionInfo>,
}

impl Library {
    pub fn lua_code(&self) -> &[u8] {
        self.code.get(self.code_start..).unwrap_or_default()
    }
}

/// The loaded libraries, by name (library names are case-sensitive,
/// function names are not).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Libraries {
    pub libraries: BTreeMap<Vec<u8>, Library>,
}

impl Libraries {
    /// Every library's whole code (shebang included), in name order: what
    /// an RDB file stores for them (see `rdb::file::write`).
    pub fn codes(&self) -> Vec<&[u8]> {
        self.libraries.values().map(|l| l.code.as_slice()).collect()
    }

    pub fn function_count(&self) -> usize {
        self.libraries.values().map(|l| l.functions.len()).sum()
    }

    /// The function named `name` (without case) and its library.
    pub fn find(&self, name: &[u8]) -> Option<(&Library, &FunctionInfo)> {
        self.libraries
            .values()
            .find_map(|l| l.functions.iter().find(|f| f.name.eq_ignore_ascii_case(name)).map(|f| (l, f)))
    }

    /// Adds `incoming` libraries as Redis's `libraryJoin` does: a library
    /// that exists fails unless `replace` (then the old one goes), and any
    /// function name already taken fails. On failure nothing changes.
    pub fn join(&mut self, incoming: Vec<Library>, replace: bool) -> Result<(), String> {
        let mut merged = self.clone();
        for lib in &incoming {
            if merged.libraries.contains_key(&lib.name) {
                if !replace {
                    return Err(format!("Library {} already exists", String::from_utf8_lossy(&lib.name)));
                }
                merged.libraries.remove(&lib.name);
            }
        }
        for lib in &incoming {
            for f in &lib.functions {
                if merged.find(&f.name).is_some() {
                    return Err(format!("Function {} already exists", String::from_utf8_lossy(&f.name)));
                }
            }
        }
        for lib in incoming {
            merged.libraries.insert(lib.name.clone(), lib);
        }
        *self = merged;
        Ok(())
    }
}

/// What a library's first line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    pub engine: Vec<u8>,
    pub name: Vec<u8>,
    /// Index of the shebang line's newline.
    pub code_start: usize,
}

/// Reads `#!<engine> name=<name>` with Redis's checks and errors (the line
/// is split as `sdssplitargs` splits it, so quotes work).
pub fn parse_metadata(code: &[u8]) -> Result<Metadata, String> {
    if !code.starts_with(b"#!") {
        return Err("Missing library metadata".into());
    }
    let Some(end) = code.iter().position(|&c| c == b'\n') else {
        return Err("Invalid library metadata".into());
    };
    let parts = match crate::tokenizer::split_args(&code[..end]).ok() {
        Some(parts) if !parts.is_empty() => parts,
        _ => return Err("Invalid library metadata".into()),
    };
    let engine = parts[0].get(2..).unwrap_or_default().to_vec();
    let mut name: Option<Vec<u8>> = None;
    for part in &parts[1..] {
        if part.len() >= 5 && part[..5].eq_ignore_ascii_case(b"name=") {
            if name.is_some() {
                return Err("Invalid metadata value, name argument was given multiple times".into());
            }
            name = Some(part[5..].to_vec());
            continue;
        }
        return Err(format!("Invalid metadata value given: {}", String::from_utf8_lossy(part)));
    }
    let Some(name) = name else {
        return Err("Library name was not given".into());
    };
    Ok(Metadata { engine, name, code_start: end })
}

/// A function registered while a library's code ran.
#[derive(Debug, Clone)]
pub struct Registered {
    pub info: FunctionInfo,
    /// The callback, kept alive in the Lua registry.
    pub callback: rilua::Function,
}

thread_local! {
    /// The registrations of the library being loaded; None outside a load.
    static REGISTERING: RefCell<Option<Vec<Registered>>> = const { RefCell::new(None) };
}

pub(super) fn begin_registration() {
    REGISTERING.with(|r| *r.borrow_mut() = Some(Vec::new()));
}

pub(super) fn end_registration() {
    REGISTERING.with(|r| *r.borrow_mut() = None);
}

/// Ends the load mode and returns what was registered.
pub(super) fn take_registered(_lua: &mut Lua) -> Vec<Registered> {
    REGISTERING.with(|r| r.borrow_mut().take()).unwrap_or_default()
}

/// Raises `{err="ERR <msg>"}` as Redis's `luaPushError` + `luaError` do.
fn raise_err(state: &mut LuaState, msg: &str) -> LuaError {
    let text = format!("ERR {msg}");
    let t = field_table(state, "err", text.as_bytes());
    state.error_object = Some(t);
    rilua::runtime_error(&text)
}

fn is_string(v: Val) -> bool {
    matches!(v, Val::Str(_) | Val::Num(_))
}

/// Reads a flags table `{'no-writes', …}` (items 1.. up to the first nil).
fn read_flags(state: &LuaState, table: Val) -> Option<u8> {
    let Val::Table(r) = table else { return None };
    let mut flags = 0;
    for i in 1.. {
        let v = state.gc.tables.get(r).map(|t| t.get_int(i)).unwrap_or(Val::Nil);
        if v == Val::Nil {
            break;
        }
        if !is_string(v) {
            return None;
        }
        flags |= flag::parse(&val_bytes(state, v)?)?;
    }
    Some(flags)
}

/// The callback, name, description and flags given to register_function.
type Args = (Val, Vec<u8>, Option<Vec<u8>>, u8);

fn read_named(state: &LuaState, table: Val) -> Result<Args, &'static str> {
    if !matches!(table, Val::Table(_)) {
        return Err("calling redis.register_function with a single argument is only applicable to Lua table \
                    (representing named arguments).");
    }
    let (mut name, mut desc, mut callback, mut flags) = (None, None, None, 0);
    for (k, v) in super::convert::table_pairs(state, table, usize::MAX) {
        if !is_string(k) {
            return Err("named argument key given to redis.register_function is not a string");
        }
        let key = val_bytes(state, k).unwrap_or_default();
        if key.eq_ignore_ascii_case(b"function_name") {
            name = Some(
                is_string(v)
                    .then(|| val_bytes(state, v))
                    .flatten()
                    .ok_or("function_name argument given to redis.register_function must be a string")?,
            );
        } else if key.eq_ignore_ascii_case(b"description") {
            desc = Some(
                is_string(v)
                    .then(|| val_bytes(state, v))
                    .flatten()
                    .ok_or("description argument given to redis.register_function must be a string")?,
            );
        } else if key.eq_ignore_ascii_case(b"callback") {
            if !matches!(v, Val::Function(_)) {
                return Err("callback argument given to redis.register_function must be a function");
            }
            callback = Some(v);
        } else if key.eq_ignore_ascii_case(b"flags") {
            if !matches!(v, Val::Table(_)) {
                return Err("flags argument to redis.register_function must be a table representing function flags");
            }
            flags = read_flags(state, v).ok_or("unknown flag given")?;
        } else {
            return Err("unknown argument given to redis.register_function");
        }
    }
    let name = name.ok_or("redis.register_function must get a function name argument")?;
    let callback = callback.ok_or("redis.register_function must get a callback argument")?;
    Ok((callback, name, desc, flags))
}

fn read_args(state: &LuaState) -> Result<Args, &'static str> {
    let vals = args(state);
    match vals.as_slice() {
        [table] => read_named(state, *table),
        [name, callback] => {
            let name = is_string(*name)
                .then(|| val_bytes(state, *name))
                .flatten()
                .ok_or("first argument to redis.register_function must be a string")?;
            if !matches!(callback, Val::Function(_)) {
                return Err("second argument to redis.register_function must be a function");
            }
            Ok((*callback, name, None, 0))
        }
        _ => Err("wrong number of arguments to redis.register_function"),
    }
}

/// redis.register_function(name, callback) or redis.register_function{…}:
/// only while FUNCTION LOAD runs the library's code.
fn register_function(state: &mut LuaState) -> LuaResult<u32> {
    let loading = REGISTERING.with(|r| r.borrow().is_some());
    if !loading {
        return Err(raise_err(state, "redis.register_function can only be called on FUNCTION LOAD command"));
    }
    let (callback, name, description, flags) = match read_args(state) {
        Ok(a) => a,
        Err(e) => return Err(raise_err(state, e)),
    };
    if !valid_name(&name) {
        return Err(raise_err(state, BAD_NAME));
    }
    let duplicate =
        REGISTERING.with(|r| r.borrow().as_ref().is_some_and(|list| list.iter().any(|f| f.info.name == name)));
    if duplicate {
        return Err(raise_err(state, "Function already exists in the library"));
    }
    let Val::Function(closure) = callback else {
        return Err(raise_err(state, "second argument to redis.register_function must be a function"));
    };
    // The registry keeps the callback alive for FCALL.
    let slot = REGISTERING.with(|r| r.borrow().as_ref().map_or(0, |l| l.len()));
    let key = string_val(state, format!("__function_{slot}").as_bytes());
    let registry = Val::Table(state.registry);
    table_set(state, registry, key, callback);
    let info = FunctionInfo { name, description, flags };
    let entry = Registered { info, callback: rilua::Function::from_gc_ref(closure) };
    REGISTERING.with(|r| {
        if let Some(list) = r.borrow_mut().as_mut() {
            list.push(entry);
        }
    });
    Ok(0)
}

/// The load API's globals: a read-only `redis` table with
/// `register_function`, `log`, the log levels and the version fields, where
/// reading anything else is an error (as for a missing global).
const LOAD_API: &str = r#"
local register, real_redis = ...
local error, tostring, setmetatable = error, tostring, setmetatable
local api = {
  register_function = register,
  log = real_redis.log,
  LOG_DEBUG = real_redis.LOG_DEBUG,
  LOG_VERBOSE = real_redis.LOG_VERBOSE,
  LOG_NOTICE = real_redis.LOG_NOTICE,
  LOG_WARNING = real_redis.LOG_WARNING,
  REDIS_VERSION = real_redis.REDIS_VERSION,
  REDIS_VERSION_NUM = real_redis.REDIS_VERSION_NUM,
}
local redis = setmetatable({}, {
  __index = function(_, k)
    local v = api[k]
    if v == nil then
      error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
    end
    return v
  end,
  __newindex = function() error("Attempt to modify a readonly table", 2) end,
  __metatable = false,
})
return { redis = redis }
"#;

/// Builds the load API's globals table from the runtime `redis` table.
pub(super) fn load_api(lua: &mut Lua, real_redis: Val) -> LuaResult<Val> {
    let chunk = lua.load_bytes(LOAD_API.as_bytes(), "=load_api")?;
    let holder = super::convert::new_table(lua.state_mut());
    set_function(lua.state_mut(), holder, "register_function", register_function);
    let register = super::convert::table_get(lua.state_mut(), holder, "register_function");
    let results = lua.call_function(&chunk, &[register, real_redis])?;
    Ok(results.first().copied().unwrap_or(Val::Nil))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_follows_redis() {
        let m = parse_metadata(b"#!lua name=lib\nreturn 1").unwrap();
        assert_eq!((m.engine.as_slice(), m.name.as_slice(), m.code_start), (&b"lua"[..], &b"lib"[..], 14));
        assert_eq!(parse_metadata(b"#!lua  name=\"foo\"\n").unwrap().name, b"foo");
        assert_eq!(parse_metadata(b"no").unwrap_err(), "Missing library metadata");
        assert_eq!(parse_metadata(b"#!lua name=x").unwrap_err(), "Invalid library metadata");
        assert_eq!(parse_metadata(b"#!lua\n").unwrap_err(), "Library name was not given");
        assert_eq!(parse_metadata(b"#!lua name=a foo=bar\n").unwrap_err(), "Invalid metadata value given: foo=bar");
        assert_eq!(
            parse_metadata(b"#!lua name=a NAME=b\n").unwrap_err(),
            "Invalid metadata value, name argument was given multiple times"
        );
        assert_eq!(parse_metadata(b"#! name=a\n").unwrap().engine, b"");
        assert_eq!(parse_metadata(b"#!lua name=\"a\n").unwrap_err(), "Invalid library metadata");
    }

    #[test]
    fn names_and_flags() {
        assert!(valid_name(b"a_1"));
        assert!(!valid_name(b""));
        assert!(!valid_name(b"a-b"));
        assert_eq!(flag::parse(b"NO-WRITES"), Some(flag::NO_WRITES));
        assert_eq!(flag::parse(b"nope"), None);
    }
}
