//! The two vendors an example talks to, and the embedded sandbox that stands in for whichever one has
//! no credentials in the environment.

use credit_valuation_sandbox::{Sandbox, SandboxConfig};

use crate::error::Error;
use crate::settings::{HouseCanarySettings, InnovisSettings, Lookup, Source, process_env};

/// Settings for both vendors, plus the embedded sandbox when one of them uses it.
#[derive(Debug)]
pub struct Targets {
    sandbox: Option<Sandbox>,
    /// Innovis: sandbox or UAT.
    pub innovis: InnovisSettings,
    /// HouseCanary: sandbox or demo.
    pub housecanary: HouseCanarySettings,
}

impl Targets {
    /// Reads the process environment (see [`crate::settings`]) and starts the embedded sandbox for any
    /// vendor without credentials.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), examples::Error> {
    /// let targets = examples::Targets::from_env().await?;
    /// println!("{}", targets.describe());
    /// targets.shutdown().await;
    /// # Ok(()) }
    /// ```
    pub async fn from_env() -> Result<Self, Error> {
        Self::from_lookup(&process_env, SandboxConfig::default()).await
    }

    /// Like [`Targets::from_env`] with another variable source and sandbox configuration.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), examples::Error> {
    /// let no_env = |_: &str| None;
    /// let targets = examples::Targets::from_lookup(&no_env, credit_valuation_sandbox::SandboxConfig::default()).await?;
    /// assert!(targets.sandbox().is_some());
    /// # Ok(()) }
    /// ```
    pub async fn from_lookup(lookup: Lookup<'_>, config: SandboxConfig) -> Result<Self, Error> {
        let innovis = InnovisSettings::from_lookup(lookup)?;
        let housecanary = HouseCanarySettings::from_lookup(lookup)?;
        // The sandbox starts only for a vendor without settings, and stands in for just that one.
        let (sandbox, innovis, housecanary) = match (innovis, housecanary) {
            (Some(innovis), Some(housecanary)) => (None, innovis, housecanary),
            (innovis, housecanary) => {
                let sandbox = Sandbox::start_with(config).await?;
                let innovis = match innovis {
                    Some(innovis) => innovis,
                    None => InnovisSettings::for_sandbox(&sandbox)?,
                };
                let housecanary =
                    housecanary.unwrap_or_else(|| HouseCanarySettings::for_sandbox(&sandbox));
                (Some(sandbox), innovis, housecanary)
            }
        };
        Ok(Self {
            sandbox,
            innovis,
            housecanary,
        })
    }

    /// Both vendors on an embedded sandbox started with `config` (tests use fast clocks).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), examples::Error> {
    /// let config = credit_valuation_sandbox::SandboxConfig::default()
    ///     .step_interval(std::time::Duration::from_millis(20));
    /// let targets = examples::Targets::embedded(config).await?;
    /// # Ok(()) }
    /// ```
    pub async fn embedded(config: SandboxConfig) -> Result<Self, Error> {
        let none = |_: &str| None;
        Self::from_lookup(&none, config).await
    }

    /// The embedded sandbox, when one runs.
    ///
    /// ```no_run
    /// # fn run(targets: examples::Targets) {
    /// if let Some(sandbox) = targets.sandbox() {
    ///     println!("sandbox at {}", sandbox.base_url());
    /// }
    /// # }
    /// ```
    pub fn sandbox(&self) -> Option<&Sandbox> {
        self.sandbox.as_ref()
    }

    /// The embedded sandbox when HouseCanary is on it: the one to tell where to send callouts
    /// (`Sandbox::set_callout_target`). `None` against the vendor, whose callout URL is set at
    /// onboarding.
    ///
    /// ```no_run
    /// # fn run(targets: examples::Targets) {
    /// if let Some(sandbox) = targets.housecanary_sandbox() {
    ///     println!("HouseCanary is the sandbox at {}", sandbox.base_url());
    /// }
    /// # }
    /// ```
    pub fn housecanary_sandbox(&self) -> Option<&Sandbox> {
        match self.housecanary.source {
            Source::Sandbox => self.sandbox.as_ref(),
            Source::Vendor => None,
        }
    }

    /// One line per vendor saying where it is (no credentials).
    ///
    /// ```no_run
    /// # fn run(targets: examples::Targets) {
    /// println!("{}", targets.describe());
    /// # }
    /// ```
    pub fn describe(&self) -> String {
        let innovis = match self.innovis.source {
            Source::Sandbox => format!(
                "embedded sandbox at {}",
                self.innovis.config.environment().gateway_url()
            ),
            Source::Vendor => format!("{}", self.innovis.config.environment().gateway_url()),
        };
        let housecanary = match (
            self.housecanary.source,
            self.housecanary.config.environment().base_url(),
        ) {
            (Source::Sandbox, Ok(url)) => format!("embedded sandbox at {url}"),
            (_, Ok(url)) => url.to_string(),
            (_, Err(err)) => format!("unusable base URL ({err})"),
        };
        format!("Innovis:     {innovis}\nHouseCanary: {housecanary}")
    }

    /// Stops the embedded sandbox, if any.
    ///
    /// ```no_run
    /// # async fn run(targets: examples::Targets) {
    /// targets.shutdown().await;
    /// # }
    /// ```
    pub async fn shutdown(self) {
        if let Some(sandbox) = self.sandbox {
            sandbox.shutdown().await;
        }
    }
}
