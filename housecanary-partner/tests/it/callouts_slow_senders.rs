//! (feature `axum`) Hostile slow senders against the default endpoint and server setup: for 30 s,
//! while a signed callout arrives every 500 ms, forged HMAC requests hold connections open (each
//! reconnecting as soon as it is dropped). Every legitimate callout but one at most is answered
//! `2xx`. And a request head trickled byte by byte is cut off by the head timeout.
#![cfg(feature = "axum")]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use housecanary_partner::callouts::{
    CalloutReceiver, CalloutVerifier, InMemoryMessageLog, ReceiverConfig,
};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::support::{hmac_auth, item_status_body, serve};

const SECRET: &str = "slow-senders-callout-secret";
const RUN: Duration = Duration::from_secs(30);
const EVERY: Duration = Duration::from_millis(500);
/// Callouts sent during the run, leaving its last second for the answers.
const LEGITIMATE: usize = 58;

fn receiver() -> CalloutReceiver {
    CalloutReceiver::new(
        CalloutVerifier::new(hmac_auth(SECRET)),
        Arc::new(InMemoryMessageLog::default()),
        |_message| async { Ok::<(), String>(()) },
    )
    .unwrap()
}

/// One hostile connection after another: a forged HMAC request announcing `announced` bytes and
/// sending one byte every 500 ms, until `stop`.
async fn trickle(addr: SocketAddr, announced: usize, stop: Arc<AtomicBool>) {
    let head = format!(
        "POST /callouts HTTP/1.1\r\nhost: {addr}\r\ncontent-length: {announced}\r\nx-hc-signature: sha1={}\r\n\r\n",
        "0".repeat(40)
    );
    while !stop.load(Ordering::Relaxed) {
        let Ok(mut stream) = TcpStream::connect(addr).await else {
            continue;
        };
        if stream.write_all(head.as_bytes()).await.is_err() {
            continue;
        }
        let mut answer = [0u8; 1];
        while !stop.load(Ordering::Relaxed) {
            tokio::select! {
                // Answered (408) or closed: connect again.
                _ = stream.read(&mut answer) => break,
                () = tokio::time::sleep(EVERY) => {
                    if stream.write_all(b" ").await.is_err() {
                        break;
                    }
                }
            }
        }
    }
}

/// Runs `attackers` trickling connections announcing `announced` bytes each against the default
/// endpoint while signed callouts arrive every 500 ms; returns how many callouts got a `2xx`.
async fn legitimate_answered_2xx(attackers: usize, announced: usize) -> usize {
    let addr = serve(receiver(), "/callouts").await;
    let stop = Arc::new(AtomicBool::new(false));
    let hostile: Vec<_> = (0..attackers)
        .map(|_| tokio::spawn(trickle(addr, announced, Arc::clone(&stop))))
        .collect();
    // Let the attack take hold first.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let client = reqwest::Client::new();
    let auth = hmac_auth(SECRET);
    let mut ticks = tokio::time::interval(EVERY);
    let mut sent = Vec::new();
    for n in 0..LEGITIMATE {
        ticks.tick().await;
        let body = item_status_body(&format!("m-{attackers}-{n}"));
        let signed = auth.sign(&"/callouts".parse().unwrap(), &body).unwrap();
        let request = client
            .post(format!("http://{addr}/callouts"))
            .headers(signed.headers)
            .timeout(Duration::from_secs(5))
            .body(body);
        sent.push(tokio::spawn(async move {
            request
                .send()
                .await
                .is_ok_and(|response| response.status().is_success())
        }));
    }
    let mut answered = 0;
    for callout in sent {
        answered += usize::from(callout.await.unwrap());
    }
    stop.store(true, Ordering::Relaxed);
    for attacker in hostile {
        attacker.abort();
    }
    answered
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_slow_connections_announcing_20_mib_each_do_not_starve_the_endpoint() {
    assert!(RUN >= EVERY * LEGITIMATE as u32);
    let answered = legitimate_answered_2xx(2, 20 << 20).await;
    println!("2 slow connections: {answered} of {LEGITIMATE} callouts answered 2xx");
    assert!(answered >= 57, "{answered} of {LEGITIMATE} answered 2xx");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_trickling_connections_do_not_starve_the_endpoint() {
    let answered = legitimate_answered_2xx(64, 4096).await;
    println!("64 trickling connections: {answered} of {LEGITIMATE} callouts answered 2xx");
    assert!(answered >= 57, "{answered} of {LEGITIMATE} answered 2xx");
}

#[tokio::test]
async fn a_request_head_trickled_byte_by_byte_is_closed_within_the_head_timeout() {
    let head_timeout = Duration::from_secs(2);
    let receiver = receiver()
        .with_config(ReceiverConfig {
            head_timeout,
            ..ReceiverConfig::default()
        })
        .unwrap();
    let addr = serve(receiver, "/callouts").await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let started = tokio::time::Instant::now();
    let head = b"POST /callouts HTTP/1.1\r\nhost: localhost\r\ncontent-length: 2\r\n";
    let mut closed_after = None;
    for byte in head.iter().cycle().take(200) {
        if stream.write_all(&[*byte]).await.is_err() {
            closed_after = Some(started.elapsed());
            break;
        }
        let mut answer = [0u8; 64];
        // An answer (an error status) or a close: the server gave up on the head.
        if tokio::time::timeout(EVERY, stream.read(&mut answer))
            .await
            .is_ok()
        {
            closed_after = Some(started.elapsed());
            break;
        }
    }
    let closed_after = closed_after.expect("the connection was closed");
    println!("a trickled head was closed after {closed_after:?}");
    assert!(
        closed_after <= head_timeout + Duration::from_secs(1),
        "closed after {closed_after:?}"
    );
}
