//! Generated differential run for the message-broker family: a seeded
//! random mix of pub/sub, transactions, WATCH races and scripts over three
//! connections, replayed against redis-server and our server.
//!
//! The generator avoids what Redis orders by hash table (unsubscribing
//! from several channels at once, several patterns matching one message).

mod common;

use common::random::{Draw, Lcg};

/// What the generator knows about one connection, to predict the frames
/// each command produces and read every one of them (no reply is ever
/// left pending, so the two servers are compared in lockstep).
#[derive(Default, Clone)]
struct Client {
    channels: Vec<u64>,
    pattern: bool,
    in_multi: bool,
    /// Speaks RESP3 (HELLO 3): pushes, and no subscribed-state restriction.
    resp3: bool,
}

impl Client {
    /// In RESP2 subscribed state, where most commands are refused.
    fn subscribed(&self) -> bool {
        !self.resp3 && (!self.channels.is_empty() || self.pattern)
    }
}

fn script(seed: u64, lines: usize) -> String {
    let mut rng = Lcg(seed);
    let mut out = String::new();
    let mut clients: [Client; 3] = Default::default();
    // The third connection speaks RESP3 throughout (its HELLO reply carries
    // a connection id, so only its shape is compared).
    out.push_str("[3] !shape HELLO 3\n");
    clients[2].resp3 = true;
    let mut n = 0;
    while n < lines {
        n += 1;
        let c = rng.below(3) as usize;
        let ch = rng.below(4);
        let key = rng.below(3);
        let me = clients[c].clone();
        let mut publish_on = None;
        let line = match rng.below(22) {
            0 | 1 if !me.in_multi => {
                if !clients[c].channels.contains(&ch) {
                    clients[c].channels.push(ch);
                }
                format!("SUBSCRIBE ch{ch}")
            }
            2 if !me.in_multi => {
                clients[c].channels.retain(|&x| x != ch);
                format!("UNSUBSCRIBE ch{ch}")
            }
            3 if !me.in_multi && me.channels.len() <= 1 => {
                clients[c].channels.clear();
                "UNSUBSCRIBE".to_string()
            }
            4 if !me.in_multi => {
                clients[c].pattern = true;
                "PSUBSCRIBE ch*".to_string()
            }
            5 if !me.in_multi => {
                clients[c].pattern = false;
                "PUNSUBSCRIBE".to_string()
            }
            6..=8 if !me.in_multi => {
                if !me.subscribed() {
                    publish_on = Some(ch);
                }
                format!("PUBLISH ch{ch} m{n}")
            }
            9 => {
                if !me.subscribed() {
                    clients[c].in_multi = true;
                }
                "MULTI".to_string()
            }
            10 => {
                clients[c].in_multi = false;
                "EXEC".to_string()
            }
            11 => {
                clients[c].in_multi = false;
                "DISCARD".to_string()
            }
            12 => format!("WATCH k{key}"),
            13 => "UNWATCH".to_string(),
            14 | 15 => format!("SET k{key} v{n}"),
            16 => format!("GET k{key}"),
            17 => format!("DEL k{key}"),
            18 => format!("EVAL \"return redis.call('set', KEYS[1], ARGV[1])\" 1 k{key} lua{n}"),
            19 if !me.in_multi => {
                if !me.subscribed() {
                    publish_on = Some(ch);
                }
                format!("EVAL \"return redis.call('publish', 'ch{ch}', ARGV[1])\" 0 e{n}")
            }
            20 => "PING".to_string(),
            21 if !me.resp3 && (!me.in_multi || rng.below(4) == 0) => {
                clients[c] = Client::default();
                "RESET".to_string()
            }
            _ => "PING".to_string(),
        };
        out.push_str(&format!("[{}] {line}\n", c + 1));
        if let Some(ch) = publish_on {
            // A RESP3 client's own messages come before its reply: both
            // are read, in order, as the reply and the frames below.
            for (r, client) in clients.iter().enumerate() {
                let frames = client.channels.contains(&ch) as usize + client.pattern as usize;
                for _ in 0..frames {
                    out.push_str(&format!("[{}] !read\n", r + 1));
                }
            }
        }
    }
    out
}

#[test]
fn generated_broker_sequences_match_real_redis() {
    // Each of the 5,000 generated commands is compared: at least 5,000 cases a run.
    for seed in [7_u64, 1_234_567] {
        common::assert_generated_run(&format!("broker_generated(seed {seed})"), &script(seed, 5_000), 5_000);
    }
}
