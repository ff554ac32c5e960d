//! The inquiry ledger: every inquiry is recorded before it leaves and settled after; a repeat is
//! refused; SECONDUSE starts from a stored reference; the period's entries are exported for the
//! reseller's audit trail.
//!
//! ```text
//! cargo run -p examples --example inquiry_audit [-- csv]
//! ```
//!
//! Prints the export as JSON lines (or CSV with `csv`). It holds trace numbers, products, House
//! Numbers, end users, permissible purposes, times and outcomes: never an SSN, a date of birth, a
//! name or report data. Embedded sandbox by default; Innovis UAT with the `INNOVIS_*` variables
//! (see `docs/getting-started.md`).

use std::error::Error;
use std::io::Write;

use examples::{Failure, Targets};
use innovis_client::ledger::{write_csv, write_json_lines};
use innovis_client::{PermissiblePurpose, ProductCode, ResellerProfile};

/// How the ledger entries are written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditFormat {
    /// One JSON object per line.
    JsonLines,
    /// CSV with a header line.
    Csv,
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    examples::init_logs("warn");
    let format = match std::env::args().nth(1).as_deref() {
        Some("csv") => AuditFormat::Csv,
        _ => AuditFormat::JsonLines,
    };
    let targets = Targets::from_env().await?;
    let result = run(&targets, format, &mut std::io::stdout()).await;
    targets.shutdown().await;
    result?;
    Ok(())
}

/// Sends a CR, its repeat (refused), a SECONDUSE from the ledger's stored reference, and writes
/// this run's ledger entries to `out` in `format`.
pub async fn run(
    targets: &Targets,
    format: AuditFormat,
    out: &mut impl Write,
) -> Result<(), Box<dyn Error + Send + Sync>> {
    let settings = &targets.innovis;
    writeln!(out, "{}", targets.describe())?;
    let client = settings.client()?;
    let started = jiff::Timestamp::now();
    let purpose = PermissiblePurpose::new(settings.permissible_purpose.clone())?;
    let profile = ResellerProfile::new()
        .register(
            purpose.clone(),
            ProductCode::CR,
            settings.customer_id.clone(),
        )?
        .allow_second_use_on(ProductCode::CR);
    let report_request = || {
        profile
            .report_request(
                purpose.clone(),
                ProductCode::CR,
                settings.end_user_code.clone(),
            )?
            .applicant(settings.consumer.clone())
            .build()
    };

    writeln!(
        out,
        "\n(1) A credit report: recorded before it leaves, settled with its outcome"
    )?;
    let first = report_request()?;
    let response = client.send(&first).await?;
    response.check()?;
    let reference = response
        .references()
        .first()
        .ok_or("the report came without a reference")?;
    writeln!(
        out,
        "    {} recorded, report reference {}",
        first.customer_trace_number(),
        reference.report_reference_number()
    )?;

    writeln!(
        out,
        "\n(2) The same inquiry again: refused, naming the earlier one"
    )?;
    // A new request value (with its own trace number) for the same consumer, end user and product:
    // the ledger refuses it inside the repeat window, before anything is sent.
    match client.send(&report_request()?).await {
        Err(innovis_client::Error::DuplicateInquiry(refusal)) => {
            writeln!(out, "    refused: {refusal}")?;
        }
        Ok(_) => writeln!(out, "    sent: the repeat window is off for this client")?,
        Err(other) => return Err(other.into()),
    }

    writeln!(out, "\n(3) SECONDUSE from the reference the ledger stored")?;
    let second_use = client
        .second_use_from_ledger(reference.report_reference_number())
        .await?
        .with_house_number(profile.house_number(
            &purpose,
            &ProductCode::SECONDUSE,
            settings.second_end_user_code.clone(),
        )?)
        .permissible_purpose(purpose)
        .build()?;
    client.send_second_use(&second_use).await?.check()?;
    writeln!(
        out,
        "    SECONDUSE {} recorded",
        second_use.customer_trace_number()
    )?;

    writeln!(out, "\n(4) Export this run's ledger entries")?;
    let until = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(1);
    let entries = client.ledger().entries(started, until).await?;
    match format {
        AuditFormat::JsonLines => write_json_lines(&entries, &mut *out)?,
        AuditFormat::Csv => write_csv(&entries, &mut *out)?,
    }
    Ok(())
}
