//! `value_report_order` against the sandbox: followed through callouts until every item is final,
//! the invalid address cancelled with the sandbox's reason.

#[allow(dead_code)]
#[path = "../../examples/value_report_order.rs"]
mod value_report_order_example;

use housecanary_partner::status::OrderItemStatus;

use crate::support;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn value_report_order_follows_every_item_to_its_final_status() {
    let targets = support::sandbox_targets().await;
    let mut out = Vec::new();
    let items = value_report_order_example::run(&targets, &mut out)
        .await
        .unwrap();
    let statuses: Vec<_> = items.iter().map(|item| item.status.clone()).collect();
    assert_eq!(
        statuses,
        [
            Some(OrderItemStatus::Complete),
            Some(OrderItemStatus::Complete),
            Some(OrderItemStatus::Cancelled),
        ]
    );
    let text = support::text(out);
    for step in ["(1) ", "(2) ", "(3) ", "3 of 3 items final"] {
        assert!(text.contains(step), "the output has {step:?}:\n{text}");
    }
    assert!(
        text.contains(credit_valuation_sandbox::fixtures::INVALID_ADDRESS_REASON),
        "{text}"
    );
    support::assert_no_pii_or_secret(&text, &targets);
    targets.shutdown().await;
}
