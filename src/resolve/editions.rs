//! A catalogue in another language: the entries with their translations' texts, and where
//! each page is in every language, for `hreflang` links and the language switcher.

use super::*;
use crate::config::Untranslated;
use crate::model::{Collection, Member, Translation, Translations};
use crate::urls::{Segments, Urls};
use std::hash::{Hash, Hasher};

/// Where the pages of a site in several languages are in each language. Every catalogue of
/// the site holds the same one; a one-language site has an empty one.
#[derive(Debug, Default)]
pub struct Editions {
    /// Per language, the default first.
    pub languages: Vec<Edition>,
}

/// One language's part of a site.
#[derive(Debug)]
pub struct Edition {
    pub language: String,
    pub urls: Urls,
    pub segments: Segments,
    /// Entry id → its address segment in this language; an entry without a page in this
    /// language (left out for want of a translation) is not here.
    pub slugs: HashMap<String, String>,
    /// Per type: how many pages its list has.
    pub list_pages: Vec<usize>,
    /// Per type: the years of its events, each with an archive page (none for other types).
    pub event_years: Vec<BTreeSet<String>>,
}

impl Edition {
    /// The part of `cat`, a catalogue in its language, that other languages link to.
    pub fn of(cat: &Catalogue, page_size: usize) -> Edition {
        let config = &cat.config;
        Edition {
            language: config.language.clone(),
            urls: config.urls(),
            segments: config.segments.clone(),
            slugs: cat
                .entries
                .iter()
                .map(|e| (e.id.clone(), e.slug.clone()))
                .collect(),
            list_pages: cat
                .by_type
                .iter()
                .map(|l| l.len().div_ceil(page_size).max(1))
                .collect(),
            event_years: (0..config.types.len())
                .map(|t| cat.events(t).iter().map(|e| e.year().to_string()).collect())
                .collect(),
        }
    }
}

impl Catalogue {
    /// The catalogue as the pages of `config`'s language show it: each entry with its
    /// translation's texts where there is one; one without is shown in the default language's
    /// texts, marked as such, or left out (`untranslated: omit`). Facts, references and terms
    /// stay the original's. Free pages and collections are shown in their translation's words
    /// where they have one, else in the default language's, marked. `translations` are those
    /// into this language.
    pub fn in_language(&self, config: Arc<Config>, translations: &Translations) -> Checked {
        let by_id: HashMap<&str, &Translation> = translations
            .entries
            .iter()
            .map(|t| (t.entry.id.as_str(), &**t))
            .collect();
        let default: Arc<str> = Arc::from(config.default_language());
        let omit = config.untranslated == Untranslated::Omit;
        let relinks = Relinks::new(&config, &self.entries, &by_id, omit);
        let mut new_index = vec![None; self.entries.len()];
        let mut entries = Vec::with_capacity(self.entries.len());
        for (i, original) in self.entries.iter().enumerate() {
            let entry = match by_id.get(original.id.as_str()) {
                Some(t) => translated(&config, original, t),
                None if omit => continue,
                None => {
                    let mut e = Entry::clone(original);
                    e.text_language = Some(Arc::clone(&default));
                    e.content_hash = combined(&[original.content_hash, 1]);
                    e
                }
            };
            new_index[i] = Some(entries.len());
            entries.push(Arc::new(relinks.entry(entry)));
        }
        let references = self
            .relations
            .iter()
            .enumerate()
            .filter(|(i, _)| new_index[*i].is_some())
            .map(|(_, rels)| {
                rels.iter()
                    .map(|r| {
                        let targets = r.targets.iter().filter_map(|&t| new_index[t]).collect();
                        (r.field.clone(), targets)
                    })
                    .collect()
            })
            .collect();
        // The collections list the entries this language shows, each with its note.
        let collections = self
            .collections
            .iter()
            .map(|(c, members)| {
                let own = translations
                    .collections
                    .iter()
                    .find(|t| t.text.slug == c.slug);
                let members = members
                    .iter()
                    .filter_map(|m| {
                        let entry = new_index[m.entry]?;
                        let note = match own {
                            Some(t) => t.notes.get(&self.entries[m.entry].id).cloned(),
                            None => m.note.clone(),
                        };
                        Some(Member { entry, note })
                    })
                    .collect();
                let mut collection = match own {
                    Some(t) => Collection::clone(&t.text),
                    None => Collection {
                        text_language: Some(Arc::clone(&default)),
                        ..Collection::clone(c)
                    },
                };
                relinks.apply(&mut collection.intro_html);
                let collection = Arc::new(collection);
                (collection, members)
            })
            .collect();
        let pages = self
            .pages
            .iter()
            .map(|p| {
                let mut page = match translations.pages.iter().find(|t| t.text.slug == p.slug) {
                    Some(t) => Page::clone(&t.text),
                    None => Page {
                        text_language: Some(Arc::clone(&default)),
                        ..Page::clone(p)
                    },
                };
                relinks.apply(&mut page.body_html);
                Arc::new(page)
            })
            .collect();
        Checked {
            entries,
            references,
            pages,
            collections,
            translations: Default::default(),
        }
    }
}

/// Internal links of a language's texts that would land on a redirect or on no page: links to
/// an entry whose translation has an address of its own (its original's address in the
/// language only sends readers on), and, with `untranslated: omit`, to an entry the language
/// leaves out (it is linked in the default language). `check` makes a translation's links
/// from content paths alone, before any translation's `slug:` is known; this mends them.
struct Relinks {
    /// The language's site path, as links in its texts begin (`/en/`).
    base: String,
    /// Entry address below `base` (`orte/x/`) → the path to link instead.
    to: HashMap<String, String>,
}

impl Relinks {
    fn new(
        config: &Config,
        entries: &[Arc<Entry>],
        translations: &HashMap<&str, &Translation>,
        omit: bool,
    ) -> Relinks {
        let urls = config.urls();
        let default = config.media_urls();
        let mut to = HashMap::new();
        for e in entries {
            let folder = &config.types[e.type_index].folder;
            let address = crate::urls::entry(folder, &e.slug);
            let instead = match translations.get(e.id.as_str()) {
                Some(t) => match &t.slug {
                    Some(slug) if *slug != e.slug => urls.path(&crate::urls::entry(folder, slug)),
                    _ => continue,
                },
                None if omit => default.path(&address),
                None => continue,
            };
            to.insert(address, instead);
        }
        Relinks {
            base: config.base_path(),
            to,
        }
    }

    /// `html` with its links mended; whether any was.
    fn apply(&self, html: &mut String) -> bool {
        if self.to.is_empty() {
            return false;
        }
        let needle = format!("\"{}", self.base);
        if !html.contains(&needle) {
            return false;
        }
        let mut mended = false;
        let mut out = String::with_capacity(html.len());
        let mut rest = html.as_str();
        while let Some(at) = rest.find(&needle) {
            out.push_str(&rest[..=at]);
            let tail = &rest[at + needle.len()..];
            let end = tail.find(['"', '#', '?']).unwrap_or(tail.len());
            match self.to.get(&tail[..end]) {
                Some(instead) => {
                    out.push_str(instead);
                    rest = &tail[end..];
                    mended = true;
                }
                None => {
                    out.push_str(&self.base);
                    rest = tail;
                }
            }
        }
        out.push_str(rest);
        *html = out;
        mended
    }

    /// The entry with the links of its body and Markdown fields mended; its content hash
    /// then holds the mended text, so that a page showing it is made again when a link moves.
    fn entry(&self, mut e: Entry) -> Entry {
        if self.to.is_empty() {
            return e;
        }
        let mut mended = self.apply(&mut e.body_html);
        for (_, value) in &mut e.fields {
            if let FieldValue::Markdown(_, html) = value {
                mended |= self.apply(html);
            }
        }
        if mended {
            let mut h = crate::fingerprinter();
            e.body_html.hash(&mut h);
            for (_, value) in &e.fields {
                if let FieldValue::Markdown(_, html) = value {
                    html.hash(&mut h);
                }
            }
            e.content_hash = combined(&[e.content_hash, h.finish()]);
        }
        e
    }
}

/// The entry `original` in the words of its translation `t`: title, summary, texts and body
/// from the translation where it gives them, its address where it gives one (the original's
/// address then sends readers on), everything else from the original.
fn translated(config: &Config, original: &Entry, t: &Translation) -> Entry {
    let words = &t.entry;
    let mut e = original.clone();
    e.rel_path = words.rel_path.clone();
    e.modified = words.modified;
    e.title = words.title.clone();
    e.sort_key = words.sort_key.clone();
    if words.summary.is_some() {
        e.summary = words.summary.clone();
    }
    for (key, value) in &words.fields {
        let empty = matches!(value, FieldValue::Text(t) | FieldValue::Markdown(t, _) if t.trim().is_empty());
        if empty || !crate::check::is_translatable(config, key) {
            continue;
        }
        match e.fields.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value.clone(),
            None => e.fields.push((key.clone(), value.clone())),
        }
    }
    crate::check::sort_fields(config, &mut e);
    if !words.body_html.is_empty() {
        e.body_html = words.body_html.clone();
    }
    if let Some(slug) = &t.slug {
        if *slug != e.slug {
            e.aliases
                .push((e.type_index, std::mem::replace(&mut e.slug, slug.clone())));
        }
    }
    let slug_hash = {
        let mut h = crate::fingerprinter();
        t.slug.hash(&mut h);
        h.finish()
    };
    e.content_hash = combined(&[original.content_hash, words.content_hash, slug_hash]);
    e
}

fn combined(parts: &[u64]) -> u64 {
    let mut h = crate::fingerprinter();
    parts.hash(&mut h);
    h.finish()
}
