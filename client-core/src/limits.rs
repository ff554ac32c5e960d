//! Bounds on everything read from the network.

use std::fmt;
use std::time::Duration;

/// The limits a [`Transport`](crate::Transport) enforces on what it reads. Each breach is an
/// [`Error::LimitExceeded`](crate::Error::LimitExceeded) naming the [`Limit`].
///
/// ```
/// use std::time::Duration;
/// use credit_valuation_core::Limits;
/// let limits = Limits::default()
///     .json_body(4 << 20)
///     .download_bytes(1 << 30)
///     .download_deadline(Duration::from_secs(600))
///     .max_pages(100);
/// assert_eq!(limits.json_body_bytes(), 4 << 20);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    json_body: u64,
    error_body: u64,
    excerpt_chars: usize,
    download_bytes: u64,
    download_deadline: Duration,
    max_pages: u32,
    max_redirects: u8,
}

impl Default for Limits {
    /// JSON bodies 16 MiB, error bodies 64 KiB (quoted up to 512 characters and 300 bytes),
    /// downloads 4 GiB within 30 minutes, 1,000 pages per list (an endless list ends within
    /// seconds on loopback), 5 redirects per download.
    fn default() -> Self {
        Limits {
            json_body: 16 << 20,
            error_body: 64 << 10,
            excerpt_chars: 512,
            download_bytes: 4 << 30,
            download_deadline: Duration::from_secs(30 * 60),
            max_pages: 1_000,
            max_redirects: 5,
        }
    }
}

impl Limits {
    /// The largest success body decoded as JSON, in bytes.
    pub fn json_body(mut self, bytes: u64) -> Self {
        self.json_body = bytes;
        self
    }

    /// How much of an error body is read (the rest is dropped, not an error).
    pub fn error_body(mut self, bytes: u64) -> Self {
        self.error_body = bytes;
        self
    }

    /// The most characters of a body quoted in an error (never more than
    /// [`MAX_QUOTED_BYTES`](crate::MAX_QUOTED_BYTES) bytes, whatever this says).
    pub fn excerpt_chars(mut self, chars: usize) -> Self {
        self.excerpt_chars = chars;
        self
    }

    /// The largest download, in bytes.
    pub fn download_bytes(mut self, bytes: u64) -> Self {
        self.download_bytes = bytes;
        self
    }

    /// How long a whole download may take, redirects included.
    pub fn download_deadline(mut self, deadline: Duration) -> Self {
        self.download_deadline = deadline;
        self
    }

    /// The most pages one list may span.
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.max_pages = pages;
        self
    }

    /// The most redirects one download follows (each target is checked by the download policy).
    pub fn max_redirects(mut self, redirects: u8) -> Self {
        self.max_redirects = redirects;
        self
    }

    /// See [`Limits::json_body`].
    pub fn json_body_bytes(&self) -> u64 {
        self.json_body
    }

    /// See [`Limits::error_body`].
    pub fn error_body_bytes(&self) -> u64 {
        self.error_body
    }

    /// See [`Limits::excerpt_chars`].
    pub fn excerpt_char_count(&self) -> usize {
        self.excerpt_chars
    }

    /// See [`Limits::download_bytes`].
    pub fn download_byte_count(&self) -> u64 {
        self.download_bytes
    }

    /// See [`Limits::download_deadline`].
    pub fn download_time(&self) -> Duration {
        self.download_deadline
    }

    /// See [`Limits::max_pages`].
    pub fn page_count(&self) -> u32 {
        self.max_pages
    }

    /// See [`Limits::max_redirects`].
    pub fn redirect_count(&self) -> u8 {
        self.max_redirects
    }
}

/// Which limit a response broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Limit {
    /// A JSON success body larger than [`Limits::json_body`] bytes.
    JsonBody(u64),
    /// A download larger than [`Limits::download_bytes`] bytes.
    DownloadBytes(u64),
    /// A download that took longer than [`Limits::download_deadline`].
    DownloadDeadline(Duration),
    /// A list longer than [`Limits::max_pages`] pages.
    Pages(u32),
    /// A download that redirected more than [`Limits::max_redirects`] times.
    Redirects(u8),
    /// An archive entry larger than the size its archive declares for it.
    ArchiveEntry(u64),
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::JsonBody(bytes) => write!(f, "JSON body limit of {bytes} bytes"),
            Limit::DownloadBytes(bytes) => write!(f, "download limit of {bytes} bytes"),
            Limit::DownloadDeadline(time) => write!(f, "download deadline of {time:?}"),
            Limit::Pages(pages) => write!(f, "limit of {pages} pages per list"),
            Limit::Redirects(hops) => write!(f, "limit of {hops} redirects per download"),
            Limit::ArchiveEntry(bytes) => {
                write!(f, "declared archive entry size of {bytes} bytes")
            }
        }
    }
}
