//! Searches the shipped corpus from the command line and prints the hits.
//!
//! `cargo run -p search --example query -- 'removal order' [kind] [jurisdiction]`

use std::{path::Path, process::ExitCode};

use search::{DocKind, Filter, SearchIndex, docs_from_corpus};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(query) = args.first() else {
        eprintln!("usage: query <text> [instrument|provision|requirement|assessment] [jurisdiction]");
        return ExitCode::FAILURE;
    };
    let kind = match args.get(1).map(|k| DocKind::parse(k).ok_or(k)) {
        None => None,
        Some(Ok(k)) => Some(k),
        Some(Err(k)) => {
            eprintln!("unknown kind {k:?}: use instrument, provision, requirement or assessment");
            return ExitCode::FAILURE;
        }
    };
    let filter = Filter { kind, jurisdiction: args.get(2).cloned() };
    let (corpus, _) = law::load_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../corpus")));
    let hits = match SearchIndex::build(docs_from_corpus(&corpus)).and_then(|i| i.search(query, &filter, 10)) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    for h in hits {
        println!("{:6.2} {:11} {}\n       {}\n       {}\n", h.score, h.kind, h.title, h.url, h.snippet);
    }
    ExitCode::SUCCESS
}
