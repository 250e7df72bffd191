//! The emulator for Node.js (built with `wasm-bindgen --target nodejs`), so
//! benchmarks can run it next to JavaScript emulators in the same process.

use redis_emulator::clock::Clock;
use redis_emulator::{ClientId, Config, Engine};
use wasm_bindgen::prelude::*;

fn js_now_us() -> i64 {
    (js_sys::Date::now() * 1000.0) as i64
}

/// One engine with one client.
#[wasm_bindgen]
pub struct WasmEngine {
    engine: Engine,
    client: ClientId,
}

#[wasm_bindgen]
impl WasmEngine {
    #[wasm_bindgen(constructor)]
    pub fn new() -> WasmEngine {
        let mut engine = Engine::new(Clock::real(js_now_us), 1, Config::default());
        let client = engine.connect("bench");
        WasmEngine { engine, client }
    }

    /// Runs one command given as separate arguments; returns the reply as
    /// redis-cli prints it (called from JavaScript once per command).
    pub fn call(&mut self, args: Vec<String>) -> String {
        let argv = args.into_iter().map(String::into_bytes).collect();
        let reply = self.engine.execute(self.client, argv);
        redis_emulator::cli_format::format_reply(&reply, redis_emulator::Protocol::Resp2)
    }

    /// Runs `n` commands of a workload inside WebAssembly and returns the
    /// elapsed milliseconds (engine throughput without JavaScript calls).
    pub fn run_workload(&mut self, name: &str, n: u32) -> f64 {
        // Commands are built before the clock starts, as the native benchmark does.
        let batch: Vec<Vec<Vec<u8>>> = (0..n as usize).map(|i| workload(name, i)).collect();
        let start = js_sys::Date::now();
        for argv in batch {
            let _ = self.engine.execute(self.client, argv);
        }
        js_sys::Date::now() - start
    }
}

impl Default for WasmEngine {
    fn default() -> Self {
        WasmEngine::new()
    }
}

/// The commands of each benchmark workload for iteration `i` (the same
/// ones the JavaScript baseline runs).
pub fn workload(name: &str, i: usize) -> Vec<Vec<u8>> {
    let key = format!("key:{}", i % 100_000);
    let member = format!("m:{}", i % 100_000);
    let parts: Vec<&[u8]> = match name {
        "SET" => vec![b"SET", key.as_bytes(), b"value"],
        "GET" => vec![b"GET", key.as_bytes()],
        "INCR" => vec![b"INCR", b"counter"],
        "LPUSH" => vec![b"LPUSH", b"list", b"value"],
        "HSET" => vec![b"HSET", b"hash", member.as_bytes(), b"value"],
        "SADD" => vec![b"SADD", b"set", member.as_bytes()],
        "ZADD" => {
            return vec![b"ZADD".to_vec(), b"zset".to_vec(), (i % 1000).to_string().into_bytes(), member.into_bytes()]
        }
        "PFADD" => vec![b"PFADD", b"hll", member.as_bytes()],
        "XADD" => vec![b"XADD", b"stream", b"*", b"field", b"value"],
        _ => vec![b"PING"],
    };
    parts.into_iter().map(|p| p.to_vec()).collect()
}
