//! credit-valuation-postgres's integration tests, against the PostgreSQL clusters `bash .ci/test`
//! starts (`.ci/test` skips `database_tls` by name when the clusters are the user's own).

mod database_roles;
mod database_tls;
mod notifications;
