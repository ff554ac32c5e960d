//! Settings read by name from the process environment, or from any source shaped like
//! [`std::env::var`] (tests inject a map: the process environment is shared by parallel tests).
//! Errors name the variable and never show its value: many are secrets.

use std::env::VarError;
use std::fmt;

/// Why a setting could not be read. It names the variable, never its value.
///
/// ```
/// use common_auth::{Env, EnvError};
/// let env = Env::new(|name: &str| match name {
///     "MY_SECRET" => Ok(String::new()),
///     _ => Err(std::env::VarError::NotPresent),
/// });
/// assert_eq!(env.required("MY_SECRET").unwrap_err(), EnvError::Empty { var: "MY_SECRET".into() });
/// assert_eq!(
///     env.required("MY_TOKEN").unwrap_err().to_string(),
///     "environment variable MY_TOKEN is not set"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvError {
    /// A required variable is not set.
    #[error("environment variable {var} is not set")]
    Missing {
        /// The variable's name.
        var: String,
    },
    /// A variable is set to an empty (or all-blank) value; unset it to use a default.
    #[error("environment variable {var} is set but empty")]
    Empty {
        /// The variable's name.
        var: String,
    },
    /// A variable's value is not what it must be.
    #[error("environment variable {var} is not valid: {expected}")]
    Invalid {
        /// The variable's name.
        var: String,
        /// What it must be (never the value itself).
        expected: String,
    },
}

impl EnvError {
    /// The variable the error is about.
    ///
    /// ```
    /// let error = common_auth::EnvError::Missing { var: "INNOVIS_CLIENT_ID".into() };
    /// assert_eq!(error.var(), "INNOVIS_CLIENT_ID");
    /// ```
    pub fn var(&self) -> &str {
        match self {
            Self::Missing { var } | Self::Empty { var } | Self::Invalid { var, .. } => var,
        }
    }

    /// An [`EnvError::Invalid`] for `var`; `expected` says what the value must be and must not
    /// contain it.
    ///
    /// ```
    /// let error = common_auth::EnvError::invalid("PORT", "a port number");
    /// assert_eq!(error.to_string(), "environment variable PORT is not valid: a port number");
    /// ```
    pub fn invalid(var: &str, expected: impl fmt::Display) -> Self {
        Self::Invalid {
            var: var.to_owned(),
            expected: expected.to_string(),
        }
    }
}

/// A source of settings by name: the process environment ([`Env::process`]) or any function
/// shaped like [`std::env::var`]. The clients' `from_env` constructors read through it.
///
/// ```
/// use std::collections::HashMap;
/// use std::env::VarError;
/// use common_auth::Env;
///
/// let vars = HashMap::from([("APP_NAME", "demo"), ("APP_LEVEL", "")]);
/// let env = Env::new(|name: &str| vars.get(name).map(|v| v.to_string()).ok_or(VarError::NotPresent));
/// assert_eq!(env.required("APP_NAME")?, "demo");
/// assert_eq!(env.optional("APP_MODE")?, None);
/// assert!(env.optional("APP_LEVEL").is_err(), "set but empty is an error, not a default");
/// # Ok::<(), common_auth::EnvError>(())
/// ```
pub struct Env<F> {
    lookup: F,
}

impl Env<fn(&str) -> Result<String, VarError>> {
    /// The process environment.
    ///
    /// ```
    /// let env = common_auth::Env::process();
    /// assert_eq!(env.optional("COMMON_AUTH_SURELY_UNSET_VARIABLE")?, None);
    /// # Ok::<(), common_auth::EnvError>(())
    /// ```
    pub fn process() -> Self {
        Self {
            lookup: |name| std::env::var(name),
        }
    }
}

impl<F: Fn(&str) -> Result<String, VarError>> Env<F> {
    /// Settings from `lookup`, which answers like [`std::env::var`].
    ///
    /// ```
    /// let env = common_auth::Env::new(|_: &str| Err(std::env::VarError::NotPresent));
    /// assert!(env.required("ANYTHING").is_err());
    /// ```
    pub fn new(lookup: F) -> Self {
        Self { lookup }
    }

    /// The value of `var`, which must be set and not blank.
    ///
    /// # Errors
    /// [`EnvError::Missing`], [`EnvError::Empty`], or [`EnvError::Invalid`] when it is not UTF-8.
    ///
    /// ```
    /// let env = common_auth::Env::new(|_: &str| Ok("x".to_owned()));
    /// assert_eq!(env.required("ANYTHING")?, "x");
    /// # Ok::<(), common_auth::EnvError>(())
    /// ```
    pub fn required(&self, var: &str) -> Result<String, EnvError> {
        self.optional(var)?.ok_or_else(|| EnvError::Missing {
            var: var.to_owned(),
        })
    }

    /// The value of `var`, or `None` when it is not set. Set but blank is an error: an empty
    /// variable is a mistake more often than a wish for the default.
    ///
    /// # Errors
    /// [`EnvError::Empty`], or [`EnvError::Invalid`] when it is not UTF-8.
    ///
    /// ```
    /// let env = common_auth::Env::new(|_: &str| Err(std::env::VarError::NotPresent));
    /// assert_eq!(env.optional("ANYTHING")?, None);
    /// # Ok::<(), common_auth::EnvError>(())
    /// ```
    pub fn optional(&self, var: &str) -> Result<Option<String>, EnvError> {
        match (self.lookup)(var) {
            Ok(value) if value.trim().is_empty() => Err(EnvError::Empty {
                var: var.to_owned(),
            }),
            Ok(value) => Ok(Some(value)),
            Err(VarError::NotPresent) => Ok(None),
            Err(VarError::NotUnicode(_)) => Err(EnvError::invalid(var, "not UTF-8")),
        }
    }

    /// The values of two variables that only make sense together: both, or neither.
    ///
    /// # Errors
    /// [`EnvError::Missing`] for the one that is not set while the other is; the errors of
    /// [`Env::optional`].
    ///
    /// ```
    /// let env = common_auth::Env::new(|name: &str| match name {
    ///     "USER" => Ok("me".to_owned()),
    ///     _ => Err(std::env::VarError::NotPresent),
    /// });
    /// assert_eq!(env.both_or_neither("USER", "PASSWORD").unwrap_err().var(), "PASSWORD");
    /// assert_eq!(env.both_or_neither("A", "B")?, None);
    /// # Ok::<(), common_auth::EnvError>(())
    /// ```
    pub fn both_or_neither(
        &self,
        first: &str,
        second: &str,
    ) -> Result<Option<(String, String)>, EnvError> {
        match (self.optional(first)?, self.optional(second)?) {
            (Some(first), Some(second)) => Ok(Some((first, second))),
            (None, None) => Ok(None),
            (Some(_), None) => Err(EnvError::Missing {
                var: second.to_owned(),
            }),
            (None, Some(_)) => Err(EnvError::Missing {
                var: first.to_owned(),
            }),
        }
    }
}

impl<F> fmt::Debug for Env<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Env").finish_non_exhaustive()
    }
}
