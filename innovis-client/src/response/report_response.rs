//! The whole gateway response: the consumer reports, any other top-level fields, and the raw JSON.

use std::fmt;
use std::sync::OnceLock;

use bytes::Bytes;
use credit_valuation_core::KnownValues;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::borrowed_str::BorrowedStr;
use crate::report_reference::ReportReference;
use crate::response::consumer_report::ConsumerReport;
use crate::response::redaction::quoted;
use crate::response::return_code::ReturnCodeError;

/// What the gateway answered to a report, REFUPD or SECONDUSE request.
///
/// The consumer reports come from the `Consumers` key (the vendor's exact casing is not documented, so
/// `consumers` is accepted too), holding one object or an array. Other top-level fields are kept in
/// [`ReportResponse::other`], and the whole body in [`ReportResponse::raw`]: REFUPD and SECONDUSE answers,
/// whose shapes the vendor does not document, are fully available there.
///
/// `Debug` shows the consumer reports (redacted as in [`ConsumerReport`]) and the names of other fields only.
///
/// ```no_run
/// # async fn run(client: innovis_client::Client, request: innovis_client::ReportRequest) -> Result<(), innovis_client::Error> {
/// let response = client.send(&request).await?;
/// response.check()?; // turn `returnCode: Error` into an error
/// for reference in response.references() {
///     // store it for a later SECONDUSE
///     let _json = serde_json::to_string(reference).unwrap();
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ReportResponse {
    pub(crate) consumers: Vec<ConsumerReport>,
    pub(crate) other: Map<String, Value>,
    /// The body as received; parsed into [`ReportResponse::raw`] only when asked for, so a report
    /// is decoded once on the common path.
    body: Bytes,
    raw: OnceLock<Value>,
    pub(crate) references: Vec<ReportReference>,
    /// What the request carried, masked in `Debug` (the client sets it).
    pub(crate) known: KnownValues,
}

impl ReportResponse {
    /// A response from its typed view and the body it was decoded from.
    pub(crate) fn new(typed: ResponseBody, body: Bytes) -> Self {
        ReportResponse {
            consumers: typed.consumers,
            other: typed.other,
            body,
            raw: OnceLock::new(),
            references: Vec::new(),
            known: KnownValues::default(),
        }
    }

    /// The consumer reports, in the order sent (empty when the body has no `Consumers`).
    ///
    /// ```no_run
    /// # fn f(response: innovis_client::ReportResponse) {
    /// for consumer in response.consumers() {
    ///     println!("{:?}", consumer.return_code);
    /// }
    /// # }
    /// ```
    pub fn consumers(&self) -> &[ConsumerReport] {
        &self.consumers
    }

    /// The top-level fields other than `Consumers`.
    ///
    /// ```no_run
    /// # fn f(response: innovis_client::ReportResponse) {
    /// let names: Vec<&String> = response.other().keys().collect();
    /// # }
    /// ```
    pub fn other(&self) -> &Map<String, Value> {
        &self.other
    }

    /// The whole response body as JSON (parsed on first use). It holds the consumer's personal
    /// data: do not log it.
    ///
    /// ```no_run
    /// # fn f(response: innovis_client::ReportResponse) {
    /// let raw: &serde_json::Value = response.raw();
    /// # }
    /// ```
    pub fn raw(&self) -> &Value {
        // The body decoded as a `ResponseBody` already, so it is valid JSON.
        self.raw
            .get_or_init(|| serde_json::from_slice(&self.body).unwrap_or(Value::Null))
    }

    /// The response body exactly as the gateway sent it. It holds the consumer's personal data:
    /// do not log it.
    ///
    /// ```no_run
    /// # fn f(response: innovis_client::ReportResponse) {
    /// std::fs::write("report.json", response.body()).unwrap();
    /// # }
    /// ```
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// One [`ReportReference`] for every consumer report that has a `reportReferenceNumber` and a
    /// `consumerId`: store them for SECONDUSE.
    ///
    /// ```no_run
    /// # fn f(response: innovis_client::ReportResponse) {
    /// let stored = serde_json::to_string(response.references()).unwrap();
    /// # }
    /// ```
    pub fn references(&self) -> &[ReportReference] {
        &self.references
    }

    /// The first consumer report with `returnCode: Error`, as an error.
    ///
    /// ```no_run
    /// # fn f(response: innovis_client::ReportResponse) -> Result<(), innovis_client::Error> {
    /// response.check()?;
    /// # Ok(()) }
    /// ```
    pub fn check(&self) -> Result<&Self, ReturnCodeError> {
        for consumer in &self.consumers {
            consumer.check()?;
        }
        Ok(self)
    }
}

impl fmt::Debug for ReportResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReportResponse")
            .field("consumers", &self.consumers)
            // Keys are the vendor's text too.
            .field(
                "other_fields",
                &self
                    .other
                    .keys()
                    .map(|key| quoted(&self.known, key))
                    .collect::<Vec<_>>(),
            )
            .field("references", &self.references)
            .finish_non_exhaustive()
    }
}

/// The typed view of a response body.
#[derive(Debug, Default)]
pub(crate) struct ResponseBody {
    pub(crate) consumers: Vec<ConsumerReport>,
    pub(crate) other: Map<String, Value>,
}

impl<'de> Deserialize<'de> for ResponseBody {
    /// `Consumers` (or `consumers`) typed, every other field kept as JSON, in one pass.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BodyVisitor;

        impl<'de> Visitor<'de> for BodyVisitor {
            type Value = ResponseBody;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a gateway response object")
            }

            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<ResponseBody, M::Error> {
                let mut body = ResponseBody::default();
                while let Some(BorrowedStr(key)) = map.next_key::<BorrowedStr<'de>>()? {
                    if key == "Consumers" || key == "consumers" {
                        body.consumers = map.next_value::<Consumers>()?.0;
                    } else {
                        let value = map.next_value::<Value>()?;
                        body.other.insert(key.into_owned(), value);
                    }
                }
                Ok(body)
            }
        }

        deserializer.deserialize_map(BodyVisitor)
    }
}

/// The value of `Consumers`.
struct Consumers(Vec<ConsumerReport>);

impl<'de> Deserialize<'de> for Consumers {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        one_or_many(deserializer).map(Consumers)
    }
}

/// `Consumers` as one object, an array of them, or null.
fn one_or_many<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<ConsumerReport>, D::Error> {
    struct OneOrMany;

    impl<'de> Visitor<'de> for OneOrMany {
        type Value = Vec<ConsumerReport>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a consumer report object or an array of them")
        }

        fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Self::Value, M::Error> {
            ConsumerReport::deserialize(de::value::MapAccessDeserializer::new(map))
                .map(|one| vec![one])
        }

        fn visit_seq<S: SeqAccess<'de>>(self, seq: S) -> Result<Self::Value, S::Error> {
            Vec::deserialize(de::value::SeqAccessDeserializer::new(seq))
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
    }

    deserializer.deserialize_any(OneOrMany)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_raw_tree_is_parsed_from_the_kept_body_on_demand() {
        let bytes: &[u8] = br#"{"Consumers":[{"customerTraceNumber":7,"reportReferenceNumber":"RR1",
            "consumerId":"C1","returnCode":"Record","creditData":{"tradelines":[]}}],"requestId":"r-1"}"#;
        let typed: ResponseBody = serde_json::from_slice(bytes).unwrap();
        let response = ReportResponse::new(typed, Bytes::from_static(bytes));
        assert_eq!(response.consumers().len(), 1);
        assert_eq!(
            response.consumers()[0].customer_trace_number.as_deref(),
            Some("7")
        );
        assert_eq!(response.other()["requestId"], "r-1");
        assert_eq!(response.raw()["Consumers"][0]["consumerId"], "C1");
        assert_eq!(response.body(), bytes);
        // The gateway may also send a single consumer as an object.
        let single: ResponseBody =
            serde_json::from_str(r#"{"Consumers": {"returnCode": "No Record"}}"#).unwrap();
        assert_eq!(single.consumers.len(), 1);
    }
}
