//! `TokenCache`: single flight, early refresh, expiry, failures, invalidation, cancellation.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common_auth::{
    AccessToken, BoxFuture, ExposeSecret, SecretString, TokenCache, TokenError, TokenSource,
};
use serde_json::json;
use tokio::sync::Semaphore;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{innovis_credentials, rfc6749_credentials};

/// A source that hands out scripted results, counts calls, and can be held at a gate.
#[derive(Clone)]
struct Scripted {
    calls: Arc<AtomicUsize>,
    script: Arc<Mutex<VecDeque<Result<AccessToken, TokenError>>>>,
    /// When set, each fetch waits for one permit.
    gate: Option<Arc<Semaphore>>,
}

impl Scripted {
    fn new(script: Vec<Result<AccessToken, TokenError>>) -> Self {
        Self {
            calls: Arc::new(AtomicUsize::new(0)),
            script: Arc::new(Mutex::new(script.into())),
            gate: None,
        }
    }

    fn gated(mut self, gate: Arc<Semaphore>) -> Self {
        self.gate = Some(gate);
        self
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl TokenSource for Scripted {
    fn fetch_token(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
        Box::pin(async move {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if let Some(gate) = &self.gate {
                gate.acquire().await.unwrap().forget();
            }
            self.script
                .lock()
                .unwrap()
                .pop_front()
                .unwrap_or_else(|| Err(unavailable()))
        })
    }
}

fn token(value: &str, seconds: u64) -> Result<AccessToken, TokenError> {
    Ok(AccessToken::new(
        SecretString::from(value),
        Duration::from_secs(seconds),
    ))
}

fn unavailable() -> TokenError {
    TokenError::Status {
        status: 503,
        body_excerpt: "unavailable".into(),
    }
}

/// Let spawned refresh tasks run to completion (they never wait on timers here).
async fn settle() {
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
}

async fn value(cache: &TokenCache) -> Result<String, TokenError> {
    cache
        .token()
        .await
        .map(|t| t.secret().expose_secret().to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_first_callers_cause_one_token_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "shared", "expires_in": 3600}))
                // Keep the refresh in flight while the callers pile up.
                .set_delay(Duration::from_millis(200)),
        )
        .expect(1)
        .mount(&server)
        .await;
    let cache = TokenCache::new(innovis_credentials(&server, "id", "secret"));

    let callers: Vec<_> = (0..1000)
        .map(|_| {
            let cache = cache.clone();
            tokio::spawn(async move { value(&cache).await })
        })
        .collect();
    for caller in callers {
        assert_eq!(caller.await.unwrap().unwrap(), "shared");
    }
    // Warm path: no further request.
    assert_eq!(value(&cache).await.unwrap(), "shared");
    server.verify().await;
    // wiremock verifies again when the server drops, on a blocking executor inside this task: if
    // the thousand awaits above spent the task's cooperative budget, that executor spins forever
    // (seen in CI). A yield hands the drop a fresh budget.
    tokio::task::yield_now().await;
    drop(server);
}

#[tokio::test(start_paused = true)]
async fn refreshes_ahead_of_expiry_by_the_skew_in_the_background() {
    let source = Scripted::new(vec![token("first", 600), token("second", 600)]);
    let cache = TokenCache::new(source.clone())
        .refresh_skew(Duration::from_secs(60))
        .max_jitter(Duration::ZERO);

    assert_eq!(value(&cache).await.unwrap(), "first");
    tokio::time::advance(Duration::from_secs(539)).await;
    assert_eq!(value(&cache).await.unwrap(), "first");
    settle().await;
    assert_eq!(source.calls(), 1);

    // 60 s before expiry: the still-valid token is served and a refresh starts.
    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(value(&cache).await.unwrap(), "first");
    settle().await;
    assert_eq!(source.calls(), 2);
    assert_eq!(value(&cache).await.unwrap(), "second");

    // The new token lives 600 s from when it was fetched.
    tokio::time::advance(Duration::from_secs(539)).await;
    assert_eq!(value(&cache).await.unwrap(), "second");
    settle().await;
    assert_eq!(source.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn an_expired_token_is_never_served() {
    let gate = Arc::new(Semaphore::new(1));
    let source =
        Scripted::new(vec![token("first", 600), token("second", 600)]).gated(Arc::clone(&gate));
    // No refresh window at all (zero skew and jitter): only expiry triggers a refresh.
    let cache = TokenCache::new(source.clone())
        .refresh_skew(Duration::ZERO)
        .max_jitter(Duration::ZERO);
    assert_eq!(value(&cache).await.unwrap(), "first");

    tokio::time::advance(Duration::from_secs(599)).await;
    assert_eq!(value(&cache).await.unwrap(), "first");
    tokio::time::advance(Duration::from_secs(1)).await;
    // Expired: the caller waits for the refresh, which is held at the gate.
    let waiting = tokio::spawn({
        let cache = cache.clone();
        async move { value(&cache).await }
    });
    settle().await;
    assert!(!waiting.is_finished());
    gate.add_permits(1);
    assert_eq!(waiting.await.unwrap().unwrap(), "second");
}

#[tokio::test(start_paused = true)]
async fn jitter_refreshes_somewhere_inside_its_window() {
    let source = Scripted::new(vec![token("first", 600), token("second", 600)]);
    let cache = TokenCache::new(source.clone())
        .refresh_skew(Duration::from_secs(60))
        .max_jitter(Duration::from_secs(30));

    assert_eq!(value(&cache).await.unwrap(), "first");
    // Before skew + max jitter: never refreshed.
    tokio::time::advance(Duration::from_secs(509)).await;
    assert_eq!(value(&cache).await.unwrap(), "first");
    settle().await;
    assert_eq!(source.calls(), 1);
    // At the skew: always refreshed.
    tokio::time::advance(Duration::from_secs(31)).await;
    value(&cache).await.unwrap();
    settle().await;
    assert_eq!(source.calls(), 2);
    assert_eq!(value(&cache).await.unwrap(), "second");
}

#[tokio::test(start_paused = true)]
async fn a_failed_refresh_keeps_the_still_valid_token_and_does_not_poison() {
    let source = Scripted::new(vec![
        token("first", 600),
        Err(unavailable()),
        Err(unavailable()),
        Err(unavailable()),
        token("second", 600),
    ]);
    let cache = TokenCache::new(source.clone()).max_jitter(Duration::ZERO);

    assert_eq!(value(&cache).await.unwrap(), "first");
    // Inside the refresh window: the refresh fails, the old token is still good.
    tokio::time::advance(Duration::from_secs(550)).await;
    assert_eq!(value(&cache).await.unwrap(), "first");
    settle().await;
    assert_eq!(source.calls(), 2);
    // Not poisoned: the next call tries again (and fails again; the token is still valid).
    assert_eq!(value(&cache).await.unwrap(), "first");
    settle().await;
    assert_eq!(source.calls(), 3);

    // Expired: the caller waits for a refresh and gets its error.
    tokio::time::advance(Duration::from_secs(50)).await;
    let error = value(&cache).await.unwrap_err();
    assert!(
        matches!(error, TokenError::Status { status: 503, .. }),
        "{error:?}"
    );

    // And the cache recovers on the next call.
    assert_eq!(value(&cache).await.unwrap(), "second");
    assert_eq!(source.calls(), 5);
}

#[tokio::test(start_paused = true)]
async fn a_short_lived_token_is_used_for_half_its_life() {
    let source = Scripted::new(vec![token("short", 30), token("next", 30)]);
    let cache = TokenCache::new(source.clone());

    assert_eq!(value(&cache).await.unwrap(), "short");
    tokio::time::advance(Duration::from_secs(14)).await;
    assert_eq!(value(&cache).await.unwrap(), "short");
    settle().await;
    assert_eq!(source.calls(), 1);
    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(value(&cache).await.unwrap(), "short");
    settle().await;
    assert_eq!(value(&cache).await.unwrap(), "next");
}

#[tokio::test]
async fn a_500_then_success_through_the_cache() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_string("temporarily broken"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "recovered", "expires_in": 3600})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let cache = TokenCache::new(rfc6749_credentials(&server, "id", "secret"));

    let error = value(&cache).await.unwrap_err();
    assert!(
        matches!(error, TokenError::Status { status: 500, .. }),
        "{error:?}"
    );
    assert_eq!(value(&cache).await.unwrap(), "recovered");
    assert_eq!(value(&cache).await.unwrap(), "recovered");
    server.verify().await;
}

#[tokio::test]
async fn invalidate_then_refetch() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "fresh", "expires_in": 3600})),
        )
        .expect(2)
        .mount(&server)
        .await;
    let cache = TokenCache::new(rfc6749_credentials(&server, "id", "secret"));

    value(&cache).await.unwrap();
    value(&cache).await.unwrap();
    cache.invalidate();
    value(&cache).await.unwrap();
    value(&cache).await.unwrap();
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_caller_does_not_wedge_the_others() {
    let gate = Arc::new(Semaphore::new(0));
    let source = Scripted::new(vec![token("only", 600)]).gated(Arc::clone(&gate));
    let cache = TokenCache::new(source.clone());

    // The first caller starts the refresh and is then dropped mid-flight.
    let first = tokio::spawn({
        let cache = cache.clone();
        async move { value(&cache).await }
    });
    while source.calls() == 0 {
        tokio::task::yield_now().await;
    }
    first.abort();
    assert!(first.await.unwrap_err().is_cancelled());

    // A caller arriving now joins the same refresh, which still completes.
    let second = tokio::spawn({
        let cache = cache.clone();
        async move { value(&cache).await }
    });
    tokio::task::yield_now().await;
    gate.add_permits(1);
    assert_eq!(second.await.unwrap().unwrap(), "only");
    assert_eq!(source.calls(), 1);

    // A timed-out caller (future dropped by `timeout`) is no different.
    let gate_source = Scripted::new(vec![token("later", 600)]).gated(Arc::clone(&gate));
    let cache = TokenCache::new(gate_source.clone());
    let timed_out = tokio::time::timeout(Duration::from_secs(1), value(&cache)).await;
    assert!(timed_out.is_err());
    gate.add_permits(1);
    assert_eq!(value(&cache).await.unwrap(), "later");
    assert_eq!(gate_source.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn clones_share_one_cache() {
    let source = Scripted::new(vec![token("one", 600)]);
    let cache = TokenCache::new(source.clone());
    let clone = cache.clone();

    assert_eq!(value(&cache).await.unwrap(), "one");
    assert_eq!(value(&clone).await.unwrap(), "one");
    assert_eq!(source.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_valid_token_is_served_while_a_refresh_is_stuck() {
    let gate = Arc::new(Semaphore::new(1));
    let source =
        Scripted::new(vec![token("first", 600), token("second", 600)]).gated(Arc::clone(&gate));
    let cache = TokenCache::new(source.clone())
        .refresh_skew(Duration::from_secs(60))
        .max_jitter(Duration::ZERO);
    assert_eq!(value(&cache).await.unwrap(), "first");

    // In the refresh window, the refresh hangs at the gate; callers are not held up by it.
    tokio::time::advance(Duration::from_secs(545)).await;
    for _ in 0..100 {
        let served = tokio::time::timeout(Duration::from_millis(1), value(&cache)).await;
        assert_eq!(served.expect("served without waiting").unwrap(), "first");
        tokio::task::yield_now().await;
    }
    // One refresh for all hundred calls, still stuck.
    assert_eq!(source.calls(), 2);

    gate.add_permits(1);
    settle().await;
    assert_eq!(value(&cache).await.unwrap(), "second");
    assert_eq!(source.calls(), 2);
}

#[tokio::test]
async fn outside_a_tokio_runtime_is_an_error_not_a_panic() {
    let source = Scripted::new(vec![token("unused", 600)]);
    let cache = TokenCache::new(source.clone());
    let result = std::thread::spawn(move || {
        // A minimal executor that is not Tokio.
        futures_lite_block_on(cache.token())
    })
    .join()
    .unwrap();
    assert!(matches!(result, Err(TokenError::Transport { .. })));
    assert_eq!(source.calls(), 0);
}

/// Poll a future to completion on this thread without any runtime.
fn futures_lite_block_on<F: std::future::Future>(future: F) -> F::Output {
    use std::task::{Context, Poll, Waker};
    let mut future = std::pin::pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        std::thread::yield_now();
    }
}

/// A source whose first fetch panics.
struct PanicsOnce {
    calls: Arc<AtomicUsize>,
}

impl TokenSource for PanicsOnce {
    fn fetch_token(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
        Box::pin(async move {
            if self.calls.fetch_add(1, Ordering::SeqCst) == 0 {
                panic!("token source bug");
            }
            token("after-panic", 600)
        })
    }
}

#[tokio::test(start_paused = true)]
async fn a_panicking_refresh_fails_its_waiters_and_does_not_wedge_the_cache() {
    let calls = Arc::new(AtomicUsize::new(0));
    let cache = TokenCache::new(PanicsOnce {
        calls: Arc::clone(&calls),
    });

    let error = value(&cache).await.unwrap_err();
    assert!(matches!(error, TokenError::Transport { .. }), "{error:?}");
    assert_eq!(value(&cache).await.unwrap(), "after-panic");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn only_the_rejected_token_is_invalidated() {
    let source = Scripted::new(vec![token("first", 3600), token("second", 3600)]);
    let calls = source.calls.clone();
    let cache = TokenCache::new(source);

    let rejected = cache.token().await.unwrap();
    // The first 401 drops the token; the next call fetches "second".
    assert!(cache.invalidate_if_current(&rejected));
    assert_eq!(value(&cache).await.unwrap(), "second");
    // A late 401 for the same old token must not throw away "second".
    assert!(!cache.invalidate_if_current(&rejected));
    assert_eq!(value(&cache).await.unwrap(), "second");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}
