//! Checking: every document against the schema. Produces typed, validated entries and pages and a
//! diagnostic for every problem (never only the first), each pointing at the offending line.
use crate::config::{Config, FieldDef, FieldKind, ListItem};
use crate::diagnostic::MAX_SOURCE_LINE;
use crate::diagnostic::{did_you_mean, list_preview, Diagnostic, FileProblems, Report};
use crate::load::{self, Candidate, DocKind, Document};
use crate::markdown;
use crate::model::{Checked, Collection, Entry, FieldValue, ListValue, Page, Translations};
use crate::source::yaml::Value as Yaml;
use crate::source::{describe, LineIndex};
use rayon::prelude::*;
use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};

mod body;
mod collection;
mod drafts;
mod entry;
mod picture;
mod reference;
mod translation;
mod value;

pub use body::MAX_MARKDOWN_BYTES;
use body::*;
pub use collection::resolve_collection;
use collection::*;
pub use drafts::drafts_and_aliases;
pub use entry::sort_fields;
use entry::*;
use reference::*;
use translation::*;
pub use translation::{
    attach_translations, coverage, is_translatable, links_in_language, page_translations,
    TranslationDoc, SLUG_KEY,
};
pub use value::check_url;
use value::*;

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
    pub collection: Option<Arc<Collection>>,
    pub refs: FieldRefs,
    pub diagnostics: Vec<Diagnostic>,
    /// Content paths this document links to; it must be re-checked when one appears or vanishes.
    pub internal_links: Vec<String>,
    /// Where the entry's earlier addresses stand, one for each of `Entry::aliases`.
    pub alias_places: Vec<LocatedTarget>,
    /// A translation of an entry (`<slug>.<language>.md`): then `entry` is `None`.
    pub translation: Option<TranslationDoc>,
    /// The language of a translation of an entry, free page or collection (`x.en.md`); a
    /// translated page or collection is in `page` or `collection`.
    pub language: Option<String>,
}

impl CheckedDoc {
    /// The content path, file time and the date the document gives itself, for its last
    /// update date.
    pub fn dated(&self) -> Option<load::Dated<'_>> {
        let (modified, own) = match (&self.entry, &self.page) {
            (Some(entry), _) => (entry.modified, entry.updated.as_deref()),
            (None, Some(page)) => (page.modified, None),
            (None, None) => return None,
        };
        Some((&self.rel_path, modified, own))
    }
}

/// The URL of every document by content path, so internal links resolve while files are checked
/// one by one. A document's URL follows from its path alone.
pub fn link_targets(config: &Config, candidates: &[Candidate]) -> HashMap<String, String> {
    let urls = config.urls();
    // Files below content/media/ are published at their own path: `@/media/plan.pdf` links there.
    let media = load::media_files(config, &mut Report::default())
        .into_iter()
        .map(|rel| (rel.clone(), urls.path(&crate::urls::encoded(&rel))));
    candidates
        .iter()
        .map(|c| {
            let language = load::translation_language(config, &c.path);
            // A translation's address is its original's, below its language.
            let slug = match language {
                Some(language) => {
                    let stem = c.path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
                    crate::urls::slugify(&stem[..stem.len() - language.len() - 1])
                }
                None => c.slug(),
            };
            let address = match c.kind {
                DocKind::Entry(t) => crate::urls::entry(&config.types[t].folder, &slug),
                DocKind::Page => crate::urls::free_page(&slug),
                DocKind::Collection => crate::urls::collection(
                    config
                        .collections
                        .as_ref()
                        .map_or("", |c| c.folder.as_str()),
                    &slug,
                ),
            };
            let address = match language {
                Some(language) => format!("{language}/{address}"),
                None => address,
            };
            (c.rel_path(config), urls.path(&address))
        })
        .chain(media)
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
    // Media files that changed may have appeared or vanished: what links to them or shows them
    // is checked again.
    let mut moved = moved;
    let media = config.content_dir.join(crate::urls::MEDIA_FOLDER);
    moved.extend(
        changed
            .iter()
            .filter(|p| p.starts_with(&media))
            .map(|p| load::rel_path(config, p)),
    );
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
    if let (DocKind::Entry(type_index), Some(_)) = (doc.kind, &doc.language) {
        return check_translation(config, doc, type_index, resolver);
    }
    let language = doc.language.clone();
    let own_language;
    let resolver = match &language {
        Some(language) => {
            own_language = links_in_language(config, language, resolver);
            &own_language as &dyn markdown::LinkResolver
        }
        None => resolver,
    };
    let mut checked = CheckedDoc {
        kind: doc.kind,
        rel_path: doc.rel_path.clone(),
        shown: doc.shown.clone(),
        slug: doc.slug.clone(),
        entry: None,
        page: None,
        collection: None,
        refs: vec![],
        diagnostics: vec![],
        internal_links: vec![],
        alias_places: vec![],
        translation: None,
        language,
    };
    (checked.diagnostics, checked.internal_links) = match doc.kind {
        DocKind::Entry(type_index) => {
            let (entry, refs, diagnostics, links, alias_places) =
                check_entry(config, doc, type_index, resolver);
            checked.entry = Some(Arc::new(entry));
            checked.refs = refs;
            checked.alias_places = alias_places;
            (diagnostics, links)
        }
        DocKind::Page => {
            let (page, diagnostics, links) = check_page(config, doc, resolver);
            checked.page = Some(Arc::new(page));
            (diagnostics, links)
        }
        DocKind::Collection => {
            let (collection, refs, diagnostics, links) = check_collection(config, doc, resolver);
            checked.collection = Some(Arc::new(collection));
            checked.refs = refs;
            (diagnostics, links)
        }
    };
    checked
}

/// The checks across files: duplicate ids and colliding slugs, then references resolved to
/// entries. Cheap enough to run over the whole catalogue on every rebuild.
pub fn assemble(config: &Config, docs: &[Arc<CheckedDoc>], report: &mut Report) -> Checked {
    for doc in docs {
        report.extend(doc.diagnostics.iter().cloned());
    }
    let kept = distinct(config, docs, report);
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
    report.extend(drafts_and_aliases(config, &kept));
    let originals = || kept.iter().filter(|d| d.language.is_none());
    let pages = originals().filter_map(|d| d.page.clone()).collect();
    let collections: Vec<_> = originals()
        .filter_map(|d| {
            let c = d.collection.as_ref()?;
            let members = resolve_collection(config, d, c, &ids, &entries, report);
            Some((Arc::clone(c), members))
        })
        .collect();
    let translations = Translations {
        entries: attach_translations(config, &kept, report),
        pages: page_translations(&kept, report),
        collections: collection_translations(config, &kept, &collections, (&ids, &entries), report),
    };
    Checked {
        entries,
        references,
        pages,
        collections,
        translations,
    }
}

/// The first check across files: every document keeps its address unless an earlier one has
/// it (a duplicate id, or file names that become the same slug), which is reported. Returns the
/// documents that keep theirs, in order. `casebook lsp` runs it on every edit.
pub fn distinct<'d>(
    config: &Config,
    docs: &'d [Arc<CheckedDoc>],
    report: &mut Report,
) -> Vec<&'d CheckedDoc> {
    let mut seen: HashMap<(DocKind, &str), &CheckedDoc> = HashMap::new();
    let mut kept: Vec<&CheckedDoc> = Vec::with_capacity(docs.len());
    for doc in docs {
        // Translations share their original's address; `attach_translations` checks them.
        if doc.language.is_some() {
            kept.push(doc);
            continue;
        }
        match seen.get(&(doc.kind, doc.slug.as_str())) {
            Some(first) => {
                let same_stem = std::path::Path::new(&first.rel_path).file_stem()
                    == std::path::Path::new(&doc.rel_path).file_stem();
                let id = match doc.kind {
                    DocKind::Entry(t) => format!("{}/{}", config.types[t].key, doc.slug),
                    DocKind::Page => format!("pages/{}", doc.slug),
                    DocKind::Collection => format!(
                        "{}/{}",
                        config
                            .collections
                            .as_ref()
                            .map_or("", |c| c.folder.as_str()),
                        doc.slug
                    ),
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
    kept
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
                Ok(i) if entries[i].draft && doc.entry.as_ref().is_some_and(|e| !e.draft) => {
                    problems.push_with("reference-to-draft", || {
                        let mut d = Diagnostic::warning(
                            "reference-to-draft",
                            &doc.shown,
                            format!("`{}` points to `{}`, a draft", def.key, t.target),
                        )
                        .at(&t.source_line, 1, t.column, t.target.chars().count())
                        .hint("the public build leaves this link out until the draft is published");
                        d.line = Some(t.line);
                        d
                    });
                    if seen.insert(i) {
                        resolved.push(i)
                    }
                }
                Ok(i) if seen.insert(i) => resolved.push(i),
                Ok(_) => {}
                Err(problem) => problems.push_with(problem.code(), || {
                    let source_type = match doc.kind {
                        DocKind::Entry(t) => Some(t),
                        DocKind::Page | DocKind::Collection => None,
                    };
                    let d = reference_problem(config, source_type, def, &t.target, problem, ids);
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

/// Counts for the summary line of `check`.
pub fn count_by_type(config: &Config, entries: &[Arc<Entry>]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for e in entries {
        *out.entry(config.types[e.type_index].plural.to_string())
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
