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
/// # let _ = by_zip;
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
    ///
    /// ```
    /// let location = housecanary_partner::orders::Location::zipcode("94105");
    /// # let _ = location;
    /// ```
    pub fn zipcode(zipcode: impl Into<String>) -> Self {
        Self {
            city: None,
            state: None,
            zipcode: Some(zipcode.into()),
        }
    }

    /// A location given by city and state, which only travel together.
    ///
    /// ```
    /// let location = housecanary_partner::orders::Location::city_state("San Francisco", "CA");
    /// # let _ = location;
    /// ```
    pub fn city_state(city: impl Into<String>, state: impl Into<String>) -> Self {
        Self {
            city: Some(city.into()),
            state: Some(state.into()),
            zipcode: None,
        }
    }

    /// A location with city, state and zipcode.
    ///
    /// ```
    /// let location = housecanary_partner::orders::Location::full("San Francisco", "CA", "94105");
    /// # let _ = location;
    /// ```
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

    /// This location with `zipcode` set (kept city and state, if any).
    ///
    /// ```
    /// use housecanary_partner::orders::Location;
    /// let location = Location::city_state("Austin", "TX").with_zipcode("78701");
    /// assert_eq!(location, Location::full("Austin", "TX", "78701"));
    /// ```
    pub fn with_zipcode(mut self, zipcode: impl Into<String>) -> Self {
        self.zipcode = Some(zipcode.into());
        self
    }

    /// This location with city and state set (kept zipcode, if any).
    ///
    /// ```
    /// use housecanary_partner::orders::Location;
    /// let location = Location::zipcode("78701").with_city_state("Austin", "TX");
    /// assert_eq!(location, Location::full("Austin", "TX", "78701"));
    /// ```
    pub fn with_city_state(mut self, city: impl Into<String>, state: impl Into<String>) -> Self {
        self.city = Some(city.into());
        self.state = Some(state.into());
        self
    }

    /// The city, when given.
    ///
    /// ```
    /// let location = housecanary_partner::orders::Location::city_state("Austin", "TX");
    /// assert_eq!(location.city(), Some("Austin"));
    /// ```
    pub fn city(&self) -> Option<&str> {
        self.city.as_deref()
    }

    /// The state, when given.
    ///
    /// ```
    /// let location = housecanary_partner::orders::Location::city_state("Austin", "TX");
    /// assert_eq!(location.state(), Some("TX"));
    /// ```
    pub fn state(&self) -> Option<&str> {
        self.state.as_deref()
    }

    /// The zipcode, when given.
    ///
    /// ```
    /// let location = housecanary_partner::orders::Location::zipcode("78701");
    /// assert_eq!(location.zipcode_value(), Some("78701"));
    /// ```
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
