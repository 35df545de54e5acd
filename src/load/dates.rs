//! When each entry was last updated: its `updated` field, else git's date of its last commit,
//! else the file's time.

use super::*;

/// Where the last update date (`YYYY-MM-DD`) of an entry or page comes from: the date the entry
/// gives itself (`roles: updated:`), else the newest git commit touching the file if the
/// catalogue is in git, else the file's modification time. One `git log` call for the whole
/// catalogue, not one per file; `serve` keeps the result and dates each file it reads again the
/// same way.
#[derive(Debug, Clone, Default)]
pub struct Dates {
    /// Shared: `serve` takes it over from one rebuild to the next.
    git: std::sync::Arc<HashMap<String, String>>,
    /// The catalogue is a shallow clone: git knows only the newest commits, so its dates are
    /// those of the clone's first commit rather than of the last change.
    shallow: bool,
    /// The field that lets an entry set its own date, for the shallow-clone warning's hint.
    own_date_field: Option<String>,
}

impl Dates {
    pub fn read(config: &Config) -> Dates {
        let git = git_dates(config);
        Dates {
            shallow: git.is_some() && is_shallow(config),
            git: std::sync::Arc::new(git.unwrap_or_default()),
            own_date_field: config.roles.updated.clone(),
        }
    }

    /// A warning, once per build, when the dates come from a shallow clone: every entry whose
    /// last change is older than the clone would be dated to its one commit.
    pub fn warning(&self) -> Option<Diagnostic> {
        self.shallow.then(|| {
            Diagnostic::warning(
                "shallow-clone",
                "content",
                "the catalogue is a shallow git clone: last-update dates are those of the clone's first commit, the same for every entry changed before it",
            )
            .hint(match &self.own_date_field {
                Some(f) => format!("fetch the whole history (`git fetch --unshallow`; in CI a checkout with `fetch-depth: 0`), or give entries their date in `{f}:`"),
                None => "fetch the whole history (`git fetch --unshallow`; in CI a checkout with `fetch-depth: 0`), or name a date field under `roles: updated:` in site.yaml and give entries their date there".to_string(),
            })
        })
    }

    /// The date of the file at `rel` (below `content/`).
    pub fn of(&self, (rel, modified, own): Dated<'_>) -> Option<String> {
        if let Some(date) = own {
            return Some(date.to_string());
        }
        if let Some(date) = self.git.get(rel) {
            return Some(date.clone());
        }
        let stamp = humantime::format_rfc3339_seconds(modified?).to_string();
        Some(stamp[..10].to_string())
    }

    /// The date of every entry and page, by content path.
    pub fn all(&self, checked: &crate::model::Checked) -> crate::model::Updated {
        let files = checked
            .entries
            .iter()
            .map(|e| (e.rel_path.as_str(), e.modified, e.updated.as_deref()))
            .chain(
                checked
                    .pages
                    .iter()
                    .map(|p| (p.rel_path.as_str(), p.modified, None)),
            );
        files
            .filter_map(|file| Some((file.0.to_string(), self.of(file)?)))
            .collect()
    }

    /// Dates again, in `updated`, the files just read again.
    pub fn refresh<'a>(
        &self,
        updated: &mut crate::model::Updated,
        files: impl IntoIterator<Item = Dated<'a>>,
    ) {
        for file in files {
            match self.of(file) {
                Some(date) => updated.insert(file.0.to_string(), date),
                None => updated.remove(file.0),
            };
        }
    }
}

/// Whether the git repository holding the catalogue is a shallow clone.
fn is_shallow(config: &Config) -> bool {
    std::process::Command::new("git")
        .arg("-C")
        .arg(&config.content_dir)
        .args(["rev-parse", "--is-shallow-repository"])
        .stderr(std::process::Stdio::null())
        .output()
        .is_ok_and(|out| out.status.success() && out.stdout.trim_ascii() == b"true")
}

fn git_dates(config: &Config) -> Option<HashMap<String, String>> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(&config.content_dir)
        .args([
            "log",
            "--format=%x00%cs",
            "--name-only",
            "--relative",
            "--no-renames",
            "--",
            ".",
        ])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut dates = HashMap::new();
    let mut current = "";
    for line in text.lines() {
        if let Some(date) = line.strip_prefix('\0') {
            current = date;
        } else if !line.is_empty() && !current.is_empty() {
            dates
                .entry(line.to_string())
                .or_insert_with(|| current.to_string());
        }
    }
    Some(dates)
}
