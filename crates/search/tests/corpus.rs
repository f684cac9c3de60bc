//! The index over the shipped corpus (`corpus/` at the repository root).

use std::path::Path;

use law::Corpus;
use search::{DocKind, Filter, SearchIndex, docs_from_corpus};

fn corpus() -> Corpus {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../corpus"));
    // Diagnostics are the law crate's business (its tests check the corpus); the search tests
    // only need what loaded.
    let (corpus, diagnostics) = law::load_dir(dir);
    for d in diagnostics {
        eprintln!("{d}");
    }
    corpus
}

#[test]
fn every_record_becomes_one_doc_with_a_unique_key() {
    let corpus = corpus();
    let docs = docs_from_corpus(&corpus);
    let provisions: usize = corpus.instruments.iter().map(|i| i.provisions.len()).sum();
    assert_eq!(
        docs.len(),
        corpus.instruments.len() + provisions + corpus.requirements.len() + corpus.assessments.len()
    );
    let mut keys: Vec<&str> = docs.iter().map(|d| d.key.as_str()).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), docs.len(), "duplicate keys");

    let p = docs.iter().find(|d| d.key == "provision:eu-csar@com-2022#art_14__para_2").unwrap();
    assert_eq!(p.title, "CSAR (Commission proposal) Art. 14(2)");
    assert_eq!(p.url, "/instruments/eu-csar/com-2022#art_14__para_2");
    assert_eq!(p.jurisdiction.as_deref(), Some("eu"));
    let i = docs.iter().find(|d| d.key == "instrument:eu-csar@com-2022").unwrap();
    assert_eq!(i.url, "/instruments/eu-csar/com-2022");
    assert!(i.body.contains("CELEX 52022PC0209"));
    let r = docs.iter().find(|d| d.key == "requirement:csar-removal-execute-24h").unwrap();
    assert_eq!(r.url, "/requirements/csar-removal-execute-24h");
    assert!(r.title.starts_with("csar-removal-execute-24h: "));
    assert!(r.body.contains("CSAR (Commission proposal) Art. 14(2)"), "{}", r.body);
    assert!(r.body.contains("24 hours from receipt of the removal order"), "{}", r.body);
}

#[test]
fn removal_order_finds_article_14_and_its_requirements() {
    let index = SearchIndex::build(docs_from_corpus(&corpus())).unwrap();
    let hits = index.search("removal order", &Filter::default(), 100).unwrap();
    let keys: Vec<&str> = hits.iter().map(|h| h.key.as_str()).collect();
    for want in [
        "provision:eu-csar@com-2022#art_14",
        "provision:eu-csar@com-2022#art_14__para_2",
        "provision:eu-csar@com-2022#art_14__para_7",
        "requirement:csar-removal-execute-24h",
    ] {
        assert!(keys.contains(&want), "{want} not in {keys:#?}");
    }
    let art = hits.iter().find(|h| h.key.ends_with("#art_14__para_2")).unwrap();
    assert!(art.snippet.contains("<mark>removal</mark> <mark>order</mark>"), "{}", art.snippet);

    let requirements = Filter { kind: Some(DocKind::Requirement), ..Filter::default() };
    let hits = index.search("24 hours", &requirements, 10).unwrap();
    assert!(hits.iter().any(|h| h.key == "requirement:csar-removal-execute-24h"), "{hits:#?}");
    let hits = index.search("\"24 hours\"", &Filter::default(), 50).unwrap();
    assert!(hits.iter().any(|h| h.key == "requirement:csar-removal-execute-24h"));
    assert!(
        hits.iter().all(|h| h.snippet.contains("<mark>24</mark> <mark>hours</mark>") || h.title.contains("24 hours")),
        "{hits:#?}"
    );
}

#[test]
fn assessments_are_found_by_jurisdiction_name_in_any_script() {
    let corpus = corpus();
    let Some(a) = corpus.assessments.first() else {
        eprintln!("skipped: the shipped corpus has no assessments yet");
        return;
    };
    let doc = search::assessment_doc(&corpus, a);
    assert_eq!(doc.url, format!("/requirements/{}#{}", a.requirement, a.jurisdiction));
    let index = SearchIndex::build(docs_from_corpus(&corpus)).unwrap();
    let j = corpus.jurisdiction(&a.jurisdiction).unwrap();
    let filter = Filter { kind: Some(DocKind::Assessment), jurisdiction: Some(a.jurisdiction.clone()) };
    for name in j.name.values() {
        let hits = index.search(name, &filter, 500).unwrap();
        assert!(hits.iter().any(|h| h.key == doc.key), "{name}");
    }
}
