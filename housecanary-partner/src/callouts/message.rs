//! The typed callout messages, and their decoder: one pass collects every field in any key order,
//! then `message_type` picks the variant, which takes its fields and keeps the rest in `extra`.

use std::borrow::Cow;
use std::fmt;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use common_auth::CalloutAuthError;
use serde::Deserialize;
use serde::de::value::{CowStrDeserializer, MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::id::Id;
use crate::status::{OrderItemStatus, OrderStatus};
use crate::text::{excerpt, signed_url_shown};

const ORDER_STATUS_CHANGE: &str = "order_status_change";
const ORDER_ITEM_STATUS_CHANGE: &str = "order_item_status_change";
const ORDER_COMPLETE: &str = "order_complete";

/// Standard alphabet; padding optional, because the vendor has not documented its encoder.
const REPORT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// One callout, as HouseCanary sends it. Ids may be JSON strings or numbers (the vendor's become
/// [`Id`], the partner's and `message_id` `String`); unknown fields are kept in `extra`, unknown
/// message types become [`CalloutMessage::Unknown`] with the whole body.
///
/// ```
/// use housecanary_partner::callouts::CalloutMessage;
/// use housecanary_partner::status::OrderItemStatus;
///
/// let body = br#"{"message_type": "order_item_status_change", "message_id": "m-17",
///     "order_id": 501, "order_item_id": 9001, "new_status": "reportPending"}"#;
/// let CalloutMessage::OrderItemStatusChange(change) = CalloutMessage::from_slice(body)? else {
///     unreachable!()
/// };
/// assert_eq!(change.order_id, "501");
/// assert_eq!(change.new_status, OrderItemStatus::ReportPending);
/// # Ok::<(), housecanary_partner::callouts::CalloutError>(())
/// ```
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub enum CalloutMessage {
    /// `order_status_change`: the order as a whole changed status.
    OrderStatusChange(OrderStatusChange),
    /// `order_item_status_change`: one item (address) changed status.
    OrderItemStatusChange(OrderItemStatusChange),
    /// `order_complete`: final delivery, with a download URL and/or the report itself.
    OrderComplete(OrderComplete),
    /// A `message_type` this version of the SDK does not know.
    #[non_exhaustive]
    Unknown {
        /// The `message_type` as received.
        message_type: String,
        /// The `message_id`, when the body has a string or number under that key.
        message_id: Option<String>,
        /// The whole body.
        raw: Value,
    },
}

impl CalloutMessage {
    /// The `message_type` as received (the documented spelling for known variants).
    pub fn message_type(&self) -> &str {
        match self {
            Self::OrderStatusChange(_) => ORDER_STATUS_CHANGE,
            Self::OrderItemStatusChange(_) => ORDER_ITEM_STATUS_CHANGE,
            Self::OrderComplete(_) => ORDER_COMPLETE,
            Self::Unknown { message_type, .. } => message_type,
        }
    }

    /// The `message_id` used for deduplication (`None` only for an unknown type without one).
    pub fn message_id(&self) -> Option<&str> {
        match self {
            Self::OrderStatusChange(m) => Some(&m.message_id),
            Self::OrderItemStatusChange(m) => Some(&m.message_id),
            Self::OrderComplete(m) => Some(&m.message_id),
            Self::Unknown { message_id, .. } => message_id.as_deref(),
        }
    }

    /// The `order_id` of a known message (`None` for unknown message types), comparable with an
    /// [`Order`](crate::orders::Order)'s `id` as it is.
    pub fn order_id(&self) -> Option<&Id> {
        match self {
            Self::OrderStatusChange(m) => Some(&m.order_id),
            Self::OrderItemStatusChange(m) => Some(&m.order_id),
            Self::OrderComplete(m) => Some(&m.order_id),
            Self::Unknown { .. } => None,
        }
    }
}

impl fmt::Debug for CalloutMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OrderStatusChange(m) => f.debug_tuple("OrderStatusChange").field(m).finish(),
            Self::OrderItemStatusChange(m) => {
                f.debug_tuple("OrderItemStatusChange").field(m).finish()
            }
            Self::OrderComplete(m) => f.debug_tuple("OrderComplete").field(m).finish(),
            // An unknown message may carry a large blob (a new kind of report): show its shape only.
            Self::Unknown {
                message_type,
                message_id,
                raw,
            } => f
                .debug_struct("Unknown")
                .field("message_type", message_type)
                .field("message_id", message_id)
                .field(
                    "raw_keys",
                    &raw.as_object().map(|o| o.keys().collect::<Vec<_>>()),
                )
                .finish_non_exhaustive(),
        }
    }
}

/// `order_status_change`: the order as a whole changed status.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct OrderStatusChange {
    /// Unique per message; redeliveries repeat it.
    pub message_id: String,
    /// The vendor's order id (the same [`Id`] as [`Order::id`](crate::orders::Order::id)).
    pub order_id: Id,
    /// The partner's own order id, when one was given at creation.
    pub customer_order_id: Option<String>,
    /// The order's new status (unknown values kept as [`OrderStatus::Other`]).
    pub new_status: OrderStatus,
    /// The `external_integration_id`s of the order's items (`null` entries skipped; `null` or absent
    /// list is empty).
    pub external_integration_ids: Vec<String>,
    /// Fields this SDK does not know, as received.
    pub extra: Map<String, Value>,
}

/// `order_item_status_change`: one order item changed status. The fields naming failed validation
/// checks are undocumented: they stay in [`extra`](Self::extra) as received.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct OrderItemStatusChange {
    /// Unique per message; redeliveries repeat it.
    pub message_id: String,
    /// The vendor's order id (the same [`Id`] as [`Order::id`](crate::orders::Order::id)).
    pub order_id: Id,
    /// The partner's own order id, when one was given.
    pub customer_order_id: Option<String>,
    /// The vendor's order item id (the same [`Id`] as
    /// [`OrderItemDetails::id`](crate::orders::OrderItemDetails::id)).
    pub order_item_id: Id,
    /// The partner's own item id, when one was given.
    pub customer_item_id: Option<String>,
    /// The item's new status (unknown values kept as [`OrderItemStatus::Other`]).
    pub new_status: OrderItemStatus,
    /// The item's `external_integration_id`, when one was given.
    pub external_integration_id: Option<String>,
    /// Fields this SDK does not know, as received.
    pub extra: Map<String, Value>,
}

/// `order_complete`: final delivery, with a `download_url`, the encoded report, or both. `Debug`
/// shows the report's length and the URL without its (signed) query.
///
/// ```
/// use housecanary_partner::callouts::CalloutMessage;
///
/// let m = CalloutMessage::from_slice(br#"{"message_type":"order_complete","message_id":"m3",
///     "order_id":1,"order_item_id":2,
///     "download_url":"https://example.com/r.pdf?X-Amz-Signature=abc123",
///     "report":"JVBERi0=\n","external_integration_ids":[]}"#)?;
/// let CalloutMessage::OrderComplete(complete) = m else { unreachable!() };
/// assert_eq!(complete.report_bytes()?.as_deref(), Some(&b"%PDF-"[..]));
/// let shown = format!("{complete:?}");
/// assert!(!shown.contains("JVBERi0") && !shown.contains("abc123"));
/// assert!(shown.contains("https://example.com/r.pdf"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct OrderComplete {
    /// Unique per message; redeliveries repeat it.
    pub message_id: String,
    /// The vendor's order id (the same [`Id`] as [`Order::id`](crate::orders::Order::id)).
    pub order_id: Id,
    /// The partner's own order id, when one was given.
    pub customer_order_id: Option<String>,
    /// The vendor's order item id (documented; optional here because the message also lists the
    /// whole order's integration ids and the vendor has not said whether it is per item).
    pub order_item_id: Option<Id>,
    /// The partner's own item id, when one was given.
    pub customer_item_id: Option<String>,
    /// Where the assets can be downloaded (a signed URL: fetch it without the Authorization header).
    pub download_url: Option<String>,
    /// The encoded report blob, exactly as received. See [`report_bytes`](Self::report_bytes).
    pub report: Option<String>,
    /// The `external_integration_id`s of the order's items.
    pub external_integration_ids: Vec<String>,
    /// Fields this SDK does not know, as received.
    pub extra: Map<String, Value>,
}

impl OrderComplete {
    /// The report decoded as base64 (padding optional, whitespace ignored; the vendor says only
    /// "encoded"); `Ok(None)` without a report.
    ///
    /// # Errors
    /// [`ReportDecodeError::InvalidBase64`] when the blob is not base64.
    pub fn report_bytes(&self) -> Result<Option<Vec<u8>>, ReportDecodeError> {
        let Some(report) = self.report.as_deref() else {
            return Ok(None);
        };
        let compact: Vec<u8> = report
            .bytes()
            .filter(|byte| !byte.is_ascii_whitespace())
            .collect();
        REPORT_BASE64
            .decode(compact)
            .map(Some)
            .map_err(|source| ReportDecodeError::InvalidBase64 { source })
    }
}

impl fmt::Debug for OrderComplete {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The report can be megabytes and is the customer's deliverable: never print it.
        let report = self
            .report
            .as_ref()
            .map(|report| format!("<{} encoded bytes>", report.len()));
        let download_url = self.download_url.as_deref().map(signed_url_shown);
        f.debug_struct("OrderComplete")
            .field("message_id", &self.message_id)
            .field("order_id", &self.order_id)
            .field("customer_order_id", &self.customer_order_id)
            .field("order_item_id", &self.order_item_id)
            .field("customer_item_id", &self.customer_item_id)
            .field("download_url", &download_url)
            .field("report", &report)
            .field("external_integration_ids", &self.external_integration_ids)
            .field("extra", &self.extra)
            .finish()
    }
}

/// The keys any known message type reads, in the order of [`Fields::known`].
const KNOWN: [&str; 10] = [
    "message_id",
    "order_id",
    "customer_order_id",
    "order_item_id",
    "customer_item_id",
    "new_status",
    "external_integration_id",
    "external_integration_ids",
    "download_url",
    "report",
];

/// A field as received, a string borrowed from the body when it has no escapes; the variant
/// decides later whether it has the right shape (a field it does not read may have any).
enum Raw<'de> {
    Text(Cow<'de, str>),
    Json(Value),
}

impl Raw<'_> {
    fn into_value(self) -> Value {
        match self {
            Self::Text(text) => Value::String(text.into_owned()),
            Self::Json(value) => value,
        }
    }
}

impl<'de> Deserialize<'de> for Raw<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

/// Strings as text, anything else through `Value`'s own visitor methods.
struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Raw<'de>, E> {
        Ok(Raw::Text(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Raw<'de>, E> {
        Ok(Raw::Text(Cow::Owned(v.to_owned())))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Raw<'de>, E> {
        Ok(Raw::Json(v.into()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Raw<'de>, E> {
        Ok(Raw::Json(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Raw<'de>, E> {
        Ok(Raw::Json(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Raw<'de>, E> {
        Ok(Raw::Json(v.into()))
    }
    fn visit_unit<E>(self) -> Result<Raw<'de>, E> {
        Ok(Raw::Json(Value::Null))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Raw<'de>, A::Error> {
        Value::deserialize(SeqAccessDeserializer::new(seq)).map(Raw::Json)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Raw<'de>, A::Error> {
        Value::deserialize(MapAccessDeserializer::new(map)).map(Raw::Json)
    }
}

/// Every field of a callout object, known keys in their slots, the others as received.
#[derive(Default)]
struct Fields<'de> {
    message_type: Option<Raw<'de>>,
    known: [Option<Raw<'de>>; KNOWN.len()],
    extra: Map<String, Value>,
}

impl CalloutMessage {
    /// Decodes a body that passed [`CalloutVerifier::verify`](super::CalloutVerifier::verify).
    ///
    /// # Errors
    /// [`CalloutError::NotJson`], [`CalloutError::NotAnObject`], [`CalloutError::MissingMessageType`],
    /// or [`CalloutError::Malformed`] for a known message type whose fields have the wrong shape.
    pub fn from_slice(body: &[u8]) -> Result<Self, CalloutError> {
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        let fields = deserializer
            .deserialize_map(FieldsVisitor)
            .and_then(|fields| deserializer.end().map(|()| fields));
        match fields {
            Ok(fields) => fields.into_message(),
            // Every value is accepted as it is, so a type error can only be the top level's.
            Err(error) if error.is_data() => Err(CalloutError::NotAnObject),
            Err(error) => Err(CalloutError::NotJson {
                message: excerpt(&error.to_string(), MAX_DETAIL_CHARS),
            }),
        }
    }
}

impl Fields<'_> {
    fn into_message(mut self) -> Result<CalloutMessage, CalloutError> {
        let Some(Raw::Text(message_type)) = self.message_type.take() else {
            return Err(CalloutError::MissingMessageType);
        };
        let t = &*message_type;
        let is = |known: &str| t.eq_ignore_ascii_case(known);
        if is(ORDER_STATUS_CHANGE) {
            Ok(CalloutMessage::OrderStatusChange(OrderStatusChange {
                message_id: self.take::<Id>(t, 0)?.into_string(),
                order_id: self.take(t, 1)?,
                customer_order_id: text(self.optional(t, 2)?),
                new_status: self.take(t, 5)?,
                external_integration_ids: texts(self.optional(t, 7)?),
                extra: self.rest(),
            }))
        } else if is(ORDER_ITEM_STATUS_CHANGE) {
            Ok(CalloutMessage::OrderItemStatusChange(
                OrderItemStatusChange {
                    message_id: self.take::<Id>(t, 0)?.into_string(),
                    order_id: self.take(t, 1)?,
                    customer_order_id: text(self.optional(t, 2)?),
                    order_item_id: self.take(t, 3)?,
                    customer_item_id: text(self.optional(t, 4)?),
                    new_status: self.take(t, 5)?,
                    external_integration_id: text(self.optional(t, 6)?),
                    extra: self.rest(),
                },
            ))
        } else if is(ORDER_COMPLETE) {
            Ok(CalloutMessage::OrderComplete(OrderComplete {
                message_id: self.take::<Id>(t, 0)?.into_string(),
                order_id: self.take(t, 1)?,
                customer_order_id: text(self.optional(t, 2)?),
                order_item_id: self.optional(t, 3)?,
                customer_item_id: text(self.optional(t, 4)?),
                external_integration_ids: texts(self.optional(t, 7)?),
                download_url: self.optional(t, 8)?,
                report: self.optional(t, 9)?,
                extra: self.rest(),
            }))
        } else {
            let message_id = match &self.known[0] {
                Some(Raw::Text(id)) => Some(id.to_string()),
                Some(Raw::Json(Value::Number(id))) => Some(id.to_string()),
                _ => None,
            };
            let mut raw = self.rest();
            let message_type = message_type.into_owned();
            raw.insert("message_type".to_owned(), message_type.clone().into());
            Ok(CalloutMessage::Unknown {
                message_type,
                message_id,
                raw: Value::Object(raw),
            })
        }
    }

    /// Decodes the field in slot `index`, which must be present and not `null`.
    fn take<T: DeserializeOwned>(
        &mut self,
        message_type: &str,
        index: usize,
    ) -> Result<T, CalloutError> {
        let Some(raw) = self.known[index].take() else {
            let message = format!("missing field `{}`", KNOWN[index]);
            return Err(malformed(message_type, ".", message));
        };
        decode(raw, message_type, index)
    }

    /// Decodes the field in slot `index`; absent or `null` is `None`.
    fn optional<T: DeserializeOwned>(
        &mut self,
        message_type: &str,
        index: usize,
    ) -> Result<Option<T>, CalloutError> {
        match self.known[index].take() {
            None | Some(Raw::Json(Value::Null)) => Ok(None),
            Some(raw) => decode(raw, message_type, index).map(Some),
        }
    }

    /// The known fields the variant did not take, with the unknown ones.
    fn rest(&mut self) -> Map<String, Value> {
        let mut extra = std::mem::take(&mut self.extra);
        for (key, value) in KNOWN.iter().zip(&mut self.known) {
            if let Some(value) = value.take() {
                extra.insert((*key).to_owned(), value.into_value());
            }
        }
        extra
    }
}

/// Decodes a field into its type straight from the body's text (no `Value` for strings).
fn decode<T: DeserializeOwned>(
    raw: Raw<'_>,
    message_type: &str,
    index: usize,
) -> Result<T, CalloutError> {
    let decoded = match raw {
        Raw::Text(text) => T::deserialize(CowStrDeserializer::<serde_json::Error>::new(text)),
        Raw::Json(value) => T::deserialize(value),
    };
    decoded.map_err(|error| {
        let message = excerpt(&error.to_string(), MAX_DETAIL_CHARS);
        malformed(message_type, KNOWN[index], message)
    })
}

fn malformed(message_type: &str, path: &str, message: String) -> CalloutError {
    CalloutError::Malformed {
        message_type: message_type.to_owned(),
        path: path.to_owned(),
        message,
    }
}

// Lenient ids: the vendor documents ids as strings, but a Django server may send integer keys as
// JSON numbers. Both become the text of the [`Id`] read from either form.

/// An optional id (string or number), as text.
fn text(id: Option<Id>) -> Option<String> {
    id.map(Id::into_string)
}

/// A list of ids, as text; a `null` list is empty and `null` elements are skipped (an item without
/// an external integration id has nothing to report).
fn texts(ids: Option<Vec<Option<Id>>>) -> Vec<String> {
    ids.into_iter()
        .flatten()
        .flatten()
        .map(Id::into_string)
        .collect()
}

/// Collects the fields of a JSON object.
struct FieldsVisitor;

impl<'de> Visitor<'de> for FieldsVisitor {
    type Value = Fields<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = Fields::default();
        // A later duplicate replaces an earlier one, as JSON parsers do.
        while let Some(KeyName(key)) = map.next_key()? {
            if key == "message_type" {
                fields.message_type = Some(map.next_value()?);
            } else if let Some(index) = KNOWN.iter().position(|known| *known == key) {
                fields.known[index] = Some(map.next_value()?);
            } else {
                fields.extra.insert(key.into_owned(), map.next_value()?);
            }
        }
        Ok(fields)
    }
}

/// An object key, borrowed from the body when it has no escapes.
#[derive(Deserialize)]
struct KeyName<'a>(#[serde(borrow)] Cow<'a, str>);

/// Longest serde message kept in an error: a message can quote a field's value, and a field of a
/// callout can be a multi-megabyte report blob that must not end up in logs.
const MAX_DETAIL_CHARS: usize = 200;

/// Why a received request is not an acceptable callout. Never carries a secret or the body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalloutError {
    /// The request did not pass the configured authentication scheme. Never tell the sender which
    /// part failed; this detail is for the receiver's own logs.
    #[error("callout authentication failed: {0}")]
    Unauthorized(#[source] CalloutAuthError),
    /// The body is not JSON.
    #[error("callout body is not JSON: {message}")]
    NotJson {
        /// serde_json's message (line and column included).
        message: String,
    },
    /// The body is JSON but not an object.
    #[error("callout body is not a JSON object")]
    NotAnObject,
    /// The object has no string `message_type`.
    #[error("callout body has no string `message_type`")]
    MissingMessageType,
    /// A known message type whose fields do not have the documented shape.
    #[error("`{message_type}` callout is malformed at `{path}`: {message}")]
    Malformed {
        /// The `message_type` of the body.
        message_type: String,
        /// JSON path of the offending field (`.` for the whole object).
        path: String,
        /// serde_json's message.
        message: String,
    },
}

/// The `report` blob of an [`OrderComplete`](super::OrderComplete) message could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReportDecodeError {
    /// The blob is not standard-alphabet base64 (whitespace aside).
    #[error("order_complete report is not valid base64: {source}")]
    InvalidBase64 {
        /// What the decoder found (a byte value and offset; never the blob).
        #[source]
        source: base64::DecodeError,
    },
}
