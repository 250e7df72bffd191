//! The value stored under a key: one variant per Redis type.

use crate::types::{HashValue, ListValue, SetValue, StreamValue, ZSetValue};

mod string;
pub use string::StrValue;

#[derive(Debug, Clone)]
pub enum Value {
    String(StrValue),
    List(Box<ListValue>),
    // Collections are boxed so every key's entry stays small (a string key
    // would otherwise pay for the largest collection header).
    Hash(Box<HashValue>),
    Set(Box<SetValue>),
    ZSet(Box<ZSetValue>),
    Stream(Box<StreamValue>),
}

impl Value {
    pub fn string(bytes: impl Into<Vec<u8>>) -> Value {
        Value::String(StrValue::new(bytes))
    }

    /// A string value copied from a command argument (short ones are stored
    /// inline, so no buffer is allocated for them).
    pub fn string_from(bytes: &[u8]) -> Value {
        Value::String(StrValue::from_slice(bytes))
    }

    /// The name TYPE prints.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
            Value::ZSet(_) => "zset",
            Value::Stream(_) => "stream",
        }
    }
}

impl Value {
    /// Redis 7.0's OBJECT ENCODING name, from the value's size and contents
    /// and the configured thresholds: strings `int`/`embstr`/`raw`, lists
    /// `quicklist`, hashes and sorted sets `listpack` while small,
    /// sets `intset` while all-integer and small. A type may refine this;
    /// Redis never converts back to the compact form, which this estimate
    /// does not remember (a big hash that shrank reads `listpack` again).
    pub fn encoding(&self, config: &crate::config::Config) -> &'static str {
        match self {
            Value::String(s) => s.encoding(),
            Value::List(_) => "quicklist",
            Value::Hash(h) => {
                let small = h.len() <= config.hash_max_listpack_entries
                    && h.pairs().iter().all(|(f, v)| {
                        f.len() <= config.hash_max_listpack_value && v.len() <= config.hash_max_listpack_value
                    });
                if small {
                    "listpack"
                } else {
                    "hashtable"
                }
            }
            Value::Set(s) => {
                let members = s.members();
                if members.len() <= config.set_max_intset_entries
                    && members.iter().all(|m| crate::float::parse_i64(m).is_some())
                {
                    "intset"
                } else {
                    "hashtable"
                }
            }
            Value::ZSet(z) => {
                let ranked = z.ranked();
                if ranked.len() <= config.zset_max_listpack_entries
                    && ranked.iter().all(|(m, _)| m.len() <= config.zset_max_listpack_value)
                {
                    "listpack"
                } else {
                    "skiplist"
                }
            }
            Value::Stream(_) => "stream",
        }
    }

    /// Approximate bytes this value uses (memory accounting, MEMORY USAGE).
    pub fn mem_usage(&self) -> usize {
        match self {
            Value::String(s) => s.len() + 16,
            Value::List(v) => v.mem_usage(),
            Value::Hash(v) => v.mem_usage(),
            Value::Set(v) => v.mem_usage(),
            Value::ZSet(v) => v.mem_usage(),
            Value::Stream(v) => v.mem_usage(),
        }
    }

    /// Commands that recreate this value under `key` (snapshots, AOF rewrite,
    /// the playground's export). TTLs are not included.
    pub fn rewrite(&self, key: &[u8], out: &mut Vec<Vec<Vec<u8>>>) {
        match self {
            Value::String(s) => out.push(vec![b"SET".to_vec(), key.to_vec(), s.to_vec()]),
            Value::List(v) => v.rewrite(key, out),
            Value::Hash(v) => v.rewrite(key, out),
            Value::Set(v) => v.rewrite(key, out),
            Value::ZSet(v) => v.rewrite(key, out),
            Value::Stream(v) => v.rewrite(key, out),
        }
    }
}

/// A collection type stored in [`Value`]: lets command families look a key
/// up as their own type in one place (`Ctx::read_as` / `Ctx::write_as`).
pub trait TypedValue {
    fn from_value(value: &mut Value) -> Option<&mut Self>;
}

macro_rules! typed_value {
    ($ty:ty, $variant:ident) => {
        impl TypedValue for $ty {
            fn from_value(value: &mut Value) -> Option<&mut Self> {
                match value {
                    Value::$variant(v) => Some(v),
                    _ => None,
                }
            }
        }
    };
}

typed_value!(ListValue, List);
typed_value!(HashValue, Hash);
typed_value!(SetValue, Set);
typed_value!(ZSetValue, ZSet);
typed_value!(Box<StreamValue>, Stream);
