//! Vendor field rules checked before anything is sent: each violation names its field.

use innovis_client::builder_state::{WithApplicants, WithHouseNumber, WithPurpose};
use innovis_client::{
    Applicant, Client, Config, Environment, Error, HouseNumber, PermissiblePurpose, ProductCode,
    ReportReference, ReportRequest, ReportRequestBuilder, SecondUseRequest, SecretString,
};

use crate::support::purpose;

fn field_of(result: Result<impl std::fmt::Debug, Error>) -> &'static str {
    match result {
        Err(Error::Validation { field, problem }) => {
            assert!(!problem.is_empty());
            field
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn cr(
    customer_id: &str,
    end_user_code: &str,
) -> ReportRequestBuilder<WithHouseNumber, WithPurpose, WithApplicants> {
    ReportRequest::builder(ProductCode::CR)
        .house_number(customer_id, end_user_code)
        .permissible_purpose(purpose())
        .applicant(Applicant::new())
}

#[test]
fn report_request_lengths_and_counts() {
    assert!(cr(&"1".repeat(16), &"E".repeat(16)).build().is_ok());
    assert_eq!(field_of(cr(&"1".repeat(17), "EU").build()), "customerId");
    // The message names the field and the limit.
    let text = cr(&"1".repeat(17), "EU").build().unwrap_err().to_string();
    assert!(
        text.contains("customerId") && text.contains("at most 16"),
        "{text}"
    );
    assert_eq!(field_of(cr("", "EU").build()), "customerId");
    assert_eq!(field_of(cr("HN", &"E".repeat(17)).build()), "endUserCode");
    assert_eq!(field_of(cr("HN", " ").build()), "endUserCode");
    assert_eq!(
        field_of(cr("HN", "EU").end_user("N".repeat(31)).build()),
        "endUser"
    );
    assert!(cr("HN", "EU").end_user("N".repeat(30)).build().is_ok());
    assert_eq!(
        field_of(cr("HN", "EU").customer_trace_number("T".repeat(31)).build()),
        "customerTraceNumber"
    );
    assert!(
        cr("HN", "EU")
            .customer_trace_number("T".repeat(30))
            .build()
            .is_ok()
    );
    let long_email = format!("{}@example.com", "a".repeat(69));
    assert_eq!(
        field_of(
            cr("HN", "EU")
                .applicant(Applicant::new().email_address(long_email))
                .build()
        ),
        "applicants.emailAddress"
    );

    let nine = (1..9).fold(cr("HN", "EU"), |b, _| b.applicant(Applicant::new()));
    // Their ids on the wire (`1A`…`9A`) are checked in `request::report`'s unit tests: a request is not
    // `Serialize` outside the crate.
    assert_eq!(nine.clone().build().unwrap().applicant_count(), 9);
    assert_eq!(
        field_of(nine.applicant(Applicant::new()).build()),
        "applicants"
    );
}

#[test]
fn second_use_is_not_a_report_request_product() {
    // However it is spelled: a SECONDUSE needs a stored ReportReference.
    for product in [
        ProductCode::SECONDUSE,
        ProductCode::new("SECONDUSE").unwrap(),
        ProductCode::new("SecondUse").unwrap(),
        ProductCode::new("seconduse").unwrap(),
    ] {
        let result = ReportRequest::builder(product)
            .house_number("HN", "EU")
            .permissible_purpose(purpose())
            .applicant(Applicant::new())
            .build();
        assert_eq!(field_of(result), "productCode");
    }
}

#[test]
fn codes_and_config() {
    assert_eq!(field_of(ProductCode::new("ELEVENCHARS")), "productCode");
    assert_eq!(field_of(ProductCode::new("A B")), "productCode");
    assert_eq!(
        field_of(PermissiblePurpose::new("1-")),
        "permissiblePurposeCode"
    );
    let config = |spid: &str| Config::new(Environment::Uat, "id", SecretString::from("s"), spid);
    assert_eq!(field_of(Client::new(config("ABCDE"))), "softwareProviderId");
    assert_eq!(field_of(Client::new(config(""))), "softwareProviderId");
    assert!(Client::new(config("ABCD")).is_ok());
}

#[test]
fn stored_references_round_trip_and_are_validated_on_load() {
    let reference = ReportReference::new(
        "RR1",
        "C1",
        "2026-03-01T14:30:00Z".parse().unwrap(),
        ProductCode::PREAPP,
        HouseNumber::new("HN", "EU").unwrap(),
    )
    .unwrap();
    let json = serde_json::to_value(&reference).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "reportReferenceNumber": "RR1",
            "consumerId": "C1",
            "inquiredAt": "2026-03-01T14:30:00Z",
            "product": "PREAPP",
            "houseNumber": {"customerId": "HN", "endUserCode": "EU"}
        })
    );
    assert_eq!(
        serde_json::from_value::<ReportReference>(json.clone()).unwrap(),
        reference
    );

    let mut bad = json.clone();
    bad["consumerId"] = "C".repeat(17).into();
    assert!(serde_json::from_value::<ReportReference>(bad).is_err());
    let mut bad = json;
    bad["houseNumber"]["endUserCode"] = "".into();
    assert!(serde_json::from_value::<ReportReference>(bad).is_err());

    let result = SecondUseRequest::builder(reference)
        .house_number("HN", "EU2")
        .permissible_purpose(purpose())
        .end_user("N".repeat(31))
        .build();
    assert_eq!(field_of(result), "endUser");
}

#[test]
fn extra_name_and_address_fields_cannot_repeat_typed_keys() {
    use innovis_client::{Address, Name};
    let build = |applicant: Applicant| {
        ReportRequest::builder(ProductCode::CR)
            .house_number("HN", "EU")
            .permissible_purpose(purpose())
            .applicant(applicant)
            .build()
    };
    let name = Name::new("JANE", "DOE").part("last", "SMITH");
    assert_eq!(
        field_of(build(Applicant::new().with_name(name))),
        "applicants.names"
    );
    let address = Address::current("1 MAIN ST", "ERIE", "PA", "16501").field("zip", "99999");
    assert_eq!(
        field_of(build(Applicant::new().address(address))),
        "applicants.addresses"
    );
    // Other keys are passed through.
    let fine = Applicant::new()
        .with_name(Name::new("JANE", "DOE").part("middle", "Q"))
        .address(Address::current("1 MAIN ST", "ERIE", "PA", "16501").field("line2", "APT 2"));
    assert!(build(fine).is_ok());
}

/// Plain `http` is refused for the gateway and the token endpoint unless the host is loopback.
#[tokio::test]
async fn plain_http_is_refused_for_any_host_but_loopback() {
    use innovis_client::{Client, Environment, Error};
    let custom = |token: &str, gateway: &str| {
        Client::new(crate::support::config(Environment::Custom {
            token_url: token.parse().unwrap(),
            gateway_url: gateway.parse().unwrap(),
        }))
    };
    for (token, gateway) in [
        (
            "https://203.0.113.7/oauth/token",
            "http://203.0.113.7/request",
        ),
        (
            "http://203.0.113.7/oauth/token",
            "https://203.0.113.7/request",
        ),
        (
            "http://gateway.example/oauth/token",
            "https://gateway.example/request",
        ),
    ] {
        let err = custom(token, gateway).unwrap_err();
        assert!(
            matches!(
                &err,
                Error::Transport {
                    source: credit_valuation_core::Error::Config { .. },
                    ..
                }
            ),
            "{token} {gateway}: {err:?}"
        );
        assert!(err.to_string().contains("https"), "{err}");
    }
    assert!(
        custom(
            "http://127.0.0.1:8080/oauth/token",
            "http://[::1]:8080/request"
        )
        .is_ok()
    );
    assert!(
        custom(
            "http://localhost:8080/oauth/token",
            "https://gateway.example/request"
        )
        .is_ok()
    );
}
