//! The standalone binary: prints its URLs and credentials, serves, rejects bad options.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

const BINARY: &str = env!("CARGO_BIN_EXE_sandbox");

/// Stops the server we started even when an assertion fails first.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_binary_prints_its_urls_and_credentials_and_serves() {
    let mut child = KillOnDrop(
        Command::new(BINARY)
            .args(["--listen", "127.0.0.1:0", "--step-ms", "10"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let banner = tokio::task::spawn_blocking(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            let done = line.starts_with("Press Ctrl-C");
            lines.push(line);
            if done {
                break;
            }
        }
        lines.join("\n")
    })
    .await
    .unwrap();
    let base = banner
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("sandbox listening on "))
        .unwrap_or_else(|| panic!("unexpected banner: {banner}"))
        .to_owned();
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
        .post(format!("{base}oauth/token"))
        .json(&json!({
            "audience": "innovisgateway",
            "grant_type": "client_credentials",
            "client_id": "sandbox-client",
            "client_secret": "sandbox-secret",
        }))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    drop(child);
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
