//! A running callout receiver: the housecanary-partner axum router on a socket, stopped on drop.

use std::net::SocketAddr;

use common_auth::CalloutAuth;
use housecanary_partner::callouts::{
    CalloutReceiver, CalloutVerifier, InMemoryMessageLog, axum::router,
};
use tokio::sync::oneshot;
use url::Url;

use crate::error::Error;
use crate::tracker::CalloutTracker;

/// A callout receiver serving in the background. Dropping it stops the server.
#[derive(Debug)]
pub struct RunningReceiver {
    local_addr: SocketAddr,
    path: String,
    stop: Option<oneshot::Sender<()>>,
}

impl RunningReceiver {
    /// Listens on `listen` (port 0 picks one) and answers `POST path`: verifies with `auth`,
    /// deduplicates by `message_id`, and records each new message in `tracker`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), examples::Error> {
    /// let tracker = examples::CalloutTracker::default();
    /// let auth = sandbox::TestCredentials::default().hmac_callout_auth();
    /// let receiver = examples::RunningReceiver::start(
    ///     "127.0.0.1:0".parse().unwrap(), "/callouts", auth, tracker.clone(),
    /// ).await?;
    /// println!("callouts go to {}", receiver.url()?);
    /// # Ok(()) }
    /// ```
    pub async fn start(
        listen: SocketAddr,
        path: &str,
        auth: CalloutAuth,
        tracker: CalloutTracker,
    ) -> Result<Self, Error> {
        let receiver = CalloutReceiver::new(
            CalloutVerifier::new(auth),
            InMemoryMessageLog::default(),
            tracker.handler(),
        );
        let path = if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{path}")
        };
        let app = router(receiver, &path);
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|source| Error::Listen {
                addr: listen,
                source,
            })?;
        let local_addr = listener.local_addr().map_err(|source| Error::Listen {
            addr: listen,
            source,
        })?;
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.await;
            };
            if let Err(err) = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                eprintln!("callout receiver stopped: {err}");
            }
        });
        Ok(Self {
            local_addr,
            path,
            stop: Some(stop),
        })
    }

    /// The address it listens on.
    ///
    /// ```no_run
    /// # fn run(receiver: examples::RunningReceiver) {
    /// println!("{}", receiver.local_addr());
    /// # }
    /// ```
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `http://{local address}{path}`: where a sender on this machine posts.
    ///
    /// ```no_run
    /// # fn run(receiver: examples::RunningReceiver) -> Result<(), examples::Error> {
    /// assert_eq!(receiver.url()?.scheme(), "http");
    /// # Ok(()) }
    /// ```
    pub fn url(&self) -> Result<Url, Error> {
        Url::parse(&format!("http://{}{}", self.local_addr, self.path)).map_err(|err| {
            Error::Unexpected {
                step: "callout receiver",
                problem: format!("its own URL does not parse: {err}"),
            }
        })
    }
}

impl Drop for RunningReceiver {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
