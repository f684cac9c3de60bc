//! The regional matrix as JSON and CSV, and the views the pages share.

use super::*;

#[derive(Debug, Default, Deserialize, Clone)]
pub struct MatrixQuery {
    /// `eu-csar@council-2025` or a bare version label.
    pub version: Option<String>,
    pub topic: Option<String>,
    pub addressee: Option<String>,
    pub status: Option<String>,
}

pub fn view(corpus: &Corpus, version: Option<&str>) -> Result<View, ApiError> {
    let specs: Vec<String> = version.filter(|v| !v.is_empty()).map(|v| vec![v.to_string()]).unwrap_or_default();
    View::parse(corpus, &specs).map_err(|m| ApiError::field("version", m))
}

/// The rows of the matrix after filters.
pub fn matrix_rows<'a>(
    corpus: &'a Corpus,
    view: &'a View,
    q: &MatrixQuery,
) -> Result<Vec<score::InScope<'a>>, ApiError> {
    let topic = match q.topic.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => Some(Topic::parse(t).ok_or_else(|| ApiError::field("topic", format!("unknown topic '{t}'")))?),
        None => None,
    };
    let addressee = match q.addressee.as_deref().filter(|t| !t.is_empty()) {
        Some(a) => Some(
            law::Addressee::parse(a).ok_or_else(|| ApiError::field("addressee", format!("unknown addressee '{a}'")))?,
        ),
        None => None,
    };
    let status = match q.status.as_deref().filter(|t| !t.is_empty()) {
        Some(s) => Some(Status::parse(s).ok_or_else(|| ApiError::field("status", format!("unknown status '{s}'")))?),
        None => None,
    };
    let jurisdictions = corpus.assessed_jurisdictions();
    Ok(score::in_scope(corpus, view)
        .into_iter()
        .filter(|s| topic.is_none_or(|t| s.state.topic == t))
        .filter(|s| addressee.is_none_or(|a| s.state.addressees.contains(&a)))
        .filter(|s| {
            status.is_none_or(|st| jurisdictions.iter().any(|j| score::cell(corpus, &j.id, s).shown_status() == st))
        })
        .collect())
}

#[derive(Serialize, ToSchema)]
pub struct ScoreOut {
    /// 0–100 over assessed requirements; null when nothing is assessed.
    pub index: Option<f64>,
    /// 0–100: weighted share of applicable requirements assessed.
    pub coverage: f64,
    /// Requirements by counted status (`full`, `partial`, `none`, `not_applicable`, `not_assessed`).
    pub counts: BTreeMap<String, usize>,
    pub unverified: usize,
    pub stale: usize,
}

impl From<&score::Score> for ScoreOut {
    fn from(s: &score::Score) -> ScoreOut {
        ScoreOut {
            index: s.index,
            coverage: s.coverage,
            counts: s.counts.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            unverified: s.unverified,
            stale: s.stale,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ScoresOut {
    pub overall: ScoreOut,
    pub by_topic: BTreeMap<String, ScoreOut>,
    pub by_instrument: BTreeMap<String, ScoreOut>,
}

impl From<&score::Scores> for ScoresOut {
    fn from(s: &score::Scores) -> ScoresOut {
        ScoresOut {
            overall: (&s.overall).into(),
            by_topic: s.by_topic.iter().map(|(k, v)| (k.to_string(), v.into())).collect(),
            by_instrument: s.by_instrument.iter().map(|(k, v)| (k.clone(), v.into())).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CellOut {
    /// The status that counts in this view (`not_assessed` when missing or needing re-review).
    pub status: String,
    /// The status of the assessment shown, if any.
    pub assessed_status: Option<String>,
    pub assessed_version: Option<String>,
    pub needs_review: bool,
    /// `verified` or `unverified`.
    pub confidence: String,
}

impl From<&score::Cell<'_>> for CellOut {
    fn from(c: &score::Cell<'_>) -> CellOut {
        CellOut {
            status: c.status.to_string(),
            assessed_status: c.assessment.map(|a| a.status.to_string()),
            assessed_version: c.assessment.map(|a| a.version.clone()),
            needs_review: c.stale,
            confidence: if c.unverified { "unverified" } else { "verified" }.into(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MatrixRowOut {
    pub id: String,
    pub instrument: String,
    pub version: String,
    pub topic: String,
    pub addressee: Vec<String>,
    pub weight: f64,
    pub statement: String,
    pub unverified: bool,
    pub cells: BTreeMap<String, CellOut>,
}

#[derive(Serialize, ToSchema)]
pub struct JurisdictionRef {
    pub id: String,
    /// Name per language tag (`en`, `sr-Latn`, `sr-Cyrl`, `sq`, `mk`).
    pub name: BTreeMap<String, String>,
}

#[derive(Serialize, ToSchema)]
pub struct MatrixOut {
    /// Always `tomas-matrix/1`.
    pub format: String,
    /// The instrument versions measured against.
    pub view: Vec<String>,
    pub jurisdictions: Vec<JurisdictionRef>,
    pub requirements: Vec<MatrixRowOut>,
    pub scores: BTreeMap<String, ScoresOut>,
}

pub fn matrix_out(corpus: &Corpus, view: &View, q: &MatrixQuery) -> Result<MatrixOut, ApiError> {
    let rows = matrix_rows(corpus, view, q)?;
    let js = corpus.assessed_jurisdictions();
    let all = score::in_scope(corpus, view);
    Ok(MatrixOut {
        format: "tomas-matrix/1".into(),
        view: view.describe(corpus),
        jurisdictions: js.iter().map(|j| JurisdictionRef { id: j.id.clone(), name: j.name.clone() }).collect(),
        requirements: rows
            .iter()
            .map(|s| MatrixRowOut {
                id: s.requirement.id.clone(),
                instrument: s.requirement.instrument.clone(),
                version: s.version.to_string(),
                topic: s.state.topic.to_string(),
                addressee: s.state.addressees.iter().map(ToString::to_string).collect(),
                weight: s.state.weight,
                statement: s.state.statement.clone(),
                unverified: s.unverified,
                cells: js.iter().map(|j| (j.id.clone(), (&score::cell(corpus, &j.id, s)).into())).collect(),
            })
            .collect(),
        scores: js.iter().map(|j| (j.id.clone(), (&score::scores(corpus, &j.id, &all)).into())).collect(),
    })
}

#[utoipa::path(get, path = "/api/v1/matrix", tag = "alignment",
    params(("version" = Option<String>, Query, description = "e.g. eu-csar@council-2025"), ("topic" = Option<String>, Query), ("addressee" = Option<String>, Query), ("status" = Option<String>, Query)),
    responses((status = 200, body = MatrixOut), (status = 422, body = ErrorBody)))]
pub async fn matrix(State(state): State<AppState>, QueryIn(q): QueryIn<MatrixQuery>) -> Result<Response, ApiError> {
    let snap = state.snapshot();
    let key = format!(
        "api:matrix:{}|{}|{}|{}",
        q.version.as_deref().unwrap_or(""),
        q.topic.as_deref().unwrap_or(""),
        q.addressee.as_deref().unwrap_or(""),
        q.status.as_deref().unwrap_or("")
    );
    // Computed once per data version and query; every other request serves the same bytes.
    let json = state.cache.get_or_render(snap.data_version, &key, || {
        let v = view(&snap.corpus, q.version.as_deref())?;
        serde_json::to_string(&matrix_out(&snap.corpus, &v, &q)?)
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
    })?;
    let body = axum::body::Body::from(axum::body::Bytes::from_owner(SharedText(json)));
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// Cached text served without copying.
pub(super) struct SharedText(std::sync::Arc<str>);

impl AsRef<[u8]> for SharedText {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

#[utoipa::path(get, path = "/api/v1/matrix.csv", tag = "alignment",
    params(("version" = Option<String>, Query), ("topic" = Option<String>, Query), ("addressee" = Option<String>, Query), ("status" = Option<String>, Query)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 422, body = ErrorBody)))]
pub async fn matrix_csv(State(state): State<AppState>, QueryIn(q): QueryIn<MatrixQuery>) -> Result<Response, ApiError> {
    let snap = state.snapshot();
    let v = view(&snap.corpus, q.version.as_deref())?;
    let rows = matrix_rows(&snap.corpus, &v, &q)?;
    Ok(csv_response("tomas-matrix.csv", law::render::matrix_csv_rows(&snap.corpus, &rows)))
}

pub(super) fn csv_response(name: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response()
}
