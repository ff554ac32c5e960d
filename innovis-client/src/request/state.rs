//! Typestate markers of the request builders.
//!
//! Each required part of a request is a type parameter of its builder that starts as a `No…` marker and becomes
//! a `With…` marker when the part is set; `build()` exists only when every parameter is a `With…` marker. So a
//! request without a House Number, a permissible purpose or an applicant is rejected by the compiler, not at
//! run time. The markers are sealed: they cannot be made or implemented outside this crate.

use crate::error::Error;
use crate::request::applicant::Applicant;
use crate::request::house_number::HouseNumber;
use crate::request::purpose::PermissiblePurpose;

mod sealed {
    /// Prevents other crates from adding states.
    pub trait Sealed {}
}

/// The House Number slot of a builder: [`NoHouseNumber`] or [`WithHouseNumber`].
pub trait HouseNumberState: sealed::Sealed {}
/// The permissible purpose slot of a builder: [`NoPurpose`] or [`WithPurpose`].
pub trait PurposeState: sealed::Sealed {}
/// The applicants slot of a builder: [`NoApplicants`] or [`WithApplicants`].
pub trait ApplicantsState: sealed::Sealed {}

/// No House Number yet: call `house_number(customer_id, end_user_code)`.
#[derive(Debug, Clone)]
pub struct NoHouseNumber(());
/// A House Number (`customerId` and `endUserCode`, given together) is set.
#[derive(Debug, Clone)]
pub struct WithHouseNumber {
    pub(crate) customer_id: String,
    pub(crate) end_user_code: String,
}

/// No permissible purpose yet: call `permissible_purpose(...)`.
#[derive(Debug, Clone)]
pub struct NoPurpose(());
/// A permissible purpose is set.
#[derive(Debug, Clone)]
pub struct WithPurpose(pub(crate) PermissiblePurpose);

/// No applicant yet: call `applicant(...)`.
#[derive(Debug, Clone)]
pub struct NoApplicants(());
/// At least one applicant is set.
#[derive(Debug, Clone)]
pub struct WithApplicants(pub(crate) Vec<Applicant>);

impl NoHouseNumber {
    pub(crate) fn new() -> Self {
        NoHouseNumber(())
    }
}
impl WithHouseNumber {
    /// Checks the two parts as [`HouseNumber::new`] does.
    pub(crate) fn validate(self) -> Result<HouseNumber, Error> {
        HouseNumber::new(self.customer_id, self.end_user_code)
    }
}
impl NoPurpose {
    pub(crate) fn new() -> Self {
        NoPurpose(())
    }
}
impl NoApplicants {
    pub(crate) fn new() -> Self {
        NoApplicants(())
    }
}

impl sealed::Sealed for NoHouseNumber {}
impl sealed::Sealed for WithHouseNumber {}
impl sealed::Sealed for NoPurpose {}
impl sealed::Sealed for WithPurpose {}
impl sealed::Sealed for NoApplicants {}
impl sealed::Sealed for WithApplicants {}
impl HouseNumberState for NoHouseNumber {}
impl HouseNumberState for WithHouseNumber {}
impl PurposeState for NoPurpose {}
impl PurposeState for WithPurpose {}
impl ApplicantsState for NoApplicants {}
impl ApplicantsState for WithApplicants {}
