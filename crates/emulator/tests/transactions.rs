//! MULTI/EXEC/WATCH with two simulated clients.

mod common;

use common::Session;

#[test]
fn watch_conflict_aborts_exec() {
    let mut s = Session::new();
    s.check("WATCH k => OK");
    assert_eq!(s.run_as(1, "SET k theirs"), "OK");
    s.check("MULTI => OK");
    s.check("SET k mine => QUEUED");
    s.check("EXEC => (nil)");
    s.check("GET k => \"theirs\"");
}

#[test]
fn untouched_watch_lets_exec_run() {
    let mut s = Session::new();
    s.check("WATCH k => OK");
    s.check("MULTI => OK");
    s.check("SET k mine => QUEUED");
    s.check("GET k => QUEUED");
    s.check("EXEC => 1) OK\n|2) \"mine\"");
}

#[test]
fn queue_errors_abort_and_runtime_errors_are_per_command() {
    let mut s = Session::new();
    s.check("MULTI => OK");
    s.check("SET a => (error) ERR wrong number of arguments for 'set' command");
    s.check("EXEC => (error) EXECABORT Transaction discarded because of previous errors.");
    s.check("SET s v => OK");
    s.check("MULTI => OK");
    s.check("SET a 1 => QUEUED");
    s.check("EVAL \"return redis.call('nosuch')\" 0 => QUEUED");
    s.check("GET a => QUEUED");
    let out = s.run("EXEC");
    assert!(out.starts_with("1) OK\n2) (error) ERR Unknown Redis command called from script"), "{out}");
    assert!(out.ends_with("3) \"1\""), "{out}");
}

#[test]
fn nesting_and_stray_commands() {
    let mut s = Session::new();
    s.check("EXEC => (error) ERR EXEC without MULTI");
    s.check("DISCARD => (error) ERR DISCARD without MULTI");
    s.check("MULTI => OK");
    s.check("MULTI => (error) ERR MULTI calls can not be nested");
    s.check("WATCH x => (error) ERR WATCH inside MULTI is not allowed");
    s.check("DISCARD => OK");
}

#[test]
fn blocking_free_exec_and_flush_invalidate() {
    let mut s = Session::new();
    s.check("SET f 1 => OK");
    s.check("WATCH f => OK");
    assert_eq!(s.run_as(1, "FLUSHALL"), "OK");
    s.check("MULTI => OK");
    s.check("GET f => QUEUED");
    s.check("EXEC => (nil)");
}

/// Writes skip visiting clients once nobody watches; a later WATCH must
/// still see other clients' writes.
#[test]
fn watch_after_all_watches_ended_still_sees_other_writes() {
    let mut s = Session::new();
    s.check("WATCH k => OK");
    s.check("UNWATCH => OK");
    // A write with no watcher left clears the engine's "someone may watch" hint.
    assert_eq!(s.run_as(1, "SET k a"), "OK");
    assert_eq!(s.run_as(1, "SET k b"), "OK");
    s.check("WATCH k => OK");
    assert_eq!(s.run_as(1, "SET k theirs"), "OK");
    s.check("MULTI => OK");
    s.check("SET k mine => QUEUED");
    s.check("EXEC => (nil)");
    // The other client watches while this one writes inside EXEC.
    assert_eq!(s.run_as(1, "WATCH j"), "OK");
    s.check("MULTI => OK");
    s.check("SET j mine => QUEUED");
    s.check("EXEC => 1) OK");
    assert_eq!(s.run_as(1, "MULTI"), "OK");
    assert_eq!(s.run_as(1, "GET j"), "QUEUED");
    assert_eq!(s.run_as(1, "EXEC"), "(nil)");
}
