//! Search documents from the legal corpus: one per instrument version, provision, requirement and
//! assessment.
//!
//! | kind | key | url | jurisdiction |
//! |---|---|---|---|
//! | instrument | `instrument:{id}@{version}` | `/instruments/{id}/{version}` | the instrument's |
//! | provision | `provision:{id}@{version}#{eid}` | `/instruments/{id}/{version}#{eid}` | the instrument's |
//! | requirement | `requirement:{id}` | `/requirements/{id}` | its instrument's (`eu`, `coe`) |
//! | assessment | `assessment:{jurisdiction}:{requirement}@{version}` | `/requirements/{id}#{jurisdiction}` | the assessed one |

use law::{Assessment, Corpus, Instrument, Provision, ProvisionRef, Requirement, eid_label};

use crate::{Doc, DocKind};

/// Our summaries, statements and rationales are in English; official texts in any language are
/// part of the body too, and every language goes through the same analyser.
const LANG: &str = "en";

/// Every document of the corpus, in corpus order.
pub fn docs_from_corpus(corpus: &Corpus) -> Vec<Doc> {
    let mut docs = Vec::new();
    for i in &corpus.instruments {
        docs.push(instrument_doc(i));
        docs.extend(i.provisions.iter().map(|p| provision_doc(i, p)));
    }
    docs.extend(corpus.requirements.iter().map(|r| requirement_doc(corpus, r)));
    docs.extend(corpus.assessments.iter().map(|a| assessment_doc(corpus, a)));
    docs
}

/// The document of one instrument version.
pub fn instrument_doc(i: &Instrument) -> Doc {
    let mut body = Body::default();
    body.push(i.title.get("en").map(String::as_str));
    i.title.iter().filter(|(lang, _)| *lang != "en").for_each(|(_, t)| body.push(Some(t)));
    body.push(i.celex.as_ref().map(|c| format!("CELEX {c}")).as_deref());
    body.push(i.eli.as_deref());
    body.push(i.gazette.as_deref());
    body.push(i.note.as_deref());
    Doc {
        key: format!("instrument:{}@{}", i.id, i.version),
        kind: DocKind::Instrument,
        title: i.short.clone(),
        body: body.0,
        lang: LANG.into(),
        url: format!("/instruments/{}/{}", i.id, i.version),
        jurisdiction: Some(i.jurisdiction.clone()),
    }
}

/// The document of one provision: title `CSAR (Commission proposal) Art. 14 — Removal orders`.
pub fn provision_doc(i: &Instrument, p: &Provision) -> Doc {
    let mut title = format!("{} {}", i.short, eid_label(&p.eid));
    if let Some(h) = &p.heading {
        title.push_str(" — ");
        title.push_str(h);
    }
    let mut body = Body::default();
    body.push(p.heading.as_deref());
    body.push(Some(&p.summary));
    p.text.values().for_each(|t| body.push(Some(t)));
    Doc {
        key: format!("provision:{}@{}#{}", i.id, i.version, p.eid),
        kind: DocKind::Provision,
        title,
        body: body.0,
        lang: LANG.into(),
        url: format!("/instruments/{}/{}#{}", i.id, i.version, p.eid),
        jurisdiction: Some(i.jurisdiction.clone()),
    }
}

/// The document of one requirement: title `id: statement` (as it stands in the latest version
/// of its instrument, else as introduced); body every statement it had, its notes, topic,
/// addressees, deadlines and the provisions it derives from.
pub fn requirement_doc(corpus: &Corpus, r: &Requirement) -> Doc {
    let order = corpus.versions(&r.instrument);
    let current = order
        .last()
        .and_then(|latest| r.state_at(latest, order))
        .map_or_else(|| r.base.statement.clone(), |s| s.statement);
    let mut body = Body::default();
    body.push(Some(&r.base.statement));
    for c in &r.changes {
        body.push(c.statement.as_deref());
        body.push(c.note.as_deref());
    }
    body.push(r.note.as_deref());
    body.push(Some(r.base.topic.title()));
    for a in &r.base.addressees {
        body.push(Some(&a.as_str().replace('_', " ")));
    }
    for d in &r.base.deadlines {
        body.push(Some(&d.to_string()));
    }
    let refs = r.base.derived_from.iter().chain(r.changes.iter().flat_map(|c| c.derived_from.iter().flatten()));
    for p in refs {
        body.push(Some(&provision_label(corpus, p)));
    }
    Doc {
        key: format!("requirement:{}", r.id),
        kind: DocKind::Requirement,
        title: format!("{}: {current}", r.id),
        body: body.0,
        lang: LANG.into(),
        url: format!("/requirements/{}", r.id),
        jurisdiction: corpus.instruments.iter().find(|i| i.id == r.instrument).map(|i| i.jurisdiction.clone()),
    }
}

/// The document of one assessment: title `Serbia — csar-removal-execute-24h` (with the assessed
/// version when it is not the one that introduced the requirement); body the status, rationale,
/// recommendation, evidence and the jurisdiction's name in every language. The web crate calls
/// this after an assessment is edited and passes the result to [`SearchIndex::upsert`].
///
/// [`SearchIndex::upsert`]: crate::SearchIndex::upsert
pub fn assessment_doc(corpus: &Corpus, a: &Assessment) -> Doc {
    let jurisdiction = corpus.jurisdiction(&a.jurisdiction);
    let name = jurisdiction.map_or(a.jurisdiction.as_str(), |j| j.name("en"));
    let mut title = format!("{name} — {}", a.requirement);
    if corpus.requirement(&a.requirement).is_some_and(|r| r.since != a.version) {
        title.push_str(&format!(" ({})", a.version));
    }
    let mut body = Body::default();
    body.push(Some(&format!("Status: {}", a.status.label())));
    body.push(Some(&a.rationale));
    body.push(Some(&a.recommendation));
    for p in &a.evidence {
        body.push(Some(&provision_label(corpus, p)));
    }
    if let Some(j) = jurisdiction {
        let mut names: Vec<&str> = Vec::new();
        for name in j.name.values() {
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
        body.push(Some(&names.join(" · ")));
    }
    Doc {
        key: format!("assessment:{}:{}@{}", a.jurisdiction, a.requirement, a.version),
        kind: DocKind::Assessment,
        title,
        body: body.0,
        lang: LANG.into(),
        url: format!("/requirements/{}#{}", a.requirement, a.jurisdiction),
        jurisdiction: Some(a.jurisdiction.clone()),
    }
}

/// `CSAR (Commission proposal) Art. 14(2)`, with the heading when the provision has one; the
/// reference itself when the corpus lacks it.
fn provision_label(corpus: &Corpus, r: &ProvisionRef) -> String {
    match corpus.provision(r) {
        Some((i, p)) => {
            let mut label = format!("{} {}", i.short, eid_label(&p.eid));
            if let Some(h) = &p.heading {
                label.push_str(" — ");
                label.push_str(h);
            }
            label
        }
        None => r.to_string(),
    }
}

/// Paragraphs joined by blank lines, empty ones skipped.
#[derive(Default)]
struct Body(String);

impl Body {
    fn push(&mut self, part: Option<&str>) {
        let Some(part) = part.map(str::trim).filter(|p| !p.is_empty()) else {
            return;
        };
        if !self.0.is_empty() {
            self.0.push_str("\n\n");
        }
        self.0.push_str(part);
    }
}
