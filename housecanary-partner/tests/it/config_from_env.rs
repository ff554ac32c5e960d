//! `Config::from_vars` (what `from_env` reads), through an injected map: every variable missing,
//! empty and malformed, named in the error without its value.

use std::collections::HashMap;
use std::env::VarError;

use housecanary_partner::{Client, Config, Env, EnvError, Environment};

const TOKEN: &str = "housecanary-partner-token-value";

fn config(pairs: &[(&'static str, &str)]) -> Result<Config, EnvError> {
    let vars: HashMap<&str, String> = pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
    Config::from_vars(&Env::new(|name: &str| {
        vars.get(name).cloned().ok_or(VarError::NotPresent)
    }))
}

fn assert_error(pairs: &[(&'static str, &str)], expected: &EnvError) {
    let error = config(pairs).unwrap_err();
    assert_eq!(&error, expected);
    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(!shown.contains(TOKEN), "{shown}");
        assert!(shown.contains(expected.var()), "{shown}");
    }
}

#[test]
fn the_token_alone_makes_a_demo_client() {
    let config = config(&[("HOUSECANARY_TOKEN", TOKEN)]).expect("config");
    assert_eq!(config.environment(), &Environment::Demo);
    assert!(!format!("{config:?}").contains(TOKEN));
    Client::new(config).expect("a client");
}

#[test]
fn optional_variables_choose_the_environment() {
    for (pair, expected) in [
        (("HOUSECANARY_ENVIRONMENT", "demo"), Environment::Demo),
        (
            ("HOUSECANARY_ENVIRONMENT", "production"),
            Environment::Production,
        ),
        (
            ("HOUSECANARY_BASE_URL", "http://127.0.0.1:9/partner-api/v1/"),
            Environment::Custom("http://127.0.0.1:9/partner-api/v1/".parse().unwrap()),
        ),
    ] {
        let config = config(&[("HOUSECANARY_TOKEN", TOKEN), pair]).unwrap();
        assert_eq!(config.environment(), &expected);
    }
}

#[test]
fn every_variable_missing_or_empty_is_named() {
    assert_error(
        &[("HOUSECANARY_ENVIRONMENT", "demo")],
        &EnvError::Missing {
            var: "HOUSECANARY_TOKEN".into(),
        },
    );
    for name in [
        "HOUSECANARY_TOKEN",
        "HOUSECANARY_ENVIRONMENT",
        "HOUSECANARY_BASE_URL",
    ] {
        assert_error(
            &[("HOUSECANARY_TOKEN", TOKEN), (name, "")],
            &EnvError::Empty { var: name.into() },
        );
    }
}

#[test]
fn malformed_values_are_named_with_what_they_must_be() {
    for (pairs, var, expected) in [
        (
            [
                ("HOUSECANARY_ENVIRONMENT", "staging"),
                ("HOUSECANARY_TOKEN", TOKEN),
            ],
            "HOUSECANARY_ENVIRONMENT",
            "`demo` or `production`",
        ),
        (
            [
                ("HOUSECANARY_BASE_URL", "not a url"),
                ("HOUSECANARY_TOKEN", TOKEN),
            ],
            "HOUSECANARY_BASE_URL",
            "an absolute http(s) URL",
        ),
        (
            [
                ("HOUSECANARY_BASE_URL", "mailto:x@y.z"),
                ("HOUSECANARY_TOKEN", TOKEN),
            ],
            "HOUSECANARY_BASE_URL",
            "an absolute http(s) URL",
        ),
    ] {
        assert_error(&pairs, &EnvError::invalid(var, expected));
    }
    assert_error(
        &[
            ("HOUSECANARY_TOKEN", TOKEN),
            ("HOUSECANARY_ENVIRONMENT", "demo"),
            ("HOUSECANARY_BASE_URL", "http://127.0.0.1:9/"),
        ],
        &EnvError::invalid(
            "HOUSECANARY_ENVIRONMENT",
            "unset when HOUSECANARY_BASE_URL is set",
        ),
    );
}
