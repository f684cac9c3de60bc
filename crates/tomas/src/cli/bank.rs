//! `tomas bank` (import, list, enable, disable, delete) and `tomas match`: hash banks in the data
//! directory, and files matched against them. The banks and the index are the `matching` crate's;
//! hashing is `media`'s.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use matching::bank::import::{self, Format};
use matching::bank::store::{BankStore, StoreError, WriteLock};
use matching::bank::{Bank, Kind, Value};
use matching::matcher::{Match, Matcher, Outcome, Query};
use matching::text::escape_for_terminal as escape;
use serde_json::json;

/// Where banks live: `--data-dir`, else `$TOMAS_DATA_DIR`, else the default data directory.
#[derive(clap::Args, Clone)]
pub struct DataDir {
    /// Data directory (banks are kept in its `banks/` folder)
    /// [default: $XDG_DATA_HOME/tomas or ~/.local/share/tomas].
    #[arg(long, value_name = "DIR", env = "TOMAS_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
}

impl DataDir {
    fn store(&self) -> BankStore {
        BankStore::new(&self.data_dir.clone().unwrap_or_else(super::default_data_dir))
    }
}

#[derive(clap::Subcommand)]
pub enum BankCmd {
    /// Import a hash list into a bank (created if it does not exist).
    ///
    /// All or nothing: if any line is bad, every bad line is reported with its number and nothing
    /// is stored. Values already in the bank are skipped. Each entry records the source, the time
    /// of import and a classification label.
    #[command(verbatim_doc_comment)]
    Import(ImportArgs),
    /// List the banks: kind, state and number of entries of each type. Each file's length and
    /// checksum are checked (reading it once, without loading it): a damaged bank is listed with
    /// state "damaged" and no counts, and its damage is reported on stderr. A bank file that cannot
    /// be read is reported on stderr and the others are still listed (exit status 1 for both).
    List {
        #[command(flatten)]
        data: DataDir,
        /// One JSON object per bank, one per line.
        #[arg(long)]
        json: bool,
    },
    /// Enable a bank, or only the entries holding one value (--value).
    Enable(SwitchArgs),
    /// Disable a bank (its entries stop matching), or only the entries holding one value (--value).
    Disable(SwitchArgs),
    /// Read a bank's file completely and check its checksum; prints its size and the load time.
    Verify {
        name: String,
        #[command(flatten)]
        data: DataDir,
    },
    /// Delete a bank and its file.
    Delete {
        name: String,
        #[command(flatten)]
        data: DataDir,
    },
}

#[derive(clap::Args)]
pub struct ImportArgs {
    /// Bank name: letters, digits, '_' and '-'.
    pub name: String,
    /// The hash list.
    pub file: PathBuf,
    /// File format: text (one value per line, or `<type> <value>`), csv (with a header),
    /// vics (Project VIC JSON), ncmec (NCMEC hash-sharing XML), te (ThreatExchange simple.<TYPE>.te)
    /// [default: from the file name: .json vics, .xml ncmec, .te te, .csv csv, else text].
    #[arg(long, value_parser = parse_format)]
    pub format: Option<Format>,
    /// Type of bare values (pdq, md5, sha1, sha256, url) [default: by length; 64 hex digits = PDQ].
    #[arg(long, value_parser = parse_kind)]
    pub kind: Option<Kind>,
    /// Create the bank as a negative bank: known false positives that suppress other banks' matches.
    #[arg(long)]
    pub negative: bool,
    /// Classification label for entries whose file gives none: e.g. baseline, national,
    /// not-illegal (the ICCAM vocabulary).
    #[arg(long)]
    pub label: Option<String>,
    /// Provenance source recorded with each entry [default: the file name].
    #[arg(long)]
    pub source: Option<String>,
    #[command(flatten)]
    pub data: DataDir,
}

#[derive(clap::Args)]
pub struct SwitchArgs {
    pub name: String,
    /// Only the entries holding this value (hex hash or URL).
    #[arg(long, value_name = "VALUE")]
    pub value: Option<String>,
    /// Type of --value when its length is ambiguous (64 hex digits = PDQ unless sha256).
    #[arg(long, value_parser = parse_kind)]
    pub kind: Option<Kind>,
    #[command(flatten)]
    pub data: DataDir,
}

fn parse_format(s: &str) -> Result<Format, String> {
    Format::parse(s).ok_or_else(|| format!("'{s}' is not a format: text, csv, vics, ncmec, te"))
}

fn parse_kind(s: &str) -> Result<Kind, String> {
    Kind::parse(s).ok_or_else(|| format!("'{s}' is not a type: pdq, md5, sha1, sha256, url"))
}

/// Match image files against the enabled hash banks.
///
/// Each file is hashed (PDQ, MD5, SHA-1, SHA-256). PDQ is matched within --radius (inclusive);
/// the digests exactly. A match names the bank, the stored value, the distance and the entry's
/// provenance (label, source, import time). If a file also matches a negative bank (known false
/// positives), its other matches are shown as suppressed instead.
///
/// Output, one line per match:  PATH  BANK  TYPE  STORED  distance=D  label=…  source=…  imported=…
/// and a line `PATH  no match` for files without one (--json: one object per file).
/// Directories are searched recursively for images (.jpg .jpeg .jpe .jfif .png .webp .gif .bmp
/// .dib .tif .tiff), as by `tomas hash`; symbolic links to directories are not followed.
/// Exit status: 0 when every file was hashed, 1 if some could not be read or decoded.
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct MatchArgs {
    /// Files or directories to match.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Match only against these banks (repeatable); negative banks always apply.
    #[arg(long = "bank", value_name = "NAME")]
    pub banks: Vec<String>,
    /// Largest PDQ Hamming distance that counts as a match, 0..=64.
    #[arg(long, default_value_t = matching::index::DEFAULT_RADIUS)]
    pub radius: u32,
    /// Also match the PDQ hashes of the image's rotations and flips.
    #[arg(long)]
    pub dihedral: bool,
    /// PDQ hashes of lower quality are not matched (Meta's threshold is 50); digests still are.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub min_quality: u8,
    /// One JSON object per file, per line.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub data: DataDir,
}

pub fn run(cmd: BankCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        BankCmd::Import(args) => import_cmd(args),
        BankCmd::List { data, json } => list(&data.store(), json),
        BankCmd::Enable(args) => switch(args, true),
        BankCmd::Disable(args) => switch(args, false),
        BankCmd::Verify { name, data } => {
            let start = Instant::now();
            let bank = data.store().load(&name)?;
            let secs = start.elapsed().as_secs_f64();
            let counts = Kind::ALL.map(|k| bank.count(k) as u64);
            println!(
                "{}: {} entries ({}), checksum ok, loaded in {secs:.2} s",
                bank.name,
                bank.entries.len(),
                counts_text(&counts)
            );
            Ok(ExitCode::SUCCESS)
        }
        BankCmd::Delete { name, data } => {
            lock(&data.store())?.delete(&name)?;
            eprintln!("deleted bank {name}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// The banks' write lock, saying so on stderr when another writer makes us wait.
fn lock(store: &BankStore) -> anyhow::Result<WriteLock<'_>> {
    if let Some(lock) = store.try_lock()? {
        return Ok(lock);
    }
    eprintln!(
        "waiting for another tomas that is changing the banks in {}…",
        escape(&store.dir().display().to_string())
    );
    Ok(store.lock()?)
}

fn import_cmd(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let store = args.data.store();
    matching::bank::check_name(&args.name)?;
    let file_name = args.file.file_name().and_then(|f| f.to_str()).unwrap_or("").to_owned();
    let format = args.format.unwrap_or_else(|| Format::from_file_name(&file_name));
    let display = args.file.display().to_string();
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {}", escape(&display)))?;
    let text = String::from_utf8(bytes)
        .map_err(|e| anyhow::anyhow!("{}: not UTF-8 text (byte {})", escape(&display), e.utf8_error().valid_up_to()))?;
    let start = Instant::now();
    // Parsed before taking the lock; the bank is read under it, so a concurrent import's entries
    // are in what this one adds to.
    let records = import::parse(&text, import::Options { format, kind: args.kind, file: &display })?;
    let store = lock(&store)?;
    let existing = match store.load(&args.name) {
        Ok(bank) => Some(bank),
        Err(StoreError::NoSuchBank(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let mut bank = if let Some(bank) = existing {
        if bank.negative != args.negative {
            bail!(
                "bank {} exists as a {} bank; {} to import into it",
                args.name,
                if bank.negative { "negative" } else { "positive" },
                if bank.negative { "add --negative" } else { "drop --negative" }
            );
        }
        bank
    } else {
        Bank::new(&args.name, args.negative)?
    };
    let source = args.source.clone().unwrap_or(file_name);
    let added = bank.add(records, &source, now(), args.label.as_deref().unwrap_or(""));
    store.save(&bank)?;
    eprintln!(
        "imported {} entries ({}) into {} bank {} ({} already there, skipped) in {:.2} s; it now holds {}",
        added.added,
        format_name(format),
        if bank.negative { "negative" } else { "positive" },
        bank.name,
        added.duplicates,
        start.elapsed().as_secs_f64(),
        counts_text(&Kind::ALL.map(|k| bank.count(k) as u64)),
    );
    Ok(ExitCode::SUCCESS)
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Text => "text",
        Format::Csv => "CSV",
        Format::Vics => "VICS",
        Format::Ncmec => "NCMEC",
        Format::ThreatExchange => "ThreatExchange",
    }
}

fn counts_text(counts: &[u64; 5]) -> String {
    let parts: Vec<String> =
        Kind::ALL.iter().zip(counts).filter(|(_, c)| **c > 0).map(|(k, c)| format!("{c} {k}")).collect();
    if parts.is_empty() { "nothing".into() } else { parts.join(", ") }
}

fn list(store: &BankStore, json: bool) -> anyhow::Result<ExitCode> {
    let names = store.names()?;
    if !names.is_empty() {
        // Tidies up after writers that died, if no writer is busy; a listing needs no lock, and
        // one that cannot be taken here (a read-only directory) is no reason not to list.
        let _ = store.try_lock();
    }
    let mut out = BufWriter::new(io::stdout().lock());
    if names.is_empty() && !json {
        let dir = store.dir().display().to_string();
        eprintln!("no banks in {} (import one with `tomas bank import NAME FILE`)", escape(&dir));
        return Ok(ExitCode::SUCCESS);
    }
    if !json {
        writeln!(
            out,
            "{:<24} {:<8} {:<8} {:>10} {:>10} {:>10} {:>10} {:>8} {:>9}",
            "NAME", "TYPE", "STATE", "PDQ", "MD5", "SHA1", "SHA256", "URL", "DISABLED"
        )?;
    }
    let mut bad = 0;
    for name in names {
        let s = match store.summary_checked(&name) {
            Ok(s) => s,
            Err(e) => {
                // Reported after what was listed so far, which stays in order on stdout.
                out.flush()?;
                eprintln!("error: {}", escape(&e.to_string()));
                bad += 1;
                continue;
            }
        };
        let kind = if s.negative { "negative" } else { "positive" };
        let state = match (&s.damage, s.enabled) {
            (Some(_), _) => "damaged",
            (None, true) => "enabled",
            (None, false) => "disabled",
        };
        if json {
            // A damaged bank's counts are what its header claims: not given, so none is trusted.
            let counts = s.damage.is_none().then(|| {
                Kind::ALL
                    .iter()
                    .zip(s.counts)
                    .map(|(k, c)| (k.name().to_owned(), json!(c)))
                    .collect::<serde_json::Map<_, _>>()
            });
            let disabled = s.damage.is_none().then_some(s.disabled_entries);
            writeln!(
                out,
                "{}",
                json!({"name": s.name, "negative": s.negative, "enabled": s.enabled, "counts": counts,
                       "disabled_entries": disabled, "file_bytes": s.file_bytes, "damage": s.damage})
            )?;
        } else if s.damage.is_some() {
            writeln!(
                out,
                "{:<24} {kind:<8} {state:<8} {:>10} {:>10} {:>10} {:>10} {:>8} {:>9}",
                s.name, "?", "?", "?", "?", "?", "?"
            )?;
        } else {
            let c = s.counts;
            writeln!(
                out,
                "{:<24} {kind:<8} {state:<8} {:>10} {:>10} {:>10} {:>10} {:>8} {:>9}",
                s.name, c[0], c[1], c[2], c[3], c[4], s.disabled_entries
            )?;
        }
        if let Some(damage) = &s.damage {
            out.flush()?;
            let path = store.path(&s.name).display().to_string();
            eprintln!("error: {} is damaged: {damage} (`tomas bank verify {}` reads it whole)", escape(&path), s.name);
            bad += 1;
        }
    }
    out.flush()?;
    Ok(if bad > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn switch(args: SwitchArgs, enabled: bool) -> anyhow::Result<ExitCode> {
    let store = args.data.store();
    let store = lock(&store)?;
    let mut bank = store.load(&args.name)?;
    let verb = if enabled { "enabled" } else { "disabled" };
    match &args.value {
        None => {
            bank.enabled = enabled;
            store.save(&bank)?;
            eprintln!("bank {} {verb}", bank.name);
        }
        Some(text) => {
            let value = match args.kind {
                Some(k) => Value::parse(k, text),
                None => Value::guess(text),
            }
            .map_err(|e| anyhow::anyhow!("--value: {e}"))?;
            let n = bank.set_entry_enabled(&value, enabled);
            if n == 0 && !bank.entries.iter().any(|e| e.value == value) {
                bail!("bank {} holds no {} entry {value}", bank.name, value.kind());
            }
            store.save(&bank)?;
            eprintln!("{n} entr{} of bank {} {verb}", if n == 1 { "y" } else { "ies" }, bank.name);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What matching one file produced.
struct FileResult {
    quality: u8,
    outcome: Outcome,
    pdq: String,
}

fn match_file(
    path: &Path,
    matcher: &Matcher,
    args: &MatchArgs,
    hasher: &mut media::Hasher,
) -> anyhow::Result<FileResult> {
    let shown = escape(&path.display().to_string()).into_owned();
    let bytes = super::hash::read_input(path, hasher.options().limits.max_bytes)
        .map_err(|e| anyhow::anyhow!("cannot read {shown}: {e}"))?;
    let hashes = hasher.hash(&bytes).with_context(|| format!("cannot hash {shown}"))?;
    let mut query = Query {
        pdq: Vec::new(),
        md5: Some(hashes.digests.md5),
        sha1: Some(hashes.digests.sha1),
        sha256: Some(hashes.digests.sha256),
        url: None,
    };
    if hashes.pdq.quality >= args.min_quality {
        query.pdq.push(hashes.pdq.hash);
        if args.dihedral {
            query.pdq.extend(hashes.dihedral.hashes.iter().skip(1).copied());
        }
    }
    Ok(FileResult {
        quality: hashes.pdq.quality,
        outcome: matcher.lookup(&query, args.radius),
        pdq: hashes.pdq.hash.to_hex(),
    })
}

pub fn run_match(args: MatchArgs) -> anyhow::Result<ExitCode> {
    if args.radius > matching::index::MAX_RADIUS {
        bail!("--radius {} is above the maximum, {}", args.radius, matching::index::MAX_RADIUS);
    }
    let store = args.data.store();
    let start = Instant::now();
    let mut banks = store.load_all()?;
    if banks.is_empty() {
        let dir = store.dir().display().to_string();
        bail!("no banks in {} (import one with `tomas bank import NAME FILE`)", escape(&dir));
    }
    for name in &args.banks {
        if !banks.iter().any(|b| &b.name == name) {
            bail!("no bank named '{name}' (see `tomas bank list`)");
        }
    }
    if !args.banks.is_empty() {
        banks.retain(|b| b.negative || args.banks.contains(&b.name));
    }
    let matcher = Matcher::new(banks);
    let load_s = start.elapsed().as_secs_f64();
    if !args.json {
        let enabled = matcher.banks().iter().filter(|(_, _, on)| *on).count();
        eprintln!(
            "matching against {enabled} enabled bank(s): {} PDQ ({} distinct), {} MD5, {} SHA-1, {} SHA-256 (loaded in {load_s:.2} s)",
            matcher.count(Kind::Pdq),
            matcher.pdq_hashes(),
            matcher.count(Kind::Md5),
            matcher.count(Kind::Sha1),
            matcher.count(Kind::Sha256),
        );
    }
    let (files, walk_errors) = super::hash::image_files(&args.paths);
    for (path, err) in &walk_errors {
        eprintln!("error: {}: {}", escape(&path.display().to_string()), escape(&err.to_string()));
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(files.len().max(1));
    let chunk = files.len().div_ceil(threads).max(1);
    let results: Vec<anyhow::Result<FileResult>> = std::thread::scope(|s| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                let matcher = &matcher;
                let args = &args;
                s.spawn(move || {
                    let mut hasher = media::Hasher::default();
                    part.iter().map(|p| match_file(p, matcher, args, &mut hasher)).collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|_| vec![Err(anyhow::anyhow!("a matching thread panicked"))]))
            .collect()
    });
    let mut out = BufWriter::new(io::stdout().lock());
    let mut failed = walk_errors.len();
    let mut matched = 0;
    for (path, result) in files.iter().zip(results) {
        let p = path.display().to_string();
        match result {
            Err(e) => {
                failed += 1;
                eprintln!("error: {}", matching::text::escape_message(&super::error_text(&e)));
            }
            Ok(r) => {
                matched += usize::from(!r.outcome.matches.is_empty());
                if args.json {
                    writeln!(
                        out,
                        "{}",
                        json!({"path": p, "pdq": r.pdq, "quality": r.quality,
                               "pdq_matched": r.quality >= args.min_quality,
                               "matches": r.outcome.matches.iter().map(match_json).collect::<Vec<_>>(),
                               "negative": r.outcome.negative.iter().map(match_json).collect::<Vec<_>>(),
                               "suppressed": r.outcome.suppressed.iter().map(match_json).collect::<Vec<_>>()})
                    )?;
                    continue;
                }
                // JSON quotes the path itself; the text lines show it escaped.
                let p = escape(&p);
                if r.quality < args.min_quality {
                    writeln!(out, "{p}\tnote: PDQ quality {} is below {}; digests only", r.quality, args.min_quality)?;
                }
                for m in &r.outcome.matches {
                    writeln!(out, "{p}\t{}", match_text(m))?;
                }
                for m in &r.outcome.negative {
                    writeln!(out, "{p}\tnegative\t{}", match_text(m))?;
                }
                for m in &r.outcome.suppressed {
                    writeln!(out, "{p}\tsuppressed\t{}", match_text(m))?;
                }
                if r.outcome.matches.is_empty() && r.outcome.suppressed.is_empty() && r.outcome.negative.is_empty() {
                    writeln!(out, "{p}\tno match")?;
                }
            }
        }
    }
    out.flush()?;
    if !args.json {
        eprintln!("{} file(s): {matched} matched, {failed} failed", files.len() + walk_errors.len());
    }
    Ok(if failed > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn match_text(m: &Match) -> String {
    format!(
        "{}\t{}\t{}\tdistance={}\tlabel={}\tsource={}\timported={}",
        m.bank,
        m.stored.kind(),
        m.stored,
        m.distance,
        escape(&m.provenance.label),
        escape(&m.provenance.source),
        iso_time(m.provenance.imported_at)
    )
}

fn match_json(m: &Match) -> serde_json::Value {
    json!({"bank": m.bank, "negative": m.negative, "type": m.stored.kind().name(), "stored": m.stored.to_string(),
           "distance": m.distance, "label": m.provenance.label, "source": m.provenance.source,
           "imported_at": iso_time(m.provenance.imported_at)})
}

/// RFC 3339 UTC time of a Unix timestamp.
fn iso_time(t: i64) -> String {
    store::utc_rfc3339(t)
}

#[cfg(test)]
mod tests {
    #[test]
    fn iso_time() {
        assert_eq!(super::iso_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::iso_time(1_709_251_199), "2024-02-29T23:59:59Z");
    }
}
