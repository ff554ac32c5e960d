//! What a receiver lets in before the body is read: requests in flight, bytes buffered, and how
//! long a body may take to arrive.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Default limit of requests whose body is being read or processed at once.
pub(crate) const DEFAULT_MAX_IN_FLIGHT: usize = 64;
/// Default bytes of bodies buffered at once, across all requests: one largest body (32 MiB) and
/// room for the small ones, so forged bodies cannot grow memory without bound.
pub(crate) const DEFAULT_BODY_MEMORY: usize = 40 * 1024 * 1024;
/// Default time a body may take to arrive once its headers did.
pub(crate) const DEFAULT_BODY_DEADLINE: Duration = Duration::from_secs(10);

/// Memory is counted in KiB so that a 32-bit permit count covers terabytes.
const UNIT: usize = 1024;

/// Shared limits of one receiver (and its clones).
#[derive(Debug)]
pub(crate) struct Admission {
    in_flight: Arc<Semaphore>,
    max_in_flight: usize,
    memory: Arc<Semaphore>,
    body_memory: usize,
    pub(crate) body_deadline: Duration,
}

/// What one admitted request holds until it is answered.
#[derive(Debug)]
pub(crate) struct Ticket {
    _in_flight: OwnedSemaphorePermit,
    memory: Vec<OwnedSemaphorePermit>,
    memory_source: Arc<Semaphore>,
}

impl Admission {
    pub(crate) fn new(max_in_flight: usize, body_memory: usize, body_deadline: Duration) -> Self {
        Self {
            in_flight: Arc::new(Semaphore::new(max_in_flight)),
            max_in_flight,
            memory: Arc::new(Semaphore::new(units(body_memory))),
            body_memory,
            body_deadline,
        }
    }

    pub(crate) fn max_in_flight(&self) -> usize {
        self.max_in_flight
    }

    pub(crate) fn body_memory(&self) -> usize {
        self.body_memory
    }

    /// A place among the requests in flight, or `None` when all are taken (answer 503 at once).
    pub(crate) fn admit(&self) -> Option<Ticket> {
        let permit = Arc::clone(&self.in_flight).try_acquire_owned().ok()?;
        Some(Ticket {
            _in_flight: permit,
            memory: Vec::new(),
            memory_source: Arc::clone(&self.memory),
        })
    }
}

impl Ticket {
    /// Reserves `bytes` more of the shared body memory; `false` when it is not free now.
    pub(crate) fn reserve(&mut self, bytes: usize) -> bool {
        let Ok(count) = u32::try_from(units(bytes)) else {
            return false;
        };
        if count == 0 {
            return true;
        }
        match Arc::clone(&self.memory_source).try_acquire_many_owned(count) {
            Ok(permit) => {
                self.memory.push(permit);
                true
            }
            Err(_) => false,
        }
    }
}

/// `bytes` in whole KiB, rounded up.
fn units(bytes: usize) -> usize {
    bytes.div_ceil(UNIT).min(Semaphore::MAX_PERMITS)
}
