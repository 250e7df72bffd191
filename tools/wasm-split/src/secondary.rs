//! One secondary module, cut out of a fresh copy of the input: its own
//! functions, imports of what they use of the primary, calls to the other
//! secondaries through the table, its slots filled and its data written.

use std::collections::{BTreeMap, HashMap, HashSet};

use walrus::ir::{dfs_pre_order_mut, Value};
use walrus::{
    ConstExpr, ElementItems, ElementKind, FunctionId, FunctionKind, GlobalKind, ImportKind, ImportedFunction, Module,
    TableId,
};

use crate::{data, function_export, runs, Error, Redirect};

/// How one secondary module is cut out of a fresh copy of the input.
pub(crate) struct Secondary<'a> {
    pub(crate) own: usize,
    pub(crate) part_of: &'a HashMap<usize, usize>,
    pub(crate) needed: &'a HashSet<usize>,
    pub(crate) slots: &'a BTreeMap<usize, Vec<u32>>,
    pub(crate) slot_of: &'a HashMap<usize, (u32, walrus::TypeId)>,
    pub(crate) table: TableId,
    pub(crate) table_size: (u64, Option<u64>),
    /// The data this part writes: the module's picture and the ranges.
    pub(crate) data: (&'a data::Image, &'a [std::ops::Range<u32>]),
}

impl Secondary<'_> {
    /// Keeps this part's functions; imports what they use of the primary;
    /// redirects their calls to other secondaries through the table. Returns
    /// how many functions it defines.
    pub(crate) fn build(&self, s: &mut Module) -> Result<usize, Error> {
        let ours = |i: &usize| self.part_of.get(i) == Some(&self.own);
        let s_ids: Vec<FunctionId> = s.funcs.iter().map(|f| f.id()).collect();
        let exports: Vec<_> = s.exports.iter().map(|e| e.id()).collect();
        for e in exports {
            s.exports.delete(e);
        }
        s.start = None;
        let elements: Vec<_> = s.elements.iter().map(|e| e.id()).collect();
        for e in elements {
            s.elements.delete(e);
        }
        for t in s.tables.iter_mut() {
            t.elem_segments.clear();
        }
        let datas: Vec<_> = s.data.iter().map(|d| d.id()).collect();
        for d in datas {
            s.data.delete(d);
        }
        let customs: Vec<_> = s.customs.iter().map(|(id, _)| id).collect();
        for c in customs {
            s.customs.delete(c);
        }
        let mems: Vec<_> = s.memories.iter().map(|m| m.id()).collect();
        for (i, m) in mems.iter().enumerate() {
            let imp = s.imports.add("p", &format!("__split_m{i}"), ImportKind::Memory(*m));
            let mem = s.memories.get_mut(*m);
            if mem.import.is_some() {
                return Err("an imported memory".into());
            }
            mem.import = Some(imp);
            mem.data_segments.clear();
        }
        if let Some(memory) = mems.first() {
            data::fill(s, *memory, self.data.0, self.data.1);
        }
        let s_tables: Vec<TableId> = s.tables.iter().map(|t| t.id()).collect();
        for t in s_tables {
            let imp = s.imports.add("p", &format!("__split_t{}", t.index()), ImportKind::Table(t));
            let tab = s.tables.get_mut(t);
            if tab.import.is_some() {
                return Err("an imported table".into());
            }
            tab.import = Some(imp);
            tab.init = None;
            if t.index() == self.table.index() {
                (tab.initial, tab.maximum) = self.table_size;
            }
        }
        let s_globals: Vec<_> = s.globals.iter().map(|g| g.id()).collect();
        for g in s_globals {
            if let GlobalKind::Import(_) = s.globals.get(g).kind {
                return Err("an imported global".into());
            }
            let imp = s.imports.add("p", &format!("__split_g{}", g.index()), ImportKind::Global(g));
            s.globals.get_mut(g).kind = GlobalKind::Import(imp);
        }
        let s_table = s.tables.iter().find(|t| t.id().index() == self.table.index()).ok_or("no table")?.id();
        // Calls to other secondaries' functions: through their slots.
        // (Type ids belong to their module: this copy's own.)
        let type_here: HashMap<usize, walrus::TypeId> = s.funcs.iter().map(|f| (f.id().index(), f.ty())).collect();
        let others: HashMap<usize, (u32, walrus::TypeId)> = self
            .slot_of
            .iter()
            .filter(|(f, _)| self.part_of.contains_key(f) && !ours(f))
            .map(|(f, (slot, _))| (*f, (*slot, type_here[f])))
            .collect();
        let no_placeholders = HashMap::new();
        for f in s_ids.iter().filter(|f| ours(&f.index())) {
            if let FunctionKind::Local(l) = &mut s.funcs.get_mut(*f).kind {
                let entry = l.entry_block();
                let mut r = Redirect { slot_of: &others, table: s_table, placeholder: &no_placeholders, stray_refs: 0 };
                dfs_pre_order_mut(&mut r, l, entry);
                if r.stray_refs > 0 {
                    return Err(format!(
                        "{:?} takes a reference to another secondary's function",
                        s.funcs.get(*f).name
                    )
                    .into());
                }
            }
        }
        let mut defined = 0;
        for f in &s_ids {
            let i = f.index();
            if ours(&i) {
                defined += 1;
                continue;
            }
            if !self.needed.contains(&i) {
                if let FunctionKind::Import(imp) = &s.funcs.get(*f).kind {
                    let import = imp.import;
                    s.imports.delete(import);
                }
                s.funcs.delete(*f);
                continue;
            }
            let name = function_export(i);
            let func = s.funcs.get_mut(*f);
            match &func.kind {
                FunctionKind::Import(imp) => {
                    let import = imp.import;
                    let imp = s.imports.get_mut(import);
                    imp.module = "p".into();
                    imp.name = name;
                }
                _ => {
                    let ty = func.ty();
                    let import = s.imports.add("p", &name, ImportKind::Function(*f));
                    s.funcs.get_mut(*f).kind = FunctionKind::Import(ImportedFunction { import, ty });
                }
            }
        }
        let s_by_index: HashMap<usize, FunctionId> = s_ids.iter().map(|f| (f.index(), *f)).collect();
        let mut filled: Vec<(u32, FunctionId)> = self
            .slots
            .iter()
            .filter(|(f, _)| ours(f))
            .flat_map(|(f, ss)| ss.iter().map(move |s2| (*s2, *f)))
            .map(|(slot, f)| (slot, s_by_index[&f]))
            .collect();
        filled.sort_unstable_by_key(|(slot, _)| *slot);
        for run in runs(&filled) {
            let offset = ConstExpr::Value(Value::I32(run[0].0 as i32));
            let items = ElementItems::Functions(run.iter().map(|(_, f)| *f).collect());
            let id = s.elements.add(ElementKind::Active { table: s_table, offset }, items);
            s.tables.get_mut(s_table).elem_segments.insert(id);
        }
        walrus::passes::gc::run(s);
        Ok(defined)
    }
}
