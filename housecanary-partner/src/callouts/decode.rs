//! Decoding a callout body into a [`CalloutMessage`]: one pass over the JSON object collects every
//! field a callout can have, in whatever order the keys come; then `message_type` picks the variant,
//! which takes its fields (naming the first that does not fit) and keeps the rest in `extra`.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::error::CalloutError;
use super::message::{CalloutMessage, OrderComplete, OrderItemStatusChange, OrderStatusChange};
use super::message::{ORDER_COMPLETE, ORDER_ITEM_STATUS_CHANGE, ORDER_STATUS_CHANGE};
use super::string_or_number;

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

/// Every field of a callout object, known keys in their slots, the others as received.
#[derive(Default)]
struct Fields {
    message_type: Option<Value>,
    known: [Option<Value>; KNOWN.len()],
    extra: Map<String, Value>,
}

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
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        let fields = deserializer
            .deserialize_any(FieldsVisitor)
            .and_then(|fields| deserializer.end().map(|()| fields))
            .map_err(|error| CalloutError::not_json(&error))?;
        fields.ok_or(CalloutError::NotAnObject)?.into_message()
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
        let Value::Object(object) = value else {
            return Err(CalloutError::NotAnObject);
        };
        let mut fields = Fields::default();
        for (key, value) in object {
            fields.put(key, value);
        }
        fields.into_message()
    }
}

impl Fields {
    /// The slot of a known key (or of `message_type`).
    fn slot(&mut self, key: &str) -> Option<&mut Value> {
        if key == "message_type" {
            return Some(self.message_type.insert(Value::Null));
        }
        let index = KNOWN.iter().position(|known| *known == key)?;
        Some(self.known[index].insert(Value::Null))
    }

    /// Files `value` under `key` (a later duplicate replaces an earlier one, as JSON parsers do).
    fn put(&mut self, key: String, value: Value) {
        match self.slot(&key) {
            Some(slot) => *slot = value,
            None => {
                self.extra.insert(key, value);
            }
        }
    }

    fn into_message(mut self) -> Result<CalloutMessage, CalloutError> {
        let message_type = match self.message_type.take() {
            Some(Value::String(message_type)) => message_type,
            _ => return Err(CalloutError::MissingMessageType),
        };
        let is = |known: &str| message_type.eq_ignore_ascii_case(known);
        let message = if is(ORDER_STATUS_CHANGE) {
            CalloutMessage::OrderStatusChange(OrderStatusChange {
                message_id: self.take::<Text>(&message_type, 0)?.0,
                order_id: self.take(&message_type, 1)?,
                customer_order_id: self.take::<OptionalText>(&message_type, 2)?.0,
                new_status: self.take(&message_type, 5)?,
                external_integration_ids: self.take::<TextList>(&message_type, 7)?.0,
                extra: self.rest(),
            })
        } else if is(ORDER_ITEM_STATUS_CHANGE) {
            CalloutMessage::OrderItemStatusChange(OrderItemStatusChange {
                message_id: self.take::<Text>(&message_type, 0)?.0,
                order_id: self.take(&message_type, 1)?,
                customer_order_id: self.take::<OptionalText>(&message_type, 2)?.0,
                order_item_id: self.take(&message_type, 3)?,
                customer_item_id: self.take::<OptionalText>(&message_type, 4)?.0,
                new_status: self.take(&message_type, 5)?,
                external_integration_id: self.take::<OptionalText>(&message_type, 6)?.0,
                extra: self.rest(),
            })
        } else if is(ORDER_COMPLETE) {
            CalloutMessage::OrderComplete(OrderComplete {
                message_id: self.take::<Text>(&message_type, 0)?.0,
                order_id: self.take(&message_type, 1)?,
                customer_order_id: self.take::<OptionalText>(&message_type, 2)?.0,
                order_item_id: self.take(&message_type, 3)?,
                customer_item_id: self.take::<OptionalText>(&message_type, 4)?.0,
                external_integration_ids: self.take::<TextList>(&message_type, 7)?.0,
                download_url: self.take(&message_type, 8)?,
                report: self.take(&message_type, 9)?,
                extra: self.rest(),
            })
        } else {
            let message_id = match &self.known[0] {
                Some(Value::String(id)) => Some(id.clone()),
                Some(Value::Number(id)) => Some(id.to_string()),
                _ => None,
            };
            let mut raw = self.rest();
            raw.insert(
                "message_type".to_owned(),
                Value::String(message_type.clone()),
            );
            CalloutMessage::Unknown {
                message_type,
                message_id,
                raw: Value::Object(raw),
            }
        };
        Ok(message)
    }

    /// Decodes the field in slot `index`; an absent field reads as JSON `null` (which optional
    /// fields accept and required ones refuse as missing).
    fn take<T: DeserializeOwned>(
        &mut self,
        message_type: &str,
        index: usize,
    ) -> Result<T, CalloutError> {
        let field = KNOWN[index];
        let Some(value) = self.known[index].take() else {
            return T::deserialize(Value::Null)
                .map_err(|_| CalloutError::missing(message_type, field));
        };
        T::deserialize(value)
            .map_err(|error| CalloutError::malformed(message_type, field.to_owned(), &error))
    }

    /// The known fields the variant did not take, with the unknown ones.
    fn rest(&mut self) -> Map<String, Value> {
        let mut extra = std::mem::take(&mut self.extra);
        for (key, value) in KNOWN.iter().zip(&mut self.known) {
            if let Some(value) = value.take() {
                extra.insert((*key).to_owned(), value);
            }
        }
        extra
    }
}

/// `message_id` and the partner's ids: a string or a number, as text.
struct Text(String);
/// An optional id (string, number or null), as text.
struct OptionalText(Option<String>);
/// A list of ids (or null), as text.
struct TextList(Vec<String>);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        string_or_number::id(deserializer).map(Self)
    }
}

impl<'de> Deserialize<'de> for OptionalText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        string_or_number::optional_id(deserializer).map(Self)
    }
}

impl<'de> Deserialize<'de> for TextList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        string_or_number::id_list(deserializer).map(Self)
    }
}

/// Collects the fields of a JSON object; `None` for any other JSON value.
struct FieldsVisitor;

impl<'de> Visitor<'de> for FieldsVisitor {
    type Value = Option<Fields>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = Fields::default();
        while let Some(key) = map.next_key::<KeyName<'de>>()? {
            let value = map.next_value::<Value>()?;
            match fields.slot(key.as_str()) {
                Some(slot) => *slot = value,
                None => fields.put(key.into_owned(), value),
            }
        }
        Ok(Some(fields))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// An object key, borrowed from the body when it has no escapes.
enum KeyName<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl KeyName<'_> {
    fn as_str(&self) -> &str {
        match self {
            Self::Borrowed(key) => key,
            Self::Owned(key) => key,
        }
    }

    fn into_owned(self) -> String {
        match self {
            Self::Borrowed(key) => key.to_owned(),
            Self::Owned(key) => key,
        }
    }
}

impl<'de> Deserialize<'de> for KeyName<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = KeyName<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(KeyName::Borrowed(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(KeyName::Owned(v.to_owned()))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}
