//! What the vendor's documentation promises, as the SDK holds it: 11 deliveries of a callout over
//! at least 50 minutes, a cancelled item's validation details kept whatever their names, and an
//! order waiting for the partner's review reported at once.

use std::time::Duration;

use housecanary_partner::callouts::CalloutMessage;
use housecanary_partner::progress::{Follow, OrderProgress, ProgressError};
use housecanary_partner::{Client, Config, Environment, Id, SecretString};

#[cfg(feature = "postgres")]
mod redelivery_horizon {
    use std::time::Duration;

    use housecanary_partner::callouts::{
        PostgresLogConfig, PostgresMessageLog, REDELIVERY_HORIZON,
    };

    #[test]
    fn the_horizon_spans_ten_redeliveries_five_minutes_apart() {
        let redeliveries = 10;
        assert_eq!(
            REDELIVERY_HORIZON,
            redeliveries * Duration::from_secs(5 * 60)
        );
        assert_eq!(REDELIVERY_HORIZON, Duration::from_secs(50 * 60));
    }

    #[tokio::test]
    async fn the_store_refuses_a_retention_shorter_than_the_horizon() {
        // Refused before any connection is made: no database needed.
        let pool =
            credit_valuation_postgres::pool_from_url("postgres://nobody@127.0.0.1:1/none", 1)
                .expect("pool");
        let config = PostgresLogConfig {
            retention: Duration::from_secs(49 * 60 + 59),
            ..PostgresLogConfig::default()
        };
        let short = PostgresMessageLog::new(pool, config).await.unwrap_err();
        assert!(short.to_string().contains("at least 3000s"), "{short}");
    }
}

#[test]
fn a_cancelled_items_validation_details_are_kept_whatever_their_names() {
    // Field names the SDK has never seen: the vendor's are UNKNOWN.
    let message = CalloutMessage::from_slice(
        br#"{"message_type":"order_item_status_change","message_id":"m1","order_id":1,
            "order_item_id":2,"new_status":"cancelled",
            "failed_checks":[{"check":"address_found","passed":false}],"notes":"no match"}"#,
    )
    .expect("a valid callout");
    let CalloutMessage::OrderItemStatusChange(change) = message else {
        panic!("an item status change");
    };
    assert_eq!(change.extra["failed_checks"][0]["check"], "address_found");
    assert_eq!(change.extra["notes"], "no match");
}

fn unreachable_client() -> Client {
    let config = Config::new(
        Environment::Custom("http://127.0.0.1:9/partner-api/v1/".parse().unwrap()),
        SecretString::from("token"),
    );
    Client::new(config).expect("client")
}

fn item_status(item_id: u64, status: &str) -> CalloutMessage {
    CalloutMessage::from_slice(
        format!(
            r#"{{"message_type":"order_item_status_change","message_id":"m{item_id}",
                "order_id":1,"order_item_id":{item_id},"new_status":"{status}"}}"#
        )
        .as_bytes(),
    )
    .expect("a valid callout")
}

async fn wait(progress: &OrderProgress, items: &[Id]) -> Result<(), ProgressError> {
    // An hour's deadline: the review must end the wait long before it.
    let (client, order_id) = (unreachable_client(), Id::from(1_u64));
    let waiting = progress.wait_until_final(
        &client,
        &order_id,
        items,
        Follow::Callouts,
        Duration::from_secs(3600),
        |_| {},
    );
    tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("the wait ends at once")
        .map(|_| ())
}

#[tokio::test]
async fn an_item_in_client_review_ends_the_wait_as_needing_action() {
    let progress = OrderProgress::new();
    progress.record(&item_status(2, "complete"));
    progress.record(&item_status(3, "clientReview"));
    let error = wait(&progress, &[2_u64.into(), 3_u64.into()])
        .await
        .unwrap_err();
    match &error {
        ProgressError::NeedsReview { order_id, items } => {
            assert_eq!(order_id, &Id::from(1_u64));
            assert_eq!(items, &[Id::from(3_u64)]);
        }
        other => panic!("expected NeedsReview, got {other:?}"),
    }
    assert!(error.to_string().contains("no known API"), "{error}");
}

#[tokio::test]
async fn an_order_in_client_review_ends_the_wait_too() {
    let progress = OrderProgress::new();
    progress.record(
        &CalloutMessage::from_slice(
            br#"{"message_type":"order_status_change","message_id":"o1","order_id":1,
                "new_status":"clientReview"}"#,
        )
        .expect("a valid callout"),
    );
    let error = wait(&progress, &[2_u64.into()]).await.unwrap_err();
    assert!(
        matches!(&error, ProgressError::NeedsReview { items, .. } if items.is_empty()),
        "{error:?}"
    );
}
