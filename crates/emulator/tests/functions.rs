//! Functions on the emulator: FUNCTION LOAD and its errors, FCALL and
//! FCALL_RO, the load-time sandbox, LIST/DELETE/FLUSH/STATS/KILL, DUMP and
//! RESTORE, and libraries surviving FLUSHALL, snapshots and the AOF.

mod common;

use common::Session;

const LIB: &str = "\"#!lua name=mylib\\nredis.register_function('hello', function(keys, args) return 'hi ' .. \
                   (args[1] or '') end)\"";

fn loaded() -> Session {
    let mut s = Session::new();
    s.check(&format!("FUNCTION LOAD {LIB} => \"mylib\""));
    s
}

#[test]
fn load_and_call() {
    let mut s = loaded();
    s.check("FCALL hello 0 you => \"hi you\"");
    s.check("FCALL HELLO 0 => \"hi \"");
    s.check("FCALL nosuch 0 => (error) ERR Function not found");
    s.check("FCALL hello x => (error) ERR Bad number of keys provided");
    s.check("FCALL hello 3 a => (error) ERR Number of keys can't be greater than number of args");
    s.check("FCALL hello -1 a => (error) ERR Number of keys can't be negative");
    s.check(&format!("FUNCTION LOAD {LIB} => (error) ERR Library 'mylib' already exists"));
    s.check(&format!("FUNCTION LOAD REPLACE {LIB} => \"mylib\""));
    s.check("FUNCTION LOAD foo bar => (error) ERR Unknown option given: foo");
}

#[test]
fn keys_and_args_are_the_callback_arguments() {
    let mut s = Session::new();
    s.check(
        "FUNCTION LOAD \"#!lua name=kv\\nredis.register_function('setkv', function(keys, args) \
         return redis.call('set', keys[1], args[1]) end)\" => \"kv\"",
    );
    s.check("FCALL setkv 1 k v => OK");
    s.check("GET k => \"v\"");
    s.check("FCALL_RO setkv 1 k v => (error) ERR Can not execute a script with write flag using *_ro command.");
}

#[test]
fn no_writes_functions_cannot_write() {
    let mut s = Session::new();
    s.check(
        "FUNCTION LOAD \"#!lua name=ro\\nredis.register_function{function_name='w', callback=function(keys) \
         return redis.call('set', keys[1], 1) end, flags={'no-writes'}}\" => \"ro\"",
    );
    s.check("FCALL w 1 k => (error) ERR Write commands are not allowed from read-only scripts. script: w, on @user_function:2.");
    s.check("FCALL_RO w 1 k => (error) ERR Write commands are not allowed from read-only scripts. script: w, on @user_function:2.");
}

#[test]
fn load_errors_are_redis_errors() {
    let mut s = Session::new();
    s.check("FUNCTION LOAD nocode => (error) ERR Missing library metadata");
    s.check("FUNCTION LOAD \"#!lua name=x\" => (error) ERR Invalid library metadata");
    s.check("FUNCTION LOAD \"#!lua\\nx\" => (error) ERR Library name was not given");
    s.check("FUNCTION LOAD \"#!bad name=x\\nx\" => (error) ERR Engine 'bad' not found");
    s.check("FUNCTION LOAD \"#!lua name=a-b\\nx\" => (error) ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long");
    s.check("FUNCTION LOAD \"#!lua name=a foo=bar\\nx\" => (error) ERR Invalid metadata value given: foo=bar");
    s.check("FUNCTION LOAD \"#!lua name=a\\nif then\" => (error) ERR Error compiling function: user_function:2: unexpected symbol near 'then'");
    s.check("FUNCTION LOAD \"#!lua name=a\\nreturn 1\" => (error) ERR No functions registered");
    s.check("FUNCTION LOAD \"#!lua name=a\\nreturn redis.call('ping')\" => (error) ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'call'");
    s.check("FUNCTION LOAD \"#!lua name=a\\nreturn math.random()\" => (error) ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'math'");
    s.check("FUNCTION LOAD \"#!lua name=a\\na = 1\" => (error) ERR Error registering functions: ERR user_function:2: Attempt to modify a readonly table");
    s.check("FUNCTION LOAD \"#!lua name=a\\nlocal a = 1 while 1 do a = a + 1 end\" => (error) ERR Error registering functions: ERR FUNCTION LOAD timeout");
    s.check("FUNCTION LOAD \"#!lua name=a\\nredis.register_function()\" => (error) ERR Error registering functions: ERR wrong number of arguments to redis.register_function");
    s.check("FUNCTION LOAD \"#!lua name=a\\nredis.register_function{function_name='f', callback=function() end, flags={'bad'}}\" => (error) ERR Error registering functions: ERR unknown flag given");
    s.check("FUNCTION LOAD \"#!lua name=a\\nredis.register_function('f', function() end) redis.register_function('f', function() end)\" => (error) ERR Error registering functions: ERR Function already exists in the library");
    s.check("FUNCTION STATS => 1) \"running_script\"\n|2) (nil)\n|3) \"engines\"\n|4) 1) \"LUA\"\n|    2) 1) \"libraries_count\"\n|       2) (integer) 0\n|       3) \"functions_count\"\n|       4) (integer) 0");
}

#[test]
fn names_collide_across_libraries() {
    let mut s = loaded();
    s.check("FUNCTION LOAD \"#!lua name=other\\nredis.register_function('HELLO', function() return 1 end)\" => (error) ERR Function HELLO already exists");
    s.check("FCALL hello 0 => \"hi \"");
}

#[test]
fn runtime_sandbox() {
    let mut s = Session::new();
    s.check(
        "FUNCTION LOAD \"#!lua name=box\\nlocal lib = redis\\n\
         redis.register_function('keys', function() return KEYS end)\\n\
         redis.register_function('reg', function() lib.register_function('x', function() end) end)\\n\
         redis.register_function('nested', function() return redis.register_function end)\" => \"box\"",
    );
    s.check("FCALL keys 0 => (error) ERR user_function:3: Script attempted to access nonexistent global variable 'KEYS' script: keys, on @user_function:3.");
    s.check("FCALL reg 0 => (error) ERR redis.register_function can only be called on FUNCTION LOAD command script: reg, on @user_function:4.");
    s.check("FCALL nested 0 => (nil)");
}

#[test]
fn list_delete_flush_kill() {
    let mut s = loaded();
    s.check("FUNCTION LIST => 1) 1) \"library_name\"\n|    2) \"mylib\"\n|    3) \"engine\"\n|    4) \"LUA\"\n|    5) \"functions\"\n|    6) 1) 1) \"name\"\n|          2) \"hello\"\n|          3) \"description\"\n|          4) (nil)\n|          5) \"flags\"\n|          6) (empty array)");
    s.check("FUNCTION LIST LIBRARYNAME nomatch* => (empty array)");
    s.check("FUNCTION LIST LIBRARYNAME => (error) ERR library name argument was not given");
    s.check("FUNCTION LIST WITHCODE WITHCODE => (error) ERR Unknown argument WITHCODE");
    s.check("FUNCTION KILL => (error) NOTBUSY No scripts in execution right now.");
    s.check("FLUSHALL => OK");
    s.check("FCALL hello 0 => \"hi \"");
    s.check("FUNCTION DELETE nosuch => (error) ERR Library not found");
    s.check("FUNCTION DELETE mylib => OK");
    s.check("FUNCTION LIST => (empty array)");
    s.check(&format!("FUNCTION LOAD {LIB} => \"mylib\""));
    s.check("FUNCTION FLUSH bad => (error) ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
    s.check("FUNCTION FLUSH SYNC x => (error) ERR unknown subcommand or wrong number of arguments for 'FLUSH'. Try FUNCTION HELP.");
    s.check("FUNCTION FLUSH ASYNC => OK");
    s.check("FUNCTION LIST => (empty array)");
}

#[test]
fn dump_and_restore() {
    let mut s = loaded();
    let payload = match s.engine.execute_line(s.clients[0], "FUNCTION DUMP") {
        Ok(redis_emulator::Reply::Bulk(b)) => b,
        other => panic!("FUNCTION DUMP answered {other:?}"),
    };
    // Redis 7.0.15's payload for the same library: opcode 0xF5, the code as
    // an RDB string (LZF would not save enough here), version 10, CRC-64.
    let code =
        b"#!lua name=mylib\nredis.register_function('hello', function(keys, args) return 'hi ' .. (args[1] or '') end)";
    let mut expected = vec![0xF5, 0x40, code.len() as u8];
    expected.extend_from_slice(code);
    expected.extend_from_slice(b"\x0a\x00\x8c\x77\x82\xe4\x0e\xd0\xbb\xa9");
    assert_eq!(payload, expected);
    let id = s.clients[0];
    let restore = |s: &mut Session, extra: &[&str]| {
        let mut argv = vec![b"FUNCTION".to_vec(), b"RESTORE".to_vec(), payload.clone()];
        argv.extend(extra.iter().map(|e| e.as_bytes().to_vec()));
        redis_emulator::cli_format::format_reply(&s.engine.execute(id, argv), redis_emulator::Protocol::Resp2)
    };
    assert_eq!(restore(&mut s, &[]), "(error) ERR Library mylib already exists\n");
    assert_eq!(restore(&mut s, &["REPLACE"]), "OK\n");
    assert_eq!(
        restore(&mut s, &["BAD"]),
        "(error) ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.\n"
    );
    s.check("FUNCTION LOAD \"#!lua name=other\\nredis.register_function('o', function() return 1 end)\" => \"other\"");
    assert_eq!(restore(&mut s, &["FLUSH"]), "OK\n");
    s.check("FCALL o 0 => (error) ERR Function not found");
    s.check("FCALL hello 0 => \"hi \"");
    s.check("FUNCTION FLUSH => OK");
    assert_eq!(restore(&mut s, &["APPEND"]), "OK\n");
    s.check("FCALL hello 0 => \"hi \"");
    s.check("FUNCTION RESTORE bad => (error) ERR DUMP payload version or checksum are wrong");
    s.check("FUNCTION RESTORE a b c => (error) ERR unknown subcommand or wrong number of arguments for 'RESTORE'. Try FUNCTION HELP.");
}

#[test]
fn libraries_survive_an_rdb_file_debug_reload_and_the_aof() {
    let mut s = loaded();
    s.check("SET k v => OK");
    s.check("DEBUG RELOAD => OK");
    s.check("FCALL hello 0 => \"hi \"");
    let rdb = s.engine.rdb_file().expect("libraries are written to RDB files");
    let mut other = Session::new();
    other.engine.load_rdb(&rdb).expect("the file loads");
    other.check("FCALL hello 0 => \"hi \"\nGET k => \"v\"");

    // A command-format AOF base starts with the libraries.
    s.check("CONFIG SET aof-use-rdb-preamble no => OK");
    s.check("CONFIG SET appendonly yes => OK");
    s.check(
        "FUNCTION LOAD \"#!lua name=second\\nredis.register_function('two', function() return 2 end)\" => \"second\"",
    );
    let files = s.engine.disk_files();
    let base = files.iter().find(|f| f.0.ends_with(".base.aof")).expect("an AOF-format base file");
    assert!(base.1.starts_with(b"*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n"), "the rewrite starts with the libraries");
    let mut replayed = Session::new();
    replayed.run("CONFIG SET appendonly yes");
    replayed.engine.boot_from_disk(files).expect("AOF loads");
    replayed.check("FCALL hello 0 => \"hi \"");
    replayed.check("FCALL two 0 => (integer) 2");
    replayed.check("GET k => \"v\"");
    s.check("FUNCTION DELETE second => OK\nDEBUG LOADAOF => OK");
    s.check("FCALL two 0 => (error) ERR Function not found\nFCALL hello 0 => \"hi \"");
}
