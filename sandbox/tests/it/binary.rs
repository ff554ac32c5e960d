//! The standalone binary: prints its URLs and credentials, serves, rejects bad options.

use std::process::Command;

use credit_valuation_sandbox::TestCredentials;
use serde_json::Value;

use crate::support::{BINARY, RunningBinary, innovis_token_request};

#[tokio::test]
async fn the_binary_prints_its_urls_and_credentials_and_serves() {
    let binary = RunningBinary::start(&["--listen", "127.0.0.1:0", "--step-ms", "10"]).await;
    let banner = &binary.banner;
    for expected in [
        "sandbox-client",
        "sandbox-secret",
        "sandbox-partner-token",
        "oauth/token",
        "partner-api/v1/",
        "7000000001",
    ] {
        assert!(
            banner.contains(expected),
            "banner lacks {expected}: {banner}"
        );
    }
    let response = reqwest::Client::new()
        .post(format!("{}oauth/token", binary.base))
        .json(&innovis_token_request(&TestCredentials::default()))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    drop(binary);
    assert_eq!(status, 200);
    assert!(body["access_token"].is_string());
}

#[test]
fn the_binary_explains_itself_and_rejects_bad_options() {
    let help = Command::new(BINARY).arg("--help").output().unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--listen ADDR"));
    for args in [
        &["--bogus"][..],
        &["--listen", "0.0.0.0:0"],
        &["--error-rate", "2"],
        &["--step-ms"],
    ] {
        let output = Command::new(BINARY).args(args).output().unwrap();
        assert!(!output.status.success(), "{args:?} should fail");
        assert!(!output.stderr.is_empty());
    }
}
