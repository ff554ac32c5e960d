//! SECONDUSE: sharing an already pulled report with a second end user. The request value, its typestate
//! builder, and what it is on the wire.
//!
//! On the wire it is `POST` to the gateway URL (the same URL as every product) with `productCode:
//! "SECONDUSE"`, the stored report's reference and consumer id, and `softwareProviderId`; it is not
//! idempotent (it is an inquiry like any other) and its answer decodes as a [`ResponseBody`].
//! [`crate::Client::send_second_use`] records it in the inquiry ledger, then sends it through `credit-valuation-core`.

use std::borrow::Cow;

use bytes::Bytes;
use credit_valuation_core::{Idempotency, Method, Operation};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::error::Error;
use crate::house_number::HouseNumber;
use crate::permissible_purpose::PermissiblePurpose;
use crate::product_code::ProductCode;
use crate::report_reference::ReportReference;
use crate::request::builder_state::{
    HouseNumberIsSet, NoHouseNumber, NoPurpose, PurposeIsSet, WithHouseNumber, WithPurpose,
};
use crate::request::end_user::check_end_user;
use crate::request::trace_number;
use crate::response::report_response::ResponseBody;

/// Format of `originalInquiryDate`.
const INQUIRY_DATE_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// A SECONDUSE request: the stored [`ReportReference`] of a report, plus the second end user's House Number
/// and permissible purpose.
///
/// The only way to make one is [`SecondUseRequest::builder`], which takes the reference, so a SECONDUSE without
/// a reference does not compile. The client fills `productCode: "SECONDUSE"`, `accessMethod: "ID"`,
/// `originalInquiryDate` (`YYYY-MM-DD HH:MM:SS`), `reportReferenceNumber` and
/// `applicants: [{"consumerId": …}]`, and rejects an original inquiry time in the future before sending.
///
/// ```
/// use innovis_client::{HouseNumber, PermissiblePurpose, ProductCode, ReportReference, SecondUseRequest};
///
/// # let reference = ReportReference::new("RR1", "C1", jiff::Timestamp::UNIX_EPOCH, ProductCode::CR,
/// #     HouseNumber::new("1234567890", "9876543210")?)?;
/// let request = SecondUseRequest::builder(reference)
///     .house_number("1234567890", "5555555555")
///     .permissible_purpose(PermissiblePurpose::new("17")?)
///     .build()?;
/// assert_eq!(request.house_number().end_user_code(), "5555555555");
/// # Ok::<(), innovis_client::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SecondUseRequest {
    reference: ReportReference,
    house_number: HouseNumber,
    purpose: PermissiblePurpose,
    end_user: Option<String>,
    customer_trace_number: String,
}

impl SecondUseRequest {
    /// Starts a SECONDUSE request for the report `reference` points to.
    ///
    /// ```
    /// # use innovis_client::*;
    /// # let reference = ReportReference::new("RR1", "C1", jiff::Timestamp::UNIX_EPOCH, ProductCode::CR,
    /// #     HouseNumber::new("H", "E")?)?;
    /// let builder = SecondUseRequest::builder(reference);
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn builder(
        reference: ReportReference,
    ) -> SecondUseRequestBuilder<NoHouseNumber, NoPurpose> {
        SecondUseRequestBuilder {
            reference,
            house_number: NoHouseNumber::new(),
            purpose: NoPurpose::new(),
            end_user: None,
            customer_trace_number: None,
        }
    }

    /// The reference of the report being shared.
    ///
    /// ```
    /// # use innovis_client::*;
    /// # let reference = ReportReference::new("RR1", "C1", jiff::Timestamp::UNIX_EPOCH, ProductCode::CR,
    /// #     HouseNumber::new("H", "E")?)?;
    /// # let request = SecondUseRequest::builder(reference).house_number("H", "E2")
    /// #     .permissible_purpose(PermissiblePurpose::new("17")?).build()?;
    /// assert_eq!(request.reference().report_reference_number(), "RR1");
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn reference(&self) -> &ReportReference {
        &self.reference
    }

    /// The second end user's House Number.
    ///
    /// ```
    /// # use innovis_client::*;
    /// # let reference = ReportReference::new("RR1", "C1", jiff::Timestamp::UNIX_EPOCH, ProductCode::CR,
    /// #     HouseNumber::new("H", "E")?)?;
    /// # let request = SecondUseRequest::builder(reference).house_number("H", "E2")
    /// #     .permissible_purpose(PermissiblePurpose::new("17")?).build()?;
    /// assert_eq!(request.house_number().end_user_code(), "E2");
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn house_number(&self) -> &HouseNumber {
        &self.house_number
    }

    /// The `customerTraceNumber`: given or generated.
    ///
    /// ```
    /// # use innovis_client::*;
    /// # let reference = ReportReference::new("RR1", "C1", jiff::Timestamp::UNIX_EPOCH, ProductCode::CR,
    /// #     HouseNumber::new("H", "E")?)?;
    /// # let request = SecondUseRequest::builder(reference).house_number("H", "E2")
    /// #     .permissible_purpose(PermissiblePurpose::new("17")?).customer_trace_number("t-1").build()?;
    /// assert_eq!(request.customer_trace_number(), "t-1");
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn customer_trace_number(&self) -> &str {
        &self.customer_trace_number
    }

    /// The request as [`crate::Client::send_second_use`] posts it, with the config's `softwareProviderId`
    /// and `originalInquiryDate` written in `time_zone`; fails when the original inquiry is later than
    /// `now`.
    pub(crate) fn wire<'a>(
        &'a self,
        software_provider_id: &'a str,
        time_zone: &TimeZone,
        now: Timestamp,
    ) -> Result<SecondUseWire<'a>, Error> {
        let inquired_at = self.reference.inquired_at();
        if inquired_at > now {
            return Err(Error::validation(
                "originalInquiryDate",
                "must not be in the future",
            ));
        }
        let original_inquiry_date = inquired_at
            .to_zoned_datetime(time_zone.clone())
            .strftime(INQUIRY_DATE_FORMAT)
            .to_string();
        Ok(SecondUseWire {
            house_number: &self.house_number,
            end_user: self.end_user.as_deref(),
            customer_trace_number: &self.customer_trace_number,
            product_code: ProductCode::SECONDUSE,
            permissible_purpose_code: &self.purpose,
            access_method: "ID",
            original_inquiry_date,
            report_reference_number: self.reference.report_reference_number(),
            applicants: [ConsumerIdApplicant {
                consumer_id: self.reference.consumer_id(),
            }],
            software_provider_id,
        })
    }
}

/// A SECONDUSE request as it goes on the wire, in the vendor's field order; `endUser` omitted when not
/// given.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SecondUseWire<'a> {
    #[serde(flatten)]
    house_number: &'a HouseNumber,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_user: Option<&'a str>,
    customer_trace_number: &'a str,
    product_code: ProductCode,
    permissible_purpose_code: &'a PermissiblePurpose,
    access_method: &'static str,
    original_inquiry_date: String,
    report_reference_number: &'a str,
    applicants: [ConsumerIdApplicant<'a>; 1],
    software_provider_id: &'a str,
}

impl Operation for SecondUseWire<'_> {
    type Output = ResponseBody;
    const METHOD: Method = Method::POST;
    // A SECONDUSE is posted on the consumer's file: never resent once it may have arrived.
    const IDEMPOTENCY: Idempotency = Idempotency::NotIdempotent;
    // Every product posts to the one gateway URL: the path would not tell the calls apart.
    const NAME: Option<&'static str> = Some("POST gateway request");

    /// The gateway URL itself.
    fn path(&self) -> Vec<Cow<'_, str>> {
        Vec::new()
    }

    fn body(&self) -> Result<Option<Bytes>, serde_json::Error> {
        serde_json::to_vec(self).map(|body| Some(Bytes::from(body)))
    }
}

/// The one applicant of a SECONDUSE: the consumer of the original report.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ConsumerIdApplicant<'a> {
    consumer_id: &'a str,
}

/// Builds a [`SecondUseRequest`]; made by [`SecondUseRequest::builder`].
///
/// The type parameters track the second end user's House Number and the permissible purpose; `build()`
/// compiles only when both are set (**enforced by the compiler**, with a message naming the missing part).
/// The House Number is set by one call taking both the `customerId` and the `endUserCode`.
///
/// ```
/// # use innovis_client::*;
/// # let reference = ReportReference::new("RR1", "C1", jiff::Timestamp::UNIX_EPOCH, ProductCode::CR,
/// #     HouseNumber::new("H", "E")?)?;
/// let request = SecondUseRequest::builder(reference)
///     .house_number("1234567890", "5555555555")
///     .permissible_purpose(PermissiblePurpose::new("17")?)
///     .end_user("SECOND LENDER")
///     .build()?;
/// # Ok::<(), innovis_client::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `build()` is called"]
pub struct SecondUseRequestBuilder<H, P> {
    reference: ReportReference,
    house_number: H,
    purpose: P,
    end_user: Option<String>,
    customer_trace_number: Option<String>,
}

impl<H, P> SecondUseRequestBuilder<H, P> {
    /// Sets the second end user's House Number: `customerId` and `endUserCode` together.
    ///
    /// ```
    /// # use innovis_client::*;
    /// # let reference = ReportReference::new("RR1", "C1", jiff::Timestamp::UNIX_EPOCH, ProductCode::CR,
    /// #     HouseNumber::new("H", "E")?)?;
    /// let builder = SecondUseRequest::builder(reference).house_number("1234567890", "5555555555");
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn house_number(
        self,
        customer_id: impl Into<String>,
        end_user_code: impl Into<String>,
    ) -> SecondUseRequestBuilder<WithHouseNumber, P> {
        SecondUseRequestBuilder {
            reference: self.reference,
            house_number: WithHouseNumber::new(customer_id.into(), end_user_code.into()),
            purpose: self.purpose,
            end_user: self.end_user,
            customer_trace_number: self.customer_trace_number,
        }
    }

    /// Sets the second end user's House Number from a validated [`HouseNumber`].
    ///
    /// ```
    /// # use innovis_client::*;
    /// # let reference = ReportReference::new("RR1", "C1", jiff::Timestamp::UNIX_EPOCH, ProductCode::CR,
    /// #     HouseNumber::new("H", "E")?)?;
    /// let builder = SecondUseRequest::builder(reference)
    ///     .with_house_number(HouseNumber::new("1234567890", "5555555555")?);
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn with_house_number(
        self,
        house_number: HouseNumber,
    ) -> SecondUseRequestBuilder<WithHouseNumber, P> {
        self.house_number(house_number.customer_id(), house_number.end_user_code())
    }

    /// Sets the second end user's permissible purpose.
    ///
    /// ```
    /// # use innovis_client::*;
    /// # let reference = ReportReference::new("RR1", "C1", jiff::Timestamp::UNIX_EPOCH, ProductCode::CR,
    /// #     HouseNumber::new("H", "E")?)?;
    /// let builder = SecondUseRequest::builder(reference).permissible_purpose(PermissiblePurpose::new("17")?);
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn permissible_purpose(
        self,
        purpose: PermissiblePurpose,
    ) -> SecondUseRequestBuilder<H, WithPurpose> {
        SecondUseRequestBuilder {
            reference: self.reference,
            house_number: self.house_number,
            purpose: WithPurpose::new(purpose),
            end_user: self.end_user,
            customer_trace_number: self.customer_trace_number,
        }
    }

    /// Sets the second end user's name (`endUser`, at most 30 characters).
    pub fn end_user(mut self, end_user: impl Into<String>) -> Self {
        self.end_user = Some(end_user.into());
        self
    }

    /// Sets the `customerTraceNumber` (at most 30 characters); generated when not set.
    pub fn customer_trace_number(mut self, trace_number: impl Into<String>) -> Self {
        self.customer_trace_number = Some(trace_number.into());
        self
    }

    /// Checks the field rules and makes the request ([`Error::Validation`] on a violation). Compiles only
    /// once the second end user's House Number and the permissible purpose are set.
    ///
    /// ```
    /// # use innovis_client::*;
    /// # let reference = ReportReference::new("RR1", "C1", jiff::Timestamp::UNIX_EPOCH, ProductCode::CR,
    /// #     HouseNumber::new("H", "E")?)?;
    /// let result = SecondUseRequest::builder(reference)
    ///     .house_number("1234567890", "")
    ///     .permissible_purpose(PermissiblePurpose::new("17")?)
    ///     .build();
    /// assert!(matches!(result, Err(Error::Validation { field: "endUserCode", .. })));
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn build(self) -> Result<SecondUseRequest, Error>
    where
        H: HouseNumberIsSet,
        P: PurposeIsSet,
    {
        let house_number = self.house_number.into_house_number()?;
        check_end_user(self.end_user.as_deref())?;
        let customer_trace_number = trace_number::given_or_generated(self.customer_trace_number)?;
        Ok(SecondUseRequest {
            reference: self.reference,
            house_number,
            purpose: self.purpose.into_purpose(),
            end_user: self.end_user,
            customer_trace_number,
        })
    }
}

impl SecondUseRequest {
    /// The permissible purpose and `endUser`, for the inquiry ledger.
    pub(crate) fn purpose_and_end_user(&self) -> (&PermissiblePurpose, Option<&str>) {
        (&self.purpose, self.end_user.as_deref())
    }
}
