//! Counters of what a sandbox did, for assertions in tests.

use std::sync::atomic::{AtomicU64, Ordering};

/// A snapshot of a sandbox's counters, from [`Sandbox::stats`](crate::Sandbox::stats).
///
/// ```no_run
/// # async fn demo() -> Result<(), credit_valuation_sandbox::SandboxError> {
/// let sandbox = credit_valuation_sandbox::Sandbox::start().await?;
/// let stats = sandbox.stats();
/// assert_eq!(stats.token_requests, 0);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SandboxStats {
    /// Requests to the Innovis token endpoint (successful or not).
    pub token_requests: u64,
    /// Requests to the Innovis gateway endpoint (successful or not).
    pub gateway_requests: u64,
    /// HouseCanary orders created.
    pub orders_created: u64,
    /// Callout HTTP attempts, redeliveries included.
    pub callouts_attempted: u64,
    /// Callout messages acknowledged with a 2xx.
    pub callouts_acknowledged: u64,
    /// Callout messages lost on purpose by the `drop_callout_rate` fault.
    pub callouts_dropped: u64,
    /// Callout messages abandoned after the last delivery attempt failed.
    pub callouts_given_up: u64,
    /// Requests answered with an injected 503 or 429 (before processing).
    pub faults_injected: u64,
    /// Innovis inquiries the gateway processed and recorded, whatever the client was given.
    pub inquiries_recorded: u64,
    /// Recorded Innovis inquiries whose answer a fault replaced (dropped connection, 504, stall).
    pub faults_after_recording: u64,
}

/// The live counters behind [`SandboxStats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) token_requests: AtomicU64,
    pub(crate) gateway_requests: AtomicU64,
    pub(crate) orders_created: AtomicU64,
    pub(crate) callouts_attempted: AtomicU64,
    pub(crate) callouts_acknowledged: AtomicU64,
    pub(crate) callouts_dropped: AtomicU64,
    pub(crate) callouts_given_up: AtomicU64,
    pub(crate) faults_injected: AtomicU64,
    pub(crate) inquiries_recorded: AtomicU64,
    pub(crate) faults_after_recording: AtomicU64,
}

impl Counters {
    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> SandboxStats {
        let read = |c: &AtomicU64| c.load(Ordering::Relaxed);
        SandboxStats {
            token_requests: read(&self.token_requests),
            gateway_requests: read(&self.gateway_requests),
            orders_created: read(&self.orders_created),
            callouts_attempted: read(&self.callouts_attempted),
            callouts_acknowledged: read(&self.callouts_acknowledged),
            callouts_dropped: read(&self.callouts_dropped),
            callouts_given_up: read(&self.callouts_given_up),
            faults_injected: read(&self.faults_injected),
            inquiries_recorded: read(&self.inquiries_recorded),
            faults_after_recording: read(&self.faults_after_recording),
        }
    }
}
