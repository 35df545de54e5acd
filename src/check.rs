//! Checking: every document against the schema. Produces typed, validated entries and pages and a
//! diagnostic for every problem (never only the first), each pointing at the offending line.

use crate::config::{Config, FieldDef, FieldKind, ListItem};
use crate::diagnostic::MAX_SOURCE_LINE;
use crate::diagnostic::{did_you_mean, list_preview, Diagnostic, FileProblems, Report};
use crate::load::{self, Candidate, DocKind, Document};
use crate::markdown;
use crate::model::{Checked, Entry, FieldValue, ListValue, Page};
use crate::source::yaml::Value as Yaml;
use crate::source::{describe, LineIndex};
use rayon::prelude::*;
use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};

/// Problems listed per field before the rest are summed up in one line; a list with thousands
/// of bad values must not flood the terminal or cost quadratic time to locate.
pub const MAX_PROBLEMS_PER_FIELD: usize = 10;

/// A reference target as written, with where it stands (for diagnostics once ids are known).
#[derive(Debug, Clone, PartialEq)]
pub struct LocatedTarget {
    pub target: String,
    pub line: usize,
    pub column: usize,
    /// The start of the target's line (cut like a diagnostic's code frame), shared by the
    /// targets on one line: a line of a million references is not copied a million times.
    pub source_line: Arc<str>,
}

/// Reference fields with their targets as written.
pub type FieldRefs = Vec<(String, Vec<LocatedTarget>)>;

/// One document after the checks that need only the document itself (and the set of content
/// paths, for internal links). Immutable, so `serve` can keep it until its file changes.
#[derive(Debug, Clone)]
pub struct CheckedDoc {
    pub kind: DocKind,
    pub rel_path: String,
    pub shown: std::path::PathBuf,
    pub slug: String,
    pub entry: Option<Arc<Entry>>,
    pub page: Option<Arc<Page>>,
    pub refs: FieldRefs,
    pub diagnostics: Vec<Diagnostic>,
    /// Content paths this document links to; it must be re-checked when one appears or vanishes.
    pub internal_links: Vec<String>,
}

impl CheckedDoc {
    /// The content path and file time of what the document holds, for its last update date.
    pub fn dated(&self) -> Option<(&str, Option<std::time::SystemTime>)> {
        let modified = match (&self.entry, &self.page) {
            (Some(entry), _) => entry.modified,
            (None, Some(page)) => page.modified,
            (None, None) => return None,
        };
        Some((&self.rel_path, modified))
    }
}

/// The URL of every document by content path, so internal links resolve while files are checked
/// one by one. A document's URL follows from its path alone.
pub fn link_targets(config: &Config, candidates: &[Candidate]) -> HashMap<String, String> {
    let urls = config.urls();
    candidates
        .iter()
        .map(|c| {
            let slug = c.slug();
            let url = urls.path(&match c.kind {
                DocKind::Entry(t) => crate::urls::entry(&config.types[t].folder, &slug),
                DocKind::Page => crate::urls::free_page(&slug),
            });
            (c.rel_path(config), url)
        })
        .collect()
}

/// Reads and checks all documents, then checks across files (`assemble`). Entries with errors
/// are still returned where possible, so that `serve` can show as much as it can; callers
/// decide by `report.has_errors()`.
pub fn check(config: &Config, candidates: &[Candidate], report: &mut Report) -> Checked {
    let (docs, _) = check_documents(config, candidates, None, &[], report);
    let docs: Vec<Arc<CheckedDoc>> = docs.into_values().collect();
    assemble(config, &docs, report)
}

/// Checked documents by absolute path, in the order `load::discover` lists them (types in the
/// order of site.yaml, then file names). That order decides the order of entries everywhere,
/// so `build` and `serve` must keep the same one.
pub type Docs = indexmap::IndexMap<std::path::PathBuf, Arc<CheckedDoc>>;

/// Reads and checks the documents among `candidates` that need it: every one without
/// `previous`; else the `changed` ones, new ones, and those whose internal links point at a
/// file that appeared or vanished. The others are taken from `previous`. Also returns the link
/// targets the documents were checked against.
pub fn check_documents(
    config: &Config,
    candidates: &[Candidate],
    previous: Option<&Docs>,
    changed: &[std::path::PathBuf],
    report: &mut Report,
) -> (Docs, HashMap<String, String>) {
    let targets = link_targets(config, candidates);
    // Content paths that appeared or vanished since the last build.
    let moved: std::collections::HashSet<String> = match previous {
        Some(prev) => {
            let paths: std::collections::HashSet<&std::path::PathBuf> =
                candidates.iter().map(|c| &c.path).collect();
            prev.keys()
                .filter(|p| !paths.contains(p))
                .chain(
                    candidates
                        .iter()
                        .map(|c| &c.path)
                        .filter(|p| !prev.contains_key(*p)),
                )
                .map(|p| load::rel_path(config, p))
                .collect()
        }
        None => Default::default(),
    };
    let kept = |c: &Candidate| {
        let doc = previous?.get(&c.path)?;
        let fresh =
            changed.contains(&c.path) || doc.internal_links.iter().any(|l| moved.contains(l));
        (!fresh).then_some(doc)
    };
    let fresh: Vec<&Candidate> = candidates.iter().filter(|c| kept(c).is_none()).collect();
    let mut results: HashMap<&std::path::Path, CheckedDoc> = HashMap::with_capacity(fresh.len());
    for (candidate, result) in read_and_check(config, &fresh, &targets) {
        match result {
            Ok(doc) => {
                results.insert(&candidate.path, doc);
            }
            Err(d) => report.push(d),
        }
    }
    let mut docs = Docs::with_capacity(candidates.len());
    for c in candidates {
        let doc = match kept(c) {
            Some(doc) => Arc::clone(doc),
            None => match results.remove(c.path.as_path()) {
                Some(doc) => Arc::new(doc),
                None => continue,
            },
        };
        docs.insert(c.path.clone(), doc);
    }
    (docs, targets)
}

/// Reads and checks each of `candidates` in one parallel pass, each file on its own (see
/// `check_document`): a file's text and parsed YAML are dropped as soon as it is checked, while
/// they are still in the cache. `targets` are the URLs internal links resolve to. The pass runs
/// on the [`readers`], not the shared pool.
pub fn read_and_check<'a>(
    config: &Config,
    candidates: &[&'a Candidate],
    targets: &HashMap<String, String>,
) -> Vec<(&'a Candidate, Result<CheckedDoc, Diagnostic>)> {
    let resolver = |p: &str| targets.get(p).cloned();
    let pass = || {
        candidates
            .par_iter()
            .map(|&c| {
                let doc = load::load_document(config, c)
                    .map(|d| check_document(config, d, &resolver))
                    .map_err(|e| *e);
                (c, doc)
            })
            .collect()
    };
    match readers() {
        Some(pool) => pool.install(pass),
        None => pass(),
    }
}

/// How many threads read files for each thread of the shared pool.
const READERS_PER_THREAD: usize = 2;

/// The threads that read and check files: more than there are cores, because a file that is not
/// in the page cache keeps its thread waiting for the disk, and the disk answers sooner with more
/// reads in flight. Right after the page cache was dropped, a 100k build read and checked in
/// 8.5 s on four threads against 13.6 s on two (7.2 s on eight); with the files cached, four
/// threads on two cores take as long as two, and eight a little longer (BENCHMARKS.md, session
/// 11). Made once and kept for `serve`'s rebuilds.
fn readers() -> Option<&'static rayon::ThreadPool> {
    static READERS: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    READERS
        .get_or_init(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(rayon::current_num_threads() * READERS_PER_THREAD)
                .thread_name(|i| format!("casebook-read-{i}"))
                .build()
                .ok()
        })
        .as_ref()
}

/// Checks one document on its own.
pub fn check_document(
    config: &Config,
    doc: Document,
    resolver: &dyn markdown::LinkResolver,
) -> CheckedDoc {
    let (kind, rel_path, shown, slug) = (
        doc.kind,
        doc.rel_path.clone(),
        doc.shown.clone(),
        doc.slug.clone(),
    );
    match doc.kind {
        DocKind::Entry(type_index) => {
            let (entry, refs, diagnostics, internal_links) =
                check_entry(config, doc, type_index, resolver);
            CheckedDoc {
                kind,
                rel_path,
                shown,
                slug,
                entry: Some(Arc::new(entry)),
                page: None,
                refs,
                diagnostics,
                internal_links,
            }
        }
        DocKind::Page => {
            let (page, diagnostics, internal_links) = check_page(config, doc, resolver);
            CheckedDoc {
                kind,
                rel_path,
                shown,
                slug,
                entry: None,
                page: Some(Arc::new(page)),
                refs: vec![],
                diagnostics,
                internal_links,
            }
        }
    }
}

/// The checks across files: duplicate ids and colliding slugs, then references resolved to
/// entries. Cheap enough to run over the whole catalogue on every rebuild.
pub fn assemble(config: &Config, docs: &[Arc<CheckedDoc>], report: &mut Report) -> Checked {
    let mut seen: HashMap<(DocKind, &str), &CheckedDoc> = HashMap::new();
    let mut kept: Vec<&CheckedDoc> = Vec::with_capacity(docs.len());
    for doc in docs {
        report.extend(doc.diagnostics.iter().cloned());
        match seen.get(&(doc.kind, doc.slug.as_str())) {
            Some(first) => {
                let same_stem = std::path::Path::new(&first.rel_path).file_stem()
                    == std::path::Path::new(&doc.rel_path).file_stem();
                let id = match doc.kind {
                    DocKind::Entry(t) => format!("{}/{}", config.types[t].key, doc.slug),
                    DocKind::Page => format!("pages/{}", doc.slug),
                };
                let (code, msg) = if same_stem {
                    ("duplicate-id", format!("two files define the entry `{id}`"))
                } else {
                    (
                        "slug-collision",
                        format!("file names collide: both become the address `{}`", doc.slug),
                    )
                };
                report.push(
                    Diagnostic::error(code, &doc.shown, msg)
                        .also(crate::diagnostic::Place::file(&first.shown))
                        .found(format!("{} and {}", first.shown.display(), doc.shown.display()))
                        .hint("keep one of the files, or rename one so the names differ in more than case, umlauts or punctuation"),
                );
            }
            None => {
                seen.insert((doc.kind, doc.slug.as_str()), doc);
                kept.push(doc);
            }
        }
    }
    let entry_docs: Vec<&CheckedDoc> = kept.iter().copied().filter(|d| d.entry.is_some()).collect();
    let entries: Vec<Arc<Entry>> = entry_docs.iter().filter_map(|d| d.entry.clone()).collect();
    let ids: HashMap<&str, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.as_str(), i))
        .collect();
    let (references, problems): (Vec<_>, Vec<_>) = entry_docs
        .par_iter()
        .map(|doc| {
            let mut problems = Report::default();
            let references = resolve_references(config, doc, &ids, &entries, &mut problems);
            (references, problems.diagnostics)
        })
        .unzip();
    report.extend(problems.into_iter().flatten());
    let pages = kept.iter().filter_map(|d| d.page.clone()).collect();
    Checked {
        entries,
        references,
        pages,
    }
}

/// Resolves the reference fields of one document to entry indices, in the order written;
/// each target that does not resolve becomes a diagnostic. `serve` calls it for an edited file
/// alone when the ids of the catalogue stayed the same.
pub fn resolve_references<K: Borrow<str> + Eq + Hash>(
    config: &Config,
    doc: &CheckedDoc,
    ids: &HashMap<K, usize>,
    entries: &[Arc<Entry>],
    report: &mut Report,
) -> Vec<(String, Vec<usize>)> {
    let mut resolved_fields = Vec::new();
    let mut problems = FileProblems::new(&doc.shown);
    for (field, targets) in &doc.refs {
        let def = &config.fields[field];
        let mut resolved = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for t in targets {
            match find_reference(config, def, &t.target, ids, entries) {
                Ok(i) if seen.insert(i) => resolved.push(i),
                Ok(_) => {}
                Err(problem) => problems.push_with(problem.code(), || {
                    let d = reference_problem(config, def, &t.target, problem, ids);
                    let mut d = d.at(&t.source_line, 1, t.column, t.target.chars().count());
                    d.file = doc.shown.clone();
                    d.line = Some(t.line);
                    d
                }),
            }
        }
        resolved_fields.push((field.clone(), resolved));
    }
    report.extend(problems.finish());
    resolved_fields
}

/// Points a diagnostic at a line found through the file's [`LineIndex`], which costs no scan of
/// the text (`Diagnostic::at` looks for the line from the start of the text).
trait AtLine {
    fn at_in(self, lines: &LineIndex, line: usize, column: usize, width: usize) -> Diagnostic;
}

impl AtLine for Diagnostic {
    fn at_in(self, lines: &LineIndex, line: usize, column: usize, width: usize) -> Diagnostic {
        let mut d = self.at(lines.line(line), 1, column, width);
        d.line = Some(line.max(1));
        d
    }
}

/// Helper to attach a document's path to a diagnostic created without one.
trait WithFile {
    fn with_file(self, doc: &Document) -> Diagnostic;
}

impl WithFile for Diagnostic {
    fn with_file(mut self, doc: &Document) -> Diagnostic {
        self.file = doc.shown.clone();
        self
    }
}

/// Checks one entry's fields and renders its Markdown.
fn check_entry(
    config: &Config,
    doc: Document,
    type_index: usize,
    resolver: &dyn markdown::LinkResolver,
) -> (Entry, FieldRefs, Vec<Diagnostic>, Vec<String>) {
    let ty = &config.types[type_index];
    let lines = LineIndex::new(&doc.text);
    let mut ds = FileProblems::new(&doc.shown);
    check_file_name(&doc, &mut ds);
    let mut fields = Vec::new();
    let mut refs = Vec::new();
    for (key, value) in &doc.fields {
        let Some(key) = key.as_str() else {
            ds.push(
                Diagnostic::error(
                    "invalid-key",
                    &doc.shown,
                    format!("field name {} is not text", describe(key)),
                )
                .hint("field names are plain words like `titel`"),
            );
            continue;
        };
        let (line, col) = doc.keys.get(key).unwrap_or((1, 1));
        if !ty.fields.iter().any(|f| f == key) {
            ds.push_with("unknown-field", || {
                let suggestion = did_you_mean(key, ty.fields.iter().map(String::as_str));
                let elsewhere = config
                    .types
                    .iter()
                    .filter(|t| t.fields.iter().any(|f| f == key))
                    .map(|t| t.plural.as_str())
                    .collect::<Vec<_>>();
                let hint = match (suggestion, elsewhere.is_empty()) {
                    (Some(s), _) => Some(format!("did you mean `{s}`?")),
                    (None, false) => Some(format!(
                        "`{key}` is a field of {} only",
                        elsewhere.join(", ")
                    )),
                    (None, true) => Some(
                        "add the field to the type in content/site.yaml, or remove it here".into(),
                    ),
                };
                Diagnostic::error(
                    "unknown-field",
                    &doc.shown,
                    format!("unknown field `{key}` for type `{}`", ty.key),
                )
                .at_in(&lines, line, 1, key.chars().count())
                .expected(format!(
                    "one of {}",
                    list_preview(ty.fields.iter().map(String::as_str), 20)
                ))
                .maybe_hint(hint)
            });
            continue;
        }
        let def = &config.fields[key];
        if def.kind == FieldKind::Reference {
            match reference_targets(def, value) {
                Ok(targets) => {
                    let needles: Vec<&str> = targets.iter().map(String::as_str).collect();
                    let places = doc.keys.locate_each_in_value(&lines, key, &needles);
                    let mut shared: Option<(usize, Arc<str>)> = None;
                    let located = targets
                        .iter()
                        .zip(places)
                        .map(|(t, place)| {
                            let (line, column, text) =
                                place.unwrap_or_else(|| (line, col, lines.line(line)));
                            let source_line = match &shared {
                                Some((l, s)) if *l == line => s.clone(),
                                _ => {
                                    let s: Arc<str> =
                                        crate::diagnostic::truncate_chars(text, MAX_SOURCE_LINE)
                                            .into();
                                    shared = Some((line, s.clone()));
                                    s
                                }
                            };
                            LocatedTarget {
                                target: t.clone(),
                                line,
                                column,
                                source_line,
                            }
                        })
                        .collect();
                    refs.push((key.to_string(), located));
                }
                Err(d) => ds.push(d.with_file(&doc).at_in(&lines, line, col, 1)),
            }
            continue;
        }
        match check_value(config, def, value, resolver) {
            Ok(Some(v)) => fields.push((key.to_string(), v)),
            Ok(None) => {}
            Err(problems) => {
                let total = problems.len();
                for (d, needle) in problems.into_iter().take(MAX_PROBLEMS_PER_FIELD) {
                    ds.push_with(d.code, || {
                        let (l, c, w) = match needle.as_deref().and_then(|n| {
                            doc.keys
                                .locate_in_value(&doc.text, key, n)
                                .map(|(l, c, _)| (l, c, n.chars().count()))
                        }) {
                            Some(found) => found,
                            None => (line, col, 1),
                        };
                        d.with_file(&doc).at_in(&lines, l, c, w)
                    });
                }
                if total > MAX_PROBLEMS_PER_FIELD {
                    ds.push_with("too-many-problems", || {
                        Diagnostic::error(
                            "too-many-problems",
                            &doc.shown,
                            format!(
                                "{} more problems in `{key}` not shown",
                                total - MAX_PROBLEMS_PER_FIELD
                            ),
                        )
                        .at_in(&lines, line, col, 1)
                        .hint("fix the ones above first; the rest are probably of the same kind")
                    });
                }
            }
        }
    }
    for required in ty
        .fields
        .iter()
        .filter(|f| config.fields.get(*f).is_some_and(|d| d.required))
    {
        let present = doc
            .fields
            .get(required.as_str())
            .is_some_and(|v| !v.is_null());
        if !present {
            let def = &config.fields[required];
            ds.push(
                Diagnostic::error(
                    "missing-field",
                    &doc.shown,
                    format!("required field `{required}` ({}) is missing", def.label),
                )
                .at_in(&lines, 1, 1, 3)
                .expected(expected_for(config, def))
                .hint(format!("add a line `{required}: …` to the front matter")),
            );
        }
    }
    let rendered = render_body(config, &doc, &lines, resolver, &mut ds);

    let title = match fields.iter().find(|(k, _)| *k == config.roles.title) {
        Some((_, FieldValue::Text(t))) => t.clone(),
        _ => doc.slug.clone(),
    };
    let summary =
        config
            .roles
            .summary
            .as_ref()
            .and_then(|s| match fields.iter().find(|(k, _)| k == s) {
                Some((_, FieldValue::Text(t))) => Some(t.clone()),
                _ => None,
            });
    let content_hash = {
        let mut h = crate::fingerprinter();
        doc.text.hash(&mut h);
        doc.rel_path.hash(&mut h);
        h.finish()
    };
    let entry = Entry {
        id: format!("{}/{}", ty.key, doc.slug),
        type_index,
        slug: doc.slug.clone(),
        rel_path: doc.rel_path.clone(),
        sort_key: crate::model::sort_key(&title),
        title,
        summary,
        fields,
        body_html: rendered.html,
        modified: doc.modified,
        content_hash,
    };
    let mut entry = entry;
    sort_fields(config, &mut entry);
    (entry, refs, ds.finish(), rendered.internal_links)
}

fn check_file_name(doc: &Document, ds: &mut FileProblems) {
    if load::is_windows_reserved(&doc.slug) {
        ds.push(
            Diagnostic::error(
                "reserved-name",
                &doc.shown,
                format!("`{}` is a reserved file name on Windows", doc.slug),
            )
            .hint("rename the file; the site could not be copied to Windows otherwise"),
        );
    }
    let stem = std::path::Path::new(&doc.rel_path)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("");
    if stem != doc.slug {
        ds.push(
            Diagnostic::warning(
                "unclean-file-name",
                &doc.shown,
                format!("file name `{stem}` is not a clean address"),
            )
            .found(format!("the page will be published at `{}`", doc.slug))
            .hint(format!(
                "rename the file to `{}`",
                std::path::Path::new(&doc.rel_path)
                    .with_file_name(&doc.slug)
                    .display()
            )),
        );
    }
}

/// Most Markdown one text (a body or a Markdown field) may have. Rendering holds every event of a
/// text at once: a long table needs about 350 bytes per byte (2.5 million rows, 15 MB, needed
/// 3.7 GB; 1 MB of table rows 350 MB), links about 60. A case is a few pages (the bundled ones
/// are under 20 KB); a megabyte is a book, and at most about 360 MB to render.
pub const MAX_MARKDOWN_BYTES: usize = 1 << 20;

fn markdown_too_large(bytes: usize) -> Diagnostic {
    problem(
        "markdown-too-large",
        format!("the text is {} KB of Markdown", bytes >> 10),
    )
    .expected(format!(
        "at most {} KB of Markdown per text",
        MAX_MARKDOWN_BYTES >> 10
    ))
    .hint("split the text into several entries or pages")
}

/// Renders a document's body and reports its problems; a body over [`MAX_MARKDOWN_BYTES`] is
/// refused before rendering.
fn render_body(
    config: &Config,
    doc: &Document,
    lines: &LineIndex,
    resolver: &dyn markdown::LinkResolver,
    ds: &mut FileProblems,
) -> markdown::Rendered {
    if doc.body.len() > MAX_MARKDOWN_BYTES {
        ds.push(markdown_too_large(doc.body.len()).with_file(doc).at_in(
            lines,
            doc.body_line,
            1,
            1,
        ));
        return markdown::Rendered::default();
    }
    let rendered = markdown::render(&doc.body, resolver, config.allow_raw_html);
    markdown_problems(doc, lines, &rendered, ds);
    rendered
}

/// Diagnostics for broken internal links and unsafe URLs in a body.
fn markdown_problems(
    doc: &Document,
    lines: &LineIndex,
    rendered: &markdown::Rendered,
    ds: &mut FileProblems,
) {
    if rendered.raw_html_too_deep {
        ds.push(
            Diagnostic::error(
                "raw-html-too-deep",
                &doc.shown,
                format!(
                    "raw HTML nests deeper than {} levels",
                    markdown::MAX_RAW_HTML_DEPTH
                ),
            )
            .at_in(lines, doc.body_line, 1, 1)
            .hint("write the text in Markdown; raw HTML is for small exceptions"),
        );
    }
    // The body is the end of the text (a `.yaml` entry's body is a value, whose lines are the
    // body's own); an offset in the body is an offset in the text from where the body starts.
    let body_lines = LineIndex::new(&doc.body);
    let locate = |offset: usize| {
        let (line, col) = body_lines.position(offset);
        (doc.body_line + line - 1, col)
    };
    for (target, offset) in &rendered.broken_links {
        ds.push_with("broken-link", || {
            let (line, col) = locate(*offset);
            Diagnostic::error(
                "broken-link",
                &doc.shown,
                format!("link to `{target}`, which does not exist"),
            )
            .at_in(lines, line, col, target.chars().count() + 4)
            .expected("a path below content/, like `@/orte/stadtteilzentrum.md`")
            .hint("check the folder and file name; internal links name the file, with `.md`")
        });
    }
    for (url, offset) in &rendered.unsafe_urls {
        ds.push_with("unsafe-url", || {
            let (line, col) = locate(*offset);
            Diagnostic::error(
                "unsafe-url",
                &doc.shown,
                "link with a scheme that can run code",
            )
            .at_in(lines, line, col, 1)
            .found(format!("`{}`", crate::diagnostic::truncate_chars(url, 60)))
            .expected("an `https://` address, a relative path or `mailto:`")
            .hint("the link was removed from the page")
        });
    }
}

/// Orders fields as the type lists them, so every entry page shows them the same way.
fn sort_fields(config: &Config, entry: &mut Entry) {
    let order = &config.types[entry.type_index].fields;
    entry
        .fields
        .sort_by_key(|(k, _)| order.iter().position(|f| f == k).unwrap_or(usize::MAX));
}

/// A problem in a value, and the text to point the caret at.
type ValueProblem = (Diagnostic, Option<String>);

fn problem(code: &'static str, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(code, "", message)
}

/// What a field expects, in words, for "expected:" lines.
fn expected_for(config: &Config, def: &FieldDef) -> String {
    match def.kind {
        FieldKind::Text => "text".into(),
        FieldKind::Markdown => "Markdown text".into(),
        FieldKind::Number => "a number".into(),
        FieldKind::Year => "a year like `2019`".into(),
        FieldKind::Date => "a date like `2021-03-15`".into(),
        FieldKind::Url => "an address starting with `https://`".into(),
        FieldKind::Email => "an e-mail address".into(),
        FieldKind::Geo => "`{ lat: 51.53, lon: 9.93 }`".into(),
        FieldKind::Image => "a path below content/, like `media/bild.jpg`".into(),
        FieldKind::Facet => {
            let vocab = def
                .vocabulary
                .as_deref()
                .and_then(|v| config.vocabularies.get(v));
            let keys = vocab
                .map(|v| list_preview(v.terms.iter().map(|t| t.key.as_str()), 12))
                .unwrap_or_default();
            if def.multiple {
                format!("a list of terms, e.g. `[…]`, from: {keys}")
            } else {
                format!("one term from: {keys}")
            }
        }
        FieldKind::Reference => format!(
            "entry ids like `{}/slug`",
            def.to.first().map(String::as_str).unwrap_or("typ")
        ),
        FieldKind::List => "a list, one item per line starting with `- `".into(),
    }
}

/// Checks a value against its field definition. `Ok(None)` means "empty, treat as absent".
fn check_value(
    config: &Config,
    def: &FieldDef,
    value: &Yaml,
    resolver: &dyn markdown::LinkResolver,
) -> Result<Option<FieldValue>, Vec<ValueProblem>> {
    let wrong_kind = || {
        vec![(
            problem(
                "wrong-kind",
                format!("`{}` expects {}", def.key, expected_for(config, def)),
            )
            .found(describe(value))
            .expected(expected_for(config, def)),
            None,
        )]
    };
    if value.is_null() {
        return Ok(None);
    }
    match def.kind {
        FieldKind::Text => scalar_text(value)
            .map(|t| Some(FieldValue::Text(t)))
            .ok_or_else(wrong_kind),
        FieldKind::Markdown => {
            let text = scalar_text(value).ok_or_else(wrong_kind)?;
            if text.len() > MAX_MARKDOWN_BYTES {
                return Err(vec![(markdown_too_large(text.len()), None)]);
            }
            let rendered = markdown::render(&text, resolver, config.allow_raw_html);
            let mut problems: Vec<ValueProblem> = rendered
                .broken_links
                .iter()
                .map(|(t, _)| {
                    (
                        problem(
                            "broken-link",
                            format!("link to `{t}`, which does not exist"),
                        )
                        .hint("internal links name the file below content/, with `.md`"),
                        Some(t.clone()),
                    )
                })
                .collect();
            problems.extend(rendered.unsafe_urls.iter().map(|(u, _)| {
                (
                    problem("unsafe-url", "link with a scheme that can run code")
                        .found(format!("`{u}`")),
                    Some(u.clone()),
                )
            }));
            if problems.is_empty() {
                Ok(Some(FieldValue::Markdown(text, rendered.html)))
            } else {
                Err(problems)
            }
        }
        FieldKind::Number => value
            .as_f64()
            .filter(|n| n.is_finite())
            .map(|n| Some(FieldValue::Number(n)))
            .ok_or_else(wrong_kind),
        FieldKind::Year => {
            let year = value
                .as_i64()
                .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()));
            match year {
                Some(y) if (1000..=2200).contains(&y) => Ok(Some(FieldValue::Year(y as i32))),
                _ => Err(vec![(
                    problem("wrong-kind", format!("`{}` must be a year", def.key))
                        .found(describe(value))
                        .expected("a four-digit year like `2019`")
                        .hint("write the year in digits; leave the field out if it is not known"),
                    value.as_str().map(str::to_string),
                )]),
            }
        }
        FieldKind::Date => {
            let text = scalar_text(value).ok_or_else(wrong_kind)?;
            if is_iso_date(&text) {
                Ok(Some(FieldValue::Date(text)))
            } else {
                Err(vec![(
                    problem("wrong-kind", format!("`{}` must be a date", def.key))
                        .found(describe(value))
                        .expected("a date like `2021-03-15` (year-month-day)"),
                    Some(text),
                )])
            }
        }
        FieldKind::Url => {
            let text = scalar_text(value).ok_or_else(wrong_kind)?;
            check_url(&def.key, &text)
                .map(|u| Some(FieldValue::Url(u)))
                .map_err(|d| vec![(d, Some(text))])
        }
        FieldKind::Email => {
            let text = scalar_text(value).ok_or_else(wrong_kind)?;
            let valid = text.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }) && !text.contains(char::is_whitespace)
                && text.matches('@').count() == 1;
            if valid {
                Ok(Some(FieldValue::Email(text)))
            } else {
                Err(vec![(
                    problem(
                        "wrong-kind",
                        format!("`{}` is not an e-mail address", def.key),
                    )
                    .found(describe(value))
                    .expected("an address like `info@example.org`"),
                    Some(text),
                )])
            }
        }
        FieldKind::Geo => check_geo(def, value).map(Some),
        FieldKind::Image => {
            let text = scalar_text(value).ok_or_else(wrong_kind)?;
            let clean = !text.contains("..") && !text.starts_with('/') && !text.contains('\\');
            if clean && config.content_dir.join(&text).is_file() {
                Ok(Some(FieldValue::Image(text)))
            } else {
                Err(vec![(
                    problem("missing-image", format!("image `{text}` not found"))
                        .expected(expected_for(config, def))
                        .hint("put images into content/media/ and name them relative to content/"),
                    Some(text),
                )])
            }
        }
        FieldKind::Facet => check_terms(config, def, value).map(|t| {
            if t.is_empty() {
                None
            } else {
                Some(FieldValue::Terms(t))
            }
        }),
        FieldKind::Reference => unreachable_reference(),
        FieldKind::List => check_list(def, value).map(|l| {
            if l.is_empty() {
                None
            } else {
                Some(FieldValue::List(l))
            }
        }),
    }
}

/// References are checked after all ids are known; `check_value` never sees them.
fn unreachable_reference() -> Result<Option<FieldValue>, Vec<ValueProblem>> {
    Ok(None)
}

fn scalar_text(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(s) => Some(s.trim().to_string()),
        Yaml::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn is_iso_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (
        parts[0].parse::<u32>(),
        parts[1].parse::<u32>(),
        parts[2].parse::<u32>(),
    ) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// Accepts http(s) addresses with a host; refuses script-capable and malformed ones.
pub fn check_url(key: &str, text: &str) -> Result<String, Diagnostic> {
    let bad = |why: &str| {
        problem(
            "bad-url",
            format!("`{key}` is not a usable web address: {why}"),
        )
        .found(format!("`{}`", crate::diagnostic::truncate_chars(text, 80)))
        .expected("an address starting with `https://`")
    };
    match url::Url::parse(text) {
        Ok(u)
            if matches!(u.scheme(), "http" | "https")
                && u.host_str().is_some_and(|h| !h.is_empty()) =>
        {
            Ok(text.to_string())
        }
        Ok(u) if matches!(u.scheme(), "http" | "https") => Err(bad("it has no host name")),
        Ok(u) => Err(bad(&format!("the scheme `{}:` is not allowed", u.scheme()))
            .hint("only http and https addresses are published")),
        Err(_) if !text.contains("://") => {
            Err(bad("it has no scheme").hint(format!("write `https://{text}`")))
        }
        Err(e) => Err(bad(&e.to_string())),
    }
}

fn check_geo(def: &FieldDef, value: &Yaml) -> Result<FieldValue, Vec<ValueProblem>> {
    let shape = || {
        vec![(
            problem("wrong-kind", format!("`{}` must give lat and lon", def.key))
                .found(describe(value))
                .expected("`{ lat: 51.53, lon: 9.93 }` (decimal degrees)"),
            None,
        )]
    };
    let map = value.as_mapping().ok_or_else(shape)?;
    let lat = map.get("lat").and_then(Yaml::as_f64);
    let lon = map.get("lon").and_then(Yaml::as_f64);
    let (Some(lat), Some(lon)) = (lat, lon) else {
        return Err(shape());
    };
    let mut problems = Vec::new();
    if !(-90.0..=90.0).contains(&lat) {
        problems.push((
            problem("out-of-range", format!("latitude {lat} is out of range"))
                .expected("a latitude between -90 and 90")
                .hint("are lat and lon swapped? Germany lies around lat 47–55, lon 6–15"),
            Some("lat".to_string()),
        ));
    }
    if !(-180.0..=180.0).contains(&lon) {
        problems.push((
            problem("out-of-range", format!("longitude {lon} is out of range"))
                .expected("a longitude between -180 and 180"),
            Some("lon".to_string()),
        ));
    }
    if let Some(extra) = map
        .keys()
        .filter_map(Yaml::as_str)
        .find(|k| *k != "lat" && *k != "lon")
    {
        problems.push((
            problem(
                "unknown-field",
                format!("`{}` has an unknown key `{extra}`", def.key),
            )
            .expected("only `lat` and `lon`"),
            Some(extra.to_string()),
        ));
    }
    if problems.is_empty() {
        Ok(FieldValue::Geo { lat, lon })
    } else {
        Err(problems)
    }
}

/// The items of a value that may be a single item or a list.
fn items(value: &Yaml) -> Vec<&Yaml> {
    match value {
        Yaml::Sequence(s) => s.iter().collect(),
        v => vec![v],
    }
}

fn check_terms(
    config: &Config,
    def: &FieldDef,
    value: &Yaml,
) -> Result<Vec<usize>, Vec<ValueProblem>> {
    let Some(vocab) = def
        .vocabulary
        .as_deref()
        .and_then(|v| config.vocabularies.get(v))
    else {
        return Ok(vec![]);
    };
    if value.is_sequence() && !def.multiple && value.as_sequence().is_some_and(|s| s.len() > 1) {
        return Err(vec![(
            problem("wrong-kind", format!("`{}` takes a single term", def.key))
                .found(describe(value))
                .expected(expected_for(config, def)),
            None,
        )]);
    }
    let mut terms = Vec::new();
    let mut problems = Vec::new();
    for item in items(value) {
        let Some(key) = scalar_text(item) else {
            problems.push((
                problem("wrong-kind", format!("`{}` expects term keys", def.key))
                    .found(describe(item))
                    .expected(expected_for(config, def)),
                None,
            ));
            continue;
        };
        match vocab.term_index(&key) {
            Some(i) => {
                if !terms.contains(&i) {
                    terms.push(i)
                }
            }
            None => {
                let by_label = vocab
                    .terms
                    .iter()
                    .find(|t| t.label.eq_ignore_ascii_case(&key))
                    .map(|t| t.key.as_str());
                let suggestion = by_label
                    .or_else(|| did_you_mean(&key, vocab.terms.iter().map(|t| t.key.as_str())));
                problems.push((
                    problem(
                        "unknown-term",
                        format!(
                            "unknown term `{key}` in `{}` (vocabulary `{}`)",
                            def.key, vocab.key
                        ),
                    )
                    .expected(format!(
                        "one of {}",
                        list_preview(vocab.terms.iter().map(|t| t.key.as_str()), 12)
                    ))
                    .hint(match suggestion {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!(
                            "add the term to content/vocabularies/{}.yaml, or pick an existing one",
                            vocab.key
                        ),
                    }),
                    Some(key),
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(terms)
    } else {
        Err(problems)
    }
}

fn check_list(def: &FieldDef, value: &Yaml) -> Result<Vec<ListValue>, Vec<ValueProblem>> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for item in items(value) {
        let parsed = match (def.item, item) {
            (ListItem::Link, Yaml::Mapping(m)) => {
                let title = m.get("title").and_then(scalar_text);
                let url = m.get("url").and_then(scalar_text);
                let unknown = m
                    .keys()
                    .filter_map(Yaml::as_str)
                    .find(|k| *k != "title" && *k != "url");
                if let Some(k) = unknown {
                    Err((
                        problem(
                            "unknown-field",
                            format!("unknown key `{k}` in an item of `{}`", def.key),
                        )
                        .expected("`title` and `url`"),
                        Some(k.to_string()),
                    ))
                } else {
                    match (title, url) {
                        (Some(t), None) => Ok(ListValue { text: t, url: None }),
                        (t, Some(u)) => check_url(&def.key, &u)
                            .map(|u| ListValue {
                                text: t.unwrap_or_else(|| u.clone()),
                                url: Some(u),
                            })
                            .map_err(|d| (d, Some(u.clone()))),
                        (None, None) => Err((
                            problem(
                                "wrong-kind",
                                format!("an item of `{}` has neither title nor url", def.key),
                            )
                            .expected("`{ title: …, url: https://… }` or plain text"),
                            None,
                        )),
                    }
                }
            }
            (ListItem::Url, item) => match scalar_text(item) {
                Some(u) => check_url(&def.key, &u)
                    .map(|u| ListValue {
                        text: u.clone(),
                        url: Some(u),
                    })
                    .map_err(|d| (d, Some(u.clone()))),
                None => Err((
                    problem(
                        "wrong-kind",
                        format!("items of `{}` must be addresses", def.key),
                    )
                    .found(describe(item)),
                    None,
                )),
            },
            (_, item) => match scalar_text(item) {
                Some(t) => Ok(ListValue { text: t, url: None }),
                None => Err((
                    problem("wrong-kind", format!("items of `{}` must be text", def.key))
                        .found(describe(item))
                        .expected("one item per line starting with `- `"),
                    None,
                )),
            },
        };
        match parsed {
            Ok(v) if !v.text.is_empty() => out.push(v),
            Ok(_) => {}
            Err(p) => problems.push(p),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// The ids a reference field names, as written.
fn reference_targets(def: &FieldDef, value: &Yaml) -> Result<Vec<String>, Diagnostic> {
    if value.is_null() {
        return Ok(vec![]);
    }
    if !def.multiple && value.as_sequence().is_some_and(|s| s.len() > 1) {
        return Err(
            problem("wrong-kind", format!("`{}` takes a single entry", def.key))
                .found(describe(value)),
        );
    }
    items(value)
        .into_iter()
        .map(|v| {
            scalar_text(v).ok_or_else(|| {
                problem("wrong-kind", format!("`{}` expects entry ids", def.key))
                    .found(describe(v))
                    .expected("ids like `ort/stadtteilzentrum`")
            })
        })
        .collect()
}

/// Why a reference does not resolve; [`reference_problem`] turns it into a diagnostic, which
/// is only needed for the problems shown (its did-you-mean search reads every id).
#[derive(Debug, Clone, Copy)]
enum ReferenceProblem {
    Ambiguous,
    /// The entry exists (its index) but has a type the field does not allow.
    WrongType(usize),
    Missing,
}

impl ReferenceProblem {
    fn code(self) -> &'static str {
        match self {
            ReferenceProblem::Ambiguous => "ambiguous-reference",
            ReferenceProblem::WrongType(_) => "wrong-reference-type",
            ReferenceProblem::Missing => "missing-reference",
        }
    }
}

/// Finds the entry a reference names: `type/slug`, or a bare slug when only one allowed type has it.
fn find_reference<K: Borrow<str> + Eq + Hash>(
    config: &Config,
    def: &FieldDef,
    target: &str,
    ids: &HashMap<K, usize>,
    entries: &[Arc<Entry>],
) -> Result<usize, ReferenceProblem> {
    let found = match target.split_once('/') {
        Some(_) => ids.get(target).copied(),
        None => {
            let matches: Vec<usize> = def
                .to
                .iter()
                .filter_map(|t| ids.get(format!("{t}/{target}").as_str()).copied())
                .collect();
            if matches.len() > 1 {
                return Err(ReferenceProblem::Ambiguous);
            }
            matches.first().copied()
        }
    };
    match found {
        Some(i) if def.to.contains(&config.types[entries[i].type_index].key) => Ok(i),
        Some(i) => Err(ReferenceProblem::WrongType(entries[i].type_index)),
        None => Err(ReferenceProblem::Missing),
    }
}

/// The diagnostic for a reference that does not resolve.
fn reference_problem<K: Borrow<str> + Eq + Hash>(
    config: &Config,
    def: &FieldDef,
    target: &str,
    why: ReferenceProblem,
    ids: &HashMap<K, usize>,
) -> Diagnostic {
    let allowed = || {
        def.to
            .iter()
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match why {
        ReferenceProblem::Ambiguous => problem(
            why.code(),
            format!("`{target}` names entries of several types"),
        )
        .hint("write the full id, `type/slug`"),
        ReferenceProblem::WrongType(type_index) => problem(
            why.code(),
            format!(
                "`{}` may not point to a {} (`{target}`)",
                def.key, config.types[type_index].label
            ),
        )
        .expected(format!("an entry of type {}", allowed()))
        .hint("use `siehe_auch` or another reference field for this link"),
        ReferenceProblem::Missing => {
            let candidates: Vec<&str> = ids.keys().map(|k| k.borrow()).collect();
            problem(
                why.code(),
                format!("`{}` points to `{target}`, which does not exist", def.key),
            )
            .expected(format!("the id of an existing entry of type {}", allowed()))
            .hint(match did_you_mean(target, candidates) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "ids are `<type>/<file name without .md>`".to_string(),
            })
        }
    }
}

/// Checks a free page: only the title and summary roles are allowed in its front matter.
fn check_page(
    config: &Config,
    doc: Document,
    resolver: &dyn markdown::LinkResolver,
) -> (Page, Vec<Diagnostic>, Vec<String>) {
    let lines = LineIndex::new(&doc.text);
    let mut ds = FileProblems::new(&doc.shown);
    let taken = crate::urls::RESERVED.contains(&doc.slug.as_str())
        || config.types.iter().any(|t| t.folder == doc.slug)
        || config.vocabularies.contains_key(&doc.slug);
    if taken {
        ds.push(
            Diagnostic::error(
                "reserved-name",
                &doc.shown,
                format!(
                    "the page address `{}` is already used by the site",
                    doc.slug
                ),
            )
            .hint("rename the page file"),
        );
    }
    let title_key = config.roles.title.as_str();
    let summary_key = config.roles.summary.as_deref();
    let mut title = None;
    let mut summary = None;
    for (key, value) in &doc.fields {
        let key = key.as_str().unwrap_or("");
        let (line, col) = doc.keys.get(key).unwrap_or((1, 1));
        if key == title_key || Some(key) == summary_key {
            match scalar_text(value) {
                Some(t) if key == title_key => title = Some(t),
                Some(t) => summary = Some(t),
                None => ds.push(
                    Diagnostic::error("wrong-kind", &doc.shown, format!("`{key}` must be text"))
                        .at_in(&lines, line, col, 1)
                        .found(describe(value)),
                ),
            }
        } else {
            ds.push(
                Diagnostic::error(
                    "unknown-field",
                    &doc.shown,
                    format!("unknown field `{key}` for a page"),
                )
                .at_in(&lines, line, 1, key.chars().count())
                .expected(format!(
                    "`{title_key}`{}",
                    summary_key
                        .map(|s| format!(" and `{s}`"))
                        .unwrap_or_default()
                )),
            );
        }
    }
    if title.is_none() {
        ds.push(
            Diagnostic::error(
                "missing-field",
                &doc.shown,
                format!("required field `{title_key}` is missing"),
            )
            .at_in(&lines, 1, 1, 3)
            .hint(format!("add `{title_key}: …` to the front matter")),
        );
    }
    let rendered = render_body(config, &doc, &lines, resolver, &mut ds);
    let page = Page {
        slug: doc.slug.clone(),
        rel_path: doc.rel_path.clone(),
        title: title.unwrap_or_else(|| doc.slug.clone()),
        summary,
        body_html: rendered.html,
        modified: doc.modified,
    };
    (page, ds.finish(), rendered.internal_links)
}

/// Counts for the summary line of `check`.
pub fn count_by_type(config: &Config, entries: &[Arc<Entry>]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for e in entries {
        *out.entry(config.types[e.type_index].plural.clone())
            .or_insert(0) += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::MAX_PROBLEMS_PER_KIND;

    #[test]
    fn each_kind_is_shown_ten_times_per_file_and_the_rest_counted() {
        let mut problems = FileProblems::new("content/orte/a.md");
        let mut made = 0;
        for _ in 0..1000 {
            problems.push_with("broken-link", || {
                made += 1;
                Diagnostic::error("broken-link", "content/orte/a.md", "x")
            });
        }
        problems.push(Diagnostic::warning(
            "unclean-file-name",
            "content/orte/a.md",
            "y",
        ));
        let shown = problems.finish();
        assert_eq!(
            made, MAX_PROBLEMS_PER_KIND,
            "only the problems shown are made"
        );
        assert_eq!(shown.len(), MAX_PROBLEMS_PER_KIND + 2);
        let summary = shown.last().unwrap();
        assert_eq!(summary.code, "too-many-problems");
        assert!(summary.is_error());
        assert!(
            summary.message.contains("990 more `broken-link`"),
            "{}",
            summary.message
        );
    }
}
