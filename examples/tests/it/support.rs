//! What the test modules share: the embedded sandbox on fast clocks, a scratch directory of their
//! own, the examples' output as text, and the check that it shows no personal data or secret.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use examples::Targets;

/// Sandbox clocks fast enough for an order to finish in well under a second.
pub fn fast_sandbox() -> credit_valuation_sandbox::SandboxConfig {
    credit_valuation_sandbox::SandboxConfig::default()
        .step_interval(Duration::from_millis(20))
        .redelivery_interval(Duration::from_millis(50))
}

/// Both vendors on one embedded sandbox with fast clocks, whatever the environment says.
pub async fn sandbox_targets() -> Targets {
    Targets::embedded(fast_sandbox())
        .await
        .expect("the embedded sandbox starts")
}

/// A variable source holding exactly `pairs`, in place of the process environment.
pub fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    move |name| map.get(name).cloned()
}

/// What an example wrote, as text.
pub fn text(out: Vec<u8>) -> String {
    String::from_utf8(out).expect("the examples write UTF-8")
}

/// Fails when `text` shows the sandbox consumer's SSN or date of birth, or any sandbox secret.
pub fn assert_no_pii_or_secret(text: &str, targets: &Targets) {
    let consumer = credit_valuation_sandbox::fixtures::consumer_for_ssn(
        credit_valuation_sandbox::fixtures::RECORD_SSN,
    );
    let credentials = targets
        .sandbox()
        .expect("the tests run on the sandbox")
        .credentials();
    for secret in [
        consumer.ssn,
        consumer.dob,
        credentials.innovis_client_secret.as_str(),
        credentials.housecanary_token.as_str(),
        credentials.callout_secret.as_str(),
    ] {
        assert!(
            !text.contains(secret),
            "the output shows {secret:?}:\n{text}"
        );
    }
}

/// A new empty directory under the system's temporary directory, removed with what is in it when
/// dropped. Each test gets its own, so that what a run leaves behind can be counted without
/// racing the other tests of this binary.
#[derive(Debug)]
pub struct ScratchDir(PathBuf);

impl ScratchDir {
    /// Creates `{temp}/examples-it-{name}-{process id}-{n}`.
    pub fn new(name: &str) -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("examples-it-{name}-{}-{n}", std::process::id()));
        // A directory left by an earlier, crashed run of a process with the same id.
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("the scratch directory can be created");
        Self(path)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// The directories directly inside it.
    pub fn subdirectories(&self) -> Vec<PathBuf> {
        std::fs::read_dir(&self.0)
            .expect("the scratch directory can be read")
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.is_dir())
            .collect()
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An output a server task can write to while the test keeps a handle to read it.
#[derive(Debug, Clone, Default)]
pub struct SharedOutput(Arc<Mutex<Vec<u8>>>);

impl SharedOutput {
    /// What was written so far, as text.
    pub fn text(&self) -> String {
        text(self.lock().clone())
    }

    fn lock(&self) -> MutexGuard<'_, Vec<u8>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Write for SharedOutput {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.lock().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
