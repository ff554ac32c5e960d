//! The report request (`CR`, `PREQUAL`, `PREAPP`, `PRECLOSE`, `ACCTRVW`, `REFUPD`, or any other product
//! except `SECONDUSE`): the validated value, its typestate builder, and what it is on the wire.
//!
//! On the wire it is `POST` to the gateway URL (one URL for every product) with the JSON body below plus
//! `softwareProviderId`; it is not idempotent (each one is an inquiry on the consumer's file) and its answer
//! decodes as a [`ResponseBody`]. [`crate::Client::send`] records it in the inquiry ledger, then sends it
//! through `credit-valuation-core`.

use std::borrow::Cow;

use bytes::Bytes;
use credit_valuation_core::{Idempotency, Method, Operation};
use serde::Serialize;

use crate::error::Error;
use crate::house_number::HouseNumber;
use crate::permissible_purpose::PermissiblePurpose;
use crate::product_code::ProductCode;
use crate::request::applicant::{Applicant, MAX_APPLICANTS};
use crate::request::builder_state::{
    ApplicantsIsSet, ApplicantsState, HouseNumberIsSet, NoApplicants, NoHouseNumber, NoPurpose,
    PurposeIsSet, WithApplicants, WithHouseNumber, WithPurpose,
};
use crate::request::end_user::check_end_user;
use crate::request::trace_number;
use crate::response::report_response::ResponseBody;

/// A validated report request, ready for [`crate::Client::send`]. Made with [`ReportRequest::builder`].
///
/// The client writes it to the gateway's JSON itself (adding `softwareProviderId` from its config). It is not
/// `Serialize`: it holds the applicants' SSNs, dates of birth, names and addresses, and a serialized request
/// would show them in clear wherever it was written. `Debug` never shows them either.
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
/// assert_eq!(request.house_number().customer_id(), "7001000001");
/// assert_eq!(request.customer_trace_number(), "order-42");
/// assert_eq!(request.applicant_count(), 1);
/// let shown = format!("{request:?}");
/// assert!(shown.contains("order-42"));
/// assert!(!shown.contains("123456789") && !shown.contains("JOHN"));
/// # Ok::<(), innovis_client::Error>(())
/// ```
///
/// ```compile_fail
/// # use innovis_client::{Applicant, PermissiblePurpose, ProductCode, ReportRequest};
/// # let request = ReportRequest::builder(ProductCode::CR).house_number("1", "2")
/// #     .permissible_purpose(PermissiblePurpose::new("17").unwrap()).applicant(Applicant::new()).build().unwrap();
/// // Does not compile: `ReportRequest` is not `Serialize`.
/// let json = serde_json::to_string(&request);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRequest {
    pub(crate) house_number: HouseNumber,
    pub(crate) end_user: Option<String>,
    pub(crate) customer_trace_number: String,
    pub(crate) product_code: ProductCode,
    pub(crate) permissible_purpose_code: PermissiblePurpose,
    /// In the order added: the first is `1A`, the next `2A`, … (see [`ReportRequest::numbered_applicants`]).
    pub(crate) applicants: Vec<Applicant>,
}

impl ReportRequest {
    /// Starts a request for `product`. The builder's type tracks what is still missing; see
    /// [`ReportRequestBuilder`].
    ///
    /// ```
    /// use innovis_client::{ProductCode, ReportRequest};
    /// let builder = ReportRequest::builder(ProductCode::REFUPD);
    /// ```
    pub fn builder(
        product: ProductCode,
    ) -> ReportRequestBuilder<NoHouseNumber, NoPurpose, NoApplicants> {
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

    /// The personal values the request carries, masked wherever the vendor echoes them into an
    /// error or a report's `Debug`.
    pub(crate) fn known_values(&self) -> credit_valuation_core::KnownValues {
        credit_valuation_core::KnownValues::new(
            self.applicants.iter().flat_map(Applicant::personal_values),
        )
    }

    /// Each applicant with its `applicantId`, in the order added.
    pub(crate) fn numbered_applicants(&self) -> impl Iterator<Item = (&'static str, &Applicant)> {
        numbered(&self.applicants)
    }
}

/// `applicants` with their `applicantId`s: `1A` for the first, `2A` for the next, ….
fn numbered(applicants: &[Applicant]) -> impl Iterator<Item = (&'static str, &Applicant)> {
    APPLICANT_IDS.iter().copied().zip(applicants)
}

const APPLICANT_IDS: [&str; MAX_APPLICANTS] =
    ["1A", "2A", "3A", "4A", "5A", "6A", "7A", "8A", "9A"];

/// Builds a [`ReportRequest`]. Made by [`ReportRequest::builder`].
///
/// The three type parameters track the required parts: the House Number, the permissible purpose and the
/// applicants (see [`crate::builder_state`]). `build()` compiles only once all three are set, so a request
/// that lacks one is **rejected by the compiler**, with a message naming the missing part and its setter. A
/// House Number is set by one call that takes both the `customerId` and the `endUserCode`; there is no
/// setter for either alone.
///
/// Lengths and counts (at most 9 applicants, `customerId` ≤ 16, `endUser` ≤ 30, …) are checked by `build()`,
/// which returns [`Error::Validation`] naming the field and the limit.
///
/// ```
/// use innovis_client::{Address, Applicant, PermissiblePurpose, ProductCode, ReportRequest, pii::*};
///
/// let request = ReportRequest::builder(ProductCode::CR)
///     .house_number("1234567890", "9876543210")
///     .permissible_purpose(PermissiblePurpose::new("17")?)
///     .end_user("ACME MORTGAGE")
///     .applicant(
///         Applicant::new()
///             .name("JOHN", "CONSUMER")
///             .ssn(Ssn::new("123-45-6789")?)
///             .dob(DateOfBirth::new("1980-01-02")?)
///             .address(Address::current("1 MAIN ST", "PITTSBURGH", "PA", "15222")),
///     )
///     .applicant(Applicant::new().name("JANE", "CONSUMER"))
///     .build()?;
/// assert_eq!(request.applicant_count(), 2);
/// # Ok::<(), innovis_client::Error>(())
/// ```
///
/// Leaving out a required part does not compile ("a request needs a House Number …"):
///
/// ```compile_fail
/// use innovis_client::{Applicant, PermissiblePurpose, ProductCode, ReportRequest};
///
/// let request = ReportRequest::builder(ProductCode::CR)
///     .permissible_purpose(PermissiblePurpose::new("17").unwrap())
///     .applicant(Applicant::new())
///     .build(); // no House Number
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `build()` is called"]
pub struct ReportRequestBuilder<H, P, A> {
    product: ProductCode,
    house_number: H,
    purpose: P,
    applicants: A,
    end_user: Option<String>,
    customer_trace_number: Option<String>,
}

impl ReportRequestBuilder<NoHouseNumber, NoPurpose, NoApplicants> {
    pub(crate) fn new(product: ProductCode) -> Self {
        ReportRequestBuilder {
            product,
            house_number: NoHouseNumber::new(),
            purpose: NoPurpose::new(),
            applicants: NoApplicants::new(),
            end_user: None,
            customer_trace_number: None,
        }
    }
}

impl<H, P, A> ReportRequestBuilder<H, P, A> {
    /// Sets the House Number: the reseller's `customerId` and the end user's `endUserCode`, together.
    ///
    /// ```
    /// # use innovis_client::{ProductCode, ReportRequest};
    /// let builder = ReportRequest::builder(ProductCode::CR).house_number("1234567890", "9876543210");
    /// ```
    pub fn house_number(
        self,
        customer_id: impl Into<String>,
        end_user_code: impl Into<String>,
    ) -> ReportRequestBuilder<WithHouseNumber, P, A> {
        ReportRequestBuilder {
            product: self.product,
            house_number: WithHouseNumber::new(customer_id.into(), end_user_code.into()),
            purpose: self.purpose,
            applicants: self.applicants,
            end_user: self.end_user,
            customer_trace_number: self.customer_trace_number,
        }
    }

    /// Sets the House Number from a validated [`HouseNumber`] (e.g. one from a
    /// [`crate::ResellerProfile`]).
    ///
    /// ```
    /// # use innovis_client::{HouseNumber, ProductCode, ReportRequest};
    /// let house = HouseNumber::new("1234567890", "9876543210")?;
    /// let builder = ReportRequest::builder(ProductCode::CR).with_house_number(house);
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn with_house_number(
        self,
        house_number: HouseNumber,
    ) -> ReportRequestBuilder<WithHouseNumber, P, A> {
        self.house_number(house_number.customer_id(), house_number.end_user_code())
    }

    /// Sets the permissible purpose (`permissiblePurposeCode`).
    ///
    /// ```
    /// # use innovis_client::{PermissiblePurpose, ProductCode, ReportRequest};
    /// let builder = ReportRequest::builder(ProductCode::CR).permissible_purpose(PermissiblePurpose::new("17")?);
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn permissible_purpose(
        self,
        purpose: PermissiblePurpose,
    ) -> ReportRequestBuilder<H, WithPurpose, A> {
        ReportRequestBuilder {
            product: self.product,
            house_number: self.house_number,
            purpose: WithPurpose::new(purpose),
            applicants: self.applicants,
            end_user: self.end_user,
            customer_trace_number: self.customer_trace_number,
        }
    }

    /// Sets the end user's name (`endUser`, at most 30 characters). The vendor does not use it for the
    /// inquiry.
    pub fn end_user(mut self, end_user: impl Into<String>) -> Self {
        self.end_user = Some(end_user.into());
        self
    }

    /// Sets the `customerTraceNumber` (at most 30 characters). When none is set, `build()` generates a
    /// unique one (see [`crate::generate_trace_number`]).
    pub fn customer_trace_number(mut self, trace_number: impl Into<String>) -> Self {
        self.customer_trace_number = Some(trace_number.into());
        self
    }
}

impl<H, P, A: ApplicantsState> ReportRequestBuilder<H, P, A> {
    /// Adds an applicant: ids `1A` … `9A` in the order they are added (more than 9 fails in `build()`).
    ///
    /// ```
    /// # use innovis_client::{Applicant, ProductCode, ReportRequest};
    /// let builder = ReportRequest::builder(ProductCode::CR)
    ///     .applicant(Applicant::new().name("JANE", "DOE"))
    ///     .applicant(Applicant::new().name("JOHN", "DOE"));
    /// ```
    pub fn applicant(self, applicant: Applicant) -> ReportRequestBuilder<H, P, WithApplicants> {
        ReportRequestBuilder {
            product: self.product,
            house_number: self.house_number,
            purpose: self.purpose,
            applicants: self.applicants.push(applicant),
            end_user: self.end_user,
            customer_trace_number: self.customer_trace_number,
        }
    }
}

impl<H, P, A> ReportRequestBuilder<H, P, A> {
    /// Checks the vendor's field rules and makes the request. Compiles only once a House Number, a
    /// permissible purpose and an applicant are set.
    ///
    /// Fails with [`Error::Validation`] for a blank or too long `customerId`/`endUserCode`, `endUser` over
    /// 30 characters, a `customerTraceNumber` over 30, more than 9 applicants, an applicant field over its
    /// length, or the product `SECONDUSE` (which is made with [`crate::SecondUseRequest`]).
    ///
    /// ```
    /// # use innovis_client::*;
    /// let too_many = (0..10).fold(
    ///     ReportRequest::builder(ProductCode::CR)
    ///         .house_number("1234567890", "9876543210")
    ///         .permissible_purpose(PermissiblePurpose::new("17")?)
    ///         .applicant(Applicant::new()),
    ///     |builder, _| builder.applicant(Applicant::new()),
    /// );
    /// assert!(matches!(too_many.build(), Err(Error::Validation { field: "applicants", .. })));
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn build(self) -> Result<ReportRequest, Error>
    where
        H: HouseNumberIsSet,
        P: PurposeIsSet,
        A: ApplicantsIsSet,
    {
        // Case-insensitively: a lower-case spelling must not slip a SECONDUSE past its ReportReference.
        if self
            .product
            .as_str()
            .eq_ignore_ascii_case(ProductCode::SECONDUSE.as_str())
        {
            return Err(Error::validation(
                "productCode",
                "SECONDUSE requests are made from a stored ReportReference with SecondUseRequest::builder",
            ));
        }
        let house_number = self.house_number.into_house_number()?;
        check_end_user(self.end_user.as_deref())?;
        let customer_trace_number = trace_number::given_or_generated(self.customer_trace_number)?;
        let applicants = self.applicants.into_applicants();
        if applicants.len() > MAX_APPLICANTS {
            return Err(Error::validation(
                "applicants",
                format!(
                    "at most {MAX_APPLICANTS} applicants allowed, got {}",
                    applicants.len()
                ),
            ));
        }
        for applicant in &applicants {
            applicant.validate()?;
        }
        Ok(ReportRequest {
            house_number,
            end_user: self.end_user,
            customer_trace_number,
            product_code: self.product,
            permissible_purpose_code: self.purpose.into_purpose(),
            applicants,
        })
    }
}

/// A report request as it goes on the wire: borrowed from the [`ReportRequest`] and crate-private, so
/// that serializing personal data is something only the client does, right before sending. Fields in the
/// vendor's order; `endUser` omitted when not given; `softwareProviderId` from the client's config.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReportRequestWire<'a> {
    customer_id: &'a str,
    end_user_code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_user: Option<&'a str>,
    customer_trace_number: &'a str,
    product_code: &'a str,
    permissible_purpose_code: &'a str,
    #[serde(serialize_with = "applicants_wire")]
    applicants: &'a [Applicant],
    software_provider_id: &'a str,
}

/// Each applicant under its id, written as it serializes (no `Vec` of wire forms first).
fn applicants_wire<S: serde::Serializer>(
    applicants: &&[Applicant],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(numbered(applicants).map(|(id, applicant)| applicant.wire(id)))
}

impl ReportRequest {
    /// The request as [`crate::Client::send`] posts it, with the config's `softwareProviderId`.
    pub(crate) fn wire<'a>(&'a self, software_provider_id: &'a str) -> ReportRequestWire<'a> {
        ReportRequestWire {
            customer_id: self.house_number.customer_id(),
            end_user_code: self.house_number.end_user_code(),
            end_user: self.end_user.as_deref(),
            customer_trace_number: &self.customer_trace_number,
            product_code: self.product_code.as_str(),
            permissible_purpose_code: self.permissible_purpose_code.as_str(),
            applicants: &self.applicants,
            software_provider_id,
        }
    }
}

impl Operation for ReportRequestWire<'_> {
    type Output = ResponseBody;
    const METHOD: Method = Method::POST;
    // An inquiry is posted on the consumer's file: never resent once it may have arrived.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pii::{DateOfBirth, Ssn};
    use crate::request::applicant::Address;

    fn request(applicants: usize) -> ReportRequest {
        let applicant = Applicant::new()
            .name("JOHN", "CONSUMER")
            .ssn(Ssn::new("123-45-6789").unwrap())
            .dob(DateOfBirth::new("1980-01-02").unwrap());
        let builder = ReportRequest::builder(ProductCode::CR)
            .house_number("7001000001", "EU0042")
            .permissible_purpose(PermissiblePurpose::new("17").unwrap())
            .applicant(applicant.clone());
        (1..applicants)
            .fold(builder, |builder, _| builder.applicant(Applicant::new()))
            .customer_trace_number("order-42")
            .build()
            .unwrap()
    }

    #[test]
    fn applicants_are_numbered_in_the_order_they_were_added() {
        let request = request(9);
        let body = serde_json::to_value(request.wire("SP01")).unwrap();
        let ids: Vec<&str> = body["applicants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|applicant| applicant["applicantId"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["1A", "2A", "3A", "4A", "5A", "6A", "7A", "8A", "9A"]);
    }

    #[test]
    fn the_wire_body_is_the_vendor_json_in_order_with_unset_fields_omitted_and_the_provider_last() {
        let request = request(2);
        let json = serde_json::to_string(&request.wire("SP01")).unwrap();
        assert_eq!(
            json,
            r#"{"customerId":"7001000001","endUserCode":"EU0042","customerTraceNumber":"order-42","productCode":"CR","permissiblePurposeCode":"17","applicants":[{"applicantId":"1A","names":[{"first":"JOHN","last":"CONSUMER"}],"ssn":"123456789","dob":"1980-01-02"},{"applicantId":"2A"}],"softwareProviderId":"SP01"}"#
        );
    }

    #[test]
    fn extra_name_parts_and_address_fields_follow_the_typed_ones_in_key_order() {
        let applicant = Applicant::new()
            .with_name(
                crate::request::applicant::Name::new("JANE", "DOE")
                    .part("suffix", "JR")
                    .part("middle", "Q"),
            )
            .address(
                Address::current("1 MAIN ST", "PITTSBURGH", "PA", "15222").field("line2", "APT 2"),
            )
            .phone("4125550100")
            .ip_address([203, 0, 113, 7].into());
        let wire = applicant.wire("1A");
        assert_eq!(
            serde_json::to_string(&wire).unwrap(),
            r#"{"applicantId":"1A","names":[{"first":"JANE","last":"DOE","middle":"Q","suffix":"JR"}],"phones":[{"phoneNumber":"4125550100"}],"ipAddress":"203.0.113.7","addresses":[{"addressIdentifier":"C","line1":"1 MAIN ST","city":"PITTSBURGH","state":"PA","zip":"15222","line2":"APT 2"}]}"#
        );
    }
}
