//! The built-in lessons (embedded from `lessons/*.md` and their translations
//! in `lessons/<lang>/*.md` at build time) and lessons a course author loads
//! at run time.

use std::collections::HashSet;
use std::rc::Rc;

use redis_lessons::{parse_lesson, Lesson};

use crate::i18n::{self, Lang};

include!(concat!(env!("OUT_DIR"), "/lesson_files.rs"));

/// The course in one language, in course order: a lesson with no
/// translation (or whose translation does not parse) is the English one.
/// Returns the lessons, the ids shown in English although another language
/// was asked for, and the files that failed to parse (never silently dropped).
pub fn builtin(lang: Lang) -> (Vec<Lesson>, HashSet<String>, Vec<String>) {
    let mut lessons = Vec::new();
    let mut fallback = HashSet::new();
    let mut problems = Vec::new();
    for (name, src) in LESSON_FILES {
        let english = match parse_lesson(src) {
            Ok(l) => l,
            Err(e) => {
                problems.push(format!("{name}: {e}"));
                continue;
            }
        };
        let translated =
            TRANSLATED_LESSON_FILES.iter().find(|(l, n, _)| *l == lang.code() && n == name).and_then(|(l, n, src)| {
                match parse_lesson(src) {
                    Ok(t) if t.id == english.id => Some(t),
                    Ok(t) => {
                        problems.push(format!("{l}/{n}: id {} is not the English file's {}", t.id, english.id));
                        None
                    }
                    Err(e) => {
                        problems.push(format!("{l}/{n}: {e}"));
                        None
                    }
                }
            });
        match translated {
            Some(t) => lessons.push(t),
            None => {
                if lang != Lang::En {
                    fallback.insert(english.id.clone());
                }
                lessons.push(english);
            }
        }
    }
    lessons.sort_by(|a, b| a.order.cmp(&b.order).then(a.id.cmp(&b.id)));
    (lessons, fallback, problems)
}

type Course = (Lang, Rc<Vec<Rc<Lesson>>>, Rc<HashSet<String>>, Rc<Vec<String>>);

thread_local! {
    static COURSES: std::cell::RefCell<Vec<Course>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn with_course<T>(f: impl FnOnce(&Course) -> T) -> T {
    let lang = i18n::lang();
    COURSES.with(|c| {
        let mut c = c.borrow_mut();
        if !c.iter().any(|x| x.0 == lang) {
            let (lessons, fallback, problems) = builtin(lang);
            c.push((lang, Rc::new(lessons.into_iter().map(Rc::new).collect()), Rc::new(fallback), Rc::new(problems)));
        }
        let course = c.iter().find(|x| x.0 == lang).expect("just built");
        f(course)
    })
}

/// The course in the page's language (parsed once per language), and any
/// lesson files that failed to parse.
pub fn course() -> (Rc<Vec<Rc<Lesson>>>, Rc<Vec<String>>) {
    with_course(|c| (c.1.clone(), c.3.clone()))
}

/// A built-in lesson by id, in the page's language when it has a translation.
pub fn find(id: &str) -> Option<Rc<Lesson>> {
    course().0.iter().find(|l| l.id == id).cloned()
}

/// True when the lesson is shown in English because the page's language has
/// no translation of it.
pub fn is_fallback(id: &str) -> bool {
    with_course(|c| c.2.contains(id))
}

/// Where an author's own lesson (pasted or loaded) is kept for the session.
pub const CUSTOM_LESSON_KEY: &str = "redis-lab:custom-lesson";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_lesson_parses_in_every_language() {
        for &lang in Lang::ALL {
            let (lessons, fallback, problems) = builtin(lang);
            assert!(problems.is_empty(), "{problems:?}");
            assert!(lessons.len() >= 15);
            assert!(lessons.windows(2).all(|w| w[0].order <= w[1].order));
            let english = builtin(Lang::En).0;
            let ids = |l: &[Lesson]| l.iter().map(|l| l.id.clone()).collect::<Vec<_>>();
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
        assert!(fallback.contains("sets"));
    }
}
