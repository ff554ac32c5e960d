//! List responses: a bare array, or a Django REST Framework page `{count, next, previous,
//! results}` whose `next` link is followed until it is null. A list operation's output is one
//! [`Page`]; [`stream_list`] and [`collect_list`] walk the rest.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use credit_valuation_core::{Operation, Pages, Request};
use futures_util::stream;
use futures_util::{Stream, TryStreamExt};
use serde::de::{self, DeserializeOwned, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::client::Client;
use crate::error::{Error, Result};

/// One page of a list: what a list operation's first request decodes to.
pub(crate) struct Page<T> {
    pub(crate) next: Option<String>,
    pub(crate) results: Vec<T>,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Page<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PageVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for PageVisitor<T> {
            type Value = Page<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list, or an object with `results` (and `next`)")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Page<T>, A::Error> {
                let mut results = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
                while let Some(item) = seq.next_element()? {
                    results.push(item);
                }
                Ok(Page {
                    next: None,
                    results,
                })
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Page<T>, A::Error> {
                let mut next = None;
                let mut results = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "next" => next = map.next_value::<Option<String>>()?,
                        "results" => results = Some(map.next_value::<Vec<T>>()?),
                        // `count`, `previous` and anything new are not needed to walk the list.
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                let results = results.ok_or_else(|| de::Error::missing_field("results"))?;
                Ok(Page { next, results })
            }
        }

        deserializer.deserialize_any(PageVisitor(PhantomData))
    }
}

struct State<T> {
    client: Client,
    pages: Pages,
    /// The list's name in errors and spans (`GET orders/7/items/`), the same for every page.
    name: Cow<'static, str>,
    next: Option<Request>,
    buffer: std::vec::IntoIter<T>,
    pending_error: Option<Error>,
}

/// Every element of the list `operation` reads, page after page, as a stream. `next` links are
/// followed with `GET` (every list is one) under `credit-valuation-core`'s page rules (same origin, no
/// loop, at most the page limit); an error ends the stream after being yielded.
pub(crate) fn stream_list<O, T>(
    client: &Client,
    operation: &O,
) -> impl Stream<Item = Result<T>> + Send + 'static + use<O, T>
where
    O: Operation<Output = Page<T>>,
    T: DeserializeOwned + Send + 'static,
{
    let first = client.request(operation);
    let client = client.clone();
    stream::once(async move { first })
        .map_ok(move |first| walk(client.clone(), first))
        .try_flatten()
}

fn walk<T>(client: Client, first: Request) -> impl Stream<Item = Result<T>> + Send + 'static
where
    T: DeserializeOwned + Send + 'static,
{
    let state = State {
        pages: client.transport().pages(first.url()),
        name: first.operation().clone(),
        client,
        next: Some(first),
        buffer: Vec::new().into_iter(),
        pending_error: None,
    };
    stream::unfold(state, |mut state| async move {
        loop {
            if let Some(item) = state.buffer.next() {
                return Some((Ok(item), state));
            }
            if let Some(err) = state.pending_error.take() {
                return Some((Err(err), state));
            }
            let request = state.next.take()?;
            let url = request.url().clone();
            let page: Page<T> = match state.client.send_request(request).await {
                Ok(page) => page,
                Err(err) => return Some((Err(err), state)),
            };
            tracing::debug!(
                page = state.pages.count(),
                items = page.results.len(),
                "list page"
            );
            let items = page.results.len();
            state.buffer = page.results.into_iter();
            if let Some(raw) = page.next.filter(|raw| !raw.is_empty()) {
                match state.pages.follow(&url, &raw, items, &state.name) {
                    Ok(next) => state.next = Some(Request::get(next, state.name.clone())),
                    // Yielded after this page's items.
                    Err(err) => state.pending_error = Some(Error::from_transport(err)),
                }
            }
        }
    })
}

/// Every element of the list `operation` reads, all pages collected. The same walk as
/// [`stream_list`] without a stream in between: a one-page list (the usual case) is one request
/// decoded straight into the result.
pub(crate) async fn collect_list<O, T>(client: &Client, operation: &O) -> Result<Vec<T>>
where
    O: Operation<Output = Page<T>>,
    T: DeserializeOwned + Send + 'static,
{
    let first = client.request(operation)?;
    let name: Cow<'static, str> = first.operation().clone();
    let mut current = first.url().clone();
    let page: Page<T> = client.send_request(first).await?;
    let mut on_page = page.results.len();
    let mut items = page.results;
    let Some(mut link) = page.next.filter(|link| !link.is_empty()) else {
        return Ok(items);
    };
    let mut pages = client.transport().pages(&current);
    loop {
        let next = pages
            .follow(&current, &link, on_page, &name)
            .map_err(Error::from_transport)?;
        let page: Page<T> = client
            .send_request(Request::get(next.clone(), name.clone()))
            .await?;
        on_page = page.results.len();
        items.extend(page.results);
        match page.next.filter(|link| !link.is_empty()) {
            Some(following) => link = following,
            None => return Ok(items),
        }
        current = next;
    }
}
