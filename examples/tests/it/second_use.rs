//! `second_use` against the sandbox: the stored reference is plain JSON without personal data,
//! and SECONDUSE from it succeeds.

#[allow(dead_code)]
#[path = "../../examples/second_use.rs"]
mod second_use_example;

use crate::support::{self, ScratchDir};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_use_shares_the_report_from_the_stored_reference() {
    let targets = support::sandbox_targets().await;
    let scratch = ScratchDir::new("second-use");
    let path = scratch.path().join("reference.json");
    let mut out = Vec::new();
    let code = second_use_example::run(&targets, &path, &mut out)
        .await
        .unwrap();
    assert_eq!(code, "Record");
    let text = support::text(out);
    for step in ["(1) ", "(2) ", "(3) ", "SECONDUSE return code: Record"] {
        assert!(text.contains(step), "the output has {step:?}:\n{text}");
    }
    support::assert_no_pii_or_secret(&text, &targets);
    let stored = std::fs::read_to_string(&path).unwrap();
    support::assert_no_pii_or_secret(&stored, &targets);
    targets.shutdown().await;
}
