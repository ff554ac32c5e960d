//! Whether a request may have reached the vendor, and whether it may have been processed.

use std::fmt;

/// How far a request got before its call failed.
///
/// Every [`Error`](crate::Error) answers this, because the caller's next step depends on it: a request
/// that was [`NotSent`](Delivery::NotSent) or [`Rejected`](Delivery::Rejected) can be sent again; one
/// that [`MayHaveBeenProcessed`](Delivery::MayHaveBeenProcessed) or [`Processed`](Delivery::Processed)
/// must not be sent again blindly (a credit inquiry would be posted twice, an order placed twice).
///
/// ```
/// use credit_valuation_core::Delivery;
/// assert!(!Delivery::NotSent.may_have_reached_vendor());
/// assert!(Delivery::Rejected.may_have_reached_vendor());
/// assert!(!Delivery::Rejected.may_have_been_processed());
/// assert!(Delivery::MayHaveBeenProcessed.may_have_been_processed());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Delivery {
    /// No byte of the request left this process, or the connection was never established.
    NotSent,
    /// The vendor answered with a status that says it did not act on the request (a 4xx such as 400,
    /// 401, 404 or 429).
    Rejected,
    /// The request was written (or may have been) and no final answer says what happened: a 5xx, a
    /// timeout, a connection dropped mid-exchange, a followed redirect.
    MayHaveBeenProcessed,
    /// The vendor answered 2xx: it processed the request, but the answer could not be used (too large,
    /// not decodable, cut short).
    Processed,
}

impl Delivery {
    /// Whether any part of the request may have reached the vendor.
    ///
    /// ```
    /// assert!(credit_valuation_core::Delivery::Processed.may_have_reached_vendor());
    /// ```
    pub fn may_have_reached_vendor(self) -> bool {
        self != Delivery::NotSent
    }

    /// Whether the vendor may have acted on the request (so it must not be sent again blindly).
    ///
    /// ```
    /// assert!(!credit_valuation_core::Delivery::NotSent.may_have_been_processed());
    /// ```
    pub fn may_have_been_processed(self) -> bool {
        matches!(self, Delivery::MayHaveBeenProcessed | Delivery::Processed)
    }

    /// The delivery of a request the vendor answered with `status`: 2xx processed, 4xx
    /// rejected, anything else may have been processed.
    ///
    /// ```
    /// assert_eq!(credit_valuation_core::Delivery::for_status(504), credit_valuation_core::Delivery::MayHaveBeenProcessed);
    /// ```
    pub fn for_status(status: u16) -> Delivery {
        match status {
            200..=299 => Delivery::Processed,
            400..=499 => Delivery::Rejected,
            _ => Delivery::MayHaveBeenProcessed,
        }
    }
}

impl fmt::Display for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Delivery::NotSent => "the request was not sent",
            Delivery::Rejected => "the vendor received the request and refused it",
            Delivery::MayHaveBeenProcessed => {
                "the request may have reached the vendor and been processed: do not resend it blindly"
            }
            Delivery::Processed => "the vendor processed the request: do not send it again",
        })
    }
}
