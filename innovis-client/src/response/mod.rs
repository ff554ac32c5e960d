//! Response types: [`ReportResponse`] (whole body), [`ConsumerReport`] (one consumer), [`ReturnCode`].

pub mod consumer;
pub(crate) mod redaction;
pub mod report;
pub mod return_code;

pub use consumer::ConsumerReport;
pub use report::ReportResponse;
pub use return_code::{ReturnCode, ReturnCodeError};
