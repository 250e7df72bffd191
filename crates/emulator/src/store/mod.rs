//! Storage building blocks shared by the keyspace and the collection types.

pub mod compact_key;
pub mod scan_map;

pub use compact_key::CompactKey;
pub use scan_map::ScanMap;
