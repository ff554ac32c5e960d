//! Listing ends: an endless list stops at the default page limit within seconds, an empty page
//! that still has a `next` link is an error, and a `#fragment` on a `next` link is followed like
//! the link without it (it is never sent), not reported as a redirect.

use std::time::{Duration, Instant};

use housecanary_partner::{Error, transport};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::support::client_for;

const ITEMS: &str = "/partner-api/v1/orders/9/items/";

/// Answers page `n` with one item and a `next` link to page `n + 1` (with `fragment` appended),
/// forever; from page `empty_from` on, the pages hold no item.
struct Endless {
    base: String,
    fragment: &'static str,
    empty_from: u64,
    last_page: Option<u64>,
}

impl Respond for Endless {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let page: u64 = request
            .url
            .query_pairs()
            .find(|(key, _)| key == "page")
            .and_then(|(_, value)| value.parse().ok())
            .unwrap_or(1);
        let next = match self.last_page {
            Some(last) if page >= last => serde_json::Value::Null,
            _ => json!(format!("{}?page={}{}", self.base, page + 1, self.fragment)),
        };
        let results = if page >= self.empty_from {
            json!([])
        } else {
            json!([{"id": page, "status": "new", "address": "1 Main St", "zipcode": "78701"}])
        };
        ResponseTemplate::new(200).set_body_json(json!({"next": next, "results": results}))
    }
}

async fn server(endless: impl FnOnce(String) -> Endless) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ITEMS))
        .respond_with(endless(format!("{}{ITEMS}", server.uri())))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn an_endless_list_ends_at_the_default_page_limit_within_60_seconds() {
    let server = server(|base| Endless {
        base,
        fragment: "",
        empty_from: u64::MAX,
        last_page: None,
    })
    .await;
    let started = Instant::now();
    let err = client_for(&server)
        .list_order_items(9_u64)
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(
            err,
            Error::Transport(transport::Error::LimitExceeded {
                limit: transport::Limit::Pages(1_000),
                ..
            })
        ),
        "{err:?}"
    );
    assert!(took < Duration::from_secs(60), "{took:?}");
    eprintln!("an endless list ended after 1,000 pages in {took:?}");
}

#[tokio::test]
async fn an_empty_page_with_a_next_link_is_an_error() {
    let server = server(|base| Endless {
        base,
        fragment: "",
        empty_from: 3,
        last_page: None,
    })
    .await;
    let err = client_for(&server)
        .list_order_items(9_u64)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Transport(transport::Error::Pagination { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("without items"), "{err}");
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_fragment_on_a_next_link_is_not_a_redirect() {
    let server = server(|base| Endless {
        base,
        fragment: "#results",
        empty_from: u64::MAX,
        last_page: Some(3),
    })
    .await;
    let items = client_for(&server).list_order_items(9_u64).await.unwrap();
    assert_eq!(items.len(), 3);
}
