//! Request types and their builders.
//!
//! - [`ReportRequest`] (built by [`ReportRequestBuilder`]) for `CR`, `PREQUAL`, `PREAPP`, `PRECLOSE`,
//!   `ACCTRVW`, `REFUPD` and any other product except `SECONDUSE`;
//! - [`SecondUseRequest`] (built by [`SecondUseRequestBuilder`]) from a stored [`crate::ReportReference`];
//! - the values they are made of: [`HouseNumber`], [`PermissiblePurpose`], [`ProductCode`], [`Applicant`].

pub mod applicant;
pub mod end_user;
pub mod house_number;
pub mod product;
pub mod purpose;
pub mod report_request;
pub mod second_use;
pub mod state;
pub mod trace;

pub use applicant::{Address, Applicant, Name};
pub use end_user::MAX_END_USER_LEN;
pub use house_number::HouseNumber;
pub use product::ProductCode;
pub use purpose::PermissiblePurpose;
pub use report_request::{ReportRequest, ReportRequestBuilder};
pub use second_use::{SecondUseRequest, SecondUseRequestBuilder};
pub use trace::generate_trace_number;
