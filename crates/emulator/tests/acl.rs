//! ACL on the engine: the log (grouping, age on the engine clock, client
//! info), what happens to clients of deleted or restricted users, RESET,
//! CLIENT LIST's `user=`, requirepass, and every console being a client.

mod common;

use common::Session;

#[test]
fn refusals_are_logged_grouped_and_aged_on_the_engine_clock() {
    let mut s = Session::new();
    s.check("ACL SETUSER app on nopass ~app:* +get => OK");
    assert_eq!(s.run_as(1, "AUTH app x"), "OK");
    for _ in 0..3 {
        assert_eq!(
            s.run_as(1, "GET other"),
            "(error) NOPERM this user has no permissions to access one of the keys used as arguments"
        );
    }
    assert_eq!(s.run_as(1, "SET app:1 v"), "(error) NOPERM this user has no permissions to run the 'set' command");
    s.advance(1500);
    let log = s.run("ACL LOG");
    let lines: Vec<&str> = log.lines().collect();
    // Newest first: the SET refusal, then the three GETs counted as one entry.
    assert_eq!(lines[0], "1)  1) \"count\"");
    assert_eq!(lines[1], "    2) (integer) 1");
    assert_eq!(lines[3], "    4) \"command\"");
    assert_eq!(lines[7], "    8) \"set\"");
    assert_eq!(lines[9], "   10) \"app\"");
    assert_eq!(lines[11], "   12) \"1.5\"");
    assert!(lines[13].contains("cmd=set user=app"), "{}", lines[13]);
    assert_eq!(lines[14], "2)  1) \"count\"");
    assert_eq!(lines[15], "    2) (integer) 3");
    assert_eq!(lines[17], "    4) \"key\"");
    assert_eq!(lines[21], "    8) \"other\"");
    // More than a minute apart: a new entry.
    s.advance(61_000);
    s.run_as(1, "GET other");
    assert_eq!(s.run("ACL LOG 1").lines().nth(1), Some("    2) (integer) 1"));
    assert_eq!(s.run("ACL LOG").lines().filter(|l| l.contains("\"count\"")).count(), 3);
    s.check("CONFIG SET acllog-max-len 1 => OK");
    s.run_as(1, "GET third");
    assert_eq!(s.run("ACL LOG").lines().filter(|l| l.contains("\"count\"")).count(), 1);
    s.check("ACL LOG RESET => OK");
    s.check("ACL LOG => (empty array)");
}

#[test]
fn failed_logins_are_logged_with_the_user_tried() {
    let mut s = Session::new();
    assert_eq!(s.run_as(1, "auth nobody pw"), "(error) WRONGPASS invalid username-password pair or user is disabled.");
    let log = s.run("ACL LOG");
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines[3], "    4) \"auth\"");
    assert_eq!(lines[5], "    6) \"toplevel\"");
    assert_eq!(lines[7], "    8) \"auth\"", "the object is the command as typed");
    assert_eq!(lines[9], "   10) \"nobody\"");
}

#[test]
fn deleting_a_user_disconnects_its_clients() {
    let mut s = Session::new();
    s.check("ACL SETUSER temp on >pw +@all ~* => OK");
    assert_eq!(s.run_as(1, "AUTH temp pw"), "OK");
    assert!(s.run("CLIENT LIST").contains("user=temp"));
    s.check("ACL DELUSER temp => (integer) 1");
    assert!(!s.run("CLIENT LIST").contains("user=temp"));
    assert_eq!(s.run_as(1, "PING"), "(error) ERR no such client");
}

#[test]
fn deleting_the_callers_own_user_closes_it_after_the_reply() {
    let mut s = Session::new();
    s.check("ACL SETUSER me on >pw +@all ~* => OK");
    s.check("AUTH me pw => OK");
    s.check("ACL DELUSER me => (integer) 1");
    let me = s.clients[0];
    assert!(s.engine.client(me).is_some_and(|c| c.close_after_reply));
}

#[test]
fn subscribers_losing_a_channel_are_disconnected() {
    let mut s = Session::new();
    s.check("ACL SETUSER sub on nopass &news.* &chat +@all => OK");
    assert_eq!(s.run_as(1, "AUTH sub x"), "OK");
    s.run_as(1, "SUBSCRIBE news.today");
    s.check("ACL SETUSER sub resetchannels &chat => OK");
    assert_eq!(s.run_as(1, "PING"), "(error) ERR no such client");
}

#[test]
fn subscribers_keeping_their_channels_stay() {
    let mut s = Session::new();
    s.check("ACL SETUSER sub on nopass &news.* +@all => OK");
    assert_eq!(s.run_as(1, "AUTH sub x"), "OK");
    s.run_as(1, "SUBSCRIBE news.today");
    s.check("ACL SETUSER sub &more => OK");
    assert_eq!(s.run_as(1, "PING"), "1) \"pong\"\n2) \"\"");
}

#[test]
fn reset_logs_out_and_requirepass_guards_new_connections() {
    let mut s = Session::new();
    s.check("ACL SETUSER bob on >pw +@all ~* => OK");
    s.check("AUTH bob pw => OK");
    s.check("ACL WHOAMI => \"bob\"");
    s.check("RESET => RESET");
    s.check("ACL WHOAMI => \"default\"");
    s.check("CONFIG SET requirepass secret => OK");
    // Connections made before the password keep working, as in Redis.
    s.check("PING => PONG");
    let late = s.engine.connect("test:3");
    s.clients.push(late);
    assert_eq!(s.run_as(2, "PING"), "(error) NOAUTH Authentication required.");
    assert_eq!(s.run_as(2, "AUTH secret"), "OK");
    assert_eq!(s.run_as(2, "PING"), "PONG");
    // RESET while a password is needed leaves the client unauthenticated.
    assert_eq!(s.run_as(2, "RESET"), "RESET");
    assert_eq!(s.run_as(2, "PING"), "(error) NOAUTH Authentication required.");
    s.check("CONFIG GET requirepass => 1) \"requirepass\"\n|2) \"secret\"");
}

#[test]
fn exec_rechecks_permissions_changed_after_queueing() {
    let mut s = Session::new();
    s.check("ACL SETUSER w on >pw +@all ~* => OK");
    assert_eq!(s.run_as(1, "AUTH w pw"), "OK");
    assert_eq!(s.run_as(1, "MULTI"), "OK");
    assert_eq!(s.run_as(1, "SET k v"), "QUEUED");
    s.check("ACL SETUSER w -set => OK");
    assert_eq!(
        s.run_as(1, "EXEC"),
        "1) (error) NOPERM ACLs rules changed between the moment the transaction was accumulated and its \
         execution. This command is no longer allowed for the following reason: no permission to execute the \
         command or subcommand"
    );
    s.check("EXISTS k => (integer) 0");
}

#[test]
fn genpass_gives_the_asked_number_of_hex_digits() {
    let mut s = Session::new();
    let pass = s.run("ACL GENPASS");
    assert_eq!(pass.len(), 64 + 2);
    let short = s.run("ACL GENPASS 5");
    assert_eq!(short.trim_matches('"').len(), 2);
    assert!(short.trim_matches('"').bytes().all(|b| b.is_ascii_hexdigit()));
}

#[test]
fn passwords_never_reach_the_slow_log() {
    let mut s = Session::new();
    s.check("CONFIG SET slowlog-log-slower-than 0 => OK");
    s.check("ACL SETUSER zed on >pw +@all => OK");
    s.check("AUTH zed pw => OK");
    s.run("HELLO 2 AUTH zed pw SETNAME me");
    s.check("CONFIG SET requirepass secret maxmemory 0 => OK");
    let log = s.run("SLOWLOG GET 4");
    assert!(!log.contains("\"pw\"") && !log.contains("\"secret\""), "{log}");
    // CONFIG SET: 1, HELLO: 2, AUTH: 2, ACL SETUSER: its 4 arguments.
    assert_eq!(log.matches("(redacted)").count(), 1 + 2 + 2 + 4, "{log}");
}

mod odd_rules {
    use proptest::prelude::*;
    use redis_emulator::Engine;

    fn rule() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            4 => prop::sample::select(vec![
                "on", "off", "nopass", "resetpass", "reset", ">", "<", "#", "!", ">pw", "<pw", "~", "~*", "%",
                "%R", "%RW~", "%W~a", "%~", "&", "&*", "allkeys", "resetkeys", "allchannels", "resetchannels",
                "+", "-", "+@", "-@", "+@all", "-@all", "+get", "-get", "+get|", "+get|x", "+config|get",
                "+config|get|x", "-config|", "+|", "(", ")", "()", "(~a", "+get)", "(+@all ~*)", "( )",
                "(\"~a b\")", "clearselectors", "allcommands", "nocommands", "+select|0", "+cluster|info",
                "-migrate", "+@dangerous", "skip-sanitize-payload",
            ])
            .prop_map(|s| s.as_bytes().to_vec()),
            1 => prop::collection::vec(any::<u8>(), 0..10),
        ]
    }

    fn line() -> impl Strategy<Value = Vec<Vec<u8>>> {
        let word = prop_oneof![
            3 => prop::sample::select(vec![
                "get", "set", "a", "b", "config", "get", "publish", "ch", "psubscribe", "*", "sort", "BY", "x*",
                "eval", "1", "2", "sintercard", "bitfield", "SET", "u4", "0", "client", "list", "acl", "whoami",
            ])
            .prop_map(|s| s.as_bytes().to_vec()),
            1 => prop::collection::vec(any::<u8>(), 0..6),
        ];
        prop::collection::vec(word, 0..6)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 800, ..ProptestConfig::default() })]

        #[test]
        fn odd_rules_and_lines_never_panic(rules in prop::collection::vec(rule(), 0..8), lines in prop::collection::vec(line(), 0..6)) {
            let mut e = Engine::with_manual_clock(0, 1);
            let admin = e.connect("t:1");
            let user = e.connect("t:2");
            let mut setuser = vec![b"ACL".to_vec(), b"SETUSER".to_vec(), b"u".to_vec()];
            setuser.extend(rules);
            e.execute(admin, setuser);
            e.execute(admin, vec![b"ACL".to_vec(), b"GETUSER".to_vec(), b"u".to_vec()]);
            e.execute(admin, vec![b"ACL".to_vec(), b"LIST".to_vec()]);
            e.execute(user, vec![b"AUTH".to_vec(), b"u".to_vec(), b"pw".to_vec()]);
            for l in lines {
                let mut dry = vec![b"ACL".to_vec(), b"DRYRUN".to_vec(), b"u".to_vec()];
                dry.extend(l.iter().cloned());
                e.execute(admin, dry);
                e.execute(user, l);
            }
            e.execute(admin, vec![b"ACL".to_vec(), b"LOG".to_vec()]);
        }
    }
}
