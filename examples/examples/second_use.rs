//! SECONDUSE: pull a credit report, store its `ReportReference` as JSON in a file, reload it (as a
//! later process would), and share the report with a second end user.
//!
//! ```text
//! cargo run -p examples --example second_use [-- path/to/reference.json]
//! ```
//!
//! The reference is written to the given file (default: a new temporary directory, removed after a
//! successful run unless `EXAMPLES_KEEP_FILES` is set, kept after a failure). It holds the report
//! reference number, the vendor's consumer id, the inquiry time, the product and the House Number;
//! no SSN, no date of birth. Embedded sandbox by default; Innovis UAT with the `INNOVIS_*`
//! variables (see `docs/getting-started.md`).

use std::error::Error;
use std::io::Write;
use std::path::{Path, PathBuf};

use examples::settings::process_env;
use examples::{Failure, Targets};
use innovis_client::{PermissiblePurpose, ProductCode, ReportReference, ResellerProfile};

#[tokio::main]
async fn main() -> Result<(), Failure> {
    examples::init_logs("warn");
    // Without FILE the reference goes to a temporary directory of this run.
    let (path, temp_dir) = match std::env::args_os().nth(1) {
        Some(path) => (PathBuf::from(path), None),
        None => match new_temp_dir("innovis-second-use") {
            Ok(dir) => (dir.join("report-reference.json"), Some(dir)),
            Err(error) => return Err(error.into()),
        },
    };
    let targets = Targets::from_env().await?;
    let result = run(&targets, &path, &mut std::io::stdout()).await;
    targets.shutdown().await;
    // On failure the temporary directory stays, so that what was written can be inspected.
    result?;
    if let Some(dir) = temp_dir {
        if process_env("EXAMPLES_KEEP_FILES").is_some() {
            println!("    files kept in {}", dir.display());
        } else if let Err(error) = std::fs::remove_dir_all(&dir) {
            eprintln!("could not remove {}: {error}", dir.display());
        } else {
            println!("    removed the temporary directory (set EXAMPLES_KEEP_FILES=1 to keep it)");
        }
    }
    Ok(())
}

/// Orders a report for the first end user, stores its reference at `reference_path`, reloads it
/// and sends SECONDUSE for the second end user. Returns the SECONDUSE return code.
pub async fn run(
    targets: &Targets,
    reference_path: &Path,
    out: &mut impl Write,
) -> Result<String, Box<dyn Error + Send + Sync>> {
    let settings = &targets.innovis;
    writeln!(out, "{}", targets.describe())?;
    let client = settings.client()?;
    let purpose = PermissiblePurpose::new(settings.permissible_purpose.clone())?;
    // SECONDUSE goes out on the House Number of the report it shares, so the profile allows it
    // on CR's.
    let profile = ResellerProfile::new()
        .register(
            purpose.clone(),
            ProductCode::CR,
            settings.customer_id.clone(),
        )?
        .allow_second_use_on(ProductCode::CR);

    writeln!(out, "\n(1) Credit report (CR) for the first end user")?;
    let request = profile
        .report_request(
            purpose.clone(),
            ProductCode::CR,
            settings.end_user_code.clone(),
        )?
        .applicant(settings.consumer.clone())
        .build()?;
    let response = client.send(&request).await?;
    response.check()?;
    let reference = response
        .references()
        .first()
        .cloned()
        .ok_or("the report came without a reference; SECONDUSE needs a consumer on file")?;
    writeln!(
        out,
        "    report reference: {}",
        reference.report_reference_number()
    )?;

    writeln!(out, "\n(2) Store the report reference as JSON")?;
    let json = serde_json::to_vec_pretty(&reference)?;
    std::fs::write(reference_path, json)
        .map_err(|error| format!("writing {}: {error}", reference_path.display()))?;
    writeln!(out, "    stored {}", reference_path.display())?;

    writeln!(
        out,
        "\n(3) Reload it and send SECONDUSE for the second end user"
    )?;
    let json = std::fs::read(reference_path)
        .map_err(|error| format!("reading {}: {error}", reference_path.display()))?;
    let reloaded: ReportReference = serde_json::from_slice(&json)?;
    writeln!(
        out,
        "    reloaded report reference {} (inquiry at {})",
        reloaded.report_reference_number(),
        reloaded.inquired_at()
    )?;
    let second_use = profile
        .second_use_request(reloaded, purpose, settings.second_end_user_code.clone())?
        .build()?;
    let confirmation = client.send_second_use(&second_use).await?;
    confirmation.check()?;
    // The vendor does not document SECONDUSE's answer; when it has a consumer, it has a code.
    let code = confirmation
        .consumers()
        .first()
        .and_then(|consumer| consumer.return_code.as_ref())
        .map_or_else(|| "accepted".to_owned(), |code| code.as_str().to_owned());
    writeln!(out, "    SECONDUSE return code: {code}")?;
    writeln!(
        out,
        "    customerTraceNumber: {}",
        second_use.customer_trace_number()
    )?;
    Ok(code)
}

/// A new directory `{prefix}-{process id}-{nanoseconds}` under the system's temporary directory.
fn new_temp_dir(prefix: &str) -> Result<PathBuf, Box<dyn Error + Send + Sync>> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_nanos();
    let dir = std::env::temp_dir().join(format!("{prefix}-{}-{nanos}", std::process::id()));
    std::fs::create_dir(&dir).map_err(|error| format!("creating {}: {error}", dir.display()))?;
    Ok(dir)
}
