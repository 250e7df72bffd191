//! SORT and SORT_RO: sort a list, set or sorted set numerically or
//! alphabetically, optionally by other keys (`BY weight_*`, `BY h_*->f`),
//! fetching other keys (`GET #`, `GET obj_*`, `GET h_*->f`), with LIMIT and
//! (SORT only) STORE into a list.

use std::cmp::Ordering;

use crate::args::{self, Args};
use crate::command::{flags::*, BeginSearch, CommandResult, CommandSpec, FindKeys, Group, KeySpec, KeySpecDef};
use crate::commands::shared::store_destinations;
use crate::engine::Ctx;
use crate::errors;
use crate::notify;
use crate::reply::Reply;
use crate::types::ListValue;
use crate::value::Value;

const BASE: CommandSpec = CommandSpec { group: Group::Generic, keys: KeySpec::ONE, ..CommandSpec::DEFAULT };

/// SORT's BY / GET patterns name keys only the sorted values reveal.
const BY_GET_KEYS: KeySpecDef = KeySpecDef {
    notes: concat!(
        "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content ",
        "of the key we sort"
    ),
    flags: &["RO", "access"],
    begin: BeginSearch::Unknown,
    find: FindKeys::Unknown,
};

/// SORT's STORE destination may come anywhere among the options.
const STORE_KEY: KeySpecDef = KeySpecDef {
    notes: concat!(
        "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the ",
        "argument array"
    ),
    flags: &["OW", "update"],
    begin: BeginSearch::Unknown,
    find: FindKeys::Unknown,
};

/// SORT's keys as Redis's `sortGetKeys` finds them: the sorted key, and
/// the last STORE destination (LIMIT's two arguments, GET's and BY's one
/// are skipped; an argument after STORE is read again as an option).
fn sort_keys(argv: &[Vec<u8>]) -> Vec<(usize, &'static [&'static str])> {
    let mut keys: Vec<(usize, &'static [&'static str])> = vec![(1, &["RO", "access"])];
    let mut store = None;
    let mut args = Args::new(argv, 2);
    while let Some(arg) = args.next_arg() {
        if args::is(arg, "LIMIT") {
            args.next_arg();
            args.next_arg();
        } else if args::is(arg, "STORE") && args.has_more() {
            store = Some(args.position());
        } else if args::is(arg, "GET") || args::is(arg, "BY") {
            args.next_arg();
        }
    }
    keys.extend(store.map(|i| (i, &["OW", "update"] as &'static [&'static str])));
    keys
}

/// SORT_RO's key: the sorted one.
fn sort_ro_keys(_: &[Vec<u8>]) -> Vec<(usize, &'static [&'static str])> {
    vec![(1, &["RO", "access"])]
}

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "sort",
        arity: -2,
        flags: WRITE | DENYOOM | MOVABLE_KEYS,
        complexity: "O(N+M*log(M))",
        summary: "Sorts a list, set or sorted set, optionally storing the result",
        syntax: concat!(
            "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] ",
            "[ASC|DESC] [ALPHA] [STORE destination]"
        ),
        extra_writes: Some(store_destinations),
        acl: &["@write", "@set", "@sortedset", "@list", "@slow", "@dangerous"],
        key_specs: &[KeySpecDef::one(1, &["RO", "access"]), BY_GET_KEYS, STORE_KEY],
        get_keys: Some(sort_keys),
        handler: sort,
        ..BASE
    },
    CommandSpec {
        name: "sort_ro",
        arity: -2,
        flags: READONLY | MOVABLE_KEYS,
        since: "7.0.0",
        complexity: "O(N+M*log(M))",
        summary: "Sorts a list, set or sorted set without writing anything",
        syntax: "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC|DESC] [ALPHA]",
        acl: &["@read", "@set", "@sortedset", "@list", "@slow", "@dangerous"],
        key_specs: &[KeySpecDef::one(1, &["RO", "access"]), BY_GET_KEYS],
        get_keys: Some(sort_ro_keys),
        handler: sort_ro,
        ..BASE
    },
];

/// SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] [STORE destination]
///
/// STORE writes a list (deleting the destination when the result is empty).
fn sort(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    sort_generic(ctx, argv, false)
}

/// SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA]
fn sort_ro(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    sort_generic(ctx, argv, true)
}

/// The bytes C string functions see: up to the first NUL.
fn c_str(b: &[u8]) -> &[u8] {
    match b.iter().position(|&c| c == 0) {
        Some(i) => &b[..i],
        None => b,
    }
}

/// Redis's `lookupKeyByPattern`: `#` is the element itself; otherwise the
/// first `*` is replaced by the element and the key (or `key->field` of a
/// hash) is read. Non-strings, non-hashes and missing keys give None.
fn lookup_by_pattern(ctx: &mut Ctx, pattern: &[u8], element: &[u8]) -> Option<Vec<u8>> {
    if pattern == b"#" || pattern.starts_with(b"#\0") {
        return Some(element.to_vec());
    }
    let visible = c_str(pattern);
    let star = visible.iter().position(|&c| c == b'*')?;
    let after = &visible[star + 1..];
    let field = after.windows(2).position(|w| w == b"->").filter(|&i| i + 2 < after.len()).map(|i| star + 1 + i);
    let (key_end, field_bytes) = match field {
        Some(arrow) => (arrow, Some(&pattern[arrow + 2..])),
        None => (pattern.len(), None),
    };
    let mut key = pattern[..star].to_vec();
    key.extend_from_slice(element);
    key.extend_from_slice(&pattern[star + 1..key_end]);
    let entry = ctx.lookup_read(&key)?;
    match (&entry.value, field_bytes) {
        (Value::String(s), None) => Some(s.to_vec()),
        (Value::Hash(h), Some(f)) => h.pairs().into_iter().find(|(k, _)| k == f).map(|(_, v)| v),
        _ => None,
    }
}

/// `strtod` with Redis's SORT checks: whole string, no NaN, no ERANGE.
fn sort_score(b: &[u8]) -> Option<f64> {
    if b.is_empty() {
        return Some(0.0);
    }
    let start = b.iter().position(|c| !matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))?;
    let text = std::str::from_utf8(&b[start..]).ok()?.to_ascii_lowercase();
    let unsigned = text.trim_start_matches(['+', '-']);
    if text.len() - unsigned.len() > 1 {
        return None;
    }
    if unsigned == "inf" || unsigned == "infinity" {
        return Some(if text.starts_with('-') { f64::NEG_INFINITY } else { f64::INFINITY });
    }
    if unsigned.starts_with("0x") {
        return crate::float::parse_f64(text.as_bytes());
    }
    if !unsigned.bytes().all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'+' | b'-')) {
        return None;
    }
    let v: f64 = text.parse().ok()?;
    if v.is_infinite() {
        return None;
    }
    if v == 0.0 {
        let mantissa = unsigned.split('e').next().unwrap_or("");
        if mantissa.bytes().any(|c| matches!(c, b'1'..=b'9')) {
            return None;
        }
    }
    Some(v)
}

struct Item {
    element: Vec<u8>,
    score: f64,
    cmp: Option<Vec<u8>>,
}

/// SORT's options, in any order after the key.
struct SortOptions {
    desc: bool,
    alpha: bool,
    /// A BY pattern without `*`: keep the native order.
    dontsort: bool,
    limit_start: i64,
    /// Negative: no LIMIT.
    limit_count: i64,
    sortby: Option<Vec<u8>>,
    store: Option<Vec<u8>>,
    gets: Vec<Vec<u8>>,
}

impl SortOptions {
    /// SORT_RO (`readonly`) has no STORE. BY with a pattern and GET read
    /// keys no key spec names: they need a user who may read every key
    /// (`full_access`).
    fn parse(args: &mut Args, readonly: bool, full_access: bool) -> Result<SortOptions, Reply> {
        let mut o = SortOptions {
            desc: false,
            alpha: false,
            dontsort: false,
            limit_start: 0,
            limit_count: -1,
            sortby: None,
            store: None,
            gets: Vec::new(),
        };
        loop {
            if args.eat("asc") {
                o.desc = false;
            } else if args.eat("desc") {
                o.desc = true;
            } else if args.eat("alpha") {
                o.alpha = true;
            } else if args.remaining() >= 3 && args.eat("limit") {
                o.limit_start = args.int()?;
                o.limit_count = args.int()?;
            } else if !readonly && args.remaining() >= 2 && args.eat("store") {
                o.store = Some(args.value()?.to_vec());
            } else if args.remaining() >= 2 && args.eat("by") {
                let p = args.value()?;
                // Once a pattern without `*` asks for no sorting, a later BY
                // does not undo it (as in Redis).
                if !c_str(p).contains(&b'*') {
                    o.dontsort = true;
                } else if !full_access {
                    return Err(Reply::error("ERR BY option of SORT denied due to insufficient ACL permissions."));
                }
                o.sortby = Some(p.to_vec());
            } else if args.remaining() >= 2 && args.eat("get") {
                if !full_access {
                    return Err(Reply::error("ERR GET option of SORT denied due to insufficient ACL permissions."));
                }
                o.gets.push(args.value()?.to_vec());
            } else {
                break;
            }
        }
        args.finish()?;
        Ok(o)
    }
}

/// Redis's `sortCommandGeneric`: options first, then the key's type.
fn sort_generic(ctx: &mut Ctx, argv: &[Vec<u8>], readonly: bool) -> CommandResult {
    let SortOptions { desc, mut alpha, mut dontsort, limit_start, limit_count, mut sortby, store, gets } =
        SortOptions::parse(&mut Args::new(argv, 2), readonly, ctx.engine.acl_reads_every_key(ctx.client, argv))?;
    enum Source {
        List(Vec<Vec<u8>>),
        Set(Vec<Vec<u8>>),
        ZSet(Vec<Vec<u8>>),
    }
    let source = match ctx.lookup_read(&argv[1]).map(|e| &e.value) {
        None => Source::List(Vec::new()),
        Some(Value::List(l)) => Source::List(l.to_vec()),
        Some(Value::Set(s)) => Source::Set(s.members()),
        Some(Value::ZSet(z)) => Source::ZSet(z.ranked().into_iter().map(|(m, _)| m).collect()),
        Some(_) => return Err(Reply::error(errors::WRONGTYPE)),
    };
    if dontsort && matches!(source, Source::Set(_)) && (store.is_some() || ctx.client.in_script) {
        // Sets have no order of their own: results stored or returned to a script are sorted alphabetically.
        dontsort = false;
        alpha = true;
        sortby = None;
    }
    let (ordered, elements) = match source {
        Source::List(v) => (true, v),
        Source::ZSet(v) => (true, v),
        Source::Set(v) => (false, v),
    };
    let len = elements.len() as i64;
    let start = limit_start.max(0).min(len);
    let count = limit_count.max(-1).min(len);
    let mut end = if count < 0 { len } else { start + count - 1 };
    let mut start = start;
    if start >= len {
        start = len - 1;
        end = len - 2;
    }
    if end >= len {
        end = len - 1;
    }
    let mut items: Vec<Item>;
    if ordered && dontsort {
        // Native order (reversed for DESC), cut to the LIMIT window directly.
        let mut v = elements;
        if desc {
            v.reverse();
        }
        let (s, e) = (start.max(0) as usize, (end + 1).max(0) as usize);
        items = v
            .into_iter()
            .skip(s)
            .take(e.saturating_sub(s))
            .map(|element| Item { element, score: 0.0, cmp: None })
            .collect();
        end -= start;
        start = 0;
    } else {
        items = elements.into_iter().map(|element| Item { element, score: 0.0, cmp: None }).collect();
    }
    let mut conversion_error = false;
    if !dontsort {
        for item in items.iter_mut() {
            let by_value = match &sortby {
                Some(p) => match lookup_by_pattern(ctx, p, &item.element) {
                    Some(v) => v,
                    None => continue,
                },
                None => item.element.clone(),
            };
            if alpha {
                if sortby.is_some() {
                    item.cmp = Some(by_value);
                }
            } else {
                match sort_score(&by_value) {
                    Some(s) => item.score = s,
                    None => conversion_error = true,
                }
            }
        }
        let by_pattern = sortby.is_some();
        let storing = store.is_some();
        let compare = |a: &Item, b: &Item| -> Ordering {
            let ord = if !alpha {
                a.score.partial_cmp(&b.score).unwrap_or(Ordering::Equal).then_with(|| a.element.cmp(&b.element))
            } else if by_pattern {
                match (&a.cmp, &b.cmp) {
                    (None, None) => Ordering::Equal,
                    (None, Some(_)) => Ordering::Less,
                    (Some(_), None) => Ordering::Greater,
                    (Some(x), Some(y)) if storing => x.cmp(y),
                    // Without STORE Redis compares with strcoll (C locale): up to a NUL byte.
                    (Some(x), Some(y)) => c_str(x).cmp(c_str(y)),
                }
            } else if storing {
                a.element.cmp(&b.element)
            } else {
                c_str(&a.element).cmp(c_str(&b.element))
            };
            if desc {
                ord.reverse()
            } else {
                ord
            }
        };
        items.sort_by(compare);
    }
    if conversion_error {
        return Err(Reply::error("ERR One or more scores can't be converted into double"));
    }
    let window: &[Item] = if end >= start && start >= 0 {
        items.get(start as usize..=(end as usize).min(items.len().saturating_sub(1))).unwrap_or(&[])
    } else {
        &[]
    };
    let mut out: Vec<Option<Vec<u8>>> = Vec::new();
    for item in window {
        if gets.is_empty() {
            out.push(Some(item.element.clone()));
        }
        for g in &gets {
            out.push(lookup_by_pattern(ctx, g, &item.element));
        }
    }
    Ok(match store {
        None => Reply::Array(out.into_iter().map(|v| v.map_or(Reply::Nil, Reply::Bulk)).collect()),
        Some(dst) => {
            let n = out.len() as i64;
            if n > 0 {
                let list = ListValue::from_items(out.into_iter().map(|v| v.unwrap_or_default()));
                ctx.set_key(&dst, Value::List(Box::new(list)), false);
                ctx.notify(notify::LIST, "sortstore", &dst);
                ctx.signal_ready(&dst);
            } else if ctx.delete_key(&dst) {
                ctx.notify(notify::GENERIC, "del", &dst);
            }
            Reply::Integer(n)
        }
    })
}

#[cfg(test)]
mod tests {
    use crate::engine::Engine;
    use crate::types::HashValue;
    use crate::value::Value;

    fn hash(fields: &[(&str, &str)]) -> Value {
        let limits = crate::types::hash::HashLimits { max_entries: 512, max_value: 64 };
        Value::Hash(Box::new(HashValue::from_pairs(
            fields.iter().map(|(f, v)| (f.as_bytes().to_vec(), v.as_bytes().to_vec())),
            limits,
        )))
    }

    fn run(e: &mut Engine, id: u64, line: &str) -> String {
        let reply = e.execute_line(id, line).expect("line splits");
        crate::cli_format::format_reply(&reply, e.protocol_of(id)).trim_end().to_string()
    }

    #[test]
    fn by_and_get_read_hash_fields() {
        let mut e = Engine::with_manual_clock(0, 1);
        let id = e.connect("t");
        run(&mut e, id, "SADD ids 1 2 3");
        e.keyspace.dbs[0].set(b"user_1", hash(&[("age", "30"), ("name", "ann")]), false);
        e.keyspace.dbs[0].set(b"user_2", hash(&[("age", "20"), ("name", "bob")]), false);
        e.keyspace.dbs[0].set(b"user_3", hash(&[("name", "cy")]), false);
        assert_eq!(run(&mut e, id, "SORT ids BY user_*->age"), "1) \"3\"\n2) \"2\"\n3) \"1\"");
        assert_eq!(
            run(&mut e, id, "SORT ids BY user_*->age GET user_*->name GET user_*->age"),
            "1) \"cy\"\n2) (nil)\n3) \"bob\"\n4) \"20\"\n5) \"ann\"\n6) \"30\""
        );
        assert_eq!(run(&mut e, id, "SORT ids BY user_*->name ALPHA DESC"), "1) \"3\"\n2) \"2\"\n3) \"1\"");
        // `->` with nothing after it is part of the key name, not a field.
        assert_eq!(run(&mut e, id, "SORT ids GET user_*->"), "1) (nil)\n2) (nil)\n3) (nil)");
        // A hash pattern on a string key (and a string pattern on a hash) reads nothing.
        run(&mut e, id, "SET s_1 x");
        assert_eq!(
            run(&mut e, id, "SORT ids GET s_*->f GET user_*"),
            "1) (nil)\n2) (nil)\n3) (nil)\n4) (nil)\n5) (nil)\n6) (nil)"
        );
    }
}
