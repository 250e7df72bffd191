//! A RESP2/RESP3 TCP server around the emulator, so redis-cli, client
//! libraries and redis-benchmark can talk to it, and so it can be compared
//! byte for byte with a real redis-server.
//!
//! One engine behind a mutex serves every connection: like Redis, commands
//! run one at a time. Each connection has an outbox; replies and messages
//! for it (pub/sub, unblocked BLPOP, MONITOR) are written in the order the
//! engine produced them.
//!
//! Persistence: with a data directory ([`new_state_in`]) the engine's disk
//! writes (`dump.rdb`, the AOF's `appendonlydir/`) are mirrored to real
//! files by [`disk::DiskHost`] before any reply that depends on them is
//! sent; without one (tests, benches) the files stay in the engine.

pub mod disk;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use redis_emulator::clock::{system_time_us, Clock};
use redis_emulator::resp::{encode, parse_request, Parsed};
use redis_emulator::{ClientId, Config, Engine, Event, Protocol, Reply};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Notify};

pub mod protected_mode;
pub mod replica;

struct Connection {
    outbox: mpsc::UnboundedSender<Vec<u8>>,
    wake: Arc<Notify>,
}

/// The engine and the connections' outboxes.
pub struct Shared {
    pub engine: Engine,
    connections: HashMap<ClientId, Connection>,
    /// The data directory's files, when the server has one.
    disk: Option<disk::DiskHost>,
}

impl Shared {
    /// Writes the engine's pending disk changes to the data directory (and
    /// fsyncs them per `appendfsync`). A failed write stops the server:
    /// it must never acknowledge a write it could not persist.
    pub fn flush_disk(&mut self) {
        let Some(host) = self.disk.as_mut() else { return };
        let writes = self.engine.take_disk_writes();
        let policy = redis_emulator::disk::FsyncPolicy::from_config(self.engine.config());
        if let Err(e) = host.apply(writes, policy) {
            eprintln!("# Can't write to the data directory {}: {e}. Exiting...", host.dir().display());
            std::process::exit(1);
        }
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

    /// Sends every pending event to the connection it is for.
    fn route_events(&mut self) {
        self.flush_disk();
        for event in self.engine.drain_events() {
            if let Event::Deliver { client, reply } = event {
                if let Some(conn) = self.connections.get(&client) {
                    let mut buf = Vec::new();
                    encode(&reply, self.engine.protocol_of(client), &mut buf);
                    let _ = conn.outbox.send(buf);
                    conn.wake.notify_one();
                }
            }
        }
        replica::route_replica_output(self);
    }
}

pub type SharedState = Arc<Mutex<Shared>>;

fn lock(state: &SharedState) -> MutexGuard<'_, Shared> {
    state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
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
    if engine.config().appendonly {
        // Nothing to load from an empty disk: this only creates the AOF.
        let _ = engine.boot_from_disk(Vec::new());
    }
    Arc::new(Mutex::new(Shared { engine, connections: HashMap::new(), disk: None }))
}

/// A new engine with `config` that persists to the directory `dir`: it
/// starts from the files there as redis-server does (the AOF when
/// `appendonly yes`, else the RDB file) and refuses to start, with the
/// reason, when one of them cannot be loaded. SHUTDOWN stops the process.
pub fn new_state_in(config: Config, dir: &std::path::Path) -> Result<(SharedState, String), String> {
    let host = disk::DiskHost::open(dir).map_err(|e| format!("cannot use the directory {}: {e}", dir.display()))?;
    let mut engine = Engine::new(Clock::real(system_time_us), system_time_us() as u64, config);
    engine.track_changes(false);
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
    let mut shared = Shared { engine, connections: HashMap::new(), disk: Some(host) };
    let policy = redis_emulator::disk::FsyncPolicy::from_config(shared.engine.config());
    if let Some(host) = shared.disk.as_mut() {
        host.apply(writes, policy).map_err(|e| format!("cannot write to {}: {e}", dir.display()))?;
    }
    Ok((Arc::new(Mutex::new(shared)), note))
}

/// SIGTERM / SIGINT: what SHUTDOWN does (a save when save points are
/// configured, the AOF synced), then the process exits. When the save
/// fails the server keeps running, as redis-server does.
pub fn shutdown_on_signal(state: &SharedState) {
    let mut shared = lock(state);
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
    let mut shared = lock(state);
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
/// blocking timeouts) in the background.
pub async fn serve(listener: TcpListener, state: SharedState) -> std::io::Result<()> {
    let port = listener.local_addr()?.port();
    lock(&state).engine.set_replication_port(port);
    tokio::spawn(replica::run_master_link(state.clone()));
    let cron_state = state.clone();
    tokio::spawn(async move {
        let mut ticks: u64 = 0;
        let mut interval = tokio::time::interval(Duration::from_millis(10));
        loop {
            interval.tick().await;
            ticks += 1;
            let mut shared = lock(&cron_state);
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
    loop {
        let (socket, peer) = listener.accept().await?;
        let state = state.clone();
        tokio::spawn(async move {
            let _ = handle_connection(socket, peer, state).await;
        });
    }
}

async fn handle_connection(socket: TcpStream, peer: SocketAddr, state: SharedState) -> std::io::Result<()> {
    socket.set_nodelay(true)?;
    if protected_mode::refuses(&lock(&state).engine, &peer) {
        let mut socket = socket;
        socket.write_all(protected_mode::DENIED.as_bytes()).await?;
        return socket.shutdown().await;
    }
    let local = socket.local_addr()?;
    let (mut reader, mut writer) = socket.into_split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let wake = Arc::new(Notify::new());
    let id = {
        let mut shared = lock(&state);
        let id = shared.engine.connect(peer.to_string());
        shared.engine.set_client_local_addr(id, local.to_string());
        shared.connections.insert(id, Connection { outbox: tx.clone(), wake: wake.clone() });
        id
    };
    let writer_task = tokio::spawn(async move {
        while let Some(bytes) = rx.recv().await {
            if bytes.is_empty() {
                break; // close request
            }
            if writer.write_all(&bytes).await.is_err() {
                break;
            }
        }
        let _ = writer.shutdown().await;
    });

    let mut buf: Vec<u8> = Vec::with_capacity(16 * 1024);
    let mut chunk = vec![0u8; 16 * 1024];
    let mut closing = false;
    'conn: while !closing {
        // Execute every complete request already buffered, under one lock.
        loop {
            let blocked = lock(&state).engine.client(id).is_some_and(|c| c.blocked.is_some());
            if blocked {
                // Wait for the reply, but notice a client that hangs up meanwhile
                // (Redis unblocks and frees it; it must not take the next push).
                tokio::select! {
                    _ = wake.notified() => continue,
                    read = reader.read(&mut chunk) => match read {
                        Ok(n) if n > 0 => {
                            buf.extend_from_slice(&chunk[..n]);
                            continue;
                        }
                        _ => break 'conn,
                    },
                }
            }
            let mut shared = lock(&state);
            let max_bulk = shared.engine.config().proto_max_bulk_len;
            let mut out = Vec::new();
            let mut consumed = 0;
            let mut now_blocked = false;
            if shared.engine.client(id).is_none() {
                // Killed (CLIENT KILL, its user deleted) since its last
                // command: closed without a reply, as Redis closes it.
                break 'conn;
            }
            loop {
                if let Some(error) = protected_mode::unauthenticated_limit(&shared.engine, id, &buf[consumed..]) {
                    encode(&Reply::error(error), shared.engine.protocol_of(id), &mut out);
                    closing = true;
                    break;
                }
                match parse_request(&buf[consumed..], max_bulk) {
                    Parsed::Incomplete => break,
                    Parsed::Error(msg) => {
                        encode(&Reply::error(msg), shared.engine.protocol_of(id), &mut out);
                        closing = true;
                        break;
                    }
                    Parsed::Command(argv, used) => {
                        consumed += used;
                        if argv.is_empty() {
                            continue;
                        }
                        let reply = shared.engine.execute(id, argv);
                        if shared.engine.take_shutdown_request() {
                            shared.shutdown();
                        }
                        if shared.engine.has_pending_events() {
                            // Messages the command produced (a RESP3 client's own
                            // subscriptions included) go out before its reply, as in Redis.
                            shared.flush_disk();
                            if !out.is_empty() {
                                let _ = tx.send(std::mem::take(&mut out));
                            }
                            shared.route_events();
                        }
                        // One client lookup per command: its protocol, and whether
                        // it asked to close (QUIT) or is gone (CLIENT KILL).
                        let client = shared.engine.client(id);
                        let protocol = client.map_or(Protocol::Resp2, |c| c.protocol);
                        let close = client.is_none_or(|c| c.close_after_reply);
                        encode(&reply, protocol, &mut out);
                        if close {
                            closing = true;
                            break;
                        }
                        if matches!(reply, Reply::Blocked) {
                            now_blocked = true;
                            break;
                        }
                    }
                }
            }
            buf.drain(..consumed);
            // What these commands wrote reaches the files (fsynced under
            // `appendfsync always`) before their replies are sent.
            shared.flush_disk();
            if !out.is_empty() {
                let _ = tx.send(out);
            }
            shared.route_events();
            drop(shared);
            if closing {
                break 'conn;
            }
            if !now_blocked {
                break;
            }
        }
        let n = reader.read(&mut chunk).await.unwrap_or(0);
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    {
        let mut shared = lock(&state);
        shared.connections.remove(&id);
        shared.engine.disconnect(id);
        shared.route_events();
    }
    let _ = tx.send(Vec::new());
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
