//! The in-page Redis: one engine on the browser's clock shared by every
//! console, the key browser and the panels through a context. Engine
//! events are drained here, once, and routed: replies for a client
//! (unblocked BLPOP, pub/sub messages, MONITOR lines) wait in that client's
//! mailbox; expiries and evictions go to the key browser's "removed" list.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::rc::Rc;

use redis_emulator::types::ZSetValue;
use redis_emulator::value::Value;
use redis_emulator::{ClientId, Clock, Config, Engine, Event, Reply};
use yew::prelude::*;

use super::geohash;
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
    /// Lines a lesson asked a console to type and run: (console number, line).
    scripted: Vec<(u32, String)>,
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

    /// Runs a command text (saved data, an import, a share link) on a
    /// client of its own. Returns one line per failed command.
    pub fn run_commands(&self, commands: snapshot::Commands) -> Vec<String> {
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
    pub fn restore(&self, saved: &str) {
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
                        format!("evicted by {}", policy.name())
                    } else {
                        format!("evicted by {}: {reason}", policy.name())
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

    /// Replies waiting for `client`, oldest first.
    /// Asks console `console` to run `lines` as if typed (lesson blocks).
    pub fn queue_lines(&self, console: u32, lines: Vec<String>) {
        self.inbox.borrow_mut().scripted.extend(lines.into_iter().map(|l| (console, l)));
    }

    /// The lines queued for console `console`, oldest first.
    pub fn take_lines(&self, console: u32) -> Vec<String> {
        let mut inbox = self.inbox.borrow_mut();
        let (mine, rest): (Vec<_>, Vec<_>) = inbox.scripted.drain(..).partition(|(c, _)| *c == console);
        inbox.scripted = rest;
        mine.into_iter().map(|(_, l)| l).collect()
    }

    pub fn take_deliveries(&self, client: ClientId) -> Vec<Reply> {
        self.inbox.borrow_mut().deliveries.remove(&client).unwrap_or_default()
    }

    /// Forgets a closed console's client and its mailbox.
    pub fn disconnect(&self, client: ClientId) {
        self.engine.borrow_mut().disconnect(client);
        self.inbox.borrow_mut().deliveries.remove(&client);
    }

    /// Marks the dataset for saving after a console command that may write.
    pub fn note_command(&self, argv: &[Vec<u8>]) {
        if may_write(argv) {
            self.inbox.borrow_mut().dirty = true;
        }
    }

    /// Remembers a radius search so the geo picture can draw it.
    pub fn note_geo_query(&self, db: usize, argv: &[Vec<u8>]) {
        let engine = self.engine.borrow();
        let Some(db_ref) = engine.db(db) else { return };
        let member_position = |key: &[u8], member: &[u8]| -> Option<(f64, f64)> {
            match &db_ref.get(key)?.value {
                Value::ZSet(z) => zset_score(z, member).and_then(geohash::decode),
                _ => None,
            }
        };
        if let Some((key, query)) = geo_query(argv, member_position) {
            drop(engine);
            self.inbox.borrow_mut().geo_queries.insert((db, key), query);
        }
    }
}

fn zset_score(z: &ZSetValue, member: &[u8]) -> Option<f64> {
    z.ranked().into_iter().find(|(m, _)| m == member).map(|(_, s)| s)
}

fn unit_to_m(unit: &[u8]) -> Option<f64> {
    match unit.to_ascii_lowercase().as_slice() {
        b"m" => Some(1.0),
        b"km" => Some(1000.0),
        b"mi" => Some(1609.34),
        b"ft" => Some(0.3048),
        _ => None,
    }
}

fn num(b: &[u8]) -> Option<f64> {
    std::str::from_utf8(b).ok()?.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// The key and circle of a GEORADIUS / GEORADIUSBYMEMBER / GEOSEARCH
/// (BYRADIUS) command line, if it is one. `position` finds a member.
pub fn geo_query(
    argv: &[Vec<u8>],
    position: impl Fn(&[u8], &[u8]) -> Option<(f64, f64)>,
) -> Option<(Vec<u8>, GeoQuery)> {
    let name = argv.first()?.to_ascii_lowercase();
    let key = argv.get(1)?.clone();
    let arg = |i: usize| argv.get(i).map(|a| a.as_slice());
    match name.as_slice() {
        b"georadius" | b"georadius_ro" => {
            let center = (num(arg(2)?)?, num(arg(3)?)?);
            let radius_m = num(arg(4)?)? * unit_to_m(arg(5)?)?;
            Some((key, GeoQuery { center, radius_m }))
        }
        b"georadiusbymember" | b"georadiusbymember_ro" => {
            let center = position(&key, arg(2)?)?;
            let radius_m = num(arg(3)?)? * unit_to_m(arg(4)?)?;
            Some((key, GeoQuery { center, radius_m }))
        }
        b"geosearch" => {
            let mut center = None;
            let mut radius_m = None;
            let mut i = 2;
            while i < argv.len() {
                match argv[i].to_ascii_lowercase().as_slice() {
                    b"fromlonlat" => {
                        center = Some((num(arg(i + 1)?)?, num(arg(i + 2)?)?));
                        i += 3;
                    }
                    b"frommember" => {
                        center = position(&key, arg(i + 1)?);
                        i += 2;
                    }
                    b"byradius" => {
                        radius_m = Some(num(arg(i + 1)?)? * unit_to_m(arg(i + 2)?)?);
                        i += 3;
                    }
                    _ => i += 1,
                }
            }
            Some((key, GeoQuery { center: center?, radius_m: radius_m? }))
        }
        _ => None,
    }
}

/// True if a command may change the dataset, so it must be saved again
/// even when no single key reported a change (FLUSHALL, EXEC, scripts…).
pub fn may_write(argv: &[Vec<u8>]) -> bool {
    use redis_emulator::command::flags;
    use redis_emulator::commands::{lookup, Lookup};
    match lookup(argv) {
        Lookup::Found(spec) => {
            spec.has(flags::WRITE)
                || matches!(
                    spec.full_name().as_str(),
                    "exec" | "eval" | "evalsha" | "fcall" | "function|load" | "function|flush" | "function|restore"
                )
        }
        _ => false,
    }
}

/// Memory as INFO reports `used_memory` (Redis 7.0's model, kept per command by the engine).
pub fn used_memory(engine: &Engine) -> u64 {
    // The engine keeps Redis's used_memory model up to date per command.
    engine.used_memory()
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
        assert!(!lab.pump(false, 100.0) || lab.inbox.borrow().removed.len() == 1);
        assert_eq!(lab.inbox.borrow().removed.len(), 1);
        assert!(lab.pump(false, REMOVED_VISIBLE_MS + 1.0));
        assert!(lab.inbox.borrow().removed.is_empty());
    }

    #[test]
    fn geo_queries_are_understood() {
        let argv = |s: &str| redis_emulator::tokenizer::split_line(s).unwrap();
        let none = |_: &[u8], _: &[u8]| None;
        let (key, q) = geo_query(&argv("GEORADIUS Sicily 15 37 200 km"), none).unwrap();
        assert_eq!(key, b"Sicily");
        assert_eq!(q, GeoQuery { center: (15.0, 37.0), radius_m: 200_000.0 });
        let (_, q) = geo_query(&argv("GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 2 mi ASC"), none).unwrap();
        assert_eq!(q.radius_m, 2.0 * 1609.34);
        let at = |_: &[u8], m: &[u8]| (m == b"Palermo").then_some((13.0, 38.0));
        let (_, q) = geo_query(&argv("GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 10 m"), at).unwrap();
        assert_eq!(q.center, (13.0, 38.0));
        assert_eq!(geo_query(&argv("GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 1 km"), none), None);
        assert_eq!(geo_query(&argv("GET a"), none), None);
        assert_eq!(geo_query(&argv("GEORADIUS k x y 1 km"), none), None);
    }
}
