//! List responses: a bare array, or a Django REST Framework page `{count, next, previous,
//! results}` whose `next` link is followed until it is null.

use std::fmt;
use std::marker::PhantomData;

use client_core::Pages;
use futures_util::stream;
use futures_util::{Stream, TryStreamExt};
use serde::de::{self, DeserializeOwned, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use url::Url;

use crate::client::Client;
use crate::error::{Error, Result};

/// One page of a list.
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
    next: Option<Url>,
    buffer: std::vec::IntoIter<T>,
    pending_error: Option<Error>,
}

/// Every element of the list at `first`, page after page, as a stream. `next` links are followed
/// under `client-core`'s page rules (same origin, no loop, at most the page limit); an error ends
/// the stream after being yielded.
pub(crate) fn paginate<T>(
    client: Client,
    first: Url,
) -> impl Stream<Item = Result<T>> + Send + 'static
where
    T: DeserializeOwned + Send + 'static,
{
    let state = State {
        pages: client.transport().pages(&first),
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
            let url = state.next.take()?;
            let page: Page<T> = match state.client.get_json(url.clone()).await {
                Ok(page) => page,
                Err(err) => return Some((Err(err), state)),
            };
            tracing::debug!(
                page = state.pages.count(),
                items = page.results.len(),
                "list page"
            );
            state.buffer = page.results.into_iter();
            if let Some(raw) = page.next.filter(|raw| !raw.is_empty()) {
                let operation = state.client.operation(&http::Method::GET, &url).into();
                match state.pages.follow(&url, &raw, &operation) {
                    Ok(next) => state.next = Some(next),
                    // Yielded after this page's items.
                    Err(err) => state.pending_error = Some(Error::from_transport(err)),
                }
            }
        }
    })
}

/// Every item of the list at `base` + `segments` (with a trailing slash), page after page. A bad
/// path becomes the stream's only item, an error.
pub(crate) fn paginate_path<T>(
    client: &Client,
    segments: &[&str],
) -> impl Stream<Item = Result<T>> + Send + 'static + use<T>
where
    T: DeserializeOwned + Send + 'static,
{
    let first = client.endpoint(segments, true);
    let client = client.clone();
    stream::once(async move { first })
        .map_ok(move |url| paginate(client.clone(), url))
        .try_flatten()
}

/// Every item of the list at `base` + `segments`, all pages collected. The same walk as
/// [`paginate_path`] without a stream in between: a one-page list (the usual case) is one request
/// decoded straight into the result.
pub(crate) async fn collect_path<T>(client: &Client, segments: &[&str]) -> Result<Vec<T>>
where
    T: DeserializeOwned + Send + 'static,
{
    let first = client.endpoint(segments, true)?;
    let page: Page<T> = client.get_json(first.clone()).await?;
    let mut items = page.results;
    let Some(mut link) = page.next.filter(|link| !link.is_empty()) else {
        return Ok(items);
    };
    let mut pages = client.transport().pages(&first);
    let mut current = first;
    loop {
        let operation = client.operation(&http::Method::GET, &current).into();
        let next = pages
            .follow(&current, &link, &operation)
            .map_err(Error::from_transport)?;
        let page: Page<T> = client.get_json(next.clone()).await?;
        items.extend(page.results);
        match page.next.filter(|link| !link.is_empty()) {
            Some(following) => link = following,
            None => return Ok(items),
        }
        current = next;
    }
}
