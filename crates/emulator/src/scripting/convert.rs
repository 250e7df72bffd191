//! Conversions between Redis replies and Lua values, with Redis's rules.
//!
//! Reply → Lua (what `redis.call` returns), RESP2: integer → number, bulk →
//! string, nil → false, array → table, status → `{ok=…}`, error → `{err=…}`.
//! With `redis.setresp(3)`: map → `{map={…}}`, set → `{set={…}}`, double →
//! `{double=…}`, boolean → boolean, null → nil.
//!
//! Lua → reply (what a script returns): number → integer (truncated),
//! string → bulk, true → 1, false/nil → nil, `{err=…}` → error, `{ok=…}` →
//! status, `{double=…}`/`{map=…}`/`{set=…}` → those types, any other table →
//! array of its items 1..n stopping at the first nil.

use rilua::vm::state::LuaState;
use rilua::vm::table::Table;
use rilua::Val;

use crate::reply::Reply;

/// Nesting deeper than this is cut (a reply this deep is not useful, and
/// recursion must stay bounded).
const MAX_DEPTH: usize = 200;

pub(super) fn string_val(state: &mut LuaState, bytes: &[u8]) -> Val {
    Val::Str(state.gc.intern_string(bytes))
}

pub(super) fn val_bytes(state: &LuaState, v: Val) -> Option<Vec<u8>> {
    match v {
        Val::Str(r) => state.gc.string_arena.get(r).map(|s| s.data().to_vec()),
        Val::Num(_) => Some(v.to_string().into_bytes()),
        _ => None,
    }
}

pub(super) fn new_table(state: &mut LuaState) -> Val {
    Val::Table(state.gc.alloc_table(Table::new()))
}

pub(super) fn table_set(state: &mut LuaState, table: Val, key: Val, value: Val) {
    let Val::Table(r) = table else { return };
    let gc = &mut state.gc;
    if let Some(t) = gc.tables.get_mut(r) {
        let _ = t.raw_set(key, value, &gc.string_arena);
    }
}

pub(super) fn table_get(state: &mut LuaState, table: Val, key: &str) -> Val {
    let Val::Table(r) = table else { return Val::Nil };
    let k = state.gc.intern_string(key.as_bytes());
    let gc = &state.gc;
    gc.tables.get(r).map(|t| t.get_str(k, &gc.string_arena)).unwrap_or(Val::Nil)
}

fn table_index(state: &LuaState, table: Val, i: i64) -> Val {
    let Val::Table(r) = table else { return Val::Nil };
    state.gc.tables.get(r).map(|t| t.get_int(i)).unwrap_or(Val::Nil)
}

/// A one-field table such as `{err="ERR …"}` or `{ok="OK"}`.
pub(super) fn field_table(state: &mut LuaState, field: &str, text: &[u8]) -> Val {
    let t = new_table(state);
    let k = string_val(state, field.as_bytes());
    let v = string_val(state, text);
    table_set(state, t, k, v);
    t
}

/// The `err` field of an error table, if it is a string (or number).
pub(super) fn table_error_field(state: &mut LuaState, table: Val) -> Option<String> {
    let err = table_get(state, table, "err");
    val_bytes(state, err).map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// Converts a command's reply into the Lua value `redis.call` returns.
pub(super) fn reply_to_lua(state: &mut LuaState, reply: &Reply, resp: u8, depth: usize) -> Val {
    if depth > MAX_DEPTH {
        return Val::Nil;
    }
    let resp3 = resp == 3;
    match reply {
        Reply::Status(s) => field_table(state, "ok", s.as_bytes()),
        Reply::Error(e) => field_table(state, "err", e.as_bytes()),
        Reply::Integer(i) => Val::Num(*i as f64),
        Reply::Bulk(b) => string_val(state, b),
        Reply::Verbatim(s) => string_val(state, s.as_bytes()),
        Reply::Nil | Reply::NilArray | Reply::Blocked => {
            if resp3 {
                Val::Nil
            } else {
                Val::Bool(false)
            }
        }
        Reply::Bool(b) => {
            if resp3 {
                Val::Bool(*b)
            } else {
                Val::Num(if *b { 1.0 } else { 0.0 })
            }
        }
        Reply::Double(d) => {
            if resp3 {
                let t = new_table(state);
                let k = string_val(state, b"double");
                table_set(state, t, k, Val::Num(*d));
                t
            } else {
                string_val(state, crate::float::format_double(*d).as_bytes())
            }
        }
        Reply::DoubleText(text) => {
            if resp3 {
                let t = new_table(state);
                let k = string_val(state, b"double");
                table_set(state, t, k, Val::Num(text.parse().unwrap_or(0.0)));
                t
            } else {
                string_val(state, text.as_bytes())
            }
        }
        Reply::Array(items) | Reply::Push(items) | Reply::Multi(items) => array_to_lua(state, items, resp, depth),
        Reply::Set(items) => {
            if resp3 {
                let inner = new_table(state);
                for item in items {
                    let k = reply_to_lua(state, item, resp, depth + 1);
                    table_set(state, inner, k, Val::Bool(true));
                }
                let t = new_table(state);
                let k = string_val(state, b"set");
                table_set(state, t, k, inner);
                t
            } else {
                array_to_lua(state, items, resp, depth)
            }
        }
        Reply::Map(pairs) => {
            if resp3 {
                let inner = new_table(state);
                for (k, v) in pairs {
                    let k = reply_to_lua(state, k, resp, depth + 1);
                    let v = reply_to_lua(state, v, resp, depth + 1);
                    table_set(state, inner, k, v);
                }
                let t = new_table(state);
                let k = string_val(state, b"map");
                table_set(state, t, k, inner);
                t
            } else {
                let flat: Vec<Reply> = pairs.iter().flat_map(|(k, v)| [k.clone(), v.clone()]).collect();
                array_to_lua(state, &flat, resp, depth)
            }
        }
    }
}

fn array_to_lua(state: &mut LuaState, items: &[Reply], resp: u8, depth: usize) -> Val {
    let t = new_table(state);
    for (i, item) in items.iter().enumerate() {
        let v = reply_to_lua(state, item, resp, depth + 1);
        table_set(state, t, Val::Num((i + 1) as f64), v);
    }
    t
}

/// Lua number → integer the way C's `(long long)` cast does on x86:
/// truncation, and the "indefinite" value for NaN and out-of-range.
fn lua_number_to_i64(n: f64) -> i64 {
    if !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&n) {
        i64::MIN
    } else {
        n as i64
    }
}

/// Converts a script's return value into its reply.
pub(super) fn lua_to_reply(state: &mut LuaState, value: Val, resp: u8) -> Reply {
    to_reply(state, value, resp, 0)
}

fn to_reply(state: &mut LuaState, value: Val, resp: u8, depth: usize) -> Reply {
    match value {
        Val::Str(_) => Reply::Bulk(val_bytes(state, value).unwrap_or_default()),
        Val::Num(n) => Reply::Integer(lua_number_to_i64(n)),
        Val::Bool(true) => Reply::Integer(1),
        Val::Bool(false) | Val::Nil => Reply::Nil,
        Val::Table(_) if depth < MAX_DEPTH => table_to_reply(state, value, resp, depth),
        // Redis stops where the Lua stack runs out (about 8000 levels); the
        // emulator stops earlier, with the same error.
        Val::Table(_) => Reply::error("ERR reached lua stack limit"),
        _ => Reply::Nil,
    }
}

fn table_to_reply(state: &mut LuaState, table: Val, resp: u8, depth: usize) -> Reply {
    let err = table_get(state, table, "err");
    if let Some(e) = val_bytes(state, err) {
        return Reply::error(crate::errors::sanitize(&String::from_utf8_lossy(&e)));
    }
    let ok = table_get(state, table, "ok");
    if let Some(s) = val_bytes(state, ok) {
        return Reply::status(crate::errors::sanitize(&String::from_utf8_lossy(&s)));
    }
    if let Val::Num(d) = table_get(state, table, "double") {
        return Reply::Double(d);
    }
    let map = table_get(state, table, "map");
    if matches!(map, Val::Table(_)) {
        let mut pairs = Vec::new();
        for (k, v) in table_pairs(state, map, 1_000_000) {
            pairs.push((to_reply(state, k, resp, depth + 1), to_reply(state, v, resp, depth + 1)));
        }
        return Reply::Map(pairs);
    }
    let set = table_get(state, table, "set");
    if matches!(set, Val::Table(_)) {
        let mut items = Vec::new();
        for (k, _) in table_pairs(state, set, 1_000_000) {
            items.push(to_reply(state, k, resp, depth + 1));
        }
        return Reply::Set(items);
    }
    let mut items = Vec::new();
    let mut i = 1;
    loop {
        let v = table_index(state, table, i);
        if matches!(v, Val::Nil) {
            break;
        }
        items.push(to_reply(state, v, resp, depth + 1));
        i += 1;
    }
    Reply::Array(items)
}

/// Every (key, value) of a table, in `next` order, stopping once more than
/// `limit` were read (conversions of huge tables to replies stop early).
pub(crate) fn table_pairs(state: &LuaState, table: Val, limit: usize) -> Vec<(Val, Val)> {
    let Val::Table(r) = table else { return Vec::new() };
    let Some(t) = state.gc.tables.get(r) else { return Vec::new() };
    let mut out = Vec::new();
    let mut key = Val::Nil;
    while let Ok(Some((k, v))) = t.next(key, &state.gc.string_arena) {
        out.push((k, v));
        key = k;
        if out.len() > limit {
            break;
        }
    }
    out
}
