//! Numbered, line-oriented output of the example flows, echoed to stdout and kept for tests.

use std::sync::{Arc, Mutex};

/// Where the flows write what they do. Clones share the recorded lines.
///
/// ```
/// let out = examples::Output::quiet();
/// out.step(1, "Credit report");
/// out.line("return code: Record");
/// assert_eq!(out.lines(), ["", "(1) Credit report", "    return code: Record"]);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Output {
    echo: bool,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Output {
    /// Prints every line to stdout (and records it).
    ///
    /// ```
    /// let out = examples::Output::stdout();
    /// out.line("hello");
    /// ```
    pub fn stdout() -> Self {
        Self {
            echo: true,
            lines: Arc::default(),
        }
    }

    /// Records lines without printing them (tests).
    ///
    /// ```
    /// let out = examples::Output::quiet();
    /// out.line("kept, not printed");
    /// assert_eq!(out.lines().len(), 1);
    /// ```
    pub fn quiet() -> Self {
        Self::default()
    }

    /// A step heading: a blank line, then `(n) title`.
    ///
    /// ```
    /// examples::Output::quiet().step(2, "SECONDUSE");
    /// ```
    pub fn step(&self, number: u32, title: &str) {
        self.push(String::new());
        self.push(format!("({number}) {title}"));
    }

    /// A detail line under the current step, indented.
    ///
    /// ```
    /// examples::Output::quiet().line("done");
    /// ```
    pub fn line(&self, text: impl AsRef<str>) {
        self.push(format!("    {}", text.as_ref()));
    }

    /// A line without indentation.
    ///
    /// ```
    /// examples::Output::quiet().plain("Quickstart");
    /// ```
    pub fn plain(&self, text: impl AsRef<str>) {
        self.push(text.as_ref().to_owned());
    }

    /// Everything written so far.
    ///
    /// ```
    /// let out = examples::Output::quiet();
    /// out.plain("a");
    /// assert_eq!(out.lines(), ["a"]);
    /// ```
    pub fn lines(&self) -> Vec<String> {
        self.lines
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn push(&self, line: String) {
        if self.echo {
            println!("{line}");
        }
        self.lines
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(line);
    }
}
