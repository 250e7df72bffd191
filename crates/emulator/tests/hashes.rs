//! Script tests for the hash commands (what redis-cli prints).

mod common;
use common::Session;
use redis_emulator::value::Value;

fn encoding(s: &Session, key: &str) -> &'static str {
    match s.engine.db(0).and_then(|db| db.get(key.as_bytes())).map(|e| &e.value) {
        Some(Value::Hash(h)) => h.encoding(),
        _ => "none",
    }
}

#[test]
fn set_get_delete() {
    let mut s = Session::new();
    s.check(
        r#"
        HSET h b 1 a 2 b 3 => (integer) 2
        HSET h c => (error) ERR wrong number of arguments for 'hset' command
        HMSET h d 4 => OK
        HSETNX h a x => (integer) 0
        HSETNX h e 5 => (integer) 1
        HGETALL h => 1) "b"
                   | 2) "3"
                   | 3) "a"
                   | 4) "2"
                   | 5) "d"
                   | 6) "4"
                   | 7) "e"
                   | 8) "5"
        HGET h a => "2"
        HGET h zz => (nil)
        HMGET h a zz => 1) "2"
                      | 2) (nil)
        HEXISTS h a => (integer) 1
        HSTRLEN h a => (integer) 1
        HLEN h => (integer) 4
        HDEL h a zz => (integer) 1
        HKEYS h => 1) "b"
                 | 2) "d"
                 | 3) "e"
        HVALS h => 1) "3"
                 | 2) "4"
                 | 3) "5"
        HDEL h b d e => (integer) 3
        EXISTS h => (integer) 0
        SET s v => OK
        HGET s a => (error) WRONGTYPE Operation against a key holding the wrong kind of value
        HSET s a b => (error) WRONGTYPE Operation against a key holding the wrong kind of value
        "#,
    );
}

#[test]
fn increments() {
    let mut s = Session::new();
    s.check(
        r#"
        HINCRBY h n 5 => (integer) 5
        HINCRBY h n -7 => (integer) -2
        HINCRBY h n x => (error) ERR value is not an integer or out of range
        HSET h big 9223372036854775807 txt hi => (integer) 2
        HINCRBY h big 1 => (error) ERR increment or decrement would overflow
        HINCRBY h txt 1 => (error) ERR hash value is not an integer
        HINCRBYFLOAT h f 1.5 => "1.5"
        HINCRBYFLOAT h f 1 => "2.5"
        HINCRBYFLOAT h txt 1 => (error) ERR hash value is not a float
        HINCRBYFLOAT h f inf => (error) ERR value is NaN or Infinity
        HINCRBYFLOAT h f x => (error) ERR value is not a valid float
        HINCRBYFLOAT nope f x => (error) ERR value is not a valid float
        HINCRBYFLOAT h2 f 1e400 => "10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880"
        HSET h max 1.7976931348623157e308 inf inf => (integer) 2
        HINCRBYFLOAT h max 1.7976931348623157e308 => "359538626972463139991842093548208868096772893888658356970628841530353257046248792709403737216774171128857586838851041378617416726902272110715794556052955234146997955372576789671236326588091188869859074894581254961338834769297758245552436667197907705664206565009503223382416235440319971852753604933726679072768"
        HINCRBYFLOAT h inf 1 => (error) ERR increment would produce NaN or Infinity
        EXISTS nope => (integer) 0
        "#,
    );
}

#[test]
fn listpack_becomes_hashtable_for_good() {
    let mut s = Session::new();
    s.check("CONFIG SET hash-max-listpack-entries 128 => OK");
    for i in 0..128 {
        s.run(&format!("HSET h f{i} v"));
    }
    assert_eq!(encoding(&s, "h"), "listpack");
    s.run("HSET h f128 v");
    assert_eq!(encoding(&s, "h"), "hashtable");
    for i in 0..120 {
        s.run(&format!("HDEL h f{i}"));
    }
    assert_eq!(encoding(&s, "h"), "hashtable");
    s.check("HLEN h => (integer) 9");

    s.run(&format!("HSET v f {}", "x".repeat(64)));
    assert_eq!(encoding(&s, "v"), "listpack");
    s.run(&format!("HSET v g {}", "x".repeat(65)));
    assert_eq!(encoding(&s, "v"), "hashtable");
    s.run(&format!("HSET k {} v", "x".repeat(65)));
    assert_eq!(encoding(&s, "k"), "hashtable");
    s.run("HINCRBYFLOAT n f 1e100");
    assert_eq!(encoding(&s, "n"), "hashtable");
    // Recorded from Redis 7.0: a long field converts even through HINCRBY;
    // HSETNX on an existing field writes nothing and converts nothing.
    s.run(&format!("HINCRBY i {} 1", "f".repeat(65)));
    assert_eq!(encoding(&s, "i"), "hashtable");
    s.run("HSET c f v");
    s.run(&format!("HSETNX c f {}", "v".repeat(65)));
    assert_eq!(encoding(&s, "c"), "listpack");
    s.run(&format!("HSETNX c g {}", "v".repeat(65)));
    assert_eq!(encoding(&s, "c"), "hashtable");

    s.engine.config_mut().hash_max_listpack_entries = 2;
    s.run("HSET small a 1 b 2");
    assert_eq!(encoding(&s, "small"), "listpack");
    s.run("HSET small c 3");
    assert_eq!(encoding(&s, "small"), "hashtable");
}

#[test]
fn hscan_over_both_encodings() {
    let mut s = Session::new();
    s.check(
        r#"
        HSET h f1 a f2 b g1 c => (integer) 3
        HSCAN h 0 COUNT 1 MATCH f* => 1) "0"
                                    | 2) 1) "f1"
                                    |    2) "a"
                                    |    3) "f2"
                                    |    4) "b"
        HSCAN h x => (error) ERR invalid cursor
        HSCAN h 0 COUNT 0 => (error) ERR syntax error
        HSCAN nope 0 => 1) "0"
                      | 2) (empty array)
        "#,
    );
    // A hashtable is walked with a cursor; a full iteration sees every field once.
    for i in 0..300 {
        s.run(&format!("HSET big f{i} {i}"));
    }
    let mut cursor = "0".to_string();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..1000 {
        let out = s.run(&format!("HSCAN big {cursor} COUNT 25"));
        let mut lines = out.lines();
        cursor = lines.next().unwrap().trim_start_matches("1) ").trim_matches('"').to_string();
        for (i, line) in lines.enumerate() {
            if i % 2 == 0 {
                let field = line.rsplit(") ").next().unwrap().trim_matches('"').to_string();
                seen.insert(field);
            }
        }
        if cursor == "0" {
            break;
        }
    }
    assert_eq!(cursor, "0");
    assert_eq!(seen.len(), 300);
}

#[test]
fn hrandfield_shapes() {
    let mut s = Session::new();
    s.check(
        r#"
        HSET one f v => (integer) 1
        HRANDFIELD one => "f"
        HRANDFIELD one -2 => 1) "f"
                           | 2) "f"
        HRANDFIELD one 5 WITHVALUES => 1) "f"
                                     | 2) "v"
        HRANDFIELD one 0 => (empty array)
        HRANDFIELD one 1 FOO => (error) ERR syntax error
        HRANDFIELD one 4611686018427387904 WITHVALUES => (error) ERR value is out of range
        HRANDFIELD one -100001 => (error) ERR count is too large for the emulator (limit 100000 with repetitions)
        HRANDFIELD nope => (nil)
        HRANDFIELD nope 3 => (empty array)
        "#,
    );
    s.run("HSET h a 1 b 2 c 3 d 4");
    let picked = s.run("HRANDFIELD h 3");
    let fields: Vec<&str> = picked.lines().map(|l| l.rsplit(") ").next().unwrap()).collect();
    assert_eq!(fields.len(), 3);
    let mut sorted = fields.clone();
    sorted.dedup();
    assert_eq!(sorted.len(), 3, "distinct fields, in listpack order: {picked}");
    let mut in_order = fields.clone();
    in_order.sort();
    assert_eq!(in_order, fields);
    s.run("HELLO 3");
    s.check(
        r#"
        HRANDFIELD one 1 WITHVALUES => 1) 1) "f"
                                     |    2) "v"
        HGETALL one => 1# "f" => "v"
        "#,
    );
}
