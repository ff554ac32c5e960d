//! The [`Client`]: the Partner API's base URL and `Token` credential over `credit-valuation-core`'s
//! transport, and the vendor's error bodies.

use std::borrow::Cow;
use std::fmt;

use credit_valuation_core::{
    Authorization, Operation, Request, Transport, TransportConfig, request_for,
};
use serde::de::DeserializeOwned;
use tokio::io::AsyncWrite;
use url::Url;

use crate::api_error::parse_drf_error;
use crate::config::Config;
use crate::error::{Error, Result};

/// A client of the Partner API. Cheap to clone (clones share one connection pool).
///
/// Every call sends `Authorization: Token <t>`, except downloads of signed URLs, which must not
/// carry it. `Debug` shows the base URL only.
///
/// ```no_run
/// use housecanary_partner::{Client, Config, Environment, SecretString};
/// # async fn run() -> Result<(), housecanary_partner::Error> {
/// let client = Client::new(Config::new(Environment::Demo, SecretString::from("my-token")))?;
/// let order = client.get_order(42_u64).await?;
/// println!("{:?}", order.status);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    transport: Transport,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("transport", &self.transport)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Builds a client (and its connection pool, unless one was injected).
    pub fn new(config: Config) -> Result<Self> {
        let base = config.environment.base_url()?;
        let mut limits = config.limits;
        if let Some(deadline) = config.download_timeout {
            limits = limits.download_deadline(deadline);
        }
        let mut transport = TransportConfig::new(base, config.user_agent)
            .authorization(Authorization::header(config.token.authorization_header()))
            // No timeout (`Config::without_timeouts`) is `Duration::MAX` to the transport.
            .connect_timeout(config.connect_timeout.unwrap_or(std::time::Duration::MAX))
            .request_timeout(config.request_timeout.unwrap_or(std::time::Duration::MAX))
            .retry_policy(config.retry)
            .limits(limits)
            .allow_private_downloads(config.allow_private_downloads);
        if let Some(client) = config.http_client {
            transport = transport.http_client(client);
        }
        Ok(Self {
            transport: Transport::new(transport).map_err(Error::from_transport)?,
        })
    }

    /// The base URL every path is appended to (ends with `/`).
    ///
    /// ```no_run
    /// # use housecanary_partner::{Client, Config, Environment, SecretString};
    /// let client = Client::new(Config::new(Environment::Demo, SecretString::from("t"))).unwrap();
    /// assert!(client.base_url().as_str().ends_with("/partner-api/v1/"));
    /// ```
    pub fn base_url(&self) -> &Url {
        self.transport.base_url()
    }

    /// The transport every call goes through.
    pub(crate) fn transport(&self) -> &Transport {
        &self.transport
    }

    /// Sends `operation` and decodes its output: the one generic send behind every API call
    /// (each operation says what it is on the wire in its own file, `orders/create_order.rs`,
    /// `exports/create_export.rs`, ...).
    pub(crate) async fn send<O: Operation>(&self, operation: &O) -> Result<O::Output> {
        self.transport
            .execute(operation)
            .await
            .map_err(Error::from_transport)
    }

    /// The request that sends `operation`, for a caller that adds to it (a deadline) before
    /// [`send_request`](Self::send_request), or that sends it another way (a download, a list's
    /// pages).
    pub(crate) fn request<O: Operation>(&self, operation: &O) -> Result<Request> {
        request_for(operation, self.base_url()).map_err(Error::from_transport)
    }

    /// Sends a request built by [`request`](Self::request) and decodes its success body as `T`.
    pub(crate) async fn send_request<T: DeserializeOwned>(&self, request: Request) -> Result<T> {
        self.transport
            .send_json(request)
            .await
            .map_err(Error::from_transport)
    }

    /// Streams the body of `request` into `writer`.
    pub(crate) async fn download<W>(&self, request: Request, writer: &mut W) -> Result<u64>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        self.transport
            .download(request, writer)
            .await
            .map_err(|err| match err {
                credit_valuation_core::DownloadError::Transport(err) => Error::from_transport(err),
                credit_valuation_core::DownloadError::Write(err) => Error::Io {
                    operation: err.operation.into_owned(),
                    source: err.source,
                },
            })
    }
}

impl Error {
    /// The vendor's reading of a transport error: error statuses become [`Error::Auth`] or
    /// [`Error::Api`] with the Django REST Framework body decoded; the rest keep the
    /// transport's error.
    pub(crate) fn from_transport(err: credit_valuation_core::Error) -> Error {
        match err {
            credit_valuation_core::Error::Status {
                operation,
                status,
                body,
                request_id,
                retry_after,
            } => {
                let (detail, field_errors) = parse_drf_error(body.as_bytes());
                if status == 401 {
                    return Error::Auth {
                        operation: operation.into_owned(),
                        detail,
                        request_id,
                    };
                }
                Error::Api {
                    operation: operation.into_owned(),
                    status,
                    detail,
                    field_errors,
                    request_id,
                    retry_after,
                }
            }
            credit_valuation_core::Error::Decode {
                operation,
                path,
                message,
                excerpt,
            } => Error::Decode {
                operation: operation.into_owned(),
                path,
                message,
                excerpt,
            },
            credit_valuation_core::Error::Config { message } => Error::Config { message },
            other => Error::Transport(other),
        }
    }
}

/// The name of a download: where from, never the query (it holds the URL's signature).
pub(crate) fn download_operation(url: &Url) -> Cow<'static, str> {
    format!(
        "download from {}{}",
        url.host_str().unwrap_or(""),
        url.path()
    )
    .into()
}
