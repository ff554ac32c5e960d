//! What the client refuses to talk over: plain `http` to anything but a loopback host.

use housecanary_partner::{Client, Config, Environment, Error, SecretString};

fn client(base: &str) -> Result<Client, Error> {
    Client::new(Config::new(
        Environment::Custom(base.parse().unwrap()),
        SecretString::from("partner-token".to_owned()),
    ))
}

#[test]
fn plain_http_is_refused_for_any_host_but_loopback() {
    for base in ["http://203.0.113.7/", "http://api.example/partner-api/v1/"] {
        let err = client(base).unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{base}: {err:?}");
        assert!(err.to_string().contains("https"), "{err}");
    }
    for base in [
        "https://203.0.113.7/",
        "http://127.0.0.1:8080/partner-api/v1/",
        "http://[::1]:8080/",
        "http://localhost:8080/",
    ] {
        assert!(client(base).is_ok(), "{base}");
    }
}
