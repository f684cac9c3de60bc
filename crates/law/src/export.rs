//! The whole corpus as one JSON document: a stable interface other tools read.
//! The schema is described in `docs/formats.md`; `format` is bumped on breaking changes.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::{
    Addressee, Corpus, Deadline, ProvisionRef, Status, Topic,
    score::{self, View},
};

pub const FORMAT: &str = "tomas-corpus/1";

#[derive(Serialize)]
pub struct Export<'a> {
    pub format: &'static str,
    pub jurisdictions: Vec<JurisdictionOut<'a>>,
    pub instruments: Vec<InstrumentOut<'a>>,
    pub requirements: Vec<RequirementOut<'a>>,
    pub assessments: Vec<AssessmentOut<'a>>,
    /// Scores per jurisdiction in the default view (first version of each instrument).
    pub scores: BTreeMap<&'a str, score::Scores>,
    pub scoring: ScoringOut,
}

#[derive(Serialize)]
pub struct JurisdictionOut<'a> {
    pub id: &'a str,
    pub kind: &'static str,
    pub name: &'a BTreeMap<String, String>,
    pub candidate: bool,
}

#[derive(Serialize)]
pub struct InstrumentOut<'a> {
    pub id: &'a str,
    pub version: &'a str,
    pub jurisdiction: &'a str,
    pub title: &'a BTreeMap<String, String>,
    pub short: &'a str,
    pub kind: &'static str,
    pub stage: &'static str,
    pub date: Option<&'a str>,
    pub celex: Option<&'a str>,
    pub eli: Option<&'a str>,
    pub gazette: Option<&'a str>,
    pub source: Option<&'a str>,
    pub languages: &'a [String],
    pub confidence: &'static str,
    pub note: Option<&'a str>,
    pub provisions: Vec<ProvisionOut<'a>>,
}

#[derive(Serialize)]
pub struct ProvisionOut<'a> {
    pub eid: &'a str,
    pub num: Option<&'a str>,
    pub heading: Option<&'a str>,
    pub summary: &'a str,
    pub confidence: &'static str,
    /// Official text per language, where the user imported it.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub text: &'a BTreeMap<String, String>,
}

#[derive(Serialize)]
pub struct RequirementOut<'a> {
    pub id: &'a str,
    pub instrument: &'a str,
    pub since: &'a str,
    pub statement: &'a str,
    pub topic: Topic,
    pub addressee: &'a [Addressee],
    pub derived_from: &'a [ProvisionRef],
    pub deadlines: &'a [Deadline],
    pub weight: f64,
    pub confidence: &'static str,
    pub changes: Vec<ChangeOut<'a>>,
}

#[derive(Serialize)]
pub struct ChangeOut<'a> {
    pub version: &'a str,
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement: Option<&'a str>,
    pub note: Option<&'a str>,
    pub confidence: &'static str,
    pub sources: &'a [String],
}

#[derive(Serialize)]
pub struct AssessmentOut<'a> {
    pub jurisdiction: &'a str,
    pub requirement: &'a str,
    pub version: &'a str,
    pub status: Status,
    pub confidence: &'static str,
    pub evidence: &'a [ProvisionRef],
    pub rationale: &'a str,
    pub recommendation: &'a str,
    pub sources: &'a [String],
    pub assessed: Option<&'a str>,
    pub assessor: Option<&'a str>,
}

#[derive(Serialize)]
pub struct ScoringOut {
    pub status_credit: BTreeMap<Status, f64>,
    pub topic_weight: BTreeMap<Topic, f64>,
}

pub fn export(corpus: &Corpus) -> Export<'_> {
    let view = View::default();
    let scope = score::in_scope(corpus, &view);
    Export {
        format: FORMAT,
        jurisdictions: corpus
            .jurisdictions
            .iter()
            .map(|j| JurisdictionOut { id: &j.id, kind: j.kind.as_str(), name: &j.name, candidate: j.candidate })
            .collect(),
        instruments: corpus
            .instruments
            .iter()
            .map(|i| InstrumentOut {
                id: &i.id,
                version: &i.version,
                jurisdiction: &i.jurisdiction,
                title: &i.title,
                short: &i.short,
                kind: i.kind.as_str(),
                stage: i.stage.as_str(),
                date: i.date.as_deref(),
                celex: i.celex.as_deref(),
                eli: i.eli.as_deref(),
                gazette: i.gazette.as_deref(),
                source: i.source.as_deref(),
                languages: &i.languages,
                confidence: i.confidence.as_str(),
                note: i.note.as_deref(),
                provisions: i
                    .provisions
                    .iter()
                    .map(|p| ProvisionOut {
                        eid: &p.eid,
                        num: p.num.as_deref(),
                        heading: p.heading.as_deref(),
                        summary: &p.summary,
                        confidence: p.confidence.as_str(),
                        text: &p.text,
                    })
                    .collect(),
            })
            .collect(),
        requirements: corpus
            .requirements
            .iter()
            .map(|r| RequirementOut {
                id: &r.id,
                instrument: &r.instrument,
                since: &r.since,
                statement: &r.base.statement,
                topic: r.base.topic,
                addressee: &r.base.addressees,
                derived_from: &r.base.derived_from,
                deadlines: &r.base.deadlines,
                weight: r.base.weight,
                confidence: r.confidence.as_str(),
                changes: r
                    .changes
                    .iter()
                    .map(|c| ChangeOut {
                        version: &c.version,
                        kind: c.kind.as_str(),
                        statement: c.statement.as_deref(),
                        note: c.note.as_deref(),
                        confidence: c.confidence.as_str(),
                        sources: &c.sources,
                    })
                    .collect(),
            })
            .collect(),
        assessments: corpus
            .assessments
            .iter()
            .map(|a| AssessmentOut {
                jurisdiction: &a.jurisdiction,
                requirement: &a.requirement,
                version: &a.version,
                status: a.status,
                confidence: a.confidence.as_str(),
                evidence: &a.evidence,
                rationale: &a.rationale,
                recommendation: &a.recommendation,
                sources: &a.sources,
                assessed: a.assessed.as_deref(),
                assessor: a.assessor.as_deref(),
            })
            .collect(),
        scores: corpus
            .assessed_jurisdictions()
            .into_iter()
            .map(|j| (j.id.as_str(), score::scores(corpus, &j.id, &scope)))
            .collect(),
        scoring: ScoringOut {
            status_credit: corpus.scoring.status_credit.clone(),
            topic_weight: corpus.scoring.topic_weight.clone(),
        },
    }
}

/// A TOML basic string, escaped.
fn toml_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn toml_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.into_iter().map(toml_str).collect();
    format!("[{}]", items.join(", "))
}

/// The assessments of one jurisdiction as an `assessments/<jurisdiction>.toml` file (the corpus
/// format), in requirement order — for writing published edits back into the corpus for review in git.
pub fn assessments_toml(corpus: &Corpus, jurisdiction: &str) -> String {
    let mut out = format!(
        "# Assessments for {} — written by `tomas law export --write-corpus` from the published state.\n\njurisdiction = {}\n",
        corpus.jurisdiction(jurisdiction).map_or(jurisdiction, |j| j.name("en")),
        toml_str(jurisdiction)
    );
    let order: std::collections::HashMap<&str, usize> =
        corpus.requirements.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();
    let mut list: Vec<&crate::Assessment> =
        corpus.assessments.iter().filter(|a| a.jurisdiction == jurisdiction).collect();
    list.sort_by_key(|a| (order.get(a.requirement.as_str()).copied().unwrap_or(usize::MAX), a.version.clone()));
    for a in list {
        out.push_str("\n[[assessment]]\n");
        out.push_str(&format!("requirement = {}\n", toml_str(&a.requirement)));
        out.push_str(&format!("version = {}\n", toml_str(&a.version)));
        out.push_str(&format!("status = {}\n", toml_str(a.status.as_str())));
        if !a.evidence.is_empty() {
            let refs: Vec<String> = a.evidence.iter().map(ToString::to_string).collect();
            out.push_str(&format!("evidence = {}\n", toml_list(refs.iter().map(String::as_str))));
        }
        if !a.rationale.is_empty() {
            out.push_str(&format!("rationale = {}\n", toml_str(&a.rationale)));
        }
        if !a.recommendation.is_empty() {
            out.push_str(&format!("recommendation = {}\n", toml_str(&a.recommendation)));
        }
        if !a.sources.is_empty() {
            out.push_str(&format!("sources = {}\n", toml_list(a.sources.iter().map(String::as_str))));
        }
        out.push_str(&format!("confidence = {}\n", toml_str(a.confidence.as_str())));
        if let Some(d) = &a.assessed {
            out.push_str(&format!("assessed = {}\n", toml_str(d)));
        }
        if let Some(w) = &a.assessor {
            out.push_str(&format!("assessor = {}\n", toml_str(w)));
        }
    }
    out
}
