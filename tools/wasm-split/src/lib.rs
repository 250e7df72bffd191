//! Splits Redis Lab's release module, as binaryen's wasm-split does:
//!
//! - the *primary* module keeps the functions named in a list (the ones the
//!   first screen runs: load, the home page, the console answering
//!   PING/SET/GET), every exported function and the start function,
//!   plus the memory, table, globals and the data its code can reach
//!   (the rest of the read-only data moves to the secondaries: [`data`]);
//! - the *secondary* module holds every other function. It imports the
//!   primary's memory, tables, globals and the primary functions it calls
//!   (the primary exports them: memory, tables and globals as `__split_*`,
//!   functions as `$` and their index in base 62, short since there are
//!   thousands), and its element segment puts its functions into the
//!   primary's table.
//!
//! In the primary, each table slot of a secondary function holds a placeholder
//! instead: an imported function `__split.<slot>` (given by the page's loader;
//! imported in slot order, so names and indices run in sequence and compress)
//! that makes sure the secondary is instantiated and calls the slot again.
//! Direct calls from primary code to a secondary function become
//! `call_indirect` through such a slot, so once the secondary is in, calls go
//! straight to it.
//!
//! There may be several secondaries: each takes the functions of its own list,
//! one takes the rest. A call from one secondary to another's function goes
//! through the callee's slot too; a placeholder is imported from `__split`
//! for the first secondary, `__split1`, `__split2`… for the next ones, so the
//! loader knows which one to fetch.
//!
//! Usage (the `wasm-split` binary):
//!   wasm-split split <in.wasm> <keep-list> <primary.wasm> <secondary.wasm> [--map <link.map>] [<list> <secondary.wasm>]…
//!   wasm-split instrument <in.wasm> <out.wasm> <names-out>
//!   wasm-split names <in.wasm>
//!
//! `in.wasm` must carry a name section (wasm-opt `-g`); the outputs carry none.
//! `instrument` makes every function call the import `__prof.hit(index)` on
//! entry and writes the function names (line `index`) to `names-out`, for
//! recording which functions a session runs.

pub mod data;
mod profile;
mod secondary;

pub use profile::instrument;
use secondary::Secondary;

use std::collections::{BTreeMap, HashMap, HashSet};

use walrus::ir::{
    dfs_in_order, dfs_pre_order_mut, Call, CallIndirect, Const, Instr, InstrLocId, InstrSeq, ReturnCall,
    ReturnCallIndirect, Value, Visitor, VisitorMut,
};
use walrus::{
    ConstExpr, ElementItems, ElementKind, ExportItem, FunctionId, FunctionKind, GlobalKind, Module, ModuleConfig,
    TableId,
};

/// Any failure, said in words.
pub type Error = Box<dyn std::error::Error>;

/// The name a function is listed under: demangled, with Rust's hash (which
/// tells apart the copies of a generic function).
pub fn full_name(raw: &str) -> String {
    format!("{}", rustc_demangle::demangle(raw))
}

/// The path alone, without the hash: what a listed name falls back to when a
/// code change has changed its hash.
pub fn path_of(name: &str) -> &str {
    match name.rsplit_once("::h") {
        Some((path, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => path,
        _ => name,
    }
}

/// Which functions the list keeps: exact names, and by path those listed
/// names that no function of the module carries any more.
fn keeper(keep: &HashSet<String>, m: &Module) -> impl Fn(&str) -> bool {
    let present: HashSet<String> = m.funcs.iter().filter_map(|f| f.name.as_deref().map(full_name)).collect();
    let stale: HashSet<String> =
        keep.iter().filter(|n| !present.contains(*n)).map(|n| path_of(n).to_string()).collect();
    let keep = keep.clone();
    move |name: &str| {
        let full = full_name(name);
        keep.contains(&full) || stale.contains(path_of(&full))
    }
}

fn config() -> ModuleConfig {
    let mut c = ModuleConfig::new();
    c.generate_name_section(false).generate_producers_section(false);
    c
}

/// Reads a module (names kept, none written back).
pub fn parse(path: &str) -> Result<Module, Error> {
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    Ok(config().parse(&bytes)?)
}

/// Every function a function's body refers to (calls and `ref.func`), and
/// the numbers it could address data with (`i32.const` operands, both
/// halves of `i64.const` ones, the constant offsets of loads and stores).
#[derive(Default)]
struct Refs {
    funcs: Vec<FunctionId>,
    uses_data: bool,
    addresses: Vec<u32>,
}

impl<'a> Visitor<'a> for Refs {
    fn visit_function_id(&mut self, f: &FunctionId) {
        self.funcs.push(*f);
    }
    fn visit_data_id(&mut self, _: &walrus::DataId) {
        self.uses_data = true;
    }
    fn visit_const(&mut self, c: &Const) {
        match c.value {
            Value::I32(v) => self.addresses.push(v as u32),
            // Two 32-bit values stored at once (a `&str`'s pointer and length).
            Value::I64(v) => self.addresses.extend([v as u32, (v >> 32) as u32]),
            _ => {}
        }
    }
    fn visit_load(&mut self, l: &walrus::ir::Load) {
        self.addresses.push(l.arg.offset as u32);
    }
    fn visit_store(&mut self, st: &walrus::ir::Store) {
        self.addresses.push(st.arg.offset as u32);
    }
}

fn refs_of(m: &Module, f: FunctionId) -> Refs {
    let mut refs = Refs::default();
    if let FunctionKind::Local(l) = &m.funcs.get(f).kind {
        dfs_in_order(&mut refs, l, l.entry_block());
    }
    refs
}

/// Rewrites calls to secondary functions into `call_indirect` through their slot.
pub(crate) struct Redirect<'a> {
    slot_of: &'a HashMap<usize, (u32, walrus::TypeId)>,
    table: TableId,
    placeholder: &'a HashMap<usize, FunctionId>,
    /// `ref.func` of a redirected function that has no placeholder here.
    stray_refs: usize,
}

impl VisitorMut for Redirect<'_> {
    fn start_instr_seq_mut(&mut self, seq: &mut InstrSeq) {
        let old = std::mem::take(&mut seq.instrs);
        for (instr, loc) in old {
            let (target, tail) = match &instr {
                Instr::Call(Call { func }) => (func.index(), false),
                Instr::ReturnCall(ReturnCall { func }) => (func.index(), true),
                Instr::RefFunc(r) => {
                    if let Some(p) = self.placeholder.get(&r.func.index()) {
                        seq.instrs.push((Instr::RefFunc(walrus::ir::RefFunc { func: *p }), loc));
                        continue;
                    }
                    if self.slot_of.contains_key(&r.func.index()) {
                        self.stray_refs += 1;
                    }
                    seq.instrs.push((instr, loc));
                    continue;
                }
                _ => {
                    seq.instrs.push((instr, loc));
                    continue;
                }
            };
            let Some(&(slot, ty)) = self.slot_of.get(&target) else {
                seq.instrs.push((instr, loc));
                continue;
            };
            let index = Instr::Const(Const { value: Value::I32(slot as i32) });
            seq.instrs.push((index, InstrLocId::default()));
            let table = self.table;
            let call = if tail {
                Instr::ReturnCallIndirect(ReturnCallIndirect { ty, table })
            } else {
                Instr::CallIndirect(CallIndirect { ty, table })
            };
            seq.instrs.push((call, loc));
        }
    }
}

fn read_keep(path: &str) -> Result<HashSet<String>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    Ok(text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(String::from).collect())
}

/// The function-table slots of each function (by index), from the active
/// segments at constant offsets.
fn table_slots(m: &Module, table: TableId) -> Result<BTreeMap<usize, Vec<u32>>, Error> {
    let mut slots: BTreeMap<usize, Vec<u32>> = BTreeMap::new();
    for e in m.elements.iter() {
        let ElementKind::Active { table: t, offset } = &e.kind else { continue };
        if *t != table {
            continue;
        }
        let ConstExpr::Value(Value::I32(base)) = offset else {
            return Err("an element segment at a non-constant offset".into());
        };
        let items: Vec<Option<FunctionId>> = match &e.items {
            ElementItems::Functions(fs) => fs.iter().map(|f| Some(*f)).collect(),
            ElementItems::Expressions(_, es) => es
                .iter()
                .map(|c| match c {
                    ConstExpr::RefFunc(f) => Some(*f),
                    _ => None,
                })
                .collect(),
        };
        for (i, f) in items.into_iter().enumerate() {
            if let Some(f) = f {
                slots.entry(f.index()).or_default().push(*base as u32 + i as u32);
            }
        }
    }
    Ok(slots)
}

/// What a split did.
pub struct Stats {
    /// Functions defined in the primary.
    pub primary_funcs: usize,
    /// Functions defined in each secondary, in the order given.
    pub secondary_funcs: Vec<usize>,
    /// Table slots holding a placeholder in the primary.
    pub placeholders: usize,
    /// Bytes of read-only data no longer in the primary.
    pub data_moved: usize,
    /// Bytes of read-only data each secondary writes.
    pub data_to_parts: Vec<usize>,
    /// Data read at run time (with a recording of reads) that the analysis
    /// alone would have moved away from the reader: should be none.
    pub missed_ranges: Vec<std::ops::Range<u32>>,
}

impl Stats {
    /// How many bytes [`Stats::missed_ranges`] cover.
    pub fn data_missed(&self) -> usize {
        self.missed_ranges.iter().map(|r| r.len()).sum()
    }
}

/// One secondary module to write: the functions of a list (`None`: every
/// function neither kept nor listed for another secondary) and where to.
pub struct Part<'a> {
    pub list: Option<&'a str>,
    pub out: &'a str,
}

/// The module a secondary's placeholders are imported from: `__split` for
/// the first secondary, `__split1`, `__split2`… for the others.
pub fn placeholder_module(part: usize) -> String {
    if part == 0 {
        "__split".to_string()
    } else {
        format!("__split{part}")
    }
}

/// Splits `input` into a primary (the functions of the list `keep`) and one
/// secondary: the rest.
pub fn split(input: &str, keep: &str, out_primary: &str, out_secondary: &str) -> Result<Stats, Error> {
    split_parts(input, keep, out_primary, &[Part { list: None, out: out_secondary }], None, None)
}

/// The primary set: listed names, imports, exports, the start function,
/// anything unnamed or referenced from a global's initialiser or a passive
/// segment.
fn primary_set(p: &Module, keep: &HashSet<String>) -> HashSet<usize> {
    let mut hot: HashSet<usize> = HashSet::new();
    let kept = keeper(keep, p);
    for f in p.funcs.iter() {
        let listed = f.name.as_deref().map(&kept).unwrap_or(true);
        if listed || matches!(f.kind, FunctionKind::Import(_)) {
            hot.insert(f.id().index());
        }
    }
    for e in p.exports.iter() {
        if let ExportItem::Function(f) = e.item {
            hot.insert(f.index());
        }
    }
    if let Some(f) = p.start {
        hot.insert(f.index());
    }
    for g in p.globals.iter() {
        if let GlobalKind::Local(ConstExpr::RefFunc(f)) = &g.kind {
            hot.insert(f.index());
        }
    }
    for e in p.elements.iter() {
        if matches!(e.kind, ElementKind::Passive) {
            if let ElementItems::Functions(fs) = &e.items {
                hot.extend(fs.iter().map(|f| f.index()));
            }
        }
    }
    hot
}

/// Which secondary each function outside the primary goes to: the first
/// part whose list names it, else the part without a list.
fn assign_parts(p: &Module, hot: &HashSet<usize>, parts: &[Part]) -> Result<HashMap<usize, usize>, Error> {
    let mut lists = Vec::new();
    for part in parts {
        lists.push(match part.list {
            Some(path) => Some(read_keep(path)?),
            None => None,
        });
    }
    let rest = parts.iter().position(|part| part.list.is_none()).unwrap_or(0);
    let mut part_of: HashMap<usize, usize> = HashMap::new();
    {
        // (A part without a list matches nothing: it takes what no list does.)
        let keepers: Vec<_> = lists.iter().map(|l| keeper(l.as_ref().unwrap_or(&HashSet::new()), p)).collect();
        for f in p.funcs.iter() {
            if hot.contains(&f.id().index()) {
                continue;
            }
            let name = f.name.as_deref().unwrap_or("");
            let listed = keepers.iter().enumerate().position(|(i, k)| i != rest && k(name));
            part_of.insert(f.id().index(), listed.unwrap_or(rest));
        }
    }
    Ok(part_of)
}

/// Splits `input` into a primary (the functions of the list `keep`) and the
/// secondaries `parts`: each listed part takes its list's functions, the one
/// without a list the rest. A call between two secondaries goes through the
/// callee's table slot, like a call from the primary. With the linker's map,
/// read-only data only secondaries use moves to them too ([`data`]).
pub fn split_parts(
    input: &str,
    keep: &str,
    out_primary: &str,
    parts: &[Part],
    link_map: Option<&str>,
    reads: Option<&str>,
) -> Result<Stats, Error> {
    let keep = read_keep(keep)?;
    let mut p = parse(input)?;
    let table = p.tables.main_function_table()?.ok_or("the module has no function table")?;
    if parts.iter().filter(|part| part.list.is_none()).count() != 1 {
        return Err("exactly one secondary takes the rest".into());
    }

    let hot = primary_set(&p, &keep);
    let ids: Vec<FunctionId> = p.funcs.iter().map(|f| f.id()).collect();
    let by_index: HashMap<usize, FunctionId> = ids.iter().map(|f| (f.index(), *f)).collect();

    let part_of = assign_parts(&p, &hot, parts)?;
    let cold = |i: &usize| part_of.contains_key(i);

    // What each secondary needs from the primary, and which secondary
    // functions are called from outside their own module.
    let mut needed_from_primary: Vec<HashSet<usize>> = vec![HashSet::new(); parts.len()];
    let mut called_from_outside: HashSet<usize> = HashSet::new();
    let mut primary_numbers: Vec<u32> = Vec::new();
    let mut part_numbers: Vec<Vec<u32>> = vec![Vec::new(); parts.len()];
    for g in p.globals.iter() {
        if let GlobalKind::Local(ConstExpr::Value(Value::I32(v))) = &g.kind {
            primary_numbers.push(*v as u32);
        }
    }
    for &f in &ids {
        let refs = refs_of(&p, f);
        match part_of.get(&f.index()) {
            Some(&own) => {
                part_numbers[own].extend_from_slice(&refs.addresses);
                if refs.uses_data {
                    return Err(format!("{:?} uses a data segment: keep it in the primary", p.funcs.get(f).name).into());
                }
                for g in refs.funcs.iter().map(|g| g.index()) {
                    match part_of.get(&g) {
                        None => {
                            needed_from_primary[own].insert(g);
                        }
                        Some(&other) if other != own => {
                            called_from_outside.insert(g);
                        }
                        Some(_) => {}
                    }
                }
            }
            None => {
                primary_numbers.extend_from_slice(&refs.addresses);
                called_from_outside.extend(refs.funcs.iter().map(|g| g.index()).filter(|g| cold(g)));
            }
        }
    }

    // The read-only data only secondaries reach.
    let image = data::Image::of(&p)?;
    let placement = match link_map {
        Some(path) => {
            let map = data::read_link_map(path)?;
            check_map(&map, &image)?;
            let (primary_reads, part_reads) = match reads {
                Some(path) => data::read_reads(path, parts.len())?,
                None => (Vec::new(), vec![Vec::new(); parts.len()]),
            };
            let primary = data::Roots { numbers: primary_numbers, reads: primary_reads };
            let roots: Vec<data::Roots> = part_numbers
                .into_iter()
                .zip(part_reads)
                .map(|(numbers, reads)| data::Roots { numbers, reads })
                .collect();
            data::place(&map, &image, &primary, &roots)
        }
        None => data::Placement { parts: vec![Vec::new(); parts.len()], ..Default::default() },
    };

    // Slots: the existing ones, and a new one at the table's end for each
    // secondary function called from outside its module but the table lacks.
    let mut slots = table_slots(&p, table)?;
    slots.retain(|f, _| cold(f));
    {
        let t = p.tables.get_mut(table);
        let mut called: Vec<usize> = called_from_outside.iter().copied().collect();
        called.sort_unstable();
        for f in called {
            if slots.contains_key(&f) {
                continue;
            }
            slots.insert(f, vec![t.initial as u32]);
            t.initial += 1;
        }
        if let Some(max) = t.maximum.as_mut() {
            *max = (*max).max(t.initial);
        }
    }
    let slot_of: HashMap<usize, (u32, walrus::TypeId)> =
        slots.iter().map(|(f, ss)| (*f, (ss[0], p.funcs.get(by_index[f]).ty()))).collect();

    // Primary: placeholders in the table, calls redirected, secondary functions removed.
    let mut placeholder_of_slot: BTreeMap<u32, FunctionId> = BTreeMap::new();
    let mut placeholder: HashMap<usize, FunctionId> = HashMap::new();
    // Placeholders are imported in slot order: their names and function
    // indices then run in sequence, which compresses best.
    let mut by_slot: Vec<(u32, usize)> = slots.iter().flat_map(|(f, ss)| ss.iter().map(move |s2| (*s2, *f))).collect();
    by_slot.sort_unstable();
    for (slot, f) in by_slot {
        let ty = p.funcs.get(by_index[&f]).ty();
        let (pid, _) = p.add_import_func(&placeholder_module(part_of[&f]), &slot.to_string(), ty);
        placeholder_of_slot.insert(slot, pid);
        placeholder.entry(f).or_insert(pid);
    }
    for e in p.elements.iter_mut() {
        let ElementKind::Active { table: t, .. } = &e.kind else {
            if let ElementItems::Functions(fs) = &mut e.items {
                fs.retain(|f| !cold(&f.index()) || placeholder.contains_key(&f.index()));
                for f in fs.iter_mut() {
                    if let Some(pid) = placeholder.get(&f.index()) {
                        *f = *pid;
                    }
                }
            }
            continue;
        };
        if *t != table {
            continue;
        }
        match &mut e.items {
            ElementItems::Functions(fs) => {
                for f in fs.iter_mut() {
                    if let Some(pid) = placeholder.get(&f.index()) {
                        *f = *pid;
                    }
                }
            }
            ElementItems::Expressions(_, es) => {
                for c in es.iter_mut() {
                    if let ConstExpr::RefFunc(f) = c {
                        if let Some(pid) = placeholder.get(&f.index()) {
                            *f = *pid;
                        }
                    }
                }
            }
        }
    }
    // New slots of functions only called directly: a segment for them.
    let existing = table_slots(&p, table)?;
    let placed: HashSet<u32> = existing.values().flatten().copied().collect();
    let missing: Vec<(u32, FunctionId)> =
        placeholder_of_slot.iter().filter(|(s, _)| !placed.contains(s)).map(|(s, f)| (*s, *f)).collect();
    for run in runs(&missing) {
        let offset = ConstExpr::Value(Value::I32(run[0].0 as i32));
        let items = ElementItems::Functions(run.iter().map(|(_, f)| *f).collect());
        let id = p.elements.add(ElementKind::Active { table, offset }, items);
        p.tables.get_mut(table).elem_segments.insert(id);
    }
    for f in ids.iter().filter(|f| !cold(&f.index())) {
        if let FunctionKind::Local(l) = &mut p.funcs.get_mut(*f).kind {
            let entry = l.entry_block();
            let mut r = Redirect { slot_of: &slot_of, table, placeholder: &placeholder, stray_refs: 0 };
            dfs_pre_order_mut(&mut r, l, entry);
        }
    }
    for f in &ids {
        if cold(&f.index()) {
            p.funcs.delete(*f);
        }
    }
    // Exports for the secondaries.
    let mem = p.memories.iter().map(|m| m.id()).collect::<Vec<_>>();
    for (i, m) in mem.into_iter().enumerate() {
        p.exports.add(&format!("__split_m{i}"), m);
    }
    let tables: Vec<TableId> = p.tables.iter().map(|t| t.id()).collect();
    for t in &tables {
        p.exports.add(&format!("__split_t{}", t.index()), *t);
    }
    p.exports.add("__split_table", table);
    let globals: Vec<_> = p.globals.iter().map(|g| g.id()).collect();
    for g in &globals {
        p.exports.add(&format!("__split_g{}", g.index()), *g);
    }
    let mut needed: Vec<usize> = needed_from_primary.iter().flatten().copied().collect();
    needed.sort_unstable();
    needed.dedup();
    for f in &needed {
        p.exports.add(&function_export(*f), by_index[f]);
    }
    walrus::passes::gc::run(&mut p);
    let data_moved = data::cut_out(&mut p, &placement.cut)?;
    let (table_initial, table_maximum) = (p.tables.get(table).initial, p.tables.get(table).maximum);

    let mut secondary_funcs = Vec::new();
    for (own, part) in parts.iter().enumerate() {
        let shape = Secondary {
            own,
            part_of: &part_of,
            needed: &needed_from_primary[own],
            slots: &slots,
            slot_of: &slot_of,
            table,
            table_size: (table_initial, table_maximum),
            data: (&image, &placement.parts[own]),
        };
        let mut s = parse(input)?;
        secondary_funcs.push(shape.build(&mut s)?);
        std::fs::write(part.out, s.emit_wasm())?;
    }

    let primary_funcs = p.funcs.iter_local().count();
    std::fs::write(out_primary, p.emit_wasm())?;
    let data_to_parts = placement.parts.iter().map(|r| r.iter().map(|r| r.len()).sum()).collect();
    Ok(Stats {
        primary_funcs,
        secondary_funcs,
        placeholders: placeholder_of_slot.len(),
        data_moved,
        data_to_parts,
        missed_ranges: placement.missed,
    })
}

/// The map must describe this module: its units inside the module's data.
fn check_map(map: &data::LinkMap, image: &data::Image) -> Result<(), Error> {
    let (first, last) = match (map.units.first(), map.units.last()) {
        (Some(f), Some(l)) => (f.start, l.end),
        _ => return Err("the link map has no read-only data".into()),
    };
    let end = image.base as usize + image.bytes.len();
    if first < image.base || last as usize > end {
        return Err(format!(
            "the link map ({first:#x}..{last:#x}) does not match the module's data ({:#x}..{end:#x})",
            image.base
        )
        .into());
    }
    Ok(())
}

/// The name the primary exports its function `index` under for the
/// secondary: `$` and the index in base 62, short since there are thousands.
pub fn function_export(index: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut digits = Vec::new();
    let mut n = index;
    loop {
        digits.push(DIGITS[n % 62]);
        n /= 62;
        if n == 0 {
            break;
        }
    }
    digits.push(b'$');
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

/// Consecutive slots grouped together.
pub(crate) fn runs(items: &[(u32, FunctionId)]) -> Vec<Vec<(u32, FunctionId)>> {
    let mut out: Vec<Vec<(u32, FunctionId)>> = Vec::new();
    for &(slot, f) in items {
        match out.last_mut() {
            Some(run) if run.last().map(|(s, _)| s + 1) == Some(slot) => run.push((slot, f)),
            _ => out.push(vec![(slot, f)]),
        }
    }
    out
}
