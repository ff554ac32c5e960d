//! `cargo run -p credit-valuation-sandbox -- --listen 127.0.0.1:8080`: the sandbox as a standalone server for your
//! own test suites. Prints its URLs and test credentials and runs until Ctrl-C.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use credit_valuation_sandbox::{Faults, Sandbox, SandboxConfig, TestCredentials, fixtures};

const USAGE: &str = "\
usage: credit-valuation-sandbox [options]

  --listen ADDR              loopback address to listen on (default 127.0.0.1:8080; port 0 = any)
  --callout-url URL          POST HouseCanary callouts to URL
  --callout-scheme SCHEME    hmac (default), header, query or basic; the secret is the printed
                             callout secret
  --step-ms N                order status step interval in milliseconds (default 100)
  --redelivery-ms N          pause between callout delivery attempts (default 200)
  --max-attempts N           callout deliveries, the first included (default 11)
  --token-lifetime-secs N    Innovis access token lifetime (default 3600)
  --latency-ms N             added latency on every answer (default 0)
  --error-rate F             share of answers that are 503 (0.0-1.0, default 0)
  --rate-limit-rate F        share of answers that are 429 with Retry-After (default 0)
  --drop-callout-rate F      share of callout messages never sent (default 0)
  --drop-after-recording-rate F
                             share of Innovis inquiries recorded, then their connection closed
                             without an answer (default 0)
  --504-after-recording-rate F
                             share of Innovis inquiries recorded, then answered 504 (default 0)
  --stall-after-recording-rate F
                             share of Innovis inquiries recorded, then left unanswered for
                             --stall-ms and their connection closed (default 0)
  --stall-ms N               how long a stalled inquiry stays unanswered (default 120000)
  -h, --help                 this text
";

/// What the command line asked for.
struct Options {
    listen: SocketAddr,
    callout_url: Option<url::Url>,
    callout_scheme: String,
    config: SandboxConfig,
    faults: Faults,
}

fn parse(args: impl IntoIterator<Item = String>) -> Result<Option<Options>, String> {
    let mut options = Options {
        listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
        callout_url: None,
        callout_scheme: "hmac".to_owned(),
        config: SandboxConfig::default(),
        faults: Faults::default(),
    };
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            return Ok(None);
        }
        let (name, inline) = match flag.split_once('=') {
            Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
            None => (flag.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        let number = |text: String| {
            text.parse::<u64>()
                .map_err(|_| format!("{name}: {text:?} is not a whole number"))
        };
        let rate = |text: String| {
            text.parse::<f64>()
                .ok()
                .filter(|rate| (0.0..=1.0).contains(rate))
                .ok_or_else(|| format!("{name}: {text:?} is not a number between 0 and 1"))
        };
        let config = std::mem::take(&mut options.config);
        options.config = match name.as_str() {
            "--listen" => {
                let text = value()?;
                options.listen = text.parse().map_err(|_| {
                    format!("--listen: {text:?} is not an address like 127.0.0.1:8080")
                })?;
                config
            }
            "--callout-url" => {
                let text = value()?;
                options.callout_url =
                    Some(url::Url::parse(&text).map_err(|e| format!("--callout-url: {e}"))?);
                config
            }
            "--callout-scheme" => {
                let scheme = value()?;
                if !matches!(scheme.as_str(), "hmac" | "header" | "query" | "basic") {
                    return Err(format!(
                        "--callout-scheme: {scheme:?} is not hmac, header, query or basic"
                    ));
                }
                options.callout_scheme = scheme;
                config
            }
            "--step-ms" => config.step_interval(Duration::from_millis(number(value()?)?)),
            "--redelivery-ms" => {
                config.redelivery_interval(Duration::from_millis(number(value()?)?))
            }
            "--max-attempts" => {
                let attempts = number(value()?)?;
                config.max_delivery_attempts(u32::try_from(attempts).unwrap_or(u32::MAX))
            }
            "--token-lifetime-secs" => {
                config.token_lifetime(Duration::from_secs(number(value()?)?))
            }
            "--latency-ms" => {
                options.faults.latency = Duration::from_millis(number(value()?)?);
                config
            }
            "--error-rate" => {
                options.faults.server_error_rate = rate(value()?)?;
                config
            }
            "--rate-limit-rate" => {
                options.faults.rate_limit_rate = rate(value()?)?;
                config
            }
            "--drop-callout-rate" => {
                options.faults.drop_callout_rate = rate(value()?)?;
                config
            }
            "--drop-after-recording-rate" => {
                options.faults.gateway_drop_after_recording_rate = rate(value()?)?;
                config
            }
            "--504-after-recording-rate" => {
                options.faults.gateway_504_after_recording_rate = rate(value()?)?;
                config
            }
            "--stall-after-recording-rate" => {
                options.faults.gateway_stall_after_recording_rate = rate(value()?)?;
                config
            }
            "--stall-ms" => {
                options.faults.gateway_stall_duration = Duration::from_millis(number(value()?)?);
                config
            }
            other => return Err(format!("unknown option {other:?}")),
        };
    }
    Ok(Some(options))
}

fn callout_auth(credentials: &TestCredentials, scheme: &str) -> common_auth::CalloutAuth {
    match scheme {
        "header" => credentials.header_token_callout_auth(),
        "query" => credentials.query_token_callout_auth(),
        "basic" => credentials.basic_callout_auth(),
        _ => credentials.hmac_callout_auth(),
    }
}

fn describe_scheme(scheme: &str) -> String {
    match scheme {
        "header" => format!(
            "token in the {} header",
            credit_valuation_sandbox::CALLOUT_TOKEN_HEADER
        ),
        "query" => format!(
            "token in the {} query parameter",
            credit_valuation_sandbox::CALLOUT_TOKEN_PARAMETER
        ),
        "basic" => format!(
            "HTTP Basic, user {}",
            credit_valuation_sandbox::CALLOUT_BASIC_USERNAME
        ),
        _ => format!(
            "HMAC-SHA1 of the body in {}: sha1=<hex>",
            credit_valuation_sandbox::CALLOUT_SIGNATURE_HEADER
        ),
    }
}

fn print_banner(sandbox: &Sandbox, options: &Options) {
    let credentials = sandbox.credentials();
    println!("sandbox listening on {}", sandbox.base_url());
    println!();
    println!("Innovis");
    println!("  token URL              {}", sandbox.innovis_token_url());
    println!("  gateway URL            {}", sandbox.innovis_gateway_url());
    println!("  client id              {}", credentials.innovis_client_id);
    println!(
        "  client secret          {}",
        credentials.innovis_client_secret
    );
    println!("  audience               {}", credentials.innovis_audience);
    println!(
        "  softwareProviderId     {}",
        credentials.innovis_software_provider_id
    );
    for house in fixtures::HOUSE_NUMBERS {
        let codes: Vec<&str> = house
            .end_users
            .iter()
            .map(|end_user| end_user.code)
            .collect();
        println!(
            "  House Number           customerId {} purpose {} products {} endUserCodes {}",
            house.customer_id,
            house.permissible_purpose_code,
            house.products.join(","),
            codes.join(",")
        );
    }
    for consumer in fixtures::CONSUMERS {
        println!(
            "  test consumer          ssn {} {} {} -> returnCode {}",
            consumer.ssn, consumer.first_name, consumer.last_name, consumer.return_code
        );
    }
    println!();
    println!("HouseCanary");
    println!(
        "  base URL               {}",
        sandbox.housecanary_base_url()
    );
    println!(
        "  Authorization          Token {}",
        credentials.housecanary_token
    );
    println!(
        "  owner pair             owner_organization_id {} owner_id {}",
        credentials.owner_organization_id, credentials.owner_id
    );
    match &options.callout_url {
        Some(url) => println!(
            "  callouts               POST {url} ({})",
            describe_scheme(&options.callout_scheme)
        ),
        None => println!("  callouts               off (pass --callout-url URL)"),
    }
    println!("  callout secret         {}", credentials.callout_secret);
    println!(
        "  addresses containing {:?} or {:?}, or without zipcode and city/state, are cancelled",
        fixtures::INVALID_ADDRESS_MARKER,
        fixtures::UNAVAILABLE_ADDRESS_MARKER
    );
    println!();
    println!("Press Ctrl-C to stop.");
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("sandbox: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut config = options.config.clone().faults(options.faults);
    if let Some(url) = &options.callout_url {
        let auth = callout_auth(&TestCredentials::default(), &options.callout_scheme);
        config = config.callout_target(url.clone(), auth);
    }
    let sandbox = match Sandbox::bind(options.listen, config).await {
        Ok(sandbox) => sandbox,
        Err(e) => {
            eprintln!("sandbox: {e}");
            return ExitCode::FAILURE;
        }
    };
    print_banner(&sandbox, &options);
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("sandbox: cannot wait for Ctrl-C: {e}");
    }
    println!("stopping");
    sandbox.shutdown().await;
    ExitCode::SUCCESS
}
