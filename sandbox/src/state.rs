//! The shared state behind every route and background task of one sandbox.

use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

use tokio::sync::watch;
use url::Url;

use crate::config::{CalloutTarget, Faults, SandboxConfig};
use crate::housecanary::store::HcStore;
use crate::innovis::store::InnovisStore;
use crate::stats::Counters;

/// Callout attempts in flight at once, across all orders.
const MAX_CONCURRENT_CALLOUTS: usize = 32;

/// Everything a request handler or background task may need.
pub(crate) struct AppState {
    pub(crate) config: SandboxConfig,
    pub(crate) base_url: Url,
    pub(crate) counters: Counters,
    pub(crate) callout: RwLock<Option<CalloutTarget>>,
    pub(crate) faults: RwLock<Faults>,
    pub(crate) innovis: Mutex<InnovisStore>,
    pub(crate) housecanary: Mutex<HcStore>,
    /// Key of the JWT-ish token signatures and of signed download URLs; random per sandbox.
    pub(crate) signing_key: Vec<u8>,
    pub(crate) http: reqwest::Client,
    /// Bounds concurrent callout attempts, so a large order cannot exhaust sockets.
    pub(crate) callout_slots: tokio::sync::Semaphore,
    shutdown: watch::Receiver<bool>,
}

impl AppState {
    pub(crate) fn new(
        config: SandboxConfig,
        base_url: Url,
        http: reqwest::Client,
        shutdown: watch::Receiver<bool>,
    ) -> Arc<Self> {
        let signing_key = (0..32).map(|_| fastrand::u8(..)).collect();
        Arc::new(Self {
            callout: RwLock::new(config.callout.clone()),
            faults: RwLock::new(config.faults),
            config,
            base_url,
            counters: Counters::default(),
            innovis: Mutex::new(InnovisStore::default()),
            housecanary: Mutex::new(HcStore::default()),
            signing_key,
            http,
            callout_slots: tokio::sync::Semaphore::new(MAX_CONCURRENT_CALLOUTS),
            shutdown,
        })
    }

    /// Sleep for `duration`; `false` when the sandbox shut down meanwhile (the caller stops).
    pub(crate) async fn sleep(&self, duration: Duration) -> bool {
        let mut shutdown = self.shutdown.clone();
        if *shutdown.borrow() {
            return false;
        }
        tokio::select! {
            () = tokio::time::sleep(duration) => true,
            _ = shutdown.changed() => false,
        }
    }

    /// The sandbox's own URL for the absolute `path`.
    pub(crate) fn url(&self, path: &str) -> Url {
        let mut url = self.base_url.clone();
        url.set_path(path);
        url
    }

    pub(crate) fn is_shut_down(&self) -> bool {
        *self.shutdown.borrow()
    }

    pub(crate) fn innovis(&self) -> MutexGuard<'_, InnovisStore> {
        lock(&self.innovis)
    }

    pub(crate) fn housecanary(&self) -> MutexGuard<'_, HcStore> {
        lock(&self.housecanary)
    }

    pub(crate) fn faults(&self) -> Faults {
        *self.faults.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn callout_target(&self) -> Option<CalloutTarget> {
        self.callout
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// A panicking handler must not wedge the whole sandbox: recover poisoned locks.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
