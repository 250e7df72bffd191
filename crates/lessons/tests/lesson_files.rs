//! Every lesson file parses; every runnable block runs on the emulator in
//! order and prints exactly the expected output written in the file; every
//! challenge fails on the lesson's starting data and before its solution,
//! and passes after it.

use std::path::{Path, PathBuf};

use redis_emulator::{Clock, Config, Engine};
use redis_lessons::{audit, parse_lesson, Lesson, LessonRun, Part};

const T0: i64 = 1_700_000_000_000;

fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    files
}

fn lessons_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../lessons")
}

/// The languages lessons are translated into: the folders of `lessons/`.
fn translation_languages() -> Vec<String> {
    let mut langs: Vec<String> = std::fs::read_dir(lessons_dir())
        .expect("lessons/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    langs.sort();
    langs
}

/// The lessons of one language (`None`: English, `lessons/*.md`), as
/// (file name, parsed lesson); a translation's name is `<lang>/<file>`.
fn parse_language(lang: Option<&str>) -> Vec<(String, Lesson)> {
    let dir = match lang {
        Some(l) => lessons_dir().join(l),
        None => lessons_dir(),
    };
    markdown_files(&dir)
        .into_iter()
        .map(|p| {
            let file = p.file_name().unwrap().to_string_lossy().into_owned();
            let name = lang.map(|l| format!("{l}/{file}")).unwrap_or(file);
            let lesson = parse_lesson(&std::fs::read_to_string(&p).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, lesson)
        })
        .collect()
}

/// Every lesson file: English and every translation.
fn parse_all() -> Vec<(String, Lesson)> {
    let mut all = parse_language(None);
    for lang in translation_languages() {
        all.extend(parse_language(Some(&lang)));
    }
    all
}

fn fresh_run(lesson: &Lesson) -> LessonRun {
    let engine = Engine::new(Clock::manual(T0), 42, Config::browser());
    let mut run = LessonRun::new(engine);
    run.setup(lesson);
    run
}

#[test]
fn lessons_parse_and_link_up() {
    let lessons = parse_language(None);
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
    let lesson = parse_language(None).into_iter().map(|(_, l)| l).find(|l| l.id == "ttl").expect("ttl lesson");
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

/// What a translation must keep from the English lesson: everything that
/// runs or is checked. Only words (prose, title, summary, goals, hints,
/// check messages, button labels) may differ.
fn runnable_shape(lesson: &Lesson) -> Vec<String> {
    let mut shape = vec![
        format!("id {}", lesson.id),
        format!("order {}", lesson.order),
        format!("prerequisites {:?}", lesson.prerequisites),
        format!("setup {:?}", lesson.setup),
        format!("topology {:?}", lesson.topology),
    ];
    for part in &lesson.parts {
        match part {
            Part::Text(_) => {}
            Part::Commands(b) => {
                let steps: Vec<_> = b.steps.iter().map(|s| (&s.command, &s.expected, &s.deliveries)).collect();
                shape.push(format!(
                    "block client={} advance={} node={:?} actions={:?} {steps:?}",
                    b.client, b.advance_ms, b.node, b.actions
                ));
            }
            Part::Challenge(c) => {
                let checks: Vec<_> = c.checks.iter().map(|k| (&k.command, &k.expected)).collect();
                shape.push(format!(
                    "challenge {} checks {checks:?} solution {:?} hints {} node {:?} check-node {:?}",
                    c.id,
                    c.solution,
                    c.hints.len(),
                    c.node,
                    c.check_node
                ));
            }
            Part::Widget(w) => shape.push(format!("widget {w}")),
        }
    }
    shape
}

/// A translated lesson has an English original of the same file name, and
/// runs exactly the same blocks, setup and challenges; its check messages
/// are its own (a check without `say:` would show the English sentence).
#[test]
fn translations_run_exactly_what_the_english_lessons_run() {
    let english = parse_language(None);
    let langs = translation_languages();
    assert!(langs.iter().any(|l| l == "fr"), "the French translation is missing: {langs:?}");
    let mut problems = Vec::new();
    for lang in &langs {
        let translated = parse_language(Some(lang));
        assert!(!translated.is_empty(), "lessons/{lang}/ is empty");
        for (name, lesson) in &translated {
            let file = name.rsplit('/').next().unwrap_or(name);
            let Some((_, original)) = english.iter().find(|(n, _)| n == file) else {
                problems.push(format!("{name}: no English lesson lessons/{file}"));
                continue;
            };
            let (ours, theirs) = (runnable_shape(lesson), runnable_shape(original));
            for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
                if a != b {
                    problems.push(format!("{name}: part {i} differs from lessons/{file}:\n  {a}\n  {b}"));
                }
            }
            if ours.len() != theirs.len() {
                problems.push(format!("{name}: {} runnable parts, English {}", ours.len(), theirs.len()));
            }
            if lesson.title.trim().is_empty() || lesson.summary.trim().is_empty() {
                problems.push(format!("{name}: title or summary missing"));
            }
            for c in lesson.challenges() {
                if c.checks.iter().any(|k| k.say.is_none()) {
                    problems.push(format!("{name}: challenge {} has a check without its own words (say:)", c.id));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The French course covers the first five lessons, in French.
#[test]
fn french_translates_the_first_five_lessons() {
    let english = parse_language(None);
    let french = parse_language(Some("fr"));
    for id in ["intro", "strings", "ttl", "lists", "hashes"] {
        let fr = french.iter().find(|(_, l)| l.id == id).unwrap_or_else(|| panic!("fr: no lesson {id}"));
        let en = english.iter().find(|(_, l)| l.id == id).unwrap();
        assert_ne!(fr.1.title, en.1.title, "{id}: the title is not translated");
        assert_ne!(fr.1.summary, en.1.summary, "{id}: the summary is not translated");
    }
}

/// A translation whose blocks differ from the English one's is caught.
#[test]
fn a_translation_with_a_different_block_is_told_apart() {
    let dir = lessons_dir();
    let english = std::fs::read_to_string(dir.join("02-strings.md")).unwrap();
    let french = std::fs::read_to_string(dir.join("fr/02-strings.md")).unwrap();
    let altered = french.replacen("INCRBY views:homepage 10", "INCRBY views:homepage 11", 1);
    assert_ne!(altered, french);
    let shape = |src: &str| runnable_shape(&parse_lesson(src).unwrap());
    assert_eq!(shape(&french), shape(&english));
    assert_ne!(shape(&altered), shape(&english));
}
