//! The JSON API under `/api/v1`, described by the OpenAPI 3.1 document at `/api/v1/openapi.json`.
//!
//! Errors are JSON: `{"error": {"message": "…", "field": "…"}}` with a 4xx/5xx status; `field`
//! names the offending input where there is one.

use std::collections::BTreeMap;

use axum::{
    Json, Router,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use law::{
    Corpus, Status, Topic,
    score::{self, View},
};
use serde::{Deserialize, Serialize};
use store::{AssessmentData, Key, ProposalState, Role};
use utoipa::{OpenApi, ToSchema};

use crate::{Ctx, auth, state::AppState};

// ── Errors ─────────────────────────────────────────────────────────────────────

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError { status, message: message.into(), field: None }
    }

    pub fn field(field: &str, message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::UNPROCESSABLE_ENTITY, message: message.into(), field: Some(field.into()) }
    }

    pub fn not_found(what: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, format!("{} not found", what.into()))
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "log in first (POST /api/v1/session)")
    }

    pub fn forbidden(need: &str) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, format!("this needs the {need} role"))
    }
}

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    pub message: String,
    /// The offending input field, where there is one.
    pub field: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(message = %self.message, "API error");
        }
        (self.status, Json(ErrorBody { error: ErrorDetail { message: self.message, field: self.field } }))
            .into_response()
    }
}

impl From<store::StoreError> for ApiError {
    fn from(e: store::StoreError) -> ApiError {
        match e {
            store::StoreError::NotFound(what) => ApiError::new(StatusCode::NOT_FOUND, format!("{what} not found")),
            store::StoreError::Conflict(msg) => ApiError::new(StatusCode::CONFLICT, msg),
            store::StoreError::Invalid(msg) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, msg),
            store::StoreError::Forbidden(msg) => ApiError::new(StatusCode::FORBIDDEN, msg),
            other => {
                tracing::error!(error = %other, "store error");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error; the change was not saved")
            }
        }
    }
}

/// JSON body extractor whose rejections are JSON errors naming the offending field.
pub struct JsonIn<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for JsonIn<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        match OptionalJson::<T>::from_request(req, state).await? {
            OptionalJson(Some(v)) => Ok(JsonIn(v)),
            OptionalJson(None) => Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "the request needs a JSON body")),
        }
    }
}

/// An optional JSON body: an empty one is allowed; any other must be `application/json`.
pub struct OptionalJson<T>(pub Option<T>);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
        let bytes =
            axum::body::Bytes::from_request(req, state).await.map_err(|e| ApiError::new(e.status(), e.body_text()))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(None));
        }
        if !json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send the body as Content-Type: application/json",
            ));
        }
        parse_json(&bytes).map(|v| OptionalJson(Some(v)))
    }
}

/// Deserialises a JSON body; an error names the field it is about (`evidence`, not `evidence[2]`).
pub fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let top = e.path().iter().next().and_then(|seg| match seg {
            serde_path_to_error::Segment::Map { key } => Some(key.clone()),
            _ => None,
        });
        let inner = e.inner();
        let message = inner.to_string();
        // At the top level serde names a missing or unknown field only inside its message.
        let field = top.or_else(|| {
            (message.starts_with("missing field") || message.starts_with("unknown field"))
                .then(|| message.split('`').nth(1).map(str::to_string))
                .flatten()
        });
        let message = match (&field, inner.is_syntax() || inner.is_eof()) {
            (_, true) => format!("invalid JSON: {message}"),
            (Some(f), false) if !message.contains(&format!("`{f}`")) => format!("{f}: {message}"),
            _ => message,
        };
        ApiError { status: StatusCode::UNPROCESSABLE_ENTITY, message, field }
    })?;
    // Nothing but whitespace may follow the value.
    de.end().map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, format!("invalid JSON: {e}")))?;
    Ok(value)
}

/// Path parameters whose rejections are JSON errors (`/proposals/abc` → 400 naming `id`).
pub struct PathIn<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> axum::extract::FromRequestParts<S> for PathIn<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, ApiError> {
        let e = match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => return Ok(PathIn(v)),
            Err(e) => e,
        };
        use axum::extract::{path::ErrorKind, rejection::PathRejection};
        let kind = match &e {
            PathRejection::FailedToDeserializePathParams(inner) => Some(inner.kind()),
            _ => None,
        };
        let field = match kind {
            Some(ErrorKind::ParseErrorAtKey { key, .. } | ErrorKind::InvalidUtf8InPathParam { key }) => {
                Some(key.clone())
            }
            // A lone parameter's error carries its value, not its name: look the name up.
            Some(ErrorKind::ParseError { value, .. }) => axum::extract::RawPathParams::from_request_parts(parts, state)
                .await
                .ok()
                .and_then(|raw| raw.iter().find(|(_, v)| v == value).map(|(k, _)| k.to_string())),
            _ => None,
        };
        Err(ApiError { status: StatusCode::BAD_REQUEST, message: e.body_text(), field })
    }
}

/// Query parameters whose rejections are JSON errors naming the parameter.
pub struct QueryIn<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequestParts<S> for QueryIn<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _state: &S) -> Result<Self, ApiError> {
        parse_query(parts.uri.query().unwrap_or("")).map(QueryIn)
    }
}

pub fn parse_query<T: serde::de::DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let message = e.inner().to_string();
        let field = e
            .path()
            .iter()
            .next()
            .and_then(|seg| match seg {
                serde_path_to_error::Segment::Map { key } => Some(key.clone()),
                _ => None,
            })
            .or_else(|| message.split('`').nth(1).map(str::to_string));
        ApiError { status: StatusCode::BAD_REQUEST, message: format!("invalid query string: {message}"), field }
    })
}

// ── Views shared with the pages ────────────────────────────────────────────────

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

// ── Output types ───────────────────────────────────────────────────────────────

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

fn requirement_out(corpus: &Corpus, s: &score::InScope<'_>) -> RequirementOut {
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
pub struct ProvisionOut {
    pub eid: String,
    pub num: Option<String>,
    pub label: String,
    pub heading: Option<String>,
    pub summary: String,
    pub confidence: String,
    pub text: BTreeMap<String, String>,
}

#[derive(Serialize, ToSchema)]
pub struct InstrumentOut {
    pub id: String,
    pub version: String,
    pub jurisdiction: String,
    pub short: String,
    pub title: BTreeMap<String, String>,
    pub kind: String,
    pub stage: String,
    pub date: Option<String>,
    pub celex: Option<String>,
    pub eli: Option<String>,
    pub gazette: Option<String>,
    pub source: Option<String>,
    pub confidence: String,
    pub note: Option<String>,
    /// Empty in the list endpoint.
    pub provisions: Vec<ProvisionOut>,
}

fn instrument_out(i: &law::Instrument, with_provisions: bool) -> InstrumentOut {
    InstrumentOut {
        id: i.id.clone(),
        version: i.version.clone(),
        jurisdiction: i.jurisdiction.clone(),
        short: i.short.clone(),
        title: i.title.clone(),
        kind: i.kind.to_string(),
        stage: i.stage.to_string(),
        date: i.date.clone(),
        celex: i.celex.clone(),
        eli: i.eli.clone(),
        gazette: i.gazette.clone(),
        source: i.source.clone(),
        confidence: i.confidence.to_string(),
        note: i.note.clone(),
        provisions: if with_provisions {
            i.provisions
                .iter()
                .map(|p| ProvisionOut {
                    eid: p.eid.clone(),
                    num: p.num.clone(),
                    label: law::eid_label(&p.eid),
                    heading: p.heading.clone(),
                    summary: p.summary.clone(),
                    confidence: p.confidence.to_string(),
                    text: p.text.clone(),
                })
                .collect()
        } else {
            Vec::new()
        },
    }
}

#[derive(Serialize, ToSchema)]
pub struct DiffEntryOut {
    pub id: String,
    /// added, changed, removed
    pub change: String,
    pub fields: Vec<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub unverified: bool,
    pub notes: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ReReviewOut {
    pub jurisdiction: String,
    pub requirement: String,
    pub assessed_version: String,
    pub status: String,
    pub change: String,
}

#[derive(Serialize, ToSchema)]
pub struct DiffOut {
    pub instrument: String,
    pub from: String,
    pub to: String,
    pub unchanged: usize,
    pub requirements: Vec<DiffEntryOut>,
    pub rereview: Vec<ReReviewOut>,
    /// `jurisdiction/requirement` pairs to assess.
    pub to_assess: Vec<String>,
}

pub fn diff_out(d: &law::diff::Diff<'_>) -> DiffOut {
    DiffOut {
        instrument: d.instrument.clone(),
        from: d.from.clone(),
        to: d.to.clone(),
        unchanged: d.count(law::diff::DiffKind::Unchanged),
        requirements: d
            .entries
            .iter()
            .filter(|e| e.kind != law::diff::DiffKind::Unchanged)
            .map(|e| DiffEntryOut {
                id: e.requirement.id.clone(),
                change: e.kind.as_str().into(),
                fields: e.fields.iter().map(|f| f.to_string()).collect(),
                before: e.before.as_ref().map(|s| s.statement.clone()),
                after: e.after.as_ref().map(|s| s.statement.clone()),
                unverified: e.unverified(),
                notes: e
                    .notes
                    .iter()
                    .map(|n| {
                        let mark = if n.confidence == law::Confidence::Unverified { " (unverified)" } else { "" };
                        format!("{}: {}{mark}", n.version, n.note)
                    })
                    .collect(),
            })
            .collect(),
        rereview: d
            .rereview
            .iter()
            .map(|r| ReReviewOut {
                jurisdiction: r.assessment.jurisdiction.clone(),
                requirement: r.assessment.requirement.clone(),
                assessed_version: r.assessment.version.clone(),
                status: r.assessment.status.to_string(),
                change: r.kind.as_str().into(),
            })
            .collect(),
        to_assess: d.to_assess.iter().map(|(j, r)| format!("{j}/{}", r.id)).collect(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct HitOut {
    pub key: String,
    /// instrument, provision, requirement, assessment
    pub kind: String,
    pub title: String,
    pub url: String,
    pub jurisdiction: Option<String>,
    /// HTML: escaped text with matches in `<mark>`.
    pub snippet: String,
    pub score: f32,
}

#[derive(Serialize, ToSchema)]
pub struct EventOut {
    /// Microseconds since the Unix epoch.
    pub at: i64,
    /// published, proposed, rejected, withdrawn
    pub kind: String,
    pub jurisdiction: String,
    pub requirement: String,
    pub version: String,
    pub who: String,
    pub proposal_id: Option<i64>,
    pub summary: String,
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

#[derive(Serialize, ToSchema)]
pub struct ProposalOut {
    pub id: i64,
    pub jurisdiction: String,
    pub requirement: String,
    pub version: String,
    pub base_revision: i64,
    pub data: AssessmentDataOut,
    pub note: String,
    /// pending, approved, rejected, withdrawn
    pub state: String,
    pub proposed_by: String,
    pub proposed_at: i64,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub decision_comment: Option<String>,
}

impl From<&store::Proposal> for ProposalOut {
    fn from(p: &store::Proposal) -> ProposalOut {
        ProposalOut {
            id: p.id,
            jurisdiction: p.key.jurisdiction.clone(),
            requirement: p.key.requirement.clone(),
            version: p.key.version.clone(),
            base_revision: p.base_revision,
            data: (&p.data).into(),
            note: p.note.clone(),
            state: p.state.as_str().into(),
            proposed_by: p.proposed_by.clone(),
            proposed_at: p.proposed_at,
            decided_by: p.decided_by.clone(),
            decided_at: p.decided_at,
            decision_comment: p.decision_comment.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserOut {
    pub username: String,
    pub display_name: String,
    /// viewer, editor, reviewer, admin
    pub role: String,
}

impl From<&store::User> for UserOut {
    fn from(u: &store::User) -> UserOut {
        UserOut { username: u.username.clone(), display_name: u.display_name.clone(), role: u.role.as_str().into() }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SessionOut {
    pub user: UserOut,
    /// Send as `X-CSRF-Token` on every mutating request.
    pub csrf_token: String,
}

// ── Inputs ─────────────────────────────────────────────────────────────────────

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginIn {
    pub username: String,
    pub password: String,
}

/// A proposed change to one assessment.
#[derive(Deserialize, ToSchema, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct ProposalIn {
    pub jurisdiction: String,
    pub requirement: String,
    /// Version of the requirement's instrument, e.g. `com-2022`.
    pub version: String,
    /// full, partial, none, not_applicable, not_assessed
    pub status: String,
    /// National provisions as `instrument@version#eid`.
    #[serde(default)]
    pub evidence: Vec<String>,
    #[serde(default)]
    pub rationale: String,
    #[serde(default)]
    pub recommendation: String,
    /// URLs or official gazette references; required unless not_assessed.
    #[serde(default)]
    pub sources: Vec<String>,
    /// verified or unverified (default unverified: an edit is not verified until a reviewer says so).
    #[serde(default)]
    pub confidence: Option<String>,
    /// For the reviewer.
    #[serde(default)]
    pub note: String,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    #[serde(default)]
    pub comment: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserIn {
    pub username: String,
    pub display_name: String,
    pub password: String,
    /// viewer, editor, reviewer, admin
    pub role: String,
}

const MAX_TEXT: usize = 20_000;

/// Refuses control characters other than line breaks and tabs, naming the field.
pub fn clean_text(field: &str, text: &str) -> Result<(), ApiError> {
    store::check_text(field, text).map_err(|e| ApiError::field(field, e.to_string()))
}

/// Checks a proposal against the corpus; every error names its field.
pub fn validate_proposal(corpus: &Corpus, p: &ProposalIn) -> Result<(Key, AssessmentData), ApiError> {
    if corpus.jurisdiction(&p.jurisdiction).is_none()
        || !corpus.assessed_jurisdictions().iter().any(|j| j.id == p.jurisdiction)
    {
        return Err(ApiError::field("jurisdiction", format!("unknown jurisdiction '{}'", p.jurisdiction)));
    }
    let Some(r) = corpus.requirement(&p.requirement) else {
        return Err(ApiError::field("requirement", format!("unknown requirement '{}'", p.requirement)));
    };
    let order = corpus.versions(&r.instrument);
    if r.state_at(&p.version, order).is_none() {
        return Err(ApiError::field(
            "version",
            format!(
                "requirement '{}' does not exist in version '{}' (versions: {})",
                r.id,
                p.version,
                order.join(", ")
            ),
        ));
    }
    let status = Status::parse(&p.status).ok_or_else(|| {
        ApiError::field(
            "status",
            format!("'{}' is not one of full, partial, none, not_applicable, not_assessed", p.status),
        )
    })?;
    let confidence = match p.confidence.as_deref() {
        None | Some("") => law::Confidence::Unverified,
        Some(c) => law::Confidence::parse(c)
            .ok_or_else(|| ApiError::field("confidence", format!("'{c}' is not verified or unverified")))?,
    };
    for (field, text) in [("rationale", &p.rationale), ("recommendation", &p.recommendation), ("note", &p.note)] {
        clean_text(field, text)?;
    }
    if p.evidence.len() > 50 {
        return Err(ApiError::field("evidence", "at most 50 provisions"));
    }
    let mut evidence = Vec::new();
    for (i, e) in p.evidence.iter().map(|e| e.trim()).enumerate().filter(|(_, e)| !e.is_empty()) {
        clean_text("evidence", e)?;
        let parsed = law::ProvisionRef::parse(e, None)
            .map_err(|m| ApiError::field("evidence", format!("line {}: {m}", i + 1)))?;
        if corpus.provision(&parsed).is_none() {
            return Err(ApiError::field("evidence", format!("line {}: no provision '{e}' in the corpus", i + 1)));
        }
        evidence.push(parsed.to_string());
    }
    let sources: Vec<String> = p.sources.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    if status.is_substantive() && sources.is_empty() {
        return Err(ApiError::field("sources", "give at least one source (a URL or a gazette reference)"));
    }
    if status.is_substantive() && p.rationale.trim().is_empty() {
        return Err(ApiError::field("rationale", "explain the status"));
    }
    for (field, text) in [("rationale", &p.rationale), ("recommendation", &p.recommendation), ("note", &p.note)] {
        if text.len() > MAX_TEXT {
            return Err(ApiError::field(field, format!("at most {MAX_TEXT} bytes")));
        }
    }
    if sources.len() > 50 {
        return Err(ApiError::field("sources", "at most 50 sources"));
    }
    for (i, source) in sources.iter().enumerate() {
        if source.len() > 2000 {
            return Err(ApiError::field("sources", format!("source {}: at most 2000 bytes", i + 1)));
        }
        clean_text("sources", source)?;
    }
    Ok((
        Key { jurisdiction: p.jurisdiction.clone(), requirement: p.requirement.clone(), version: p.version.clone() },
        AssessmentData {
            status,
            evidence,
            rationale: p.rationale.trim().to_string(),
            recommendation: p.recommendation.trim().to_string(),
            sources,
            confidence,
        },
    ))
}

// ── Guards ─────────────────────────────────────────────────────────────────────

/// The logged-in user with at least `need`, on a request carrying the session's CSRF token.
pub fn require(ctx: &Ctx, need: Role, csrf: Option<&str>) -> Result<store::User, ApiError> {
    let Some(user) = ctx.user() else { return Err(ApiError::unauthorized()) };
    if !ctx.csrf_ok(csrf) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "missing or wrong CSRF token (send X-CSRF-Token from POST /api/v1/session)",
        ));
    }
    if user.role < need {
        return Err(ApiError::forbidden(need.as_str()));
    }
    Ok(user.clone())
}

/// Read access that needs a login (proposals are not public).
fn require_login(ctx: &Ctx) -> Result<&store::User, ApiError> {
    ctx.user().ok_or_else(ApiError::unauthorized)
}

// ── Handlers ───────────────────────────────────────────────────────────────────

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi_json))
        .route("/matrix", get(matrix))
        .route("/matrix.csv", get(matrix_csv))
        .route("/jurisdictions", get(jurisdictions))
        .route("/jurisdictions/{id}", get(jurisdiction))
        .route("/jurisdictions/{id}/gaps.csv", get(gaps_csv))
        .route("/jurisdictions/{id}/gaps.json", get(gaps_json))
        .route("/requirements", get(requirements))
        .route("/requirements/{id}", get(requirement))
        .route("/instruments", get(instruments))
        .route("/instruments/{id}/{version}", get(instrument))
        .route("/diff", get(diff))
        .route("/search", get(search))
        .route("/changes", get(changes))
        .route("/assessments/{jurisdiction}/{requirement}/{version}", get(assessment))
        .route("/assessments/{jurisdiction}/{requirement}/{version}/history", get(history))
        .route("/export", get(export))
        .route("/session", get(session_get).post(login).delete(logout))
        .route("/proposals", get(proposals).post(propose))
        .route("/proposals/{id}", get(proposal))
        .route("/proposals/{id}/approve", post(approve))
        .route("/proposals/{id}/reject", post(reject))
        .route("/proposals/{id}/withdraw", post(withdraw))
        .route("/users", get(users).post(add_user))
        .fallback(api_not_found)
}

async fn api_not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no such API endpoint (see /api/v1/openapi.json)")
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
struct SharedText(std::sync::Arc<str>);

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

fn csv_response(name: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response()
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

fn known_jurisdiction<'a>(corpus: &'a Corpus, id: &str) -> Result<&'a law::Jurisdiction, ApiError> {
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

#[utoipa::path(get, path = "/api/v1/instruments", tag = "alignment", responses((status = 200, body = Vec<InstrumentOut>)))]
pub async fn instruments(State(state): State<AppState>) -> Json<Vec<InstrumentOut>> {
    let snap = state.snapshot();
    Json(snap.corpus.instruments.iter().map(|i| instrument_out(i, false)).collect())
}

#[utoipa::path(get, path = "/api/v1/instruments/{id}/{version}", tag = "alignment",
    params(("id" = String, Path), ("version" = String, Path)),
    responses((status = 200, body = InstrumentOut), (status = 404, body = ErrorBody)))]
pub async fn instrument(
    State(state): State<AppState>,
    PathIn((id, version)): PathIn<(String, String)>,
) -> Result<Json<InstrumentOut>, ApiError> {
    let snap = state.snapshot();
    let i = snap
        .corpus
        .instrument(&id, &version)
        .ok_or_else(|| ApiError::not_found(format!("instrument '{id}@{version}'")))?;
    Ok(Json(instrument_out(i, true)))
}

#[derive(Deserialize)]
pub struct DiffQuery {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Parses `from`/`to` (defaults: the CSAR's first and last versions).
pub fn diff_specs(corpus: &Corpus, q: &DiffQuery) -> Result<(String, String, String), ApiError> {
    let first = corpus.versions("eu-csar").first().cloned().unwrap_or_default();
    let last = corpus.latest_version("eu-csar").unwrap_or_default().to_string();
    let from = q
        .from
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("eu-csar@{first}"));
    let to =
        q.to.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| format!("eu-csar@{last}"));
    let (fi, fv) = law::diff::parse_spec(&from).map_err(|m| ApiError::field("from", m))?;
    let (ti, tv) = law::diff::parse_spec(&to).map_err(|m| ApiError::field("to", m))?;
    let known = corpus.versions(fi);
    if known.is_empty() {
        return Err(ApiError::field("from", format!("unknown instrument '{fi}'")));
    }
    if fi != ti {
        return Err(ApiError::field(
            "to",
            format!("'{to}' is not a version of '{fi}' (from and to must be versions of one instrument)"),
        ));
    }
    for (field, v) in [("from", fv), ("to", tv)] {
        if !known.iter().any(|k| k == v) {
            return Err(ApiError::field(field, format!("'{fi}' has no version '{v}' (it has: {})", known.join(", "))));
        }
    }
    Ok((fi.to_string(), fv.to_string(), tv.to_string()))
}

#[utoipa::path(get, path = "/api/v1/diff", tag = "alignment",
    params(("from" = Option<String>, Query, description = "e.g. eu-csar@com-2022"), ("to" = Option<String>, Query, description = "e.g. eu-csar@council-2025")),
    responses((status = 200, body = DiffOut), (status = 422, body = ErrorBody)))]
pub async fn diff(State(state): State<AppState>, QueryIn(q): QueryIn<DiffQuery>) -> Result<Json<DiffOut>, ApiError> {
    let snap = state.snapshot();
    let (i, f, t) = diff_specs(&snap.corpus, &q)?;
    let d = law::diff::diff(&snap.corpus, &i, &f, &t).map_err(|m| ApiError::field("from", m))?;
    Ok(Json(diff_out(&d)))
}

#[derive(Deserialize)]
pub struct SearchQuery {
    pub q: Option<String>,
    pub kind: Option<String>,
    pub jurisdiction: Option<String>,
}

pub fn run_search(state: &AppState, q: &SearchQuery) -> Result<Vec<HitOut>, ApiError> {
    let text = q.q.as_deref().unwrap_or("").trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    if text.len() > 500 {
        return Err(ApiError::field("q", "at most 500 bytes"));
    }
    let kind = match q.kind.as_deref().filter(|k| !k.is_empty()) {
        Some(k) => {
            Some(search::DocKind::parse(k).ok_or_else(|| ApiError::field("kind", format!("unknown kind '{k}'")))?)
        }
        None => None,
    };
    let filter = search::Filter { kind, jurisdiction: q.jurisdiction.clone().filter(|j| !j.is_empty()) };
    let hits = state
        .search
        .search(text, &filter, 50)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(hits
        .into_iter()
        .map(|h| HitOut {
            key: h.key,
            kind: h.kind.as_str().into(),
            title: h.title,
            url: h.url,
            jurisdiction: h.jurisdiction,
            snippet: h.snippet,
            score: h.score,
        })
        .collect())
}

#[utoipa::path(get, path = "/api/v1/search", tag = "alignment",
    params(("q" = String, Query), ("kind" = Option<String>, Query), ("jurisdiction" = Option<String>, Query)),
    responses((status = 200, body = Vec<HitOut>), (status = 422, body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    QueryIn(q): QueryIn<SearchQuery>,
) -> Result<Json<Vec<HitOut>>, ApiError> {
    Ok(Json(run_search(&state, &q)?))
}

#[utoipa::path(get, path = "/api/v1/changes", tag = "editing", responses((status = 200, body = Vec<EventOut>)))]
pub async fn changes(State(state): State<AppState>) -> Result<Json<Vec<EventOut>>, ApiError> {
    Ok(Json(
        state
            .store
            .recent_changes(100)
            .await?
            .into_iter()
            .map(|e| EventOut {
                at: e.at,
                kind: e.kind.into(),
                jurisdiction: e.key.jurisdiction,
                requirement: e.key.requirement,
                version: e.key.version,
                who: e.who,
                proposal_id: e.proposal_id,
                summary: e.summary,
            })
            .collect(),
    ))
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

/// The published corpus as `tomas-corpus/1` JSON (see docs/formats.md).
#[utoipa::path(get, path = "/api/v1/export", tag = "alignment", responses((status = 200, content_type = "application/json", body = Object)))]
pub async fn export(State(state): State<AppState>) -> Response {
    let snap = state.snapshot();
    Json(law::export::export(&snap.corpus)).into_response()
}

#[utoipa::path(get, path = "/api/v1/session", tag = "session", responses((status = 200, body = SessionOut), (status = 401, body = ErrorBody)))]
pub async fn session_get(ctx: Ctx) -> Result<Json<SessionOut>, ApiError> {
    let s = ctx.session.as_ref().ok_or_else(ApiError::unauthorized)?;
    Ok(Json(SessionOut { user: (&s.user).into(), csrf_token: s.csrf_token.clone() }))
}

/// Logs in and returns the CSRF token; the session itself is an HttpOnly cookie.
pub async fn start_session(
    state: &AppState,
    ctx: &Ctx,
    username: &str,
    password: &str,
) -> Result<(store::User, String, String), ApiError> {
    // No account can have a malformed name: refuse it before the throttle or the database see it
    // (a throttle keyed by megabyte-long names would fill the failures table).
    if !store::valid_username(username) {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "wrong username or password"));
    }
    let throttled = |wait: std::time::Duration| {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!("too many failed logins; try again in {} minutes", wait.as_secs().div_ceil(60)),
        )
    };
    if let Some(wait) = state.limiter.check(username, ctx.addr).await? {
        return Err(throttled(wait));
    }
    // Counted as a failure before the password is checked, so parallel guesses count each other.
    let attempt = state.limiter.begin(username, ctx.addr).await?.map_err(throttled)?;
    let found = state.store.credentials(username).await?;
    // Verify against a dummy hash when the user is unknown, so timing does not reveal it.
    let hash = found.as_ref().map_or(auth::dummy_hash(), |(_, h)| h.as_str()).to_string();
    let password = password.to_string();
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash)).await.unwrap_or(false);
    match found {
        Some((user, _)) if ok && !user.disabled => {
            state.limiter.succeed(&attempt).await?;
            let token = auth::random_token();
            let csrf = auth::random_token();
            state.store.create_session(&auth::token_hash(&token), &user, &csrf, state.config.session_ttl).await?;
            Ok((user, token, csrf))
        }
        _ => {
            state.metrics.logins_failed.inc();
            Err(ApiError::new(StatusCode::UNAUTHORIZED, "wrong username or password"))
        }
    }
}

#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = LoginIn,
    responses((status = 200, body = SessionOut), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonIn(body): JsonIn<LoginIn>,
) -> Result<Response, ApiError> {
    let (user, token, csrf) = start_session(&state, &ctx, &body.username, &body.password).await?;
    let cookie = state.cookies.set(auth::SESSION_COOKIE, &token, Some(state.config.session_ttl), true);
    Ok(([(header::SET_COOKIE, cookie)], Json(SessionOut { user: (&user).into(), csrf_token: csrf })).into_response())
}

#[utoipa::path(delete, path = "/api/v1/session", tag = "session", responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>, ctx: Ctx) -> Result<Response, ApiError> {
    require(&ctx, Role::Viewer, ctx.csrf_header())?;
    if let Some(h) = &ctx.token_hash {
        state.store.delete_session(h).await?;
    }
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, state.cookies.clear(auth::SESSION_COOKIE))]).into_response())
}

#[derive(Deserialize)]
pub struct ProposalsQuery {
    pub state: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/proposals", tag = "editing",
    params(("state" = Option<String>, Query, description = "pending, approved, rejected, withdrawn")),
    responses((status = 200, body = Vec<ProposalOut>), (status = 401, body = ErrorBody)))]
pub async fn proposals(
    State(state): State<AppState>,
    ctx: Ctx,
    QueryIn(q): QueryIn<ProposalsQuery>,
) -> Result<Json<Vec<ProposalOut>>, ApiError> {
    require_login(&ctx)?;
    let filter = match q.state.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some("pending") => Some(ProposalState::Pending),
        Some("approved") => Some(ProposalState::Approved),
        Some("rejected") => Some(ProposalState::Rejected),
        Some("withdrawn") => Some(ProposalState::Withdrawn),
        Some(other) => return Err(ApiError::field("state", format!("unknown state '{other}'"))),
    };
    Ok(Json(state.store.proposals(filter, 500).await?.iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/api/v1/proposals/{id}", tag = "editing", params(("id" = i64, Path)),
    responses((status = 200, body = ProposalOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn proposal(
    State(state): State<AppState>,
    ctx: Ctx,
    PathIn(id): PathIn<i64>,
) -> Result<Json<ProposalOut>, ApiError> {
    require_login(&ctx)?;
    let p = state.store.proposal(id).await?.ok_or_else(|| ApiError::not_found(format!("proposal {id}")))?;
    Ok(Json((&p).into()))
}

/// Validates and records a proposal.
pub async fn create_proposal(
    state: &AppState,
    user: &store::User,
    input: &ProposalIn,
) -> Result<store::Proposal, ApiError> {
    let snap = state.snapshot();
    let (key, data) = validate_proposal(&snap.corpus, input)?;
    let p = state.store.propose(&key, &data, input.note.trim(), user).await?;
    state.metrics.proposals.inc();
    tracing::info!(proposal = p.id, user = %user.username, jurisdiction = %key.jurisdiction, requirement = %key.requirement, "proposed");
    Ok(p)
}

#[utoipa::path(post, path = "/api/v1/proposals", tag = "editing", request_body = ProposalIn,
    responses((status = 201, body = ProposalOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn propose(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonIn(input): JsonIn<ProposalIn>,
) -> Result<Response, ApiError> {
    let user = require(&ctx, Role::Editor, ctx.csrf_header())?;
    let p = create_proposal(&state, &user, &input).await?;
    Ok((StatusCode::CREATED, Json(ProposalOut::from(&p))).into_response())
}

/// Approves or rejects, then refreshes the published state.
pub async fn decide(
    state: &AppState,
    user: &store::User,
    id: i64,
    approve: bool,
    comment: &str,
) -> Result<store::Proposal, ApiError> {
    if comment.len() > MAX_TEXT {
        return Err(ApiError::field("comment", format!("at most {MAX_TEXT} bytes")));
    }
    clean_text("comment", comment)?;
    let p = state.store.decide(id, approve, comment.trim(), user).await?;
    if approve {
        state.metrics.publications.inc();
        state.refresh().await?;
    }
    tracing::info!(proposal = id, user = %user.username, approve, "decided");
    Ok(p)
}

async fn decision(
    state: AppState,
    ctx: Ctx,
    id: i64,
    body: Option<DecisionIn>,
    approve: bool,
) -> Result<Json<ProposalOut>, ApiError> {
    let user = require(&ctx, Role::Reviewer, ctx.csrf_header())?;
    let p = decide(&state, &user, id, approve, &body.unwrap_or_default().comment).await?;
    Ok(Json((&p).into()))
}

#[utoipa::path(post, path = "/api/v1/proposals/{id}/approve", tag = "editing", params(("id" = i64, Path)), request_body(content = DecisionIn, description = "optional"),
    responses((status = 200, body = ProposalOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    ctx: Ctx,
    PathIn(id): PathIn<i64>,
    OptionalJson(body): OptionalJson<DecisionIn>,
) -> Result<Json<ProposalOut>, ApiError> {
    decision(state, ctx, id, body, true).await
}

#[utoipa::path(post, path = "/api/v1/proposals/{id}/reject", tag = "editing", params(("id" = i64, Path)), request_body(content = DecisionIn, description = "optional"),
    responses((status = 200, body = ProposalOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn reject(
    State(state): State<AppState>,
    ctx: Ctx,
    PathIn(id): PathIn<i64>,
    OptionalJson(body): OptionalJson<DecisionIn>,
) -> Result<Json<ProposalOut>, ApiError> {
    decision(state, ctx, id, body, false).await
}

#[utoipa::path(post, path = "/api/v1/proposals/{id}/withdraw", tag = "editing", params(("id" = i64, Path)),
    responses((status = 200, body = ProposalOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn withdraw(
    State(state): State<AppState>,
    ctx: Ctx,
    PathIn(id): PathIn<i64>,
) -> Result<Json<ProposalOut>, ApiError> {
    let user = require(&ctx, Role::Editor, ctx.csrf_header())?;
    let p = state.store.withdraw(id, &user).await.map_err(|e| match e {
        store::StoreError::Invalid(m) => ApiError::new(StatusCode::FORBIDDEN, m),
        other => other.into(),
    })?;
    Ok(Json((&p).into()))
}

#[utoipa::path(get, path = "/api/v1/users", tag = "admin", responses((status = 200, body = Vec<UserOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn users(State(state): State<AppState>, ctx: Ctx) -> Result<Json<Vec<UserOut>>, ApiError> {
    let user = require_login(&ctx)?;
    if !user.role.can_admin() {
        return Err(ApiError::forbidden("admin"));
    }
    Ok(Json(state.store.users().await?.iter().map(Into::into).collect()))
}

/// Creates a user (hashing the password).
pub async fn create_user(state: &AppState, input: &UserIn) -> Result<store::User, ApiError> {
    let role: Role = input.role.parse().map_err(|m: String| ApiError::field("role", m))?;
    if input.display_name.trim().is_empty() || input.display_name.len() > 200 {
        return Err(ApiError::field("display_name", "give a display name (at most 200 bytes)"));
    }
    clean_text("display_name", &input.display_name)?;
    let password = input.password.clone();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
        .map_err(|m| ApiError::field("password", m))?;
    state.store.add_user(input.username.trim(), input.display_name.trim(), &hash, role).await.map_err(|e| match e {
        store::StoreError::Invalid(m) => ApiError::field("username", m),
        store::StoreError::Conflict(m) => {
            ApiError { status: StatusCode::CONFLICT, message: m, field: Some("username".into()) }
        }
        other => other.into(),
    })
}

#[utoipa::path(post, path = "/api/v1/users", tag = "admin", request_body = UserIn,
    responses((status = 201, body = UserOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_user(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonIn(input): JsonIn<UserIn>,
) -> Result<Response, ApiError> {
    require(&ctx, Role::Admin, ctx.csrf_header())?;
    let user = create_user(&state, &input).await?;
    Ok((StatusCode::CREATED, Json(UserOut::from(&user))).into_response())
}

#[derive(OpenApi)]
#[openapi(
    info(title = "TOMAS alignment API", description = "The regional alignment matrix, jurisdictions, requirements, instruments, version diffs, search, and the proposal → review → publish workflow. Mutating requests need the session cookie from POST /api/v1/session and its CSRF token in X-CSRF-Token. Errors are {\"error\": {\"message\", \"field\"}}."),
    paths(matrix, matrix_csv, jurisdictions, jurisdiction, gaps_csv, gaps_json, requirements, requirement, instruments, instrument, diff, search, changes, assessment, history, export,
          session_get, login, logout, proposals, proposal, propose, approve, reject, withdraw, users, add_user),
    tags((name = "alignment", description = "Read the published alignment data"), (name = "editing", description = "Propose, review, publish"), (name = "session", description = "Log in and out"), (name = "admin", description = "Users"))
)]
pub struct ApiDoc;

pub async fn openapi_json() -> Response {
    let doc = ApiDoc::openapi();
    ([(header::CONTENT_TYPE, "application/json")], doc.to_pretty_json().unwrap_or_default()).into_response()
}
