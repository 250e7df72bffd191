//! Script tests for the sorted-set commands (what redis-cli prints).

mod common;
use common::Session;

#[test]
fn zadd_options_and_their_conflicts() {
    let mut s = Session::new();
    s.check(
        r#"
        ZADD z 1 a 2 b => (integer) 2
        ZADD z CH 5 a 2 b 3 c => (integer) 2
        ZADD z NX 9 a 4 d => (integer) 1
        ZADD z XX 9 a 9 e => (integer) 0
        ZADD z GT CH 1 a => (integer) 0
        ZADD z LT CH 1 a => (integer) 1
        ZADD z INCR 2.5 a => "3.5"
        ZADD z GT INCR -1 a => (nil)
        ZINCRBY z 1 new => "1"
        ZADD z NX XX 1 a => (error) ERR XX and NX options at the same time are not compatible
        ZADD z GT LT 1 a => (error) ERR GT, LT, and/or NX options at the same time are not compatible
        ZADD z INCR 1 a 2 b => (error) ERR INCR option supports a single increment-element pair
        ZADD z 1 a 2 => (error) ERR syntax error
        ZADD z nan a => (error) ERR value is not a valid float
        ZADD z inf a => (integer) 0
        ZADD z INCR -inf a => (error) ERR resulting score is not a number (NaN)
        ZRANGE z 0 -1 => 1) "new"
        |2) "b"
        |3) "c"
        |4) "d"
        |5) "a"
        ZMSCORE z a d nope => 1) "inf"
        |2) "4"
        |3) (nil)
        "#,
    );
}

#[test]
fn ranges_by_rank_score_and_lex() {
    let mut s = Session::new();
    s.check(
        r#"
        ZADD z 1 a 2 b 3 c 4 d 5 e => (integer) 5
        ZRANGE z -2 -1 => 1) "d"
        |2) "e"
        ZRANGE z (1 3 BYSCORE => 1) "b"
        |2) "c"
        ZRANGE z 5 (2 BYSCORE REV LIMIT 1 2 => 1) "d"
        |2) "c"
        ZRANGEBYSCORE z -inf +inf LIMIT 3 -1 => 1) "d"
        |2) "e"
        ZREVRANGE z 0 1 WITHSCORES => 1) "e"
        |2) "5"
        |3) "d"
        |4) "4"
        ZCOUNT z (1 (5 => (integer) 3
        ZRANK z c => (integer) 2
        ZREVRANK z c => (integer) 2
        ZRANGE z 0 -1 LIMIT 0 1 => (error) ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX
        ZRANGE z a b BYSCORE => (error) ERR min or max is not a float
        ZADD l 0 a 0 b 0 c 0 d => (integer) 4
        ZRANGEBYLEX l (a [c => 1) "b"
        |2) "c"
        ZREVRANGEBYLEX l + - LIMIT 0 2 => 1) "d"
        |2) "c"
        ZLEXCOUNT l - + => (integer) 4
        ZRANGEBYLEX l a b => (error) ERR min or max not valid string range item
        ZRANGESTORE dst z 2 4 BYSCORE => (integer) 3
        ZRANGE dst 0 -1 => 1) "b"
        |2) "c"
        |3) "d"
        ZREMRANGEBYSCORE z (1 3 => (integer) 2
        ZREMRANGEBYRANK z 0 0 => (integer) 1
        ZREMRANGEBYLEX l - (c => (integer) 2
        ZRANGE z 0 -1 => 1) "d"
        |2) "e"
        "#,
    );
}

#[test]
fn resp3_scores_are_doubles() {
    let mut s = Session::new();
    s.check(
        r#"
        ZADD z 1.5 a 2 b => (integer) 2
        HELLO 3 => 1# "server" => "redis"
        |2# "version" => "7.0.15"
        |3# "proto" => (integer) 3
        |4# "id" => (integer) 1
        |5# "mode" => "standalone"
        |6# "role" => "master"
        |7# "modules" => (empty array)
        ZSCORE z a => (double) 1.5
        ZRANGE z 0 -1 WITHSCORES => 1) 1) "a"
        |    2) (double) 1.5
        |2) 1) "b"
        |    2) (double) 2
        ZPOPMIN z => 1) "a"
        |2) (double) 1.5
        ZMPOP 1 z MAX COUNT 3 => 1) "z"
        |2) 1) 1) "b"
        |       2) (double) 2
        "#,
    );
}

#[test]
fn algebra_with_weights_aggregates_and_plain_sets() {
    let mut s = Session::new();
    s.check(
        r#"
        ZADD a 1 x 2 y => (integer) 2
        ZADD b 10 y 20 z => (integer) 2
        SADD p x z => (integer) 2
        ZUNION 3 a b p WITHSCORES => 1) "x"
        |2) "2"
        |3) "y"
        |4) "12"
        |5) "z"
        |6) "21"
        ZINTER 2 a b WEIGHTS 2 0.5 AGGREGATE MAX WITHSCORES => 1) "y"
        |2) "5"
        ZDIFF 2 b a WITHSCORES => 1) "z"
        |2) "20"
        ZINTERCARD 2 a p => (integer) 1
        ZUNIONSTORE out 2 a b AGGREGATE MIN => (integer) 3
        ZRANGE out 0 -1 WITHSCORES => 1) "x"
        |2) "1"
        |3) "y"
        |4) "2"
        |5) "z"
        |6) "20"
        ZUNION 0 a => (error) ERR at least 1 input key is needed for 'zunion' command
        ZUNION 2 a b WEIGHTS 1 x => (error) ERR weight value is not a float
        "#,
    );
}

#[test]
fn blocking_pops_wait_for_data_in_fifo_order() {
    let mut s = Session::new();
    let c = s.engine.connect("test:3");
    s.clients.push(c);
    assert_eq!(s.run_as(1, "BZPOPMIN q 0"), "");
    assert_eq!(s.run_as(2, "BZMPOP 0 1 q MAX COUNT 2"), "");
    // One member: the first client blocked is served, the key is gone again.
    s.check("ZADD q 1 a => (integer) 1");
    assert_eq!(s.delivered(1), vec!["1) \"q\"\n2) \"a\"\n3) \"1\""]);
    s.check("EXISTS q => (integer) 0");
    // The second client is still waiting; new data serves it.
    s.check("ZADD q 5 e 6 f 7 g => (integer) 3");
    assert_eq!(s.delivered(2), vec!["1) \"q\"\n2) 1) 1) \"g\"\n      2) \"7\"\n   2) 1) \"f\"\n      2) \"6\""]);
    s.check("ZRANGE q 0 -1 => 1) \"e\"");
    // Timeouts answer with a null array.
    assert_eq!(s.run_as(1, "BZPOPMAX nothing 1.5"), "");
    s.advance(1600);
    assert_eq!(s.delivered(1), vec!["(nil)"]);
    s.check("BZPOPMIN q -1 => (error) ERR timeout is negative");
    s.check("BZPOPMIN q x => (error) ERR timeout is not a float or out of range");
}
