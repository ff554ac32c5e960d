//! `Listener`: a notification on its channel wakes a waiting task, and after the server ends its
//! connection it connects again and goes on waking; `Announcer` sends such notifications.

use std::sync::Arc;
use std::time::Duration;

use crate::database_url;
use credit_valuation_postgres::{Announcer, Listener, pool_from_url};
use tokio::sync::Notify;
use tokio::time::timeout;

#[tokio::test]
#[ignore = "needs PostgreSQL: `bash .ci/test` starts one, or set DATABASE_URL and pass --include-ignored"]
async fn an_announcement_wakes_the_listener_s_waiter_even_after_a_dropped_connection() {
    let url = database_url();
    let channel = format!("listener_test_{}", std::process::id());
    let work = Arc::new(Notify::new());
    let _listener = Listener::start(&url, &channel, work.clone()).unwrap();
    let pool = pool_from_url(&url, 2).unwrap();
    let client = pool.get().await.unwrap();
    // Its first wake-up says it is listening.
    timeout(Duration::from_secs(5), work.notified())
        .await
        .expect("the listener starts listening");

    // Nothing wakes it but a notification on its channel.
    client
        .execute("SELECT pg_notify($1, '')", &[&"another_channel"])
        .await
        .unwrap();
    assert!(
        timeout(Duration::from_millis(300), work.notified())
            .await
            .is_err()
    );
    client
        .execute("SELECT pg_notify($1, '')", &[&channel])
        .await
        .unwrap();
    timeout(Duration::from_secs(1), work.notified())
        .await
        .expect("a notification wakes the waiter");

    // The server ends the listener's session: it listens again (and says so) after its pause.
    let ended = client
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1",
            &[&format!("LISTEN \"{channel}\"")],
        )
        .await
        .unwrap();
    assert_eq!(ended, 1, "one listening session");
    timeout(Duration::from_secs(5), work.notified())
        .await
        .expect("the listener listens again");
    let announcer = Announcer::start(pool.clone(), &channel);
    announcer.announce();
    timeout(Duration::from_secs(1), work.notified())
        .await
        .expect("an announcement after the reconnection wakes the waiter");
}
