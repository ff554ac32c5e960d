//! TLS to PostgreSQL by `sslmode`, through rustls, with libpq's meaning of each mode.
//!
//! tokio-postgres itself knows only `disable`, `prefer` and `require`, and no `sslrootcert`: this module
//! takes both out of the connection string, tells tokio-postgres whether TLS is required, and builds the
//! certificate verifier the mode asks for.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::error::DatabaseError;

/// How a connection uses TLS: libpq's `sslmode` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SslMode {
    /// Never TLS.
    Disable,
    /// TLS when the server offers it, without checking the certificate (libpq's default).
    Prefer,
    /// TLS or no connection; the certificate is checked only when `sslrootcert` is given (as libpq does).
    Require,
    /// TLS, and the certificate chains to a trusted root; the host name is not checked.
    VerifyCa,
    /// TLS, the certificate chains to a trusted root and names the host connected to.
    VerifyFull,
}

impl SslMode {
    fn parse(value: &str) -> Result<Self, DatabaseError> {
        Ok(match value {
            "disable" => Self::Disable,
            "prefer" => Self::Prefer,
            "require" => Self::Require,
            "verify-ca" => Self::VerifyCa,
            "verify-full" => Self::VerifyFull,
            _ => {
                return Err(DatabaseError::InvalidUrl {
                    reason:
                        "`sslmode` must be one of disable, prefer, require, verify-ca, verify-full"
                            .to_owned(),
                });
            }
        })
    }

    /// What tokio-postgres is told: whether TLS is attempted, and whether it is required.
    pub(super) fn negotiation(self) -> tokio_postgres::config::SslMode {
        match self {
            Self::Disable => tokio_postgres::config::SslMode::Disable,
            Self::Prefer => tokio_postgres::config::SslMode::Prefer,
            Self::Require | Self::VerifyCa | Self::VerifyFull => {
                tokio_postgres::config::SslMode::Require
            }
        }
    }
}

/// The TLS settings read from a connection string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TlsSettings {
    pub(super) mode: SslMode,
    pub(super) root_cert: Option<PathBuf>,
}

/// Splits `sslmode` and `sslrootcert` out of a URL (`postgres://…?sslmode=…`) or a key=value string, and
/// returns the rest for tokio-postgres to parse.
pub(super) fn take_tls_settings(url: &str) -> Result<(String, TlsSettings), DatabaseError> {
    let mut settings = TlsSettings {
        mode: SslMode::Prefer,
        root_cert: None,
    };
    let mut take = |key: &str, value: String| -> Result<bool, DatabaseError> {
        match key {
            "sslmode" => settings.mode = SslMode::parse(&value)?,
            "sslrootcert" => settings.root_cert = Some(PathBuf::from(value)),
            _ => return Ok(false),
        }
        Ok(true)
    };
    let rest = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_encoding::percent_decode_str(value)
                .decode_utf8()
                .map_err(|_| DatabaseError::InvalidUrl {
                    reason: format!("the value of `{key}` is not UTF-8 once decoded"),
                })?;
            if !take(key, value.into_owned())? {
                kept.push(pair);
            }
        }
        if kept.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", kept.join("&"))
        }
    } else {
        // key=value form: the two settings are taken when written as plain `key=value` words (quoted
        // values with spaces belong to other keys, which tokio-postgres parses).
        let mut kept = Vec::new();
        for word in url.split_whitespace() {
            let taken = match word.split_once('=') {
                Some((key, value)) => take(key.trim(), value.trim_matches('\'').to_owned())?,
                None => false,
            };
            if !taken {
                kept.push(word);
            }
        }
        kept.join(" ")
    };
    Ok((rest, settings))
}

/// The rustls connector for these settings.
pub(super) fn connector(settings: &TlsSettings) -> Result<MakeRustlsConnect, DatabaseError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let tls_error = |reason: String| DatabaseError::Tls { reason };
    let verifier: Arc<dyn ServerCertVerifier> = match (&settings.root_cert, settings.mode) {
        // libpq: without a root certificate, `require` and `prefer` encrypt but do not authenticate.
        (None, SslMode::Disable | SslMode::Prefer | SslMode::Require) => {
            Arc::new(EncryptOnly(provider.clone()))
        }
        (None, mode) => {
            let platform = rustls_platform_verifier::Verifier::new(provider.clone())
                .map_err(|error| tls_error(format!("the platform's root certificates: {error}")))?;
            with_host_check(Arc::new(platform), mode)
        }
        (Some(path), mode) => {
            let mut roots = RootCertStore::empty();
            let certificates = CertificateDer::pem_file_iter(path).map_err(|error| {
                tls_error(format!(
                    "`sslrootcert` {} cannot be read: {error}",
                    path.display()
                ))
            })?;
            for certificate in certificates {
                let certificate = certificate.map_err(|error| {
                    tls_error(format!(
                        "`sslrootcert` {} is not PEM: {error}",
                        path.display()
                    ))
                })?;
                roots.add(certificate).map_err(|error| {
                    tls_error(format!("`sslrootcert` {}: {error}", path.display()))
                })?;
            }
            if roots.is_empty() {
                return Err(tls_error(format!(
                    "`sslrootcert` {} holds no certificate",
                    path.display()
                )));
            }
            let webpki =
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                    .build()
                    .map_err(|error| tls_error(error.to_string()))?;
            with_host_check(webpki, mode)
        }
    };
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| tls_error(error.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// `verify-full` checks the host name; every other mode that verifies (`verify-ca`, and `require` or
/// `prefer` with a root certificate, as in libpq) checks only the chain.
fn with_host_check(
    verifier: Arc<dyn ServerCertVerifier>,
    mode: SslMode,
) -> Arc<dyn ServerCertVerifier> {
    if mode == SslMode::VerifyFull {
        verifier
    } else {
        Arc::new(ChainOnly(verifier))
    }
}

/// Verifies the chain and accepts a certificate issued for another name.
#[derive(Debug)]
struct ChainOnly(Arc<dyn ServerCertVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// Accepts any certificate but still checks the handshake signatures: encryption without
/// authentication, which is what libpq's `require` means without a root certificate.
struct EncryptOnly(Arc<CryptoProvider>);

impl fmt::Debug for EncryptOnly {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("EncryptOnly")
    }
}

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_come_out_of_a_url_and_the_rest_stays() {
        let (rest, settings) = take_tls_settings(
            "postgres://app:pw@db.example.com:5432/app?sslmode=verify-full&application_name=x&sslrootcert=%2Fetc%2Fca.pem",
        )
        .unwrap();
        assert_eq!(
            rest,
            "postgres://app:pw@db.example.com:5432/app?application_name=x"
        );
        assert_eq!(settings.mode, SslMode::VerifyFull);
        assert_eq!(settings.root_cert, Some(PathBuf::from("/etc/ca.pem")));
    }

    #[test]
    fn settings_come_out_of_a_key_value_string() {
        let (rest, settings) =
            take_tls_settings("host=db user=app sslmode=verify-ca sslrootcert='/etc/ca.pem'")
                .unwrap();
        assert_eq!(rest, "host=db user=app");
        assert_eq!(settings.mode, SslMode::VerifyCa);
        assert_eq!(settings.root_cert, Some(PathBuf::from("/etc/ca.pem")));
    }

    #[test]
    fn prefer_is_the_default_like_libpq() {
        let (rest, settings) = take_tls_settings("postgres://app@db/app").unwrap();
        assert_eq!(rest, "postgres://app@db/app");
        assert_eq!(settings.mode, SslMode::Prefer);
        assert_eq!(settings.root_cert, None);
    }

    #[test]
    fn an_unknown_mode_is_named() {
        let error =
            take_tls_settings("postgres://app:secret@db/app?sslmode=allow-all").unwrap_err();
        let text = error.to_string();
        assert!(text.contains("sslmode"), "{text}");
        assert!(!text.contains("secret"), "{text}");
    }
}
