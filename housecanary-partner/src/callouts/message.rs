//! The typed callout messages. Decoding them from a (verified) body is `decode.rs`.

use std::fmt;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::error::ReportDecodeError;
use super::string_or_number;
use crate::orders::Id;
use crate::status::{OrderItemStatus, OrderStatus};
use crate::text::signed_url_shown;

/// `message_type` of an order status change.
pub(super) const ORDER_STATUS_CHANGE: &str = "order_status_change";
/// `message_type` of an order item status change.
pub(super) const ORDER_ITEM_STATUS_CHANGE: &str = "order_item_status_change";
/// `message_type` of a final delivery.
pub(super) const ORDER_COMPLETE: &str = "order_complete";

/// Standard alphabet; padding optional, because the vendor has not documented its encoder.
const REPORT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// One callout, as HouseCanary sends it.
///
/// Ids may arrive as JSON strings or numbers: the vendor's record ids (`order_id`, `order_item_id`)
/// become the crate's [`Id`], equal to the same id read from a REST record whichever form each
/// came in; the partner's own ids and `message_id` become `String`. Fields the SDK does not know are
/// kept in each variant's `extra` map, and message types it does not know become
/// [`CalloutMessage::Unknown`] with the whole body, so a new vendor message never breaks the receiver.
///
/// ```
/// use housecanary_partner::callouts::CalloutMessage;
/// use housecanary_partner::status::OrderItemStatus;
///
/// let body = br#"{
///     "message_type": "order_item_status_change",
///     "message_id": "m-17",
///     "order_id": 501,
///     "customer_order_id": "batch-9",
///     "order_item_id": 9001,
///     "customer_item_id": null,
///     "new_status": "reportPending",
///     "external_integration_id": "crm-4411"
/// }"#;
/// let message = CalloutMessage::from_slice(body)?;
/// assert_eq!(message.message_id(), Some("m-17"));
/// match message {
///     CalloutMessage::OrderItemStatusChange(change) => {
///         assert_eq!(change.order_id, housecanary_partner::Id::from(501_u64));
///         assert_eq!(change.order_id, "501");
///         assert_eq!(change.new_status, OrderItemStatus::ReportPending);
///     }
///     other => panic!("unexpected {other:?}"),
/// }
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

    /// The `message_id` used for deduplication. Every known message has one; an unknown message has
    /// one when its body carries a string or number `message_id`.
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
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct OrderStatusChange {
    /// Unique per message; redeliveries repeat it.
    #[serde(deserialize_with = "string_or_number::id")]
    pub message_id: String,
    /// The vendor's order id (the same [`Id`] as [`Order::id`](crate::orders::Order::id)).
    pub order_id: Id,
    /// The partner's own order id, when one was given at creation.
    #[serde(default, deserialize_with = "string_or_number::optional_id")]
    pub customer_order_id: Option<String>,
    /// The order's new status (unknown values kept as [`OrderStatus::Other`]).
    pub new_status: OrderStatus,
    /// The `external_integration_id`s of the order's items (`null` entries skipped; `null` or absent
    /// list is empty).
    #[serde(default, deserialize_with = "string_or_number::id_list")]
    pub external_integration_ids: Vec<String>,
    /// Fields this SDK does not know, as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `order_item_status_change`: one order item changed status (for example cancelled by validation).
///
/// The vendor says a cancelled item's callout details the validation checks that failed; the names
/// of those fields are UNKNOWN (the sandbox's `reason` and `validation_errors` are its own), so
/// every field this type does not name is kept, as received, in [`extra`](Self::extra).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct OrderItemStatusChange {
    /// Unique per message; redeliveries repeat it.
    #[serde(deserialize_with = "string_or_number::id")]
    pub message_id: String,
    /// The vendor's order id (the same [`Id`] as [`Order::id`](crate::orders::Order::id)).
    pub order_id: Id,
    /// The partner's own order id, when one was given.
    #[serde(default, deserialize_with = "string_or_number::optional_id")]
    pub customer_order_id: Option<String>,
    /// The vendor's order item id (the same [`Id`] as
    /// [`OrderItemDetails::id`](crate::orders::OrderItemDetails::id)).
    pub order_item_id: Id,
    /// The partner's own item id, when one was given.
    #[serde(default, deserialize_with = "string_or_number::optional_id")]
    pub customer_item_id: Option<String>,
    /// The item's new status (unknown values kept as [`OrderItemStatus::Other`]).
    pub new_status: OrderItemStatus,
    /// The item's `external_integration_id`, when one was given.
    #[serde(default, deserialize_with = "string_or_number::optional_id")]
    pub external_integration_id: Option<String>,
    /// Fields this SDK does not know, as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `order_complete`: final delivery of an order's assets.
///
/// Depending on the delivery preference agreed at onboarding it carries a `download_url`, the report
/// itself as an encoded blob, or both. `Debug` shows the blob's length, never its content, and the
/// download URL without its query (the query holds the URL's signature).
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
/// assert_eq!(complete.report_raw(), Some("JVBERi0=\n"));
/// let shown = format!("{complete:?}");
/// assert!(!shown.contains("JVBERi0") && !shown.contains("abc123"));
/// assert!(shown.contains("https://example.com/r.pdf"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct OrderComplete {
    /// Unique per message; redeliveries repeat it.
    #[serde(deserialize_with = "string_or_number::id")]
    pub message_id: String,
    /// The vendor's order id (the same [`Id`] as [`Order::id`](crate::orders::Order::id)).
    pub order_id: Id,
    /// The partner's own order id, when one was given.
    #[serde(default, deserialize_with = "string_or_number::optional_id")]
    pub customer_order_id: Option<String>,
    /// The vendor's order item id (documented; optional here because the message also lists the
    /// whole order's integration ids and the vendor has not said whether it is per item).
    #[serde(default)]
    pub order_item_id: Option<Id>,
    /// The partner's own item id, when one was given.
    #[serde(default, deserialize_with = "string_or_number::optional_id")]
    pub customer_item_id: Option<String>,
    /// Where the assets can be downloaded (a signed URL: fetch it without the Authorization header).
    #[serde(default)]
    pub download_url: Option<String>,
    /// The encoded report blob, exactly as received. See [`report_bytes`](Self::report_bytes).
    #[serde(default)]
    pub report: Option<String>,
    /// The `external_integration_id`s of the order's items.
    #[serde(default, deserialize_with = "string_or_number::id_list")]
    pub external_integration_ids: Vec<String>,
    /// Fields this SDK does not know, as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl OrderComplete {
    /// The report blob exactly as received, if the message carries one.
    pub fn report_raw(&self) -> Option<&str> {
        self.report.as_deref()
    }

    /// The report blob decoded as base64 (standard alphabet; padding optional; spaces and line breaks
    /// ignored). `Ok(None)` when the message carries no report.
    ///
    /// The vendor documents the blob only as "encoded": base64 is the likely encoding, and
    /// [`report_raw`](Self::report_raw) keeps the original should it turn out to be another.
    ///
    /// # Errors
    /// [`ReportDecodeError::InvalidBase64`] when the blob is not base64.
    ///
    /// ```
    /// # use housecanary_partner::callouts::CalloutMessage;
    /// let m = CalloutMessage::from_slice(br#"{"message_type":"order_complete","message_id":"m",
    ///     "order_id":1,"report":"aGVs\r\nbG8"}"#)?;
    /// let CalloutMessage::OrderComplete(complete) = m else { unreachable!() };
    /// assert_eq!(complete.report_bytes()?, Some(b"hello".to_vec()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_debug_hides_values() {
        let m = CalloutMessage::from_slice(
            br#"{"message_type":"new_kind","message_id":"m","blob":"SECRETBLOB"}"#,
        )
        .unwrap();
        let text = format!("{m:?}");
        assert!(text.contains("blob"));
        assert!(!text.contains("SECRETBLOB"));
    }
}
