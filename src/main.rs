//! The `casebook` command line.

use casebook::build::{self, BuildError, BuildOptions, Timings};
use casebook::config::Config;
use casebook::diagnostic::{escape_controls, Report};
use casebook::{check, scaffold, serve};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// Everything the command line prints goes through [`console::write`], so that no write can
/// panic the way `println!` does on a closed pipe or a full disk.
mod console;

/// `println!` through [`console::write`].
macro_rules! outln {
    ($($arg:tt)*) => {
        console::write(console::Stream::Out, &format!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprintln!` through [`console::write`].
macro_rules! errln {
    ($($arg:tt)*) => {
        console::write(console::Stream::Err, &format!("{}\n", format_args!($($arg)*)))
    };
}

/// Builds allocate many small strings and values on several threads; mimalloc serves them in
/// about half the instructions of glibc's malloc (measured with callgrind, see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// casebook builds a filterable, searchable website from a folder of good-practice cases.
///
/// Each case is one Markdown or YAML file in `content/`; `content/site.yaml` defines the
/// catalogue's types, fields and vocabularies, and every entry is checked against it.
#[derive(Parser, Debug)]
#[command(name = "casebook", version, propagate_version = true)]
struct Cli {
    /// Catalogue folder (the one that contains `content/`) [default: .]
    #[arg(long, global = true)]
    root: Option<PathBuf>,
    /// Print only errors.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Print timings and details.
    #[arg(long, short, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Build the site into the output folder (default: `<root>/output`).
    ///
    /// The site is written to a fresh folder and swapped into place only when everything
    /// succeeded, so a failed build leaves the last good output untouched.
    Build {
        /// Where to write the site.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Publish under this address instead of `base_url` from site.yaml (staging vs live).
        #[arg(long)]
        base_url: Option<String>,
        /// Skip the full-text search index (faster drafts).
        #[arg(long)]
        no_search: bool,
        /// Build exactly what `casebook serve` shows (without its reload script), for
        /// reviewing a preview elsewhere: drafts included, with their badge.
        #[arg(long)]
        preview: bool,
    },
    /// Check every entry against the schema and list all problems.
    ///
    /// Exits with 1 if there is at least one error, 0 if there are only warnings or none.
    Check {
        /// `human` for people, `json` for editors and CI.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Also ask for every external address (URL fields, sources, links in Markdown) over
        /// HTTP: dead links and redirects are warnings at the line that names them. Answers are
        /// kept for a day in `.output.casebook-links` beside the output.
        #[arg(long)]
        links: bool,
        /// How long to wait for one request (each redirect is one), in seconds.
        #[arg(
            long,
            default_value_t = 10.0,
            value_name = "SECONDS",
            requires = "links"
        )]
        link_timeout: f64,
        /// The output folder whose side the link cache lives beside [default: <root>/output].
        #[arg(long, short, requires = "links")]
        output: Option<PathBuf>,
    },
    /// Preview the site locally; rebuilds and reloads the browser whenever a file is saved.
    Serve {
        /// Port to listen on; if it is taken, the next free one is used.
        #[arg(long, short, default_value_t = 1111)]
        port: u16,
        /// Address to bind; loopback by default so the preview is not exposed. `--bind 0.0.0.0`
        /// (to preview on a phone in the same network) lets every machine that can reach this
        /// one read the whole preview and its exports, unencrypted. Requests are answered only
        /// when their Host is the bound address (for 0.0.0.0: any IP address of this machine),
        /// localhost, 127.0.0.1 or [::1], with the port, so no web page can read the preview
        /// through DNS rebinding; other names get 421.
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
        /// Poll for changes instead of using file-system events (WSL2, Docker volumes, network drives).
        #[arg(long)]
        poll: bool,
        /// Wait this long after the last change before rebuilding (15 ms at most once every
        /// written file was closed or renamed into place, where the OS reports it).
        #[arg(long, default_value_t = 60, value_name = "MS")]
        debounce: u64,
    },
    /// Create a new entry pre-filled with every field of its type. Never overwrites a file.
    ///
    /// Where site.yaml has a draft role (`roles: draft:`), the entry starts as a draft: `serve`
    /// shows it with a badge, the public build leaves it out until the flag is removed.
    New {
        /// The entry type: a type key from content/site.yaml, or its folder name.
        #[arg(value_name = "TYPE", required_unless_present = "translate")]
        type_key: Option<String>,
        /// The title; the file name is made from it.
        #[arg(required_unless_present = "translate")]
        title: Option<String>,
        /// Create a translation of the entry ID (`ort/<slug>`) into LANGUAGE beside it, with
        /// the original's texts as comments (`new --translate ort/stadtteilbuero en`).
        #[arg(long, num_args = 2, value_names = ["ID", "LANGUAGE"], conflicts_with_all = ["type_key", "title"])]
        translate: Option<Vec<String>>,
    },
    /// Run the language server for editors, speaking LSP on stdin and stdout.
    ///
    /// Diagnostics as you type (the same as `check`), completion of field names, terms,
    /// entry ids and `@/` links, hover, go to definition and quick fixes. Without --root, the
    /// catalogue is the editor's workspace folder or the folder above an opened file that
    /// holds content/site.yaml. The README shows how to hook it into VS Code, Neovim and Helix.
    Lsp {
        /// Accepted for editors that pass it; stdio is the only transport.
        #[arg(long, hide = true)]
        stdio: bool,
    },
    /// Write JSON Schema for each entry type, for site.yaml and for the vocabularies.
    ///
    /// For YAML tools in editors (yaml-language-server: VS Code's `yaml.schemas`). Writes
    /// into `.casebook/schema/` beside content/ unless --output names another folder; it
    /// replaces only files it wrote itself and never writes into content/.
    Schema {
        /// Where to write the schemas.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Create a new catalogue skeleton that checks without a warning.
    Init {
        /// Folder to create (must be empty or missing); `--root DIR` names it as well.
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

/// Colour only on a terminal and only if NO_COLOR is unset (no-color.org).
fn use_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn print_diagnostics(report: &Report, quiet: bool) {
    let color = use_color();
    for d in &report.diagnostics {
        if quiet && !d.is_error() {
            continue;
        }
        errln!("{}", d.render(color));
    }
}

fn summary_line(report: &Report) -> String {
    format!(
        "{} error(s), {} warning(s)",
        report.error_count(),
        report.warning_count()
    )
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help, the version and usage errors go out through the same writes as the rest.
        Err(e) => {
            let (stream, terminal) = if e.use_stderr() {
                (console::Stream::Err, std::io::stderr().is_terminal())
            } else {
                (console::Stream::Out, std::io::stdout().is_terminal())
            };
            let text = e.render();
            let text = if terminal && std::env::var_os("NO_COLOR").is_none() {
                text.ansi().to_string()
            } else {
                text.to_string()
            };
            console::write(stream, &text);
            let code = u8::try_from(e.exit_code()).unwrap_or(2);
            return console::finish(ExitCode::from(code));
        }
    };
    let code = match run(cli) {
        Ok(code) => code,
        Err(message) => {
            let color = use_color();
            let label = if color {
                "\x1b[1;31merror\x1b[0m"
            } else {
                "error"
            };
            // Messages name files and repeat titles: no control characters reach the terminal.
            errln!("{label}: {}", escape_controls(&message));
            ExitCode::FAILURE
        }
    };
    console::finish(code)
}

/// The catalogue folder of every command but `init`, which makes it: it must exist, or
/// nothing else said about it (a missing schema, an unchanged output) would be true.
fn catalogue_root(root: Option<PathBuf>) -> Result<PathBuf, String> {
    let root = root.unwrap_or_else(|| PathBuf::from("."));
    match std::fs::metadata(&root) {
        Ok(m) if m.is_dir() => Ok(root),
        Ok(_) => Err(format!(
            "the catalogue folder {} is not a folder; pass --root with the folder that contains content/",
            root.display()
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(format!(
            "the catalogue folder {} does not exist; pass --root with the folder that contains content/",
            root.display()
        )),
        Err(e) => Err(format!(
            "cannot open the catalogue folder {}: {e}",
            root.display()
        )),
    }
}

/// What a failed build leaves behind, in words that are true: an output that was there is
/// unchanged; where there was none, none was made.
fn output_left(output: &std::path::Path) -> String {
    if std::fs::symlink_metadata(output).is_ok() {
        format!("the previous output in {} is unchanged", output.display())
    } else {
        "nothing was written".to_string()
    }
}

/// `casebook init`: the folder comes as the argument or as `--root`, not both.
fn init(dir: Option<PathBuf>, root: Option<PathBuf>, quiet: bool) -> Result<ExitCode, String> {
    let dir = match (dir, root) {
        (Some(dir), None) | (None, Some(dir)) => dir,
        (Some(dir), Some(root)) => {
            return Err(format!(
                "name the new catalogue's folder once: `casebook init {}` or `casebook --root {} init`, not both",
                dir.display(),
                root.display()
            ))
        }
        (None, None) => {
            return Err("name the folder for the new catalogue: `casebook init <dir>`".into())
        }
    };
    let created = scaffold::init(&dir).map_err(|e| e.to_string())?;
    if !quiet {
        errln!(
            "created a catalogue with {} files in {}",
            created.len(),
            dir.display()
        );
        errln!("next: casebook --root {} serve", dir.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    let root = cli.root;
    match cli.command {
        Command::Init { dir } => init(dir, root, cli.quiet),
        Command::Build {
            output,
            base_url,
            no_search,
            preview,
        } => {
            let root = catalogue_root(root)?;
            let output = output.unwrap_or_else(|| root.join("output"));
            let options = BuildOptions {
                root,
                output: output.clone(),
                base_url,
                search: !no_search,
                preview,
                progress: !cli.quiet,
            };
            match build::build(&options) {
                Ok(summary) => {
                    print_diagnostics(&summary.report, cli.quiet);
                    if cli.verbose {
                        let timings = &summary.timings;
                        for (step, d) in &timings.steps {
                            let peak = timings.peaks.iter().find(|(s, _)| s == step);
                            let peak = peak
                                .map(|(_, kib)| format!("   peak {:>6} MB", kib / 1024))
                                .unwrap_or_default();
                            errln!("  {step:<14} {:>8.1} ms{peak}", d.as_secs_f64() * 1000.0);
                        }
                        let media = summary.media;
                        errln!(
                            "  media: {} files, {} picture sizes encoded, {} from the cache",
                            media.files,
                            media.encoded,
                            media.cached
                        );
                    }
                    if !cli.quiet {
                        errln!(
                            "built {} entries into {} pages ({} files) in {:.0} ms → {}",
                            summary.entries,
                            summary.pages,
                            summary.files,
                            summary.timings.total().as_secs_f64() * 1000.0,
                            output.display()
                        );
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(BuildError::Invalid(report)) => {
                    print_diagnostics(&report, cli.quiet);
                    errln!(
                        "build failed: {}; {}",
                        summary_line(&report),
                        output_left(&output)
                    );
                    Ok(ExitCode::FAILURE)
                }
                // A theme data file that does not parse has a line to point at.
                Err(e @ BuildError::Theme(casebook::render::theme::ThemeError::Data(..))) => {
                    let mut report = Report::default();
                    report.extend(e.diagnostics(None));
                    print_diagnostics(&report, cli.quiet);
                    errln!("build failed: {}", output_left(&output));
                    Ok(ExitCode::FAILURE)
                }
                Err(e) => Err(format!("{e}; {}", output_left(&output))),
            }
        }
        Command::Check {
            format,
            links,
            link_timeout,
            output,
        } => {
            let root = catalogue_root(root)?;
            let mut report = Report::default();
            let mut timings = Timings::default();
            let site = casebook::site::read_catalogue(
                &root,
                &Default::default(),
                &Default::default(),
                &mut report,
                &mut timings,
            );
            if let (true, Some(read)) = (links, &site) {
                if !(0.0..=3600.0).contains(&link_timeout) || link_timeout.is_nan() {
                    return Err(format!(
                        "--link-timeout {link_timeout} is not a number of seconds between 0 and 3600"
                    ));
                }
                let output = output.unwrap_or_else(|| root.join("output"));
                let options = casebook::links::LinkOptions {
                    timeout: std::time::Duration::from_secs_f64(link_timeout),
                    cache: Some(casebook::output::links_cache(&output)),
                };
                let docs: Vec<_> = read.docs.values().cloned().collect();
                report.extend(casebook::links::check(&read.config, &docs, &options));
            }
            report.sort();
            // "en: 40 of 180 entries translated", per language but the default.
            let coverage = site
                .as_ref()
                .map(|s| check::coverage(&s.config, &s.checked))
                .unwrap_or_default();
            match format {
                Format::Json => {
                    let mut json = serde_json::json!({
                        "errors": report.error_count(),
                        "warnings": report.warning_count(),
                        "entries": site.as_ref().map(|s| s.checked.entries.len()).unwrap_or(0),
                        "diagnostics": report.diagnostics,
                    });
                    for (language, translated, of) in &coverage {
                        json["translated"][language] = serde_json::json!(translated);
                        json["translatable"] = serde_json::json!(of);
                    }
                    outln!(
                        "{}",
                        serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?
                    );
                }
                Format::Human => {
                    print_diagnostics(&report, cli.quiet);
                    if !cli.quiet {
                        let checked = match &site {
                            None => "could not read the catalogue's schema".to_string(),
                            Some(s) if s.checked.entries.is_empty() => {
                                "checked 0 entries".to_string()
                            }
                            Some(s) => {
                                let drafts = s.checked.entries.iter().filter(|e| e.draft).count();
                                format!(
                                    "checked {}{}",
                                    check::count_by_type(&s.config, &s.checked.entries)
                                        .into_iter()
                                        .map(|(k, v)| format!("{v} {k}"))
                                        .collect::<Vec<_>>()
                                        .join(", "),
                                    match drafts {
                                        0 => String::new(),
                                        1 => " (1 draft among them)".into(),
                                        n => format!(" ({n} drafts among them)"),
                                    }
                                )
                            }
                        };
                        // The schema's plural labels: shown like every other value from a file.
                        errln!("{}: {}", escape_controls(&checked), summary_line(&report));
                        for (language, translated, of) in &coverage {
                            errln!("{language}: {translated} of {of} entries translated");
                        }
                    }
                }
            }
            Ok(if report.has_errors() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Serve {
            port,
            bind,
            open,
            poll,
            debounce,
        } => {
            let root = catalogue_root(root)?;
            serve::run(serve::ServeOptions {
                port,
                bind,
                open,
                poll,
                debounce: std::time::Duration::from_millis(debounce),
                quiet: cli.quiet,
                verbose: cli.verbose,
                color: use_color(),
                ..serve::ServeOptions::new(root)
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Lsp { stdio: _ } => {
            let root = match root {
                Some(root) => Some(catalogue_root(Some(root))?),
                None => None,
            };
            casebook::lsp::run(root, cli.verbose)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema { output } => {
            let root = catalogue_root(root)?;
            let written =
                casebook::schema::write(&root, output.as_deref()).map_err(|e| e.to_string())?;
            if !cli.quiet {
                errln!(
                    "wrote {} schemas into {}",
                    written.files.len(),
                    written.dir.display()
                );
                let settings = root.join(".vscode").join("settings.json");
                let mapped = std::fs::read_to_string(&settings)
                    .is_ok_and(|text| text.contains("yaml.schemas"));
                if !mapped {
                    let json = serde_json::to_string_pretty(&written.settings)
                        .map_err(|e| e.to_string())?;
                    errln!("for VS Code's YAML extension, put into .vscode/settings.json:\n{json}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::New {
            type_key,
            title,
            translate,
        } => {
            let root = catalogue_root(root)?;
            let mut report = Report::default();
            let config = Config::load(&root, &mut report).ok_or_else(|| {
                print_diagnostics(&report, false);
                "the schema has errors; fix content/site.yaml first".to_string()
            })?;
            let path = match (translate.as_deref(), type_key, title) {
                (Some([id, language]), ..) => scaffold::new_translation(&config, id, language),
                (_, Some(type_key), Some(title)) => scaffold::new_entry(&config, &type_key, &title),
                _ => return Err("give TYPE and TITLE, or --translate ID LANGUAGE".into()),
            }
            .map_err(|e| e.to_string())?;
            outln!("{}", path.display());
            if !cli.quiet {
                let draft = match &config.roles.draft {
                    Some(field)
                        if std::fs::read_to_string(&path)
                            .is_ok_and(|t| t.contains(&format!("\n{field}: true\n"))) =>
                    {
                        format!(
                            "; it is a draft, shown by `casebook serve` only, until you delete `{field}: true`"
                        )
                    }
                    _ => String::new(),
                };
                errln!(
                    "created {}; fill in the fields, then run `casebook check`{draft}",
                    path.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
