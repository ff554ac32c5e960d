//! [`Config`] from `HOUSECANARY_*` environment variables.

use std::env::VarError;

use common_auth::{Env, EnvError, SecretString};
use url::Url;

use crate::config::{Config, Environment};

impl Config {
    /// A config from the process environment; every other setting keeps its default.
    ///
    /// | variable | meaning |
    /// |---|---|
    /// | `HOUSECANARY_TOKEN` | the partner token (required) |
    /// | `HOUSECANARY_ENVIRONMENT` | `demo` (the default) or `production` |
    /// | `HOUSECANARY_BASE_URL` | another base URL instead (a sandbox, a proxy), not with `HOUSECANARY_ENVIRONMENT` |
    ///
    /// A variable set to an empty value is an error, not a default. The callout receiver's
    /// settings are read by [`CalloutAuth::from_env`](crate::CalloutAuth::from_env)`("HOUSECANARY")`.
    ///
    /// # Errors
    /// [`EnvError`] naming the variable that is missing, empty or invalid; it never shows a value.
    ///
    /// ```no_run
    /// let client = housecanary_partner::Client::new(housecanary_partner::Config::from_env()?)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_env() -> Result<Self, EnvError> {
        Self::from_vars(&Env::process())
    }

    /// Like [`Config::from_env`], reading through `env` (a map in tests, or the application's
    /// own configuration source).
    ///
    /// # Errors
    /// As [`Config::from_env`].
    pub fn from_vars<F>(env: &Env<F>) -> Result<Self, EnvError>
    where
        F: Fn(&str) -> Result<String, VarError>,
    {
        let token = SecretString::from(env.required("HOUSECANARY_TOKEN")?);
        let named = env.optional("HOUSECANARY_ENVIRONMENT")?;
        let base_url = env.optional("HOUSECANARY_BASE_URL")?;
        let environment = match (named.as_deref().map(str::trim), base_url) {
            (Some(_), Some(_)) => {
                return Err(EnvError::invalid(
                    "HOUSECANARY_ENVIRONMENT",
                    "unset when HOUSECANARY_BASE_URL is set",
                ));
            }
            (None, Some(raw)) => {
                let custom = Url::parse(raw.trim()).map(Environment::Custom);
                match custom {
                    Ok(environment) if environment.base_url().is_ok() => environment,
                    _ => {
                        return Err(EnvError::invalid(
                            "HOUSECANARY_BASE_URL",
                            "an absolute http(s) URL",
                        ));
                    }
                }
            }
            (None | Some("demo"), None) => Environment::Demo,
            (Some("production"), None) => Environment::Production,
            (Some(_), None) => {
                return Err(EnvError::invalid(
                    "HOUSECANARY_ENVIRONMENT",
                    "`demo` or `production`",
                ));
            }
        };
        Ok(Config::new(environment, token))
    }
}
