//! Watching the catalogue for saves, the way editors really save: in place, by writing a temp
//! file and renaming it over the original (vim, VS Code, JetBrains), or with backup and swap
//! files beside it. Events are collected until the folder is quiet, then handed over as one batch.
//!
//! Folders are watched, never single files: a file replaced by rename is a new inode, and a
//! watch on the old one would go silent.

use crate::load::is_editor_artifact;
use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind, RemoveKind};
use notify::{Event, EventKind, RecursiveMode, Watcher};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How often `--poll` looks at the files.
const POLL_INTERVAL: Duration = Duration::from_millis(400);
/// A stream of changes that never pauses (a long `git checkout`) still gets a rebuild this often.
const MAX_BATCH_WAIT: Duration = Duration::from_secs(2);
/// How often the polling watcher looks for watched folders that appeared or vanished.
const LAYOUT_CHECK: Duration = Duration::from_secs(2);
/// How long a batch waits for more events once every file written in it was closed or renamed
/// into place (the save is finished), if the debounce is longer: an editor's next steps of the
/// same save come within microseconds, and a writer should not wait the full debounce.
const SETTLE: Duration = Duration::from_millis(15);
/// How often a waiting watcher checks whether the server is stopping.
const STOP_CHECK: Duration = Duration::from_millis(100);

/// Source files that changed together.
#[derive(Debug, Default)]
pub struct Batch {
    /// Changed, created, deleted or renamed paths (both names of a rename). Empty when the
    /// watcher lost track (event queue overflow) and everything must be re-read.
    pub changed: Vec<PathBuf>,
}

/// What [`Watch::next`] saw.
#[derive(Debug)]
pub enum Next {
    Batch(Batch),
    /// Nothing changed for the idle time asked for.
    Idle,
    /// The server is stopping.
    Stopped,
}

/// The events of a batch so far.
#[derive(Debug, Default)]
struct Collected {
    seen: BTreeMap<PathBuf, Seen>,
    /// The watcher lost track (event queue overflow): everything must be read again.
    rescan: bool,
    /// A path was renamed or a folder appeared or vanished: the watches are renewed.
    renamed: bool,
    /// How many paths of `seen` are `writing`, kept as they change so that each event need
    /// not look at every path (a `git checkout` brings thousands).
    writing: usize,
}

/// What happened to one path during a batch.
#[derive(Debug, Default)]
struct Seen {
    /// The path appeared during the batch; if it is gone again at the end it was a temp file.
    created: bool,
    /// The path was written to and not yet closed: a save still under way. Only OS events
    /// that report closing (inotify) clear it; elsewhere a batch waits the full debounce.
    writing: bool,
}

/// The watcher and the folders it watches, kept in step with the catalogue's layout.
pub struct Watch {
    root: PathBuf,
    poll: bool,
    watcher: Box<dyn Watcher + Send>,
    events: Receiver<notify::Result<Event>>,
    watched: BTreeMap<PathBuf, RecursiveMode>,
    theme: Option<String>,
    /// When the polling watcher last looked for new folders.
    layout_checked: Instant,
    /// Problems setting up watches, for the caller to print (e.g. inotify limits).
    pub problems: Vec<String>,
}

impl Watch {
    /// Starts watching `root` (canonical); `poll` uses a polling watcher instead of OS events.
    pub fn new(root: &Path, poll: bool) -> Result<Watch, String> {
        let (tx, events) = mpsc::channel();
        let watcher: Box<dyn Watcher + Send> = if poll {
            let config = notify::Config::default()
                .with_poll_interval(POLL_INTERVAL)
                .with_compare_contents(true);
            Box::new(notify::PollWatcher::new(tx, config).map_err(|e| e.to_string())?)
        } else {
            Box::new(
                notify::recommended_watcher(tx)
                    .map_err(|e| format!("cannot watch files: {e}; try `casebook serve --poll`"))?,
            )
        };
        let mut watch = Watch {
            root: root.to_path_buf(),
            poll,
            watcher,
            events,
            watched: BTreeMap::new(),
            theme: None,
            layout_checked: Instant::now(),
            problems: vec![],
        };
        watch.sync(false);
        Ok(watch)
    }

    /// The watched folders, relative to the root, for the start-up message.
    pub fn describe(&self) -> String {
        self.watched
            .iter()
            .filter(|(_, mode)| **mode == RecursiveMode::Recursive)
            .map(|(p, _)| format!("{}/", p.strip_prefix(&self.root).unwrap_or(p).display()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The folders that should be watched now. With OS events the root and `themes/` are
    /// watched flat, so a `templates/` or theme folder created later is noticed; the polling
    /// watcher would read every file beside them, so it looks for new folders itself
    /// ([`Watch::layout_changed`]).
    fn wanted(&mut self) -> BTreeMap<PathBuf, RecursiveMode> {
        let mut wanted = BTreeMap::new();
        if !self.poll {
            wanted.insert(self.root.clone(), RecursiveMode::NonRecursive);
        }
        let content = self.root.join("content");
        if content.is_dir() {
            wanted.insert(content, RecursiveMode::Recursive);
        }
        let templates = self.root.join("templates");
        if templates.is_dir() {
            wanted.insert(templates, RecursiveMode::Recursive);
        }
        let themes = self.root.join("themes");
        if themes.is_dir() && !self.poll {
            wanted.insert(themes.clone(), RecursiveMode::NonRecursive);
        }
        self.theme = theme_name(&self.root);
        if let Some(theme) = &self.theme {
            let dir = themes.join(theme);
            if dir.is_dir() {
                wanted.insert(dir, RecursiveMode::Recursive);
            }
        }
        wanted
    }

    /// Brings the watches in line with the folders on disk and the theme in site.yaml.
    /// `renew` re-registers everything (after folders were renamed, whose watches may now carry
    /// stale paths); the polling watcher rescans paths anyway and never needs it.
    fn sync(&mut self, renew: bool) {
        let wanted = self.wanted();
        let renew = renew && !self.poll;
        let stale: Vec<PathBuf> = self
            .watched
            .iter()
            .filter(|(p, mode)| renew || wanted.get(*p) != Some(*mode))
            .map(|(p, _)| p.clone())
            .collect();
        for path in stale {
            // Fails when the folder is already gone, which is what we wanted.
            let _ = self.watcher.unwatch(&path);
            self.watched.remove(&path);
        }
        for (path, mode) in wanted {
            if self.watched.contains_key(&path) {
                continue;
            }
            match self.watcher.watch(&path, mode) {
                Ok(()) => {
                    self.watched.insert(path, mode);
                }
                Err(e) => self.problems.push(format!(
                    "cannot watch {}: {e}{}",
                    path.display(),
                    if self.poll {
                        ""
                    } else {
                        "; try `casebook serve --poll`"
                    }
                )),
            }
        }
    }

    /// For the polling watcher, now and then: the watched folders that appeared or vanished
    /// (a new `templates/`, another theme), now watched or dropped.
    fn layout_changed(&mut self) -> Option<Vec<PathBuf>> {
        if !self.poll || self.layout_checked.elapsed() < LAYOUT_CHECK {
            return None;
        }
        self.layout_checked = Instant::now();
        let wanted = self.wanted();
        let changed: Vec<PathBuf> = wanted
            .keys()
            .filter(|p| !self.watched.contains_key(*p))
            .chain(self.watched.keys().filter(|p| !wanted.contains_key(*p)))
            .cloned()
            .collect();
        if changed.is_empty() {
            return None;
        }
        self.sync(false);
        Some(changed)
    }

    /// Blocks until files changed and then stayed quiet for `debounce`. With `idle`, gives up
    /// waiting when nothing at all changed for that long, so the caller can do deferred work
    /// while the user is not saving.
    pub fn next(&mut self, debounce: Duration, idle: Option<Duration>, stop: &AtomicBool) -> Next {
        let waiting_since = Instant::now();
        loop {
            let mut batch = Collected::default();
            // Wait for the first relevant event.
            loop {
                if stop.load(Ordering::Relaxed) {
                    return Next::Stopped;
                }
                if idle.is_some_and(|idle| waiting_since.elapsed() >= idle) {
                    return Next::Idle;
                }
                match self
                    .events
                    .recv_timeout(STOP_CHECK.min(idle.unwrap_or(STOP_CHECK)))
                {
                    Ok(event) => {
                        if self.note(event, &mut batch) {
                            break;
                        }
                    }
                    Err(RecvTimeoutError::Timeout) => {
                        if let Some(changed) = self.layout_changed() {
                            return Next::Batch(Batch { changed });
                        }
                    }
                    Err(RecvTimeoutError::Disconnected) => return Next::Stopped,
                }
            }
            // Collect until quiet: for the debounce, or shortly once every write is finished.
            let started = Instant::now();
            let quiet = |batch: &Collected| match batch.writing {
                0 => debounce.min(SETTLE),
                _ => debounce,
            };
            let mut quiet_at = started + quiet(&batch);
            loop {
                let deadline = quiet_at.min(started + MAX_BATCH_WAIT.max(debounce));
                let Some(wait) = deadline.checked_duration_since(Instant::now()) else {
                    break;
                };
                match self.events.recv_timeout(wait) {
                    Ok(event) => {
                        if self.note(event, &mut batch) {
                            quiet_at = Instant::now() + quiet(&batch);
                        }
                    }
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return Next::Stopped,
                }
            }
            self.sync(batch.renamed);
            // Existence is checked only now: a file that appeared and vanished within the
            // batch was an editor's temp file; one that existed before and is gone was deleted.
            let changed: Vec<PathBuf> = batch
                .seen
                .into_iter()
                .filter(|(path, s)| path.symlink_metadata().is_ok() || !s.created)
                .map(|(path, _)| path)
                .collect();
            if batch.rescan {
                return Next::Batch(Batch { changed: vec![] });
            }
            if !changed.is_empty() {
                return Next::Batch(Batch { changed });
            }
        }
    }

    /// Records an event; true if it concerns the catalogue.
    fn note(&self, event: notify::Result<Event>, batch: &mut Collected) -> bool {
        // Errors come from paths that vanished under the watcher; the next sync drops them.
        let Ok(event) = event else { return false };
        if event.need_rescan() {
            batch.rescan = true;
            return true;
        }
        match event.kind {
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {}
            EventKind::Access(_) => return false,
            _ => {}
        }
        let mut relevant = false;
        for path in &event.paths {
            if !self.is_catalogue_path(path) {
                continue;
            }
            relevant = true;
            let entry = batch.seen.entry(path.clone()).or_default();
            let was_writing = entry.writing;
            match event.kind {
                EventKind::Create(kind) => {
                    entry.created = true;
                    entry.writing = kind != CreateKind::Folder;
                }
                EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any) => entry.writing = true,
                EventKind::Access(_)
                | EventKind::Modify(ModifyKind::Name(_))
                | EventKind::Remove(_) => entry.writing = false,
                _ => {}
            }
            match (was_writing, entry.writing) {
                (false, true) => batch.writing += 1,
                (true, false) => batch.writing -= 1,
                _ => {}
            }
        }
        if relevant
            && matches!(
                event.kind,
                EventKind::Modify(ModifyKind::Name(_))
                    | EventKind::Create(CreateKind::Folder)
                    | EventKind::Remove(RemoveKind::Folder)
            )
        {
            batch.renamed = true;
        }
        relevant
    }

    /// Whether a path belongs to what the build reads: content, the active theme, template
    /// overrides, or those folders themselves; never an editor's backup, swap or temp file.
    fn is_catalogue_path(&self, path: &Path) -> bool {
        let Ok(rel) = path.strip_prefix(&self.root) else {
            return false;
        };
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if parts.iter().any(|p| is_temporary(p)) {
            return false;
        }
        match parts.first().map(String::as_str) {
            Some("content") | Some("templates") => true,
            Some("themes") => match parts.get(1) {
                None => true,
                Some(name) => Some(name) == self.theme.as_ref(),
            },
            _ => false,
        }
    }
}

/// Editor leftovers: backups, swap and lock files, and vim's `4913` write probe (a name made of
/// digits only, which no entry file has).
fn is_temporary(name: &str) -> bool {
    is_editor_artifact(name) || (!name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()))
}

/// The theme named in site.yaml (`default` if none); `None` if it is not a plain folder name.
fn theme_name(root: &Path) -> Option<String> {
    let text = std::fs::read_to_string(root.join("content").join("site.yaml")).ok();
    let named = text
        .and_then(|t| crate::source::yaml::from_str::<crate::source::yaml::Value>(&t).ok())
        .and_then(|v| v.get("theme")?.as_str().map(str::to_string))
        .unwrap_or_else(|| "default".to_string());
    let plain = !named.is_empty()
        && named != "."
        && named != ".."
        && !named.contains(['/', '\\'])
        && !is_temporary(&named);
    plain.then_some(named)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A save that is finished (the file closed) ends its batch without the debounce; one
    /// still under way (the file open after writing) waits for it. inotify reports closing.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_finished_save_does_not_wait_for_the_debounce() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("content/orte")).unwrap();
        let mut watch = Watch::new(&root, false).unwrap();
        let stop = AtomicBool::new(false);
        let file = root.join("content/orte/a.md");

        let long = Duration::from_secs(10);
        std::fs::write(&file, "---\ntitle: A\n---\n").unwrap();
        let start = Instant::now();
        let Next::Batch(batch) = watch.next(long, None, &stop) else {
            panic!("no batch")
        };
        assert_eq!(batch.changed, vec![file.clone()]);
        assert!(start.elapsed() < long / 2, "waited {:?}", start.elapsed());

        let short = Duration::from_millis(300);
        let mut open = std::fs::OpenOptions::new()
            .append(true)
            .open(&file)
            .unwrap();
        open.write_all(b"Text\n").unwrap();
        let start = Instant::now();
        let Next::Batch(batch) = watch.next(short, None, &stop) else {
            panic!("no batch")
        };
        assert_eq!(batch.changed, vec![file.clone()]);
        assert!(
            start.elapsed() >= short,
            "waited only {:?}",
            start.elapsed()
        );
        drop(open);
    }

    #[test]
    fn temporary_names_are_recognised() {
        for name in [
            "x.md~",
            ".x.md.swp",
            "4913",
            "5036",
            "#x.md#",
            ".#x.md",
            "x.md___jb_tmp___",
            "x.md___jb_old___",
            ".git",
        ] {
            assert!(is_temporary(name), "{name}");
        }
        for name in ["x.md", "2024-bericht.md", "site.yaml", "orte"] {
            assert!(!is_temporary(name), "{name}");
        }
    }
}
