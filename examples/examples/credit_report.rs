//! An Innovis credit report (CR) through a House Number, for a test consumer. Prints the return code
//! and the report reference, never the consumer's personal data.
//!
//! ```text
//! cargo run -p examples --example credit_report
//! ```
//!
//! Embedded sandbox by default; the Innovis UAT when `INNOVIS_CLIENT_ID` and the other `INNOVIS_*`
//! variables are set (see `docs/getting-started.md`).

#[tokio::main]
async fn main() -> Result<(), examples::ExitError> {
    examples::init_logging();
    let targets = examples::Targets::from_env().await?;
    let out = examples::Output::stdout();
    out.plain(targets.describe());
    out.step(1, "Innovis credit report (CR) through a House Number");
    let result = async {
        let client = targets.innovis.client()?;
        examples::credit::credit_report(&targets.innovis, &client, &out).await
    }
    .await;
    targets.shutdown().await;
    let reference = result?;
    out.plain("");
    out.plain(format!(
        "Store this reference to share the report later (SECONDUSE): {}",
        reference.report_reference_number()
    ));
    Ok(())
}
