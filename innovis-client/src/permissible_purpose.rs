//! Permissible purposes (`permissiblePurposeCode`).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::Error;

/// An FCRA permissible purpose code (`permissiblePurposeCode`): 1 or 2 letters or digits, e.g. `"17"`.
///
/// The vendor's full list of codes is not public, so any 1–2 character alphanumeric code is accepted; use the
/// codes Innovis assigned with your House Numbers.
///
/// ```
/// use innovis_client::PermissiblePurpose;
///
/// let purpose = PermissiblePurpose::new("17")?;
/// assert_eq!(purpose.as_str(), "17");
/// assert!(PermissiblePurpose::new("123").is_err());
/// assert!(PermissiblePurpose::new("").is_err());
/// # Ok::<(), innovis_client::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PermissiblePurpose(String);

impl PermissiblePurpose {
    /// Validates a code: 1 or 2 ASCII letters or digits.
    ///
    /// ```
    /// let purpose = innovis_client::PermissiblePurpose::new("17")?;
    /// assert!(innovis_client::PermissiblePurpose::new("171").is_err());
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn new(code: impl Into<String>) -> Result<Self, Error> {
        let code = code.into();
        let len = code.chars().count();
        if !(1..=2).contains(&len) || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(Error::validation(
                "permissiblePurposeCode",
                "must be 1 or 2 ASCII letters or digits",
            ));
        }
        Ok(PermissiblePurpose(code))
    }

    /// The wire value.
    ///
    /// ```
    /// # use innovis_client::PermissiblePurpose;
    /// assert_eq!(PermissiblePurpose::new("1A")?.as_str(), "1A");
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PermissiblePurpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PermissiblePurpose({:?})", self.0)
    }
}

impl fmt::Display for PermissiblePurpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for PermissiblePurpose {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PermissiblePurpose {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        PermissiblePurpose::new(code).map_err(serde::de::Error::custom)
    }
}
