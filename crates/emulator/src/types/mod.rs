//! In-memory representations of the collection types, each in its own
//! file, with Redis's encodings (listpack vs hashtable…) modelled where
//! they change what a client sees (reply order, OBJECT ENCODING).

pub mod hash;
pub mod list;
pub mod set;
pub mod stream;
pub mod zset;

pub use hash::HashValue;
pub use list::ListValue;
pub use set::SetValue;
pub use stream::StreamValue;
pub use zset::ZSetValue;
pub mod ranked_tree;
