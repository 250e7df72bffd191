//! Every lesson file parses; every runnable block runs on the emulator in
//! order and prints exactly the expected output written in the file; every
//! challenge fails on the lesson's starting data and before its solution,
//! and passes after it.

use std::path::PathBuf;

use redis_emulator::{Clock, Config, Engine};
use redis_lessons::{audit, parse_lesson, Lesson, LessonRun};

const T0: i64 = 1_700_000_000_000;

fn lesson_files() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../lessons");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("lessons/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect()
}

fn parse_all() -> Vec<(String, Lesson)> {
    lesson_files()
        .into_iter()
        .map(|(name, src)| {
            let lesson = parse_lesson(&src).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, lesson)
        })
        .collect()
}

fn fresh_run(lesson: &Lesson) -> LessonRun {
    let engine = Engine::new(Clock::manual(T0), 42, Config::browser());
    let mut run = LessonRun::new(engine);
    run.setup(lesson);
    run
}

#[test]
fn lessons_parse_and_link_up() {
    let lessons = parse_all();
    assert!(lessons.len() >= 15, "expected the full course, found {} lessons", lessons.len());
    let ids: Vec<&str> = lessons.iter().map(|(_, l)| l.id.as_str()).collect();
    for (name, l) in &lessons {
        assert_eq!(ids.iter().filter(|i| **i == l.id).count(), 1, "{name}: duplicate id {}", l.id);
        for p in &l.prerequisites {
            assert!(ids.contains(&p.as_str()), "{name}: unknown prerequisite {p}");
        }
        assert!(l.challenges().count() >= 1, "{name}: every lesson needs a checked challenge");
        assert!(!l.summary.is_empty(), "{name}: summary missing");
    }
}

#[test]
fn every_block_prints_what_the_lesson_says_and_every_challenge_is_solvable() {
    let mut problems = Vec::new();
    let mut compared = 0;
    for (name, lesson) in parse_all() {
        let report = audit(&lesson, || Engine::new(Clock::manual(T0), 42, Config::browser()));
        compared += report.compared;
        problems.extend(report.problems().into_iter().map(|p| format!("{name}: {p}")));
    }
    println!("lessons: {compared} expected outputs checked");
    assert!(compared > 100, "too few expectations checked: {compared}");
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

/// The TTL challenge asks for "about a minute": 15 s is refused, in words.
#[test]
fn the_ttl_challenge_wants_about_a_minute_and_says_so() {
    let lesson = parse_all().into_iter().map(|(_, l)| l).find(|l| l.id == "ttl").expect("ttl lesson");
    let challenge = lesson.challenges().next().unwrap().clone();
    for (seconds, passes) in [(15, false), (45, false), (120, false), (50, true), (60, true)] {
        let mut run = fresh_run(&lesson);
        run.run(1, &format!("EXPIRE cache:price:42 {seconds}"));
        let verdict = run.check(&challenge);
        assert_eq!(verdict.passed, passes, "EXPIRE {seconds}");
        if !passes {
            let message = &verdict.failures[0].message;
            assert_eq!(
                message,
                &format!(
                    "`cache:price:42` should expire in about 60 seconds (a TTL from 50 to 60); its TTL is {seconds}."
                )
            );
        }
    }
}

/// No learner ever sees a check's pattern: every failure is told in words.
#[test]
fn every_failing_check_is_told_in_words() {
    for (name, lesson) in parse_all() {
        let mut run = fresh_run(&lesson);
        for challenge in lesson.challenges() {
            for failure in run.check(challenge).failures {
                let m = &failure.message;
                assert!(!m.contains('~') && !m.contains("{output}"), "{name}: {m}");
                if failure.expected.starts_with('~') {
                    assert!(!m.contains(&failure.expected[1..]), "{name}: the pattern shows in {m:?}");
                }
            }
        }
    }
}
