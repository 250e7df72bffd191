//! EVAL and friends on the emulator: results, errors, atomic effects,
//! the script cache and the time limit.

mod common;

use common::Session;

#[test]
fn eval_runs_commands_and_converts_results() {
    let mut s = Session::new();
    s.check("EVAL \"return redis.call('set', KEYS[1], ARGV[1])\" 1 k v => OK");
    s.check("EVAL \"return {redis.call('get', KEYS[1]), 1.9, true, false, 'x'}\" 1 k => 1) \"v\"\n|2) (integer) 1\n|3) (integer) 1\n|4) (nil)\n|5) \"x\"");
    assert_eq!(s.run_as(1, "GET k"), "\"v\"");
}

#[test]
fn errors_have_redis_format() {
    let mut s = Session::new();
    s.check("EVAL \"error('boom')\" 0 => (error) ERR user_script:1: boom script: 82903a0434f1503e152f89c03c9acd881a0e8150, on @user_script:1.");
    s.check(
        "EVALSHA ffffffffffffffffffffffffffffffffffffffff 0 => (error) NOSCRIPT No matching script. Please use EVAL.",
    );
    s.check("EVAL_RO \"return redis.call('set','a','b')\" 0 => (error) ERR Write commands are not allowed from read-only scripts. script: ff967d0ae0e68b4f9e360fa91c54598bc25ad9b6, on @user_script:1.");
}

#[test]
fn script_cache_round_trip() {
    let mut s = Session::new();
    s.check("SCRIPT LOAD \"return 'loaded'\" => \"b534286061d4b9e4026607613b95c06c06015ae8\"");
    s.check("EVALSHA b534286061d4b9e4026607613b95c06c06015ae8 0 => \"loaded\"");
    s.check("SCRIPT FLUSH => OK");
    s.check("SCRIPT EXISTS b534286061d4b9e4026607613b95c06c06015ae8 => 1) (integer) 0");
}

#[test]
fn math_random_is_deterministic_like_redis() {
    let mut s = Session::new();
    s.check("EVAL \"return math.random(100)\" 0 => (integer) 40");
    s.check("EVAL \"return math.random(100)\" 0 => (integer) 85");
}

#[test]
fn endless_script_is_stopped() {
    let mut s = Session::new();
    s.engine.config_mut().busy_reply_threshold_ms = 5;
    let out = s.run("EVAL \"while true do end\" 0");
    assert!(out.starts_with("(error) ERR Script killed: it ran longer than busy-reply-threshold (5 ms)"), "{out}");
    let out = s.run("EVAL \"while true do pcall(function() while true do end end) end\" 0");
    assert!(out.starts_with("(error) ERR Script killed"), "{out}");
    s.check("PING => PONG");
}

#[test]
fn two_clients_share_script_effects() {
    let mut s = Session::new();
    s.check("EVAL \"redis.call('set', 'a', '1') redis.call('set', 'b', '2') return redis.call('exists', 'a', 'b')\" 0 => (integer) 2");
    assert_eq!(s.run_as(1, "GET b"), "\"2\"");
    assert_eq!(s.run_as(1, "EVAL \"return redis.call('get', 'a')\" 0"), "\"1\"");
}

#[test]
fn script_publishes_to_subscribers() {
    let mut s = Session::new();
    s.run_as(1, "SUBSCRIBE ch");
    s.check("EVAL \"return redis.call('publish', 'ch', 'from-lua')\" 0 => (integer) 1");
    assert_eq!(s.delivered(1), vec!["1) \"message\"\n2) \"ch\"\n3) \"from-lua\"".to_string()]);
}

mod fuzz {
    use proptest::prelude::*;
    use redis_emulator::Engine;

    /// Pieces of Lua, valid and not, that scripts are built from.
    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "while true do end",
            "for i = 1, 1e9 do end",
            "repeat until false",
            "local function f() return f() end f()",
            "local function g() return 1 + g() end g()",
            "redis.call('set', 'k', 'v')",
            "redis.pcall('nosuch')",
            "redis.call('get', 'k')",
            "pcall(function() while true do end end)",
            "local co = coroutine.wrap(function() while true do end end) co()",
            "local s = 'x' for i = 1, 30 do s = s .. s end",
            "local t = {} for i = 1, 1e7 do t[i] = i end",
            "return {1, 2, {3}}",
            "return {err = 'x'}",
            "error('boom')",
            "error({})",
            "return unpack({}, 1, 1e9)",
            "string.rep('ab', 1e9)",
            "math.random(0)",
            "x = 1",
            "return KEYS[1]",
            "return struct.unpack('!8 i s c0 d', 'abc', 1e300)",
            "return struct.pack('i32 c99999999 s', 1, 'x', 'y')",
            "return cmsgpack.unpack('\\221\\255\\255\\255\\255')",
            "return cjson.decode(string.rep('[', 5000))",
            "return cjson.encode(setmetatable({}, {__index = function() return 1 end}))",
            "(",
            ")",
            "end",
            "return",
            "local",
            "..",
            "{",
            "}",
            "'",
            "--",
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 120, ..ProptestConfig::default() })]

        #[test]
        fn scripts_always_end(pieces in prop::collection::vec(piece(), 1..5)) {
            let mut engine = Engine::with_manual_clock(1_700_000_000_000, 3);
            engine.config_mut().busy_reply_threshold_ms = 2;
            let me = engine.connect("fuzz:1");
            let body = pieces.join(" ");
            let argv = vec![b"EVAL".to_vec(), body.into_bytes(), b"1".to_vec(), b"k".to_vec()];
            let _ = engine.execute(me, argv);
            // The engine still answers afterwards.
            let pong = engine.execute(me, vec![b"PING".to_vec()]);
            prop_assert_eq!(pong, redis_emulator::Reply::status("PONG"));
        }
    }
}

#[test]
fn deep_nesting_fails_cleanly_on_a_small_stack() {
    let scripts = [
        "local function f() return pcall(f) end return f()",
        "local t = setmetatable({}, {}) getmetatable(t).__index = function(s, k) return s[k] end return t.x",
        "local function f(s) return (string.gsub('a', 'a', f)) end return f()",
        "local function f() return tostring(setmetatable({}, {__tostring = f})) end return f()",
        "local function f() local co = coroutine.create(f) return coroutine.resume(co) end return f()",
        "local function f() return select(2, xpcall(f, f)) end return f()",
        "local function f() table.sort({3,2,1}, function(a, b) f() return a < b end) end f()",
        "return {loadstring('return ' .. string.rep('(', 300) .. '1' .. string.rep(')', 300))}",
        "local s = string.rep('(', 300) return load(function() local p = s s = nil return p end)",
        "return cjson.decode(string.rep('[', 100000))",
        "return cmsgpack.unpack(string.rep('\\145', 100000))",
        "local t = {} local c = t for i=1,5000 do c[1] = {} c = c[1] end return cjson.encode(t)",
        "local t = {} local c = t for i=1,5000 do c[1] = {} c = c[1] end return cmsgpack.pack(t)",
        "local t = {} local c = t for i=1,5000 do c[1] = {} c = c[1] end return t",
    ];
    let deep_body = format!("return {}1{}", "(".repeat(300), ")".repeat(300));
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let mut engine = redis_emulator::Engine::with_manual_clock(0, 1);
            engine.config_mut().busy_reply_threshold_ms = 20;
            let me = engine.connect("stack");
            for s in scripts {
                let _ = engine.execute(me, vec![b"EVAL".to_vec(), s.as_bytes().to_vec(), b"0".to_vec()]);
            }
            let deep = engine.execute(me, vec![b"EVAL".to_vec(), deep_body.into_bytes(), b"0".to_vec()]);
            let pong = engine.execute(me, vec![b"PING".to_vec()]);
            (deep, pong)
        })
        .expect("thread");
    let (deep, pong) = handle.join().expect("no stack overflow");
    assert_eq!(
        deep.error_text(),
        Some("ERR Error compiling script (new function): user_script:1: chunk has too many syntax levels")
    );
    assert_eq!(pong, redis_emulator::Reply::status("PONG"));
}
