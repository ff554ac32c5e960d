//! `Config::from_vars` (what `from_env` reads), through an injected map: every variable
//! missing, empty and malformed, named in the error without its value.

use std::collections::HashMap;
use std::env::VarError;

use innovis_client::{Client, Config, Env, EnvError, Environment};

const SECRET: &str = "innovis-client-secret-value";

fn config(pairs: &[(&'static str, &str)]) -> Result<Config, EnvError> {
    let vars: HashMap<&str, String> = pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
    Config::from_vars(&Env::new(|name: &str| {
        vars.get(name).cloned().ok_or(VarError::NotPresent)
    }))
}

const REQUIRED: [(&str, &str); 3] = [
    ("INNOVIS_CLIENT_ID", "client-id"),
    ("INNOVIS_CLIENT_SECRET", SECRET),
    ("INNOVIS_SOFTWARE_PROVIDER_ID", "AB12"),
];

fn with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    REQUIRED.iter().chain(extra).copied().collect()
}

fn assert_error(pairs: &[(&'static str, &str)], expected: &EnvError) {
    let error = config(pairs).unwrap_err();
    assert_eq!(&error, expected);
    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(!shown.contains(SECRET), "{shown}");
        assert!(shown.contains(expected.var()), "{shown}");
    }
}

#[test]
fn the_required_variables_make_a_uat_client() {
    let config = config(&with(&[])).expect("config");
    assert_eq!(config.environment(), &Environment::Uat);
    assert!(!format!("{config:?}").contains(SECRET));
    Client::new(config).expect("a client");
}

#[test]
fn optional_variables_choose_the_environment_and_audience() {
    let production = config(&with(&[("INNOVIS_ENVIRONMENT", "production")])).unwrap();
    assert_eq!(production.environment(), &Environment::Production);
    let uat = config(&with(&[("INNOVIS_ENVIRONMENT", "uat")])).unwrap();
    assert_eq!(uat.environment(), &Environment::Uat);
    let custom = config(&with(&[
        ("INNOVIS_TOKEN_URL", "http://127.0.0.1:9/oauth/token"),
        ("INNOVIS_GATEWAY_URL", "http://127.0.0.1:9/request"),
        ("INNOVIS_AUDIENCE", "my-audience"),
    ]))
    .unwrap();
    assert_eq!(
        custom.environment(),
        &Environment::Custom {
            token_url: "http://127.0.0.1:9/oauth/token".parse().unwrap(),
            gateway_url: "http://127.0.0.1:9/request".parse().unwrap(),
        }
    );
    assert!(format!("{custom:?}").contains("audience: \"my-audience\""));
}

#[test]
fn every_required_variable_missing_or_empty_is_named() {
    for (name, _) in REQUIRED {
        let missing: Vec<_> = REQUIRED.into_iter().filter(|(n, _)| *n != name).collect();
        assert_error(&missing, &EnvError::Missing { var: name.into() });
        let empty: Vec<_> = REQUIRED
            .into_iter()
            .map(|(n, v)| if n == name { (n, "") } else { (n, v) })
            .collect();
        assert_error(&empty, &EnvError::Empty { var: name.into() });
    }
}

#[test]
fn every_optional_variable_set_empty_is_named() {
    for name in [
        "INNOVIS_ENVIRONMENT",
        "INNOVIS_TOKEN_URL",
        "INNOVIS_GATEWAY_URL",
        "INNOVIS_AUDIENCE",
    ] {
        assert_error(&with(&[(name, " ")]), &EnvError::Empty { var: name.into() });
    }
}

/// Variables added to the required ones.
type Pairs = &'static [(&'static str, &'static str)];

#[test]
fn malformed_values_are_named_with_what_they_must_be() {
    let cases: [(Pairs, &str, &str); 6] = [
        (
            &[("INNOVIS_ENVIRONMENT", "staging")],
            "INNOVIS_ENVIRONMENT",
            "`uat` or `production`",
        ),
        (
            &[
                ("INNOVIS_TOKEN_URL", "not a url"),
                ("INNOVIS_GATEWAY_URL", "http://127.0.0.1:9/request"),
            ],
            "INNOVIS_TOKEN_URL",
            "an absolute http(s) URL",
        ),
        (
            &[
                ("INNOVIS_TOKEN_URL", "http://127.0.0.1:9/oauth/token"),
                ("INNOVIS_GATEWAY_URL", "ftp://127.0.0.1/request"),
            ],
            "INNOVIS_GATEWAY_URL",
            "an absolute http(s) URL",
        ),
        (
            &[
                ("INNOVIS_ENVIRONMENT", "uat"),
                ("INNOVIS_TOKEN_URL", "http://127.0.0.1:9/oauth/token"),
                ("INNOVIS_GATEWAY_URL", "http://127.0.0.1:9/request"),
            ],
            "INNOVIS_ENVIRONMENT",
            "unset when INNOVIS_TOKEN_URL and INNOVIS_GATEWAY_URL are set",
        ),
        (
            &[("INNOVIS_SOFTWARE_PROVIDER_ID", "ABCDE")],
            "INNOVIS_SOFTWARE_PROVIDER_ID",
            "at most 4 characters",
        ),
        (
            &[("INNOVIS_TOKEN_URL", "http://127.0.0.1:9/oauth/token")],
            "INNOVIS_GATEWAY_URL",
            "",
        ),
    ];
    for (extra, var, expected) in cases {
        // A later pair replaces an earlier one of the same name.
        let pairs = with(extra);
        let error = if expected.is_empty() {
            EnvError::Missing { var: var.into() }
        } else {
            EnvError::invalid(var, expected)
        };
        assert_error(&pairs, &error);
    }
}
