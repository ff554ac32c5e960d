//! A dedicated connection that turns PostgreSQL notifications into wake-ups of waiting tasks.

use std::future::poll_fn;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_postgres::AsyncMessage;

use crate::error::DatabaseError;
use crate::pool::connection_config;

/// The first pause before reconnecting after the connection failed, doubled up to [`MOST_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_secs(1);
const MOST_PAUSE: Duration = Duration::from_secs(30);

/// `LISTEN`s on one channel over a connection of its own and wakes `wake` (one waiter, or the next
/// to wait) on every notification, so that a worker learns of new work without waiting for its
/// next poll. After a failure it reconnects, pausing 1 s, doubled up to 30 s; meanwhile, and
/// whenever a notification could be missed, the workers' own polling is the fallback, so a store
/// built on this must still poll. It wakes once more each time it starts listening, for what
/// arrived while it was not.
///
/// The connection takes TLS, timeouts and credentials from `url` as
/// [`pool_from_url`](crate::pool_from_url) does. It is closed when the `Listener` is dropped.
///
/// ```no_run
/// use std::sync::Arc;
/// use credit_valuation_postgres::Listener;
///
/// # async fn run() -> Result<(), credit_valuation_postgres::DatabaseError> {
/// let work = Arc::new(tokio::sync::Notify::new());
/// let _listener = Listener::start("postgres://app@db/app?sslmode=verify-full", "jobs", work.clone())?;
/// // Elsewhere: `SELECT pg_notify('jobs', '')` in the transaction that adds a job.
/// work.notified().await;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Listener {
    task: JoinHandle<()>,
}

impl Listener {
    /// Starts listening on `channel` (a PostgreSQL channel name: at most 63 bytes, compared
    /// exactly). Must be called within a Tokio runtime.
    ///
    /// # Errors
    /// As [`pool_from_url`](crate::pool_from_url), for a URL that cannot be used; connection
    /// failures are retried in the background, never returned.
    pub fn start(url: &str, channel: &str, wake: Arc<Notify>) -> Result<Self, DatabaseError> {
        let (config, tls) = connection_config(url)?;
        let listen = format!("LISTEN \"{}\"", channel.replace('"', "\"\""));
        let task = tokio::spawn(async move {
            let mut pause = FIRST_PAUSE;
            loop {
                let listened = async {
                    let (client, mut connection) = config.connect(tls.clone()).await?;
                    // The connection is driven here, so the LISTEN is sent alongside it.
                    let mut statement = Box::pin(client.batch_execute(&listen));
                    let mut listening = false;
                    poll_fn(|cx| {
                        if !listening {
                            if let Poll::Ready(result) = statement.as_mut().poll(cx) {
                                result?;
                                listening = true;
                                wake.notify_one();
                            }
                        }
                        loop {
                            match connection.poll_message(cx) {
                                Poll::Ready(Some(Ok(AsyncMessage::Notification(_)))) => {
                                    wake.notify_one();
                                }
                                Poll::Ready(Some(Ok(_))) => {}
                                Poll::Ready(Some(Err(error))) => return Poll::Ready(Err(error)),
                                Poll::Ready(None) => return Poll::Ready(Ok(listening)),
                                Poll::Pending => return Poll::Pending,
                            }
                        }
                    })
                    .await
                };
                let listened: Result<bool, tokio_postgres::Error> = listened.await;
                match listened {
                    Ok(true) => pause = FIRST_PAUSE,
                    Ok(false) => {}
                    Err(error) => {
                        tracing::warn!(%error, "listening for notifications failed; reconnecting")
                    }
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(MOST_PAUSE);
            }
        });
        Ok(Listener { task })
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.task.abort();
    }
}
