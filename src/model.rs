//! The catalogue's data: entries, free pages and their field values, as checking produces them
//! and every later step reads them. This module imports no pipeline step.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

/// Content path (`orte/x.md`) → the date it was last updated (`2024-05-01`), from git or the
/// file's time. Hashed with foldhash: pages look up every entry's date on each rebuild.
pub type Updated = std::collections::HashMap<String, String, foldhash::fast::RandomState>;

/// A validated field value.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Text(String),
    /// Markdown source and its rendered HTML.
    Markdown(String, String),
    Number(f64),
    Year(i32),
    Date(String),
    Url(String),
    Email(String),
    Geo {
        lat: f64,
        lon: f64,
    },
    /// One picture, or several for a gallery (`multiple: true`).
    Image(Vec<Picture>),
    /// Term indices into the field's vocabulary.
    Terms(Vec<usize>),
    List(Vec<ListValue>),
    Bool(bool),
}

/// A picture as an entry names it: the file and what is said about it. Its size and the files
/// published for it come from the file itself, later (`media`).
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct Picture {
    /// The file below `content/` (`media/markt.jpg`).
    pub src: String,
    /// The alternative text; empty for a decorative picture.
    pub alt: String,
    pub credit: Option<String>,
    pub caption: Option<String>,
    pub licence: Option<String>,
    pub decorative: bool,
}

/// One item of a `list` field.
#[derive(Debug, Clone, PartialEq)]
pub struct ListValue {
    pub text: String,
    pub url: Option<String>,
}

/// A validated entry, ready to be resolved into the catalogue graph.
#[derive(Debug, Clone)]
pub struct Entry {
    /// `<type>/<slug>`.
    pub id: String,
    pub type_index: usize,
    pub slug: String,
    /// Path below `content/` (`orte/x.md`), for edit links and internal links.
    pub rel_path: String,
    pub title: String,
    /// The title as it sorts ([`sort_key`]), computed once per file.
    pub sort_key: String,
    pub summary: Option<String>,
    /// Fields in the order the type lists them; missing optional fields are absent. References
    /// are not here: they are resolved across files, into `Checked::references`.
    pub fields: Vec<(String, FieldValue)>,
    pub body_html: String,
    pub modified: Option<SystemTime>,
    /// Hash of everything that came from the file, for deciding what to re-render.
    pub content_hash: u64,
    /// Marked as a draft (`roles: draft:`): shown by the preview only.
    pub draft: bool,
    /// Earlier addresses (`roles: aliases:`), each as `(type index, slug)`.
    pub aliases: Vec<(usize, String)>,
    /// The last update the entry gives itself (`roles: updated:`), `YYYY-MM-DD`.
    pub updated: Option<String>,
    /// The language of its texts where they are not in the language of the pages that show it:
    /// an entry without a translation, shown in the default language's words.
    pub text_language: Option<Arc<str>>,
}

impl Entry {
    pub fn field(&self, key: &str) -> Option<&FieldValue> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// A free page (`content/pages/*.md`).
#[derive(Debug, Clone)]
pub struct Page {
    pub slug: String,
    pub rel_path: String,
    pub title: String,
    pub summary: Option<String>,
    pub body_html: String,
    pub modified: Option<SystemTime>,
    /// As [`Entry::text_language`]: a page shown untranslated in another language's site.
    pub text_language: Option<Arc<str>>,
}

/// A translation of an entry (`<slug>.<language>.md` beside the original): its texts, as an
/// entry with the original's id that holds only the fields that depend on language.
#[derive(Debug, Clone)]
pub struct Translation {
    pub language: String,
    /// The entry's address in the language, where the translation gives one (`slug:`).
    pub slug: Option<String>,
    pub entry: Arc<Entry>,
}

/// A collection (`content/<collections folder>/*.md`): a curated, ordered list of entries, each
/// with an optional note on why it is there, and an introduction.
#[derive(Debug, Clone, Hash)]
pub struct Collection {
    pub slug: String,
    pub rel_path: String,
    pub title: String,
    pub summary: Option<String>,
    pub intro_html: String,
    /// Per listed entry, in order: the note, if any (its target is resolved across files).
    pub notes: Vec<Option<String>>,
    /// As [`Entry::text_language`]: a collection shown untranslated in another language's site.
    pub text_language: Option<Arc<str>>,
}

/// One entry of a collection, resolved: the entry's index and its note.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct Member {
    pub entry: usize,
    pub note: Option<String>,
}

/// The result of checking: everything valid enough to publish.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    pub entries: Vec<Arc<Entry>>,
    /// Per entry: its reference fields with the resolved target entries, in the order written.
    pub references: Vec<Vec<(String, Vec<usize>)>>,
    pub pages: Vec<Arc<Page>>,
    /// The collections with their entries resolved, in file-name order.
    pub collections: Vec<(Arc<Collection>, Vec<Member>)>,
    /// The translations whose original exists, in the order of the files.
    pub translations: Translations,
}

/// Every translation whose original exists, for the sites in the other languages.
#[derive(Debug, Clone, Default)]
pub struct Translations {
    pub entries: Vec<Arc<Translation>>,
    /// Free pages in another language (`ueber.en.md`), each with its original's slug.
    pub pages: Vec<Translated<Page>>,
    pub collections: Vec<Translated<Collection>>,
}

impl Translations {
    /// The translations into `language`.
    pub fn for_language(&self, language: &str) -> Translations {
        let own = |l: &str| l == language;
        Translations {
            entries: (self.entries.iter())
                .filter(|t| own(&t.language))
                .cloned()
                .collect(),
            pages: (self.pages.iter())
                .filter(|t| own(&t.language))
                .cloned()
                .collect(),
            collections: (self.collections.iter())
                .filter(|t| own(&t.language))
                .cloned()
                .collect(),
        }
    }
}

/// A free page or collection in another language: its own texts, with its original's slug.
/// A collection's translation lists its original's entries, its notes kept by entry id.
#[derive(Debug, Clone)]
pub struct Translated<T> {
    pub language: String,
    pub text: Arc<T>,
    /// A collection's notes in the language, by the listed entry's id.
    pub notes: HashMap<String, String>,
}

impl Checked {
    /// The catalogue as the public sees it: drafts left out, and references to them dropped.
    pub fn without_drafts(self) -> Checked {
        if !self.entries.iter().any(|e| e.draft) {
            return self;
        }
        let mut new_index = vec![None; self.entries.len()];
        let mut kept = 0;
        for (i, e) in self.entries.iter().enumerate() {
            if !e.draft {
                new_index[i] = Some(kept);
                kept += 1;
            }
        }
        let (entries, references) = self
            .entries
            .into_iter()
            .zip(self.references)
            .filter(|(e, _)| !e.draft)
            .map(|(e, refs)| {
                let refs = refs
                    .into_iter()
                    .map(|(field, targets)| {
                        let targets = targets.into_iter().filter_map(|t| new_index[t]).collect();
                        (field, targets)
                    })
                    .collect();
                (e, refs)
            })
            .unzip();
        let collections = self
            .collections
            .into_iter()
            .map(|(c, members)| {
                let members = members
                    .into_iter()
                    .filter_map(|m| {
                        Some(Member {
                            entry: new_index[m.entry]?,
                            note: m.note,
                        })
                    })
                    .collect();
                (c, members)
            })
            .collect();
        Checked {
            entries,
            references,
            pages: self.pages,
            collections,
            translations: self.translations,
        }
    }
}

/// A sort key that orders German titles as a reader expects (ä with a, case-insensitive).
pub fn sort_key(title: &str) -> String {
    deunicode::deunicode(title)
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ')
        .collect::<String>()
        .trim()
        .to_string()
}
