//! The shape every command family keeps (docs/engine-guide.md): one table
//! dialect that rustfmt formats, handlers that propagate errors with `?`,
//! options parsed with the `Args` cursor, and no family importing another.
//! These read the sources, so a family written the old way fails here.

use std::fs;
use std::path::{Path, PathBuf};

fn family_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/commands");
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).expect("commands directory") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    assert!(out.len() > 20, "expected every family file, found {}", out.len());
    out
}

fn offenders(check: impl Fn(&str) -> bool) -> Vec<String> {
    let mut found = Vec::new();
    for path in family_files() {
        let text = fs::read_to_string(&path).expect("readable source");
        for (i, line) in text.lines().enumerate() {
            if check(line) {
                found.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn table_rows_fit_rustfmt() {
    // rustfmt leaves a whole item unformatted when one of its lines cannot
    // fit, so an over-long row silently turns the table off for rustfmt.
    let long = offenders(|l| l.chars().count() > 120);
    assert!(long.is_empty(), "lines over 120 characters:\n{}", long.join("\n"));
}

#[test]
fn one_table_dialect() {
    let other = offenders(|l| {
        let l = l.trim_start();
        l.starts_with("macro_rules!") || l.starts_with("const fn spec") || l.contains("|c, a| Ok(")
    });
    assert!(other.is_empty(), "table rows must be plain CommandSpec literals:\n{}", other.join("\n"));
}

#[test]
fn handlers_propagate_errors_with_question_mark() {
    let arms = offenders(|l| l.contains("=> return e,") || l.contains("=> return Err(e),"));
    assert!(arms.is_empty(), "use `?` instead of:\n{}", arms.join("\n"));
}

#[test]
fn options_are_parsed_with_the_cursor() {
    let loops = offenders(|l| {
        let l = l.trim_start();
        (l.starts_with("while i < argv.len()") || l.starts_with("while j < argv.len()"))
            || l.contains("argv[j + 1]")
            || l.contains("argv[i + 1]")
    });
    assert!(loops.is_empty(), "hand-written option loops:\n{}", loops.join("\n"));
}

#[test]
fn no_family_imports_another() {
    let families: Vec<String> = family_files()
        .iter()
        .filter(|p| p.parent().is_some_and(|d| d.ends_with("commands")))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .filter(|s| s != "mod" && s != "shared")
        .collect();
    let imports = offenders(|l| {
        families.iter().any(|f| {
            l.contains(&format!("crate::commands::{f}::"))
                || l.contains(&format!("super::{f}::"))
                || l.contains(&format!("use crate::commands::{f}"))
        })
    });
    assert!(imports.is_empty(), "families import each other:\n{}", imports.join("\n"));
}
