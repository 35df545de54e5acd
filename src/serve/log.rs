//! What serve prints: one line per rebuild, warnings and errors with their diagnostics,
//! coloured on a terminal.

use super::*;

/// Messages to stderr, control characters escaped (they name files and repeat titles). Write
/// errors are ignored: a closed terminal must not stop the server.
#[derive(Debug, Clone, Copy)]
pub(super) struct Log {
    pub(super) quiet: bool,
    pub(super) verbose: bool,
    pub(super) color: bool,
}

impl Log {
    pub(super) fn new(options: &ServeOptions) -> Log {
        Log {
            quiet: options.quiet,
            verbose: options.verbose,
            color: options.color,
        }
    }

    pub(super) fn line(&self, text: &str) {
        let _ = writeln!(std::io::stderr(), "{text}");
    }

    pub(super) fn label(&self, name: &str, color: &str) -> String {
        if self.color {
            format!("\x1b[{color}m{name}\x1b[0m")
        } else {
            name.to_string()
        }
    }

    pub(super) fn info(&self, text: &str) {
        if !self.quiet {
            self.line(&escape_controls(text));
        }
    }

    pub(super) fn detail(&self, text: &str) {
        if self.verbose {
            self.line(&escape_controls(text));
        }
    }

    pub(super) fn warn(&self, text: &str) {
        if !self.quiet {
            let text = escape_controls(text);
            self.line(&format!("{}: {text}", self.label("warning", "1;33")));
        }
    }

    pub(super) fn error(&self, text: &str) {
        let text = escape_controls(text);
        self.line(&format!("{}: {text}", self.label("error", "1;31")));
    }

    /// As `casebook check` prints them.
    pub(super) fn diagnostics(&self, diagnostics: &[Diagnostic]) {
        for d in diagnostics {
            if self.quiet && !d.is_error() {
                continue;
            }
            self.line(&d.render(self.color));
        }
    }
}
