//! Indexes every lesson file in `lessons/` (English) and `lessons/<lang>/`
//! (translations, same file names) for the app, so adding a lesson or a
//! translation means adding a Markdown file — no Rust to touch.
//!
//! Only each file's front matter (id, title, order, prerequisites, summary)
//! is compiled into the app: the lesson map needs nothing more. The bodies are
//! static files of the build (scripts/postbuild.mjs copies them to
//! `dist/lessons/`, named after their content), fetched when a lesson opens.
//! The app's own tests still get every file's whole text.

use std::fmt::Write;
use std::path::{Path, PathBuf};

fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<_> =
        std::fs::read_dir(dir).map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    files.retain(|p: &PathBuf| p.is_file() && p.extension().is_some_and(|x| x == "md"));
    files.sort();
    files
}

/// The front matter's fields, as the lesson parser reads them (a file it
/// rejects is still listed: the app reports the parser's error when the
/// lesson opens). Returns `None` when the front matter has no id or title.
fn front_matter(src: &str) -> Option<(String, String, u32, Vec<String>, String)> {
    let mut lines = src.lines();
    if lines.next().map(str::trim) != Some("---") {
        return None;
    }
    let (mut id, mut title, mut order, mut prerequisites, mut summary) =
        (String::new(), String::new(), 1000u32, Vec::new(), String::new());
    for line in lines.by_ref() {
        if line.trim() == "---" {
            break;
        }
        let Some((k, v)) = line.split_once(':') else { continue };
        let v = v.trim();
        match k.trim() {
            "id" => id = v.to_string(),
            "title" => title = v.to_string(),
            "order" => order = v.parse().unwrap_or(1000),
            "prerequisites" => {
                prerequisites = v.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()
            }
            "summary" => summary = v.to_string(),
            _ => {}
        }
    }
    (!id.is_empty() && !title.is_empty()).then_some((id, title, order, prerequisites, summary))
}

/// One `LessonEntry { … }` row, or a problem line when the front matter is unusable.
fn entry(out: &mut String, problems: &mut Vec<String>, lang: &str, file: &str, path: &Path) {
    let src = std::fs::read_to_string(path).unwrap_or_default();
    match front_matter(&src) {
        Some((id, title, order, prerequisites, summary)) => {
            writeln!(
                out,
                "    LessonEntry {{ lang: {lang:?}, file: {file:?}, id: {id:?}, title: {title:?}, order: {order}, \
                 prerequisites: &{prerequisites:?}, summary: {summary:?} }},"
            )
            .unwrap();
        }
        None => problems.push(format!("{}{file}: the front matter needs `id` and `title`", lang_prefix(lang))),
    }
}

fn lang_prefix(lang: &str) -> String {
    if lang == "en" {
        String::new()
    } else {
        format!("{lang}/")
    }
}

/// Builds for the page (wasm32): the linker writes its map next to the module,
/// `<target>/wasm32-unknown-unknown/<profile>/redis-lab.map`; the module split
/// reads it to move read-only data out of the first download
/// (tools/wasm-split/src/data.rs).
fn link_map() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() != Ok("wasm32") {
        return;
    }
    let Ok(out) = std::env::var("OUT_DIR") else { return };
    // OUT_DIR is <target>/<triple>/<profile>/build/<package>-<hash>/out.
    if let Some(profile_dir) = Path::new(&out).ancestors().nth(3) {
        println!("cargo:rustc-link-arg-bins=--Map={}", profile_dir.join("redis-lab.map").display());
    }
}

fn main() {
    link_map();
    // The package's directory as Cargo gives it to this run (not as it was when
    // this script was compiled: a script built for another checkout of the
    // same source may be reused).
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("Cargo sets CARGO_MANIFEST_DIR for build scripts");
    let dir = Path::new(&manifest_dir).join("lessons");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<(String, PathBuf)> = markdown_files(&dir).into_iter().map(|f| ("en".to_string(), f)).collect();
    // An app without its course is not a build to ship.
    assert!(!files.is_empty(), "no lesson files (*.md) in {}", dir.display());
    let mut langs: Vec<PathBuf> =
        std::fs::read_dir(&dir).map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    langs.retain(|p| p.is_dir());
    langs.sort();
    for lang_dir in langs {
        println!("cargo:rerun-if-changed={}", lang_dir.display());
        let lang = lang_dir.file_name().unwrap_or_default().to_string_lossy().into_owned();
        files.extend(markdown_files(&lang_dir).into_iter().map(|f| (lang.clone(), f)));
    }

    let mut index = String::from(
        "/// Every lesson file's front matter: English (`lang` \"en\", `lessons/<file>`) and\n\
         /// translations (`lessons/<lang>/<file>`).\npub const LESSON_INDEX: &[LessonEntry] = &[\n",
    );
    let mut problems = Vec::new();
    let mut texts = String::from(
        "/// Every lesson file's whole text, as (language, file name, contents): for tests only.\n\
         #[cfg(test)]\npub const LESSON_TEXTS: &[(&str, &str, &str)] = &[\n",
    );
    for (lang, f) in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap_or_default().to_string_lossy().into_owned();
        entry(&mut index, &mut problems, lang, &name, f);
        writeln!(texts, "    ({lang:?}, {name:?}, include_str!({:?})),", f.display().to_string()).unwrap();
    }
    index.push_str("];\n");
    texts.push_str("];\n");
    let mut out = index;
    out.push_str("/// Lesson files whose front matter could not be read.\npub const INDEX_PROBLEMS: &[&str] = &");
    writeln!(out, "{problems:?};").unwrap();
    out.push_str(&texts);
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("lesson_files.rs");
    std::fs::write(dest, out).expect("write lesson index");
}
