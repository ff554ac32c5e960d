//! An Innovis credit report (CR) through a reseller's House Number, for a test consumer. Prints the
//! return code and the report reference, never the consumer's personal data.
//!
//! ```text
//! cargo run -p examples --example credit_report
//! ```
//!
//! Embedded sandbox by default; the Innovis UAT when `INNOVIS_CLIENT_ID` and the other `INNOVIS_*`
//! variables are set (see `docs/getting-started.md`).

use std::error::Error;
use std::io::Write;

use examples::{Failure, Targets};
use innovis_client::{PermissiblePurpose, ProductCode, ReportReference, ResellerProfile};

#[tokio::main]
async fn main() -> Result<(), Failure> {
    examples::init_logs("warn");
    let targets = Targets::from_env().await?;
    let result = run(&targets, &mut std::io::stdout()).await;
    targets.shutdown().await;
    result?;
    Ok(())
}

/// Orders the report and returns the reference to store for a later SECONDUSE.
pub async fn run(
    targets: &Targets,
    out: &mut impl Write,
) -> Result<ReportReference, Box<dyn Error + Send + Sync>> {
    let settings = &targets.innovis;
    writeln!(out, "{}", targets.describe())?;
    writeln!(
        out,
        "\n(1) Innovis credit report (CR) through a House Number"
    )?;
    let client = settings.client()?;

    // A reseller registers each House Number once, by (permissible purpose, product); the profile
    // then puts the right customerId on every request, beside the end user's code.
    let purpose = PermissiblePurpose::new(settings.permissible_purpose.clone())?;
    let profile = ResellerProfile::new().register(
        purpose.clone(),
        ProductCode::CR,
        settings.customer_id.clone(),
    )?;
    let request = profile
        .report_request(purpose, ProductCode::CR, settings.end_user_code.clone())?
        .applicant(settings.consumer.clone())
        .build()?;
    writeln!(
        out,
        "    House Number: customerId {} / endUserCode {}, permissible purpose {}",
        request.house_number().customer_id(),
        request.house_number().end_user_code(),
        settings.permissible_purpose,
    )?;

    let response = client.send(&request).await?;
    // A 200 can still carry a consumer-level error code: `check` turns it into an error.
    response.check()?;
    let consumer = response
        .consumers()
        .first()
        .ok_or("the response holds no consumer report")?;
    let code = consumer
        .return_code
        .as_ref()
        .map_or("(none)", |code| code.as_str());
    writeln!(out, "    return code: {code}")?;
    writeln!(
        out,
        "    customerTraceNumber: {}",
        request.customer_trace_number()
    )?;

    // The reference (report number, consumer id, inquiry time, House Number) is what SECONDUSE
    // needs later; it holds no SSN and no date of birth, so it can be stored as is.
    let reference = response
        .references()
        .first()
        .cloned()
        .ok_or_else(|| format!("return code {code} came without a report reference"))?;
    writeln!(
        out,
        "    report reference: {}",
        reference.report_reference_number()
    )?;
    writeln!(
        out,
        "\nStore this reference to share the report later (SECONDUSE): {}",
        reference.report_reference_number()
    )?;
    Ok(reference)
}
