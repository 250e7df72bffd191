//! Recording what a session runs (scripts/split-profile.mjs): every function
//! reports itself on entry, every load from the data's address range its
//! address.

use walrus::ir::{dfs_pre_order_mut, Call, Const, Instr, InstrLocId, InstrSeq, Value, VisitorMut};
use walrus::FunctionId;
use walrus::FunctionKind;

use crate::{data, full_name, parse, Error};

/// Makes every function of `input` call `__prof.hit(index)` on entry, and
/// every load from the data's address range report its address with
/// `__prof.data(address)`; writes the names, line `index`. (The reads check
/// the data placement against what really runs: see [`data`].)
pub fn instrument(input: &str, output: &str, names_out: &str) -> Result<usize, Error> {
    let mut m = parse(input)?;
    let image = data::Image::of(&m)?;
    let ty = m.types.add(&[walrus::ValType::I32], &[]);
    let (hit, _) = m.add_import_func("__prof", "hit", ty);
    let (report, _) = m.add_import_func("__prof", "data", ty);
    let ids: Vec<FunctionId> = m.funcs.iter_local().map(|(id, _)| id).collect();
    // check(address): reports it when it falls in the data.
    let check = {
        let mut b = walrus::FunctionBuilder::new(&mut m.types, &[walrus::ValType::I32], &[]);
        let a = m.locals.add(walrus::ValType::I32);
        b.func_body()
            .local_get(a)
            .i32_const(image.base as i32)
            .binop(walrus::ir::BinaryOp::I32Sub)
            .i32_const(image.bytes.len() as i32)
            .binop(walrus::ir::BinaryOp::I32LtU)
            .if_else(
                None,
                |then| {
                    then.local_get(a).call(report);
                },
                |_| {},
            );
        b.finish(vec![a], &mut m.funcs)
    };
    let mut names = String::new();
    for (i, id) in ids.iter().enumerate() {
        let scratch = m.locals.add(walrus::ValType::I32);
        let f = m.funcs.get_mut(*id);
        names.push_str(&f.name.as_deref().map(full_name).unwrap_or_default());
        names.push('\n');
        if let FunctionKind::Local(l) = &mut f.kind {
            let entry = l.entry_block();
            dfs_pre_order_mut(&mut ReportLoads { check, scratch }, l, entry);
            let seq = l.block_mut(entry);
            seq.instrs.insert(0, (Instr::Const(Const { value: Value::I32(i as i32) }), InstrLocId::default()));
            seq.instrs.insert(1, (Instr::Call(Call { func: hit }), InstrLocId::default()));
        }
    }
    std::fs::write(output, m.emit_wasm())?;
    std::fs::write(names_out, names)?;
    Ok(ids.len())
}

/// Puts `check(base + offset)` before every load.
struct ReportLoads {
    check: FunctionId,
    scratch: walrus::LocalId,
}

impl VisitorMut for ReportLoads {
    fn start_instr_seq_mut(&mut self, seq: &mut InstrSeq) {
        let old = std::mem::take(&mut seq.instrs);
        for (instr, loc) in old {
            if let Instr::Load(l) = &instr {
                let at = InstrLocId::default();
                let offset = l.arg.offset as i32;
                seq.instrs.push((Instr::LocalTee(walrus::ir::LocalTee { local: self.scratch }), at));
                seq.instrs.push((Instr::Const(Const { value: Value::I32(offset) }), at));
                seq.instrs.push((Instr::Binop(walrus::ir::Binop { op: walrus::ir::BinaryOp::I32Add }), at));
                seq.instrs.push((Instr::Call(Call { func: self.check }), at));
                seq.instrs.push((Instr::LocalGet(walrus::ir::LocalGet { local: self.scratch }), at));
            }
            seq.instrs.push((instr, loc));
        }
    }
}
