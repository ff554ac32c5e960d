//! One consumer's report (`ConsumerReport`).

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use credit_valuation_core::KnownValues;

use crate::borrowed_str::BorrowedStr;
use crate::pii::mask_digit_runs;
use crate::product_code::ProductCode;
use crate::response::redaction::quoted;
use crate::response::return_code::{ReturnCode, ReturnCodeError};

/// One consumer's report, as the gateway returns it under `Consumers`.
///
/// The fields the vendor documents are typed (all optional, since which ones appear depends on the product
/// and outcome); everything else — the credit data sections, fields added later — is kept in
/// [`ConsumerReport::other`]. Text fields accept a JSON string or number.
///
/// `Debug` shows the typed fields with every run of 4 or more digits masked (the vendor's text may echo an
/// SSN, a date of birth or an account number; see [`crate::pii::mask_digit_runs`]), and only the *names* of
/// the other fields, since those hold the consumer's credit data.
///
/// ```
/// use innovis_client::ConsumerReport;
///
/// let report: ConsumerReport = serde_json::from_str(
///     r#"{"returnCode": "Error", "returnReasonCode": "E12", "returnReasonDesc": "SSN 666 01 0001 INVALID"}"#,
/// ).unwrap();
/// let shown = format!("{report:?}");
/// assert!(shown.contains("\"SSN ### ## #### INVALID\"") && shown.contains("E12"));
/// assert!(!shown.contains("0001"));
/// ```
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
#[derive(Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ConsumerReport {
    /// `softwareProviderId` (e.g. `IGTW` gateway, `IBAT` batch, `IWEB` web).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub software_provider_id: Option<String>,
    /// `softwareProviderVersion`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub software_provider_version: Option<String>,
    /// `customerTraceNumber`, echoed from the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_trace_number: Option<String>,
    /// `userId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// `reportReferenceNumber`: store it (see [`crate::ReportReference`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_reference_number: Option<String>,
    /// `productCode`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_code: Option<ProductCode>,
    /// `customerId` (the House Number).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// `applicantId` (`1A`…`9A`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applicant_id: Option<String>,
    /// `consumerId`: the vendor's id of the consumer; store it with the reference number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumer_id: Option<String>,
    /// `returnCode`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_code: Option<ReturnCode>,
    /// `returnReasonCode`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_reason_code: Option<String>,
    /// `returnReasonDesc`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_reason_desc: Option<String>,
    /// `accessMethod`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_method: Option<String>,
    /// Every other field, as sent (credit data sections and anything this crate does not type).
    #[serde(flatten)]
    pub other: Map<String, Value>,
    /// What the request carried, masked in `check()`'s error and in `Debug` (set by the client).
    #[serde(skip)]
    pub(crate) known: KnownValues,
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
                reason_code: self
                    .return_reason_code
                    .as_deref()
                    .map(|code| quoted(&self.known, code)),
                reason_text: self
                    .return_reason_desc
                    .as_deref()
                    .map(|text| quoted(&self.known, text)),
                trace_number: self.customer_trace_number.clone(),
            }),
            _ => Ok(self),
        }
    }
}

impl fmt::Debug for ConsumerReport {
    /// Every field holds the vendor's text, which may echo what the request carried (an SSN in
    /// `returnReasonDesc`, a date of birth in `userId`), so each field's rendering goes through
    /// [`mask_digit_runs`]: runs of 4 or more digits print as `#`, while short codes (`1A`, a reason code) and
    /// the return and product codes (no digits) stay readable. Of the untyped fields only the names are shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConsumerReport")
            .field(
                "software_provider_id",
                &Masked(&self.known, &self.software_provider_id),
            )
            .field(
                "software_provider_version",
                &Masked(&self.known, &self.software_provider_version),
            )
            .field(
                "customer_trace_number",
                &Masked(&self.known, &self.customer_trace_number),
            )
            .field("user_id", &Masked(&self.known, &self.user_id))
            .field(
                "report_reference_number",
                &Masked(&self.known, &self.report_reference_number),
            )
            .field("product_code", &Masked(&self.known, &self.product_code))
            .field("customer_id", &Masked(&self.known, &self.customer_id))
            .field("applicant_id", &Masked(&self.known, &self.applicant_id))
            .field("consumer_id", &Masked(&self.known, &self.consumer_id))
            .field("return_code", &Masked(&self.known, &self.return_code))
            .field(
                "return_reason_code",
                &Masked(&self.known, &self.return_reason_code),
            )
            .field(
                "return_reason_desc",
                &Masked(&self.known, &self.return_reason_desc),
            )
            .field("access_method", &Masked(&self.known, &self.access_method))
            .field(
                "other_fields",
                &Masked(&self.known, &self.other.keys().collect::<Vec<_>>()),
            )
            .finish()
    }
}

/// A value's `Debug` rendering with its digit runs masked. `ProductCode` and `ReturnCode` keep unknown values
/// as raw strings, so even they are masked rather than trusted; the known ones hold no digits.
/// The request's own personal values are masked too, and the rendering is bounded like any quoted
/// vendor text.
struct Masked<'a, T: fmt::Debug>(&'a KnownValues, &'a T);

impl<T: fmt::Debug> fmt::Debug for Masked<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `{:#?}` of the report asks for the pretty form of each field too.
        let rendered = if f.alternate() {
            format!("{:#?}", self.1)
        } else {
            format!("{:?}", self.1)
        };
        let masked = mask_digit_runs(&self.0.mask(&rendered));
        f.write_str(&credit_valuation_core::Redaction::default().quote(&masked))
    }
}

impl<'de> Deserialize<'de> for ConsumerReport {
    /// Known fields straight into their types, every other field into [`ConsumerReport::other`]:
    /// one pass over the report, without the buffering `#[serde(flatten)]` would cost.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ReportVisitor;

        impl<'de> Visitor<'de> for ReportVisitor {
            type Value = ConsumerReport;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a consumer report object")
            }

            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<ConsumerReport, M::Error> {
                let mut report = ConsumerReport::default();
                while let Some(BorrowedStr(key)) = map.next_key::<BorrowedStr<'de>>()? {
                    let text = match key.as_ref() {
                        "softwareProviderId" => &mut report.software_provider_id,
                        "softwareProviderVersion" => &mut report.software_provider_version,
                        "customerTraceNumber" => &mut report.customer_trace_number,
                        "userId" => &mut report.user_id,
                        "reportReferenceNumber" => &mut report.report_reference_number,
                        "customerId" => &mut report.customer_id,
                        "applicantId" => &mut report.applicant_id,
                        "consumerId" => &mut report.consumer_id,
                        "returnReasonCode" => &mut report.return_reason_code,
                        "returnReasonDesc" => &mut report.return_reason_desc,
                        "accessMethod" => &mut report.access_method,
                        "productCode" => {
                            report.product_code = map.next_value()?;
                            continue;
                        }
                        "returnCode" => {
                            report.return_code = map.next_value()?;
                            continue;
                        }
                        _ => {
                            let value = map.next_value::<Value>()?;
                            report.other.insert(key.into_owned(), value);
                            continue;
                        }
                    };
                    *text = map.next_value::<Text>()?.0;
                }
                Ok(report)
            }
        }

        deserializer.deserialize_map(ReportVisitor)
    }
}

/// A text field that may come as a JSON string, a number or null.
struct Text(Option<String>);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;

        impl Visitor<'_> for TextVisitor {
            type Value = Text;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, a number or null")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Text, E> {
                Ok(Text(Some(text.to_owned())))
            }

            fn visit_string<E: de::Error>(self, text: String) -> Result<Text, E> {
                Ok(Text(Some(text)))
            }

            fn visit_u64<E: de::Error>(self, number: u64) -> Result<Text, E> {
                Ok(Text(Some(number.to_string())))
            }

            fn visit_i64<E: de::Error>(self, number: i64) -> Result<Text, E> {
                Ok(Text(Some(number.to_string())))
            }

            fn visit_f64<E: de::Error>(self, number: f64) -> Result<Text, E> {
                // Formatted as JSON writes it, as the text was sent.
                Ok(Text(
                    serde_json::Number::from_f64(number).map(|number| number.to_string()),
                ))
            }

            fn visit_unit<E: de::Error>(self) -> Result<Text, E> {
                Ok(Text(None))
            }

            fn visit_none<E: de::Error>(self) -> Result<Text, E> {
                Ok(Text(None))
            }
        }

        deserializer.deserialize_any(TextVisitor)
    }
}
