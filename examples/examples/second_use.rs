//! SECONDUSE: pull a credit report, store its `ReportReference` as JSON in a file, reload it (as a
//! later process would), and share the report with a second end user.
//!
//! ```text
//! cargo run -p examples --example second_use [-- path/to/reference.json]
//! ```
//!
//! The reference is written to the given file (default: a new temporary directory, removed after a
//! successful run unless `EXAMPLES_KEEP_FILES` is set). It holds the
//! report reference number, the vendor's consumer id, the inquiry time, the product and the House
//! Number; no SSN, no date of birth. Embedded sandbox by default; Innovis UAT with the `INNOVIS_*`
//! variables (see `docs/getting-started.md`).

use std::path::PathBuf;

use examples::work_dir::{KEEP_FILES_VAR, WorkDir};

#[tokio::main]
async fn main() -> Result<(), examples::ExitError> {
    examples::init_logging();
    // Without FILE the reference goes to a temporary directory, removed after success unless
    // EXAMPLES_KEEP_FILES is set.
    let (path, work) = match std::env::args_os().nth(1) {
        Some(path) => (PathBuf::from(path), None),
        None => {
            let keep = WorkDir::keep_requested(&examples::settings::process_env);
            let work = WorkDir::create("innovis-second-use", keep)?;
            (work.path().join("report-reference.json"), Some(work))
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
    if let Some(work) = work {
        match work.finish()? {
            Some(dir) => out.line(format!("files kept in {}", dir.display())),
            None => out.line(format!(
                "removed the temporary directory (set {KEEP_FILES_VAR}=1 to keep it)"
            )),
        }
    }
    Ok(())
}
