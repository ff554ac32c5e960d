//! Identifiers as the vendor sends them: a number in one place, a string in another.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An identifier (order, order item, export request, owner account), in a REST record or a
/// callout message alike.
///
/// The vendor does not say whether ids are numbers or strings, and a Django server may send the
/// same primary key as `501` in a record and `"501"` in a callout. An `Id` is therefore its
/// text: `501` and `"501"` are **the same id** — equal, with the same hash — so an order's id and
/// a callout's `order_id` compare without conversion. It remembers only whether it arrived as a
/// number, to send it back exactly as received.
///
/// Ids that are whole numbers sort numerically and before all others, which sort by their text.
///
/// ```
/// use housecanary_partner::Id;
///
/// let from_record: Id = serde_json::from_str("501").unwrap();
/// let from_callout: Id = serde_json::from_str(r#""501""#).unwrap();
/// assert_eq!(from_record, from_callout);
/// assert_eq!(from_record, "501");
///
/// // Each is sent back as it came.
/// assert_eq!(serde_json::to_string(&from_record).unwrap(), "501");
/// assert_eq!(serde_json::to_string(&from_callout).unwrap(), r#""501""#);
/// assert_eq!(Id::from("ord_7").to_string(), "ord_7");
/// ```
#[derive(Clone)]
pub struct Id {
    text: String,
    /// Arrived (or was made) as a JSON number: serialized back as one.
    number: bool,
}

impl Id {
    /// The id's text: the digits of a numeric id, the string of a textual one.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the id arrived as a JSON number (and is sent back as one).
    pub fn is_number(&self) -> bool {
        self.number
    }

    /// The id as a whole number, when its text is one (whichever way it arrived).
    pub fn as_u64(&self) -> Option<u64> {
        self.text.parse().ok()
    }

    /// The id's text, owned (for the callout ids kept as `String`s).
    pub(crate) fn into_string(self) -> String {
        self.text
    }

    fn number(text: String) -> Self {
        Self { text, number: true }
    }

    fn text(text: String) -> Self {
        Self {
            text,
            number: false,
        }
    }
}

impl PartialEq for Id {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for Id {}

impl Hash for Id {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // The text alone, as `eq` compares it.
        self.text.hash(state);
    }
}

impl Ord for Id {
    fn cmp(&self, other: &Self) -> Ordering {
        // Whole numbers first, numerically; the text breaks ties ("007" and "7") and orders the
        // rest, so `Equal` means equal text, as `eq` says.
        match (self.as_u64(), other.as_u64()) {
            (Some(own), Some(theirs)) => own.cmp(&theirs),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
        .then_with(|| self.text.cmp(&other.text))
    }
}

impl PartialOrd for Id {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq<str> for Id {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for Id {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // As it was received: `Id(501)` or `Id("501")`.
        if self.number {
            write!(f, "Id({})", self.text)
        } else {
            write!(f, "Id({:?})", self.text)
        }
    }
}

impl From<u64> for Id {
    fn from(n: u64) -> Self {
        Self::number(n.to_string())
    }
}

impl From<u32> for Id {
    fn from(n: u32) -> Self {
        Self::from(u64::from(n))
    }
}

impl From<&str> for Id {
    fn from(s: &str) -> Self {
        Self::text(s.to_owned())
    }
}

impl From<String> for Id {
    fn from(s: String) -> Self {
        Self::text(s)
    }
}

impl From<&Id> for Id {
    fn from(id: &Id) -> Self {
        id.clone()
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.number {
            if let Ok(n) = self.text.parse::<u64>() {
                return serializer.serialize_u64(n);
            }
            if let Ok(n) = self.text.parse::<i64>() {
                return serializer.serialize_i64(n);
            }
            if let Ok(n) = self.text.parse::<f64>() {
                return serializer.serialize_f64(n);
            }
        }
        serializer.serialize_str(&self.text)
    }
}

/// Reads an id from a JSON string or number (integer or not; the vendor's spelling is kept).
struct IdVisitor;

impl<'de> Visitor<'de> for IdVisitor {
    type Value = Id;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an id (a string or a number)")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Id, E> {
        Ok(Id::text(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Id, E> {
        Ok(Id::text(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Id, E> {
        Ok(Id::number(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Id, E> {
        Ok(Id::number(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Id, E> {
        Ok(Id::number(v.to_string()))
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IdVisitor)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::hash_map::DefaultHasher;

    use super::*;

    fn hash(id: &Id) -> u64 {
        let mut hasher = DefaultHasher::new();
        id.hash(&mut hasher);
        hasher.finish()
    }

    #[test]
    fn a_number_and_its_string_are_one_id_sent_back_as_received() {
        let number: Id = serde_json::from_str("501").unwrap();
        let text: Id = serde_json::from_str(r#""501""#).unwrap();
        assert_eq!(number, text);
        assert_eq!(hash(&number), hash(&text));
        assert_eq!(number.cmp(&text), Ordering::Equal);
        assert_eq!(serde_json::to_string(&number).unwrap(), "501");
        assert_eq!(serde_json::to_string(&text).unwrap(), r#""501""#);
        assert_eq!(format!("{number:?} {text:?}"), r#"Id(501) Id("501")"#);
    }

    #[test]
    fn negative_and_fractional_numbers_round_trip() {
        for json in ["-3", "2.5", "18446744073709551615"] {
            let id: Id = serde_json::from_str(json).unwrap();
            assert!(id.is_number());
            assert_eq!(serde_json::to_string(&id).unwrap(), json);
        }
    }

    #[test]
    fn whole_numbers_sort_numerically_before_text() {
        let mut ids: Vec<Id> = vec![
            "b".into(),
            10_u64.into(),
            "9".into(),
            "007".into(),
            "a".into(),
        ];
        ids.sort();
        let texts: Vec<&str> = ids.iter().map(Id::as_str).collect();
        assert_eq!(texts, ["007", "9", "10", "a", "b"]);
    }

    #[test]
    fn null_booleans_and_objects_are_not_ids() {
        for json in ["null", "true", "{}", "[1]"] {
            assert!(serde_json::from_str::<Id>(json).is_err(), "{json}");
        }
    }
}
