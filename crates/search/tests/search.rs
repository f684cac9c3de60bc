//! The index on small hand-made documents: scripts, diacritics, filters, upserts, queries that
//! are not well formed, snippets and concurrent use.

use std::{sync::Arc, thread};

use search::{Doc, DocKind, Filter, Hit, SearchIndex};

fn doc(key: &str, kind: DocKind, title: &str, body: &str, jurisdiction: Option<&str>) -> Doc {
    Doc {
        key: key.into(),
        kind,
        title: title.into(),
        body: body.into(),
        lang: "sr-Latn".into(),
        url: format!("/test/{key}"),
        jurisdiction: jurisdiction.map(Into::into),
    }
}

fn index() -> SearchIndex {
    SearchIndex::build([
        doc(
            "rs-latin",
            DocKind::Provision,
            "Krivični zakonik, član 185",
            "Ko maloletniku proda, prikaže ili javno izloži spise, slike ili druge predmete \
             pornografske sadržine; dečja pornografija je zabranjena.",
            Some("rs"),
        ),
        doc(
            "rs-ascii",
            DocKind::Assessment,
            "Serbia — csar-offence-csam",
            "The offence of decja pornografija covers possession.",
            Some("rs"),
        ),
        doc(
            "rs-cyrillic",
            DocKind::Provision,
            "Кривични законик, члан 185б",
            "Ко искористи малолетно лице за производњу слика — дечја порнографија — казниће се.",
            Some("rs"),
        ),
        doc(
            "al",
            DocKind::Provision,
            "Kodi Penal i Shqipërisë, neni 117",
            "Pornografia me të mitur: prodhimi, shpërndarja ose çfaqja e materialeve pornografike \
             me fëmijë dënohet me burgim.",
            Some("al"),
        ),
        doc(
            "mk",
            DocKind::Provision,
            "Кривичен законик, член 193-а",
            "Производство и дистрибуција на детска порнографија; ќерка, Ѓорѓи и ѕвезда се зборови.",
            Some("mk"),
        ),
        doc(
            "eu",
            DocKind::Requirement,
            "csar-removal-execute-24h: remove within 24 hours",
            "A hosting provider must remove or disable access to the material in a removal order \
             as soon as possible and in any event within 24 hours of receipt.",
            Some("eu"),
        ),
    ])
    .unwrap()
}

fn keys(hits: &[Hit]) -> Vec<&str> {
    hits.iter().map(|h| h.key.as_str()).collect()
}

fn search(index: &SearchIndex, q: &str) -> Vec<Hit> {
    index.search(q, &Filter::default(), 10).unwrap()
}

fn sorted(mut v: Vec<&str>) -> Vec<&str> {
    v.sort();
    v
}

#[test]
fn index_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<SearchIndex>();
}

#[test]
fn cyrillic_query_finds_latin_and_latin_finds_cyrillic() {
    let index = index();
    for q in
        ["дечја порнографија", "dečja pornografija", "decja pornografija", "DEČJA PORNOGRAFIJA", "ДЕЧЈА порнографија"]
    {
        let hits = search(&index, q);
        // The Serbian docs have both words; the Macedonian one only "порнографија".
        assert_eq!(sorted(keys(&hits)[..3].to_vec()), ["rs-ascii", "rs-cyrillic", "rs-latin"], "{q}");
        assert_eq!(keys(&hits)[3..], ["mk"], "{q}");
    }
    let hits = search(&index, "dečja pornografija");
    let cyr = hits.iter().find(|h| h.key == "rs-cyrillic").unwrap();
    assert!(cyr.snippet.contains("<mark>дечја</mark> <mark>порнографија</mark>"), "{}", cyr.snippet);
    let latin = hits.iter().find(|h| h.key == "rs-latin").unwrap();
    assert!(latin.snippet.contains("<mark>dečja</mark> <mark>pornografija</mark>"), "{}", latin.snippet);
    // A title word in the other script.
    assert_eq!(keys(&search(&index, "clan 185b")), ["rs-cyrillic", "rs-latin"]);
    assert_eq!(sorted(keys(&search(&index, "члан"))), ["rs-cyrillic", "rs-latin"]);
}

#[test]
fn albanian_diacritics_do_not_matter() {
    let index = index();
    for q in ["femije", "fëmijë", "Shqiperise", "cfaqja", "ÇFAQJA"] {
        assert_eq!(keys(&search(&index, q)), ["al"], "{q}");
    }
    let hit = &search(&index, "femije")[0];
    assert!(hit.snippet.contains("<mark>fëmijë</mark>"), "{}", hit.snippet);
}

#[test]
fn macedonian_cyrillic_is_found_from_latin() {
    let index = index();
    assert_eq!(search(&index, "krivicen zakonik")[0].key, "mk");
    for q in ["Krivičen", "kjerka", "ḱerka", "gjorgji", "dzvezda", "детска", "detska"] {
        assert_eq!(keys(&search(&index, q)), ["mk"], "{q}");
    }
    // "Кривичен законик" is Macedonian, "Кривични законик" Serbian: no stemming, different words.
    let hits = search(&index, "zakonik krivicni");
    assert_eq!(sorted(keys(&hits)[..2].to_vec()), ["rs-cyrillic", "rs-latin"]);
    assert_eq!(keys(&hits)[2..], ["mk"]);
}

#[test]
fn filters_restrict_kind_and_jurisdiction() {
    let index = index();
    let q = "pornografija";
    let all = index.search(q, &Filter::default(), 10).unwrap();
    assert_eq!(sorted(keys(&all)), ["mk", "rs-ascii", "rs-cyrillic", "rs-latin"]);
    let rs = Filter { jurisdiction: Some("rs".into()), ..Filter::default() };
    assert_eq!(sorted(keys(&index.search(q, &rs, 10).unwrap())), ["rs-ascii", "rs-cyrillic", "rs-latin"]);
    let rs_assessments = Filter { kind: Some(DocKind::Assessment), jurisdiction: Some("rs".into()) };
    assert_eq!(keys(&index.search(q, &rs_assessments, 10).unwrap()), ["rs-ascii"]);
    let mk_requirements = Filter { kind: Some(DocKind::Requirement), jurisdiction: Some("mk".into()) };
    assert!(index.search(q, &mk_requirements, 10).unwrap().is_empty());
    let unknown = Filter { jurisdiction: Some("RS".into()), ..Filter::default() };
    assert!(index.search(q, &unknown, 10).unwrap().is_empty());
}

#[test]
fn docs_with_every_term_come_first_and_titles_count_more() {
    let index = SearchIndex::build([
        doc("one-term", DocKind::Provision, "x", &"removal ".repeat(20), None),
        doc(
            "both-terms",
            DocKind::Provision,
            "y",
            "a long text that mentions the order once and removal once, with many other words around them",
            None,
        ),
        doc("title", DocKind::Provision, "Detection warrants", "something else entirely", None),
        doc("body", DocKind::Provision, "something else entirely", "detection warrants", None),
    ])
    .unwrap();
    let hits = search(&index, "removal order");
    assert_eq!(keys(&hits), ["both-terms", "one-term"]);
    assert_eq!(keys(&index.search("removal order", &Filter::default(), 1).unwrap()), ["both-terms"]);
    assert_eq!(keys(&search(&index, "detection warrants")), ["title", "body"]);
    // The other English number counts, a little less.
    let index = SearchIndex::build([
        doc("plural", DocKind::Provision, "x", "removal orders", None),
        doc("singular", DocKind::Provision, "y", "removal order", None),
    ])
    .unwrap();
    let hits = search(&index, "removal order");
    assert_eq!(keys(&hits), ["singular", "plural"]);
    assert_eq!(hits[1].snippet, "<mark>removal</mark> <mark>orders</mark>");
    assert_eq!(keys(&search(&index, "removals orders")), ["plural", "singular"]);
    // Identifiers in titles are found, without the title boost.
    let index = SearchIndex::build([
        doc("assessment", DocKind::Assessment, "Serbia — csar-removal-order-form", "Status: none", None),
        doc("requirement", DocKind::Requirement, "csar-removal-order-form: removal order form", "", None),
    ])
    .unwrap();
    assert_eq!(keys(&search(&index, "removal order form")), ["requirement", "assessment"]);
    assert_eq!(keys(&search(&index, "csar-removal-order-form serbia")), ["assessment", "requirement"]);
}

#[test]
fn phrases_and_prefixes() {
    let index = index();
    assert_eq!(keys(&search(&index, "\"removal order\"")), ["eu"]);
    assert!(search(&index, "\"order removal\"").is_empty());
    assert_eq!(keys(&search(&index, "\"within 24 hours\"")), ["eu"]);
    assert_eq!(keys(&search(&index, "csar-removal-execute-24h")), ["eu"]);
    let hits = search(&index, "pornograf*");
    assert_eq!(hits.len(), 5, "{:?}", keys(&hits));
    let al = hits.iter().find(|h| h.key == "al").unwrap();
    assert!(al.snippet.contains("<mark>pornografike</mark>"), "{}", al.snippet);
}

#[test]
fn upsert_replaces_the_doc_with_the_same_key() {
    let index = index();
    let before = index.len();
    assert_eq!(before, 6);
    index
        .upsert(doc(
            "rs-ascii",
            DocKind::Assessment,
            "Serbia — csar-offence-csam",
            "Rewritten: the Criminal Code now covers live streaming.",
            Some("rs"),
        ))
        .unwrap();
    assert_eq!(index.len(), before);
    assert_eq!(sorted(keys(&search(&index, "decja"))), ["rs-cyrillic", "rs-latin"]);
    let hits = search(&index, "streaming");
    assert_eq!(keys(&hits), ["rs-ascii"]);
    assert!(hits[0].snippet.contains("<mark>streaming</mark>"));

    index.upsert(doc("new", DocKind::Instrument, "Zakon o elektronskoj trgovini", "", Some("rs"))).unwrap();
    assert_eq!(index.len(), before + 1);
    assert_eq!(keys(&search(&index, "електронској")), ["new"]);
    index.remove("new").unwrap();
    assert_eq!(index.len(), before);
    assert!(search(&index, "elektronskoj").is_empty());
}

#[test]
fn malformed_queries_never_error() {
    let index = index();
    for q in [
        "",
        " ",
        "\"",
        "\"removal",
        "removal\"",
        "\"\"\"",
        ":",
        "title:",
        "title:removal",
        "body:\"x",
        "(removal",
        "removal)",
        "[1 TO",
        "+-removal",
        "removal^2",
        "removal~",
        "*",
        "**",
        "AND",
        "removal AND OR NOT order",
        "\\",
        "'",
        "{$x}",
        "<script>",
        "\u{0}",
        "\u{30C}",
        &"a".repeat(10_000),
        &"removal ".repeat(500),
    ] {
        let hits = index.search(q, &Filter::default(), 10);
        assert!(hits.is_ok(), "{q:?}: {hits:?}");
    }
    assert_eq!(keys(&search(&index, "\"removal order")), ["eu"]);
    assert_eq!(keys(&search(&index, "title:removal")), ["eu"]);
    assert!(search(&index, "").is_empty());
    assert!(index.search("removal", &Filter::default(), 0).unwrap().is_empty());
}

#[test]
fn snippets_escape_html_and_mark_matches() {
    let index = SearchIndex::build([doc(
        "xss",
        DocKind::Assessment,
        "<b>Title</b>",
        "Before <script>alert(\"x\")</script> & 'quotes' then the removal order.",
        None,
    )])
    .unwrap();
    let hits = search(&index, "removal script");
    assert_eq!(hits.len(), 1);
    assert_eq!(
        hits[0].snippet,
        "Before &lt;<mark>script</mark>&gt;alert(&quot;x&quot;)&lt;/<mark>script</mark>&gt; \
         &amp; &#39;quotes&#39; then the <mark>removal</mark> order."
    );
    assert!(!hits[0].snippet.contains("<script"));
    // The title is returned as given; the caller escapes it.
    assert_eq!(hits[0].title, "<b>Title</b>");
}

#[test]
fn concurrent_searches_while_upserting() {
    let index = Arc::new(index());
    let readers: Vec<_> = (0..4)
        .map(|t| {
            let index = Arc::clone(&index);
            thread::spawn(move || {
                for i in 0..150 {
                    let q = ["pornografija", "removal order", "дечја", "femije"][(t + i) % 4];
                    let hits = index.search(q, &Filter::default(), 10).unwrap();
                    assert!(!hits.is_empty(), "{q}");
                }
            })
        })
        .collect();
    for i in 0..40 {
        index
            .upsert(doc(
                &format!("added-{}", i % 10),
                DocKind::Assessment,
                "Added",
                &format!("revision {i} of an added assessment about removal"),
                Some("al"),
            ))
            .unwrap();
    }
    for r in readers {
        r.join().unwrap();
    }
    assert_eq!(index.len(), 16);
    let hits = index.search("revision 39", &Filter::default(), 20).unwrap();
    assert_eq!(hits[0].key, "added-9");
    assert!(hits[0].snippet.contains("<mark>39</mark>"));
    assert!(index.search("\"revision 29\"", &Filter::default(), 20).unwrap().is_empty());
}
