//! `tomas law …`: the alignment core from the command line.

use std::{
    io::{IsTerminal, Write},
    path::{Path, PathBuf},
    process::ExitCode,
};

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use law::{
    Corpus, Severity, Topic,
    render::{self, Style},
    score::View,
};

/// Where the shipped corpus is found when `--corpus` is not given: `./corpus` if it exists,
/// else the corpus of the source tree this binary was built from.
pub fn default_corpus_dir() -> PathBuf {
    let here = PathBuf::from("corpus");
    if here.join("jurisdictions.toml").exists() {
        return here;
    }
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../corpus"))
}

#[derive(Args, Clone)]
pub struct CorpusArgs {
    /// Corpus directory [default: ./corpus, else the one this binary was built with].
    #[arg(long, env = "TOMAS_CORPUS", value_name = "DIR")]
    pub corpus: Option<PathBuf>,
    /// Data directory holding imported official texts [default: $XDG_DATA_HOME/tomas].
    #[arg(long, env = "TOMAS_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

impl CorpusArgs {
    fn data_dir(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(super::default_data_dir)
    }

    /// Loads the corpus, refusing one with errors, and attaches imported official texts.
    pub fn load(&self) -> anyhow::Result<Corpus> {
        let dir = self.corpus.clone().unwrap_or_else(default_corpus_dir);
        let (mut corpus, diags) = law::check::check_dir(&dir);
        let errors: Vec<_> = diags.iter().filter(|d| d.severity == Severity::Error).collect();
        if !errors.is_empty() {
            for d in errors.iter().take(20) {
                eprintln!("{d}");
            }
            bail!(
                "the corpus in {} has {} error(s); run `tomas law check {}` for all of them",
                dir.display(),
                errors.len(),
                dir.display()
            );
        }
        let overlays = law::overlay::load_all(&self.data_dir())?;
        law::overlay::apply(&mut corpus, &overlays);
        Ok(corpus)
    }
}

#[derive(Subcommand)]
pub enum LawCmd {
    /// Load the corpus and check it: ids, references, sources. Prints `file:line: message`; exit 1 on errors.
    Check {
        /// Corpus directory [default: ./corpus].
        dir: Option<PathBuf>,
    },
    /// Import the official text of an act from its EUR-Lex HTML rendering, as a local overlay
    /// in the data directory (shown beside our summaries; never written into corpus/).
    ImportEurlex {
        /// The EUR-Lex HTML file (e.g. 52022PC0209.html).
        file: PathBuf,
        #[arg(long, default_value = "eu-csar")]
        instrument: String,
        #[arg(long, default_value = "com-2022")]
        version: String,
        /// Language of the text (BCP 47).
        #[arg(long, default_value = "en")]
        language: String,
        /// Import even when the file looks wrong for the instrument (most of its provisions are not
        /// in the corpus) or much smaller than the overlay it replaces (a truncated download?).
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        corpus: CorpusArgs,
    },
    /// The regional matrix: jurisdictions × requirements with status, scores and coverage.
    Matrix {
        #[arg(long, value_enum, default_value_t = MatrixFormat::Table)]
        format: MatrixFormat,
        #[command(flatten)]
        view: ViewArgs,
    },
    /// What a jurisdiction lacks (`none`) or only partly has (`partial`), with recommendations.
    Gaps {
        #[arg(long, short)]
        jurisdiction: String,
        /// Only this topic (definitions, criminal_offences, provider_obligations, orders, …).
        #[arg(long)]
        topic: Option<String>,
        #[arg(long, value_enum, default_value_t = GapsFormat::Text)]
        format: GapsFormat,
        #[command(flatten)]
        view: ViewArgs,
    },
    /// A readable gap report for one jurisdiction.
    Report {
        #[arg(long, short)]
        jurisdiction: String,
        #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
        format: ReportFormat,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
        #[command(flatten)]
        view: ViewArgs,
    },
    /// Requirements added, changed and removed between two versions, and assessments to re-review.
    Diff {
        /// e.g. eu-csar@com-2022
        #[arg(long)]
        from: String,
        /// e.g. eu-csar@council-2025
        #[arg(long)]
        to: String,
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
        #[command(flatten)]
        corpus: CorpusArgs,
    },
    /// The whole corpus as one JSON document (schema: docs/formats.md), or — with --write-corpus —
    /// the assessments as corpus files, so that changes published on the web can be reviewed in git.
    Export {
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Use the published assessments from the web platform's database instead of the corpus files.
        #[arg(long)]
        from_db: bool,
        /// With --from-db: the database (default: SQLite in the data directory).
        #[arg(long, env = "TOMAS_DATABASE_URL", value_name = "URL")]
        database_url: Option<String>,
        /// Write assessments/<jurisdiction>.toml files into this corpus directory (e.g. `corpus`).
        #[arg(long, value_name = "DIR")]
        write_corpus: Option<PathBuf>,
        #[command(flatten)]
        corpus: CorpusArgs,
    },
}

#[derive(Args, Clone)]
pub struct ViewArgs {
    /// Version of an instrument to measure against: `council-2025` or `eu-csar@council-2025`
    /// (repeatable). Default: the first version of each, the text the assessments were made against.
    #[arg(long = "version", value_name = "VERSION")]
    pub versions: Vec<String>,
    #[command(flatten)]
    pub corpus: CorpusArgs,
}

#[derive(ValueEnum, Clone, Copy)]
pub enum MatrixFormat {
    Table,
    Json,
    Csv,
}

#[derive(ValueEnum, Clone, Copy)]
pub enum GapsFormat {
    Text,
    Json,
    Csv,
}

#[derive(ValueEnum, Clone, Copy)]
pub enum ReportFormat {
    Md,
    Html,
}

#[derive(ValueEnum, Clone, Copy)]
pub enum DiffFormat {
    Text,
    Json,
}

#[derive(ValueEnum, Clone, Copy)]
pub enum ExportFormat {
    Json,
}

fn style() -> Style {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if std::io::stdout().is_terminal() && !no_color { Style::Ansi } else { Style::Plain }
}

fn print(text: &str) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        // A closed pipe (`tomas law matrix | head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(e.into()),
    }
}

fn write_or_print(output: Option<&Path>, text: &str) -> anyhow::Result<ExitCode> {
    match output {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote {}", path.display());
            Ok(ExitCode::SUCCESS)
        }
        None => print(text),
    }
}

fn load_view(args: &ViewArgs) -> anyhow::Result<(Corpus, View)> {
    let corpus = args.corpus.load()?;
    let view = View::parse(&corpus, &args.versions).map_err(anyhow::Error::msg)?;
    Ok((corpus, view))
}

fn jurisdiction<'a>(corpus: &'a Corpus, id: &str) -> anyhow::Result<&'a str> {
    match corpus.assessed_jurisdictions().into_iter().find(|j| j.id == id) {
        Some(j) => Ok(&j.id),
        None => {
            let known: Vec<&str> = corpus.assessed_jurisdictions().iter().map(|j| j.id.as_str()).collect();
            bail!("no assessments for jurisdiction '{id}' (assessed: {})", known.join(", "))
        }
    }
}

fn topic(name: Option<&str>) -> anyhow::Result<Option<Topic>> {
    name.map(|t| {
        Topic::parse(t).ok_or_else(|| {
            let all: Vec<&str> = Topic::ALL.iter().map(|t| t.as_str()).collect();
            anyhow::anyhow!("unknown topic '{t}' (one of: {})", all.join(", "))
        })
    })
    .transpose()
}

pub fn run(cmd: LawCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        LawCmd::Check { dir } => {
            let dir = dir.unwrap_or_else(default_corpus_dir);
            let (corpus, diags) = law::check::check_dir(&dir);
            let errors = diags.iter().filter(|d| d.severity == Severity::Error).count();
            for d in &diags {
                println!("{d}");
            }
            let assessed = corpus.assessments.iter().filter(|a| a.status.is_substantive()).count();
            let summary = format!(
                "{}: {} instrument versions, {} provisions, {} requirements, {} assessments ({assessed} substantive); {errors} error(s), {} warning(s)",
                dir.display(),
                corpus.instruments.len(),
                corpus.instruments.iter().map(|i| i.provisions.len()).sum::<usize>(),
                corpus.requirements.len(),
                corpus.assessments.len(),
                diags.len() - errors,
            );
            eprintln!("{summary}");
            Ok(if errors > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        LawCmd::ImportEurlex { file, instrument, version, language, force, corpus } => {
            if !is_language_tag(&language) {
                bail!("--language '{language}' is not a BCP 47 language tag (e.g. en, sr-Latn, sq)");
            }
            let html = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let html = String::from_utf8_lossy(&html);
            let provisions = law::eurlex::parse(&html).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let loaded = corpus.load()?;
            let Some(target) = loaded.instrument(&instrument, &version) else {
                bail!("the corpus has no instrument version {instrument}@{version}");
            };
            let matched = provisions.iter().filter(|p| target.provision(&p.eid).is_some()).count();
            let articles = provisions.iter().filter(|p| !p.eid.contains("__") && p.eid.starts_with("art_")).count();
            let annexes = provisions.iter().filter(|p| p.eid.starts_with("anx_")).count();
            let file_name = file.display();
            // The corpus holds every article and annex but only the paragraphs requirements cite:
            // judge the fit on the top-level units.
            let top: Vec<_> = provisions.iter().filter(|p| !p.eid.contains("__")).collect();
            let top_matched = top.iter().filter(|p| target.provision(&p.eid).is_some()).count();
            if !force && top_matched * 2 < top.len() {
                bail!(
                    "{file_name}: only {top_matched} of its {} articles and annexes are in {instrument}@{version} in the corpus; \
                     is it the text of another act? (--force imports it anyway)",
                    top.len()
                );
            }
            let data_dir = corpus.data_dir();
            // One overlay per instrument version (whatever its language): the file this import replaces.
            let target_file = law::overlay::overlay_path(&data_dir, &instrument, &version);
            let existing = match law::overlay::load(&target_file) {
                Ok(old) => Some(old),
                Err(law::overlay::OverlayError::Io { error, .. }) if error.kind() == std::io::ErrorKind::NotFound => {
                    None
                }
                Err(e) if force => {
                    eprintln!("warning: replacing an unreadable overlay: {e}");
                    None
                }
                Err(e) => bail!("{e} (--force replaces it)"),
            };
            if let Some(old) = existing.filter(|_| !force) {
                if old.language != language {
                    bail!(
                        "{file_name}: would replace the {} text of {instrument}@{version} (from {}) with a {language} one; \
                         one language per version is kept (--force replaces it)",
                        old.language,
                        old.source
                    );
                }
                if provisions.len() * 2 < old.provisions.len() {
                    bail!(
                        "{file_name}: gives {} provisions where the overlay it would replace (from {}, {}) has {}; \
                         a truncated file? (--force replaces it anyway)",
                        provisions.len(),
                        old.source,
                        old.imported_at,
                        old.provisions.len()
                    );
                }
            }
            let overlay = law::overlay::Overlay {
                instrument,
                version,
                language,
                source: file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                imported_at: store::civil_date(store::now_micros()),
                provisions,
            };
            let path = overlay.save(&data_dir)?;
            eprintln!(
                "imported {} provisions ({articles} articles, {annexes} annexes) into {}; {matched} match provisions of the corpus",
                overlay.provisions.len(),
                path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        LawCmd::Matrix { format, view } => {
            let (corpus, v) = load_view(&view)?;
            print(&match format {
                MatrixFormat::Table => render::matrix_table(&corpus, &v, style()),
                MatrixFormat::Json => render::matrix_json(&corpus, &v),
                MatrixFormat::Csv => render::matrix_csv(&corpus, &v),
            })
        }
        LawCmd::Gaps { jurisdiction: j, topic: t, format, view } => {
            let (corpus, v) = load_view(&view)?;
            let j = jurisdiction(&corpus, &j)?;
            let t = topic(t.as_deref())?;
            print(&match format {
                GapsFormat::Text => render::gaps_text(&corpus, &v, j, t, style()),
                GapsFormat::Json => render::gaps_json(&corpus, &v, j, t),
                GapsFormat::Csv => render::gaps_csv(&corpus, &v, j, t),
            })
        }
        LawCmd::Report { jurisdiction: j, format, output, view } => {
            let (corpus, v) = load_view(&view)?;
            let j = jurisdiction(&corpus, &j)?;
            let text = match format {
                ReportFormat::Md => render::report_md(&corpus, &v, j),
                ReportFormat::Html => render::report_html(&corpus, &v, j),
            };
            write_or_print(output.as_deref(), &text)
        }
        LawCmd::Diff { from, to, format, corpus } => {
            let corpus = corpus.load()?;
            let (fi, fv) = law::diff::parse_spec(&from).map_err(anyhow::Error::msg)?;
            let (ti, tv) = law::diff::parse_spec(&to).map_err(anyhow::Error::msg)?;
            if fi != ti {
                bail!("--from and --to must name the same instrument ({fi} vs {ti})");
            }
            let d = law::diff::diff(&corpus, fi, fv, tv).map_err(anyhow::Error::msg)?;
            print(&match format {
                DiffFormat::Text => render::diff_text(&corpus, &d, style()),
                DiffFormat::Json => render::diff_json(&d),
            })
        }
        LawCmd::Export { format: ExportFormat::Json, output, from_db, database_url, write_corpus, corpus: args } => {
            let mut corpus = args.load()?;
            if from_db {
                let url = match database_url {
                    Some(url) => url,
                    None => {
                        let path = args.data_dir().join("tomas.db");
                        if !path.exists() {
                            bail!(
                                "no database at {} (run `tomas serve` first, or pass --database-url)",
                                path.display()
                            );
                        }
                        store::sqlite_url(&path)
                    }
                };
                let stored = tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
                    let store = store::Store::open(&url).await?;
                    let all = store.assessments().await;
                    store.close().await;
                    all
                })?;
                corpus.assessments = stored.iter().map(store::Stored::to_assessment).collect();
                corpus.reindex();
            }
            if let Some(dir) = write_corpus {
                for path in write_assessments(&corpus, &dir.join("assessments"))? {
                    eprintln!("wrote {}", path.display());
                }
                eprintln!("check the result with `tomas law check {}` and review it with `git diff`", dir.display());
                return Ok(ExitCode::SUCCESS);
            }
            let mut json = serde_json::to_string_pretty(&law::export::export(&corpus))?;
            json.push('\n');
            write_or_print(output.as_deref(), &json)
        }
    }
}

/// Writes `<target>/<jurisdiction>.toml` for every jurisdiction with assessments, as a whole: every
/// file is written in full to a temporary file (and synced) before any is renamed into place, and on
/// a failure the temporary files are removed, so an error while writing leaves every file as it was.
fn write_assessments(corpus: &law::Corpus, target: &Path) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(target).with_context(|| format!("cannot create {}", target.display()))?;
    let mut jurisdictions: Vec<&str> = corpus.assessments.iter().map(|a| a.jurisdiction.as_str()).collect();
    jurisdictions.sort();
    jurisdictions.dedup();
    let files: Vec<(PathBuf, PathBuf)> = jurisdictions
        .iter()
        .map(|j| (target.join(format!(".{j}.toml.tmp")), target.join(format!("{j}.toml"))))
        .collect();
    for (_, path) in &files {
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
            bail!("cannot write {}: it is a directory (nothing was written)", path.display());
        }
    }
    let remove_temps = |files: &[(PathBuf, PathBuf)]| {
        for (tmp, _) in files {
            let _ = std::fs::remove_file(tmp);
        }
    };
    for (i, (j, (tmp, _))) in jurisdictions.iter().zip(&files).enumerate() {
        let written = std::fs::File::create(tmp).and_then(|mut f| {
            f.write_all(law::export::assessments_toml(corpus, j).as_bytes())?;
            f.sync_all()
        });
        if let Err(e) = written {
            // The file that failed may be half-written: remove it too (unless it is not ours, e.g. a directory).
            remove_temps(&files[..i]);
            if std::fs::symlink_metadata(tmp).is_ok_and(|m| m.is_file()) {
                let _ = std::fs::remove_file(tmp);
            }
            return Err(anyhow::Error::new(e).context(format!("cannot write {} (nothing was written)", tmp.display())));
        }
    }
    for (i, (tmp, path)) in files.iter().enumerate() {
        if let Err(e) = std::fs::rename(tmp, path) {
            remove_temps(&files[i..]);
            let done: Vec<String> = files[..i].iter().map(|(_, p)| p.display().to_string()).collect();
            let done = if done.is_empty() {
                "nothing was written".to_owned()
            } else {
                format!("already written: {}", done.join(", "))
            };
            return Err(anyhow::Error::new(e).context(format!("cannot write {} ({done})", path.display())));
        }
    }
    Ok(files.into_iter().map(|(_, path)| path).collect())
}

/// The shape of a BCP 47 tag as overlays use it: a 2–3 letter language, then subtags of 1–8
/// letters or digits (`en`, `sr-Latn`, `sr-Cyrl-RS`).
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let lang_ok =
        parts.next().is_some_and(|l| (2..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_alphabetic()));
    lang_ok && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}
