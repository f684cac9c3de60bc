//! Times building the index over the shipped corpus and a few typical queries.
//!
//! `cargo run --release -p search --example measure [corpus-dir]`

use std::{path::PathBuf, process::ExitCode, time::Instant};

use search::{Filter, SearchIndex, docs_from_corpus};

fn main() -> ExitCode {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../corpus")));
    let (corpus, diagnostics) = law::load_dir(&dir);
    for d in &diagnostics {
        eprintln!("{d}");
    }
    if diagnostics.iter().any(|d| d.severity == law::Severity::Error) {
        return ExitCode::FAILURE;
    }
    let docs = docs_from_corpus(&corpus);
    let n = docs.len();
    let bytes: usize = docs.iter().map(|d| d.title.len() + d.body.len()).sum();

    let runs = 5;
    let mut best = f64::MAX;
    let mut index = None;
    for _ in 0..runs {
        let docs = docs.clone();
        let t = Instant::now();
        match SearchIndex::build(docs) {
            Ok(i) => index = Some(i),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    let Some(index) = index else {
        return ExitCode::FAILURE;
    };
    println!("build: {n} docs, {} KiB of text: best of {runs} {:.1} ms", bytes / 1024, best * 1e3);

    let queries = [
        "removal order",
        "24 hours",
        "\"removal order\"",
        "дечја порнографија",
        "detection order hosting provider",
        "porno*",
        "zzzz",
    ];
    let iterations = 200;
    for q in queries {
        let t = Instant::now();
        let mut hits = 0;
        for _ in 0..iterations {
            match index.search(q, &Filter::default(), 20) {
                Ok(h) => hits = h.len(),
                Err(e) => {
                    eprintln!("{q}: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
        let per = t.elapsed().as_secs_f64() / f64::from(iterations);
        println!("query {q:40} {hits:3} hits  {:8.1} µs", per * 1e6);
    }
    let t = Instant::now();
    let upserts = 20;
    for i in 0..upserts {
        let mut d = docs[i % docs.len()].clone();
        d.body.push_str(" edited");
        if let Err(e) = index.upsert(d) {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    }
    println!("upsert (commit + reload): {:.2} ms each", t.elapsed().as_secs_f64() * 1e3 / upserts as f64);
    ExitCode::SUCCESS
}
