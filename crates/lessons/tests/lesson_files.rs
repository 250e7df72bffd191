//! Every lesson file parses; every runnable block runs on the emulator in
//! order and prints exactly the expected output written in the file; every
//! challenge fails on the lesson's starting data and before its solution,
//! and passes after it.

use std::path::PathBuf;

use redis_emulator::{Clock, Config, Engine};
use redis_lessons::{output_matches, parse_lesson, Lesson, LessonRun, Part};

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
    let mut steps_checked = 0;
    for (name, lesson) in parse_all() {
        let mut run = fresh_run(&lesson);
        for part in &lesson.parts {
            match part {
                Part::Commands(block) => {
                    let outcomes = run.run_block(block);
                    for (step, out) in block.steps.iter().zip(&outcomes) {
                        if let Some(expected) = &step.expected {
                            steps_checked += 1;
                            if !output_matches(expected, &out.output) {
                                problems.push(format!(
                                    "{name}: `{}`\n  expected: {expected:?}\n  got:      {:?}",
                                    step.command, out.output
                                ));
                            }
                        }
                        for (client, text) in &step.deliveries {
                            steps_checked += 1;
                            let got: Vec<&String> =
                                out.deliveries.iter().filter(|(c, _)| c == client).map(|(_, t)| t).collect();
                            if !got.iter().any(|g| output_matches(text, g)) {
                                problems.push(format!(
                                    "{name}: `{}` should deliver to client {client}:\n  {text:?}\n  got: {got:?}",
                                    step.command
                                ));
                            }
                        }
                    }
                }
                Part::Challenge(challenge) => {
                    let mut start = fresh_run(&lesson);
                    if start.check(challenge).passed {
                        problems
                            .push(format!("{name}: challenge {} already passes on the starting data", challenge.id));
                    }
                    if run.check(challenge).passed {
                        problems.push(format!("{name}: challenge {} passes before its solution", challenge.id));
                    }
                    for line in &challenge.solution {
                        let out = run.run(1, line);
                        if out.error {
                            problems.push(format!("{name}: solution `{line}` failed: {}", out.output));
                        }
                    }
                    let verdict = run.check(challenge);
                    if !verdict.passed {
                        problems.push(format!(
                            "{name}: solution of {} does not pass: {:?}",
                            challenge.id, verdict.failures
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    println!("lessons: {steps_checked} expected outputs checked");
    assert!(steps_checked > 100, "too few expectations checked: {steps_checked}");
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}
