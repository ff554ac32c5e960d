//! Choosing sandbox or vendor from environment variables, and keeping secrets out of `Debug`.

use examples::settings::{CalloutMode, HouseCanarySettings, InnovisSettings, Source};

use crate::support::env;

const INNOVIS: &[(&str, &str)] = &[
    ("INNOVIS_CLIENT_ID", "client-id"),
    ("INNOVIS_CLIENT_SECRET", "very-secret-value"),
    ("INNOVIS_SOFTWARE_PROVIDER_ID", "AB12"),
    ("INNOVIS_CUSTOMER_ID", "1234567890"),
    ("INNOVIS_END_USER_CODE", "EU1"),
    ("INNOVIS_SECOND_END_USER_CODE", "EU2"),
    ("INNOVIS_TEST_FIRST_NAME", "PAT"),
    ("INNOVIS_TEST_LAST_NAME", "TEST"),
    ("INNOVIS_TEST_SSN", "666-12-3456"),
    ("INNOVIS_TEST_DOB", "1970-05-06"),
];

#[test]
fn innovis_vendor_settings_default_to_uat_and_hide_secrets() {
    let settings = InnovisSettings::from_lookup(&env(INNOVIS))
        .unwrap()
        .unwrap();
    assert_eq!(settings.source, Source::Vendor);
    assert_eq!(
        settings.config.environment(),
        &innovis_client::Environment::Uat
    );
    assert_eq!(settings.permissible_purpose, "17");
    let debug = format!("{settings:?}");
    for hidden in [
        "very-secret-value",
        "666123456",
        "666-12-3456",
        "1970-05-06",
    ] {
        assert!(!debug.contains(hidden), "Debug shows {hidden}");
    }
}

#[test]
fn innovis_custom_urls_come_in_pairs() {
    let mut pairs = INNOVIS.to_vec();
    pairs.push(("INNOVIS_TOKEN_URL", "http://127.0.0.1:9090/oauth/token"));
    let err = InnovisSettings::from_lookup(&env(&pairs)).unwrap_err();
    assert!(err.to_string().contains("INNOVIS_GATEWAY_URL"), "{err}");
    pairs.push((
        "INNOVIS_GATEWAY_URL",
        "http://127.0.0.1:9090/InnovisGateway/orest/grs_v001/request",
    ));
    let settings = InnovisSettings::from_lookup(&env(&pairs)).unwrap().unwrap();
    assert!(matches!(
        settings.config.environment(),
        innovis_client::Environment::Custom { .. }
    ));
}

#[test]
fn a_bad_ssn_is_named_without_its_value() {
    let mut pairs = INNOVIS.to_vec();
    pairs.retain(|(name, _)| *name != "INNOVIS_TEST_SSN");
    pairs.push(("INNOVIS_TEST_SSN", "12345"));
    let err = InnovisSettings::from_lookup(&env(&pairs)).unwrap_err();
    assert!(err.to_string().contains("INNOVIS_TEST_SSN"));
    assert!(!err.to_string().contains("12345"));
}

#[test]
fn housecanary_receives_callouts_only_with_a_public_url_and_a_secret() {
    let token = [("HOUSECANARY_TOKEN", "partner-token-value")];
    let polling = HouseCanarySettings::from_lookup(&env(&token))
        .unwrap()
        .unwrap();
    assert!(matches!(polling.callouts, CalloutMode::Poll { .. }));
    assert_eq!(
        polling.config.environment(),
        &housecanary_partner::Environment::Demo
    );

    let mut pairs = token.to_vec();
    pairs.push(("HOUSECANARY_CALLOUT_URL", "https://example.com/hc/callouts"));
    let err = HouseCanarySettings::from_lookup(&env(&pairs)).unwrap_err();
    assert!(err.to_string().contains("HOUSECANARY_CALLOUT_SECRET"));

    pairs.push(("HOUSECANARY_CALLOUT_SECRET", "callout-secret-value"));
    let err = HouseCanarySettings::from_lookup(&env(&pairs)).unwrap_err();
    assert!(
        err.to_string().contains("HOUSECANARY_CALLOUT_HEADER"),
        "{err}"
    );

    pairs.push(("HOUSECANARY_CALLOUT_HEADER", "x-hc-signature"));
    let receiving = HouseCanarySettings::from_lookup(&env(&pairs))
        .unwrap()
        .unwrap();
    match &receiving.callouts {
        CalloutMode::Receive { path, listen, .. } => {
            assert_eq!(path, "/hc/callouts");
            assert!(listen.ip().is_loopback());
        }
        other => panic!("expected a receiver, got {other:?}"),
    }
    let debug = format!("{receiving:?}");
    assert!(!debug.contains("partner-token-value"));
    assert!(!debug.contains("callout-secret-value"));
}

#[test]
fn half_an_owner_pair_is_refused() {
    let pairs = [("HOUSECANARY_TOKEN", "t"), ("HOUSECANARY_OWNER_ID", "2001")];
    let err = HouseCanarySettings::from_lookup(&env(&pairs)).unwrap_err();
    assert!(
        err.to_string()
            .contains("HOUSECANARY_OWNER_ORGANIZATION_ID")
    );
}
