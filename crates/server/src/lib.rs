//! A RESP2/RESP3 TCP server around the emulator, so redis-cli, client
//! libraries and redis-benchmark can talk to it, and so it can be compared
//! byte for byte with a real redis-server.
//!
//! One engine behind a mutex serves every connection: like Redis, commands
//! run one at a time. Each connection has an outbox; replies and messages
//! for it (pub/sub, unblocked BLPOP, MONITOR) are written in the order the
//! engine produced them. Scripts run on a blocking thread so that, past
//! `busy-reply-threshold`, the others are answered as Redis answers them
//! during a busy script ([`busy`]).
//!
//! Persistence: with a data directory ([`new_state_in`]) the engine's disk
//! writes (`dump.rdb`, the AOF's `appendonlydir/`) are mirrored to real
//! files by [`disk::DiskHost`] before any reply that depends on them is
//! sent; without one (tests, benches) the files stay in the engine.

pub mod busy;
pub mod cluster;
pub mod disk;
pub mod outbox;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use redis_emulator::clock::{system_time_us, Clock};
use redis_emulator::config::BufferLimit;
use redis_emulator::resp::{encode, parse_request, Parsed};
use redis_emulator::{ClientId, Config, Engine, Event, Protocol, Reply};

use outbox::Outbox;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, Notify};

pub mod protected_mode;
pub mod replica;

struct Connection {
    outbox: Outbox,
    wake: Arc<Notify>,
}

/// The connections' outboxes, by client (reachable while a script holds
/// the engine).
type Connections = Mutex<HashMap<ClientId, Connection>>;

fn connections(c: &Connections) -> MutexGuard<'_, HashMap<ClientId, Connection>> {
    c.lock().unwrap_or_else(|p| p.into_inner())
}

/// The engine and what its replies and files go to.
pub struct Shared {
    pub engine: Engine,
    connections: Arc<Connections>,
    /// The data directory's files, when the server has one.
    disk: Option<disk::DiskHost>,
}

/// Writes the engine's pending disk changes to the data directory (and
/// fsyncs them per `appendfsync`). A failed write stops the server: it
/// must never acknowledge a write it could not persist.
fn flush_disk(engine: &mut Engine, disk: &mut Option<disk::DiskHost>) {
    let Some(host) = disk.as_mut() else { return };
    let writes = engine.take_disk_writes();
    let policy = redis_emulator::disk::FsyncPolicy::from_config(engine.config());
    if let Err(e) = host.apply(writes, policy) {
        eprintln!("# Can't write to the data directory {}: {e}. Exiting...", host.dir().display());
        std::process::exit(1);
    }
}

/// Sends every pending event to the connection it is for (after the files
/// they depend on are written).
fn route_events(engine: &mut Engine, disk: &mut Option<disk::DiskHost>, conns: &Connections) {
    flush_disk(engine, disk);
    let events = engine.drain_events();
    if events.is_empty() {
        return;
    }
    let conns = connections(conns);
    let limits = engine.config().buffer_limits();
    for event in events {
        if let Event::Deliver { client, reply } = event {
            if let Some(conn) = conns.get(&client) {
                let mut buf = Vec::new();
                encode(&reply, engine.protocol_of(client), &mut buf);
                conn.outbox.send(buf);
                enforce_limits(engine, client, &conn.outbox, &limits);
                conn.wake.notify_one();
            }
        }
    }
}

/// Disconnects a client whose unread output is over its class's
/// `client-output-buffer-limit` (normal, replica, pub/sub).
pub(crate) fn enforce_limits(engine: &Engine, id: ClientId, outbox: &Outbox, limits: &[BufferLimit; 3]) {
    let class = engine.output_class(id);
    if outbox.enforce(limits[class]) {
        let addr = engine.client(id).map(|c| c.addr.clone()).unwrap_or_default();
        eprintln!(
            "# Client id={id} addr={addr} closed for overcoming of output buffer limits ({} bytes queued).",
            outbox.pending()
        );
    }
}

impl Shared {
    pub fn flush_disk(&mut self) {
        flush_disk(&mut self.engine, &mut self.disk);
    }

    /// SHUTDOWN succeeded: the files are written out and synced, then the
    /// process stops (no reply, as Redis closes the connection).
    fn shutdown(&mut self) -> ! {
        self.flush_disk();
        if let Some(host) = self.disk.as_mut() {
            if let Err(e) = host.sync_all() {
                eprintln!("# Error syncing the data directory at shutdown: {e}");
                std::process::exit(1);
            }
        }
        eprintln!("# Redis is now ready to exit, bye bye...");
        std::process::exit(0);
    }

    fn route_events(&mut self) {
        route_events(&mut self.engine, &mut self.disk, &self.connections);
        replica::route_replica_output(self);
    }
}

/// The server: the engine behind a mutex (commands run one at a time, as
/// in Redis), the connections' outboxes and the busy-script gate.
pub struct Server {
    shared: Mutex<Shared>,
    connections: Arc<Connections>,
    gate: Arc<busy::Gate>,
}

pub type SharedState = Arc<Server>;

/// What a connection gets when it asks for the engine.
enum Access<'a> {
    Engine(MutexGuard<'a, Shared>),
    /// A script is busy: requests go to it through the gate.
    Busy,
}

/// The process's CPU time (getrusage), for INFO cpu.
fn process_cpu() -> redis_emulator::CpuTimes {
    // SAFETY: getrusage only writes the struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &mut usage) != 0 {
            return Default::default();
        }
        usage
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    redis_emulator::CpuTimes { user_s: seconds(usage.ru_utime), sys_s: seconds(usage.ru_stime) }
}

impl Server {
    fn new(mut engine: Engine, disk: Option<disk::DiskHost>) -> SharedState {
        engine.set_cpu_clock(process_cpu);
        let gate = Arc::new(busy::Gate::default());
        engine.set_busy_host(Box::new(busy::GateHost(gate.clone())));
        let connections = Arc::new(Connections::default());
        let shared = Shared { engine, connections: connections.clone(), disk };
        Arc::new(Server { shared: Mutex::new(shared), connections, gate })
    }

    /// The engine, waiting for it (blocking the thread) if it is held.
    pub fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The engine, or word that a script is busy. While a script runs on
    /// its thread this waits without blocking the runtime; otherwise the
    /// engine is only ever held for one batch of commands.
    async fn access(&self) -> Access<'_> {
        match self.wait_for_engine(true).await {
            Some(engine) => Access::Engine(engine),
            None => Access::Busy,
        }
    }

    /// The engine once no script holds it, waiting without blocking the
    /// runtime (for tasks that have no business with a busy script, such as
    /// the link to our master).
    pub(crate) async fn lock_when_free(&self) -> MutexGuard<'_, Shared> {
        loop {
            if let Some(engine) = self.wait_for_engine(false).await {
                return engine;
            }
        }
    }

    /// Waits until no script holds the engine and locks it; with
    /// `answer_busy`, returns `None` instead as soon as a running script
    /// turns busy. A script handed to its thread has the engine next (the
    /// others wait their turn, as they would in Redis).
    async fn wait_for_engine(&self, answer_busy: bool) -> Option<MutexGuard<'_, Shared>> {
        loop {
            // Listen before looking, so a change in between is not missed.
            let changed = self.gate.changed();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if !self.gate.script_running() {
                return Some(self.lock());
            }
            if answer_busy && self.gate.is_busy() {
                return None;
            }
            changed.await;
        }
    }

    /// Runs `job` on the busy script's engine and returns what it produced,
    /// or `None` when no script is busy any more (do it the normal way).
    async fn while_busy<T: Send + 'static>(&self, job: impl FnOnce(&mut Engine) -> T + Send + 'static) -> Option<T> {
        let (done, result) = oneshot::channel();
        let job: busy::Job = Box::new(move |engine| {
            let _ = done.send(job(engine));
        });
        self.gate.submit(job).ok()?;
        result.await.ok()
    }
}

/// A new engine on the real clock, with Redis's default configuration,
/// keeping its files in memory only.
pub fn new_state() -> SharedState {
    new_state_with(Config::default())
}

/// A new engine on the real clock with `config`, keeping its files in
/// memory only (with `appendonly yes` the AOF starts there, empty).
pub fn new_state_with(config: Config) -> SharedState {
    let mut engine = Engine::new(Clock::real(system_time_us), system_time_us() as u64, config);
    engine.track_changes(false);
    engine.set_cluster_host(Box::new(cluster::TcpHost));
    if engine.config().appendonly {
        // Nothing to load from an empty disk: this only creates the AOF.
        let _ = engine.boot_from_disk(Vec::new());
    }
    Server::new(engine, None)
}

/// Serves an engine made by the caller (a cluster node), its files in memory.
pub fn new_state_from(engine: Engine) -> SharedState {
    Server::new(engine, None)
}

/// A new engine with `config` that persists to the directory `dir`: it
/// starts from the files there as redis-server does (the AOF when
/// `appendonly yes`, else the RDB file) and refuses to start, with the
/// reason, when one of them cannot be loaded. SHUTDOWN stops the process.
pub fn new_state_in(config: Config, dir: &std::path::Path) -> Result<(SharedState, String), String> {
    let mut host = disk::DiskHost::open(dir).map_err(|e| format!("cannot use the directory {}: {e}", dir.display()))?;
    let mut engine = Engine::new(Clock::real(system_time_us), system_time_us() as u64, config);
    engine.track_changes(false);
    engine.set_cluster_host(Box::new(cluster::TcpHost));
    engine.allow_shutdown(true);
    let found = host
        .read_files(engine.config())
        .map_err(|e| format!("cannot read the data directory {}: {e}", dir.display()))?;
    let report =
        engine.boot_from_disk(found.clone()).map_err(|e| format!("Bad data on disk, refusing to start: {e}"))?;
    let mut note = match &report.source {
        Some(source) => format!("DB loaded from {source}: {} keys", report.keys),
        None => "no data files to load".to_string(),
    };
    if let Some((file, len)) = &report.truncated {
        note.push_str(&format!(" (AOF {file} was truncated: loaded up to offset {len}, the rest was dropped)"));
    }
    // What the start changed (a new AOF, a truncated tail) goes to disk
    // before serving; the start ran before recording began.
    let writes: Vec<redis_emulator::disk::DiskWrite> = engine
        .disk_files()
        .into_iter()
        .filter(|file| !found.contains(file))
        .map(|(path, data)| redis_emulator::disk::DiskWrite::Replace { path, data })
        .collect();
    engine.record_disk_writes(true);
    let policy = redis_emulator::disk::FsyncPolicy::from_config(engine.config());
    host.apply(writes, policy).map_err(|e| format!("cannot write to {}: {e}", dir.display()))?;
    Ok((Server::new(engine, Some(host)), note))
}

/// SIGTERM / SIGINT: what SHUTDOWN does (a save when save points are
/// configured, the AOF synced), then the process exits. When the save
/// fails the server keeps running, as redis-server does. While a script
/// runs the process exits without saving, as Redis does with a busy
/// script (what was acknowledged is already in the files).
pub fn shutdown_on_signal(state: &SharedState) {
    if state.gate.script_running() {
        eprintln!("# A script is running: exiting without saving.");
        std::process::exit(0);
    }
    let mut shared = state.lock();
    let id = shared.engine.connect("signal");
    let reply = shared.engine.execute(id, vec![b"SHUTDOWN".to_vec()]);
    if shared.engine.take_shutdown_request() {
        shared.shutdown();
    }
    shared.engine.disconnect(id);
    eprintln!("# Errors trying to shut down the server: {reply:?}");
}

/// Applies `CONFIG SET name value` for each setting (command-line options).
pub fn configure(state: &SharedState, settings: &[(String, String)]) -> Result<(), String> {
    if settings.is_empty() {
        return Ok(());
    }
    let mut shared = state.lock();
    let me = shared.engine.connect("startup:0");
    for (name, value) in settings {
        let argv = vec![b"CONFIG".to_vec(), b"SET".to_vec(), name.clone().into_bytes(), value.clone().into_bytes()];
        let reply = shared.engine.execute(me, argv);
        if let Some(error) = reply.error_text() {
            return Err(format!("--{name} {value}: {error}"));
        }
    }
    shared.engine.disconnect(me);
    Ok(())
}

/// Accepts connections forever, and runs the periodic work (active expiry,
/// blocking timeouts) in the background. CONFIG SET port moves the
/// listener (Redis's way: the old port is closed once the new one listens).
pub async fn serve(listener: TcpListener, state: SharedState) -> std::io::Result<()> {
    let (moved_tx, mut moved) = mpsc::unbounded_channel::<()>();
    let local = listener.local_addr()?;
    let listening: Listening = Arc::new(Mutex::new(vec![(local, Arc::new(listener))]));
    {
        let mut shared = state.lock();
        let config = shared.engine.config_mut();
        if let Some(param) = redis_emulator::config::find_param(b"port") {
            config.set_param(param, redis_emulator::config::ParamValue::Int(local.port() as i64));
        }
        if let Some(param) = redis_emulator::config::find_param(b"bind") {
            config.set_param(param, redis_emulator::config::ParamValue::Text(local.ip().to_string()));
        }
        let sockets = listening.clone();
        shared.engine.set_port_binder(Box::new(move |addresses, port| {
            let mut current = sockets.lock().unwrap_or_else(|p| p.into_inner());
            *current = listen_on(&current, addresses, port)?;
            moved_tx.send(()).map_err(|e| e.to_string())
        }));
    }
    state.lock().engine.set_replication_port(local.port());
    tokio::spawn(replica::run_master_link(state.clone()));
    let cron_state = state.clone();
    tokio::spawn(async move {
        let mut ticks: u64 = 0;
        let mut interval = tokio::time::interval(Duration::from_millis(10));
        loop {
            interval.tick().await;
            ticks += 1;
            if cron_state.gate.script_running() {
                continue; // Redis's cron waits for the script too
            }
            let mut shared = cron_state.lock();
            let hz = shared.engine.config().hz.clamp(1, 500) as u64;
            if ticks.is_multiple_of((100 / hz).max(1)) {
                // Active expiry, save points, automatic AOF rewrites (Redis's serverCron).
                shared.engine.tick();
            }
            shared.engine.expire_blocked_clients();
            shared.route_events();
            if ticks.is_multiple_of(100) {
                // appendfsync everysec: the files written in the last second
                // are fsynced off the command path.
                if let Some(files) = shared.disk.as_mut().map(disk::DiskHost::take_unsynced) {
                    drop(shared);
                    if !files.is_empty() {
                        tokio::task::spawn_blocking(move || disk::sync_files(files));
                    }
                }
            }
        }
    });
    // One task accepts on each listening socket; CONFIG SET bind/port
    // replaces them all.
    let (accepted_tx, mut accepted) = mpsc::unbounded_channel::<(TcpStream, SocketAddr)>();
    let accept_all = |listening: &Listening| {
        let current = listening.lock().unwrap_or_else(|p| p.into_inner());
        current.iter().map(|(_, l)| accept_on(l.clone(), accepted_tx.clone())).collect::<Vec<_>>()
    };
    let mut acceptors = accept_all(&listening);
    loop {
        tokio::select! {
            Some((socket, peer)) = accepted.recv() => {
                let state = state.clone();
                tokio::spawn(async move {
                    let _ = handle_connection(socket, peer, state).await;
                });
            }
            Some(()) = moved.recv() => {
                for old in acceptors.drain(..) {
                    old.abort();
                }
                acceptors = accept_all(&listening);
            }
        }
    }
}

/// Accepts connections on `listener` and hands them over, until aborted.
fn accept_on(
    listener: Arc<TcpListener>,
    to: mpsc::UnboundedSender<(TcpStream, SocketAddr)>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match listener.accept().await {
                Ok(pair) => {
                    if to.send(pair).is_err() {
                        return;
                    }
                }
                Err(e) => {
                    eprintln!("# Accepting client connection: {e}");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        }
    })
}

/// The sockets the server listens on, by address.
type Listening = Arc<Mutex<Vec<(SocketAddr, Arc<TcpListener>)>>>;

/// Listens on every address of a `bind` list (`*` any IPv4 address, `::*`
/// any IPv6 one; a leading `-` marks one that may be unavailable) on
/// `port`, keeping the sockets of `current` that are asked for again.
fn listen_on(
    current: &[(SocketAddr, Arc<TcpListener>)],
    addresses: &str,
    port: u16,
) -> Result<Vec<(SocketAddr, Arc<TcpListener>)>, String> {
    if port == 0 {
        return Err("port 0 (no TCP listener) is not supported".into());
    }
    let mut listeners = Vec::new();
    for address in addresses.split_whitespace() {
        let (optional, address) = match address.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, address),
        };
        let ip = match address {
            "*" => "0.0.0.0",
            "::*" => "::",
            other => other,
        };
        let Ok(ip) = ip.parse::<std::net::IpAddr>() else {
            if optional {
                continue;
            }
            return Err(format!("{address}: not an IP address"));
        };
        let wanted = SocketAddr::new(ip, port);
        if let Some((_, kept)) = current.iter().find(|(a, _)| *a == wanted) {
            listeners.push((wanted, kept.clone()));
            continue;
        }
        let bound = std::net::TcpListener::bind(wanted)
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .and_then(TcpListener::from_std);
        match bound {
            Ok(listener) => listeners.push((wanted, Arc::new(listener))),
            Err(_) if optional => {}
            Err(e) => return Err(format!("{wanted}: {e}")),
        }
    }
    if listeners.is_empty() {
        return Err("no address to listen on".into());
    }
    Ok(listeners)
}

/// Where running a connection's buffered requests stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// Every complete request ran; wait for more input.
    Incomplete,
    /// Close the connection (after sending what was produced).
    Close,
    /// The last command blocked the client: wait for its reply.
    Blocked,
    /// The next request may run a script: run it on a blocking thread.
    Script,
}

/// What running a connection's buffered requests produced.
struct Batch {
    out: Vec<u8>,
    consumed: usize,
    stop: Stop,
    shutdown: bool,
}

/// Commands that run a script, which must not hold the runtime's thread.
fn runs_script(name: &[u8]) -> bool {
    redis_emulator::commands::find(name).is_some_and(|spec| spec.has(redis_emulator::command::flags::RUNS_SCRIPT))
}

/// True if `argv` may run a script: a script command, or an EXEC whose
/// transaction holds one.
fn may_run_script(engine: &Engine, id: ClientId, argv: &[Vec<u8>]) -> bool {
    if runs_script(&argv[0]) {
        return true;
    }
    argv[0].eq_ignore_ascii_case(b"exec")
        && engine
            .client(id)
            .and_then(|c| c.multi.as_ref())
            .is_some_and(|m| m.queue.iter().any(|q| q.argv.first().is_some_and(|name| runs_script(name))))
}

/// Runs the complete requests at the start of `buf` for client `id`: at
/// most `max` of them, stopping before one that may run a script unless
/// `scripts` is set. `on_events` is called after a command that left
/// messages for clients, with the replies produced before it (they go out
/// first, as in Redis).
fn run_requests(
    engine: &mut Engine,
    id: ClientId,
    buf: &[u8],
    scripts: bool,
    max: usize,
    on_events: &mut dyn FnMut(&mut Engine, &mut Vec<u8>),
) -> Batch {
    let max_bulk = engine.config().proto_max_bulk_len;
    let mut batch = Batch { out: Vec::new(), consumed: 0, stop: Stop::Incomplete, shutdown: false };
    if engine.client(id).is_none() {
        // Killed (CLIENT KILL, its user deleted) since its last command:
        // closed without a reply, as Redis closes it.
        batch.stop = Stop::Close;
        return batch;
    }
    engine.set_client_query_buffer(id, buf.len());
    let mut ran = 0;
    while ran < max {
        let rest = &buf[batch.consumed..];
        if let Some(error) = protected_mode::unauthenticated_limit(engine, id, rest) {
            encode(&Reply::error(error), engine.protocol_of(id), &mut batch.out);
            batch.stop = Stop::Close;
            break;
        }
        let (argv, used) = match parse_request(rest, max_bulk) {
            Parsed::Incomplete => break,
            Parsed::Error(msg) => {
                encode(&Reply::error(msg), engine.protocol_of(id), &mut batch.out);
                batch.stop = Stop::Close;
                break;
            }
            Parsed::Command(argv, used) => (argv, used),
        };
        if argv.is_empty() {
            batch.consumed += used;
            continue;
        }
        if !scripts && may_run_script(engine, id, &argv) {
            batch.stop = Stop::Script;
            break;
        }
        batch.consumed += used;
        ran += 1;
        let reply = engine.execute(id, argv);
        if engine.take_shutdown_request() {
            batch.shutdown = true;
            break;
        }
        if engine.has_pending_events() {
            on_events(engine, &mut batch.out);
        }
        // One client lookup per command: its protocol, and whether it asked
        // to close (QUIT) or is gone (CLIENT KILL).
        let client = engine.client(id);
        let protocol = client.map_or(Protocol::Resp2, |c| c.protocol);
        let close = client.is_none_or(|c| c.close_after_reply);
        encode(&reply, protocol, &mut batch.out);
        if close {
            batch.stop = Stop::Close;
            break;
        }
        if matches!(reply, Reply::Blocked) {
            batch.stop = Stop::Blocked;
            break;
        }
    }
    engine.set_client_query_buffer(id, buf.len() - batch.consumed);
    batch
}

/// Runs buffered requests of `id` on the engine with the normal
/// bookkeeping: files written before replies, replies sent, messages for
/// other clients routed. Drains what ran from `buf`.
fn serve_requests(shared: &mut Shared, id: ClientId, buf: &mut Vec<u8>, tx: &Outbox, scripts: bool) -> Stop {
    let max = if scripts { 1 } else { usize::MAX };
    let Shared { engine, connections, disk } = shared;
    let mut on_events = |engine: &mut Engine, out: &mut Vec<u8>| {
        flush_disk(engine, disk);
        if !out.is_empty() {
            tx.send(std::mem::take(out));
        }
        route_events(engine, disk, connections);
    };
    let batch = run_requests(engine, id, buf, scripts, max, &mut on_events);
    if batch.shutdown {
        shared.shutdown();
    }
    buf.drain(..batch.consumed);
    // What these commands wrote reaches the files (fsynced under
    // `appendfsync always`) before their replies are sent.
    shared.flush_disk();
    tx.send(batch.out);
    let limits = shared.engine.config().buffer_limits();
    enforce_limits(&shared.engine, id, tx, &limits);
    shared.route_events();
    if tx.is_killed() {
        return Stop::Close;
    }
    batch.stop
}

/// The same requests answered by a busy script's engine: `-BUSY` but for
/// what Redis lets through. `None` when the script ended meanwhile.
async fn serve_requests_busy(state: &Server, id: ClientId, buf: &mut Vec<u8>, tx: &Outbox) -> Option<Stop> {
    let input = buf.clone();
    let batch = state
        .while_busy(move |engine| {
            if engine.client(id).is_some_and(|c| c.blocked.is_some()) {
                return Batch { out: Vec::new(), consumed: 0, stop: Stop::Blocked, shutdown: false };
            }
            // Here EXEC, EVAL and FCALL are refused (-BUSY): no need to stop before them.
            let batch = run_requests(engine, id, &input, true, usize::MAX, &mut |_, _| {});
            if batch.shutdown {
                // SHUTDOWN NOSAVE: what was acknowledged is in the files.
                eprintln!("# Redis is now ready to exit, bye bye...");
                std::process::exit(0);
            }
            batch
        })
        .await?;
    buf.drain(..batch.consumed);
    tx.send(batch.out);
    Some(batch.stop)
}

/// Runs the script command at the start of `buf` on a blocking thread, so
/// the runtime goes on serving the others (who get `-BUSY` once it passes
/// `busy-reply-threshold`).
async fn serve_script(state: &SharedState, id: ClientId, buf: Vec<u8>, tx: &Outbox) -> (Vec<u8>, Stop) {
    state.gate.script_started();
    let (server, tx) = (state.clone(), tx.clone());
    let ran = tokio::task::spawn_blocking(move || {
        let mut buf = buf;
        let stop = serve_requests(&mut server.lock(), id, &mut buf, &tx, true);
        server.gate.script_ended();
        (buf, stop)
    })
    .await;
    ran.unwrap_or_else(|_| (Vec::new(), Stop::Close))
}

async fn handle_connection(socket: TcpStream, peer: SocketAddr, state: SharedState) -> std::io::Result<()> {
    socket.set_nodelay(true)?;
    let local = socket.local_addr()?;
    let (tx, mut rx) = outbox::channel();
    let wake = Arc::new(Notify::new());
    let connect = move |engine: &mut Engine| {
        if protected_mode::refuses(engine, &peer) {
            return None;
        }
        let id = engine.connect(peer.to_string());
        engine.set_client_local_addr(id, local.to_string());
        Some(id)
    };
    let id = loop {
        // (A guard must not live across an await: decide, then wait.)
        let connected = match state.access().await {
            Access::Engine(mut shared) => Some(connect(&mut shared.engine)),
            Access::Busy => None,
        };
        if let Some(id) = connected {
            break id;
        }
        if let Some(id) = state.while_busy(connect).await {
            break id;
        }
    };
    let Some(id) = id else {
        let mut socket = socket;
        socket.write_all(protected_mode::DENIED.as_bytes()).await?;
        return socket.shutdown().await;
    };
    connections(&state.connections).insert(id, Connection { outbox: tx.clone(), wake: wake.clone() });
    let (mut reader, mut writer) = socket.into_split();
    let writer_task = tokio::spawn(async move {
        // Until a close request, the client killed, or a write error.
        while let Some(bytes) = rx.next().await {
            if writer.write_all(&bytes).await.is_err() {
                break;
            }
            rx.written(bytes.len());
        }
        let _ = writer.shutdown().await;
    });

    let mut buf: Vec<u8> = Vec::with_capacity(16 * 1024);
    let mut chunk = vec![0u8; 16 * 1024];
    'conn: loop {
        // Execute every complete request already buffered.
        loop {
            let served = match state.access().await {
                Access::Engine(mut shared) => {
                    if shared.engine.client(id).is_some_and(|c| c.blocked.is_some()) {
                        Some(Stop::Blocked)
                    } else {
                        Some(serve_requests(&mut shared, id, &mut buf, &tx, false))
                    }
                }
                Access::Busy => None,
            };
            let stop = match served {
                Some(stop) => stop,
                None => match serve_requests_busy(&state, id, &mut buf, &tx).await {
                    Some(stop) => stop,
                    None => continue, // the script ended first
                },
            };
            match stop {
                Stop::Incomplete => break,
                Stop::Close => break 'conn,
                Stop::Script => {
                    let (rest, stop) = serve_script(&state, id, std::mem::take(&mut buf), &tx).await;
                    buf = rest;
                    if stop == Stop::Close {
                        break 'conn;
                    }
                }
                Stop::Blocked => {
                    // Wait for the reply, but notice a client that hangs up
                    // meanwhile (Redis unblocks and frees it; it must not take
                    // the next push).
                    tokio::select! {
                        _ = wake.notified() => {}
                        _ = tx.killed() => break 'conn,
                        read = reader.read(&mut chunk) => match read {
                            Ok(n) if n > 0 => buf.extend_from_slice(&chunk[..n]),
                            _ => break 'conn,
                        },
                    }
                }
            }
        }
        let n = tokio::select! {
            read = reader.read(&mut chunk) => read.unwrap_or(0),
            _ = tx.killed() => 0,
        };
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    connections(&state.connections).remove(&id);
    loop {
        let done = match state.access().await {
            Access::Engine(mut shared) => {
                shared.engine.disconnect(id);
                shared.route_events();
                true
            }
            Access::Busy => false,
        };
        if done || state.while_busy(move |engine| engine.disconnect(id)).await.is_some() {
            break;
        }
    }
    tx.close();
    let _ = writer_task.await;
    Ok(())
}

/// Binds `addr` and serves on a fresh engine (used by tests and benches).
pub async fn bind_and_serve(addr: &str) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<std::io::Result<()>>)> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let handle = tokio::spawn(serve(listener, new_state()));
    Ok((local, handle))
}
