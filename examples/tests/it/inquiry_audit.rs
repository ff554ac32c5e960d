//! `inquiry_audit` against the sandbox: the repeat is refused, and the exported entries (JSON lines
//! or CSV) hold the run's inquiries but no personal data.

#[allow(dead_code)]
#[path = "../../examples/inquiry_audit.rs"]
mod inquiry_audit_example;

use inquiry_audit_example::AuditFormat;

use crate::support;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_refuses_the_repeat_and_exports_json_lines_and_csv() {
    for format in [AuditFormat::JsonLines, AuditFormat::Csv] {
        // A sandbox of its own per run: the ledger would refuse the second run's first report.
        let targets = support::sandbox_targets().await;
        let mut out = Vec::new();
        inquiry_audit_example::run(&targets, format, &mut out)
            .await
            .unwrap();
        let text = support::text(out);
        for step in ["(1) ", "(2) ", "(3) ", "(4) ", "refused: "] {
            assert!(text.contains(step), "the output has {step:?}:\n{text}");
        }
        let export = text.split("(4) ").nth(1).unwrap_or_default();
        let records = export
            .lines()
            .filter(|line| line.contains("SECONDUSE"))
            .count();
        assert!(
            records >= 1,
            "{format:?} export lists the SECONDUSE:\n{export}"
        );
        support::assert_no_pii_or_secret(&text, &targets);
        targets.shutdown().await;
    }
}
