//! Lua scripting (EVAL and friends) on `rilua`, a pure-Rust Lua 5.1.
//!
//! Each script call gets a fresh Lua state with Redis's environment: the
//! `redis` table, `KEYS`/`ARGV`, the `bit` library, Redis's deterministic
//! `math.random`, and read-only globals (Redis 7.0 forbids creating globals,
//! so a fresh state behaves like Redis's long-lived one). While the script
//! runs, the engine and the calling client are parked in a thread-local
//! [`bridge`] so `redis.call` can run commands through `Engine::call`.

mod bridge;
pub(crate) mod busy;
mod cjson;
pub(crate) mod cjson_config;
mod cmsgpack;
mod convert;
pub(crate) mod functions;
mod libs;
mod nesting;
mod structlib;

use std::collections::BTreeMap;

use crate::engine::Ctx;
use crate::reply::Reply;

pub use bridge::{compile_error, load_library, run_function, run_script, ScriptFlags};
pub use busy::BusyHost;

/// The scripts' random generator state (Redis's 48-bit `lrand48`), seeded
/// as Redis starts it.
pub const LRAND48_INITIAL: u64 = 0x1234_ABCD_330E;

/// Scripts known by SHA-1 (lower-case hex), the scripts' random state,
/// which Redis keeps across calls, and the function libraries (which
/// SCRIPT FLUSH leaves alone).
#[derive(Debug, Clone)]
pub struct ScriptCache {
    pub scripts: BTreeMap<String, Vec<u8>>,
    pub rand_state: u64,
    pub functions: functions::Libraries,
    /// lua-cjson's settings of the EVAL interpreter (reset by SCRIPT
    /// FLUSH) and of the functions' one.
    pub cjson_eval: cjson_config::CjsonConfig,
    pub cjson_functions: cjson_config::CjsonConfig,
}

impl Default for ScriptCache {
    fn default() -> Self {
        ScriptCache {
            scripts: BTreeMap::new(),
            rand_state: LRAND48_INITIAL,
            functions: Default::default(),
            cjson_eval: Default::default(),
            cjson_functions: Default::default(),
        }
    }
}

/// SHA-1 of `body` as 40 lower-case hex digits (what EVALSHA takes).
pub fn sha1_hex(body: &[u8]) -> String {
    sha1_smol::Sha1::from(body).digest().to_string()
}

/// What a `#!lua flags=…` first line declares (Redis 7 scripts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shebang {
    pub no_writes: bool,
    pub allow_oom: bool,
    /// Where the Lua code starts: at the shebang line's newline, so line
    /// numbers in errors still count the shebang line.
    pub code_start: usize,
}

/// Reads a script's shebang line. Ok(None) for a script without one (the
/// pre-7.0 behaviour), Err with Redis's reply for a malformed one.
pub fn parse_shebang(body: &[u8]) -> Result<Option<Shebang>, Reply> {
    if !body.starts_with(b"#!") {
        return Ok(None);
    }
    let Some(end) = body.iter().position(|&c| c == b'\n') else {
        return Err(Reply::error("ERR Invalid script shebang"));
    };
    let line = String::from_utf8_lossy(&body[..end]).into_owned();
    let mut parts = line.split(|c: char| c.is_ascii_whitespace()).filter(|p| !p.is_empty());
    let engine = parts.next().unwrap_or("");
    if engine != "#!lua" {
        return Err(Reply::error(crate::errors::sanitize(&format!(
            "ERR Unexpected engine in script shebang: {engine}"
        ))));
    }
    let (mut no_writes, mut allow_oom) = (false, false);
    for part in parts {
        let Some(flags) = part.strip_prefix("flags=") else {
            return Err(Reply::error(crate::errors::sanitize(&format!("ERR Unknown lua shebang option: {part}"))));
        };
        for flag in flags.split(',').filter(|f| !f.is_empty()) {
            match flag {
                "no-writes" => no_writes = true,
                "allow-oom" => allow_oom = true,
                "allow-stale" | "no-cluster" | "allow-cross-slot-keys" => {}
                other => {
                    return Err(Reply::error(crate::errors::sanitize(&format!(
                        "ERR Unexpected flag in script shebang: {other}"
                    ))))
                }
            }
        }
    }
    Ok(Some(Shebang { no_writes, allow_oom, code_start: end }))
}

/// Checks EVAL's `numkeys` against the arguments (`argv` after the script
/// is `numkeys key... arg...`) and returns it. Redis checks this before
/// compiling or looking up the script.
pub fn check_numkeys(argv: &[Vec<u8>]) -> Result<usize, Reply> {
    let numkeys = crate::args::int(&argv[0])?;
    let available = argv.len() as i64 - 1;
    if numkeys > available {
        return Err(Reply::error("ERR Number of keys can't be greater than number of args"));
    }
    if numkeys < 0 {
        return Err(Reply::error("ERR Number of keys can't be negative"));
    }
    Ok(numkeys as usize)
}

/// Runs a script body for EVAL / EVALSHA with `numkeys` keys. A script
/// with a shebang runs read-only when it declares `no-writes`, and may
/// not run from EVAL_RO / EVALSHA_RO otherwise.
pub fn eval_body(
    ctx: &mut Ctx,
    command: &[Vec<u8>],
    sha: &str,
    body: &[u8],
    argv: &[Vec<u8>],
    numkeys: usize,
    ro_command: bool,
) -> crate::command::CommandResult {
    let (code, flags) = match parse_shebang(body)? {
        None => (body, ScriptFlags { read_only: ro_command, compat: true }),
        Some(shebang) => {
            if ro_command && !shebang.no_writes {
                return Err(Reply::error("ERR Can not execute a script with write flag using *_ro command."));
            }
            // A script that may write is refused whole without enough good
            // replicas, on a read-only replica …
            if !shebang.no_writes && ctx.engine.lacks_good_replicas() {
                return Err(Reply::error(crate::replication::NOREPLICAS));
            }
            if !shebang.no_writes && ctx.engine.refuses_replica_writes(ctx.client.id) {
                return Err(Reply::error(crate::replication::READONLY));
            }
            // … and, unless it allows OOM, when memory is over the limit.
            if !shebang.no_writes && !shebang.allow_oom && crate::eviction::over_limit(ctx.engine) {
                return Err(Reply::error(crate::errors::OOM));
            }
            (&body[shebang.code_start..], ScriptFlags { read_only: ro_command || shebang.no_writes, compat: false })
        }
    };
    let split = (1 + numkeys).min(argv.len());
    let keys = &argv[1..split];
    let args = &argv[split..];
    Ok(run_script(ctx, command, sha, code, keys, args, flags))
}
