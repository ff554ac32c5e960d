//! A failing quickstart ends in an error (which `main` turns into a non-zero exit) and keeps its
//! temporary directory for inspection. Its own test binary, so that the directory of this process
//! can be found by the process id without racing another test.

use std::time::Duration;

use examples::{Output, Targets};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quickstart_fails_with_an_error_and_keeps_its_files() {
    // Every answer a 503: the first step cannot get a token.
    let faults = sandbox::Faults {
        server_error_rate: 1.0,
        ..sandbox::Faults::default()
    };
    let targets = Targets::embedded(sandbox::SandboxConfig::default().with_faults(faults))
        .await
        .unwrap();
    let out = Output::quiet();
    let result = tokio::time::timeout(
        Duration::from_secs(30),
        examples::quickstart::run_with(&targets, &out, false),
    )
    .await
    .expect("a failing quickstart ends promptly");
    targets.shutdown().await;

    let err = result.expect_err("the quickstart reports the failure");
    assert!(err.to_string().starts_with("Innovis: "), "{err}");
    let text = out.lines().join("\n");
    assert!(text.contains("(1) "), "{text}");
    assert!(!text.contains("Done"), "{text}");

    let prefix = format!("innovis-housecanary-quickstart-{}-", std::process::id());
    let kept: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().starts_with(&prefix))
        .map(|entry| entry.path())
        .collect();
    assert_eq!(
        kept.len(),
        1,
        "the failed run keeps its directory: {kept:?}"
    );
    for dir in kept {
        std::fs::remove_dir_all(dir).unwrap();
    }
}
