//! One call of each client against the sandbox, through the crates as published: what a user who
//! ran `cargo add innovis-client housecanary-partner credit-valuation-postgres` and
//! `cargo add --dev credit-valuation-sandbox` gets.

use std::collections::HashMap;
use std::env::VarError;

use credit_valuation_sandbox::{Sandbox, fixtures};
use housecanary_partner::orders::{Location, OrderItem, ValueReportOrder};
use innovis_client::{Applicant, PermissiblePurpose, ProductCode, ReportRequest, pii};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await?;
    let credentials = sandbox.credentials();
    // The settings a service would read with `from_env`, here from a map.
    let vars = HashMap::from([
        ("INNOVIS_CLIENT_ID", credentials.innovis_client_id.clone()),
        (
            "INNOVIS_CLIENT_SECRET",
            credentials.innovis_client_secret.clone(),
        ),
        (
            "INNOVIS_SOFTWARE_PROVIDER_ID",
            credentials.innovis_software_provider_id.clone(),
        ),
        ("INNOVIS_AUDIENCE", credentials.innovis_audience.clone()),
        ("INNOVIS_TOKEN_URL", sandbox.innovis_token_url().to_string()),
        (
            "INNOVIS_GATEWAY_URL",
            sandbox.innovis_gateway_url().to_string(),
        ),
        ("HOUSECANARY_TOKEN", credentials.housecanary_token.clone()),
        (
            "HOUSECANARY_BASE_URL",
            sandbox.housecanary_base_url().to_string(),
        ),
    ]);
    let env =
        innovis_client::Env::new(|name: &str| vars.get(name).cloned().ok_or(VarError::NotPresent));

    let innovis = innovis_client::Client::new(innovis_client::Config::from_vars(&env)?)?;
    let consumer = fixtures::consumer_for_ssn(fixtures::RECORD_SSN);
    let request = ReportRequest::builder(ProductCode::CR)
        .house_number(fixtures::CR_CUSTOMER_ID, fixtures::CR_END_USER_CODE)
        .permissible_purpose(PermissiblePurpose::new(fixtures::PERMISSIBLE_PURPOSE)?)
        .end_user("PUBLISHED CRATES CHECK")
        .applicant(
            Applicant::new()
                .name(consumer.first_name, consumer.last_name)
                .ssn(pii::Ssn::new(consumer.ssn)?)
                .dob(pii::DateOfBirth::new(consumer.dob)?),
        )
        .build()?;
    let response = innovis.send(&request).await?;
    response.check()?;
    println!(
        "innovis-client: report received, {} reference(s)",
        response.references().len()
    );

    let housecanary =
        housecanary_partner::Client::new(housecanary_partner::Config::from_vars(&env)?)?;
    let order = ValueReportOrder::builder("published crates check", OrderItem::builder("1 Main St", Location::zipcode("78701")).build()).build();
    let created = housecanary.create_order(&order).await?;
    println!("housecanary-partner: order {} created", created.id);

    // The PostgreSQL plumbing builds and checks without a database.
    let schema = credit_valuation_postgres::Identifier::new("published_crates_check")?;
    println!("credit-valuation-postgres: schema {schema} is a valid identifier");

    sandbox.shutdown().await;
    Ok(())
}
