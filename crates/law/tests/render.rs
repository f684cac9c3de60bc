//! Snapshot tests of every rendering on the fixture corpus (`UPDATE_EXPECT=1 cargo test` to refresh).

use std::path::Path;

use expect_test::expect_file;
use law::{
    Status, Topic,
    check::check_dir,
    diff,
    render::{self, Style},
    score::{self, View},
};

fn fixture() -> law::Corpus {
    let (corpus, diags) = check_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/good")));
    assert!(diags.is_empty(), "{diags:?}");
    corpus
}

#[test]
fn matrix_table() {
    let c = fixture();
    expect_file!["snapshots/matrix.txt"].assert_eq(&render::matrix_table(&c, &View::default(), Style::Plain));
}

#[test]
fn matrix_table_in_a_later_version_marks_what_needs_review() {
    let c = fixture();
    let view = View::parse(&c, &["v2".into()]).unwrap();
    expect_file!["snapshots/matrix-v2.txt"].assert_eq(&render::matrix_table(&c, &view, Style::Plain));
}

#[test]
fn matrix_colour_only_on_request() {
    let c = fixture();
    assert!(!render::matrix_table(&c, &View::default(), Style::Plain).contains('\x1b'));
    assert!(render::matrix_table(&c, &View::default(), Style::Ansi).contains("\x1b[1;34mfull"));
}

#[test]
fn matrix_json_and_csv() {
    let c = fixture();
    expect_file!["snapshots/matrix.json"].assert_eq(&render::matrix_json(&c, &View::default()));
    expect_file!["snapshots/matrix.csv"].assert_eq(&render::matrix_csv(&c, &View::default()));
}

#[test]
fn gaps() {
    let c = fixture();
    expect_file!["snapshots/gaps-aa.txt"].assert_eq(&render::gaps_text(&c, &View::default(), "aa", None, Style::Plain));
    let only_orders = render::gaps_text(&c, &View::default(), "aa", Some(Topic::Orders), Style::Plain);
    assert!(only_orders.contains("x-removal-24h") && !only_orders.contains("x-detection"));
    expect_file!["snapshots/gaps-aa.json"].assert_eq(&render::gaps_json(&c, &View::default(), "aa", None));
    expect_file!["snapshots/gaps-aa.csv"].assert_eq(&render::gaps_csv(&c, &View::default(), "aa", None));
}

#[test]
fn report_markdown_and_html() {
    let c = fixture();
    expect_file!["snapshots/report-aa.md"].assert_eq(&render::report_md(&c, &View::default(), "aa"));
    let html = render::report_html(&c, &View::default(), "aa");
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("<h1>Alignment report: Aland</h1>"));
    assert!(html.contains("(unverified)"));
}

#[test]
fn diff_text_and_json() {
    let c = fixture();
    let d = diff::diff(&c, "x-act", "v1", "v2").unwrap();
    expect_file!["snapshots/diff.txt"].assert_eq(&render::diff_text(&c, &d, Style::Plain));
    expect_file!["snapshots/diff.json"].assert_eq(&render::diff_json(&d));
    assert!(diff::diff(&c, "x-act", "v1", "v9").is_err());
    assert!(diff::diff(&c, "nope", "v1", "v2").is_err());
}

#[test]
fn scores_follow_the_documented_formula() {
    let c = fixture();
    let view = View::default();
    let scope = score::in_scope(&c, &view);
    // aa: definitions full (w 1×1), detection partial (w 1×1), removal none (w 3 × topic 2).
    let aa = score::scores(&c, "aa", &scope);
    assert_eq!(aa.overall.index, Some(18.8)); // (1 + 0.5) / 8
    assert_eq!(aa.overall.coverage, 100.0);
    assert_eq!(aa.overall.unverified, 1);
    // bb: definitions partial, removal not applicable (left out), detection not assessed.
    let bb = score::scores(&c, "bb", &scope);
    assert_eq!(bb.overall.index, Some(50.0));
    assert_eq!(bb.overall.coverage, 50.0);
    assert_eq!(bb.overall.counts.get(&Status::NotApplicable), Some(&1));
    assert_eq!(bb.by_topic[&Topic::ProviderObligations].index, None);
    // In v2 the removal requirement changed: aa's assessment needs re-review and stops counting.
    let v2 = View::parse(&c, &["x-act@v2".into()]).unwrap();
    let scope2 = score::in_scope(&c, &v2);
    let aa2 = score::scores(&c, "aa", &scope2);
    assert_eq!(aa2.overall.stale, 1);
    assert_eq!(aa2.overall.index, Some(100.0));
    assert!(View::parse(&c, &["v9".into()]).is_err());
    // Errors say what is wrong: an unknown instrument, one twice.
    assert!(View::parse(&c, &["nope@v2".into()]).unwrap_err().contains("'nope' is not an instrument"));
    assert!(View::parse(&c, &["x-act@v1".into(), "x-act@v2".into()]).unwrap_err().contains("given twice"));
}

#[test]
fn export_has_the_documented_fields() {
    let c = fixture();
    let json = serde_json::to_value(law::export::export(&c)).unwrap();
    assert_eq!(json["format"], "tomas-corpus/1");
    let i = &json["instruments"][0];
    for field in ["id", "version", "jurisdiction", "title", "provisions"] {
        assert!(!i[field].is_null(), "instrument.{field}");
    }
    for field in ["eid", "heading", "summary"] {
        assert!(i["provisions"][0].get(field).is_some(), "provision.{field}");
    }
    let r = &json["requirements"][1];
    assert_eq!(
        r["derived_from"][1],
        serde_json::json!({"instrument": "x-act", "version": "v1", "eid": "art_14__para_2"})
    );
    for field in ["id", "statement", "topic", "addressee"] {
        assert!(!r[field].is_null(), "requirement.{field}");
    }
    let a = &json["assessments"][0];
    for field in [
        "jurisdiction",
        "requirement",
        "version",
        "status",
        "confidence",
        "evidence",
        "rationale",
        "recommendation",
        "sources",
    ] {
        assert!(a.get(field).is_some(), "assessment.{field}");
    }
    assert_eq!(a["evidence"][0]["eid"], "art_185");
}

#[test]
fn diff_skips_assessments_already_made_for_the_new_version() {
    let mut c = fixture();
    let mut a =
        c.assessments.iter().find(|a| a.jurisdiction == "aa" && a.requirement == "x-removal-24h").unwrap().clone();
    a.version = "v2".into();
    c.assessments.push(a);
    c.reindex();
    let d = diff::diff(&c, "x-act", "v1", "v2").unwrap();
    let listed = |j: &str| {
        d.rereview.iter().any(|r| r.assessment.jurisdiction == j && r.assessment.requirement == "x-removal-24h")
    };
    assert!(!listed("aa"));
    assert!(listed("bb"));
}

#[test]
fn assessments_written_back_as_toml_load_the_same() {
    let c = fixture();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("corpus");
    // Copy the fixture, then overwrite its assessment files with the written ones.
    let src = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/good"));
    for entry in walk(src) {
        let target = dir.join(entry.strip_prefix(src).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&entry, target).unwrap();
    }
    let mut tricky = c.clone();
    tricky.assessments[0].rationale = "Quotes \" and \\ backslashes,\nnew lines and tabs\t.".into();
    for j in ["aa", "bb"] {
        std::fs::write(dir.join(format!("assessments/{j}.toml")), law::export::assessments_toml(&tricky, j)).unwrap();
    }
    let (back, diags) = check_dir(&dir);
    assert!(diags.is_empty(), "{diags:?}");
    let key = |a: &law::Assessment| {
        (
            a.jurisdiction.clone(),
            a.requirement.clone(),
            a.version.clone(),
            a.status,
            a.rationale.clone(),
            a.sources.clone(),
            a.evidence.clone(),
            a.confidence,
        )
    };
    let mut before: Vec<_> = tricky.assessments.iter().map(key).collect();
    let mut after: Vec<_> = back.assessments.iter().map(key).collect();
    before.sort();
    after.sort();
    assert_eq!(before, after);
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out
}
