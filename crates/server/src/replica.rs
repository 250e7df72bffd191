//! Replication over TCP. The engine does the protocol
//! (`redis_emulator::replication`); this module only moves bytes:
//!
//! - as a **replica** (`--replicaof host port`, `REPLICAOF` at run time):
//!   [`run_master_link`] connects to the master the engine asks for, feeds
//!   what arrives to `Engine::feed_from_master` and sends
//!   `Engine::take_master_output` (the handshake, `REPLCONF ACK`);
//! - as a **master**: replicas are ordinary connections that sent PSYNC;
//!   [`route_replica_output`] sends each one the bytes the engine queued
//!   for it (the RDB file, then the stream) and closes the ones it drops.

use std::time::Duration;

use redis_emulator::replication::ReplicaIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::{connections, Shared, SharedState};

/// Sends what the engine queued for its replicas, on their connections.
pub(crate) fn route_replica_output(shared: &mut Shared) {
    for io in shared.engine.take_replica_output() {
        let (id, bytes) = match io {
            ReplicaIo::Send(id, bytes) => (id, bytes),
            // An empty message asks the connection's writer to close it.
            ReplicaIo::Close(id) => (id, Vec::new()),
        };
        if let Some(conn) = connections(&shared.connections).get(&id) {
            if bytes.is_empty() {
                conn.outbox.close();
            } else {
                conn.outbox.send(bytes);
                let limits = shared.engine.config().buffer_limits();
                crate::enforce_limits(&shared.engine, id, &conn.outbox, &limits);
            }
            conn.wake.notify_one();
        }
    }
}

/// The replica's side: whenever the engine wants a link to a master,
/// connect, then carry bytes both ways until the link ends (the socket
/// closes, or the engine moves on: REPLICAOF elsewhere or NO ONE).
pub async fn run_master_link(state: SharedState) {
    loop {
        let target = state.lock_when_free().await.engine.master_link_wanted();
        let Some(target) = target else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        state.lock_when_free().await.engine.master_link_connecting(target.epoch);
        let address = (target.host.as_str(), target.port);
        let stream = match tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(address)).await {
            Ok(Ok(stream)) => stream,
            _ => {
                eprintln!("# Error condition on socket for SYNC: Connection refused ({}:{})", target.host, target.port);
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        state.lock_when_free().await.engine.master_link_up(target.epoch);
        carry(&state, stream, target.epoch).await;
    }
}

/// Moves bytes between the master's socket and the engine for one link.
async fn carry(state: &SharedState, stream: TcpStream, epoch: u64) {
    let (mut reader, mut writer) = stream.into_split();
    let mut chunk = vec![0u8; 64 * 1024];
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    loop {
        let (out, alive, error) = {
            let mut shared = state.lock_when_free().await;
            let out = shared.engine.take_master_output(epoch);
            let alive = shared.engine.master_link_epoch() == Some(epoch);
            (out, alive, shared.engine.master_link_error())
        };
        if !alive {
            if let Some(why) = error {
                eprintln!("# {why}");
            }
            return;
        }
        if !out.is_empty() && writer.write_all(&out).await.is_err() {
            state.lock_when_free().await.engine.master_link_down(epoch);
            return;
        }
        tokio::select! {
            read = reader.read(&mut chunk) => match read {
                Ok(n) if n > 0 => {
                    let mut shared = state.lock_when_free().await;
                    shared.engine.feed_from_master(epoch, &chunk[..n]);
                    shared.route_events();
                }
                _ => {
                    eprintln!("# Connection with master lost.");
                    state.lock_when_free().await.engine.master_link_down(epoch);
                    return;
                }
            },
            _ = tick.tick() => {}
        }
    }
}

/// At start: `--replicaof` applied as `REPLICAOF host port`.
pub fn start_as_replica(state: &SharedState, replicaof: Option<(String, String)>) -> Result<(), String> {
    let mut shared = state.lock();
    let Some((host, master_port)) = replicaof else { return Ok(()) };
    let me = shared.engine.connect("startup:replicaof");
    let argv = vec![b"REPLICAOF".to_vec(), host.clone().into_bytes(), master_port.clone().into_bytes()];
    let reply = shared.engine.execute(me, argv);
    shared.engine.disconnect(me);
    match reply.error_text() {
        Some(error) => Err(format!("--replicaof {host} {master_port}: {error}")),
        None => Ok(()),
    }
}
