//! What the Innovis simulator remembers: issued tokens and issued reports.

use std::collections::HashMap;
use std::time::Instant;

/// An access token the sandbox issued.
pub(crate) struct IssuedToken {
    pub(crate) client_id: String,
    pub(crate) expires_at: Instant,
}

/// A report the sandbox issued, which a SECONDUSE may refer to.
pub(crate) struct IssuedReport {
    pub(crate) consumer_id: String,
}

#[derive(Default)]
pub(crate) struct InnovisStore {
    pub(crate) tokens: HashMap<String, IssuedToken>,
    pub(crate) reports: HashMap<String, IssuedReport>,
    pub(crate) next_sequence: u64,
}

impl InnovisStore {
    /// A fresh number for unique identifiers.
    pub(crate) fn sequence(&mut self) -> u64 {
        self.next_sequence += 1;
        self.next_sequence
    }
}
