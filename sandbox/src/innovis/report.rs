//! The JSON the gateway answers: a `ConsumerReport` under `Consumers`, with made-up credit data.

use serde_json::{Value, json};

use super::store::{InquiryAnswer, RecordedInquiry};
use super::validation::GatewayRequest;
use crate::fixtures::TestConsumer;

/// `softwareProviderId` the vendor reports for gateway (API) requests.
const GATEWAY_PROVIDER: &str = "IGTW";

/// `returnCode` of a confirmed SECONDUSE.
pub(crate) const SECOND_USE_RETURN_CODE: &str = "Record";

/// What every response carries about the request it answers.
pub(crate) struct Envelope<'a> {
    pub(crate) request: &'a GatewayRequest,
    pub(crate) user_id: &'a str,
    pub(crate) report_reference_number: String,
    pub(crate) inquiry_date: String,
}

impl Envelope<'_> {
    /// What the sandbox records about the inquiry this envelope answers, as answered normally.
    pub(crate) fn record(&self, consumer_id: Option<String>, return_code: &str) -> RecordedInquiry {
        let request = self.request;
        RecordedInquiry {
            customer_trace_number: request.customer_trace_number.clone(),
            product_code: request.product_code.clone(),
            customer_id: request.customer_id.clone(),
            end_user_code: request.end_user_code.clone(),
            permissible_purpose_code: request.permissible_purpose_code.clone(),
            report_reference_number: self.report_reference_number.clone(),
            consumer_id,
            return_code: return_code.to_owned(),
            inquiry_date: self.inquiry_date.clone(),
            answer: InquiryAnswer::Answered,
        }
    }

    fn base(&self, applicant_id: &str) -> serde_json::Map<String, Value> {
        let request = self.request;
        let mut map = serde_json::Map::new();
        let mut put = |key: &str, value: Value| {
            map.insert(key.to_owned(), value);
        };
        put("softwareProviderId", json!(GATEWAY_PROVIDER));
        put(
            "softwareProviderVersion",
            json!(concat!("sandbox-", env!("CARGO_PKG_VERSION"))),
        );
        put(
            "customerTraceNumber",
            json!(request.customer_trace_number.clone().unwrap_or_default()),
        );
        put("userId", json!(self.user_id));
        put("reportReferenceNumber", json!(self.report_reference_number));
        put("productCode", json!(request.product_code));
        put("customerId", json!(request.customer_id));
        put("endUserCode", json!(request.end_user_code));
        put("applicantId", json!(applicant_id));
        put("inquiryDate", json!(self.inquiry_date));
        map
    }
}

/// A credit report (or REFUPD answer) for the consumer chosen by applicant `1A`'s SSN.
pub(crate) fn consumer_report(
    envelope: &Envelope<'_>,
    applicant_id: &str,
    consumer: &TestConsumer,
    consumer_id: Option<&str>,
) -> Value {
    let mut map = envelope.base(applicant_id);
    map.insert(
        "consumerId".to_owned(),
        json!(consumer_id.unwrap_or_default()),
    );
    map.insert("returnCode".to_owned(), json!(consumer.return_code));
    map.insert(
        "returnReasonCode".to_owned(),
        json!(consumer.return_reason_code),
    );
    map.insert(
        "returnReasonDesc".to_owned(),
        json!(consumer.return_reason_desc),
    );
    map.insert("accessMethod".to_owned(), json!(""));
    if consumer.on_file {
        map.insert("creditData".to_owned(), credit_data(consumer));
    }
    if envelope.request.product_code == "REFUPD" {
        // The vendor's REFUPD answer is UNKNOWN; the sandbox adds this marker to the report shape.
        map.insert(
            "referenceUpdate".to_owned(),
            json!({ "status": if consumer.on_file { "UPDATED" } else { "NOT_UPDATED" } }),
        );
    }
    json!({ "Consumers": Value::Object(map) })
}

/// The confirmation of a SECONDUSE: no credit data, the original report it shared.
pub(crate) fn second_use_confirmation(
    envelope: &Envelope<'_>,
    consumer_id: &str,
    original_reference: &str,
    original_inquiry_date: &str,
) -> Value {
    let mut map = envelope.base("1A");
    map.insert("consumerId".to_owned(), json!(consumer_id));
    map.insert("returnCode".to_owned(), json!(SECOND_USE_RETURN_CODE));
    map.insert("returnReasonCode".to_owned(), json!("0000"));
    map.insert("returnReasonDesc".to_owned(), json!("SECOND USE CONFIRMED"));
    map.insert("accessMethod".to_owned(), json!("ID"));
    map.insert(
        "secondUse".to_owned(),
        json!({
            "confirmed": true,
            "originalReportReferenceNumber": original_reference,
            "originalInquiryDate": original_inquiry_date,
        }),
    );
    json!({ "Consumers": Value::Object(map) })
}

/// Invented credit data sections (the vendor's are UNKNOWN), stable per consumer.
fn credit_data(consumer: &TestConsumer) -> Value {
    let seed: u32 = consumer.ssn.bytes().map(u32::from).sum();
    json!({
        "score": { "model": "SANDBOX-SCORE", "value": 620 + seed % 200 },
        "tradelines": [
            {
                "creditorName": "SANDBOX BANK",
                "accountType": "REVOLVING",
                "openedDate": "2015-06-01",
                "creditLimit": 5000,
                "balance": 1200 + seed % 500,
                "paymentStatus": "CURRENT",
            },
            {
                "creditorName": "SANDBOX AUTO FINANCE",
                "accountType": "INSTALLMENT",
                "openedDate": "2020-02-15",
                "originalAmount": 24000,
                "balance": 9800,
                "paymentStatus": "CURRENT",
            },
        ],
        "inquiries": [ { "date": "2025-01-10", "subscriberName": "SANDBOX CARD CO" } ],
        "publicRecords": [],
    })
}
