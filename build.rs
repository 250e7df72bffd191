//! Embeds every lesson file in `lessons/` (English) and `lessons/<lang>/`
//! (translations, same file names) into the app, so adding a lesson or a
//! translation means adding a Markdown file — no Rust to touch.

use std::fmt::Write;
use std::path::{Path, PathBuf};

fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<_> =
        std::fs::read_dir(dir).map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    files.retain(|p: &PathBuf| p.is_file() && p.extension().is_some_and(|x| x == "md"));
    files.sort();
    files
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut out = String::from(
        "/// Every lesson file, as (file name, contents).\npub const LESSON_FILES: &[(&str, &str)] = &[\n",
    );
    for f in markdown_files(&dir) {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap_or_default().to_string_lossy();
        writeln!(out, "    ({name:?}, include_str!({:?})),", f.display().to_string()).unwrap();
    }
    out.push_str("];\n");
    out.push_str(
        "/// Every translated lesson file, as (language, file name, contents).\n\
         pub const TRANSLATED_LESSON_FILES: &[(&str, &str, &str)] = &[\n",
    );
    let mut langs: Vec<PathBuf> =
        std::fs::read_dir(&dir).map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    langs.retain(|p| p.is_dir());
    langs.sort();
    for lang_dir in langs {
        println!("cargo:rerun-if-changed={}", lang_dir.display());
        let lang = lang_dir.file_name().unwrap_or_default().to_string_lossy().into_owned();
        for f in markdown_files(&lang_dir) {
            println!("cargo:rerun-if-changed={}", f.display());
            let name = f.file_name().unwrap_or_default().to_string_lossy();
            writeln!(out, "    ({lang:?}, {name:?}, include_str!({:?})),", f.display().to_string()).unwrap();
        }
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("lesson_files.rs");
    std::fs::write(dest, out).expect("write lesson index");
}
