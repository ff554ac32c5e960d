//! `LISTEN/NOTIFY` as wake-ups: a [`Listener`] turns notifications on a channel into wake-ups of
//! waiting tasks; an [`Announcer`] sends them, folding a burst into one.

use std::future::poll_fn;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use deadpool_postgres::Pool;
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
/// // Elsewhere, after adding a job: `Announcer::announce`, or `SELECT pg_notify('jobs', '')`.
/// work.notified().await;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Listener {
    _task: AbortOnDrop,
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
        Ok(Listener {
            _task: AbortOnDrop(task),
        })
    }
}

/// Sends `NOTIFY` on one channel from a pool's connections, at most one at a time: announcements
/// made while one is being sent become one more after it. PostgreSQL lets one notifying transaction
/// of a database commit at a time, so a notification in each transaction that stores work makes
/// those commits queue one behind another (measured: 10× fewer callouts stored per second); an
/// announcement after the commit, folded with the others, costs the storing transactions nothing.
/// Its transaction does not wait for the disk: a lost notification only delays a worker until its
/// next poll. Failures are logged and dropped for the same reason.
///
/// ```no_run
/// use credit_valuation_postgres::{Announcer, pool_from_url};
///
/// # async fn run() -> Result<(), credit_valuation_postgres::DatabaseError> {
/// let pool = pool_from_url("postgres://app@db/app", 8)?;
/// let announcer = Announcer::start(pool.clone(), "jobs");
/// pool.get().await?.execute("INSERT INTO jobs DEFAULT VALUES", &[]).await?;
/// announcer.announce(); // after the commit: a listener looks for what was added
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Announcer {
    wanted: Arc<Notify>,
    _task: Arc<AbortOnDrop>,
}

impl Announcer {
    /// Starts announcing on `channel` (at most 63 bytes) through `pool`. Must be called within a
    /// Tokio runtime.
    pub fn start(pool: Pool, channel: &str) -> Self {
        let wanted = Arc::new(Notify::new());
        let waiting = wanted.clone();
        let channel = channel.to_owned();
        let task = tokio::spawn(async move {
            loop {
                waiting.notified().await;
                let sent = async {
                    let client = pool.get().await?;
                    let notify = client
                        .prepare_cached(
                            "SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, '')",
                        )
                        .await?;
                    client.execute(&notify, &[&channel]).await?;
                    Ok::<(), DatabaseError>(())
                };
                if let Err(error) = sent.await {
                    tracing::warn!(%error, "could not announce new work; listeners will poll");
                }
            }
        });
        Announcer {
            wanted,
            _task: Arc::new(AbortOnDrop(task)),
        }
    }

    /// Announces new work (committed before this call); returns at once.
    pub fn announce(&self) {
        self.wanted.notify_one();
    }
}

/// Ends a background task when its last owner is dropped.
#[derive(Debug)]
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
