//! Helpers shared by the CLI integration tests: running the real `casebook` binary with a
//! deadline, temporary catalogue copies, directory snapshots, and reading diagnostics back from
//! `check --format json` and from the human output.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

pub mod html;
pub mod lsp;

use casebook::source::yaml;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The binary under test, built by cargo for the integration tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_casebook");

/// How much CPU time any single casebook command may use before it counts as a hang.
///
/// Busy hangs (a quadratic loop) are caught by CPU time rather than wall time, because the test
/// machine is shared: under a load of 10 on 2 cores a 1 s job can take 5 s of wall time.
pub const DEADLINE: Duration = Duration::from_secs(5);

/// Wall-clock limit, for hangs that burn no CPU (a process blocked on a FIFO).
pub const WALL_LIMIT: Duration = Duration::from_secs(20);

/// The repository root (the bundled catalogue lives here).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture folder below `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    repo_root().join("tests/fixtures").join(name)
}

/// A fresh, uniquely named directory below the system temp dir, removed on drop.
pub struct TempDir(tempfile::TempDir);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        let dir = tempfile::Builder::new()
            .prefix(&format!("casebook-test-{label}-"))
            .tempdir()
            .expect("create temp dir");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }

    pub fn join(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.0.path().join(rel)
    }
}

/// Copies a directory tree (regular files and folders only).
/// Makes a copied catalogue at `root` one in German only: `language: de` for `languages:
/// [de, en]` (the English labels stay, unused), and the translations (`x.en.md`, `x.en.yaml`),
/// which would be documents of their own then, removed. For tests of what one language does.
pub fn in_one_language(root: &Path) {
    let content = root.join("content");
    let site = content.join("site.yaml");
    let text = std::fs::read_to_string(&site).expect("site.yaml");
    let text = text.replacen("\nlanguages: [de, en]\n", "\nlanguage: de\n", 1);
    std::fs::write(&site, text).expect("write site.yaml");
    for folder in std::fs::read_dir(&content).expect("content").flatten() {
        for file in std::fs::read_dir(folder.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = file.file_name().to_string_lossy().into_owned();
            if name.ends_with(".en.md") || name.ends_with(".en.yaml") {
                std::fs::remove_file(file.path()).expect("remove a translation");
            }
        }
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("create {}: {e}", to.display()));
    let entries =
        std::fs::read_dir(from).unwrap_or_else(|e| panic!("read {}: {e}", from.display()));
    for entry in entries {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        let kind = entry.file_type().expect("file type");
        if kind.is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target)
                .unwrap_or_else(|e| panic!("copy {}: {e}", entry.path().display()));
        }
    }
}

/// A temp dir holding a copy of a fixture catalogue at `<tmp>/catalogue`.
pub fn catalogue_copy(fixture_name: &str) -> (TempDir, PathBuf) {
    let tmp = TempDir::new(fixture_name);
    let root = tmp.join("catalogue");
    copy_dir(&fixture(fixture_name), &root);
    (tmp, root)
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
    pub elapsed: Duration,
    pub command: String,
}

impl Run {
    /// Everything the run printed, for assertion messages.
    pub fn output(&self) -> String {
        format!(
            "$ {}\nexit: {:?}{}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.command,
            self.code,
            if self.timed_out {
                " (killed: timeout)"
            } else {
                ""
            },
            cut(&self.stdout, 4000),
            cut(&self.stderr, 4000)
        )
    }

    pub fn panicked(&self) -> bool {
        self.stderr.contains("panicked") || self.code == Some(101)
    }

    /// Fails unless the run finished in time, without a panic, with the given exit code.
    pub fn assert_exit(&self, code: i32) {
        assert!(
            !self.timed_out,
            "hang: still running after {DEADLINE:?}\n{}",
            self.output()
        );
        assert!(!self.panicked(), "panic\n{}", self.output());
        assert_eq!(self.code, Some(code), "exit code\n{}", self.output());
    }
}

/// Shortens long output for assertion messages.
pub fn cut(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}… ({} bytes in all)", &s[..i], s.len()),
        None => s.to_string(),
    }
}

/// Runs `casebook` with `args`, killing it once it has used `deadline` of CPU time or
/// [`WALL_LIMIT`] (at least `deadline`) of wall time. Output is drained on threads so a chatty
/// process cannot block on a full pipe.
pub fn run_with_deadline<S: AsRef<OsStr>>(args: &[S], deadline: Duration) -> Run {
    run_in(None, args, deadline)
}

/// Like [`run_with_deadline`], in the working directory `cwd`.
pub fn run_in<S: AsRef<OsStr>>(cwd: Option<&Path>, args: &[S], deadline: Duration) -> Run {
    run_with_stdio(cwd, args, deadline, None, None)
}

/// Like [`run_in`], with stdout and stderr sent elsewhere when given (a closed pipe,
/// `/dev/full`); what goes elsewhere reads as empty in the [`Run`].
pub fn run_with_stdio<S: AsRef<OsStr>>(
    cwd: Option<&Path>,
    args: &[S],
    deadline: Duration,
    stdout: Option<Stdio>,
    stderr: Option<Stdio>,
) -> Run {
    let command = std::iter::once(BIN.to_string())
        .chain(
            args.iter()
                .map(|a| a.as_ref().to_string_lossy().into_owned()),
        )
        .collect::<Vec<_>>()
        .join(" ");
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env("NO_COLOR", "1")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(stdout.unwrap_or_else(Stdio::piped))
        .stderr(stderr.unwrap_or_else(Stdio::piped));
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    let start = Instant::now();
    let mut child = cmd.spawn().expect("spawn casebook");
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut buf);
            }
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let mut timed_out = false;
    let wall_limit = WALL_LIMIT.max(deadline);
    let pid = child.id();
    let status = loop {
        match child.try_wait().expect("wait for casebook") {
            Some(status) => break status,
            None if cpu_time(pid) > deadline || start.elapsed() > wall_limit => {
                timed_out = true;
                let _ = child.kill();
                break child.wait().expect("reap casebook");
            }
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    };
    Run {
        code: status.code(),
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
        timed_out,
        elapsed: start.elapsed(),
        command,
    }
}

/// CPU time (user + system) a running process has used so far, from `/proc/<pid>/stat`.
pub fn cpu_time(pid: u32) -> Duration {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return Duration::ZERO;
    };
    // Fields after the command name in parentheses: state is field 3, utime 14, stime 15,
    // counted in clock ticks of 1/100 s (USER_HZ on Linux).
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}

/// Runs `casebook` with the standard deadline.
pub fn casebook<S: AsRef<OsStr>>(args: &[S]) -> Run {
    run_with_deadline(args, DEADLINE)
}

/// `casebook --root <root> check --format json`, parsed.
pub fn check_json(root: &Path) -> (Run, Option<Json>) {
    let run = casebook(&[
        OsStr::new("--root"),
        root.as_os_str(),
        OsStr::new("check"),
        OsStr::new("--format"),
        OsStr::new("json"),
    ]);
    let json = serde_json::from_str(&run.stdout).ok();
    (run, json)
}

/// `casebook --root <root> check` (human output on stderr).
pub fn check_human(root: &Path) -> Run {
    casebook(&[OsStr::new("--root"), root.as_os_str(), OsStr::new("check")])
}

/// `casebook --root <root> build --output <out> [extra...]`.
pub fn build(root: &Path, out: &Path, extra: &[&str]) -> Run {
    build_within(root, out, extra, DEADLINE)
}

/// How much CPU time a build of the bundled catalogue may take: in two languages it has about
/// 3,500 pages, 5–6 s of CPU in a debug build.
pub const BUNDLED_DEADLINE: Duration = Duration::from_secs(30);

/// `casebook build` of the bundled catalogue (the repository's `content/`) into `out`.
pub fn build_bundled(out: &Path, extra: &[&str]) -> Run {
    build_within(&repo_root(), out, extra, BUNDLED_DEADLINE)
}

fn build_within(root: &Path, out: &Path, extra: &[&str], deadline: Duration) -> Run {
    let mut args: Vec<&OsStr> = vec![
        OsStr::new("--root"),
        root.as_os_str(),
        OsStr::new("build"),
        OsStr::new("--output"),
        out.as_os_str(),
    ];
    args.extend(extra.iter().map(OsStr::new));
    run_with_deadline(&args, deadline)
}

/// One diagnostic as both output formats carry it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diag {
    pub severity: String,
    pub code: String,
    pub message: String,
    pub file: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub source_line: Option<String>,
    pub expected: Option<String>,
    pub found: Option<String>,
    pub hint: Option<String>,
    /// The second place the diagnostic points at, as `file`, `file:line` or `file:line:column`.
    pub also: Option<String>,
}

impl Diag {
    pub fn is_error(&self) -> bool {
        self.severity == "error"
    }
}

/// The diagnostics of a `check --format json` document.
pub fn json_diags(json: &Json) -> Vec<Diag> {
    let text = |d: &Json, k: &str| d.get(k).and_then(Json::as_str).map(str::to_string);
    json["diagnostics"]
        .as_array()
        .expect("diagnostics array")
        .iter()
        .map(|d| Diag {
            severity: text(d, "severity").unwrap_or_default(),
            code: text(d, "code").unwrap_or_default(),
            message: text(d, "message").unwrap_or_default(),
            file: text(d, "file").unwrap_or_default(),
            line: d.get("line").and_then(Json::as_u64),
            column: d.get("column").and_then(Json::as_u64),
            source_line: text(d, "source_line"),
            expected: text(d, "expected"),
            found: text(d, "found"),
            hint: text(d, "hint"),
            also: d.get("also").map(|p| {
                let file = text(p, "file").unwrap_or_default();
                match (p["line"].as_u64(), p["column"].as_u64()) {
                    (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
                    (Some(l), None) => format!("{file}:{l}"),
                    _ => file,
                }
            }),
        })
        .collect()
}

/// Reads diagnostics back from the human (rustc-style) output:
///
/// ```text
/// error[unknown-term]: unknown term `parkin`
///  --> content/orte/x.md:3:9
///   |
/// 3 | thema: [parkin]
///   |         ^^^^^^
///  ::: content/orte/y.md      (a second place, if any)
///   = found: …
///   = expected: …
///   = help: did you mean `parking`?
/// ```
pub fn human_diags(stderr: &str) -> Vec<Diag> {
    let mut out: Vec<Diag> = Vec::new();
    for line in stderr.lines() {
        if let Some((severity, rest)) = line
            .strip_prefix("error[")
            .map(|r| ("error", r))
            .or_else(|| line.strip_prefix("warning[").map(|r| ("warning", r)))
        {
            if let Some((code, message)) = rest.split_once("]: ") {
                out.push(Diag {
                    severity: severity.into(),
                    code: code.into(),
                    message: message.into(),
                    file: String::new(),
                    line: None,
                    column: None,
                    source_line: None,
                    expected: None,
                    found: None,
                    hint: None,
                    also: None,
                });
                continue;
            }
        }
        let Some(d) = out.last_mut() else { continue };
        let trimmed = line.trim_start();
        if let Some(location) = trimmed.strip_prefix("--> ") {
            if d.file.is_empty() {
                let (file, line_no, column) = split_location(location);
                d.file = file;
                d.line = line_no;
                d.column = column;
            }
        } else if let Some(location) = trimmed.strip_prefix("::: ") {
            d.also = Some(location.to_string());
        } else if let Some(v) = trimmed.strip_prefix("= help: ") {
            d.hint = Some(v.to_string());
        } else if let Some(v) = trimmed.strip_prefix("= expected: ") {
            d.expected = Some(v.to_string());
        } else if let Some(v) = trimmed.strip_prefix("= found: ") {
            d.found = Some(v.to_string());
        } else if let Some(n) = d.line {
            let prefix = format!("{n} | ");
            if d.source_line.is_none() {
                if let Some(src) = line.strip_prefix(&prefix) {
                    d.source_line = Some(src.to_string());
                } else if line == format!("{n} |") {
                    d.source_line = Some(String::new());
                }
            }
        }
    }
    out
}

/// Splits `path:line:column`, `path:line` or `path` (the path itself may contain colons).
fn split_location(location: &str) -> (String, Option<u64>, Option<u64>) {
    let parts: Vec<&str> = location.rsplitn(3, ':').collect();
    let num = |s: &str| s.parse::<u64>().ok();
    match parts.as_slice() {
        [c, l, f] if num(c).is_some() && num(l).is_some() => (f.to_string(), num(l), num(c)),
        [l, rest @ ..] if num(l).is_some() => {
            let file = rest.iter().rev().cloned().collect::<Vec<_>>().join(":");
            (file, num(l), None)
        }
        _ => (location.to_string(), None, None),
    }
}

/// Every file below `dir` with its bytes, keyed by `/`-separated relative path.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let rel = path
                .strip_prefix(base)
                .expect("below base")
                .to_string_lossy()
                .replace('\\', "/");
            if path.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                walk(base, &path, out);
            } else {
                out.insert(rel, std::fs::read(&path).unwrap_or_default());
            }
        }
    }
    walk(dir, dir, &mut out);
    out
}

/// Fails with a readable list of differences when two snapshots differ.
pub fn assert_same_tree(
    before: &BTreeMap<String, Vec<u8>>,
    after: &BTreeMap<String, Vec<u8>>,
    what: &str,
) {
    if before == after {
        return;
    }
    let mut problems = Vec::new();
    for (k, v) in before {
        match after.get(k) {
            None => problems.push(format!("removed: {k}")),
            Some(w) if w != v => problems.push(format!("changed: {k}")),
            _ => {}
        }
    }
    for k in after.keys().filter(|k| !before.contains_key(*k)) {
        problems.push(format!("added: {k}"));
    }
    problems.truncate(20);
    panic!("{what} changed:\n  {}", problems.join("\n  "));
}

/// Staging folders a build leaves next to its output if it did not clean up (`.<name>.casebook-new-*`).
pub fn leftover_staging(output: &Path) -> Vec<String> {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.casebook-new-");
    let parent = output.parent().unwrap_or(Path::new("/"));
    std::fs::read_dir(parent)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(&prefix))
                .collect()
        })
        .unwrap_or_default()
}

/// The entries of a catalogue read straight from its files (independent of casebook): id,
/// type key and the parsed fields. Used as the oracle for counts on built pages.
#[derive(Debug, Clone)]
pub struct FixtureEntry {
    pub id: String,
    pub type_key: String,
    pub folder: String,
    pub slug: String,
    pub fields: yaml::Mapping,
}

/// Reads every entry of a catalogue with the YAML library, following site.yaml's types.
pub fn read_entries(root: &Path) -> Vec<FixtureEntry> {
    let site = read_yaml(&root.join("content/site.yaml"));
    // Translations (`x.en.md` in a site of `languages: [de, en]`) are not entries of their own.
    let translations: Vec<String> = site["languages"]
        .as_sequence()
        .map(|l| {
            l.iter()
                .skip(1)
                .filter_map(|l| l.as_str())
                .map(|l| format!(".{l}"))
                .collect()
        })
        .unwrap_or_default();
    let mut out = Vec::new();
    for ty in site["types"].as_sequence().expect("types") {
        let key = ty["key"].as_str().expect("type key").to_string();
        let folder = ty["folder"].as_str().expect("folder").to_string();
        let dir = root.join("content").join(&folder);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        for path in files {
            let ext = path.extension().and_then(OsStr::to_str).unwrap_or("");
            let stem = path.file_stem().and_then(OsStr::to_str).unwrap_or("");
            if stem.starts_with('.') || !matches!(ext, "md" | "yaml" | "yml") {
                continue;
            }
            if translations.iter().any(|l| stem.ends_with(l.as_str())) {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("entry text");
            let text = text.trim_start_matches('\u{feff}').replace("\r\n", "\n");
            let yaml = if ext == "md" {
                let rest = text.strip_prefix("---\n").expect("front matter");
                let end = rest.find("\n---").expect("closing ---");
                rest[..end].to_string()
            } else {
                text
            };
            let value: yaml::Value = yaml::from_str(&yaml).expect("entry yaml");
            out.push(FixtureEntry {
                id: format!("{key}/{stem}"),
                type_key: key.clone(),
                folder: folder.clone(),
                slug: stem.to_string(),
                fields: value.as_mapping().cloned().unwrap_or_default(),
            });
        }
    }
    out
}

pub fn read_yaml(path: &Path) -> yaml::Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    yaml::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

/// The string items of a field that holds one value or a list.
pub fn list_of(fields: &yaml::Mapping, key: &str) -> Vec<String> {
    match fields.get(key) {
        Some(yaml::Value::Sequence(s)) => s
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(yaml::Value::String(s)) => vec![s.clone()],
        _ => vec![],
    }
}

/// A vocabulary's terms with their parents, in file order.
pub fn read_vocabulary(root: &Path, name: &str) -> Vec<(String, Option<String>)> {
    let v = read_yaml(&root.join(format!("content/vocabularies/{name}.yaml")));
    v["terms"]
        .as_sequence()
        .expect("terms")
        .iter()
        .map(|t| {
            (
                t["key"].as_str().expect("key").to_string(),
                t["parent"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// A term and all its ancestors.
pub fn with_ancestors(vocab: &[(String, Option<String>)], term: &str) -> Vec<String> {
    let mut out = vec![term.to_string()];
    let mut cur = term.to_string();
    while let Some(parent) = vocab
        .iter()
        .find(|(k, _)| *k == cur)
        .and_then(|(_, p)| p.clone())
    {
        if out.contains(&parent) {
            break;
        }
        out.push(parent.clone());
        cur = parent;
    }
    out
}

/// Compiles the benchmark corpus generator (`examples/gen_corpus.rs`) with plain `rustc`, as
/// benches/bench.sh can, into `dir` and returns the program.
pub fn compile_generator(dir: &Path) -> PathBuf {
    let program = dir.join("gen_corpus");
    let source = repo_root().join("examples/gen_corpus.rs");
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = std::process::Command::new(rustc)
        .args(["--edition", "2021", "-O"])
        .arg(&source)
        .arg("-o")
        .arg(&program)
        .output()
        .expect("run rustc");
    assert!(
        out.status.success(),
        "rustc could not compile examples/gen_corpus.rs:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    program
}

pub fn generate(program: &Path, n: usize, dir: &Path, hugo: Option<&Path>) {
    let mut command = std::process::Command::new(program);
    command.arg(n.to_string()).arg(dir);
    if let Some(hugo) = hugo {
        command.arg("--hugo").arg(hugo);
    }
    let out = command.output().expect("run gen_corpus");
    assert!(
        out.status.success(),
        "gen_corpus {n} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A small deterministic random number generator (xorshift64*), so failures reproduce.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}
