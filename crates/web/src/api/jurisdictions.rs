//! Countries: summaries, one country with its gaps (JSON and CSV).

use super::*;

#[derive(Serialize, ToSchema)]
pub struct GapOut {
    pub requirement: String,
    pub topic: String,
    pub weight: f64,
    pub statement: String,
    pub status: String,
    pub needs_review: bool,
    pub assessment: AssessmentOut,
}

#[derive(Serialize, ToSchema)]
pub struct JurisdictionOut {
    pub id: String,
    pub name: BTreeMap<String, String>,
    pub view: Vec<String>,
    pub scores: ScoresOut,
    pub gaps: Vec<GapOut>,
}

#[derive(Serialize, ToSchema)]
pub struct JurisdictionSummaryOut {
    pub id: String,
    pub name: BTreeMap<String, String>,
    pub overall: ScoreOut,
}

#[utoipa::path(get, path = "/api/v1/jurisdictions", tag = "alignment", responses((status = 200, body = Vec<JurisdictionSummaryOut>)))]
pub async fn jurisdictions(State(state): State<AppState>) -> Json<Vec<JurisdictionSummaryOut>> {
    let snap = state.snapshot();
    let v = View::default();
    let scope = score::in_scope(&snap.corpus, &v);
    Json(
        snap.corpus
            .assessed_jurisdictions()
            .iter()
            .map(|j| JurisdictionSummaryOut {
                id: j.id.clone(),
                name: j.name.clone(),
                overall: (&score::scores(&snap.corpus, &j.id, &scope).overall).into(),
            })
            .collect(),
    )
}

#[derive(Deserialize)]
pub struct VersionQuery {
    pub version: Option<String>,
}

pub(super) fn known_jurisdiction<'a>(corpus: &'a Corpus, id: &str) -> Result<&'a law::Jurisdiction, ApiError> {
    corpus
        .assessed_jurisdictions()
        .into_iter()
        .find(|j| j.id == id)
        .ok_or_else(|| ApiError::not_found(format!("jurisdiction '{id}'")))
}

pub fn jurisdiction_out(state: &AppState, corpus: &Corpus, id: &str, v: &View) -> Result<JurisdictionOut, ApiError> {
    let j = known_jurisdiction(corpus, id)?;
    let snap = state.snapshot();
    let scope = score::in_scope(corpus, v);
    let scores = score::scores(corpus, &j.id, &scope);
    let gaps = law::render::gaps(corpus, v, &j.id, None)
        .iter()
        .map(|g| GapOut {
            requirement: g.scope.requirement.id.clone(),
            topic: g.scope.state.topic.to_string(),
            weight: g.scope.state.weight,
            statement: g.scope.state.statement.clone(),
            status: g.assessment.status.to_string(),
            needs_review: g.cell.stale,
            assessment: assessment_out(corpus, snap.meta.get(&key_of(g.assessment)), g.assessment),
        })
        .collect();
    Ok(JurisdictionOut {
        id: j.id.clone(),
        name: j.name.clone(),
        view: v.describe(corpus),
        scores: (&scores).into(),
        gaps,
    })
}

pub fn key_of(a: &law::Assessment) -> Key {
    Key { jurisdiction: a.jurisdiction.clone(), requirement: a.requirement.clone(), version: a.version.clone() }
}

#[utoipa::path(get, path = "/api/v1/jurisdictions/{id}", tag = "alignment",
    params(("id" = String, Path), ("version" = Option<String>, Query)),
    responses((status = 200, body = JurisdictionOut), (status = 404, body = ErrorBody)))]
pub async fn jurisdiction(
    State(state): State<AppState>,
    PathIn(id): PathIn<String>,
    QueryIn(q): QueryIn<VersionQuery>,
) -> Result<Json<JurisdictionOut>, ApiError> {
    let snap = state.snapshot();
    let v = view(&snap.corpus, q.version.as_deref())?;
    Ok(Json(jurisdiction_out(&state, &snap.corpus, &id, &v)?))
}

#[utoipa::path(get, path = "/api/v1/jurisdictions/{id}/gaps.csv", tag = "alignment",
    params(("id" = String, Path), ("version" = Option<String>, Query)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = ErrorBody)))]
pub async fn gaps_csv(
    State(state): State<AppState>,
    PathIn(id): PathIn<String>,
    QueryIn(q): QueryIn<VersionQuery>,
) -> Result<Response, ApiError> {
    let snap = state.snapshot();
    let j = known_jurisdiction(&snap.corpus, &id)?;
    let v = view(&snap.corpus, q.version.as_deref())?;
    Ok(csv_response(&format!("tomas-gaps-{}.csv", j.id), law::render::gaps_csv(&snap.corpus, &v, &j.id, None)))
}

#[utoipa::path(get, path = "/api/v1/jurisdictions/{id}/gaps.json", tag = "alignment",
    params(("id" = String, Path), ("version" = Option<String>, Query)),
    responses((status = 200, body = Vec<GapOut>), (status = 404, body = ErrorBody)))]
pub async fn gaps_json(
    State(state): State<AppState>,
    PathIn(id): PathIn<String>,
    QueryIn(q): QueryIn<VersionQuery>,
) -> Result<Response, ApiError> {
    let snap = state.snapshot();
    let v = view(&snap.corpus, q.version.as_deref())?;
    let out = jurisdiction_out(&state, &snap.corpus, &id, &v)?;
    Ok(([(header::CONTENT_DISPOSITION, format!("attachment; filename=\"tomas-gaps-{id}.json\""))], Json(out.gaps))
        .into_response())
}
