//! `tomas hash`: PDQ (and MD5/SHA-1/SHA-256) of image files and directories, like Meta's
//! `pdq-photo-hasher`. The hashing itself is `media::Hasher`; this module walks directories,
//! spreads files over threads, keeps the output in argument order and reports progress.

use std::{
    collections::BTreeMap,
    fs,
    io::{self, BufWriter, IsTerminal, Read, Write},
    num::NonZeroUsize,
    path::{Path, PathBuf},
    process::ExitCode,
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        mpsc,
    },
    time::{Duration, Instant},
};

use matching::text::{escape_for_terminal as escape, escape_message};
use media::{DecodeOptions, Dihedral, Hasher, JpegLuma, Limits};

/// The text after the options in `tomas hash --help`.
const LONG_HELP: &str = "\
Output goes to stdout, one line per file, in the order of the arguments (directories are
searched recursively, their entries sorted by name):

  csv (default)  `hash,quality,path`, as Meta's pdq-photo-hasher prints it: 64 hex digits,
                 quality 0-100 (below 50, do not trust the hash), then the path as the rest
                 of the line (on a terminal, control characters in it are shown escaped,
                 as \u{1b}).
  json           JSON Lines: one object per line with \"path\", \"format\", \"width\",
                 \"height\", \"pdq\", \"quality\", \"md5\", \"sha1\", \"sha256\" and
                 \"dihedral\", the PDQ hashes of the eight rotations and flips (\"original\",
                 \"rotate90\", \"rotate180\", \"rotate270\", \"flipx\", \"flipy\",
                 \"flipplus1\", \"flipminus1\").

Formats: JPEG, PNG, WebP, GIF (first frame), BMP and TIFF, recognised by content. Inside
directories only files with those extensions are hashed; files named on the command line always
are, if they are regular files (not FIFOs, sockets or devices). PDQ is computed at full resolution exactly as Meta's C++ reference does; EXIF orientation
is not applied (the reference hashes the pixels as stored).

A file that cannot be read or decoded is reported on stderr and skipped. Exit status: 0 when
every file was hashed, 1 when any failed. A progress bar is drawn on stderr when it is a
terminal and the output is not (otherwise long runs print a plain progress line every ten
seconds on stderr).";

/// Arguments of `tomas hash` (its one-line description is in `main.rs`).
#[derive(clap::Args)]
#[command(after_help = "Exit status 1 if any file failed. See --help for the output formats.")]
#[command(after_long_help = LONG_HELP)]
pub struct HashArgs {
    /// Files or directories (searched recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Csv)]
    pub format: OutputFormat,

    /// Worker threads [default: all cores].
    #[arg(long, short = 'j')]
    pub threads: Option<NonZeroUsize>,

    /// Decode JPEGs to RGB and apply PDQ's luma formula, as Meta's tools do, instead of using
    /// the decoded Y channel (slower; both stay within the reference's JPEG tolerance).
    #[arg(long)]
    pub jpeg_rgb: bool,

    /// Refuse images with more pixels than this (decompression bombs).
    #[arg(long, default_value_t = Limits::DEFAULT.max_pixels)]
    pub max_pixels: u64,

    /// Refuse files larger than this many bytes.
    #[arg(long, default_value_t = Limits::DEFAULT.max_bytes)]
    pub max_bytes: u64,

    /// Never draw the progress bar.
    #[arg(long)]
    pub no_progress: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// `hash,quality,path`
    Csv,
    /// One JSON object per line, with digests and dihedral hashes.
    Json,
}

/// File extensions hashed when found inside a directory (compared case-insensitively).
pub const IMAGE_EXTENSIONS: &[&str] =
    &["jpg", "jpeg", "jpe", "jfif", "png", "webp", "gif", "bmp", "dib", "tif", "tiff"];

pub fn run(args: HashArgs) -> anyhow::Result<ExitCode> {
    keep_freed_memory();
    let options = DecodeOptions {
        limits: Limits { max_bytes: args.max_bytes, max_pixels: args.max_pixels },
        jpeg_luma: if args.jpeg_rgb { JpegLuma::Rgb } else { JpegLuma::YChannel },
    };
    // A bar on stderr would tangle with the output when both go to the same terminal.
    let mode = if args.no_progress {
        ProgressMode::Off
    } else if io::stderr().is_terminal() && !io::stdout().is_terminal() {
        ProgressMode::Bar
    } else {
        ProgressMode::Plain
    };
    let (files, walk_errors) = image_files(&args.paths);
    let mut failed = walk_errors.len();
    for (path, err) in &walk_errors {
        eprintln!("tomas hash: {}: {}", escape(&path.display().to_string()), escape(&err.to_string()));
    }
    // Paths go out as they are when piped (CSV quoting keeps them whole), escaped on a terminal.
    let escape_paths = io::stdout().is_terminal();
    let threads = args
        .threads
        .or_else(|| std::thread::available_parallelism().ok())
        .map_or(1, NonZeroUsize::get)
        .min(files.len().max(1));

    let mut progress = Progress::new(files.len(), mode);
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (tx, rx) = mpsc::sync_channel::<(usize, Result<String, String>)>(threads * 4);
    let mut broken_pipe = false;
    let mut hashed = 0;

    std::thread::scope(|scope| -> anyhow::Result<()> {
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, stop, files) = (&next, &stop, &files);
            let format = args.format;
            scope.spawn(move || {
                let mut hasher = Hasher::new(options);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= files.len() || stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let result = hash_file(&mut hasher, &files[i], format, escape_paths);
                    if tx.send((i, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // Print in file order: results that arrive early wait here.
        let mut pending = BTreeMap::new();
        let mut printed = 0;
        for (i, result) in rx {
            pending.insert(i, result);
            while let Some(result) = pending.remove(&printed) {
                match result {
                    Ok(line) => {
                        hashed += 1;
                        if let Err(err) = writeln!(out, "{line}") {
                            if err.kind() == io::ErrorKind::BrokenPipe {
                                broken_pipe = true;
                                stop.store(true, Ordering::Relaxed);
                                return Ok(());
                            }
                            return Err(err.into());
                        }
                    }
                    Err(message) => {
                        failed += 1;
                        progress.clear();
                        let path = files[printed].display().to_string();
                        eprintln!("tomas hash: {}: {}", escape(&path), escape_message(&message));
                    }
                }
                printed += 1;
                progress.update(printed, failed);
            }
        }
        Ok(())
    })?;
    if broken_pipe {
        return Ok(ExitCode::SUCCESS);
    }
    match out.flush() {
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
        other => other?,
    }
    progress.finish(hashed, failed);
    Ok(if failed > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// glibc hands freed blocks over 128 KiB back to the kernel, so the multi-megabyte buffers of
/// each image (a progressive JPEG's coefficients, the decoded pixels) are page-faulted in again
/// for the next one: about a third of the CPU time on 1600×1004 photos (`docs/hashing.md`).
/// Keeping blocks up to 64 MiB on the heap, and up to 128 MiB of free heap, avoids that.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed_memory() {
    use std::ffi::c_int;
    const M_TRIM_THRESHOLD: c_int = -1;
    const M_MMAP_THRESHOLD: c_int = -3;
    unsafe extern "C" {
        fn mallopt(param: c_int, value: c_int) -> c_int;
    }
    // SAFETY: `mallopt` only sets allocator tuning parameters; it is called before any thread
    // of this command starts.
    unsafe {
        mallopt(M_MMAP_THRESHOLD, 64 << 20);
        mallopt(M_TRIM_THRESHOLD, 128 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_freed_memory() {}

/// Reads a file named for hashing: only a regular file (a FIFO would block the read forever, a
/// device might never end), of at most `limit` bytes. The error is a message naming the problem.
pub fn read_input(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    let too_big = |size: u64| format!("file is {size} bytes, over the limit of {limit} bytes (--max-bytes)");
    regular_file(&fs::metadata(path).map_err(|e| e.to_string())?)?;
    // Opened without blocking (opening a FIFO waits for a writer), and checked again once open,
    // in case the path changed in between.
    let mut open = fs::OpenOptions::new();
    open.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut open, libc::O_NONBLOCK);
    let file = open.open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    regular_file(&meta)?;
    let size = meta.len();
    if size > limit {
        return Err(too_big(size));
    }
    // Read at most one byte past the limit, in case the file grows.
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    if bytes.len() as u64 > limit {
        return Err(format!("file is over the limit of {limit} bytes (--max-bytes)"));
    }
    Ok(bytes)
}

/// Refuses what is not a regular file, saying what it is.
fn regular_file(meta: &fs::Metadata) -> Result<(), String> {
    if meta.is_file() {
        return Ok(());
    }
    let kind = meta.file_type();
    let what = if kind.is_dir() { "a directory" } else { "not a regular file" };
    #[cfg(unix)]
    let what = {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            "a FIFO (named pipe)"
        } else if kind.is_socket() {
            "a socket"
        } else if kind.is_char_device() {
            "a character device"
        } else if kind.is_block_device() {
            "a block device"
        } else {
            what
        }
    };
    Err(format!("not a regular file ({what}); only regular files are hashed"))
}

/// Reads and hashes one file; the error is a message for stderr. `escape_path`: show control
/// characters in the CSV path escaped (for a terminal).
fn hash_file(hasher: &mut Hasher, path: &Path, format: OutputFormat, escape_path: bool) -> Result<String, String> {
    let bytes = read_input(path, hasher.options().limits.max_bytes)?;
    match format {
        OutputFormat::Csv => {
            let pdq = hasher.pdq(&bytes).map_err(|e| e.to_string())?;
            let shown = path.display().to_string();
            let shown = if escape_path { escape(&shown) } else { shown.into() };
            Ok(format!("{},{},{}", pdq.hash, pdq.quality, csv_path(&shown)))
        }
        OutputFormat::Json => {
            let h = hasher.hash(&bytes).map_err(|e| e.to_string())?;
            let path = serde_json::to_string(&path.to_string_lossy()).map_err(|e| e.to_string())?;
            let dihedral: Vec<String> =
                Dihedral::ALL.iter().map(|d| format!("\"{}\":\"{}\"", d.name(), h.dihedral.get(*d))).collect();
            Ok(format!(
                "{{\"path\":{path},\"format\":\"{}\",\"width\":{},\"height\":{},\
                 \"pdq\":\"{}\",\"quality\":{},\"md5\":\"{}\",\"sha1\":\"{}\",\
                 \"sha256\":\"{}\",\"dihedral\":{{{}}}}}",
                h.format.name(),
                h.width,
                h.height,
                h.pdq.hash,
                h.pdq.quality,
                h.digests.md5_hex(),
                h.digests.sha1_hex(),
                h.digests.sha256_hex(),
                dihedral.join(","),
            ))
        }
    }
}

/// The files to hash: each file argument as given, and the image files under each directory
/// argument (recursively, sorted by name, not following symbolic links to directories). Also
/// returns the paths that could not be read.
pub fn image_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<(PathBuf, io::Error)>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, &mut files, &mut errors),
            Ok(_) => files.push(path.clone()),
            Err(err) => errors.push((path.clone(), err)),
        }
    }
    (files, errors)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<(PathBuf, io::Error)>) {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => return errors.push((dir.to_path_buf(), err)),
    };
    let mut entries: Vec<_> =
        entries.filter_map(|e| e.map_err(|err| errors.push((dir.to_path_buf(), err))).ok()).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let kind = match entry.file_type() {
            Ok(kind) => kind,
            Err(err) => {
                errors.push((path, err));
                continue;
            }
        };
        if kind.is_dir() {
            walk(&path, files, errors);
        } else if kind.is_file() && has_image_extension(&path) {
            files.push(path);
        } else if kind.is_symlink() && has_image_extension(&path) {
            // A link to an image is followed; a dangling one is reported, not silently skipped.
            match fs::metadata(&path) {
                Ok(meta) if meta.is_file() => files.push(path),
                Ok(_) => {}
                Err(err) => errors.push((path, err)),
            }
        }
    }
}

/// The path as Meta's hasher prints it, quoted (RFC 4180) only when a comma, quote or line break
/// in it would otherwise break the `hash,quality,path` line.
fn csv_path(path: &str) -> std::borrow::Cow<'_, str> {
    if path.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", path.replace('"', "\"\"")).into()
    } else {
        path.into()
    }
}

fn has_image_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ProgressMode {
    /// A bar redrawn in place ten times a second, and a summary line at the end.
    Bar,
    /// A plain line every ten seconds on long runs; a summary only if something failed.
    Plain,
    /// Nothing but error messages.
    Off,
}

/// Progress on stderr.
struct Progress {
    total: usize,
    mode: ProgressMode,
    start: Instant,
    last: Instant,
    drawn: bool,
}

impl Progress {
    fn new(total: usize, mode: ProgressMode) -> Progress {
        let now = Instant::now();
        Progress { total, mode, start: now, last: now, drawn: false }
    }

    fn update(&mut self, done: usize, failed: usize) {
        let every = match self.mode {
            ProgressMode::Bar => Duration::from_millis(100),
            ProgressMode::Plain => Duration::from_secs(10),
            ProgressMode::Off => return,
        };
        let now = Instant::now();
        if now.duration_since(self.last) < every && done != self.total {
            return;
        }
        self.last = now;
        let rate = done as f64 / now.duration_since(self.start).as_secs_f64().max(1e-9);
        let failed = if failed > 0 { format!(", {failed} failed") } else { String::new() };
        if self.mode == ProgressMode::Bar {
            const WIDTH: usize = 30;
            let filled = (done * WIDTH).checked_div(self.total).unwrap_or(WIDTH);
            eprint!(
                "\r\x1b[K[{}{}] {done}/{} files, {rate:.0}/s{failed}",
                "#".repeat(filled),
                "-".repeat(WIDTH - filled),
                self.total
            );
            self.drawn = true;
        } else if done != self.total {
            eprintln!("tomas hash: {done}/{} files, {rate:.0}/s{failed}", self.total);
        }
    }

    fn clear(&mut self) {
        if self.drawn {
            eprint!("\r\x1b[K");
            self.drawn = false;
        }
    }

    fn finish(&mut self, hashed: usize, failed: usize) {
        self.clear();
        if self.mode == ProgressMode::Bar || (self.mode == ProgressMode::Plain && failed > 0) {
            let secs = self.start.elapsed().as_secs_f64();
            eprintln!("tomas hash: {hashed} hashed, {failed} failed ({secs:.1} s)");
        }
    }
}
