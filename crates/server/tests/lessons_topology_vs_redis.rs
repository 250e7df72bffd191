//! Lessons on several servers (`topology:` in their front matter) checked
//! against real redis-servers: three started with `--replicaof` for
//! `replicas`, three with `--cluster-enabled yes` joined by
//! `redis-cli --cluster create` for `cluster`. Every block up to the first
//! one that acts on servers or moves the clock (those are checked on the
//! emulator only, by crates/lessons) runs on the server it names and must
//! print what the lesson says; every challenge met on the way must fail
//! before its solution and pass after it.
//!
//! The real servers listen on free ports, not on 6379 or 7000: ports in
//! commands are translated to the real ones, and back in what the servers
//! print; `{id:PORT}` becomes the real server's node id. Run ids, node ids
//! and offsets differ by nature and are not in any expected output.

mod common;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{wait_for_port, Conn};
use redis_emulator::cli_format::format_reply;
use redis_emulator::resp::parse_reply;
use redis_emulator::tokenizer::split_line;
use redis_emulator::Protocol;
use redis_lessons::topology::expand_ids;
use redis_lessons::{output_matches, parse_lesson, Lesson, Part, TopologyKind};

/// A port whose cluster bus port (+10000) is free too.
fn free_cluster_port() -> u16 {
    for _ in 0..200 {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = l.local_addr().expect("addr").port();
        if port < 55000 && TcpListener::bind(("127.0.0.1", port + 10000)).is_ok() {
            return port;
        }
    }
    panic!("no free port pair for a cluster node");
}

/// A redis-server process, killed when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dir: &PathBuf, port: u16, extra: &[String]) -> Server {
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .args(["--daemonize", "no", "--protected-mode", "no", "--dir"])
        .arg(dir)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("redis-server could not start ({e}); install it (scripts/setup.sh does)"));
    wait_for_port(port);
    Server { child, port }
}

fn text_of(raw: &[u8]) -> String {
    match parse_reply(raw) {
        Some((reply, _)) => format_reply(&reply, Protocol::Resp2).trim_end_matches('\n').to_string(),
        None => String::from_utf8_lossy(raw).into_owned(),
    }
}

fn ask(port: u16, line: &str) -> String {
    let mut c = Conn::open(port);
    c.send(&split_line(line).expect("a line"));
    c.read_reply(Duration::from_secs(5)).map(|r| text_of(&r)).unwrap_or_default()
}

fn wait_until(what: &str, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(start.elapsed() < Duration::from_secs(20), "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The lesson's servers, as real redis-servers: (lesson port, server).
struct Servers {
    servers: Vec<(u16, Server)>,
    _dir: PathBuf,
}

impl Servers {
    fn start(lesson: &Lesson) -> Servers {
        let base = std::env::var_os("CARGO_TARGET_TMPDIR").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
        let dir = base.join(format!("lessons-topology-{}-{}", lesson.id, std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut servers = Vec::new();
        for kind in &lesson.topology {
            match kind {
                TopologyKind::Replicas => {
                    let ports = TopologyKind::Replicas.ports();
                    let master = start(&dir, free_cluster_port(), &[]);
                    let follow = vec!["--replicaof".to_string(), "127.0.0.1".to_string(), master.port.to_string()];
                    let replicas: Vec<Server> = (0..2).map(|_| start(&dir, free_cluster_port(), &follow)).collect();
                    for r in &replicas {
                        wait_until("a replica's link", || {
                            ask(r.port, "INFO replication").contains("master_link_status:up")
                        });
                    }
                    servers.push((ports[0], master));
                    servers.extend(ports[1..].iter().copied().zip(replicas));
                }
                TopologyKind::Cluster | TopologyKind::ClusterReplicas => {
                    let ports = kind.ports();
                    let mut made = Vec::new();
                    for (i, lesson_port) in ports.iter().enumerate() {
                        let port = free_cluster_port();
                        let flags = vec![
                            "--cluster-enabled".to_string(),
                            "yes".to_string(),
                            "--cluster-config-file".to_string(),
                            format!("nodes-{i}-{port}.conf"),
                        ];
                        made.push((*lesson_port, start(&dir, port, &flags)));
                    }
                    let mut create = Command::new("redis-cli");
                    create.arg("--cluster").arg("create");
                    for (_, s) in &made {
                        create.arg(format!("127.0.0.1:{}", s.port));
                    }
                    if *kind == TopologyKind::ClusterReplicas {
                        create.args(["--cluster-replicas", "1"]);
                    }
                    let out = create.arg("--cluster-yes").output().expect("redis-cli runs");
                    assert!(
                        out.status.success(),
                        "redis-cli --cluster create: {}",
                        String::from_utf8_lossy(&out.stdout)
                    );
                    let known = format!("cluster_known_nodes:{}", ports.len());
                    for (_, s) in &made {
                        wait_until("the cluster to agree", || {
                            let info = ask(s.port, "CLUSTER INFO");
                            info.contains("cluster_state:ok") && info.contains(&known)
                        });
                    }
                    servers.extend(made);
                }
            }
        }
        Servers { servers, _dir: dir }
    }

    fn real(&self, lesson_port: u16) -> u16 {
        self.servers.iter().find(|(p, _)| *p == lesson_port).map(|(_, s)| s.port).expect("a server of the lesson")
    }

    /// A line with the lesson's ports and ids made real.
    fn outgoing(&self, line: &str) -> Vec<Vec<u8>> {
        let line = expand_ids(line, |p| {
            let id = ask(self.real(p), "CLUSTER MYID");
            Some(id.trim_matches('"').to_string())
        });
        let mut argv = split_line(&line).expect("a lesson line splits");
        for arg in argv.iter_mut() {
            let lesson_port = std::str::from_utf8(arg).ok().and_then(|a| a.parse::<u16>().ok());
            if let Some(p) = lesson_port.filter(|p| self.servers.iter().any(|(lp, _)| lp == p)) {
                *arg = self.real(p).to_string().into_bytes();
            }
        }
        argv
    }

    /// What a server printed, with the real ports put back as the lesson's.
    fn incoming(&self, text: String) -> String {
        self.servers.iter().fold(text, |t, (lesson, s)| t.replace(&s.port.to_string(), &lesson.to_string()))
    }
}

/// Runs `line` on the server the lesson calls `port`, as client `n`.
fn run(servers: &Servers, conns: &mut Vec<((u32, u16), Conn)>, n: u32, port: u16, line: &str) -> String {
    let at = match conns.iter().position(|(k, _)| *k == (n, port)) {
        Some(i) => i,
        None => {
            conns.push(((n, port), Conn::open(servers.real(port))));
            conns.len() - 1
        }
    };
    let conn = &mut conns[at].1;
    conn.send(&servers.outgoing(line));
    let out = conn.read_reply(Duration::from_secs(5)).map(|r| text_of(&r)).unwrap_or_default();
    // Replication and the cluster bus take a moment on real servers.
    std::thread::sleep(Duration::from_millis(60));
    servers.incoming(out)
}

fn check(servers: &Servers, challenge: &redis_lessons::Challenge, first: u16) -> Vec<String> {
    let port = challenge.check_node.or(challenge.node).unwrap_or(first);
    let mut failed = Vec::new();
    for c in &challenge.checks {
        let mut conn = Conn::open(servers.real(port));
        conn.send(&servers.outgoing(&c.command));
        let out = conn.read_reply(Duration::from_secs(5)).map(|r| text_of(&r)).unwrap_or_default();
        let out = servers.incoming(out);
        if !output_matches(&c.expected, &out) {
            failed.push(format!("`{}` prints {out:?}", c.command));
        }
    }
    failed
}

fn topology_lessons() -> Vec<(String, Lesson)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../lessons");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.retain(|p| p.extension().is_some_and(|x| x == "md"));
    files.sort();
    files
        .into_iter()
        .map(|f| {
            (
                f.file_name().unwrap().to_string_lossy().into_owned(),
                parse_lesson(&std::fs::read_to_string(&f).unwrap()).unwrap(),
            )
        })
        .filter(|(_, l)| !l.topology.is_empty())
        .collect()
}

#[test]
fn lessons_on_several_servers_match_real_redis_servers() {
    let lessons = topology_lessons();
    assert!(!lessons.is_empty(), "the scaling-out lesson runs on several servers");
    let mut problems = Vec::new();
    let mut checked = 0;
    for (name, lesson) in lessons {
        let servers = Servers::start(&lesson);
        let first = lesson.ports()[0];
        let mut conns = Vec::new();
        for line in &lesson.setup {
            run(&servers, &mut conns, 1, first, line);
        }
        'parts: for part in &lesson.parts {
            match part {
                Part::Commands(block) => {
                    if block.advance_ms > 0 || !block.actions.is_empty() {
                        break 'parts; // acting on servers is checked on the emulator only
                    }
                    for step in &block.steps {
                        let port = block.node.unwrap_or(first);
                        let out = run(&servers, &mut conns, block.client, port, &step.command);
                        if let Some(expected) = &step.expected {
                            checked += 1;
                            if !output_matches(expected, &out) {
                                problems.push(format!(
                                    "{name}: `{}` on {port}\n  file:  {expected:?}\n  redis: {out:?}",
                                    step.command
                                ));
                            }
                        }
                    }
                }
                Part::Challenge(c) => {
                    if check(&servers, c, first).is_empty() {
                        problems.push(format!("{name}: challenge {} passes before its solution", c.id));
                    }
                    for line in &c.solution {
                        run(&servers, &mut conns, 1, c.node.unwrap_or(first), line);
                    }
                    let failed = check(&servers, c, first);
                    checked += 1;
                    if !failed.is_empty() {
                        problems.push(format!("{name}: challenge {} fails after its solution: {failed:?}", c.id));
                    }
                }
                _ => {}
            }
        }
    }
    println!("lessons on several servers vs redis-server: {checked} outputs checked");
    assert!(checked >= 10, "too few outputs checked: {checked}");
    assert!(problems.is_empty(), "{} differences from redis-server:\n{}", problems.len(), problems.join("\n"));
}
