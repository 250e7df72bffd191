//! `--cluster N [--replicas R]`: a Redis Cluster of N masters (and R
//! replicas for each) served by one process, one engine per node on ports
//! P..P+N*(R+1)-1, slots split and replicas laid out as `redis-cli
//! --cluster create` does. Replicas replicate over loopback TCP like any
//! replica of this server; failure detection and elections run on each
//! engine's cron, with the bus messages carried in process.
//!
//! Each node runs on its own thread (its own single-threaded runtime), so
//! a node blocked in MIGRATE's network exchange never stops the node it
//! talks to. Slot ownership changes travel between the engines as bus
//! messages ([`redis_emulator::cluster::bus`]), carried by a thread that
//! drains every node every 10 ms and never holds two engines at once.
//! MIGRATE reaches any Redis server (these nodes included) over blocking
//! TCP through [`TcpHost`].

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use redis_emulator::cluster::bus::{BusMessage, ClusterHost, LinkError, MigrateLink};
use redis_emulator::cluster::local;
use redis_emulator::resp::parse_reply;
use redis_emulator::{Config, Reply};

use redis_emulator::clock::{system_time_us, Clock};
use redis_emulator::Engine;

use crate::{new_state_from, SharedState};

/// MIGRATE's way out: blocking TCP connections to any Redis server.
pub struct TcpHost;

impl ClusterHost for TcpHost {
    fn connect(&mut self, ip: &str, port: u16, timeout_ms: u64) -> Option<Box<dyn MigrateLink>> {
        let timeout = Duration::from_millis(timeout_ms.max(1));
        let addr = (ip, port).to_socket_addrs().ok()?.next()?;
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(stream) => {
                stream.set_nodelay(true).ok()?;
                Some(Box::new(TcpLink { stream, buf: Vec::new() }))
            }
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => None,
            // Redis connects without blocking and learns of a refusal only
            // when it writes: "IOERR error or timeout writing to target instance".
            Err(_) => Some(Box::new(RefusedLink)),
        }
    }
}

/// A connection the other side refused.
struct RefusedLink;

impl MigrateLink for RefusedLink {
    fn call(&mut self, _: &[Vec<Vec<u8>>], _: u64) -> Result<Vec<Reply>, LinkError> {
        Err(LinkError::Write)
    }
}

/// One MIGRATE connection.
struct TcpLink {
    stream: TcpStream,
    buf: Vec<u8>,
}

fn encode_command(argv: &[Vec<u8>], out: &mut Vec<u8>) {
    out.extend_from_slice(format!("*{}\r\n", argv.len()).as_bytes());
    for arg in argv {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
}

impl MigrateLink for TcpLink {
    fn call(&mut self, commands: &[Vec<Vec<u8>>], timeout_ms: u64) -> Result<Vec<Reply>, LinkError> {
        let timeout = Some(Duration::from_millis(timeout_ms.max(1)));
        let mut out = Vec::new();
        for command in commands {
            encode_command(command, &mut out);
        }
        self.stream.set_write_timeout(timeout).map_err(|_| LinkError::Write)?;
        self.stream.write_all(&out).map_err(|_| LinkError::Write)?;
        self.stream.set_read_timeout(timeout).map_err(|_| LinkError::Read)?;
        let mut replies = Vec::with_capacity(commands.len());
        let mut chunk = [0u8; 16 * 1024];
        while replies.len() < commands.len() {
            if let Some((reply, used)) = parse_reply(&self.buf) {
                self.buf.drain(..used);
                replies.push(reply);
                continue;
            }
            match self.stream.read(&mut chunk) {
                Ok(0) => return Err(LinkError::Read),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                    return Err(LinkError::Timeout)
                }
                Err(_) => return Err(LinkError::Read),
            }
        }
        Ok(replies)
    }
}

/// The node states of a cluster of `masters` nodes on `ip`, ports
/// `base_port`…, each configured with `config` (plus `cluster-enabled
/// yes`), with its slots assigned and every node known to the others.
/// Fails when the ports do not leave room for the bus ports (port + 10000).
pub fn new_cluster(
    masters: usize,
    ip: &str,
    base_port: u16,
    config: &Config,
) -> Result<Vec<(u16, SharedState)>, String> {
    new_cluster_with_replicas(masters, 0, ip, base_port, config)
}

/// [`new_cluster`] with `replicas` replicas per master on the ports after
/// the masters', each told to replicate its master (CLUSTER REPLICATE) as
/// `redis-cli --cluster create --cluster-replicas` plans them; the
/// replicas connect to their masters over TCP once the nodes serve.
pub fn new_cluster_with_replicas(
    masters: usize,
    replicas: usize,
    ip: &str,
    base_port: u16,
    config: &Config,
) -> Result<Vec<(u16, SharedState)>, String> {
    let mut config = config.clone();
    config.extra.insert("cluster-enabled", "yes".into());
    let masters = masters.clamp(1, 16384);
    let total = masters.saturating_mul(replicas.saturating_add(1));
    if base_port == 0 || base_port as usize + total - 1 > 65535 - 10000 {
        return Err(format!(
            "--cluster {masters} with {replicas} replicas each needs ports 1..=55535 (each node's bus port is port + 10000)"
        ));
    }
    // What `redis-cli --cluster create` would send each node.
    let mut commands = local::create_commands(masters, ip, base_port);
    commands.extend(local::replica_commands(masters, replicas, ip, base_port));
    let nodes: Vec<(u16, SharedState)> = commands
        .iter()
        .enumerate()
        .map(|(i, lines)| {
            let port = base_port.wrapping_add(i as u16);
            // Each node its own seed: nodes made in the same microsecond must not share an id.
            let seed = system_time_us() as u64 ^ (port as u64).rotate_left(40) ^ 0x9e37_79b9_7f4a_7c15;
            let mut engine = Engine::new(Clock::real(system_time_us), seed, config.clone());
            engine.track_changes(false);
            let state = new_state_from(engine);
            {
                let mut shared = state.lock();
                shared.engine.enable_cluster(ip, port);
                shared.engine.set_cluster_host(Box::new(TcpHost));
                run_setup(&mut shared.engine, lines)?;
            }
            Ok((port, state))
        })
        .collect::<Result<_, String>>()?;
    exchange(&nodes);
    let ids: Vec<String> = nodes[..masters]
        .iter()
        .map(|(_, s)| s.lock().engine.cluster_state().map(|c| c.myself().id.clone()).unwrap_or_default())
        .collect();
    for j in 0..masters * replicas {
        let master = &ids[local::replica_master(masters, replicas, j)];
        run_setup(&mut nodes[masters + j].1.lock().engine, &[format!("CLUSTER REPLICATE {master}")])?;
    }
    exchange(&nodes);
    Ok(nodes)
}

/// Runs setup commands on a node from a client of its own.
fn run_setup(engine: &mut Engine, lines: &[String]) -> Result<(), String> {
    local::run_setup(engine, "startup:0", lines)
}

/// Carries every pending bus message to the node it is for, until none
/// is left (or a bounded number of rounds). Holds one engine at a time.
pub fn exchange(nodes: &[(u16, SharedState)]) {
    for _ in 0..64 {
        let mut pending: Vec<BusMessage> = Vec::new();
        for (_, state) in nodes {
            pending.extend(state.lock().engine.take_bus_messages());
        }
        if pending.is_empty() {
            return;
        }
        for message in pending {
            if let Some((_, state)) = nodes.iter().find(|(port, _)| *port == message.port) {
                state.lock().engine.receive_bus_message(&message);
            }
        }
    }
}

/// Serves the nodes, each on its own thread, and carries their bus
/// messages; returns only if a node cannot listen.
pub fn serve_cluster(bind: &str, nodes: Vec<(u16, SharedState)>) -> Result<(), String> {
    let mut listeners = Vec::new();
    for (port, _) in &nodes {
        let listener =
            std::net::TcpListener::bind((bind, *port)).map_err(|e| format!("cannot listen on {bind}:{port}: {e}"))?;
        listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        listeners.push(listener);
    }
    let mut threads = Vec::new();
    for ((port, state), listener) in nodes.iter().cloned().zip(listeners) {
        threads.push(std::thread::spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(r) => r,
                Err(e) => return eprintln!("node {port}: no runtime: {e}"),
            };
            runtime.block_on(async move {
                let listener = match tokio::net::TcpListener::from_std(listener) {
                    Ok(l) => l,
                    Err(e) => return eprintln!("node {port}: {e}"),
                };
                if let Err(e) = crate::serve(listener, state).await {
                    eprintln!("node {port}: server error: {e}");
                }
            });
        }));
    }
    let bus_nodes = nodes.clone();
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(10));
        exchange(&bus_nodes);
    });
    for thread in threads {
        let _ = thread.join();
    }
    Ok(())
}
