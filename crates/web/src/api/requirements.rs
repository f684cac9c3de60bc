//! Requirements, assessments and their history.

use super::*;

#[derive(Serialize, ToSchema)]
pub struct ProvisionRefOut {
    pub instrument: String,
    pub version: String,
    pub eid: String,
    /// `Art. 14(2)`
    pub label: String,
    /// Our one-line summary, when the provision is in the corpus.
    pub summary: Option<String>,
    pub heading: Option<String>,
    /// Official text per language, where imported.
    pub text: BTreeMap<String, String>,
    pub confidence: Option<String>,
}

pub fn provision_out(corpus: &Corpus, r: &law::ProvisionRef) -> ProvisionRefOut {
    let found = corpus.provision(r);
    ProvisionRefOut {
        instrument: r.instrument.clone(),
        version: r.version.clone(),
        eid: r.eid.clone(),
        label: law::eid_label(&r.eid),
        summary: found.map(|(_, p)| p.summary.clone()),
        heading: found.and_then(|(_, p)| p.heading.clone()),
        text: found.map(|(_, p)| p.text.clone()).unwrap_or_default(),
        confidence: found.map(|(_, p)| p.confidence.to_string()),
    }
}

#[derive(Serialize, ToSchema)]
pub struct AssessmentOut {
    pub jurisdiction: String,
    pub requirement: String,
    pub version: String,
    pub status: String,
    pub confidence: String,
    pub evidence: Vec<ProvisionRefOut>,
    pub rationale: String,
    pub recommendation: String,
    pub sources: Vec<String>,
    pub assessed: Option<String>,
    pub assessor: Option<String>,
    /// Published revision (1 = as shipped).
    pub revision: i64,
    /// Microseconds since the Unix epoch.
    pub updated_at: i64,
    pub updated_by: String,
}

pub fn assessment_out(corpus: &Corpus, meta: Option<&(i64, i64, String)>, a: &law::Assessment) -> AssessmentOut {
    AssessmentOut {
        jurisdiction: a.jurisdiction.clone(),
        requirement: a.requirement.clone(),
        version: a.version.clone(),
        status: a.status.to_string(),
        confidence: a.confidence.to_string(),
        evidence: a.evidence.iter().map(|e| provision_out(corpus, e)).collect(),
        rationale: a.rationale.clone(),
        recommendation: a.recommendation.clone(),
        sources: a.sources.clone(),
        assessed: a.assessed.clone(),
        assessor: a.assessor.clone(),
        revision: meta.map_or(0, |m| m.0),
        updated_at: meta.map_or(0, |m| m.1),
        updated_by: meta.map_or(String::new(), |m| m.2.clone()),
    }
}

#[derive(Serialize, ToSchema)]
pub struct DeadlineOut {
    pub amount: f64,
    /// hours, days, weeks, months, years
    pub unit: String,
    pub from: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RequirementOut {
    pub id: String,
    pub instrument: String,
    /// The version this view shows.
    pub version: String,
    pub since: String,
    pub statement: String,
    pub topic: String,
    pub addressee: Vec<String>,
    pub derived_from: Vec<ProvisionRefOut>,
    pub deadlines: Vec<DeadlineOut>,
    pub weight: f64,
    pub confidence: String,
}

pub(super) fn requirement_out(corpus: &Corpus, s: &score::InScope<'_>) -> RequirementOut {
    RequirementOut {
        id: s.requirement.id.clone(),
        instrument: s.requirement.instrument.clone(),
        version: s.version.to_string(),
        since: s.requirement.since.clone(),
        statement: s.state.statement.clone(),
        topic: s.state.topic.to_string(),
        addressee: s.state.addressees.iter().map(ToString::to_string).collect(),
        derived_from: s.state.derived_from.iter().map(|r| provision_out(corpus, r)).collect(),
        deadlines: s
            .state
            .deadlines
            .iter()
            .map(|d| DeadlineOut { amount: d.amount, unit: d.unit.to_string(), from: d.from.clone() })
            .collect(),
        weight: s.state.weight,
        confidence: if s.unverified { "unverified" } else { "verified" }.into(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct RequirementCellOut {
    pub jurisdiction: String,
    pub cell: CellOut,
    pub assessment: Option<AssessmentOut>,
}

#[derive(Serialize, ToSchema)]
pub struct RequirementDetailOut {
    pub requirement: RequirementOut,
    pub jurisdictions: Vec<RequirementCellOut>,
}

#[derive(Serialize, ToSchema)]
pub struct AssessmentDataOut {
    pub status: String,
    pub evidence: Vec<String>,
    pub rationale: String,
    pub recommendation: String,
    pub sources: Vec<String>,
    pub confidence: String,
}

impl From<&AssessmentData> for AssessmentDataOut {
    fn from(d: &AssessmentData) -> Self {
        AssessmentDataOut {
            status: d.status.to_string(),
            evidence: d.evidence.clone(),
            rationale: d.rationale.clone(),
            recommendation: d.recommendation.clone(),
            sources: d.sources.clone(),
            confidence: d.confidence.to_string(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct HistoryOut {
    pub revision: i64,
    pub changed_at: i64,
    pub changed_by: String,
    pub proposal_id: Option<i64>,
    pub comment: String,
    pub data: AssessmentDataOut,
}

#[utoipa::path(get, path = "/api/v1/requirements", tag = "alignment",
    params(("version" = Option<String>, Query)),
    responses((status = 200, body = Vec<RequirementOut>), (status = 422, body = ErrorBody)))]
pub async fn requirements(
    State(state): State<AppState>,
    QueryIn(q): QueryIn<VersionQuery>,
) -> Result<Json<Vec<RequirementOut>>, ApiError> {
    let snap = state.snapshot();
    let v = view(&snap.corpus, q.version.as_deref())?;
    Ok(Json(score::in_scope(&snap.corpus, &v).iter().map(|s| requirement_out(&snap.corpus, s)).collect()))
}

/// The requirement as it stands in the view's version of its instrument.
pub fn requirement_in_view<'a>(corpus: &'a Corpus, v: &'a View, id: &str) -> Result<score::InScope<'a>, ApiError> {
    let r = corpus.requirement(id).ok_or_else(|| ApiError::not_found(format!("requirement '{id}'")))?;
    let version = v.version(corpus, &r.instrument).unwrap_or(&r.since);
    // A requirement not present in the chosen version is shown in the version that introduced it.
    let version =
        if r.state_at(version, corpus.versions(&r.instrument)).is_some() { version } else { r.since.as_str() };
    let order = corpus.versions(&r.instrument);
    let state = r
        .state_at(version, order)
        .ok_or_else(|| ApiError::not_found(format!("requirement '{id}' in version '{version}'")))?;
    Ok(score::InScope { requirement: r, version, unverified: r.unverified_at(version, order), state })
}

#[utoipa::path(get, path = "/api/v1/requirements/{id}", tag = "alignment",
    params(("id" = String, Path), ("version" = Option<String>, Query)),
    responses((status = 200, body = RequirementDetailOut), (status = 404, body = ErrorBody)))]
pub async fn requirement(
    State(state): State<AppState>,
    PathIn(id): PathIn<String>,
    QueryIn(q): QueryIn<VersionQuery>,
) -> Result<Json<RequirementDetailOut>, ApiError> {
    let snap = state.snapshot();
    let v = view(&snap.corpus, q.version.as_deref())?;
    let s = requirement_in_view(&snap.corpus, &v, &id)?;
    let jurisdictions = snap
        .corpus
        .assessed_jurisdictions()
        .iter()
        .map(|j| {
            let c = score::cell(&snap.corpus, &j.id, &s);
            RequirementCellOut {
                jurisdiction: j.id.clone(),
                cell: (&c).into(),
                assessment: c.assessment.map(|a| assessment_out(&snap.corpus, snap.meta.get(&key_of(a)), a)),
            }
        })
        .collect();
    Ok(Json(RequirementDetailOut { requirement: requirement_out(&snap.corpus, &s), jurisdictions }))
}

#[utoipa::path(get, path = "/api/v1/assessments/{jurisdiction}/{requirement}/{version}", tag = "alignment",
    params(("jurisdiction" = String, Path), ("requirement" = String, Path), ("version" = String, Path)),
    responses((status = 200, body = AssessmentOut), (status = 404, body = ErrorBody)))]
pub async fn assessment(
    State(state): State<AppState>,
    PathIn((j, r, v)): PathIn<(String, String, String)>,
) -> Result<Json<AssessmentOut>, ApiError> {
    let snap = state.snapshot();
    let a = snap
        .corpus
        .assessments_for(&j, &r)
        .into_iter()
        .find(|a| a.version == v)
        .ok_or_else(|| ApiError::not_found(format!("assessment {j}/{r}/{v}")))?;
    Ok(Json(assessment_out(&snap.corpus, snap.meta.get(&key_of(a)), a)))
}

#[utoipa::path(get, path = "/api/v1/assessments/{jurisdiction}/{requirement}/{version}/history", tag = "editing",
    params(("jurisdiction" = String, Path), ("requirement" = String, Path), ("version" = String, Path)),
    responses((status = 200, body = Vec<HistoryOut>), (status = 404, body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    PathIn((j, r, v)): PathIn<(String, String, String)>,
) -> Result<Json<Vec<HistoryOut>>, ApiError> {
    let key = Key { jurisdiction: j, requirement: r, version: v };
    let entries = state.store.history(&key).await?;
    if entries.is_empty() {
        return Err(ApiError::not_found(format!(
            "assessment {}/{}/{}",
            key.jurisdiction, key.requirement, key.version
        )));
    }
    Ok(Json(
        entries
            .iter()
            .map(|h| HistoryOut {
                revision: h.revision,
                changed_at: h.changed_at,
                changed_by: h.changed_by.clone(),
                proposal_id: h.proposal_id,
                comment: h.comment.clone(),
                data: (&h.data).into(),
            })
            .collect(),
    ))
}
