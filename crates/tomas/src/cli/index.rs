//! `tomas index`: the Hamming index's benchmark interface (build from a file, time queries) and
//! the synthetic data generator the benchmark script uses.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use matching::{Hit, Index, synth};
use media::Hash256;

#[derive(clap::Subcommand)]
pub enum IndexCmd {
    /// Build an index from a file of hashes and time range queries against it. Prints one JSON object.
    ///
    /// DB and QUERIES hold one 64-hex PDQ hash per line. `matches` counts the (query, stored hash)
    /// pairs within the radius, so two engines run on the same files must agree on it.
    Bench(BenchArgs),
    /// Write a synthetic database (balanced random 256-bit hashes) and queries (database entries
    /// with 0..=MAX_FLIPS bits flipped), one 64-hex hash per line. Deterministic for a seed.
    Gen(GenArgs),
}

#[derive(clap::Args)]
pub struct BenchArgs {
    /// The stored hashes, one 64-hex hash per line.
    #[arg(long, value_name = "DB.txt")]
    pub db: PathBuf,
    /// The query hashes, one 64-hex hash per line.
    #[arg(long, value_name = "Q.txt")]
    pub queries: PathBuf,
    /// Report stored hashes within this Hamming distance (inclusive), 0..=64.
    #[arg(long, default_value_t = matching::index::DEFAULT_RADIUS)]
    pub radius: u32,
    /// Query threads.
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Substring tables: 0 = linear scan only, or 11 to 32: 16 = 16 × 16 bits, 12 = 12 × ~21 bits, …;
    /// default: chosen from the number of hashes.
    #[arg(long, value_parser = parse_parts)]
    pub parts: Option<u32>,
}

#[derive(clap::Args)]
pub struct GenArgs {
    /// Number of database hashes.
    #[arg(long, default_value_t = 10_000_000)]
    pub n: usize,
    /// Number of queries.
    #[arg(long, default_value_t = 10_000)]
    pub queries: usize,
    /// Queries flip 0..=MAX_FLIPS bits of a random database hash.
    #[arg(long, default_value_t = 40)]
    pub max_flips: u32,
    #[arg(long, default_value_t = 20_260_101)]
    pub seed: u64,
    /// Where to write the database.
    #[arg(long, value_name = "DB.txt")]
    pub db_out: PathBuf,
    /// Where to write the queries.
    #[arg(long, value_name = "Q.txt")]
    pub queries_out: PathBuf,
}

fn parse_parts(s: &str) -> Result<u32, String> {
    let m: u32 = s.parse().map_err(|_| format!("'{s}' is not a number of parts"))?;
    matching::index::check_parts(m).map_err(|e| e.to_string())?;
    Ok(m)
}

pub fn run(cmd: IndexCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        IndexCmd::Bench(args) => bench(args),
        IndexCmd::Gen(args) => generate(args),
    }
}

fn generate(args: GenArgs) -> anyhow::Result<ExitCode> {
    let db = synth::database(args.seed, args.n);
    let queries = synth::queries(args.seed, &db, args.queries, args.max_flips);
    write_hashes(&args.db_out, &db)?;
    write_hashes(&args.queries_out, &queries)?;
    eprintln!(
        "wrote {} hashes to {} and {} queries to {}",
        db.len(),
        shown(&args.db_out),
        queries.len(),
        shown(&args.queries_out)
    );
    Ok(ExitCode::SUCCESS)
}

/// A path as messages show it: control characters escaped.
fn shown(path: &Path) -> String {
    matching::text::escape_for_terminal(&path.display().to_string()).into_owned()
}

fn write_hashes(path: &Path, hashes: &[Hash256]) -> anyhow::Result<()> {
    let file = std::fs::File::create(path).with_context(|| format!("cannot create {}", shown(path)))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    for h in hashes {
        writeln!(w, "{h}")?;
    }
    w.flush().with_context(|| format!("cannot write {}", shown(path)))?;
    Ok(())
}

/// Reads one 64-hex hash per line (blank lines and a leading byte order mark skipped); errors name
/// the file and line.
pub fn read_hashes(path: &Path) -> anyhow::Result<Vec<Hash256>> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", shown(path)))?;
    let mut out = Vec::new();
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).with_context(|| format!("cannot read {}", shown(path)))? == 0 {
            break;
        }
        number += 1;
        let text = std::str::from_utf8(&line).map_err(|e| {
            anyhow::anyhow!("{}:{number}: not UTF-8 text (at byte {} of the line)", shown(path), e.valid_up_to() + 1)
        })?;
        let text = if number == 1 { text.strip_prefix('\u{feff}').unwrap_or(text) } else { text };
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let h = Hash256::from_hex(text).with_context(|| format!("{}:{number}: not a 64-hex PDQ hash", shown(path)))?;
        out.push(h);
    }
    Ok(out)
}

fn bench(args: BenchArgs) -> anyhow::Result<ExitCode> {
    if args.radius > matching::index::MAX_RADIUS {
        bail!("--radius {} is above the maximum, {}", args.radius, matching::index::MAX_RADIUS);
    }
    if args.threads == 0 {
        bail!("--threads must be at least 1");
    }
    let db = read_hashes(&args.db)?;
    let queries: Vec<[u64; 4]> = read_hashes(&args.queries)?.iter().map(|h| h.words()).collect();
    let items: Vec<(u32, [u64; 4])> = db.iter().enumerate().map(|(i, h)| (i as u32, h.words())).collect();
    let n = db.len();
    drop(db);
    let rss_before = rss_mb();

    let start = Instant::now();
    let index = Index::build_words(items, args.parts).map_err(|e| anyhow::anyhow!("--parts: {e}"))?;
    let build_s = start.elapsed().as_secs_f64();
    let stats = index.stats();

    let start = Instant::now();
    let cpu_start = cpu_s();
    let chunk = queries.len().div_ceil(args.threads).max(1);
    let matches: usize = std::thread::scope(|s| {
        let handles: Vec<_> = queries
            .chunks(chunk)
            .map(|qs| {
                let index = &index;
                s.spawn(move || {
                    let mut out: Vec<Hit> = Vec::new();
                    let mut total = 0;
                    for q in qs {
                        out.clear();
                        index.search_into(q, args.radius, &mut out);
                        total += out.len();
                    }
                    total
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    let query_s = start.elapsed().as_secs_f64();
    let query_cpu_s = cpu_s() - cpu_start;
    let rss = rss_mb();
    let updates = update_latencies(&index, n as u32);
    println!(
        "{{\"engine\":\"tomas\",\"n\":{n},\"radius\":{},\"threads\":{},\"tables\":{},\"build_s\":{build_s:.3},\
         \"queries\":{},\"matches\":{matches},\"query_s\":{query_s:.3},\"qps\":{:.1},\"query_cpu_s\":{query_cpu_s:.3},\"qps_per_cpu_s\":{:.1},\"rss_mb\":{rss:.1},\
         \"index_bytes_per_hash\":{:.1},\"rss_growth_bytes_per_hash\":{:.1},{updates}}}",
        args.radius,
        args.threads,
        stats.tables,
        queries.len(),
        queries.len() as f64 / query_s.max(1e-9),
        queries.len() as f64 / query_cpu_s.max(1e-9),
        stats.heap_bytes as f64 / n.max(1) as f64,
        (rss - rss_before) * 1024.0 * 1024.0 / n.max(1) as f64,
    );
    Ok(ExitCode::SUCCESS)
}

/// Times the incremental updates on the built index (after the queries, so they do not disturb
/// them) and checks that each takes effect: JSON fields `insert_one_ms`, `remove_one_ms`,
/// `insert_10k_ms` and `compact_s` (the background merge of everything into one segment).
fn update_latencies(index: &Index, first_id: u32) -> String {
    let mut rng = synth::Rng::new(7);
    let fresh = synth::balanced(&mut rng);
    let t = Instant::now();
    index.insert(&[(first_id, fresh)]);
    let insert_one = t.elapsed().as_secs_f64() * 1e3;
    let visible = index.search(&fresh, 0).iter().any(|h| h.id == first_id);
    let t = Instant::now();
    index.remove(&[first_id, 0]);
    let remove_one = t.elapsed().as_secs_f64() * 1e3;
    let gone = !index.search(&fresh, 0).iter().any(|h| h.id == first_id);
    let batch: Vec<(u32, Hash256)> = (1..=10_000).map(|i| (first_id + i, synth::balanced(&mut rng))).collect();
    let t = Instant::now();
    index.insert(&batch);
    let insert_10k = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    index.compact();
    let compact = t.elapsed().as_secs_f64();
    let still = index.search(&batch[9_999].1, 0).iter().any(|h| h.id == first_id + 10_000);
    format!(
        "\"insert_one_ms\":{insert_one:.3},\"remove_one_ms\":{remove_one:.3},\"insert_10k_ms\":{insert_10k:.1},\
         \"compact_s\":{compact:.2},\"updates_visible\":{}",
        visible && gone && still
    )
}

/// Resident set size of this process in MiB (0 where /proc is unavailable).
fn rss_mb() -> f64 {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return 0.0;
    };
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// CPU time (user + system) this process has used, in seconds, from /proc (10 ms resolution;
/// 0 where /proc is unavailable). On a shared machine, queries per CPU-second is steadier than
/// queries per wall-clock second.
fn cpu_s() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which is in parentheses and may hold spaces).
    let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}
