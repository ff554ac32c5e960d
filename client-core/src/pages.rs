//! Walking a paginated list safely: `next` links stay on the API's origin (they receive the
//! credential), never lead back to a page already read, never follow an empty page, and the list
//! ends within the page limit.

use std::borrow::Cow;
use std::collections::HashSet;

use url::Url;

use crate::delivery::Delivery;
use crate::error::Error;
use crate::limits::Limit;
use crate::transport::Transport;

/// The pages of one list fetched so far; decides whether a `next` link may be followed.
///
/// ```
/// # let transport = credit_valuation_core::Transport::new(credit_valuation_core::TransportConfig::new(
/// #     url::Url::parse("https://api.example/v1/").unwrap(), "x")).unwrap();
/// let first = url::Url::parse("https://api.example/v1/orders/").unwrap();
/// let mut pages = transport.pages(&first);
/// let second = pages.follow(&first, "?page=2#top", 50, &"GET orders/".into()).unwrap();
/// assert_eq!(second.as_str(), "https://api.example/v1/orders/?page=2");
/// assert!(pages.follow(&second, "/v1/orders/", 50, &"GET orders/".into()).is_err()); // a loop
/// assert!(pages.follow(&second, "https://elsewhere.example/", 50, &"GET orders/".into()).is_err());
/// assert!(pages.follow(&second, "?page=3", 0, &"GET orders/".into()).is_err()); // empty, yet `next`
/// ```
pub struct Pages {
    transport: Transport,
    visited: HashSet<Url>,
    max_pages: u32,
}

impl std::fmt::Debug for Pages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Page URLs may carry query strings: show how many, not which.
        f.debug_struct("Pages")
            .field("fetched", &self.visited.len())
            .field("max_pages", &self.max_pages)
            .finish()
    }
}

impl Transport {
    /// A page walker for the list whose first page is `first`.
    pub fn pages(&self, first: &Url) -> Pages {
        Pages {
            transport: self.clone(),
            visited: HashSet::from([first.clone()]),
            max_pages: self.limits().page_count(),
        }
    }
}

impl Pages {
    /// The URL to fetch next, from the `next` link `link` found on the page at `current`, which
    /// held `items` items; an error when that page was empty (a list that still has more never
    /// sends an empty page: an endless one would), or the link is not a URL, leaves the API's
    /// origin, returns to a page already read, or would pass the page limit. A `#fragment` is
    /// dropped: it names nothing on the server.
    // A borrowed `Cow` clones without allocating when the name is static.
    #[allow(clippy::ptr_arg)]
    pub fn follow(
        &mut self,
        current: &Url,
        link: &str,
        items: usize,
        operation: &Cow<'static, str>,
    ) -> Result<Url, Error> {
        let refuse = |message: String| Error::Pagination {
            operation: operation.clone(),
            message,
        };
        if items == 0 {
            return Err(refuse(
                "a page without items still has a `next` link; the list is not followed further"
                    .to_owned(),
            ));
        }
        let mut next = current
            .join(link)
            .map_err(|err| refuse(format!("`next` is not a URL: {err}")))?;
        next.set_fragment(None);
        if !self.transport.is_api_origin(&next) {
            return Err(refuse(format!(
                "`next` points to another origin ({}); it is not followed because it would receive \
                 the credential",
                next.host_str().unwrap_or("?")
            )));
        }
        if self.visited.len() as u64 >= u64::from(self.max_pages) {
            return Err(Error::LimitExceeded {
                operation: operation.clone(),
                limit: Limit::Pages(self.max_pages),
                delivery: Delivery::NotSent,
            });
        }
        if !self.visited.insert(next.clone()) {
            return Err(refuse(
                "`next` points back to a page already read".to_owned(),
            ));
        }
        Ok(next)
    }

    /// How many pages have been handed out so far, the first included.
    pub fn count(&self) -> usize {
        self.visited.len()
    }
}
