//! Storage building blocks shared by the keyspace and the collection types.

pub mod scan_map;

pub use scan_map::ScanMap;
