//! The built-in lessons and lessons a course author loads at run time.
//!
//! The lesson files (`lessons/*.md`, translations in `lessons/<lang>/*.md`)
//! are not compiled in: build.rs indexes their front matter (what the lesson
//! map shows), and scripts/postbuild.mjs copies them into the build, where a
//! lesson's text is fetched the first time it opens (then kept for the visit;
//! the service worker keeps them for offline use).

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use redis_lessons::{parse_lesson, Lesson};

use crate::browser;
use crate::i18n::{self, Lang};

/// One lesson file's front matter (build.rs writes the table).
#[derive(Debug, PartialEq)]
pub struct LessonEntry {
    /// `en` for `lessons/<file>`, else the translation's language.
    pub lang: &'static str,
    pub file: &'static str,
    pub id: &'static str,
    pub title: &'static str,
    pub order: u32,
    #[allow(dead_code)]
    pub prerequisites: &'static [&'static str],
    pub summary: &'static str,
}

impl LessonEntry {
    /// Where the file is, relative to the page (before the build names it after its content).
    pub fn path(&self) -> String {
        if self.lang == "en" {
            format!("lessons/{}", self.file)
        } else {
            format!("lessons/{}/{}", self.lang, self.file)
        }
    }
}

include!(concat!(env!("OUT_DIR"), "/lesson_files.rs"));

/// The course in one language, in course order: a lesson with no
/// translation (or whose translation names another id) is the English one.
/// Returns the lessons, the ids shown in English although another language
/// was asked for, and the files that are not usable (never silently dropped).
pub fn builtin(lang: Lang) -> (Vec<&'static LessonEntry>, HashSet<String>, Vec<String>) {
    let mut lessons = Vec::new();
    let mut fallback = HashSet::new();
    let mut problems: Vec<String> = INDEX_PROBLEMS.iter().map(|p| p.to_string()).collect();
    for english in LESSON_INDEX.iter().filter(|e| e.lang == "en") {
        let translated =
            LESSON_INDEX.iter().find(|e| e.lang == lang.code() && lang != Lang::En && e.file == english.file);
        match translated {
            Some(t) if t.id == english.id => lessons.push(t),
            other => {
                if let Some(t) = other {
                    problems
                        .push(format!("{}/{}: id {} is not the English file's {}", t.lang, t.file, t.id, english.id));
                }
                if lang != Lang::En {
                    fallback.insert(english.id.to_string());
                }
                lessons.push(english);
            }
        }
    }
    lessons.sort_by(|a, b| a.order.cmp(&b.order).then(a.id.cmp(b.id)));
    (lessons, fallback, problems)
}

type Course = (Lang, Rc<Vec<&'static LessonEntry>>, Rc<HashSet<String>>, Rc<Vec<String>>);

thread_local! {
    static COURSES: RefCell<Vec<Course>> = const { RefCell::new(Vec::new()) };
    /// Lessons fetched and parsed this visit, by file path.
    static LOADED: RefCell<HashMap<String, Rc<Lesson>>> = RefCell::new(HashMap::new());
    /// Lessons shown in English because their translation did not parse.
    static BROKEN_TRANSLATIONS: RefCell<HashSet<(&'static str, String)>> = RefCell::new(HashSet::new());
}

fn with_course<T>(f: impl FnOnce(&Course) -> T) -> T {
    let lang = i18n::lang();
    COURSES.with(|c| {
        let mut c = c.borrow_mut();
        if let Some(course) = c.iter().find(|x| x.0 == lang) {
            return f(course);
        }
        let (lessons, fallback, problems) = builtin(lang);
        let course = (lang, Rc::new(lessons), Rc::new(fallback), Rc::new(problems));
        let out = f(&course);
        c.push(course);
        out
    })
}

/// The course in the page's language, and any lesson files that are not usable.
pub fn course() -> (Rc<Vec<&'static LessonEntry>>, Rc<Vec<String>>) {
    with_course(|c| (c.1.clone(), c.3.clone()))
}

/// A built-in lesson's entry by id, in the page's language when it has a translation.
pub fn entry(id: &str) -> Option<&'static LessonEntry> {
    course().0.iter().find(|l| l.id == id).copied()
}

fn english(entry: &LessonEntry) -> Option<&'static LessonEntry> {
    LESSON_INDEX.iter().find(|e| e.lang == "en" && e.file == entry.file)
}

/// A built-in lesson by id if its text is already here (fetched earlier this visit).
pub fn find(id: &str) -> Option<Rc<Lesson>> {
    let entry = entry(id)?;
    let broken = BROKEN_TRANSLATIONS.with(|b| b.borrow().contains(&(i18n::lang().code(), id.to_string())));
    let entry = if broken { english(entry)? } else { entry };
    LOADED.with(|l| l.borrow().get(&entry.path()).cloned())
}

/// Why a lesson could not be shown.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadError {
    /// No lesson has this id.
    Unknown,
    /// The file could not be fetched (offline before a first visit, a server error): worth a retry.
    Fetch(String),
    /// The file arrived but is not a lesson (its parser's message).
    Parse(String),
}

async fn fetch_parse(entry: &LessonEntry) -> Result<Rc<Lesson>, LoadError> {
    let path = entry.path();
    if let Some(l) = LOADED.with(|l| l.borrow().get(&path).cloned()) {
        return Ok(l);
    }
    let src = browser::fetch_build_file(&path).await.map_err(LoadError::Fetch)?;
    let lesson = parse_lesson(&src).map_err(|e| LoadError::Parse(format!("{path}: {e}")))?;
    if lesson.id != entry.id {
        return Err(LoadError::Parse(format!("{path}: id {} is not {}", lesson.id, entry.id)));
    }
    let lesson = Rc::new(lesson);
    LOADED.with(|l| l.borrow_mut().insert(path, lesson.clone()));
    Ok(lesson)
}

/// Fetches and parses a built-in lesson (in the page's language; in English
/// when its translation does not parse).
pub async fn load(id: &str) -> Result<Rc<Lesson>, LoadError> {
    let lang = i18n::lang();
    let entry = entry(id).ok_or(LoadError::Unknown)?;
    match fetch_parse(entry).await {
        Err(LoadError::Parse(_)) if entry.lang != "en" => {
            BROKEN_TRANSLATIONS.with(|b| b.borrow_mut().insert((lang.code(), id.to_string())));
            fetch_parse(english(entry).ok_or(LoadError::Unknown)?).await
        }
        other => other,
    }
}

/// True when the lesson is shown in English because the page's language has
/// no (usable) translation of it.
pub fn is_fallback(id: &str) -> bool {
    with_course(|c| c.2.contains(id))
        || BROKEN_TRANSLATIONS.with(|b| b.borrow().contains(&(i18n::lang().code(), id.to_string())))
}

/// Where an author's own lesson (pasted or loaded) is kept for the session.
pub const CUSTOM_LESSON_KEY: &str = "redis-lab:custom-lesson";

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lang: &str, file: &str) -> &'static str {
        LESSON_TEXTS.iter().find(|(l, f, _)| *l == lang && *f == file).map(|x| x.2).expect("every indexed file")
    }

    #[test]
    fn every_builtin_lesson_parses_in_every_language_and_matches_its_index_row() {
        assert!(INDEX_PROBLEMS.is_empty(), "{INDEX_PROBLEMS:?}");
        assert_eq!(LESSON_INDEX.len(), LESSON_TEXTS.len());
        for e in LESSON_INDEX {
            let l = parse_lesson(text(e.lang, e.file)).unwrap_or_else(|err| panic!("{}: {err}", e.path()));
            assert_eq!(
                (l.id.as_str(), l.title.as_str(), l.order, l.summary.as_str()),
                (e.id, e.title, e.order, e.summary),
                "{}",
                e.path()
            );
            assert_eq!(l.prerequisites, e.prerequisites.iter().map(|p| p.to_string()).collect::<Vec<_>>());
        }
        for &lang in Lang::ALL {
            let (lessons, fallback, problems) = builtin(lang);
            assert!(problems.is_empty(), "{problems:?}");
            assert!(lessons.len() >= 15);
            assert!(lessons.windows(2).all(|w| w[0].order <= w[1].order));
            let english = builtin(Lang::En).0;
            let ids = |l: &[&LessonEntry]| l.iter().map(|l| l.id).collect::<Vec<_>>();
            assert_eq!(ids(&lessons), ids(&english), "{lang:?}: the same course in the same order");
            if lang == Lang::En {
                assert!(fallback.is_empty());
            }
        }
    }

    #[test]
    fn french_has_the_first_five_lessons_and_falls_back_for_the_rest() {
        let (lessons, fallback, _) = builtin(Lang::Fr);
        for id in ["intro", "strings", "ttl", "lists", "hashes"] {
            assert!(!fallback.contains(id), "{id} should be in French");
        }
        let strings = lessons.iter().find(|l| l.id == "strings").expect("strings");
        let english = builtin(Lang::En).0.into_iter().find(|l| l.id == "strings").expect("strings");
        assert_ne!(strings.title, english.title);
        assert_eq!(strings.path(), "lessons/fr/02-strings.md");
        assert_eq!(english.path(), "lessons/02-strings.md");
        assert!(fallback.contains("sets"));
    }
}
