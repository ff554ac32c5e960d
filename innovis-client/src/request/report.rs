//! A report request (`CR`, `PREQUAL`, `PREAPP`, `PRECLOSE`, `ACCTRVW`, `REFUPD` or any other product except
//! `SECONDUSE`), as it goes on the wire.

use serde::Serialize;

use crate::request::applicant::{Applicant, ApplicantWire};
use crate::request::builder::ReportRequestBuilder;
use crate::request::house_number::HouseNumber;
use crate::request::product::ProductCode;
use crate::request::purpose::PermissiblePurpose;
use crate::request::state::{NoApplicants, NoHouseNumber, NoPurpose};

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
    pub(crate) applicants: Vec<NumberedApplicant>,
}

/// An applicant with the id (`1A`…`9A`) the builder assigned.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NumberedApplicant {
    pub(crate) applicant_id: &'static str,
    pub(crate) applicant: Applicant,
}

/// A report request as it goes on the wire (without `softwareProviderId`, which the client adds): borrowed
/// from the [`ReportRequest`] and crate-private, so that serializing personal data is something only the
/// client does, right before sending. Fields in the vendor's order; `endUser` omitted when not given.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReportWire<'a> {
    customer_id: &'a str,
    end_user_code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_user: Option<&'a str>,
    customer_trace_number: &'a str,
    product_code: &'a str,
    permissible_purpose_code: &'a str,
    pub(crate) applicants: Vec<ApplicantWire<'a>>,
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

    /// The body [`crate::Client::send`] serializes.
    pub(crate) fn wire(&self) -> ReportWire<'_> {
        ReportWire {
            customer_id: self.house_number.customer_id(),
            end_user_code: self.house_number.end_user_code(),
            end_user: self.end_user.as_deref(),
            customer_trace_number: &self.customer_trace_number,
            product_code: self.product_code.as_str(),
            permissible_purpose_code: self.permissible_purpose_code.as_str(),
            applicants: self
                .applicants
                .iter()
                .map(|numbered| numbered.applicant.wire(numbered.applicant_id))
                .collect(),
        }
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
        let wire = request.wire();
        let ids: Vec<&str> = wire.applicants.iter().map(|a| a.applicant_id).collect();
        assert_eq!(ids, ["1A", "2A", "3A", "4A", "5A", "6A", "7A", "8A", "9A"]);
    }

    #[test]
    fn the_wire_body_is_the_vendor_json_in_order_with_unset_fields_omitted() {
        let request = request(2);
        let json = serde_json::to_string(&request.wire()).unwrap();
        assert_eq!(
            json,
            r#"{"customerId":"7001000001","endUserCode":"EU0042","customerTraceNumber":"order-42","productCode":"CR","permissiblePurposeCode":"17","applicants":[{"applicantId":"1A","names":[{"first":"JOHN","last":"CONSUMER"}],"ssn":"123456789","dob":"1980-01-02"},{"applicantId":"2A"}]}"#
        );
    }

    #[test]
    fn extra_name_parts_and_address_fields_follow_the_typed_ones_in_key_order() {
        let applicant = Applicant::new()
            .with_name(
                crate::request::applicant::Name::new("JANE", "DOE")
                    .with_part("suffix", "JR")
                    .with_part("middle", "Q"),
            )
            .address(
                Address::current("1 MAIN ST", "PITTSBURGH", "PA", "15222")
                    .with_field("line2", "APT 2"),
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
