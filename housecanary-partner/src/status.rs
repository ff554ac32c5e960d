//! Order, order item and export statuses.
//!
//! The vendor has not published the full lists, so each status is a non-exhaustive enum whose
//! [`Other`](OrderStatus::Other) variant keeps any value it does not know yet, verbatim. Parsing
//! ignores ASCII case and the separators `_`, `-` and space, so `reportPending`, `report_pending`
//! and `REPORT-PENDING` are one status.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Lowercases and drops `_`, `-` and spaces, so spellings of one status compare equal.
fn normalize(raw: &str) -> String {
    raw.chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

macro_rules! status_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal, terminal: $terminal:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the SDK does not know, kept exactly as received.
            Other(String),
        }

        impl $name {
            /// The value as the vendor spells it (the raw string for [`Self::Other`]).
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Other(raw) => raw,
                }
            }

            /// Whether nothing more will happen to the entity in this status.
            /// Unknown statuses are not terminal, so pollers keep waiting (up to their deadline).
            pub fn is_terminal(&self) -> bool {
                match self {
                    $( Self::$variant => $terminal, )+
                    Self::Other(_) => false,
                }
            }
        }

        impl FromStr for $name {
            type Err = std::convert::Infallible;

            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                // The documented spelling, as the vendor sends it, without building normalized text.
                $( if raw == $wire { return Ok(Self::$variant); } )+
                let key = normalize(raw);
                $( if key == normalize($wire) { return Ok(Self::$variant); } )+
                Ok(Self::Other(raw.to_owned()))
            }
        }

        impl From<&str> for $name {
            fn from(raw: &str) -> Self {
                match raw.parse() {
                    Ok(status) => status,
                    Err(never) => match never {},
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(deserializer)?;
                Ok(Self::from(raw.as_str()))
            }
        }
    };
}

status_enum! {
    /// Status of an order as a whole.
    ///
    /// ```
    /// use housecanary_partner::status::OrderStatus;
    /// assert_eq!(OrderStatus::from("Complete"), OrderStatus::Complete);
    /// assert!(OrderStatus::Complete.is_terminal());
    /// assert_eq!(OrderStatus::from("onHold"), OrderStatus::Other("onHold".into()));
    /// ```
    OrderStatus {
        /// Created, not yet validated.
        New => "new", terminal: false,
        /// Waiting for the client to review validation warnings.
        ClientReview => "clientReview", terminal: false,
        /// Accepted for execution.
        Accepted => "accepted", terminal: false,
        /// Executing.
        InProgress => "inProgress", terminal: false,
        /// Reports are being produced.
        ReportPending => "reportPending", terminal: false,
        /// Every item finished.
        Complete => "complete", terminal: true,
        /// Cancelled.
        Cancelled => "cancelled", terminal: true,
    }
}

status_enum! {
    /// Status of one order item (one address).
    ///
    /// ```
    /// use housecanary_partner::status::OrderItemStatus;
    /// assert_eq!(OrderItemStatus::from("report_pending"), OrderItemStatus::ReportPending);
    /// assert!(!OrderItemStatus::ReportPending.is_terminal());
    /// ```
    OrderItemStatus {
        /// Created, not yet validated.
        New => "new", terminal: false,
        /// Passed validation.
        Accepted => "accepted", terminal: false,
        /// Waiting for the client to review validation warnings.
        ClientReview => "clientReview", terminal: false,
        /// The report is being produced.
        ReportPending => "reportPending", terminal: false,
        /// The report is ready.
        Complete => "complete", terminal: true,
        /// Cancelled, for example because it failed validation.
        Cancelled => "cancelled", terminal: true,
    }
}

status_enum! {
    /// Status of an export request.
    ///
    /// ```
    /// use housecanary_partner::status::ExportStatus;
    /// assert!(ExportStatus::from("COMPLETE").is_terminal());
    /// ```
    ExportStatus {
        /// Queued.
        Pending => "pending", terminal: false,
        /// Being built.
        InProgress => "inProgress", terminal: false,
        /// The archive is ready at `exported_data`.
        Complete => "complete", terminal: true,
        /// The export failed.
        Failed => "failed", terminal: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_case_and_separator_insensitively() {
        for raw in [
            "reportPending",
            "ReportPending",
            "report_pending",
            "REPORT-PENDING",
        ] {
            assert_eq!(
                OrderItemStatus::from(raw),
                OrderItemStatus::ReportPending,
                "{raw}"
            );
        }
    }

    /// Every known spelling, in any case, parses to its variant, and exactly the end states are
    /// terminal (a poller that stopped early or never stopped would break `wait_for_export`).
    #[test]
    fn every_known_status_parses_in_any_case_with_its_terminality() {
        fn check<S>(cases: &[(&str, S, bool)])
        where
            S: for<'a> From<&'a str> + PartialEq + fmt::Debug + Clone,
            S: StatusLike,
        {
            for (wire, variant, terminal) in cases {
                for spelling in [
                    wire.to_string(),
                    wire.to_ascii_uppercase(),
                    wire.to_ascii_lowercase(),
                ] {
                    let parsed = S::from(spelling.as_str());
                    assert_eq!(&parsed, variant, "{spelling}");
                    assert_eq!(parsed.terminal(), *terminal, "{spelling}");
                    assert_eq!(parsed.wire(), *wire, "{spelling}");
                }
            }
        }
        trait StatusLike {
            fn terminal(&self) -> bool;
            fn wire(&self) -> &str;
        }
        macro_rules! status_like {
            ($($t:ty),+) => {$(
                impl StatusLike for $t {
                    fn terminal(&self) -> bool { self.is_terminal() }
                    fn wire(&self) -> &str { self.as_str() }
                }
            )+};
        }
        status_like!(OrderStatus, OrderItemStatus, ExportStatus);

        use OrderStatus as O;
        check(&[
            ("new", O::New, false),
            ("clientReview", O::ClientReview, false),
            ("accepted", O::Accepted, false),
            ("inProgress", O::InProgress, false),
            ("reportPending", O::ReportPending, false),
            ("complete", O::Complete, true),
            ("cancelled", O::Cancelled, true),
        ]);
        use OrderItemStatus as I;
        check(&[
            ("new", I::New, false),
            ("accepted", I::Accepted, false),
            ("clientReview", I::ClientReview, false),
            ("reportPending", I::ReportPending, false),
            ("complete", I::Complete, true),
            ("cancelled", I::Cancelled, true),
        ]);
        use ExportStatus as E;
        check(&[
            ("pending", E::Pending, false),
            ("inProgress", E::InProgress, false),
            ("complete", E::Complete, true),
            ("failed", E::Failed, true),
        ]);
    }

    #[test]
    fn statuses_in_json_bodies_parse_case_insensitively() {
        let parsed: Vec<OrderItemStatus> =
            serde_json::from_str(r#"["Complete", "CANCELLED", "Report_Pending", "paused"]"#)
                .unwrap();
        assert_eq!(
            parsed,
            [
                OrderItemStatus::Complete,
                OrderItemStatus::Cancelled,
                OrderItemStatus::ReportPending,
                OrderItemStatus::Other("paused".into()),
            ]
        );
        let terminal: Vec<bool> = parsed.iter().map(OrderItemStatus::is_terminal).collect();
        assert_eq!(terminal, [true, true, false, false]);
    }

    #[test]
    fn keeps_unknown_values_verbatim_and_round_trips_them() {
        let status: OrderStatus = serde_json::from_str("\"awaitingSignOff\"").unwrap();
        assert_eq!(status, OrderStatus::Other("awaitingSignOff".into()));
        assert!(!status.is_terminal());
        assert_eq!(
            serde_json::to_string(&status).unwrap(),
            "\"awaitingSignOff\""
        );
    }

    #[test]
    fn serializes_known_values_in_vendor_spelling() {
        assert_eq!(
            serde_json::to_string(&OrderItemStatus::ReportPending).unwrap(),
            "\"reportPending\""
        );
        assert_eq!(ExportStatus::from("complete").to_string(), "complete");
    }
}
