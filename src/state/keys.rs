//! The key browser's state (database, filter, selection, scroll) and the
//! pure helpers it draws with: which keys match, which rows are visible,
//! how a TTL and a key name are written, what picture a value gets.

use std::ops::Range;
use std::rc::Rc;

use redis_emulator::cli_format::quote_bytes;
use redis_emulator::glob::glob_match;
use redis_emulator::Engine;
use yew::Reducible;

/// Height of one key row in pixels (the virtual list relies on it).
pub const ROW_HEIGHT: f64 = 44.0;
/// Rows drawn above and below the visible ones.
pub const OVERSCAN: usize = 6;

#[derive(Clone, Debug, PartialEq)]
pub struct KeyBrowserState {
    pub db: usize,
    pub pattern: String,
    pub selected: Option<Vec<u8>>,
    pub scroll_top: f64,
}

impl Default for KeyBrowserState {
    fn default() -> Self {
        KeyBrowserState { db: 0, pattern: "*".into(), selected: None, scroll_top: 0.0 }
    }
}

pub enum KeyBrowserAction {
    SelectDb(usize),
    Filter(String),
    Select(Option<Vec<u8>>),
    Scrolled(f64),
}

impl Reducible for KeyBrowserState {
    type Action = KeyBrowserAction;

    fn reduce(self: Rc<Self>, action: KeyBrowserAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            KeyBrowserAction::SelectDb(db) => {
                next.db = db;
                next.selected = None;
                next.scroll_top = 0.0;
            }
            KeyBrowserAction::Filter(p) => {
                next.pattern = p;
                next.scroll_top = 0.0;
            }
            KeyBrowserAction::Select(k) => next.selected = k,
            KeyBrowserAction::Scrolled(y) => next.scroll_top = y.max(0.0),
        }
        Rc::new(next)
    }
}

/// Whether `pattern` lists every key (empty or `*`).
fn matches_all(pattern: &str) -> bool {
    pattern.is_empty() || pattern == "*"
}

fn matches(pattern: &str, key: &[u8]) -> bool {
    matches_all(pattern) || glob_match(pattern.as_bytes(), key, false)
}

/// Above this many changed keys the index is rebuilt rather than patched.
const PATCH_LIMIT: usize = 5_000;

/// The key browser's sorted list of one database's keys matching a
/// pattern, kept up to date from the engine's changed-key feed instead of
/// being collected and sorted again after every command (which took tens
/// of milliseconds with 100,000 keys). It lists every key the database
/// holds, including one whose TTL passed but that Redis has not reclaimed
/// yet (as DBSIZE counts it); the browser marks such a row as expired.
#[derive(Debug, Default)]
pub struct KeyIndex {
    /// (database, pattern, keyspace epoch) the list was built for.
    built_for: Option<(usize, String, u64)>,
    keys: Vec<Vec<u8>>,
}

impl KeyIndex {
    /// The sorted keys of `db` matching `pattern`, rebuilt only when the
    /// database, the pattern or the engine's keyspace epoch changed.
    pub fn keys(&mut self, engine: &Engine, db: usize, pattern: &str) -> &[Vec<u8>] {
        let epoch = engine.keyspace_epoch();
        let current = self.built_for.as_ref().is_some_and(|(d, p, e)| *d == db && p == pattern && *e == epoch);
        // A cheap cross-check for the unfiltered list: it holds exactly the database's keys.
        let sizes_agree = !matches_all(pattern) || engine.db(db).map(|d| d.len()).unwrap_or(0) == self.keys.len();
        if !current || !sizes_agree {
            self.rebuild(engine, db, pattern);
        }
        &self.keys
    }

    fn rebuild(&mut self, engine: &Engine, db: usize, pattern: &str) {
        self.keys = engine
            .db(db)
            .map(|d| d.keys().filter(|k| matches(pattern, k)).map(<[u8]>::to_vec).collect())
            .unwrap_or_default();
        self.keys.sort_unstable();
        self.built_for = Some((db, pattern.to_string(), engine.keyspace_epoch()));
    }

    /// Brings the list up to date with keys the engine reports as changed
    /// (added, modified or removed) since the last call.
    pub fn apply(&mut self, engine: &Engine, changed: &[(usize, Vec<u8>)]) {
        let Some((db, pattern, _)) = self.built_for.clone() else { return };
        if changed.len() > PATCH_LIMIT {
            self.built_for = None;
            return;
        }
        let Some(data) = engine.db(db) else { return };
        let mut add: Vec<&[u8]> = Vec::new();
        let mut remove: Vec<&[u8]> = Vec::new();
        for (d, key) in changed {
            if *d != db || !matches(&pattern, key) {
                continue;
            }
            let listed = self.keys.binary_search(key).is_ok();
            match (data.contains(key), listed) {
                (true, false) => add.push(key),
                (false, true) => remove.push(key),
                _ => {}
            }
        }
        add.sort_unstable();
        add.dedup();
        remove.sort_unstable();
        remove.dedup();
        if add.len() + remove.len() <= 16 {
            for key in remove {
                if let Ok(i) = self.keys.binary_search_by(|k| k.as_slice().cmp(key)) {
                    self.keys.remove(i);
                }
            }
            for key in add {
                if let Err(i) = self.keys.binary_search_by(|k| k.as_slice().cmp(key)) {
                    self.keys.insert(i, key.to_vec());
                }
            }
        } else {
            self.keys = merge(std::mem::take(&mut self.keys), &add, &remove);
        }
    }
}

/// `sorted` without the keys of `remove`, plus those of `add` (all sorted), in one pass.
fn merge(sorted: Vec<Vec<u8>>, add: &[&[u8]], remove: &[&[u8]]) -> Vec<Vec<u8>> {
    let mut out = Vec::with_capacity(sorted.len() + add.len());
    let mut adds = add.iter().peekable();
    let mut removes = remove.iter().peekable();
    for key in sorted {
        while let Some(a) = adds.next_if(|a| **a < key.as_slice()) {
            out.push(a.to_vec());
        }
        while removes.next_if(|r| **r < key.as_slice()).is_some() {}
        if removes.next_if(|r| **r == key.as_slice()).is_none() {
            out.push(key);
        }
    }
    out.extend(adds.map(|a| a.to_vec()));
    out
}

/// The rows to draw for a list of `total` rows scrolled to `scroll_top`
/// in a viewport `viewport_h` pixels tall.
pub fn visible_rows(total: usize, scroll_top: f64, viewport_h: f64) -> Range<usize> {
    let first = (scroll_top.max(0.0) / ROW_HEIGHT) as usize;
    let shown = (viewport_h.max(0.0) / ROW_HEIGHT).ceil() as usize + 1;
    let start = first.saturating_sub(OVERSCAN).min(total);
    let end = (first + shown + OVERSCAN).min(total);
    start..end
}

/// A TTL as a short countdown: `9.8 s`, `4 min 05 s`, `2 h 03 min`, `3 d 4 h`.
pub fn ttl_text(expire_at_ms: i64, now_ms: i64) -> String {
    let left = (expire_at_ms - now_ms).max(0);
    let s = left / 1000;
    if left < 60_000 {
        format!("{}.{} s", s, (left % 1000) / 100)
    } else if s < 3600 {
        format!("{} min {:02} s", s / 60, s % 60)
    } else if s < 86_400 {
        format!("{} h {:02} min", s / 3600, (s % 3600) / 60)
    } else {
        format!("{} d {} h", s / 86_400, (s % 86_400) / 3600)
    }
}

/// A key or value as text: UTF-8 without control characters as it is,
/// anything else quoted the way redis-cli prints it (`"\xff"`).
pub fn display_bytes(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) if !s.is_empty() && !s.chars().any(|c| c.is_control()) => s.to_string(),
        _ => quote_bytes(b),
    }
}

/// What picture a value gets, beyond its Redis type (decided by the
/// emulator's inspection surface; `name()` is the badge text).
pub use redis_emulator::inspect::ValueKind as Kind;

#[cfg(test)]
mod tests {
    use super::*;
    use redis_emulator::value::Value;

    #[test]
    fn keys_are_filtered_by_glob_and_sorted() {
        let mut engine = Engine::with_manual_clock(1_000, 1);
        let me = engine.connect("test");
        for line in ["MSET user:2 v user:10 v session:1 v views v", "SET other v", "SELECT 1", "SET elsewhere v"] {
            engine.execute_line(me, line).unwrap();
        }
        let mut index = KeyIndex::default();
        assert_eq!(index.keys(&engine, 0, "user:*"), [b"user:10".to_vec(), b"user:2".to_vec()]);
        assert_eq!(index.keys(&engine, 0, "").len(), 5);
        assert_eq!(index.keys(&engine, 0, "s?ssion:[0-9]"), [b"session:1".to_vec()]);
        assert_eq!(index.keys(&engine, 1, "*"), [b"elsewhere".to_vec()]);
    }

    /// The index patched from the changed-key feed always equals the list
    /// built from scratch, whatever the commands did (adds, deletes,
    /// renames, expiry, flushes, swaps, a feed of many keys at once).
    #[test]
    fn index_patched_from_changes_equals_a_fresh_build() {
        let mut engine = Engine::with_manual_clock(1_700_000_000_000, 7);
        engine.track_changes(true);
        let me = engine.connect("test");
        let mut index = KeyIndex::default();
        let mut seed = 12345u64;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        let patterns = ["*", "user:*", "k[0-4]*"];
        for step in 0..3000 {
            let k = next(300);
            let line = match next(14) {
                0..=3 => format!("SET k{k} v"),
                4 => format!("SET user:{k} v"),
                5 | 6 => format!("DEL k{k} user:{k}"),
                7 => format!("RENAME k{k} user:{}", next(300)),
                8 => format!("PEXPIRE k{k} {}", next(50)),
                9 => format!("GET k{k}"),
                10 if next(40) == 0 => "FLUSHDB".to_string(),
                11 if next(40) == 0 => "SWAPDB 0 1".to_string(),
                12 if next(20) == 0 => format!("EVAL \"for i=1,{} do redis.call('SET','k'..i,'x') end\" 0", next(400)),
                _ => format!("MSET k{k} a user:{} b", next(300)),
            };
            let _ = engine.execute_line(me, &line);
            if step % 7 == 0 {
                engine.advance_clock(20);
            }
            let changed = engine.take_changed_keys();
            index.apply(&engine, &changed);
            let pattern = patterns[(step / 500) % patterns.len()];
            let mut fresh: Vec<Vec<u8>> =
                engine.db(0).unwrap().keys().filter(|k| matches(pattern, k)).map(|k| k.to_vec()).collect();
            fresh.sort();
            assert_eq!(index.keys(&engine, 0, pattern), fresh.as_slice(), "after step {step}: {line}");
        }
    }

    #[test]
    fn merging_adds_and_removes_keeps_order() {
        let v = |xs: &[&str]| xs.iter().map(|x| x.as_bytes().to_vec()).collect::<Vec<_>>();
        let merged = merge(v(&["b", "d", "f"]), &[b"a", b"c", b"g"], &[b"d", b"zz"]);
        assert_eq!(merged, v(&["a", "b", "c", "f", "g"]));
        assert_eq!(merge(Vec::new(), &[b"x"], &[]), v(&["x"]));
    }

    #[test]
    fn only_visible_rows_are_drawn() {
        assert_eq!(visible_rows(0, 0.0, 400.0), 0..0);
        let r = visible_rows(100_000, 0.0, 340.0);
        assert_eq!(r.start, 0);
        assert!(r.end < 30, "{r:?}");
        let r = visible_rows(100_000, ROW_HEIGHT * 50_000.0, 340.0);
        assert_eq!(r.start, 50_000 - OVERSCAN);
        assert!(r.len() < 40);
        assert_eq!(visible_rows(10, 1e9, 340.0), 10..10);
    }

    #[test]
    fn browser_state_follows_actions() {
        let s = Rc::new(KeyBrowserState::default());
        let s = s.reduce(KeyBrowserAction::Select(Some(b"k".to_vec())));
        let s = s.reduce(KeyBrowserAction::Scrolled(500.0));
        assert_eq!((s.selected.as_deref(), s.scroll_top), (Some(&b"k"[..]), 500.0));
        let s = s.reduce(KeyBrowserAction::Filter("user:*".into()));
        assert_eq!((s.pattern.as_str(), s.scroll_top), ("user:*", 0.0), "a new filter scrolls to the top");
        assert_eq!(s.selected.as_deref(), Some(&b"k"[..]), "and keeps the selection");
        let s = s.reduce(KeyBrowserAction::SelectDb(3));
        assert_eq!((s.db, s.selected.clone()), (3, None), "another database drops the selection");
        let s = s.reduce(KeyBrowserAction::Scrolled(-5.0));
        assert_eq!(s.scroll_top, 0.0);
    }

    #[test]
    fn ttl_countdown_text() {
        assert_eq!(ttl_text(10_000, 0), "10.0 s");
        assert_eq!(ttl_text(10_000, 250), "9.7 s");
        assert_eq!(ttl_text(10_000, 20_000), "0.0 s");
        assert_eq!(ttl_text(245_000, 0), "4 min 05 s");
        assert_eq!(ttl_text(2 * 3_600_000 + 180_000, 0), "2 h 03 min");
        assert_eq!(ttl_text(3 * 86_400_000 + 4 * 3_600_000, 0), "3 d 4 h");
    }

    #[test]
    fn names_are_shown_as_text_or_quoted() {
        assert_eq!(display_bytes(b"<img src=x onerror=alert(1)>"), "<img src=x onerror=alert(1)>");
        assert_eq!(display_bytes("café".as_bytes()), "café");
        assert_eq!(display_bytes(&[0xff, b'a']), "\"\\xffa\"");
        assert_eq!(display_bytes(b"a\nb"), "\"a\\nb\"");
        assert_eq!(display_bytes(b""), "\"\"");
    }

    #[test]
    fn kinds_pick_the_picture() {
        assert_eq!(Kind::of(&Value::string("x")), Kind::String);
        let mut hll = b"HYLL".to_vec();
        hll.extend([1u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 0xff]);
        assert_eq!(Kind::of(&Value::string(hll)), Kind::HyperLogLog);
    }
}
