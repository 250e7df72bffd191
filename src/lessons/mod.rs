//! The built-in lessons (embedded from `lessons/*.md` at build time) and
//! lessons a course author loads at run time.

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
