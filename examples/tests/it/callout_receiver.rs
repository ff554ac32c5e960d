//! `callout_receiver`: its command line, and a run that receives the sandbox's signed callouts for
//! an order and stops after the number of messages asked for.

#[allow(dead_code)]
#[path = "../../examples/callout_receiver.rs"]
mod callout_receiver_example;

use std::time::Duration;

use callout_receiver_example::ReceiverArgs;
use housecanary_partner::orders::{Location, OrderItem, ValueReportOrder};

use crate::support::{self, SharedOutput, env};

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|arg| (*arg).to_owned()).collect()
}

#[test]
fn the_command_line_names_what_it_refuses() {
    let none = env(&[]);
    let parsed =
        ReceiverArgs::parse(args(&["--scheme", "query", "--exit-after", "3"]), &none).unwrap();
    assert_eq!(parsed.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(parsed.path, "/housecanary/callouts");
    assert!(parsed.test_secret);
    assert_eq!(parsed.exit_after, Some(3));
    for (bad, named) in [
        (&["--scheme", "rot13"][..], "--scheme"),
        (&["--exit-after", "many"][..], "--exit-after"),
        (&["--listen"][..], "--listen"),
        (&["--verbose"][..], "--verbose"),
    ] {
        let error = ReceiverArgs::parse(args(bad), &none).unwrap_err();
        assert!(error.to_string().contains(named), "{error}");
    }
}

#[test]
fn the_receiver_listens_beyond_loopback_only_with_a_real_secret() {
    let none = env(&[]);
    let err = ReceiverArgs::parse(args(&["--listen", "0.0.0.0:8080"]), &none).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("--listen") && text.contains("HOUSECANARY_CALLOUT_SECRET"),
        "{text}"
    );
    let from_env = env(&[("HOUSECANARY_CALLOUT_LISTEN", "192.0.2.1:8080")]);
    assert!(ReceiverArgs::parse(Vec::new(), &from_env).is_err());
    assert!(ReceiverArgs::parse(args(&["--listen", "[::1]:8080"]), &none).is_ok());

    let secret = env(&[("HOUSECANARY_CALLOUT_SECRET", "a-real-secret-value")]);
    let parsed = ReceiverArgs::parse(args(&["--listen", "0.0.0.0:8080"]), &secret).unwrap();
    assert!(!parsed.test_secret);
    assert!(!parsed.listen.ip().is_loopback());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_receiver_prints_the_sandboxs_callouts_and_stops_after_n() {
    let targets = support::sandbox_targets().await;
    let args = ReceiverArgs::parse(args(&["--exit-after", "3"]), &env(&[])).unwrap();
    // Port 0: the system picks a free one, which the sandbox is then told to post to.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}{}", listener.local_addr().unwrap(), args.path);
    targets
        .sandbox()
        .unwrap()
        .set_callout_target(url.parse().unwrap(), args.auth.clone());
    let out = SharedOutput::default();
    let place_order = async {
        let client = targets.housecanary.client().unwrap();
        let mut order = ValueReportOrder::builder(
            "Receiver test",
            OrderItem::builder("123 Main St", Location::zipcode("94103")).build(),
        );
        if let Some(owner) = targets.housecanary.owner.clone() {
            order = order.owner(owner);
        }
        client.create_order(&order.build()).await.unwrap();
    };
    let never = std::future::pending();
    let (processed, ()) = tokio::time::timeout(Duration::from_secs(30), async {
        tokio::join!(
            callout_receiver_example::run(&args, listener, out.clone(), never),
            place_order
        )
    })
    .await
    .expect("three callouts arrive within seconds");
    assert!(processed.unwrap() >= 3);
    let text = out.text();
    assert!(text.contains("order_item_status_change order "), "{text}");
    assert!(text.contains("stopped after "), "{text}");
    support::assert_no_pii_or_secret(&text, &targets);
    targets.shutdown().await;
}
