//! Tests of the keyspace events the set, sorted-set, geo and SORT commands
//! publish (names and order checked against Redis 7.0 with
//! `notify-keyspace-events KEA`).

#[cfg(test)]
mod tests {

    /// Runs `lines` and returns "event:key" for every keyevent published.
    fn events(lines: &[&str]) -> Vec<String> {
        crate::test_support::key_events(lines).into_iter().map(|pair| pair.replacen(' ', ":", 1)).collect()
    }

    #[test]
    fn set_events() {
        let got = events(&[
            "SADD s a b",
            "SADD s a",
            "SREM s a",
            "SREM s nope",
            "SREM s b",
            "SADD s 1 2 3",
            "SPOP s",
            "SPOP s 5",
            "SADD s1 1 2",
            "SADD s2 2 3",
            "SINTERSTORE d s1 s2",
            "SUNIONSTORE d s1 s2",
            "SDIFFSTORE d s1 s2",
            "SINTERSTORE d s1 nokey",
            "SINTERSTORE d s1 nokey",
            "SMOVE s1 s2 1",
            "SMOVE s1 s3 2",
        ]);
        let want = [
            "sadd:s",
            "srem:s",
            "srem:s",
            "del:s",
            "sadd:s",
            "spop:s",
            "spop:s",
            "del:s",
            "sadd:s1",
            "sadd:s2",
            "sinterstore:d",
            "sunionstore:d",
            "sdiffstore:d",
            "del:d",
            "srem:s1",
            "sadd:s2",
            "srem:s1",
            "del:s1",
            "sadd:s3",
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn zset_geo_and_sort_events() {
        let got = events(&[
            "ZADD z 1 a 2 b",
            "ZADD z 1 a",
            "ZINCRBY z 1 a",
            "ZADD z INCR 1 a",
            "ZREM z a",
            "ZPOPMIN z",
            "ZADD z 1 a 2 b 3 c",
            "ZPOPMAX z 1",
            "ZREMRANGEBYRANK z 0 0",
            "ZADD z 1 a",
            "ZREMRANGEBYSCORE z 0 10",
            "ZADD z 0 a 0 b",
            "ZREMRANGEBYLEX z - +",
            "ZADD z 1 a",
            "ZRANGESTORE d2 z 0 -1",
            "ZUNIONSTORE d3 1 z",
            "ZINTERSTORE d3 1 z",
            "ZDIFFSTORE d3 1 z",
            "ZMPOP 1 z MIN",
            "GEOADD g 1 1 a",
            "GEORADIUS g 1 1 10 km STORE g2",
            "GEOSEARCHSTORE g3 g FROMLONLAT 1 1 BYRADIUS 10 km",
            "ZADD zz 1 a",
            "BZPOPMIN zz 0",
            "ZUNIONSTORE d3 1 nokey",
            "SADD nums 2 1",
            "SORT nums STORE l",
            "SORT nokey STORE l",
        ]);
        let want = [
            "zadd:z",
            "zincr:z",
            "zincr:z",
            "zrem:z",
            "zpopmin:z",
            "del:z",
            "zadd:z",
            "zpopmax:z",
            "zremrangebyrank:z",
            "zadd:z",
            "zremrangebyscore:z",
            "del:z",
            "zadd:z",
            "zremrangebylex:z",
            "del:z",
            "zadd:z",
            "zrangestore:d2",
            "zunionstore:d3",
            "zinterstore:d3",
            "zdiffstore:d3",
            "zpopmin:z",
            "del:z",
            "zadd:g",
            "georadiusstore:g2",
            "geosearchstore:g3",
            "zadd:zz",
            "zpopmin:zz",
            "del:zz",
            "del:d3",
            "sadd:nums",
            "sortstore:l",
            "del:l",
        ];
        assert_eq!(got, want);
    }
}
