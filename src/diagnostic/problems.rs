//! Problems of one file, capped per kind: the first few of each code are shown, the rest
//! counted in one line, and those beyond the cap are never built (nor located).

use super::*;

/// Problems of one kind shown per file before the rest are summed up in one line: a file with a
/// million broken links gets ten diagnostics and a count, not 17 MB of JSON.
pub const MAX_PROBLEMS_PER_KIND: usize = 10;

/// The diagnostics of one file, at most [`MAX_PROBLEMS_PER_KIND`] of each code; the rest are
/// counted. [`Self::push_with`] builds a diagnostic only when it will be shown, so a problem
/// beyond the cap costs a count, not a lookup of its line or a did-you-mean search.
#[derive(Debug)]
pub struct FileProblems {
    pub(super) file: PathBuf,
    pub(super) shown: Vec<Diagnostic>,
    /// Per code: how many were shown and how many were not.
    pub(super) counts: Vec<(&'static str, usize, usize)>,
}

impl FileProblems {
    pub fn new(file: impl Into<PathBuf>) -> Self {
        FileProblems {
            file: file.into(),
            shown: Vec::new(),
            counts: Vec::new(),
        }
    }

    /// Counts one problem of `code`, and returns whether it is among those shown.
    fn admit(&mut self, code: &'static str) -> bool {
        let i = match self.counts.iter().position(|(c, ..)| *c == code) {
            Some(i) => i,
            None => {
                self.counts.push((code, 0, 0));
                self.counts.len() - 1
            }
        };
        let (_, shown, hidden) = &mut self.counts[i];
        if *shown < MAX_PROBLEMS_PER_KIND {
            *shown += 1;
            true
        } else {
            *hidden += 1;
            false
        }
    }

    pub fn push(&mut self, d: Diagnostic) {
        if self.admit(d.code) {
            self.shown.push(d);
        }
    }

    /// Adds the problem `make` describes, calling it only if the problem will be shown.
    pub fn push_with(&mut self, code: &'static str, make: impl FnOnce() -> Diagnostic) {
        if self.admit(code) {
            self.shown.push(make());
        }
    }

    /// The diagnostics shown, and per code with more problems a line that counts the rest.
    pub fn finish(mut self) -> Vec<Diagnostic> {
        for (code, _, hidden) in self.counts.iter().filter(|(.., h)| *h > 0) {
            let severity = self
                .shown
                .iter()
                .find(|d| d.code == *code)
                .map(|d| d.severity);
            let message = format!("{hidden} more `{code}` problems in this file not shown");
            let d = match severity {
                Some(Severity::Warning) => {
                    Diagnostic::warning("too-many-problems", &self.file, message)
                }
                _ => Diagnostic::error("too-many-problems", &self.file, message),
            };
            self.shown
                .push(d.hint("fix the ones above first; the rest are probably of the same kind"));
        }
        self.shown
    }
}
