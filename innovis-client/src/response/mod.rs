//! What the gateway answers: the whole body ([`report_response`]), one consumer's report
//! ([`consumer_report`]) and its `returnCode` ([`return_code`]), and how vendor text is masked before
//! it reaches an error ([`redaction`]).

pub(crate) mod consumer_report;
pub(crate) mod redaction;
pub(crate) mod report_response;
pub(crate) mod return_code;
