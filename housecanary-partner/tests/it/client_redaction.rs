//! The partner token never appears in `Debug` of the configuration or the client.

use housecanary_partner::{Client, Config, Environment, SecretString};

const TOKEN: &str = "hc-partner-token-7d1f0c9e";

#[test]
fn config_and_client_debug_do_not_show_the_token() {
    let config = Config::new(Environment::Demo, SecretString::from(TOKEN));
    let config_text = format!("{config:?} {config:#?}");
    assert!(!config_text.contains(TOKEN), "{config_text}");
    assert!(!config_text.contains("7d1f0c9e"), "{config_text}");
    assert!(config_text.contains("[REDACTED]"), "{config_text}");

    let client = Client::new(config).unwrap();
    let client_text = format!("{client:?} {client:#?}");
    assert!(!client_text.contains(TOKEN), "{client_text}");
    assert!(
        client_text.contains("order-manager-api-demo.housecanary.com"),
        "{client_text}"
    );
}

#[test]
fn custom_base_urls_are_normalised_and_checked() {
    let url = Environment::Custom("http://127.0.0.1:9/partner-api/v1".parse().unwrap())
        .base_url()
        .unwrap();
    assert_eq!(url.as_str(), "http://127.0.0.1:9/partner-api/v1/");

    let bad = Environment::Custom("mailto:ops@example.com".parse().unwrap());
    let err = Client::new(Config::new(bad, SecretString::from(TOKEN))).unwrap_err();
    assert!(err.to_string().contains("base URL"), "{err}");
}
