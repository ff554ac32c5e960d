//! Decoding a callout body into a [`CalloutMessage`]: [`CalloutMessage::from_slice`] and
//! [`CalloutMessage::from_value`].
//!
//! A one-pass decoder reads the shape every known callout has in practice: `message_type` first,
//! then the fields. Anything else (another order, an unknown type, a malformed body) returns `None`
//! and goes through the general decoder (a `serde_json::Value` first), which also produces every
//! error, so both paths accept exactly the same bodies and build the same values.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

use super::error::CalloutError;
use super::message::{CalloutMessage, OrderComplete, OrderItemStatusChange, OrderStatusChange};
use super::message::{ORDER_COMPLETE, ORDER_ITEM_STATUS_CHANGE, ORDER_STATUS_CHANGE};
use super::string_or_number;
use crate::orders::Id;
use crate::status::{OrderItemStatus, OrderStatus};

impl CalloutMessage {
    /// Decodes a callout body. Call it only on a body that passed
    /// [`CalloutVerifier::verify`](super::CalloutVerifier::verify) (or use
    /// [`CalloutVerifier::verify_and_parse`](super::CalloutVerifier::verify_and_parse)).
    ///
    /// # Errors
    /// [`CalloutError::NotJson`], [`CalloutError::NotAnObject`], [`CalloutError::MissingMessageType`],
    /// or [`CalloutError::Malformed`] for a known message type whose fields have the wrong shape.
    ///
    /// ```
    /// use housecanary_partner::callouts::CalloutMessage;
    ///
    /// let message = CalloutMessage::from_slice(br#"{"message_type":"order_cancelled","message_id":7}"#)?;
    /// assert_eq!(message.message_type(), "order_cancelled");
    /// assert_eq!(message.message_id(), Some("7"));
    /// # Ok::<(), housecanary_partner::callouts::CalloutError>(())
    /// ```
    pub fn from_slice(body: &[u8]) -> Result<Self, CalloutError> {
        if let Some(message) = known_type_first(body) {
            return Ok(message);
        }
        let value: Value =
            serde_json::from_slice(body).map_err(|error| CalloutError::not_json(&error))?;
        Self::from_value(value)
    }

    /// Decodes a callout already parsed as JSON (see [`from_slice`](Self::from_slice)).
    ///
    /// # Errors
    /// As [`from_slice`](Self::from_slice), except [`CalloutError::NotJson`].
    ///
    /// ```
    /// use housecanary_partner::callouts::CalloutMessage;
    ///
    /// let value = serde_json::json!({
    ///     "message_type": "order_status_change", "message_id": "m1",
    ///     "order_id": "o1", "new_status": "complete", "external_integration_ids": ["a", "b"]
    /// });
    /// assert!(matches!(CalloutMessage::from_value(value)?, CalloutMessage::OrderStatusChange(_)));
    /// # Ok::<(), housecanary_partner::callouts::CalloutError>(())
    /// ```
    pub fn from_value(value: Value) -> Result<Self, CalloutError> {
        let message_type = match &value {
            Value::Object(object) => match object.get("message_type") {
                Some(Value::String(message_type)) => message_type.clone(),
                _ => return Err(CalloutError::MissingMessageType),
            },
            _ => return Err(CalloutError::NotAnObject),
        };
        if message_type.eq_ignore_ascii_case(ORDER_STATUS_CHANGE) {
            typed(&message_type, value).map(Self::OrderStatusChange)
        } else if message_type.eq_ignore_ascii_case(ORDER_ITEM_STATUS_CHANGE) {
            typed(&message_type, value).map(Self::OrderItemStatusChange)
        } else if message_type.eq_ignore_ascii_case(ORDER_COMPLETE) {
            typed(&message_type, value).map(Self::OrderComplete)
        } else {
            let message_id = match value.get("message_id") {
                Some(Value::String(id)) => Some(id.clone()),
                Some(Value::Number(id)) => Some(id.to_string()),
                _ => None,
            };
            Ok(Self::Unknown {
                message_type,
                message_id,
                raw: value,
            })
        }
    }
}

/// Decodes a known message type, naming the JSON path of the first field that does not fit.
fn typed<T: for<'de> Deserialize<'de>>(
    message_type: &str,
    mut value: Value,
) -> Result<T, CalloutError> {
    // Already read and implied by the variant: keep it out of the message's `extra`.
    if let Value::Object(object) = &mut value {
        object.remove("message_type");
    }
    serde_path_to_error::deserialize(value)
        .map_err(|error| CalloutError::malformed(message_type, &error))
}

/// Decodes `body` in one pass when it is a known callout with `message_type` as its first key.
fn known_type_first(body: &[u8]) -> Option<CalloutMessage> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let message = deserializer.deserialize_map(FirstKeyVisitor).ok()??;
    deserializer.end().ok()?;
    Some(message)
}

/// A key or string, borrowed from the body when it has no escapes.
struct Text<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

/// Known statuses already parsed on this thread, by exact spelling. Parsing a status normalizes the
/// text and compares it with every variant (allocating each time); callouts repeat a handful of
/// spellings, so remembering them makes a status as cheap as a string comparison.
const REMEMBERED_STATUSES: usize = 32;

/// Spellings seen and what they parsed to.
type Remembered<T> = RefCell<Vec<(Box<str>, T)>>;

thread_local! {
    static ORDER_STATUSES: Remembered<OrderStatus> = const { RefCell::new(Vec::new()) };
    static ITEM_STATUSES: Remembered<OrderItemStatus> = const { RefCell::new(Vec::new()) };
}

/// `T::from(raw)`, remembered in `memory` when it is a known status (an unknown one keeps its raw
/// text and is parsed every time, so a sender cannot fill the memory).
fn remembered<T: Clone + for<'a> From<&'a str>>(
    memory: &'static std::thread::LocalKey<Remembered<T>>,
    raw: &str,
    is_known: impl Fn(&T) -> bool,
) -> T {
    memory.with(|memory| {
        let mut memory = memory.borrow_mut();
        if let Some((_, status)) = memory.iter().find(|(seen, _)| &**seen == raw) {
            return status.clone();
        }
        let status = T::from(raw);
        if is_known(&status) && memory.len() < REMEMBERED_STATUSES {
            memory.push((raw.into(), status.clone()));
        }
        status
    })
}

/// An order status, parsed as `OrderStatus`'s own `Deserialize` does.
struct OrderStatusField(OrderStatus);

impl<'de> Deserialize<'de> for OrderStatusField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let Text(raw) = Text::deserialize(deserializer)?;
        Ok(Self(remembered(&ORDER_STATUSES, &raw, |status| {
            !matches!(status, OrderStatus::Other(_))
        })))
    }
}

/// An order item status, parsed as `OrderItemStatus`'s own `Deserialize` does.
struct ItemStatusField(OrderItemStatus);

impl<'de> Deserialize<'de> for ItemStatusField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let Text(raw) = Text::deserialize(deserializer)?;
        Ok(Self(remembered(&ITEM_STATUSES, &raw, |status| {
            !matches!(status, OrderItemStatus::Other(_))
        })))
    }
}

/// A required key such as `message_id` (string or number, as text).
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        string_or_number::id(deserializer).map(Key)
    }
}

/// An optional key such as `customer_order_id` (string, number or null, as text).
struct OptionalKey(Option<String>);

impl<'de> Deserialize<'de> for OptionalKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        string_or_number::optional_id(deserializer).map(OptionalKey)
    }
}

/// A list of keys (or null).
struct Keys(Vec<String>);

impl<'de> Deserialize<'de> for Keys {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        string_or_number::id_list(deserializer).map(Keys)
    }
}

/// Reads `message_type` from the first key and hands the rest of the map to the type's reader.
/// `Ok(None)` means "not this shape": the general decoder takes over.
struct FirstKeyVisitor;

impl<'de> Visitor<'de> for FirstKeyVisitor {
    type Value = Option<CalloutMessage>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a callout object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        match map.next_key::<Text<'de>>()? {
            Some(Text(key)) if key == "message_type" => {}
            _ => return Ok(None),
        }
        let Text(message_type) = map.next_value::<Text<'de>>()?;
        if message_type.eq_ignore_ascii_case(ORDER_ITEM_STATUS_CHANGE) {
            Ok(item_status_change(map)?.map(CalloutMessage::OrderItemStatusChange))
        } else if message_type.eq_ignore_ascii_case(ORDER_COMPLETE) {
            Ok(order_complete(map)?.map(CalloutMessage::OrderComplete))
        } else if message_type.eq_ignore_ascii_case(ORDER_STATUS_CHANGE) {
            Ok(status_change(map)?.map(CalloutMessage::OrderStatusChange))
        } else {
            Ok(None)
        }
    }
}

/// Keeps an unknown field in `extra`; `false` for a second `message_type` (the general decoder
/// keeps the last one, so it must decide).
fn keep_extra<'de, A: MapAccess<'de>>(
    map: &mut A,
    key: Cow<'de, str>,
    extra: &mut Map<String, Value>,
) -> Result<bool, A::Error> {
    if key == "message_type" {
        return Ok(false);
    }
    let value: Value = map.next_value()?;
    extra.insert(key.into_owned(), value);
    Ok(true)
}

fn required<T, E: de::Error>(value: Option<T>, field: &'static str) -> Result<T, E> {
    value.ok_or_else(|| E::missing_field(field))
}

fn item_status_change<'de, A: MapAccess<'de>>(
    mut map: A,
) -> Result<Option<OrderItemStatusChange>, A::Error> {
    let (mut message_id, mut order_id, mut order_item_id, mut new_status) =
        (None, None, None, None);
    let (mut customer_order_id, mut customer_item_id, mut external_integration_id) =
        (None, None, None);
    let mut extra = Map::new();
    while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
        match &*key {
            "message_id" => message_id = Some(map.next_value::<Key>()?.0),
            "order_id" => order_id = Some(map.next_value::<Id>()?),
            "order_item_id" => order_item_id = Some(map.next_value::<Id>()?),
            "new_status" => new_status = Some(map.next_value::<ItemStatusField>()?.0),
            "customer_order_id" => customer_order_id = map.next_value::<OptionalKey>()?.0,
            "customer_item_id" => customer_item_id = map.next_value::<OptionalKey>()?.0,
            "external_integration_id" => {
                external_integration_id = map.next_value::<OptionalKey>()?.0;
            }
            _ => {
                if !keep_extra(&mut map, key, &mut extra)? {
                    return Ok(None);
                }
            }
        }
    }
    Ok(Some(OrderItemStatusChange {
        message_id: required(message_id, "message_id")?,
        order_id: required(order_id, "order_id")?,
        customer_order_id,
        order_item_id: required(order_item_id, "order_item_id")?,
        customer_item_id,
        new_status: required(new_status, "new_status")?,
        external_integration_id,
        extra,
    }))
}

fn status_change<'de, A: MapAccess<'de>>(
    mut map: A,
) -> Result<Option<OrderStatusChange>, A::Error> {
    let (mut message_id, mut order_id, mut new_status) = (None, None, None);
    let mut customer_order_id = None;
    let mut external_integration_ids = Vec::new();
    let mut extra = Map::new();
    while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
        match &*key {
            "message_id" => message_id = Some(map.next_value::<Key>()?.0),
            "order_id" => order_id = Some(map.next_value::<Id>()?),
            "new_status" => new_status = Some(map.next_value::<OrderStatusField>()?.0),
            "customer_order_id" => customer_order_id = map.next_value::<OptionalKey>()?.0,
            "external_integration_ids" => {
                external_integration_ids = map.next_value::<Keys>()?.0;
            }
            _ => {
                if !keep_extra(&mut map, key, &mut extra)? {
                    return Ok(None);
                }
            }
        }
    }
    Ok(Some(OrderStatusChange {
        message_id: required(message_id, "message_id")?,
        order_id: required(order_id, "order_id")?,
        customer_order_id,
        new_status: required(new_status, "new_status")?,
        external_integration_ids,
        extra,
    }))
}

fn order_complete<'de, A: MapAccess<'de>>(mut map: A) -> Result<Option<OrderComplete>, A::Error> {
    let (mut message_id, mut order_id) = (None, None);
    let (mut customer_order_id, mut order_item_id, mut customer_item_id) = (None, None, None);
    let (mut download_url, mut report) = (None, None);
    let mut external_integration_ids = Vec::new();
    let mut extra = Map::new();
    while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
        match &*key {
            "message_id" => message_id = Some(map.next_value::<Key>()?.0),
            "order_id" => order_id = Some(map.next_value::<Id>()?),
            "customer_order_id" => customer_order_id = map.next_value::<OptionalKey>()?.0,
            "order_item_id" => order_item_id = map.next_value::<Option<Id>>()?,
            "customer_item_id" => customer_item_id = map.next_value::<OptionalKey>()?.0,
            "download_url" => download_url = map.next_value::<Option<String>>()?,
            "report" => report = map.next_value::<Option<String>>()?,
            "external_integration_ids" => {
                external_integration_ids = map.next_value::<Keys>()?.0;
            }
            _ => {
                if !keep_extra(&mut map, key, &mut extra)? {
                    return Ok(None);
                }
            }
        }
    }
    Ok(Some(OrderComplete {
        message_id: required(message_id, "message_id")?,
        order_id: required(order_id, "order_id")?,
        customer_order_id,
        order_item_id,
        customer_item_id,
        download_url,
        report,
        external_integration_ids,
        extra,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_type_is_not_kept_in_extra() {
        let m = CalloutMessage::from_slice(
            br#"{"message_type":"order_status_change","message_id":"m","order_id":1,"new_status":"new"}"#,
        )
        .unwrap();
        let CalloutMessage::OrderStatusChange(change) = m else {
            panic!("wrong variant");
        };
        assert!(change.extra.is_empty());
    }

    #[test]
    fn a_known_type_with_a_wrong_field_names_its_path() {
        let err = CalloutMessage::from_slice(
            br#"{"message_type":"order_status_change","message_id":"m","order_id":1,"new_status":"new","external_integration_ids":{"a":1}}"#,
        )
        .unwrap_err();
        match err {
            CalloutError::Malformed { path, .. } => assert_eq!(path, "external_integration_ids"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_known_type_without_message_id_is_malformed() {
        let err = CalloutMessage::from_slice(br#"{"message_type":"order_complete","order_id":1}"#)
            .unwrap_err();
        assert!(matches!(err, CalloutError::Malformed { .. }), "{err:?}");
    }

    /// What the general decoder makes of `body`.
    fn general(body: &[u8]) -> CalloutMessage {
        let value: Value = serde_json::from_slice(body).unwrap();
        CalloutMessage::from_value(value).unwrap()
    }

    #[test]
    fn the_one_pass_decoder_builds_what_the_general_decoder_builds() {
        let bodies: &[&[u8]] = &[
            br#"{"message_type":"order_item_status_change","message_id":"m1","order_id":1,"customer_order_id":null,"order_item_id":2.5,"customer_item_id":"c\"2","new_status":"reportPending","external_integration_id":7,"new":{"a":[1,null]}}"#,
            br#"{"message_type":"ORDER_STATUS_CHANGE","message_id":-3,"order_id":"o","new_status":"weird","external_integration_ids":["a",null,3],"x":1}"#,
            br#"{"message_type":"order_complete","message_id":"m3","order_id":1,"order_item_id":null,"download_url":"https://e/r.pdf","report":"QUJD","external_integration_ids":null}"#,
            br#"{"message_type":"order_complete","message_id":"m3","order_id":1}"#,
            br#"{"message_type":"order_status_change","message_id":"m4","order_id":1,"new_status":"new","message_id":"m5"}"#,
        ];
        for body in bodies {
            let fast = known_type_first(body).expect("the one-pass shape");
            let general = general(body);
            assert_eq!(fast, general, "{}", String::from_utf8_lossy(body));
            // `Id` equality ignores whether an id came as a number; `Debug` shows it.
            assert_eq!(
                format!("{fast:?}"),
                format!("{general:?}"),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn other_shapes_go_to_the_general_decoder() {
        let bodies: &[&[u8]] = &[
            br#"{"message_id":"m1","message_type":"order_status_change","order_id":1,"new_status":"new"}"#,
            br#"{"message_type":"order_status_change","message_id":"m1","order_id":1,"new_status":"new","message_type":"other"}"#,
            br#"{"message_type":"something_new","message_id":"m1"}"#,
            br#"{"message_type":"order_status_change","message_id":"m1","order_id":{},"new_status":"new"}"#,
            br#"{"message_type":"order_status_change","message_id":"m1","new_status":"new"}"#,
            br#"{"message_type":"order_status_change","message_id":"m1","order_id":1,"new_status":"new"} x"#,
            b"[1]",
        ];
        for body in bodies {
            assert!(
                known_type_first(body).is_none(),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
