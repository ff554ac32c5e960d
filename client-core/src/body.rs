//! Reading a response body under a byte limit.

use bytes::{Bytes, BytesMut};

/// Why a body could not be read whole.
pub(crate) enum ReadError {
    /// The body is (or declared itself) larger than the limit.
    TooLarge,
    /// The connection failed mid-body.
    Network(reqwest::Error),
}

/// Reads `response`'s body, refusing one larger than `limit` bytes: a declared `Content-Length`
/// over the limit is refused before any byte is read, and a body without one is cut off as soon as
/// it passes the limit, so memory never grows past `limit` plus one chunk.
pub(crate) async fn read_limited(
    response: &mut reqwest::Response,
    limit: u64,
) -> Result<Bytes, ReadError> {
    let declared = response.content_length();
    if declared.is_some_and(|length| length > limit) {
        return Err(ReadError::TooLarge);
    }
    let Some(first) = response.chunk().await.map_err(ReadError::Network)? else {
        return Ok(Bytes::new());
    };
    if first.len() as u64 > limit {
        return Err(ReadError::TooLarge);
    }
    // Most bodies arrive as one chunk: hand it on without copying.
    if declared == Some(first.len() as u64) {
        return Ok(first);
    }
    let Some(second) = response.chunk().await.map_err(ReadError::Network)? else {
        return Ok(first);
    };
    let capacity = declared
        .unwrap_or(0)
        .max((first.len() + second.len()) as u64);
    let mut body = BytesMut::with_capacity(usize::try_from(capacity.min(limit)).unwrap_or(0));
    body.extend_from_slice(&first);
    let mut next = Some(second);
    while let Some(chunk) = next {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(ReadError::TooLarge);
        }
        body.extend_from_slice(&chunk);
        next = response.chunk().await.map_err(ReadError::Network)?;
    }
    Ok(body.freeze())
}

/// Reads at most `limit` bytes of an error body; the rest, and a failure half way, are dropped
/// (what arrived is all an error needs).
pub(crate) async fn read_prefix(response: &mut reqwest::Response, limit: u64) -> Bytes {
    let mut body = BytesMut::new();
    while (body.len() as u64) < limit {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = usize::try_from(limit).unwrap_or(usize::MAX) - body.len();
                body.extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or(&chunk));
            }
            Ok(None) | Err(_) => break,
        }
    }
    body.freeze()
}
