//! The in-memory ledger: the default, for one process.

use std::collections::HashMap;
use std::sync::Mutex;

use jiff::Timestamp;

use super::entry::{InquiryOutcome, LedgerEntry};
use super::error::LedgerError;
use super::inquiry_ledger::InquiryLedger;
use super::repeat_rules::{RepeatRules, check};
use crate::report_reference::ReportReference;
use futures_util::future::BoxFuture;

/// An [`InquiryLedger`] held in this process: lost on restart and not shared between replicas
/// (use `PostgresLedger` for that). The client's default.
///
/// ```
/// use innovis_client::ledger::{InMemoryLedger, InquiryLedger};
/// # tokio_test_run(async {
/// let ledger = InMemoryLedger::default();
/// assert!(ledger.entry("unknown").await?.is_none());
/// # Ok::<(), innovis_client::ledger::LedgerError>(()) });
/// # fn tokio_test_run<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f) }
/// ```
#[derive(Debug, Default)]
pub struct InMemoryLedger {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// By trace number. Boxed: growing the map then moves a pointer per entry, not the entry.
    entries: HashMap<String, Box<LedgerEntry>>,
    /// Trace numbers by consumer fingerprint, in the order begun.
    by_consumer: HashMap<String, Vec<String>>,
    /// By report reference number.
    references: HashMap<String, ReportReference>,
    /// The id of the fingerprint key of the first client.
    key_id: Option<String>,
}

impl State {
    /// The entries [`check`] decides from: this trace number's and every one naming a consumer,
    /// each once (allocating only when there are some).
    fn earlier_entries(&self, entry: &LedgerEntry) -> Vec<&LedgerEntry> {
        let traces = entry
            .consumer_fingerprints
            .iter()
            .filter_map(|fingerprint| self.by_consumer.get(fingerprint))
            .flatten()
            .chain(std::iter::once(&entry.trace_number));
        let mut earlier: Vec<&LedgerEntry> = traces
            .filter_map(|trace| self.entries.get(trace).map(|entry| &**entry))
            .collect();
        earlier.sort_unstable_by_key(|entry| &entry.trace_number);
        earlier.dedup_by(|a, b| std::ptr::eq(*a, *b));
        earlier
    }

    fn lock_poisoned() -> LedgerError {
        LedgerError::Corrupt("the in-memory ledger's lock was poisoned by a panic".to_owned())
    }
}

impl InMemoryLedger {
    fn with_state<T>(
        &self,
        work: impl FnOnce(&mut State) -> Result<T, LedgerError>,
    ) -> Result<T, LedgerError> {
        let mut state = self.state.lock().map_err(|_| State::lock_poisoned())?;
        work(&mut state)
    }
}

impl InquiryLedger for InMemoryLedger {
    fn begin<'a>(
        &'a self,
        entry: LedgerEntry,
        rules: RepeatRules,
    ) -> BoxFuture<'a, Result<(), LedgerError>> {
        let result = self.with_state(|state| {
            check(&entry, rules, &state.earlier_entries(&entry))?;
            for fingerprint in &entry.consumer_fingerprints {
                let traces = state.by_consumer.entry(fingerprint.clone()).or_default();
                if !traces.contains(&entry.trace_number) {
                    traces.push(entry.trace_number.clone());
                }
            }
            state
                .entries
                .insert(entry.trace_number.clone(), Box::new(entry));
            Ok(())
        });
        Box::pin(async move { result })
    }

    fn health(&self) -> BoxFuture<'_, Result<(), LedgerError>> {
        let result = self.with_state(|_| Ok(()));
        Box::pin(async move { result })
    }

    fn adopt_key<'a>(&'a self, key_id: &'a str) -> BoxFuture<'a, Result<(), LedgerError>> {
        let result = self.with_state(|state| match &state.key_id {
            None => {
                state.key_id = Some(key_id.to_owned());
                Ok(())
            }
            Some(recorded) if recorded == key_id => Ok(()),
            Some(recorded) => Err(LedgerError::KeyMismatch {
                recorded: recorded.clone(),
                offered: key_id.to_owned(),
            }),
        });
        Box::pin(async move { result })
    }

    fn settle<'a>(
        &'a self,
        trace_number: &'a str,
        outcome: InquiryOutcome,
        references: Vec<ReportReference>,
    ) -> BoxFuture<'a, Result<(), LedgerError>> {
        let result = self.with_state(|state| {
            let entry = state
                .entries
                .get_mut(trace_number)
                .ok_or_else(|| LedgerError::UnknownTraceNumber(trace_number.to_owned()))?;
            if !entry.outcome.is_unsettled() {
                return Err(LedgerError::AlreadySettled {
                    trace_number: trace_number.to_owned(),
                    state: entry.outcome.state(),
                });
            }
            entry.outcome = outcome;
            entry.settled_at = Some(Timestamp::now());
            for reference in references {
                state
                    .references
                    .insert(reference.report_reference_number().to_owned(), reference);
            }
            Ok(())
        });
        Box::pin(async move { result })
    }

    fn entry<'a>(
        &'a self,
        trace_number: &'a str,
    ) -> BoxFuture<'a, Result<Option<LedgerEntry>, LedgerError>> {
        let result = self.with_state(|state| {
            Ok(state
                .entries
                .get(trace_number)
                .map(|entry| (**entry).clone()))
        });
        Box::pin(async move { result })
    }

    fn reference<'a>(
        &'a self,
        report_reference_number: &'a str,
    ) -> BoxFuture<'a, Result<Option<ReportReference>, LedgerError>> {
        let result =
            self.with_state(|state| Ok(state.references.get(report_reference_number).cloned()));
        Box::pin(async move { result })
    }

    fn entries<'a>(
        &'a self,
        from: Timestamp,
        to: Timestamp,
    ) -> BoxFuture<'a, Result<Vec<LedgerEntry>, LedgerError>> {
        let result = self.with_state(|state| {
            let mut found: Vec<LedgerEntry> = state
                .entries
                .values()
                .filter(|entry| entry.requested_at >= from && entry.requested_at < to)
                .map(|entry| (**entry).clone())
                .collect();
            found.sort_by(|a, b| {
                (a.requested_at, &a.trace_number).cmp(&(b.requested_at, &b.trace_number))
            });
            Ok(found)
        });
        Box::pin(async move { result })
    }

    fn purge_before<'a>(&'a self, cutoff: Timestamp) -> BoxFuture<'a, Result<u64, LedgerError>> {
        let result = self.with_state(|state| {
            let before = state.entries.len();
            state
                .entries
                .retain(|_, entry| entry.requested_at >= cutoff);
            let entries = &state.entries;
            for traces in state.by_consumer.values_mut() {
                traces.retain(|trace| entries.contains_key(trace));
            }
            state.by_consumer.retain(|_, traces| !traces.is_empty());
            state
                .references
                .retain(|_, reference| reference.inquired_at() >= cutoff);
            Ok((before - state.entries.len()) as u64)
        });
        Box::pin(async move { result })
    }
}
