//! Where an order item's address is: a zipcode, a city and state, or all three.

use serde::Serialize;

/// The location part of an order item's address.
///
/// The vendor needs a `zipcode`, or a `city` **and** a `state`, or all three. The constructors
/// are the only way to make a `Location`, so a city without a state cannot be expressed.
///
/// ```
/// use housecanary_partner::orders::Location;
/// let by_zip = Location::zipcode("78701");
/// let by_city = Location::city_state("Austin", "TX");
/// let full = Location::full("Austin", "TX", "78701");
/// assert_eq!(full.zipcode_value(), Some("78701"));
/// assert_eq!(by_city.zipcode_value(), None);
/// assert_eq!(by_zip.city(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    zipcode: Option<String>,
}

impl Location {
    /// A location given by its zipcode alone.
    pub fn zipcode(zipcode: impl Into<String>) -> Self {
        Self {
            city: None,
            state: None,
            zipcode: Some(zipcode.into()),
        }
    }

    /// A location given by city and state, which only travel together.
    pub fn city_state(city: impl Into<String>, state: impl Into<String>) -> Self {
        Self {
            city: Some(city.into()),
            state: Some(state.into()),
            zipcode: None,
        }
    }

    /// A location with city, state and zipcode.
    pub fn full(
        city: impl Into<String>,
        state: impl Into<String>,
        zipcode: impl Into<String>,
    ) -> Self {
        Self {
            city: Some(city.into()),
            state: Some(state.into()),
            zipcode: Some(zipcode.into()),
        }
    }

    /// The city, when given.
    pub fn city(&self) -> Option<&str> {
        self.city.as_deref()
    }

    /// The state, when given.
    pub fn state(&self) -> Option<&str> {
        self.state.as_deref()
    }

    /// The zipcode, when given.
    pub fn zipcode_value(&self) -> Option<&str> {
        self.zipcode.as_deref()
    }

    /// Names the first blank part, for validation before sending.
    pub(crate) fn blank_field(&self) -> Option<&'static str> {
        let blank = |v: &Option<String>| v.as_deref().is_some_and(|s| s.trim().is_empty());
        if blank(&self.city) {
            Some("city")
        } else if blank(&self.state) {
            Some("state")
        } else if blank(&self.zipcode) {
            Some("zipcode")
        } else {
            None
        }
    }
}
