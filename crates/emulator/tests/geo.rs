//! Script tests for the geo commands (what redis-cli prints), with the
//! documentation's Sicily example and cafés in Bengaluru.

mod common;
use common::Session;

#[test]
fn sicily() {
    let mut s = Session::new();
    s.check(
        r#"
        GEOADD Sicily 13.361389 38.115556 "Palermo" 15.087269 37.502669 "Catania" => (integer) 2
        GEODIST Sicily Palermo Catania => "166274.1516"
        GEODIST Sicily Palermo Catania km => "166.2742"
        GEORADIUS Sicily 15 37 100 km => 1) "Catania"
        GEORADIUS Sicily 15 37 200 km WITHDIST => 1) 1) "Palermo"
        |    2) "190.4424"
        |2) 1) "Catania"
        |    2) "56.4413"
        GEOPOS Sicily Palermo NonExisting => 1) 1) "13.36138933897018433"
        |    2) "38.11555639549629859"
        |2) (nil)
        GEOHASH Sicily Palermo Catania => 1) "sqc8b49rny0"
        |2) "sqdtr74hyu0"
        GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 400 km ASC WITHHASH => 1) 1) "Catania"
        |    2) (integer) 3479447370796909
        |2) 1) "Palermo"
        |    2) (integer) 3479099956230698
        GEOADD Sicily 200 1 x => (error) ERR invalid longitude,latitude pair 200.000000,1.000000
        GEODIST Sicily Palermo Catania parsec => (error) ERR unsupported unit provided. please use M, KM, FT, MI
        GEOSEARCH Sicily FROMLONLAT 15 37 ASC WITHDIST => (error) ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCH
        GEORADIUS Sicily 15 37 200 km ANY => (error) ERR the ANY argument requires COUNT argument
        ZCARD Sicily => (integer) 2
        "#,
    );
}

#[test]
fn cafes_in_bengaluru() {
    let mut s = Session::new();
    s.check(
        r#"
        GEOADD cafes 77.5946 12.9716 "Cafe Coffee Day" 77.6101 12.9352 "Third Wave" 77.6408 12.9784 "Blue Tokai" => (integer) 3
        GEODIST cafes "Cafe Coffee Day" "Third Wave" km => "4.3834"
        GEORADIUSBYMEMBER cafes "Cafe Coffee Day" 5 km WITHDIST ASC => 1) 1) "Cafe Coffee Day"
        |    2) "0.0000"
        |2) 1) "Third Wave"
        |    2) "4.3834"
        GEOSEARCHSTORE near cafes FROMMEMBER "Third Wave" BYRADIUS 4 km STOREDIST => (integer) 1
        ZRANGE near 0 -1 WITHSCORES => 1) "Third Wave"
        |2) "0"
        "#,
    );
}
