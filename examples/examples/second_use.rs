//! SECONDUSE: pull a credit report, store its `ReportReference` as JSON in a file, reload it (as a
//! later process would), and share the report with a second end user.
//!
//! ```text
//! cargo run -p examples --example second_use [-- path/to/reference.json]
//! ```
//!
//! The reference is written to the given file (default: a new temporary directory). It holds the
//! report reference number, the vendor's consumer id, the inquiry time, the product and the House
//! Number; no SSN, no date of birth. Embedded sandbox by default; Innovis UAT with the `INNOVIS_*`
//! variables (see `docs/getting-started.md`).

use std::path::PathBuf;

#[tokio::main]
async fn main() -> Result<(), examples::ExitError> {
    examples::init_logging();
    let path = match std::env::args_os().nth(1) {
        Some(path) => PathBuf::from(path),
        None => {
            examples::export::unique_temp_dir("innovis-second-use")?.join("report-reference.json")
        }
    };
    let targets = examples::Targets::from_env().await?;
    let out = examples::Output::stdout();
    out.plain(targets.describe());
    let result = async {
        let client = targets.innovis.client()?;
        out.step(1, "Credit report (CR) for the first end user");
        let reference = examples::credit::credit_report(&targets.innovis, &client, &out).await?;

        out.step(2, "Store the report reference as JSON");
        examples::credit::store_reference(&reference, &path)?;
        out.line(format!("stored {}", path.display()));

        out.step(3, "Reload it and send SECONDUSE for the second end user");
        let reloaded = examples::credit::load_reference(&path)?;
        out.line(format!(
            "reloaded report reference {} (inquiry at {})",
            reloaded.report_reference_number(),
            reloaded.inquired_at()
        ));
        examples::credit::second_use(&targets.innovis, &client, reloaded, &out).await
    }
    .await;
    targets.shutdown().await;
    result?;
    Ok(())
}
