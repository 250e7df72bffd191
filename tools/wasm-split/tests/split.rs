//! A small module split in two: both halves validate, the primary keeps the
//! listed functions and reaches the others through placeholder slots, the
//! secondary fills those slots and imports what it uses from the primary.

use walrus::{ConstExpr, ElementItems, ElementKind, FunctionBuilder, Module, ModuleConfig, RefType, ValType};
use wasmparser::{Parser, Payload, TypeRef, Validator, WasmFeatures};

/// main (exported) calls cold_a directly and cold_b through table slot 1;
/// cold_a reads the stack-pointer global and calls hot_helper and cold_b.
fn sample() -> Vec<u8> {
    let mut m = Module::with_config(ModuleConfig::new());
    let mem = m.memories.add_local(false, false, 1, None, None);
    m.exports.add("memory", mem);
    let sp = m.globals.add_local(ValType::I32, true, false, ConstExpr::Value(walrus::ir::Value::I32(1024)));
    let table = m.tables.add_local(false, 2, Some(2), RefType::FUNCREF);

    let mut b = FunctionBuilder::new(&mut m.types, &[ValType::I32], &[ValType::I32]);
    let x = m.locals.add(ValType::I32);
    b.name("sample::hot_helper".into()).func_body().local_get(x).i32_const(1).binop(walrus::ir::BinaryOp::I32Add);
    let hot_helper = b.finish(vec![x], &mut m.funcs);

    let mut b = FunctionBuilder::new(&mut m.types, &[], &[ValType::I32]);
    b.name("sample::cold_b".into()).func_body().i32_const(7);
    let cold_b = b.finish(vec![], &mut m.funcs);
    let mut b = FunctionBuilder::new(&mut m.types, &[ValType::I32], &[ValType::I32]);
    let y = m.locals.add(ValType::I32);
    b.name("sample::cold_a".into())
        .func_body()
        .local_get(y)
        .global_get(sp)
        .binop(walrus::ir::BinaryOp::I32Add)
        .call(hot_helper)
        .call(cold_b)
        .binop(walrus::ir::BinaryOp::I32Add);
    let cold_a = b.finish(vec![y], &mut m.funcs);

    let ty_b = m.types.add(&[], &[ValType::I32]);

    let mut b = FunctionBuilder::new(&mut m.types, &[], &[ValType::I32]);
    b.name("sample::main".into())
        .func_body()
        .i32_const(1)
        .call(cold_a)
        .i32_const(1)
        .call_indirect(ty_b, table)
        .binop(walrus::ir::BinaryOp::I32Add);
    let main = b.finish(vec![], &mut m.funcs);
    m.exports.add("main", main);

    let offset = ConstExpr::Value(walrus::ir::Value::I32(1));
    let seg = m.elements.add(ElementKind::Active { table, offset }, ElementItems::Functions(vec![cold_b]));
    m.tables.get_mut(table).elem_segments.insert(seg);
    m.emit_wasm()
}

struct Shape {
    imports: Vec<(String, String, &'static str)>,
    exports: Vec<String>,
    local_funcs: usize,
    element_slots: Vec<u32>,
}

fn shape(bytes: &[u8]) -> Shape {
    Validator::new_with_features(WasmFeatures::default()).validate_all(bytes).expect("valid module");
    let mut s = Shape { imports: vec![], exports: vec![], local_funcs: 0, element_slots: vec![] };
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.expect("parses") {
            Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    let imp = imp.expect("import");
                    let kind = match imp.ty {
                        TypeRef::Func(_) => "func",
                        TypeRef::Table(_) => "table",
                        TypeRef::Memory(_) => "memory",
                        TypeRef::Global(_) => "global",
                        _ => "other",
                    };
                    s.imports.push((imp.module.to_string(), imp.name.to_string(), kind));
                }
            }
            Payload::ExportSection(r) => s.exports.extend(r.into_iter().map(|e| e.expect("export").name.to_string())),
            Payload::FunctionSection(r) => s.local_funcs = r.count() as usize,
            Payload::ElementSection(r) => {
                for e in r {
                    let e = e.expect("element");
                    if let wasmparser::ElementKind::Active { offset_expr, .. } = e.kind {
                        let mut ops = offset_expr.get_operators_reader();
                        let wasmparser::Operator::I32Const { value } = ops.read().expect("offset") else {
                            panic!("non-constant offset")
                        };
                        let n = match e.items {
                            wasmparser::ElementItems::Functions(f) => f.count(),
                            wasmparser::ElementItems::Expressions(_, x) => x.count(),
                        };
                        s.element_slots.extend((0..n).map(|i| value as u32 + i));
                    }
                }
            }
            _ => {}
        }
    }
    s
}

/// A scratch folder holding the sample module (`in.wasm`) and a keep list
/// (`keep.txt`) with `keep`.
fn fixture(name: &str, keep: &str) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("wasm-split-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("in.wasm");
    std::fs::write(&input, sample()).unwrap();
    let keep_list = dir.join("keep.txt");
    std::fs::write(&keep_list, keep).unwrap();
    (dir, input, keep_list)
}

#[test]
fn split_keeps_listed_functions_and_moves_the_rest() {
    let (dir, input, keep) = fixture("test", "# comment\nsample::main\nsample::hot_helper\n");
    let (p, s) = (dir.join("p.wasm"), dir.join("s.wasm"));
    let path = |p: &std::path::Path| p.to_str().unwrap().to_string();
    let stats = wasm_split::split(&path(&input), &path(&keep), &path(&p), &path(&s)).expect("split");
    assert_eq!((stats.primary_funcs, stats.secondary_funcs, stats.placeholders), (2, vec![2], 2));

    let mut primary = shape(&std::fs::read(&p).unwrap());
    let secondary = shape(&std::fs::read(&s).unwrap());
    assert_eq!(primary.local_funcs, 2, "main and hot_helper stay");
    assert_eq!(secondary.local_funcs, 2, "cold_a and cold_b move");
    // Slot 1 was cold_b's; cold_a, called directly, got slot 2.
    let mut placeholders: Vec<_> = primary.imports.iter().filter(|i| i.0 == "__split").map(|i| i.1.clone()).collect();
    placeholders.sort();
    assert_eq!(placeholders, ["1", "2"]);
    primary.element_slots.sort_unstable();
    assert_eq!(primary.element_slots, [1, 2]);
    assert_eq!(secondary.element_slots, [1, 2]);
    for name in ["main", "memory", "__split_table", "__split_m0"] {
        assert!(primary.exports.iter().any(|e| e == name), "primary exports {name}");
    }
    // The secondary imports only from the primary, and each import is exported there.
    assert!(!secondary.imports.is_empty());
    for (module, name, _) in &secondary.imports {
        assert_eq!(module, "p");
        assert!(primary.exports.contains(name), "{name} exported by the primary");
    }
    let kinds: Vec<_> = secondary.imports.iter().map(|i| i.2).collect();
    for kind in ["func", "table", "global"] {
        assert!(kinds.contains(&kind), "secondary imports a {kind}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_listed_secondary_takes_its_functions_and_calls_the_rest_through_slots() {
    // cold_a goes to a listed secondary, cold_b to the rest: cold_a's direct call to
    // cold_b becomes a call through cold_b's slot 1; main stays.
    let (dir, input, keep) = fixture("parts", "sample::main\nsample::hot_helper\n");
    let pages = dir.join("pages.txt");
    std::fs::write(&pages, "sample::cold_a\n").unwrap();
    let path = |p: &std::path::Path| p.to_str().unwrap().to_string();
    let (p, rest, early) = (path(&dir.join("p.wasm")), path(&dir.join("rest.wasm")), path(&dir.join("early.wasm")));
    let parts =
        [wasm_split::Part { list: None, out: &rest }, wasm_split::Part { list: Some(&path(&pages)), out: &early }];
    let stats = wasm_split::split_parts(&path(&input), &path(&keep), &p, &parts, None, None).expect("split");
    assert_eq!((stats.primary_funcs, stats.secondary_funcs, stats.placeholders), (2, vec![1, 1], 2));

    let primary = shape(&std::fs::read(&p).unwrap());
    let rest = shape(&std::fs::read(&rest).unwrap());
    let early = shape(&std::fs::read(&early).unwrap());
    // Slot 1 (cold_b) belongs to the rest, slot 2 (cold_a, called directly by main) to the listed part.
    let placeholders: Vec<_> =
        primary.imports.iter().filter(|i| i.0.starts_with("__split")).map(|i| (i.0.as_str(), i.1.as_str())).collect();
    assert_eq!(placeholders, [("__split", "1"), ("__split1", "2")]);
    assert_eq!((rest.local_funcs, rest.element_slots.clone()), (1, vec![1]));
    assert_eq!((early.local_funcs, early.element_slots.clone()), (1, vec![2]));
    for module in [&rest, &early] {
        for (m, name, _) in &module.imports {
            assert_eq!(m, "p");
            assert!(primary.exports.contains(name), "{name} exported by the primary");
        }
    }
    // cold_a calls hot_helper: imported from the primary; cold_b is not imported anywhere.
    assert_eq!(early.imports.iter().filter(|i| i.2 == "func").count(), 1);
    assert_eq!(rest.imports.iter().filter(|i| i.2 == "func").count(), 0);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn names_are_listed_with_their_hash_and_fall_back_to_the_path() {
    assert_eq!(wasm_split::path_of("a::b::h0123456789abcdef"), "a::b");
    assert_eq!(wasm_split::path_of("a::b::hello"), "a::b::hello");
    assert_eq!(wasm_split::full_name("_ZN1a1b17h0123456789abcdefE"), "a::b::h0123456789abcdef");
}

#[test]
fn functions_are_exported_under_short_names() {
    assert_eq!(wasm_split::function_export(0), "$0");
    assert_eq!(wasm_split::function_export(61), "$Z");
    assert_eq!(wasm_split::function_export(62), "$10");
    assert_eq!(wasm_split::function_export(3843), "$ZZ");
}

/// main (exported, kept) addresses unit A, which points to unit C; cold
/// addresses units B and C; unit D nobody addresses. Units as a link map
/// gives them.
fn sample_with_data() -> (Vec<u8>, String) {
    let mut m = Module::with_config(ModuleConfig::new());
    let mem = m.memories.add_local(false, false, 2, None, None);
    m.exports.add("memory", mem);
    m.tables.add_local(false, 1, Some(1), RefType::FUNCREF);
    let mut image = vec![0u8; 0x340];
    image[0..4].copy_from_slice(&0x10200u32.to_le_bytes()); // A → C
    image[0x100..0x140].fill(b'b');
    image[0x200..0x208].fill(b'c');
    image[0x300..0x340].fill(b'd');
    let offset = ConstExpr::Value(walrus::ir::Value::I32(0x10000));
    m.data.add(walrus::DataKind::Active { memory: mem, offset }, image);

    let mut b = FunctionBuilder::new(&mut m.types, &[], &[ValType::I32]);
    b.name("sample::cold".into()).func_body().i32_const(0x10204).drop().i32_const(0x10100).load(
        mem,
        walrus::ir::LoadKind::I32 { atomic: false },
        walrus::ir::MemArg { align: 4, offset: 4 },
    );
    let cold = b.finish(vec![], &mut m.funcs);
    let mut b = FunctionBuilder::new(&mut m.types, &[], &[ValType::I32]);
    b.name("sample::main".into()).func_body().i32_const(0x10004).call(cold).binop(walrus::ir::BinaryOp::I32Add);
    let main = b.finish(vec![], &mut m.funcs);
    m.exports.add("main", main);
    let map = "    Addr      Off     Size Out     In      Symbol
   10000      100      340 .rodata
   10000      100       10         a.o:(.rodata.a)
   10100      200       40         a.o:(.rodata.b)
   10200      300        8         a.o:(.rodata.c)
   10300      400       40         a.o:(.rodata.d)
";
    (m.emit_wasm(), map.to_string())
}

/// Active data segments: (offset, bytes).
fn data_segments(bytes: &[u8]) -> Vec<(u32, Vec<u8>)> {
    let mut out = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        if let Payload::DataSection(r) = payload.expect("parses") {
            for d in r {
                let d = d.expect("data");
                if let wasmparser::DataKind::Active { offset_expr, .. } = d.kind {
                    let wasmparser::Operator::I32Const { value } =
                        offset_expr.get_operators_reader().read().expect("offset")
                    else {
                        panic!("non-constant offset")
                    };
                    out.push((value as u32, d.data.to_vec()));
                }
            }
        }
    }
    out
}

#[test]
fn read_only_data_only_a_secondary_addresses_moves_there() {
    let (dir, input, keep) = fixture("data", "sample::main\n");
    let (module, map_text) = sample_with_data();
    std::fs::write(&input, module).unwrap();
    let map = dir.join("link.map");
    std::fs::write(&map, map_text).unwrap();
    let path = |p: &std::path::Path| p.to_str().unwrap().to_string();
    let (p, s) = (path(&dir.join("p.wasm")), path(&dir.join("s.wasm")));
    let parts = [wasm_split::Part { list: None, out: &s }];
    let stats =
        wasm_split::split_parts(&path(&input), &path(&keep), &p, &parts, Some(&path(&map)), None).expect("split");
    assert_eq!((stats.data_moved, stats.data_to_parts.clone()), (0x40, vec![0x40]));

    let primary = std::fs::read(&p).unwrap();
    let secondary = std::fs::read(&s).unwrap();
    shape(&primary);
    shape(&secondary);
    let covered = |segments: &[(u32, Vec<u8>)], addr: u32| {
        segments.iter().any(|(o, v)| (*o..*o + v.len() as u32).contains(&addr))
    };
    let in_primary = data_segments(&primary);
    // A (addressed), C (pointed to by A, though cold addresses it too) and D
    // (addressed by nobody) stay; B moves.
    for (addr, stays) in [(0x10000, true), (0x10200, true), (0x10300, true), (0x10100, false), (0x1013f, false)] {
        assert_eq!(covered(&in_primary, addr), stays, "{addr:#x} in the primary");
    }
    assert_eq!(data_segments(&secondary), vec![(0x10100, vec![b'b'; 0x40])]);

    // A recorded read the numbers miss is kept in place and reported.
    let reads = dir.join("reads.txt");
    std::fs::write(&reads, "# whole x\nprimary 10104\n").unwrap();
    let stats =
        wasm_split::split_parts(&path(&input), &path(&keep), &p, &parts, Some(&path(&map)), Some(&path(&reads)))
            .expect("split");
    assert_eq!((stats.data_moved, stats.data_missed()), (0, 0x40));
    std::fs::remove_dir_all(&dir).ok();
}
