//! List responses: a bare array, or a Django REST Framework page `{count, next, previous,
//! results}` whose `next` link is followed until it is null.

use std::collections::HashSet;
use std::fmt;
use std::marker::PhantomData;

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
    next: Option<Url>,
    buffer: std::vec::IntoIter<T>,
    pending_error: Option<Error>,
    /// Pages already fetched: a `next` back to one of them would loop for ever.
    visited: HashSet<Url>,
}

/// Every element of the list at `first`, page after page, as a stream. A `next` link on another
/// origin is refused (it would receive the token); an error ends the stream after being yielded.
pub(crate) fn paginate<T>(
    client: Client,
    first: Url,
) -> impl Stream<Item = Result<T>> + Send + 'static
where
    T: DeserializeOwned + Send + 'static,
{
    let state = State {
        client,
        next: Some(first),
        buffer: Vec::new().into_iter(),
        pending_error: None,
        visited: HashSet::new(),
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
            state.visited.insert(url.clone());
            // No URL is fetched twice, so the pages fetched so far are the visited ones.
            tracing::debug!(
                page = state.visited.len(),
                items = page.results.len(),
                "list page"
            );
            state.buffer = page.results.into_iter();
            if let Some(raw) = page.next.filter(|raw| !raw.is_empty()) {
                match resolve_next(&state.client, &url, &raw, &state.visited) {
                    Ok(next) => state.next = Some(next),
                    // Yielded after this page's items.
                    Err(err) => state.pending_error = Some(err),
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

fn resolve_next(client: &Client, current: &Url, raw: &str, visited: &HashSet<Url>) -> Result<Url> {
    // Built only on failure: the usual page has a good `next`.
    let refuse = |message: String| Error::UnexpectedResponse {
        operation: client.operation(&reqwest::Method::GET, current),
        message,
    };
    let next = current
        .join(raw)
        .map_err(|err| refuse(format!("`next` is not a URL: {err}")))?;
    if !client.same_origin(&next) {
        return Err(refuse(format!(
            "`next` points to another origin ({}); it is not followed because it would receive the token",
            next.host_str().unwrap_or("?")
        )));
    }
    if visited.contains(&next) {
        return Err(refuse(
            "`next` points back to a page already read".to_owned(),
        ));
    }
    Ok(next)
}
