//! One consumer's report (`ConsumerReport`).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::pii::mask_digit_runs;
use crate::request::product::ProductCode;
use crate::response::return_code::{ReturnCode, ReturnCodeError};

/// One consumer's report, as the gateway returns it under `Consumers`.
///
/// The fields the vendor documents are typed (all optional, since which ones appear depends on the product
/// and outcome); everything else — the credit data sections, fields added later — is kept in
/// [`ConsumerReport::other`]. Text fields accept a JSON string or number.
///
/// `Debug` shows the typed fields and only the *names* of the other fields, since those hold the consumer's
/// credit data.
///
/// ```
/// use innovis_client::{ConsumerReport, ReturnCode};
///
/// let report: ConsumerReport = serde_json::from_str(r#"{
///     "returnCode": "Record", "reportReferenceNumber": "RR1", "consumerId": "C1",
///     "tradelines": [{"creditor": "BANK"}]
/// }"#).unwrap();
/// assert_eq!(report.return_code, Some(ReturnCode::Record));
/// assert_eq!(report.report_reference_number.as_deref(), Some("RR1"));
/// assert!(report.other.contains_key("tradelines"));
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ConsumerReport {
    /// `softwareProviderId` (e.g. `IGTW` gateway, `IBAT` batch, `IWEB` web).
    #[serde(
        default,
        deserialize_with = "text",
        skip_serializing_if = "Option::is_none"
    )]
    pub software_provider_id: Option<String>,
    /// `softwareProviderVersion`.
    #[serde(
        default,
        deserialize_with = "text",
        skip_serializing_if = "Option::is_none"
    )]
    pub software_provider_version: Option<String>,
    /// `customerTraceNumber`, echoed from the request.
    #[serde(
        default,
        deserialize_with = "text",
        skip_serializing_if = "Option::is_none"
    )]
    pub customer_trace_number: Option<String>,
    /// `userId`.
    #[serde(
        default,
        deserialize_with = "text",
        skip_serializing_if = "Option::is_none"
    )]
    pub user_id: Option<String>,
    /// `reportReferenceNumber`: store it (see [`crate::ReportReference`]).
    #[serde(
        default,
        deserialize_with = "text",
        skip_serializing_if = "Option::is_none"
    )]
    pub report_reference_number: Option<String>,
    /// `productCode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_code: Option<ProductCode>,
    /// `customerId` (the House Number).
    #[serde(
        default,
        deserialize_with = "text",
        skip_serializing_if = "Option::is_none"
    )]
    pub customer_id: Option<String>,
    /// `applicantId` (`1A`…`9A`).
    #[serde(
        default,
        deserialize_with = "text",
        skip_serializing_if = "Option::is_none"
    )]
    pub applicant_id: Option<String>,
    /// `consumerId`: the vendor's id of the consumer; store it with the reference number.
    #[serde(
        default,
        deserialize_with = "text",
        skip_serializing_if = "Option::is_none"
    )]
    pub consumer_id: Option<String>,
    /// `returnCode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_code: Option<ReturnCode>,
    /// `returnReasonCode`.
    #[serde(
        default,
        deserialize_with = "text",
        skip_serializing_if = "Option::is_none"
    )]
    pub return_reason_code: Option<String>,
    /// `returnReasonDesc`.
    #[serde(
        default,
        deserialize_with = "text",
        skip_serializing_if = "Option::is_none"
    )]
    pub return_reason_desc: Option<String>,
    /// `accessMethod`.
    #[serde(
        default,
        deserialize_with = "text",
        skip_serializing_if = "Option::is_none"
    )]
    pub access_method: Option<String>,
    /// Every other field, as sent (credit data sections and anything this crate does not type).
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl ConsumerReport {
    /// `Err` with the reason code and text when `returnCode` is `Error`; `Ok(self)` otherwise (including
    /// `No Record` and `Suppress`, which are answers, not failures).
    ///
    /// ```
    /// use innovis_client::ConsumerReport;
    ///
    /// let found: ConsumerReport = serde_json::from_str(r#"{"returnCode":"Record"}"#).unwrap();
    /// assert!(found.check().is_ok());
    /// ```
    pub fn check(&self) -> Result<&Self, ReturnCodeError> {
        match self.return_code {
            Some(ReturnCode::Error) => Err(ReturnCodeError {
                reason_code: self.return_reason_code.clone(),
                reason_text: self.return_reason_desc.as_deref().map(mask_digit_runs),
                trace_number: self.customer_trace_number.clone(),
            }),
            _ => Ok(self),
        }
    }
}

impl fmt::Debug for ConsumerReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConsumerReport")
            .field("software_provider_id", &self.software_provider_id)
            .field("software_provider_version", &self.software_provider_version)
            .field("customer_trace_number", &self.customer_trace_number)
            .field("user_id", &self.user_id)
            .field("report_reference_number", &self.report_reference_number)
            .field("product_code", &self.product_code)
            .field("customer_id", &self.customer_id)
            .field("applicant_id", &self.applicant_id)
            .field("consumer_id", &self.consumer_id)
            .field("return_code", &self.return_code)
            .field("return_reason_code", &self.return_reason_code)
            .field("return_reason_desc", &self.return_reason_desc)
            .field("access_method", &self.access_method)
            .field("other_fields", &self.other.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// A text field that may come as a JSON string, a number or null.
fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Text {
        String(String),
        Number(serde_json::Number),
    }
    Ok(match Option::<Text>::deserialize(deserializer)? {
        Some(Text::String(s)) => Some(s),
        Some(Text::Number(n)) => Some(n.to_string()),
        None => None,
    })
}
