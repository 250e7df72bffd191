//! The in-page Redis: one engine on the browser's clock shared by every
//! console, the key browser and the panels through a context. Engine
//! events are drained here, once, and routed: replies for a client
//! (unblocked BLPOP, pub/sub messages, MONITOR lines) wait in that client's
//! mailbox; expiries and evictions go to the key browser's "removed" list.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::rc::Rc;

use redis_emulator::inspect;
use redis_emulator::{ClientId, Clock, Config, Engine, Event, Protocol, Reply};
use yew::prelude::*;

use crate::i18n::{tf, K};

use super::keys::KeyIndex;
use super::snapshot;

/// Real time from the browser, in microseconds since the Unix epoch.
pub fn browser_time_us() -> i64 {
    (js_sys::Date::now() * 1000.0) as i64
}

/// How long a removed key stays visible (fading out) in the key browser.
pub const REMOVED_VISIBLE_MS: f64 = 4000.0;
const MAX_PENDING_DELIVERIES: usize = 1000;
const MAX_REMOVED_SHOWN: usize = 50;

/// A key that expired or was evicted, shown fading out.
#[derive(Clone, Debug, PartialEq)]
pub struct Removed {
    pub db: usize,
    pub key: Vec<u8>,
    pub reason: String,
    /// Real time (ms) when it was noticed.
    pub at_ms: f64,
}

/// The last radius search on a geo key: centre (lon, lat) and radius.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GeoQuery {
    pub center: (f64, f64),
    pub radius_m: f64,
}

/// Something the user must know about the saved dataset.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    /// The save could not be read at all; the page started empty.
    Unreadable { reason: String, saved: String },
    /// Some saved commands failed; the rest were restored.
    Partial { failures: Vec<String>, saved: String },
}

#[derive(Default)]
pub struct Inbox {
    deliveries: BTreeMap<ClientId, Vec<Reply>>,
    pub removed: VecDeque<Removed>,
    /// Keys the last console command changed, as (db, key).
    pub changed: HashSet<(usize, Vec<u8>)>,
    /// The dataset changed since it was last saved.
    pub dirty: bool,
    /// The last save was refused (storage full or unavailable).
    pub save_failed: bool,
    pub geo_queries: HashMap<(usize, Vec<u8>), GeoQuery>,
    pub notice: Option<Notice>,
    /// Lines a lesson asked a console to type and run: (console number,
    /// line, the block that sent it).
    scripted: Vec<(u32, String, Option<Rc<str>>)>,
    /// What each block's lines printed in their console (prompt, command
    /// and reply, as the console shows them), by block key: shown under
    /// the block where the console is out of sight (narrow screens).
    echoes: HashMap<Rc<str>, String>,
}

/// Everything the page asks of the lab. Components say what happened;
/// [`Lab::dispatch`] changes the engine and routes what came out of it.
#[derive(Clone, Debug, PartialEq)]
pub enum LabAction {
    /// A new client: a console (`browser:N`) or the MONITOR panel.
    Connect { addr: String },
    /// One command line's arguments, run as `client` (a console).
    Run { client: ClientId, argv: Vec<Vec<u8>> },
    /// Ctrl+C on a blocked console: stop waiting, as redis-cli does.
    Unblock { client: ClientId },
    /// The page's timer at real time `now_ms`: expire keys, time out
    /// blocked clients, route the events.
    Tick { now_ms: f64 },
    /// Pause the engine's clock, or let it run again.
    ToggleClock,
    /// Jump the engine's clock forward by `ms`.
    Advance { ms: i64, now_ms: f64 },
    /// Commands run on a client of their own (an import, start data, FLUSHALL).
    Load(snapshot::Commands),
    /// A saved dataset to restore; what cannot be restored becomes a notice.
    Restore(String),
    /// A console or panel closed: forget its client and mailbox.
    Disconnect { client: ClientId },
}

/// What a [`LabAction`] produced.
#[derive(Clone, Debug, PartialEq)]
pub enum Dispatched {
    /// The new client.
    Connected(ClientId),
    /// A command's reply, and the protocol to print it in.
    Ran { reply: Reply, protocol: Protocol },
    /// One line per command that failed.
    Loaded { failures: Vec<String> },
    /// Whether anything visible changed.
    Changed(bool),
}

/// The engine and everything routed out of it.
pub struct Lab {
    pub engine: RefCell<Engine>,
    pub inbox: RefCell<Inbox>,
    /// The key browser's sorted key list, patched from each change feed.
    pub key_index: RefCell<KeyIndex>,
}

impl Lab {
    pub fn new(engine: Engine) -> Lab {
        let mut engine = engine;
        engine.track_changes(true);
        Lab { engine: RefCell::new(engine), inbox: RefCell::new(Inbox::default()), key_index: RefCell::default() }
    }

    /// An engine on the browser's clock with the page's limits.
    pub fn in_browser() -> Lab {
        let seed = js_sys::Date::now() as u64;
        Lab::new(Engine::new(Clock::real(browser_time_us), seed, Config::browser()))
    }

    /// Carries out one action.
    pub fn dispatch(&self, action: LabAction) -> Dispatched {
        match action {
            LabAction::Connect { addr } => Dispatched::Connected(self.engine.borrow_mut().connect(addr)),
            LabAction::Run { client, argv } => {
                let (reply, protocol, db) = {
                    let mut engine = self.engine.borrow_mut();
                    let db = engine.client(client).map(|c| c.db).unwrap_or(0);
                    let reply = engine.execute(client, argv.clone());
                    (reply, engine.protocol_of(client), db)
                };
                self.note_command(&argv);
                if !reply.is_error() {
                    self.note_geo_query(db, &argv);
                }
                Dispatched::Ran { reply, protocol }
            }
            LabAction::Unblock { client } => {
                Dispatched::Changed(self.engine.borrow_mut().unblock_client(client, false))
            }
            LabAction::Tick { now_ms } => {
                // A command may be running (a lesson block): try again next time.
                let Ok(mut engine) = self.engine.try_borrow_mut() else { return Dispatched::Changed(false) };
                engine.tick();
                drop(engine);
                Dispatched::Changed(self.pump(false, now_ms))
            }
            LabAction::ToggleClock => {
                let mut engine = self.engine.borrow_mut();
                if engine.clock().is_paused() {
                    engine.resume_clock();
                } else {
                    engine.pause_clock();
                }
                Dispatched::Changed(true)
            }
            LabAction::Advance { ms, now_ms } => {
                self.engine.borrow_mut().advance_clock(ms);
                self.pump(false, now_ms);
                Dispatched::Changed(true)
            }
            LabAction::Load(commands) => Dispatched::Loaded { failures: self.run_commands(commands) },
            LabAction::Restore(saved) => {
                self.restore(&saved);
                Dispatched::Changed(true)
            }
            LabAction::Disconnect { client } => {
                self.disconnect(client);
                Dispatched::Changed(true)
            }
        }
    }

    /// [`LabAction::Load`]: one line per command that failed.
    pub fn load(&self, commands: snapshot::Commands) -> Vec<String> {
        match self.dispatch(LabAction::Load(commands)) {
            Dispatched::Loaded { failures } => failures,
            _ => Vec::new(),
        }
    }

    /// Runs a command text (saved data, an import, a share link) on a
    /// client of its own. Returns one line per failed command.
    fn run_commands(&self, commands: snapshot::Commands) -> Vec<String> {
        let mut failures = Vec::new();
        {
            let mut engine = self.engine.borrow_mut();
            let loader = engine.connect("browser:loader");
            for argv in commands {
                let line = snapshot::command_line(&argv);
                let reply = engine.execute(loader, argv);
                if let Some(e) = reply.error_text() {
                    if failures.len() < 100 {
                        failures.push(format!("{line} → {e}"));
                    }
                }
            }
            engine.disconnect(loader);
        }
        self.pump(false, 0.0);
        self.inbox.borrow_mut().dirty = true;
        failures
    }

    /// Restores a saved dataset. Anything that cannot be restored becomes
    /// a notice that keeps the saved text so the user can download it.
    fn restore(&self, saved: &str) {
        let notice = match snapshot::parse(saved, true) {
            Err(e) => Some(Notice::Unreadable { reason: e.to_string(), saved: saved.to_string() }),
            Ok(commands) => {
                let failures = self.run_commands(commands);
                (!failures.is_empty()).then(|| Notice::Partial { failures, saved: saved.to_string() })
            }
        };
        let mut inbox = self.inbox.borrow_mut();
        inbox.removed.clear();
        inbox.changed.clear();
        inbox.dirty = false;
        inbox.notice = notice;
    }

    /// Drains the engine's events once and routes them. `after_command`
    /// marks the changed keys as the last command's (highlighted).
    /// Returns true if anything visible changed.
    pub fn pump(&self, after_command: bool, now_real_ms: f64) -> bool {
        let (events, changed) = {
            let mut engine = self.engine.borrow_mut();
            let changed = engine.take_changed_keys();
            self.key_index.borrow_mut().apply(&engine, &changed);
            (engine.drain_events(), changed)
        };
        let mut inbox = self.inbox.borrow_mut();
        let mut visible = !events.is_empty() || !changed.is_empty();
        for event in events {
            match event {
                Event::Deliver { client, reply } => {
                    let mailbox = inbox.deliveries.entry(client).or_default();
                    if mailbox.len() < MAX_PENDING_DELIVERIES {
                        mailbox.push(reply);
                    }
                }
                Event::Expired { db, key } => {
                    inbox.removed.push_back(Removed { db, key, reason: "expired".into(), at_ms: now_real_ms });
                }
                Event::Evicted { db, key, policy, reason } => {
                    let reason = if reason.is_empty() {
                        tf(K::EvictedBy, &[("policy", &policy.name())])
                    } else {
                        tf(K::EvictedByWhy, &[("policy", &policy.name()), ("why", &reason)])
                    };
                    inbox.removed.push_back(Removed { db, key, reason, at_ms: now_real_ms });
                }
            }
        }
        while inbox.removed.len() > MAX_REMOVED_SHOWN {
            inbox.removed.pop_front();
        }
        let before = inbox.removed.len();
        inbox.removed.retain(|r| r.at_ms + REMOVED_VISIBLE_MS > now_real_ms);
        visible |= inbox.removed.len() != before;
        if !changed.is_empty() {
            inbox.dirty = true;
        }
        if after_command {
            inbox.changed = changed.into_iter().collect();
        }
        visible
    }

    /// Asks console `console` to run `lines` as if typed (lesson blocks).
    /// With a `block` key, what they print is also added to that block's
    /// echo (see [`Lab::echo`]).
    pub fn queue_lines(&self, console: u32, lines: Vec<String>, block: Option<&str>) {
        let block: Option<Rc<str>> = block.map(Rc::from);
        let mut inbox = self.inbox.borrow_mut();
        if let Some(key) = &block {
            inbox.echoes.entry(key.clone()).or_default();
        }
        inbox.scripted.extend(lines.into_iter().map(|l| (console, l, block.clone())));
    }

    /// Forgets what `block` printed (it is about to run again).
    pub fn clear_echo(&self, block: &str) {
        self.inbox.borrow_mut().echoes.remove(block);
    }

    /// The lines queued for console `console`, oldest first, each with the
    /// block that sent it.
    pub fn take_lines(&self, console: u32) -> Vec<(String, Option<Rc<str>>)> {
        let mut inbox = self.inbox.borrow_mut();
        let (mine, rest): (Vec<_>, Vec<_>) = inbox.scripted.drain(..).partition(|(c, _, _)| *c == console);
        inbox.scripted = rest;
        mine.into_iter().map(|(_, l, b)| (l, b)).collect()
    }

    /// Adds a console's lines to what `block` printed.
    pub fn add_echo(&self, block: &str, text: &str) {
        if let Some(echo) = self.inbox.borrow_mut().echoes.get_mut(block) {
            echo.push_str(text);
        }
    }

    /// What the lines of `block` printed in their console, if it ran.
    pub fn echo(&self, block: &str) -> Option<String> {
        self.inbox.borrow().echoes.get(block).cloned()
    }

    /// Replies waiting for `client`, oldest first.
    pub fn take_deliveries(&self, client: ClientId) -> Vec<Reply> {
        self.inbox.borrow_mut().deliveries.remove(&client).unwrap_or_default()
    }

    /// Forgets a closed console's client and its mailbox.
    fn disconnect(&self, client: ClientId) {
        self.engine.borrow_mut().disconnect(client);
        self.inbox.borrow_mut().deliveries.remove(&client);
    }

    /// Marks the dataset for saving after a console command that may write.
    fn note_command(&self, argv: &[Vec<u8>]) {
        if may_write(argv) {
            self.inbox.borrow_mut().dirty = true;
        }
    }

    /// Remembers a radius search so the geo picture can draw it.
    fn note_geo_query(&self, db: usize, argv: &[Vec<u8>]) {
        let found = {
            let engine = self.engine.borrow();
            engine.db(db).and_then(|d| geo_query(d, argv))
        };
        if let Some((key, query)) = found {
            self.inbox.borrow_mut().geo_queries.insert((db, key), query);
        }
    }
}

/// The key and circle of a radius search (GEORADIUS*, GEOSEARCH or
/// GEOSEARCHSTORE … BYRADIUS), as the emulator reads the command; a
/// member centre is looked up in `db`. Box searches are not drawn.
pub fn geo_query(db: &redis_emulator::db::Db, argv: &[Vec<u8>]) -> Option<(Vec<u8>, GeoQuery)> {
    let search = inspect::geo_search(db, argv)?;
    let query = GeoQuery { center: search.center, radius_m: search.radius_m()? };
    Some((search.key, query))
}

/// True if a command may change the dataset, so it must be saved again
/// even when no single key reported a change (FLUSHALL, EXEC, scripts…):
/// writes, and commands that run other commands.
pub fn may_write(argv: &[Vec<u8>]) -> bool {
    use redis_emulator::command::flags;
    use redis_emulator::commands::{lookup, Lookup};
    match lookup(argv) {
        Lookup::Found(spec) => spec.has(flags::WRITE) || spec.has(flags::RUNS_COMMANDS),
        _ => false,
    }
}

/// Handle given to components: the lab, a revision that changes whenever
/// something visible happened, and a way to announce such a change.
#[derive(Clone)]
pub struct SessionHandle {
    pub lab: Rc<Lab>,
    pub revision: u64,
    pub bump: Callback<()>,
}

impl PartialEq for SessionHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.lab, &other.lab) && self.revision == other.revision
    }
}

impl SessionHandle {
    /// After a console command: route events, highlight changes, re-render.
    pub fn after_command(&self) {
        self.lab.pump(true, js_sys::Date::now());
        self.bump.emit(());
    }
}

/// The revision counter as a reducer, so timers can bump it.
#[derive(Default, PartialEq)]
pub struct Revision(pub u64);

impl Reducible for Revision {
    type Action = ();
    fn reduce(self: Rc<Self>, _: ()) -> Rc<Self> {
        Rc::new(Revision(self.0 + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lab() -> Lab {
        Lab::new(Engine::with_manual_clock(1_000, 1))
    }

    #[test]
    fn changed_keys_of_a_command_are_highlighted() {
        let lab = lab();
        let me = lab.engine.borrow_mut().connect("t");
        lab.engine.borrow_mut().execute_line(me, "SET a 1").unwrap();
        assert!(lab.pump(true, 0.0));
        assert!(lab.inbox.borrow().changed.contains(&(0, b"a".to_vec())));
        assert!(lab.inbox.borrow().dirty);
        lab.engine.borrow_mut().execute_line(me, "GET a").unwrap();
        lab.pump(true, 0.0);
        assert!(lab.inbox.borrow().changed.is_empty(), "a read changes nothing");
    }

    #[test]
    fn restore_reports_unreadable_and_partial_saves() {
        let lab = lab();
        lab.restore("garbage that is not a save");
        assert!(matches!(lab.inbox.borrow().notice, Some(Notice::Unreadable { .. })));
        let lab = super::tests::lab();
        lab.restore("# redis-lab dataset v1\nSET a 1\nGET\n");
        match &lab.inbox.borrow().notice {
            Some(Notice::Partial { failures, saved }) => {
                assert_eq!(failures.len(), 1, "{failures:?}");
                assert!(failures[0].contains("wrong number of arguments"));
                assert!(saved.contains("SET a 1"));
            }
            other => panic!("{other:?}"),
        }
        assert!(lab.engine.borrow().db(0).unwrap().get(b"a").is_some());
        let good = super::tests::lab();
        good.restore("# redis-lab dataset v1\nSELECT 2\nSET b 2\n");
        assert_eq!(good.inbox.borrow().notice, None);
        assert!(good.engine.borrow().db(2).unwrap().get(b"b").is_some());
    }

    #[test]
    fn writes_mark_the_dataset_for_saving() {
        let argv = |s: &str| redis_emulator::tokenizer::split_line(s).unwrap();
        assert!(may_write(&argv("FLUSHALL")));
        assert!(may_write(&argv("flushdb async")));
        assert!(may_write(&argv("SET a 1")));
        assert!(!may_write(&argv("GET a")));
        assert!(!may_write(&argv("PING")));
        assert!(may_write(&argv("EXEC")), "runs queued writes");
        assert!(may_write(&argv("EVAL \"return 1\" 0")), "scripts may write");
        assert!(!may_write(&argv("NOSUCH a")));
        let lab = lab();
        lab.note_command(&argv("GET a"));
        assert!(!lab.inbox.borrow().dirty);
        lab.note_command(&argv("FLUSHALL"));
        assert!(lab.inbox.borrow().dirty);
    }

    #[test]
    fn removed_keys_fade_after_a_while() {
        let lab = lab();
        lab.inbox.borrow_mut().removed.push_back(Removed {
            db: 0,
            key: b"k".to_vec(),
            reason: "expired".into(),
            at_ms: 0.0,
        });
        lab.pump(false, 100.0);
        assert_eq!(lab.inbox.borrow().removed.len(), 1, "still shown 100 ms after it went");
        assert!(lab.pump(false, REMOVED_VISIBLE_MS + 1.0));
        assert!(lab.inbox.borrow().removed.is_empty());
    }

    #[test]
    fn actions_drive_the_lab() {
        let lab = lab();
        let Dispatched::Connected(me) = lab.dispatch(LabAction::Connect { addr: "browser:1".into() }) else { panic!() };
        let run = |line: &str| {
            let argv = redis_emulator::tokenizer::split_line(line).unwrap();
            match lab.dispatch(LabAction::Run { client: me, argv }) {
                Dispatched::Ran { reply, protocol } => (reply, protocol),
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(run("SET k v PX 1500"), (Reply::OK, Protocol::Resp2));
        assert!(lab.inbox.borrow().dirty, "a write marks the dataset for saving");
        run("GEOADD Sicily 13.361389 38.115556 Palermo");
        run("GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 10 km");
        assert_eq!(lab.inbox.borrow().geo_queries[&(0, b"Sicily".to_vec())].radius_m, 10_000.0);
        // Time moves on: the key expires and shows as removed.
        assert_eq!(lab.dispatch(LabAction::Advance { ms: 2_000, now_ms: 10.0 }), Dispatched::Changed(true));
        assert_eq!(run("GET k").0, Reply::Nil);
        lab.dispatch(LabAction::Tick { now_ms: 20.0 });
        assert!(lab.inbox.borrow().removed.iter().any(|r| r.key == b"k" && r.reason == "expired"));
        // A tick while a command holds the engine waits for the next one.
        {
            let _busy = lab.engine.borrow_mut();
            assert_eq!(lab.dispatch(LabAction::Tick { now_ms: 30.0 }), Dispatched::Changed(false));
        }
        let failures = lab.load(vec![vec![b"SET".to_vec()], vec![b"SET".to_vec(), b"a".to_vec(), b"1".to_vec()]]);
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert_eq!(run("GET a").0, Reply::Bulk(b"1".to_vec()));
        // BLPOP blocks until Ctrl+C unblocks it.
        assert_eq!(run("BLPOP nothing 0").0, Reply::Blocked);
        assert_eq!(lab.dispatch(LabAction::Unblock { client: me }), Dispatched::Changed(true));
        lab.dispatch(LabAction::Disconnect { client: me });
        assert!(lab.engine.borrow().client(me).is_none());
    }

    #[test]
    fn geo_queries_are_understood() {
        let argv = |s: &str| redis_emulator::tokenizer::split_line(s).unwrap();
        let lab = lab();
        let me = lab.engine.borrow_mut().connect("t");
        lab.engine.borrow_mut().execute_line(me, "GEOADD Sicily 13.361389 38.115556 Palermo").unwrap();
        let engine = lab.engine.borrow();
        let db = engine.db(0).unwrap();
        let (key, q) = geo_query(db, &argv("GEORADIUS Sicily 15 37 200 km")).unwrap();
        assert_eq!(key, b"Sicily");
        assert_eq!(q, GeoQuery { center: (15.0, 37.0), radius_m: 200_000.0 });
        let (_, q) = geo_query(db, &argv("GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 2 mi ASC")).unwrap();
        assert_eq!(q.radius_m, 2.0 * 1609.34);
        let (_, q) = geo_query(db, &argv("GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 10 m")).unwrap();
        assert!((q.center.0 - 13.361389).abs() < 1e-5 && (q.center.1 - 38.115556).abs() < 1e-5, "{q:?}");
        assert_eq!(geo_query(db, &argv("GEOSEARCH Sicily FROMMEMBER Nowhere BYRADIUS 10 m")), None);
        assert_eq!(geo_query(db, &argv("GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 1 km")), None);
        assert_eq!(geo_query(db, &argv("GET a")), None);
        assert_eq!(geo_query(db, &argv("GEORADIUS k x y 1 km")), None);
    }
}
