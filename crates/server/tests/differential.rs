//! Runs every script in `tests/differential/` (at the workspace root)
//! against a real redis-server and our server, comparing raw replies.
//! Set DIFF_ONLY=name to run one script.

mod common;

use std::path::PathBuf;

#[test]
fn differential_scripts_match_real_redis() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/differential");
    let only = std::env::var("DIFF_ONLY").ok();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/differential exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "redis"))
        .filter(|p| only.as_deref().is_none_or(|o| p.file_stem().is_some_and(|s| s == o)))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no differential scripts found in {}", dir.display());
    let mut differ = common::Differ::new();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let script = std::fs::read_to_string(file).unwrap();
        if !differ.run_script(&name, &script) {
            return; // redis-server missing and not required: skipped loudly above
        }
    }
    println!("differential: {} scripts, {} cases, {} mismatches", files.len(), differ.cases, differ.mismatches.len());
    assert!(differ.cases > 0, "the scripts contained no cases");
    if !differ.mismatches.is_empty() {
        panic!("{} mismatches with redis-server:\n{}", differ.mismatches.len(), differ.mismatches.join("\n"));
    }
}
