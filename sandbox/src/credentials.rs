//! The fake credentials a sandbox accepts.

use common_auth::{CalloutAuth, SecretString};
use http::HeaderName;

/// Header that carries the HMAC-SHA1 signature in [`TestCredentials::hmac_callout_auth`].
pub const CALLOUT_SIGNATURE_HEADER: &str = "x-hc-signature";
/// Header that carries the token in [`TestCredentials::header_token_callout_auth`].
pub const CALLOUT_TOKEN_HEADER: &str = "x-hc-token";
/// Query parameter that carries the token in [`TestCredentials::query_token_callout_auth`].
pub const CALLOUT_TOKEN_PARAMETER: &str = "token";
/// User name of [`TestCredentials::basic_callout_auth`].
pub const CALLOUT_BASIC_USERNAME: &str = "housecanary";

/// Test credentials the sandbox accepts. They are fake and public, so `Debug` shows them.
///
/// ```
/// let credentials = credit_valuation_sandbox::TestCredentials::default();
/// assert_eq!(credentials.innovis_audience, "innovisgateway");
/// assert_eq!(credentials.innovis_software_provider_id.len(), 4);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestCredentials {
    /// Innovis OAuth client id.
    pub innovis_client_id: String,
    /// Innovis OAuth client secret.
    pub innovis_client_secret: String,
    /// The `audience` the token endpoint requires.
    pub innovis_audience: String,
    /// The vendor-assigned `softwareProviderId` (4 characters) every gateway request must carry.
    pub innovis_software_provider_id: String,
    /// HouseCanary partner token (`Authorization: Token <t>`).
    pub housecanary_token: String,
    /// `owner_organization_id` of the one owner pair the partner may order for.
    pub owner_organization_id: String,
    /// `owner_id` of the one owner pair the partner may order for.
    pub owner_id: String,
    /// Secret used by the `*_callout_auth` helpers: HMAC key, token or Basic password.
    pub callout_secret: String,
}

impl Default for TestCredentials {
    fn default() -> Self {
        Self {
            innovis_client_id: "sandbox-client".into(),
            innovis_client_secret: "sandbox-secret".into(),
            innovis_audience: "innovisgateway".into(),
            innovis_software_provider_id: "SBX1".into(),
            housecanary_token: "sandbox-partner-token".into(),
            owner_organization_id: "1001".into(),
            owner_id: "2001".into(),
            callout_secret: "sandbox-callout-secret".into(),
        }
    }
}

impl TestCredentials {
    /// HMAC-SHA1 signature of the body in `X-HC-Signature: sha1=<hex>`, keyed with `callout_secret`.
    ///
    /// ```
    /// let auth = credit_valuation_sandbox::TestCredentials::default().hmac_callout_auth();
    /// ```
    pub fn hmac_callout_auth(&self) -> CalloutAuth {
        CalloutAuth::hmac_sha1(
            HeaderName::from_static(CALLOUT_SIGNATURE_HEADER),
            self.secret(),
        )
        .expect("non-empty callout credentials")
    }

    /// `callout_secret` as a token in the `X-HC-Token` header.
    ///
    /// ```
    /// let auth = credit_valuation_sandbox::TestCredentials::default().header_token_callout_auth();
    /// ```
    pub fn header_token_callout_auth(&self) -> CalloutAuth {
        CalloutAuth::header_token(HeaderName::from_static(CALLOUT_TOKEN_HEADER), self.secret())
            .expect("non-empty callout credentials")
    }

    /// `callout_secret` as a token in the `token` query parameter.
    ///
    /// ```
    /// let auth = credit_valuation_sandbox::TestCredentials::default().query_token_callout_auth();
    /// ```
    pub fn query_token_callout_auth(&self) -> CalloutAuth {
        CalloutAuth::query_token(CALLOUT_TOKEN_PARAMETER, self.secret())
            .expect("non-empty callout credentials")
    }

    /// HTTP Basic with user `housecanary` and password `callout_secret`.
    ///
    /// ```
    /// let auth = credit_valuation_sandbox::TestCredentials::default().basic_callout_auth();
    /// ```
    pub fn basic_callout_auth(&self) -> CalloutAuth {
        CalloutAuth::basic(CALLOUT_BASIC_USERNAME, self.secret())
            .expect("non-empty callout credentials")
    }

    fn secret(&self) -> SecretString {
        SecretString::from(self.callout_secret.clone())
    }
}
