//! Model-based property test: random sequences of keyspace, TTL and string
//! commands on the emulator (manual clock) against a plain map model. The
//! engine must never panic, and DBSIZE, EXISTS, GET and TTL/PTTL must agree
//! with the model after every step.

use std::collections::HashMap;

use proptest::prelude::*;
use redis_emulator::{Engine, Reply};

const T0: i64 = 1_700_000_000_000;
const KEYS: [&str; 4] = ["a", "b", "c", "d"];

#[derive(Debug, Clone)]
enum Op {
    Set(usize, u8),
    SetPx(usize, u8, i64),
    Del(usize),
    Expire(usize, i64),
    Pexpire(usize, i64),
    Persist(usize),
    Incr(usize),
    Append(usize),
    Rename(usize, usize),
    Copy(usize, usize),
    Getdel(usize),
    Advance(i64),
}

fn op() -> impl Strategy<Value = Op> {
    let k = 0..KEYS.len();
    prop_oneof![
        (k.clone(), 0u8..10).prop_map(|(k, v)| Op::Set(k, v)),
        (k.clone(), 0u8..10, -5i64..3000).prop_map(|(k, v, ms)| Op::SetPx(k, v, ms)),
        k.clone().prop_map(Op::Del),
        (k.clone(), -2i64..5).prop_map(|(k, s)| Op::Expire(k, s)),
        (k.clone(), -10i64..3000).prop_map(|(k, ms)| Op::Pexpire(k, ms)),
        k.clone().prop_map(Op::Persist),
        k.clone().prop_map(Op::Incr),
        k.clone().prop_map(Op::Append),
        (k.clone(), k.clone()).prop_map(|(a, b)| Op::Rename(a, b)),
        (k.clone(), k.clone()).prop_map(|(a, b)| Op::Copy(a, b)),
        k.prop_map(Op::Getdel),
        (0i64..2500).prop_map(Op::Advance),
    ]
}

/// The model: value bytes and absolute expiry per key; time in ms.
#[derive(Default)]
struct Model {
    now: i64,
    keys: HashMap<&'static str, (Vec<u8>, Option<i64>)>,
}

impl Model {
    fn live(&mut self, k: &'static str) -> bool {
        let now = self.now;
        if self.keys.get(k).is_some_and(|(_, at)| at.is_some_and(|at| now > at)) {
            self.keys.remove(k);
        }
        self.keys.contains_key(k)
    }

    fn apply(&mut self, op: &Op) -> String {
        match *op {
            Op::Set(k, v) => {
                self.keys.insert(KEYS[k], (vec![b'0' + v], None));
                format!("SET {} {v}", KEYS[k])
            }
            Op::SetPx(k, v, ms) => {
                if ms > 0 {
                    self.keys.insert(KEYS[k], (vec![b'0' + v], Some(self.now + ms)));
                }
                format!("SET {} {v} PX {ms}", KEYS[k])
            }
            Op::Del(k) => {
                self.keys.remove(KEYS[k]);
                format!("DEL {}", KEYS[k])
            }
            Op::Expire(k, s) => {
                self.set_ttl(KEYS[k], s * 1000);
                format!("EXPIRE {} {s}", KEYS[k])
            }
            Op::Pexpire(k, ms) => {
                self.set_ttl(KEYS[k], ms);
                format!("PEXPIRE {} {ms}", KEYS[k])
            }
            Op::Persist(k) => {
                if self.live(KEYS[k]) {
                    if let Some(e) = self.keys.get_mut(KEYS[k]) {
                        e.1 = None;
                    }
                }
                format!("PERSIST {}", KEYS[k])
            }
            Op::Incr(k) => {
                let key = KEYS[k];
                if !self.live(key) {
                    self.keys.insert(key, (b"1".to_vec(), None));
                } else if let Some(e) = self.keys.get_mut(key) {
                    if let Some(n) = std::str::from_utf8(&e.0).ok().and_then(|s| s.parse::<i64>().ok()) {
                        if !(e.0.len() > 1 && e.0[0] == b'0') {
                            e.0 = (n + 1).to_string().into_bytes();
                        }
                    }
                }
                format!("INCR {key}")
            }
            Op::Append(k) => {
                let key = KEYS[k];
                if self.live(key) {
                    if let Some(e) = self.keys.get_mut(key) {
                        e.0.push(b'x');
                    }
                } else {
                    self.keys.insert(key, (b"x".to_vec(), None));
                }
                format!("APPEND {key} x")
            }
            Op::Rename(a, b) => {
                if self.live(KEYS[a]) && a != b {
                    self.live(KEYS[b]);
                    if let Some(e) = self.keys.remove(KEYS[a]) {
                        self.keys.insert(KEYS[b], e);
                    }
                }
                format!("RENAME {} {}", KEYS[a], KEYS[b])
            }
            Op::Copy(a, b) => {
                if a != b && self.live(KEYS[a]) && !self.live(KEYS[b]) {
                    if let Some(e) = self.keys.get(KEYS[a]).cloned() {
                        self.keys.insert(KEYS[b], e);
                    }
                }
                format!("COPY {} {}", KEYS[a], KEYS[b])
            }
            Op::Getdel(k) => {
                self.keys.remove(KEYS[k]);
                format!("GETDEL {}", KEYS[k])
            }
            Op::Advance(ms) => {
                self.now += ms;
                let now = self.now;
                self.keys.retain(|_, (_, at)| at.is_none_or(|at| now <= at));
                String::new()
            }
        }
    }

    fn set_ttl(&mut self, k: &'static str, ms: i64) {
        if !self.live(k) {
            return;
        }
        let at = self.now + ms;
        if at <= self.now {
            self.keys.remove(k);
        } else if let Some(e) = self.keys.get_mut(k) {
            e.1 = Some(at);
        }
    }
}

fn int(r: &Reply) -> i64 {
    match r {
        Reply::Integer(i) => *i,
        other => panic!("expected an integer, got {other:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn engine_agrees_with_model(ops in prop::collection::vec(op(), 1..80)) {
        let mut engine = Engine::with_manual_clock(T0, 7);
        let me = engine.connect("model");
        let mut model = Model { now: T0, ..Model::default() };
        for op in &ops {
            let line = model.apply(op);
            if let Op::Advance(ms) = op {
                engine.advance_clock(*ms);
            } else {
                let reply = engine.execute_line(me, &line).expect("valid line");
                prop_assert!(!matches!(reply, Reply::Blocked));
            }
            let dbsize = int(&engine.execute(me, vec![b"DBSIZE".to_vec()]));
            prop_assert_eq!(dbsize as usize, model.keys.len(), "DBSIZE after {:?}", op);
            for key in KEYS {
                let exists = int(&engine.execute(me, vec![b"EXISTS".to_vec(), key.as_bytes().to_vec()]));
                let expected = model.keys.get(key);
                prop_assert_eq!(exists == 1, expected.is_some(), "EXISTS {} after {:?}", key, op);
                let get = engine.execute(me, vec![b"GET".to_vec(), key.as_bytes().to_vec()]);
                match expected {
                    Some((value, _)) => prop_assert_eq!(&get, &Reply::Bulk(value.clone()), "GET {}", key),
                    None => prop_assert_eq!(&get, &Reply::Nil, "GET {}", key),
                }
                let pttl = int(&engine.execute(me, vec![b"PTTL".to_vec(), key.as_bytes().to_vec()]));
                let want = match expected {
                    None => -2,
                    Some((_, None)) => -1,
                    Some((_, Some(at))) => at - model.now,
                };
                prop_assert_eq!(pttl, want, "PTTL {} after {:?}", key, op);
                let ttl = int(&engine.execute(me, vec![b"TTL".to_vec(), key.as_bytes().to_vec()]));
                let want_ttl = if want < 0 { want } else { (want + 500) / 1000 };
                prop_assert_eq!(ttl, want_ttl, "TTL {}", key);
            }
        }
    }
}
