//! `redis-emulator-server --port 6380 [--bind 127.0.0.1]`

use redis_emulator_server::{new_state, serve};

fn usage() -> ! {
    eprintln!("usage: redis-emulator-server [--port PORT] [--bind ADDRESS]");
    std::process::exit(2);
}

fn main() {
    let mut port: u16 = 6380;
    let mut bind = String::from("127.0.0.1");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" | "-p" => port = args.next().and_then(|p| p.parse().ok()).unwrap_or_else(|| usage()),
            "--bind" | "-b" => bind = args.next().unwrap_or_else(|| usage()),
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
        if let Err(e) = serve(listener, new_state()).await {
            eprintln!("server error: {e}");
            std::process::exit(1);
        }
    });
}
