//! Awaiting a step of the receiver until a deadline without arming a timer when it is ready at once.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::time::{Instant, Sleep, sleep_until};

/// The deadline passed before the step finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DeadlinePassed;

/// [`tokio::time::timeout_at`] for the receiver's steps. Most of them finish on their first poll (an
/// in-memory log, a handler that does not wait, a body that came with its headers): those never
/// touch the runtime's timer, and the timer is allocated only for the others. The step must be
/// `Unpin` (the log's and the handler's futures are boxed already), which keeps this future a few
/// words long inside every request's future. Both matter at tens of thousands of callouts a second.
pub(crate) fn within<F: Future + Unpin>(deadline: Instant, step: F) -> Within<F> {
    Within {
        step,
        deadline,
        timer: None,
    }
}

/// The future of [`within`].
pub(crate) struct Within<F> {
    step: F,
    deadline: Instant,
    timer: Option<Pin<Box<Sleep>>>,
}

impl<F: Future + Unpin> Future for Within<F> {
    type Output = Result<F::Output, DeadlinePassed>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if let Poll::Ready(output) = Pin::new(&mut this.step).poll(cx) {
            return Poll::Ready(Ok(output));
        }
        let deadline = this.deadline;
        let timer = this
            .timer
            .get_or_insert_with(|| Box::pin(sleep_until(deadline)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(DeadlinePassed)),
            Poll::Pending => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_ready_step_is_returned_even_past_its_deadline_and_a_slow_one_times_out() {
        let past = Instant::now() - Duration::from_secs(1);
        assert_eq!(within(past, Box::pin(async { 7 })).await, Ok(7));
        let soon = Instant::now() + Duration::from_millis(10);
        let slow = Box::pin(tokio::time::sleep(Duration::from_secs(60)));
        assert_eq!(within(soon, slow).await, Err(DeadlinePassed));
        let later = Instant::now() + Duration::from_secs(60);
        let pending_once = Box::pin(tokio::time::sleep(Duration::from_millis(5)));
        assert_eq!(within(later, pending_once).await, Ok(()));
    }
}
