//! [`Config`] from `INNOVIS_*` environment variables.

use std::env::VarError;

use common_auth::{Env, EnvError, SecretString};
use url::Url;

use crate::config::{Config, Environment, MAX_SOFTWARE_PROVIDER_ID_LEN};

impl Config {
    /// A config from the process environment; every other setting keeps its default.
    ///
    /// | variable | meaning |
    /// |---|---|
    /// | `INNOVIS_CLIENT_ID`, `INNOVIS_CLIENT_SECRET` | OAuth client credentials (required) |
    /// | `INNOVIS_SOFTWARE_PROVIDER_ID` | the vendor-assigned `softwareProviderId`, at most 4 characters (required) |
    /// | `INNOVIS_ENVIRONMENT` | `uat` (the default) or `production` |
    /// | `INNOVIS_TOKEN_URL` + `INNOVIS_GATEWAY_URL` | other endpoints instead (a sandbox, a proxy): both or neither, not with `INNOVIS_ENVIRONMENT` |
    /// | `INNOVIS_AUDIENCE` | the token `audience` (default `innovisgateway`) |
    ///
    /// A variable set to an empty value is an error, not a default.
    ///
    /// # Errors
    /// [`EnvError`] naming the variable that is missing, empty or invalid; it never shows a value.
    ///
    /// ```no_run
    /// let client = innovis_client::Client::new(innovis_client::Config::from_env()?)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_env() -> Result<Self, EnvError> {
        Self::from_vars(&Env::process())
    }

    /// Like [`Config::from_env`], reading through `env` (a map in tests, or the
    /// application's own configuration source).
    ///
    /// # Errors
    /// As [`Config::from_env`].
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use innovis_client::{Config, EnvError, Environment};
    ///
    /// let vars = HashMap::from([
    ///     ("INNOVIS_CLIENT_ID", "my-client"),
    ///     ("INNOVIS_CLIENT_SECRET", "my-secret"),
    ///     ("INNOVIS_SOFTWARE_PROVIDER_ID", "AB12"),
    ///     ("INNOVIS_ENVIRONMENT", "production"),
    /// ]);
    /// let env = common_auth::Env::new(|name: &str| {
    ///     vars.get(name).map(|v| v.to_string()).ok_or(std::env::VarError::NotPresent)
    /// });
    /// let config = Config::from_vars(&env)?;
    /// assert_eq!(config.environment(), &Environment::Production);
    /// # Ok::<(), EnvError>(())
    /// ```
    pub fn from_vars<F>(env: &Env<F>) -> Result<Self, EnvError>
    where
        F: Fn(&str) -> Result<String, VarError>,
    {
        let client_id = env.required("INNOVIS_CLIENT_ID")?;
        let client_secret = SecretString::from(env.required("INNOVIS_CLIENT_SECRET")?);
        let software_provider_id = env.required("INNOVIS_SOFTWARE_PROVIDER_ID")?;
        if software_provider_id.chars().count() > MAX_SOFTWARE_PROVIDER_ID_LEN {
            return Err(EnvError::invalid(
                "INNOVIS_SOFTWARE_PROVIDER_ID",
                format_args!("at most {MAX_SOFTWARE_PROVIDER_ID_LEN} characters"),
            ));
        }
        let named = env.optional("INNOVIS_ENVIRONMENT")?;
        let urls = env.both_or_neither("INNOVIS_TOKEN_URL", "INNOVIS_GATEWAY_URL")?;
        let environment = match (named.as_deref().map(str::trim), urls) {
            (Some(_), Some(_)) => {
                return Err(EnvError::invalid(
                    "INNOVIS_ENVIRONMENT",
                    "unset when INNOVIS_TOKEN_URL and INNOVIS_GATEWAY_URL are set",
                ));
            }
            (None, Some((token_url, gateway_url))) => Environment::Custom {
                token_url: http_url("INNOVIS_TOKEN_URL", &token_url)?,
                gateway_url: http_url("INNOVIS_GATEWAY_URL", &gateway_url)?,
            },
            (None | Some("uat"), None) => Environment::Uat,
            (Some("production"), None) => Environment::Production,
            (Some(_), None) => {
                return Err(EnvError::invalid(
                    "INNOVIS_ENVIRONMENT",
                    "`uat` or `production`",
                ));
            }
        };
        let mut config = Config::new(environment, client_id, client_secret, software_provider_id);
        if let Some(audience) = env.optional("INNOVIS_AUDIENCE")? {
            config = config.audience(audience);
        }
        Ok(config)
    }
}

/// An absolute `http(s)` URL.
fn http_url(var: &str, raw: &str) -> Result<Url, EnvError> {
    match Url::parse(raw.trim()) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(url),
        _ => Err(EnvError::invalid(var, "an absolute http(s) URL")),
    }
}
