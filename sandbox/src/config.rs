//! How a sandbox behaves: credentials, clocks, callout delivery and faults.

use std::time::Duration;

use common_auth::CalloutAuth;
use url::Url;

use crate::credentials::TestCredentials;

/// The longest Innovis access token lifetime a sandbox issues: 365 days.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// Deliveries of one HouseCanary callout that is never acknowledged: the first and up to 10
/// redeliveries, as the vendor documents ("redelivered up to 10 times, no less than 5 minutes
/// apart"). The sandbox waits [`SandboxConfig::redelivery_interval`] between them.
///
/// ```
/// assert_eq!(credit_valuation_sandbox::CALLOUT_DELIVERIES, 11);
/// ```
pub const CALLOUT_DELIVERIES: u32 = 11;

/// Configuration of a [`Sandbox`](crate::Sandbox), built with its setters from [`Default`].
///
/// Every clock defaults to something fast (tens or hundreds of milliseconds) so that tests and the
/// quickstart finish quickly; the real vendors are much slower (HouseCanary redelivers a callout no
/// sooner than 5 minutes later, Innovis tokens live 8 hours).
///
/// ```
/// use std::time::Duration;
/// use credit_valuation_sandbox::{Faults, SandboxConfig};
///
/// let config = SandboxConfig::default()
///     .token_lifetime(Duration::from_secs(60))
///     .step_interval(Duration::from_millis(20))
///     .redelivery_interval(Duration::from_millis(10))
///     .faults(Faults { latency: Duration::from_millis(5), ..Faults::default() });
/// ```
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    pub(crate) credentials: TestCredentials,
    pub(crate) token_lifetime: Duration,
    pub(crate) callout: Option<CalloutTarget>,
    pub(crate) redelivery_interval: Duration,
    pub(crate) max_delivery_attempts: u32,
    pub(crate) callout_timeout: Duration,
    pub(crate) step_interval: Duration,
    pub(crate) faults: Faults,
    pub(crate) download_url_ttl: Duration,
    pub(crate) page_size: usize,
}

/// Where callouts go and how they prove who sent them.
#[derive(Clone, Debug)]
pub(crate) struct CalloutTarget {
    pub(crate) url: Url,
    pub(crate) auth: CalloutAuth,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            credentials: TestCredentials::default(),
            token_lifetime: Duration::from_secs(3600),
            callout: None,
            redelivery_interval: Duration::from_millis(200),
            max_delivery_attempts: CALLOUT_DELIVERIES,
            callout_timeout: Duration::from_secs(30),
            step_interval: Duration::from_millis(100),
            faults: Faults::default(),
            download_url_ttl: Duration::from_secs(3600),
            page_size: 100,
        }
    }
}

impl SandboxConfig {
    /// Accept these credentials instead of the [`TestCredentials::default`] ones.
    pub fn credentials(mut self, credentials: TestCredentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// Lifetime of issued Innovis access tokens (`expires_in` and the JWT `exp`); default 1 hour,
    /// at most [`MAX_TOKEN_LIFETIME`] (longer values are capped, so that expiry times stay
    /// representable).
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime.min(MAX_TOKEN_LIFETIME);
        self
    }

    /// POST HouseCanary callouts to `url`, authenticated with `auth` (any of the four schemes).
    /// Without a target no callouts are sent.
    pub fn callout_target(mut self, url: Url, auth: CalloutAuth) -> Self {
        self.callout = Some(CalloutTarget { url, auth });
        self
    }

    /// Pause between delivery attempts of one callout that was not acknowledged; default 200 ms
    /// (the vendor waits at least 5 minutes).
    pub fn redelivery_interval(mut self, interval: Duration) -> Self {
        self.redelivery_interval = interval;
        self
    }

    /// Delivery attempts per callout, the first one included; default [`CALLOUT_DELIVERIES`] (11, as
    /// the vendor documents: the first delivery and up to 10 redeliveries).
    /// A value of 0 is treated as 1.
    pub fn max_delivery_attempts(mut self, attempts: u32) -> Self {
        self.max_delivery_attempts = attempts.max(1);
        self
    }

    /// How long one callout attempt may take before it counts as unanswered; default 30 s (the
    /// vendor's rule).
    pub fn callout_timeout(mut self, timeout: Duration) -> Self {
        self.callout_timeout = timeout;
        self
    }

    /// The clock of order processing: one status step (validation, report pending, complete) and one
    /// quarter of an export per interval; default 100 ms.
    pub fn step_interval(mut self, interval: Duration) -> Self {
        self.step_interval = interval;
        self
    }

    /// Inject faults (latency, 5xx and 429 answers, dropped callouts, Innovis inquiries recorded
    /// and then left unanswered); default none. See [`Faults`].
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// How long a signed download URL stays valid after it was handed out; default 1 hour.
    pub fn download_url_ttl(mut self, ttl: Duration) -> Self {
        self.download_url_ttl = ttl;
        self
    }

    /// Default page size of paginated HouseCanary lists (`?page_size=` overrides it per request);
    /// default 100. A value of 0 is treated as 1.
    pub fn page_size(mut self, page_size: usize) -> Self {
        self.page_size = page_size.max(1);
        self
    }
}

/// How long a stalled inquiry keeps its connection open without answering when
/// [`Faults::gateway_stall_duration`] is not set: 120 s, twice the usual client timeout of 60 s.
pub const DEFAULT_GATEWAY_STALL: Duration = Duration::from_secs(120);

/// Faults injected into HTTP answers and callouts, for testing retries and resilience.
///
/// **Before processing**, on every route: each request first waits `latency`, then is answered
/// `503 Service Unavailable` with probability `server_error_rate`, or `429 Too Many Requests` with
/// `Retry-After: 1` with probability `rate_limit_rate`, before it reaches the simulated vendor (so
/// a faulted request had no effect). A callout message is lost entirely (never sent, never
/// redelivered) with probability `drop_callout_rate`.
///
/// **After processing**, on the Innovis gateway only: an inquiry the gateway accepted is recorded
/// exactly like an answered one (its report can be used for SECONDUSE, it is counted in
/// [`SandboxStats::inquiries_recorded`](crate::SandboxStats::inquiries_recorded) and listed by
/// [`Sandbox::innovis_inquiries`](crate::Sandbox::innovis_inquiries)), and then, instead of the
/// report, the client gets:
/// - with probability `gateway_drop_after_recording_rate`, a closed connection and no answer;
/// - with probability `gateway_504_after_recording_rate`, `504 Gateway Timeout` with an
///   `errorMessage` body;
/// - with probability `gateway_stall_after_recording_rate`, nothing for `gateway_stall_duration`,
///   then a closed connection (no answer ever comes).
///
/// A request the gateway rejects (`400`, `401`) is never faulted after processing: nothing was
/// recorded. Rates are between 0.0 and 1.0; the rates of one group are cumulative, so rate 1.0
/// means always. Defaults: no latency, every rate 0.0, a stall of [`DEFAULT_GATEWAY_STALL`].
///
/// ```
/// use std::time::Duration;
/// let faults = credit_valuation_sandbox::Faults {
///     latency: Duration::from_millis(50),
///     server_error_rate: 0.1,
///     rate_limit_rate: 0.1,
///     drop_callout_rate: 0.0,
///     gateway_drop_after_recording_rate: 0.05,
///     gateway_504_after_recording_rate: 0.05,
///     gateway_stall_after_recording_rate: 0.05,
///     gateway_stall_duration: Duration::from_secs(90),
/// };
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Faults {
    /// Added before every answer.
    pub latency: Duration,
    /// Share of requests answered `503`.
    pub server_error_rate: f64,
    /// Share of requests answered `429` with `Retry-After: 1`.
    pub rate_limit_rate: f64,
    /// Share of callout messages never delivered.
    pub drop_callout_rate: f64,
    /// Share of recorded Innovis inquiries whose connection is closed without an answer.
    pub gateway_drop_after_recording_rate: f64,
    /// Share of recorded Innovis inquiries answered `504 Gateway Timeout`.
    pub gateway_504_after_recording_rate: f64,
    /// Share of recorded Innovis inquiries left unanswered for `gateway_stall_duration`, after
    /// which the connection is closed.
    pub gateway_stall_after_recording_rate: f64,
    /// How long a stalled inquiry stays unanswered; choose it longer than the client's timeout.
    pub gateway_stall_duration: Duration,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            latency: Duration::ZERO,
            server_error_rate: 0.0,
            rate_limit_rate: 0.0,
            drop_callout_rate: 0.0,
            gateway_drop_after_recording_rate: 0.0,
            gateway_504_after_recording_rate: 0.0,
            gateway_stall_after_recording_rate: 0.0,
            gateway_stall_duration: DEFAULT_GATEWAY_STALL,
        }
    }
}
