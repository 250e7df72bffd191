//! The slow log: commands whose execution took at least
//! `slowlog-log-slower-than` microseconds, newest first, at most
//! `slowlog-max-len` entries (SLOWLOG GET / LEN / RESET).

use std::collections::VecDeque;

/// Most arguments kept per entry; the last slot says how many were left out.
const MAX_ARGC: usize = 32;
/// Longest argument kept; the rest is summarised.
const MAX_ARG_LEN: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlowLogEntry {
    pub id: u64,
    /// Unix seconds when the command ran.
    pub time_s: i64,
    pub duration_us: u64,
    pub argv: Vec<Vec<u8>>,
    pub client_addr: String,
    pub client_name: Vec<u8>,
}

#[derive(Debug, Clone, Default)]
pub struct SlowLog {
    entries: VecDeque<SlowLogEntry>,
    next_id: u64,
}

/// Shortens argv the way Redis stores it in a slow log entry.
fn trim_argv(argv: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let keep = if argv.len() > MAX_ARGC { MAX_ARGC - 1 } else { argv.len() };
    let mut out: Vec<Vec<u8>> = argv[..keep]
        .iter()
        .map(|a| {
            if a.len() > MAX_ARG_LEN {
                let mut s = a[..MAX_ARG_LEN].to_vec();
                s.extend_from_slice(format!("... ({} more bytes)", a.len() - MAX_ARG_LEN).as_bytes());
                s
            } else {
                a.clone()
            }
        })
        .collect();
    if argv.len() > MAX_ARGC {
        out.push(format!("... ({} more arguments)", argv.len() - keep).into_bytes());
    }
    out
}

impl SlowLog {
    /// Records a command if it was slow enough (`threshold_us` < 0 disables).
    #[allow(clippy::too_many_arguments)]
    pub fn record(
        &mut self,
        threshold_us: i64,
        max_len: u64,
        argv: &[Vec<u8>],
        duration_us: u64,
        time_s: i64,
        client_addr: &str,
        client_name: &[u8],
    ) {
        if threshold_us < 0 || (duration_us as i128) < threshold_us as i128 {
            return;
        }
        self.entries.push_front(SlowLogEntry {
            id: self.next_id,
            time_s,
            duration_us,
            argv: trim_argv(argv),
            client_addr: client_addr.to_string(),
            client_name: client_name.to_vec(),
        });
        self.next_id += 1;
        self.trim(max_len);
    }

    /// Drops the oldest entries beyond `max_len`.
    pub fn trim(&mut self, max_len: u64) {
        while self.entries.len() as u64 > max_len {
            self.entries.pop_back();
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn reset(&mut self) {
        self.entries.clear();
    }

    /// Newest first.
    pub fn entries(&self) -> impl Iterator<Item = &SlowLogEntry> {
        self.entries.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_commands_are_summarised() {
        let mut argv: Vec<Vec<u8>> = (0..40).map(|i| format!("a{i}").into_bytes()).collect();
        argv[1] = vec![b'x'; 200];
        let t = trim_argv(&argv);
        assert_eq!(t.len(), 32);
        assert_eq!(t[31], b"... (9 more arguments)".to_vec());
        assert!(t[1].ends_with(b"... (72 more bytes)"));
    }

    #[test]
    fn threshold_and_max_len() {
        let mut log = SlowLog::default();
        log.record(-1, 10, &[b"get".to_vec()], 100, 0, "a", b"");
        assert_eq!(log.len(), 0);
        for _ in 0..5 {
            log.record(0, 3, &[b"get".to_vec()], 0, 0, "a", b"");
        }
        assert_eq!(log.len(), 3);
        assert_eq!(log.entries().next().map(|e| e.id), Some(4));
    }
}
