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

use innovis_client::ledger::{write_csv, write_json_lines};
use innovis_client::{Error, ProductCode};

#[tokio::main]
async fn main() -> Result<(), examples::ExitError> {
    examples::init_logging();
    let csv = std::env::args()
        .nth(1)
        .is_some_and(|format| format == "csv");
    let targets = examples::Targets::from_env().await?;
    let out = examples::Output::stdout();
    out.plain(targets.describe());
    let result = async {
        let settings = &targets.innovis;
        let client = settings.client()?;
        let started = jiff::Timestamp::now();

        out.step(
            1,
            "A credit report: recorded before it leaves, settled with its outcome",
        );
        let reference = examples::credit::credit_report(settings, &client, &out).await?;

        out.step(2, "The same inquiry again: refused, naming the earlier one");
        let repeat = settings
            .profile()?
            .report_request(
                settings.purpose()?,
                ProductCode::CR,
                settings.end_user_code.clone(),
            )?
            .applicant(settings.consumer.clone())
            .build()?;
        match client.send(&repeat).await {
            Err(Error::DuplicateInquiry(refusal)) => out.line(format!("refused: {refusal}")),
            Ok(_) => out.line("sent: the repeat window is off for this client"),
            Err(other) => return Err(other.into()),
        }

        out.step(3, "SECONDUSE from the reference the ledger stored");
        let purpose = settings.purpose()?;
        let second_end_user = settings.profile()?.house_number(
            &purpose,
            &ProductCode::SECONDUSE,
            settings.second_end_user_code.clone(),
        )?;
        let second_use = client
            .second_use_from_ledger(reference.report_reference_number())
            .await?
            .with_house_number(second_end_user)
            .permissible_purpose(purpose)
            .build()?;
        client.send_second_use(&second_use).await?;
        out.line(format!(
            "SECONDUSE {} recorded",
            second_use.customer_trace_number()
        ));

        out.step(4, "Export this run's ledger entries");
        let entries = client
            .ledger()
            .entries(
                started,
                jiff::Timestamp::now() + jiff::SignedDuration::from_secs(1),
            )
            .await
            .map_err(innovis_client::Error::from)?;
        if csv {
            write_csv(&entries, std::io::stdout())?;
        } else {
            write_json_lines(&entries, std::io::stdout())?;
        }
        Ok::<(), examples::Error>(())
    }
    .await;
    targets.shutdown().await;
    result?;
    Ok(())
}
