//! A real Redis Cluster for differential tests: `redis-server
//! --cluster-enabled yes` on consecutive loopback ports, joined by
//! `redis-cli --cluster create`, stopped (and its files removed) when dropped.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use redis_emulator::tokenizer::split_line;

use super::{free_port, wait_for_port, Conn};

/// `count` consecutive free loopback ports whose bus ports (+10000) are free
/// too, below the ephemeral range. Returns the first.
pub fn free_cluster_ports(count: u16) -> u16 {
    let mut seed = (free_port() as u64) * 7919 + std::process::id() as u64;
    for _ in 0..200 {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let base = 20000 + (seed >> 33) as u16 % 20000;
        let free = |p: u16| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok();
        if (0..count).all(|i| free(base + i) && free(base + i + 10000)) {
            return base;
        }
    }
    panic!("no {count} consecutive free ports");
}

pub struct RealCluster {
    children: Vec<Child>,
    /// Masters first, then replicas (as `redis-cli --cluster create` lays them out).
    pub ports: Vec<u16>,
    dir: std::path::PathBuf,
}

impl RealCluster {
    /// `masters` masters with `replicas` replicas each, waited for until
    /// every node says `cluster_state:ok`, knows every replica, and every
    /// replica's link is up. Panics if redis-server or redis-cli is missing.
    pub fn start(masters: u16, replicas: u16) -> RealCluster {
        let count = masters * (1 + replicas);
        let base = free_cluster_ports(count);
        let dir = std::env::temp_dir().join(format!("redis-lab-cluster-{}-{base}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let ports: Vec<u16> = (0..count).map(|i| base + i).collect();
        let mut children = Vec::new();
        for port in &ports {
            let conf = dir.join(format!("nodes-{port}.conf"));
            let child = Command::new("redis-server")
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--cluster-enabled", "yes"])
                .args(["--cluster-config-file", &conf.display().to_string(), "--save", "", "--appendonly", "no"])
                .args(["--dir", &dir.display().to_string(), "--daemonize", "no"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("redis-server could not start ({e}); install it (scripts/setup.sh does)"));
            children.push(child);
        }
        let cluster = RealCluster { children, ports: ports.clone(), dir };
        for port in &ports {
            wait_for_port(*port);
        }
        let nodes: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
        let status = Command::new("redis-cli")
            .arg("--cluster")
            .arg("create")
            .args(&nodes)
            .args(["--cluster-replicas", &replicas.to_string(), "--cluster-yes"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("redis-cli --cluster create (install redis-tools)");
        assert!(status.success(), "redis-cli --cluster create failed");
        let start = Instant::now();
        let all_replicas = (masters * replicas) as usize;
        while !settled(&ports, masters as usize, all_replicas) {
            assert!(start.elapsed() < Duration::from_secs(30), "the real cluster never settled");
            std::thread::sleep(Duration::from_millis(100));
        }
        cluster
    }
}

/// Every node is ok and knows every replica, and every replica's link is up.
fn settled(ports: &[u16], masters: usize, replicas: usize) -> bool {
    let ask = |port: u16, line: &str| {
        let mut conn = Conn::open(port);
        conn.send(&split_line(line).expect("a valid line"));
        String::from_utf8_lossy(&conn.read_reply(Duration::from_secs(10)).unwrap_or_default()).into_owned()
    };
    ports.iter().all(|&p| ask(p, "CLUSTER INFO").contains("cluster_state:ok"))
        && ports.iter().all(|&p| ask(p, "CLUSTER NODES").matches("slave ").count() == replicas)
        && ports[masters..].iter().all(|&p| ask(p, "INFO replication").contains("master_link_status:up"))
}

impl Drop for RealCluster {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
