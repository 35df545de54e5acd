//! The watcher's side of serve: rebuilds the session after a batch of changes, swaps the
//! served files, tells the open tabs (reload, stylesheet swap, error overlay) and refreshes
//! the exports and the search index after a pause.

use super::*;

/// Owns the build session; runs on the watcher thread.
pub(super) struct Builder {
    pub(super) session: Session,
    pub(super) shared: Arc<Shared>,
    pub(super) log: Log,
    pub(super) root: PathBuf,
    pub(super) instance: String,
    pub(super) generation: u64,
    /// Warnings last printed, so an unchanged list is not repeated on every save.
    pub(super) warnings: Vec<Diagnostic>,
}

impl Builder {
    pub(super) fn rebuild(&mut self, changed: &[PathBuf]) -> Rebuild {
        let start = Instant::now();
        catch_unwind(AssertUnwindSafe(|| self.session.rebuild(changed))).unwrap_or_else(|_| {
            Rebuild {
                ok: false,
                diagnostics: vec![Diagnostic::error(
                    "internal-error",
                    "",
                    "the build crashed; this is a bug in casebook, please report it",
                )],
                changed: vec![],
                changed_entry_url: None,
                rendered: 0,
                steps: vec![],
                duration: start.elapsed(),
            }
        })
    }

    pub(super) fn next_build(&mut self) -> String {
        self.generation += 1;
        format!("{}-{}", self.instance, self.generation)
    }

    pub(super) fn apply_first(&mut self, rebuild: &Rebuild) {
        if !rebuild.ok {
            self.fail(rebuild, &[]);
            return;
        }
        self.print_warnings(&rebuild.diagnostics);
        let files = self.session.files();
        let pages = files.keys().filter(|k| k.ends_with(".html")).count();
        let build = self.next_build();
        self.shared.set(Served {
            files: Arc::clone(&files),
            build,
            failure: None,
        });
        self.log.info(&format!(
            "built {pages} pages ({} files) in {} ms",
            files.len(),
            rebuild.duration.as_millis()
        ));
    }

    pub(super) fn apply(&mut self, rebuild: &Rebuild, sources: &[PathBuf]) {
        if !rebuild.ok {
            self.fail(rebuild, sources);
            return;
        }
        self.print_warnings(&rebuild.diagnostics);
        let current = self.shared.served();
        let took = rebuild.duration.as_millis();
        let sources = describe(&self.root, sources);
        if rebuild.changed.is_empty() {
            if current.failure.is_some() {
                self.shared.set(Served {
                    files: Arc::clone(&current.files),
                    build: current.build.clone(),
                    failure: None,
                });
                self.shared.hub.broadcast(&live::clear(&current.build));
            }
            self.log.info(&format!(
                "rebuilt in {took} ms: no output changed ({sources})"
            ));
            return;
        }
        let build = self.next_build();
        self.shared.set(Served {
            files: self.session.files(),
            build: build.clone(),
            failure: None,
        });
        let count = rebuild.changed.len();
        let plural = if count == 1 { "file" } else { "files" };
        if rebuild.css_only() {
            self.shared
                .hub
                .broadcast(&live::css(&build, &rebuild.changed));
            self.log.info(&format!(
                "rebuilt in {took} ms: {count} {plural} changed, stylesheets swapped ({sources})"
            ));
        } else {
            self.shared.hub.broadcast(&live::reload(
                &build,
                &rebuild.changed,
                rebuild.changed_entry_url.as_deref(),
            ));
            self.log.info(&format!(
                "rebuilt in {took} ms: {count} {plural} changed ({sources})"
            ));
        }
    }

    /// Keeps the last good site, tells the tabs and the terminal what is wrong.
    pub(super) fn fail(&mut self, rebuild: &Rebuild, sources: &[PathBuf]) {
        let failure = Arc::new(Failure::new(
            rebuild.diagnostics.clone(),
            &self.session.words(),
        ));
        let current = self.shared.served();
        self.shared.set(Served {
            files: Arc::clone(&current.files),
            build: current.build.clone(),
            failure: Some(Arc::clone(&failure)),
        });
        self.shared.hub.broadcast(&live::build_error(&failure.json));
        self.log.diagnostics(&failure.diagnostics);
        let errors = failure.error_count();
        let warnings = failure.diagnostics.len() - errors;
        let shown = if sources.is_empty() {
            String::new()
        } else {
            format!(" ({})", describe(&self.root, sources))
        };
        let keeping = if current.build.is_empty() {
            "the browser shows them until they are fixed"
        } else {
            "the browser shows them over the last good site"
        };
        self.log.error(&format!(
            "build failed in {} ms{shown}: {errors} error(s), {warnings} warning(s); {keeping}",
            rebuild.duration.as_millis()
        ));
        self.warnings.clear();
    }

    pub(super) fn print_warnings(&mut self, diagnostics: &[Diagnostic]) {
        if diagnostics != self.warnings.as_slice() {
            self.log.diagnostics(diagnostics);
            self.warnings = diagnostics.to_vec();
        }
    }

    /// Brings the exports and the search index up to date with the site just served. The pages
    /// do not change, so the tabs are not told; the next search simply finds the new text.
    pub(super) fn refresh_deferred(&mut self) {
        let start = Instant::now();
        match self.session.update_deferred() {
            Ok(changed) if changed.is_empty() => return,
            Ok(_) => {}
            Err(failed) => return self.fail(&failed, &[]),
        }
        let current = self.shared.served();
        self.shared.set(Served {
            files: self.session.files(),
            build: current.build.clone(),
            failure: current.failure.clone(),
        });
        self.log.detail(&format!(
            "exports and search index updated in {} ms",
            start.elapsed().as_millis()
        ));
    }
}

/// `content/orte/x.md`, or `content/orte/x.md and 2 more`.
pub(super) fn describe(root: &Path, sources: &[PathBuf]) -> String {
    let shown = |p: &PathBuf| display_path(root, p).display().to_string();
    match sources {
        [] => "everything".into(),
        [one] => shown(one),
        [first, rest @ ..] => format!("{} and {} more", shown(first), rest.len()),
    }
}

// --- the terminal -------------------------------------------------------------------------------
