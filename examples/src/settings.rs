//! Where each vendor is: the embedded sandbox by default, the vendor's UAT/demo when its environment
//! variables are set. Values of variables are never printed (several are secrets).
//!
//! The clients' own settings are read by the SDK: `innovis_client::Config::from_env`
//! (`INNOVIS_CLIENT_ID`, `_CLIENT_SECRET`, `_SOFTWARE_PROVIDER_ID`, `_ENVIRONMENT`, `_TOKEN_URL` +
//! `_GATEWAY_URL`, `_AUDIENCE`), `housecanary_partner::Config::from_env` (`HOUSECANARY_TOKEN`,
//! `_ENVIRONMENT`, `_BASE_URL`) and `CalloutAuth::from_env("HOUSECANARY")` (`HOUSECANARY_CALLOUT_SCHEME`,
//! `_SECRET`, `_HEADER`, `_PARAMETER`, `_USERNAME`). This module adds the choice of sandbox or vendor
//! and what only the example programs need:
//!
//! | variable | meaning |
//! |---|---|
//! | `INNOVIS_CLIENT_ID` | switches Innovis to the vendor; then the SDK's variables and the next three are required |
//! | `INNOVIS_CUSTOMER_ID` | the reseller's House Number `customerId` for CR (and SECONDUSE) |
//! | `INNOVIS_END_USER_CODE`, `INNOVIS_SECOND_END_USER_CODE` | the two end users |
//! | `INNOVIS_TEST_FIRST_NAME`, `INNOVIS_TEST_LAST_NAME`, `INNOVIS_TEST_SSN` | a UAT test consumer from Innovis |
//! | `INNOVIS_TEST_DOB`, `INNOVIS_TEST_STREET`/`_CITY`/`_STATE`/`_ZIP` | optional consumer details |
//! | `INNOVIS_PERMISSIBLE_PURPOSE` | default `17` |
//! | `HOUSECANARY_TOKEN` | switches HouseCanary to the vendor (the demo environment unless the SDK's variables say otherwise) |
//! | `HOUSECANARY_OWNER_ORGANIZATION_ID` + `HOUSECANARY_OWNER_ID` | the owner pair, both or neither |
//! | `HOUSECANARY_CALLOUT_URL` | the public callout URL configured with the vendor; without it, statuses are polled; with it, the SDK's callout variables are required |
//! | `HOUSECANARY_CALLOUT_LISTEN` | where the receiver listens (default `127.0.0.1:8080`) |
//! | `HOUSECANARY_POLL_SECONDS`, `HOUSECANARY_WAIT_MINUTES` | polling interval (10) and deadline (30) |

use std::net::SocketAddr;
use std::time::Duration;

use credit_valuation_sandbox::{Sandbox, fixtures};
use housecanary_partner::{CalloutAuth, Env, EnvError, Id, OwnerPair, SecretString};
use innovis_client::{Address, Applicant, Config, pii};
use url::Url;

use crate::error::Error;

/// Reads one environment variable; tests pass their own map instead of the process environment.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment, ignoring empty values (an empty variable counts as unset).
///
/// ```
/// assert!(examples::settings::process_env("EXAMPLES_SURELY_UNSET_VARIABLE").is_none());
/// ```
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
}

/// `lookup` as the SDK's variable source (a variable `lookup` does not give is not set).
fn sdk_env(lookup: Lookup<'_>) -> Env<impl Fn(&str) -> Result<String, std::env::VarError> + '_> {
    Env::new(move |name: &str| lookup(name).ok_or(std::env::VarError::NotPresent))
}

/// Which side a setting points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The in-process sandbox, with its public test credentials.
    Sandbox,
    /// The vendor's UAT or demo environment (or custom URLs), with credentials from the environment.
    Vendor,
}

/// Everything the Innovis steps need. `Debug` shows no secret and no SSN or date of birth.
#[derive(Debug, Clone)]
pub struct InnovisSettings {
    /// Sandbox or vendor.
    pub source: Source,
    /// The client's settings (endpoints, credentials, `softwareProviderId`).
    pub config: Config,
    /// Permissible purpose code.
    pub permissible_purpose: String,
    /// House Number `customerId` registered for CR (SECONDUSE is allowed on it).
    pub customer_id: String,
    /// The end user who orders the report.
    pub end_user_code: String,
    /// The end user the report is shared with through SECONDUSE.
    pub second_end_user_code: String,
    /// The test consumer (its SSN and date of birth are redacted in `Debug`).
    pub consumer: Applicant,
}

impl InnovisSettings {
    /// The sandbox's credentials, House Number and its `Record` test consumer.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), examples::Error> {
    /// let sandbox = credit_valuation_sandbox::Sandbox::start().await?;
    /// let settings = examples::settings::InnovisSettings::for_sandbox(&sandbox)?;
    /// assert_eq!(settings.source, examples::settings::Source::Sandbox);
    /// # Ok(()) }
    /// ```
    pub fn for_sandbox(sandbox: &Sandbox) -> Result<Self, Error> {
        let credentials = sandbox.credentials();
        let consumer = fixtures::consumer_for_ssn(fixtures::RECORD_SSN);
        let config = Config::new(
            innovis_client::Environment::Custom {
                token_url: sandbox.innovis_token_url(),
                gateway_url: sandbox.innovis_gateway_url(),
            },
            credentials.innovis_client_id.clone(),
            SecretString::from(credentials.innovis_client_secret.clone()),
            credentials.innovis_software_provider_id.clone(),
        )
        .audience(credentials.innovis_audience.clone());
        Ok(Self {
            source: Source::Sandbox,
            config,
            permissible_purpose: fixtures::PERMISSIBLE_PURPOSE.to_owned(),
            customer_id: fixtures::CR_CUSTOMER_ID.to_owned(),
            end_user_code: fixtures::CR_END_USER_CODE.to_owned(),
            second_end_user_code: fixtures::CR_SECOND_END_USER_CODE.to_owned(),
            consumer: Applicant::new()
                .name(consumer.first_name, consumer.last_name)
                .ssn(pii::Ssn::new(consumer.ssn)?)
                .dob(pii::DateOfBirth::new(consumer.dob)?)
                .address(Address::current("1 MAIN ST", "PITTSBURGH", "PA", "15222")),
        })
    }

    /// The vendor settings when `INNOVIS_CLIENT_ID` is set, `None` otherwise.
    ///
    /// ```
    /// use examples::settings::InnovisSettings;
    /// let none = |_: &str| None;
    /// assert!(InnovisSettings::from_lookup(&none).unwrap().is_none());
    /// let half = |name: &str| (name == "INNOVIS_CLIENT_ID").then(|| "id".to_owned());
    /// let err = InnovisSettings::from_lookup(&half).unwrap_err();
    /// assert!(err.to_string().contains("INNOVIS_CLIENT_SECRET"));
    /// ```
    pub fn from_lookup(lookup: Lookup<'_>) -> Result<Option<Self>, Error> {
        if lookup("INNOVIS_CLIENT_ID").is_none() {
            return Ok(None);
        }
        let env = sdk_env(lookup);
        let config = Config::from_vars(&env)?;
        let required = |var: &str| env.required(var);
        let customer_id = required("INNOVIS_CUSTOMER_ID")?;
        let end_user_code = required("INNOVIS_END_USER_CODE")?;
        let second_end_user_code = required("INNOVIS_SECOND_END_USER_CODE")?;
        let ssn = pii::Ssn::new(required("INNOVIS_TEST_SSN")?)
            .map_err(|_| EnvError::invalid("INNOVIS_TEST_SSN", "9 digits (dashes allowed)"))?;
        let mut consumer = Applicant::new()
            .name(
                required("INNOVIS_TEST_FIRST_NAME")?,
                required("INNOVIS_TEST_LAST_NAME")?,
            )
            .ssn(ssn);
        if let Some(dob) = lookup("INNOVIS_TEST_DOB") {
            consumer = consumer.dob(
                pii::DateOfBirth::new(dob)
                    .map_err(|_| EnvError::invalid("INNOVIS_TEST_DOB", "a date YYYY-MM-DD"))?,
            );
        }
        let address = [
            "INNOVIS_TEST_STREET",
            "INNOVIS_TEST_CITY",
            "INNOVIS_TEST_STATE",
            "INNOVIS_TEST_ZIP",
        ]
        .map(lookup);
        match address {
            [Some(street), Some(city), Some(state), Some(zip)] => {
                consumer = consumer.address(Address::current(street, city, state, zip));
            }
            [None, None, None, None] => {}
            _ => {
                return Err(EnvError::invalid(
                    "INNOVIS_TEST_STREET",
                    "set with INNOVIS_TEST_CITY, _STATE and _ZIP, or none of them",
                )
                .into());
            }
        }
        Ok(Some(Self {
            source: Source::Vendor,
            config,
            permissible_purpose: lookup("INNOVIS_PERMISSIBLE_PURPOSE")
                .unwrap_or_else(|| "17".to_owned()),
            customer_id,
            end_user_code,
            second_end_user_code,
            consumer,
        }))
    }

    /// A client for these settings (no network traffic yet).
    ///
    /// ```no_run
    /// # fn run(settings: examples::settings::InnovisSettings) -> Result<(), examples::Error> {
    /// let client = settings.client()?;
    /// # Ok(()) }
    /// ```
    pub fn client(&self) -> Result<innovis_client::Client, Error> {
        Ok(innovis_client::Client::new(self.config.clone())?)
    }
}

/// How the examples learn that order items finished.
#[derive(Debug, Clone)]
pub enum CalloutMode {
    /// Run a callout receiver and wait for callouts.
    Receive {
        /// Where to listen.
        listen: SocketAddr,
        /// The URL the vendor posts to; `None` means "the receiver's own loopback URL" (sandbox).
        public_url: Option<Url>,
        /// The path the receiver answers on.
        path: String,
        /// How callouts prove who sent them.
        auth: CalloutAuth,
    },
    /// No public callout URL: poll the order's items.
    Poll {
        /// Pause between polls.
        interval: Duration,
    },
}

/// Everything the HouseCanary steps need. `Debug` shows no token or secret.
#[derive(Debug, Clone)]
pub struct HouseCanarySettings {
    /// Sandbox or vendor.
    pub source: Source,
    /// The client's settings (base URL, token).
    pub config: housecanary_partner::Config,
    /// The owner pair orders are placed for, if any.
    pub owner: Option<OwnerPair>,
    /// Callouts or polling.
    pub callouts: CalloutMode,
    /// How long to wait for an order's items, and for an export.
    pub deadline: Duration,
    /// First interval of export polling.
    pub export_poll: Duration,
}

/// The path the example receivers answer on.
pub const CALLOUT_PATH: &str = "/housecanary/callouts";

impl HouseCanarySettings {
    /// The sandbox's token and owner pair; callouts signed with HMAC-SHA1 to a loopback receiver.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), examples::Error> {
    /// let sandbox = credit_valuation_sandbox::Sandbox::start().await?;
    /// let settings = examples::settings::HouseCanarySettings::for_sandbox(&sandbox);
    /// assert!(settings.owner.is_some());
    /// # Ok(()) }
    /// ```
    pub fn for_sandbox(sandbox: &Sandbox) -> Self {
        let credentials = sandbox.credentials();
        Self {
            source: Source::Sandbox,
            config: housecanary_partner::Config::new(
                housecanary_partner::Environment::Custom(sandbox.housecanary_base_url()),
                SecretString::from(credentials.housecanary_token.clone()),
            ),
            owner: Some(OwnerPair::new(
                id(&credentials.owner_organization_id),
                id(&credentials.owner_id),
            )),
            callouts: CalloutMode::Receive {
                listen: SocketAddr::from(([127, 0, 0, 1], 0)),
                public_url: None,
                path: CALLOUT_PATH.to_owned(),
                auth: credentials.hmac_callout_auth(),
            },
            deadline: Duration::from_secs(30),
            export_poll: Duration::from_millis(50),
        }
    }

    /// The vendor settings when `HOUSECANARY_TOKEN` is set, `None` otherwise.
    ///
    /// ```
    /// use examples::settings::{CalloutMode, HouseCanarySettings};
    /// let env = |name: &str| (name == "HOUSECANARY_TOKEN").then(|| "t".to_owned());
    /// let settings = HouseCanarySettings::from_lookup(&env).unwrap().unwrap();
    /// assert!(matches!(settings.callouts, CalloutMode::Poll { .. }));
    /// ```
    pub fn from_lookup(lookup: Lookup<'_>) -> Result<Option<Self>, Error> {
        if lookup("HOUSECANARY_TOKEN").is_none() {
            return Ok(None);
        }
        let env = sdk_env(lookup);
        let config = housecanary_partner::Config::from_vars(&env)?;
        let owner = env
            .both_or_neither("HOUSECANARY_OWNER_ORGANIZATION_ID", "HOUSECANARY_OWNER_ID")?
            .map(|(organization, owner)| OwnerPair::new(id(&organization), id(&owner)));
        let callouts = match lookup("HOUSECANARY_CALLOUT_URL") {
            Some(url) => {
                let public_url = Url::parse(url.trim())
                    .map_err(|_| EnvError::invalid("HOUSECANARY_CALLOUT_URL", "a URL"))?;
                let listen = match lookup("HOUSECANARY_CALLOUT_LISTEN") {
                    Some(listen) => listen.parse().map_err(|_| {
                        EnvError::invalid(
                            "HOUSECANARY_CALLOUT_LISTEN",
                            "a socket address such as 127.0.0.1:8080",
                        )
                    })?,
                    None => SocketAddr::from(([127, 0, 0, 1], 8080)),
                };
                CalloutMode::Receive {
                    listen,
                    path: public_url.path().to_owned(),
                    public_url: Some(public_url),
                    auth: CalloutAuth::from_vars("HOUSECANARY", &env)?,
                }
            }
            None => CalloutMode::Poll {
                interval: Duration::from_secs(number(lookup, "HOUSECANARY_POLL_SECONDS", 10)?),
            },
        };
        Ok(Some(Self {
            source: Source::Vendor,
            config,
            owner,
            callouts,
            deadline: Duration::from_secs(60 * number(lookup, "HOUSECANARY_WAIT_MINUTES", 30)?),
            export_poll: Duration::from_secs(2),
        }))
    }

    /// A client for these settings.
    ///
    /// ```no_run
    /// # fn run(settings: examples::settings::HouseCanarySettings) -> Result<(), examples::Error> {
    /// let client = settings.client()?;
    /// # Ok(()) }
    /// ```
    pub fn client(&self) -> Result<housecanary_partner::Client, Error> {
        Ok(housecanary_partner::Client::new(self.config.clone())?)
    }
}

/// A number if the text is one (the vendor's ids are numbers), else the text.
fn id(raw: &str) -> Id {
    raw.trim()
        .parse::<u64>()
        .map(Id::from)
        .unwrap_or_else(|_| Id::from(raw.trim()))
}

fn number(lookup: Lookup<'_>, var: &'static str, default: u64) -> Result<u64, EnvError> {
    match lookup(var) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse()
            .map_err(|_| EnvError::invalid(var, "a whole number")),
    }
}
