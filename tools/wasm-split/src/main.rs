//! The `wasm-split` command: see the library's documentation.
use std::process::ExitCode;

use wasm_split::{full_name, instrument, parse, split_parts, Error, Part};

fn run(args: &[String]) -> Result<(), Error> {
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["split", input, keep, primary, secondary, rest @ ..] => {
            let (map, rest) = match rest {
                ["--map", map, more @ ..] => (Some(*map), more),
                more => (None, more),
            };
            let (reads, more) = match rest {
                ["--reads", reads, more @ ..] => (Some(*reads), more),
                more => (None, more),
            };
            if more.len() % 2 != 0 {
                return Err("split: lists and outputs go in pairs".into());
            }
            let mut parts = vec![Part { list: None, out: secondary }];
            parts.extend(more.chunks(2).map(|pair| Part { list: Some(pair[0]), out: pair[1] }));
            let st = split_parts(input, keep, primary, &parts, map, reads)?;
            eprintln!(
                "wasm-split: {} functions in the primary, {:?} in the secondaries, {} placeholder slots; \
                 {} bytes of read-only data moved out of the primary ({:?} written by the secondaries)",
                st.primary_funcs, st.secondary_funcs, st.placeholders, st.data_moved, st.data_to_parts
            );
            if reads.is_some() {
                eprintln!("wasm-split: {} bytes read at run time that the analysis alone would have moved", st.data_missed());
                for r in &st.missed_ranges {
                    eprintln!("wasm-split:   missed {:#x}..{:#x}", r.start, r.end);
                }
            }
            Ok(())
        }
        ["instrument", input, output, names] => {
            let n = instrument(input, output, names)?;
            eprintln!("wasm-split: {n} functions instrumented");
            Ok(())
        }
        ["names", input] => {
            let m = parse(input)?;
            for (id, f) in m.funcs.iter_local() {
                let name = m.funcs.get(id).name.as_deref().map(full_name).unwrap_or_default();
                println!("{}\t{}\t{}", id.index(), f.size(), name);
            }
            Ok(())
        }
        _ => Err("usage: wasm-split split <in.wasm> <keep-list> <primary.wasm> <secondary.wasm> [--map <link.map> [--reads <reads.txt>]] [<list> <out.wasm>]...\n       \
                  wasm-split instrument <in.wasm> <out.wasm> <names-out>\n       wasm-split names <in.wasm>"
            .into()),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wasm-split: {e}");
            ExitCode::FAILURE
        }
    }
}
