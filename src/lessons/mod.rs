//! The built-in lessons (embedded from `lessons/*.md` at build time) and
//! lessons a course author loads at run time.

use std::rc::Rc;

use redis_lessons::{parse_lesson, Lesson};

include!(concat!(env!("OUT_DIR"), "/lesson_files.rs"));

/// Every built-in lesson, in course order. A file that does not parse is
/// reported instead of silently dropped.
pub fn builtin() -> (Vec<Lesson>, Vec<String>) {
    let mut lessons = Vec::new();
    let mut problems = Vec::new();
    for (name, src) in LESSON_FILES {
        match parse_lesson(src) {
            Ok(l) => lessons.push(l),
            Err(e) => problems.push(format!("{name}: {e}")),
        }
    }
    lessons.sort_by(|a, b| a.order.cmp(&b.order).then(a.id.cmp(&b.id)));
    (lessons, problems)
}

thread_local! {
    static COURSE: (Rc<Vec<Rc<Lesson>>>, Rc<Vec<String>>) = {
        let (lessons, problems) = builtin();
        (Rc::new(lessons.into_iter().map(Rc::new).collect()), Rc::new(problems))
    };
}

/// The course (parsed once), and any lesson files that failed to parse.
pub fn course() -> (Rc<Vec<Rc<Lesson>>>, Rc<Vec<String>>) {
    COURSE.with(|c| (c.0.clone(), c.1.clone()))
}

/// A built-in lesson by id.
pub fn find(id: &str) -> Option<Rc<Lesson>> {
    course().0.iter().find(|l| l.id == id).cloned()
}

/// Where an author's own lesson (pasted or loaded) is kept for the session.
pub const CUSTOM_LESSON_KEY: &str = "redis-lab:custom-lesson";

#[cfg(test)]
mod tests {
    #[test]
    fn every_builtin_lesson_parses() {
        let (lessons, problems) = super::builtin();
        assert!(problems.is_empty(), "{problems:?}");
        assert!(lessons.len() >= 15);
        assert!(lessons.windows(2).all(|w| w[0].order <= w[1].order));
    }
}
