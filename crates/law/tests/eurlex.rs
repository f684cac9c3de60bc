//! Importing the EUR-Lex rendering of COM(2022) 209 from the shared reference files.

use std::path::PathBuf;

fn shared() -> Option<PathBuf> {
    let dir = std::env::var_os("TOMAS_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")));
    if dir.join("eurlex/52022PC0209.html").exists() {
        Some(dir)
    } else {
        eprintln!("skipping: shared reference files not found at {} (set TOMAS_SHARED)", dir.display());
        None
    }
}

fn imported() -> Option<Vec<law::eurlex::Imported>> {
    let dir = shared()?;
    let html = std::fs::read_to_string(dir.join("eurlex/52022PC0209.html")).unwrap();
    Some(law::eurlex::parse(&html).unwrap())
}

#[test]
fn finds_all_89_articles_and_8_annexes() {
    let Some(p) = imported() else { return };
    let articles: Vec<&str> =
        p.iter().filter(|p| p.eid.starts_with("art_") && !p.eid.contains("__")).map(|p| p.eid.as_str()).collect();
    assert_eq!(articles.len(), 89);
    let expected: Vec<String> = (1..=89).map(|n| format!("art_{n}")).collect();
    assert_eq!(articles, expected);
    let annexes: Vec<&str> = p.iter().filter(|p| p.eid.starts_with("anx_")).map(|p| p.eid.as_str()).collect();
    assert_eq!(annexes, ["anx_1", "anx_2", "anx_3", "anx_4", "anx_5", "anx_6", "anx_7", "anx_8"]);
    let art14 = p.iter().find(|p| p.eid == "art_14").unwrap();
    assert_eq!(art14.heading.as_deref(), Some("Removal orders"));
}

#[test]
fn article_14_paragraph_2_sets_the_24_hour_deadline() {
    let Some(p) = imported() else { return };
    let para = p.iter().find(|p| p.eid == "art_14__para_2").expect("art 14(2)");
    assert!(para.text.contains("24 hours"), "{}", para.text);
    let point = p.iter().find(|p| p.eid == "art_14__para_3__point_e").expect("art 14(3)(e)");
    assert!(point.text.contains("uniform resource locator"), "{}", point.text);
    let def = p.iter().find(|p| p.eid == "art_2__point_j").expect("art 2(j)");
    assert!(def.text.contains("child user"), "{}", def.text);
}

#[test]
fn every_article_matches_the_shipped_corpus() {
    let Some(p) = imported() else { return };
    let corpus_dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../corpus"));
    let (corpus, _) = law::load_dir(&corpus_dir);
    let csar = corpus.instrument("eu-csar", "com-2022").expect("eu-csar@com-2022 in the shipped corpus");
    for article in
        p.iter().filter(|p| (p.eid.starts_with("art_") && !p.eid.contains("__")) || p.eid.starts_with("anx_"))
    {
        let ours = csar.provision(&article.eid).unwrap_or_else(|| panic!("{} missing from the corpus", article.eid));
        if let (Some(theirs), Some(mine)) = (&article.heading, &ours.heading)
            && article.eid.starts_with("art_")
        {
            assert_eq!(theirs.to_lowercase(), mine.to_lowercase(), "heading of {}", article.eid);
        }
    }
    // Every paragraph or point the corpus cites exists in the official text.
    for ours in &csar.provisions {
        assert!(p.iter().any(|t| t.eid == ours.eid), "corpus provision {} is not in the official text", ours.eid);
    }
}

#[test]
fn import_writes_an_overlay_that_outputs_show() {
    let Some(p) = imported() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let overlay = law::overlay::Overlay {
        instrument: "eu-csar".into(),
        version: "com-2022".into(),
        language: "en".into(),
        source: "52022PC0209.html".into(),
        imported_at: "2026-11-29".into(),
        provisions: p,
    };
    overlay.save(tmp.path()).unwrap();
    let loaded = law::overlay::load_all(tmp.path()).unwrap();
    assert_eq!(loaded, vec![overlay]);
    let (mut corpus, _) = law::load_dir(&PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../corpus")));
    let attached = law::overlay::apply(&mut corpus, &loaded);
    assert!(attached >= 97, "attached {attached}");
    let art14 = corpus.instrument("eu-csar", "com-2022").unwrap().provision("art_14__para_2").unwrap();
    assert!(art14.text["en"].contains("24 hours"));
}

#[test]
fn overlay_errors_name_the_path_and_state_each_cause_once() {
    use std::error::Error;
    let tmp = tempfile::tempdir().unwrap();
    // A file where the data directory belongs: reading its overlays/ fails with "not a directory".
    let file = tmp.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let err = law::overlay::load_all(&file).unwrap_err();
    let shown = err.to_string();
    assert!(shown.starts_with(&format!("{}: ", file.join("overlays").display())), "{shown}");
    assert!(err.source().is_none_or(|s| !shown.contains(&s.to_string())), "cause shown twice: {shown}");
    // A file that is not an overlay.
    std::fs::create_dir(tmp.path().join("overlays")).unwrap();
    std::fs::write(tmp.path().join("overlays/x@y.json"), "{").unwrap();
    let err = law::overlay::load_all(tmp.path()).unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("x@y.json: not a TOMAS overlay file: "), "{shown}");
    assert!(err.source().is_none_or(|s| !shown.contains(&s.to_string())), "cause shown twice: {shown}");
}
