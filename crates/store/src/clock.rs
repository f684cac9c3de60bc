//! Time: instants are `i64` microseconds since the Unix epoch (what the schema stores), read from a
//! [`Clock`] the [`crate::Store`] holds, so tests can set the time instead of sleeping. Calendar
//! dates come from the `time` crate; there is no calendar arithmetic of our own.

use std::{
    sync::atomic::{AtomicI64, Ordering},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

/// Where the store reads the current time.
pub trait Clock: Send + Sync {
    /// Microseconds since the Unix epoch.
    fn now_micros(&self) -> i64;
}

/// The system's wall clock; what [`crate::Store::open`] uses.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_micros(&self) -> i64 {
        now_micros()
    }
}

/// A clock that stands still until told otherwise, for tests: sessions expire when it is advanced,
/// not after a sleep.
#[derive(Debug, Default)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    /// A clock showing `micros` (Unix µs).
    pub fn new(micros: i64) -> ManualClock {
        ManualClock(AtomicI64::new(micros))
    }

    /// Sets the time.
    pub fn set(&self, micros: i64) {
        self.0.store(micros, Ordering::SeqCst);
    }

    /// Moves the time forward by `by`.
    pub fn advance(&self, by: Duration) {
        self.0.fetch_add(i64::try_from(by.as_micros()).unwrap_or(i64::MAX), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_micros(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Microseconds since the Unix epoch, from the system clock. For callers outside the store; the
/// store's own code reads its [`Clock`] (so a test's [`ManualClock`] governs it).
pub fn now_micros() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros() as i64)
}

/// YYYY-MM-DD (UTC) of a time in microseconds; a time outside the years −9999…9999 is written as
/// the number it is, with its unit.
pub fn civil_date(micros: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000) {
        Ok(t) => format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()),
        Err(_) => format!("{micros} µs after 1970 (out of the calendar's range)"),
    }
}

/// RFC 3339 UTC time (`YYYY-MM-DDTHH:MM:SSZ`) of a time in Unix seconds; a time outside the years
/// −9999…9999 is written as the number it is, with its unit.
pub fn utc_rfc3339(seconds: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(seconds) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        Err(_) => format!("{seconds} s after 1970 (out of the calendar's range)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(-1), "1969-12-31");
        assert_eq!(civil_date(1_709_251_199_000_000), "2024-02-29");
        assert_eq!(civil_date(1_709_251_200_000_000), "2024-03-01");
        assert_eq!(civil_date(951_782_400_000_000), "2000-02-29");
        assert!(civil_date(i64::MAX).contains("out of the calendar's range"));
        assert!(civil_date(i64::MIN).contains("out of the calendar's range"));
        assert_eq!(utc_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_rfc3339(1_709_251_199), "2024-02-29T23:59:59Z");
        assert_eq!(utc_rfc3339(-1), "1969-12-31T23:59:59Z");
        assert!(utc_rfc3339(i64::MAX).contains("out of the calendar's range"));
    }

    #[test]
    fn manual_clock() {
        let clock = ManualClock::new(10);
        assert_eq!(clock.now_micros(), 10);
        clock.advance(Duration::from_millis(2));
        assert_eq!(clock.now_micros(), 2010);
        clock.set(-5);
        assert_eq!(clock.now_micros(), -5);
    }
}
