//! Customer trace numbers (`customerTraceNumber`): the caller's reference for a request, echoed back.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::{Error, check_required};

/// Most characters the vendor accepts in `customerTraceNumber`.
pub const MAX_TRACE_NUMBER_LEN: usize = 30;

/// Validates a caller-given trace number (1 to 30 characters).
pub(crate) fn validate(trace: &str) -> Result<(), Error> {
    check_required("customerTraceNumber", trace, MAX_TRACE_NUMBER_LEN)
}

/// The caller-given trace number once validated, or a generated one.
pub(crate) fn given_or_generated(given: Option<String>) -> Result<String, Error> {
    match given {
        Some(given) => validate(&given).map(|()| given),
        None => Ok(generate_trace_number()),
    }
}

/// A fresh trace number, unique within this process and very likely across processes:
/// `ic` + milliseconds since 1970 (11 hex digits) + a process-wide counter (4 hex) + 32 random bits (8 hex),
/// 25 characters in all.
///
/// ```
/// let a = innovis_client::generate_trace_number();
/// let b = innovis_client::generate_trace_number();
/// assert_ne!(a, b);
/// assert!(a.len() <= 30 && a.starts_with("ic"));
/// ```
pub fn generate_trace_number() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0)
        & 0xFFF_FFFF_FFFF;
    let count = COUNTER.fetch_add(1, Ordering::Relaxed) & 0xFFFF;
    format!("ic{millis:011x}{count:04x}{:08x}", fastrand::u32(..))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_numbers_are_unique_and_short() {
        let all: std::collections::HashSet<String> =
            (0..10_000).map(|_| generate_trace_number()).collect();
        assert_eq!(all.len(), 10_000);
        assert!(all.iter().all(|t| t.len() == 25 && validate(t).is_ok()));
    }
}
