//! Shared helpers: transports against a mock server, peak memory, hostile servers.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use credit_valuation_core::{Authorization, Limits, RetryPolicy, Transport, TransportConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use url::Url;

/// Memory tests run one at a time, so one test's peak is not another's.
pub static MEMORY_TESTS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Runs `work` and returns its result and how far the process's peak resident memory grew
/// above what it was when `work` started (Linux: `VmHWM`, reset through `clear_refs`).
pub async fn peak_growth<T>(work: impl std::future::Future<Output = T>) -> (T, usize) {
    std::fs::write("/proc/self/clear_refs", "5").expect("reset the peak RSS");
    let start = resident_kib("VmRSS:");
    let result = work.await;
    let peak = resident_kib("VmHWM:");
    (result, peak.saturating_sub(start) * 1024)
}

fn resident_kib(field: &str) -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a memory figure in /proc/self/status")
}

pub const MIB: usize = 1 << 20;

/// A retry policy with short waits, so tests that retry stay quick.
pub fn quick_retries(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(attempts)
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(20))
}

pub fn config(base: &str) -> TransportConfig {
    TransportConfig::new(Url::parse(base).unwrap(), "client-core-tests/1")
        .retry_policy(quick_retries(3))
        .request_timeout(Duration::from_secs(5))
}

pub fn transport(base: &str) -> Transport {
    Transport::new(config(base)).unwrap()
}

pub fn transport_with(
    base: &str,
    edit: impl FnOnce(TransportConfig) -> TransportConfig,
) -> Transport {
    Transport::new(edit(config(base))).unwrap()
}

pub fn url(base: &str, path: &str) -> Url {
    Url::parse(base).unwrap().join(path).unwrap()
}

/// A server that answers every connection with `head` and then writes `chunk` for ever (or
/// until the client goes away). Returns its base URL.
pub async fn endless_server(head: &'static str, chunk: Vec<u8>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let chunk = chunk.clone();
            tokio::spawn(async move {
                let mut request = [0_u8; 4096];
                let _ = socket.read(&mut request).await;
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                while socket.write_all(&chunk).await.is_ok() {}
            });
        }
    });
    format!("http://{address}/")
}

/// A chunked-encoding frame of `size` bytes of `x`.
pub fn chunk_frame(size: usize) -> Vec<u8> {
    let mut frame = format!("{size:x}\r\n").into_bytes();
    frame.extend(std::iter::repeat_n(b'x', size));
    frame.extend_from_slice(b"\r\n");
    frame
}

/// An authorization that reads a bearer from a cache over a counting token source.
pub fn counting_bearer() -> (Authorization, std::sync::Arc<AtomicUsize>) {
    use common_auth::{AccessToken, SecretString, TokenCache, TokenError, TokenSource};
    struct Counting(std::sync::Arc<AtomicUsize>);
    impl TokenSource for Counting {
        fn fetch_token(
            &self,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<AccessToken, TokenError>> + Send + '_>,
        > {
            let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
            Box::pin(async move {
                Ok(AccessToken::new(
                    SecretString::from(format!("token-{n}")),
                    Duration::from_secs(3600),
                ))
            })
        }
    }
    let fetched = std::sync::Arc::new(AtomicUsize::new(0));
    let cache = TokenCache::new(Counting(fetched.clone()));
    (Authorization::Bearer(cache), fetched)
}

/// Limits small enough to breach quickly.
pub fn small_limits() -> Limits {
    Limits::default()
        .json_body(MIB as u64)
        .download_bytes(8 * MIB as u64)
        .download_deadline(Duration::from_secs(2))
        .max_pages(3)
}

/// The name libtest knows the test `function` of `module` by (`module` as `module_path!()` gives it,
/// which starts with this binary's crate name), for a test that re-runs itself in a child process.
pub fn test_name(module: &str, function: &str) -> String {
    let in_binary = module.split_once("::").map_or("", |(_, path)| path);
    format!("{in_binary}::{function}")
}
