//! The client, the callout receiver and the export file names against the offline sandbox: a second,
//! independent implementation of the vendor's wire format (crate `credit-valuation-sandbox`), spoken to over real HTTP
//! on loopback. The wiremock tests pin exact bytes; these show that both sides agree end to end.
#![cfg(feature = "axum")]

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use credit_valuation_sandbox::{Sandbox, SandboxConfig, fixtures};
use housecanary_partner::callouts::{
    CalloutMessage, CalloutReceiver, CalloutVerifier, InMemoryMessageLog, OrderComplete,
    OrderItemStatusChange,
};
use housecanary_partner::exports::ExportArchive;
use housecanary_partner::exports::naming::{
    EntryKind, FixedClock, ItemNaming, OrderNaming, SystemClock, expected_archive_entries,
    order_download_name,
};
use housecanary_partner::exports::{CreateExport, ExportFormat, WaitOptions};
use housecanary_partner::orders::{Location, Order, OrderItem, OrderItemDetails, ValueReportOrder};
use housecanary_partner::status::{OrderItemStatus, OrderStatus};
use housecanary_partner::{CalloutAuth, SecretString};
use housecanary_partner::{Client, Config, Environment, Error, Id, OwnerPair, RetryPolicy};
use tokio::sync::mpsc;

use crate::support;

/// How long anything may take on the sandbox's fast clocks before the test fails.
const DEADLINE: Duration = Duration::from_secs(5);
/// The sandbox's status clock: validation, report pending, complete, one step each.
const STEP: Duration = Duration::from_millis(40);
/// Small pages, so that five items span three pages.
const PAGE_SIZE: usize = 2;
/// The order's name, with an accent and a dash to exercise the slug in the archive name.
const ORDER_NAME: &str = "Sandbox Portfolio — Q3 Réview";

async fn start_sandbox() -> Sandbox {
    let config = SandboxConfig::default()
        .step_interval(STEP)
        .redelivery_interval(Duration::from_millis(20))
        .page_size(PAGE_SIZE);
    Sandbox::start_with(config).await.expect("sandbox starts")
}

fn client_with_token(sandbox: &Sandbox, token: &str) -> Client {
    let config = Config::new(
        Environment::Custom(sandbox.housecanary_base_url()),
        SecretString::from(token.to_owned()),
    )
    .request_timeout(DEADLINE)
    .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(10)));
    Client::new(config).expect("client for the sandbox")
}

fn client(sandbox: &Sandbox) -> Client {
    client_with_token(sandbox, &sandbox.credentials().housecanary_token)
}

/// The HMAC-SHA1 scheme configured from the partner's side: the header name and secret the partner
/// gave the vendor, built here rather than taken from the sandbox's own helper.
fn partner_hmac_auth(secret: &str) -> CalloutAuth {
    support::hmac_auth(secret)
}

/// Serves the crate's axum receiver on loopback; every verified, new message is sent to the channel.
async fn start_receiver(auth: CalloutAuth) -> (url::Url, mpsc::UnboundedReceiver<CalloutMessage>) {
    let (sender, messages) = mpsc::unbounded_channel();
    let receiver = CalloutReceiver::new(
        CalloutVerifier::new(auth),
        Arc::new(InMemoryMessageLog::default()),
        move |message: CalloutMessage| {
            let sender = sender.clone();
            async move { sender.send(message).map_err(|_| "test stopped listening") }
        },
    )
    .unwrap();
    let addr = support::serve(receiver, "/hc/callouts").await;
    let url = format!("http://{addr}/hc/callouts")
        .parse()
        .expect("callout URL");
    (url, messages)
}

/// Five items: four the sandbox accepts (zipcode; city and state with a unit; all three; city and
/// state) and one whose address its asynchronous validation rejects.
fn portfolio(owner: OwnerPair) -> ValueReportOrder {
    let [first, second, third] = [0, 1, 2].map(|i| fixtures::GOOD_ADDRESSES[i]);
    ValueReportOrder::builder(
        ORDER_NAME,
        OrderItem::builder(first.0, Location::zipcode(first.3))
            .customer_item_id("LOAN-1")
            .build(),
    )
    .customer_order_id("po-sandbox-1")
    .owner(owner)
    .item(
        OrderItem::builder(second.0, Location::city_state(second.1, second.2))
            .unit("4B")
            .build(),
    )
    .item(
        OrderItem::builder(third.0, Location::full(third.1, third.2, third.3))
            .external_integration_id("crm-3")
            .build(),
    )
    .item(
        OrderItem::builder(
            &format!("1 {} Way", fixtures::INVALID_ADDRESS_MARKER),
            Location::zipcode("94103"),
        )
        .customer_item_id("BAD-1")
        .build(),
    )
    .item(OrderItem::builder("10 Elm St", Location::city_state("Boise", "ID")).build())
    .build()
}

/// What the callouts of one order said, gathered until the order completed and every item
/// reached a terminal status.
#[derive(Default)]
struct Observed {
    message_ids: HashSet<String>,
    item_changes: Vec<OrderItemStatusChange>,
    completions: Vec<OrderComplete>,
    order_statuses: Vec<OrderStatus>,
}

impl Observed {
    fn terminal_items(&self) -> BTreeMap<Id, OrderItemStatus> {
        self.item_changes
            .iter()
            .filter(|change| change.new_status.is_terminal())
            .map(|change| (change.order_item_id.clone(), change.new_status.clone()))
            .collect()
    }
}

async fn collect_callouts(
    messages: &mut mpsc::UnboundedReceiver<CalloutMessage>,
    order_id: &Id,
    items: usize,
    good_items: usize,
) -> Observed {
    let mut observed = Observed::default();
    let gather = async {
        while let Some(message) = messages.recv().await {
            let id = message.message_id().expect("known messages carry an id");
            assert!(
                observed.message_ids.insert(id.to_owned()),
                "message {id} reached the handler twice"
            );
            assert_eq!(message.order_id(), Some(order_id), "{message:?}");
            match message {
                CalloutMessage::OrderStatusChange(change) => {
                    assert_eq!(change.customer_order_id.as_deref(), Some("po-sandbox-1"));
                    assert_eq!(change.external_integration_ids, ["crm-3"]);
                    observed.order_statuses.push(change.new_status);
                }
                CalloutMessage::OrderItemStatusChange(change) => observed.item_changes.push(change),
                CalloutMessage::OrderComplete(complete) => observed.completions.push(complete),
                other => panic!("unexpected callout {other:?}"),
            }
            let done = observed.order_statuses.contains(&OrderStatus::Complete)
                && observed.terminal_items().len() == items
                && observed.completions.len() == good_items;
            if done {
                return;
            }
        }
    };
    if tokio::time::timeout(DEADLINE, gather).await.is_err() {
        panic!(
            "order {order_id} did not finish within {DEADLINE:?}: statuses {:?}, {} item changes, \
             {} order_complete",
            observed.order_statuses,
            observed.item_changes.len(),
            observed.completions.len()
        );
    }
    observed
}

async fn wait_for_order(client: &Client, order_id: &Id) -> Order {
    let poll = async {
        loop {
            let order = client.get_order(order_id).await.expect("get order");
            if order.status.as_ref().is_some_and(OrderStatus::is_terminal) {
                return order;
            }
            tokio::time::sleep(STEP / 2).await;
        }
    };
    tokio::time::timeout(DEADLINE, poll)
        .await
        .expect("order reaches a terminal status in time")
}

/// Until every callout attempt so far has been acknowledged (deliveries run in the background).
async fn wait_for_acknowledgements(
    sandbox: &Sandbox,
    expected: u64,
) -> credit_valuation_sandbox::SandboxStats {
    let poll = async {
        loop {
            let stats = sandbox.stats();
            if stats.callouts_acknowledged >= expected {
                return stats;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(DEADLINE, poll)
        .await
        .unwrap_or_else(|_| panic!("callouts not acknowledged: {:?}", sandbox.stats()))
}

/// The naming inputs of this order and its items, read from the API records by the crate.
fn naming(order: &Order, items: &[OrderItemDetails]) -> (OrderNaming, Vec<ItemNaming>) {
    let order_naming = OrderNaming::from_order(order).expect("order naming input");
    let items = items
        .iter()
        .map(|item| ItemNaming::from_item(item).expect("item naming input"))
        .collect();
    (order_naming, items)
}

/// A path in the system's temp folder that is removed when dropped.
struct TempPath(PathBuf);

impl TempPath {
    fn new(name: &str) -> Self {
        let unique = format!(
            "hc-against-sandbox-{}-{}-{name}",
            std::process::id(),
            fastrand_suffix()
        );
        Self(std::env::temp_dir().join(unique))
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Enough to keep two test runs of one process apart.
fn fastrand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default()
}

#[tokio::test]
async fn value_report_order_callouts_items_export_and_pdf() {
    let sandbox = start_sandbox().await;
    let credentials = sandbox.credentials().clone();
    let (callout_url, mut messages) =
        start_receiver(partner_hmac_auth(&credentials.callout_secret)).await;
    sandbox.set_callout_target(callout_url, credentials.hmac_callout_auth());
    let client = client(&sandbox);

    // Create: 201 with the typed order, the owner pair echoed.
    let owner = OwnerPair::new(
        credentials.owner_organization_id.as_str(),
        credentials.owner_id.as_str(),
    );
    let order = portfolio(owner);
    let created = client.create_order(&order).await.expect("order created");
    assert_eq!(created.status, Some(OrderStatus::New));
    assert_eq!(created.name.as_deref(), Some(ORDER_NAME));
    assert_eq!(created.order_type.as_deref(), Some("valueReport"));
    assert_eq!(created.customer_order_id.as_deref(), Some("po-sandbox-1"));
    assert_eq!(
        created.owner_organization_id.as_ref().map(Id::to_string),
        Some(credentials.owner_organization_id.clone())
    );
    assert_eq!(
        created.owner_id.as_ref().map(Id::to_string),
        Some(credentials.owner_id.clone())
    );
    assert_eq!(sandbox.stats().orders_created, 1);

    // Callouts: signed with HMAC-SHA1, verified by the crate's receiver, typed, none twice.
    // The callouts' ids and the API's records' ids are one type, compared as they are.
    let observed = collect_callouts(&mut messages, &created.id, 5, 4).await;
    let terminal = observed.terminal_items();
    let cancelled: Vec<&OrderItemStatusChange> = observed
        .item_changes
        .iter()
        .filter(|change| change.new_status == OrderItemStatus::Cancelled)
        .collect();
    assert_eq!(cancelled.len(), 1, "{:?}", observed.item_changes);
    let rejected = cancelled[0];
    assert_eq!(rejected.customer_item_id.as_deref(), Some("BAD-1"));
    let why = rejected
        .extra
        .get("validation_errors")
        .expect("the cancellation callout says why");
    assert_eq!(why, &serde_json::json!([fixtures::INVALID_ADDRESS_REASON]));
    assert_eq!(
        terminal
            .values()
            .filter(|status| **status == OrderItemStatus::Complete)
            .count(),
        4
    );
    for complete in &observed.completions {
        let report = complete
            .report_bytes()
            .expect("report is base64")
            .expect("order_complete carries the report");
        assert!(report.starts_with(b"%PDF-"), "report is a PDF");
        let item_id = complete.order_item_id.as_ref().expect("order_item_id");
        assert_eq!(terminal.get(item_id), Some(&OrderItemStatus::Complete));
        // The signed download URL is fetched without the partner token and gives the same PDF.
        let url: url::Url = complete
            .download_url
            .as_deref()
            .expect("download_url")
            .parse()
            .expect("download_url is a URL");
        let mut pdf = Vec::new();
        client
            .download_url(&url, &mut pdf)
            .await
            .expect("signed download");
        assert_eq!(pdf, report);
    }
    let stats = wait_for_acknowledgements(&sandbox, observed.message_ids.len() as u64).await;
    assert_eq!(
        stats.callouts_acknowledged,
        observed.message_ids.len() as u64
    );
    assert_eq!(
        stats.callouts_attempted, stats.callouts_acknowledged,
        "{stats:?}"
    );
    assert_eq!(stats.callouts_given_up, 0);

    // Wait for completion through the API as well.
    let finished = wait_for_order(&client, &created.id).await;
    assert_eq!(finished.status, Some(OrderStatus::Complete));

    // Items: five across three pages of two, in order, with the statuses the callouts announced.
    let items = client.list_order_items(&created.id).await.expect("items");
    assert_eq!(items.len(), 5, "every page was followed");
    let unique: BTreeSet<&Id> = items.iter().map(|item| &item.id).collect();
    assert_eq!(unique.len(), 5, "no item listed twice");
    let addresses: Vec<&str> = items.iter().filter_map(|i| i.address.as_deref()).collect();
    let ordered: Vec<&str> = order.items().iter().map(OrderItem::address).collect();
    assert_eq!(addresses, ordered);
    for item in &items {
        assert_eq!(terminal.get(&item.id), item.status.as_ref());
    }
    assert_eq!(items[1].unit.as_deref(), Some("4B"));
    assert_eq!(items[2].external_integration_id.as_deref(), Some("crm-3"));

    // An item's PDF through the API (with the token).
    let done = items
        .iter()
        .find(|item| item.status == Some(OrderItemStatus::Complete))
        .expect("a complete item");
    let key = &done
        .available_downloadables
        .first()
        .expect("a complete item offers its report")
        .key;
    let mut pdf = Vec::new();
    let written = client
        .item_pdf_download(&created.id, &done.id, key, &mut pdf)
        .await
        .expect("item PDF");
    assert_eq!(written, pdf.len() as u64);
    assert!(pdf.starts_with(b"%PDF-"));

    // Export: create, wait, download (no Authorization; streamed to a file), read back.
    let export = client
        .create_export(&CreateExport::new(&created.id).format(ExportFormat::Zip))
        .await
        .expect("export requested");
    let mut progress = Vec::new();
    let (progress_sender, mut progress_seen) = mpsc::unbounded_channel();
    let export = client
        .wait_for_export(
            &created.id,
            &export.id,
            WaitOptions::default()
                .initial_interval(Duration::from_millis(20))
                .max_interval(Duration::from_millis(50))
                .timeout(DEADLINE)
                .on_progress(move |e| {
                    let _ = progress_sender.send(e.percent_complete);
                }),
        )
        .await
        .expect("export completes");
    while let Ok(percent) = progress_seen.try_recv() {
        progress.push(percent);
    }
    assert_eq!(progress.last(), Some(&Some(100.0)), "{progress:?}");
    let listed = client
        .list_export_requests(&created.id)
        .await
        .expect("export requests");
    assert!(listed.iter().any(|e| e.id == export.id && e.is_complete()));

    let (order_naming, item_namings) = naming(&finished, &items);
    let archive_name = ExportFormat::Zip
        .download_name(&finished)
        .expect("naming input");
    assert!(
        archive_name.starts_with("HC_sandbox-portfolio-q3-review_"),
        "{archive_name}"
    );
    let exported_data: url::Url = export
        .exported_data
        .as_deref()
        .expect("exported_data")
        .parse()
        .expect("exported_data is a URL");
    assert_eq!(
        exported_data
            .path_segments()
            .and_then(|mut s| s.next_back()),
        Some(archive_name.as_str()),
        "the archive is named as `exports` computes"
    );

    let file = TempPath::new(&archive_name);
    let written = client
        .download_export_to_file(&export, &file.0)
        .await
        .expect("export downloaded");
    assert_eq!(std::fs::metadata(&file.0).expect("file").len(), written);

    let archive = ExportArchive::open(&file.0).expect("a readable archive");
    let mut names: Vec<String> = archive
        .entries()
        .iter()
        .map(|entry| entry.path().to_owned())
        .collect();
    names.sort();
    // Cancelled items have no files (the sandbox's choice; the reference is silent).
    let kept_items: Vec<OrderItemDetails> = items
        .iter()
        .filter(|item| item.status != Some(OrderItemStatus::Cancelled))
        .cloned()
        .collect();
    let kept: Vec<ItemNaming> = items
        .iter()
        .zip(&item_namings)
        .filter(|(item, _)| item.status != Some(OrderItemStatus::Cancelled))
        .map(|(_, naming)| naming.clone())
        .collect();
    let mut expected = expected_archive_entries(&order_naming, &kept, false, &SystemClock);
    expected.sort();
    assert_eq!(names, expected);
    for entry in archive.entries() {
        assert!(
            matches!(
                entry.kind(),
                EntryKind::OrderItemJson { .. } | EntryKind::Report { .. }
            ),
            "{entry:?}"
        );
    }
    let matched = archive
        .match_order(&finished, &kept_items)
        .expect("naming input");
    assert!(matched.unmatched.is_empty(), "{:?}", matched.unmatched);
    assert!(matched.ambiguous.is_empty(), "{:?}", matched.ambiguous);
    for files in &matched.items {
        assert_eq!(files.order_item_json.len(), 1);
        assert_eq!(files.reports.len(), 1);
    }

    sandbox.shutdown().await;
}

/// A completed order keeps its completion date in its archive name whatever day the names are
/// computed on; "today" is only for an order that has not completed (reference: "order_date = the
/// order's completion date, or, if not completed, today's date in America/Los_Angeles").
#[tokio::test]
async fn a_completed_orders_archive_name_does_not_depend_on_the_day_it_is_computed() {
    let sandbox = start_sandbox().await;
    let client = client(&sandbox);
    let order = ValueReportOrder::builder(
        "Later Day",
        OrderItem::builder("1 Main St", Location::zipcode("94103")).build(),
    )
    .build();
    let created = client.create_order(&order).await.expect("order created");
    let finished = wait_for_order(&client, &created.id).await;
    assert_eq!(finished.status, Some(OrderStatus::Complete));
    let export = client
        .create_export(&CreateExport::new(&created.id).format(ExportFormat::Zip))
        .await
        .expect("export requested");
    let export = client
        .wait_for_export(
            &created.id,
            &export.id,
            WaitOptions::default()
                .initial_interval(Duration::from_millis(20))
                .max_interval(Duration::from_millis(50))
                .timeout(DEADLINE),
        )
        .await
        .expect("export completes");
    let served_name = export
        .exported_data
        .as_deref()
        .and_then(|raw| url::Url::parse(raw).ok())
        .and_then(|url| url.path_segments()?.next_back().map(str::to_owned))
        .expect("exported_data names the archive");

    let three_days_later = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(72))
        .expect("a later instant");
    let (order_naming, _) = naming(&finished, &[]);
    let computed = order_download_name(&order_naming, "zip", &FixedClock::new(three_days_later));
    assert_eq!(computed, served_name, "{finished:?}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn callouts_signed_with_another_secret_are_refused_and_redelivered() {
    let config = SandboxConfig::default()
        .step_interval(STEP)
        .redelivery_interval(Duration::from_millis(10))
        .max_delivery_attempts(2);
    let sandbox = Sandbox::start_with(config).await.expect("sandbox starts");
    let (callout_url, mut messages) =
        start_receiver(partner_hmac_auth("not-the-secret-0123456789")).await;
    sandbox.set_callout_target(callout_url, sandbox.credentials().hmac_callout_auth());
    let client = client(&sandbox);
    let order = ValueReportOrder::builder(
        "unverified",
        OrderItem::builder("1 Main St", Location::zipcode("94103")).build(),
    )
    .build();
    let created = client.create_order(&order).await.expect("order created");
    wait_for_order(&client, &created.id).await;
    // Every message is attempted twice, answered 401 both times, then given up.
    let poll = async {
        loop {
            let stats = sandbox.stats();
            if stats.callouts_given_up > 0
                && stats.callouts_attempted >= 2 * stats.callouts_given_up
            {
                return stats;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    let stats = tokio::time::timeout(DEADLINE, poll)
        .await
        .expect("deliveries given up");
    assert_eq!(stats.callouts_acknowledged, 0, "{stats:?}");
    assert!(
        messages.try_recv().is_err(),
        "an unverified callout reached the handler"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_wrong_token_is_an_auth_error() {
    let sandbox = start_sandbox().await;
    let client = client_with_token(&sandbox, "not-the-partner-token");
    let order = ValueReportOrder::builder(
        "never created",
        OrderItem::builder("1 Main St", Location::zipcode("94103")).build(),
    )
    .build();
    let err = client.create_order(&order).await.expect_err("bad token");
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
    let err = client.get_order(1_u64).await.expect_err("bad token");
    match &err {
        Error::Auth { detail, .. } => assert_eq!(detail.as_deref(), Some("Invalid token.")),
        other => panic!("expected Error::Auth, got {other:?}"),
    }
    assert!(!err.to_string().contains("not-the-partner-token"), "{err}");
    assert_eq!(sandbox.stats().orders_created, 0);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn an_owner_pair_the_partner_may_not_act_for_is_refused() {
    let sandbox = start_sandbox().await;
    let client = client(&sandbox);
    let order = ValueReportOrder::builder(
        "someone else's",
        OrderItem::builder("1 Main St", Location::zipcode("94103")).build(),
    )
    .owner(OwnerPair::new(9_u64, 9_u64))
    .build();
    let err = client.create_order(&order).await.expect_err("forbidden");
    match &err {
        Error::Api { status, detail, .. } => {
            assert_eq!(*status, 403);
            assert!(
                detail
                    .as_deref()
                    .is_some_and(|d| d.contains("owner_organization_id")),
                "{err}"
            );
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
    assert_eq!(sandbox.stats().orders_created, 0);
    sandbox.shutdown().await;
}
