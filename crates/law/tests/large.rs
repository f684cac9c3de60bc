//! A generated corpus of 20,000 requirements (and as many assessments) loads and checks clean.
//! How long it takes is measured by `benches/law/run.sh`, not asserted here (when every line
//! number was counted from the start of its file, a debug build took 27 s for 2,000 requirements
//! and would have needed most of an hour for these).

#[allow(dead_code)] // its `main` is the example's
#[path = "../examples/gen_corpus.rs"]
mod gen_corpus;

use law::check::check_dir;

#[test]
fn twenty_thousand_requirements_load_and_check_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let n = 20_000;
    gen_corpus::write_corpus(tmp.path(), n).unwrap();
    let (corpus, diags) = check_dir(tmp.path());
    assert_eq!(diags, Vec::new());
    assert_eq!(corpus.requirements.len(), n);
    assert_eq!(corpus.assessments.len(), n);
    // Line numbers are right at the far end of the big files too.
    let last = corpus.requirements.last().unwrap();
    assert_eq!((last.id.as_str(), last.loc.line), ("bench-19999", 2 + 7 * 19_999 + 2));
    let first = &corpus.assessments[0];
    assert_eq!(first.loc.line, 4);
}

#[test]
fn requirement_lookup_stays_right_when_the_list_changes_after_loading() {
    let tmp = tempfile::tempdir().unwrap();
    gen_corpus::write_corpus(tmp.path(), 10).unwrap();
    let (mut corpus, diags) = check_dir(tmp.path());
    assert_eq!(diags, Vec::new());
    assert_eq!(corpus.requirement("bench-7").map(|r| r.id.as_str()), Some("bench-7"));
    assert!(corpus.requirement("bench-10").is_none());
    // Changed without `reindex`: the lookup must not trust the stale positions.
    corpus.requirements.remove(0);
    corpus.requirements[0].id = "renamed".into();
    assert_eq!(corpus.requirement("bench-7").map(|r| r.id.as_str()), Some("bench-7"));
    assert!(corpus.requirement("bench-0").is_none());
    assert!(corpus.requirement("bench-1").is_none());
    assert_eq!(corpus.requirement("renamed").map(|r| r.id.as_str()), Some("renamed"));
    corpus.reindex();
    assert_eq!(corpus.requirement("bench-9").map(|r| r.id.as_str()), Some("bench-9"));
}
