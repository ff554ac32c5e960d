//! The requests: one file per vendor operation (`report_request.rs`, `second_use.rs`) holding the
//! request value, its builder and its wire form, and one file per value only they are made of (the
//! vocabulary responses share too, `ProductCode`, `HouseNumber`, `PermissiblePurpose`, sits at the
//! crate root).

pub(crate) mod applicant;
pub mod builder_state;
pub(crate) mod end_user;
pub(crate) mod report_request;
pub(crate) mod second_use;
pub(crate) mod trace_number;
