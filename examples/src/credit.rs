//! Steps 1 and 2: a credit report through a House Number, then SECONDUSE from the stored reference.

use std::path::Path;

use innovis_client::{ProductCode, ReportReference, SecondUseRequest};

use crate::error::Error;
use crate::output::Output;
use crate::settings::InnovisSettings;

/// Orders a CR for the test consumer through the House Number of `settings` and returns the
/// reference to store. Prints the return code, trace number and report reference, never PII.
///
/// ```no_run
/// # async fn run(settings: examples::settings::InnovisSettings) -> Result<(), examples::Error> {
/// let client = settings.client()?;
/// let reference = examples::credit::credit_report(&settings, &client, &examples::Output::stdout()).await?;
/// # let _ = reference; Ok(()) }
/// ```
pub async fn credit_report(
    settings: &InnovisSettings,
    client: &innovis_client::Client,
    out: &Output,
) -> Result<ReportReference, Error> {
    let request = settings
        .profile()?
        .report_request(
            settings.purpose()?,
            ProductCode::CR,
            settings.end_user_code.clone(),
        )?
        .applicant(settings.consumer.clone())
        .build()?;
    out.line(format!(
        "House Number: customerId {} / endUserCode {}, permissible purpose {}",
        request.house_number().customer_id(),
        request.house_number().end_user_code(),
        settings.permissible_purpose
    ));
    let response = client.send(&request).await?;
    response.check().map_err(innovis_client::Error::from)?;
    let consumer = response.consumers().first().ok_or(Error::Unexpected {
        step: "credit report",
        problem: "the response holds no consumer report".to_owned(),
    })?;
    let code = consumer
        .return_code
        .as_ref()
        .map_or("(none)", |code| code.as_str());
    out.line(format!(
        "return code: {code}{}",
        consumer
            .return_reason_code
            .as_deref()
            .map(|reason| format!(" (reason {reason})"))
            .unwrap_or_default()
    ));
    out.line(format!(
        "customerTraceNumber: {}",
        request.customer_trace_number()
    ));
    let reference = response
        .references()
        .first()
        .cloned()
        .ok_or(Error::Unexpected {
            step: "credit report",
            problem: format!(
                "returnCode {code} came without a report reference; SECONDUSE needs a consumer on file"
            ),
        })?;
    out.line(format!(
        "report reference: {}",
        reference.report_reference_number()
    ));
    Ok(reference)
}

/// Writes `reference` as JSON to `path` (it holds no SSN or date of birth).
///
/// ```no_run
/// # fn run(reference: innovis_client::ReportReference) -> Result<(), examples::Error> {
/// examples::credit::store_reference(&reference, std::path::Path::new("reference.json"))?;
/// # Ok(()) }
/// ```
pub fn store_reference(reference: &ReportReference, path: &Path) -> Result<(), Error> {
    let json = serde_json::to_vec_pretty(reference).map_err(|err| Error::StoredReference {
        path: path.to_path_buf(),
        message: format!("could not be serialized: {err}"),
    })?;
    std::fs::write(path, json).map_err(|source| Error::Io {
        action: "writing",
        path: path.to_path_buf(),
        source,
    })
}

/// Reads a reference stored by [`store_reference`].
///
/// ```no_run
/// let reference = examples::credit::load_reference(std::path::Path::new("reference.json"))?;
/// # Ok::<(), examples::Error>(())
/// ```
pub fn load_reference(path: &Path) -> Result<ReportReference, Error> {
    let json = std::fs::read(path).map_err(|source| Error::Io {
        action: "reading",
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_slice(&json).map_err(|err| Error::StoredReference {
        path: path.to_path_buf(),
        message: format!("is not a stored report reference: {err}"),
    })
}

/// Shares the report `reference` names with the second end user of `settings` (SECONDUSE) and
/// returns the vendor's return code (or `accepted` when the answer has none).
///
/// ```no_run
/// # async fn run(settings: examples::settings::InnovisSettings, reference: innovis_client::ReportReference) -> Result<(), examples::Error> {
/// let client = settings.client()?;
/// let code = examples::credit::second_use(&settings, &client, reference, &examples::Output::stdout()).await?;
/// # let _ = code; Ok(()) }
/// ```
pub async fn second_use(
    settings: &InnovisSettings,
    client: &innovis_client::Client,
    reference: ReportReference,
    out: &Output,
) -> Result<String, Error> {
    let purpose = settings.purpose()?;
    let house_number = settings.profile()?.house_number(
        &purpose,
        &ProductCode::SECONDUSE,
        settings.second_end_user_code.clone(),
    )?;
    out.line(format!(
        "second end user: endUserCode {} (customerId {})",
        house_number.end_user_code(),
        house_number.customer_id()
    ));
    let request = SecondUseRequest::builder(reference)
        .with_house_number(house_number)
        .permissible_purpose(purpose)
        .build()?;
    let response = client.send_second_use(&request).await?;
    response.check().map_err(innovis_client::Error::from)?;
    let consumer = response.consumers().first();
    let code = consumer
        .and_then(|consumer| consumer.return_code.as_ref())
        .map_or_else(|| "accepted".to_owned(), |code| code.as_str().to_owned());
    out.line(format!("SECONDUSE return code: {code}"));
    if let Some(number) = consumer.and_then(|consumer| consumer.report_reference_number.as_deref())
    {
        out.line(format!("SECONDUSE report reference: {number}"));
    }
    out.line(format!(
        "customerTraceNumber: {}",
        request.customer_trace_number()
    ));
    Ok(code)
}
