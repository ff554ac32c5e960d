//! The whole journey, end to end:
//!
//! 1. an Innovis credit report (CR) through a reseller's House Number;
//! 2. the report reference stored as JSON, reloaded, and used for a SECONDUSE by a second end user;
//! 3. a HouseCanary valueReport order of four addresses (one invalid, which gets cancelled), followed
//!    through HMAC-SHA1-signed callouts to a local receiver;
//! 4. an export of the order, downloaded under its documented file name and opened, each file mapped
//!    to its order item.
//!
//! ```text
//! cargo run -p examples --example quickstart
//! ```
//!
//! With no environment variables it runs against an embedded sandbox (no credentials, no network).
//! Set the `INNOVIS_*` and/or `HOUSECANARY_*` variables listed in `docs/getting-started.md` to run
//! the same steps against the Innovis UAT and/or the HouseCanary demo environment. Exits non-zero
//! on any failure.

#[tokio::main]
async fn main() -> Result<(), examples::ExitError> {
    examples::init_logging();
    let targets = examples::Targets::from_env().await?;
    let result = examples::quickstart::run(&targets, &examples::Output::stdout()).await;
    targets.shutdown().await;
    result?;
    Ok(())
}
