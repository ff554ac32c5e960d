//! A standalone HouseCanary callout receiver (axum): verifies each request, deduplicates by
//! `message_id`, prints the message, and acknowledges it.
//!
//! ```text
//! cargo run -p examples --example callout_receiver [-- --listen 127.0.0.1:8080 --scheme hmac]
//! ```
//!
//! Options: `--listen ADDR` (or `HOUSECANARY_CALLOUT_LISTEN`; default `127.0.0.1:8080`; loopback
//! only unless `HOUSECANARY_CALLOUT_SECRET` is set), `--path PATH` (default
//! `/housecanary/callouts`), `--scheme hmac|header|query|basic` (or `HOUSECANARY_CALLOUT_SCHEME`),
//! `--header NAME` (or `HOUSECANARY_CALLOUT_HEADER`), `--parameter NAME` (or
//! `HOUSECANARY_CALLOUT_PARAMETER`), `--exit-after N`: the variables `CalloutAuth::from_env` reads,
//! with the sandbox's values as defaults and flags that override them. The
//! secret comes from `HOUSECANARY_CALLOUT_SECRET` only; without it the sandbox's public test secret
//! is used, so a standalone sandbox can send to it:
//!
//! ```text
//! cargo run -p credit-valuation-sandbox -- --listen 127.0.0.1:9090 --callout-url http://127.0.0.1:8080/housecanary/callouts
//! ```

use std::convert::Infallible;
use std::error::Error;
use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use examples::Failure;
use examples::settings::{CALLOUT_PATH, Lookup, process_env};
use housecanary_partner::callouts::{
    CalloutMessage, CalloutReceiver, CalloutVerifier, InMemoryMessageLog,
};
use housecanary_partner::{CalloutAuth, CalloutConfigError, SecretString};

#[tokio::main]
async fn main() -> Result<(), Failure> {
    examples::init_logs("warn");
    let args = ReceiverArgs::parse(std::env::args().skip(1), &process_env)?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|error| format!("could not listen on {}: {error}", args.listen))?;
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    run(&args, listener, std::io::stdout(), ctrl_c).await?;
    Ok(())
}

/// Serves callouts on `listener` until `stop` completes or `--exit-after` messages were processed,
/// writing one line per message to `out`. Returns how many messages were processed.
pub async fn run(
    args: &ReceiverArgs,
    listener: tokio::net::TcpListener,
    mut out: impl Write + Send + 'static,
    stop: impl Future<Output = ()> + Send + 'static,
) -> Result<u64, Box<dyn Error + Send + Sync>> {
    let local = listener.local_addr()?;
    // The Debug of a callout scheme names it and its header, and redacts the secret.
    writeln!(
        out,
        "listening on http://{local}{} ({:?})",
        args.path, args.auth
    )?;
    if args.test_secret {
        writeln!(
            out,
            "using the sandbox's public test secret: set HOUSECANARY_CALLOUT_SECRET for real callouts"
        )?;
    }
    writeln!(out, "press Ctrl-C to stop")?;

    // The handler runs once per new message, on the server's tasks: what it shares is behind Arcs.
    let out = Arc::new(Mutex::new(out));
    let processed = Arc::new(AtomicU64::new(0));
    let enough = Arc::new(tokio::sync::Notify::new());
    let handler = {
        let (out, processed, enough) = (out.clone(), processed.clone(), enough.clone());
        let exit_after = args.exit_after;
        move |message: CalloutMessage| {
            let mut out = out.lock().unwrap_or_else(PoisonError::into_inner);
            // A line that cannot be printed is no reason to have the vendor send the message again.
            let _ = writeln!(out, "{}", describe(&message));
            let count = processed.fetch_add(1, Ordering::SeqCst) + 1;
            if exit_after.is_some_and(|limit| count >= limit) {
                enough.notify_one();
            }
            // Returning Ok is what makes the receiver answer 2xx; an Err would answer 500 and
            // leave the message to the vendor's redelivery.
            std::future::ready(Ok::<(), Infallible>(()))
        }
    };
    // Verifies each request (401 when it fails), skips a message_id already processed (the vendor
    // delivers at least once), and acknowledges only after the handler accepted the message.
    let receiver = CalloutReceiver::new(
        CalloutVerifier::new(args.auth.clone()),
        Arc::new(InMemoryMessageLog::default()),
        handler,
    )?;
    let app = housecanary_partner::callouts::axum::router(receiver, &args.path);
    // Requests already in flight are still answered after the stop.
    let shutdown = async move {
        tokio::select! {
            () = stop => {}
            () = enough.notified() => {}
        }
    };
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    let count = processed.load(Ordering::SeqCst);
    let mut out = out.lock().unwrap_or_else(PoisonError::into_inner);
    writeln!(out, "stopped after {count} messages")?;
    Ok(count)
}

/// One line saying what a verified callout says.
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
            complete
                .order_item_id
                .as_ref()
                .map_or_else(|| "-".to_owned(), ToString::to_string),
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

/// Where the receiver listens and how callouts prove who sent them.
#[derive(Debug, Clone)]
pub struct ReceiverArgs {
    /// `--listen` / `HOUSECANARY_CALLOUT_LISTEN`; default `127.0.0.1:8080`.
    pub listen: SocketAddr,
    /// `--path`; default `/housecanary/callouts`.
    pub path: String,
    /// From `--scheme` / `HOUSECANARY_CALLOUT_SCHEME` (`hmac` default, `header`, `query`, `basic`),
    /// `HOUSECANARY_CALLOUT_SECRET`, `--header` / `HOUSECANARY_CALLOUT_HEADER`, `--parameter` /
    /// `HOUSECANARY_CALLOUT_PARAMETER`,
    /// `HOUSECANARY_CALLOUT_USERNAME`.
    pub auth: CalloutAuth,
    /// Whether the secret is the sandbox's public test secret (no `HOUSECANARY_CALLOUT_SECRET`).
    pub test_secret: bool,
    /// `--exit-after N`: stop after N processed messages.
    pub exit_after: Option<u64>,
}

impl ReceiverArgs {
    /// Parses `args` (without the program name) and the variables of `lookup`. The secret is only
    /// read from the environment: a command line is visible to every user of the machine.
    pub fn parse(
        args: impl IntoIterator<Item = String>,
        lookup: Lookup<'_>,
    ) -> Result<Self, Box<dyn Error + Send + Sync>> {
        let mut listen = lookup("HOUSECANARY_CALLOUT_LISTEN");
        let mut path = CALLOUT_PATH.to_owned();
        let mut scheme = lookup("HOUSECANARY_CALLOUT_SCHEME").unwrap_or_else(|| "hmac".to_owned());
        let mut header = lookup("HOUSECANARY_CALLOUT_HEADER");
        let mut parameter = lookup("HOUSECANARY_CALLOUT_PARAMETER")
            .unwrap_or_else(|| credit_valuation_sandbox::CALLOUT_TOKEN_PARAMETER.to_owned());
        let mut exit_after = None;
        let mut args = args.into_iter();
        while let Some(flag) = args.next() {
            let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
            match flag.as_str() {
                "--listen" => listen = Some(value()?),
                "--path" => path = value()?,
                "--scheme" => scheme = value()?,
                "--header" => header = Some(value()?),
                "--parameter" => parameter = value()?,
                "--exit-after" => {
                    let raw = value()?;
                    exit_after = Some(
                        raw.parse()
                            .map_err(|_| format!("--exit-after: {raw:?} is not a whole number"))?,
                    );
                }
                other => {
                    return Err(format!(
                        "unknown argument {other}; expected --listen, --path, --scheme, --header, \
                         --parameter or --exit-after"
                    )
                    .into());
                }
            }
        }
        let listen: SocketAddr = match listen {
            Some(raw) => raw
                .parse()
                .map_err(|_| format!("--listen: {raw:?} is not an address like 127.0.0.1:8080"))?,
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
        };
        let secret = lookup("HOUSECANARY_CALLOUT_SECRET");
        let test_secret = secret.is_none();
        // The sandbox's test secret is public: anyone who can reach the port could forge callouts.
        if test_secret && !listen.ip().is_loopback() {
            return Err(format!(
                "--listen: {listen} is not a loopback address; listening beyond this machine needs \
                 HOUSECANARY_CALLOUT_SECRET (the sandbox's test secret is public)"
            )
            .into());
        }
        let secret = SecretString::from(secret.unwrap_or_else(|| {
            credit_valuation_sandbox::TestCredentials::default().callout_secret
        }));
        let header_name = |default: &str| {
            http::HeaderName::try_from(header.clone().unwrap_or_else(|| default.to_owned()))
                .map_err(|_| "--header: not a valid HTTP header name".to_owned())
        };
        let refused = |error: CalloutConfigError| format!("--scheme {scheme}: {error}");
        let auth = match scheme.to_ascii_lowercase().as_str() {
            "hmac" => CalloutAuth::hmac_sha1(
                header_name(credit_valuation_sandbox::CALLOUT_SIGNATURE_HEADER)?,
                secret,
            )
            .map_err(refused)?,
            "header" => CalloutAuth::header_token(
                header_name(credit_valuation_sandbox::CALLOUT_TOKEN_HEADER)?,
                secret,
            )
            .map_err(refused)?,
            "query" => CalloutAuth::query_token(parameter, secret).map_err(refused)?,
            "basic" => CalloutAuth::basic(
                lookup("HOUSECANARY_CALLOUT_USERNAME")
                    .unwrap_or_else(|| credit_valuation_sandbox::CALLOUT_BASIC_USERNAME.to_owned()),
                secret,
            )
            .map_err(refused)?,
            other => {
                return Err(
                    format!("--scheme: {other:?} is not hmac, header, query or basic").into(),
                );
            }
        };
        if !path.starts_with('/') {
            path.insert(0, '/');
        }
        Ok(Self {
            listen,
            path,
            auth,
            test_secret,
            exit_after,
        })
    }
}
