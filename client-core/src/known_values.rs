//! The personal values a request carried, so that a vendor echoing them back (in an error message,
//! a reason text) never puts them into an error or a `Debug`.

use std::fmt::Write as _;
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
    /// The letters and digits of each value, followed by a `\n` (never one of them): one
    /// allocation for all of a request's values. Lower-cased only when a text is masked, which
    /// few calls ever do.
    Arc<str>,
);

impl KnownValues {
    /// Holds the letters and digits of each of `values` as it displays (a value made of parts,
    /// such as a name written as one word, needs no string of its own).
    pub fn new<I, S>(values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: std::fmt::Display,
    {
        // Room for a request's names, SSN and date of birth, without growing on the way.
        let mut kept = AlphanumericOnly(String::with_capacity(64));
        for value in values {
            let start = kept.0.len();
            // Writing into a `String` cannot fail; a `Display` that fails leaves what it wrote.
            let _ = write!(kept, "{value}");
            if kept
                .0
                .get(start..)
                .unwrap_or_default()
                .chars()
                .nth(1)
                .is_some()
            {
                kept.0.push('\n');
            } else {
                kept.0.truncate(start);
            }
        }
        KnownValues(kept.0.into())
    }

    /// Each value, folded as the text is.
    fn values(&self) -> impl Iterator<Item = Vec<char>> + '_ {
        self.0
            .split_terminator('\n')
            .map(|value| fold(value.chars()).map(|(_, c)| c).collect())
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
            let length = value.len();
            let Some(last) = folded.len().checked_sub(length) else {
                continue;
            };
            for start in 0..=last {
                let window = folded.get(start..start + length).unwrap_or_default();
                if window.iter().map(|(_, c)| *c).eq(value.iter().copied())
                    && whole_words(&chars, window)
                {
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
        write!(
            f,
            "KnownValues(<{} values>)",
            self.0.split_terminator('\n').count()
        )
    }
}

/// A `String` that keeps only the letters and digits written to it.
struct AlphanumericOnly(String);

impl std::fmt::Write for AlphanumericOnly {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        self.0.extend(text.chars().filter(|c| c.is_alphanumeric()));
        Ok(())
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
