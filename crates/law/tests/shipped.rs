//! The shipped corpus itself: it passes the check and covers what the project promises.

use std::path::Path;

use law::{Severity, Status, check::check_dir};

fn shipped() -> law::Corpus {
    let (corpus, diags) = check_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../corpus")));
    let problems: Vec<String> = diags.iter().map(ToString::to_string).collect();
    assert!(
        diags.iter().all(|d| d.severity != Severity::Error),
        "the shipped corpus has errors:\n{}",
        problems.join("\n")
    );
    assert!(diags.is_empty(), "the shipped corpus has warnings:\n{}", problems.join("\n"));
    corpus
}

#[test]
fn csar_has_all_articles_annexes_and_versions() {
    let c = shipped();
    let com = c.instrument("eu-csar", "com-2022").expect("CSAR Commission proposal");
    for n in 1..=89 {
        assert!(com.provision(&format!("art_{n}")).is_some(), "art_{n}");
    }
    for n in 1..=8 {
        assert!(com.provision(&format!("anx_{n}")).is_some(), "anx_{n}");
    }
    assert_eq!(c.versions("eu-csar"), ["com-2022", "ep-2023", "council-2025"]);
    let csar = c.requirements.iter().filter(|r| r.instrument == "eu-csar").count();
    assert!((60..=130).contains(&csar), "{csar} CSAR requirements");
    for id in ["eu-dir-2011-93", "coe-lanzarote", "coe-budapest"] {
        assert!(c.requirements.iter().any(|r| r.instrument == id), "requirements from {id}");
    }
    let d = law::diff::diff(&c, "eu-csar", "com-2022", "council-2025").unwrap();
    assert!(
        d.count(law::diff::DiffKind::Added) > 0
            && d.count(law::diff::DiffKind::Removed) > 0
            && d.count(law::diff::DiffKind::Changed) > 0
    );
}

#[test]
fn every_country_assesses_every_requirement_with_substance() {
    let c = shipped();
    let countries: Vec<&str> = c.assessed_jurisdictions().iter().map(|j| j.id.as_str()).collect();
    assert_eq!(countries, ["rs", "al", "mk"]);
    for j in countries {
        let substantive: Vec<&law::Assessment> =
            c.assessments.iter().filter(|a| a.jurisdiction == j && a.status.is_substantive()).collect();
        assert!(substantive.len() >= 30, "{j}: {} substantive assessments", substantive.len());
        for a in &substantive {
            assert!(
                !a.rationale.trim().is_empty() && !a.sources.is_empty(),
                "{j} {}: rationale and source",
                a.requirement
            );
            if a.status.is_gap() {
                assert!(!a.recommendation.trim().is_empty(), "{j} {}: recommendation", a.requirement);
            }
        }
        assert!(substantive.iter().any(|a| a.status == Status::None), "{j} has gaps");
    }
}

#[test]
fn unverified_facts_are_marked_and_shown() {
    let c = shipped();
    let unverified = c.assessments.iter().filter(|a| a.confidence == law::Confidence::Unverified).count();
    assert!(unverified > 0);
    let table = law::render::matrix_table(&c, &law::score::View::default(), law::render::Style::Plain);
    assert!(table.contains('*'));
    let report = law::render::report_md(&c, &law::score::View::default(), "rs");
    assert!(report.contains("(unverified)"));
}
