//! The audit export: a period's entries as JSON lines or CSV, for a reseller's records.
//!
//! Entries hold no personal data, so neither does the export: trace number, product, House
//! Number, `endUser`, permissible purpose, times, SDK version, the keyed consumer fingerprints
//! (space-separated in CSV) and the outcome.

use std::io::Write;

use super::entry::LedgerEntry;
use crate::error::Error;

/// Writes `entries` as JSON lines (one object per line).
///
/// ```
/// let mut out = Vec::new();
/// innovis_client::ledger::write_json_lines(&[], &mut out)?;
/// assert!(out.is_empty());
/// # Ok::<(), innovis_client::Error>(())
/// ```
pub fn write_json_lines(entries: &[LedgerEntry], mut writer: impl Write) -> Result<(), Error> {
    for entry in entries {
        serde_json::to_writer(&mut writer, entry).map_err(|err| io_error(err.into()))?;
        writer.write_all(b"\n").map_err(io_error)?;
    }
    writer.flush().map_err(io_error)
}

/// Writes `entries` as CSV with a header row; the outcome spreads over `state`, `return_code`,
/// `report_reference_number`, `consumer_id` and `detail`.
///
/// ```
/// let mut out = Vec::new();
/// innovis_client::ledger::write_csv(&[], &mut out)?;
/// assert!(String::from_utf8(out).unwrap().starts_with("trace_number,"));
/// # Ok::<(), innovis_client::Error>(())
/// ```
pub fn write_csv(entries: &[LedgerEntry], writer: impl Write) -> Result<(), Error> {
    let mut csv = csv::Writer::from_writer(writer);
    csv.write_record([
        "trace_number",
        "requested_at",
        "product",
        "customer_id",
        "end_user_code",
        "end_user",
        "permissible_purpose",
        "consumer_fingerprints",
        "original_report_reference",
        "sdk_version",
        "state",
        "return_code",
        "report_reference_number",
        "consumer_id",
        "detail",
        "settled_at",
    ])
    .map_err(csv_error)?;
    for entry in entries {
        let [return_code, reference, consumer_id, detail] = entry.outcome.columns();
        let requested_at = entry.requested_at.to_string();
        let settled_at = entry.settled_at.map(|at| at.to_string());
        csv.write_record([
            entry.trace_number.as_str(),
            &requested_at,
            &entry.product,
            &entry.customer_id,
            &entry.end_user_code,
            entry.end_user.as_deref().unwrap_or(""),
            &entry.permissible_purpose,
            &entry.consumer_fingerprints.join(" "),
            entry.original_report_reference.as_deref().unwrap_or(""),
            &entry.sdk_version,
            entry.outcome.state(),
            return_code.unwrap_or(""),
            reference.unwrap_or(""),
            consumer_id.unwrap_or(""),
            detail.unwrap_or(""),
            settled_at.as_deref().unwrap_or(""),
        ])
        .map_err(csv_error)?;
    }
    csv.flush().map_err(io_error)
}

fn io_error(source: std::io::Error) -> Error {
    Error::AuditExport(source)
}

fn csv_error(err: csv::Error) -> Error {
    io_error(std::io::Error::other(err))
}
