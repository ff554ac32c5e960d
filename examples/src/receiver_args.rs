//! Command line and environment of the standalone callout receiver (`callout_receiver` example).

use std::net::SocketAddr;

use common_auth::{CalloutAuth, SecretString};

use crate::error::Error;
use crate::settings::{CALLOUT_PATH, Lookup};

/// Where the standalone receiver listens and how callouts authenticate.
#[derive(Debug, Clone)]
pub struct ReceiverArgs {
    /// `--listen` / `HOUSECANARY_CALLOUT_LISTEN`; default `127.0.0.1:8080`. Only a loopback address
    /// is accepted unless `HOUSECANARY_CALLOUT_SECRET` is set.
    pub listen: SocketAddr,
    /// `--path`; default `/housecanary/callouts`.
    pub path: String,
    /// From `--scheme` / `HOUSECANARY_CALLOUT_SCHEME` (`hmac` default, `header`, `query`, `basic`),
    /// `HOUSECANARY_CALLOUT_SECRET`, `--header` / `HOUSECANARY_CALLOUT_HEADER`, `--parameter`,
    /// `HOUSECANARY_CALLOUT_USERNAME`.
    pub auth: CalloutAuth,
    /// Whether the secret is the sandbox's public test secret (no `HOUSECANARY_CALLOUT_SECRET`).
    pub test_secret: bool,
    /// `--exit-after N`: stop after N processed messages.
    pub exit_after: Option<u64>,
}

impl ReceiverArgs {
    /// Parses `args` (without the program name) and the variables of `lookup`. The secret is only
    /// read from the environment: a command line is visible to every user of the machine.
    ///
    /// ```
    /// use examples::receiver_args::ReceiverArgs;
    /// let none = |_: &str| None;
    /// let args = ReceiverArgs::parse(["--scheme", "query", "--exit-after", "3"].map(String::from), &none).unwrap();
    /// assert_eq!(args.listen.to_string(), "127.0.0.1:8080");
    /// assert!(args.test_secret);
    /// assert_eq!(args.exit_after, Some(3));
    /// assert!(ReceiverArgs::parse(["--scheme", "rot13"].map(String::from), &none).is_err());
    /// ```
    pub fn parse(
        args: impl IntoIterator<Item = String>,
        lookup: Lookup<'_>,
    ) -> Result<Self, Error> {
        let mut listen = lookup("HOUSECANARY_CALLOUT_LISTEN");
        let mut path = CALLOUT_PATH.to_owned();
        let mut scheme = lookup("HOUSECANARY_CALLOUT_SCHEME").unwrap_or_else(|| "hmac".to_owned());
        let mut header = lookup("HOUSECANARY_CALLOUT_HEADER");
        let mut parameter = sandbox::CALLOUT_TOKEN_PARAMETER.to_owned();
        let mut exit_after = None;
        let mut args = args.into_iter();
        while let Some(flag) = args.next() {
            let mut value = || {
                args.next().ok_or_else(|| Error::Argument {
                    argument: flag.clone(),
                    problem: "needs a value".to_owned(),
                })
            };
            match flag.as_str() {
                "--listen" => listen = Some(value()?),
                "--path" => path = value()?,
                "--scheme" => scheme = value()?,
                "--header" => header = Some(value()?),
                "--parameter" => parameter = value()?,
                "--exit-after" => {
                    let raw = value()?;
                    exit_after = Some(raw.parse().map_err(|_| Error::Argument {
                        argument: "--exit-after".to_owned(),
                        problem: format!("{raw:?} is not a whole number"),
                    })?);
                }
                other => {
                    return Err(Error::Argument {
                        argument: other.to_owned(),
                        problem: "unknown; expected --listen, --path, --scheme, --header, \
                                  --parameter or --exit-after"
                            .to_owned(),
                    });
                }
            }
        }
        let listen = match listen {
            Some(raw) => raw.parse().map_err(|_| Error::Argument {
                argument: "--listen".to_owned(),
                problem: format!("{raw:?} is not an address like 127.0.0.1:8080"),
            })?,
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
        };
        let secret = lookup("HOUSECANARY_CALLOUT_SECRET");
        let test_secret = secret.is_none();
        // The sandbox's test secret is public: anyone who can reach the port could forge callouts.
        if test_secret && !listen.ip().is_loopback() {
            return Err(Error::Argument {
                argument: "--listen".to_owned(),
                problem: format!(
                    "{listen} is not a loopback address; listening beyond this machine needs \
                     HOUSECANARY_CALLOUT_SECRET (the sandbox's test secret is public)"
                ),
            });
        }
        let secret = SecretString::from(
            secret.unwrap_or_else(|| sandbox::TestCredentials::default().callout_secret),
        );
        let header_name = |default: &str| {
            http::HeaderName::try_from(header.clone().unwrap_or_else(|| default.to_owned()))
                .map_err(|_| Error::Argument {
                    argument: "--header".to_owned(),
                    problem: "is not a valid HTTP header name".to_owned(),
                })
        };
        let refused = |error: common_auth::CalloutConfigError| Error::Argument {
            argument: "--scheme".to_owned(),
            problem: error.to_string(),
        };
        let auth = match scheme.to_ascii_lowercase().as_str() {
            "hmac" => {
                CalloutAuth::hmac_sha1(header_name(sandbox::CALLOUT_SIGNATURE_HEADER)?, secret)
                    .map_err(refused)?
            }
            "header" => {
                CalloutAuth::header_token(header_name(sandbox::CALLOUT_TOKEN_HEADER)?, secret)
                    .map_err(refused)?
            }
            "query" => CalloutAuth::query_token(parameter, secret).map_err(refused)?,
            "basic" => CalloutAuth::basic(
                lookup("HOUSECANARY_CALLOUT_USERNAME")
                    .unwrap_or_else(|| sandbox::CALLOUT_BASIC_USERNAME.to_owned()),
                secret,
            )
            .map_err(refused)?,
            other => {
                return Err(Error::Argument {
                    argument: "--scheme".to_owned(),
                    problem: format!("{other:?} is not hmac, header, query or basic"),
                });
            }
        };
        if !path.starts_with('/') {
            path.insert(0, '/');
        }
        Ok(Self {
            listen,
            path,
            auth,
            test_secret,
            exit_after,
        })
    }
}
