//! The engine's disk: the files a Redis server keeps in its `dir`
//! (`dump.rdb`, `appendonlydir/…`), held in memory, with what of each file
//! has reached stable storage (been fsynced) modelled on the engine clock.
//!
//! The engine does no I/O. It changes files here; a host that keeps real
//! files (the native server) turns on [`Disk::record_writes`] and drains
//! the [`DiskWrite`]s with `Engine::take_disk_writes`, in order.
//!
//! The fsync model (what survives a power loss, `DEBUG CRASH-AND-RECOVER`):
//! whole-file replacements (RDB saves, AOF base files, the manifest) are
//! fsynced before they are renamed into place, as Redis does. Appends to the
//! AOF follow `appendfsync`: `always` syncs each write before the reply;
//! `everysec` syncs whatever was written at most once a second (a write is
//! durable at the first fsync at or after it: `max(last fsync + 1 s, write
//! time)`); `no` leaves it to the operating system, which writes dirty pages
//! back after 30 seconds (Linux's `dirty_expire_centisecs`).

use std::collections::{BTreeMap, VecDeque};

/// `appendfsync`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FsyncPolicy {
    Always,
    EverySec,
    No,
}

impl FsyncPolicy {
    pub fn from_config(config: &crate::config::Config) -> FsyncPolicy {
        match config.extra.get("appendfsync").map(String::as_str) {
            Some("always") => FsyncPolicy::Always,
            Some("no") => FsyncPolicy::No,
            _ => FsyncPolicy::EverySec,
        }
    }
}

/// How long the operating system keeps written data before writing it back
/// on its own (`appendfsync no`).
pub const OS_WRITEBACK_MS: i64 = 30_000;
/// The period of `appendfsync everysec`.
pub const EVERYSEC_MS: i64 = 1_000;

/// One change to a file, for a host that mirrors the disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiskWrite {
    /// Replace the whole file atomically: write a temporary file, fsync it,
    /// rename it over `path`, fsync the directory.
    Replace { path: String, data: Vec<u8> },
    /// Append to the file (the AOF); the host fsyncs per `appendfsync`.
    Append { path: String, data: Vec<u8> },
    /// Delete the file (an AOF history file after a rewrite).
    Remove { path: String },
}

#[derive(Debug, Clone, Default)]
struct File {
    data: Vec<u8>,
    /// How many leading bytes are on stable storage.
    synced: usize,
    /// Appends not yet synced: (end offset, engine time written).
    pending: VecDeque<(usize, i64)>,
}

#[derive(Debug, Clone, Default)]
pub struct Disk {
    /// Paths relative to `dir` (`dump.rdb`, `appendonlydir/appendonly.aof.manifest`).
    files: BTreeMap<String, File>,
    writes: Vec<DiskWrite>,
    record: bool,
    /// When `everysec` last synced.
    last_fsync_ms: i64,
}

impl Disk {
    /// Whether changes are kept for [`Disk::take_writes`] (off by default:
    /// a page that never drains them would only accumulate them).
    pub fn record_writes(&mut self, on: bool) {
        self.record = on;
        if !on {
            self.writes.clear();
        }
    }

    pub fn take_writes(&mut self) -> Vec<DiskWrite> {
        std::mem::take(&mut self.writes)
    }

    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(|f| f.data.as_slice())
    }

    /// Every file with its contents, by path.
    pub fn files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(p, f)| (p.as_str(), f.data.as_slice()))
    }

    /// The bytes of `path` that would survive a power loss now.
    pub fn synced_len(&self, path: &str) -> usize {
        self.files.get(path).map_or(0, |f| f.synced)
    }

    /// Writes a whole file, durable at once (temp file + fsync + rename).
    pub fn replace(&mut self, path: &str, data: Vec<u8>) {
        if self.record {
            self.writes.push(DiskWrite::Replace { path: path.to_string(), data: data.clone() });
        }
        let synced = data.len();
        self.files.insert(path.to_string(), File { data, synced, pending: VecDeque::new() });
    }

    pub fn remove(&mut self, path: &str) {
        if self.files.remove(path).is_some() && self.record {
            self.writes.push(DiskWrite::Remove { path: path.to_string() });
        }
    }

    /// Appends to `path` (creating it) at `now`, synced per `policy`.
    pub fn append(&mut self, path: &str, bytes: &[u8], now: i64, policy: FsyncPolicy) {
        if bytes.is_empty() {
            return;
        }
        self.catch_up(now, policy);
        if self.record {
            self.writes.push(DiskWrite::Append { path: path.to_string(), data: bytes.to_vec() });
        }
        let file = self.files.entry(path.to_string()).or_default();
        file.data.extend_from_slice(bytes);
        let end = file.data.len();
        match policy {
            FsyncPolicy::Always => {
                file.synced = end;
                file.pending.clear();
            }
            _ => file.pending.push_back((end, now)),
        }
        if policy == FsyncPolicy::EverySec {
            self.catch_up(now, policy);
        }
    }

    /// Brings the synced lengths up to `now`: the fsyncs `everysec` would
    /// have done meanwhile, or the operating system's writeback.
    pub fn catch_up(&mut self, now: i64, policy: FsyncPolicy) {
        match policy {
            FsyncPolicy::Always => {
                for f in self.files.values_mut() {
                    f.synced = f.data.len();
                    f.pending.clear();
                }
            }
            FsyncPolicy::No => {
                for f in self.files.values_mut() {
                    while let Some(&(end, at)) = f.pending.front() {
                        if at.saturating_add(OS_WRITEBACK_MS) > now {
                            break;
                        }
                        f.synced = end;
                        f.pending.pop_front();
                    }
                }
            }
            FsyncPolicy::EverySec => loop {
                let first = self.files.values().filter_map(|f| f.pending.front().map(|p| p.1)).min();
                let Some(first) = first else { break };
                let at = first.max(self.last_fsync_ms.saturating_add(EVERYSEC_MS));
                if at > now {
                    break;
                }
                for f in self.files.values_mut() {
                    while let Some(&(end, t)) = f.pending.front() {
                        if t > at {
                            break;
                        }
                        f.synced = end;
                        f.pending.pop_front();
                    }
                }
                self.last_fsync_ms = at;
            },
        }
    }

    /// A power loss: every file keeps only what had been synced. Returns
    /// the number of bytes lost.
    pub fn crash(&mut self) -> usize {
        let mut lost = 0;
        for f in self.files.values_mut() {
            lost += f.data.len() - f.synced;
            f.data.truncate(f.synced);
            f.pending.clear();
        }
        lost
    }

    /// Replaces the whole disk with `files` (all on stable storage), as a
    /// host found them at start. Records nothing.
    pub fn install(&mut self, files: Vec<(String, Vec<u8>)>) {
        self.files = files
            .into_iter()
            .map(|(p, data)| {
                let synced = data.len();
                (p, File { data, synced, pending: VecDeque::new() })
            })
            .collect();
    }

    /// Cuts `path` to `len` bytes (a truncated AOF tail dropped at load).
    pub fn truncate(&mut self, path: &str, len: usize) {
        if let Some(f) = self.files.get_mut(path) {
            if len < f.data.len() {
                f.data.truncate(len);
                f.synced = f.synced.min(len);
                f.pending.retain(|p| p.0 <= len);
                let data = f.data.clone();
                if self.record {
                    self.writes.push(DiskWrite::Replace { path: path.to_string(), data });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everysec_syncs_at_most_once_a_second() {
        let mut d = Disk::default();
        d.append("a", b"1", 10_000, FsyncPolicy::EverySec);
        assert_eq!(d.synced_len("a"), 1, "the first write after a quiet second is synced at once");
        d.append("a", b"2", 10_200, FsyncPolicy::EverySec);
        d.append("a", b"3", 10_900, FsyncPolicy::EverySec);
        assert_eq!(d.synced_len("a"), 1);
        d.catch_up(11_000, FsyncPolicy::EverySec);
        assert_eq!(d.synced_len("a"), 3);
        d.append("a", b"4", 11_500, FsyncPolicy::EverySec);
        assert_eq!(d.crash(), 1);
        assert_eq!(d.get("a"), Some(&b"123"[..]));
    }

    #[test]
    fn no_leaves_it_to_a_thirty_second_writeback() {
        let mut d = Disk::default();
        d.append("a", b"12", 0, FsyncPolicy::No);
        d.append("a", b"3", 20_000, FsyncPolicy::No);
        d.catch_up(30_000, FsyncPolicy::No);
        assert_eq!(d.synced_len("a"), 2);
        d.replace("b", b"x".to_vec());
        assert_eq!(d.crash(), 1);
    }
}
