//! The data directory: the engine's [`DiskWrite`]s made real.
//!
//! Whole files (RDB saves, AOF base files, the manifest) are replaced
//! atomically: a temporary file in the same directory is written and
//! fsynced, renamed over the old one, and the directory is fsynced so the
//! rename itself survives a power loss. AOF appends go to open files and
//! are fsynced per `appendfsync`: `always` before the replies of the
//! commands that wrote them are sent, `everysec` by a background task once
//! a second ([`DiskHost::take_unsynced`]), `no` never (the OS decides).

use std::collections::{HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use redis_emulator::disk::{DiskWrite, FsyncPolicy};
use redis_emulator::Config;

pub struct DiskHost {
    dir: PathBuf,
    /// AOF files open for appending, by path relative to `dir`.
    open: HashMap<String, File>,
    /// Files appended to since their last fsync (`everysec`).
    unsynced: HashSet<String>,
}

/// A relative path from the engine, checked to stay inside the directory.
fn inside(dir: &Path, path: &str) -> io::Result<PathBuf> {
    let rel = Path::new(path);
    let safe = rel.components().all(|c| matches!(c, std::path::Component::Normal(_)));
    if !safe || path.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("refusing to write outside the directory: {path}"),
        ));
    }
    Ok(dir.join(rel))
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Fsyncs each file (the `everysec` background task).
pub fn sync_files(files: Vec<File>) {
    for f in files {
        if let Err(e) = f.sync_data() {
            eprintln!("# Error fsyncing the append only file: {e}");
        }
    }
}

impl DiskHost {
    /// Uses `dir`, creating it if needed.
    pub fn open(dir: &Path) -> io::Result<DiskHost> {
        fs::create_dir_all(dir)?;
        Ok(DiskHost { dir: dir.to_path_buf(), open: HashMap::new(), unsynced: HashSet::new() })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The files a start may load, relative to the directory: the RDB file
    /// (`dbfilename`) and everything in `appenddirname`.
    pub fn read_files(&self, config: &Config) -> io::Result<Vec<(String, Vec<u8>)>> {
        let get = |name: &str, default: &str| config.extra.get(name).cloned().unwrap_or_else(|| default.to_string());
        let mut out = Vec::new();
        let rdb = get("dbfilename", "dump.rdb");
        match fs::read(inside(&self.dir, &rdb)?) {
            Ok(data) => out.push((rdb, data)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let aof_dir = get("appenddirname", "appendonlydir");
        let entries = match fs::read_dir(inside(&self.dir, &aof_dir)?) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            if !entry.file_type()?.is_file() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            out.push((format!("{aof_dir}/{name}"), fs::read(entry.path())?));
        }
        Ok(out)
    }

    /// Applies the engine's writes in order; with `always`, every file
    /// appended to is fsynced before this returns.
    pub fn apply(&mut self, writes: Vec<DiskWrite>, policy: FsyncPolicy) -> io::Result<()> {
        let mut appended = HashSet::new();
        for w in writes {
            match w {
                DiskWrite::Replace { path, data } => self.replace(&path, &data)?,
                DiskWrite::Append { path, data } => {
                    self.append(&path, &data)?;
                    appended.insert(path);
                }
                DiskWrite::Remove { path } => {
                    self.open.remove(&path);
                    self.unsynced.remove(&path);
                    let full = inside(&self.dir, &path)?;
                    match fs::remove_file(&full) {
                        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                        _ => {}
                    }
                }
            }
        }
        match policy {
            FsyncPolicy::Always => {
                for path in &appended {
                    if let Some(f) = self.open.get(path) {
                        f.sync_data()?;
                    }
                }
            }
            FsyncPolicy::EverySec => self.unsynced.extend(appended),
            FsyncPolicy::No => {}
        }
        Ok(())
    }

    fn replace(&mut self, path: &str, data: &[u8]) -> io::Result<()> {
        self.open.remove(path);
        self.unsynced.remove(path);
        let full = inside(&self.dir, path)?;
        let parent = full.parent().map(Path::to_path_buf).unwrap_or_else(|| self.dir.clone());
        let created = !parent.exists();
        fs::create_dir_all(&parent)?;
        if created {
            sync_dir(&self.dir)?;
        }
        let name = full.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let temp = parent.join(format!("temp-{}-{name}", std::process::id()));
        let mut f = File::create(&temp)?;
        f.write_all(data)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&temp, &full)?;
        sync_dir(&parent)
    }

    fn append(&mut self, path: &str, data: &[u8]) -> io::Result<()> {
        if !self.open.contains_key(path) {
            let full = inside(&self.dir, path)?;
            if let Some(parent) = full.parent() {
                fs::create_dir_all(parent)?;
            }
            let f = OpenOptions::new().create(true).append(true).open(&full)?;
            self.open.insert(path.to_string(), f);
        }
        match self.open.get_mut(path) {
            Some(f) => f.write_all(data),
            None => Ok(()),
        }
    }

    /// The files appended to since the last call, as handles a background
    /// task can fsync (`everysec`).
    pub fn take_unsynced(&mut self) -> Vec<File> {
        let paths: Vec<String> = self.unsynced.drain().collect();
        paths.iter().filter_map(|p| self.open.get(p).and_then(|f| f.try_clone().ok())).collect()
    }

    /// Fsyncs every open file (SHUTDOWN).
    pub fn sync_all(&mut self) -> io::Result<()> {
        for f in self.open.values() {
            f.sync_data()?;
        }
        self.unsynced.clear();
        Ok(())
    }
}
