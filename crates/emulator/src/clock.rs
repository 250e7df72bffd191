//! The engine's clock. Everything time-dependent (TTLs, blocking timeouts,
//! stream ids, idle times) reads it, so a lesson or a test can pause time,
//! jump forward ("wait 11 seconds") instantly, or follow real time.

/// A source of real time in microseconds since the Unix epoch. Injected so
/// the engine never calls a platform API itself (the browser has no
/// `SystemTime`).
pub type TimeSource = fn() -> i64;

/// Real time from the operating system, for native builds.
pub fn system_time_us() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0)
}

/// Real or virtual time. A clock with a source follows it (plus any
/// offset the user added); paused or manual, it stands still until advanced.
#[derive(Debug, Clone)]
pub struct Clock {
    source: Option<TimeSource>,
    offset_us: i64,
    frozen_at_us: Option<i64>,
    /// While a command runs, the time it started (Redis's command time
    /// snapshot): every check inside one command sees the same instant, and
    /// the platform clock is read once per command instead of many times.
    pinned_us: Option<i64>,
}

impl Clock {
    /// A clock that follows `source`.
    pub fn real(source: TimeSource) -> Clock {
        Clock { source: Some(source), offset_us: 0, frozen_at_us: None, pinned_us: None }
    }

    /// A manual clock standing at `start_ms` (Unix milliseconds) until advanced.
    pub fn manual(start_ms: i64) -> Clock {
        Clock { source: None, offset_us: 0, frozen_at_us: Some(start_ms.saturating_mul(1000)), pinned_us: None }
    }

    /// Current time in microseconds since the Unix epoch (the command's
    /// start while one runs).
    pub fn now_us(&self) -> i64 {
        match self.pinned_us {
            Some(t) => t,
            None => self.live_us(),
        }
    }

    /// The time right now, even while a command runs (for durations).
    pub fn live_us(&self) -> i64 {
        match (self.frozen_at_us, self.source) {
            (Some(t), _) => t,
            (None, Some(src)) => src().saturating_add(self.offset_us),
            (None, None) => 0,
        }
    }

    /// Current time in milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        self.now_us().div_euclid(1000)
    }

    /// Holds the time still for the duration of one command.
    pub fn pin(&mut self) {
        self.pinned_us = Some(self.live_us());
    }

    /// Lets the time move again after a command.
    pub fn unpin(&mut self) {
        self.pinned_us = None;
    }

    /// True when time stands still (paused, or a manual clock).
    pub fn is_paused(&self) -> bool {
        self.frozen_at_us.is_some()
    }

    /// True when the clock shows something other than real time.
    pub fn is_virtual(&self) -> bool {
        self.source.is_none() || self.frozen_at_us.is_some() || self.offset_us != 0
    }

    /// Stops time where it is.
    pub fn pause(&mut self) {
        if self.frozen_at_us.is_none() {
            self.frozen_at_us = Some(self.now_us());
        }
    }

    /// Lets time run again from where it stood (no-op for a manual clock).
    pub fn resume(&mut self) {
        if let (Some(frozen), Some(src)) = (self.frozen_at_us, self.source) {
            self.offset_us = frozen - src();
            self.frozen_at_us = None;
        }
    }

    /// Moves time forward by `ms` milliseconds (negative values are ignored:
    /// time never goes backwards for the engine).
    pub fn advance_ms(&mut self, ms: i64) {
        let us = ms.max(0).saturating_mul(1000);
        match &mut self.frozen_at_us {
            Some(t) => *t = t.saturating_add(us),
            None => self.offset_us = self.offset_us.saturating_add(us),
        }
    }

    /// Goes back to following the source exactly (no offset, not paused).
    pub fn reset_to_real(&mut self) {
        if self.source.is_some() {
            self.frozen_at_us = None;
            self.offset_us = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed() -> i64 {
        5_000_000
    }

    #[test]
    fn manual_clock_moves_only_when_advanced() {
        let mut c = Clock::manual(1_000);
        assert_eq!(c.now_ms(), 1_000);
        c.advance_ms(11_000);
        assert_eq!(c.now_ms(), 12_000);
        c.advance_ms(-5);
        assert_eq!(c.now_ms(), 12_000);
        assert!(c.is_paused());
    }

    #[test]
    fn real_clock_pause_advance_resume() {
        let mut c = Clock::real(fixed);
        assert_eq!(c.now_ms(), 5_000);
        assert!(!c.is_virtual());
        c.pause();
        c.advance_ms(10_000);
        assert_eq!(c.now_ms(), 15_000);
        c.resume();
        assert_eq!(c.now_ms(), 15_000);
        assert!(c.is_virtual());
        c.reset_to_real();
        assert_eq!(c.now_ms(), 5_000);
    }
}
