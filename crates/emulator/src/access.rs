//! Access metadata kept per key for eviction: Redis's 24-bit LRU clock
//! (seconds) or, under an LFU policy, a 16-bit "last decrement" time in
//! minutes plus an 8-bit logarithmic access counter.

use crate::config::EvictionPolicy;
use crate::db::Entry;

/// Initial LFU counter of a new key, so new keys are not evicted at once.
pub const LFU_INIT_VAL: u32 = 5;
const LRU_CLOCK_MAX: u32 = (1 << 24) - 1;

/// Redis's LRU clock: seconds, wrapping at 24 bits.
pub fn lru_clock(now_ms: i64) -> u32 {
    ((now_ms / 1000) as u64 & LRU_CLOCK_MAX as u64) as u32
}

/// Minutes, wrapping at 16 bits (LFU decay time base).
pub fn lfu_minutes(now_ms: i64) -> u32 {
    ((now_ms / 60_000) as u64 & 0xFFFF) as u32
}

/// Milliseconds since the key was last accessed (OBJECT IDLETIME, LRU pool).
pub fn idle_ms(access: u32, now_ms: i64) -> u64 {
    let now = lru_clock(now_ms);
    let secs = if now >= access { now - access } else { LRU_CLOCK_MAX - access + now };
    secs as u64 * 1000
}

/// Sets the access data of a newly created key.
pub fn init(entry: &mut Entry, now_ms: i64, policy: EvictionPolicy) {
    entry.access = if policy.is_lfu() { (lfu_minutes(now_ms) << 8) | LFU_INIT_VAL } else { lru_clock(now_ms) };
}

/// Redis's `objectSetLRUOrLFU`, for RESTORE's IDLETIME/FREQ and an RDB
/// file's IDLE/FREQ records: the LFU counter under an LFU policy, the idle
/// time under the others; what does not apply is ignored.
pub fn restore(entry: &mut Entry, now_ms: i64, policy: EvictionPolicy, idle_secs: Option<u64>, freq: Option<u8>) {
    match (policy.is_lfu(), freq, idle_secs) {
        (true, Some(freq), _) => entry.access = (lfu_minutes(now_ms) << 8) | freq as u32,
        (false, _, Some(idle)) => {
            let clock = lru_clock(now_ms) as i64;
            let at = clock - idle.min(i64::MAX as u64) as i64;
            let max = LRU_CLOCK_MAX as i64;
            entry.access = (if at < 0 { (clock + max / 2) % max } else { at }) as u32;
        }
        _ => {}
    }
}

/// The LFU counter after applying decay for the minutes elapsed.
pub fn lfu_decayed_counter(access: u32, now_ms: i64, decay_time: u32) -> u32 {
    let last = access >> 8;
    let counter = access & 255;
    let now = lfu_minutes(now_ms);
    let elapsed = if now >= last { now - last } else { 65535 - last + now };
    let periods = elapsed.checked_div(decay_time).unwrap_or(0);
    counter.saturating_sub(periods)
}

/// Probabilistic logarithmic increment: the higher the counter, the less
/// likely one more access raises it (`r` is uniform in [0, 1)).
pub fn lfu_log_incr(counter: u32, log_factor: u32, r: f64) -> u32 {
    if counter >= 255 {
        return 255;
    }
    let base = counter.saturating_sub(LFU_INIT_VAL) as f64;
    let p = 1.0 / (base * log_factor as f64 + 1.0);
    if r < p {
        counter + 1
    } else {
        counter
    }
}

/// Records an access (Redis's `updateLFU` / LRU clock refresh).
pub fn touch(entry: &mut Entry, now_ms: i64, policy: EvictionPolicy, log_factor: u32, decay_time: u32, r: f64) {
    if policy.is_lfu() {
        let counter = lfu_decayed_counter(entry.access, now_ms, decay_time);
        let counter = lfu_log_incr(counter, log_factor, r);
        entry.access = (lfu_minutes(now_ms) << 8) | counter;
    } else {
        entry.access = lru_clock(now_ms);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lfu_counter_grows_logarithmically_and_decays() {
        assert_eq!(lfu_log_incr(5, 10, 0.99), 6, "at the initial value every hit counts");
        assert_eq!(lfu_log_incr(105, 10, 0.01), 105, "p = 1/1001");
        assert_eq!(lfu_log_incr(255, 10, 0.0), 255);
        let access = (10 << 8) | 20;
        assert_eq!(lfu_decayed_counter(access, 10 * 60_000, 1), 20);
        assert_eq!(lfu_decayed_counter(access, 15 * 60_000, 1), 15);
        assert_eq!(lfu_decayed_counter(access, 15 * 60_000, 0), 20);
        assert_eq!(lfu_decayed_counter(access, 100 * 60_000, 1), 0);
    }

    #[test]
    fn idle_time_in_seconds_resolution() {
        let access = lru_clock(10_000);
        assert_eq!(idle_ms(access, 15_500), 5_000);
    }
}
