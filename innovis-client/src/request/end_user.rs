//! `endUser`: the end user's name, optional on every request and not used by the vendor for the inquiry.

use crate::error::{Error, check_max};

/// Most characters in `endUser`.
pub const MAX_END_USER_LEN: usize = 30;

/// Checks an optional `endUser`.
pub(crate) fn check_end_user(end_user: Option<&str>) -> Result<(), Error> {
    match end_user {
        Some(end_user) => check_max("endUser", end_user, MAX_END_USER_LEN),
        None => Ok(()),
    }
}
