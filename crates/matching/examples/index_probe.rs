//! Development benchmark for the index's query loop: builds one index over synthetic balanced
//! hashes (the same data as `tomas index gen` for the same seed) and times rounds of the same
//! queries, reporting queries per CPU-second of the querying thread (median and best of the
//! rounds, which makes changes visible on a noisy machine).
//!
//! `cargo run --release -p matching --example index_probe -- [N] [QUERIES] [ROUNDS] [PARTS]`
//!
//! The reported benchmark is `benches/matching/run.sh`; this one is for comparing changes to the
//! query loop quickly.

use std::time::Instant;

use matching::{Hit, Index, synth};

/// CPU time of the calling thread, in seconds (wall-clock time where that is not available).
#[cfg(unix)]
fn thread_cpu_s() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid timespec for the call to fill.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

#[cfg(not(unix))]
fn thread_cpu_s() -> f64 {
    use std::sync::OnceLock;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, d: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let (n, nq, rounds) = (arg(0, 10_000_000), arg(1, 2_000), arg(2, 10).max(1));
    let parts = args.get(3).and_then(|s| s.parse().ok());
    let seed = 20_260_101;
    let db = synth::database(seed, n);
    let queries: Vec<[u64; 4]> = synth::queries(seed, &db, nq, 40).iter().map(|h| h.words()).collect();
    let items: Vec<(u32, [u64; 4])> = db.iter().enumerate().map(|(i, h)| (i as u32, h.words())).collect();
    drop(db);
    let t = Instant::now();
    let index = match Index::build_words(items, parts) {
        Ok(index) => index,
        Err(e) => {
            eprintln!("index_probe: {e}");
            std::process::exit(2);
        }
    };
    let stats = index.stats();
    println!(
        "built {n} in {:.1} s: {} tables, {:.1} bytes per hash",
        t.elapsed().as_secs_f64(),
        stats.tables,
        stats.heap_bytes as f64 / n as f64
    );
    let mut out: Vec<Hit> = Vec::new();
    let mut per = Vec::new();
    let mut matches = 0;
    for _ in 0..rounds {
        let cpu = thread_cpu_s();
        matches = 0;
        for q in &queries {
            out.clear();
            index.search_into(q, 31, &mut out);
            matches += out.len();
        }
        per.push(nq as f64 / (thread_cpu_s() - cpu));
    }
    per.sort_by(f64::total_cmp);
    println!(
        "{matches} matches per round; queries per CPU-second over {rounds} rounds: median {:.0}, best {:.0}",
        per[per.len() / 2],
        per[per.len() - 1]
    );
}
