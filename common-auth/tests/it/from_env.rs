//! Settings from the environment: `Env` and `CalloutAuth::from_vars`, through an injected map
//! (the process environment is shared by parallel tests). Every variable missing, empty and
//! malformed; no error or `Debug` shows a secret.

use std::collections::HashMap;
use std::env::VarError;

use common_auth::{CalloutAuth, Env, EnvError};

const SECRET: &str = "callout-secret-value-0123456789";

fn env(vars: &HashMap<&'static str, String>) -> Env<impl Fn(&str) -> Result<String, VarError>> {
    let vars = vars.clone();
    Env::new(move |name: &str| vars.get(name).cloned().ok_or(VarError::NotPresent))
}

fn vars(pairs: &[(&'static str, &str)]) -> HashMap<&'static str, String> {
    pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
}

/// The complete settings of each scheme.
fn schemes() -> Vec<HashMap<&'static str, String>> {
    vec![
        vars(&[
            ("VENDOR_CALLOUT_HEADER", "x-signature"),
            ("VENDOR_CALLOUT_SECRET", SECRET),
        ]),
        vars(&[
            ("VENDOR_CALLOUT_SCHEME", "header"),
            ("VENDOR_CALLOUT_HEADER", "x-token"),
            ("VENDOR_CALLOUT_SECRET", SECRET),
        ]),
        vars(&[
            ("VENDOR_CALLOUT_SCHEME", "query"),
            ("VENDOR_CALLOUT_PARAMETER", "token"),
            ("VENDOR_CALLOUT_SECRET", SECRET),
        ]),
        vars(&[
            ("VENDOR_CALLOUT_SCHEME", "basic"),
            ("VENDOR_CALLOUT_USERNAME", "partner"),
            ("VENDOR_CALLOUT_SECRET", SECRET),
        ]),
    ]
}

fn assert_no_secret(error: &EnvError) {
    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(!shown.contains(SECRET), "{shown}");
    }
}

#[test]
fn each_scheme_is_built_from_its_variables() {
    let expected = ["HmacSha1", "HeaderToken", "QueryToken", "Basic"];
    for (vars, expected) in schemes().iter().zip(expected) {
        let auth = CalloutAuth::from_vars("VENDOR", &env(vars)).expect("complete settings");
        let debug = format!("{auth:?}");
        assert!(debug.contains(expected), "{debug}");
        assert!(!debug.contains(SECRET), "{debug}");
    }
}

#[test]
fn every_variable_missing_or_empty_is_named() {
    for vars in schemes() {
        // The scheme is optional (HMAC-SHA1 by default); every other variable a scheme uses is not.
        for &name in vars.keys().filter(|name| **name != "VENDOR_CALLOUT_SCHEME") {
            let mut missing = vars.clone();
            missing.remove(name);
            let error = CalloutAuth::from_vars("VENDOR", &env(&missing)).unwrap_err();
            assert_eq!(error, EnvError::Missing { var: name.into() });
            assert_no_secret(&error);
        }
        for &name in vars.keys() {
            let mut empty = vars.clone();
            empty.insert(name, "  ".to_owned());
            let error = CalloutAuth::from_vars("VENDOR", &env(&empty)).unwrap_err();
            assert_eq!(error, EnvError::Empty { var: name.into() });
            assert_eq!(
                error.to_string(),
                format!("environment variable {name} is set but empty")
            );
        }
    }
}

#[test]
fn malformed_scheme_and_header_are_named_without_their_value() {
    let mut unknown = schemes()[0].clone();
    unknown.insert("VENDOR_CALLOUT_SCHEME", "hmac-sha256".to_owned());
    let error = CalloutAuth::from_vars("VENDOR", &env(&unknown)).unwrap_err();
    assert_eq!(error.var(), "VENDOR_CALLOUT_SCHEME");
    assert_eq!(
        error.to_string(),
        "environment variable VENDOR_CALLOUT_SCHEME is not valid: one of hmac, header, query, basic"
    );
    for scheme in [0, 1] {
        let mut bad_header = schemes()[scheme].clone();
        bad_header.insert("VENDOR_CALLOUT_HEADER", "x signature: no".to_owned());
        let error = CalloutAuth::from_vars("VENDOR", &env(&bad_header)).unwrap_err();
        assert_eq!(error.var(), "VENDOR_CALLOUT_HEADER");
        assert!(!error.to_string().contains("x signature"), "{error}");
    }
}

#[test]
fn a_value_that_is_not_utf8_is_invalid() {
    let env = Env::new(|_: &str| Err(VarError::NotUnicode(std::ffi::OsString::from("x"))));
    let error = env.required("VENDOR_CALLOUT_SECRET").unwrap_err();
    assert_eq!(
        error.to_string(),
        "environment variable VENDOR_CALLOUT_SECRET is not valid: not UTF-8"
    );
}

#[test]
fn the_process_environment_is_read() {
    // PATH is set for every test process; nothing here mutates the environment.
    let path = Env::process().required("PATH").expect("PATH is set");
    assert_eq!(Some(path), std::env::var("PATH").ok());
}
