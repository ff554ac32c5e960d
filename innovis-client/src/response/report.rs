//! The whole gateway response: the consumer reports, any other top-level fields, and the raw JSON.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::reference::ReportReference;
use crate::response::consumer::ConsumerReport;
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
    pub(crate) raw: Value,
    pub(crate) references: Vec<ReportReference>,
}

impl ReportResponse {
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
    /// # let _ = names;
    /// # }
    /// ```
    pub fn other(&self) -> &Map<String, Value> {
        &self.other
    }

    /// The whole response body as JSON. It holds the consumer's personal data: do not log it.
    ///
    /// ```no_run
    /// # fn f(response: innovis_client::ReportResponse) {
    /// let raw: &serde_json::Value = response.raw();
    /// # let _ = raw;
    /// # }
    /// ```
    pub fn raw(&self) -> &Value {
        &self.raw
    }

    /// One [`ReportReference`] for every consumer report that has a `reportReferenceNumber` and a
    /// `consumerId`: store them for SECONDUSE.
    ///
    /// ```no_run
    /// # fn f(response: innovis_client::ReportResponse) {
    /// let stored = serde_json::to_string(response.references()).unwrap();
    /// # let _ = stored;
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
            .field("other_fields", &self.other.keys().collect::<Vec<_>>())
            .field("references", &self.references)
            .finish_non_exhaustive()
    }
}

/// The typed view of a response body.
#[derive(Debug, Deserialize)]
pub(crate) struct ResponseBody {
    #[serde(
        rename = "Consumers",
        alias = "consumers",
        default,
        deserialize_with = "one_or_many"
    )]
    pub(crate) consumers: Vec<ConsumerReport>,
    #[serde(flatten)]
    pub(crate) other: Map<String, Value>,
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
