//! The personal values a request carried, so that a vendor echoing them back (in an error message,
//! a reason text) never puts them into an error or a `Debug`.

use std::sync::Arc;

/// Personal values sent in a request (names, SSN, date of birth, address lines, …), to mask
/// wherever the vendor's text repeats them, in any case and spacing.
///
/// A value matches when the letters and digits of the text, with everything else skipped, spell
/// it, ignoring case, from the start of a word to the end of one: `Jane` is masked in `JANE`,
/// `j a n e` and `Ja-ne`, not in `Janet` (give `JaneDoe` as a value of its own to mask
/// `JANEDOE`). Values with fewer than 2 letters or digits are ignored. `Debug` shows how many
/// values are held, never one.
///
/// ```
/// use credit_valuation_core::KnownValues;
/// let known = KnownValues::new(["Jane", "Doe", "1 Main St"]);
/// assert_eq!(
///     known.mask("no consumer JANE  doe at 1 MAIN ST. Does Janet?"),
///     "no consumer ****  *** at * **** **. Does Janet?"
/// );
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct KnownValues(
    /// Each value folded, followed by a `\n` (never part of a folded value): one allocation
    /// for all of a request's values.
    Arc<str>,
);

impl KnownValues {
    /// Holds `values`, folded to lower-case letters and digits.
    pub fn new<I, S>(values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        // Room for a request's names, SSN and date of birth, without growing on the way.
        let mut folded = String::with_capacity(64);
        for value in values {
            let start = folded.len();
            folded.extend(fold(value.as_ref().chars()).map(|(_, c)| c));
            if folded
                .get(start..)
                .unwrap_or_default()
                .chars()
                .nth(1)
                .is_some()
            {
                folded.push('\n');
            } else {
                folded.truncate(start);
            }
        }
        KnownValues(folded.into())
    }

    fn values(&self) -> std::str::SplitTerminator<'_, char> {
        self.0.split_terminator('\n')
    }

    /// Whether no value is held.
    ///
    /// ```
    /// assert!(credit_valuation_core::KnownValues::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `text` with every occurrence of a held value masked: its letters and digits become `*`.
    ///
    /// ```
    /// let known = credit_valuation_core::KnownValues::new(["666010001"]);
    /// assert_eq!(known.mask("ssn 666-01-0001"), "ssn ***-**-****");
    /// ```
    pub fn mask(&self, text: &str) -> String {
        if self.0.is_empty() {
            return text.to_owned();
        }
        let chars: Vec<char> = text.chars().collect();
        // Each folded letter or digit of the text, with the position of the character it came from.
        let folded: Vec<(usize, char)> = fold(chars.iter().copied()).collect();
        let mut masked = vec![false; chars.len()];
        for value in self.values() {
            let length = value.chars().count();
            let Some(last) = folded.len().checked_sub(length) else {
                continue;
            };
            for start in 0..=last {
                let window = folded.get(start..start + length).unwrap_or_default();
                if window.iter().map(|(_, c)| *c).eq(value.chars()) && whole_words(&chars, window) {
                    for (position, _) in window {
                        if let Some(flag) = masked.get_mut(*position) {
                            *flag = true;
                        }
                    }
                }
            }
        }
        chars
            .iter()
            .zip(masked)
            .map(|(c, masked)| if masked { '*' } else { *c })
            .collect()
    }
}

impl std::fmt::Debug for KnownValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KnownValues(<{} values>)", self.values().count())
    }
}

/// Whether the characters `window` spans start and end a word of the text (`Doe` is not masked
/// in `Does`): their neighbours are not letters or digits.
fn whole_words(chars: &[char], window: &[(usize, char)]) -> bool {
    let (Some((first, _)), Some((last, _))) = (window.first(), window.last()) else {
        return false;
    };
    let outside = |position: Option<usize>| {
        position
            .and_then(|position| chars.get(position))
            .is_none_or(|c| !c.is_alphanumeric())
    };
    outside(first.checked_sub(1)) && outside(last.checked_add(1))
}

/// The lower-case letters and digits of `chars`, each with the position of the character it came
/// from.
fn fold(chars: impl Iterator<Item = char>) -> impl Iterator<Item = (usize, char)> {
    chars
        .enumerate()
        .filter(|(_, c)| c.is_alphanumeric())
        .flat_map(|(position, c)| c.to_lowercase().map(move |lower| (position, lower)))
}
