//! A report request (`CR`, `PREQUAL`, `PREAPP`, `PRECLOSE`, `ACCTRVW`, `REFUPD` or any other product except
//! `SECONDUSE`), as it goes on the wire.

use serde::Serialize;

use crate::request::applicant::Applicant;
use crate::request::builder::ReportRequestBuilder;
use crate::request::house_number::HouseNumber;
use crate::request::product::ProductCode;
use crate::request::purpose::PermissiblePurpose;

/// A validated report request, ready for [`crate::Client::send`]. Made with [`ReportRequest::builder`].
///
/// It serializes to the gateway's JSON except `softwareProviderId`, which the client adds from its config.
/// `Debug` never shows SSNs, dates of birth or consumer access codes.
///
/// ```
/// use innovis_client::{Applicant, PermissiblePurpose, ProductCode, ReportRequest, pii::Ssn};
///
/// let request = ReportRequest::builder(ProductCode::CR)
///     .house_number("7001000001", "EU0042")
///     .permissible_purpose(PermissiblePurpose::new("17")?)
///     .applicant(Applicant::new().name("JOHN", "CONSUMER").ssn(Ssn::new("123-45-6789")?))
///     .customer_trace_number("order-42")
///     .build()?;
/// let json = serde_json::to_value(&request).unwrap();
/// assert_eq!(json["customerId"], "7001000001");
/// assert_eq!(json["applicants"][0]["applicantId"], "1A");
/// assert_eq!(json["applicants"][0]["ssn"], "123456789");
/// assert!(!format!("{request:?}").contains("123456789"));
/// # Ok::<(), innovis_client::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportRequest {
    #[serde(flatten)]
    pub(crate) house_number: HouseNumber,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) end_user: Option<String>,
    pub(crate) customer_trace_number: String,
    pub(crate) product_code: ProductCode,
    pub(crate) permissible_purpose_code: PermissiblePurpose,
    pub(crate) applicants: Vec<NumberedApplicant>,
}

/// An applicant with the id (`1A`…`9A`) the builder assigned.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NumberedApplicant {
    pub(crate) applicant_id: &'static str,
    #[serde(flatten)]
    pub(crate) applicant: Applicant,
}

impl ReportRequest {
    /// Starts a request for `product`. The builder's type tracks what is still missing; see
    /// [`ReportRequestBuilder`].
    ///
    /// ```
    /// use innovis_client::{ProductCode, ReportRequest};
    /// let builder = ReportRequest::builder(ProductCode::REFUPD);
    /// # let _ = builder;
    /// ```
    pub fn builder(product: ProductCode) -> ReportRequestBuilder {
        ReportRequestBuilder::new(product)
    }

    /// The product asked for.
    ///
    /// ```
    /// # use innovis_client::*;
    /// # let request = ReportRequest::builder(ProductCode::CR).house_number("1", "2")
    /// #     .permissible_purpose(PermissiblePurpose::new("17")?).applicant(Applicant::new()).build()?;
    /// assert_eq!(request.product(), &ProductCode::CR);
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn product(&self) -> &ProductCode {
        &self.product_code
    }

    /// The House Number the request is made with.
    ///
    /// ```
    /// # use innovis_client::*;
    /// # let request = ReportRequest::builder(ProductCode::CR).house_number("1", "2")
    /// #     .permissible_purpose(PermissiblePurpose::new("17")?).applicant(Applicant::new()).build()?;
    /// assert_eq!(request.house_number().end_user_code(), "2");
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn house_number(&self) -> &HouseNumber {
        &self.house_number
    }

    /// The permissible purpose.
    ///
    /// ```
    /// # use innovis_client::*;
    /// # let request = ReportRequest::builder(ProductCode::CR).house_number("1", "2")
    /// #     .permissible_purpose(PermissiblePurpose::new("17")?).applicant(Applicant::new()).build()?;
    /// assert_eq!(request.permissible_purpose().as_str(), "17");
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn permissible_purpose(&self) -> &PermissiblePurpose {
        &self.permissible_purpose_code
    }

    /// The `customerTraceNumber`: the one given to the builder, or the one it generated.
    ///
    /// ```
    /// # use innovis_client::*;
    /// # let request = ReportRequest::builder(ProductCode::CR).house_number("1", "2")
    /// #     .permissible_purpose(PermissiblePurpose::new("17")?).applicant(Applicant::new()).build()?;
    /// assert!(request.customer_trace_number().len() <= 30);
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn customer_trace_number(&self) -> &str {
        &self.customer_trace_number
    }

    /// How many applicants the request holds (1 to 9).
    ///
    /// ```
    /// # use innovis_client::*;
    /// # let request = ReportRequest::builder(ProductCode::CR).house_number("1", "2")
    /// #     .permissible_purpose(PermissiblePurpose::new("17")?).applicant(Applicant::new()).build()?;
    /// assert_eq!(request.applicant_count(), 1);
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn applicant_count(&self) -> usize {
        self.applicants.len()
    }
}
