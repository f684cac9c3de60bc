//! Full-text search and recent changes.

use super::*;

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
            Some(::search::DocKind::parse(k).ok_or_else(|| ApiError::field("kind", format!("unknown kind '{k}'")))?)
        }
        None => None,
    };
    let filter = ::search::Filter { kind, jurisdiction: q.jurisdiction.clone().filter(|j| !j.is_empty()) };
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
