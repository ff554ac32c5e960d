//! The account a partner acts for: an owner organization and an owner, always together.

use serde::Serialize;

use crate::id::Id;

/// One (`owner_organization_id`, `owner_id`) pair issued at onboarding.
///
/// The vendor only accepts the two ids together, so there is exactly one way to make a pair:
/// [`OwnerPair::new`] with both. On an order it serializes as the two top-level fields
/// `owner_organization_id` and `owner_id`.
///
/// ```
/// use housecanary_partner::OwnerPair;
/// let owner = OwnerPair::new(1200_u64, 5531_u64);
/// assert_eq!(
///     serde_json::to_string(&owner).unwrap(),
///     r#"{"owner_organization_id":1200,"owner_id":5531}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct OwnerPair {
    owner_organization_id: Id,
    owner_id: Id,
}

impl OwnerPair {
    /// The pair as the vendor issued it. Numbers are sent as JSON numbers, strings as strings.
    pub fn new(owner_organization_id: impl Into<Id>, owner_id: impl Into<Id>) -> Self {
        Self {
            owner_organization_id: owner_organization_id.into(),
            owner_id: owner_id.into(),
        }
    }

    /// The owner organization id.
    pub fn owner_organization_id(&self) -> &Id {
        &self.owner_organization_id
    }

    /// The owner (user) id.
    pub fn owner_id(&self) -> &Id {
        &self.owner_id
    }
}
