//! `redis-emulator-server [--port 6380] [--bind 127.0.0.1] [--dir D] [--cluster N [--replicas R]] [--<config> <value>]...`
//!
//! `--cluster N` serves a Redis Cluster of N masters from this one process,
//! on ports PORT..PORT+N-1, slots split as `redis-cli --cluster create`
//! splits them; `--replicas R` adds R replicas per master on the ports
//! after them, laid out as `redis-cli --cluster create --cluster-replicas R`
//! plans them.
//!
//! Without `--dir` the server keeps its files (dump.rdb, the AOF) in memory
//! only. With `--dir D` it loads from D at start (the AOF when
//! `--appendonly yes`, else the RDB file) and writes there, as
//! `redis-server --dir D` does. Any configuration parameter can be given
//! as `--name value`, like redis-server's command line: `--appendonly yes`,
//! `--appendfsync always|everysec|no`, `--save "3600 1 300 100"`,
//! `--dbfilename`, `--appenddirname`, `--appendfilename`, `--aof-load-truncated`.
//!
//! Safe by default: it listens on 127.0.0.1 only, and when bound to another
//! address, protected mode (on unless `--protected-mode no`) refuses clients
//! from other hosts while the default user has no password
//! (`--requirepass PASSWORD` sets one).
//!
//! `--replicaof host port` (or `host:port`) starts it as a replica of
//! another server (ours or redis-server), as `REPLICAOF` does at run time.

use redis_emulator::config::find_param;
use redis_emulator::Config;
use redis_emulator_server::{configure, new_state_in, new_state_with, serve, shutdown_on_signal};

fn usage() -> ! {
    eprintln!(
        "usage: redis-emulator-server [--port PORT] [--bind ADDRESS] [--dir DIRECTORY] [--protected-mode yes|no]\n\
         [--requirepass PASSWORD] [--cluster N [--replicas R]] [--replicaof HOST PORT] [--<config-name> <value>]...\n\
         --cluster N serves a Redis Cluster of N masters on ports PORT..PORT+N-1,\n\
         --replicas R with R replicas per master on the ports after them\n\
         e.g. --dir /var/lib/redis-lab --appendonly yes --appendfsync always --save \"60 1000\""
    );
    std::process::exit(2);
}

fn main() {
    let mut port: u16 = 6380;
    let mut bind = String::from("127.0.0.1");
    let mut dir: Option<std::path::PathBuf> = None;
    let mut config = Config::default();
    // Settings with effects beyond the config table (the default user's
    // password, protected mode), applied as CONFIG SET before serving.
    let mut settings: Vec<(String, String)> = Vec::new();
    let mut cluster_masters: Option<usize> = None;
    let mut cluster_replicas: Option<usize> = None;
    let mut replicaof: Option<(String, String)> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" | "-p" => port = args.next().and_then(|p| p.parse().ok()).unwrap_or_else(|| usage()),
            "--bind" | "-b" => bind = args.next().unwrap_or_else(|| usage()),
            "--dir" => dir = Some(args.next().unwrap_or_else(|| usage()).into()),
            "--protected-mode" | "--requirepass" => {
                let value = args.next().unwrap_or_else(|| usage());
                settings.push((a.trim_start_matches('-').to_string(), value));
            }
            "--cluster" => cluster_masters = Some(args.next().and_then(|n| n.parse().ok()).unwrap_or_else(|| usage())),
            "--replicas" | "--cluster-replicas" => {
                cluster_replicas = Some(args.next().and_then(|n| n.parse().ok()).unwrap_or_else(|| usage()))
            }
            "--replicaof" | "--slaveof" => {
                // `--replicaof host port` as redis-server takes it, or `host:port`.
                let first = args.next().unwrap_or_else(|| usage());
                let (host, port) = match first.rsplit_once(':') {
                    Some((h, p)) if !h.is_empty() => (h.to_string(), p.to_string()),
                    _ => (first, args.next().unwrap_or_else(|| usage())),
                };
                replicaof = Some((host, port));
            }
            "--help" | "-h" => usage(),
            flag if flag.starts_with("--") => {
                let name = &flag[2..];
                let value = args.next().unwrap_or_else(|| usage());
                let Some(param) = find_param(name.as_bytes()) else {
                    eprintln!("Bad directive or wrong number of arguments: '{name}'");
                    std::process::exit(2);
                };
                match param.parse(value.as_bytes()) {
                    Ok(v) => config.set_param(param, v),
                    Err(why) => {
                        eprintln!("Bad value for '{name}': {why}");
                        std::process::exit(2);
                    }
                }
            }
            _ => usage(),
        }
    }
    if cluster_replicas.is_some() && cluster_masters.is_none() {
        eprintln!("--replicas R needs --cluster N");
        std::process::exit(2);
    }
    if let Some(masters) = cluster_masters {
        let replicas = cluster_replicas.unwrap_or(0);
        if masters == 0 || dir.is_some() {
            eprintln!("--cluster N needs N >= 1, and does not take --dir yet (its nodes keep their files in memory)");
            std::process::exit(2);
        }
        let ip = if bind == "0.0.0.0" || bind == "::" { "127.0.0.1".to_string() } else { bind.clone() };
        let nodes = redis_emulator_server::cluster::new_cluster_with_replicas(masters, replicas, &ip, port, &config);
        let nodes = nodes.unwrap_or_else(|e| {
            eprintln!("{e}");
            std::process::exit(2);
        });
        for (_, state) in &nodes {
            if let Err(e) = configure(state, &settings) {
                eprintln!("{e}");
                std::process::exit(2);
            }
        }
        println!(
            "redis-emulator-server: a cluster of {masters} masters and {} replicas on {bind}:{port}..{}",
            masters * replicas,
            port as usize + masters * (replicas + 1) - 1
        );
        if let Err(e) = redis_emulator_server::cluster::serve_cluster(&bind, nodes) {
            eprintln!("{e}");
            std::process::exit(1);
        }
        return;
    }
    let state = match &dir {
        None => {
            if config.appendonly {
                eprintln!("note: no --dir given, the AOF and dump.rdb are kept in memory only");
            }
            let state = new_state_with(config);
            state.lock().engine.allow_shutdown(true);
            state
        }
        Some(dir) => {
            let absolute = std::fs::create_dir_all(dir).and_then(|_| std::fs::canonicalize(dir)).unwrap_or_else(|e| {
                eprintln!("Can't chdir to '{}': {e}", dir.display());
                std::process::exit(1);
            });
            config.extra.insert("dir", absolute.display().to_string());
            match new_state_in(config, &absolute) {
                Ok((state, note)) => {
                    println!("{note}");
                    state
                }
                Err(e) => {
                    eprintln!("{e}");
                    std::process::exit(1);
                }
            }
        }
    };
    if let Err(e) = configure(&state, &settings) {
        eprintln!("{e}");
        std::process::exit(2);
    }
    {
        // `--cluster-enabled yes` alone: one node, serving no slot yet, announcing this port.
        let mut shared = state.lock();
        if shared.engine.cluster_state().is_some() {
            let ip = if bind == "0.0.0.0" || bind == "::" { "127.0.0.1" } else { bind.as_str() };
            shared.engine.enable_cluster(ip, port);
        }
    }
    if let Err(e) = redis_emulator_server::replica::start_as_replica(&state, replicaof) {
        eprintln!("{e}");
        std::process::exit(2);
    }
    // One thread, as Redis: commands run one at a time anyway (one engine),
    // so more threads would only add lock contention and cross-thread wake-ups.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind((bind.as_str(), port)).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("cannot listen on {bind}:{port}: {e}");
                std::process::exit(1);
            }
        };
        println!("redis-emulator-server ready on {bind}:{port}");
        let signalled = state.clone();
        tokio::spawn(async move {
            use tokio::signal::unix::{signal, SignalKind};
            let (Ok(mut term), Ok(mut int)) = (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) else {
                return;
            };
            loop {
                tokio::select! {
                    _ = term.recv() => eprintln!("# Received SIGTERM scheduling shutdown..."),
                    _ = int.recv() => eprintln!("# Received SIGINT scheduling shutdown..."),
                }
                shutdown_on_signal(&signalled);
            }
        });
        if let Err(e) = serve(listener, state).await {
            eprintln!("server error: {e}");
            std::process::exit(1);
        }
    });
}
