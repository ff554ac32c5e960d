//! Callout authentication from environment variables under a vendor prefix, built with the
//! public constructors (so the same rules apply to the secret).

use std::env::VarError;

use secrecy::SecretString;

use super::{CalloutAuth, CalloutConfigError};
use crate::env::{Env, EnvError};

/// The values `<PREFIX>_CALLOUT_SCHEME` takes.
const SCHEMES: &str = "one of hmac, header, query, basic";

impl CalloutAuth {
    /// Callout authentication from the process environment, under `prefix` (for HouseCanary,
    /// `HOUSECANARY`):
    ///
    /// | variable | meaning |
    /// |---|---|
    /// | `<PREFIX>_CALLOUT_SCHEME` | `hmac` (HMAC-SHA1 signature, the default), `header` (token in a header), `query` (token in a query parameter) or `basic` |
    /// | `<PREFIX>_CALLOUT_SECRET` | the HMAC secret, the token, or the Basic password (required) |
    /// | `<PREFIX>_CALLOUT_HEADER` | the header of the signature or token (`hmac`, `header`) |
    /// | `<PREFIX>_CALLOUT_PARAMETER` | the query parameter of the token (`query`) |
    /// | `<PREFIX>_CALLOUT_USERNAME` | the Basic username (`basic`) |
    ///
    /// # Errors
    /// [`EnvError`] naming the variable that is missing, empty or invalid (never its value).
    ///
    /// ```no_run
    /// let auth = common_auth::CalloutAuth::from_env("HOUSECANARY")?;
    /// # Ok::<(), common_auth::EnvError>(())
    /// ```
    pub fn from_env(prefix: &str) -> Result<Self, EnvError> {
        Self::from_vars(prefix, &Env::process())
    }

    /// Like [`CalloutAuth::from_env`], reading through `env` (a map in tests, or the
    /// application's own configuration source).
    ///
    /// # Errors
    /// As [`CalloutAuth::from_env`].
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use common_auth::{CalloutAuth, Env};
    ///
    /// let vars = HashMap::from([
    ///     ("HOUSECANARY_CALLOUT_HEADER", "x-signature"),
    ///     ("HOUSECANARY_CALLOUT_SECRET", "a-long-shared-secret"),
    /// ]);
    /// let env = Env::new(|name: &str| vars.get(name).map(|v| v.to_string()).ok_or(std::env::VarError::NotPresent));
    /// let auth = CalloutAuth::from_vars("HOUSECANARY", &env)?;
    /// assert!(!auth.is_header_only(), "HMAC-SHA1 by default");
    /// # Ok::<(), common_auth::EnvError>(())
    /// ```
    pub fn from_vars<F>(prefix: &str, env: &Env<F>) -> Result<Self, EnvError>
    where
        F: Fn(&str) -> Result<String, VarError>,
    {
        let var = |name: &str| format!("{prefix}_CALLOUT_{name}");
        let (scheme_var, secret_var) = (var("SCHEME"), var("SECRET"));
        let (header_var, parameter_var, username_var) =
            (var("HEADER"), var("PARAMETER"), var("USERNAME"));
        let scheme = env.optional(&scheme_var)?;
        let secret = SecretString::from(env.required(&secret_var)?);
        let header = || {
            let name = env.required(&header_var)?;
            http::HeaderName::try_from(name.trim())
                .map_err(|_| EnvError::invalid(&header_var, "an HTTP header name"))
        };
        let built = match scheme.as_deref().map(str::trim) {
            None | Some("hmac") => CalloutAuth::hmac_sha1(header()?, secret),
            Some("header") => CalloutAuth::header_token(header()?, secret),
            Some("query") => CalloutAuth::query_token(env.required(&parameter_var)?, secret),
            Some("basic") => CalloutAuth::basic(env.required(&username_var)?, secret),
            Some(_) => return Err(EnvError::invalid(&scheme_var, SCHEMES)),
        };
        built.map_err(|error| {
            // The constructors' own rules (e.g. on the secret), reported against the variable.
            let var = match &error {
                CalloutConfigError::Empty {
                    field: "username", ..
                } => &username_var,
                CalloutConfigError::Empty {
                    field: "parameter", ..
                } => &parameter_var,
                _ => &secret_var,
            };
            EnvError::invalid(var, error)
        })
    }
}
