//! "Take it with you": a console's commands as something that runs against
//! a real Redis — a redis-cli script or a redis-py program.
//!
//! Both keep one connection for the whole session, so `SELECT`, `MULTI` …
//! `EXEC` and `CLIENT` settings mean what they meant in the console.
//! Arguments are re-quoted from the parsed command, so what runs is
//! exactly what the console ran (binary bytes included).

use redis_emulator::tokenizer::split_line;

use super::snapshot::command_line;

/// The commands typed in a console, parsed; lines that do not parse (an
/// unbalanced quote) and blank lines are left out.
pub fn parse_commands<'a>(lines: impl IntoIterator<Item = &'a str>) -> Vec<Vec<Vec<u8>>> {
    lines.into_iter().filter_map(|l| split_line(l).ok()).filter(|argv| !argv.is_empty()).collect()
}

/// A shell script that pipes the commands into one `redis-cli` session.
/// The heredoc delimiter is quoted, so the shell expands nothing inside.
pub fn redis_cli_script(client: u32, commands: &[Vec<Vec<u8>>]) -> String {
    let mut out = String::from("#!/bin/sh\n");
    out.push_str(&format!("# Redis Lab, client {client}: {} command{}.\n", commands.len(), plural(commands.len())));
    out.push_str("# Runs them in one redis-cli session (one connection), against 127.0.0.1:6379 unless\n");
    out.push_str("# you pass redis-cli options: sh session.sh -h host -p port\n");
    let mut delimiter = String::from("REDIS_LAB");
    let lines: Vec<String> = commands.iter().map(|argv| command_line(argv)).collect();
    while lines.iter().any(|l| l == &delimiter) {
        delimiter.push('_');
    }
    out.push_str(&format!("redis-cli \"$@\" <<'{delimiter}'\n"));
    for line in &lines {
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&delimiter);
    out.push('\n');
    out
}

/// A Python program that sends the commands with redis-py on one
/// connection and prints each reply. Subscriptions go through a `PubSub`
/// object, as redis-py requires, and print the messages that arrive.
pub fn python_program(client: u32, commands: &[Vec<Vec<u8>>]) -> String {
    let mut out = String::from("# Redis Lab, client ");
    out.push_str(&format!("{client}: {} command{}.\n", commands.len(), plural(commands.len())));
    out.push_str("# pip install redis  — then: python session.py\n");
    out.push_str("import redis\n\n");
    out.push_str("r = redis.Redis(host=\"127.0.0.1\", port=6379, single_connection_client=True)\n");
    let mut pubsub = false;
    for argv in commands {
        let name = String::from_utf8_lossy(&argv[0]).to_ascii_lowercase();
        let args: Vec<String> = argv[1..].iter().map(|a| python_literal(a)).collect();
        out.push('\n');
        out.push_str(&format!("# {}\n", command_line(argv).replace('\n', " ")));
        match name.as_str() {
            "subscribe" | "psubscribe" | "ssubscribe" | "unsubscribe" | "punsubscribe" | "sunsubscribe" => {
                if !pubsub {
                    out.push_str("p = r.pubsub()\n");
                    pubsub = true;
                }
                out.push_str(&format!("p.{name}({})\n", args.join(", ")));
            }
            _ => out.push_str(&format!("print(r.execute_command({}))\n", python_args(&argv[0], &args))),
        }
    }
    if pubsub {
        out.push_str("\n# Messages for the subscriptions above (Ctrl+C stops).\n");
        out.push_str("for message in p.listen():\n    print(message)\n");
    }
    out
}

fn python_args(name: &[u8], args: &[String]) -> String {
    let mut all = vec![python_literal(name)];
    all.extend(args.iter().cloned());
    all.join(", ")
}

/// A Python literal for the argument: a `str` when it is printable UTF-8,
/// else `bytes`, so binary values reach Redis unchanged.
pub fn python_literal(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r') => {
            let mut out = String::from("\"");
            for c in text.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
        _ => {
            let mut out = String::from("b\"");
            for &b in bytes {
                match b {
                    b'"' => out.push_str("\\\""),
                    b'\\' => out.push_str("\\\\"),
                    0x20..=0x7e => out.push(b as char),
                    _ => out.push_str(&format!("\\x{b:02x}")),
                }
            }
            out.push('"');
            out
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commands(lines: &[&str]) -> Vec<Vec<Vec<u8>>> {
        parse_commands(lines.iter().copied())
    }

    #[test]
    fn redis_cli_script_requotes_what_the_console_parsed() {
        let script =
            redis_cli_script(1, &commands(&["SET greeting \"hello world\"", "  ", "GET greeting", "SET \"unbalanced"]));
        assert!(script.starts_with("#!/bin/sh\n# Redis Lab, client 1: 2 commands.\n"));
        assert!(
            script.contains("redis-cli \"$@\" <<'REDIS_LAB'\nSET greeting \"hello world\"\nGET greeting\nREDIS_LAB\n")
        );
    }

    #[test]
    fn the_heredoc_delimiter_never_appears_as_a_command() {
        let script = redis_cli_script(2, &commands(&["REDIS_LAB", "PING"]));
        assert!(script.contains("<<'REDIS_LAB_'\nREDIS_LAB\nPING\nREDIS_LAB_\n"));
    }

    #[test]
    fn python_sends_every_command_on_one_connection() {
        let program = python_program(1, &commands(&["SET k \"a\\\"b\"", "SELECT 1", "SET bin \"\\x00\\xff\""]));
        assert!(program.contains("single_connection_client=True"));
        assert!(program.contains("print(r.execute_command(\"SET\", \"k\", \"a\\\"b\"))"));
        assert!(program.contains("print(r.execute_command(\"SELECT\", \"1\"))"));
        assert!(program.contains("print(r.execute_command(\"SET\", \"bin\", b\"\\x00\\xff\"))"));
    }

    #[test]
    fn python_subscriptions_use_a_pubsub_object_and_listen() {
        let program = python_program(3, &commands(&["SUBSCRIBE news", "PSUBSCRIBE n*"]));
        assert_eq!(program.matches("p = r.pubsub()").count(), 1);
        assert!(program.contains("p.subscribe(\"news\")\n"));
        assert!(program.contains("p.psubscribe(\"n*\")\n"));
        assert!(program.ends_with("for message in p.listen():\n    print(message)\n"));
    }

    #[test]
    fn python_literals_are_text_when_printable_and_bytes_otherwise() {
        assert_eq!(python_literal(b"caf\xc3\xa9"), "\"café\"");
        assert_eq!(python_literal(b"tab\there"), "\"tab\\there\"");
        assert_eq!(python_literal(b"\x01x"), "b\"\\x01x\"");
        assert_eq!(python_literal(b"\xff\"\\"), "b\"\\xff\\\"\\\\\"");
    }

    /// Both exports, run against a real redis-server: the same session
    /// leaves the same data as the console did (SELECT and MULTI included,
    /// binary values intact).
    #[test]
    fn both_exports_run_against_a_real_redis_server() {
        let session = commands(&[
            "SET greeting \"hello world\"",
            "SELECT 2",
            "MULTI",
            "RPUSH list a \"b c\" \"\\x00\\xff\"",
            "INCR counter",
            "EXEC",
        ]);
        let server = RealRedis::start();
        let script = redis_cli_script(1, &session);
        let status = std::process::Command::new("sh")
            .args(["-c", &script, "session.sh", "-p", &server.port.to_string()])
            .stdout(std::process::Stdio::null())
            .status()
            .expect("sh runs");
        assert!(status.success());
        server.check_session("redis-cli script");

        server.cli(&["FLUSHALL"]);
        let program = python_program(1, &session).replace("port=6379", &format!("port={}", server.port));
        let output =
            std::process::Command::new("/usr/bin/python3").args(["-c", &program]).output().expect("python3 runs");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        server.check_session("Python program");
    }

    struct RealRedis {
        port: u16,
        child: std::process::Child,
    }

    impl RealRedis {
        /// redis-server on a free loopback port; panics if it is missing.
        fn start() -> RealRedis {
            let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let child = std::process::Command::new("redis-server")
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("redis-server is installed (scripts/setup.sh installs it)");
            let server = RealRedis { port, child };
            for _ in 0..100 {
                if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return server;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            panic!("redis-server did not start on port {port}");
        }

        fn cli(&self, args: &[&str]) -> Vec<u8> {
            let port = self.port.to_string();
            let mut all = vec!["-p", &port];
            all.extend_from_slice(args);
            std::process::Command::new("redis-cli").args(&all).output().expect("redis-cli runs").stdout
        }

        fn check_session(&self, what: &str) {
            assert_eq!(self.cli(&["GET", "greeting"]), b"hello world\n", "{what}");
            assert_eq!(
                self.cli(&["-n", "2", "--no-raw", "LRANGE", "list", "0", "-1"]),
                b"1) \"a\"\n2) \"b c\"\n3) \"\\x00\\xff\"\n",
                "{what}"
            );
            assert_eq!(self.cli(&["-n", "2", "GET", "counter"]), b"1\n", "{what}");
            assert_eq!(self.cli(&["DBSIZE"]), b"1\n", "{what}");
        }
    }

    impl Drop for RealRedis {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
