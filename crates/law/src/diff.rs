//! What changed between two versions of an instrument, and which assessments that puts in doubt.

use serde::Serialize;

use crate::{Assessment, Confidence, Corpus, Requirement, RequirementState};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffKind {
    Added,
    Changed,
    Removed,
    Unchanged,
}

impl DiffKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DiffKind::Added => "added",
            DiffKind::Changed => "changed",
            DiffKind::Removed => "removed",
            DiffKind::Unchanged => "unchanged",
        }
    }
}

/// A note recorded on a change between the two versions.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeNote {
    pub version: String,
    pub note: String,
    pub confidence: Confidence,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub requirement: &'a Requirement,
    pub kind: DiffKind,
    pub before: Option<RequirementState>,
    pub after: Option<RequirementState>,
    /// Which fields differ (`statement`, `topic`, `addressee`, `derived_from`, `deadlines`, `weight`).
    pub fields: Vec<&'static str>,
    pub notes: Vec<ChangeNote>,
}

impl Entry<'_> {
    pub fn unverified(&self) -> bool {
        self.requirement.confidence == Confidence::Unverified
            || self.notes.iter().any(|n| n.confidence == Confidence::Unverified)
    }
}

/// An assessment made for `from` that does not hold as it stands for `to`.
#[derive(Debug, Clone)]
pub struct ReReview<'a> {
    pub assessment: &'a Assessment,
    pub kind: DiffKind,
}

#[derive(Debug, Clone)]
pub struct Diff<'a> {
    pub instrument: String,
    pub from: String,
    pub to: String,
    pub entries: Vec<Entry<'a>>,
    pub rereview: Vec<ReReview<'a>>,
    /// (jurisdiction, requirement) pairs with no assessment that fits the `to` version of an added requirement.
    pub to_assess: Vec<(String, &'a Requirement)>,
}

impl Diff<'_> {
    pub fn count(&self, kind: DiffKind) -> usize {
        self.entries.iter().filter(|e| e.kind == kind).count()
    }
}

/// Parses `instrument@version`.
pub fn parse_spec(spec: &str) -> Result<(&str, &str), String> {
    match spec.split_once('@') {
        Some((i, v)) if !i.is_empty() && !v.is_empty() => Ok((i, v)),
        _ => Err(format!("'{spec}' is not instrument@version, e.g. eu-csar@com-2022")),
    }
}

/// Compares the requirements of `instrument` at `from` and `to`.
pub fn diff<'a>(corpus: &'a Corpus, instrument: &str, from: &str, to: &str) -> Result<Diff<'a>, String> {
    let order = corpus.versions(instrument);
    if order.is_empty() {
        return Err(format!("unknown instrument '{instrument}'"));
    }
    for v in [from, to] {
        if !order.iter().any(|o| o == v) {
            return Err(format!("'{instrument}' has no version '{v}' (it has: {})", order.join(", ")));
        }
    }
    let pos = |v: &str| order.iter().position(|o| o == v).unwrap_or(0);
    let (lo, hi) = (pos(from).min(pos(to)), pos(from).max(pos(to)));
    let mut entries = Vec::new();
    for r in corpus.requirements.iter().filter(|r| r.instrument == instrument) {
        let (before, after) = (r.state_at(from, order), r.state_at(to, order));
        let (kind, fields) = match (&before, &after) {
            (None, None) => continue,
            (None, Some(_)) => (DiffKind::Added, Vec::new()),
            (Some(_), None) => (DiffKind::Removed, Vec::new()),
            (Some(b), Some(a)) => {
                let fields = changed_fields(b, a);
                (if fields.is_empty() { DiffKind::Unchanged } else { DiffKind::Changed }, fields)
            }
        };
        let mut notes: Vec<ChangeNote> = r
            .changes
            .iter()
            .filter(|c| (lo + 1..=hi).contains(&pos(&c.version)))
            .map(|c| ChangeNote {
                version: c.version.clone(),
                note: c.note.clone().unwrap_or_default(),
                confidence: c.confidence,
                sources: c.sources.clone(),
            })
            .collect();
        if kind == DiffKind::Added
            && let Some(n) = &r.note
        {
            notes.insert(
                0,
                ChangeNote {
                    version: r.since.clone(),
                    note: n.clone(),
                    confidence: r.confidence,
                    sources: r.sources.clone(),
                },
            );
        }
        entries.push(Entry { requirement: r, kind, before, after, fields, notes });
    }
    entries.sort_by_key(|e| e.kind);

    let mut rereview = Vec::new();
    let mut to_assess = Vec::new();
    for j in corpus.assessed_jurisdictions() {
        for e in &entries {
            let assessments = corpus.assessments_for(&j.id, &e.requirement.id);
            match e.kind {
                DiffKind::Unchanged => {}
                DiffKind::Added => {
                    let fits = assessments
                        .iter()
                        .any(|a| a.status.is_substantive() && e.requirement.state_at(&a.version, order) == e.after);
                    if !fits {
                        to_assess.push((j.id.clone(), e.requirement));
                    }
                }
                DiffKind::Changed | DiffKind::Removed => {
                    // Already assessed against a version that reads like `to`: nothing to re-review.
                    let settled = e.kind == DiffKind::Changed
                        && assessments
                            .iter()
                            .any(|a| a.status.is_substantive() && e.requirement.state_at(&a.version, order) == e.after);
                    if settled {
                        continue;
                    }
                    // Assessments that held for `from` no longer describe `to`.
                    for a in assessments.into_iter().filter(|a| a.status.is_substantive()) {
                        let state = e.requirement.state_at(&a.version, order);
                        if state == e.before && state != e.after {
                            rereview.push(ReReview { assessment: a, kind: e.kind });
                        }
                    }
                }
            }
        }
    }
    Ok(Diff { instrument: instrument.into(), from: from.into(), to: to.into(), entries, rereview, to_assess })
}

fn changed_fields(a: &RequirementState, b: &RequirementState) -> Vec<&'static str> {
    let mut out = Vec::new();
    if a.statement != b.statement {
        out.push("statement");
    }
    if a.topic != b.topic {
        out.push("topic");
    }
    if a.addressees != b.addressees {
        out.push("addressee");
    }
    if a.derived_from != b.derived_from {
        out.push("derived_from");
    }
    if a.deadlines != b.deadlines {
        out.push("deadlines");
    }
    if a.weight != b.weight {
        out.push("weight");
    }
    out
}
