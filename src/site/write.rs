//! Writing a site into a sink: the pages (those the sink does not hold), the catalogue
//! browser's index, the theme's assets, the exports and the search index.

use super::languages::Prefixed;
use super::*;

/// What rendering wrote.
#[derive(Debug, Default, Clone, Copy)]
pub struct Rendered {
    /// Pages rendered (the others were kept as the sink held them).
    pub rendered: usize,
    pub pages: usize,
    /// Files written or kept, pages included.
    pub files: usize,
    /// Whether the search index was taken over from the previous output.
    pub search_reused: bool,
    /// What publishing the media did: how many picture sizes were encoded, taken from the
    /// cache, kept.
    pub media: crate::media::Published,
}

impl Site {
    /// How many pages the site has, in all its languages.
    pub fn page_count(&self) -> usize {
        self.pages.len() + self.editions.iter().map(Site::page_count).sum::<usize>()
    }

    /// Renders the whole site into `sink`: the pages and the exports side by side, and the
    /// search index beside them on a thread of its own with a one-thread pool, so that its
    /// parallel parts neither wait behind the pages' jobs nor delay them (BENCHMARKS.md).
    /// `on_page` is called for every page, for a progress bar.
    pub fn render(
        &mut self,
        sink: &dyn Sink,
        on_page: &(dyn Fn() + Sync),
        timings: &mut Timings,
    ) -> Result<Rendered, SiteError> {
        let this = &*self;
        let (pages, exports, search) = std::thread::scope(|scope| {
            let search = this.catalogue.config.search.then(|| {
                scope.spawn(
                    || match rayon::ThreadPoolBuilder::new().num_threads(1).build() {
                        Ok(pool) => pool.install(|| this.render_search(sink)),
                        Err(_) => this.render_search(sink),
                    },
                )
            });
            let (pages, exports) = timings.time("render+write", || {
                rayon::join(
                    || this.render_pages_into(sink, on_page),
                    || this.render_exports_into(sink),
                )
            });
            let waited = Instant::now();
            let search = search.map(|h| h.join().expect("the search indexer panicked"));
            if let Some(Ok(bundle)) = &search {
                let step = if bundle.reused {
                    "search reused"
                } else {
                    "search"
                };
                timings.steps.push((step, waited.elapsed()));
            }
            (pages, exports, search)
        });
        let (mut rendered, rows) = pages?;
        self.index_rows = Some(rows);
        rendered.files += exports?;
        if let Some(bundle) = search.transpose()? {
            rendered.files += bundle.files;
            rendered.search_reused = bundle.reused;
        }
        for edition in &mut self.editions {
            let language = edition.catalogue.config.language.clone();
            let more = edition.render(&Prefixed::new(sink, &language), on_page, timings)?;
            rendered.rendered += more.rendered;
            rendered.pages += more.pages;
            rendered.files += more.files;
            rendered.search_reused &= more.search_reused;
        }
        Ok(rendered)
    }

    /// Renders the pages, the catalogue browser's index and the theme's assets into `sink`
    /// (serve's first pass). Returns what it wrote and the paths it produced besides the pages
    /// ([`Site::page_paths`]).
    pub fn render_pages(&mut self, sink: &dyn Sink) -> Result<(Rendered, Vec<String>), SiteError> {
        let recorder = Recorder::new(sink);
        let (mut rendered, rows) = self.render_pages_into(&recorder, &|| {})?;
        self.index_rows = Some(rows);
        let mut paths = recorder.into_paths_but_pages();
        // The other languages' pages count among the paths produced besides this site's own.
        for edition in &mut self.editions {
            let language = edition.catalogue.config.language.clone();
            let prefixed = Prefixed::new(sink, &language);
            let (more, files) = edition.render_pages(&prefixed)?;
            rendered.rendered += more.rendered;
            rendered.pages += more.pages;
            rendered.files += more.files;
            let pages = edition.page_paths().map(String::from);
            paths.extend(pages.chain(files).map(|p| prefixed.path(&p)));
        }
        Ok((rendered, paths))
    }

    /// Renders the exports, feeds, sitemap and the search index into `sink` (serve's second
    /// pass, after the browser has reloaded); returns the paths it produced.
    pub fn render_exports(&self, sink: &dyn Sink) -> Result<Vec<String>, SiteError> {
        let recorder = Recorder::new(sink);
        self.render_exports_into(&recorder)?;
        if self.catalogue.config.search {
            self.render_search(&recorder)?;
        }
        let mut paths = recorder.into_paths_but_pages();
        for edition in &self.editions {
            let prefixed = Prefixed::new(sink, &edition.catalogue.config.language);
            let files = edition.render_exports(&prefixed)?;
            paths.extend(files.iter().map(|p| prefixed.path(p)));
        }
        Ok(paths)
    }

    /// The output paths of the pages, the media files and the sizes made of pictures.
    pub fn page_paths(&self) -> impl Iterator<Item = &str> {
        let pages = self.pages.iter().map(|(_, path, _)| path.as_str());
        pages.chain(self.media_outputs.iter().map(|(path, _)| path.as_str()))
    }

    /// Removes from the picture cache what this site does not publish (after a build: the
    /// cache holds the sizes of the pictures shown now, not of every picture ever shown).
    pub fn prune_image_cache(&self) {
        if let Some(cache) = &self.image_cache {
            let keep = self
                .media
                .variants(&self.catalogue.entries)
                .into_iter()
                .map(|(_, v)| v.cache_name())
                .collect();
            cache.retain(&keep);
        }
    }

    /// Publishes the media files and the sizes of the pictures into `sink`, and remembers what
    /// the files held for the next run.
    fn publish_media(&self, sink: &dyn Sink) -> Result<crate::media::Published, SiteError> {
        if !self.publishes_media() {
            return Ok(crate::media::Published::default());
        }
        let cat = &self.catalogue;
        let cache = self
            .image_cache
            .as_ref()
            .map(|c| c as &dyn crate::sink::VariantCache);
        let published = self.media.publish(&cat.config, &cat.entries, sink, cache)?;
        if let Some(cache) = &self.image_cache {
            cache.set_memo(&self.media.memo());
        }
        Ok(published)
    }

    fn render_pages_into(
        &self,
        sink: &dyn Sink,
        on_page: &(dyn Fn() + Sync),
    ) -> Result<(Rendered, IndexRows), SiteError> {
        let cat = &self.catalogue;
        let rendered = std::sync::atomic::AtomicUsize::new(0);
        let ((pages, rows), media) = rayon::join(
            || {
                rayon::join(
                    || {
                        let heavy = self
                            .pages
                            .partition_point(|(p, ..)| p.cost(cat) > render::PAGE_SIZE);
                        let (heavy, light) = self.pages.split_at(heavy);
                        let pages = heavy.par_iter().with_max_len(1).chain(light.par_iter());
                        pages.try_for_each(|(page, path, fp)| {
                            if !sink.keep_page(path, *fp) {
                                let html =
                                    self.renderer
                                        .render(cat, &self.views, page, &self.updated)?;
                                sink.write_page(path, *fp, &html)?;
                                rendered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            }
                            on_page();
                            Ok::<(), SiteError>(())
                        })
                    },
                    || -> Result<(IndexRows, usize), OutputError> {
                        let rows = IndexRows::reusing(
                            cat,
                            &self.updated,
                            self.index_rows.as_ref(),
                            &self.media,
                        );
                        let index = export::browser_index(cat, &rows);
                        for (path, bytes) in &index {
                            sink.write(path, &|w| w.write_all(bytes))?;
                        }
                        Ok((rows, index.len()))
                    },
                )
            },
            || self.publish_media(sink),
        );
        pages?;
        let media = media?;
        let (rows, index_files) = rows?;
        // The theme's assets, like the media, are published once, by the default language's
        // site: every language's pages name the same files (`Config::media_urls`).
        let assets = match self.publishes_media() {
            true => self.renderer.theme.assets.len(),
            false => 0,
        };
        for (path, bytes) in self.renderer.theme.assets.iter().take(assets) {
            sink.write(path, &|w| w.write_all(bytes))?;
        }
        let rendered = Rendered {
            rendered: rendered.into_inner(),
            pages: self.pages.len(),
            files: self.pages.len() + index_files + assets + media.files,
            search_reused: false,
            media,
        };
        Ok((rendered, rows))
    }

    fn render_exports_into(&self, sink: &dyn Sink) -> Result<usize, SiteError> {
        let write = |path: &str, content: &WriteFn<'_>| sink.write(path, content);
        let written = export::write_exports(
            &self.catalogue,
            &self.views,
            &self.renderer,
            &self.updated,
            &write,
        );
        written.map_err(|e| match e {
            export::ExportError::Output(e) => SiteError::Output(e),
            export::ExportError::Render(e) => SiteError::Render(e),
        })
    }

    fn render_search(&self, sink: &dyn Sink) -> Result<search::Bundle, SiteError> {
        let write = |path: &str, content: &WriteFn<'_>| sink.write(path, content);
        Ok(search::bundle(
            &self.catalogue,
            &self.views,
            sink.previous_output(),
            self.identity,
            &write,
        )?)
    }
}

/// A sink that passes everything on to another and notes the paths of the files (not pages)
/// written, so a pass can say what it produced.
struct Recorder<'a> {
    sink: &'a dyn Sink,
    paths: std::sync::Mutex<Vec<String>>,
}

impl<'a> Recorder<'a> {
    fn new(sink: &'a dyn Sink) -> Recorder<'a> {
        Recorder {
            sink,
            paths: std::sync::Mutex::new(Vec::new()),
        }
    }

    fn into_paths_but_pages(self) -> Vec<String> {
        self.paths.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for Recorder<'_> {
    fn write(&self, path: &str, content: &WriteFn<'_>) -> Result<(), OutputError> {
        self.sink.write(path, content)?;
        self.paths
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(path.to_string());
        Ok(())
    }

    fn write_page(&self, path: &str, fingerprint: u64, html: &[u8]) -> Result<(), OutputError> {
        self.sink.write_page(path, fingerprint, html)
    }

    fn keep_page(&self, path: &str, fingerprint: u64) -> bool {
        self.sink.keep_page(path, fingerprint)
    }

    fn previous_output(&self) -> Option<&Path> {
        self.sink.previous_output()
    }
}
