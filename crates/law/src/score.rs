//! Which assessment counts for a requirement in a chosen version, and the alignment index.
//!
//! The formula is documented in `docs/scoring.md`; the weights come from `corpus/scoring.toml`.
//!
//! For a set of requirements `R` in scope and a jurisdiction, with `w(r) = weight(r) × topic_weight(topic(r))`:
//!
//! ```text
//! index    = 100 × Σ w(r)·credit(status(r)) / Σ w(r)      over r with status full, partial or none
//! coverage = 100 × Σ w(r) [status ≠ not assessed]  / Σ w(r)  over r with status ≠ not_applicable
//! ```
//!
//! Not assessed is not zero: it lowers coverage, never the index.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::{Assessment, Confidence, Corpus, Requirement, RequirementState, Status, Topic};

/// The version of each instrument a view looks at. Instruments not named use their first
/// version: the text the corpus's assessments were made against.
#[derive(Debug, Clone, Default)]
pub struct View {
    chosen: BTreeMap<String, String>,
}

impl View {
    /// Parses `--version` values: `council-2025` (for whichever instrument has that version) or
    /// `eu-csar@council-2025`.
    pub fn parse(corpus: &Corpus, specs: &[String]) -> Result<View, String> {
        let mut chosen = BTreeMap::new();
        for spec in specs {
            let (instrument, version) = match spec.split_once('@') {
                Some((i, v)) => (i.to_string(), v.to_string()),
                None => {
                    let owners: Vec<&str> = corpus
                        .requirement_instruments()
                        .into_iter()
                        .filter(|i| corpus.versions(i).contains(spec))
                        .collect();
                    match owners.as_slice() {
                        [one] => (one.to_string(), spec.clone()),
                        [] => {
                            return Err(format!("no instrument has a version '{spec}' (try eu-csar@com-2022)"));
                        }
                        many => {
                            return Err(format!(
                                "'{spec}' is a version of several instruments ({}): write instrument@version",
                                many.join(", ")
                            ));
                        }
                    }
                }
            };
            let measurable = corpus.requirement_instruments();
            if !measurable.contains(&instrument.as_str()) {
                let what = if corpus.versions(&instrument).is_empty() {
                    "is not an instrument"
                } else {
                    "has no requirements"
                };
                return Err(format!("'{instrument}' {what}: measure against a version of {}", measurable.join(", ")));
            }
            if !corpus.versions(&instrument).contains(&version) {
                return Err(format!(
                    "'{instrument}' has no version '{version}' (it has: {})",
                    corpus.versions(&instrument).join(", ")
                ));
            }
            if let Some(first) = chosen.insert(instrument.clone(), version.clone()) {
                return Err(format!("'{instrument}' is given twice ({first} and {version}): choose one version"));
            }
        }
        Ok(View { chosen })
    }

    pub fn version<'a>(&'a self, corpus: &'a Corpus, instrument: &str) -> Option<&'a str> {
        self.chosen
            .get(instrument)
            .map(String::as_str)
            .or_else(|| corpus.versions(instrument).first().map(String::as_str))
    }

    /// `eu-csar@com-2022, eu-dir-2011-93@2011, …` for headers.
    pub fn describe(&self, corpus: &Corpus) -> Vec<String> {
        corpus
            .requirement_instruments()
            .into_iter()
            .filter_map(|i| self.version(corpus, i).map(|v| format!("{i}@{v}")))
            .collect()
    }
}

/// A requirement as it stands in a view.
#[derive(Debug, Clone)]
pub struct InScope<'a> {
    pub requirement: &'a Requirement,
    pub version: &'a str,
    pub state: RequirementState,
    pub unverified: bool,
}

/// The requirements in scope of a view, grouped by topic order then file order.
pub fn in_scope<'a>(corpus: &'a Corpus, view: &'a View) -> Vec<InScope<'a>> {
    let mut out: Vec<InScope<'a>> = Vec::new();
    for instrument in corpus.requirement_instruments() {
        let Some(version) = view.version(corpus, instrument) else {
            continue;
        };
        let order = corpus.versions(instrument);
        for r in corpus.requirements.iter().filter(|r| r.instrument == instrument) {
            if let Some(state) = r.state_at(version, order) {
                out.push(InScope { requirement: r, version, unverified: r.unverified_at(version, order), state });
            }
        }
    }
    out.sort_by_key(|s| s.state.topic);
    out
}

/// The assessment that counts for one requirement and jurisdiction in a view.
#[derive(Debug, Clone, Copy)]
pub struct Cell<'a> {
    /// The status to count (`not_assessed` when missing or stale).
    pub status: Status,
    pub assessment: Option<&'a Assessment>,
    /// The assessment was made against another version where the requirement read differently:
    /// it needs re-review and does not count.
    pub stale: bool,
    pub unverified: bool,
}

impl Cell<'_> {
    /// Status as shown: the stale assessment's status is shown, marked for re-review.
    pub fn shown_status(&self) -> Status {
        self.assessment.map_or(self.status, |a| a.status)
    }
}

pub fn cell<'a>(corpus: &'a Corpus, jurisdiction: &str, scope: &InScope<'_>) -> Cell<'a> {
    let r = scope.requirement;
    let order = corpus.versions(&r.instrument);
    let candidates = corpus.assessments_for(jurisdiction, &r.id);
    let exact = candidates.iter().find(|a| a.version == scope.version);
    let carried = || candidates.iter().find(|a| r.state_at(&a.version, order).as_ref() == Some(&scope.state));
    let unverified = |a: &Assessment| a.confidence == Confidence::Unverified || scope.unverified;
    if let Some(a) = exact.or_else(carried) {
        return Cell { status: a.status, assessment: Some(a), stale: false, unverified: unverified(a) };
    }
    // Otherwise the latest assessment made against an earlier version, if any, marked stale.
    let pos = |v: &str| order.iter().position(|o| o == v);
    match candidates.iter().filter(|a| pos(&a.version) <= pos(scope.version)).max_by_key(|a| pos(&a.version)) {
        Some(a) => Cell { status: Status::NotAssessed, assessment: Some(a), stale: true, unverified: unverified(a) },
        None => Cell { status: Status::NotAssessed, assessment: None, stale: false, unverified: scope.unverified },
    }
}

/// Alignment index and coverage over some set of requirements.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Score {
    /// 0–100, `None` when nothing in the set has been assessed.
    pub index: Option<f64>,
    /// 0–100: the weighted share of applicable requirements that have been assessed.
    pub coverage: f64,
    pub counts: BTreeMap<Status, usize>,
    /// Requirements in the set whose counted assessment is unverified.
    pub unverified: usize,
    /// Assessments that need re-review in this view.
    pub stale: usize,
}

#[derive(Default)]
struct Acc {
    credit: f64,
    assessed_weight: f64,
    applicable_weight: f64,
    counts: BTreeMap<Status, usize>,
    unverified: usize,
    stale: usize,
}

impl Acc {
    fn add(&mut self, corpus: &Corpus, scope: &InScope<'_>, cell: &Cell<'_>) {
        let w = scope.state.weight * corpus.scoring.topic_weight(scope.state.topic);
        *self.counts.entry(cell.status).or_default() += 1;
        self.unverified += usize::from(cell.unverified && cell.status.is_substantive());
        self.stale += usize::from(cell.stale);
        if cell.status == Status::NotApplicable {
            return;
        }
        self.applicable_weight += w;
        if let Some(credit) = corpus.scoring.credit(cell.status) {
            self.assessed_weight += w;
            self.credit += w * credit;
        }
    }

    fn score(&self) -> Score {
        let pct = |num: f64, den: f64| {
            if den > 0.0 { (1000.0 * num / den).round() / 10.0 } else { 0.0 }
        };
        Score {
            index: (self.assessed_weight > 0.0).then(|| pct(self.credit, self.assessed_weight)),
            coverage: pct(self.assessed_weight, self.applicable_weight),
            counts: self.counts.clone(),
            unverified: self.unverified,
            stale: self.stale,
        }
    }
}

/// Scores of one jurisdiction: overall, per topic and per instrument.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Scores {
    pub overall: Score,
    pub by_topic: BTreeMap<Topic, Score>,
    pub by_instrument: BTreeMap<String, Score>,
}

pub fn scores(corpus: &Corpus, jurisdiction: &str, scope: &[InScope<'_>]) -> Scores {
    let mut overall = Acc::default();
    let mut by_topic: BTreeMap<Topic, Acc> = BTreeMap::new();
    let mut by_instrument: BTreeMap<String, Acc> = BTreeMap::new();
    for s in scope {
        let c = cell(corpus, jurisdiction, s);
        overall.add(corpus, s, &c);
        by_topic.entry(s.state.topic).or_default().add(corpus, s, &c);
        by_instrument.entry(s.requirement.instrument.clone()).or_default().add(corpus, s, &c);
    }
    Scores {
        overall: overall.score(),
        by_topic: by_topic.iter().map(|(k, v)| (*k, v.score())).collect(),
        by_instrument: by_instrument.iter().map(|(k, v)| (k.clone(), v.score())).collect(),
    }
}
