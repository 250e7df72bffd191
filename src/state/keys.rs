//! The key browser's state (database, filter, selection, scroll) and the
//! pure helpers it draws with: which keys match, which rows are visible,
//! how a TTL and a key name are written, what picture a value gets.

use std::ops::Range;
use std::rc::Rc;

use redis_emulator::cli_format::quote_bytes;
use redis_emulator::db::Db;
use redis_emulator::glob::glob_match;
use redis_emulator::value::Value;
use yew::Reducible;

use super::{geohash, hll};

/// Height of one key row in pixels (the virtual list relies on it).
pub const ROW_HEIGHT: f64 = 34.0;
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

/// Keys of `db` matching the glob `pattern` (empty = all) that have not
/// expired at `now_ms`, sorted by name.
pub fn matching_keys(db: &Db, pattern: &str, now_ms: i64) -> Vec<Vec<u8>> {
    let all = pattern.is_empty() || pattern == "*";
    let mut keys: Vec<Vec<u8>> = db
        .iter()
        .filter(|(k, e)| !e.is_expired(now_ms) && (all || glob_match(pattern.as_bytes(), k, false)))
        .map(|(k, _)| k.to_vec())
        .collect();
    keys.sort_unstable();
    keys
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

/// What picture a value gets, beyond its Redis type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    String,
    HyperLogLog,
    List,
    Hash,
    Set,
    ZSet,
    Geo,
    Stream,
}

impl Kind {
    pub fn of(value: &Value) -> Kind {
        match value {
            Value::String(s) if hll::is_hll(&s.bytes) => Kind::HyperLogLog,
            Value::String(_) => Kind::String,
            Value::List(_) => Kind::List,
            Value::Hash(_) => Kind::Hash,
            Value::Set(_) => Kind::Set,
            Value::ZSet(z) if geohash::looks_like_geo(z.ranked().into_iter().map(|(_, s)| s)) => Kind::Geo,
            Value::ZSet(_) => Kind::ZSet,
            Value::Stream(_) => Kind::Stream,
        }
    }

    /// The badge text.
    pub fn label(self) -> &'static str {
        match self {
            Kind::String => "string",
            Kind::HyperLogLog => "hll",
            Kind::List => "list",
            Kind::Hash => "hash",
            Kind::Set => "set",
            Kind::ZSet => "zset",
            Kind::Geo => "geo",
            Kind::Stream => "stream",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_filtered_by_glob_and_sorted() {
        let mut db = Db::new();
        for k in ["user:2", "user:10", "session:1", "views"] {
            db.set(k.as_bytes(), Value::string("v"), false);
        }
        db.set(b"old", Value::string("v"), false);
        db.set_expire(b"old", 10);
        assert_eq!(matching_keys(&db, "user:*", 0), vec![b"user:10".to_vec(), b"user:2".to_vec()]);
        assert_eq!(matching_keys(&db, "", 0).len(), 5);
        assert_eq!(matching_keys(&db, "*", 100).len(), 4, "expired keys are not listed");
        assert_eq!(matching_keys(&db, "s?ssion:[0-9]", 0), vec![b"session:1".to_vec()]);
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
