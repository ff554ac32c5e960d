//! Benchmark: the `TokenCache` warm path, and callers during a slow refresh.
//!
//! Baseline: the naive design, a `tokio::sync::Mutex` around the token that is held while
//! checking expiry and, when due, while fetching the next token.
//!
//! 1. Warm path: `TASKS` tasks × `CALLS` calls each on a multi-thread runtime with a valid cached
//!    token. Target: cache time ≤ baseline time.
//! 2. Refresh in flight: the token is inside its refresh window (still valid) and the issuer
//!    takes `REFRESH_DELAY` to answer. Callers run for `WINDOW`, which ends before the refresh
//!    does; count the calls that complete. Target: the cache keeps at least half its warm rate;
//!    the naive design completes none (every caller waits behind the fetch).
//!
//! Ratios, not absolute times: these machines are noisy. Exits non-zero only on a gross miss.

use std::hint::black_box;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use common_auth::{AccessToken, BoxFuture, SecretString, TokenCache, TokenError, TokenSource};

const TASKS: usize = 8;
const CALLS: usize = 100_000;
const WARM_REPETITIONS: usize = 5;
const WINDOW_REPETITIONS: usize = 3;
/// Tokens handed out first live this long; both designs refresh from half of it on.
const SHORT_LIFETIME: Duration = Duration::from_secs(2);
/// How long after priming the callers start: inside the refresh window, before expiry.
const INTO_REFRESH_WINDOW: Duration = Duration::from_millis(1_100);
const REFRESH_DELAY: Duration = Duration::from_millis(600);
const WINDOW: Duration = Duration::from_millis(300);
/// Callers yield now and then so the runtime can run the refresh task and its timer.
const YIELD_EVERY: usize = 256;

/// Target cache ≤ baseline; fail only above this.
const WARM_FAIL_ABOVE: f64 = 2.0;
/// Target ≥ 0.5 of the warm rate during a refresh; fail only below this.
const WINDOW_FAIL_BELOW: f64 = 0.1;

fn main() -> ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    runtime.block_on(run())
}

async fn run() -> ExitCode {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let mut failed = false;

    // 1. Warm path.
    let cache = TokenCache::new(Scripted::instant(Duration::from_secs(3600)));
    cache.token().await.expect("priming the cache");
    let naive = NaiveCache::new(Scripted::instant(Duration::from_secs(3600)));
    naive.token().await;
    let mut cache_times = Vec::new();
    let mut naive_times = Vec::new();
    for _ in 0..WARM_REPETITIONS {
        // Alternate, so that background noise hits both alike.
        cache_times.push(warm_run(Cached(cache.clone())).await);
        naive_times.push(warm_run(Arc::clone(&naive)).await);
    }
    let cache_warm = median(cache_times);
    let naive_warm = median(naive_times);
    let warm_ratio = cache_warm.as_secs_f64() / naive_warm.as_secs_f64();
    let per_call = |d: Duration| d.as_nanos() as f64 / (TASKS * CALLS) as f64;
    println!(
        "token_cache: {threads} cores, multi-thread runtime, {TASKS} tasks x {CALLS} calls, median of {WARM_REPETITIONS}"
    );
    println!("  {:<46} {:>11} {:>11}", "warm path", "total", "per call");
    println!(
        "  {:<46} {:>8.1} ms {:>8.0} ns",
        "TokenCache::token()",
        cache_warm.as_secs_f64() * 1e3,
        per_call(cache_warm)
    );
    println!(
        "  {:<46} {:>8.1} ms {:>8.0} ns",
        "baseline: Arc<tokio::sync::Mutex<token>>",
        naive_warm.as_secs_f64() * 1e3,
        per_call(naive_warm)
    );
    println!(
        "  ratio cache / baseline: {warm_ratio:.2} (target <= 1.00; fails above {WARM_FAIL_ABOVE:.2})"
    );
    if warm_ratio > WARM_FAIL_ABOVE {
        println!("  FAIL: the warm path is grossly slower than the naive mutex");
        failed = true;
    }

    // 2. Callers while a slow refresh is in flight.
    let mut steady = Vec::new();
    let mut during = Vec::new();
    let mut naive_during = Vec::new();
    let mut refresh_outlasted_window = true;
    for _ in 0..WINDOW_REPETITIONS {
        steady.push(window_run(Cached(cache.clone())).await);

        let source = Scripted::slow_refresh();
        let probe = source.probe();
        let cache = TokenCache::new(source).max_jitter(Duration::ZERO);
        let primed = Instant::now();
        cache.token().await.expect("priming the cache");
        tokio::time::sleep_until((primed + INTO_REFRESH_WINDOW).into()).await;
        let outcome = window_run(Cached(cache.clone())).await;
        refresh_outlasted_window &= probe.in_flight_through(outcome.ended);
        during.push(outcome);

        let source = Scripted::slow_refresh();
        let naive = NaiveCache::new(source);
        let primed = Instant::now();
        naive.token().await;
        tokio::time::sleep_until((primed + INTO_REFRESH_WINDOW).into()).await;
        naive_during.push(window_run(Arc::clone(&naive)).await);
    }
    let steady = median_window(&steady);
    let during = median_window(&during);
    let naive_during = median_window(&naive_during);
    let keep_ratio = during.calls as f64 / steady.calls.max(1) as f64;
    println!(
        "  refresh in flight: issuer answers after {} ms; calls completed in a {} ms window, median of {WINDOW_REPETITIONS}",
        REFRESH_DELAY.as_millis(),
        WINDOW.as_millis()
    );
    println!(
        "  {:<46} {:>11} {:>15}",
        "design / situation", "calls", "slowest call"
    );
    for (label, outcome) in [
        ("TokenCache, no refresh due", &steady),
        ("TokenCache, refresh in flight", &during),
        ("baseline mutex, refresh in flight", &naive_during),
    ] {
        println!(
            "  {:<46} {:>11} {:>12.3} ms",
            label,
            outcome.calls,
            outcome.slowest.as_secs_f64() * 1e3
        );
    }
    println!(
        "  ratio cache calls during refresh / cache warm: {keep_ratio:.2} (target >= 0.50; fails below {WINDOW_FAIL_BELOW:.2})"
    );
    println!(
        "  ratio cache / baseline calls during refresh: {}",
        if naive_during.calls == 0 {
            format!("{} / 0 (the baseline completed none)", during.calls)
        } else {
            format!("{:.0}", during.calls as f64 / naive_during.calls as f64)
        }
    );
    if !refresh_outlasted_window {
        println!(
            "  NOTE: a refresh finished inside the window; the figures above understate the effect"
        );
    }
    if keep_ratio < WINDOW_FAIL_BELOW {
        println!("  FAIL: callers were held up by the refresh");
        failed = true;
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// One design under test; each task holds its own clone, so no per-call `Arc` traffic.
trait Caller: Clone + Send + Sync + 'static {
    fn call(&self) -> impl Future<Output = ()> + Send + '_;
}

#[derive(Clone)]
struct Cached(TokenCache);

impl Caller for Cached {
    async fn call(&self) {
        black_box(self.0.token().await.expect("a valid token"));
    }
}

impl Caller for Arc<NaiveCache> {
    async fn call(&self) {
        black_box(self.token().await);
    }
}

/// Runs `TASKS` tasks making `CALLS` calls each; returns the wall time.
async fn warm_run(caller: impl Caller) -> Duration {
    let start = Instant::now();
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let caller = caller.clone();
            tokio::spawn(async move {
                for index in 0..CALLS {
                    caller.call().await;
                    if index % YIELD_EVERY == 0 {
                        tokio::task::yield_now().await;
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("a benchmark task");
    }
    start.elapsed()
}

#[derive(Clone, Copy)]
struct WindowOutcome {
    /// Calls that completed before the window closed, over all tasks.
    calls: usize,
    /// The longest single call seen (including calls that ended after the window).
    slowest: Duration,
    ended: Instant,
}

/// Runs `TASKS` tasks calling for `WINDOW`; counts the calls that complete inside it.
async fn window_run(caller: impl Caller) -> WindowOutcome {
    let deadline = Instant::now() + WINDOW;
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let caller = caller.clone();
            tokio::spawn(async move {
                let mut calls = 0_usize;
                let mut slowest = Duration::ZERO;
                loop {
                    let start = Instant::now();
                    if start >= deadline {
                        break;
                    }
                    caller.call().await;
                    let end = Instant::now();
                    slowest = slowest.max(end - start);
                    if end <= deadline {
                        calls += 1;
                    }
                    if calls % YIELD_EVERY == 0 {
                        tokio::task::yield_now().await;
                    }
                }
                (calls, slowest)
            })
        })
        .collect();
    let mut outcome = WindowOutcome {
        calls: 0,
        slowest: Duration::ZERO,
        ended: deadline,
    };
    for task in tasks {
        let (calls, slowest) = task.await.expect("a benchmark task");
        outcome.calls += calls;
        outcome.slowest = outcome.slowest.max(slowest);
    }
    outcome
}

/// A token source whose first token is handed out at once and lives `first_lifetime`; later
/// fetches take `refresh_delay` and hand out a one-hour token.
struct Scripted {
    fetches: AtomicUsize,
    first_lifetime: Duration,
    refresh_delay: Duration,
    probe: Arc<Probe>,
}

/// When the (last) slow fetch started and finished.
#[derive(Default)]
struct Probe {
    started: Mutex<Option<Instant>>,
    finished: Mutex<Option<Instant>>,
}

impl Probe {
    /// True if a slow fetch had started and had not finished by `instant`.
    fn in_flight_through(&self, instant: Instant) -> bool {
        let started = *self.started.lock().unwrap_or_else(PoisonError::into_inner);
        let finished = *self.finished.lock().unwrap_or_else(PoisonError::into_inner);
        started.is_some() && finished.is_none_or(|end| end >= instant)
    }
}

impl Scripted {
    fn instant(lifetime: Duration) -> Self {
        Self {
            fetches: AtomicUsize::new(0),
            first_lifetime: lifetime,
            refresh_delay: Duration::ZERO,
            probe: Arc::default(),
        }
    }

    fn slow_refresh() -> Self {
        Self {
            refresh_delay: REFRESH_DELAY,
            ..Self::instant(SHORT_LIFETIME)
        }
    }

    fn probe(&self) -> Arc<Probe> {
        Arc::clone(&self.probe)
    }
}

impl TokenSource for Scripted {
    fn fetch_token(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
        Box::pin(async move {
            let number = self.fetches.fetch_add(1, Ordering::SeqCst);
            let value = SecretString::from(format!("bench-token-{number}"));
            if number == 0 {
                return Ok(AccessToken::new(value, self.first_lifetime));
            }
            *self
                .probe
                .started
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
            tokio::time::sleep(self.refresh_delay).await;
            *self
                .probe
                .finished
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
            Ok(AccessToken::new(value, Duration::from_secs(3600)))
        })
    }
}

/// The naive design: one async mutex, held while checking and, when due, while refreshing.
struct NaiveCache {
    source: Scripted,
    state: tokio::sync::Mutex<Option<(AccessToken, Instant)>>,
}

impl NaiveCache {
    fn new(source: Scripted) -> Arc<Self> {
        Arc::new(Self {
            source,
            state: tokio::sync::Mutex::new(None),
        })
    }

    async fn token(&self) -> AccessToken {
        let mut state = self.state.lock().await;
        match state.as_ref() {
            Some((token, refresh_at)) if Instant::now() < *refresh_at => token.clone(),
            _ => {
                let token = self
                    .source
                    .fetch_token()
                    .await
                    .expect("the scripted source never fails");
                // Same rule as the cache for short tokens: refresh from half the lifetime on.
                let refresh_at = Instant::now() + token.lifetime() / 2;
                *state = Some((token.clone(), refresh_at));
                token
            }
        }
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn median_window(outcomes: &[WindowOutcome]) -> WindowOutcome {
    let mut sorted = outcomes.to_vec();
    sorted.sort_by_key(|outcome| outcome.calls);
    sorted[sorted.len() / 2]
}
