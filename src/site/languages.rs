//! The site in its other languages. Each is a [`Site`] of its own below `/<language>/`: its
//! catalogue is the default one with the translations' texts ([`Catalogue::in_language`]),
//! its config speaks the language (labels, UI strings, the built-in pages' segments, the
//! search's stemmer), and it is planned, fingerprinted and rendered like the default one, so
//! every page kind exists in every language and `serve` renders what changed in each.

use super::*;
use crate::resolve::{Edition, Editions};

impl Site {
    /// Makes the other languages' sites anew from the default one and `translations`, taking
    /// over the cards and templates of `previous` ones where they hold (`theme` says whether
    /// the theme changed), and gives every catalogue the addresses of its pages in each
    /// language. Planning the pages comes after.
    pub(super) fn make_editions(
        &mut self,
        previous: Vec<Site>,
        theme: bool,
        timings: &mut Timings,
    ) -> Result<(), SiteError> {
        let config = Arc::clone(&self.catalogue.config);
        if config.languages.len() < 2 {
            self.editions = Vec::new();
            return Ok(());
        }
        let mut previous = previous;
        let mut editions = Vec::with_capacity(config.languages.len() - 1);
        for language in &config.languages[1..] {
            let before = previous
                .iter()
                .position(|s| s.catalogue.config.language == *language)
                .map(|i| previous.swap_remove(i));
            let edition = timings.time("languages", || {
                self.edition(language, before.filter(|_| !theme))
            })?;
            editions.push(edition);
        }
        let mut all = vec![Edition::of(&self.catalogue, render::PAGE_SIZE)];
        all.extend(
            editions
                .iter()
                .map(|s| Edition::of(&s.catalogue, render::PAGE_SIZE)),
        );
        let shared = Arc::new(Editions { languages: all });
        self.catalogue.editions = Arc::clone(&shared);
        for edition in &mut editions {
            edition.catalogue.editions = Arc::clone(&shared);
            edition
                .renderer
                .set_globals(&edition.catalogue, &edition.views);
            edition.plan(false);
        }
        self.editions = editions;
        Ok(())
    }

    /// Whether this site publishes the media: the default language's does, for all languages.
    pub(super) fn publishes_media(&self) -> bool {
        let config = &self.catalogue.config;
        config.language == config.default_language()
    }

    /// The site in `language`, with the renderer and cards of `previous` where it has one.
    fn edition(&self, language: &str, previous: Option<Site>) -> Result<Site, SiteError> {
        let config = Arc::new(self.catalogue.config.in_language(language));
        let own = self.translations.for_language(language);
        let dated = own
            .entries
            .iter()
            .map(|t| {
                (
                    &t.entry.rel_path,
                    t.entry.modified,
                    t.entry.updated.as_deref(),
                )
            })
            .chain(
                own.pages
                    .iter()
                    .map(|p| (&p.text.rel_path, p.text.modified, None)),
            );
        let mut updated = self.updated.clone();
        for (rel_path, modified, own_date) in dated {
            if let Some(date) = self.dates.of((rel_path, modified, own_date)) {
                updated.insert(rel_path.to_string(), date);
            }
        }
        let checked = self.catalogue.in_language(Arc::clone(&config), &own);
        let catalogue = Catalogue::resolve(config, checked);
        let (renderer, views) = match previous {
            Some(before) => (before.renderer, Some(before.views)),
            None => (Renderer::new(Theme::load(&catalogue.config)?)?, None),
        };
        let views = Views::reusing(&catalogue, &updated, views.as_ref(), &self.media);
        Ok(Site {
            root: self.root.clone(),
            overrides: self.overrides.clone(),
            catalogue,
            updated,
            dates: self.dates.clone(),
            docs: Docs::default(),
            walk_diagnostics: Vec::new(),
            link_targets: HashMap::new(),
            renderer,
            views,
            index_rows: None,
            pages: Vec::new(),
            identity: 0,
            report: Report::default(),
            translations: Default::default(),
            editions: Vec::new(),
            // The media are published once, by the default language's site; pages in every
            // language name them there (`Config::media_urls`).
            media: self.media.clone(),
            image_cache: None,
            media_outputs: Vec::new(),
        })
    }
}

/// A sink that puts everything written through it below `<prefix>/` of another: a language's
/// site in its folder of the output.
pub(super) struct Prefixed<'a> {
    sink: &'a dyn Sink,
    prefix: String,
    previous: Option<PathBuf>,
}

impl<'a> Prefixed<'a> {
    pub(super) fn new(sink: &'a dyn Sink, language: &str) -> Prefixed<'a> {
        Prefixed {
            sink,
            prefix: format!("{language}/"),
            previous: sink.previous_output().map(|p| p.join(language)),
        }
    }

    pub(super) fn path(&self, path: &str) -> String {
        format!("{}{path}", self.prefix)
    }
}

impl Sink for Prefixed<'_> {
    fn write(&self, path: &str, content: &WriteFn<'_>) -> Result<(), OutputError> {
        self.sink.write(&self.path(path), content)
    }

    fn write_page(&self, path: &str, fingerprint: u64, html: &[u8]) -> Result<(), OutputError> {
        self.sink.write_page(&self.path(path), fingerprint, html)
    }

    fn keep_page(&self, path: &str, fingerprint: u64) -> bool {
        self.sink.keep_page(&self.path(path), fingerprint)
    }

    fn previous_output(&self) -> Option<&Path> {
        self.previous.as_deref()
    }
}
