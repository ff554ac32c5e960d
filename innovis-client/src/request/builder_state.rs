//! Typestate of the request builders: which required parts are set.
//!
//! Each required part of a request is a type parameter of its builder: a `No…` marker until the part is
//! set, a `With…` marker after. `build()` is generic, bounded by one `…IsSet` trait per part, so a request
//! without a House Number, a permissible purpose or an applicant is rejected by the compiler with a message
//! naming the missing part and the setter to call. The markers and traits are sealed: no other crate can
//! make a marker or implement a trait, so the bounds cannot be satisfied without calling the setter.
//!
//! ```
//! use innovis_client::builder_state::{ApplicantsIsSet, HouseNumberIsSet, PurposeIsSet};
//! use innovis_client::{Applicant, Error, PermissiblePurpose, ProductCode, ReportRequest, ReportRequestBuilder};
//!
//! // Generic code over complete builders names these bounds:
//! fn finish<H: HouseNumberIsSet, P: PurposeIsSet, A: ApplicantsIsSet>(
//!     builder: ReportRequestBuilder<H, P, A>,
//! ) -> Result<ReportRequest, Error> {
//!     builder.customer_trace_number("order-42").build()
//! }
//! let request = finish(
//!     ReportRequest::builder(ProductCode::CR)
//!         .house_number("7001000001", "EU0042")
//!         .permissible_purpose(PermissiblePurpose::new("17")?)
//!         .applicant(Applicant::new()),
//! )?;
//! assert_eq!(request.customer_trace_number(), "order-42");
//! # Ok::<(), Error>(())
//! ```

use crate::error::Error;
use crate::house_number::HouseNumber;
use crate::permissible_purpose::PermissiblePurpose;
use crate::request::applicant::Applicant;

mod sealed {
    /// Keeps the markers and the `…IsSet` traits to this crate.
    pub trait Sealed {}
    impl Sealed for super::NoHouseNumber {}
    impl Sealed for super::WithHouseNumber {}
    impl Sealed for super::NoPurpose {}
    impl Sealed for super::WithPurpose {}
    impl Sealed for super::NoApplicants {}
    impl Sealed for super::WithApplicants {}
}

/// No House Number yet: call `.house_number(customer_id, end_user_code)`.
#[derive(Debug, Clone)]
pub struct NoHouseNumber(());

/// A House Number is set: a `customerId` and an `endUserCode`, given together by one setter.
#[derive(Debug, Clone)]
pub struct WithHouseNumber {
    customer_id: String,
    end_user_code: String,
}

/// No permissible purpose yet: call `.permissible_purpose(..)`.
#[derive(Debug, Clone)]
pub struct NoPurpose(());

/// A permissible purpose is set.
#[derive(Debug, Clone)]
pub struct WithPurpose(PermissiblePurpose);

/// No applicant yet: call `.applicant(..)`.
#[derive(Debug, Clone)]
pub struct NoApplicants(());

/// At least one applicant is set.
#[derive(Debug, Clone)]
pub struct WithApplicants(Vec<Applicant>);

impl NoHouseNumber {
    pub(crate) fn new() -> Self {
        NoHouseNumber(())
    }
}

impl WithHouseNumber {
    /// Both parts at once: the only way to make one, so neither can be set alone.
    pub(crate) fn new(customer_id: String, end_user_code: String) -> Self {
        WithHouseNumber {
            customer_id,
            end_user_code,
        }
    }
}

impl NoPurpose {
    pub(crate) fn new() -> Self {
        NoPurpose(())
    }
}

impl WithPurpose {
    pub(crate) fn new(purpose: PermissiblePurpose) -> Self {
        WithPurpose(purpose)
    }
}

impl NoApplicants {
    pub(crate) fn new() -> Self {
        NoApplicants(())
    }
}

/// Satisfied once a builder has a House Number.
#[diagnostic::on_unimplemented(
    message = "a request needs a House Number: a `customerId` and an `endUserCode`, given together",
    label = "no House Number set on this builder",
    note = "call `.house_number(customer_id, end_user_code)` before `.build()`"
)]
pub trait HouseNumberIsSet: sealed::Sealed {
    #[doc(hidden)]
    fn into_house_number(self) -> Result<HouseNumber, Error>;
}

impl HouseNumberIsSet for WithHouseNumber {
    /// Checks the two parts as [`HouseNumber::new`] does.
    fn into_house_number(self) -> Result<HouseNumber, Error> {
        HouseNumber::new(self.customer_id, self.end_user_code)
    }
}

/// Satisfied once a builder has a permissible purpose.
#[diagnostic::on_unimplemented(
    message = "a request needs a permissible purpose",
    label = "no permissible purpose set on this builder",
    note = "call `.permissible_purpose(PermissiblePurpose::new(\"17\")?)` before `.build()`"
)]
pub trait PurposeIsSet: sealed::Sealed {
    #[doc(hidden)]
    fn into_purpose(self) -> PermissiblePurpose;
}

impl PurposeIsSet for WithPurpose {
    fn into_purpose(self) -> PermissiblePurpose {
        self.0
    }
}

/// The applicants of a report request builder: none yet, or some. Sealed; lets one `.applicant(..)`
/// setter add the first applicant and every later one.
pub trait ApplicantsState: sealed::Sealed {
    #[doc(hidden)]
    fn push(self, applicant: Applicant) -> WithApplicants;
}

impl ApplicantsState for NoApplicants {
    fn push(self, applicant: Applicant) -> WithApplicants {
        WithApplicants(vec![applicant])
    }
}

impl ApplicantsState for WithApplicants {
    fn push(mut self, applicant: Applicant) -> WithApplicants {
        self.0.push(applicant);
        self
    }
}

/// Satisfied once a report request builder has at least one applicant.
#[diagnostic::on_unimplemented(
    message = "a report request needs at least one applicant",
    label = "no applicant added to this builder",
    note = "call `.applicant(Applicant::new().name(first, last).ssn(..))` before `.build()`"
)]
pub trait ApplicantsIsSet: ApplicantsState {
    #[doc(hidden)]
    fn into_applicants(self) -> Vec<Applicant>;
}

impl ApplicantsIsSet for WithApplicants {
    fn into_applicants(self) -> Vec<Applicant> {
        self.0
    }
}
