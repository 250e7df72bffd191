//! `redis-emulator-server --port 6380 [--bind 127.0.0.1] [--protected-mode yes|no] [--requirepass pw]`
//!
//! Safe by default: it listens on 127.0.0.1 only, and when bound to another
//! address, protected mode (on unless `--protected-mode no`) refuses clients
//! from other hosts while the default user has no password.

use redis_emulator_server::{configure, new_state, serve};

fn usage() -> ! {
    eprintln!(
        "usage: redis-emulator-server [--port PORT] [--bind ADDRESS] [--protected-mode yes|no] [--requirepass PASSWORD]"
    );
    std::process::exit(2);
}

fn main() {
    let mut port: u16 = 6380;
    let mut bind = String::from("127.0.0.1");
    // CONFIG SET lines applied before serving.
    let mut settings: Vec<(String, String)> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" | "-p" => port = args.next().and_then(|p| p.parse().ok()).unwrap_or_else(|| usage()),
            "--bind" | "-b" => bind = args.next().unwrap_or_else(|| usage()),
            "--protected-mode" | "--requirepass" => {
                let value = args.next().unwrap_or_else(|| usage());
                settings.push((a.trim_start_matches('-').to_string(), value));
            }
            "--help" | "-h" => usage(),
            _ => usage(),
        }
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
        let state = new_state();
        if let Err(e) = configure(&state, &settings) {
            eprintln!("{e}");
            std::process::exit(2);
        }
        if let Err(e) = serve(listener, state).await {
            eprintln!("server error: {e}");
            std::process::exit(1);
        }
    });
}
