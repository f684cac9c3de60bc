//! Decode + PDQ throughput on one thread, phase by phase, over image files held in memory.
//!
//! `cargo run --release -p media --example hashing_speed -- [--rgb] [--rounds N] FILE...`
//! Prints one line of `key=value` figures; used by `benches/hashing/run.sh`.

use std::time::{Duration, Instant};

use media::{DecodeOptions, JpegLuma, pdq};

fn main() {
    let mut options = DecodeOptions::default();
    let mut rounds = 5usize;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--rgb" => options.jpeg_luma = JpegLuma::Rgb,
            "--rounds" => rounds = args.next().and_then(|n| n.parse().ok()).unwrap_or(rounds),
            _ => files.push(arg),
        }
    }
    if files.is_empty() {
        eprintln!("usage: hashing_speed [--rgb] [--rounds N] FILE...");
        std::process::exit(2);
    }
    let blobs: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap_or_else(|e| panic!("{f}: {e}"))).collect();
    // Warm-up round, not counted.
    let mut hasher = media::Hasher::new(options);
    for b in &blobs {
        std::hint::black_box(hasher.pdq(b).expect("decodes"));
    }
    let cpu0 = cpu_seconds();
    let (mut t_decode, mut t_pdq) = (Duration::ZERO, Duration::ZERO);
    let mut n = 0usize;
    for _ in 0..rounds {
        for b in &blobs {
            let t0 = Instant::now();
            let (info, pixels) = hasher.decode(b).expect("decodes");
            let t1 = Instant::now();
            std::hint::black_box(pdq::pdq(&info.pixels(pixels)));
            let t2 = Instant::now();
            t_decode += t1 - t0;
            t_pdq += t2 - t1;
            n += 1;
        }
    }
    let cpu = cpu_seconds().zip(cpu0).map(|(b, a)| b - a);
    let total = (t_decode + t_pdq).as_secs_f64();
    // On a busy machine wall time includes waiting for the CPU; CPU time does not. The phase split
    // is by wall time.
    let secs = cpu.unwrap_or(total);
    println!(
        "engine=tomas images={n} cpu_seconds={secs:.3} wall_seconds={total:.3} \
         images_per_second={:.1} decode_ms={:.2} pdq_ms={:.2}",
        n as f64 / secs,
        t_decode.as_secs_f64() * 1e3 / n as f64,
        t_pdq.as_secs_f64() * 1e3 / n as f64,
    );
}

/// User + system CPU time of this process, from `/proc/self/stat` (Linux; 10 ms ticks).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
