//! A standalone HouseCanary callout receiver (axum): verifies each request, deduplicates by
//! `message_id`, prints the message, and acknowledges it.
//!
//! ```text
//! cargo run -p examples --example callout_receiver [-- --listen 127.0.0.1:8080 --scheme hmac]
//! ```
//!
//! Options: `--listen ADDR` (or `HOUSECANARY_CALLOUT_LISTEN`; default `127.0.0.1:8080`; loopback
//! only unless `HOUSECANARY_CALLOUT_SECRET` is set), `--path PATH` (default `/housecanary/callouts`), `--scheme hmac|header|query|basic` (or
//! `HOUSECANARY_CALLOUT_SCHEME`), `--header NAME` (or `HOUSECANARY_CALLOUT_HEADER`), `--parameter
//! NAME`, `--exit-after N`. The secret comes from `HOUSECANARY_CALLOUT_SECRET` only; without it the
//! sandbox's public test secret is used, so a standalone sandbox can send to it:
//!
//! ```text
//! cargo run -p sandbox -- --listen 127.0.0.1:9090 --callout-url http://127.0.0.1:8080/housecanary/callouts
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use housecanary_partner::callouts::{
    CalloutMessage, CalloutReceiver, CalloutVerifier, InMemoryMessageLog,
};

#[tokio::main]
async fn main() -> Result<(), examples::ExitError> {
    examples::init_logging();
    let args = examples::receiver_args::ReceiverArgs::parse(
        std::env::args().skip(1),
        &examples::settings::process_env,
    )?;
    let processed = Arc::new(AtomicU64::new(0));
    let done = Arc::new(tokio::sync::Notify::new());
    let receiver = CalloutReceiver::new(
        CalloutVerifier::new(args.auth.clone()),
        InMemoryMessageLog::default(),
        {
            let processed = Arc::clone(&processed);
            let done = Arc::clone(&done);
            let exit_after = args.exit_after;
            move |message: CalloutMessage| {
                println!("{}", describe(&message));
                let count = processed.fetch_add(1, Ordering::SeqCst) + 1;
                if exit_after.is_some_and(|limit| count >= limit) {
                    done.notify_one();
                }
                std::future::ready(Ok::<(), std::convert::Infallible>(()))
            }
        },
    );
    let app = housecanary_partner::callouts::axum::router(receiver, &args.path);
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|source| examples::Error::Listen {
            addr: args.listen,
            source,
        })?;
    let local = listener
        .local_addr()
        .map_err(|source| examples::Error::Listen {
            addr: args.listen,
            source,
        })?;
    println!("listening on http://{local}{} ({:?})", args.path, args.auth);
    if args.test_secret {
        println!(
            "using the sandbox's public test secret: set HOUSECANARY_CALLOUT_SECRET for real callouts"
        );
    }
    println!("press Ctrl-C to stop");
    let stop = async move {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = done.notified() => {}
        }
    };
    axum::serve(listener, app)
        .with_graceful_shutdown(stop)
        .await
        .map_err(|source| examples::Error::Listen {
            addr: local,
            source,
        })?;
    println!(
        "stopped after {} messages",
        processed.load(Ordering::SeqCst)
    );
    Ok(())
}

fn describe(message: &CalloutMessage) -> String {
    match message {
        CalloutMessage::OrderStatusChange(change) => format!(
            "{} order {}: {}",
            message.message_type(),
            change.order_id,
            change.new_status
        ),
        CalloutMessage::OrderItemStatusChange(change) => format!(
            "{} order {} item {}: {}",
            message.message_type(),
            change.order_id,
            change.order_item_id,
            change.new_status
        ),
        CalloutMessage::OrderComplete(complete) => format!(
            "{} order {} item {}: report of {} bytes",
            message.message_type(),
            complete.order_id,
            complete.order_item_id.as_deref().unwrap_or("-"),
            complete
                .report_bytes()
                .ok()
                .flatten()
                .map_or(0, |bytes| bytes.len())
        ),
        other => format!(
            "{} (message id {})",
            other.message_type(),
            other.message_id().unwrap_or("none")
        ),
    }
}
