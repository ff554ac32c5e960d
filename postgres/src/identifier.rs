//! SQL identifiers taken from configuration, validated so they can be put into statements.

use std::fmt;

/// The longest identifier PostgreSQL keeps (`NAMEDATALEN - 1`); longer ones are silently cut.
const MAX_LEN: usize = 63;

/// A schema or table name that is safe to splice into SQL: lowercase ASCII letters, digits and
/// `_`, starting with a letter or `_`, at most 63 bytes. It is always written double-quoted.
///
/// Statements cannot take identifiers as bind parameters, so configuration that names a schema or
/// table must be validated instead; this allows only names that need no escaping at all.
///
/// ```
/// use credit_valuation_postgres::Identifier;
/// let schema = Identifier::new("callouts_v2")?;
/// assert_eq!(schema.quoted(), "\"callouts_v2\"");
/// assert!(Identifier::new("x; DROP TABLE y").is_err());
/// assert!(Identifier::new("Upper").is_err());
/// # Ok::<(), credit_valuation_postgres::IdentifierError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Identifier(String);

/// A configured name is not a plain lowercase SQL identifier.
///
/// ```
/// use credit_valuation_postgres::{Identifier, IdentifierError};
/// assert!(matches!(Identifier::new(""), Err(IdentifierError { .. })));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{name}` is not a plain SQL identifier (lowercase ASCII letters, digits and `_`, not starting with a digit, at most 63 bytes)"
)]
pub struct IdentifierError {
    /// The refused name (configuration, never a secret).
    pub name: String,
}

impl Identifier {
    /// Validates `name`.
    ///
    /// # Errors
    /// [`IdentifierError`] when `name` is empty, too long, or has any character other than
    /// lowercase ASCII letters, digits and `_`, or starts with a digit.
    ///
    /// ```
    /// use credit_valuation_postgres::Identifier;
    /// assert_eq!(Identifier::new("housecanary")?.as_str(), "housecanary");
    /// # Ok::<(), credit_valuation_postgres::IdentifierError>(())
    /// ```
    pub fn new(name: impl Into<String>) -> Result<Self, IdentifierError> {
        let name = name.into();
        let valid = !name.is_empty()
            && name.len() <= MAX_LEN
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            && !name.as_bytes()[0].is_ascii_digit();
        if valid {
            Ok(Self(name))
        } else {
            Err(IdentifierError { name })
        }
    }

    /// The name as given.
    ///
    /// ```
    /// # use credit_valuation_postgres::Identifier;
    /// assert_eq!(Identifier::new("t")?.as_str(), "t");
    /// # Ok::<(), credit_valuation_postgres::IdentifierError>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name double-quoted, ready for a statement.
    ///
    /// ```
    /// # use credit_valuation_postgres::Identifier;
    /// assert_eq!(Identifier::new("t")?.quoted(), "\"t\"");
    /// # Ok::<(), credit_valuation_postgres::IdentifierError>(())
    /// ```
    pub fn quoted(&self) -> String {
        format!("\"{}\"", self.0)
    }
}

impl fmt::Debug for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Identifier").field(&self.0).finish()
    }
}

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_lowercase_names_pass() {
        for good in ["a", "_x", "callout_messages", "t1", &"a".repeat(63)] {
            assert!(Identifier::new(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "1a",
            "A",
            "a-b",
            "a b",
            "a\"b",
            "é",
            "a;",
            &"a".repeat(64),
        ] {
            assert!(Identifier::new(bad).is_err(), "{bad}");
        }
    }
}
