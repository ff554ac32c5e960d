//! The typestate builder of [`ReportRequest`].

use crate::error::{Error, check_max};
use crate::request::applicant::{Applicant, MAX_APPLICANTS};
use crate::request::house_number::HouseNumber;
use crate::request::product::ProductCode;
use crate::request::purpose::PermissiblePurpose;
use crate::request::report::{NumberedApplicant, ReportRequest};
use crate::request::state::{
    ApplicantsIsSet, ApplicantsState, HouseNumberIsSet, NoApplicants, NoHouseNumber, NoPurpose,
    PurposeIsSet, WithApplicants, WithHouseNumber, WithPurpose,
};
use crate::request::trace;

/// Most characters in `endUser`.
pub const MAX_END_USER_LEN: usize = 30;

/// Checks an optional `endUser` (shared with the SECONDUSE builder).
pub(crate) fn check_end_user(end_user: Option<&str>) -> Result<(), Error> {
    match end_user {
        Some(end_user) => check_max("endUser", end_user, MAX_END_USER_LEN),
        None => Ok(()),
    }
}

const APPLICANT_IDS: [&str; MAX_APPLICANTS] =
    ["1A", "2A", "3A", "4A", "5A", "6A", "7A", "8A", "9A"];

/// Builds a [`ReportRequest`]. Made by [`ReportRequest::builder`].
///
/// The three type parameters track the required parts: the House Number, the permissible purpose and the
/// applicants (see [`crate::request::state`]). `build()` compiles only once all three are set, so a request
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
    /// # let _ = builder;
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
    /// # let _ = builder;
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
    /// # let _ = builder;
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
    ///
    /// ```
    /// # use innovis_client::{ProductCode, ReportRequest};
    /// let builder = ReportRequest::builder(ProductCode::CR).end_user("ACME MORTGAGE");
    /// # let _ = builder;
    /// ```
    pub fn end_user(mut self, end_user: impl Into<String>) -> Self {
        self.end_user = Some(end_user.into());
        self
    }

    /// Sets the `customerTraceNumber` (at most 30 characters). When none is set, `build()` generates a
    /// unique one (see [`crate::generate_trace_number`]).
    ///
    /// ```
    /// # use innovis_client::{ProductCode, ReportRequest};
    /// let builder = ReportRequest::builder(ProductCode::CR).customer_trace_number("loan-2024-0042");
    /// # let _ = builder;
    /// ```
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
    /// # let _ = builder;
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
        let customer_trace_number = trace::given_or_generated(self.customer_trace_number)?;
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
        let applicants = APPLICANT_IDS
            .iter()
            .zip(applicants)
            .map(|(id, applicant)| {
                applicant.validate()?;
                Ok(NumberedApplicant {
                    applicant_id: id,
                    applicant,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
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
