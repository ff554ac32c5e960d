//! Masking the numbers that may be personal data in text taken from the network: identifiers,
//! account and phone numbers, dates (also with month names).

/// Masks every number of 4 or more digits, and every date, in `text`; short numbers such as field
/// lengths (`16`) stay readable.
///
/// A number is a sequence of digit groups joined by up to 3 separator characters in any mix
/// (spaces, `.`, `-`, `_`, `/`, `(`, `)`, `,` and their full-width and other Unicode forms), so
/// `666 - 01 - 0001`, `666_01_0001` and `(412) 555-0100` are one number each. Its digits become `#`
/// and its separators are kept. A month name or its abbreviation joined to a number that way
/// (`April 12, 1980`, `12 Apr 1980`) makes the whole a date, masked whatever its digit count,
/// month included. A digit is any Unicode numeric character, not only ASCII (`６６６０１０００１`).
///
/// ```
/// use credit_valuation_core::mask_digit_runs;
///
/// assert_eq!(mask_digit_runs("ssn 666 - 01 - 0001, max 16"), "ssn ### - ## - ####, max 16");
/// assert_eq!(mask_digit_runs("call (412) 555-0100"), "call (###) ###-####");
/// assert_eq!(mask_digit_runs("born April 12, 1980"), "born ##### ##, ####");
/// assert_eq!(mask_digit_runs("ssn ６６６０１０００１"), "ssn #########");
/// ```
pub fn mask_digit_runs(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let atoms = atoms(&chars);
    let mut masked = vec![false; chars.len()];
    let mut first = 0;
    while first < atoms.len() {
        let mut last = first;
        while atoms.get(last + 1).is_some_and(|next| {
            let gap = chars.get(atoms[last].end..next.start).unwrap_or_default();
            gap.len() <= MAX_GAP && gap.iter().copied().all(is_separator)
        }) {
            last += 1;
        }
        let group = atoms.get(first..=last).unwrap_or_default();
        let digits: usize = group.iter().map(|atom| atom.digits).sum();
        let has_month = group.iter().any(|atom| atom.digits == 0);
        if digits >= MIN_DIGITS || (has_month && digits > 0) {
            for atom in group {
                masked
                    .get_mut(atom.start..atom.end)
                    .into_iter()
                    .flatten()
                    .for_each(|flag| *flag = true);
            }
        }
        first = last + 1;
    }
    chars
        .iter()
        .zip(masked)
        .map(|(c, masked)| if masked { '#' } else { *c })
        .collect()
}

/// The fewest digits a number needs to be masked.
const MIN_DIGITS: usize = 4;

/// The most separator characters that still join two groups of one number (` - ` is 3).
const MAX_GAP: usize = 3;

/// A run of digits, or a month's name (`digits == 0`), by character positions `start..end`.
struct Atom {
    start: usize,
    end: usize,
    digits: usize,
}

fn atoms(chars: &[char]) -> Vec<Atom> {
    let mut atoms = Vec::new();
    let mut index = 0;
    while let Some(&c) = chars.get(index) {
        let start = index;
        if is_digit(c) {
            while chars.get(index).copied().is_some_and(is_digit) {
                index += 1;
            }
            atoms.push(Atom {
                start,
                end: index,
                digits: index - start,
            });
        } else if c.is_alphabetic() {
            while chars.get(index).is_some_and(|c| c.is_alphabetic()) {
                index += 1;
            }
            if is_month(chars.get(start..index).unwrap_or_default()) {
                atoms.push(Atom {
                    start,
                    end: index,
                    digits: 0,
                });
            }
        } else {
            index += 1;
        }
    }
    atoms
}

/// A month's English name or its three-letter abbreviation (`sept` too), in any case.
fn is_month(word: &[char]) -> bool {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    if !(3..=9).contains(&word.len()) {
        return false;
    }
    let word: String = word.iter().flat_map(|c| c.to_lowercase()).collect();
    word == "sept"
        || MONTHS
            .iter()
            .any(|month| *month == word || month.get(..3) == Some(word.as_str()))
}

/// A decimal digit in any script (`char::is_numeric`, which also counts other numerals such as
/// `²` or `Ⅻ`: masking one of those too costs a little readability and never lets a number
/// through).
fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric())
}

/// What may join the groups of one number: `666 01 0001`, `666.01.0001`, `666-01-0001`,
/// `666_01_0001`, `01/02/1980`, `(412) 555`, `April 12, 1980`, and the same separators as they come
/// with full-width digits or from a word processor (a no-break space, Unicode hyphens and dashes).
fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '.'
            | '-'
            | '_'
            | '/'
            | '('
            | ')'
            | ','
            | '\u{a0}' // no-break space
            | '\u{2010}'..='\u{2015}' // hyphens and dashes
            | '\u{2212}' // minus sign
            | '\u{2215}' // division slash
            | '\u{3000}' // ideographic (full-width) space
            | '\u{ff08}' | '\u{ff09}' // full-width parentheses
            | '\u{ff0c}'..='\u{ff0f}' // full-width comma, hyphen-minus, full stop, solidus
            | '\u{ff3f}' // full-width low line
    )
}

#[cfg(test)]
mod tests {
    use super::mask_digit_runs;

    /// Input and expected output.
    #[test]
    fn masking_table() {
        let table = [
            ("", ""),
            ("no digits", "no digits"),
            ("123", "123"),
            ("-123", "-123"),
            ("1234", "####"),
            ("ends 1234.", "ends ####."),
            ("123456789", "#########"),
            ("123-45-6789", "###-##-####"),
            ("666 01 0001", "### ## ####"),
            ("666.01.0001", "###.##.####"),
            ("666/01/0001", "###/##/####"),
            ("666_01_0001", "###_##_####"),
            ("666 - 01 - 0001", "### - ## - ####"),
            ("666 _01.- 0001", "### _##.- ####"),
            ("12  34", "##  ##"),
            ("01/02/1980!", "##/##/####!"),
            ("1980-01-02", "####-##-##"),
            ("(412) 555-0100", "(###) ###-####"),
            ("+1 (412) 555 0100", "+# (###) ### ####"),
            ("412.555.0100", "###.###.####"),
            ("April 12, 1980", "##### ##, ####"),
            ("12 Apr 1980", "## ### ####"),
            ("born 12-APR-1980", "born ##-###-####"),
            ("sept 3", "#### #"),
            ("may I ask", "may I ask"),
            ("６６６０１０００１", "#########"),
            ("６６６－０１－０００１", "###－##－####"),
            ("６６６　０１　０００１", "###　##　####"),
            ("666\u{a0}01\u{2013}0001", "###\u{a0}##\u{2013}####"),
            ("66６0", "####"),
            ("٦٦٦٠١٠٠٠١", "#########"),
            ("६६६०१", "#####"),
            ("max １６", "max １６"),
            ("a 12 b 345", "a 12 b 345"),
            ("1 2 3", "1 2 3"),
            ("1 2 3 4", "# # # #"),
            ("SSN666010001", "SSN#########"),
            ("max 16, min 2", "max 16, min 2"),
            ("max 16 characters", "max 16 characters"),
            ("v1.2.3", "v1.2.3"),
            ("E012", "E012"),
            ("12    34", "12    34"),
        ];
        for (input, expected) in table {
            assert_eq!(mask_digit_runs(input), expected, "input {input:?}");
        }
    }
}
