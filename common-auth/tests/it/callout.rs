//! Callout authentication: every scheme accepted and rejected, and `sign` round trips.

use common_auth::{CalloutAuth, CalloutAuthError, SecretString, hmac_sha1_hex};
use http::{HeaderMap, HeaderName, HeaderValue, Request, Uri};

use crate::support::headers;

const BODY: &[u8] = br#"{"message_type":"order_complete","message_id":"m-1"}"#;

fn hook() -> Uri {
    Uri::from_static("https://partner.example/callouts")
}

fn missing(header: &str) -> CalloutAuthError {
    CalloutAuthError::MissingHeader {
        header: header.into(),
    }
}

mod basic {
    use super::*;

    fn auth() -> CalloutAuth {
        CalloutAuth::basic("housecanary", SecretString::from("pa:ss word 0123456789"))
            .expect("non-empty callout credentials")
    }

    fn basic(user_pass: &str) -> String {
        use base64::Engine as _;
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(user_pass)
        )
    }

    #[test]
    fn accepts_the_right_credentials_splitting_at_the_first_colon() {
        let h = headers(&[("authorization", &basic("housecanary:pa:ss word 0123456789"))]);
        assert_eq!(auth().verify(&hook(), &h, BODY), Ok(()));
        // The scheme name is case-insensitive.
        let lower = basic("housecanary:pa:ss word 0123456789").replacen("Basic", "basic", 1);
        let h = headers(&[("authorization", &lower)]);
        assert_eq!(auth().verify(&hook(), &h, BODY), Ok(()));
    }

    #[test]
    fn rejects_a_wrong_password_or_username() {
        for wrong in [
            "housecanary:pa:ss wore",
            "housecanary:",
            "housecanarY:pa:ss word 0123456789",
            ":pa:ss word 0123456789",
        ] {
            let h = headers(&[("authorization", &basic(wrong))]);
            assert_eq!(
                auth().verify(&hook(), &h, BODY),
                Err(CalloutAuthError::Mismatch),
                "{wrong}"
            );
        }
    }

    #[test]
    fn rejects_missing_wrong_prefix_and_malformed() {
        assert_eq!(
            auth().verify(&hook(), &HeaderMap::new(), BODY),
            Err(missing("authorization"))
        );
        let h = headers(&[("authorization", "Bearer aG91c2VjYW5hcnk6cGE=")]);
        assert_eq!(
            auth().verify(&hook(), &h, BODY),
            Err(CalloutAuthError::WrongPrefix {
                header: "authorization".into(),
                expected_prefix: "Basic ",
            })
        );
        for malformed in ["Basic !!not base64!!".to_owned(), basic("no-colon-here")] {
            let h = headers(&[("authorization", &malformed)]);
            assert_eq!(
                auth().verify(&hook(), &h, BODY),
                Err(CalloutAuthError::MalformedBasic),
                "{malformed}"
            );
        }
    }

    #[test]
    fn sign_produces_what_verify_accepts() {
        let signed = auth().sign(&hook(), BODY).unwrap();
        assert_eq!(signed.uri, hook());
        assert!(signed.headers["authorization"].is_sensitive());
        assert_eq!(auth().verify(&signed.uri, &signed.headers, BODY), Ok(()));
    }
}

mod header_token {
    use super::*;

    fn auth() -> CalloutAuth {
        CalloutAuth::header_token(
            HeaderName::from_static("x-callout-token"),
            SecretString::from("t0ken-0123456789-value"),
        )
        .expect("non-empty callout credentials")
    }

    #[test]
    fn accepts_the_exact_token() {
        let h = headers(&[("x-callout-token", "t0ken-0123456789-value")]);
        assert_eq!(auth().verify(&hook(), &h, BODY), Ok(()));
    }

    #[test]
    fn rejects_anything_but_the_exact_token() {
        for wrong in [
            "t0ken-0123456789-valu",
            "t0ken-0123456789-value2",
            "T0KEN-VALUE",
            "",
            "Bearer t0ken-0123456789-value",
        ] {
            let h = headers(&[("x-callout-token", wrong)]);
            assert_eq!(
                auth().verify(&hook(), &h, BODY),
                Err(CalloutAuthError::Mismatch),
                "{wrong:?}"
            );
        }
    }

    #[test]
    fn rejects_a_missing_header_or_the_token_in_the_wrong_place() {
        assert_eq!(
            auth().verify(&hook(), &HeaderMap::new(), BODY),
            Err(missing("x-callout-token"))
        );
        let in_query = Uri::from_static(
            "https://partner.example/callouts?x-callout-token=t0ken-0123456789-value",
        );
        let in_other_header = headers(&[("authorization", "t0ken-0123456789-value")]);
        assert_eq!(
            auth().verify(&in_query, &in_other_header, BODY),
            Err(missing("x-callout-token"))
        );
    }

    #[test]
    fn sign_produces_what_verify_accepts() {
        let signed = auth().sign(&hook(), BODY).unwrap();
        assert_eq!(signed.headers["x-callout-token"], "t0ken-0123456789-value");
        assert!(signed.headers["x-callout-token"].is_sensitive());
        assert_eq!(auth().verify(&signed.uri, &signed.headers, BODY), Ok(()));
    }

    #[test]
    fn signing_a_token_that_cannot_be_a_header_value_is_an_error() {
        let auth = CalloutAuth::header_token(
            HeaderName::from_static("x-callout-token"),
            SecretString::from("line\nbreak-0123456789"),
        )
        .expect("non-empty callout credentials");
        assert_eq!(
            auth.sign(&hook(), BODY).unwrap_err(),
            CalloutAuthError::InvalidHeaderValue {
                header: "x-callout-token".into()
            }
        );
    }
}

mod query_token {
    use super::*;

    fn auth() -> CalloutAuth {
        CalloutAuth::query_token("token", SecretString::from("a b&c=d/é 0123456"))
            .expect("non-empty callout credentials")
    }

    #[test]
    fn accepts_the_percent_decoded_token_among_other_parameters() {
        for uri in [
            "https://partner.example/callouts?token=a+b%26c%3Dd%2F%C3%A9+0123456",
            "https://partner.example/callouts?order=7&token=a%20b%26c%3Dd/%C3%A9%200123456&x=y",
        ] {
            let uri: Uri = uri.parse().unwrap();
            assert_eq!(
                auth().verify(&uri, &HeaderMap::new(), BODY),
                Ok(()),
                "{uri}"
            );
        }
    }

    #[test]
    fn rejects_a_wrong_token() {
        for uri in [
            "/callouts?token=a+b",
            "/callouts?token=",
            "/callouts?token=a+b%26c%3Dd%2F%C3%A9x",
        ] {
            let uri: Uri = uri.parse().unwrap();
            assert_eq!(
                auth().verify(&uri, &HeaderMap::new(), BODY),
                Err(CalloutAuthError::Mismatch),
                "{uri}"
            );
        }
    }

    #[test]
    fn rejects_a_missing_parameter_or_the_token_in_the_wrong_place() {
        let expected = Err(CalloutAuthError::MissingQueryParameter {
            parameter: "token".into(),
        });
        for uri in [
            "/callouts",
            "/callouts?",
            "/callouts?tokens=a",
            "/callouts?Token=a",
        ] {
            let uri: Uri = uri.parse().unwrap();
            let in_header = headers(&[("token", "a b&c=d/é 0123456")]);
            assert_eq!(auth().verify(&uri, &in_header, BODY), expected, "{uri}");
        }
    }

    #[test]
    fn sign_appends_the_parameter_and_verify_accepts_it() {
        let signed = auth().sign(&hook(), BODY).unwrap();
        assert!(signed.headers.is_empty());
        assert_eq!(signed.uri.path(), "/callouts");
        assert_eq!(auth().verify(&signed.uri, &signed.headers, BODY), Ok(()));

        let with_query: Uri = "https://partner.example/callouts?order=7".parse().unwrap();
        let signed = auth().sign(&with_query, BODY).unwrap();
        assert!(signed.uri.query().unwrap().starts_with("order=7&token="));
        assert_eq!(auth().verify(&signed.uri, &signed.headers, BODY), Ok(()));

        let relative = Uri::from_static("/callouts");
        let signed = auth().sign(&relative, BODY).unwrap();
        assert_eq!(auth().verify(&signed.uri, &signed.headers, BODY), Ok(()));
    }
}

mod hmac_sha1 {
    use super::*;

    const SECRET: &str = "shared-s3cret-0123456789";

    fn auth() -> CalloutAuth {
        CalloutAuth::hmac_sha1(
            HeaderName::from_static("x-hc-signature"),
            SecretString::from(SECRET),
        )
        .expect("non-empty callout credentials")
    }

    fn signed(value: &str) -> HeaderMap {
        headers(&[("x-hc-signature", value)])
    }

    fn signature() -> String {
        format!("sha1={}", hmac_sha1_hex(SECRET.as_bytes(), BODY))
    }

    #[test]
    fn accepts_a_signature_of_the_raw_body_in_either_hex_case() {
        assert_eq!(auth().verify(&hook(), &signed(&signature()), BODY), Ok(()));
        let upper = format!(
            "sha1={}",
            hmac_sha1_hex(SECRET.as_bytes(), BODY).to_uppercase()
        );
        assert_eq!(auth().verify(&hook(), &signed(&upper), BODY), Ok(()));
    }

    #[test]
    fn rejects_a_tampered_body_or_a_wrong_secret() {
        let mut tampered = BODY.to_vec();
        tampered.push(b' ');
        assert_eq!(
            auth().verify(&hook(), &signed(&signature()), &tampered),
            Err(CalloutAuthError::Mismatch)
        );
        let other = format!("sha1={}", hmac_sha1_hex(b"another-secret", BODY));
        assert_eq!(
            auth().verify(&hook(), &signed(&other), BODY),
            Err(CalloutAuthError::Mismatch)
        );
    }

    #[test]
    fn missing_wrong_prefix_bad_hex_and_wrong_length_are_distinct() {
        let header = || "x-hc-signature".to_owned();
        let hex = hmac_sha1_hex(SECRET.as_bytes(), BODY);
        assert_eq!(
            auth().verify(&hook(), &HeaderMap::new(), BODY),
            Err(missing("x-hc-signature"))
        );
        for unprefixed in [hex.clone(), format!("sha256={hex}"), format!("sha1 {hex}")] {
            assert_eq!(
                auth().verify(&hook(), &signed(&unprefixed), BODY),
                Err(CalloutAuthError::WrongPrefix {
                    header: header(),
                    expected_prefix: "sha1=",
                }),
                "{unprefixed}"
            );
        }
        let not_hex = format!("sha1={}zz", &hex[..38]);
        assert_eq!(
            auth().verify(&hook(), &signed(&not_hex), BODY),
            Err(CalloutAuthError::BadHex { header: header() })
        );
        assert_eq!(
            auth().verify(&hook(), &signed(&format!("sha1={}", &hex[..39])), BODY),
            Err(CalloutAuthError::WrongLength {
                header: header(),
                expected: 40,
                actual: 39,
            })
        );
        assert_eq!(
            auth().verify(&hook(), &signed(&format!("sha1={hex}00")), BODY),
            Err(CalloutAuthError::WrongLength {
                header: header(),
                expected: 40,
                actual: 42,
            })
        );
        // The signature in the wrong header is a missing header.
        let elsewhere = headers(&[("x-signature", &signature())]);
        assert_eq!(
            auth().verify(&hook(), &elsewhere, BODY),
            Err(missing("x-hc-signature"))
        );
    }

    #[test]
    fn sign_produces_a_lowercase_sha1_header_that_verify_accepts() {
        let signed = auth().sign(&hook(), BODY).unwrap();
        let value = signed.headers["x-hc-signature"].to_str().unwrap();
        assert_eq!(value, signature());
        assert!(
            value[5..]
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
        );
        assert!(signed.headers["x-hc-signature"].is_sensitive());
        assert_eq!(auth().verify(&signed.uri, &signed.headers, BODY), Ok(()));
    }

    #[test]
    fn verify_request_checks_the_whole_request() {
        let mut request = Request::post(hook()).body(BODY.to_vec()).unwrap();
        request.headers_mut().insert(
            "x-hc-signature",
            HeaderValue::from_str(&signature()).unwrap(),
        );
        assert_eq!(auth().verify_request(&request), Ok(()));
        *request.body_mut() = b"{}".to_vec();
        assert_eq!(
            auth().verify_request(&request),
            Err(CalloutAuthError::Mismatch)
        );
    }
}

mod empty_credentials {
    use common_auth::{CalloutAuth, CalloutConfigError, SecretString};
    use http::HeaderName;

    fn empty(scheme: &'static str, field: &'static str) -> CalloutConfigError {
        CalloutConfigError::Empty { scheme, field }
    }

    #[test]
    fn every_scheme_refuses_an_empty_credential() {
        let header = || HeaderName::from_static("x-signature");
        {
            let blank = "";
            let secret = || SecretString::from(blank);
            assert_eq!(
                CalloutAuth::hmac_sha1(header(), secret()).unwrap_err(),
                empty("HMAC-SHA1", "secret")
            );
            assert_eq!(
                CalloutAuth::header_token(header(), secret()).unwrap_err(),
                empty("header token", "token")
            );
            assert_eq!(
                CalloutAuth::query_token("token", secret()).unwrap_err(),
                empty("query token", "token")
            );
            assert_eq!(
                CalloutAuth::query_token(blank, SecretString::from("t")).unwrap_err(),
                empty("query token", "parameter")
            );
            assert_eq!(
                CalloutAuth::basic("user", secret()).unwrap_err(),
                empty("Basic", "password")
            );
            assert_eq!(
                CalloutAuth::basic(blank, SecretString::from("pw")).unwrap_err(),
                empty("Basic", "username")
            );
        }
    }

    #[test]
    fn secrets_tokens_and_passwords_shorter_than_16_bytes_are_refused_with_the_rule() {
        let header = || HeaderName::from_static("x-signature");
        let short = |scheme, field| CalloutConfigError::TooShort {
            scheme,
            field,
            min: common_auth::MIN_SECRET_LEN,
        };
        for weak in ["a", " ", "fifteen-bytes!!"] {
            let weak = || SecretString::from(weak);
            let hmac = CalloutAuth::hmac_sha1(header(), weak()).unwrap_err();
            assert_eq!(hmac, short("HMAC-SHA1", "secret"));
            assert_eq!(
                hmac.to_string(),
                "callout HMAC-SHA1 authentication needs a secret of at least 16 bytes"
            );
            assert_eq!(
                CalloutAuth::header_token(header(), weak()).unwrap_err(),
                short("header token", "token")
            );
            assert_eq!(
                CalloutAuth::query_token("token", weak()).unwrap_err(),
                short("query token", "token")
            );
            assert_eq!(
                CalloutAuth::basic("user", weak()).unwrap_err(),
                short("Basic", "password")
            );
        }
        let sixteen = SecretString::from("sixteen-byte-key");
        assert!(CalloutAuth::hmac_sha1(header(), sixteen).is_ok());
    }

    #[test]
    fn a_hand_built_hmac_scheme_cannot_hold_an_empty_secret() {
        assert_eq!(
            common_auth::HmacSha1Key::new(&SecretString::from("")).unwrap_err(),
            empty("HMAC-SHA1", "secret")
        );
    }

    #[test]
    fn the_error_never_shows_the_value() {
        let error = CalloutAuth::basic("", SecretString::from("hunter2-secret")).unwrap_err();
        assert!(!format!("{error} {error:?}").contains("hunter2"));
    }
}
