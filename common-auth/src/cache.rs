//! A single-flight token cache around any [`TokenSource`].
//!
//! Shape (after smithy-rs `expiring_cache.rs`, avoiding the google-cloud-rust cache bugs):
//! - the current token sits behind a `std::sync::RwLock` read only long enough to clone it, so
//!   the warm path never waits on a refresh;
//! - a refresh runs in its own spawned task and publishes its result on a `watch` channel, so a
//!   waiting caller that is dropped cannot cancel it, and every waiter gets the same result;
//! - the in-flight slot is cleared when the task ends (even by panicking), so a failure never
//!   poisons the cache: the next call starts a new refresh.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::token::{AccessToken, TokenError, TokenSource};

const DEFAULT_SKEW: Duration = Duration::from_secs(60);
const DEFAULT_MAX_JITTER: Duration = Duration::from_secs(5);
/// Longer lifetimes are clamped so that `Instant` arithmetic cannot overflow.
const MAX_LIFETIME: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

type RefreshResult = Option<Result<AccessToken, TokenError>>;

/// A token held by the cache.
#[derive(Clone)]
struct Cached {
    token: AccessToken,
    /// After this, the token must not be used.
    expires_at: Instant,
    /// From this on, a call starts a background refresh (and still returns this token).
    refresh_at: Instant,
}

/// The refresh currently in flight.
struct Flight {
    id: u64,
    result: watch::Receiver<RefreshResult>,
}

struct Inner {
    source: Box<dyn TokenSource>,
    skew_nanos: AtomicU64,
    max_jitter_nanos: AtomicU64,
    current: RwLock<Option<Cached>>,
    flight: Mutex<Option<Flight>>,
    /// Mirrors `flight.is_some()`, so that callers inside the refresh window can see a refresh
    /// is already running without taking the lock.
    refreshing: AtomicBool,
    next_flight_id: AtomicU64,
}

/// A single-flight cache of access tokens; share it with `Arc` or clone it (clones share one
/// cache).
///
/// - [`token`](Self::token) returns the cached token while it is valid. From `skew` (default
///   60 s) plus a random jitter (up to 5 s) before expiry, a call starts a refresh in the
///   background and still returns the valid token; without a valid token (first call, expired,
///   invalidated) callers wait for the refresh. However many callers ask at once, at most one
///   refresh is in flight and all waiting callers get its result.
/// - A failed refresh never discards a token that is still valid (callers keep getting it) and
///   never poisons the cache: the next call tries again.
/// - The refresh runs in its own Tokio task: a caller dropped mid-refresh does not cancel it and
///   does not hold up the others. The cache therefore needs a Tokio runtime.
/// - [`invalidate`](Self::invalidate) forgets the token, e.g. after a 401.
///
/// For tokens shorter-lived than twice the skew plus jitter, the refresh window is half the
/// lifetime instead, so that a token is used at all.
///
/// ```no_run
/// use common_auth::{ClientCredentials, SecretString, TokenCache};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let cache = TokenCache::new(ClientCredentials::form_basic(
///     "https://auth.example/oauth2/token".parse()?,
///     "my-client-id",
///     SecretString::from("my-client-secret"),
/// ));
/// let token = cache.token().await?;
/// let request = reqwest::Client::new()
///     .get("https://api.example/v1/things")
///     .header(http::header::AUTHORIZATION, token.bearer_header());
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct TokenCache {
    inner: Arc<Inner>,
}

impl TokenCache {
    /// A cache in front of `source`, empty until the first [`token`](Self::token) call.
    ///
    /// ```
    /// # use common_auth::{ClientCredentials, SecretString, TokenCache};
    /// let cache = TokenCache::new(ClientCredentials::form_basic(
    ///     "https://auth.example/token".parse()?, "id", SecretString::from("secret"),
    /// ));
    /// # Ok::<(), url::ParseError>(())
    /// ```
    pub fn new(source: impl TokenSource) -> Self {
        Self {
            inner: Arc::new(Inner {
                source: Box::new(source),
                skew_nanos: AtomicU64::new(nanos(DEFAULT_SKEW)),
                max_jitter_nanos: AtomicU64::new(nanos(DEFAULT_MAX_JITTER)),
                current: RwLock::new(None),
                flight: Mutex::new(None),
                refreshing: AtomicBool::new(false),
                next_flight_id: AtomicU64::new(0),
            }),
        }
    }

    /// Refresh this long before the token expires (default 60 s). Applies to every clone.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use common_auth::{ClientCredentials, SecretString, TokenCache};
    /// # let source = ClientCredentials::form_basic("https://auth.example/token".parse()?, "id", SecretString::from("s"));
    /// let cache = TokenCache::new(source).refresh_skew(Duration::from_secs(120));
    /// # Ok::<(), url::ParseError>(())
    /// ```
    pub fn refresh_skew(self, skew: Duration) -> Self {
        self.inner.skew_nanos.store(nanos(skew), Ordering::Relaxed);
        self
    }

    /// Refresh up to this much earlier still, chosen at random per token (default 5 s), so that
    /// many processes sharing one credential do not all refresh at the same instant.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use common_auth::{ClientCredentials, SecretString, TokenCache};
    /// # let source = ClientCredentials::form_basic("https://auth.example/token".parse()?, "id", SecretString::from("s"));
    /// let cache = TokenCache::new(source).max_jitter(Duration::ZERO);
    /// # Ok::<(), url::ParseError>(())
    /// ```
    pub fn max_jitter(self, jitter: Duration) -> Self {
        self.inner
            .max_jitter_nanos
            .store(nanos(jitter), Ordering::Relaxed);
        self
    }

    /// A valid token: the cached one, or the result of the one refresh in flight, shared by
    /// every caller asking meanwhile.
    ///
    /// Inside the refresh window (the token is due for refresh but still valid) the cached token
    /// is returned at once and the refresh runs in the background, so a slow or failing issuer
    /// never delays callers while a valid token exists. Callers wait only when there is no valid
    /// token; if that refresh fails they get its error (and the next call tries again).
    ///
    /// ```no_run
    /// # use common_auth::{ClientCredentials, SecretString, TokenCache};
    /// # async fn run(cache: TokenCache) -> Result<(), common_auth::TokenError> {
    /// let token = cache.token().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn token(&self) -> Result<AccessToken, TokenError> {
        if let Some(cached) = self.inner.current() {
            let now = Instant::now();
            if now < cached.refresh_at {
                return Ok(cached.token);
            }
            if now < cached.expires_at {
                // Still valid: refresh in the background rather than make callers wait on it.
                // Once that refresh runs, the flag lets every other caller skip the lock.
                if !self.inner.refreshing.load(Ordering::Acquire) {
                    if let Err(error) = self.join_or_start_refresh() {
                        tracing::warn!(%error, "could not start a token refresh");
                    }
                }
                return Ok(cached.token);
            }
        }
        let mut result = match self.join_or_start_refresh()? {
            Joined::Fresh(token) => return Ok(token),
            Joined::Waiting(receiver) => receiver,
        };
        let outcome = match result.wait_for(Option::is_some).await {
            Ok(published) => published.clone().unwrap_or_else(|| Err(task_lost())),
            // The task ended without publishing: it panicked or the runtime is shutting down.
            Err(_) => Err(task_lost()),
        };
        outcome.or_else(|error| match self.inner.current() {
            // Never throw away a token that is still good because a refresh failed.
            Some(still) if Instant::now() < still.expires_at => Ok(still.token),
            _ => Err(error),
        })
    }

    /// Forget the cached token (call after a 401), so that the next [`token`](Self::token)
    /// refreshes.
    ///
    /// ```no_run
    /// # use common_auth::TokenCache;
    /// # async fn run(cache: TokenCache, status: u16) {
    /// if status == 401 {
    ///     cache.invalidate();
    /// }
    /// # }
    /// ```
    pub fn invalidate(&self) {
        *self
            .inner
            .current
            .write()
            .unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// Forget the cached token only if it is still `rejected` (the token a 401 answered), and say
    /// whether it was forgotten.
    ///
    /// When many requests sent with one token get their 401s at once, only the first should drop
    /// it: a late one calling [`invalidate`](Self::invalidate) would throw away the fresh token the
    /// first one already fetched, and cost another token request.
    ///
    /// ```no_run
    /// # use common_auth::TokenCache;
    /// # async fn run(cache: TokenCache) -> Result<(), common_auth::TokenError> {
    /// let token = cache.token().await?;
    /// // ... the server answered 401 to a request sent with `token`:
    /// cache.invalidate_if_current(&token);
    /// let fresh = cache.token().await?;
    /// # Ok(()) }
    /// ```
    pub fn invalidate_if_current(&self, rejected: &AccessToken) -> bool {
        let mut current = self
            .inner
            .current
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let is_rejected = current.as_ref().is_some_and(|cached| {
            let cached = cached.token.secret().expose_secret().as_bytes();
            let rejected = rejected.secret().expose_secret().as_bytes();
            bool::from(cached.ct_eq(rejected))
        });
        if is_rejected {
            *current = None;
        }
        is_rejected
    }

    /// Join the refresh in flight, or start one; or find that one just finished.
    fn join_or_start_refresh(&self) -> Result<Joined, TokenError> {
        let mut flight = self
            .inner
            .flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(running) = flight.as_ref() {
            return Ok(Joined::Waiting(running.result.clone()));
        }
        // A refresh may have finished between our first look and taking the lock: the task
        // stores the token before clearing the slot, so this look sees it.
        if let Some(cached) = self.inner.current() {
            if Instant::now() < cached.refresh_at {
                return Ok(Joined::Fresh(cached.token));
            }
        }
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| TokenError::Transport {
            message: "TokenCache must be used inside a Tokio runtime".into(),
            timed_out: false,
        })?;
        let (sender, receiver) = watch::channel(None);
        let id = self.inner.next_flight_id.fetch_add(1, Ordering::Relaxed);
        *flight = Some(Flight {
            id,
            result: receiver.clone(),
        });
        self.inner.refreshing.store(true, Ordering::Release);
        drop(flight);
        // Made before spawning, so the slot is cleared even if the runtime drops the task
        // unpolled (it is shutting down).
        let guard = ClearFlight {
            inner: Arc::clone(&self.inner),
            id,
        };
        runtime.spawn(async move {
            let inner = &guard.inner;
            let result = inner.source.fetch_token().await;
            match &result {
                Ok(token) => inner.store(token.clone()),
                // Logged here because a background refresh may have no caller waiting for it.
                Err(error) => tracing::warn!(%error, "token refresh failed"),
            }
            // Clear the slot before publishing, so a caller woken by the result that asks
            // again finds the new token or starts afresh, never this finished flight.
            drop(guard);
            // No receiver left is fine: the token is stored for the next caller.
            let _ = sender.send(Some(result));
        });
        Ok(Joined::Waiting(receiver))
    }
}

enum Joined {
    Fresh(AccessToken),
    Waiting(watch::Receiver<RefreshResult>),
}

impl Inner {
    fn current(&self) -> Option<Cached> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn store(&self, token: AccessToken) {
        let now = Instant::now();
        let lifetime = token.lifetime().min(MAX_LIFETIME);
        let skew = Duration::from_nanos(self.skew_nanos.load(Ordering::Relaxed));
        let max_jitter = Duration::from_nanos(self.max_jitter_nanos.load(Ordering::Relaxed));
        let jitter = Duration::from_nanos(fastrand::u64(..=nanos(max_jitter)));
        let early = (skew + jitter).min(lifetime / 2);
        let cached = Cached {
            expires_at: now + lifetime,
            refresh_at: now + (lifetime - early),
            token,
        };
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(cached);
    }
}

/// Clears the in-flight slot when the refresh task ends, however it ends.
struct ClearFlight {
    inner: Arc<Inner>,
    id: u64,
}

impl Drop for ClearFlight {
    fn drop(&mut self) {
        let mut flight = self
            .inner
            .flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if flight.as_ref().is_some_and(|running| running.id == self.id) {
            *flight = None;
            self.inner.refreshing.store(false, Ordering::Release);
        }
    }
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cached = self.inner.current();
        f.debug_struct("TokenCache")
            .field("has_token", &cached.is_some())
            .field(
                "skew",
                &Duration::from_nanos(self.inner.skew_nanos.load(Ordering::Relaxed)),
            )
            .field(
                "max_jitter",
                &Duration::from_nanos(self.inner.max_jitter_nanos.load(Ordering::Relaxed)),
            )
            .finish_non_exhaustive()
    }
}

fn task_lost() -> TokenError {
    TokenError::Transport {
        message: "the token refresh task ended without a result".into(),
        timed_out: false,
    }
}

fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}
