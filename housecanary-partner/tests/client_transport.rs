//! Transport failures: after the connection opened a GET is retried and a POST is not (it may
//! have been processed); a failed connection is retried for both (nothing was sent).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use housecanary_partner::orders::{OrderItem, ValueReportOrder};
use housecanary_partner::{Client, Config, Environment, Error, RetryPolicy, SecretString};
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

/// A server that reads the start of each request, then hangs up without answering.
async fn hang_up_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&connections);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let mut buffer = [0_u8; 1024];
            let _ = socket.read(&mut buffer).await;
            drop(socket);
        }
    });
    (format!("http://{address}"), connections)
}

fn client_with(base: &str) -> Client {
    let config = Config::new(
        Environment::Custom(format!("{base}/partner-api/v1/").parse().unwrap()),
        SecretString::from("test-partner-token"),
    )
    .request_timeout(Duration::from_secs(10))
    .retry_policy(
        RetryPolicy::default()
            .max_attempts(3)
            .initial_backoff(Duration::from_millis(5)),
    );
    Client::new(config).unwrap()
}

#[tokio::test]
async fn a_get_whose_connection_drops_is_retried_up_to_the_attempts() {
    let (base, connections) = hang_up_server().await;

    let err = client_with(&base).get_order(1_u64).await.unwrap_err();

    assert!(
        matches!(
            err,
            Error::Transport {
                may_have_been_sent: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(connections.load(Ordering::SeqCst), 3);
}

/// The smallest valid order: what is sent matters less than whether it is sent again.
fn one_item_order() -> ValueReportOrder {
    ValueReportOrder::builder()
        .name("n")
        .item(
            OrderItem::builder()
                .address("1 A St")
                .zipcode("78701")
                .build(),
        )
        .build()
}

#[tokio::test]
async fn a_post_whose_connection_drops_is_not_retried() {
    let (base, connections) = hang_up_server().await;
    let err = client_with(&base)
        .create_order(&one_item_order())
        .await
        .unwrap_err();

    assert!(
        matches!(
            err,
            Error::Transport {
                may_have_been_sent: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(connections.load(Ordering::SeqCst), 1);
}

/// A server that answers every connection with plain text and hangs up, so an `https` client
/// fails in the TLS handshake: a connection failure, before any request byte was sent.
async fn not_tls_server() -> (String, Arc<AtomicUsize>) {
    use tokio::io::AsyncWriteExt;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&connections);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let _ = socket.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
            drop(socket);
        }
    });
    (format!("https://{address}"), connections)
}

#[tokio::test]
async fn a_post_whose_connection_fails_is_retried_because_it_was_never_sent() {
    let (base, connections) = not_tls_server().await;
    let err = client_with(&base)
        .create_order(&one_item_order())
        .await
        .unwrap_err();

    assert!(
        matches!(
            err,
            Error::Transport {
                may_have_been_sent: false,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(connections.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_get_whose_connection_fails_is_retried_up_to_the_attempts() {
    let (base, connections) = not_tls_server().await;

    let err = client_with(&base).get_order(1_u64).await.unwrap_err();

    assert!(
        matches!(
            err,
            Error::Transport {
                may_have_been_sent: false,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(connections.load(Ordering::SeqCst), 3);
}
