//! The requests: one file per vendor operation (`report_request.rs`, `second_use.rs`) holding the
//! request value, its builder and its wire form, and one file per value they are made of.

pub(crate) mod applicant;
pub mod builder_state;
pub(crate) mod end_user;
pub(crate) mod house_number;
pub(crate) mod permissible_purpose;
pub(crate) mod product_code;
pub(crate) mod report_request;
pub(crate) mod second_use;
pub(crate) mod trace_number;
